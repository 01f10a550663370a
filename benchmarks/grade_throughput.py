"""Throughput of plain ``nbgrader autograde`` against ``congvu grade`` on the same cohort.

Builds a workspace of the real course, has N learners fetch, answer (a seeded mix of full,
partial and blank) and submit one-notebook submissions of a real assessment through nbgrader's
exchange, copies the workspace, grades one copy with ``nbgrader autograde`` and the other with
``congvu grade`` in the same run, checks that every grade is identical cell by cell
(auto_score, needs_manual_grade, late penalty), and prints notebooks per second for each.

The *floor* is what one notebook costs at least with a fresh kernel: start a python3 kernel,
run the notebook's cells, shut it down (nbclient, no nbgrader). Overhead = time per notebook
beyond the kernel start and cell execution. The last line reads ``ratio: N.NN``.

    python benchmarks/grade_throughput.py [--learners 200] [--jobs N] [--module cntt_antt]
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

GRADES_SQL = """
SELECT sa.student_id, nb.name, bc.name, g.auto_score, g.needs_manual_grade,
       sn.late_submission_penalty
FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN base_cell bc ON g.cell_id = bc.id JOIN notebook nb ON bc.notebook_id = nb.id
ORDER BY 1, 2, 3"""


def build(root: Path, module: str, n: int, seed: int = 7):
    from grading.course import assessment
    from grading.course import exchange as learners
    from grading.course import workspace as W
    from grading.engine.batch import collect
    from grading.learner import checks, items

    ws = W.init(directory=root, manifest_path=REPO / "course.yml", force=True)
    W.release(ws, [module])
    sources = assessment.source_notebooks(ws.root / "source" / module)
    assert len(sources) == 1, "a one-notebook assessment is needed"
    calls = assessment.solution_calls(sources[0])
    free = assessment.free_text_items(sources[0])
    rng = random.Random(seed)
    for i in range(n):
        learner = f"HV{i:04d}"
        home = root.parent / "homes" / learner
        folder = learners.fetch(ws, home, module, learner)
        kind = rng.choice(["full", "partial", "partial", "blank"])
        for name, args, kwargs in calls:
            if kind == "full" or (kind == "partial" and rng.random() < 0.6):
                checks.solve(name, folder, *args, **kwargs)
            elif kind == "partial" and name == "score":
                items.save_answer(args[0], "A", folder)
        if kind != "blank":
            learners.answer(folder, {item: "Tôi báo cáo lãnh đạo." for item in free})
        learners.submit(ws, home, module, learner)
    collect(ws, module)
    return ws, sources[0]


def floor(ws, module: str, learner: str, repeat: int = 5) -> dict:
    """Fresh python3 kernel + the notebook's cells + shutdown, with nbclient only."""
    import nbformat
    from nbclient import NotebookClient

    src = ws.root / "autograded" / learner / module / f"{module}.ipynb"
    if not src.exists():
        src = next((ws.root / "autograded" / learner / module).glob("*.ipynb"))
    start_s, cells_s, stop_s = [], [], []
    for _ in range(repeat):
        nb = nbformat.read(str(src), as_version=4)
        client = NotebookClient(nb, kernel_name="python3", timeout=60,
                                resources={"metadata": {"path": str(src.parent)}})
        t0 = time.perf_counter()
        client.km = client.create_kernel_manager()
        client.start_new_kernel()
        client.start_new_kernel_client()
        t1 = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        t2 = time.perf_counter()
        client._cleanup_kernel()
        t3 = time.perf_counter()
        start_s.append(t1 - t0)
        cells_s.append(t2 - t1)
        stop_s.append(t3 - t2)
    return {"start": statistics.median(start_s), "cells": statistics.median(cells_s),
            "stop": statistics.median(stop_s)}


def grades(root: Path) -> list:
    con = sqlite3.connect(str(root / "gradebook.db"))
    try:
        return con.execute(GRADES_SQL).fetchall()
    finally:
        con.close()


