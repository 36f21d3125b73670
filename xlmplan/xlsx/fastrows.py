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
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from xlmplan.sheets.layout import col_letter

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _number_text(values: np.ndarray) -> list[str | None]:
    out: list[str | None] = []
    for v in values.tolist():
        if v != v or v in (math.inf, -math.inf):
            out.append(None)
        elif v.is_integer() and abs(v) < 1e15:
            out.append(str(int(v)))
        else:
            out.append(repr(v))
    return out


def _string_cell(text: str) -> str:
    text = _CONTROL.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{escape(text)}</t></is>"


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


def splice_rows(path: Path, part: str, from_row: int, rows: str, last_ref: str) -> None:
    """Replace the rows numbered ``from_row`` (1-based) and below in one worksheet part."""
    tmp = path.with_name(path.name + ".splice")
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                xml = data.decode("utf-8")
                head, sep, tail = xml.partition("</sheetData>")
                kept = _ROW.sub(
                    lambda m: m.group(0) if int(m.group(1) or m.group(2)) < from_row else "", head
                )
                xml = kept + rows + sep + tail
                xml = re.sub(
                    r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_ref}"/>', xml, count=1
                )
                data = xml.encode("utf-8")
            dst.writestr(
                info,
                data,
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=1 if info.filename == part else 6,
            )
    shutil.move(tmp, path)
