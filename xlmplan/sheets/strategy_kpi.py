"""The Strategy_KPI sheet: KPIs with their two verdicts side by side, and strategies.

*On pace*: actual to date against target to date (from the Targets sheet); its status is
the KPI's status everywhere (``k_status``). *Year-end*: the forecast to the plan's end
against the plan target, read from the Scenarios scorecard, which picks the scenario.
"""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core import target_path as tp
from xlmplan.core.data import MEASURES
from xlmplan.core.model import Kpi, Strategy, table_row
from xlmplan.sheets import calc
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank, metric_style
from xlmplan.sheets.layout import CondFormat, Sheet, a1, quote_sheet, rng
from xlmplan.sheets.metric_formula import choose_metric
from xlmplan.sheets.scenarios import CARD_KEYS, CARD_ROW
from xlmplan.sheets.tables import (
    cell,
    headers_of,
    input_table,
    list_validation,
    table_name,
    title,
    traffic_lights,
)

DERIVED_COL = 7  # H..N: on pace (actual, target to date, attainment, status), year-end
VERDICTS = (
    "actual",
    "todate_target",
    "attainment",
    "status",
    "year_end",
    "year_end_att",
    "year_end_verdict",
)
STRATEGY_COL = 14  # O: the strategies Table, where plans have always had it
MONTHS = ("last", "prev", "trend")  # right of the strategies Table
MONTHS_COL = STRATEGY_COL + 12 + 1
DERIVED = VERDICTS + MONTHS


def derived_col(key: str) -> int:
    if key in MONTHS:
        return MONTHS_COL + MONTHS.index(key)
    return DERIVED_COL + VERDICTS.index(key)


