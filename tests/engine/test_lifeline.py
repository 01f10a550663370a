"""Helpers started through the lifeline die with their parent, even when the parent dies
while they are still starting."""
import os
import signal
import subprocess
import sys
import time

import pytest

from grading.course import runs

pytestmark = pytest.mark.fault
SLEEPER = ["timeit", "-n", "1", "-r", "1", "import time; time.sleep(120)"]
PARENT = ("import subprocess, sys; from grading.engine import lifeline; "
          "p = subprocess.Popen(lifeline.command(*sys.argv[1:])); print(p.pid, flush=True); "
          "import time; time.sleep(120)")


def test_the_child_dies_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, *SLEEPER], stdout=subprocess.PIPE,
                              text=True)
    child = int(parent.stdout.readline())
    start = runs.start_time(child)
    time.sleep(0.5)
    assert runs.alive(child, start)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 20
    while runs.alive(child, start):
        assert time.monotonic() < deadline, "the helper outlived its parent"
        time.sleep(0.05)


def test_a_child_whose_parent_is_already_gone_exits_at_once():
    gone = subprocess.Popen(["true"])
    gone.wait()
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, "-m", "grading.engine.lifeline", str(gone.pid),
                          *SLEEPER], timeout=60)
    assert res.returncode == 0 and time.monotonic() - t0 < 60
    assert os.getpid() != gone.pid
