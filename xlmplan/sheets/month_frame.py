"""What every block of a by-period sheet reads: the period band, label columns, Tables.

Columns A–C hold a block's row labels (frozen), the periods follow from column D, one
column each, then the total. The band on top gives every period's label, first and last
day (from the Calendar sheet's names), number and the share of its plan still ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlmplan.core.periods import Periods
from xlmplan.core.rules import serial
from xlmplan.sheets.context import Ctx
from xlmplan.sheets.layout import Sheet, Table, a1, rng

LABEL, DETAIL, EXTRA, P0 = 0, 1, 2, 3  # label columns, then the first period column
BAND = 3  # band rows: labels, then first days, last days, numbers, shares ahead
FIRST_ROW, LAST_ROW, NUM_ROW, SHARE_ROW = BAND + 1, BAND + 2, BAND + 3, BAND + 4


@dataclass
class Grid:
    """Where a block's rows start and how many there are."""

    first: int
    n: int

    def rows(self) -> range:
        return range(self.first, self.first + self.n)


@dataclass
class MonthFrame:
    ctx: Ctx
    sheet: Sheet
    periods: Periods
    tables: dict[str, Table]  # role -> input Table on the inputs sheet
    inputs: str  # the inputs sheet's quoted name

    @property
    def n(self) -> int:
        return len(self.periods)

    @property
    def total_col(self) -> int:
        return P0 + self.n

    @staticmethod
    def col(k: int) -> int:
        return P0 + k

    def first(self, k: int) -> str:
        return a1(FIRST_ROW, self.col(k), True, False)

    def last(self, k: int) -> str:
        return a1(LAST_ROW, self.col(k), True, False)

    def num(self, k: int) -> str:
        return a1(NUM_ROW, self.col(k), True, False)

    def share(self, k: int) -> str:
        return a1(SHARE_ROW, self.col(k), True, False)

    def shares(self) -> str:
        return rng(None, SHARE_ROW, P0, SHARE_ROW, self.total_col - 1)

    def table_col(self, role: str, index: int, rows: int) -> str:
        """A column of an input Table, as long as its block has rows."""
        tb = self.tables[role]
        r1, c = tb.row + 1, tb.col + index
        return f"{self.inputs}!{rng(None, r1, c, r1 + rows - 1, c)}"

    def table_cell(self, role: str, i: int, index: int) -> str:
        tb = self.tables[role]
        return f"{self.inputs}!{a1(tb.row + 1 + i, tb.col + index, True, True)}"

    def grid_col(self, grid: Grid, k: int) -> str:
        return rng(None, grid.first, self.col(k), grid.first + grid.n - 1, self.col(k))

    def row_range(self, r: int) -> str:
        return f"{a1(r, P0)}:{a1(r, self.total_col - 1)}"

    def band(self) -> None:
        """Period labels, first and last days and numbers (shares are the pacing block's)."""
        t, sheet = self.ctx.t, self.sheet
        for col in (LABEL, DETAIL, EXTRA):
            sheet.put(BAND, col, t("pacing.period") if col == LABEL else "", "header")
        for row, key in (
            (FIRST_ROW, "first_day"),
            (LAST_ROW, "last_day"),
            (NUM_ROW, "number"),
            (SHARE_ROW, "share"),
        ):
            sheet.put(row, LABEL, t(f"pacing.{key}"), "label")
        for k, period in enumerate(self.periods.items):
            c = self.col(k)
            sheet.formula(BAND, c, f"INDEX(cal_label,{k + 1})", period.label, "header")
            first, last = serial(period.first), serial(period.last)
            sheet.formula(FIRST_ROW, c, f"INDEX(cal_first,{k + 1})", first, "derived:date")
            sheet.formula(LAST_ROW, c, f"INDEX(cal_last,{k + 1})", last, "derived:date")
            sheet.put(NUM_ROW, c, k + 1, "derived:int")
        sheet.put(BAND, self.total_col, t("pacing.total"), "header")

    def header(self, row: int, labels: Sequence[str]) -> None:
        """A block's header row: its label columns' headers, the period labels, Total."""
        for j, label in enumerate(labels):
            self.sheet.put(row, j, label, "header:derived")
        for k, period in enumerate(self.periods.items):
            c = self.col(k)
            self.sheet.formula(row, c, a1(BAND, c, True, False), period.label, "header")
        self.sheet.put(row, self.total_col, self.ctx.t("pacing.total"), "header:derived")

    def block_title(self, row: int, text: str, labels: Sequence[str]) -> None:
        """A block's title row, then its header row."""
        self.sheet.put(row, LABEL, text, "section")
        self.header(row + 1, labels)

    def row_total(self, r: int, value: float, style: str) -> None:
        formula = f"SUM({self.row_range(r)})"
        self.sheet.formula(r, self.total_col, formula, value, style.replace("derived:", "total:"))

    def label_from(self, r: int, col: int, source: str, value: str) -> None:
        """A row label that reads an input Table's cell as text."""
        self.sheet.formula(r, col, f'{source}&""', value, "label")
