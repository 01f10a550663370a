"""The grading log survives torn writes: a line is whole or ignored (and reported), the next
append starts on a new line, and `congvu status` shows what was really graded."""
import pytest

from grading import columns as C
from grading.course import ledger

pytestmark = pytest.mark.fault


def row(learner, status, fp="f" * 16, reason=""):
    return {C.LEARNER: learner, C.MODULE: "m1", C.STATUS: status, C.REASON: reason,
            "graded_at": "2026-01-01T08:00:00", "seconds": 1.5, "fingerprint": fp}


def view(root):
    return dict(zip(ledger.statuses(root)[C.LEARNER], ledger.statuses(root)[C.STATUS]))


def test_cut_at_every_byte_of_the_last_line(tmp_path):
    (tmp_path / "congvu").mkdir()
    ledger.append(tmp_path, row("A", "error", reason="lỗi cũ, có dấu phẩy, \"ngoặc\"\nvà xuống dòng"))
    ledger.append(tmp_path, row("B", "graded"))
    path = tmp_path / ledger.LOG_FILE
    whole = path.read_bytes()
    ledger.append(tmp_path, row("A", "graded"))  # the line that will be torn
    full = path.read_bytes()
    assert full.startswith(whole)
    for cut in range(len(whole), len(full) + 1):
        path.write_bytes(full[:cut])
        torn = cut < len(full) - 1  # only the newline lost: the line is whole (checksum)
        frame = ledger.read(tmp_path)
        assert frame.attrs["skipped"] == ([4] if torn and cut > len(whole) else []), cut
        assert view(tmp_path) == {"A": "error" if torn else "graded", "B": "graded"}, cut
        # the next status row is never swallowed by the torn one
        ledger.append(tmp_path, row("C", "graded"))
        ledger.append(tmp_path, row("B", "timeout"))
        assert view(tmp_path) == {"A": "error" if torn else "graded", "B": "timeout",
                                  "C": "graded"}, cut
        assert path.read_bytes().endswith(b"\n")


def test_a_damaged_middle_line_is_skipped_and_named(tmp_path, caplog):
    (tmp_path / "congvu").mkdir()
    for learner in "ABC":
        ledger.append(tmp_path, row(learner, "graded"))
    path = tmp_path / ledger.LOG_FILE
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"graded", b"gradex")  # a flipped byte: the checksum fails
    path.write_bytes(b"\n".join(lines))
    frame = ledger.read(tmp_path)
    assert list(frame[C.LEARNER]) == ["A", "C"] and frame.attrs["skipped"] == [3]
    assert "bỏ qua 1 dòng" in caplog.text and "dòng 3" in caplog.text


def test_a_log_of_an_older_kit_is_read_and_upgraded(tmp_path):
    (tmp_path / "congvu").mkdir()
    path = tmp_path / ledger.LOG_FILE
    path.write_text("learner_id,module_id,status,reason,graded_at,seconds\n"
                    "A,m1,graded,,2026-01-01T08:00:00,1.0\n", encoding="utf-8")
    assert view(tmp_path) == {"A": "graded"}
    ledger.append(tmp_path, row("B", "graded"))
    assert view(tmp_path) == {"A": "graded", "B": "graded"}
    assert path.read_text().splitlines()[0] == ",".join(ledger.LOG_COLUMNS)
