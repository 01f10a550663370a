"""The command line never shows a traceback for a user's mistake: every message says what is
wrong and how to fix it, in Vietnamese (English with --lang en), argparse's own included."""
from __future__ import annotations

from grading.cli import main


def run(capsys, *argv) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse exits
        code = exc.code
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


def test_argparse_messages_are_translated_with_the_fix(capsys):
    code, text = run(capsys, "report")
    assert code == 2 and "lỗi: thiếu tham số bắt buộc: --out" in text
    assert "cách dùng:" in text and "congvu report --help" in text
    code, text = run(capsys, "--lang", "en", "grade", "ws", "m", "--jobs", "many")
    assert code == 2 and "invalid int value: 'many'" in text and "--help" in text
    code, text = run(capsys, "--lang", "xx")
    assert "giá trị 'xx' không hợp lệ (chọn một trong: 'vi', 'en')" in text
    code, text = run(capsys, "--help")
    assert code == 0 and "tùy chọn" in text and "xem hướng dẫn này rồi thoát" in text


def test_workspace_mistakes_name_the_fix(new_workspace, tmp_path, capsys):
    ws = new_workspace()
    root = str(ws.root)
    code, text = run(capsys, "report", root, "--out", str(tmp_path / "r"))
    assert code == 2 and "chưa có danh sách cán bộ" in text and "congvu roster import" in text
    assert not (tmp_path / "r").exists()  # no empty files written
    code, text = run(capsys, "--lang", "en", "report", root, "--out", str(tmp_path / "r"))
    assert "no roster yet" in text and "import the roster first" in text
    code, text = run(capsys, "grade", root, "nope")
    assert code == 2 and "không có học phần 'nope'" in text and "chọn một trong: mini" in text
    code, text = run(capsys, "grade", root, "mini", "--collect")
    assert code == 2 and "chưa được phát" in text and f"congvu release {root} mini" in text
    code, text = run(capsys, "feedback", root, "mini")
    assert code == 2 and "chưa có bài nào được chấm" in text
    roster = tmp_path / "ds.csv"
    roster.write_text("ma_can_bo,ho_ten,ten_don_vi,chuc_vu\nA1,An,Phường Hòa Bình,Chuyên viên\n",
                      encoding="utf-8")
    assert run(capsys, "roster", "import", root, str(roster))[0] == 0
    taken = tmp_path / "taken"
    taken.write_text("x")
    code, text = run(capsys, "report", root, "--out", str(taken))
    assert code == 2 and "đã có một tệp trùng tên" in text and "--out" in text


def test_unreadable_roster_files_in_both_languages(new_workspace, tmp_path, capsys):
    ws = new_workspace()
    cases = [(b"", "tệp rỗng", "the file is empty"),
             (b"<!DOCTYPE html><html><table></table></html>", "trang web (HTML)",
              "web page (HTML)")]
    for content, vi, en in cases:
        path = tmp_path / "ds.xlsx"
        path.write_bytes(content)
        code, text = run(capsys, "roster", "import", str(ws.root), str(path))
        assert code == 2 and vi in text and "chưa nhập gì" in text
        code, text = run(capsys, "--lang", "en", "roster", "import", str(ws.root), str(path))
        assert code == 2 and en in text and "nothing imported" in text and " — " in text
