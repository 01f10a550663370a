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


def test_a_supervisor_that_fails_gives_an_honest_error_not_a_keyerror():
    """The supervisor's real failure message (forkserver.serve sends its traceback) ends as
    CheckCrashed with the error's last line, the supervisor is killed, and the row is an
    `error` naming the check — not `KeyError: 'outputs'`."""
    import socket
    import subprocess

    import pytest

    from grading.engine import forkserver, kernels, worker

    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    supervisor = subprocess.Popen(["sleep", "60"])
    box = kernels.Sandbox(mine, supervisor.pid)
    forkserver.send(theirs, {"event": "failed", "error": "Traceback (most recent call last):\n"
                             "  ...\nModuleNotFoundError: No module named 'numpy'\n"})
    with pytest.raises(kernels.CheckCrashed, match="No module named 'numpy'"):
        box.check([("score", ["c1", "C"], {})], timeout=5)
    assert supervisor.wait(timeout=5) == -9  # killed, not left running
    theirs.close()
    with pytest.raises(kernels.CheckCrashed, match="dừng đột ngột"):  # gone: closed socket
        box.check([("score", ["c1", "C"], {})], timeout=5)
    box.close()
    status, reason = worker._status([("check_crash", "ModuleNotFoundError: numpy")], "")
    assert status == Status.ERROR and "hàm chấm bị lỗi" in reason and "numpy" in reason
