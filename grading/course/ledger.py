"""The grading log: one status line per graded submission, appended as each one finishes.

``congvu/grading_log.csv`` is the workspace's record of what was graded, when, with which
status and why. Each line is written with a single ``write`` on an append-only descriptor and
fsynced, so a killed grader leaves whole lines only (a torn last line, should the disk fill,
is ignored when reading). A line also holds the *fingerprint* of the submission it graded
(``timestamp.txt`` and the size and time of each file): a rerun skips submissions whose latest
line has the same fingerprint and a final status, which makes ``congvu grade`` resumable.
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import time
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.errors import GradingError, problem
from grading.status import Status

LOG_FILE = Path("congvu") / "grading_log.csv"
PUBLIC_COLUMNS = [C.LEARNER, C.MODULE, C.STATUS, C.REASON, "graded_at", "seconds"]
LOG_COLUMNS = PUBLIC_COLUMNS + ["fingerprint", "flags"]  # flags: "unsandboxed"


def fingerprint(folder: Path) -> str:
    """Cheap identity of a submission folder (changes when the learner resubmits)."""
    h = hashlib.sha256()
    stamp = folder / "timestamp.txt"
    h.update(stamp.read_bytes() if stamp.is_file() else b"-")
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            h.update(f"{path.relative_to(folder)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _header_ok(path: Path) -> bool:
    with open(path, encoding="utf-8") as fh:
        return fh.readline().strip() == ",".join(LOG_COLUMNS)


def _migrate(path: Path) -> None:
    """Rewrite a log written before fingerprints existed (atomically)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    for col in LOG_COLUMNS:
        if col not in frame:
            frame[col] = ""
    tmp = path.with_suffix(".tmp")
    frame[LOG_COLUMNS].to_csv(tmp, index=False)
    os.replace(tmp, path)


def append(root: Path, row: dict) -> None:
    """Append one status line durably (one write, then fsync)."""
    path = root / LOG_FILE
    if path.exists() and path.stat().st_size and not _header_ok(path):
        _migrate(path)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=LOG_COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    if not path.exists() or path.stat().st_size == 0:
        writer.writeheader()
    writer.writerow({col: row.get(col, "") for col in LOG_COLUMNS})
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, buf.getvalue().encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(root: Path) -> pd.DataFrame:
    """Every whole line of the log (rows with a missing field or unknown status dropped)."""
    path = root / LOG_FILE
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    for col in LOG_COLUMNS:
        if col not in frame:
            frame[col] = ""
    text = path.read_bytes()
    if text and not text.endswith(b"\n") and len(frame):  # torn last line
        frame = frame.iloc[:-1]
    return frame[frame[C.STATUS].isin(list(Status))][LOG_COLUMNS]


def latest(root: Path, assignment: str | None = None) -> pd.DataFrame:
    """The last line per (learner, module), with the fingerprint (for planning a rerun)."""
    frame = read(root).drop_duplicates([C.LEARNER, C.MODULE], keep="last")
    if assignment:
        frame = frame[frame[C.MODULE] == assignment]
    return frame.sort_values([C.MODULE, C.LEARNER], ignore_index=True)


def statuses(root: Path, assignment: str | None = None) -> pd.DataFrame:
    """Latest status per (learner, module): what `congvu status` and the report show."""
    return latest(root, assignment)[PUBLIC_COLUMNS]


class BatchLock:
    """One grading batch per workspace at a time; waits for workers of a killed batch to go."""

    def __init__(self, root: Path, wait: float = 30.0) -> None:
        self.root, self.wait = root, wait
        self.fh = None

    def __enter__(self) -> BatchLock:
        kit = self.root / "congvu"
        self.fh = open(kit / "grading.lock", "a")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise GradingError(problem("một lượt chấm khác đang chạy trên thư mục này",
                                       "chờ lượt đó xong rồi chạy lại", file=str(kit),
                                       message_en="another grading batch is running here"))
        with open(kit / "workers.lock", "a") as workers:  # orphans of a killed batch hold it
            deadline = time.monotonic() + self.wait
            while True:
                try:
                    fcntl.flock(workers, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(workers, fcntl.LOCK_UN)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise GradingError(problem("tiến trình chấm của lượt trước vẫn chạy",
                                                   "dừng chúng rồi chạy lại", file=str(kit)))
                    time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()
