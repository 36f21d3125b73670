"""The management report ``share --pdf`` prints: which part of which sheet, in what order.

The cover block and executive summary (the Summary sheet: plan, company, as-of date, plan
health, then KPIs, budget, scenario and the strongest TOWS pairs), SWOT with TOWS (the top
factors and the TOWS grid), the objectives matrix, the KPIs, the budget's month totals,
scenarios and contingency, open findings (Checks). Each part is printed by the same rule as
a whole sheet (``print_setup.page_setup``) over its own area, some detail columns left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from xlmplan.sheets import objectives, scenarios, strategy_kpi, swot
from xlmplan.sheets.context import TABLE_ROW
from xlmplan.sheets.layout import Book, Sheet
from xlmplan.sheets.print_setup import (
    PageSetup,
    PrintTexts,
    content_area,
    min_scale,
    page_setup,
    pages_tall,
)

Span = tuple[int, int, int, int]  # r1, c1, r2, c2 to cut the content to (inclusive)
WHOLE = 1 << 20
# Widths the report may narrow wide text columns to (None: as they are), widest first.
NARROWED: tuple[float | None, ...] = (None, 40.0, 32.0, 26.0)


@dataclass(frozen=True)
class Part:
    """One part of the report: a sheet (by role) printed over ``setup.area``."""

    role: str
    sheet: str
    setup: PageSetup


def _from_column(col: int) -> Callable[[Sheet], Span]:
    return lambda sheet: (TABLE_ROW - 1, col, WHOLE, WHOLE)


def _first_table_block(sheet: Sheet) -> Span:
    """The first Table with its derived columns, up to the next Table beside it."""
    beside = [t.col for t in sheet.tables if t.col > 0]
    return (0, 0, WHOLE, min(beside) - 2 if beside else WHOLE)


def _above_tables(sheet: Sheet) -> Span:
    """The rows above the sheet's input Tables (the month totals of Budget_3M)."""
    below = [t.row for t in sheet.tables if t.row > TABLE_ROW]
    return (0, 0, min(below) - 3 if below else WHOLE, WHOLE)


def _whole(sheet: Sheet) -> Span:
    return (0, 0, WHOLE, WHOLE)


def _none(sheet: Sheet) -> tuple[int, ...]:
    return ()


def _kpi_detail(sheet: Sheet) -> tuple[int, ...]:
    """The KPIs' last month and month before (the trend between them stays)."""
    return tuple(strategy_kpi.derived_col(key) for key in ("last", "prev"))


def _scenario_detail(sheet: Sheet) -> tuple[int, ...]:
    """Each KPI's actual (on the KPIs' page), projection and attainment per scenario, gap
    and the Dashboard's 100 % column: the report keeps the target, the run-rate projection,
    its attainment, the case each KPI is in and what that case calls for."""
    keys = ("actual", "proj_0", "proj_1", "proj_2", "att_0", "att_1", "att_2", "gap", "goal")
    return tuple(scenarios.CARD_KEYS.index(key) for key in keys)


@dataclass(frozen=True)
class Section:
    role: str
    span: Callable[[Sheet], Span]  # the part of the sheet to print
    titles: bool = True  # whether the sheet's repeated header rows apply to the part
    leave_out: Callable[[Sheet], tuple[int, ...]] = _none  # columns not printed


# The Summary sheet opens with the cover block (plan, company, as-of date, plan health).
SECTIONS = (
    Section("summary", _whole),
    Section("swot", _from_column(swot.GRID_COL), titles=False),  # that row heads the factors
    Section("objectives", _from_column(objectives.MATRIX_COL)),
    Section("strategy_kpi", _first_table_block, leave_out=_kpi_detail),
    Section("budget", _above_tables),
    Section("scenarios", _whole, leave_out=_scenario_detail),
    Section("checks", _whole),
)


def report_parts(book: Book, texts: PrintTexts) -> list[Part]:
    """The parts of the report in order (a sheet the book lacks, or an empty part, is left
    out)."""
    roles = {sheet.role: sheet for sheet in book.sheets}
    parts = []
    for section in SECTIONS:
        sheet = roles.get(section.role)
        area = content_area(sheet, section.span(sheet)) if sheet is not None else None
        if sheet is None or area is None:
            continue
        setup = _fewest_pages(sheet, section, texts, area)
        if setup is not None:
            parts.append(Part(section.role, sheet.name, setup))
    return parts


def _fewest_pages(
    sheet: Sheet, section: Section, texts: PrintTexts, area: Span
) -> PageSetup | None:
    """The part's set-up on the fewest pages: its columns as they are, or its wide text
    columns narrowed (texts wrapped, rows taller), whichever fills fewer pages at the
    smallest readable scale; the widest columns win a tie."""
    hidden = section.leave_out(sheet)
    best: tuple[int, PageSetup] | None = None
    for cap in NARROWED:
        setup = page_setup(sheet, texts, area, hidden, cap)
        if setup is None:
            return None
        titles = setup.title_rows if section.titles else None
        tall = pages_tall(sheet, setup, min_scale(), titles)
        setup = replace(setup, title_rows=titles, pages_tall=tall)
        pages = setup.pages_wide * tall
        if best is None or pages < best[0]:
            best = (pages, setup)
    return best[1] if best else None
