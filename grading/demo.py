"""`make demo`: a synthetic commune cohort through the whole real pipeline.

Workspace -> roster import -> release -> learners fetch, answer and submit through nbgrader's
exchange (a realistic mix: full marks, partial, blank, missing, one broken notebook) ->
collect -> autograde -> a trainer's manual grades -> report and certificates.
"""
from __future__ import annotations

import csv
import datetime as dt
import logging
import random
from collections.abc import Callable
from pathlib import Path

from grading.course import assessment, gradebook
from grading.course import exchange as learners
from grading.course import workspace as W
from grading.engine import batch as autograde
from grading.learner import checks, items
from grading.report import certificates
from grading.report import tables as summary
from grading.report import write as report
from grading.roster import importer as roster
from grading.status import Status

log = logging.getLogger("congvu")

WARDS = [("90001", "Phường Hòa Bình"), ("90002", "Xã Tân Lập"), ("90003", "Xã Đông Hưng"),
         ("90004", "Đặc khu Hòn Ngọc")]
POSITIONS = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Chuyên viên Văn phòng HĐND và UBND",
             "Chuyên viên Trung tâm Phục vụ hành chính công", "Chuyên viên Phòng Kinh tế",
             "Chuyên viên Phòng Văn hóa - Xã hội"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Quang", "Minh", "Thanh", "Công"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Hồng", "Thanh", "Minh", "Thúy"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Long", "Nam", "Quân", "Sơn", "Tuấn",
           "Phúc", "Khoa", "Thắng"]
GIVEN_F = ["Hà", "Hạnh", "Hòa", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Thủy",
           "Trang", "Yến", "Ngân"]
FREE_TEXT = ("Tôi giữ bình tĩnh, lắng nghe, giải thích rõ quy định và báo cáo lãnh đạo "
             "theo đúng quy trình.")
# Each official follows a profile; a profile gives the odds of each (module) outcome.
# "broken" (a corrupted notebook) is set once explicitly.
PROFILES = {
    "chăm chỉ": [("full", 0.99), ("partial", 0.01)],
    "trung bình": [("full", 0.5), ("partial", 0.4), ("blank", 0.05), ("missing", 0.05)],
    "chậm": [("full", 0.2), ("partial", 0.3), ("missing", 0.5)],
    "vắng": [("missing", 1.0)],
}
PROFILE_SHARE = [("chăm chỉ", 0.45), ("trung bình", 0.3), ("chậm", 0.15), ("vắng", 0.1)]
# The terminal table: the per-ward essentials; per-module figures are in the workbook.
CERTIFICATES_DIR = "chung_nhan"  # out/demo/chung_nhan/: one PDF per commune + one per official
SUMMARY_COLUMNS = ["ward_code", "ward_name", "enrolled", "n_submitted", "n_completed",
                   "completion_rate", "n_overdue", "mean_percent"]


# History: submissions spread over the last weeks; the first half of the modules was due two
# weeks ago (so the overdue views show something); some free text still awaits the trainer.
HISTORY_DAYS = 42
PAST_DUE_DAYS = 14
PENDING_SHARE = 0.15


def _past_deadlines(ws, module_ids: list[str]) -> None:
    """Move the deadline of ``module_ids`` to two weeks ago, in the demo workspace's copy of
    the manifest and in nbgrader's gradebook."""
    import re

    day = dt.date.today() - dt.timedelta(days=PAST_DUE_DAYS)
    path = ws.manifest.path
    text = path.read_text(encoding="utf-8")
    for module_id in module_ids:
        text = re.sub(rf"(- id: {re.escape(module_id)}\n(?:    .*\n)*?    deadline: )\S+",
                      rf"\g<1>{day.isoformat()}", text, count=1)
    path.write_text(text, encoding="utf-8")
    due = dt.datetime.combine(day, dt.time(23, 59, 59))
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        for module_id in module_ids:
            gb.update_or_create_assignment(module_id, duedate=due)


def pick(odds: list[tuple[str, float]], rng: random.Random) -> str:
    return rng.choices([k for k, _ in odds], [w for _, w in odds])[0]


