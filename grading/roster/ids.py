"""Learner ids as HR files really carry them: "cb001", "CB001 ", "CB\u200b001", 00123 that the
next export turns into 123. One person must stay one person.

- ``clean_id``: the form stored for a new id: invisible characters and spaces removed, NFC.
- ``id_key``: the matching key: case-folded, every run of digits without its leading zeros.
  Two ids with the same key are the same official (within a file that is a duplicate row;
  across imports it is the same person whose id changed form).
- ``reconcile``: ids of a new import mapped onto the stored forms they match, with the list of
  ids that changed form (the gradebook keeps the stored form, so graded work stays attached).
"""
from __future__ import annotations

import re

import pandas as pd

from grading import columns as C
from grading.vntext import clean

_DIGITS = re.compile(r"\d+")


def clean_id(raw) -> str:
    """The id without invisible characters or white space (NFC)."""
    return "".join(clean(raw).split())


def id_key(learner_id: str) -> str:
    """Key equal for ids that differ only in case, spaces, invisible characters or the leading
    zeros of a number: "CB00123", "cb123 " and "CB 0123" → "cb123"."""
    return _DIGITS.sub(lambda m: str(int(m.group())), clean_id(learner_id).casefold())


def reconcile(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """(``new`` with each learner id replaced by the stored id of the same key, [(form in the
    file, stored id)] for every id whose form changed). Stored ids sharing a key (kept from
    before this rule) are left unmatched rather than guessed."""
    if old.empty or new.empty:
        return new, []
    keys = old[C.LEARNER].map(id_key)
    unique = keys[~keys.duplicated(keep=False)]
    stored = dict(zip(unique, old.loc[unique.index, C.LEARNER]))
    mapped = new[C.LEARNER].map(lambda i: stored.get(id_key(i), i))
    changed = [(a, b) for a, b in zip(new[C.LEARNER], mapped) if a != b]
    return new.assign(**{C.LEARNER: mapped}), changed
