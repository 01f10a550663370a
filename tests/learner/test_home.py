"""The learner's home without a browser: the plan written from roster and manifest (required
for the position or optional), and each status read from the learner's own files."""
import datetime as dt
import json

import pytest

from grading.learner import home as H

MODULE = {"id": "m1", "title": "Học phần", "minutes": 30, "deadline": "2026-12-31",
          "pass_mark": 70, "required": True, "lessons": [], "notebooks": ["m1.ipynb"]}


def _feedback(home, verdict: str | None) -> None:
    folder = home / "m1" / "feedback" / "2026-11-29 03:00:00.000000 UTC"
    folder.mkdir(parents=True)
    meta = f'<meta content="{verdict}" name="congvu-verdict"/>' if verdict else ""
    (folder / "m1.html").write_text(f"<html><head>{meta}</head></html>", encoding="utf-8")


@pytest.mark.parametrize("steps, expected", [
    ([], H.NOT_STARTED), (["answers"], H.STARTED), (["answers", "submit"], H.SUBMITTED),
    (["answers", "submit", "cho_cham"], H.WAITING), (["submit", "dat"], H.PASSED),
    (["submit", "chua_dat"], H.FAILED), (["submit", None], H.WAITING)])
def test_status_follows_the_learners_own_files(tmp_path, steps, expected):
    home, cache = tmp_path / "home", tmp_path / "cache"
    (home / "m1").mkdir(parents=True)
    for step in steps:
        if step == "answers":
            (home / "m1" / "cau_tra_loi.json").write_text("{}", encoding="utf-8")
        elif step == "submit":
            (cache / "c" / "L1+m1+2026-11-29 03:04:05.123456 UTC").mkdir(parents=True)
        else:
            _feedback(home, step)
    assert H.status_of(home, MODULE, cache, "c", "L1") == expected
    assert H.LABELS[expected][0].isupper()


def test_times_and_deadlines_read_in_vietnam(tmp_path):
    (tmp_path / "c" / "L1+m1+2026-11-29 17:30:00.000000 UTC").mkdir(parents=True)
    [when] = H.submissions(tmp_path, "c", "L1", "m1")
    assert H.vn_time(when) == "00:30 ngày 30/11/2026"
    assert H.deadline_text("2026-12-31") == "31/12/2026" and H.deadline_text("") == "không có"
    assert when.tzinfo == dt.UTC


def test_profile_lists_required_and_optional_modules(new_workspace, tmp_path):
    ws = new_workspace()
    path = H.write_profile(ws, tmp_path, "L9")  # not in the roster: id as name, all required
    profile = json.loads(path.read_text(encoding="utf-8"))
    assert profile["name"] == "L9" and profile["course_id"] == ws.course_id
    [module] = profile["modules"]
    assert module["title"] == "Học phần nhỏ" and module["required"] is True
    assert module["lessons"] == ["bai_hoc/mini/bai_01.ipynb"]


def test_submit_bar_goes_into_fetched_assessments_only(tmp_path):
    import nbformat

    from grading.learner import home_submit

    home = tmp_path / "home"
    for folder in ("m1", "bai_hoc/m1", "khac"):
        (home / folder).mkdir(parents=True)
    (home / H.PROFILE).write_text(json.dumps({"modules": [MODULE]}), encoding="utf-8")
    hook = home_submit.hook(home)
    for cwd, added in [("m1", True), ("bai_hoc/m1", False), ("khac", False), ("", False),
                       ("m1/../../home/m1", True)]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Câu 1.")])
        assert (hook(None, nb, cwd) is not None) is added, cwd
        assert len(nb.cells) == 1 + added
    assert "home_submit.bar()" in nb.cells[-1].source
    done, note = H.submit_note(home, "m1")  # nothing answered yet: nothing submitted
    assert not done and "chưa trả lời" in note
