"""The edits that turn a live workbook into an operation's result (``diff.diff_books``
finds them; ``live_book.XlwingsBook`` makes them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xlmplan.addin.blocks import Pos

Content = tuple[Any, ...]
"""``("v", value)``, ``("f", stored formula)`` or ``("a", stored formula, block ref)``
(an array formula, written on its whole block)."""


def cell_value(grid: list[list[Any]], pos: Pos) -> Any:
    """A value of a python-calamine grid as written into a cell (None: blank; times and
    durations as fractions of a day)."""
    r, c = pos
    if r >= len(grid) or c >= len(grid[r]):
        return None
    v = grid[r][c]
    if v == "" or v is None:
        return None
    if isinstance(v, (bool, int, float, str, dt.date)):  # dt.datetime is a dt.date
        return v
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 86400
    return str(v)


@dataclass
class SheetChanges:
    """The changes to one sheet, addressed 0-based."""

    name: str  # the sheet's name before the operation
    cells: dict[Pos, Content]  # changed cells -> their content after
    formats: dict[Pos, str]  # cells whose number format changed -> the new format
    after_values: list[list[Any]] = field(default_factory=list, repr=False)
    fixed: set[Pos] = field(default_factory=set, repr=False)  # formula cells after

    def spare(self, pos: Pos) -> bool:
        """An unchanged cell that may be written again with its value (or blank)."""
        return pos not in self.cells and pos not in self.fixed

    def content(self, pos: Pos) -> Content:
        """What ``pos`` holds after the operation (changed or spare cells)."""
        found = self.cells.get(pos)
        return found if found is not None else ("v", cell_value(self.after_values, pos))


@dataclass
class TableResize:
    sheet: str  # name before
    table: str
    ref: str  # the new A1 range, header row included


@dataclass
class Patch:
    """Everything that turns the live workbook into the operation's result."""

    sheets: list[SheetChanges] = field(default_factory=list)
    tables: list[TableResize] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # name -> "=refers to"
    renames: dict[str, str] = field(default_factory=dict)  # old sheet name -> new
    protected: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> protection
    reopen: list[str] = field(default_factory=list)  # what cell edits cannot carry

    @property
    def empty(self) -> bool:
        return not (
            any(s.cells or s.formats for s in self.sheets)
            or self.tables
            or self.names
            or self.renames
            or self.reopen
        )

    @property
    def cell_count(self) -> int:
        return sum(len(s.cells) for s in self.sheets)
