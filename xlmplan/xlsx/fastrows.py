"""Fast sheet rows: SpreadsheetML ``<row>`` elements for a large DataFrame, and the splice
that puts them into a worksheet part.

Per-cell writer APIs cost microseconds a cell; a Data table of a million cells is built
here column-wise as strings instead, and spliced into the sheet XML that XlsxWriter wrote
for the header and first row (whose style ids it reuses). The splice replaces only the
table's cells: what a user put beside the table stays byte for byte, and an entry of theirs
below it that the grown table would cover stops the write with the cell's address.
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from xlmplan.core.addresses import col_letter
from xlmplan.errors import WorkbookError

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def ooxml_text(text: str) -> str:
    """``text`` as a cell's ``<t>`` holds it: a literal ``_xHHHH_`` gets its underscore
    escaped (``_x005F_xHHHH_``), as Excel would otherwise read it as the character HHHH."""
    return _ESCAPE_LIKE.sub(r"_x005F\1", text) if "_x" in text else text


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
    return f"<is><t{space}>{escape(ooxml_text(text))}</t></is>"


CHUNK_ROWS = 20_000


@dataclass
class KeptRow:
    """A user's row that a table row is written over: its start tag (``spans`` dropped) and
    its cells left and right of the table, as they were."""

    tag: str
    left: str = ""
    right: str = ""


def rows_chunks(
    frame: pd.DataFrame,
    style_ids: list[str],
    first_row: int,
    first_col: int = 0,
    kept: dict[int, KeptRow] | None = None,
) -> Iterator[str]:
    """``rows_xml`` in pieces of ``CHUNK_ROWS`` rows, so a million rows never sit in memory
    as one string."""
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        yield rows_xml(part, style_ids, first_row + start, first_col, kept)


def rows_xml(
    frame: pd.DataFrame,
    style_ids: list[str],
    first_row: int,
    first_col: int = 0,
    kept: dict[int, KeptRow] | None = None,
) -> str:
    """``<row>`` elements for ``frame`` from 0-based ``first_row``; ``style_ids`` per column
    (a blank keeps its column's style as an empty cell). ``kept`` (by 1-based row) puts a
    user's row tag and cells beside the table into the rows written over them."""
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
                f'<c r="{letter}{r}"{s}><v>{v}</v></c>'
                if v is not None
                else (f'<c r="{letter}{r}"{s}/>' if s else "")
                for r, v in zip(row_numbers, texts, strict=True)
            ]
        else:
            cache: dict[object, str] = {}
            cells = []
            for r, v in zip(row_numbers, series.tolist(), strict=True):
                if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                    cells.append(f'<c r="{letter}{r}"{s}/>' if s else "")
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
    if kept:  # rows from 0-based first_row are numbered first_row + 1 on
        rows = range(first_row + 1, first_row + 1 + n)
        for row in rows if len(kept) > n else [r for r in kept if r in rows]:
            user = kept.get(row)
            if user is not None:
                i = row - first_row - 1
                body = parts[i][parts[i].index(">") + 1 : -len("</row>")]
                parts[i] = f"{user.tag}{user.left}{body}{user.right}</row>"
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


def column_styles(sheet_xml: str, row: int, n_cols: int, first_col: int = 0) -> list[str]:
    """Each column's cell format from (1-based) ``row`` down: the style of the column's
    first cell that has one, else the column's own (``<col style>``), else ""."""
    styles = row_styles(sheet_xml, row, n_cols, first_col)
    for j, style in enumerate(styles):
        if style:
            continue
        letter = col_letter(first_col + j)
        for m in re.finditer(rf'<c r="{letter}(\d+)"[^>]*?\ss="(\d+)"', sheet_xml):
            if int(m.group(1)) >= row:
                styles[j] = m.group(2)
                break
        else:
            styles[j] = _col_style(sheet_xml, first_col + j)
    return styles


def _col_style(sheet_xml: str, col: int) -> str:
    for m in re.finditer(r"<col\b[^>]*>", sheet_xml[: sheet_xml.find("<sheetData")]):
        lo = re.search(r'\smin="(\d+)"', m.group(0))
        hi = re.search(r'\smax="(\d+)"', m.group(0))
        style = re.search(r'\sstyle="(\d+)"', m.group(0))
        if lo and hi and style and int(lo.group(1)) <= col + 1 <= int(hi.group(1)):
            return style.group(1)
    return ""


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


