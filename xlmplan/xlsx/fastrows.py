"""Fast sheet rows: SpreadsheetML ``<row>`` elements for a large DataFrame, and the splice
that puts them into a worksheet part.

Per-cell writer APIs cost microseconds a cell; a Data table of a million cells is built
here column-wise as strings instead, and spliced into the sheet XML that XlsxWriter wrote
for the header and first row (whose style ids it reuses).
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from xlmplan.sheets.layout import col_letter

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _number_text(values: np.ndarray) -> list[str | None]:
    """Shortest exact text of each number: whole numbers without a decimal point."""
    out = np.full(len(values), None, dtype=object)
    finite = np.isfinite(values)
    whole = finite & (np.abs(values) < 1e15)
    whole[whole] = values[whole] == np.floor(values[whole])
    out[whole] = values[whole].astype(np.int64).astype(str)
    rest = finite & ~whole
    out[rest] = [repr(v) for v in values[rest].tolist()]
    return list(out)


def _string_cell(text: str) -> str:
    text = _CONTROL.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{escape(text)}</t></is>"


CHUNK_ROWS = 20_000


def rows_chunks(
    frame: pd.DataFrame, style_ids: list[str], first_row: int, first_col: int = 0
) -> Iterator[str]:
    """``rows_xml`` in pieces of ``CHUNK_ROWS`` rows, so a million rows never sit in memory
    as one string."""
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        yield rows_xml(part, style_ids, first_row + start, first_col)


def rows_xml(frame: pd.DataFrame, style_ids: list[str], first_row: int, first_col: int = 0) -> str:
    """``<row>`` elements for ``frame`` from 0-based ``first_row``; ``style_ids`` per column."""
    n = len(frame)
    row_numbers = [str(first_row + 1 + i) for i in range(n)]
    columns: list[list[str]] = []
    for j, name in enumerate(frame.columns):
        letter = col_letter(first_col + j)
        s = f' s="{style_ids[j]}"' if style_ids[j] else ""
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            days = (series.to_numpy(dtype="datetime64[D]") - EXCEL_EPOCH).astype(np.int64)
            texts: list[str | None] = [str(d) for d in days.tolist()]
            cells = [
                f'<c r="{letter}{r}"{s}><v>{v}</v></c>'
                for r, v in zip(row_numbers, texts, strict=True)
            ]
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            texts = _number_text(series.to_numpy(dtype=float))
            cells = [
                f'<c r="{letter}{r}"{s}><v>{v}</v></c>' if v is not None else ""
                for r, v in zip(row_numbers, texts, strict=True)
            ]
        else:
            cache: dict[object, str] = {}
            cells = []
            for r, v in zip(row_numbers, series.tolist(), strict=True):
                if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                    cells.append("")
                    continue
                body = cache.get(v)
                if body is None:
                    body = cache[v] = _string_cell(str(v))
                cells.append(f'<c r="{letter}{r}"{s} t="inlineStr">{body}</c>')
        columns.append(cells)
    span = f"{first_col + 1}:{first_col + len(frame.columns)}"
    parts = [
        f'<row r="{r}" spans="{span}">' + "".join(cells) + "</row>"
        for r, *cells in zip(row_numbers, *columns, strict=True)
    ]
    return "".join(parts)


_ROW = re.compile(r'<row r="(\d+)"[^>]*?/>|<row r="(\d+)"[^>]*>.*?</row>', re.S)


def row_styles(sheet_xml: str, row: int, n_cols: int, first_col: int = 0) -> list[str]:
    """The ``s`` attribute of each cell of one (1-based) row of a worksheet part."""
    match = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', sheet_xml, re.S)
    styles = []
    for j in range(n_cols):
        ref = f"{col_letter(first_col + j)}{row}"
        cell = re.search(rf'<c r="{ref}"([^>]*)', match.group(1)) if match else None
        s = re.search(r'\ss="(\d+)"', cell.group(1)) if cell else None
        styles.append(s.group(1) if s else "")
    return styles


Edit = Callable[[str], Iterable[str]]


def rewrite_parts(path: Path, edits: dict[str, Edit]) -> None:
    """Rewrite some parts of a zip package in place; each edit streams the new text."""
    tmp = path.with_name(path.name + ".splice")
    try:
        with (
            zipfile.ZipFile(path) as src,
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
        ):
            for info in src.infolist():
                data = src.read(info.filename)
                edit = edits.get(info.filename)
                if edit is None:
                    dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                    continue
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(entry, "w", force_zip64=True) as out:
                    for chunk in edit(data.decode("utf-8")):
                        out.write(chunk.encode("utf-8"))
        shutil.move(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def replace_rows(from_row: int, rows: Iterable[str], last_ref: str) -> Edit:
    """An edit that replaces a sheet's rows from ``from_row`` (1-based) on by ``rows``."""

    def edit(xml: str) -> Iterator[str]:
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_ref}"/>', xml, count=1)
        head, sep, tail = xml.partition("</sheetData>")
        yield _ROW.sub(
            lambda m: m.group(0) if int(m.group(1) or m.group(2)) < from_row else "", head
        )
        yield from rows
        yield sep + tail

    return edit


def resize_table(ref: str) -> Edit:
    """An edit that sets a table part's range (and its autofilter's) to ``ref``."""

    def edit(xml: str) -> Iterator[str]:
        xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]*"', rf'\g<1>{ref}"', xml, count=1)
        yield re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]*"', rf'\g<1>{ref}"', xml, count=1)

    return edit
