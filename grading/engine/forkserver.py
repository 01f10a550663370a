"""A warm fork server: kernels forked from a pre-imported parent instead of a fresh interpreter.

Starting ``python -m ipykernel`` costs ~0.4 s, mostly imports. The fork server imports
everything an IPython kernel, the item widgets and the checks need once, then for each notebook
forks a *supervisor* that builds the sandbox (``grading/sandbox.py``) and forks the kernel inside
it. One kernel serves one notebook of one learner and dies with it. The server holds no secret:
it never reads the gradebook, the course source or any learner's data, and its environment is a
clean one, because each kernel is a copy of its memory.

Protocol: SOCK_SEQPACKET messages of JSON. Grader -> server: ``{"op": "spawn", "spec", "argv"}``;
reply ``{"supervisor": pid}`` carrying a new socket to that supervisor. Supervisor -> grader:
``{"event": "ready", "pid"}`` once the kernel's sockets are bound, replies to
``{"op": "check", "calls"}``, and ``{"event": "exit", "status"}`` when the kernel ends.
"""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import sys
import tempfile
import traceback

from grading.engine import cgroups, checkrun, sandbox

MAX_MSG = 1 << 20


def send(sock: socket.socket, obj, fds: list[int] | None = None) -> None:
    data = json.dumps(obj).encode()
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.sendmsg([data])


def recv(sock: socket.socket):
    data = sock.recv(MAX_MSG)
    return json.loads(data) if data else None


# --------------------------------------------------------------------------- server side
def _probe_modules() -> list[str]:
    """Modules a kernel imports while starting, found by starting one in a throwaway child."""
    from jupyter_client.connect import write_connection_file

    folder = tempfile.mkdtemp(prefix="congvu-probe-")
    cf = os.path.join(folder, "k.json")
    write_connection_file(cf, transport="ipc", ip=os.path.join(folder, "k"), shell_port=1,
                          iopub_port=2, stdin_port=3, control_port=4, hb_port=5)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.environ["IPYTHONDIR"] = os.path.join(folder, "ipy")
            before = set(sys.modules)
            from ipykernel.kernelapp import IPKernelApp

            IPKernelApp.instance().initialize(["-f", cf, "--HistoryManager.hist_file=:memory:"])
            new = [m for m in sys.modules if m not in before]
            os.write(w, "\n".join(new).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    return b"".join(chunks).decode().split("\n")


def warm() -> None:
    import ipykernel.kernelapp  # noqa: F401
    import ipywidgets  # noqa: F401

    from grading.learner import items  # noqa: F401

    checkrun.known_checks()
    for name in _probe_modules():
        try:
            importlib.import_module(name)
        except Exception:  # a module that only imports inside a running kernel: fine
            pass


def run_kernel(argv: list[str], ready_fd: int) -> None:
    """In the forked kernel process: start IPython's kernel, tell the supervisor, serve."""
    import random

    random.seed()  # a fork shares its parent's random state
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv)
    os.write(ready_fd, b"R")
    os.close(ready_fd)
    app.start()
    os._exit(0)


def namespace_init(spec: sandbox.Spec, argv: list[str], ready_fd: int, lifeline: int) -> None:
    """PID 1 of the sandbox, trusted and not the learner's: it holds the PID namespace (when it
    exits, every process in it dies), forwards interrupts to the kernel, and exits when the
    supervisor is gone (its end of ``lifeline`` closes). A kernel as PID 1 could not be killed
    by a parent-death signal."""
    sandbox.mount_proc(spec)
    pid = os.fork()
    if pid == 0:
        os.close(lifeline)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sandbox.become_learner(spec, keep_fds=(ready_fd,))
        run_kernel(argv, ready_fd)
    os.close(ready_fd)
    signal.signal(signal.SIGINT, lambda *_: os.kill(pid, signal.SIGINT))
    kernel = os.pidfd_open(pid)
    while True:
        ready, _, _ = select.select([kernel, lifeline], [], [])
        if lifeline in ready:
            os._exit(1)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status)
                     else os.WEXITSTATUS(status))


def supervise(sock: socket.socket, spec: sandbox.Spec, argv: list[str]) -> None:
    cgroups.join_cgroup(spec.cgroup)
    sandbox.enter(spec)
    r, w = os.pipe()
    life_r, life_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.close(life_w)
        sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        namespace_init(spec, argv, w, life_r)
    os.close(life_r)  # life_w stays open as long as this supervisor lives
    os.close(w)
    sandbox.become_checker(spec)
    os.environ.update(sandbox.learner_env(spec))  # checks draw pools as the kernel did
    pidfd = os.pidfd_open(pid)
    ready, _, _ = select.select([r, pidfd], [], [], 60)
    ok = r in ready and os.read(r, 1) == b"R"
    os.close(r)
    send(sock, {"event": "ready" if ok else "failed", "pid": pid})
    alive = True
    while True:
        waiting = [sock, pidfd] if alive else [sock]
        ready, _, _ = select.select(waiting, [], [])
        if alive and pidfd in ready:
            _, status = os.waitpid(pid, 0)
            alive = False
            send(sock, {"event": "exit", "status": status})
        if sock in ready:
            msg = recv(sock)
            if msg is None:  # the grader is done and has killed the sandbox: reap it
                if alive and select.select([pidfd], [], [], 2)[0]:
                    os.waitpid(pid, 0)
                return
            send(sock, {"outputs": checkrun.run(msg["calls"])})


def _reap(*_args) -> None:
    """Reap finished supervisors (waiting, not SIG_IGN, keeps their CPU time accounted)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def serve(sock: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, _reap)
    send(sock, {"event": "ready", "pid": os.getpid()})
    while True:
        msg = recv(sock)
        if msg is None:
            return
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sock.close()
            mine.close()
            code = 0
            try:
                supervise(theirs, sandbox.Spec.from_json(msg["spec"]), msg["argv"])
            except BaseException:
                code = 1
                try:
                    send(theirs, {"event": "failed", "error": traceback.format_exc()[-2000:]})
                except OSError:
                    pass
            os._exit(code)
        theirs.close()
        send(sock, {"supervisor": pid}, [mine.fileno()])
        mine.close()


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    sandbox.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL)
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != os.getcwd()]
    warm()
    serve(sock)


if __name__ == "__main__":
    main()
