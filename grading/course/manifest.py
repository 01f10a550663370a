"""The course manifest: one YAML file, read and validated once into typed objects."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grading.errors import ManifestError, problem
from grading.settings import PASS_MARK
from grading.vntext import ascii_key

MANIFEST_NAME = "course.yml"
ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
ALL_POSITIONS = "all"


def fold(text: str) -> str:
    """NFC, trimmed, single-spaced, case-folded: the form used to compare positions and names."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


# Abbreviations HR files use for the same words (compared on ASCII keys).
_ABBREVIATIONS = (("uy ban nhan dan", "ubnd"), ("hoi dong nhan dan", "hdnd"),
                  ("mat tran to quoc viet nam", "mttq"), ("mat tran to quoc", "mttq"),
                  ("uy ban mttq", "ubmttq"), ("dang uy", "du"))
# "Chủ tịch UBND xã", "... phường", "... đặc khu": the same position in every kind of unit.
_UNIT_SUFFIX = re.compile(r"( (xa|phuong|dac khu|thi tran))+$")


def position_key(text: str) -> str:
    """Matching key of a position: no diacritics or punctuation, abbreviations expanded the
    same way, a trailing unit kind ("xã", "phường", "đặc khu") dropped."""
    key = f" {ascii_key(text)} "
    for long, short in _ABBREVIATIONS:
        key = key.replace(f" {long} ", f" {short} ")
    return _UNIT_SUFFIX.sub("", key.strip())


@dataclass(frozen=True)
class Position:
    """An official position of commune level, with the other ways HR files write it."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Text:
    """A text in Vietnamese with an optional English version."""

    vi: str
    en: str = ""

    def get(self, lang: str = "vi") -> str:
        return self.en if lang == "en" and self.en else self.vi


@dataclass(frozen=True)
class Track:
    id: str
    title: Text


@dataclass(frozen=True)
class Retakes:
    """Retakes to mastery (course.yml ``retakes:`` of a module): how many attempts in all,
    days to wait after feedback before the next, and which attempt counts (best or last)."""
    attempts: int = 1
    wait_days: int = 0
    result: str = "best"


@dataclass(frozen=True)
class Module:
    id: str                      # also the nbgrader assignment name
    track: str
    title: Text
    lessons: tuple[str, ...]     # paths relative to the manifest's folder
    assessment: str              # folder holding the nbgrader source notebook(s)
    pass_mark: float             # percent of the maximum score
    required_for: tuple[str, ...]  # folded position names, or ("all",)
    deadline: dt.date | None = None
    rubric: str = ""             # how trainers grade the free-text item(s)
    minutes: int = 0             # estimated learning time (lessons + assessment)
    outcomes: tuple[str, ...] = ()  # learning outcomes, in Vietnamese
    retakes: Retakes = Retakes()

    def required(self, position: str) -> bool:
        return ALL_POSITIONS in self.required_for or fold(position) in self.required_for


@dataclass(frozen=True)
class Manifest:
    path: Path
    course_id: str
    title: Text
    tracks: tuple[Track, ...]
    modules: tuple[Module, ...] = field(default_factory=tuple)
    positions: tuple[Position, ...] = ()  # empty: any position text is accepted as it is

    @property
    def root(self) -> Path:
        return self.path.parent

    def module(self, module_id: str) -> Module:
        """The module of an id, or of a retake's assignment (``cntt_antt__lan2``)."""
        from grading.learner.variants import split_assignment

        base, attempt = split_assignment(module_id)
        for module in self.modules:
            if module.id == module_id or (module.id == base
                                          and attempt <= module.retakes.attempts):
                return module
        known = ", ".join(m.id for m in self.modules)
        raise ManifestError(problem(f"không có học phần '{module_id}'",
                                    f"chọn một trong: {known}", file=str(self.path),
                                    message_en=f"no module '{module_id}'",
                                    fix_en=f"choose one of: {known}"))


def _text(raw, where: str, problems: list, path: Path) -> Text:
    if isinstance(raw, str) and raw.strip():
        return Text(unicodedata.normalize("NFC", raw.strip()))
    if isinstance(raw, dict) and isinstance(raw.get("vi"), str) and raw["vi"].strip():
        en = raw.get("en") or ""
        return Text(unicodedata.normalize("NFC", raw["vi"].strip()), str(en).strip())
    problems.append(problem(f"{where}: thiếu tiêu đề tiếng Việt",
                            "ghi 'title: {vi: ..., en: ...}'", file=str(path)))
    return Text("?")