_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_CELL_COL = re.compile(r'<c r="([A-Z]+)')
_CONTENT = re.compile(r"<(?:v|f|is)[\s>/]")
_DIMENSION = re.compile(r'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)\d+"/>')


def col_index(letters: str) -> int:
    """0-based column of ``A``, ``B``, ..., ``XFD``."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class _UserRows:
    """What a user has in the rows a table's rows are written over, and below them."""

    kept: dict[int, KeptRow] = field(default_factory=dict)  # rows the table covers
    after: dict[int, str] = field(default_factory=dict)  # rows below it, as they stay
    last_col: int = 0


def replace_rows(
    from_row: int,
    frame: pd.DataFrame,
    style_ids: list[str],
    first_col: int = 0,
    *,
    table_end: int | None = None,
    where: str = "",
) -> Edit:
    """An edit that writes ``frame`` as a table's rows from ``from_row`` (1-based) on.

    The table's cells in its old rows (``from_row`` to ``table_end``; all rows when None)
    are replaced; every other cell — beside the table, or below its old end — stays as it
    was. A user's entry below the old end where the new rows reach raises WorkbookError
    naming ``where`` (e.g. ``plan.xlsx: Data``) and the cell."""
    last_col = first_col + len(frame.columns) - 1
    new_end = from_row + len(frame) - 1

    def edit(xml: str) -> Iterator[str]:
        if "</sheetData>" not in xml:
            xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
        head, sep, tail = xml.partition("</sheetData>")
        cut = len(head)
        user = _UserRows(last_col=last_col)
        for m in _ROW.finditer(head):
            r = int(m.group(1) or m.group(2))
            if r < from_row:
                continue
            cut = min(cut, m.start())
            _take_row(m.group(0), r, user)
        old_dim = _DIMENSION.search(head)
        if old_dim:
            user.last_col = max(user.last_col, col_index(old_dim.group(1)))
        last_row = max([new_end, from_row - 1, *user.after])
        ref = f"A1:{col_letter(user.last_col)}{last_row}"
        prefix = _DIMENSION.sub(f'<dimension ref="{ref}"/>', head[:cut], count=1)
        yield prefix
        yield from rows_chunks(frame, style_ids, from_row - 1, first_col, user.kept)
        for r in sorted(user.after):
            yield user.after[r]
        yield sep + tail

    def _take_row(text: str, r: int, user: _UserRows) -> None:
        in_table = table_end is None or r <= table_end
        if in_table and _inside(text):
            return
        if not in_table and r > new_end:
            user.after[r] = text
            return
        close = text.index(">")
        tag = re.sub(r'\sspans="[^"]*"', "", text[: close + 1])
        end = len(text) - len("</row>") if text.endswith("</row>") else len(text)
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
        starts = [(m.start(), col_index(m.group(1))) for m in _CELL_COL.finditer(text, close)]
        user.last_col = max([user.last_col, *(c for _, c in starts)])
        mid = next((p for p, c in starts if c >= first_col), end)  # cells are in column order
        right = next((p for p, c in starts if c > last_col), end)
        if not in_table:
            for cell in _CELL.finditer(text[mid:right]):
                if _CONTENT.search(cell.group(0)):
                    raise WorkbookError(
                        f"{where}!{cell.group(1)}{cell.group(2)} holds your own entry where the "
                        "table needs room to grow — move it elsewhere and try again"
                    )
        kept = KeptRow(tag, text[starts[0][0] : mid] if starts else "", text[right:end])
        if r <= new_end:
            if kept.left or kept.right or not in_table:
                user.kept[r] = kept
        elif kept.left or kept.right:
            user.after[r] = f"{kept.tag}{kept.left}{kept.right}</row>"

    def _inside(text: str) -> bool:
        """Whether every cell of a row lies in the table's columns (cells are in column
        order, so the first and the last tell)."""
        first = _CELL_COL.search(text)
        if first is None:
            return True
        last = _CELL_COL.search(text, text.rfind('<c r="'))
        assert last is not None
        return first_col <= col_index(first.group(1)) and col_index(last.group(1)) <= last_col

    return edit


def resize_table(ref: str) -> Edit:
    """An edit that sets a table part's range (and its autofilter's) to ``ref``."""

    def edit(xml: str) -> Iterator[str]:
        xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]*"', rf'\g<1>{ref}"', xml, count=1)
        yield re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]*"', rf'\g<1>{ref}"', xml, count=1)

    return edit
