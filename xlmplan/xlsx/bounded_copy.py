"""A bounded reading copy of one worksheet for python-calamine.

calamine sizes buffers from what a file declares and where its cells lie: the shared
strings' ``uniqueCount``, a worksheet's ``<dimension>`` and the rectangle from the first
to the last cell (it is filled densely). A crafted count, or one note typed at column XFD
below 200,000 Data rows, makes it ask for hundreds of gigabytes, and a failed allocation
in Rust aborts the process. So calamine never reads the user's file: it reads an in-memory
zip holding the workbook parts it needs and the one worksheet asked for, in which

- the shared strings declare no counts (an impossible ``uniqueCount`` is refused),
- the worksheet has no ``<dimension>``,
- every cell has a reference inside Excel's grid (other cells are refused), and
- cells right of the columns that fit ``MAX_GRID_CELLS`` are left out, and when even the
  plan's own columns reach too far down, cells below the rows that fit; never those the
  plan reads. What is left out stays in the user's file untouched.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.error_text import MALICIOUS, RESAVE, show
from xlmplan.xlsx.ooxml_names import CONTENT_TYPES_PART, rels_part_of
from xlmplan.xlsx.package import Package, SheetRef

EXCEL_ROWS = 1_048_576
EXCEL_COLS = 16_384
MAX_GRID_CELLS = 32 * EXCEL_ROWS
"""Most cells of the dense grid calamine may build for one sheet (a full-height sheet 32
columns wide; about 2 GB at calamine's 32 bytes a cell, twice, plus Python's lists)."""

_HEAD = 1 << 16  # how far into a part its root start tag may lie (after the prolog)
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(worksheet|sst)[\s/>]")
_COUNTS = re.compile(rb'\s(?:count|uniqueCount)\s*=\s*(["\'])[^"\']*\1')
_UNIQUE = re.compile(rb'\suniqueCount\s*=\s*["\']\s*(\d{1,20})\s*["\']')
_IN_GRID = (  # a column A..XFD and a row 1..1048576, then the closing quote
    rb"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])(?:[1-9][0-9]{0,5}|10[0-3][0-9]{4}"
    rb'|104[0-7][0-9]{3}|1048[0-4][0-9]{2}|10485[0-6][0-9]|104857[0-6])"'
)


def col_index(letters: bytes) -> int:
    """``b'A'`` -> 0, ``b'XFD'`` -> 16383."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def col_letters(index: int) -> bytes:
    """0 -> ``b'A'``."""
    out = b""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = bytes([65 + rest]) + out
    return out


def _after(text: bytes, low: int, high: int, longest: int) -> bytes:
    """A regex alternation matching every string over the characters ``low``..``high``
    (no leading ``low`` unless ``low`` is a letter) that comes after ``text`` in the
    order of Excel's columns and of numbers: longer, or as long and greater."""
    first = bytes([low + 1 if low == ord("0") else low])
    span = b"[" + bytes([low]) + b"-" + bytes([high]) + b"]"
    options = [
        b"[" + first + b"-" + bytes([high]) + b"]" + span * (n - 1)
        for n in range(len(text) + 1, longest + 1)
    ]
    for i, ch in enumerate(text):
        if ch < high:
            rest = span * (len(text) - i - 1)
            options.append(
                re.escape(text[:i]) + b"[" + bytes([ch + 1]) + b"-" + bytes([high]) + b"]" + rest
            )
    return b"(?:" + b"|".join(options) + b")" if options else b"(?!)"


def columns_after(last: int) -> bytes:
    """A regex matching the letters of every column after ``last`` (0-based)."""
    return _after(col_letters(last), ord("A"), ord("Z"), 3)


def rows_after(last: int) -> bytes:
    """A regex matching the number of every row after ``last`` (1-based)."""
    return _after(str(last).encode(), ord("0"), ord("9"), 7)


def _last_rows(letters: list[bytes], rows: list[bytes]) -> list[int]:
    """The last row (1-based) holding a cell, per column (0 where none), from the cells'
    column letters and row numbers."""
    out = [0] * EXCEL_COLS
    if letters:
        names, where = np.unique(np.array(letters), return_inverse=True)
        last = np.zeros(len(names), dtype=np.int64)
        np.maximum.at(last, where, np.array(rows).astype(np.int64))
        for name, row in zip(names.tolist(), last.tolist(), strict=True):
            out[col_index(name)] = row
    return out


def columns_to_keep(last_rows: list[int], plan_cols: int) -> int | None:
    """The most columns from A whose dense grid (last row x columns) fits
    ``MAX_GRID_CELLS``, at least ``plan_cols``; None when not even those fit."""
    rows_up_to = [0] * (len(last_rows) + 1)
    for i, row in enumerate(last_rows):
        rows_up_to[i + 1] = max(rows_up_to[i], row)
    for keep in range(len(last_rows), plan_cols - 1, -1):
        if rows_up_to[keep] * keep <= MAX_GRID_CELLS:
            return keep
    return None


class GridTooLarge(WorkbookError):
    """A sheet whose cells reach too far for calamine's dense grid, even cut as allowed."""


