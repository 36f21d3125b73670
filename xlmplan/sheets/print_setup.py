"""How each visible sheet prints: print area, repeated rows and columns, header and footer,
orientation and how many pages wide it is fit to.

One rule for every sheet, measured from its layout (column widths, cells, charts):

- the print area is the rectangle around the sheet's content (cells with a value or a
  formula, its Tables, its charts); Data prints its header and first ``DATA_SAMPLE`` rows
  only (its rows are the workbook's bulk, not something a reader reads on paper);
- a sheet whose content fits an A4 portrait page's width at 100 % prints portrait, any
  other landscape;
- a sheet is fit to one page wide only while that keeps its body text at or above
  ``MIN_TEXT_PT``; wider content is fit to N pages wide, N the fewest pages its columns
  fill at that smallest scale (columns never split), with the frozen columns repeated on
  every page;
- a page breaks before a chart (or a span the sheet keeps together, such as a row of KPI
  tiles) that would not fit in what is left of its page (manual row breaks), measured from
  the row heights at the scale the fit to width implies;
- the header names the plan, the sheet and the data's as-of date; the footer counts pages.

Widths are Excel's: a column of width w (characters of the default font) is
``int(7w + 0.5) + 5`` pixels, 0.75 pt each.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from xlmplan.core.jalali import jalali_text
from xlmplan.core.labels import Labels
from xlmplan.sheets.layout import Sheet
from xlmplan.sheets.text_width import column_units

A4_PT = (595.28, 841.89)  # width, height in points (portrait)
MARGIN_IN = {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.75, "header": 0.3, "footer": 0.3}
BODY_PT = 10.0  # the cell font size of every style but titles
# The smallest printed body text: 8 pt and half a point of room. LibreOffice without
# Calibri's metric twin (Carlito) draws columns about a third wider and letters a third
# taller, so its PDF's word heights come out close to the type size Excel prints.
MIN_TEXT_PT = 8.5
SLACK = 0.97  # room for rounding of widths to pixels
DATA_SAMPLE = 30  # Data rows printed below the header
DEFAULT_WIDTH = 8.43
ROW_PX = 20  # default row height (15 pt)
ROW_PT, TITLE_ROW_PT = 15.0, 22.0
HEIGHT_SLACK = 0.97  # row heights are the file's own: little room is needed


@dataclass(frozen=True)
class PageSetup:
    """A sheet's print set-up (0-based rows and columns, inclusive ranges)."""

    area: tuple[int, int, int, int]  # r1, c1, r2, c2
    title_rows: tuple[int, int] | None
    title_cols: tuple[int, int] | None
    landscape: bool
    pages_wide: int  # fit to this many pages wide, any number tall
    header: str  # Excel header/footer codes (&L &C &R, &A sheet, &P page, &N pages)
    footer: str
    hidden_cols: tuple[int, ...] = ()  # columns left out of the print (the report's)
    pages_tall: int = 0  # fit to this many pages tall (0: as many as the rows need)
    narrowed: tuple[tuple[int, float, float], ...] = ()  # (column, width, was): texts wrap
    row_heights: tuple[tuple[int, float], ...] = ()  # (row, points) the narrowing needs
    hidden_rows: tuple[int, ...] = ()  # rows left out of the print (the report's)
    row_breaks: tuple[int, ...] = ()  # rows a new page begins at (manual breaks)


@dataclass(frozen=True)
class PrintTexts:
    """The texts of headers and footers, in the plan's language."""

    plan: str
    as_of: str  # e.g. "Data as of 2026-11-30" ("" when there is no data)
    page: str  # header/footer codes, e.g. "Page &P of &N" (&P page, &N pages)


def min_scale() -> float:
    """The smallest print scale that keeps body text at ``MIN_TEXT_PT``."""
    return MIN_TEXT_PT / BODY_PT


