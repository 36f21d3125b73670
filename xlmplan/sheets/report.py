"""The management report ``share --pdf`` prints: which part of which sheet, in what order.

The cover block and executive summary (the Summary sheet: plan, company, as-of date, plan
health, then KPIs, budget, scenario and the strongest TOWS pairs), SWOT with TOWS (the top
factors and the TOWS grid), the objectives matrix, the KPIs, the budget's summary by period,
scenarios and contingency, open findings (Checks). Each part is printed by the same rule as
a whole sheet (``print_setup.page_setup``) over its own area, some detail columns left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from xlmplan.core.model import TOWS_TYPES
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
from xlmplan.sheets.summary import tows_grid

Span = tuple[int, int, int, int]  # r1, c1, r2, c2 to cut the content to (inclusive)
WHOLE = 1 << 20
# Widths the report may narrow wide text columns to (None: as they are), widest first.
NARROWED: tuple[float | None, ...] = (None, 40.0, 32.0, 26.0, 20.0)


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
    return (0, 0, WHOLE, min(beside) - 1 if beside else WHOLE)


def _leading_blocks(count: int) -> Callable[[Sheet], Span]:
    """The title and the first ``count`` blocks of a sheet of blocks stacked one under
    another with an empty row between them (Budget_Months: the period band, the summary)."""

    def span(sheet: Sheet) -> Span:
        filled = {r for (r, _), c in sheet.cells.items() if c.formula or c.value not in (None, "")}
        row, gaps = TABLE_ROW, 0
        while row <= max(filled, default=0):
            if row not in filled:
                gaps += 1
                if gaps == count:
                    return (0, 0, row - 1, WHOLE)
            row += 1
        return (0, 0, WHOLE, WHOLE)

    return span


def _tows(sheet: Sheet) -> Span:
    """The top factors and the TOWS grid with its note (not the strategic position)."""
    first, block = tows_grid()
    return (TABLE_ROW - 1, swot.GRID_COL, first + len(TOWS_TYPES) * block, WHOLE)


def _kpi_detail(sheet: Sheet) -> tuple[int, ...]:
    """The direction, the spacer before the verdicts and the year-end verdict (the
    scenarios' page gives the case each KPI is in)."""
    return (strategy_kpi.DERIVED_COL - 2, strategy_kpi.DERIVED_COL - 1) + (
        strategy_kpi.derived_col("year_end_verdict"),
    )


def _settled(sheet: Sheet) -> tuple[int, ...]:
    """Checks' information rows (the severity its traffic lights show green): the report
    lists the open findings, warnings and errors."""
    info = {cf.value for cf in sheet.cond_formats if cf.kind == "equals" and cf.style == "good"}
    return tuple(
        r for (r, c), cell in sheet.cells.items() if c == 0 and r > TABLE_ROW and cell.value in info
    )


def _whole(sheet: Sheet) -> Span:
    return (0, 0, WHOLE, WHOLE)


def _none(sheet: Sheet) -> tuple[int, ...]:
    return ()


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
    leave_rows: Callable[[Sheet], tuple[int, ...]] = _none  # rows not printed


# The Summary sheet opens with the cover block (plan, company, as-of date, plan health).
SECTIONS = (
    Section("summary", _whole),
    Section("swot", _tows, titles=False),  # the sheet's header row heads the factors
    Section("objectives", _from_column(objectives.MATRIX_COL)),
    Section("strategy_kpi", _first_table_block, leave_out=_kpi_detail),
    Section("budget_months", _leading_blocks(2)),
    Section("scenarios", _whole, leave_out=_scenario_detail),
    Section("checks", _whole, leave_rows=_settled),
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
    rows = tuple(sorted(r for r in section.leave_rows(sheet) if area[0] <= r <= area[2]))
    best: tuple[int, PageSetup] | None = None
    for cap in NARROWED:
        setup = page_setup(sheet, texts, area, hidden, cap)
        if setup is None:
            return None
        setup = replace(setup, hidden_rows=rows)
        titles = setup.title_rows if section.titles else None
        tall = pages_tall(sheet, setup, min_scale(), titles)
        setup = replace(setup, title_rows=titles, pages_tall=tall)
        pages = setup.pages_wide * tall
        if best is None or pages < best[0]:
            best = (pages, setup)
    return best[1] if best else None
