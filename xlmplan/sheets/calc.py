"""The hidden Calc sheet: SUMIFS base sums that the metric formulas divide.

Block 1 is row-aligned with the KPI table: for each KPI the sum of every measure over
the plan to date, the last month and the month before. Block 2 holds, per measure, a
channel × month grid for the cross analysis.
"""

from __future__ import annotations

from xlmplan.core.data import MEASURES
from xlmplan.core.engine import WINDOWS
from xlmplan.core.rules import serial
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, quoted
from xlmplan.sheets.layout import Sheet, a1, quote_sheet

KPI_COL = 1
CROSS_COL = KPI_COL + len(WINDOWS) * len(MEASURES) + 1

_WINDOW_CRITERIA = {
    "todate": 'd_date,">="&PlanStart,d_date,"<="&AsOf',
    "last": 'd_date,">="&LastMonthStart,d_date,"<="&AsOf',
    "prev": 'd_date,">="&EDATE(LastMonthStart,-1),d_date,"<"&LastMonthStart',
}


def kpi_col(window: str, measure: str) -> int:
    return KPI_COL + WINDOWS.index(window) * len(MEASURES) + MEASURES.index(measure)


def cross_origin(measure: str, n_channels: int) -> tuple[int, int]:
    """Top-left (row, col) of a measure's channel × month grid."""
    return FIRST + MEASURES.index(measure) * (n_channels + 2), CROSS_COL + 1


def build(ctx: Ctx, kpi_sheet: str, n_kpi_rows: int) -> Sheet:
    res, plan = ctx.results, ctx.plan
    sheet = Sheet("calc", ctx.sheet("calc"), protect=True, hidden=True)
    sheet.put(0, 0, ctx.t("calc.title"), "title")
    sheet.put(TABLE_ROW, 0, ctx.t("calc.kpi"), "header")
    for window in WINDOWS:
        for measure in MEASURES:
            sheet.put(TABLE_ROW, kpi_col(window, measure), f"{window}:{measure}", "header")
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
                one = f"SUMIFS(d_{measure},d_channel,{channel},{crit})"
                formula = (
                    f"IF(ISNUMBER(AsOf),IF({channel}={quoted(ctx.words.all_channels)},"
                    f"{all_},{one}),0)"
                )
                value = res.kpis[i].sums[window][measure] if kpi else 0.0
                sheet.formula(r, kpi_col(window, measure), formula, value, "derived:num")

    months = plan.settings.month_starts()
    n_ch = len(plan.channels)
    for measure in MEASURES:
        top, left = cross_origin(measure, n_ch)
        sheet.put(top - 1, left - 1, measure, "header")
        for j in range(len(months)):
            sheet.formula(
                top - 1, left + j, f"EDATE(PlanStart,{j})", serial(months[j]), "header:month"
            )
        for c, channel in enumerate(plan.channels):
            r = top + c
            sheet.put(r, left - 1, channel, "derived:text")
            for j in range(len(months)):
                month = a1(top - 1, left + j, True, False)
                formula = (
                    f"SUMIFS(d_{measure},d_channel,{a1(r, left - 1, False, True)},"
                    f'd_date,">="&{month},d_date,"<"&EDATE({month},1))'
                )
                sheet.formula(r, left + j, formula, res.cross_sums[c][j][measure], "derived:num")
    return sheet