def column_points(width: float) -> float:
    """A column's printed width in points (Excel's pixel rule at 96 dpi)."""
    if width <= 0:
        return 0.0
    pixels = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return pixels * 0.75


def wrapped_row_heights(
    sheet: Sheet,
    line: float = 13.0,
    most: int = 4,
    narrowed: dict[int, float] | None = None,
) -> dict[int, float]:
    """Row heights that show wrapped texts whole (up to ``most`` lines), as Excel would;
    texts in ``narrowed`` columns (column -> width) wrap at that width."""
    narrowed = narrowed or {}
    heights: dict[int, float] = {}
    for (row, col), cell in sheet.cells.items():
        wraps = cell.style.endswith(":wrap") or cell.style.startswith("header")
        if not (wraps or col in narrowed) or not isinstance(cell.value, str):
            continue
        if cell.style.split(":")[0] in ("title", "note", "section"):
            continue  # runs on over its empty neighbours
        width = narrowed.get(col, sheet.widths.get(col, 8.43))
        lines = min(most, math.ceil(column_units(cell.value) / max(width, 1.0)))
        if lines > 1:
            heights[row] = max(heights.get(row, 0.0), line * lines + 2)
    return heights


def printable_height(landscape: bool) -> float:
    """The paper's height inside the top and bottom margins, in points."""
    paper = A4_PT[0] if landscape else A4_PT[1]
    return paper - (MARGIN_IN["top"] + MARGIN_IN["bottom"]) * 72


def row_heights(sheet: Sheet, setup: PageSetup) -> dict[int, float]:
    """The heights (points) the writer gives rows other than ``ROW_PT`` high."""
    return wrapped_row_heights(sheet) | dict(setup.row_heights) | {0: TITLE_ROW_PT}


def pages_tall(sheet: Sheet, setup: PageSetup, scale: float, titles: tuple[int, int] | None) -> int:
    """The pages the rows of ``setup.area`` fill at ``scale`` (rows never split, the
    title rows repeated on each page, a new page at each of ``setup.row_breaks``).
    Heights are those the writer gives the rows."""
    tall = row_heights(sheet, setup)

    def height(row: int) -> float:
        return tall.get(row, ROW_PT)

    repeated = sum(height(r) for r in range(titles[0], titles[1] + 1)) if titles else 0.0
    room = printable_height(setup.landscape) * HEIGHT_SLACK / scale
    r1, _, r2, _ = setup.area
    pages, used = 1, 0.0
    for row in range(r1, r2 + 1):
        if row in setup.hidden_rows:
            continue
        if used and (used + height(row) > room or row in setup.row_breaks):
            pages, used = pages + 1, repeated
        used += height(row)
    return pages


def kept_spans(sheet: Sheet, tall: dict[int, float]) -> list[tuple[int, int]]:
    """The row spans to print on one page, overlapping ones joined: each chart's rows
    (from its anchor down its height in pixels) and the sheet's ``keep`` spans."""
    spans = list(sheet.keep)
    for chart in sheet.charts:
        row, covered = chart.anchor[0], 0.0
        while True:
            covered += tall.get(row, ROW_PT) / 0.75
            if covered >= chart.size[1]:
                break
            row += 1
        spans.append((chart.anchor[0], row))
    joined: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], last))
        else:
            joined.append((first, last))
    return joined


