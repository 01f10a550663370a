"""The learner's home: one page, no Jupyter skills needed (Voila, `congvu hoc`).

Choice: a Voila app. Voila runs a notebook and shows only its outputs, so a lesson or an
assessment opened from the home is *rendered*: questions and answer widgets at once, no code,
nothing to run; the item widgets save every click to ``cau_tra_loi.json`` as in JupyterLab and
show the saved answer when reopened. It is Jupyter-native (same kernels, same nbgrader exchange,
same widgets) and needs no JupyterLab extension to build.

The launcher (``congvu hoc``, ``prepare``) writes the learner's plan into their home as
``ho_so.json`` — name, commune, position, the modules required for that position and the
optional ones, with Vietnamese titles, minutes, deadlines, pass marks — so the page, which runs
in the learner's own kernel, never reads the workspace (answer keys, other learners). Status per
module comes from the learner's own files: chưa làm → đang làm (answers saved) → đã nộp (nbgrader
submission cache) → chờ chấm / đạt / chưa đạt (released feedback, verdict read from it).
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

from grading.learner.answers import ANSWERS_FILE
from grading.settings import LOCAL_TZ

PROFILE = "ho_so.json"
HOME_NOTEBOOK = "trang_chu.ipynb"
NOT_STARTED, STARTED, SUBMITTED, WAITING, PASSED, FAILED = (
    "chua_lam", "dang_lam", "da_nop", "cho_cham", "dat", "chua_dat")
LABELS = {NOT_STARTED: "Chưa làm", STARTED: "Đang làm", SUBMITTED: "Đã nộp",
          WAITING: "Chờ chấm", PASSED: "Đạt", FAILED: "Chưa đạt"}
COLORS = {NOT_STARTED: "#555", STARTED: "#1d4f91", SUBMITTED: "#6a3d9a", WAITING: "#7a4a00",
          PASSED: "#1e6b34", FAILED: "#8a1f11"}
_VERDICT = re.compile(r'<meta (?=[^>]*name="congvu-verdict")[^>]*content="(\w+)"')


# --------------------------------------------------------------------------- launcher side
def write_profile(ws, home: Path, learner: str) -> Path:
    """Write ``home/ho_so.json`` from the roster and the manifest (run by the launcher)."""
    from grading import columns as C
    from grading.roster import importer

    people = importer.load(ws.root)
    me = people[people[C.LEARNER] == learner]
    row = me.iloc[0].to_dict() if len(me) else {}
    position = row.get(C.POSITION, "")
    from grading.course import retakes
    from grading.learner.variants import attempt_name

    opened = retakes.allowed(ws.root)  # retakes opened for this learner: the latest counts
    opened = opened[opened[C.LEARNER].astype(str) == str(learner)]
    latest = opened.groupby(C.MODULE)[retakes.ATTEMPT].max().to_dict()
    modules = []
    for m in ws.manifest.modules:
        attempt = int(latest.get(m.id, 1))
        assignment = attempt_name(m.id, attempt)  # the nbgrader assignment to fetch and submit
        lessons = [str(Path("bai_hoc") / Path(p).relative_to("courses"))
                   if Path(p).parts[0] == "courses" else str(Path("bai_hoc") / Path(p).name)
                   for p in m.lessons]
        notebooks = sorted(p.name for p in (ws.root / "release" / assignment).glob("*.ipynb"))
        modules.append({"id": m.id, "assignment": assignment, "attempt": attempt,
                        "title": m.title.get("vi"), "minutes": m.minutes,
                        "deadline": m.deadline.isoformat() if m.deadline else "",
                        "pass_mark": m.pass_mark, "required": m.required(position),
                        "lessons": lessons, "notebooks": notebooks})
    profile = {"learner": learner, "name": row.get(C.NAME, "") or learner,
               "ward": row.get(C.WARD_NAME, ""), "position": position,
               "course": ws.manifest.title.get("vi"), "course_id": ws.course_id,
               "modules": modules}
    path = home / PROFILE
    path.write_text(json.dumps(profile, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


HOME_SOURCE = """# Trang chủ của học viên (Voila): `congvu hoc`. Không cần sửa ô này.
from grading.learner import home_page

