"""Fast sheet rows for large workbooks.

openpyxl spends about 20 µs per cell (a 100,000-official workbook has several million cells),
so report_xlsx lets openpyxl write everything except the data rows: header row, styles, column
widths, frozen panes, filters, conditional formats, chart — plus one "probe" row 2 whose cells
carry each column's style. This module then generates the data rows' XML column-wise with
pandas and puts them in place of the probe row, reusing the probe's style indices. The result
is an ordinary .xlsx (inline strings, numbers, Excel date serials).

Rows come in chunks and go straight into the compressed sheet: memory holds one chunk's XML,
not the whole sheet's (a 250,000-official learner sheet is several hundred MB of XML).
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

import numpy as np
import pandas as pd

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PROBE_ROW = re.compile(r'<row r="2"[^>]*>.*?</row>', re.S)
_PROBE_CELL = re.compile(r'<c r="([A-Z]+)2"(?: s="(\d+)")?')
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def letters(n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, rem = divmod(i - 1, 26)
            name = chr(65 + rem) + name
        out.append(name)
    return out


def excel_serial(values: pd.Series) -> pd.Series:
    """Datetimes as Excel day numbers (float, NaN when missing)."""
    stamps = pd.to_datetime(values)
    return (stamps - EXCEL_EPOCH) / pd.Timedelta(days=1)


_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(texts: pd.Series) -> pd.Series:
    """XML text: &, <, > escaped and characters XML forbids dropped (only where present)."""
    special = texts.str.contains(_SPECIAL, regex=True)
    if not special.any():
        return texts
    fixed = texts[special].str.replace("&", "&amp;", regex=False)
    fixed = fixed.str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)
    out = texts.copy()
    out[special] = fixed.str.replace(_ILLEGAL, "", regex=True)
    return out


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values): each distinct value is formatted once, not once per cell.
    -0.0 and 0.0 are one value to factorize but print differently: kept apart."""
    if values.dtype.kind == "f" and bool(np.any((values == 0) & np.signbit(values))):
        return np.arange(len(values)), values
    return pd.factorize(values)


def _numbers(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    nums = values.to_numpy(dtype=float)
    whole = np.isfinite(nums) & (nums == np.round(nums)) & (np.abs(nums) < 1e15)
    codes, distinct = _distinct(nums)
    if whole.all():
        return codes, pd.Series(distinct.astype(np.int64)).astype(str).tolist()
    return codes, pd.Series(distinct).astype(str).tolist()


def _column_xml(kind: str, values: pd.Series, ref: list[str], style: str | None) -> list[str]:
    """One cell string per row ("" for an empty cell)."""
    s = f' s="{style}"' if style else ""
    if kind == "n":
        present = values.notna().to_numpy()
        codes, texts = _numbers(values.fillna(0))
        head, tail = f'"{s}><v>', "</v></c>"
    else:
        raw = values.to_numpy(dtype=object)
        codes, distinct = _distinct(raw) if not values.isna().any() else (
            np.arange(len(raw)), raw)
        strings = pd.Series(distinct, dtype=object).astype(str)
        present = (strings != "").to_numpy()[codes]
        texts = escape(strings).tolist()
        head, tail = f'"{s} t="inlineStr"><is><t>', "</t></is></c>"
    bodies = [f"{head}{t}{tail}" for t in texts]
    return [r + bodies[c] if p else "" for r, c, p in zip(ref, codes.tolist(),
                                                          present.tolist())]


def rows_xml(columns: list[tuple[str, pd.Series]], styles: dict[str, str],
             first: int = 2) -> str:
    """XML of data rows ``first``.. for columns [(kind "n"|"s", values)] and styles
    {letter: id}."""
    n = len(columns[0][1]) if columns else 0
    if n == 0:
        return ""
    numbers = [str(i) for i in range(first, first + n)]
    parts = [[f'<row r="{i}">' for i in numbers]]
    for letter, (kind, values) in zip(letters(len(columns)), columns):
        ref = [f'<c r="{letter}{i}' for i in numbers]
        parts.append(_column_xml(kind, values.reset_index(drop=True), ref, styles.get(letter)))
    parts.append(["</row>"] * n)
    return "".join(map("".join, zip(*parts)))


# A sheet's rows: (number of rows, number of columns, chunks of encoded columns in order).
SheetRows = tuple[int, int, Iterable[list[tuple[str, pd.Series]]]]
ZIP64_CELLS = 20_000_000  # above this many cells a sheet's XML may pass 2 GB


def fill_rows(xlsx: bytes, sheets: dict[int, SheetRows],
              header_heights: dict[int, float] | None = None) -> bytes:
    """Replace the probe row of sheet N (1-based, in creation order) by the real rows, chunk by
    chunk; give header rows their height (points), since wrapped headers are not measured by
    every app."""
    header_heights = header_heights or {}
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if not (m and int(m.group(1)) in sheets | header_heights):
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                continue
            xml = data.decode("utf-8")
            height = header_heights.get(int(m.group(1)))
            if height:
                xml = xml.replace('<row r="1">', f'<row r="1" ht="{height:.0f}" '
                                  'customHeight="1">', 1)
            probe = _PROBE_ROW.search(xml) if int(m.group(1)) in sheets else None
            if not probe:
                dst.writestr(info, xml.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED,
                             compresslevel=1)
                continue
            styles = {c: s for c, s in _PROBE_CELL.findall(probe.group(0)) if s}
            n_rows, n_cols, chunks = sheets[int(m.group(1))]
            head, tail = xml[:probe.start()], xml[probe.end():]
            if "<dimension" not in head:  # the used range, for tools that read it
                last = f"{letters(n_cols)[-1]}{n_rows + 1}"
                head = head.replace("<sheetViews>", f'<dimension ref="A1:{last}"/>'
                                    "<sheetViews>", 1)
            with dst.open(info.filename, "w",
                          force_zip64=n_rows * n_cols > ZIP64_CELLS) as fh:
                fh.write(head.encode("utf-8"))
                row = 2
                for columns in chunks:
                    fh.write(rows_xml(columns, styles, row).encode("utf-8"))
                    row += len(columns[0][1]) if columns else 0
                fh.write(tail.encode("utf-8"))
    return out.getvalue()