def row_breaks(sheet: Sheet, setup: PageSetup, scale: float) -> tuple[int, ...]:
    """The rows pages begin at on a sheet with kept spans (charts, rows of tiles), so that
    no span is cut by a page's end: a break before a span that does not fit in what is left
    of its page but fits on a page of its own. Pages hold ``printable_height`` at ``scale``
    (less the repeated title rows after the first). Every page's start is a manual break:
    an application that prints at a smaller scale (wider columns) then still begins its
    pages there and nowhere else. None on a sheet without kept spans."""
    tall = row_heights(sheet, setup)

    def height(row: int) -> float:
        return 0.0 if row in setup.hidden_rows else tall.get(row, ROW_PT)

    r1, _, r2, _ = setup.area
    spans = {first: last for first, last in kept_spans(sheet, tall) if r1 < first <= r2}
    if not spans:
        return ()
    titles = setup.title_rows
    repeated = sum(height(r) for r in range(titles[0], titles[1] + 1)) if titles else 0.0
    room = printable_height(setup.landscape) * HEIGHT_SLACK / scale
    breaks: list[int] = []
    used = 0.0
    for row in range(r1, r2 + 1):
        if row in spans:
            need = sum(height(r) for r in range(row, min(spans[row], r2) + 1))
            if used > repeated and used + need > room and repeated + need <= room:
                breaks.append(row)
                used = repeated
        if used > repeated and used + height(row) > room:
            breaks.append(row)
            used = repeated
        used += height(row)
    return tuple(breaks)


def fit_scale(sheet: Sheet, setup: PageSetup) -> float:
    """The scale fitting ``setup``'s columns to its pages wide (at most 100 %)."""
    _, c1, _, c2 = setup.area
    narrowed = {c: w for c, w, _ in setup.narrowed}
    total = sum(
        column_points(narrowed.get(c, sheet.widths.get(c, DEFAULT_WIDTH)))
        for c in range(c1, c2 + 1)
        if c not in setup.hidden_cols
    )
    room = printable_width(setup.landscape) * SLACK * setup.pages_wide
    return min(1.0, room / total) if total else 1.0


def printable_width(landscape: bool) -> float:
    """The paper's width inside the left and right margins, in points."""
    paper = A4_PT[1] if landscape else A4_PT[0]
    return paper - (MARGIN_IN["left"] + MARGIN_IN["right"]) * 72


def content_area(
    sheet: Sheet, within: tuple[int, int, int, int] | None = None
) -> tuple[int, int, int, int] | None:
    """The rectangle around what a sheet shows — cells, Tables and charts — or around what
    it shows ``within`` a span (helper cells, style ``helper:*``, are not for reading)."""
    boxes = [
        (r, c, r, c)
        for (r, c), cell in sheet.cells.items()
        if (cell.formula is not None or cell.value not in (None, ""))
        and not cell.style.startswith("helper")
    ]
    boxes += [(t.row, t.col, t.last_row, t.last_col) for t in sheet.tables]
    for frame in sheet.frames:
        last_row = frame.row + max(len(frame.frame), 1) - 1
        boxes.append((frame.row, frame.col, last_row, frame.col + len(frame.frame.columns) - 1))
    for chart in sheet.charts:
        r, c = chart.anchor
        last_row = r + math.ceil(chart.size[1] / ROW_PX)
        boxes.append((r, c, last_row, _column_reached(sheet, c, chart.size[0])))
    if within is not None:
        w1, x1, w2, x2 = within
        boxes = [
            (max(r1, w1), max(c1, x1), min(r2, w2), min(c2, x2))
            for r1, c1, r2, c2 in boxes
            if r1 <= w2 and r2 >= w1 and c1 <= x2 and c2 >= x1
        ]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _column_reached(sheet: Sheet, first: int, pixels: float) -> int:
    """The last column a drawing ``pixels`` wide starting at column ``first`` covers."""
    col, covered = first, 0.0
    while True:
        covered += column_points(sheet.widths.get(col, DEFAULT_WIDTH)) / 0.75
        if covered >= pixels:
            return col
        col += 1


def pages_wide(widths: list[float], repeated: float, landscape: bool, scale: float) -> int:
    """The pages the columns (points, in order) fill at ``scale``, columns never split and
    ``repeated`` points of title columns on every page."""
    room = printable_width(landscape) * SLACK / scale - repeated
    pages, used = 1, 0.0
    for width in widths:
        if used and used + width > room:
            pages, used = pages + 1, 0.0
        used += width
    return pages


