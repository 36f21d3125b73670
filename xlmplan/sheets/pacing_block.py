"""Budget_Months' media pacing block and its reconciliation of strategy budgets.

Sections stacked under one header: plan, actual (with each row's spend per day to date),
spend forecast, outlook, variance, cumulative plan and cumulative outlook, each with a row
per channel, the unassigned lines and the total; above them the lines of the as-of period,
the outlook's basis (plan or run-rate), days to date, cap, buffer, committed and left to
plan. The forecast is values from the last refresh; the rules are
``core/budget_pacing.py``'s twins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xlmplan.core import budget_pacing as bp
from xlmplan.core import rules
from xlmplan.core.budget_pacing import Pacing, Row
from xlmplan.sheets.context import blank
from xlmplan.sheets.layout import CondFormat, a1, ref, rng
from xlmplan.sheets.month_frame import DETAIL, EXTRA, LABEL, P0, SHARE_ROW, Grid, MonthFrame

SECTIONS = (
    "planned",
    "actual",
    "forecast",
    "outlook",
    "variance",
    "cum_planned",
    "cum_outlook",
)
LINES = (
    "as_of_period",
    "remaining",
    "outlook_by",
    "elapsed",
    "cap",
    "buffer",
    "committed",
    "planned_total",
    "actual_to_date",
    "planned_ahead",
    "left",
)


@dataclass
class PacingRows:
    """Where the pacing block's parts stand (``sections``: channels, unassigned, total)."""

    title: int
    lines: Grid
    header: int
    sections: dict[str, Grid]
    n_channels: int

    def row(self, key: str, j: int) -> int:
        return self.sections[key].first + j


def place(take: Callable[[int], int], n_channels: int) -> PacingRows:
    """Rows for the block, taken from a ``take(rows) -> first row`` allocator."""
    title = take(1)
    lines = Grid(take(len(LINES)), len(LINES))
    take(1)
    header = take(1)
    sections = {}
    for key in SECTIONS:
        take(1)  # the section's label row
        sections[key] = Grid(take(n_channels + 2), n_channels + 2)
    return PacingRows(title, lines, header, sections, n_channels)


def build(f: MonthFrame, at: PacingRows, money: Grid) -> None:
    """The pacing block over the money block ``money`` (rows aligned with tblMoney)."""
    ctx, sheet, t = f.ctx, f.sheet, f.ctx.t
    pacing = ctx.results.pacing
    assert pacing is not None
    sheet.put(at.title, LABEL, t("pacing.block"), "section")
    line_row = {key: at.lines.first + i for i, key in enumerate(LINES)}
    asof = a1(line_row["as_of_period"], EXTRA, True, True)
    remaining = a1(line_row["remaining"], EXTRA, True, True)
    for k in range(f.n):
        formula = bp.plan_share_xl(f.num(k), asof, remaining)
        sheet.formula(SHARE_ROW, f.col(k), formula, pacing.shares[k], "derived:pct")
    f.header(at.header, [t("pacing.channel"), "", ""])
    rows = [*pacing.rows, pacing.total]
    for key in SECTIONS:
        grid = at.sections[key]
        sheet.put(grid.first - 1, LABEL, t(f"pacing.{key}"), "label:strong")
        if key == "actual":
            sheet.put(grid.first - 1, EXTRA, t("pacing.per_day"), "label:strong")
        for j, row in enumerate(rows):
            _section_row(f, at, key, j, row, line_row, money)
        if key == "variance":
            last = grid.first + grid.n - 1
            overspent = bp.overspent_xl(a1(grid.first, P0))
            sheet.cond_formats.append(
                CondFormat(grid.first, P0, last, f.total_col, "formula", overspent, "bad")
            )
    _lines(f, at, pacing, line_row)


