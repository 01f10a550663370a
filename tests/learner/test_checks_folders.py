"""Hands-on folder check: graded on the files the learner placed, never revealing the key."""
import unicodedata

import pytest

from grading.learner import checks
from grading.learner.checks import folders as chk

SAMPLES = {"ho_so_moi/scan_0001.pdf": "Ho so HT0012", "ho_so_moi/scan_0002.pdf": "Ho so CT0101",
           "ho_so_moi/scan_0003.pdf": "Ho so HT0013"}
EXPECTED = {"2026/HT-ho-tich/20260305_HT0012.pdf": "ho_so_moi/scan_0001.pdf",
            "2026/CT-chung-thuc/20260305_CT0101.pdf": "ho_so_moi/scan_0002.pdf",
            "2026/HT-ho-tich/20260306_HT0013.pdf": "ho_so_moi/scan_0003.pdf"}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A fetched assignment folder: the notebook, the answers file and the sample scans."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cntt_iu02.ipynb").write_text("{}", encoding="utf-8")
    for rel, text in SAMPLES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(chk.sample_pdf(text))
    return tmp_path


def recopy_samples(folder):
    """What nbgrader autograde does: the source's files are copied back at their old paths."""
    for rel, text in SAMPLES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(chk.sample_pdf(text))


def move(folder, src, dst):
    (folder / dst).parent.mkdir(parents=True, exist_ok=True)
    (folder / src).rename(folder / dst)


def assert_no_key_revealed(text, *, except_paths=()):
    for path in EXPECTED:
        if path not in except_paths:
            assert path not in text
            assert path.rsplit("/", 1)[-1] not in text


def test_registered_with_its_solution():
    assert "folders" in checks.names()


def test_solve_builds_a_structure_that_passes_after_autograde_recopies(folder, capsys):
    checks.solve("folders", folder, "c9", EXPECTED)
    assert not (folder / "ho_so_moi" / "scan_0001.pdf").exists()  # moved, as a learner would
    recopy_samples(folder)
    chk.folders("c9", EXPECTED)
    assert capsys.readouterr() == ("Đúng.\n", "")


def test_solve_is_idempotent(folder, capsys):
    chk.solve(folder, "c9", EXPECTED)
    chk.solve(folder, "c9", EXPECTED)  # samples already moved: nothing to do
    chk.folders("c9", EXPECTED)
    assert capsys.readouterr().out == "Đúng.\n"


def test_untouched_folder_scores_zero_without_revealing(folder, capsys):
    chk.folders("c9", EXPECTED)
    out, err = capsys.readouterr()
    assert out == ""
    assert "0/3" in err and "Chưa thấy tệp nào" in err
    assert_no_key_revealed(err)


def test_missing_file_reports_count_only(folder, capsys):
    move(folder, "ho_so_moi/scan_0001.pdf", "2026/HT-ho-tich/20260305_HT0012.pdf")
    move(folder, "ho_so_moi/scan_0002.pdf", "2026/CT-chung-thuc/20260305_CT0101.pdf")
    recopy_samples(folder)
    chk.folders("c9", EXPECTED)
    out, err = capsys.readouterr()
    assert out == "" and "2/3" in err
    assert_no_key_revealed(err)


def test_wrong_names_get_hints_about_the_learners_own_files(folder, capsys):
    move(folder, "ho_so_moi/scan_0001.pdf", "2026/ht-ho-tich/20260305_HT0012.pdf")  # case
    move(folder, "ho_so_moi/scan_0002.pdf", "2026/HT-ho-tich/20260305_CT0101.pdf")  # folder
    move(folder, "ho_so_moi/scan_0003.pdf", "2026/HT-ho-tich/20260306_HT0013.pdf.pdf")  # suffix
    recopy_samples(folder)
    chk.folders("c9", EXPECTED)
    out, err = capsys.readouterr()
    assert out == "" and "0/3" in err
    assert "2026/ht-ho-tich/20260305_HT0012.pdf: sai chữ hoa" in err
    assert "2026/HT-ho-tich/20260305_CT0101.pdf: tên tệp đúng nhưng đặt sai thư mục" in err
    assert "20260306_HT0013.pdf.pdf: đuôi tệp bị lặp" in err
    assert "2026/CT-chung-thuc" not in err and "2026/HT-ho-tich/20260306_HT0013.pdf:" not in err


