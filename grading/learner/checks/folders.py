"""Hands-on check: the folders and file names the learner built in the assignment folder.

The assessment ships sample "scanned" files (e.g. ``ho_so_moi/scan_0001.pdf``); the learner
creates folders and moves and renames the files by a rule given in the notebook, with the
JupyterLab file browser. A hidden test cell then calls, with literal arguments::

    from grading.learner.checks import folders as chk
    chk.folders("c9", {"2026/HT-ho-tich/20260305_HT0012.pdf": "ho_so_moi/scan_0001.pdf", ...})

``expected`` is either a list of required relative paths, or a dict mapping each required path
to the sample file it must be (then the content is compared too, so swapped names fail).

Grading facts this module relies on:

- it runs in the learner's submission folder (the working directory of the autograde kernel);
- nbgrader copies files, not empty folders, so only files are checked;
- autograde copies the SOURCE folder's files back over the submission, so the sample files
  reappear at their old paths: presence at the new paths is checked, never absence at the old
  ones; and the re-copied sample is what a moved file's content is compared with;
- paths are compared after NFC normalization (macOS and some input methods write NFD).

Like ``items.score``, a failed check writes to stderr (nbgrader scores 0) instead of raising,
and it never prints the expected paths: only counts and the learner's own files.
"""
from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grading.learner.checks import register
from grading.vntext import to_nfc

ANSWERS_FILE = "cau_tra_loi.json"
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}  # written by nbgrader submit
SKIP_DIRS = {"__pycache__", "feedback"}
MAX_HINTS = 6
MAX_COMPARE = 50 * 1024 * 1024  # bytes; sample scans are tiny


# --------------------------------------------------------------------------- paths
def _nfc(value: Any) -> str:
    return to_nfc(str(value))


def _clean(path: Any) -> str:
    """A relative POSIX path in NFC: no leading './' or '/', forward slashes."""
    text = _nfc(str(path)).strip().replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return "/".join(parts)


def _expected(expected: Any) -> dict[str, str | None]:
    """Required path -> sample it must be a copy of (None: presence only)."""
    if isinstance(expected, dict):
        return {_clean(k): (_clean(v) if v else None) for k, v in expected.items()}
    if isinstance(expected, (list, tuple, set)):
        return {_clean(k): None for k in expected}
    raise TypeError("expected must be a list of paths or a dict {new path: sample path}")


