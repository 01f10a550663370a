"""Course content is tested by running it: lessons execute cleanly; solutions score full
marks and blank releases score zero through real nbgrader; sources are clean NFC files."""
import re
import shutil
import unicodedata
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from nbclient import NotebookClient

from grading import columns as C
from grading.course import assessment, gradebook
from grading.course import exchange as learners
from grading.course import manifest as mf
from grading.engine import batch as autograde

MANIFEST = mf.load(REPO / "course.yml")
LESSONS = [lesson for m in MANIFEST.modules for lesson in m.lessons]
NOTEBOOKS = sorted(p.relative_to(REPO).as_posix() for folder in ("courses", "assessments")
                   for p in (REPO / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def problems_in_outputs(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                found.append(f"cell {i}: stderr: {out.text[:200]}")
    return found


@pytest.mark.kernel
@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_executes_without_errors_or_warnings(lesson, tmp_path):
    src = REPO / lesson
    shutil.copy(src, tmp_path / src.name)
    nb = nbformat.read(str(tmp_path / src.name), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert problems_in_outputs(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_sources_are_clean_nfc_without_outputs(path):
    text = (REPO / path).read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_manifest_and_files_agree():
    named = set(LESSONS) | {p.relative_to(REPO).as_posix() for m in MANIFEST.modules
                            for p in assessment.source_notebooks(REPO / m.assessment)}
    assert named == set(NOTEBOOKS)
    for module in MANIFEST.modules:
        assert Path(module.assessment).name == module.id  # folder = nbgrader assignment name


@pytest.mark.parametrize("module", MANIFEST.modules, ids=lambda m: m.id)
def test_assessment_shape(module):
    for nb_path in assessment.source_notebooks(REPO / module.assessment):
        calls = assessment.solution_calls(nb_path)
        free = assessment.free_text_items(nb_path)
        assert len(calls) >= 6, "at least 6 autograded items"
        assert len(free) >= 1, "at least 1 free-text item graded by hand"
        nb = nbformat.read(str(nb_path), as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
        assert len(ids) == len(set(ids))
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code":
                assert "### BEGIN HIDDEN TESTS" in cell.source  # keys never in the release


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """Every module of the real course: one learner submits the key, one submits blank."""
    from grading.course import workspace as W

    tmp = tmp_path_factory.mktemp("content")
    ws = W.init(directory=tmp / "ws", manifest_path=REPO / "course.yml")
    W.release(ws)
    for module in MANIFEST.modules:
        sources = assessment.source_notebooks(ws.root / "source" / module.id)
        for learner in ("solution", "blank"):
            folder = learners.fetch(ws, tmp / learner, module.id, learner)
            if learner == "solution":
                for nb_path in sources:
                    assessment.write_solution(nb_path, folder)
                    learners.answer(folder, {k: "Câu trả lời mẫu."
                                             for k in assessment.free_text_items(nb_path)})
            learners.submit(ws, tmp / learner, module.id, learner)
        autograde.collect(ws, module.id)
        status = autograde.grade(workspace=ws, assignment=module.id, progress=False)
        assert (status[C.STATUS] == "graded").all(), status.to_dict("records")
    return ws


@pytest.mark.kernel
@pytest.mark.parametrize("module", MANIFEST.modules, ids=lambda m: m.id)
def test_solution_full_marks_blank_zero(graded_course, module):
    grades = gradebook.read_grades(graded_course.db_url)
    items = gradebook.read_items(graded_course.db_url)
    auto = items[(items[C.MODULE] == module.id) & (items["kind"] == "auto")]
    mine = grades[grades[C.MODULE] == module.id].merge(auto[[C.ITEM]], on=C.ITEM)
    per = mine.groupby(C.LEARNER)[C.SCORE].sum()
    assert per["solution"] == auto[C.MAX_SCORE].sum() > 0
    assert per["blank"] == 0
    manual = grades[(grades[C.MODULE] == module.id) & grades[C.NEEDS_MANUAL]]
    assert set(manual[C.LEARNER]) == {"solution", "blank"}  # free text waits for the trainer


DOCUMENT = re.compile(r"(Luật|Nghị định|Thông tư|Quyết định|Nghị quyết|Bộ luật)")
NUMBER = re.compile(r"\d+/\d{4}/[A-ZĐ0-9][A-ZĐ0-9-]*")
DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_reference_has_a_number_and_a_date(lesson):
    nb = nbformat.read(str(REPO / lesson), as_version=4)
    sections = [c.source for c in nb.cells
                if c.cell_type == "markdown" and "Tài liệu tham khảo" in c.source]
    assert sections, "each lesson ends with 'Tài liệu tham khảo'"
    body = sections[-1].split("Tài liệu tham khảo", 1)[1]
    entries = [line for line in body.splitlines() if re.match(r"\s*(\d+\.|[-*])\s", line)]
    legal = [line for line in entries if DOCUMENT.search(line)]
    assert legal, "at least one legal document is cited"
    for line in legal:
        assert NUMBER.search(line) and DATE.search(line), line
