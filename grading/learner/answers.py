"""Learners' answers: the ``cau_tra_loi.json`` file, how answers read, and the graded checks.

Every item widget (``grading/items.py``) writes here at each click or keystroke; hidden test
cells call ``score``, ``score_number`` or ``score_text`` with literal arguments, in the
submission folder, after nbgrader has run the notebook. A check prints "Đúng." for full
points, or writes to stderr (nbgrader scores the cell 0) naming only the learner's own answer,
never the key; an ``explanation`` is printed either way, so the learner's feedback teaches.
"""
from __future__ import annotations

import html
import json
import logging
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not on Linux: one process at a time is all we can promise
    fcntl = None

from grading.files import write_atomic
from grading.learner.variants import DRAW_KEY, ORDER_KEY, draw, shown_letters
from grading.vntext import to_nfc

log = logging.getLogger("congvu")
ANSWERS_FILE = "cau_tra_loi.json"
UNANSWERED = "(chưa trả lời)"


# --------------------------------------------------------------------------- storage
def answers_path(folder: str | os.PathLike | None = None) -> Path:
    return Path(folder or os.getcwd()) / ANSWERS_FILE


def load_answers(folder: str | os.PathLike | None = None) -> dict[str, Any]:
    """All saved answers of the assignment folder ({} if none or unreadable)."""
    path = answers_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("tệp trả lời %s không đọc được (%s): coi như chưa trả lời", path, exc)
        return {}
    if not isinstance(data, dict):
        log.warning("tệp trả lời %s không đúng dạng: coi như chưa trả lời", path)
        return {}
    return data


_WRITING = threading.Lock()


@contextmanager
def _one_writer(folder: Path) -> Iterator[None]:
    """Hold the folder's answers for one read-modify-write. With ipykernel 7 and JupyterLab's
    default, a kernel handles its first widget message in the main thread and later ones in a
    subshell thread, at the same time; and a learner may have an assessment open twice (the
    lab and the home page). Without this, two saves that overlap each keep only their own."""
    with _WRITING:
        if fcntl is None:
            yield
            return
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock


def _update(folder: str | os.PathLike | None, change: Callable[[dict[str, Any]], bool]) -> None:
    """Apply ``change`` to the saved answers and write them back atomically if it says so."""
    path = answers_path(folder)
    with _one_writer(path.parent):
        data = load_answers(folder)
        if change(data):
            text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
            write_atomic(path, text.encode("utf-8"))


def save_answer(item_id: str, value: Any, folder: str | os.PathLike | None = None) -> None:
    """Record one answer atomically (write a temporary file, then rename); empty = unanswered."""
    def change(data: dict[str, Any]) -> bool:
        if value is None or value == "" or value == []:
            data.pop(item_id, None)
        else:
            data[item_id] = to_nfc(value)
        return True

    _update(folder, change)


def answer(item_id: str, folder: str | os.PathLike | None = None) -> Any:
    """The learner's saved answer, or None if unanswered."""
    return load_answers(folder).get(item_id)


def _record(key: str, name: str, value: Any, folder: str | os.PathLike | None) -> None:
    """Note ``value`` under ``data[key][name]`` (written only when it changes)."""
    def change(data: dict[str, Any]) -> bool:
        notes = data.get(key) if isinstance(data.get(key), dict) else {}
        if notes.get(name) == value:
            return False
        data[key] = {**notes, name: value}
        return True

    _update(folder, change)


def record_order(item_id: str, letters: str, folder: str | os.PathLike | None = None) -> None:
    """Note the order a shuffled item was shown in (identity letters), for the feedback."""
    _record(ORDER_KEY, item_id, letters, folder)


def record_draw(pool: str, drawn: list[str], folder: str | os.PathLike | None = None) -> None:
    """Note which items of a pool the learner was given (feedback, reports, regrading)."""
    _record(DRAW_KEY, pool, list(drawn), folder)


def shown_answer(item_id: str, given: Any, folder: str | os.PathLike | None = None) -> str:
    """The answer as the learner saw it: their own letters for a shuffled item."""
    orders = answer(ORDER_KEY, folder)
    recorded = orders.get(item_id) if isinstance(orders, dict) else None
    shown = shown_letters(given, recorded, "ABCDEFGHIJ")
    return describe(given) if shown is None else shown


# --------------------------------------------------------------------------- numbers and text
_GROUPED = {".": re.compile(r"[1-9]\d{0,2}(\.\d{3})+"), ",": re.compile(r"[1-9]\d{0,2}(,\d{3})+")}


