"""Hub accounts from the roster: who may log in to the province's JupyterHub, with which roles.

``congvu hub sync DIR`` turns ``DIR/congvu/roster.csv`` (officials) and an optional staff file
(trainers, HR, chairmen who are not learners) into one account per person, written to
``DIR/congvu/hub/users.json``; ``deploy/jupyterhub_config.py`` reads that file at hub start
(users, groups, roles) and the authenticator reads it at each login. Pure functions here; the
OS accounts are made by ``course/hub_os.py``.

Roles (JupyterHub groups): ``hoc_vien`` (every active official), ``giang_vien`` (trainers:
formgrader), ``nhan_su`` (HR: every commune) and ``chu_tich_xa`` (a commune chairman: their own
commune only); one group per commune, ``xa_<ward code>``. Hub and OS user names are the learner
ids exactly as in the roster (``CB0001``): nbgrader's exchange takes the OS user name as the
learner id (``collect`` flags a submission whose owner differs), so the three names must be one.
The login accepts any letter case.

First login: each new account gets a one-time code printed on its commune's sheet. Only a salted
scrypt hash of the code is stored; the official logs in with it once and then chooses a password
(kept by the authenticator as a bcrypt hash). Leavers are disabled (no login, OS account
locked); their home and submissions are kept.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading.errors import WorkspaceError, problem

ROLES = ("hoc_vien", "giang_vien", "nhan_su", "chu_tich_xa")
CHAIRMAN_POSITIONS = ("Chủ tịch UBND",)
STATE = Path("congvu") / "hub" / "users.json"
SHEET = Path("congvu") / "hub" / "dang_nhap_lan_dau.xlsx"
STAFF = Path("congvu") / "hub" / "staff.csv"          # copy of the last staff file given
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by hand
STAFF_COLUMNS = ("ten_dang_nhap", "ho_ten", "vai_tro", "ma_don_vi")


@dataclass
class HubAccount:
    username: str
    full_name: str
    roles: list[str]
    ward_code: str = ""
    ward_name: str = ""
    learner_id: str = ""          # roster id ("" for staff who are not learners)
    active: bool = True
    code_hash: str = ""           # scrypt hash of the one-time code; "" once a password is set
    groups: list[str] = field(default_factory=list)


def username_for(learner_id: str) -> str:
    return learner_id.strip()


def _valid_username(name: str) -> bool:
    return (0 < len(name) <= 32 and name[0].isascii() and name[0].isalpha()
            and all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in name))


def plan_accounts(roster: pd.DataFrame, staff: pd.DataFrame | None = None) -> list[HubAccount]:
    """One account per official (roster) and per staff row; roles and groups derived."""
    accounts: dict[str, HubAccount] = {}
    for row in roster.to_dict("records"):
        name = username_for(row[C.LEARNER])
        roles = ["hoc_vien"]
        if row.get(C.POSITION, "") in CHAIRMAN_POSITIONS:
            roles.append("chu_tich_xa")
        accounts[name] = HubAccount(username=name, full_name=row[C.NAME], roles=roles,
                                    ward_code=row[C.WARD_CODE], ward_name=row[C.WARD_NAME],
                                    learner_id=row[C.LEARNER], active=not row.get(C.LEFT, ""))
    for i, row in enumerate((staff if staff is not None else pd.DataFrame()).to_dict("records")):
        name, role = username_for(row["ten_dang_nhap"]), row["vai_tro"].strip()
        if role not in ROLES or not _valid_username(name):
            raise WorkspaceError(problem(
                f"dòng {i + 2}: tên đăng nhập '{name}' hoặc vai trò '{role}' không hợp lệ",
                f"vai trò là một trong {', '.join(ROLES)}; tên đăng nhập chỉ gồm chữ không dấu, "
                "số, '.', '-', '_', bắt đầu bằng chữ", row=i + 2, column="vai_tro",
                message_en=f"row {i + 2}: invalid user name '{name}' or role '{role}'",
                fix_en=f"role is one of {', '.join(ROLES)}; names use a-z, 0-9, '.', '-', '_'"))
        acc = accounts.get(name) or HubAccount(username=name, full_name=row["ho_ten"], roles=[],
                                               ward_code=row.get("ma_don_vi", "") or "")
        if role not in acc.roles:
            acc.roles.append(role)
        accounts[name] = acc
    bad = [a.username for a in accounts.values() if not _valid_username(a.username)]
    if bad:
        raise WorkspaceError(problem(
            f"mã cán bộ không dùng làm tên đăng nhập được: {', '.join(bad[:5])}",
            "mã cán bộ chỉ gồm chữ không dấu, số, '.', '-', '_' và bắt đầu bằng chữ",
            message_en=f"learner ids unusable as user names: {', '.join(bad[:5])}",
            fix_en="learner ids must start with a letter and use a-z, 0-9, '.', '-', '_'"))
    lower: dict[str, str] = {}
    for name in accounts:
        if name.lower() in lower:
            raise WorkspaceError(problem(
                f"hai tên đăng nhập chỉ khác chữ hoa/thường: {lower[name.lower()]}, {name}",
                "mỗi mã cán bộ phải khác nhau khi không phân biệt chữ hoa/thường",
                message_en=f"two user names differ only by case: {lower[name.lower()]}, {name}",
                fix_en="learner ids must differ regardless of letter case"))
        lower[name.lower()] = name
    for acc in accounts.values():
        acc.groups = sorted(set(acc.roles) | ({f"xa_{acc.ward_code}"} if acc.ward_code else set()))
    return sorted(accounts.values(), key=lambda a: a.username)


def groups(accounts: list[HubAccount]) -> dict[str, list[str]]:
    """Group name -> active members (roles and communes)."""
    out: dict[str, list[str]] = {}
    for acc in accounts:
        for g in acc.groups:
            out.setdefault(g, [])
            if acc.active:
                out[g].append(acc.username)
    return out


def hash_code(code: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(code.strip().upper().encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_code(code: str, stored: str) -> bool:
    try:
        kind, salt, digest = stored.split("$")
    except ValueError:
        return False
    return kind == "scrypt" and hmac.compare_digest(hash_code(code, bytes.fromhex(salt)),
                                                    stored)


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def load_state(root: Path) -> dict[str, HubAccount]:
    path = Path(root) / STATE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {u["username"]: HubAccount(**u) for u in data["users"]}


def merge(previous: dict[str, HubAccount], planned: list[HubAccount],
          reissue: frozenset[str] = frozenset()) -> tuple[list[HubAccount], dict[str, str]]:
    """Carry over code hashes; new accounts (and those in ``reissue``, e.g. a lost sheet) get a
    fresh one-time code. Accounts missing from the plan stay, disabled.
    Returns (accounts, {username: new code in clear, for the sheet only})."""
    codes, out = {}, {}
    for acc in planned:
        old = previous.get(acc.username)
        if old is not None and acc.username not in reissue:
            acc.code_hash = old.code_hash   # "" once the official chose a password
        elif acc.active:
            codes[acc.username] = new_code()
            acc.code_hash = hash_code(codes[acc.username])
        out[acc.username] = acc
    for name, old in previous.items():
        if name not in out:
            old.active = False
            out[name] = old
    return sorted(out.values(), key=lambda a: a.username), codes


def save_state(root: Path, accounts: list[HubAccount]) -> Path:
    """Write users.json (0600) atomically: users and groups."""
    path = Path(root) / STATE
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {"users": [asdict(a) for a in accounts], "groups": groups(accounts)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def mark_password_set(root: Path, username: str) -> None:
    """The official chose a password: the one-time code is spent."""
    accounts = load_state(root)
    if username in accounts and accounts[username].code_hash:
        accounts[username].code_hash = ""
        save_state(root, list(accounts.values()))


def read_staff(path: Path) -> pd.DataFrame:
    """Staff file (CSV or xlsx): ten_dang_nhap, ho_ten, vai_tro[, ma_don_vi]."""
    path = Path(path)
    frame = (pd.read_excel(path, dtype=str) if path.suffix.lower() in (".xlsx", ".xlsm")
             else pd.read_csv(path, dtype=str, encoding="utf-8-sig", sep=None, engine="python"))
    frame = frame.fillna("").rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in STAFF_COLUMNS[:3] if c not in frame]
    if missing:
        raise WorkspaceError(problem(
            f"thiếu cột {', '.join(missing)}", f"tệp cán bộ quản lý cần các cột "
            f"{', '.join(STAFF_COLUMNS)} (ma_don_vi cho chu_tich_xa)", file=path,
            message_en=f"missing columns {', '.join(missing)}",
            fix_en=f"the staff file needs columns {', '.join(STAFF_COLUMNS)}"))
    if "ma_don_vi" not in frame:
        frame["ma_don_vi"] = ""
    return frame
