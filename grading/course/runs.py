"""Processes of a grading batch, recorded so that a later run can tell live ones from dead ones.

Each worker of a batch writes ``congvu/run/<role>-<pid>.json`` with its pid, its start time,
and the pid and start time of the batch process that started it. A process is named by pid
*and* start time (``/proc/<pid>/stat``), so a reused pid is never taken for it. A new batch
calls ``clear_stale`` before it starts: records of dead processes are removed, and workers that
outlived their batch (orphans holding the workspace's locks) are killed.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import time
from pathlib import Path

from grading.files import write_atomic

log = logging.getLogger("congvu")
RUN_DIR = Path("congvu") / "run"


def start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), None if gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = stat.rpartition(")")[2].split()
    return None if not fields or fields[0] in "ZX" else fields[19]


def alive(pid: int, start: str | None) -> bool:
    return bool(start) and start_time(pid) == start


def register(root: Path, role: str, parent: int) -> Path:
    """Record this process as a ``role`` of the batch process ``parent``."""
    folder = Path(root) / RUN_DIR
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    record = {"pid": pid, "start": start_time(pid), "parent": parent,
              "parent_start": start_time(parent), "role": role}
    return write_atomic(folder / f"{role}-{pid}.json", json.dumps(record).encode(), mode=0o644)


def unregister(root: Path, role: str) -> None:
    (Path(root) / RUN_DIR / f"{role}-{os.getpid()}.json").unlink(missing_ok=True)


def clear_stale(root: Path, wait: float = 10.0) -> list[str]:
    """Remove records of dead processes and kill orphans of dead batches; say what was done."""
    folder = Path(root) / RUN_DIR
    done = []
    for tmp in folder.glob(".*.tmp"):  # a record whose writer was killed mid-write
        tmp.unlink(missing_ok=True)
    for path in sorted(folder.glob("*.json")):
        try:
            rec = json.loads(path.read_text())
            pid, start = int(rec["pid"]), rec["start"]
            parent, parent_start = int(rec["parent"]), rec["parent_start"]
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if alive(pid, start) and not alive(parent, parent_start):
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + wait
            while alive(pid, start) and time.monotonic() < deadline:
                time.sleep(0.05)
            done.append(f"đã dừng tiến trình chấm mồ côi {pid} ({rec.get('role', '?')})")
        if not alive(pid, start):
            path.unlink(missing_ok=True)
    for line in done:
        log.warning("%s", line)
    return done