def parse_number(text: str) -> float | None:
    """Read a number as Vietnamese officials type it; None if it is not one.

    "12,5" and "12.5" are 12.5 (comma is the Vietnamese decimal mark); "1.500.000", "1.500"
    and "1 500" are thousands; with both marks, the last one is the decimal mark.
    """
    s = re.sub(r"[\s\u00a0\u202f]", "", unicodedata.normalize("NFC", str(text)))
    sign = -1.0 if s[:1] in ("-", "\u2212") else 1.0
    s = s[1:] if s[:1] in ("+", "-", "\u2212") else s
    if not re.fullmatch(r"\d[\d.,]*\d|\d", s):
        return None
    if "." in s and "," in s:
        last = max(s.rfind("."), s.rfind(","))
        thousands = "," if s[last] == "." else "."
        whole, frac = s[:last], s[last + 1:]
        if not frac.isdigit() or not (_GROUPED[thousands].fullmatch(whole) or whole.isdigit()):
            return None
        return sign * float(whole.replace(thousands, "") + "." + frac)
    for mark in (".", ","):
        if s.count(mark) > 1 or (mark == "." and _GROUPED["."].fullmatch(s)):
            return sign * float(s.replace(mark, "")) if _GROUPED[mark].fullmatch(s) else None
        if mark in s:
            return sign * float(s.replace(mark, "."))
    return sign * float(s)


def format_number(value: float) -> str:
    """Unambiguous Vietnamese notation: decimal comma, space between thousands (1 500 000; 12,5)."""
    text = f"{value:.10g}"
    if "e" in text:
        return text.replace(".", ",")
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}".replace(",", " ")
    return sign + grouped + ("," + frac if frac else "")


def normalize_text(text: str, *, ignore_accents: bool = False) -> str:
    """Compare short answers ignoring case, spacing and end punctuation (and accents if asked)."""
    s = " ".join(unicodedata.normalize("NFC", str(text)).split()).strip(" .;:!?\"'“”").casefold()
    if ignore_accents:
        s = "".join(ch for ch in unicodedata.normalize("NFD", s.replace("đ", "d"))
                    if not unicodedata.combining(ch))
    return s


def describe(value: Any) -> str:
    """Human-readable form of a stored answer, in Vietnamese."""
    if value is None or value == [] or value == "":
        return UNANSWERED
    if isinstance(value, bool):
        return "Đúng" if value else "Sai"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------- matching
def same(given: Any, key: Any) -> bool:
    """Compare only plain JSON values: never call a learner-controlled __eq__."""
    if type(given) not in (str, bool, int, float, list):
        return False
    if isinstance(key, str) and isinstance(given, str):
        return to_nfc(given).strip().casefold() == to_nfc(key).strip().casefold()
    if isinstance(key, list):
        return (isinstance(given, list) and all(type(v) is str for v in given)
                and sorted(given) == sorted(map(str, key)))
    return type(given) is type(key) and given == key


def near(given: Any, key: float, tol: float = 0.0) -> bool:
    return type(given) in (int, float) and abs(float(given) - float(key)) <= float(tol) + 1e-9


def text_matches(given: Any, accepted: str | list[str], *, ignore_accents: bool = False) -> bool:
    if type(given) is not str:
        return False
    options = [accepted] if isinstance(accepted, str) else list(accepted)
    mine = normalize_text(given, ignore_accents=ignore_accents)
    return any(mine == normalize_text(a, ignore_accents=ignore_accents) for a in options)


# --------------------------------------------------------------------------- graded checks
def _report(item_id: str, ok: bool, explanation: str, verb: str = "trả lời") -> None:
    """Print the verdict; stderr (0 points) for a wrong or missing answer. Returns None: a
    displayed value would be read by nbgrader as partial credit."""
    given = answer(item_id)
    out = sys.stdout if ok and given is not None else sys.stderr
    if given is None:
        print("Chưa trả lời câu này (0 điểm).", file=out)
    elif not ok:
        print(f"Câu trả lời chưa đúng (bạn {verb}: {shown_answer(item_id, given)}).", file=out)
    else:
        print("Đúng.", file=out)
    if explanation:  # same stream, so it follows the verdict in the feedback
        print(f"Giải thích: {explanation}", file=out)