def _retakes(raw, where: str, problems: list, path: Path) -> Retakes:
    if raw is None:
        return Retakes()
    raw = raw if isinstance(raw, dict) else {}
    attempts, wait, result = (raw.get("attempts", 1), raw.get("wait_days", 0),
                              raw.get("result", "best"))
    if not isinstance(attempts, int) or not 1 <= attempts <= 9:
        problems.append(problem(f"{where}: retakes.attempts '{attempts}' không hợp lệ",
                                "ghi số lần làm bài tối đa, từ 1 đến 9", file=str(path)))
        attempts = 1
    if not isinstance(wait, int) or wait < 0:
        problems.append(problem(f"{where}: retakes.wait_days '{wait}' không hợp lệ",
                                "ghi số ngày chờ sau khi có phản hồi (số nguyên, 0 = không chờ)",
                                file=str(path)))
        wait = 0
    if result not in ("best", "last"):
        problems.append(problem(f"{where}: retakes.result '{result}' không hợp lệ",
                                "ghi 'best' (lần cao nhất) hoặc 'last' (lần cuối)",
                                file=str(path)))
        result = "best"
    return Retakes(attempts, wait, result)


def load(path: str | Path) -> Manifest:
    """Read and validate the manifest; every problem found is reported at once."""
    path = Path(path).resolve()
    if path.is_dir():
        path = path / MANIFEST_NAME
    try:
        # libyaml's loader where present (same safe subset, ~8x faster: every grading worker
        # reads the manifest)
        raw = yaml.load(path.read_text(encoding="utf-8"),
                        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise ManifestError(problem("không tìm thấy tệp kê khai khóa học",
                                    f"tạo tệp {MANIFEST_NAME} hoặc chỉ đúng đường dẫn",
                                    file=str(path), message_en="course manifest not found"))
    except yaml.YAMLError as exc:
        raise ManifestError(problem(f"YAML không hợp lệ: {exc}", "sửa cú pháp YAML",
                                    file=str(path), message_en=f"invalid YAML: {exc}"))
    if not isinstance(raw, dict):
        raise ManifestError(problem("tệp kê khai phải là một bảng khóa: giá trị",
                                    file=str(path)))
    problems: list = []
    course_id = str(raw.get("course_id", ""))
    if not ID_RE.match(course_id):
        problems.append(problem("course_id thiếu hoặc sai dạng",
                                "dùng chữ thường không dấu, số và '_'", file=str(path)))
    title = _text(raw.get("title"), "title", problems, path)
    tracks = []
    for i, t in enumerate(raw.get("tracks") or []):
        tid = str((t or {}).get("id", ""))
        if not ID_RE.match(tid):
            problems.append(problem(f"tracks[{i}]: id '{tid}' sai dạng",
                                    "dùng chữ thường không dấu, số và '_'", file=str(path)))
        tracks.append(Track(tid, _text((t or {}).get("title"), f"tracks[{i}]", problems, path)))
    track_ids = {t.id for t in tracks}
    if not tracks:
        problems.append(problem("chưa khai báo mảng (tracks)", "thêm ít nhất một mảng",
                                file=str(path)))
    modules, seen = [], set()
    for i, m in enumerate(raw.get("modules") or []):
        m = m or {}
        where = f"modules[{i}]"
        mid = str(m.get("id", ""))
        if not ID_RE.match(mid):
            problems.append(problem(f"{where}: id '{mid}' sai dạng",
                                    "dùng chữ thường không dấu, số và '_'", file=str(path)))
        if mid in seen:
            problems.append(problem(f"{where}: id '{mid}' bị trùng", "đặt id khác",
                                    file=str(path)))
        seen.add(mid)
        if m.get("track") not in track_ids:
            problems.append(problem(f"{where}: mảng '{m.get('track')}' không có trong tracks",
                                    f"chọn một trong: {', '.join(sorted(track_ids))}",
                                    file=str(path)))
        lessons = tuple(str(x) for x in (m.get("lessons") or []))
        for lesson in lessons:
            if not (path.parent / lesson).is_file():
                problems.append(problem(f"{where}: không thấy bài học {lesson}",
                                        "sửa đường dẫn hoặc thêm tệp", file=str(path)))
        assessment = str(m.get("assessment", ""))
        adir = path.parent / assessment
        if not assessment or not adir.is_dir() or not list(adir.glob("*.ipynb")):
            problems.append(problem(f"{where}: thư mục bài kiểm tra '{assessment}' không có "
                                    "notebook", "chỉ tới thư mục chứa notebook nguồn nbgrader",
                                    file=str(path)))
        pass_mark = m.get("pass_mark", PASS_MARK)
        if not isinstance(pass_mark, (int, float)) or not 0 < pass_mark <= 100:
            problems.append(problem(f"{where}: pass_mark '{pass_mark}' không hợp lệ",
                                    "ghi số phần trăm từ 1 đến 100", file=str(path)))
            pass_mark = PASS_MARK
        req = m.get("required_for", ALL_POSITIONS)
        req = (ALL_POSITIONS,) if req == ALL_POSITIONS else tuple(fold(str(p)) for p in req or [])
        if not req:
            problems.append(problem(f"{where}: required_for trống",
                                    "ghi 'all' hoặc danh sách chức vụ", file=str(path)))
        deadline = m.get("deadline")
        if deadline is not None and not isinstance(deadline, dt.date):
            problems.append(problem(f"{where}: hạn '{deadline}' không phải ngày",
                                    "ghi theo dạng YYYY-MM-DD", file=str(path)))
            deadline = None
        minutes = m.get("minutes", 0)
        if not isinstance(minutes, int) or minutes < 0:
            problems.append(problem(f"{where}: minutes '{minutes}' không hợp lệ",
                                    "ghi số phút ước tính (số nguyên)", file=str(path)))
            minutes = 0
        outcomes = tuple(unicodedata.normalize("NFC", str(o)) for o in m.get("outcomes") or [])
        retakes = _retakes(m.get("retakes"), where, problems, path)
        modules.append(Module(mid, str(m.get("track")), _text(m.get("title"), where, problems,
                                                               path), lessons, assessment,
                              float(pass_mark), req, deadline, str(m.get("rubric") or ""),
                              minutes, outcomes, retakes))
    if not modules:
        problems.append(problem("chưa khai báo học phần (modules)", "thêm ít nhất một học phần",
                                file=str(path)))
    positions = _positions(raw.get("positions"), modules, problems, path)
    if problems:
        raise ManifestError(problems, "Tệp kê khai khóa học có lỗi:", "The course manifest has errors:")
    return Manifest(path, course_id, title, tuple(tracks), tuple(modules), positions)


def _positions(raw, modules: list[Module], problems: list, path: Path) -> tuple[Position, ...]:
    """The ``positions:`` list: names and aliases, no key shared by two positions, and every
    module's ``required_for`` naming a declared position."""
    out, owner = [], {}
    for i, item in enumerate(raw or []):
        item = item if isinstance(item, dict) else {"name": item}
        name = " ".join(unicodedata.normalize("NFC", str(item.get("name") or "")).split())
        if not name:
            problems.append(problem(f"positions[{i}]: thiếu tên chức vụ", "ghi 'name: ...'",
                                    file=str(path)))
            continue
        aliases = tuple(" ".join(unicodedata.normalize("NFC", str(a)).split())
                        for a in item.get("aliases") or [])
        for text in (name, *aliases):
            key = position_key(text)
            if owner.setdefault(key, name) != name:
                problems.append(problem(f"positions[{i}]: '{text}' trùng với chức vụ "
                                        f"'{owner[key]}'", "bỏ tên gọi khác bị trùng",
                                        file=str(path)))
        out.append(Position(name, aliases))
    declared = {fold(p.name) for p in out}
    for m in modules if out else []:
        for req in m.required_for:
            if req != ALL_POSITIONS and req not in declared:
                problems.append(problem(f"học phần {m.id}: required_for '{req}' không có trong "
                                        "positions", "ghi đúng tên chức vụ đã khai báo",
                                        file=str(path)))
    return tuple(out)
