"""Content stays current and teaches: no repealed law presented as current, every graded item
explains its key, every legal reference states whether it is in force, several item types per
module. Static reads of the sources (no kernel): fast."""
import ast
import re

import nbformat
import pytest
from conftest import REPO

from grading.course import assessment
from grading.course import manifest as mf

MANIFEST = mf.load(REPO / "course.yml")
REPEALED = ("22/2008/QH12", "52/2019/QH14")
# A sentence naming a repealed law must say it is history.
HISTORICAL = re.compile(r"trước ngày 1/7/2025|hết hiệu lực|thay thế|thay cho|lịch sử", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n|\|")
ITEM_CHECKS = {"score", "score_number", "score_text"}
# "chưa xác nhận…": the status was searched for and could not be confirmed, said plainly.
STATUS = re.compile(r"đang có hiệu lực|hết hiệu lực|được thay thế|bị bãi bỏ|"
                    r"chưa xác nhận được tình trạng hiệu lực", re.I)
DOCUMENT = re.compile(r"(Luật|Nghị định|Thông tư|Quyết định|Nghị quyết|Bộ luật)")
WIDGETS = re.compile(r"\bcv\.(single_choice|multiple_choice|true_false|numeric|short_text|"
                     r"free_text)\(")


def _texts():
    for folder in ("courses", "assessments"):
        for path in sorted((REPO / folder).rglob("*.ipynb")):
            nb = nbformat.read(str(path), as_version=4)
            yield path.relative_to(REPO).as_posix(), "\n".join(c.source for c in nb.cells)
    yield "course.yml", (REPO / "course.yml").read_text(encoding="utf-8")


def presented_as_current(text: str) -> list[str]:
    """Sentences that cite a repealed law without saying it is history."""
    return [s.strip() for s in SENTENCE_END.split(text)
            if any(r in s for r in REPEALED) and not HISTORICAL.search(s)]


def test_presented_as_current_finds_a_bare_citation():
    assert presented_as_current("Theo Luật số 22/2008/QH12 (Điều 18), công chức không được…")
    assert not presented_as_current("Trước ngày 1/7/2025 áp dụng Luật số 22/2008/QH12.")


@pytest.mark.parametrize("name,text", list(_texts()), ids=lambda v: v if "/" in v else None)
def test_no_repealed_law_presented_as_current(name, text):
    assert presented_as_current(text) == []


@pytest.mark.parametrize("module", MANIFEST.modules, ids=lambda m: m.id)
def test_every_graded_item_explains_its_key(module):
    for nb_path in assessment.source_notebooks(REPO / module.assessment):
        calls = [c for c in assessment.solution_calls(nb_path) if c[0] in ITEM_CHECKS]
        assert calls
        bare = [args[0] for _, args, kwargs in calls
                if len(kwargs.get("explanation", "").split()) < 12]
        for _, args, kwargs in (c for c in assessment.solution_calls(nb_path)
                                if c[0] == "score_pool"):  # each item of a pool explains its own key
            notes = kwargs.get("explanation", "")
            bare += [i for i in args[3] if len(
                (notes.get(i, "") if isinstance(notes, dict) else notes).split()) < 12]
        assert bare == [], "items without an explanation (at least 12 words)"


@pytest.mark.parametrize("module", MANIFEST.modules, ids=lambda m: m.id)
def test_every_legal_reference_states_its_status(module):
    for lesson in module.lessons:
        nb = nbformat.read(str(REPO / lesson), as_version=4)
        body = [c.source for c in nb.cells if c.cell_type == "markdown"
                and "Tài liệu tham khảo" in c.source][-1].split("Tài liệu tham khảo", 1)[1]
        entries = [line for line in body.splitlines() if re.match(r"\s*(\d+\.|[-*])\s", line)]
        legal = [line for line in entries if DOCUMENT.search(line)]
        assert legal
        assert [line for line in legal if not STATUS.search(line)] == []


@pytest.mark.parametrize("module", MANIFEST.modules, ids=lambda m: m.id)
def test_each_assessment_uses_three_item_types(module):
    kinds = set()
    for nb_path in assessment.source_notebooks(REPO / module.assessment):
        nb = nbformat.read(str(nb_path), as_version=4)
        kinds |= {k for c in nb.cells if c.cell_type == "code" for k in WIDGETS.findall(c.source)}
    assert len(kinds - {"free_text"}) >= 3, sorted(kinds)


READING_WPM = 110  # slow readers; a Vietnamese syllable counts as a word
MINUTES_PER_ITEM = 1.5  # a practice or autograded item: read, think, click
MINUTES_PER_TASK = 8  # a free-text answer or a hands-on file


def estimated_minutes(module) -> float:
    """Study time from the content itself: lesson words read at READING_WPM, practice and
    graded items, free-text and hands-on tasks (the lesson's how-to cell is not counted)."""
    words = items = 0
    for lesson in module.lessons:
        nb = nbformat.read(str(REPO / lesson), as_version=4)
        for cell in nb.cells[1:]:
            if cell.cell_type == "markdown":
                words += len(re.sub(r"[|#*>`\-]", " ", cell.source).split())
            else:  # every top-level call in a lesson's code cell shows one exercise
                items += sum(isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                             for node in ast.parse(cell.source).body)
    tasks = 0
    for nb_path in assessment.source_notebooks(REPO / module.assessment):
        calls = assessment.solution_calls(nb_path)
        items += sum(name in ITEM_CHECKS for name, _, _ in calls)
        tasks += sum(name not in ITEM_CHECKS for name, _, _ in calls)
        tasks += len(assessment.free_text_items(nb_path))
    return words / READING_WPM + items * MINUTES_PER_ITEM + tasks * MINUTES_PER_TASK


@pytest.mark.parametrize("module", MANIFEST.modules, ids=lambda m: m.id)
def test_minutes_claimed_within_30_percent_of_the_estimate(module):
    estimate = estimated_minutes(module)
    assert 0.7 * estimate <= module.minutes <= 1.3 * estimate, round(estimate)