def test_other_mistakes_missing_suffix_spaces_diacritics_near_miss(folder, capsys):
    move(folder, "ho_so_moi/scan_0001.pdf", "2026/HT-ho-tich/20260305_HT0012")
    move(folder, "ho_so_moi/scan_0002.pdf", "2026/CT-chung-thuc/20260305 CT0101.pdf")
    move(folder, "ho_so_moi/scan_0003.pdf", "2026/HT-hộ-tịch/20260306_HT0013.pdf")
    (folder / "2026" / "HT-ho-tich" / "2026-03-05-HT0012.pdf").write_bytes(b"x")
    (folder / "2026" / "linh_tinh.pdf").write_bytes(b"x")
    (folder / "Untitled.txt").write_bytes(b"")  # a stray file: counted, no misleading hint
    chk.folders("c9", EXPECTED)
    err = capsys.readouterr().err
    assert "20260305_HT0012: thiếu đuôi tệp .pdf" in err
    assert "20260305 CT0101.pdf: tên có dấu cách" in err
    assert "HT-hộ-tịch/20260306_HT0013.pdf: tên có chữ có dấu" in err
    assert "2026-03-05-HT0012.pdf: gần đúng" in err
    assert "Còn 2 tệp khác" in err and "Untitled" not in err


def test_swapped_files_fail_on_content(folder, capsys):
    move(folder, "ho_so_moi/scan_0001.pdf", "2026/HT-ho-tich/20260306_HT0013.pdf")
    move(folder, "ho_so_moi/scan_0003.pdf", "2026/HT-ho-tich/20260305_HT0012.pdf")
    move(folder, "ho_so_moi/scan_0002.pdf", "2026/CT-chung-thuc/20260305_CT0101.pdf")
    recopy_samples(folder)
    chk.folders("c9", EXPECTED)
    err = capsys.readouterr().err
    assert "1/3" in err and err.count("không phải bản quét của hồ sơ này") == 2


def test_copy_instead_of_move_and_nfd_names_are_accepted(folder, capsys):
    expected = {"2026/HT-hộ-tịch/20260305_HT0012.pdf": "ho_so_moi/scan_0001.pdf"}
    nfd = unicodedata.normalize("NFD", "2026/HT-hộ-tịch/20260305_HT0012.pdf")
    (folder / nfd).parent.mkdir(parents=True)
    (folder / nfd).write_bytes((folder / "ho_so_moi/scan_0001.pdf").read_bytes())
    chk.folders("c9", expected)
    assert capsys.readouterr() == ("Đúng.\n", "")


def test_list_form_checks_presence_and_solve_makes_placeholders(folder, capsys):
    paths = ["2026/HT-ho-tich/a.pdf", "2026/HT-ho-tich/b.txt"]
    chk.folders("c9", paths)
    assert "0/2" in capsys.readouterr().err
    chk.solve(folder, "c9", paths)
    assert (folder / "2026/HT-ho-tich/a.pdf").read_bytes().startswith(b"%PDF-")
    chk.folders("c9", paths)
    assert capsys.readouterr() == ("Đúng.\n", "")


def test_nbgrader_files_are_not_learner_mistakes(folder, capsys):
    for name in ("timestamp.txt", "submission_secret.txt"):  # nbgrader submit writes these
        (folder / name).write_text("x", encoding="utf-8")
    chk.folders("c9", EXPECTED)
    err = capsys.readouterr().err
    assert "Chưa thấy tệp nào" in err and ".txt" not in err


def test_notebooks_answers_and_checkpoints_are_not_learner_files(folder, capsys):
    chk.solve(folder, "c9", EXPECTED)
    (folder / "cau_tra_loi.json").write_text("{}", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "x.pdf").write_bytes(b"x")
    chk.folders("c9", EXPECTED)
    assert capsys.readouterr() == ("Đúng.\n", "")


def test_learner_helpers_print_to_stdout_only(folder, capsys):
    chk.tree("2026")
    out, err = capsys.readouterr()
    assert err == "" and "Chưa có thư mục 2026" in out
    chk.solve(folder, "c9", EXPECTED)
    chk.tree("2026")
    out = capsys.readouterr().out
    assert "📁 HT-ho-tich" in out and "📄 20260305_HT0012.pdf" in out
    chk.review({"x/y.pdf": None})
    out, err = capsys.readouterr()
    assert err == "" and "x/y.pdf" in out  # practice feedback may name what is missing
    chk.make_practice(folder / "thuc_hanh", {"ho_so_moi/a.pdf": "A", "ho_so_moi/b.pdf": "B"})
    (folder / "thuc_hanh/ho_so_moi/a.pdf").rename(folder / "thuc_hanh/a.pdf")
    chk.make_practice(folder / "thuc_hanh", {"ho_so_moi/a.pdf": "A", "ho_so_moi/b.pdf": "B"})
    assert not (folder / "thuc_hanh/ho_so_moi/a.pdf").exists()  # learner's work kept
    chk.make_practice(folder / "thuc_hanh", {"ho_so_moi/a.pdf": "A"}, reset=True)
    assert (folder / "thuc_hanh/ho_so_moi/a.pdf").exists()
    assert capsys.readouterr().err == ""


def test_sample_pdf_is_a_wellformed_pdf():
    data = chk.sample_pdf("Hồ sơ HT0012\nNgày 05/03/2026 (bản quét)")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[xref:].startswith(b"xref")
    assert b"(Ho so HT0012) Tj" in data and b"\\(ban quet\\)" in data