home_page.app()
"""
REPO = Path(__file__).resolve().parents[2]
VOILA_TEMPLATES = REPO / "dashboard" / "share"  # the "congvu" Voila template (no CDN requests)
NOT_IN_VOILA = ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension",
                "@voila-dashboards/jupyterlab-preview"]


def prepare(*, workspace, learner: str | None = None, home: str | Path | None = None,
            port: int = 8869, ip: str = "127.0.0.1") -> tuple[list[str], dict[str, str], str]:
    """Set up the learner's home (lessons, nbgrader config, ``ho_so.json``, the home notebook);
    return (argv, environment, url) of the Voila server that shows it."""
    import getpass
    import os
    import sys

    import nbformat

    from grading.course.workspace import Workspace, open_workspace
    from grading.learner import lab

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    learner = lab._check_learner(learner or getpass.getuser())
    home = Path(home or ws.root / "hoc_vien" / learner).resolve()
    home.mkdir(parents=True, exist_ok=True)
    lab.copy_lessons(ws, home)
    conf = lab.write_config(ws, home, learner)
    write_profile(ws, home, learner)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(HOME_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(home / HOME_NOTEBOOK))
    (conf / "voila.py").write_text(  # the "Nộp bài" bar inside rendered assessments
        "# Written by `congvu hoc` (grading/learner/home.py) at each launch.\n"
        "from grading.learner import home_submit\n\n"
        f"c.VoilaConfiguration.prelaunch_hook = home_submit.hook({str(home)!r})  # noqa: F821\n",
        encoding="utf-8")
    voila = str(Path(sys.executable).parent / "voila")
    argv = [voila, str(home), f"--port={port}", f"--Voila.ip={ip}", "--no-browser",
            "--template=congvu", "--theme=light",
            *(f"--VoilaConfiguration.extension_denylist={n}" for n in NOT_IN_VOILA)]
    paths = [str(VOILA_TEMPLATES), *filter(None, os.environ.get("JUPYTER_PATH", "").split(
        os.pathsep))]
    env = {"JUPYTER_CONFIG_DIR": str(conf), "JUPYTER_PATH": os.pathsep.join(paths),
           "JUPYTER_RUNTIME_DIR": str(conf / "runtime"),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    return argv, env, f"http://{ip}:{port}/voila/render/{HOME_NOTEBOOK}"


# --------------------------------------------------------------------------- learner side
def deadline_text(iso: str) -> str:
    """"2026-12-31" → "31/12/2026" (the deadline is a day, in Vietnam time)."""
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "không có"


def vn_time(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y")


def submissions(cache: Path, course_id: str, learner: str, module: str) -> list[dt.datetime]:
    """The learner's own submissions of ``module`` (nbgrader's submission cache), oldest first."""
    found = []
    for path in (cache / course_id).glob(f"{learner}+{module}+*"):
        stamp = path.name.split("+", 2)[2]
        try:
            found.append(dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f %Z")
                         .replace(tzinfo=dt.UTC))
        except ValueError:
            continue
    return sorted(found)


def feedback_files(home: Path, module: str) -> list[Path]:
    """Fetched feedback pages of ``module``, newest submission last."""
    return sorted((home / module / "feedback").glob("*/*.html"))


def assignment_of(module: dict) -> str:
    """The nbgrader assignment of the learner's current attempt of ``module``."""
    return module.get("assignment") or module["id"]


