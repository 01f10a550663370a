"""Per-learner option order: deterministic, graded by identity, shown in the learner's order."""
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from grading.learner import answers, variants
from grading.learner import items as cv

OPTIONS = ["Một", "Hai", "Ba", "Bốn", "Năm"]


@pytest.fixture
def module_folder(tmp_path, monkeypatch):
    """An assignment folder as a learner's lab has it: ``<home>/<module>``."""
    folder = tmp_path / "home" / "cntt_antt"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CONGVU_LEARNER", "an")
    return folder


def shown(box) -> list[tuple[str, str]]:
    return [tuple(o) for o in box._meta["options"]]


def test_assignment_names_carry_module_and_attempt():
    assert variants.split_assignment("cntt_antt") == ("cntt_antt", 1)
    assert variants.split_assignment("cntt_antt__lan3") == ("cntt_antt", 3)
    assert variants.split_assignment("__lan2") == ("__lan2", 1)
    assert variants.attempt_name("cntt_antt", 2) == "cntt_antt__lan2"
    assert variants.attempt_name("cntt_antt", 1) == "cntt_antt"


def test_learner_is_read_from_the_grader_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CONGVU_LEARNER", raising=False)
    folder = tmp_path / "autograded" / "hoa" / "cntt_antt"
    folder.mkdir(parents=True)
    assert variants.context(folder) == ("hoa", "cntt_antt", 1)
    monkeypatch.setenv("CONGVU_LEARNER", "binh")  # the sandbox says who it is
    assert variants.context(folder) == ("binh", "cntt_antt", 1)


def test_order_is_a_stable_function_of_learner_module_attempt_item():
    p = variants.permutation
    assert sorted(p(5, "an", "m", 1, "c1")) == list(range(5))
    assert p(5, "an", "m", 1, "c1") == p(5, "an", "m", 1, "c1")
    # fixed value: the order must never change between releases of the kit (regrading)
    assert p(4, "an", "cntt_antt", 1, "c1") == [0, 3, 2, 1]
    assert p(3, "binh", "mini", 1, "c1") == [2, 1, 0]
    orders = {tuple(p(5, who, "m", att, item)) for who in ("an", "binh", "chi")
              for att in (1, 2) for item in ("c1", "c2")}
    assert len(orders) >= 10  # 12 draws of 120 orders: almost all differ


def test_learner_sees_own_order_and_answer_is_the_identity(module_folder, monkeypatch):
    box = cv.single_choice("c1", "Câu 1?", OPTIONS)
    order = variants.order("c1", 5)
    assert shown(box) == [(f"{'ABCDE'[pos]}. {OPTIONS[i]}", "ABCDE"[i])
                          for pos, i in enumerate(order)]
    assert order != list(range(5))  # this learner's order is not the source order
    box.children[1].value = "D"  # identity of "Bốn", wherever it is shown
    saved = answers.load_answers()
    assert saved["c1"] == "D" and saved[variants.ORDER_KEY]["c1"] == "".join(
        "ABCDE"[i] for i in order)
    again = cv.single_choice("c1", "Câu 1?", OPTIONS)  # reopen: same order, same choice
    assert shown(again) == shown(box) and again.children[1].value == "D"
    monkeypatch.setenv("CONGVU_LEARNER", "binh")
    other = cv.single_choice("c1", "Câu 1?", OPTIONS)
    assert shown(other) != shown(box) and other.children[1].value == "D"


def test_multiple_choice_is_shuffled_and_stored_by_identity(module_folder):
    box = cv.multiple_choice("c2", "Câu 2?", OPTIONS)
    ticks = box.children[1].children
    ids = [letter for _, letter in shown(box)]
    for tick, letter in zip(ticks, ids):
        tick.value = letter in ("A", "E")
    assert answers.answer("c2") == ["A", "E"]


def test_practice_items_and_opt_out_keep_source_order(module_folder):
    practice = cv.single_choice("p1", "Luyện tập?", OPTIONS, key="B")
    fixed = cv.single_choice("c3", "Câu 3?", OPTIONS, shuffle=False)
    for box in (practice, fixed):
        assert shown(box) == [(f"{'ABCDE'[i]}. {t}", "ABCDE"[i]) for i, t in enumerate(OPTIONS)]


