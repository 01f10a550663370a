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

Size: the one surface of every command (some thirty thin functions, each a call into a room and
the checks a command needs before it starts); split, a trainer would look in several places.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.course import ledger
from grading.course import workspace as W
from grading.course.workspace import Workspace
from grading.errors import GradingError, WorkspaceError, problem

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "course.yml"


def _ws(workspace: Workspace | str | Path) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else W.open_workspace(workspace)


def default_manifest() -> Path:
    """course.yml in the current folder, else the one shipped beside the package."""
    here = Path("course.yml")
    return here if here.is_file() else DEFAULT_MANIFEST


def init_workspace(*, directory: str | Path, manifest: str | Path | None = None,
                   force: bool = False, db_url: str | None = None,
                   exchange: str | Path | None = None) -> Workspace:
    """Create a standard nbgrader course directory from the course manifest."""
    return W.init(directory=directory, manifest_path=manifest or default_manifest(),
                  force=force, db_url=db_url, exchange=exchange)


def open_workspace(*, directory: str | Path) -> Workspace:
    return W.open_workspace(directory)


def import_roster(*, workspace: Workspace | str | Path, file: str | Path,
                  units: str | Path | None = None, add_only: bool = False,
                  sheet: str | None = None, yes: bool = False):
    """Import officials from an HR file (CSV/xlsx); all or nothing. Returns the ImportResult.
    ``sheet``: read only that sheet; ``yes``: confirm marking many officials as leavers."""
    from grading.roster import importer

    ws = _ws(workspace)
    return importer.import_roster(workspace=ws.root, file=Path(file), db_url=ws.db_url,
                                  course_id=ws.course_id,
                                  units_file=Path(units) if units else None, add_only=add_only,
                                  sheet=sheet, positions=ws.manifest.positions, yes=yes)


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
    from grading.engine import batch

    ws = _ws(workspace)
    ws.manifest.module(module)
    if collect:
        _require_released(ws, module)
    return batch.grade(workspace=ws, assignment=module, jobs=jobs, learners=learners,
                       force=force, scheduler=scheduler, sandbox=sandbox, progress=progress,
                       collect_first=collect,
                       overrides={"wall_seconds": timeout or None, "memory_mb": memory_mb or None})


def status(*, workspace: Workspace | str | Path, module: str | None = None) -> pd.DataFrame:
    """Latest grading status per (learner, module), from the grading log."""
    ws = _ws(workspace)
    if module:
        ws.manifest.module(module)
    return _with_awaiting(ws, ledger.statuses(ws.root, module))


def _with_awaiting(ws: Workspace, status: pd.DataFrame) -> pd.DataFrame:
    """Statuses with ``awaiting_grading``: graded automatically, free text still waiting for
    the trainer (chờ chấm), so no view shows such a submission as finished or failed."""
    from grading import columns as C
    from grading.course import gradebook

    if status.empty:
        return status.assign(**{C.AWAITING: pd.Series(dtype=bool)})
    scores = gradebook.read_module_scores(ws.db_url)
    waiting = scores.loc[scores[C.NEEDS_MANUAL] > 0, [C.LEARNER, C.MODULE]].astype(str)
    keys = set(zip(waiting[C.LEARNER], waiting[C.MODULE]))
    return status.assign(**{C.AWAITING: [(str(a), str(b)) in keys for a, b in
                                         zip(status[C.LEARNER], status[C.MODULE])]})


