"""Two parts of the report's work at once, on a 2-core server: one here, one in a forked child;
and ``kept_heap``, the C heap kept while the tables are made.

A forked child shares this process's tables without a copy (copy on write) and returns its
result pickled through a private temporary file. Used only where it pays (large cohorts) and
only when this process runs no other thread (a fork copies other threads' locks, not the
threads): otherwise, and wherever fork does not exist, both parts run here. If the child
fails, its part runs here again, so its error is raised here as usual.
"""
from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Callable

from grading.files import Forked

log = logging.getLogger("congvu")

PARALLEL_ROWS = 500_000  # learner × module rows from which the two parts run at once


def usable() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def both(here: Callable[[], dict], there: Callable[[], dict], *,
         parallel: bool = True) -> dict:
    """``here()`` and ``there()`` merged (``there()`` in a forked child when ``parallel``
    and a fork is safe)."""
    if not (parallel and usable()):
        return {**here(), **there()}
    handle, path = tempfile.mkstemp(prefix="congvu-part-", suffix=".pickle")  # owner-only
    os.close(handle)
    with tempfile.TemporaryFile() as errors:
        child = Forked(there, path, errors)
        try:
            try:
                mine = here()
            finally:
                code = child.wait()
            if code == 0:
                with open(path, "rb") as got:
                    theirs = pickle.load(got)
            else:
                errors.seek(0)
                said = errors.read().decode("utf-8", "replace").strip().splitlines()
                log.warning("report: the forked child failed (%s); its part is made here",
                            said[-1] if said else f"exit {code}")
                theirs = there()
        finally:
            os.unlink(path)
    return {**mine, **theirs}


# glibc's mallopt parameters, and their defaults restored on leaving kept_heap.
_TRIM_THRESHOLD, _MMAP_THRESHOLD, _DEFAULT = -1, -3, 128 * 1024


@contextlib.contextmanager
def kept_heap():
    """Freed memory stays with this process until the block ends, in small pages (glibc
    and numpy's switch; elsewhere a no-op). The tables are made of arrays of millions of
    rows, each above glibc's threshold for a fresh memory map and marked by numpy for huge
    pages: the kernel would zero-fill every one again, 2 MB at a time, compacting memory
    to find them (a second or more of system time at national scale). Inside the block
    they come from the heap and reuse what the last one freed; on leaving, numpy's choice
    is restored and the heap trimmed back."""
    import numpy as np

    huge = getattr(getattr(getattr(np, "_core", None), "multiarray", None),
                   "_set_madvise_hugepage", None)
    was = huge(False) if huge else None
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        mallopt = trim = None
    if mallopt:
        mallopt(_MMAP_THRESHOLD, 1 << 30)
        mallopt(_TRIM_THRESHOLD, (1 << 31) - 1)
    try:
        yield
    finally:
        if huge:
            huge(was)
        if mallopt:
            mallopt(_MMAP_THRESHOLD, _DEFAULT)
            mallopt(_TRIM_THRESHOLD, _DEFAULT)
            trim(0)