def _section_row(
    f: MonthFrame, at: PacingRows, key: str, j: int, row: Row, lines: dict[str, int], money: Grid
) -> None:
    t, sheet, n_ch = f.ctx.t, f.sheet, at.n_channels
    pacing = f.ctx.results.pacing
    assert pacing is not None
    asof = a1(lines["as_of_period"], EXTRA, True, True)
    by_run_rate = f'{a1(lines["outlook_by"], EXTRA, True, True)}="{bp.RUN_RATE}"'
    rate = a1(at.row("actual", j), EXTRA, True, True)
    r = at.row(key, j)
    is_total, is_other = j == n_ch + 1, j == n_ch
    text = t("pacing.total") if is_total else row.channel or t("pacing.unassigned")
    sheet.put(r, LABEL, text, "label:strong" if is_total else "label")
    style = "total:money0_dash" if is_total else "derived:money0_dash"
    m_cat = f.table_col("money", 0, money.n)
    m_channel = f.table_col("money", 1, money.n)
    media = rules.literal_criterion_xl("MediaCategory")
    crit = rules.literal_criterion_xl(a1(at.row("planned", j), LABEL, True, True))
    for k in range(f.n):
        c = f.col(k)
        planned, actual = a1(at.row("planned", j), c), a1(at.row("actual", j), c)
        channels = rng(None, at.row(key, 0), c, at.row(key, n_ch - 1), c)
        others = f"-SUM({channels})" if n_ch else ""
        value: object
        if key == "planned":
            if is_total:
                formula = f"SUM({rng(None, at.row(key, 0), c, at.row(key, n_ch), c)})"
            elif is_other:
                formula = f"SUMIF({m_cat},{media},{f.grid_col(money, k)}){others}"
            else:
                formula = f"SUMIFS({f.grid_col(money, k)},{m_cat},{media},{m_channel},{crit})"
            value = row.planned[k]
        elif key == "actual":
            if is_other:
                total = a1(at.row(key, n_ch + 1), c)
                formula = f'IF({f.num(k)}<={asof},{total}{others},"")'
            else:
                head = "SUMIFS(d_spend," + ("" if is_total else f"d_channel,{crit},")
                formula = bp.actual_xl(head, f.first(k), f.last(k), "AsOf", f.num(k), asof)
            value = blank(row.actual[k])
        elif key == "forecast":  # values: the spend forecast of the last refresh
            value = None if is_total else pacing.forecasts[j][k]
            sheet.put(r, c, blank(value), style)
            continue
        elif key == "outlook" and is_total:  # each channel runs at its own rate
            formula = f"SUM({rng(None, at.row(key, 0), c, at.row(key, n_ch), c)})"
            value = row.outlook[k]
        elif key == "outlook":
            days = f"({f.last(k)}-{f.first(k)}+1)"
            fc = a1(at.row("forecast", j), c)
            expected = bp.ahead_xl(by_run_rate, planned, f.share(k), days, rate, fc)
            formula = bp.outlook_xl(actual, expected, f.num(k), asof)
            value = row.outlook[k]
        elif key == "variance":
            formula = bp.variance_xl(planned, actual, f.share(k), f.num(k), asof)
            value = blank(row.variance[k])
        else:
            source = at.row("planned" if key == "cum_planned" else "outlook", j)
            formula = f"SUM({a1(source, P0, False, True)}:{a1(source, c)})"
            value = (row.cum_planned if key == "cum_planned" else row.cum_outlook)[k]
        sheet.formula(r, c, formula, value, style)
    year = {
        "planned": sum(row.planned),
        "actual": row.actual_to_date,
        "outlook": sum(row.outlook),
        "variance": row.variance_to_date,
    }.get(key)
    if year is not None:  # cumulative rows end in their last period
        f.row_total(r, year, style)
    if key == "actual":
        elapsed = a1(lines["elapsed"], EXTRA, True, True)
        per_day = bp.run_rate_xl(a1(r, f.total_col), elapsed)
        rate_value = (
            pacing.rates[j] if j <= n_ch else bp.run_rate(row.actual_to_date, pacing.elapsed)
        )
        sheet.formula(r, EXTRA, per_day, blank(rate_value), "derived:money")


