"""Find the table in an export file: its header row, its body and the lines above it.

CSV files are decoded and split by `export_text`; xlsx workbooks give their 'Data' sheet,
a Universal Analytics 'Dataset1' sheet (with the 'Summary' sheet as the lines above), or
else the first sheet with a table. The header is the first row with two or more filled
cells that is not a '#' comment or a date range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlmplan.errors import DataError, WorkbookError
from xlmplan.io.export_text import (
    Column,
    decode,
    parse_range,
    read_cells,
    read_file,
    sniff_delimiter,
    split_line,
)
from xlmplan.xlsx.bounded_copy import read_whole_sheets

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_HEADER_SCAN = 5000


@dataclass
class Table:
    """The header and body of the chosen table, with the lines above it."""

    name: str
    stem: str
    preamble: list[str]
    header: list[str]
    columns: list[Column]
    rows: np.ndarray
    delimiter: str | None
    notes: list[str]


def load_table(path: Path) -> Table:
    """The table in the CSV or xlsx file at `path`; refuses files that hold none."""
    name = path.name
    raw = read_file(path)
    if raw.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise DataError(
            f"{name}: old Excel .xls format is not supported — open it in Excel and save it as "
            ".xlsx or CSV UTF-8."
        )
    if raw.startswith(_ZIP_MAGIC):
        return _load_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise DataError(f"{name}: not a valid .xlsx workbook — re-save it from Excel as .xlsx.")
    if not raw.strip():
        raise DataError(f"{name}: the file is empty — download the export again.")
    return _load_text(name, path.stem, raw)


def strip_line(line: str) -> str:
    """A line above the header without delimiters, a '#' comment mark or quotes."""
    s = line.strip().strip(",;\t").strip()
    s = s[1:].strip() if s.startswith("#") else s
    return s.strip('"').strip()


def _load_text(name: str, stem: str, raw: bytes) -> Table:
    text, encoding = decode(name, raw)
    notes = []
    if not encoding.startswith("UTF"):
        notes.append(f"read as {encoding} text; check that accented or Arabic letters look right")
    pieces = text[:2_000_000].splitlines(keepends=True)[:_HEADER_SCAN]
    lines = [p.rstrip("\r\n") for p in pieces]
    delimiter = sniff_delimiter(lines)
    top = _header_index([split_line(line, delimiter) for line in lines])
    if top < 0:
        raise _no_table(name, [ln for ln in lines if ln.strip()])
    offset = sum(len(p) for p in pieces[:top])
    width = len(split_line(lines[top], delimiter))
    cells = read_cells(name, text[offset:], delimiter, width)
    columns = [Column.of(cells[j].to_numpy(dtype=object)) for j in cells.columns]
    header = [c[0] for c in columns]
    body = [c.take(slice(1, None)) for c in columns]
    rows = np.arange(len(cells) - 1, dtype=np.int64) + top + 2
    return Table(name, stem, lines[:top], header, body, rows, delimiter, notes)


def _load_xlsx(path: Path) -> Table:
    name = path.name
    try:
        sheets = read_whole_sheets(path)
    except WorkbookError as exc:  # refused by the package reader: its line says why
        raise DataError(str(exc).replace(str(path), name, 1)) from None
    except Exception as exc:  # calamine raises several unrelated error types
        raise DataError(
            f"{name}: cannot open as an xlsx workbook ({type(exc).__name__}) — re-save it from "
            "Excel as .xlsx or CSV UTF-8."
        ) from None
    by_name = {s.strip().lower(): s for s in sheets}
    above: list[str] = []
    notes: list[str] = []
    if "data" in by_name:
        chosen = by_name["data"]
    elif "summary" in by_name and "dataset1" in by_name:
        chosen = by_name["dataset1"]
        above = [" ".join(_cell_text(v) for v in r).strip() for r in sheets[by_name["summary"]]]
        others = [s for s in sheets if s not in (chosen, by_name["summary"])]
        if others:
            notes.append(f"read sheet {chosen!r}; ignored sheets {', '.join(map(repr, others))}")
    else:
        filled = [
            s
            for s, rows in sheets.items()
            if sum(any(_cell_text(v) for v in r) for r in rows[:50]) >= 2
        ]
        if not filled:
            raise DataError(f"{name}: the workbook has no table — download the export again.")
        chosen = filled[0]
    grid = sheets[chosen]
    top = _header_index([[_cell_text(v) for v in r] for r in grid[:_HEADER_SCAN]])
    preamble = above + [" ".join(_cell_text(v) for v in r).strip() for r in grid[: max(top, 0)]]
    if top < 0:
        raise _no_table(name, [p for p in preamble if p])
    width = max(len(r) for r in grid[top:])
    frame = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in grid[top:]], dtype=object)
    columns = [Column.of(frame[j].to_numpy(dtype=object), _cell_text) for j in frame.columns]
    header = [c[0] for c in columns]
    body = [c.take(slice(1, None)) for c in columns]
    rows = np.arange(len(frame) - 1, dtype=np.int64) + top + 2
    label = f"{name}, sheet {chosen!r}" if len(sheets) > 1 else name
    return Table(label, path.stem, preamble, header, body, rows, None, notes)


def _cell_text(value: object) -> str:
    """xlsx cell as text: whole floats without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _header_index(rows: Sequence[Sequence[str]]) -> int:
    """First row with two or more filled cells that is not a comment or a date range."""
    for i, cells in enumerate(rows):
        filled = [c.strip() for c in cells if c and c.strip()]
        if len(filled) < 2 or filled[0].startswith("#"):
            continue
        if parse_range(" ".join(filled)) is not None:
            continue
        return i
    return -1


def _no_table(name: str, lines: list[str]) -> DataError:
    if not lines:
        return DataError(f"{name}: the file is empty — download the export again.")
    title = strip_line(lines[0])
    if len(lines) > 8:
        return DataError(
            f"{name}: no table — no line has two or more cells (first line {title[:60]!r}); "
            "save it with columns separated by comma, semicolon or tab."
        )
    return DataError(
        f"{name}: no table — the file holds only the report title and dates ({title!r}), so "
        "the report was empty for its date range; widen the date range and download it again."
    )
