"""Items that measure learning, not test-wiseness (issue 13).

Across each module's graded single-choice items: the key's position in the source is balanced
(no letter holds more than 40% of the keys; every letter is used once a module has 6 or more
such items), the longest option is the key in at most 40% of them, and no graded item repeats a
lesson's practice item (similarity of normalized question + options below a threshold).
Learners also see the options in an order of their own (learner/variants.py); these rules keep
the source honest for anyone who reads it in the source order (trainers, printed papers).
"""
import functools
import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from conftest import REPO

from grading.course import assessment
from grading.course import manifest as mf

MANIFEST = mf.load(REPO / "course.yml")
LETTERS = "ABCDEFGHIJ"
SHARE = 0.4
SIMILAR = 0.8  # SequenceMatcher ratio of normalized texts; near-copies score above 0.9


def _params():
    for m in MANIFEST.modules:
        yield pytest.param(m, id=m.id)


def graded_single_choice(module) -> list[tuple[dict, str]]:
    """(item, key letter) for each graded single-choice item of the module's assessment."""
    found = []
    for nb in assessment.source_notebooks(REPO / module.assessment):
        keys = assessment.answer_key(nb)
        found += [(it, keys[it["id"]]) for it in assessment.items(nb)
                  if it["kind"] == "single_choice" and isinstance(keys.get(it["id"]), str)]
    return found


def allowed(n: int) -> int:
    return max(1, int(SHARE * n))


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"^\s*câu\s+\d+\s*[.:]", "", text)
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def item_text(item: dict) -> str:
    return normalize(" ".join([item["question"], *map(str, item["options"] or [])]))


def position_problems(found: list[tuple[dict, str]]) -> list[str]:
    counts: dict[str, int] = {}
    for _, key in found:
        counts[key] = counts.get(key, 0) + 1
    problems = [f"{k}: {c} of {len(found)}" for k, c in sorted(counts.items())
                if c > allowed(len(found))]
    if len(found) >= 6:
        fewest = min(len(it["options"]) for it, _ in found)
        problems += [f"{k}: never the key" for k in LETTERS[:fewest] if k not in counts]
    return problems


def longest_problems(found: list[tuple[dict, str]]) -> list[str]:
    longest = []
    for it, key in found:  # the key alone is longest: "pick the longest" finds it for sure
        mine = len(it["options"][LETTERS.index(key)])
        if all(len(o) < mine for i, o in enumerate(it["options"]) if LETTERS[i] != key):
            longest.append(it["id"])
    return longest if len(longest) > allowed(len(found)) else []


@pytest.mark.parametrize("module", _params())
def test_key_positions_are_balanced(module):
    assert position_problems(graded_single_choice(module)) == []


@pytest.mark.parametrize("module", _params())
def test_longest_option_is_rarely_the_key(module):
    assert longest_problems(graded_single_choice(module)) == []


@functools.cache
def lesson_items() -> tuple[tuple[str, dict], ...]:
    return tuple((f"{lesson}:{it['id']}", it) for m in MANIFEST.modules for lesson in m.lessons
                 for it in assessment.items(REPO / lesson))


@pytest.mark.parametrize("module", _params())
def test_graded_items_do_not_repeat_practice_items(module):
    practice = [(where, item_text(it)) for where, it in lesson_items()]
    copies = []
    for nb in assessment.source_notebooks(REPO / module.assessment):
        for it in assessment.items(Path(nb)):
            mine = item_text(it)
            for where, theirs in practice:
                pair = SequenceMatcher(None, mine, theirs, autojunk=False)
                if pair.real_quick_ratio() < SIMILAR or pair.quick_ratio() < SIMILAR:
                    continue
                ratio = pair.ratio()
                if ratio >= SIMILAR:
                    copies.append((it["id"], where, round(ratio, 2)))
    assert copies == []


def test_the_rules_catch_a_skewed_module():
    """The checks above on hand-built items: keys all C and always the longest option."""
    opts = ["Ngắn", "Cũng ngắn", "Một phương án dài nhất, nghe rất cẩn thận và đầy đủ", "Vừa"]
    skewed = [({"id": f"c{i}", "options": opts}, "C") for i in range(6)]
    assert position_problems(skewed) == ["C: 6 of 6", "A: never the key", "B: never the key",
                                         "D: never the key"]
    assert len(longest_problems(skewed)) == 6
    fair = [({"id": f"c{i}", "options": opts}, k) for i, k in enumerate("ABDABD")]
    assert position_problems(fair) == ["C: never the key"] and longest_problems(fair) == []
    assert normalize("Câu 3. Mật khẩu   nào AN TOÀN?") == normalize("mật khẩu nào an toàn")


def declared_pools(notebook: Path) -> dict[str, tuple[set, int]]:
    """``cv.pool(name, [items], draw=k)`` in the notebook's visible cells: what learners see."""
    import ast

    import nbformat

    found = {}
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "code" or "pool(" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "pool":
                draw = {k.arg: ast.literal_eval(k.value) for k in node.keywords}["draw"]
                found[ast.literal_eval(node.args[0])] = (set(ast.literal_eval(node.args[1])),
                                                         draw)
    return found


def test_pools_draw_from_twice_as_many_items_and_grade_what_learners_see():
    """At least four modules draw from pools of at least twice as many items as drawn; the
    pool a learner sees (cv.pool) is the one graded (cv.score_pool): same items, same k, one
    graded slot per drawn item — otherwise the draw shown and the draw graded differ."""
    with_pools = []
    for module in MANIFEST.modules:
        for nb in assessment.source_notebooks(REPO / module.assessment):
            graded, shown = assessment.pools(nb), declared_pools(nb)
            assert set(graded) == set(shown), f"{module.id}: pools shown {shown} ≠ graded"
            slots: dict[str, list[int]] = {}
            for name, args, _ in assessment.solution_calls(nb):
                if name == "score_pool":
                    slots.setdefault(args[0], []).append(args[1])
            for pool, (items, k) in graded.items():
                assert shown[pool] == (set(items), k), f"{module.id}/{pool}"
                assert len(set(items)) >= 2 * k, f"{module.id}/{pool}: {len(items)} items, k={k}"
                assert sorted(slots[pool]) == list(range(1, k + 1)), f"{module.id}/{pool}"
            if graded:
                with_pools.append(module.id)
    assert len(with_pools) >= 4, with_pools