def status_of(home: Path, module: dict, cache: Path, course_id: str, learner: str) -> str:
    """One module's status for the learner, from their own files only (of the attempt the
    learner is on: a retake opened by the trainer is ``<module>__lanN``)."""
    mid = assignment_of(module)
    pages = feedback_files(home, mid)
    if pages:
        found = _VERDICT.search(pages[-1].read_text(encoding="utf-8", errors="replace"))
        return {"dat": PASSED, "chua_dat": FAILED}.get(found.group(1) if found else "", WAITING)
    if submissions(cache, course_id, learner, mid):
        return SUBMITTED
    if (home / mid / ANSWERS_FILE).exists():
        return STARTED
    return NOT_STARTED


def exchange_config(home: Path):
    """The learner's nbgrader configuration (exchange root, cache, submit class)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(home / ".jupyter")).load_config()


def _exchange(home: Path, module: str, kind: str):
    """Run one of nbgrader's exchange steps for the learner (fetch, submit, feedback)."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    cfg = exchange_config(home)
    coursedir = CourseDirectory(config=cfg)
    coursedir.assignment_id = module
    steps = ExchangeFactory(config=cfg)  # the configured classes (the hub's private submit)
    step = {"fetch": steps.fetch_assignment, "submit": steps.submit,
            "feedback": steps.fetch_feedback}[kind]
    step(coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg).start()
    return cfg


def fetch(home: Path, module: str) -> Path:
    if not (home / module).is_dir():
        _exchange(home, module, "fetch")
    return home / module


def submit(home: Path, module: str) -> dt.datetime:
    """Submit through nbgrader's exchange; return the time of the submission."""
    cfg = _exchange(home, module, "submit")
    cache = Path(cfg.Exchange.cache)
    profile = load_profile(home)
    return submissions(cache, profile["course_id"], profile["learner"], module)[-1]


def submit_note(home: Path, module: str) -> tuple[bool, str]:
    """Submit ``module`` if the learner answered something; (submitted, HTML note to show).
    Used by the home's cards and by the bar inside the rendered assessment (home_submit)."""
    from nbgrader.exchange.abc.exchange import ExchangeError

    if not (home / module / ANSWERS_FILE).exists():
        return False, "⚠ Anh/chị chưa trả lời câu nào: hãy làm bài trước khi nộp."
    try:
        when = submit(home, module)
    except (ExchangeError, OSError, IndexError) as exc:
        return False, ("⚠ Chưa nộp được bài: " + html.escape(str(exc) or type(exc).__name__)
                       + ". Hãy báo giảng viên; câu trả lời vẫn được lưu.")
    return True, (f'<b role="status">✔ Đã nộp bài lúc {vn_time(when)}.</b> '
                  "Có thể nộp lại trước hạn; giảng viên chấm bài nộp sau cùng.")


def fetch_feedback(home: Path, module: str) -> list[Path]:
    from nbgrader.exchange.abc.exchange import ExchangeError

    try:
        _exchange(home, module, "feedback")
    except ExchangeError:  # nothing released yet
        pass
    return feedback_files(home, module)


def load_profile(home: Path) -> dict:
    return json.loads((home / PROFILE).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the page
FONT = '"Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif'  # full Vietnamese coverage
CSS = f"""<style>
.cv-home, .cv-home button, .cv-home .widget-html-content {{ font-family: {FONT}; }}
.cv-home {{ max-width: 60em; font-size: 16px; }}
.cv-card {{ border: 1px solid #ccd; border-radius: 6px; padding: .5em .8em; margin: .5em 0; }}
.cv-card h3 {{ margin: .2em 0; font-size: 1.15em; }}
.cv-badge {{ color: #fff; border-radius: 1em; padding: .1em .7em; font-size: .9em; }}
.cv-home a.cv-open {{ display: inline-block; padding: .4em .9em; margin: .2em .4em .2em 0;
  border: 1px solid #1d4f91; border-radius: 4px; color: #1d4f91; text-decoration: none; }}
.cv-home a.cv-open:focus, .cv-home a.cv-open:hover {{ background: #e8f0fb; outline: 2px solid #1d4f91; }}
</style>"""