def _lines(f: MonthFrame, at: PacingRows, pacing: Pacing, line_row: dict[str, int]) -> None:
    """The as-of period, cap, buffer, committed, totals and left to plan (column C)."""
    ctx, sheet, s = f.ctx, f.sheet, f.ctx.plan.settings
    total = at.n_channels + 1
    planned_total = a1(at.row("planned", total), f.total_col, True, True)
    actual_total = a1(at.row("actual", total), f.total_col, True, True)
    outlook_total = a1(at.row("outlook", total), f.total_col, True, True)
    asof = a1(line_row["as_of_period"], EXTRA, True, True)
    ahead = a1(line_row["planned_ahead"], EXTRA, True, True)
    money = "derived:money0"
    cells: dict[str, tuple[str, object, str]] = {
        "as_of_period": ("AsOfPeriod", pacing.as_of_period, "derived:int"),
        "remaining": (
            bp.remaining_share_xl("AsOf", asof, f.n, "cal_first", "cal_last"),
            pacing.remaining,
            "derived:pct",
        ),
        "outlook_by": (
            f'IF(TRIM(BudgetOutlook)="{bp.RUN_RATE}","{bp.RUN_RATE}","{bp.PLAN}")',
            pacing.outlook,
            "derived:text",
        ),
        "elapsed": (bp.elapsed_days_xl("AsOf", asof), pacing.elapsed, "derived:int"),
        "cap": ('IF(ISNUMBER(BudgetCap),BudgetCap,"")', blank(s.budget_cap), money),
        "buffer": ("IF(ISNUMBER(BudgetBuffer),BudgetBuffer,0)", s.budget_buffer or 0.0, money),
        "committed": (
            "IF(ISNUMBER(BudgetCommitted),BudgetCommitted,0)",
            s.budget_committed or 0.0,
            money,
        ),
        "planned_total": (planned_total, sum(pacing.total.planned), money),
        "actual_to_date": (actual_total, pacing.total.actual_to_date, money),
        "planned_ahead": (f"{outlook_total}-{actual_total}", pacing.planned_remaining, money),
        "left": (
            bp.left_to_plan_xl(
                "BudgetCap", "BudgetBuffer", "BudgetCommitted", planned_total, actual_total, ahead
            ),
            pacing.left_to_plan,
            "total:money0",
        ),
    }
    for key in LINES:
        r = line_row[key]
        formula, value, style = cells[key]
        sheet.put(r, LABEL, ctx.t(f"pacing.{key}"), "label:strong" if key == "left" else "label")
        sheet.formula(r, EXTRA, formula, value, style)
    left = line_row["left"]
    sheet.cond_formats.append(
        CondFormat(left, EXTRA, left, EXTRA, "formula", f"ROUND({a1(left, EXTRA)},2)<0", "bad")
    )
    ctx.define("PacingActual", ref(sheet.name, line_row["actual_to_date"], EXTRA))
    ctx.define("PacingLeft", ref(sheet.name, left, EXTRA))


def reconcile(f: MonthFrame, title: int, rows: Grid, money: Grid) -> None:
    """Per channel: the strategies' budgets, the money lines (every category), the gap."""
    ctx, sheet, t = f.ctx, f.sheet, f.ctx.t
    pacing = ctx.results.pacing
    assert pacing is not None
    sheet.put(title, LABEL, t("pacing.reconcile"), "section")
    heads = ["strategies", "money", "difference"]
    sheet.put(title + 1, LABEL, t("pacing.channel"), "header:derived")
    for col in (DETAIL, EXTRA):
        sheet.put(title + 1, col, "", "header:derived")
    for i, key in enumerate(heads):
        sheet.put(title + 1, P0 + i, t(f"pacing.{key}"), "header:derived")
    m_channel = f.table_col("money", 1, money.n)
    m_amount = f.table_col("money", 5, money.n)
    for j, rec in enumerate(pacing.reconciled):
        r = rows.first + j
        sheet.put(r, LABEL, rec.channel, "label")
        own = rules.literal_criterion_xl(a1(r, LABEL, True, True))
        strategies = f"SUMIF(st_channel,{own},st_budget)"
        sheet.formula(r, P0, strategies, rec.strategies, "derived:money0")
        money_sum = f"SUMIF({m_channel},{own},{m_amount})"
        sheet.formula(r, P0 + 1, money_sum, rec.money, "derived:money0")
        gap = f"{a1(r, P0 + 1)}-{a1(r, P0)}"
        sheet.formula(r, P0 + 2, gap, rec.money - rec.strategies, "derived:money0")
    if pacing.reconciled:
        last = rows.first + len(pacing.reconciled) - 1
        differs = bp.disagrees_xl(a1(rows.first, P0), a1(rows.first, P0 + 1))
        sheet.cond_formats.append(
            CondFormat(rows.first, P0 + 2, last, P0 + 2, "formula", differs, "bad")
        )
