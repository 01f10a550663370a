"""Certificates for officials who completed a track: who, serial numbers, codes, verification.

An official completed a track when they passed every module of it that their position
requires (and at least one). Each certificate gets a serial number (``CONGVU-2026-00001``),
kept in ``congvu/certificates.csv`` so that issuing again reuses it, and a verification code:
an HMAC of (serial, learner, track, date) under a key that never leaves the workspace
(``congvu/certificate_key``, owner-only). ``verify`` finds the code in the register and
recomputes it: a forged or edited certificate does not verify. The PDF pages are drawn by
``certificate_pdf.py``.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import secrets
from pathlib import Path

import pandas as pd

from grading import columns as C
from grading import settings
from grading.course.workspace import Workspace
from grading.errors import KitError, problem
from grading.files import write_atomic

REGISTER = "certificates.csv"
KEY_FILE = "certificate_key"
FIELDS = ("serial", "code", C.LEARNER, C.NAME, C.POSITION, C.WARD_CODE, C.WARD_NAME, C.TRACK,
          "track_title", "modules", "completed_on", "issued_on")


def track_completers(lm: pd.DataFrame) -> pd.DataFrame:
    """One row per (learner, track) completed: every required module of the track passed.

    ``lm`` is the report's learner × module table (C.TRACK, C.REQUIRED, C.PASSED,
    C.TIMESTAMP, C.MODULE_TITLE and the person columns). Pure; leavers are included (they
    completed while in post). ``completed_on`` is the day of the last passing submission.
    """
    req = lm[lm[C.REQUIRED]]
    if req.empty:
        return pd.DataFrame(columns=[C.LEARNER, C.TRACK, "modules", "completed_on"])
    keys = [C.LEARNER, C.TRACK]
    done = req.groupby(keys, sort=True)[C.PASSED].all()
    done = done[done].index
    rows = req.set_index(keys).loc[done].reset_index()
    title = C.MODULE_TITLE if C.MODULE_TITLE in rows else C.MODULE
    rows = rows.sort_values([*keys, C.MODULE])
    out = rows.groupby(keys, sort=True).agg(
        modules=(title, lambda s: "; ".join(map(str, s))),
        completed_on=(C.TIMESTAMP, lambda s: pd.to_datetime(s).max().date().isoformat()))
    people = [c for c in (C.NAME, C.POSITION, C.WARD_CODE, C.WARD_NAME) if c in rows]
    persons = rows.drop_duplicates(C.LEARNER).set_index(C.LEARNER)[people]
    return out.reset_index().join(persons, on=C.LEARNER)


# --------------------------------------------------------------------------- codes
def _key(ws: Workspace) -> bytes:
    path = ws.root / "congvu" / KEY_FILE
    if not path.exists():
        write_atomic(path, secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()


def make_code(key: bytes, serial: str, learner: str, track: str, completed_on: str) -> str:
    """Ten letters and digits (XXXXX-XXXXX), easy to read aloud and to type."""
    mac = hmac.new(key, "|".join((serial, learner, track, completed_on)).encode("utf-8"),
                   hashlib.sha256).digest()
    text = base64.b32encode(mac).decode("ascii")[:10]
    return f"{text[:5]}-{text[5:]}"


def normalize_code(code: str) -> str:
    text = re.sub(r"[^A-Z2-7]", "", str(code).upper())
    return f"{text[:5]}-{text[5:]}" if len(text) == 10 else str(code).strip()


# --------------------------------------------------------------------------- register
def read_register(ws: Workspace) -> pd.DataFrame:
    path = ws.root / "congvu" / REGISTER
    if not path.exists():
        return pd.DataFrame(columns=list(FIELDS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_register(ws: Workspace, frame: pd.DataFrame) -> None:
    buf = io.StringIO()
    frame[list(FIELDS)].to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
    write_atomic(ws.root / "congvu" / REGISTER, buf.getvalue().encode("utf-8"))


def register(ws: Workspace, done: pd.DataFrame, *, today: dt.date | None = None,
             lang: str = "vi") -> pd.DataFrame:
    """Give each completion its certificate row: the existing one, or a new serial and code."""
    today = today or settings.vn_today()  # Vietnam's date, whatever the server's zone
    old = read_register(ws)
    known = {(r[C.LEARNER], r[C.TRACK]): r for r in old.to_dict("records")}
    titles = {t.id: t.title.get(lang) for t in ws.manifest.tracks}
    key, prefix = _key(ws), f"{ws.course_id.upper()}-{today.year}-"
    used = [int(s.rsplit("-", 1)[1]) for s in old["serial"] if s.startswith(prefix)]
    next_no = max(used, default=0) + 1
    rows, new = [], []
    for r in done.to_dict("records"):
        got = known.get((str(r[C.LEARNER]), str(r[C.TRACK])))
        if got is None:
            serial = f"{prefix}{next_no:05d}"
            next_no += 1
            got = {**{f: str(r.get(f, "") or "") for f in FIELDS}, "serial": serial,
                   "track_title": titles.get(r[C.TRACK], r[C.TRACK]),
                   "issued_on": today.isoformat()}
            got["code"] = make_code(key, serial, got[C.LEARNER], got[C.TRACK],
                                    got["completed_on"])
            new.append(got)
        rows.append(got)
    if new:
        _write_register(ws, pd.concat([old, pd.DataFrame(new)], ignore_index=True))
    return pd.DataFrame(rows, columns=list(FIELDS))


def verify(ws: Workspace, code: str) -> dict:
    """The certificate a code belongs to, checked against the workspace's key."""
    wanted = normalize_code(code)
    found = read_register(ws)
    found = found[found["code"] == wanted]
    if found.empty:
        raise KitError(problem(f"mã xác minh {wanted} không có trong sổ cấp giấy chứng nhận",
                               "kiểm tra lại mã in trên giấy chứng nhận (10 ký tự, ví dụ "
                               "ABCDE-23456); giấy không có trong sổ là giấy không hợp lệ",
                               message_en=f"verification code {wanted} is not in the register",
                               fix_en="check the code printed on the certificate",
                               file=str(ws.root / "congvu" / REGISTER)))
    row = found.iloc[0].to_dict()
    expected = make_code(_key(ws), row["serial"], row[C.LEARNER], row[C.TRACK],
                         row["completed_on"])
    row["valid"] = hmac.compare_digest(expected, row["code"])
    return row


def issued_path(out: Path, ward_code: str) -> Path:
    """The printing file of one commune (all its certificates, one per page)."""
    return Path(out) / f"chung_nhan_{ward_code}.pdf"


def write_certificates(ws: Workspace, out: str | Path, *, wards: list[str] | None = None,
                       lang: str = "vi", today: dt.date | None = None) -> dict:
    """Certificates of every completer (of the given wards): a PDF per commune for printing
    (``chung_nhan_<ward>.pdf``, one page each) and one PDF per official
    (``<ward>/<serial>.pdf``). Returns the register rows issued and the files written."""
    from grading.report import certificate_pdf, tables

    lm, _ = tables.learner_modules(ws, lang)
    if wards:
        lm, _ = tables.only_wards(lm, None, wards)
    rows = register(ws, track_completers(lm), today=today, lang=lang)
    out = Path(out)
    title = ws.manifest.title.get(lang)
    files = []
    for ward, group in rows.groupby(C.WARD_CODE, sort=True):
        records = group.sort_values(["serial"]).to_dict("records")
        files.append(certificate_pdf.write_pdf(records, issued_path(out, str(ward)),
                                               course_title=title))
        for record in records:
            certificate_pdf.write_pdf([record], out / str(ward) / f"{record['serial']}.pdf",
                                      course_title=title)
    return {"certificates": rows, "files": files, "out": out}
