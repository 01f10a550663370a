"""A corrupt answers file is named, not silently graded 0 as 'graded'."""
from grading.engine.precheck import answers_problem
from grading.status import FINAL, OK, Status


def test_answers_file_problems(tmp_path):
    assert answers_problem(tmp_path) == ""  # none saved: unanswered, nothing to report
    (tmp_path / "cau_tra_loi.json").write_text('{"c1": "C"}', encoding="utf-8")
    assert answers_problem(tmp_path) == ""
    (tmp_path / "cau_tra_loi.json").write_text('{"c1": ', encoding="utf-8")
    assert "hỏng" in answers_problem(tmp_path)
    (tmp_path / "cau_tra_loi.json").write_text("[1, 2]", encoding="utf-8")
    assert "không đúng dạng" in answers_problem(tmp_path)
    (tmp_path / "cau_tra_loi.json").write_bytes(b"\xff\xfe{")
    assert "UnicodeDecodeError" in answers_problem(tmp_path)


def test_new_statuses_have_labels_and_are_not_graded_ok():
    for status in (Status.REJECTED_FILES, Status.FORGED, Status.KERNEL_DIED,
                   Status.CHECK_TIMEOUT, Status.CORRUPT_ANSWERS):
        assert status.label("vi") and status.label("en")
        assert status not in OK
    assert {Status.FORGED, Status.REJECTED_FILES, Status.CORRUPT_ANSWERS} <= FINAL