class CpuMeter:
    """CPU seconds of this process and all its descendants, orphans included.

    Resource usage of reaped children misses processes that are not reaped by their parent: a
    sandboxed kernel is killed with its PID namespace and reaped outside our tree. A cgroup v1
    ``cpuacct`` group (root only) counts every process started inside it, whoever reaps it;
    where none can be made, the meter falls back to reaped processes and says so."""

    def __init__(self) -> None:
        base = Path("/sys/fs/cgroup/cpuacct")
        self.group = base / f"congvu-bench-{os.getpid()}"
        try:
            self.group.mkdir(exist_ok=True)
            (self.group / "cgroup.procs").write_text(str(os.getpid()))
            self.how = "cgroup cpuacct: every process of the run"
        except OSError:
            self.group = None
            self.how = "reaped processes only (no cpuacct cgroup): kernels are not counted"

    def seconds(self) -> float:
        if self.group is not None:
            return int((self.group / "cpuacct.usage").read_text()) / 1e9
        return cpu_all()

    def close(self) -> None:
        """Leave the group and remove it; processes still in it (multiprocessing's resource
        tracker lives as long as this process) are moved out with us."""
        if self.group is None:
            return
        for pid in [os.getpid(), *(self.group / "cgroup.procs").read_text().split()]:
            try:
                (self.group.parent / "cgroup.procs").write_text(str(pid))
            except OSError:  # it has just ended
                pass
        for _ in range(50):
            try:
                self.group.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_all() -> float:
    """CPU seconds of this process and of every child reaped so far (workers, kernels)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + cpu_children()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learners", type=int, default=200)
    p.add_argument("--module", default="cntt_antt")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--keep", type=Path, default=None, help="keep the workspaces in this folder")
    args = p.parse_args(argv)

    from grading.engine import batch as autograde

    tmp = Path(tempfile.mkdtemp(prefix="congvu-bench-")) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
          f"(1 min) at start")
    t = time.perf_counter()
    ws, _ = build(tmp / "congvu", args.module, args.learners)
    print(f"cohort: {args.learners} one-notebook submissions of {args.module} "
          f"built in {time.perf_counter() - t:.0f} s")
    plain = tmp / "plain"
    shutil.copytree(ws.root, plain)

    meter = CpuMeter()
    cpu0, t0 = meter.seconds(), time.perf_counter()
    res = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde",
                          args.module, "--force"], cwd=plain, capture_output=True, text=True)
    nb_wall, nb_cpu = time.perf_counter() - t0, meter.seconds() - cpu0
    if res.returncode != 0:
        print(res.stderr[-3000:])
        return 2

    details: list = []
    load_mid = os.getloadavg()[0]
    t0, cpu0 = time.perf_counter(), meter.seconds()
    status = autograde.grade(workspace=ws, assignment=args.module, jobs=args.jobs,
                             progress=False, force=True, details=details)
    cv_wall, cv_cpu = time.perf_counter() - t0, meter.seconds() - cpu0
    meter.close()
    jobs = args.jobs or os.cpu_count()

    ours, theirs = grades(ws.root), grades(plain)
    same = ours == theirs
    cells = len(ours)
    fl = floor(ws, args.module, status.iloc[0]["learner_id"])
    n = args.learners
    nb_rate, cv_rate = n / nb_wall, n / cv_wall
    busy = statistics.mean(float(d["seconds"]) for d in details)
    kern = statistics.mean(d.get("kernel_s", 0.0) for d in details)
    cell = statistics.mean(d.get("cells_s", 0.0) for d in details)
    print(f"statuses: {status['status'].value_counts().to_dict()}")
    print(f"identical scores cell by cell: {'yes' if same else 'NO'} "
          f"({cells} grade rows: auto_score, needs_manual_grade, late penalty)")
    print(f"floor (fresh kernel, nbclient): start {fl['start']:.3f} s + cells {fl['cells']:.3f} s"
          f" + shutdown {fl['stop']:.3f} s = {sum(fl.values()):.3f} s per notebook")
    print(f"nbgrader autograde: {nb_wall:.1f} s wall, {nb_cpu:.1f} s CPU, "
          f"{nb_wall / n:.3f} s/notebook, {nb_rate:.2f} notebooks/s, overhead beyond kernel "
          f"start + cells {nb_wall / n - fl['start'] - fl['cells']:.3f} s/notebook")
    print(f"congvu grade ({jobs} workers, sandboxed): {cv_wall:.1f} s wall, "
          f"{cv_wall / n:.3f} s/notebook, {cv_rate:.2f} notebooks/s; per notebook in a worker "
          f"{busy:.3f} s = kernel start {kern:.3f} s + cells {cell:.3f} s + overhead "
          f"{busy - kern - cell:.3f} s")
    print(f"load average {load_mid:.2f} before congvu, {os.getloadavg()[0]:.2f} at end; "
          f"workspaces in {tmp}")
    if args.keep is None:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"CPU seconds per notebook: nbgrader autograde {nb_cpu / n:.3f}, congvu grade "
          f"{cv_cpu / n:.3f} (CPU ratio {nb_cpu / max(cv_cpu, 1e-9):.2f}; {meter.how})")
    print(f"ratio: {cv_rate / nb_rate:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
