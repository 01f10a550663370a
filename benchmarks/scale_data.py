"""A synthetic cohort in a real workspace, for the scale benchmark and the dashboard test.

``build(root, learners=..., modules=...)`` writes a course of N modules (each assessment has 8
autograded test cells of 1 point and one manually graded task of 2 points), creates the
workspace with ``congvu init`` (nbgrader's own generate_assignment fills the cell tables), then
fills nbgrader's student, submission and grade tables inside the database (``fill_gradebook``,
SQLite or PostgreSQL, the same cohort on both): realistic scores (learner ability × module
difficulty), about 10 % of (learner, module) pairs not submitted, 85 % of free-text tasks
graded by hand (the rest await a trainer), some late penalties. The roster
(``congvu/roster.csv``) is written directly with joiners and leavers. All names and codes are
synthetic (codes 9xxxx are not official commune codes). Synthetic ids are increasing hex
strings (nbgrader's are random uuid4 hex), which flatters the databases' locality a little.

Size: one file with the course, roster, gradebook filler and the SQLite → PostgreSQL copy the
equality test uses, so that every synthetic cohort comes from one place.
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


# SQL differences between the two backends the synthetic gradebook is built on.
DIALECTS = {
    "sqlite": {"id": "printf('{tag}%030x', {n})", "clamp": "max({lo}, min({hi}, {x}))",
               "ts": "ts"},
    "postgresql": {"id": "'{tag}' || lpad(to_hex({n}), 30, '0')",
                   "clamp": "greatest({lo}, least({hi}, {x}))", "ts": "CAST(ts AS TIMESTAMP)"},
}
# A pseudo-random integer in [0, 1000003) from integers, the same on SQLite and PostgreSQL
# (64-bit integer arithmetic only): scores are drawn by the database, not row by row in Python.
HASH = "((({x}) % 1000003) * (({x}) % 1000003) + 7 * (({x}) % 1000003)) % 1000003"


def _hash(*terms: str) -> str:
    return HASH.format(x=" + ".join(terms))


def grades_sql(backend: str) -> str:
    """INSERT … SELECT of every grade row from the staged submissions × the cells: auto cells
    pass with the submission's probability, 85 % of free-text tasks carry a trainer's score in
    half points (the rest await one)."""
    d = DIALECTS[backend]
    gid = d["id"].format(tag="cc", n="s.n * 16 + c.k")
    sn = d["id"].format(tag="bb", n="s.n")
    draw = _hash("s.n * 2654435761", "c.k * 40503", "s.m * 7919")
    graded = _hash("s.n * 1103515245", "12345")
    halves = d["clamp"].format(lo=0, hi=4, x="(s.p1000 * 4 + " + _hash(
        "s.n * 69069", "777") + " % 1200 - 100) / 1000")
    return f"""
INSERT INTO grade (id, notebook_id, cell_id, auto_score, manual_score, extra_credit,
                   needs_manual_grade)
SELECT {gid}, {sn}, c.cell_id,
       CASE WHEN c.task = 1 THEN NULL WHEN {draw} % 1000 < s.p1000 THEN 1.0 ELSE 0.0 END,
       CASE WHEN c.task = 1 AND {graded} % 100 < 85 THEN ({halves}) / 2.0 END,
       NULL,
       CASE WHEN c.task = 1 AND {graded} % 100 >= 85 THEN TRUE ELSE FALSE END
FROM bench_sub s JOIN bench_cell c ON c.nb_id = s.nb_id""" + (
        "\nORDER BY s.n, c.k" if backend == "sqlite" else "")  # PostgreSQL: hash join, n order


def submissions_sql(backend: str) -> list[str]:
    d = DIALECTS[backend]
    sa_id, sn_id = d["id"].format(tag="aa", n="n"), d["id"].format(tag="bb", n="n")
    return [f"INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp) "
            f"SELECT {sa_id}, a_id, student_id, {d['ts']} FROM bench_sub ORDER BY n",
            f"INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged, "
            f"late_submission_penalty) SELECT {sn_id}, {sa_id}, nb_id, FALSE, penalty "
            f"FROM bench_sub ORDER BY n"]


STAGE = {"bench_sub": "n {key}, m INTEGER, a_id VARCHAR(32), nb_id VARCHAR(32), "
                      "student_id VARCHAR(128), ts VARCHAR(32), penalty FLOAT, p1000 INTEGER",
         "bench_cell": "nb_id VARCHAR(32), cell_id VARCHAR(32), k INTEGER, task INTEGER"}


class _Target:
    """Raw DB-API access to the gradebook being filled: SQLite (sqlite3, no journal) or
    PostgreSQL (psycopg2, staged rows sent with COPY)."""

    def __init__(self, db_url: str):
        import sqlalchemy as sa

        url = sa.engine.make_url(db_url)
        self.backend = url.get_backend_name()
        if self.backend == "sqlite":
            self.con = sqlite3.connect(url.database)
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144"):
                self.con.execute(f"PRAGMA {pragma}")
        else:
            self.engine = sa.create_engine(db_url)
            self.con = self.engine.raw_connection()
            # A bulk load, as pg_restore --disable-triggers does it: without this, PostgreSQL
            # queues a foreign-key check per grade row (two lookups each, 80 M for 250,000 ×
            # 20) and runs them at the end of the statement. The rows are consistent by
            # construction; needs a superuser (the test role of .ci/run is one).
            self.con.cursor().execute("SET synchronous_commit TO off; "
                                      "SET session_replication_role TO replica")

    def run(self, sql: str, params=()):
        cur = self.con.cursor()
        cur.execute(sql, params) if params else cur.execute(sql)
        return cur

    def put(self, table: str, frame) -> None:
        """Append a pandas frame (columns in the table's order) to a staging table."""
        if self.backend == "sqlite":
            marks = ", ".join("?" * frame.shape[1])
            self.con.executemany(f"INSERT INTO {table} VALUES ({marks})",
                                 frame.itertuples(index=False, name=None))
        else:
            import io

            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False)
            buf.seek(0)
            self.con.cursor().copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buf)

    def close(self) -> None:
        self.con.commit()
        self.con.close()
        if self.backend != "sqlite":
            self.engine.dispose()


