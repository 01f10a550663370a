"""Every tunable default of the kit, defined once.

Grading limits are nbgrader-style traitlets (``GradingLimits``): ``congvu init`` writes them
into the workspace's ``nbgrader_config.py`` (``c.GradingLimits.memory_mb = 1024`` …), so a
rerun, a resumed batch and Dask workers all grade with the limits stored in the workspace.
The other defaults are plain constants, read where they are used.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from traitlets import Int
from traitlets.config import Configurable

# Time: Vietnam has one zone, UTC+7, no daylight saving time. nbgrader's exchange keeps UTC
# (a "+07" offset breaks `nbgrader collect`); everything shown to people is Vietnam time.
LOCAL_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
# Course rules (course.yml may override per module).
PASS_MARK = 70                 # percent of the module's points needed to pass
JOINER_GRACE_DAYS = 30         # days a new official gets after joining, past the deadline
# Roster import: a full re-import (no --add-only) that would mark more than this share of the
# active officials as leavers is most likely a partial file; it needs --yes (or a confirmation).
LEAVER_SHARE = 0.2
LEAVER_MIN = 5                 # ... and more than this many (a small office changes by one or two)
# Intake of submissions from the exchange (grading/engine/intake.py): what a learner may hand in.
INTAKE_FILE_MB = 16            # largest single file of a submission
INTAKE_TOTAL_MB = 64           # all files of one submission together
INTAKE_MAX_FILES = 200         # files and folders in one submission
INTAKE_MAX_DEPTH = 4           # nested folders in one submission
SUBMIT_TIME_TOLERANCE_S = 300  # claimed timestamp.txt vs. the time the files last changed
# Report page (report.html, dashboard): the workbook and CSV files always hold everything.
HTML_MAX_BARS = 40             # wards drawn in the bar chart and heatmap (the lowest completion)
HTML_MAX_LINES = 8             # wards drawn as their own line over time
HTML_MAX_PEOPLE = 500          # "not completed" rows listed in the page
HTML_MAX_ROWS = 5000           # longer tables: only in the workbook and the CSV files


class GradingLimits(Configurable):
    """Per-notebook limits of sandboxed grading (wall clock and output enforced by the grader,
    the rest by the operating system), and nbgrader's per-cell timeout."""

    cell_timeout = Int(60, help="Seconds one cell may run (nbgrader's Execute.timeout)."
                       ).tag(config=True)
    wall_seconds = Int(300, help="Seconds one notebook may run in all.").tag(config=True)
    cpu_seconds = Int(120, help="CPU seconds one notebook may use.").tag(config=True)
    memory_mb = Int(1024, help="Memory one notebook may use (MB).").tag(config=True)
    processes = Int(64, help="Processes a learner's kernel may start.").tag(config=True)
    file_mb = Int(64, help="Largest file a learner's code may write (MB).").tag(config=True)
    disk_mb = Int(128, help="Scratch space of one sandbox (MB).").tag(config=True)
    output_kb = Int(2048, help="Output one notebook may print (KB).").tag(config=True)
    check_seconds = Int(30, help="Seconds one kit check may run.").tag(config=True)
    workers = Int(0, help="Grading processes on this machine (0: one per core)."
                  ).tag(config=True)
    db_retry_seconds = Int(60, help="Seconds a worker waits out a gradebook that is briefly "
                           "unreachable (a write lock, a server restart).").tag(config=True)


def limit_default(name: str) -> int:
    """The built-in default of one GradingLimits trait."""
    return GradingLimits.class_traits()[name].default_value


def config_lines(**values: int) -> str:
    """The GradingLimits section of a new workspace's nbgrader_config.py (``values`` override)."""
    lines = ["# Grading limits (congvu grade reads them; the CLI's --timeout/--memory-mb override)."]
    for name, trait in sorted(GradingLimits.class_traits(config=True).items()):
        lines.append(f"c.GradingLimits.{name} = {values.get(name, trait.default_value)!r}"
                     f"  # {trait.help}")
    return "\n".join(lines) + "\n"


def workspace_limits(root: Path) -> GradingLimits:
    """The limits stored in a workspace's nbgrader_config.py (defaults where it names none)."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(root) / "nbgrader_config.py"
    config = PyFileConfigLoader(path.name, str(path.parent)).load_config() if path.is_file() \
        else None
    return GradingLimits(config=config)


_LIMIT_LINE = re.compile(r"^c\.GradingLimits\.(\w+)\s*=\s*(\d+)\s*(#.*)?$")


def workspace_workers(root: Path) -> int:
    """``GradingLimits.workers`` of a workspace (0: one per core). When the file sets the limits
    only as ``congvu init`` writes them (one ``c.GradingLimits.name = 123`` line each, nothing
    else naming GradingLimits, no sub-configs), the line is read without executing the file:
    loading the config imports nbconvert and nbgrader, most of a second that the grading batch
    would spend before its workers start. Anything else: the config is loaded."""
    path = Path(root) / "nbgrader_config.py"
    if not path.is_file():
        return limit_default("workers")
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    named = [_LIMIT_LINE.match(line) for line in lines
             if "GradingLimits" in line and not line.startswith("#")]
    workers = [m for m in named if m is not None and m.group(1) == "workers"]
    if "subconfig" in text or None in named or len(workers) != 1:
        return workspace_limits(root).workers
    return int(workers[0].group(2))


def vn_now() -> dt.datetime:
    """Now in Vietnam (UTC+7), whatever the server's time zone; naive, as reports show it."""
    return dt.datetime.now(LOCAL_TZ).replace(tzinfo=None)


def vn_today() -> dt.date:
    """Today's date in Vietnam: what "overdue" and every report date are judged on."""
    return vn_now().date()


# Content-Security-Policy of the pages staff open (formgrader's JupyterLab, the Voila grading
# page and dashboard). Their own pages need inline scripts, so this cannot stop a script that
# is already in the page (engine/htmlsafe.py and escaping do that); it stops what such a script
# or injected markup would do next: load code from, or send data to, any other site, plug-ins,
# <base> hijacking, foreign forms and framing.
STAFF_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
             "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
             "font-src 'self' data:; connect-src 'self' ws: wss:; frame-src 'self' data: blob:; "
             "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
             "frame-ancestors 'self'")


def staff_csp_arg(app: str) -> str:
    """The command-line option that gives server ``app`` (ServerApp, Voila) STAFF_CSP."""
    import json

    return f"--{app}.tornado_settings=" + json.dumps({"headers": {
        "Content-Security-Policy": STAFF_CSP}})
