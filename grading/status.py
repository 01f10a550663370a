"""One status vocabulary: what happened to a submission, with its Vietnamese and English labels.

``Status`` is a ``StrEnum``: its members compare equal to the plain strings stored in the
grading log and the report's CSV files ("graded", "timeout", …), so stored data stays as it is.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    GRADED = "graded"
    TAMPERED = "tampered"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT = "output"
    INVALID_NOTEBOOK = "invalid_notebook"
    ERROR = "error"
    REJECTED_FILES = "rejected_files"
    FORGED = "forged"
    KERNEL_DIED = "kernel_died"
    CHECK_TIMEOUT = "check_timeout"
    CORRUPT_ANSWERS = "corrupt_answers"
    RETAKE_REFUSED = "retake_refused"

    def label(self, lang: str = "vi") -> str:
        return _LABELS[lang][self]


_LABELS = {
    "vi": {Status.GRADED: "Đã chấm", Status.TAMPERED: "Đã chấm, ô bị sửa đã khôi phục",
           Status.TIMEOUT: "Quá thời gian", Status.MEMORY: "Quá bộ nhớ",
           Status.OUTPUT: "Đầu ra quá lớn", Status.INVALID_NOTEBOOK: "Notebook hỏng",
           Status.ERROR: "Lỗi khi chấm", Status.REJECTED_FILES: "Bị từ chối: tệp không hợp lệ",
           Status.FORGED: "Bị từ chối: giả tên hoặc giờ nộp",
           Status.KERNEL_DIED: "Kernel dừng giữa chừng",
           Status.CHECK_TIMEOUT: "Hàm chấm quá thời gian",
           Status.CORRUPT_ANSWERS: "Tệp câu trả lời hỏng",
           Status.RETAKE_REFUSED: "Bị từ chối: chưa được làm lại"},
    "en": {Status.GRADED: "graded", Status.TAMPERED: "graded, tampered cells restored",
           Status.TIMEOUT: "timeout", Status.MEMORY: "memory limit",
           Status.OUTPUT: "output limit", Status.INVALID_NOTEBOOK: "invalid notebook",
           Status.ERROR: "error", Status.REJECTED_FILES: "refused: invalid files",
           Status.FORGED: "refused: forged name or time", Status.KERNEL_DIED: "kernel died",
           Status.CHECK_TIMEOUT: "check timed out", Status.CORRUPT_ANSWERS: "corrupt answers file",
           Status.RETAKE_REFUSED: "refused: retake not allowed"},
}
# Graded: the learner's score is in the gradebook.
OK = frozenset({Status.GRADED, Status.TAMPERED})
# Not graded again unless the submission changes (or --force).
FINAL = frozenset(OK | {Status.TIMEOUT, Status.MEMORY, Status.OUTPUT, Status.INVALID_NOTEBOOK,
                       Status.FORGED, Status.REJECTED_FILES, Status.CORRUPT_ANSWERS})


def label(value: str, lang: str = "vi") -> str:
    """The display label of a stored status string (unknown values shown as they are)."""
    try:
        return Status(value).label(lang)
    except ValueError:
        return str(value)
