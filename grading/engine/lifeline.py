"""Start a helper process that dies with its parent from its first instruction.

    python -m grading.engine.lifeline PARENT_PID MODULE [ARGS...]

sets the parent-death signal (SIGKILL) before anything is imported, exits at once if the
parent is already gone (it died while this process was starting), then runs ``MODULE`` as
``__main__`` with ``ARGS``. ``adopt`` does the same inside a process that is already running.
Standard library only, and nothing of the kit is imported before the signal is set.
"""
from __future__ import annotations

import os
import sys

PR_SET_PDEATHSIG = 1
SIGKILL = 9


def adopt(parent: int) -> None:
    """Die when ``parent`` dies; exit now if it is gone already."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def command(module: str, *args: str) -> list[str]:
    """argv that runs ``module`` under a lifeline to the calling process."""
    return [sys.executable, "-m", "grading.engine.lifeline", str(os.getpid()), module, *args]


def main() -> None:
    adopt(int(sys.argv[1]))
    import runpy

    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