def test_feedback_names_the_letter_the_learner_saw(module_folder, capsys):
    cv.single_choice("c1", "Câu 1?", OPTIONS)
    answers.save_answer("c1", "A")
    seen = "ABCDE"[variants.order("c1", 5).index(0)]
    answers.score("c1", "B")
    err = capsys.readouterr().err
    assert err == f"Câu trả lời chưa đúng (bạn chọn: {seen}).\n" and seen != "A"
    # a learner who edits the recorded order only changes what they read, never the score
    data = answers.load_answers()
    data[variants.ORDER_KEY]["c1"] = "ZZZ"
    answers.answers_path().write_text(json.dumps(data), encoding="utf-8")
    answers.score("c1", "A")
    assert capsys.readouterr().out.startswith("Đúng.")
    answers.score("c1", "C")
    assert "bạn chọn: A)" in capsys.readouterr().err


# --------------------------------------------------------------------------- real nbgrader
PIECES = {"n1": True, "n2": False, "n3": True}


def _shuffled_course(tmp: Path) -> Path:
    """The tiny course with its choice items shuffled (the fixture pins their order) and a
    pool of three statements of which each learner gets one."""
    from conftest import MINI

    course = tmp / "course"
    shutil.copytree(MINI.parent, course)
    path = course / "assessments" / "mini" / "mini.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace(",\n    shuffle=False)", ")")

    def locked(gid, source, **extra):
        meta = {"grade": False, "grade_id": gid, "locked": True, "schema_version": 3,
                "solution": False, "task": False, **extra}
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})

    # a pool: each learner answers 1 of 3 statements, graded by slot
    nb.cells += [locked("p1_de", f"cv.pool('p1', {list(PIECES)!r}, draw=1)")]
    nb.cells += [locked(f"{i}_de", f"cv.true_false({i!r}, 'Nhận định {i}.')") for i in PIECES]
    nb.cells += [locked("p1_1", "### BEGIN HIDDEN TESTS\n"
                        f"cv.score_pool('p1', 1, 1, {PIECES!r})\n### END HIDDEN TESTS",
                        grade=True, points=1)]
    nbformat.write(nb, str(path))
    assert "shuffle" not in path.read_text(encoding="utf-8")
    manifest = course / "course.yml"  # two attempts; the last one counts
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("    pass_mark: 60\n", "    pass_mark: 60\n    retakes: "
                                     "{attempts: 2, wait_days: 0, result: last}\n", 1),
                        encoding="utf-8")
    assert "retakes" in manifest.read_text(encoding="utf-8")
    return manifest


def _hand_grade(ws, assignment: str, points: dict[str, float]) -> None:
    """The trainer's hand grade of the free-text items (as formgrader writes it)."""
    from grading.course import assessment, gradebook

    nb = assessment.source_notebooks(ws.root / "source" / "mini")[0]
    with gradebook.connect(ws.db_url, ws.course_id) as gb:
        for item in assessment.free_text_items(nb):
            for who, share in points.items():
                grade = gb.find_grade(item, nb.stem, assignment, who)
                grade.manual_score = share * grade.max_score
        gb.db.commit()


def _item_outputs(nb_path: Path) -> dict[str, dict]:
    nb = nbformat.read(str(nb_path), as_version=4)
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get(cv.META_KEY)
            if meta:
                found[meta["id"]] = meta
    return found


