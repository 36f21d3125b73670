"""A writer-neutral description of a workbook: cells, tables, validations, formats, charts.

Sheet modules fill these descriptions; ``xlmplan.xlsx.writer`` turns them into a file.
Rows and columns are 0-based, as in XlsxWriter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlmplan.core.addresses import col_letter

if TYPE_CHECKING:
    from xlmplan.sheets.print_setup import PrintTexts


def a1(row: int, col: int, abs_row: bool = False, abs_col: bool = False) -> str:
    """``B7``-style address, optionally with ``$`` anchors."""
    return f"{'$' if abs_col else ''}{col_letter(col)}{'$' if abs_row else ''}{row + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def ref(sheet: str, row: int, col: int, absolute: bool = True) -> str:
    """A cell on another sheet: ``'Sheet'!$B$7``."""
    return f"{quote_sheet(sheet)}!{a1(row, col, absolute, absolute)}"


def rng(sheet: str | None, r1: int, c1: int, r2: int, c2: int) -> str:
    """An absolute range, sheet-qualified when ``sheet`` is given."""
    body = f"{a1(r1, c1, True, True)}:{a1(r2, c2, True, True)}"
    return f"{quote_sheet(sheet)}!{body}" if sheet else body


@dataclass
class Cell:
    """A literal value, or a formula (without ``=``) with its cached value."""

    value: Any = None
    formula: str | None = None
    style: str = "text"
    array: bool = False
    link: str | None = None  # internal hyperlink target, e.g. "'SWOT'!A1"


@dataclass
class Table:
    name: str
    role: str
    row: int  # header row
    col: int
    headers: list[str]
    n_rows: int
    style: str = "Table Style Light 9"

    @property
    def last_row(self) -> int:
        return self.row + max(self.n_rows, 1)

    @property
    def last_col(self) -> int:
        return self.col + len(self.headers) - 1

    def column(self, header_index: int) -> tuple[int, int, int, int]:
        """The data cells of one column as (r1, c1, r2, c2)."""
        c = self.col + header_index
        return (self.row + 1, c, self.last_row, c)


@dataclass
class Validation:
    r1: int
    c1: int
    r2: int
    c2: int
    kind: str  # list | whole | decimal | date
    source: str = ""  # list: "=name" or literal items joined by commas
    minimum: float | None = None
    maximum: float | None = None
    message: str = ""


@dataclass
class CondFormat:
    r1: int
    c1: int
    r2: int
    c2: int
    kind: str  # "equals" (text equals value), "formula", "scale"
    value: str = ""
    style: str = ""  # good | neutral | bad | good_strong | bad_strong | plan
    color: str = ""  # a scale's colour at the maximum (white at the minimum)


@dataclass
class Series:
    name: str
    categories: str  # absolute sheet-qualified range
    values: str
    color: str = ""  # fixed fill (bars, slices) or line colour, "#RRGGBB"
    points: tuple[str, ...] = ()  # one colour per point (pie slices)
    reference: bool = False  # a dashed reference line drawn over a column chart
    marker: str = ""  # a scatter series drawn as markers only ("circle", "diamond")


@dataclass
class Chart:
    kind: str  # column | line | bar | pie | scatter (straight lines between x, y points)
    title: str
    series: list[Series]
    anchor: tuple[int, int]
    size: tuple[int, int] = (560, 300)
    value_format: str = ""
    category_format: str = ""
    # Period labels drawn level at this size (points), wrapped at spaces, never rotated
    # (0: the application's own choice). Chart widths leave each period room for its
    # widest word (dashboard.period_chart_width).
    level_labels: float = 0.0


@dataclass
class Frame:
    """A block of plain values written fast (the Data table's rows)."""

    row: int
    col: int
    frame: pd.DataFrame
    styles: list[str]


@dataclass
class Sheet:
    role: str
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    cond_formats: list[CondFormat] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    protect: bool = False
    hidden: bool = False
    tab_color: str = ""
    # Rows repeated at the top of every printed page (0-based, inclusive); the rest of the
    # print set-up follows from the layout (print_setup.py).
    print_rows: tuple[int, int] | None = None
    # Row spans (0-based, inclusive) printed on one page, as each chart is (KPI tiles).
    keep: list[tuple[int, int]] = field(default_factory=list)
    rtl: bool = False
    # Input cells a refresh writes although the user owns them (never recorded as owned):
    # the Budget mix's proposed spend when its channel moved to another row or `allocate`
    # writes a split. A position the fresh layout leaves empty is cleared.
    rewrite: set[tuple[int, int]] = field(default_factory=set)

    def put(self, row: int, col: int, value: Any = None, style: str = "text", **kw: Any) -> Cell:
        cell = Cell(value=value, style=style, **kw)
        self.cells[(row, col)] = cell
        return cell

    def formula(
        self, row: int, col: int, formula: str, value: Any, style: str, array: bool = False
    ) -> Cell:
        return self.put(row, col, value, style, formula=formula, array=array)

    def width(self, col: int, width: float) -> None:
        self.widths[col] = width

    def owned(self) -> set[tuple[int, int]]:
        """Cells xlmplan writes on every refresh: all but inputs and Table headers."""
        headers = {(t.row, t.col + j) for t in self.tables for j in range(len(t.headers))}
        return {
            pos
            for pos, cell in self.cells.items()
            if not cell.style.startswith("input") and pos not in headers
        }


@dataclass
class Book:
    sheets: list[Sheet]
    names: dict[str, str]  # workbook-scoped defined names -> "=ref"
    currency: str
    properties: dict[str, str] = field(default_factory=dict)
    font: str = "Calibri"
    date_format: str = "yyyy-mm-dd"
    month_format: str = "mmm yyyy"
    rtl: bool = False  # text cells read right to left
    print_texts: PrintTexts | None = None  # headers and footers (print_setup.py)

    def sheet(self, role: str) -> Sheet:
        return next(s for s in self.sheets if s.role == role)
