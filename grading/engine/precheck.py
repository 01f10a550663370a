"""Look at a submission before grading: broken notebooks, and locked cells a learner changed.

nbgrader scores an unreadable notebook 0 (indistinguishable from a blank one) and stops its
batch on a duplicated graded cell; it silently restores locked cells from the gradebook. Here
each case gets a status and a Vietnamese reason for the trainer.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from grading.status import Status


def _read(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def precheck(folder: Path) -> tuple[str, str] | None:
    """Find what would break nbgrader in a submission folder: (status, Vietnamese reason)."""
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return Status.INVALID_NOTEBOOK, "bài nộp không có notebook nào; học viên cần nộp lại"
    for path in notebooks:
        try:
            nb = _read(path)
        except Exception as exc:  # nbformat raises several unrelated types for bad files
            kind = type(exc).__name__
            return (Status.INVALID_NOTEBOOK, f"{path.name}: tệp hỏng, không đọc được ({kind}); "
                    "học viên cần tải lại bài (fetch), làm lại và nộp lại")
        ids = Counter(c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id"))
        dupes = sorted(gid for gid, n in ids.items() if n > 1)
        if dupes:
            return (Status.INVALID_NOTEBOOK, f"{path.name}: ô chấm điểm bị nhân đôi ({', '.join(dupes)}); "
                    "học viên cần xóa ô bị chép thêm hoặc tải lại bài rồi nộp lại")
    return None


_FIELDS = ("grade", "solution", "locked", "points", "task")


def tampered(release: Path, folder: Path) -> str:
    """Locked cells changed, removed or faked in the submission, as a Vietnamese sentence ('' if
    none). nbgrader restores changed locked cells from the gradebook before running anything."""
    changed, removed, unknown = [], [], []
    for path in sorted(release.glob("*.ipynb")):
        sub = folder / path.name
        if not sub.is_file():
            continue
        try:
            original, submitted = _read(path), _read(sub)
        except Exception:
            continue
        theirs = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in submitted.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id")}
        known = set()
        for cell in original.cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id")
            if not gid:
                continue
            known.add(gid)
            if not (meta.get("locked") or meta.get("grade")):
                continue
            other = theirs.get(gid)
            if other is None:
                removed.append(gid)
                continue
            ometa = other.metadata.get("nbgrader", {})
            if (meta.get("locked") and (other.source != cell.source
                                        or other.cell_type != cell.cell_type)) \
                    or any(ometa.get(k) != meta.get(k) for k in _FIELDS):
                changed.append(gid)
        unknown += sorted(set(theirs) - known)
    parts = []
    if changed:
        parts.append(f"ô khóa bị sửa đã được khôi phục từ bản gốc: {', '.join(changed)}")
    if removed:
        parts.append(f"ô bị xóa (không được chấm): {', '.join(removed)}")
    if unknown:
        parts.append(f"ô chấm điểm lạ không có trong bài gốc (bị bỏ qua): {', '.join(unknown)}")
    return "; ".join(parts)


def answers_problem(folder: Path) -> str:
    """Why the saved answers file cannot be read ('' if it reads, or there is none)."""
    import json

    from grading.learner.answers import ANSWERS_FILE

    path = folder / ANSWERS_FILE
    if not path.exists():
        return ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return (f"{ANSWERS_FILE}: tệp câu trả lời hỏng, không đọc được ({type(exc).__name__}); "
                "các câu bấm chọn được chấm như chưa trả lời — học viên cần làm lại và nộp lại")
    if not isinstance(data, dict):
        return (f"{ANSWERS_FILE}: tệp câu trả lời không đúng dạng; các câu bấm chọn được chấm "
                "như chưa trả lời — học viên cần làm lại và nộp lại")
    return ""