def _learner_files(root: Path) -> dict[str, Path]:
    """Every file the learner could have made, keyed by NFC relative path.

    Notebooks, the answers file, nbgrader's own submission files and hidden files and folders
    (.ipynb_checkpoints) are left out.
    """
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(".ipynb") or name == ANSWERS_FILE:
                continue
            if name in NBGRADER_FILES and Path(dirpath) == root:
                continue
            path = Path(dirpath) / name
            if path.is_file():
                found[_nfc(path.relative_to(root).as_posix())] = path
    return found


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        if a.stat().st_size > MAX_COMPARE:
            return True
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _squash(text: str) -> str:
    """Loose form for "almost right" names: letters and digits only, case-folded."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _suffixes(paths) -> list[str]:
    return sorted({Path(p).suffix.casefold() for p in paths if Path(p).suffix})


# --------------------------------------------------------------------------- evaluation
@dataclass
class Result:
    total: int
    ok: list[str] = field(default_factory=list)
    wrong_content: list[str] = field(default_factory=list)  # learner's files, right name
    missing: list[str] = field(default_factory=list)        # expected paths (never shown)
    hints: list[str] = field(default_factory=list)          # about the learner's own files
    unmatched: int = 0                                       # other files, no specific hint

    @property
    def passed(self) -> bool:
        return self.total > 0 and len(self.ok) == self.total


def _hint(rel: str, missing: list[str], wanted: list[str]) -> str | None:
    """What is wrong with one of the learner's files, without naming the expected path.

    Style rules (no spaces, no diacritics, suffix) apply only if every expected path obeys them.
    """
    name = _name(rel).casefold()
    suffixes = _suffixes(wanted)
    if rel.casefold() in {m.casefold() for m in missing}:
        return f"{rel}: sai chữ hoa, chữ thường (phải viết đúng từng chữ như quy tắc)."
    if " " in rel and not any(" " in w for w in wanted):
        return f"{rel}: tên có dấu cách; quy tắc không dùng dấu cách."
    if not rel.isascii() and all(w.isascii() for w in wanted):
        return f"{rel}: tên có chữ có dấu; quy tắc chỉ dùng chữ không dấu."
    if name in {_name(m).casefold() for m in missing}:
        return f"{rel}: tên tệp đúng nhưng đặt sai thư mục."
    for suffix in suffixes:
        if name.endswith(suffix + suffix):
            return (f"{rel}: đuôi tệp bị lặp ({suffix}{suffix}); khi đổi tên, "
                    f"chỉ sửa phần trước {suffix}.")
    if suffixes and not Path(name).suffix:
        return f"{rel}: thiếu đuôi tệp {' hoặc '.join(suffixes)}."
    if _squash(rel) in {_squash(m) for m in missing} or \
            _squash(_name(rel)) in {_squash(_name(m)) for m in missing}:
        return (f"{rel}: gần đúng; kiểm tra lại dấu gạch dưới (_), gạch ngang (-), chữ hoa, "
                f"chữ thường và thư mục chứa tệp.")
    return None


def evaluate(expected: Any, folder: str | os.PathLike | None = None) -> Result:
    """Compare the learner's folder with ``expected`` (see the module docstring)."""
    root = Path(folder or os.getcwd())
    want = _expected(expected)
    have = _learner_files(root)
    result = Result(total=len(want))
    for new, sample in want.items():
        path = have.get(new)
        if path is None:
            result.missing.append(new)
        elif sample and (root / sample).is_file() and not _same_bytes(path, root / sample):
            result.wrong_content.append(new)
        else:
            result.ok.append(new)
    samples = {s for s in want.values() if s}
    extras = [rel for rel in have if rel not in want and rel not in samples]
    for rel in extras:
        hint = _hint(rel, result.missing, list(want))
        if hint:
            result.hints.append(hint)
        elif samples:  # with a list, untouched samples cannot be told from strays
            result.unmatched += 1
    return result


def _report_lines(result: Result) -> list[str]:
    """Feedback about the learner's own work: counts and their own files only."""
    lines = [f"Chưa đúng: mới có {len(result.ok)}/{result.total} tệp đúng tên và đúng thư mục."]
    lines += [f"- {rel}: đúng tên nhưng không phải bản quét của hồ sơ này "
              f"(đối chiếu lại bảng hồ sơ)." for rel in result.wrong_content]
    shown = result.hints[:MAX_HINTS]
    lines += [f"- {hint}" for hint in shown]
    more = len(result.hints) - len(shown) + result.unmatched
    if more:
        lines.append(f"- Còn {more} tệp khác không khớp quy tắc đặt tên hoặc thư mục.")
    if not result.ok and not result.wrong_content and not result.hints and not result.unmatched:
        lines.append("Chưa thấy tệp nào được chuyển và đổi tên theo quy tắc: hãy tạo thư mục, "
                     "rồi chuyển và đổi tên tệp theo hướng dẫn của đề bài.")
    return lines


# --------------------------------------------------------------------------- graded check
def folders(item_id: str, expected: Any) -> None:
    """Hidden-test check: "Đúng." if every expected file is in place, else stderr (0 points).

    Runs in the submission folder. Returns None (a displayed value would be partial credit).
    """
    result = evaluate(expected)
    if result.passed:
        print("Đúng.")
    else:
        print("\n".join(_report_lines(result)), file=sys.stderr)


