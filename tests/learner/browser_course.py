"""The tiny test course (tests/data/course) plus one item of every kind, built in a tmp folder.

tests/data/course/assessments/mini has choice, true/false and free-text items; the learner
tests also need a numeric and a short-text item, explanations in the hidden tests, and the
lessons' help images (courses/img).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from conftest import DATA, REPO

# grade id -> (item cell source, hidden test call); all worth 1 point.
EXTRA = {
    "c5": ('cv.numeric("c5", "Câu 5. Mật khẩu \\"Xa@2025\\" có bao nhiêu ký tự?", '
           'unit="ký tự")',
           'cv.score_number("c5", 7, tol=0, explanation="X, a, @, 2, 0, 2, 5: bảy ký tự.")'),
    "c6": ('cv.short_text("c6", "Câu 6. Ứng dụng định danh điện tử quốc gia tên là gì?")',
           'cv.score_text("c6", ["VNeID", "ứng dụng VNeID"], explanation="Đó là VNeID.")'),
}
EXPLAIN_C1 = "Cụm mật khẩu dài, gồm các từ ngẫu nhiên."
RIGHT = {"c1": "C", "c2": ["A", "B"], "c3": False, "c4": "Tôi báo cho lãnh đạo.",
         "c5": 7.0, "c6": "VNeID"}
MAX_AUTO = 5.0  # c1, c2, c3, c5, c6; c4 is graded by hand (2 points)


def _cell(kind: str, source: str, grade_id: str, **nbgrader) -> nbformat.NotebookNode:
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    meta = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3,
            "solution": False, "task": False, **nbgrader}
    cell = make(source, metadata={"nbgrader": meta})
    cell.id = grade_id.replace("_", "-")
    return cell


def make_course(root: Path) -> Path:
    """Copy the tiny course under ``root`` with the extra items; return its course.yml."""
    course = root / "course"
    shutil.copytree(DATA / "course", course)
    shutil.copytree(REPO / "courses" / "img", course / "courses" / "img")  # lessons' images
    path = course / "assessments" / "mini" / "mini.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade_id"] == "c1":
            cell.source = cell.source.replace('cv.score("c1", \'C\')',
                                              f'cv.score("c1", "C", explanation="{EXPLAIN_C1}")')
    at = next(i for i, c in enumerate(nb.cells) if c.metadata["nbgrader"]["grade_id"] == "c4_de")
    extra = []
    for grade_id, (item, test) in EXTRA.items():
        extra.append(_cell("code", item, f"{grade_id}_de"))
        extra.append(_cell("code", f"# {grade_id} được chấm sau khi nộp bài.\n"
                           f"### BEGIN HIDDEN TESTS\n{test}\n### END HIDDEN TESTS",
                           grade_id, grade=True, points=1))
    nb.cells[at:at] = extra
    nbformat.write(nb, str(path))
    return course / "course.yml"