@pytest.mark.kernel
def test_orders_pools_and_retakes_through_nbgrader(tmp_path):
    """Shared positions score differently; every learner's order and draw come back at
    autograde; a retake is a new draw, graded, and the report follows the policy."""
    from grading import columns as C
    from grading.course import exchange as learners
    from grading.course import gradebook
    from grading.course import workspace as W
    from grading.engine import batch
    from grading.report import attempts, retake, tables
    from grading.roster import importer as roster

    ws = W.init(directory=tmp_path / "ws", manifest_path=_shuffled_course(tmp_path))
    (tmp_path / "ds.csv").write_text(
        "ma_can_bo,ho_ten,ma_don_vi,ten_don_vi,chuc_vu\n" + "".join(
            f"{who},Cán bộ {who},{('90001,Phường Hòa Bình', '90002,Xã Tân Lập')[i % 2]},"
            "Chuyên viên\n"
            for i, who in enumerate(("an", "binh", "chi", "dung"))), encoding="utf-8")
    roster.import_roster(workspace=ws.root, file=tmp_path / "ds.csv", db_url=ws.db_url,
                         course_id=ws.course_id)
    W.release(ws)
    key = {"c1": "C", "c2": ["A", "B"], "c3": False}
    order = {who: {item: variants.permutation(n, who, "mini", 1, item)
                   for item, n in (("c1", 3), ("c2", 3))} for who in ("an", "binh")}
    assert order["an"] != order["binh"]
    # "binh" clicks the positions "an" clicked: the same places on the screen
    copied = {item: ["ABC"[order["binh"][item][order["an"][item].index("ABC".index(k))]]
                     for k in (v if isinstance(v, list) else [v])]
              for item, v in key.items() if item != "c3"}
    copied = {"c1": copied["c1"][0], "c2": sorted(copied["c2"]), "c3": False}
    drawn = {who: variants.draw_for(who, "mini", 1, "p1", list(PIECES), 1)
             for who in ("an", "binh", "chi", "dung")}
    others = {i: PIECES[i] for i in PIECES if i not in drawn["binh"]}  # binh: not their draw
    plan = {"an": {**key, **PIECES}, "binh": {**copied, **others},
            "chi": {**key, drawn["chi"][0]: PIECES[drawn["chi"][0]]}, "dung": {}}
    for who, given in plan.items():
        folder = learners.fetch(ws, tmp_path / "homes" / who, "mini", who)
        learners.answer(folder, given)
        learners.submit(ws, tmp_path / "homes" / who, "mini", who)
    batch.collect(ws, "mini")
    status = batch.grade(workspace=ws, assignment="mini", jobs=2, progress=False)
    assert set(status[C.STATUS]) == {"graded"}
    grades = gradebook.read_grades(ws.db_url)
    got = {(r[C.LEARNER], r[C.ITEM]): r[C.SCORE] for _, r in grades.iterrows()
           if r[C.ITEM] in ("c1", "c2", "p1_1")}
    assert {who: got[(who, "p1_1")] for who in plan} == {"an": 1.0, "binh": 0.0, "chi": 1.0,
                                                         "dung": 0.0}
    assert got[("an", "c1")] == got[("an", "c2")] == 1.0  # the solution: full marks
    assert got[("chi", "c1")] == got[("chi", "c2")] == 1.0
    assert got[("dung", "c1")] == got[("dung", "c2")] == 0.0  # blank: nothing
    copied_right = [copied[i] == key[i] for i in ("c1", "c2")]
    assert [got[("binh", i)] == 1.0 for i in ("c1", "c2")] == copied_right
    assert not all(copied_right)  # the copy by position did not earn full marks
    # autograde ran each notebook in its learner's own order (the feedback shows it)
    auto = ws.root / "autograded"
    for who in ("an", "binh"):
        items = _item_outputs(auto / who / "mini" / "mini.ipynb")
        labels = [letter for _, letter in items["c1"]["options"]]
        assert labels == ["ABC"[i] for i in order[who]["c1"]]
        shown = [i for i in PIECES if items[i]["kind"] != cv.NOT_DRAWN]
        assert shown == drawn[who]  # the learner's own draw, again at autograde

    # ---- retakes: the trainer grades the free text (until then nobody has failed: "chờ
    # chấm"), feedback is released; binh and dung (not passed) may take attempt 2
    from grading import api

    _hand_grade(ws, "mini", {"an": 1.0, "binh": 0.0, "chi": 1.0, "dung": 0.0})
    api.feedback(workspace=ws, module="mini", release=False)  # feedback/ written: the clock starts
    opened = retake.open_retake(ws, "mini")
    assert sorted(opened[C.LEARNER]) == ["binh", "dung"]
    assert set(opened[attempts.ATTEMPT]) == {2}
    second = variants.draw_for("binh", "mini", 2, "p1", list(PIECES), 1)
    for who, given in (("binh", {**key, **PIECES}), ("an", {})):  # an was not allowed
        folder = learners.fetch(ws, tmp_path / "homes2" / who, "mini__lan2", who)
        learners.answer(folder, given)
        learners.submit(ws, tmp_path / "homes2" / who, "mini__lan2", who)
    batch.collect(ws, "mini__lan2")
    status = batch.grade(workspace=ws, assignment="mini__lan2", jobs=2, progress=False)
    assert set(status[C.STATUS]) == {"graded"}
    _hand_grade(ws, "mini__lan2", {"binh": 1.0})
    items = _item_outputs(ws.root / "autograded" / "binh" / "mini__lan2" / "mini.ipynb")
    assert [i for i in PIECES if items[i]["kind"] != cv.NOT_DRAWN] == second
    lm, _ = tables.learner_modules(ws)
    res = lm.set_index(C.LEARNER)[[C.PASSED, attempts.ATTEMPT, attempts.ATTEMPTS]]
    assert res.loc["binh"].tolist() == [True, 2, 2]  # the retake counts (policy: last)
    assert res.loc["an"].tolist() == [True, 1, 1]  # an's unopened blank attempt is left out
    assert res.loc["dung"].tolist() == [False, 1, 1]
    wards = attempts.per_ward(lm).set_index(C.WARD_CODE)
    assert wards["n_retook"].sum() == 1 and wards[attempts.ATTEMPTS].sum() == 5