def score(item_id: str, key: Any, explanation: str = "") -> None:
    """Choice items: full points if the saved answer equals the key (letters, True/False).

    Never raises: a traceback would print this very line, key included, into the feedback.
    """
    _report(item_id, same(answer(item_id), key), explanation, verb="chọn")


def score_number(item_id: str, key: float, tol: float = 0.0, explanation: str = "") -> None:
    """Numeric items: full points if |answer − key| ≤ tol."""
    _report(item_id, near(answer(item_id), key, tol), explanation)


def score_text(item_id: str, accepted: str | list[str], ignore_accents: bool = False,
               explanation: str = "") -> None:
    """Short-text items: full points if the answer equals one accepted form (case, spacing and
    end punctuation ignored; accents too with ``ignore_accents=True``)."""
    _report(item_id, text_matches(answer(item_id), accepted, ignore_accents=ignore_accents),
            explanation)


def score_pool(pool: str, slot: int, k: int, keys: dict[str, Any],
               explanation: str | dict[str, str] = "") -> None:
    """Slot ``slot`` (1…k) of a pool: the item this learner drew there, checked against its
    key (choice letters, True/False). The draw is recomputed from who and what is graded
    (learner/variants.py), never read from the learner's files. ``explanation`` is one text
    for the whole pool, or a map item id -> the explanation of that item."""
    drawn = draw(pool, list(keys), k)
    if not 1 <= int(slot) <= len(drawn):
        print(f"Không có câu thứ {slot} trong phần {pool}.", file=sys.stderr)
        return
    item_id = drawn[int(slot) - 1]
    print(f"Câu {item_id}:", file=sys.stdout if same(answer(item_id), keys[item_id])
          and answer(item_id) is not None else sys.stderr)
    note = explanation.get(item_id, "") if isinstance(explanation, dict) else explanation
    score(item_id, keys[item_id], note)


def _solve_pool(folder: Path, _pool: str, _slot: int, _k: int, keys: dict, *_a, **_kw) -> None:
    """Full marks whatever the draw: every item of the pool answered with its key."""
    for item_id, key in keys.items():
        save_answer(item_id, key, folder)


def _solve(folder: Path, item_id: str, key: Any, *_args: Any, **_kwargs: Any) -> None:
    """The full-marks submission of a ``score``/``score_number`` call: the key itself."""
    save_answer(item_id, key, folder)


def _solve_text(folder: Path, item_id: str, accepted: Any, *_args: Any, **_kwargs: Any) -> None:
    save_answer(item_id, accepted if isinstance(accepted, str) else accepted[0], folder)


# name -> (check, solve(folder, *args, **kwargs)); registered in grading.checks
CHECKS = {"score": (score, _solve), "score_number": (score_number, _solve),
          "score_text": (score_text, _solve_text), "score_pool": (score_pool, _solve_pool)}


# --------------------------------------------------------------------------- static rendering
def render_static(meta: dict, value: Any, *, hint: bool = False) -> dict[str, str]:
    """text/plain and text/html showing an item and its saved answer, without a kernel.

    Used where widgets cannot live: nbgrader feedback and formgrader (after autograde), and a
    notebook reopened in JupyterLab (``grading/nbhooks.py``); ``hint`` adds how to change it.
    """
    question = meta.get("question", "")
    if meta.get("kind") == "not_drawn":
        return {"text/plain": question,
                "text/html": f"<div class=\"congvu-item\"><i>{html.escape(question)}</i></div>"}
    options = meta.get("options") or []
    chosen = value if isinstance(value, list) else [value]
    shown = describe(value)
    if options and value is not None:
        shown = "; ".join(label for label, letter in options if letter in chosen) or shown
    text = f"{question}\nCâu trả lời đã lưu: {shown}"
    rows = "".join(
        f"<li>{'☑' if letter in chosen else '☐'} {html.escape(label)}</li>"
        for label, letter in options)
    body = (f"<div class=\"congvu-item\"><b>{html.escape(question)}</b>"
            + (f"<ul style=\"list-style:none;padding-left:1em\">{rows}</ul>" if rows else "")
            + f"<p><b>Câu trả lời đã lưu: {html.escape(shown)}</b></p>")
    if hint:
        tip = "Muốn trả lời hoặc sửa: chạy lại các ô (menu Chạy → Chạy tất cả các ô)."
        text += "\n" + tip
        body += f"<p><i>{html.escape(tip)}</i></p>"
    return {"text/plain": text, "text/html": body + "</div>"}