def fill_gradebook(db_url: str, ids: list[str], rng) -> int:
    """Students, submissions and grades for every (learner, module) of a gradebook made by
    ``congvu init`` (SQLite or PostgreSQL). numpy draws who submitted, when, any late penalty
    and each submission's chance per item (ability × module difficulty) into a staging table;
    the database then writes nbgrader's rows with INSERT … SELECT (the grade rows' scores from
    an integer hash, identical on both backends). The kit's index on ``grade`` is dropped
    meanwhile, and the score table and its triggers, and made again by the migration, as
    ``congvu migrate`` would. Returns grade rows."""
    import pandas as pd
    import sqlalchemy as sa

    from grading.course import migrate, score_table

    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # no trigger per row of a bulk load: filled afterwards
        score_table.drop_on(conn)
    engine.dispose()
    db = _Target(db_url)
    key = "INTEGER PRIMARY KEY" if db.backend == "sqlite" else "BIGINT"  # rows kept in n order
    for table, cols in STAGE.items():
        db.run(f"DROP TABLE IF EXISTS {table}")
        db.run(f"CREATE TABLE {table} ({cols.format(key=key)})")
    db.run("CREATE INDEX bench_cell_nb ON bench_cell (nb_id, k)")
    db.put("student", pd.DataFrame({"id": ids, "first_name": "", "last_name": ids,
                                    "email": None, "lms_user_id": None})[
        [r[0] for r in db.run("SELECT * FROM student WHERE 1 = 0").description]])
    assignments = db.run("SELECT a.id, a.name, n.id FROM assignment a JOIN notebook n "
                         "ON n.assignment_id = a.id ORDER BY a.name").fetchall()
    ability = rng.beta(5, 2, len(ids))
    learners = np.array(ids, dtype=object)
    n0 = 0
    for m, (a_id, _, nb_id) in enumerate(assignments):
        cells = db.run(
            "SELECT bc.id, CASE WHEN gc.id IS NULL THEN 1 ELSE 0 END FROM base_cell bc "
            "LEFT JOIN grade_cells gc ON gc.id = bc.id LEFT JOIN task_cells tc ON tc.id = bc.id "
            f"WHERE bc.notebook_id = '{nb_id}' AND (gc.id IS NOT NULL OR tc.id IS NOT NULL) "
            "ORDER BY bc.name").fetchall()
        db.put("bench_cell", pd.DataFrame({"nb_id": nb_id, "cell_id": [c for c, _ in cells],
                                           "k": range(len(cells)),
                                           "task": [t for _, t in cells]}))
        who = np.flatnonzero(rng.random(len(ids)) < 0.9)  # about 10 % never submit a module
        k = len(who)
        minutes = rng.integers(0, 60 * 24 * (40 + 7 * m), k).astype("timedelta64[m]")
        stamps = pd.Series(np.datetime64(START) + minutes).dt.strftime("%Y-%m-%d %H:%M:%S")
        p = np.clip(ability[who] - 0.1 * (m % 4) + 0.15, 0.02, 0.99)
        db.put("bench_sub", pd.DataFrame({
            "n": np.arange(n0, n0 + k), "m": m, "a_id": a_id, "nb_id": nb_id,
            "student_id": learners[who], "ts": stamps.to_numpy(),
            "penalty": np.where(rng.random(k) < 0.03, 0.5, 0.0),
            "p1000": (p * 1000).astype(int)}))
        n0 += k
    for sql in submissions_sql(db.backend):
        db.run(sql)
    for name in migrate.INDEXES:
        db.run(f"DROP INDEX IF EXISTS {name}")
    db.run(grades_sql(db.backend))
    total = db.run("SELECT COUNT(*) FROM grade").fetchone()[0]
    for table in STAGE:
        db.run(f"DROP TABLE {table}")
    db.close()
    migrate.upgrade(db_url)
    return total


def build(root: Path, *, learners: int, modules: int = 12, wards: int | None = None,
          seed: int = 2026, first_id: int = 1, first_ward: int = 0, db_url: str | None = None,
          folder: str = "ws"):
    """A workspace at ``root/folder`` with the synthetic cohort; returns it. ``first_id`` and
    ``first_ward`` shift learner ids and ward codes (several provinces, e.g. for --merge);
    ``db_url`` puts the gradebook in PostgreSQL (same seed: the same cohort as on SQLite)."""
    from grading.course import workspace as W

    rng = np.random.default_rng(seed)
    root = Path(root)
    manifest = write_course(root / "course", modules)
    ws = W.init(directory=root / folder, manifest_path=manifest, force=True, db_url=db_url)
    wards = wards or max(1, learners // 30)
    ids = write_roster(ws.root, learners, wards, rng, first_id, first_ward)
    fill_gradebook(ws.db_url, ids, rng)
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