# --------------------------------------------------------------------------- pools
POOL = {"c1": "A", "c2": "B", "c3": True, "c4": "C", "c5": False}


@pytest.fixture
def fresh_pools(monkeypatch):
    monkeypatch.setattr(cv, "_POOLS", {})


def test_a_pool_draws_k_items_per_learner_and_shows_only_those(module_folder, fresh_pools,
                                                              monkeypatch):
    drawn = variants.draw("p1", list(POOL), 2)
    assert len(drawn) == 2 and drawn == variants.draw("p1", list(POOL), 2)
    draws = set()
    for who in ("an", "binh", "chi", "dung", "em"):
        monkeypatch.setenv("CONGVU_LEARNER", who)
        draws.add(tuple(variants.draw("p1", list(POOL), 2)))
    assert len(draws) >= 3  # 20 ordered draws possible: learners differ
    monkeypatch.setenv("CONGVU_LEARNER", "an")
    cv.pool("p1", list(POOL), draw=2)
    boxes = {i: cv.true_false(i, f"Câu {i}.") for i in POOL}
    assert {i for i, b in boxes.items() if b._meta["kind"] != cv.NOT_DRAWN} == set(drawn)
    assert answers.load_answers()[variants.DRAW_KEY] == {"p1": drawn}
    # the next attempt is another nbgrader assignment (cntt_antt__lan2): a new draw
    again = [variants.draw("p1", list(POOL), 2, folder=module_folder.parent / f"cntt_antt__lan{n}")
             for n in range(2, 8)]
    assert any(d != drawn for d in again)


def test_pool_slots_grade_the_drawn_item_and_solutions_cover_any_draw(module_folder, capsys):
    drawn = variants.draw("p1", list(POOL), 2)
    answers.save_answer(drawn[0], POOL[drawn[0]])  # slot 1 right, slot 2 unanswered
    answers.score_pool("p1", 1, 2, POOL)
    out = capsys.readouterr()
    assert out.err == "" and out.out == f"Câu {drawn[0]}:\nĐúng.\n"
    # one explanation per item: the learner reads the one of the item they drew
    answers.score_pool("p1", 1, 2, POOL, explanation={i: f"Vì {i}." for i in POOL})
    assert capsys.readouterr().out == f"Câu {drawn[0]}:\nĐúng.\nGiải thích: Vì {drawn[0]}.\n"
    answers.score_pool("p1", 2, 2, POOL)
    assert "Chưa trả lời" in capsys.readouterr().err
    # the learner cannot pick their own draw: a forged record changes nothing
    answers.record_draw("p1", [drawn[1], drawn[0]])
    answers.score_pool("p1", 1, 2, POOL)
    assert capsys.readouterr().err == ""
    solution = module_folder.parent / "solution" / "cntt_antt"
    solution.mkdir(parents=True)
    from grading.learner import checks
    checks.solve("score_pool", solution, "p1", 1, 2, POOL)
    assert answers.load_answers(solution) == POOL
