"""The trainer's Python surface of the kit: keyword-only functions that return values.

Nothing here prints: the CLI (``grading/cli.py``) is the only printer, and every command it
offers is one call below. A notebook or another program uses the same calls::

    from grading import api
    ws = api.init_workspace(directory="khoa_hoc")
    api.import_roster(workspace=ws, file="ds.xlsx")
    api.release(workspace=ws)
    api.grade(workspace=ws, module="cntt_antt", collect=True)
    api.write_report(workspace=ws, out="bao_cao")

``workspace`` accepts an open ``Workspace`` or its folder. Errors are ``grading.errors.KitError``
with a Vietnamese message naming the fix.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.course import ledger
from grading.course import workspace as W
from grading.course.workspace import Workspace
from grading.errors import GradingError, problem

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "course.yml"


def _ws(workspace: Workspace | str | Path) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else W.open_workspace(workspace)


def default_manifest() -> Path:
    """course.yml in the current folder, else the one shipped beside the package."""
    here = Path("course.yml")
    return here if here.is_file() else DEFAULT_MANIFEST


def init_workspace(*, directory: str | Path, manifest: str | Path | None = None,
                   force: bool = False, db_url: str | None = None) -> Workspace:
    """Create a standard nbgrader course directory from the course manifest."""
    return W.init(directory=directory, manifest_path=manifest or default_manifest(),
                  force=force, db_url=db_url)


def open_workspace(*, directory: str | Path) -> Workspace:
    return W.open_workspace(directory)


def import_roster(*, workspace: Workspace | str | Path, file: str | Path,
                  units: str | Path | None = None, add_only: bool = False):
    """Import officials from an HR file (CSV/xlsx); all or nothing. Returns the ImportResult."""
    from grading.roster import importer

    ws = _ws(workspace)
    return importer.import_roster(workspace=ws.root, file=Path(file), db_url=ws.db_url,
                                  course_id=ws.course_id,
                                  units_file=Path(units) if units else None, add_only=add_only)


def release(*, workspace: Workspace | str | Path, modules: list[str] | None = None) -> list[str]:
    """Generate and release assignments to the exchange; returns the module ids released."""
    return W.release(_ws(workspace), modules or None)


def collect(*, workspace: Workspace | str | Path, module: str) -> None:
    """Copy the latest submissions of ``module`` from the exchange into submitted/."""
    from grading.engine import batch

    batch.collect(_ws(workspace), module)


def grade(*, workspace: Workspace | str | Path, module: str, collect: bool = False,
          jobs: int | None = None, learners: list[str] | None = None, force: bool = False,
          scheduler: str | None = None, sandbox: bool | None = None,
          timeout: int | None = None, memory_mb: int | None = None,
          progress: bool = True) -> pd.DataFrame:
    """Autograde every submission of ``module``; one status row per learner.

    Limits come from the workspace's configuration (``c.GradingLimits``); ``timeout`` and
    ``memory_mb`` override them for this batch.
    """
    from grading import settings
    from grading.engine import batch
    from grading.engine.sandbox import Limits

    ws = _ws(workspace)
    if collect:
        batch.collect(ws, module)
    limits = Limits.of(settings.workspace_limits(ws.root))
    limits.wall_seconds = timeout or limits.wall_seconds
    limits.memory_mb = memory_mb or limits.memory_mb
    return batch.grade(workspace=ws, assignment=module, jobs=jobs, learners=learners,
                       force=force, scheduler=scheduler, sandbox=sandbox, limits=limits,
                       progress=progress)


def status(*, workspace: Workspace | str | Path, module: str | None = None) -> pd.DataFrame:
    """Latest grading status per (learner, module), from the grading log."""
    ws = _ws(workspace)
    if module:
        ws.manifest.module(module)
    return ledger.statuses(ws.root, module)


def report_tables(*, workspace: Workspace | str | Path, lang: str = "vi",
                  as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Every report table (per ward, module, position, learners, …) as tidy frames."""
    from grading.report import tables

    return tables.build_tables(_ws(workspace), lang, as_of=as_of)


def write_report(*, workspace: Workspace | str | Path, out: str | Path, lang: str = "vi",
                 wards: list[str] | None = None, split_by_ward: bool = False,
                 as_of: dt.date | None = None) -> dict:
    """Write report.xlsx, report.html and the CSV files (see report/wards.py for the result)."""
    from grading.report.wards import report_command

    return report_command(_ws(workspace), Path(out), lang=lang, wards=wards,
                          split=split_by_ward, as_of=as_of)


def format_table(*, frame: pd.DataFrame, lang: str = "vi",
                 module_titles: dict[str, str] | None = None) -> str:
    """A report table as plain text with display headers and formats (for a terminal)."""
    from grading.report.write import format_table as fmt

    return fmt(frame, lang=lang, module_titles=module_titles)


