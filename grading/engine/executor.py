"""nbgrader's Execute step with sandboxed kernels forked from the warm server.

``SandboxedExecute`` replaces nbgrader's ``Execute`` in the autograde preprocessor list; every
other step (restoring tampered cells, scoring, late penalties, saving grades) is nbgrader's own
code, so grades are nbgrader's. What changes:

* the kernel is forked by ``grading/zygote.py`` inside a sandbox (``grading/sandbox.py``),
  talks ZeroMQ over unix sockets, and is killed, not asked to shut down, at the end;
* hidden test cells made only of kit checks run in the sandbox supervisor (``checkrun``), never
  in the learner's kernel;
* a notebook-wide wall-clock limit and an output limit kill the kernel; a dead kernel does not
  abort the notebook: its remaining cells get an error output (0 points), checks still run.
"""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

from nbclient.exceptions import (
    CellControlSignal,
    CellExecutionComplete,
    DeadKernelError,
)
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_locked, is_solution
from traitlets import Bool, Dict, Int, Unicode

from grading.engine import checkrun
from grading.engine.kernels import CheckCrashed, SandboxKernelManager, shared_context
from grading.learner.checks import parse_calls

# Filled by the executor for the learner being graded; read by engine/worker.py.
RUN: dict = {"incidents": [], "kernel_s": 0.0, "cells_s": 0.0, "checks": 0}


def _note(kind: str, detail: str) -> None:
    RUN["incidents"].append((kind, detail))


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


def _size(msg: dict) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    data = content.get("data")
    if isinstance(data, dict):
        return sum(len(v) if isinstance(v, str) else len(repr(v)) for v in data.values()) + 64
    return len(repr(content)) if msg.get("msg_type", "").startswith("comm") else 64


