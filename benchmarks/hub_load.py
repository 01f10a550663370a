"""Load on one hub machine: N learners log in, spawn, fetch, save answers and submit at once.

    sudo .venv/bin/python benchmarks/hub_load.py [--learners 50] [--ramp S] [--keep]

Needs root (one OS account per learner, made by `congvu hub sync`, removed afterwards) and
`make hub-env`. Builds a workspace of the tiny test course with N learners over 5 communes,
starts the real hub of `make hub` (deploy/jupyterhub_config.py) on a loopback port, then drives
every learner in its own thread through the hub's REST API and their own server: first login with
the sheet's code, API token, spawn, fetch, save answers (the answers file, as the widgets write
it), submit. Prints

    learners: N spawn_p95_s: X submit_p95_s: Y lost: 0 rss_mb_per_learner: Z

then the peer (one learner alone, same run: login to submitted), the ratio, the hub's and
servers' CPU seconds and the machine's load. ``lost`` counts learners whose submission is not in
the exchange's inbound, owned by their account, after the run.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "learner")]

from hub_driver import HubUser, codes_from_sheet, remove_accounts  # noqa: E402

from grading import api  # noqa: E402

HUB_BIN = REPO / ".hub" / "venv" / "bin"
CHP = REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
MINI = REPO / "tests" / "data" / "course" / "course.yml"
WARDS = ("90001", "90002", "90003", "90004", "90005")


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def journey(base: str, name: str, code: str, delay: float = 0.0) -> dict:
    time.sleep(delay)  # --ramp: this learner arrives later
    user, out = HubUser(base, name), {"name": name}
    t0 = time.monotonic()
    status = user.login(code, f"Mat-khau-{name}").status_code
    assert status == 302, (name, status)
    user.token()
    out["spawn"] = user.spawn(timeout=600)
    assert user.assignment("fetch", "mini", "mini")["success"], name
    user.save_answers("mini", {"c1": "C"})
    t1 = time.monotonic()
    assert user.assignment("submit", "mini", "mini")["success"], name
    out["submit"] = time.monotonic() - t1
    out["total"] = time.monotonic() - t0
    return out


def rss_mb(users: list[str]) -> float:
    total = 0
    for user in users:
        pids = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
    return total / 1024


def cpu_s(users: list[str]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for user in users:
        pids = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
            except OSError:
                pass
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--learners", type=int, default=50)
    ap.add_argument("--keep", action="store_true", help="keep the accounts and workspace")
    ap.add_argument("--ramp", type=float, default=0.0, metavar="S",
                    help="spread the learners' arrivals evenly over S seconds (default 0: all "
                         "at once); a commune's morning session arrives over minutes")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("hub_load.py needs root: one OS account per learner")
    if not (HUB_BIN / "voila").exists() or not CHP.exists():
        subprocess.run(["make", "hub-env"], cwd=REPO, check=True)
    tag = "L" + secrets.token_hex(2).upper()
    names = [f"{tag}{i:04d}" for i in range(args.learners + 1)]  # +1: the peer, alone
    root = Path(tempfile.mkdtemp(prefix="congvu-hubload-"))
    root.chmod(0o755)
    proc = None
    try:
        ws = api.init_workspace(directory=root / "ws", manifest=MINI)
        roster = root / "ds.csv"
        roster.write_text("ma_can_bo,ho_ten,chuc_vu,ma_don_vi\n" + "".join(
            f"{n},Học Viên {i},Công chức Văn phòng - Thống kê,{WARDS[i % len(WARDS)]}\n"
            for i, n in enumerate(names)), encoding="utf-8")
        api.import_roster(workspace=ws, file=roster)
        api.release(workspace=ws)
        t = time.monotonic()
        synced = api.hub_sync(workspace=ws)
        sync_s = time.monotonic() - t
        codes = codes_from_sheet(synced["sheet"])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "CONGVU_WS": str(ws.root), "CONGVU_HUB_PORT": str(port),
               "CONGVU_HUB_STATE": str(root / "hub_state"), "CONGVU_HUB_PROXY": str(CHP),
               "PATH": f"{HUB_BIN}{os.pathsep}{os.environ['PATH']}"}
        log = open(root / "jupyterhub.log", "w")
        proc = subprocess.Popen([str(HUB_BIN / "jupyterhub"), "-f",
                                 str(REPO / "deploy" / "jupyterhub_config.py")],
                                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # up to 5 min on a loaded machine
            try:
                if HubUser(base, "x").http.get(f"{base}/hub/login", timeout=5).ok:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        peer = journey(base, names[0], codes[names[0]])
        cpu0 = time.process_time()
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.learners) as pool:
            runs = list(pool.map(lambda i: journey(base, names[i], codes[names[i]],
                                                   args.ramp * (i - 1) / args.learners),
                                 range(1, len(names))))
        wall = time.monotonic() - t0
        inbound = ws.root / "exchange" / "mini" / "inbound"
        import pwd
        owners = {p.name.split("+")[0]: p.stat().st_uid for p in inbound.iterdir()}
        lost = sum(owners.get(n) != pwd.getpwnam(n).pw_uid for n in names[1:])
        rss = rss_mb(names[1:]) / args.learners
        spawn95, submit95 = p95([r["spawn"] for r in runs]), p95([r["submit"] for r in runs])
        if args.ramp:
            print(f"arrivals spread over {args.ramp:.0f} s")
        print(f"learners: {args.learners} spawn_p95_s: {spawn95:.1f} submit_p95_s: {submit95:.2f} "
              f"lost: {lost} rss_mb_per_learner: {rss:.0f}")
        total95 = p95([r["total"] for r in runs])
        print(f"peer (one learner alone, same run): spawn {peer['spawn']:.1f} s, login-to-submitted "
              f"{peer['total']:.1f} s; p95 login-to-submitted under load {total95:.1f} s "
              f"(ratio {total95 / peer['total']:.1f}x); median spawn "
              f"{statistics.median(r['spawn'] for r in runs):.1f} s; wave wall {wall:.1f} s")
        hub_cpu = sum(int(x) for x in Path(f"/proc/{proc.pid}/stat").read_text()
                      .rsplit(")", 1)[1].split()[11:13]) / os.sysconf("SC_CLK_TCK")
        print(f"cpu_s: hub {hub_cpu:.1f}, learners' servers {cpu_s(names):.1f}, driver "
              f"{time.process_time() - cpu0:.1f}; hub sync of {len(names)} accounts {sync_s:.1f} s")
        print(f"load: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        return 0 if lost == 0 else 1
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=180)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not args.keep:
            remove_accounts(names)  # this run's own accounts and their servers
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
