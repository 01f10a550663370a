"""The grading log: one status line per graded submission, appended as each one finishes.

``congvu/grading_log.csv`` is the workspace's record of what was graded, when, with which
status and why. Each line is written with a single ``write`` on an append-only descriptor and
fsynced, and ends with a CRC-32 of its text: a line torn by a crash or a full disk is skipped
(and reported) when reading, and the next append starts on a new line. A line also holds the
*fingerprint* of the submission it graded
(``timestamp.txt`` and the size and time of each file): a rerun skips submissions whose latest
line has the same fingerprint and a final status, which makes ``congvu grade`` resumable.
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import logging
import os
import time
import zlib
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.errors import GradingError, problem
from grading.files import write_atomic
from grading.status import Status

log = logging.getLogger("congvu")
LOG_FILE = Path("congvu") / "grading_log.csv"
PUBLIC_COLUMNS = [C.LEARNER, C.MODULE, C.STATUS, C.REASON, "graded_at", "seconds"]
LOG_COLUMNS = PUBLIC_COLUMNS + ["fingerprint", "flags", "crc"]  # flags: "unsandboxed"; crc last
KNOWN = frozenset(Status)


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


def _line(values: list[str]) -> str:
    """One CSV record on one physical line, ending with the CRC-32 of what precedes it."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(
        [str(v).replace("\r", " ").replace("\n", " ") for v in values])
    body = buf.getvalue()
    return f"{body},{zlib.crc32(body.encode('utf-8')):08x}\n"


def _header_ok(path: Path) -> bool:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.readline().strip() == ",".join(LOG_COLUMNS)


def _migrate(path: Path) -> None:
    """Rewrite a log written before fingerprints and checksums existed (atomically)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    text = ",".join(LOG_COLUMNS) + "\n" + "".join(
        _line([rec.get(col, "") for col in LOG_COLUMNS[:-1]])
        for rec in frame.to_dict("records"))
    write_atomic(path, text.encode("utf-8"), mode=0o644)


def append(root: Path, row: dict) -> None:
    """Append one status line durably (one write, then fsync).

    A line torn by a crash or a full disk is never glued to the next one: the write starts
    with a newline when the file does not end with one, and the torn line fails its checksum.
    """
    path = root / LOG_FILE
    if path.exists() and path.stat().st_size and not _header_ok(path):
        _migrate(path)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        text = "" if size else ",".join(LOG_COLUMNS) + "\n"
        if size and os.pread(fd, 1, size - 1) != b"\n":
            text = "\n"
        text += _line([row.get(col, "") for col in LOG_COLUMNS[:-1]])
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _parse(raw: bytes) -> list[str] | None:
    """The fields of one whole, intact line, or None."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    body, _, crc = line.rpartition(",")
    if not body or crc != f"{zlib.crc32(body.encode('utf-8')):08x}":
        return None
    fields = next(csv.reader([line]), [])
    return fields if len(fields) == len(LOG_COLUMNS) else None


def read(root: Path) -> pd.DataFrame:
    """Every whole line of the log; torn or damaged lines are skipped and reported.

    ``frame.attrs["skipped"]`` lists the line numbers (1-based) that were skipped.
    """
    path = root / LOG_FILE
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS)
    if path.stat().st_size and not _header_ok(path):  # a log of an older kit: no checksums
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
        frame = frame.reindex(columns=LOG_COLUMNS, fill_value="")
        return frame[frame[C.STATUS].isin(KNOWN)].reset_index(drop=True)
    lines = path.read_bytes().split(b"\n")
    records, skipped = [], []
    # the last piece has no newline: whole only if its checksum holds (the newline was lost)
    for number, raw in enumerate(lines[1:], start=2):
        fields = _parse(raw) if raw else None
        if fields is None or fields[2] not in KNOWN:
            if raw:
                skipped.append(number)
            continue
        records.append(fields)
    if skipped:
        log.warning("%s: bỏ qua %d dòng hỏng hoặc bị cắt (dòng %s); các bài đó sẽ được chấm "
                    "lại ở lượt sau", path, len(skipped), ", ".join(map(str, skipped[:10])))
    frame = pd.DataFrame(records, columns=LOG_COLUMNS)
    frame.attrs["skipped"] = skipped
    return frame


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
        try:
            self._wait_for_workers(kit)
        except BaseException:
            self.fh.close()
            raise
        return self

    def _wait_for_workers(self, kit: Path) -> None:
        from grading.course import runs

        runs.clear_stale(self.root)  # orphans of a killed batch: killed, their records gone
        with open(kit / "workers.lock", "a") as workers:  # live workers of a batch hold it
            deadline = time.monotonic() + self.wait
            while True:
                try:
                    fcntl.flock(workers, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise GradingError(problem(
                            "tiến trình chấm của lượt trước vẫn chạy",
                            "chờ nó xong (hoặc dừng các tiến trình congvu/dask đang chấm thư "
                            "mục này) rồi chạy lại", file=str(kit / "workers.lock"),
                            message_en="workers of an earlier batch are still running",
                            fix_en="wait for them or stop them, then run again"))
                    time.sleep(0.1)
            for stale in (kit / "locks").glob("*.lock"):  # nobody grades now: none is held
                stale.unlink(missing_ok=True)
            fcntl.flock(workers, fcntl.LOCK_UN)

    def __exit__(self, *exc) -> None:
        self.fh.close()


def statuses_with_flags(root: Path) -> pd.DataFrame:
    """``statuses`` plus ``unsandboxed`` (bool): the row was graded without isolation, as the
    report shows it."""
    frame = latest(root)
    flags = frame["flags"].fillna("").astype(str).str.split()
    return frame[PUBLIC_COLUMNS].assign(
        **{C.UNSANDBOXED: flags.map(lambda f: C.UNSANDBOXED in f).astype(bool)})