def sandbox_files(root: Path, student: str, assignment: str) -> list[tuple[str, str]]:
    """The learner's own files: submitted notebooks plus every non-notebook file nbgrader
    placed in autograded/ (never the sanitized notebook, which holds the hidden tests)."""
    files = []
    auto = root / "autograded" / student / assignment
    for path in sorted(auto.rglob("*")):
        if path.is_file() and path.suffix != ".ipynb":
            files.append((str(path), str(path.relative_to(auto))))
    sub = root / "submitted" / student / assignment
    for path in sorted(sub.rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            files.append((str(path), str(path.relative_to(sub))))
    return files


class SandboxedExecute(Execute):
    """nbgrader's Execute, with a sandboxed forked kernel and checks outside the kernel.

    Configured like every nbgrader step, through traitlets config (the worker sets it when it
    builds its NbGraderAPI): the worker's sandbox slot, its memory cgroup and the limits.
    """

    slot = Int(0, help="Sandbox slot of this worker (uid and IPC folder).").tag(config=True)
    isolate = Bool(True, help="Run learner code in the sandbox.").tag(config=True)
    cgroup = Unicode(None, allow_none=True, help="Memory cgroup of the slot.").tag(config=True)
    limits = Dict(help="sandbox.Limits fields (defaults: settings.GradingLimits)."
                  ).tag(config=True)

    def create_kernel_manager(self):
        name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        self.km = SandboxKernelManager(kernel_name=name, config=self.config,
                                       context=shared_context())
        self.km.sandbox_request = self._request
        return self.km

    def preprocess(self, nb, resources=None, km=None):
        from grading.engine.sandbox import Limits

        limits = Limits(**self.limits)
        meta = resources["nbgrader"]
        root = Path(os.getcwd())  # nbgrader's converters chdir to the course root
        self._request = {"assignment": meta["assignment"], "learner": meta["student"],
                         "slot": self.slot,
                         "limits": limits, "isolate": self.isolate, "cgroup": self.cgroup,
                         "files": sandbox_files(root, meta["student"], meta["assignment"])}
        self._known = checkrun.known_checks()
        self._limits, self._dead, self._bytes, self._checker = limits, None, 0, ""
        self.shutdown_kernel = "immediate"
        self.kernel_name = "python3"
        timer = threading.Timer(limits.wall_seconds, self._stop, ("timeout", "wall"))
        timer.daemon = True
        start, kernel_before = time.monotonic(), RUN["kernel_s"]
        timer.start()
        try:
            return super().preprocess(nb, resources, km)
        finally:
            timer.cancel()
            RUN["cells_s"] += time.monotonic() - start - (RUN["kernel_s"] - kernel_before)

    def _stop(self, kind: str, detail: str) -> None:
        """Kill the kernel now (called from a timer thread or the message loop)."""
        if self._dead is None:
            self._dead = kind
            _note(kind, detail)
        km = getattr(self, "km", None)
        if km is not None and km.provisioner is not None:
            km.provisioner.kill_now()

    def start_new_kernel(self, **kwargs):
        start = time.monotonic()
        super().start_new_kernel(**kwargs)
        RUN["kernel_s"] += time.monotonic() - start

    def start_new_kernel_client(self):
        start = time.monotonic()
        try:
            return super().start_new_kernel_client()
        finally:
            RUN["kernel_s"] += time.monotonic() - start

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        trusted = is_grade(cell) and is_locked(cell) and not is_solution(cell)  # source from DB
        calls = parse_calls(cell.source, self._known) if trusted else None
        if calls is not None:
            RUN["checks"] += 1
            cell.outputs = self._check(calls)
            cell.execution_count = None
            return cell, resources
        if self._dead:
            cell.outputs = [_error("KernelStopped", "kernel đã bị dừng, ô này không được chạy")]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if any(o.get("ename") == "MemoryError" for o in cell.outputs):
                _note("memory", "MemoryError")
            return cell, resources
        except (DeadKernelError, CellControlSignal, RuntimeError) as exc:
            if self._dead is None:
                status = self.km.provisioner.exit_status() if self.km.provisioner else None
                code = os.waitstatus_to_exitcode(status) if status is not None else 0
                signum = code - 128 if code > 128 else None  # the sandbox init's convention
                kind = {signal.SIGKILL: "memory", signal.SIGXCPU: "timeout"}.get(signum, "died")
                self._dead = kind
                _note(kind, "CPU" if signum == signal.SIGXCPU else f"{type(exc).__name__}")
            self._stop(self._dead, "")
            cell.outputs.append(_error("KernelStopped", "kernel bị dừng khi chạy ô này"))
            return cell, resources

    def _check(self, calls) -> list[NotebookNode]:
        provisioner = self.km.provisioner if self.km else None
        if provisioner is None or provisioner.sandbox is None:
            return [_error("CheckUnavailable", "không chạy được hàm chấm")]
        if self._checker:  # it timed out or crashed on an earlier cell: it is gone
            return [_error("CheckFailed", self._checker)]
        try:
            outputs = provisioner.sandbox.check(calls, self._limits.check_seconds)
        except CheckCrashed as exc:
            kind, self._checker = "check_crash", "hàm chấm bị lỗi, không chấm được câu này"
            _note(kind, str(exc))
        except (OSError, TimeoutError, ValueError) as exc:
            kind, self._checker = "check", "hàm chấm không trả lời kịp"
            _note(kind, f"{type(exc).__name__}: {exc}")
        else:
            return [NotebookNode(o) for o in outputs]
        if self._dead is None:  # the whole sandbox was killed with it: not the kernel's doing
            self._dead = kind
        return [_error("CheckFailed", self._checker)]

    async def _async_handle_timeout(self, timeout, cell=None):
        _note("timeout", f"cell {timeout}s")
        return await super()._async_handle_timeout(timeout, cell)

    def process_message(self, msg, cell, cell_index):
        self._bytes += _size(msg)
        if self._bytes > self._limits.output_kb * 1024:
            if self._dead is None:
                self._stop("output", f"{self._bytes} bytes")
                cell.outputs.append(NotebookNode(
                    output_type="stream", name="stderr",
                    text="[congvu] đầu ra quá lớn, kernel đã bị dừng\n"))
            raise CellExecutionComplete()
        return super().process_message(msg, cell, cell_index)


def cleanup_ipc() -> None:
    from grading.engine.kernels import IPC_ROOT

    shutil.rmtree(IPC_ROOT / str(os.getpid()), ignore_errors=True)
