"""Files the kit writes: atomically (a temporary file in the same folder, then a rename), with
the mode asked for, so a crash or a full disk never leaves half a file behind.

Standard library only: learner-side code (the answers file) uses it inside learners' kernels.
"""
from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes | Callable[[str], None], *,
                 mode: int = 0o600) -> Path:
    """Write ``data`` (bytes, or a function that writes the given temporary path) to ``path``.

    The file appears whole or not at all; ``mode`` defaults to owner-only (personal data).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if callable(data):
            os.close(fd)
            data(tmp)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        crash_point(f"write:{path.name}")
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def crash_point(name: str) -> None:
    """Fault injection for the fault suite: ``CONGVU_CRASH_AT=name`` kills this process here
    with SIGKILL, as a power cut or ``kill -9`` would (no cleanup, no ``finally``)."""
    if os.environ.get("CONGVU_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
