"""Benchmark: `congvu roster import` of a 100,000-row HR workbook, against pandas.read_excel of
the same file (the peer: reading it without any check), in one run.

    .venv/bin/python benchmarks/roster_scale.py                 # 100,000 rows
    .venv/bin/python benchmarks/roster_scale.py --rows 5000     # quick look

The workbook looks like an HR export: two title rows, a header, the "(1) (2) (3)…" column-number
row, ward codes partly stored as numbers (leading zeros lost), positions partly written with a
trailing "xã"/"phường". The import runs every check (legacy encodings per cell, ids, units,
positions mapped onto course.yml's) and registers every official in nbgrader's gradebook.
Goal (2-core machine): under 30 s and under 1 GB peak memory. The last line reads
``rows: N import_s: X peak_mb: Y``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def write_workbook(path: Path, rows: int) -> None:
    """An HR-style .xlsx of ``rows`` officials over the sample province's wards."""
    import numpy as np
    from openpyxl import Workbook
    from scale_data import FAMILY, GIVEN, MIDDLE, POSITIONS

    from grading.roster import units as U

    wards = U.sample().units
    rng = np.random.default_rng(7)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC CẤP XÃ THAM GIA BỒI DƯỠNG"])
    sheet.append(["(Kèm theo Kế hoạch số 01/KH-SNV)"])
    sheet.append(["STT", "Mã cán bộ", "Họ và tên", "Mã đơn vị", "Tên đơn vị", "Chức vụ"])
    sheet.append([f"({i})" for i in range(1, 7)])
    w = rng.integers(0, len(wards), rows)
    p = rng.integers(0, len(POSITIONS), rows)
    names = rng.integers(0, [len(FAMILY), len(MIDDLE), len(GIVEN)], (rows, 3))
    for i in range(rows):
        unit = wards[w[i]]
        position = POSITIONS[p[i]]
        if i % 7 == 0 and position.endswith("UBND"):
            kind = "đặc khu" if unit.name.startswith("Đặc khu") else unit.name.split()[0]
            position += " " + kind.lower()  # "Chủ tịch UBND xã"
        code = int(unit.code) if i % 5 == 0 else unit.code  # Excel lost the zeros
        full = f"{FAMILY[names[i, 0]]} {MIDDLE[names[i, 1]]} {GIVEN[names[i, 2]]}"
        sheet.append([i + 1, f"CB{i + 1:06d}", full, code, unit.name, position])
    book.save(path)


def write_manifest(folder: Path) -> Path:
    """The scale course (2 modules) with the positions the workbook uses declared."""
    import scale_data

    manifest = scale_data.write_course(folder, 2)
    lines = ["positions:"] + [f"  - name: \"{p}\"" for p in scale_data.POSITIONS]
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n".join(lines) + "\n",
                        encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--workdir", type=Path, default=None, help="kept if given")
    args = p.parse_args(argv)
    from report_scale import BIN, load, run_measured

    from grading.course import workspace

    work = args.workdir or Path(tempfile.mkdtemp(prefix="congvu-roster-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {load()}", flush=True)
    book = work / "danh_sach.xlsx"
    t0 = time.perf_counter()
    write_workbook(book, args.rows)
    print(f"workbook: {args.rows:,} rows, {book.stat().st_size / 2**20:.1f} MB "
          f"(written in {time.perf_counter() - t0:.1f} s)", flush=True)
    shutil.rmtree(work / "ws", ignore_errors=True)
    ws = workspace.init(directory=work / "ws", manifest_path=write_manifest(work / "course"))

    peer_s, peer_mb, peer_out = run_measured([sys.executable, "-c",
                                              "import pandas, sys; pandas.read_excel(sys.argv[1],"
                                              " header=2)", str(book)])
    peer_cpu = peer_out.rsplit("cpu_s: ", 1)[1]
    print(f"peer pandas.read_excel (no checks): {peer_s:.1f} s wall, {peer_cpu} s CPU, "
          f"peak {peer_mb:,.0f} MB", flush=True)
    import_s, peak, said = run_measured([str(BIN / "congvu"), "roster", "import", str(ws.root),
                                         str(book)])
    cpu = said.rsplit("cpu_s: ", 1)[1]
    first = said.strip().splitlines()[0]
    print(f"congvu roster import (own process): {import_s:.1f} s wall, {cpu} s CPU, peak "
          f"{peak:,.0f} MB = {import_s / peer_s:.2f}× pandas.read_excel — {first}", flush=True)
    ok = import_s < 30 and peak < 1024
    print(f"goals (< 30 s, < 1024 MB): {'met' if ok else 'NOT met'}; machine at end: {load()}")
    print(f"rows: {args.rows} import_s: {import_s:.1f} peak_mb: {peak:.0f}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
