"""Kernel plumbing for the sandboxed executor: fork-server client, provisioner, manager, client.

jupyter_client starts kernels through a *provisioner*; ``SandboxProvisioner`` asks the fork
server for a sandboxed kernel instead of running ``python -m ipykernel``. The kernel talks
ZeroMQ over unix sockets in a per-kernel folder that is the only host folder it can write.
``FastKernelClient`` waits for readiness by round trips instead of jupyter_client's fixed 0.2 s
IOPub flush, and ``SandboxKernelManager`` kills instead of a polite shutdown polled every 0.1 s.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.provisioning import KernelProvisionerBase
from traitlets import DottedObjectName, Type

from grading.engine import forkserver as zygote
from grading.engine import lifeline, sandbox

IPC_ROOT = Path(f"/tmp/congvu-ipc-{os.geteuid()}")
_COUNTER = itertools.count()
_STATE: dict = {"zygote": None, "context": None, "spec": {}}


def shared_context() -> zmq.asyncio.Context:
    if _STATE["context"] is None:
        _STATE["context"] = zmq.asyncio.Context()
    return _STATE["context"]


def _clean_env() -> dict:
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    return env


class ForkServer:
    """The grader's handle on its fork server (one per worker process)."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            lifeline.command("grading.engine.forkserver", str(theirs.fileno())),
            pass_fds=[theirs.fileno()], env=_clean_env(), cwd="/", stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL)
        theirs.close()
        self.sock = mine
        self.ready = False  # it warms (imports) in its own process until its first spawn

    def spawn(self, spec: sandbox.Spec, argv: list[str]) -> Sandbox:
        if not self.ready:
            if zygote.recv(self.sock) is None:
                raise RuntimeError("fork server did not start")
            self.ready = True
        zygote.send(self.sock, {"op": "spawn", "spec": spec.to_json(), "argv": argv})
        data, fds, _, _ = socket.recv_fds(self.sock, zygote.MAX_MSG, 1)
        if not data or not fds:
            raise RuntimeError("fork server closed")
        return Sandbox(socket.socket(fileno=fds[0]), json.loads(data)["supervisor"])

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def fork_server() -> ForkServer:
    server = _STATE["zygote"]
    if server is None or server.proc.poll() is not None:
        server = _STATE["zygote"] = ForkServer()
    return server


def close_fork_server() -> None:
    if _STATE["zygote"] is not None:
        _STATE["zygote"].close()
        _STATE["zygote"] = None


class CheckCrashed(RuntimeError):
    """The sandbox supervisor died or failed while running checks (a fault of the check or
    of the kit, never of the learner): the message is the error's last line."""


