"""The hidden Calc sheet: SUMIFS base sums that the metric formulas divide.

Block 1 is row-aligned with the KPI table: for each KPI the sum of every measure over
the plan to date, the last month and the month before. Block 2 holds, per measure, a
channel × month grid for the cross analysis. Block 3, right of it and row-aligned with the
objectives, holds running joins (one column per SWOT factor, then per strategy) whose last
cells are the objectives matrix's substantiation and strategies texts: plain ``&`` and
``IF``, which Excel 2010 computes (CONCAT and TEXTJOIN came with Excel 2019).
"""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.data import MEASURES
from xlmplan.core.engine import WINDOWS, cited_ids
from xlmplan.core.periods import period_sum_to_xl
from xlmplan.core.rules import literal_criterion_xl, serial
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, quoted
from xlmplan.sheets.layout import Sheet, a1, quote_sheet

KPI_COL = 1
ROWS_COL = KPI_COL + len(WINDOWS) * len(MEASURES)  # Data rows of the KPI's channel, per window
CROSS_COL = ROWS_COL + len(WINDOWS) + 1

_WINDOW_CRITERIA = {
    "todate": 'd_date,">="&PlanStart,d_date,"<="&AsOf',
    "last": 'd_date,">="&LastMonthStart,d_date,"<="&AsOf',
    "prev": 'd_date,">="&PrevPeriodStart,d_date,"<"&LastMonthStart',
}


def kpi_col(window: str, measure: str) -> int:
    return KPI_COL + WINDOWS.index(window) * len(MEASURES) + MEASURES.index(measure)


def rows_col(window: str) -> int:
    """The column counting the KPI's Data rows in ``window`` (none: its values are blank)."""
    return ROWS_COL + WINDOWS.index(window)


def cross_origin(measure: str, n_channels: int) -> tuple[int, int]:
    """Top-left (row, col) of a measure's channel × month grid."""
    return FIRST + MEASURES.index(measure) * (n_channels + 2), CROSS_COL + 1


def join_columns(ctx: Ctx) -> dict[str, tuple[int, int]]:
    """Running joins: kind -> (first column, number of items) on Calc."""
    first = CROSS_COL + len(ctx.plan.settings.month_starts()) + 2
    n_swot = len(ctx.plan.swot)
    n_strategies = len(ctx.plan.strategies)
    return {"substantiation": (first, n_swot), "strategies": (first + n_swot, n_strategies)}


def objective_columns(ctx: Ctx) -> dict[str, int]:
    """Per objective, right of the running joins: its KPI's row, the last day of its window,
    its channel, each measure summed over the window to date and the window's Data rows."""
    first, count = join_columns(ctx)["strategies"]
    col = first + count + 1
    keys = ("kpi_row", "end", "channel", *MEASURES, "rows")
    return {key: col + j for j, key in enumerate(keys)}


def _objective_sums(ctx: Ctx, sheet: Sheet) -> None:
    """Each objective measured over its own window: plan start to MIN(AsOf, its deadline)."""
    plan, res, w = ctx.plan, ctx.results, ctx.words
    objectives = quote_sheet(ctx.sheet("objectives"))
    col = objective_columns(ctx)
    for key, j in col.items():
        sheet.put(TABLE_ROW, j, f"objective:{key}", "header")
    for i in range(max(len(plan.objectives), 1)):
        r = FIRST + i
        ob = plan.objectives[i] if i < len(plan.objectives) else None
        row = res.objective_rows[i] if ob else {}
        kpi_index = next(
            (
                j + 1
                for j, k in enumerate(plan.kpis)
                if ob and ob.kpi and rules.same_text(k.id, ob.kpi)
            ),
            None,
        )
        c = {key: a1(r, j) for key, j in col.items()}
        kpi_id = f"{objectives}!$H{r + 1}"
        deadline = f"{objectives}!$K{r + 1}"
        sheet.formula(
            r,
            col["kpi_row"],
            f'IFERROR(MATCH({rules.literal_lookup_xl(kpi_id)},k_id,0),"")',
            "" if kpi_index is None else float(kpi_index),
            "derived:num",
        )
        sheet.formula(
            r,
            col["end"],
            f"IF(ISNUMBER({deadline}),{deadline},PlanEnd)",
            serial(row.get("end", plan.settings.end)),
            "derived:num",
        )
        channel = plan.kpis[kpi_index - 1].channel if kpi_index else ""
        sheet.formula(
            r,
            col["channel"],
            f'IF(ISNUMBER({c["kpi_row"]}),INDEX(k_channel,{c["kpi_row"]})&"","")',
            channel,
            "derived:text",
        )
        crit = f'd_date,">="&PlanStart,d_date,"<="&MIN(AsOf,{c["end"]})'
        one = f"d_channel,{literal_criterion_xl(c['channel'])},"
        is_all = f"{c['channel']}={quoted(w.all_channels)}"
        on = f"AND(ISNUMBER(AsOf),ISNUMBER({c['kpi_row']}))"
        sums = row.get("sums", {})
        for measure in MEASURES:
            sheet.formula(
                r,
                col[measure],
                f"IF({on},IF({is_all},SUMIFS(d_{measure},{crit}),"
                f"SUMIFS(d_{measure},{one}{crit})),0)",
                float(sums.get(measure, 0.0)),
                "derived:num",
            )
        sheet.formula(
            r,
            col["rows"],
            f"IF({on},IF({is_all},COUNTIFS({crit}),COUNTIFS({one}{crit})),0)",
            float(row.get("rows", 0)),
            "derived:num",
        )


