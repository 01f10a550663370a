"""A synthetic cohort in a real workspace, for the scale benchmark and the dashboard test.

``build(root, learners=..., modules=...)`` writes a course of N modules (each assessment has 8
autograded test cells of 1 point and one manually graded task of 2 points), creates the
workspace with ``congvu init`` (nbgrader's own generate_assignment fills the cell tables), then
bulk-inserts students, submissions and grades straight into nbgrader's schema with SQL:
realistic scores (learner ability × module difficulty), about 10 % of (learner, module) pairs
not submitted, 85 % of free-text tasks graded by hand (the rest await a trainer), some late
penalties. The roster (``congvu/roster.csv``) is written directly with joiners and leavers.
All names and codes are synthetic (codes 9xxxx are not official commune codes).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import numpy as np

AUTO_CELLS, TASK_POINTS = 8, 2.0
POSITIONS = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Chuyên viên Văn phòng HĐND và UBND",
             "Chuyên viên Trung tâm Phục vụ hành chính công", "Chuyên viên Phòng Kinh tế",
             "Chuyên viên Phòng Văn hóa - Xã hội"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Ngọc", "Đức", "Thu", "Minh", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hòa", "Hương", "Khoa", "Lan", "Long",
         "Mai", "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Thảo", "Thủy", "Trang", "Tuấn", "Yến"]
WARD_WORDS = ["Hòa Bình", "Tân Lập", "Đông Hưng", "Thủy Tiên", "Khánh Hòa", "Quỳnh Lưu",
              "Yên Thủy", "Cửa Biển", "Thượng Nguyên", "An Phú", "Phú Mỹ", "Long Điền"]
START = dt.datetime(2026, 9, 1, 8, 0)


def _cell(kind: str, grade_id: str, source: str, points: float | None = None) -> dict:
    meta = {"grade": kind == "test", "grade_id": grade_id, "locked": True, "schema_version": 3,
            "solution": False, "task": kind == "task"}
    if points is not None:
        meta["points"] = points
    cell = {"cell_type": "markdown" if kind == "task" else "code", "id": grade_id,
            "metadata": {"nbgrader": meta}, "source": source}
    if cell["cell_type"] == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _notebook(cells: list[dict]) -> dict:
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                        "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def write_course(folder: Path, modules: int) -> Path:
    """course.yml with ``modules`` modules over two tracks; returns the manifest path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["course_id: scale", "title: {vi: \"Khóa mô phỏng\", en: \"Scale course\"}",
             "tracks:", "  - id: cntt", "    title: {vi: \"Công nghệ thông tin\"}",
             "  - id: daoduc", "    title: {vi: \"Đạo đức công vụ\"}", "modules:"]
    for m in range(1, modules + 1):
        mid = f"hp{m:02d}"
        cells = [_cell("test", f"c{i}", f"# câu {i}\nassert True", 1)
                 for i in range(1, AUTO_CELLS + 1)]
        cells.append(_cell("task", "tu_luan", "**Câu tự luận** (giảng viên chấm)", TASK_POINTS))
        (folder / "assessments" / mid).mkdir(parents=True, exist_ok=True)
        (folder / "assessments" / mid / f"{mid}.ipynb").write_text(
            json.dumps(_notebook(cells), ensure_ascii=False), encoding="utf-8")
        (folder / "courses" / mid).mkdir(parents=True, exist_ok=True)
        (folder / "courses" / mid / "bai.ipynb").write_text(json.dumps(_notebook([
            {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Bài học"}])),
            encoding="utf-8")
        required = "all" if m % 3 else "[\"Chủ tịch UBND\", \"Phó Chủ tịch UBND\"]"
        deadline = (START + dt.timedelta(days=30 + 7 * m)).date().isoformat()
        lines += [f"  - id: {mid}", f"    track: {'cntt' if m % 2 else 'daoduc'}",
                  f"    title: {{vi: \"Học phần {m}\", en: \"Module {m}\"}}",
                  f"    lessons: [courses/{mid}/bai.ipynb]", f"    assessment: assessments/{mid}",
                  "    pass_mark: 70", f"    required_for: {required}", f"    deadline: {deadline}"]
    path = folder / "course.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_roster(ws_root: Path, learners: int, wards: int, rng, first_id: int = 1,
                 first_ward: int = 0) -> list[str]:
    """congvu/roster.csv with ~1 % leavers and ~2 % mid-course joiners; returns learner ids
    (CB000001… from ``first_id``; ward codes from 90000 + ``first_ward``)."""
    import pandas as pd

    ids = [f"CB{i:06d}" for i in range(first_id, first_id + learners)]
    ward_idx = np.sort(rng.integers(0, wards, learners))
    kinds = np.array(["Xã", "Phường", "Đặc khu"])[rng.choice(3, wards, p=[0.7, 0.28, 0.02])]
    ward_names = [f"{kinds[w]} {WARD_WORDS[w % len(WARD_WORDS)]} {w // len(WARD_WORDS) + 1}"
                  for w in range(wards)]
    pos = rng.choice(len(POSITIONS), learners, p=[0.05, 0.1, 0.25, 0.2, 0.2, 0.2])
    names = [f"{FAMILY[a]} {MIDDLE[b]} {GIVEN[c]}" for a, b, c in zip(
        rng.integers(0, len(FAMILY), learners), rng.integers(0, len(MIDDLE), learners),
        rng.integers(0, len(GIVEN), learners))]
    joined = np.where(rng.random(learners) < 0.02, "2026-10-15", "2026-09-01")
    left = np.where(rng.random(learners) < 0.01, "2026-11-01", "")
    frame = pd.DataFrame({"learner_id": ids, "full_name": names,
                          "ward_code": [f"{90000 + first_ward + w:05d}" for w in ward_idx],
                          "ward_name": [ward_names[w] for w in ward_idx],
                          "position": [POSITIONS[p] for p in pos], "joined_on": joined,
                          "left_on": left})
    path = ws_root / "congvu" / "roster.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    os.chmod(path, 0o600)
    return ids


def _hex(start: int, n: int, tag: str) -> list[str]:
    """n unique 32-character ids in increasing order (nbgrader uses uuid4 hex)."""
    return [f"{tag}{i:030x}" for i in range(start, start + n)]


def fill_gradebook(db: Path, ids: list[str], rng, chunk: int = 20_000) -> int:
    """Students, submissions and grades for every (learner, module); returns grade rows."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.executemany("INSERT INTO student (id, first_name, last_name) VALUES (?, ?, ?)",
                    [(i, "", i) for i in ids])
    assignments = con.execute("SELECT a.id, a.name, n.id FROM assignment a JOIN notebook n "
                              "ON n.assignment_id = a.id ORDER BY a.name").fetchall()
    ability = rng.beta(5, 2, len(ids))
    total = sa_n = 0
    for m, (a_id, a_name, nb_id) in enumerate(assignments):
        cells = con.execute(
            "SELECT bc.id, gc.id IS NOT NULL FROM base_cell bc LEFT JOIN grade_cells gc ON "
            "gc.id = bc.id LEFT JOIN task_cells tc ON tc.id = bc.id WHERE bc.notebook_id = ? AND "
            "(gc.id IS NOT NULL OR tc.id IS NOT NULL) ORDER BY bc.name", (nb_id,)).fetchall()
        auto = [c for c, is_grade in cells if is_grade]
        tasks = [c for c, is_grade in cells if not is_grade]
        difficulty = 0.1 * (m % 4)
        for lo in range(0, len(ids), chunk):
            who = np.arange(lo, min(lo + chunk, len(ids)))
            who = who[rng.random(len(who)) < 0.9]  # about 10 % never submit this module
            k = len(who)
            sa_ids, sn_ids = _hex(sa_n, k, "aa"), _hex(sa_n, k, "bb")
            sa_n += k
            stamps = [(START + dt.timedelta(minutes=int(x))).isoformat(sep=" ") for x in
                      rng.integers(0, 60 * 24 * (40 + 7 * m), k)]
            con.executemany("INSERT INTO submitted_assignment (id, assignment_id, student_id, "
                            "timestamp) VALUES (?, ?, ?, ?)",
                            zip(sa_ids, [a_id] * k, [ids[i] for i in who], stamps))
            penalty = np.where(rng.random(k) < 0.03, 0.5, 0.0)
            con.executemany("INSERT INTO submitted_notebook (id, assignment_id, notebook_id, "
                            "flagged, late_submission_penalty) VALUES (?, ?, ?, 0, ?)",
                            zip(sn_ids, sa_ids, [nb_id] * k, penalty.tolist()))
            p = np.clip(ability[who] - difficulty + 0.15, 0.02, 0.99)
            rows = []
            for c in auto:
                score = (rng.random(k) < p).astype(float).tolist()
                rows += zip(sn_ids, [c] * k, score, [None] * k, [0] * k)
            for c in tasks:
                graded = rng.random(k) < 0.85
                manual = np.round(np.clip(p * TASK_POINTS + rng.normal(0, 0.3, k), 0,
                                          TASK_POINTS) * 2) / 2
                rows += zip(sn_ids, [c] * k, [None] * k,
                            [float(x) if g else None for x, g in zip(manual, graded)],
                            [0 if g else 1 for g in graded])
            gid = _hex(total, len(rows), "cc")
            total += len(rows)
            con.executemany("INSERT INTO grade (id, notebook_id, cell_id, auto_score, "
                            "manual_score, needs_manual_grade) VALUES (?, ?, ?, ?, ?, ?)",
                            ((g, *r) for g, r in zip(gid, rows)))
        con.commit()
    con.close()
    return total


def build(root: Path, *, learners: int, modules: int = 12, wards: int | None = None,
          seed: int = 2026, first_id: int = 1, first_ward: int = 0):
    """A workspace at ``root/ws`` with the synthetic cohort; returns it. ``first_id`` and
    ``first_ward`` shift learner ids and ward codes (several provinces, e.g. for --merge)."""
    from grading.course import workspace as W

    rng = np.random.default_rng(seed)
    root = Path(root)
    manifest = write_course(root / "course", modules)
    ws = W.init(directory=root / "ws", manifest_path=manifest, force=True)
    wards = wards or max(1, learners // 30)
    ids = write_roster(ws.root, learners, wards, rng, first_id, first_ward)
    fill_gradebook(ws.root / "gradebook.db", ids, rng)
    return ws


# Tables of nbgrader's gradebook in the order their foreign keys need.
TABLE_ORDER = ("course", "student", "assignment", "notebook", "base_cell", "grade_cells",
               "solution_cells", "task_cells", "source_cell", "submitted_assignment",
               "submitted_notebook", "grade", "comment")


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    return text


def copy_gradebook(src_db: Path, dst_url: str, chunk: int = 200_000) -> int:
    """Replace every row of the PostgreSQL gradebook at ``dst_url`` (schema made by
    ``congvu init --db-url``) by the rows of the SQLite gradebook ``src_db``, with COPY.
    The same cohort on both backends, row for row; returns the grade rows copied."""
    import io

    import sqlalchemy as sa

    src = sqlite3.connect(src_db)
    engine = sa.create_engine(dst_url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        tables = [t for t in TABLE_ORDER if src.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (t,)).fetchone()]
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        for table in tables:
            cols = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
            rows = src.execute(f"SELECT {', '.join(cols)} FROM {table}")
            while batch := rows.fetchmany(chunk):
                buf = io.StringIO("".join("\t".join(map(_copy_text, r)) + "\n" for r in batch))
                cur.copy_expert(f"COPY {table} ({', '.join(cols)}) FROM STDIN", buf)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
        cur.execute("SELECT COUNT(*) FROM grade")
        return cur.fetchone()[0]
    finally:
        raw.close()
        engine.dispose()
        src.close()