def page_setup(
    sheet: Sheet,
    texts: PrintTexts,
    area: tuple[int, int, int, int] | None = None,
    hidden: tuple[int, ...] = (),
    cap: float | None = None,
) -> PageSetup | None:
    """The print set-up of ``sheet`` over its content (or over ``area``, with the columns
    ``hidden`` left out and columns wider than ``cap`` narrowed to it, their texts
    wrapped); None for hidden sheets and empty ones."""
    if sheet.hidden:
        return None
    area = area or content_area(sheet)
    if area is None:
        return None
    r1, c1, r2, c2 = area
    if sheet.role == "data":
        r2 = min(r2, r1 + DATA_SAMPLE)
    rows = sheet.print_rows
    title_rows = rows if rows and r1 <= rows[0] and rows[1] <= r2 else None
    frozen = sheet.freeze[1] if sheet.freeze else 0
    narrowed = {
        c: cap
        for c in range(c1, c2 + 1)
        if cap is not None and c not in hidden and sheet.widths.get(c, DEFAULT_WIDTH) > cap
    }
    widths = [
        0.0 if c in hidden else column_points(narrowed.get(c, sheet.widths.get(c, DEFAULT_WIDTH)))
        for c in range(c1, c2 + 1)
    ]
    total = sum(widths)
    landscape = total > printable_width(False) * SLACK
    wide = pages_wide(widths, 0.0, landscape, min_scale())
    title_cols = None
    if wide > 1 and c1 < frozen <= c2:
        title_cols = (c1, frozen - 1)
        repeated = sum(widths[: frozen - c1])
        wide = pages_wide(widths[frozen - c1 :], repeated, landscape, min_scale())
    setup = PageSetup(
        (r1, c1, r2, c2),
        title_rows,
        title_cols,
        landscape,
        wide,
        header_text(texts),
        footer_text(texts),
        tuple(c for c in hidden if c1 <= c <= c2),
        narrowed=tuple((c, w, sheet.widths.get(c, DEFAULT_WIDTH)) for c, w in narrowed.items()),
        row_heights=_taller_rows(sheet, narrowed, r1, r2),
    )
    return replace(setup, row_breaks=row_breaks(sheet, setup, fit_scale(sheet, setup)))


def _taller_rows(
    sheet: Sheet, narrowed: dict[int, float], r1: int, r2: int
) -> tuple[tuple[int, float], ...]:
    """Rows that narrowed columns make taller, with their new heights."""
    if not narrowed:
        return ()
    before = wrapped_row_heights(sheet)
    after = wrapped_row_heights(sheet, narrowed=narrowed)
    return tuple(
        (row, height)
        for row, height in sorted(after.items())
        if r1 <= row <= r2 and height > before.get(row, ROW_PT)
    )


def _escaped(text: str, most: int) -> str:
    """Literal text inside a header or footer (``&`` doubled), cut to ``most`` characters."""
    text = " ".join(text.split())
    if len(text) > most:
        text = text[: most - 1] + "…"
    return text.replace("&", "&&")


def header_text(texts: PrintTexts) -> str:
    """Plan name left, sheet name centre, the as-of date right (at most 255 characters)."""
    return f"&L{_escaped(texts.plan, 80)}&C&A&R{_escaped(texts.as_of, 60)}"


def footer_text(texts: PrintTexts) -> str:
    """Page n of m, centred."""
    return f"&C{texts.page}"


def print_texts(labels: Labels, plan: str, as_of: dt.date | None, calendar: str) -> PrintTexts:
    """Header and footer texts in the plan's language; the as-of date in its calendar."""
    if as_of is None:
        stamp = labels["share.print_no_data"]
    else:
        day = jalali_text(as_of) if calendar == "solar-hijri" else as_of.isoformat()
        stamp = labels["share.print_as_of"].format(date=day)
    page = labels["share.print_page"].replace("&", "&&").format(page="&P", pages="&N")
    return PrintTexts(plan, stamp, page)