def build(ctx: Ctx) -> Sheet:
    t, res, plan = ctx.t, ctx.results, ctx.plan
    sheet = Sheet("strategy_kpi", ctx.sheet("strategy_kpi"), tab_color="#ED7D31")
    title(sheet, t("kpi.title"), t("kpi.subtitle"))
    headers = headers_of(ctx, "kpi", Kpi)
    rows = [table_row(k) for k in plan.kpis]
    table = input_table(
        sheet,
        ctx,
        name="tblKpis",
        role="kpis",
        col=0,
        headers=headers,
        rows=rows,
        styles=["text", "text", "text", "text", "num", "text"],
        caption=t("kpi.kpis"),
    )
    for i, name in enumerate(("k_id", "k_name", "k_metric", "k_channel", "k_target", "k_dir")):
        table_name(ctx, sheet, table, i, name)
    list_validation(sheet, table, 2, "=lst_metrics")
    list_validation(sheet, table, 3, "=lst_channels")
    list_validation(sheet, table, 5, "=lst_directions")

    calc_name = quote_sheet(ctx.sheet("calc"))
    scenarios_name = quote_sheet(ctx.sheet("scenarios"))
    n = max(table.n_rows, 1)
    for key in DERIVED:
        sheet.put(TABLE_ROW, derived_col(key), t(f"kpi.{key}"), "header:derived")
    for i in range(n):
        r = FIRST + i
        kpi = plan.kpis[i] if i < len(plan.kpis) else None
        kr = res.kpis[i] if kpi else None
        metric = ctx.catalog.by_label(kpi.metric) if kpi else None
        style = metric_style("derived", metric)
        if kpi and metric:
            sheet.cells[(r, 4)].style = metric_style("input", metric)
        metric_ref = f"$C{r + 1}"
        values = {
            "actual": kr.actual if kr else None,
            "last": kr.last if kr else None,
            "prev": kr.prev if kr else None,
        }
        for key, window in (("actual", "todate"), ("last", "last"), ("prev", "prev")):
            body = choose_metric(
                ctx.catalog,
                metric_ref,
                {m: f"{calc_name}!{cell(calc.kpi_col(window, m), r)}" for m in MEASURES},
            )
            n_rows = f"{calc_name}!{cell(calc.rows_col(window), r)}"  # none: blank, never 0
            formula = f'IF(ISNUMBER(AsOf),IF({n_rows}>0,{body},""),"")'
            sheet.formula(r, derived_col(key), formula, blank(values[key]), style)
        actual, att = cell(derived_col("actual"), r), cell(derived_col("attainment"), r)
        todate = cell(derived_col("todate_target"), r)
        targets_cell = f"INDEX(tp_todate,{i + 1})"  # the Targets sheet, row-aligned
        sheet.formula(
            r,
            derived_col("todate_target"),
            f'IF(ISNUMBER({targets_cell}),{targets_cell},"")',
            blank(kr.target_to_date if kr else None),
            style,
        )
        sheet.formula(
            r,
            derived_col("attainment"),
            tp.attainment_to_date_xl(actual, todate, f"F{r + 1}", ctx.words.lower),
            blank(kr.attainment if kr else None),
            "derived:pct",
        )
        card = CARD_ROW + 1 + i
        for key, card_key, value, card_style in (
            ("year_end", "projection", kr.year_end if kr else None, style),
            ("year_end_att", "proj_att", kr.projected_attainment if kr else None, "derived:pct"),
        ):
            source = f"{scenarios_name}!{a1(card, CARD_KEYS.index(card_key))}"
            sheet.formula(
                r,
                derived_col(key),
                f'IF(ISNUMBER({source}),{source},"")',
                blank(value),
                card_style,
            )
        verdict = f"{scenarios_name}!{a1(card, CARD_KEYS.index('now'))}"
        sheet.formula(
            r,
            derived_col("year_end_verdict"),
            f'{verdict}&""',
            blank(kr.scenario if kr else None),
            "derived:status",
        )
        sheet.formula(
            r,
            derived_col("status"),
            tp.pace_status_xl(att, "AmberThreshold", ctx.words.status),
            blank(kr.status if kr else None),
            "derived:status",
        )
        sheet.formula(
            r,
            derived_col("trend"),
            rules.trend_xl(cell(derived_col("last"), r), cell(derived_col("prev"), r)),
            blank(kr.trend if kr else None),
            "derived:pct",
        )
    last = FIRST + n - 1
    for key, name in (("actual", "k_actual"), ("attainment", "k_att"), ("status", "k_status")):
        c = derived_col(key)
        ctx.define(name, rng(sheet.name, FIRST, c, last, c))
    status_col = derived_col("status")
    traffic_lights(sheet, FIRST, status_col, last, status_col, ctx.words.status)
    verdict_col = derived_col("year_end_verdict")
    traffic_lights(sheet, FIRST, verdict_col, last, verdict_col, ctx.words.scenarios)
    trend_col = derived_col("trend")
    sheet.cond_formats.append(
        CondFormat(
            FIRST,
            trend_col,
            last,
            trend_col,
            "formula",
            f"AND(ISNUMBER({cell(trend_col, FIRST)}),{cell(trend_col, FIRST)}<0)",
            "bad",
        )
    )

    s_headers = headers_of(ctx, "strategy", Strategy)
    s_rows = [table_row(s) for s in plan.strategies]
    strat = input_table(
        sheet,
        ctx,
        name="tblStrategies",
        role="strategies",
        col=STRATEGY_COL,
        headers=s_headers,
        rows=s_rows,
        styles=[
            "text",
            "text",
            "text",
            "text",
            "text",
            "text",
            "wrap",
            "wrap",
            "text",
            "date",
            "date",
            "money",
        ],
        caption=t("strategy.caption"),
    )
    for i, name in ((0, "st_id"), (1, "st_obj"), (5, "st_pair"), (6, "st_name"), (8, "st_owner")):
        table_name(ctx, sheet, strat, i, name)
    table_name(ctx, sheet, strat, 3, "st_channel")  # the Budget_Months reconciliation
    table_name(ctx, sheet, strat, 11, "st_budget")
    list_validation(sheet, strat, 3, "=lst_channels")
    list_validation(sheet, strat, 4, "=lst_tows")
    list_validation(sheet, strat, 1, "=o_id")
    list_validation(sheet, strat, 8, "=p_name")
    widths = {0: 6, 1: 24, 2: 16, 3: 16, 4: 12, 5: 10, 6: 2}
    widths |= {derived_col(k): 12 for k in DERIVED} | {MONTHS_COL - 1: 2}
    strategy_widths = (6, 9, 12, 15, 7, 9, 40, 36, 10, 11, 11, 11)
    widths |= {STRATEGY_COL + j: w for j, w in enumerate(strategy_widths)}
    for col, w in widths.items():
        sheet.width(col, w)
    sheet.freeze = (FIRST, 2)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet
