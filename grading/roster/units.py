"""The table of commune-level units (xã, phường, đặc khu): codes, names, legacy names.

The kit ships a small SYNTHETIC province (``data/units_sample.csv``: "Tỉnh Mẫu", codes 90001…,
not official codes). A workspace can hold the official list, saved as ``congvu/units.csv`` by
``congvu roster import DIR FILE --units LIST.csv``. Columns (headers matched flexibly):
``ma_don_vi, ten_don_vi`` and optionally ``ma_tinh, ten_tinh, huyen_cu`` (legacy districts the
unit's territory came from) and ``ten_cu`` (names of the former units merged into it), lists
separated by ';'.

Matching a roster's ward name: the unit kind (Xã/X., Phường/P., Đặc khu/ĐK; Thị trấn/TT. only
as a former name) plus the name compared by ``vntext.tone_key``; names typed without any
diacritics fall back to ``ascii_key``. Several candidates are narrowed by province and legacy
district; still several, or none, is the caller's error, with the candidates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grading.errors import RosterError, problem
from grading.roster import hr_excel
from grading.vntext import ascii_key, has_diacritics, nfc, tone_key

SAMPLE = Path(__file__).resolve().parent / "data" / "units_sample.csv"
WORKSPACE_FILE = Path("congvu") / "units.csv"
CODE_RE = re.compile(r"^\d{5}$")
KINDS = {"xa": "Xã", "phuong": "Phường", "dac_khu": "Đặc khu", "thi_tran": "Thị trấn"}
# (kind, regexp on ascii_key of the NFC text, case-folded); abbreviations first where needed.
_PREFIXES = [("dac_khu", r"dac khu |d k |dk "), ("thi_tran", r"thi tran |t t |tt "),
             ("phuong", r"phuong |p "), ("xa", r"xa |x ")]
_DISTRICT_PREFIX = re.compile(r"^(huyen|quan|thi xa|thanh pho|tp|h|q|tx)\s+")


def split_kind(name: str) -> tuple[str | None, str]:
    """('phuong', 'Hòa Bình') for 'P. Hòa Bình'; (None, name) when no kind is written."""
    text = nfc(name)
    key = ascii_key(text) + " "
    for kind, pattern in _PREFIXES:
        m = re.match(pattern, key)
        if m:  # ascii_key and \w+ cut NFC text at the same word boundaries
            words = re.findall(r"[^\W_]+", text)
            return kind, " ".join(words[len(m.group(0).split()):])
    return None, text


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    province_code: str = ""
    province: str = ""
    districts: tuple[str, ...] = ()   # legacy districts, as written
    former: tuple[str, ...] = ()      # former unit names, as written

    @property
    def kind(self) -> str | None:
        return split_kind(self.name)[0]

    def describe(self) -> str:
        extra = f", trước thuộc {', '.join(self.districts)}" if self.districts else ""
        return f"{self.code} {self.name}{extra}"


@dataclass
class Match:
    unit: Unit | None
    candidates: list[Unit] = field(default_factory=list)


@dataclass
class Units:
    units: list[Unit]
    official: bool = False  # False for the shipped synthetic sample
    source: str = ""

    def __post_init__(self):
        self.by_code = {u.code: u for u in self.units}
        self._now: dict[tuple, list[Unit]] = {}
        self._old: dict[tuple, list[Unit]] = {}
        for unit in self.units:
            for key in _keys(unit.name):
                self._now.setdefault(key, []).append(unit)
            for former in unit.former:
                for key in _keys(former):
                    self._old.setdefault(key, []).append(unit)

    def get(self, code: str) -> Unit | None:
        return self.by_code.get(code)

    def same_name(self, unit: Unit, name: str) -> bool:
        """Does ``name`` (as HR wrote it) designate ``unit``, now or by a former name?"""
        return unit in self.match(name).candidates

    def match(self, name: str, district: str = "", province: str = "") -> Match:
        kind, base = split_kind(name)
        plain = not has_diacritics(base)
        found = []
        for index in (self._now, self._old):  # a current name wins over a former one
            for fold in ((tone_key, ascii_key) if plain else (tone_key,)):
                found = _lookup(index, kind, fold(base), fold is ascii_key)
                if found:
                    break
            if found:
                break
        found = list(dict.fromkeys(found))
        if province and len(found) > 1:
            pk = tone_key(re.sub(r"^(tỉnh|thành phố|tp\.?)\s+", "", nfc(province), flags=re.I))
            found = [u for u in found if tone_key(u.province).endswith(pk) or u.province_code
                     == nfc(province)] or found
        if district and len(found) > 1:
            dk = _district(district)
            narrowed = [u for u in found if dk in {_district(d) for d in u.districts}]
            found = narrowed or found
        return Match(found[0] if len(found) == 1 else None, found)

    def suggestions(self, name: str, n: int = 3) -> list[Unit]:
        import difflib

        names = {ascii_key(u.name): u for u in self.units}
        close = difflib.get_close_matches(ascii_key(name), list(names), n=n, cutoff=0.6)
        return [names[c] for c in close]


def _district(name: str) -> str:
    """A legacy district's name without its kind and a trailing "(cũ)", diacritics dropped:
    'Huyện Tây Sơn (cũ)', 'H. Tây Sơn', 'huyen tay son' -> 'tay son'. Used only to choose among
    a few candidates, so dropping diacritics is safe here."""
    key = _DISTRICT_PREFIX.sub("", ascii_key(name) + " ").strip()
    return re.sub(r"\s+cu$", "", key)


def _keys(name: str):
    kind, base = split_kind(name)
    for fold in (tone_key, ascii_key):
        yield (fold is ascii_key, kind, fold(base))
        yield (fold is ascii_key, None, fold(base))


def _lookup(index: dict, kind: str | None, key: str, is_ascii: bool) -> list[Unit]:
    return list(index.get((is_ascii, kind, key), []))


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(nfc(v) for v in str(value or "").split(";") if nfc(v))


def from_records(records: list[dict], *, official: bool, source: str) -> Units:
    """Units from dicts with ma_don_vi, ten_don_vi[, ma_tinh, ten_tinh, huyen_cu, ten_cu]."""
    return Units([Unit(r["ma_don_vi"], nfc(r["ten_don_vi"]), nfc(r.get("ma_tinh", "")),
                       nfc(r.get("ten_tinh", "")), _split_list(r.get("huyen_cu", "")),
                       _split_list(r.get("ten_cu", ""))) for r in records],
                 official=official, source=source)


def sample() -> Units:
    return read_units_file(SAMPLE, official=False)


def for_workspace(root: Path) -> Units:
    """The workspace's official list if one was saved, else the synthetic sample."""
    path = Path(root) / WORKSPACE_FILE
    return read_units_file(path, official=True) if path.is_file() else sample()


