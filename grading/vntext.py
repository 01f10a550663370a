"""Vietnamese text keys for matching: NFC, tone placement, diacritics, abbreviations.

- ``nfc``: NFC with single spaces: the form every stored text takes.
- ``tone_key``: case-folded, with each syllable's tone mark moved to the end of the syllable, so
  old and new tone placement compare equal ("Hòa"/"Hoà", "Thủy"/"Thuỷ") while different tones
  or vowels ("Tân"/"Tấn") stay different.
- ``ascii_key``: every diacritic dropped and đ→d (đ does not decompose): for header names and
  for names typed without diacritics.
- ``clean``: ``nfc`` without invisible format characters (zero-width space, BOM, soft hyphen,
  direction marks) and with look-alike letters (Ð U+00D0, Ɖ U+0189) mapped to Đ: what a
  stored name or position looks like.
- ``legacy_cell``: one cell that looks TCVN3/VNI-encoded (for per-cell, per-row checks).
"""
from __future__ import annotations

import functools
import re
import unicodedata

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"[\W_]+")
# Characters typical of TCVN3 (ABC) or VNI text shown as Latin-1, and letters only Unicode
# Vietnamese text has. A text with the first and none of the second is legacy-encoded.
_LEGACY = frozenset(chr(c) for c in range(0xA1, 0x100)) - frozenset(
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u0300-\u0323\u1ea0-\u1ef9]")


def to_nfc(value):
    """NFC for text (inside lists and dicts too); any other value unchanged."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [to_nfc(v) for v in value]
    if isinstance(value, dict):
        return {to_nfc(k): to_nfc(v) for k, v in value.items()}
    return value


def nfc(text) -> str:
    """NFC-normalize and collapse white space (None -> "")."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def _syllable(word: str) -> str:
    parts = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in parts if c in TONE_MARKS)
    base = "".join(c for c in parts if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", base) + tones


def tone_key(text) -> str:
    """Key equal for old/new tone placement; punctuation dropped, numbers without leading 0."""
    words = _WORD.findall(nfc(text).casefold())
    return " ".join(str(int(w)) if w.isdigit() else _syllable(w) for w in words)


def ascii_key(text) -> str:
    """Lower-case ASCII words: diacritics dropped, đ→d, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def has_diacritics(text) -> bool:
    return ascii_key(text) != " ".join(_NON_WORD.sub(" ", nfc(text).casefold()).split())


def looks_legacy(text) -> bool:
    """True for text that looks like TCVN3/VNI bytes read as Latin-1, not Unicode Vietnamese."""
    return (sum(c in _LEGACY for c in text) >= 2) and not _VIETNAMESE.search(text)


def slug(text) -> str:
    """A file-name-safe ASCII form: 'Phường Hòa Bình' -> 'phuong_hoa_binh'."""
    return ascii_key(text).replace(" ", "_") or "x"


_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# str.translate tables (C speed, 100,000 names in well under a second):
_DROP_TONES = {ord(c): None for c in TONE_MARKS}
_RANKS = {ord(c): chr(0x21 + i) for i, c in enumerate(_ALPHABET)}
_TONES_ONLY = {ord(c): chr(0x31 + i) for i, c in enumerate("\u0300\u0309\u0303\u0301\u0323")}
_NOT_TONE = re.compile("[^\u0300\u0309\u0303\u0301\u0323]+")


def _word_key(word: str) -> tuple[str, str]:
    """(letters in Vietnamese alphabet order — ă after a, đ after d —, tones: none, huyền,
    hỏi, ngã, sắc, nặng), as dictionaries sort."""
    parts = unicodedata.normalize("NFD", word.casefold())
    letters = unicodedata.normalize("NFC", parts.translate(_DROP_TONES)).translate(_RANKS)
    return letters, _NOT_TONE.sub("", parts).translate(_TONES_ONLY)


@functools.lru_cache(maxsize=262_144)
def name_sort_key(full_name) -> tuple:
    """Sort key for Vietnamese personal names as lists are ordered locally: given name (the
    last word) first, then family and middle names, each in Vietnamese alphabet order."""
    words = nfc(full_name).split()
    if not words:
        return ("", "", "", "")
    given = _word_key(words[-1])
    rest = _word_key(" ".join(words[:-1]))
    return given[0], given[1], rest[0], rest[1]


# Letters that look like Đ/đ but are other letters (Icelandic eth, African D), pasted from
# other documents or produced by fonts; stored text uses the Vietnamese letters.
LOOK_ALIKES = str.maketrans({"\u00d0": "\u0110", "\u0189": "\u0110", "\u00f0": "\u0111",
                             "\u0256": "\u0111"})
# VNI writes a vowel's hat, horn or tone as a second Latin-1 letter after it: "Nguyeãn Vaên"
# (Nguyễn Văn). No Unicode Vietnamese word has a or e followed by an accented letter, nor o
# followed by â, ù, ø, û, õ, ï, ä or å, nor u/y followed by ù, ø, û, õ, ï.
_VNI_PAIR = re.compile("[aeAE][\u00c0-\u00ff]|[oO][\u00e2\u00f9\u00f8\u00fb\u00f5\u00ef"
                       "\u00e4\u00e5]|[uyUY][\u00f9\u00f8\u00fb\u00f5\u00ef]")
_C1 = re.compile("[\u0080-\u009f]")  # control characters: bytes of a legacy font read as text


def is_format_char(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


@functools.cache
def _format_chars() -> re.Pattern:
    """Every invisible format character (Unicode category Cf), built on first use."""
    chars = "".join(chr(c) for c in range(0x80, 0x110000) if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(chars)}]")


@functools.lru_cache(maxsize=131_072)
def _clean_str(raw: str) -> str:
    if not raw.isascii():
        raw = _format_chars().sub("", raw.translate(LOOK_ALIKES))
    return nfc(raw)


def clean(text) -> str:
    """NFC, single spaces, no invisible format characters, look-alike letters mapped."""
    return _clean_str("" if text is None else str(text))


@functools.lru_cache(maxsize=131_072)
def legacy_cell(text) -> bool:
    """True for one cell whose letters look like TCVN3 (ABC) or VNI bytes shown as Latin-1."""
    text = clean(text)
    if text.isascii():
        return False
    return bool(_C1.search(text) or not _LEGACY.isdisjoint(text) or _VNI_PAIR.search(text))
