"""Files the kit writes: atomically (a temporary file in the same folder, then a rename), with
the mode asked for, so a crash or a full disk never leaves half a file behind; and ``Forked``,
a forked child whose result comes back through a file (the report's two-process work).

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


class Forked:
    """A forked child running ``work()`` and pickling its result into the file ``out``; its
    traceback, if it fails, goes to the binary file ``errors``. Waited for like a subprocess
    (``wait`` returns the exit code, ``kill``, ``returncode``). Fork only where this process
    runs no other thread: a fork copies other threads' locks, not the threads."""

    def __init__(self, work: Callable[[], object], out: str, errors) -> None:
        import pickle

        self.errors, self.returncode = errors, None
        self.pid = os.fork()
        if self.pid == 0:  # the child: the parent's modules and data are here already
            code = 1
            try:
                part = work()
                with open(out, "wb") as handle:
                    pickle.dump(part, handle, protocol=5)
                code = 0
            except BaseException:
                import traceback

                errors.write(traceback.format_exc().encode("utf-8"))
                errors.flush()
            finally:
                os._exit(code)

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