def synthetic_roster(path: Path, per_ward: int = 9, seed: int = 2026) -> Path:
    """Write a roster CSV of realistic (synthetic) officials: len(WARDS) × per_ward rows."""
    rng = random.Random(seed)
    rows, n = [], 0
    for code, name in WARDS:
        for i in range(per_ward):
            n += 1
            female = rng.random() < 0.5
            full = " ".join([rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M),
                             rng.choice(GIVEN_F if female else GIVEN_M)])
            position = POSITIONS[0] if i == 0 else POSITIONS[1] if i == 1 else rng.choice(
                POSITIONS[2:])
            rows.append({"ma_can_bo": f"CB{n:04d}", "ho_ten": full, "ma_don_vi": code,
                         "ten_don_vi": name, "chuc_vu": position})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def wrong(value, rng: random.Random):
    """A plausible wrong answer of the same kind as the key."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, list):
        return sorted(set(value) ^ {rng.choice("ABCD")}) or ["D"]
    return rng.choice([x for x in "ABCD" if x != value])


def do_work(kind: str, sources: list[Path], folder: Path, rng: random.Random) -> None:
    """What a learner of this kind does in the assessment folder (clicks, hands-on work)."""
    if kind == "blank":
        return
    for nb in sources:
        for name, args, kwargs in assessment.solution_calls(nb):
            if kind == "full" or rng.random() < 0.5:
                checks.solve(name, folder, *args, **kwargs)
            elif name == "score":
                items.save_answer(args[0], wrong(args[1], rng), folder)
        learners.answer(folder, {item_id: FREE_TEXT for item_id in assessment.free_text_items(nb)})


def run(*, out: Path, manifest_path: Path, jobs: int | None = None, seed: int = 2026,
        per_ward: int = 9, say: Callable[[str], None] = log.info) -> dict:
    """Run the whole demo into ``out``, telling each step to ``say``.

    Returns the report paths ("xlsx", "html", …) and "per_ward": the compact per-ward table.
    """
    rng = random.Random(seed)
    say(f"1/7 Tạo thư mục làm việc nbgrader: {out}")
    ws = W.init(directory=out, manifest_path=manifest_path, force=True)
    say("2/7 Nhập danh sách cán bộ (dữ liệu giả lập)")
    roster_csv = synthetic_roster(out / "danh_sach_can_bo.csv", per_ward, seed)
    result = roster.import_roster(workspace=ws.root, file=roster_csv, db_url=ws.db_url,
                                  course_id=ws.course_id, positions=ws.manifest.positions,
                                  today=dt.date.today() - dt.timedelta(days=HISTORY_DAYS))
    say(f"    {result.total} cán bộ, {len(WARDS)} đơn vị")
    say("3/7 Phát bài lên kho trao đổi (nbgrader release_assignment)")
    modules = W.release(ws)
    _past_deadlines(ws, modules[: max(1, len(modules) // 2)])
    ws = W.open_workspace(ws.root)  # the manifest with the moved deadlines
    people = list(roster.load(ws.root)["learner_id"])
    say("4/7 Cán bộ nhận bài, bấm chọn đáp án và nộp bài (nbgrader fetch/submit)")
    broken = (people[3], modules[0])
    profile = {learner: pick(PROFILE_SHARE, rng) for learner in people}
    plan, now = {}, dt.datetime.now()
    history = {(learner, module_id): now - dt.timedelta(days=rng.randint(0, HISTORY_DAYS),
                                                        hours=rng.randint(0, 8))
               for learner in people for module_id in modules}
    for module_id in modules:
        src = assessment.source_notebooks(ws.root / "source" / module_id)
        for learner in people:
            kind = pick(PROFILES[profile[learner]], rng)
            kind = "broken" if (learner, module_id) == broken else kind
            plan[learner, module_id] = kind
            if kind == "missing":
                continue
            home = out / "hoc_vien" / learner
            folder = learners.fetch(ws, home, module_id, learner)
            do_work("full" if kind == "broken" else kind, src, folder, rng)
            if kind == "broken":
                notebook = src[0].name
                (folder / notebook).write_text('{"cells": [', encoding="utf-8")
            learners.submit(ws, home, module_id, learner)
    say("5/7 Thu bài và chấm tự động bằng nbgrader")
    from grading.engine import sandbox as sb

    isolate, why = sb.available()  # synthetic data: without isolation, grade flagged unsandboxed
    if not isolate:
        say(f"    ! không có sandbox ({why}): chấm không cách ly, đánh dấu 'unsandboxed'")
    for module_id in modules:
        autograde.collect(ws, module_id)
        status = autograde.grade(workspace=ws, assignment=module_id, jobs=jobs,
                                 sandbox=None if isolate else False)
        for row in status[status["status"] != Status.GRADED].itertuples():
            say(f"    ! {row.learner_id}: {row.reason}")
    from nbgrader.api import MissingEntry

    say("6/7 Giảng viên chấm câu tự luận (mô phỏng trong formgrader; một số bài còn chờ chấm)")
    waiting: set[str] = set()
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        for (learner, module_id), kind in plan.items():
            if kind not in ("full", "partial"):
                continue
            try:
                submission = gb.find_submission(module_id, learner)
            except MissingEntry:  # its grading failed (the status says why)
                continue
            submission.timestamp = history[learner, module_id]
            if module_id not in waiting or rng.random() < PENDING_SHARE:
                waiting.add(module_id)  # at least one per module, so the views show it
                continue  # the trainer has not read this free text yet: "chờ chấm"
            src = assessment.source_notebooks(ws.root / "source" / module_id)
            for nb in src:
                for item_id, points in assessment.free_text_items(nb).items():
                    grade = gb.find_grade(item_id, nb.stem, module_id, learner)
                    grade.manual_score = points if kind == "full" else round(points / 2)
        gb.db.commit()
    say("7/7 Lập báo cáo; cấp giấy chứng nhận cho người hoàn thành một mảng")
    tables = summary.build_tables(ws)
    titles = {m.id: m.title.vi for m in ws.manifest.modules}
    paths = report.write_report(tables, out, module_titles=titles)
    issued = certificates.write_certificates(ws, out / CERTIFICATES_DIR)
    per_ward = tables["per_ward"]
    return {**paths, "per_ward": per_ward[[c for c in SUMMARY_COLUMNS if c in per_ward]],
            "titles": titles, "certificates": issued["certificates"],
            "certificate_files": issued["files"], "certificates_dir": issued["out"]}