class Sandbox:
    """One notebook's sandbox: its supervisor (checks) and its kernel."""

    def __init__(self, sock: socket.socket, supervisor: int) -> None:
        self.sock, self.supervisor = sock, supervisor
        self.pid: int | None = None
        self.status: int | None = None
        self.pidfd: int | None = None
        self.error = ""

    def _next(self, timeout: float):
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            raise TimeoutError("sandbox did not answer")
        msg = zygote.recv(self.sock)
        if msg is None:
            raise OSError("sandbox closed")
        if msg.get("event") == "exit":
            self.status = msg["status"]
            return self._next(timeout)
        return msg

    def wait_ready(self, timeout: float = 60) -> int:
        msg = self._next(timeout)
        if msg.get("event") != "ready":
            self.error = msg.get("error", "")
            raise RuntimeError("sandboxed kernel failed to start\n" + self.error)
        self.pid = msg["pid"]
        self.pidfd = os.pidfd_open(self.pid)
        return self.pid

    def check(self, calls, timeout: float) -> list[dict]:
        try:
            zygote.send(self.sock, {"op": "check", "calls": calls})
            msg = self._next(timeout)
        except TimeoutError:
            self.kill(supervisor=True)
            raise
        except OSError as exc:  # the supervisor is gone (killed, crashed in native code)
            raise CheckCrashed(f"bộ chấm dừng đột ngột ({exc})") from exc
        if "outputs" not in msg:  # it failed with a Python error and sent its traceback
            self.error = str(msg.get("error") or msg)
            self.kill(supervisor=True)
            lines = [line for line in self.error.strip().splitlines() if line.strip()]
            raise CheckCrashed((lines[-1] if lines else "?")[:300])
        return msg["outputs"]

    def drain(self, wait: float = 0.0) -> None:
        """Read pending events (the kernel's exit status) without a request outstanding."""
        end = time.monotonic() + wait
        while self.status is None:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                return
            msg = zygote.recv(self.sock)
            if msg is None:
                return
            if msg.get("event") == "exit":
                self.status = msg["status"]

    def alive(self) -> bool:
        if self.pidfd is None or self.status is not None:
            return False
        return not select.select([self.pidfd], [], [], 0)[0]

    def kill(self, supervisor: bool = False) -> None:
        for pid in ([self.pid] if self.pid else []) + ([self.supervisor] if supervisor else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        self.kill()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.sock.close()


class SandboxProvisioner(KernelProvisionerBase):
    sandbox: Sandbox | None = None
    ipc_dir: Path | None = None

    @property
    def has_process(self) -> bool:
        return self.sandbox is not None and self.sandbox.pid is not None

    def exit_status(self, wait: float = 0.5):
        if self.sandbox is None:
            return None
        self.sandbox.drain(wait)
        return self.sandbox.status

    async def poll(self):
        if self.sandbox is None or self.sandbox.alive():
            return None
        return 1

    async def wait(self):
        while self.sandbox is not None and self.sandbox.alive():
            await asyncio.sleep(0.002)
        return 1

    async def send_signal(self, signum: int) -> None:
        if self.sandbox and self.sandbox.pid:
            try:
                os.kill(self.sandbox.pid, signum)
            except ProcessLookupError:
                pass

    def kill_now(self) -> None:
        if self.sandbox:
            self.sandbox.kill()

    async def kill(self, restart: bool = False) -> None:
        self.kill_now()

    async def terminate(self, restart: bool = False) -> None:
        self.kill_now()  # PID 1 of a namespace ignores SIGTERM without a handler

    async def pre_launch(self, **kwargs):
        km = self.parent
        self.ipc_dir = IPC_ROOT / str(os.getpid()) / f"k{next(_COUNTER)}"
        self.ipc_dir.mkdir(parents=True, mode=0o700)
        for parent in (IPC_ROOT, IPC_ROOT / str(os.getpid())):
            os.chmod(parent, 0o711)
        km.transport, km.ip = "ipc", str(self.ipc_dir / "k")
        km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port = 1, 2, 3, 4, 5
        km.connection_file = str(self.ipc_dir / "kernel.json")
        km.write_connection_file()
        request = km.sandbox_request
        self._spec = sandbox.Spec(assignment=request["assignment"], files=request["files"],
                                  ipc_dir=str(self.ipc_dir), slot=request["slot"],
                                  limits=request["limits"], isolate=request["isolate"],
                                  cgroup=request.get("cgroup"),
                                  learner=request.get("learner", ""))
        if self._spec.isolate and os.geteuid() == 0:  # (a user namespace keeps our uid)
            uid = self._spec.learner_uid
            for path in (self.ipc_dir, km.connection_file):
                os.chown(path, uid, uid)
        kwargs["cmd"] = km.format_kernel_cmd(extra_arguments=kwargs.pop("extra_arguments", []))
        return kwargs

    async def launch_kernel(self, cmd, **kwargs):
        extra = cmd[cmd.index("-f") + 2:] if "-f" in cmd else []
        argv = ["-f", self.parent.connection_file, *extra]
        self.sandbox = fork_server().spawn(self._spec, argv)
        self.sandbox.wait_ready()
        return self.parent.get_connection_info()

    async def cleanup(self, restart: bool = False) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
        if self.ipc_dir is not None:
            shutil.rmtree(self.ipc_dir, ignore_errors=True)


class FastKernelClient(AsyncKernelClient):
    def start_channels(self, shell=True, iopub=True, stdin=True, hb=False, control=True):
        super().start_channels(shell=shell, iopub=iopub, stdin=stdin, hb=False, control=control)

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or 60)
        while time.monotonic() < deadline:
            msg_id = self.kernel_info()
            reply = None
            while reply is None and time.monotonic() < deadline:
                msg = await self.shell_channel.get_msg(timeout=deadline - time.monotonic())
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            end = time.monotonic() + 0.05
            while time.monotonic() < end:  # IOPub is subscribed once it echoes our request
                try:
                    msg = await self.iopub_channel.get_msg(timeout=max(0.0, end - time.monotonic()))
                except Exception:
                    break
                if msg["parent_header"].get("msg_id") == msg_id:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
        raise RuntimeError("Kernel didn't respond in time")

    wait_for_ready = _async_wait_for_ready


_SPECS: dict = {}


class SandboxKernelManager(AsyncKernelManager):
    client_class = DottedObjectName("grading.engine.kernels.FastKernelClient")
    client_factory = Type(klass="grading.engine.kernels.FastKernelClient")
    sandbox_request: dict = {}

    @property
    def kernel_spec(self):
        if self.kernel_name not in _SPECS:
            _SPECS[self.kernel_name] = self.kernel_spec_manager.get_kernel_spec(self.kernel_name)
        return _SPECS[self.kernel_name]

    async def _async_pre_start_kernel(self, **kw):
        self.kernel_id = self.kernel_id or str(uuid.uuid4())
        if self.provisioner is None:
            self.provisioner = SandboxProvisioner(kernel_id=self.kernel_id,
                                                  kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        self.shutting_down = True
        if self.has_kernel:
            await self.provisioner.kill()
            await asyncio.wait_for(self.provisioner.wait(), 5)
        await self._async_cleanup_resources(restart=restart)

    shutdown_kernel = _async_shutdown_kernel
    start_kernel = KernelManager._async_start_kernel