def joined_formula(ctx: Ctx, kind: str, r: int) -> str:
    """The objectives matrix's joined text of ``kind`` for the objective on row ``r``."""
    first, n = join_columns(ctx)[kind]
    if n == 0:
        return '""'
    return rules.joined_text_xl(f"{quote_sheet(ctx.sheet('calc'))}!{a1(r, first + n - 1)}")


def _join_grids(ctx: Ctx, sheet: Sheet) -> None:
    plan = ctx.plan
    objectives = quote_sheet(ctx.sheet("objectives"))
    swot_ids = [f.id for f in plan.swot]
    n = max(len(plan.objectives), 1)
    cols = join_columns(ctx)
    for kind, (first, count) in cols.items():
        if count:
            sheet.put(TABLE_ROW, first, f"join:{kind}", "header")
    for i in range(n):
        r = FIRST + i
        ob = plan.objectives[i] if i < len(plan.objectives) else None
        obj_id, listed = f"{objectives}!$A{r + 1}", f"{objectives}!$L{r + 1}"
        cited = cited_ids(ob.substantiation, swot_ids) if ob else set()
        items = [
            (
                f'AND(INDEX(s_id,{j + 1})<>"",{rules.cited_xl(f"INDEX(s_id,{j + 1})", listed)})',
                f"INDEX(s_factor,{j + 1})",
                f.id in cited,
                f.factor,
            )
            for j, f in enumerate(plan.swot)
        ]
        items += [
            (
                f'AND({obj_id}<>"",INDEX(st_obj,{j + 1})={obj_id})',
                f"INDEX(st_name,{j + 1})",
                ob is not None and ob.id != "" and rules.same_text(st.objective, ob.id),
                st.strategy,
            )
            for j, st in enumerate(plan.strategies)
        ]
        for first, count in cols.values():
            running, previous = "", None
            for j in range(count):
                hit, text, hit_value, text_value = items[first - cols["substantiation"][0] + j]
                running = rules.join_step(running, hit_value, text_value)
                sheet.formula(
                    r, first + j, rules.join_step_xl(previous, hit, text), running, "derived:text"
                )
                previous = a1(r, first + j)


def build(ctx: Ctx, kpi_sheet: str, n_kpi_rows: int) -> Sheet:
    res, plan = ctx.results, ctx.plan
    sheet = Sheet("calc", ctx.sheet("calc"), protect=True, hidden=True)
    sheet.put(0, 0, ctx.t("calc.title"), "title")
    sheet.put(TABLE_ROW, 0, ctx.t("calc.kpi"), "header")
    for window in WINDOWS:
        for measure in MEASURES:
            sheet.put(TABLE_ROW, kpi_col(window, measure), f"{window}:{measure}", "header")
        sheet.put(TABLE_ROW, rows_col(window), f"{window}:rows", "header")
    for i in range(n_kpi_rows):
        r = FIRST + i
        kpi = plan.kpis[i] if i < len(plan.kpis) else None
        sheet.formula(
            r, 0, f'{quote_sheet(kpi_sheet)}!A{r + 1}&""', kpi.id if kpi else "", "derived:text"
        )
        channel = f"{quote_sheet(kpi_sheet)}!$D{r + 1}"
        for window in WINDOWS:
            for measure in MEASURES:
                crit = _WINDOW_CRITERIA[window]
                all_ = f"SUMIFS(d_{measure},{crit})"
                one = f"SUMIFS(d_{measure},d_channel,{literal_criterion_xl(channel)},{crit})"
                formula = (
                    f"IF(ISNUMBER(AsOf),IF({channel}={quoted(ctx.words.all_channels)},"
                    f"{all_},{one}),0)"
                )
                value = res.kpis[i].sums[window][measure] if kpi else 0.0
                sheet.formula(r, kpi_col(window, measure), formula, value, "derived:num")
            crit = _WINDOW_CRITERIA[window]
            count = (
                f"IF(ISNUMBER(AsOf),IF({channel}={quoted(ctx.words.all_channels)},"
                f"COUNTIFS({crit}),COUNTIFS(d_channel,{literal_criterion_xl(channel)},{crit})),0)"
            )
            rows = res.kpis[i].rows.get(window, 0) if kpi else 0
            sheet.formula(r, rows_col(window), count, rows, "derived:num")

    periods = ctx.periods  # the Calendar's periods, each summed up to the as-of date
    n_ch = len(plan.channels)
    for measure in MEASURES:
        top, left = cross_origin(measure, n_ch)
        sheet.put(top - 1, left - 1, measure, "header")
        for j, period in enumerate(periods.items):
            first = f"INDEX(cal_first,{j + 1})"
            sheet.formula(top - 1, left + j, first, serial(period.first), "header:month")
        for c, channel in enumerate(plan.channels):
            r = top + c
            sheet.put(r, left - 1, channel, "derived:text")
            for j in range(len(periods)):
                crit = literal_criterion_xl(a1(r, left - 1, False, True))
                first = a1(top - 1, left + j, True, False)
                last = f"INDEX(cal_last,{j + 1})"
                where = f"d_channel,{crit}"
                total = period_sum_to_xl(f"d_{measure}", "d_date", first, last, "AsOf", where)
                formula = f"IF(ISNUMBER(AsOf),{total},0)"
                sheet.formula(r, left + j, formula, res.cross_sums[c][j][measure], "derived:num")
    _join_grids(ctx, sheet)
    _objective_sums(ctx, sheet)
    return sheet