def report_tables(*, workspace: Workspace | str | Path, lang: str = "vi",
                  as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Every report table (per ward, module, position, learners, …) as tidy frames."""
    from grading.report import tables

    ws = _ws(workspace)
    _require_roster(ws)
    return tables.build_tables(ws, lang, as_of=as_of)


def write_report(*, workspace: Workspace | str | Path, out: str | Path, lang: str = "vi",
                 wards: list[str] | None = None, split_by_ward: bool = False,
                 as_of: dt.date | None = None, docx: bool = False) -> dict:
    """Write report.xlsx, report.html and the CSV files (see report/wards.py for the result)."""
    from grading.report.wards import report_command

    ws = _ws(workspace)
    _require_roster(ws)
    _writable_folder(Path(out))
    return report_command(ws, Path(out), lang=lang, wards=wards,
                          split=split_by_ward, as_of=as_of, docx=docx)


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
    if not any((ws.root / "autograded").glob(f"*/{module}")):
        raise GradingError(problem(f"học phần {module} chưa có bài nào được chấm",
                                   f"thu và chấm bài trước: congvu grade {ws.root} {module} "
                                   "--collect", file=str(ws.root),
                                   message_en=f"nothing of {module} is graded yet",
                                   fix_en=f"collect and grade first: congvu grade {ws.root} "
                                          f"{module} --collect"))
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


def merge_report(*, workspaces: list[str | Path], out: str | Path, lang: str = "vi",
                 as_of: dt.date | None = None) -> dict:
    """National roll-up: ``workspaces`` as ``NAME=PATH``, ``PATH`` or a file listing them;
    writes one report with per-province views (see report/national.py for the result)."""
    from grading.report import national

    return national.merge_command(national.parse_sources(workspaces), Path(out), lang=lang,
                                  as_of=as_of)


def migrate(*, workspace: Workspace | str | Path) -> dict:
    """Bring an existing workspace up to the kit's current safeguards: the kit's indexes and
    score table on the gradebook (SQLite or PostgreSQL), and every autograded notebook made
    safe to render (engine/htmlsafe.py: notebooks graded before that step existed).
    Idempotent. Returns ``{"indexes": names created (indexes, score table), "notebooks": read,
    "made_safe": rewritten}``."""
    from grading.course import migrate as mig
    from grading.engine import htmlsafe

    ws = _ws(workspace)
    made = mig.upgrade(ws.db_url)
    seen, rewritten = htmlsafe.resanitize(ws.root, ws.db_url)
    return {"indexes": made, "notebooks": seen, "made_safe": rewritten}


def _require_roster(ws: Workspace) -> None:
    """Reports need the gradebook and the officials: refuse (with the fix) before writing
    empty files. A database that is down is named first (it is the cause of everything else)."""
    from grading.course import dbcheck
    from grading.roster.importer import ROSTER_FILE

    dbcheck.check(ws.db_url)
    if not (ws.root / ROSTER_FILE).is_file():
        raise WorkspaceError(problem(
            "chưa có danh sách cán bộ, nên chưa lập được báo cáo",
            f"nhập danh sách trước: congvu roster import {ws.root} danh_sach.xlsx",
            file=str(ws.root / ROSTER_FILE), message_en="no roster yet, so no report",
            fix_en=f"import the roster first: congvu roster import {ws.root} roster.xlsx"))


def _writable_folder(out: Path) -> None:
    """The report folder: created if needed; an existing file or a folder that cannot be
    written is refused before any work."""
    import os

    fix, fix_en = "chọn thư mục khác với --out", "choose another folder with --out"
    if out.exists() and not out.is_dir():
        raise WorkspaceError(problem("đã có một tệp trùng tên với thư mục báo cáo", fix,
                                     file=str(out), message_en="a file of that name exists",
                                     fix_en=fix_en))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(problem(f"không tạo được thư mục báo cáo ({exc.strerror})", fix,
                                     file=str(out), message_en=f"cannot create the report "
                                     f"folder ({exc.strerror})", fix_en=fix_en))
    if not os.access(out, os.W_OK | os.X_OK):
        raise WorkspaceError(problem("không có quyền ghi vào thư mục báo cáo", fix,
                                     file=str(out), message_en="the report folder is not "
                                     "writable", fix_en=fix_en))


def _require_released(ws: Workspace, module: str) -> None:
    """Collecting needs the module on the exchange (congvu release) first."""
    outbound = Path(ws.config().Exchange.root) / ws.course_id / "outbound" / module
    if not outbound.is_dir():
        raise GradingError(problem(
            f"học phần {module} chưa được phát cho học viên nên chưa có bài để thu",
            f"phát bài trước: congvu release {ws.root} {module}", file=str(ws.root),
            message_en=f"{module} has not been released, so there is nothing to collect",
            fix_en=f"release it first: congvu release {ws.root} {module}"))


def certificates(*, workspace: Workspace | str | Path, out: str | Path,
                 wards: list[str] | None = None, lang: str = "vi",
                 today: dt.date | None = None) -> dict:
    """PDF certificates of every official who completed a track (see report/certificates.py)."""
    from grading.report.certificates import write_certificates

    return write_certificates(_ws(workspace), out, wards=wards, lang=lang, today=today)


def verify_certificate(*, workspace: Workspace | str | Path, code: str) -> dict:
    """The certificate a verification code belongs to, with ``valid`` checked by the key."""
    from grading.report.certificates import verify

    return verify(_ws(workspace), code)


def open_retake(*, workspace: Workspace | str | Path, module: str,
                today: dt.date | None = None) -> pd.DataFrame:
    """Open the next attempt of ``module`` for learners who may retake it (report/attempts.py)."""
    from grading.report.retake import open_retake as run

    return run(_ws(workspace), module, today=today)

def grading_page(*, workspace: Workspace | str | Path, port: int = 8867, ip: str = "127.0.0.1",
                 who: str | None = None) -> tuple[list[str], dict[str, str]]:
    """(argv, extra environment) that serve the trainer's grading page (Voila) over ``workspace``."""
    from grading.report.dashboard import REPO, serve_command

    ws = _ws(workspace)
    argv, env = serve_command(ws.root, port=port, ip=ip,
                              notebook=REPO / "dashboard" / "cham_tay.ipynb")
    return argv, {**env, "CONGVU_GRADER": who or ""}


def hand_grade(*, workspace: Workspace | str | Path, module: str, item: str, learner: str,
               points: float | None, comment: str | None = None, who: str | None = None) -> bool:
    """Record one hand grade as formgrader does (audited); True if something changed."""
    from grading.course import manual

    return manual.set_grade(_ws(workspace), module, item, learner, points=points,
                            comment=comment, who=who)


def formgrader(*, workspace: Workspace | str | Path, port: int = 8868,
               ip: str = "127.0.0.1") -> tuple[list[str], str, Path]:
    """(argv, url, folder to run it in) of a JupyterLab serving nbgrader's formgrader for
    ``workspace`` (nbgrader 0.9 has no ``nbgrader formgrader`` command: it lives in JupyterLab,
    and reads nbgrader_config.py from the folder it is started in)."""
    import secrets
    import sys

    from grading.settings import staff_csp_arg

    ws = _ws(workspace)
    token = secrets.token_hex(16)
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={ws.root}",
            f"--ServerApp.ip={ip}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
            staff_csp_arg("ServerApp")]  # learner work is viewed here
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")
    # through /login: the token sets the login cookie that formgrader's own API calls need
    return argv, f"http://{ip}:{port}/login?next=%2Fformgrader&token={token}", ws.root


def learner_home(*, workspace: Workspace | str | Path, learner: str | None = None,
                 home: str | Path | None = None, port: int = 8869):
    """(argv, extra environment, url) of the learner's home page (Voila) on ``workspace``."""
    from grading.learner import home as learner_home_page

    return learner_home_page.prepare(workspace=_ws(workspace), learner=learner, home=home,
                                     port=port)


def doctor(*, workspace: Workspace | str | Path, fix: bool = False) -> list:
    """Paths of the workspace and its exchange with modes that expose keys, grades or other
    learners' work (``permissions.check``); ``fix`` sets them first. [] when all is well."""
    from grading.course import permissions

    ws = _ws(workspace)
    if fix:
        permissions.fix(ws.root, ws.exchange, ws.course_id)
    return permissions.check(ws.root, ws.exchange, ws.course_id)


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
