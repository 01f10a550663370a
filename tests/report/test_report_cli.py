"""`congvu report` on a real workspace: whole report, one ward, one file per ward; and the scale
benchmark's script on a tiny gradebook."""
from __future__ import annotations

import stat
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from conftest import REPO

from grading.cli import main

sys.path.insert(0, str(REPO / "benchmarks"))
pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    import scale_data

    return scale_data.build(tmp_path_factory.mktemp("cli"), learners=40, modules=2, wards=3)


def _codes(path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["Tổng hợp theo đơn vị"]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_report_whole_one_ward_and_split(ws, tmp_path, capsys):
    people = pd.read_csv(ws.root / "congvu" / "roster.csv", dtype=str, keep_default_na=False)
    codes = sorted(people["ward_code"].unique())
    assert main(["report", str(ws.root), "--out", str(tmp_path / "all"),
                 "--as-of", "2026-12-15"]) == 0
    assert _codes(tmp_path / "all" / "report.xlsx") == codes
    printed = capsys.readouterr().out
    assert "Tỷ lệ hoàn thành (%)" in printed and "report.xlsx" in printed

    assert main(["report", str(ws.root), "--out", str(tmp_path / "one"), "--ward", codes[1],
                 "--split-by-ward"]) == 0
    assert _codes(tmp_path / "one" / "report.xlsx") == [codes[1]]
    learners = pd.read_csv(tmp_path / "one" / "learners.csv", dtype=str)
    assert set(learners["ward_code"]) == {codes[1]}  # only that ward's people
    html = (tmp_path / "one" / "report.html").read_text(encoding="utf-8")
    name = people.loc[people["ward_code"] == codes[0], "ward_name"].iloc[0]
    assert name not in html
    split = sorted(p.name for p in (tmp_path / "one" / "theo_don_vi").iterdir())
    assert len(split) == 2 and split[0].startswith(codes[1]) and split[0].endswith(".html")

    assert main(["report", str(ws.root), "--out", str(tmp_path / "each"),
                 "--split-by-ward"]) == 0
    files = sorted((tmp_path / "each" / "theo_don_vi").glob("*.xlsx"))
    assert [f.name[:5] for f in files] == codes
    for path, code in zip(files, codes):
        assert _codes(path) == [code]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        sheet = openpyxl.load_workbook(path)["Chi tiết cán bộ"]
        assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == {code}


def test_unknown_ward_is_a_clear_error(ws, tmp_path, capsys):
    assert main(["report", str(ws.root), "--out", str(tmp_path), "--ward", "12345"]) == 2
    assert "không có đơn vị mã 12345" in capsys.readouterr().err


def test_benchmark_script_smoke(tmp_path):
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "report_scale.py"),
                          "--learners", "60", "--modules", "2", "--samples", "5,10,15",
                          "--workdir", str(tmp_path / "built")],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert "EXTRAPOLATED" in out.stdout and "floor" in out.stdout
    assert lines[-1].startswith("backend: sqlite report_s: ") and " peak_mb: " in lines[-1]
    assert " tables_over_floor: " in lines[-1]


def test_lang_after_the_subcommand(ws, tmp_path):
    assert main(["report", str(ws.root), "--out", str(tmp_path), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames[0] == "By ward"


def test_docx_per_ward_passes_the_letter_checks(ws, tmp_path, capsys):
    from grading.learner.checks import letter_docx

    people = pd.read_csv(ws.root / "congvu" / "roster.csv", dtype=str, keep_default_na=False)
    codes = sorted(people["ward_code"].unique())
    assert main(["report", str(ws.root), "--out", str(tmp_path), "--split-by-ward", "--docx",
                 "--as-of", "2026-12-05"]) == 0
    written = sorted(tmp_path.glob("bao_cao_*.docx"))
    assert [p.name.split("_")[2] for p in written] == codes
    assert str(written[0]) in capsys.readouterr().out
    rules = {"page": "A4", "font": "Times New Roman", "body_size_pt": [13, 14],
             "date": [2026, 12, 5], "letterhead_without": ["huyện", "quận"]}
    for path in written:
        assert letter_docx.problems(path, rules) == []