def reading_copy(pkg: Package, sheet: SheetRef, keep_cols: int, keep_rows: int = 1) -> bytes:
    """A zip for calamine with the workbook parts it reads and ``sheet``'s part, bounded
    as the module says; its first ``keep_cols`` columns down to row ``keep_rows`` are
    always complete."""
    parts: dict[str, bytes] = {}
    for part in (CONTENT_TYPES_PART, "_rels/.rels", pkg.workbook_part):
        parts[part] = pkg.read(part)
    rels = rels_part_of(pkg.workbook_part)
    if pkg.has(rels):
        parts[rels] = pkg.read(rels)
    for rel in pkg.relationships(pkg.workbook_part):
        if rel.external or not pkg.has(rel.target):
            continue
        kind = rel.type.rsplit("/", 1)[-1]
        if kind == "styles":
            parts[rel.target] = pkg.read(rel.target)
        elif kind == "sharedStrings":
            parts[rel.target] = shared_strings(pkg.path, rel.target, pkg.read(rel.target))
    parts[sheet.part] = bounded_sheet(pkg.path, sheet, pkg.read(sheet.part), keep_cols, keep_rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, data in parts.items():
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def _root(data: bytes) -> re.Match[bytes] | None:
    return _ROOT.search(data, 0, _HEAD)


def shared_strings(path: Path, part: str, data: bytes) -> bytes:
    """The shared strings without their declared counts; refuses a ``uniqueCount`` more
    than the part could hold (each string takes at least ``<si>``, four bytes)."""
    root = _root(data)
    if root is None:
        return data
    end = data.find(b">", root.end() - 1)
    tag = data[root.start() : end]
    unique = _UNIQUE.search(tag)
    if unique is not None and int(unique.group(1)) > len(data) // 4:
        raise WorkbookError(
            f"{path}: {show(part)} declares {int(unique.group(1)):,} strings but can hold at "
            f"most {len(data) // 4:,} — {MALICIOUS}"
        )
    return data[: root.start()] + _COUNTS.sub(b"", tag) + data[end:]


def _refuse(path: Path, sheet: SheetRef, why: str, fix: str = MALICIOUS) -> WorkbookError:
    return WorkbookError(f"{path}: sheet '{show(sheet.name)}' {why} — {fix}")


def bounded_sheet(
    path: Path, sheet: SheetRef, data: bytes, keep_cols: int, keep_rows_min: int = 1
) -> bytes:
    """``sheet``'s part (``data``) as calamine may read it (see the module)."""
    root = _root(data)
    if root is None or root.group(2) != b"worksheet":
        return b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    prefix = root.group(1) + b":" if root.group(1) else b""
    cell = b"<" + re.escape(prefix) + b'c r="'
    body = data.find(b"<" + prefix + b"sheetData")
    if body < 0:
        return data
    head = re.sub(b"<" + re.escape(prefix) + rb"dimension\b[^>]*>", b"", data[:body], count=1)
    data = head + data[body:]
    tag = b"<" + re.escape(prefix) + b"c"
    odd = re.compile(tag + rb'(?:(?! r=")[\s/>]| r="(?!' + _IN_GRID + b"))")
    if odd.search(data) is not None:  # put a later ``r`` first (lxml may write it last)
        later_r = tag + rb'((?:\s+(?!r\s*=)[\w:.-]+\s*=\s*"[^"]*")*)\s+r\s*=\s*"([^"]*)"'
        data = re.sub(later_r, tag + rb' r="\2"\1', data)
    odd_cell = odd.search(data)
    if odd_cell is not None and data[odd_cell.end() - 4 : odd_cell.end()] != b' r="':
        raise _refuse(
            path,
            sheet,
            "has cells without a cell reference, which xlmplan does not read",
            f"{RESAVE} or LibreOffice",
        )
    if odd_cell is not None:
        ref = data[odd_cell.end() : data.find(b'"', odd_cell.end(), odd_cell.end() + 40)]
        raise _refuse(
            path, sheet, f"has a cell at '{show(ref.decode('latin-1'), 20)}', outside Excel's grid"
        )
    if re.search(cell + rb"[A-Z]{2}", data) is None:
        return data  # at most 26 columns: a full-height grid fits MAX_GRID_CELLS
    last_rows = _last_rows(
        re.findall(cell + rb"([A-Z]+)", data), re.findall(cell + rb"[A-Z]+(\d+)", data)
    )
    keep = columns_to_keep(last_rows, keep_cols)
    keep_rows = EXCEL_ROWS
    if keep is None:  # far down within the plan's columns: leave out rows instead
        keep, keep_rows = keep_cols, MAX_GRID_CELLS // keep_cols
        if keep_rows < keep_rows_min:
            raise GridTooLarge(
                f"{path}: sheet '{show(sheet.name)}' is too large to read ({keep_rows_min:,} "
                f"rows across {keep_cols:,} columns) — move the content far below the plan's "
                "tables to a sheet of its own"
            )
    if keep >= EXCEL_COLS and keep_rows >= EXCEL_ROWS:
        return data
    after = columns_after(keep - 1) + rb"\d+|[A-Z]+" + rows_after(keep_rows)
    far = re.compile(
        cell + b"(?:" + after + rb')"[^>]*?(?:/>|>.*?</' + re.escape(prefix) + b"c>)", re.S
    )
    return far.sub(b"", data)


def read_whole_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every worksheet of the workbook at ``path`` (a user's data file or export), each read
    by calamine from its bounded copy with nothing left out: a sheet whose cells reach too
    far for one grid is refused with one line instead of crashing the process."""
    from python_calamine import CalamineWorkbook  # calamine only when a workbook is read

    from xlmplan.xlsx.package import open_package

    out: dict[str, list[list[Any]]] = {}
    with open_package(path) as pkg:
        for sheet in pkg.sheets():
            try:
                copy = reading_copy(pkg, sheet, EXCEL_COLS, EXCEL_ROWS)
            except GridTooLarge:
                raise WorkbookError(
                    f"{path}: sheet '{show(sheet.name)}' has cells too far right and down to "
                    f"read (more than {MAX_GRID_CELLS:,} cells from A1 to its last cell) — "
                    "delete stray cells far from the data, or save the data as CSV"
                ) from None
            book = CalamineWorkbook.from_filelike(io.BytesIO(copy))
            try:
                grid = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            finally:
                book.close()
            out[sheet.name] = grid
    return out
