"""Certificates: only for completers, a serial kept across runs, a code that verifies,
Vietnamese text that survives into the PDF (extracted) and onto the page (rendered)."""
import datetime as dt
import shutil
import subprocess

import pandas as pd
import pytest

from grading import columns as C
from grading.errors import KitError
from grading.report import certificate_pdf
from grading.report import certificates as cert

NAME = "Nguyễn Thị Hoà Thuỷ"  # NFC; every tone mark and ơ/ư/đ appear in the page text


def lm_frame() -> pd.DataFrame:
    # a: passed m1 and m2 (track t1) -> completes t1; passed m3 (t2, not required for them).
    # b: passed m1, failed m2 -> nothing. c: m2 is not required for c; passed m1 -> t1.
    rows = [("a", "m1", "t1", True, True, "2026-10-01 09:00"),
            ("a", "m2", "t1", True, True, "2026-10-05 15:30"),
            ("a", "m3", "t2", False, True, "2026-10-06 10:00"),
            ("b", "m1", "t1", True, True, "2026-10-02 08:00"),
            ("b", "m2", "t1", True, False, "2026-10-03 08:00"),
            ("c", "m1", "t1", True, True, "2026-11-11 11:00"),
            ("c", "m2", "t1", False, False, None)]
    lm = pd.DataFrame(rows, columns=[C.LEARNER, C.MODULE, C.TRACK, C.REQUIRED, C.PASSED,
                                     C.TIMESTAMP])
    lm[C.MODULE_TITLE] = lm[C.MODULE].str.upper()
    lm[C.NAME] = lm[C.LEARNER].map({"a": NAME, "b": "Trần Văn Bình", "c": "Lê Đức Cường"})
    lm[C.POSITION] = "Công chức Văn phòng - Thống kê"
    lm[C.WARD_CODE] = lm[C.LEARNER].map({"a": "90001", "b": "90001", "c": "90002"})
    lm[C.WARD_NAME] = lm[C.WARD_CODE].map({"90001": "Phường Hòa Bình", "90002": "Xã Tân Lập"})
    return lm


def test_only_officials_who_passed_every_required_module_of_a_track():
    done = cert.track_completers(lm_frame())
    assert done[[C.LEARNER, C.TRACK, "modules", "completed_on"]].values.tolist() == [
        ["a", "t1", "M1; M2", "2026-10-05"], ["c", "t1", "M1", "2026-11-11"]]
    assert done.set_index(C.LEARNER).loc["a", C.NAME] == NAME


@pytest.fixture
def ws(new_workspace):
    return new_workspace()


def test_serials_are_kept_and_codes_verify(ws):
    done = cert.track_completers(lm_frame()).assign(**{C.TRACK: "cntt"})
    first = cert.register(ws, done, today=dt.date(2026, 11, 20))
    assert first["serial"].tolist() == ["MINI-2026-00001", "MINI-2026-00002"]
    again = cert.register(ws, done, today=dt.date(2026, 12, 1))  # issuing again: same rows
    assert again.equals(first)
    row = cert.verify(ws, first["code"][0].lower().replace("-", " "))  # typed loosely
    assert row["valid"] and row[C.NAME] == NAME and row["track_title"] == "Công nghệ thông tin"
    with pytest.raises(KitError, match="không có trong sổ"):
        cert.verify(ws, "AAAAA-AAAAA")
    # someone edits the register to move the date: the code no longer matches
    path = ws.root / "congvu" / cert.REGISTER
    path.write_text(path.read_text(encoding="utf-8").replace("2026-10-05", "2026-09-05"),
                    encoding="utf-8")
    assert cert.verify(ws, first["code"][0])["valid"] is False


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (installed by .ci/run)")
def test_pdf_text_and_rendering_keep_vietnamese(ws, tmp_path):
    done = cert.track_completers(lm_frame()).assign(**{C.TRACK: "cntt"})
    rows = cert.register(ws, done, today=dt.date(2026, 11, 20)).to_dict("records")
    path = certificate_pdf.write_pdf(rows, tmp_path / "x.pdf", course_title="Khóa thử nghiệm")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    for needed in (NAME, "GIẤY CHỨNG NHẬN", "Độc lập - Tự do - Hạnh phúc", "Phường Hòa Bình",
                   "Đã hoàn thành mảng: Công nghệ thông tin", "ngày 05 tháng 10 năm 2026",
                   rows[0]["serial"], rows[0]["code"]):
        assert needed in pages[0], needed
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    from PIL import Image

    png = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert png.width > png.height  # A4 landscape
    dark = sum(1 for v in png.getdata() if v < 128) / (png.width * png.height)
    assert 0.01 < dark < 0.3  # text, frame and QR code drawn; not a blank or black page
    # the QR code (bottom right) holds dark modules; the left margin stays empty
    qr = png.crop((int(png.width * 0.8), int(png.height * 0.7), png.width - 5, png.height - 5))
    assert min(qr.getdata()) < 80
