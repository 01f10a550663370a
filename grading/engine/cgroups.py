"""Memory cgroups for sandbox slots: a learner's processes together stay under the limit.

One cgroup per worker slot (cgroup v1 ``memory`` or v2 ``memory.max``), reused from notebook
to notebook and removed when the worker ends. Where cgroups cannot be written, the per-process
rlimits of ``grading/sandbox.py`` still apply.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from grading.engine.sandbox import Limits

log = logging.getLogger("congvu")


def join_cgroup(path: str | None) -> None:
    """Put this process (and so its descendants) into a memory-limited cgroup, if one is set."""
    if path:
        with open(os.path.join(path, "cgroup.procs"), "w") as fh:
            fh.write(str(os.getpid()))


def slot_cgroup(slot: int, limits: Limits | None) -> str | None:
    """A memory cgroup for one worker slot (v1 or v2), so a learner's processes together stay
    under the limit; None where cgroups cannot be written (rlimits still apply)."""
    limit = str(((limits or Limits()).memory_mb + 256) << 20)
    for base, knob in (("/sys/fs/cgroup/memory", "memory.limit_in_bytes"),
                       ("/sys/fs/cgroup", "memory.max")):
        if not os.path.isfile(os.path.join(base, knob if knob.endswith("bytes")
                                           else "cgroup.controllers")):
            continue
        path = os.path.join(base, "congvu", f"slot-{slot}")
        try:
            os.makedirs(path, exist_ok=True)
            if knob == "memory.max":
                for parent in (base, os.path.join(base, "congvu")):
                    Path(parent, "cgroup.subtree_control").write_text("+memory")
            Path(path, knob).write_text(limit)
            return path
        except OSError as exc:
            log.warning("không tạo được cgroup bộ nhớ %s (%s): chỉ giới hạn bằng rlimit",
                        path, exc)
            continue
    log.warning("không có cgroup bộ nhớ cho ô chấm %s: giới hạn bộ nhớ chỉ bằng rlimit", slot)
    return None


def remove_cgroup(path: str | None) -> None:
    for folder in (path, path and os.path.dirname(path)):
        try:
            if folder:
                os.rmdir(folder)
        except OSError:
            pass