def feedback(*, workspace: Workspace | str | Path, module: str,
             release: bool = True) -> list[str]:
    """Generate (and release to the exchange) feedback for every graded learner of ``module``.

    Returns the learner ids whose feedback was generated.
    """
    ws = _ws(workspace)
    ws.manifest.module(module)
    nb_api = ws.api()
    result = nb_api.generate_feedback(module, force=True)
    if not result["success"]:
        raise GradingError(problem(f"nbgrader không tạo được phản hồi cho {module}",
                                   "chấm bài trước (congvu grade), rồi chạy lại",
                                   message_en=f"nbgrader could not generate feedback for {module}",
                                   fix_en="grade first (congvu grade), then run again"),
                           detail=result.get("log", "") + result.get("error", ""))
    if release:
        result = nb_api.release_feedback(module)
        if not result["success"]:
            raise GradingError(problem(f"nbgrader không phát được phản hồi của {module}",
                                       "kiểm tra thư mục exchange",
                                       message_en=f"nbgrader could not release feedback "
                                                  f"for {module}",
                                       fix_en="check the exchange folder"),
                               detail=result.get("log", "") + result.get("error", ""))
    folder = ws.root / "feedback"
    return sorted(p.parent.name for p in folder.glob(f"*/{module}") if p.is_dir())


def lab(*, workspace: Workspace | str | Path, learner: str | None = None,
        home: str | Path | None = None, port: int = 8888, open_browser: bool = True):
    """Everything a learner's JupyterLab launch needs (``Lab``: argv, env, url, home)."""
    from grading.learner import lab as learner_lab

    return learner_lab.prepare(workspace=workspace if not isinstance(workspace, Workspace)
                               else workspace.root, learner=learner, home=home, port=port,
                               open_browser=open_browser)


def dashboard(*, workspace: Workspace | str | Path, port: int = 8866,
              ip: str = "127.0.0.1") -> tuple[list[str], dict[str, str]]:
    """(argv, extra environment) that serve HR's Voila dashboard over ``workspace``."""
    from grading.report.dashboard import serve_command

    ws = _ws(workspace)  # a clear error before Voila starts
    return serve_command(ws.root, port=port, ip=ip)


def demo(*, out: str | Path, manifest: str | Path | None = None, jobs: int | None = None,
         say: Callable[[str], None] | None = None) -> dict:
    """Run the whole synthetic demo into ``out``; returns the report paths and per-ward table."""
    from grading import demo as demo_run

    kwargs = {"say": say} if say else {}
    return demo_run.run(out=Path(out), manifest_path=Path(manifest or default_manifest()),
                        jobs=jobs, **kwargs)


def hub_sync(*, workspace: Workspace | str | Path, staff: str | Path | None = None,
             url: str = "http://127.0.0.1:8000/", reissue: list[str] | tuple[str, ...] = (),
             os_accounts: bool = True) -> dict:
    """Hub accounts from the roster (+ staff file): users.json, OS accounts (root), leavers
    locked, workspace closed but for the exchange, first-login sheet for the new codes."""
    from grading.course import hub, hub_os, hub_sheet
    from grading.roster import importer

    ws = _ws(workspace)
    roster = importer.load(ws.root)
    kept = ws.root / hub.STAFF  # the last staff file given: staff stay without --staff
    staff_frame = hub.read_staff(Path(staff) if staff else kept) if staff or kept.exists() else None
    planned = hub.plan_accounts(roster, staff_frame)
    accounts, codes = hub.merge(hub.load_state(ws.root), planned,
                                frozenset(hub.username_for(r) for r in reissue))
    created = []
    if os_accounts:
        hub_os.require_root()
        for acc in accounts:
            if acc.active and hub_os.ensure_user(acc.username) == "created":
                created.append(acc.username)
            elif not acc.active:
                hub_os.disable_user(acc.username)
        cfg = ws.config()
        exchange = cfg.Exchange.root if "root" in cfg.Exchange else str(ws.root / "exchange")
        hub_os.protect_workspace(ws.root, Path(exchange))
    state = hub.save_state(ws.root, accounts)
    if staff:
        staff_frame.to_csv(kept, index=False, encoding="utf-8")
        kept.chmod(0o600)
    positions = dict(zip(roster[C.LEARNER], roster[C.POSITION])) if len(roster) else {}
    sheet = hub_sheet.write_sheet(ws.root / hub.SHEET, accounts, codes, url=url,
                                  positions=positions)
    return {"active": sum(a.active for a in accounts), "disabled": sum(not a.active for a in accounts),
            "created": created, "new_codes": len(codes), "codes": codes, "sheet": sheet,
            "state": state}
