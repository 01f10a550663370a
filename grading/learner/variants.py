"""Per-learner variants: the order of a choice item's options for (learner, module, attempt).

Officials of one commune share answers by position ("câu 3 chọn C"). Each learner sees the
options of single- and multiple-choice items in an order of their own, a deterministic function
of (learner, module, attempt, item): the same on every reopen, and again when nbgrader runs the
notebook at autograde, so the feedback shows the learner's own order. The answer is stored as
the option's identity (its letter in the source notebook), so the key in the hidden test stays
in terms of identity and grading never depends on the order.

Who the learner is, in order of trust:
  ``CONGVU_LEARNER``     set by the grading sandbox (the gradebook's student id) and `congvu lab`
  the folder path        nbgrader's ``autograded/<student>/<assignment>`` (plain autograde)
  ``JUPYTERHUB_USER``, ``NB_USER``, the account name   (JupyterHub, Docker stacks, a laptop)
The module and attempt come from the assignment folder's name: ``cntt_antt`` is attempt 1,
``cntt_antt__lan2`` attempt 2.

The order is a display matter only: a learner who changes their environment changes what they
see, never what their answers earn.
"""
from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path

ATTEMPT_MARK = "__lan"  # cntt_antt__lan2 = module cntt_antt, attempt 2
ORDER_KEY = "_thu_tu"  # answers-file entry: item id -> identity letters in display order
DRAW_KEY = "_de"  # answers-file entry: pool name -> the item ids drawn for this learner
_GRADER_FOLDERS = ("autograded", "submitted", "feedback")


def split_assignment(name: str) -> tuple[str, int]:
    """``cntt_antt__lan2`` -> ("cntt_antt", 2); a plain name is attempt 1."""
    module, mark, number = name.rpartition(ATTEMPT_MARK)
    if mark and module and number.isdigit() and int(number) >= 1:
        return module, int(number)
    return name, 1


def attempt_name(module: str, attempt: int) -> str:
    """The nbgrader assignment name of an attempt (attempt 1 is the module itself)."""
    return module if attempt <= 1 else f"{module}{ATTEMPT_MARK}{attempt}"


def learner_id(folder: str | os.PathLike | None = None) -> str:
    """Who is answering, as the grader knows them (see the module docstring)."""
    env = os.environ.get("CONGVU_LEARNER", "").strip()
    if env:
        return env
    path = Path(folder or os.getcwd()).resolve()
    if len(path.parts) >= 3 and path.parts[-3] in _GRADER_FOLDERS:
        return path.parts[-2]
    for name in ("JUPYTERHUB_USER", "NB_USER"):
        if os.environ.get(name, "").strip():
            return os.environ[name].strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def context(folder: str | os.PathLike | None = None) -> tuple[str, str, int]:
    """(learner, module, attempt) of the assignment folder (default: the working directory);
    the grading sandbox names the assignment in ``CONGVU_ASSIGNMENT``."""
    path = Path(folder or os.getcwd())
    name = os.environ.get("CONGVU_ASSIGNMENT", "").strip() if folder is None else ""
    module, attempt = split_assignment(name or path.resolve().name)
    return learner_id(path), module, attempt


def _rank(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()


def permutation(n: int, learner: str, module: str, attempt: int, item_id: str) -> list[int]:
    """Source indices in display order: stable across Python versions and machines."""
    return sorted(range(n), key=lambda i: _rank("congvu-order", learner, module, attempt,
                                                item_id, i))


def order(item_id: str, n: int, folder: str | os.PathLike | None = None) -> list[int]:
    """The display order of item ``item_id``'s ``n`` options for this folder's learner."""
    learner, module, attempt = context(folder)
    return permutation(n, learner, module, attempt, item_id)


def draw(pool: str, items: list[str], k: int,
         folder: str | os.PathLike | None = None) -> list[str]:
    """The ``k`` items of ``pool`` this learner gets, in the order they are asked (slot 1, 2…).

    Deterministic in (learner, module, attempt, pool): regrading and feedback draw the same;
    a retake (attempt 2) draws anew. Every learner answers ``k`` items worth the same points.
    """
    return draw_for(*context(folder), pool, items, k)


def draw_for(learner: str, module: str, attempt: int, pool: str, items: list[str],
             k: int) -> list[str]:
    ranked = sorted(dict.fromkeys(items), key=lambda i: _rank("congvu-pool", learner, module,
                                                              attempt, pool, i))
    return ranked[:max(0, min(int(k), len(ranked)))]


def shown_letters(given: object, recorded: object, letters: str) -> str | None:
    """The learner's answer (identity letters) as the letters they saw, or None if unknown.

    ``recorded`` is the learner-written display order (identity letters); it is checked to be a
    permutation before use and only ever changes what the learner reads about their own answer.
    """
    if not isinstance(recorded, str) or sorted(recorded) != sorted(letters[:len(recorded)]):
        return None
    chosen = given if isinstance(given, list) else [given]
    if not chosen or not all(isinstance(c, str) and len(c) == 1 and c in recorded
                             for c in chosen):
        return None
    return ", ".join(sorted(letters[recorded.index(c)] for c in chosen))