def solve(folder: str | os.PathLike, item_id: str, expected: Any) -> None:
    """Build the correct structure in ``folder``: move each sample to its new path.

    With a list (no samples named), small placeholder files are created instead.
    """
    root = Path(folder)
    want = _expected(expected)
    for new, sample in want.items():
        dst = root / new
        dst.parent.mkdir(parents=True, exist_ok=True)
        if sample:
            src = root / sample
            if not src.is_file():
                if dst.is_file():
                    continue
                raise FileNotFoundError(f"{src}: sample file missing, cannot build {new}")
            shutil.copy2(src, dst)
        elif not dst.exists():
            dst.write_bytes(sample_pdf(f"Ban quet mau: {new}") if dst.suffix.lower() == ".pdf"
                            else f"Tệp mẫu: {new}\n".encode())
    for sample in {s for s in want.values() if s} - set(want):
        (root / sample).unlink(missing_ok=True)  # moved, as a learner would


register("folders", folders, solve)


# --------------------------------------------------------------------------- learner helpers
def tree(sub: str = ".", folder: str | os.PathLike | None = None) -> None:
    """Print the folders and files under ``sub`` so learners can see what they built."""
    root = Path(folder or os.getcwd())
    start = root / _clean(sub) if _clean(sub) else root
    label = _clean(sub) or "thư mục bài làm"
    if not start.is_dir():
        print(f"Chưa có thư mục {label}. Hãy tạo thư mục này trong thanh duyệt tệp bên trái "
              f"(chuột phải → Thư mục mới / New Folder).")
        return
    lines = [f"📁 {_nfc(start.name) if _clean(sub) else label}"]

    def walk(path: Path, depth: int) -> None:
        entries = sorted((p for p in path.iterdir()
                          if not p.name.startswith(".") and p.name not in SKIP_DIRS),
                         key=lambda p: (p.is_file(), _nfc(p.name).casefold()))
        for entry in entries:
            if entry.is_dir():
                lines.append("    " * depth + f"📁 {_nfc(entry.name)}")
                walk(entry, depth + 1)
            else:
                lines.append("    " * depth + f"📄 {_nfc(entry.name)}")

    walk(start, 1)
    if len(lines) == 1:
        lines.append("    (thư mục trống)")
    print("\n".join(lines))


def review(expected: Any, folder: str | os.PathLike | None = None) -> None:
    """Practice feedback for lessons (stdout only; may name what is still missing)."""
    result = evaluate(expected, folder)
    if result.passed:
        print(f"✅ Chính xác! Cả {result.total} tệp đã đúng tên và đúng thư mục.")
        return
    lines = _report_lines(result)
    lines[0] = "❌ " + lines[0]
    if result.missing:
        where = f"thư mục {_nfc(Path(folder).name)}" if folder else "thư mục chứa sổ tay này"
        lines.append(f"Những tệp còn thiếu (đường dẫn tính từ {where}):")
        lines += [f"    {path}" for path in result.missing]
    print("\n".join(lines))


def make_practice(folder: str | os.PathLike, files: dict[str, str], *,
                  reset: bool = False) -> None:
    """Create a practice folder of sample scans {relative path: text}; keep existing work.

    The folder is created only if it does not exist yet, so re-running the cell never brings
    back files the learner has already moved. ``reset=True`` starts over.
    """
    root = Path(folder)
    if reset and root.exists():
        shutil.rmtree(root)
    if root.exists():
        print(f"Thư mục luyện tập {root.name} đã có; giữ nguyên bài làm của anh/chị. "
              f"(Muốn làm lại từ đầu: đổi reset=False thành reset=True rồi chạy lại ô này.)")
        return
    for rel, text in files.items():
        path = root / _clean(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample_pdf(text) if path.suffix.lower() == ".pdf"
                         else (text + "\n").encode("utf-8"))
    print(f"Đã tạo thư mục luyện tập {root.name} với {len(files)} tệp quét mẫu.")


def sample_pdf(text: str) -> bytes:
    """A tiny valid one-page PDF showing ``text`` (ASCII; lines split on newlines)."""
    safe = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    safe = safe.encode("ascii", "ignore").decode("ascii")
    safe = safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    ops = ["BT", "/F1 14 Tf", "72 770 Td"]
    for i, line in enumerate(safe.splitlines() or [""]):
        ops.append(("0 -22 Td " if i else "") + f"({line}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
