"""Benchmark: `congvu report` on 100,000 officials × 12 modules, against `nbgrader export` +
pandas and against the floor (one bare SQL GROUP BY summing the grade table), in one run.

    .venv/bin/python benchmarks/report_scale.py                  # 100,000 × 12
    .venv/bin/python benchmarks/report_scale.py --learners 2000  # quick look

The gradebook is built through nbgrader's schema (see scale_data.py). Stock `nbgrader export`
grows quadratically with the number of submissions, so it is timed on samples of the same
gradebook (its first N learners, copied row for row into a fresh gradebook) and extrapolated
with t = a·n + b·n² through the sample points: the extrapolated figure is labelled as such.
Goals (2-core machine): gradebook-to-tables within 2× the floor; the full report (xlsx + html
+ csv) under 60 s and under 2 GB peak memory. The last line reads
``report_s: N.N peak_mb: N tables_over_floor: N.NN``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
BIN = Path(sys.executable).parent
AS_OF = dt.date(2026, 12, 15)
FLOOR_SQL = ("SELECT notebook_id, SUM(COALESCE(manual_score, auto_score, 0) + "
             "COALESCE(extra_credit, 0)) FROM grade GROUP BY notebook_id")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} (1/5 min) on {os.cpu_count()} cores"


def floor_seconds(db: Path) -> tuple[float, int]:
    con = sqlite3.connect(db)
    start = time.perf_counter()
    rows = con.execute(FLOOR_SQL).fetchall()
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed, len(rows)


def run_measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB of the child, output + CPU seconds) of a command."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, f"{out}\ncpu_s: {usage.ru_utime + usage.ru_stime:.1f}"


def sample_workspace(ws_root: Path, dest: Path, learners: int) -> Path:
    """A copy of the workspace whose gradebook holds only the first ``learners`` learners."""
    dest.mkdir(parents=True)
    shutil.copy2(ws_root / "nbgrader_config.py", dest)
    shutil.copytree(ws_root / "congvu", dest / "congvu")
    con = sqlite3.connect(dest / "gradebook.db")
    con.execute("ATTACH DATABASE ? AS big", (str(ws_root / "gradebook.db"),))
    for (sql,) in con.execute("SELECT sql FROM big.sqlite_master WHERE type='table' "
                              "AND sql IS NOT NULL").fetchall():
        con.execute(sql)
    whole = [t for (t,) in con.execute("SELECT name FROM big.sqlite_master WHERE type='table'")
             if t not in ("student", "submitted_assignment", "submitted_notebook", "grade",
                          "comment")]
    for table in whole:
        con.execute(f"INSERT INTO main.{table} SELECT * FROM big.{table}")
    con.execute("CREATE TEMP TABLE keep AS SELECT id FROM big.student ORDER BY id LIMIT ?",
                (learners,))
    con.execute("INSERT INTO student SELECT * FROM big.student WHERE id IN (SELECT id FROM keep)")
    con.execute("INSERT INTO submitted_assignment SELECT * FROM big.submitted_assignment "
                "WHERE student_id IN (SELECT id FROM keep)")
    con.execute("INSERT INTO submitted_notebook SELECT * FROM big.submitted_notebook WHERE "
                "assignment_id IN (SELECT id FROM submitted_assignment)")
    con.execute("INSERT INTO grade SELECT * FROM big.grade WHERE notebook_id IN "
                "(SELECT id FROM submitted_notebook)")
    con.commit()
    n = con.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]
    con.close()
    return dest, n


def export_and_pandas(ws: Path) -> tuple[float, float]:
    """(seconds of `nbgrader export`, seconds of pandas per-ward completion on its CSV)."""
    out = ws / "export.csv"
    t_export, _, _ = run_measured([str(BIN / "nbgrader"), "export", "--to", str(out)], cwd=ws)
    import pandas as pd

    start = time.perf_counter()
    grades = pd.read_csv(out, dtype={"student_id": str})
    people = pd.read_csv(ws / "congvu" / "roster.csv", dtype=str, keep_default_na=False)
    grades["passed"] = grades["score"] >= 0.7 * grades["max_score"]
    per = grades.groupby("student_id")["passed"].all().rename("completed")
    people = people.join(per, on="learner_id")
    people.groupby(["ward_code", "ward_name"])["completed"].mean()
    return t_export, time.perf_counter() - start


def extrapolate(points: list[tuple[int, float]], n: int) -> tuple[float, str]:
    """Fit t = c + a·n + b·n² (start-up, linear and quadratic parts) through the sample
    points by least squares, dropping the linear term if it comes out negative."""
    import numpy as np

    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    if len(points) >= 3:
        coef, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(xs), xs, xs ** 2]), ys,
                                   rcond=None)
        if coef[1] >= 0 and coef[2] >= 0:
            return float(coef[0] + coef[1] * n + coef[2] * n * n), "c + a·n + b·n²"
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(xs), xs ** 2]), ys, rcond=None)
    return float(coef[0] + coef[1] * n * n), "c + b·n²"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--learners", type=int, default=100_000)
    p.add_argument("--modules", type=int, default=12)
    p.add_argument("--samples", default="100,200,300",
                   help="learner counts for timing nbgrader export (0 to skip)")
    p.add_argument("--workdir", type=Path, default=None, help="kept if given")
    args = p.parse_args(argv)
    import scale_data

    from grading.course import workspace
    from grading.report import tables as summary

    work = args.workdir or Path(tempfile.mkdtemp(prefix="congvu-scale-"))
    print(f"machine: {load()}", flush=True)
    start = time.perf_counter()
    if not (work / "ws" / "gradebook.db").exists():
        scale_data.build(work, learners=args.learners, modules=args.modules)
    ws = workspace.open_workspace(work / "ws")
    db = ws.root / "gradebook.db"
    con = sqlite3.connect(db)
    n_grades = con.execute("SELECT COUNT(*) FROM grade").fetchone()[0]
    n_subs = con.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]
    con.close()
    print(f"gradebook: {args.learners:,} learners × {args.modules} modules, {n_subs:,} "
          f"submissions, {n_grades:,} grade rows, {db.stat().st_size / 2**20:,.0f} MB "
          f"(ready in {time.perf_counter() - start:.1f} s)", flush=True)

    floor, groups = floor_seconds(db)
    floor, _ = min((floor, groups), floor_seconds(db))  # second run: warm page cache
    print(f"floor (bare SQL GROUP BY over grade, {groups:,} groups): {floor:.2f} s", flush=True)
    t0 = time.perf_counter()
    tables = summary.build_tables(ws, as_of=AS_OF)
    t_tables = time.perf_counter() - t0
    del tables
    from grading.course import gradebook

    t0 = time.perf_counter()
    gradebook.read_module_scores(ws.db_url)
    t_read = time.perf_counter() - t0
    print(f"congvu gradebook-to-tables: {t_tables:.2f} s = {t_tables / floor:.2f}× floor "
          f"(reading the gradebook alone, timed again: {t_read:.2f} s; it runs the GROUP BY "
          f"and the submissions query on two connections at once)", flush=True)

    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    t_report, peak, said = run_measured([str(BIN / "congvu"), "report", str(ws.root), "--out",
                                      str(out), "--as-of", AS_OF.isoformat()])
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:.1f} MB" for p in sorted(
        out.iterdir()) if p.suffix in (".xlsx", ".html") or p.name == "learners.csv")
    cpu = said.rsplit("cpu_s: ", 1)[1]
    print(f"congvu report (xlsx + html + csv, own process): {t_report:.1f} s wall, {cpu} s CPU, "
          f"peak {peak:,.0f} MB ({sizes})", flush=True)

    samples = [int(s) for s in args.samples.split(",") if int(s) > 0]
    points = []
    for n in samples:
        sample, subs = sample_workspace(ws.root, work / f"sample_{n}", n)
        t_export, t_pandas = export_and_pandas(sample)
        points.append((subs, t_export + t_pandas))
        print(f"nbgrader export + pandas, sample of {n} learners ({subs:,} submissions): "
              f"{t_export:.1f} s + {t_pandas:.2f} s", flush=True)
        shutil.rmtree(sample)
    if len(points) >= 2:
        est, model = extrapolate(points, n_subs)
        print(f"nbgrader export + pandas at {n_subs:,} submissions: EXTRAPOLATED ({model} "
              f"fitted to the samples, not run) ≈ {est:,.0f} s ≈ {est / 86400:.1f} days = "
              f"{est / t_report:,.0f}× congvu report", flush=True)
    ok = t_tables <= 2 * floor and t_report < 60 and peak < 2048
    print(f"goals (tables ≤ 2× floor, report < 60 s, < 2048 MB): {'met' if ok else 'NOT met'}; "
          f"machine at end: {load()}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    print(f"report_s: {t_report:.1f} peak_mb: {peak:.0f} tables_over_floor: "
          f"{t_tables / floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