def read_units_file(path: Path, *, official: bool):
    """The units table from a CSV/xlsx list (the shipped sample or the official list)."""
    records, missing = hr_excel.read_records(path, hr_excel.UNIT_ALIASES, ("ma_don_vi", "ten_don_vi"))
    if missing:
        raise hr_excel.fail(f"danh mục đơn vị thiếu cột {', '.join(missing)}",
                    "danh mục cần cột mã (5 chữ số) và tên xã/phường/đặc khu", path,
                    f"the unit list lacks column(s) {', '.join(missing)}")
    problems, seen = [], {}
    for rec in records:
        code = rec["ma_don_vi"]
        if code.isdigit() and len(code) < 5:
            rec["ma_don_vi"] = code = code.zfill(5)  # Excel dropped the leading zeros
        if not CODE_RE.match(code):
            problems.append(problem(f"mã '{code}' không đúng 5 chữ số", "sửa mã trong danh mục",
                                    file=rec["_where"], row=rec["_row"], column="ma_don_vi"))
        elif code in seen:
            problems.append(problem(f"mã '{code}' trùng với dòng {seen[code]}",
                                    "mỗi đơn vị chỉ một dòng", file=rec["_where"],
                                    row=rec["_row"], column="ma_don_vi"))
        seen.setdefault(code, rec["_row"])
    if problems:
        raise RosterError(problems[:50], "Danh mục đơn vị bị từ chối:", "Unit list rejected:")
    return from_records(records, official=official, source=str(path))
