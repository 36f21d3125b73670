"""The Forecast sheet: each KPI's forecast to plan end, stamped with the refresh that made it.

Forecast numbers are values (a recipient's workbook needs no Python); formulas around them
say whether they are still current (the as-of date and Data's totals as at the refresh),
read the typed scenario values, and judge the year-end value against the target. Beside
the stamp, an input Table takes the year-end values a user types for a KPI's scenarios.
Below the KPIs, each base measure's forecast by period: centre, lower and upper bound.
"""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.catalog import Metric
from xlmplan.core.data import MEASURES
from xlmplan.core.kpi_forecast import (
    MODELS,
    NO_FORECAST,
    KpiForecast,
    cumulative,
    glide,
    stale,
    stale_xl,
    typed_value_xl,
)
from xlmplan.sheets import targets
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank, metric_style, quoted
from xlmplan.sheets.layout import Sheet, a1, quote_sheet, ref, rng
from xlmplan.sheets.tables import input_table, table_name, title

VALUES_COL = 0  # the typed scenario values (input Table, grows downwards)
STAMP_COL = 5  # the stamp block, then the KPI block and the period block below it
KPI_ROW = TABLE_ROW + 8  # header row of the KPI block
KPI_KEYS = (
    "kpi",
    "name",
    "metric",
    "model",
    "actual",
    "year_end",
    "lower",
    "upper",
    "target",
    "year_end_att",
    "verdict",
    "case_0",
    "case_1",
    "case_2",
    "typed_0",
    "typed_1",
    "typed_2",
    "best",
)
LINES = ("mid", "low", "high")
GLIDES = 4  # the lead KPIs charted on the Dashboard
GLIDE_LINES = ("path", "actual", "mid", "low", "high")


def model_text(ctx: Ctx, model: str | None) -> str:
    """The model's name in the plan's language ("ETS seasonal", "run-rate", ...)."""
    if model is None:
        return ctx.t("forecast.model_none")
    return ctx.t(f"forecast.model_{MODELS.index(model)}")


def build(ctx: Ctx, n_kpi_rows: int) -> Sheet:
    t, res, plan, words = ctx.t, ctx.results, ctx.plan, ctx.words
    sheet = Sheet("forecast", ctx.sheet("forecast"), tab_color="#7030A0")
    title(sheet, t("forecast.title"), t("forecast.subtitle"))
    names = words.scenarios
    typed_rows = [[v.kpi, v.optimistic, v.realistic, v.pessimistic] for v in plan.scenario_values]
    table = input_table(
        sheet,
        ctx,
        name="tblScenarioValues",
        role="scenario_values",
        col=VALUES_COL,
        headers=[t("forecast.typed_kpi"), *names],
        rows=typed_rows,
        styles=["text", "num", "num", "num"],
        caption=t("forecast.typed_caption"),
    )
    typed_names = [table_name(ctx, sheet, table, j, f"sv_{j}") for j in range(4)]

    stamp = _stamp(ctx, sheet)
    kpi_sheet = quote_sheet(ctx.sheet("strategy_kpi"))
    sheet.put(KPI_ROW - 1, STAMP_COL, t("forecast.kpis"), "section")
    col = {k: STAMP_COL + j for j, k in enumerate(KPI_KEYS)}
    for key, j in col.items():
        case = key.startswith(("case_", "typed_"))
        head = (
            f"{t('forecast.' + key[:-2])} {names[int(key[-1])]}" if case else t(f"forecast.{key}")
        )
        sheet.put(KPI_ROW, j, head, "header:derived")
    scen_names = ("INDEX(sc_name,1)", "INDEX(sc_name,2)", "INDEX(sc_name,3)")
    for i in range(n_kpi_rows):
        r, src = KPI_ROW + 1 + i, FIRST + i + 1
        kpi = plan.kpis[i] if i < len(plan.kpis) else None
        kr = res.kpis[i] if kpi else None
        f: KpiForecast = res.forecasts[i] if kpi and i < len(res.forecasts) else NO_FORECAST
        metric = ctx.catalog.by_label(kpi.metric) if kpi else None
        unit = metric_style("derived", metric)
        c = {k: a1(r, j) for k, j in col.items()}
        direction = f"{kpi_sheet}!$F{src}"
        cells: dict[str, tuple[str | None, object, str]] = {
            "kpi": (f'{kpi_sheet}!A{src}&""', kpi.id if kpi else "", "derived:text"),
            "name": (f'{kpi_sheet}!B{src}&""', kpi.name if kpi else "", "derived:text"),
            "metric": (f'{kpi_sheet}!C{src}&""', kpi.metric if kpi else "", "derived:text"),
            "model": (None, model_text(ctx, f.model) if kpi else "", "derived:text"),
            "actual": (f"{kpi_sheet}!H{src}", blank(kr.actual if kr else None), unit),
            "year_end": (None, blank(f.year_end), unit),
            "lower": (None, blank(f.lower), unit),
            "upper": (None, blank(f.upper), unit),
            "target": (
                f'IF(ISNUMBER({kpi_sheet}!E{src}),{kpi_sheet}!E{src},"")',
                blank(kpi.target if kpi else None),
                unit,
            ),
            "year_end_att": (
                rules.attainment_xl(c["year_end"], c["target"], direction, words.lower),
                blank(kr.projected_attainment if kr and f.exists else None),
                "derived:pct",
            ),
            "verdict": (
                rules.scenario_now_xl(c["year_end_att"], "PessTrigger", scen_names),
                blank(kr.scenario if kr and f.exists else None),
                "derived:status",
            ),
        }
        for k in range(3):
            cells[f"case_{k}"] = (None, blank(f.cases[k]), unit)
            cells[f"typed_{k}"] = (
                typed_value_xl(c["kpi"], typed_names[0], typed_names[k + 1]),
                blank(f.typed[k]),
                unit,
            )
        # the better bound as a formula: a blank here reads as blank in every engine
        cells["best"] = (f'IF(ISNUMBER({c["case_0"]}),{c["case_0"]},"")', blank(f.cases[0]), unit)
        for key, (formula, cached, style) in cells.items():
            if formula is None:
                sheet.put(r, col[key], cached, style)
            else:
                array = key.startswith("typed_")
                sheet.formula(r, col[key], formula, cached, style, array=array)
    last = KPI_ROW + max(n_kpi_rows, 1)
    ctx.positions["forecast_kpis"] = (KPI_ROW, col)
    best = col["best"]  # the better bound, which SMART's "Achievable" reads
    ctx.define("fc_best", rng(sheet.name, KPI_ROW + 1, best, last, best))
    glide_end = _glides(ctx, sheet, last + 3)
    _periods(ctx, sheet, glide_end + 3)
    sheet.freeze = (TABLE_ROW, 0)
    sheet.width(VALUES_COL, 12)
    for j in range(1, 4):
        sheet.width(VALUES_COL + j, 13)
    sheet.width(STAMP_COL, 24)
    for j in range(1, len(KPI_KEYS)):
        sheet.width(STAMP_COL + j, 14)
    ctx.positions["forecast_stamp"] = stamp
    return sheet


def _stamp(ctx: Ctx, sheet: Sheet) -> str:
    """The stamp block: as-of date and Data total at the refresh, now, and the verdict."""
    t, res = ctx.t, ctx.results
    c = STAMP_COL
    r = TABLE_ROW
    total_now = "+".join(f"SUM(d_{m})" for m in MEASURES)
    now_total = res.data_total
    stamp_cell, then_cell = a1(r, c + 1, True, True), a1(r + 2, c + 1, True, True)
    asof_cell, now_cell = a1(r + 1, c + 1, True, True), a1(r + 3, c + 1, True, True)
    stamp_text = f"{res.as_of:%Y-%m-%d}" if res.as_of else ""
    rows: list[tuple[str, str | None, object, str]] = [
        ("stamp", None, rules.serial(res.as_of) if res.as_of else "", "derived:date"),
        ("as_of", 'IF(ISNUMBER(AsOf),AsOf,"")', blank(rules.serial(res.as_of)), "derived:date"),
        ("total_then", None, res.data_total, "derived:num"),
        ("total_now", total_now, now_total, "derived:num"),
    ]
    for i, (key, formula, value, style) in enumerate(rows):
        sheet.put(r + i, c, t(f"forecast.{key}"), "label")
        if formula is None:
            sheet.put(r + i, c + 1, value, style)
        else:
            sheet.formula(r + i, c + 1, formula, value, style)
    is_stale = stale(res.as_of, res.as_of, res.data_total, now_total)
    stale_text, fresh_text = t("forecast.stale"), t("forecast.current")
    formula = (
        f"IF(NOT(ISNUMBER({stamp_cell})),{quoted(t('forecast.none'))},"
        f"IF({stale_xl(stamp_cell, asof_cell, then_cell, now_cell)},"
        f'{quoted(stale_text + " ")}&TEXT({stamp_cell},"yyyy-mm-dd"),'
        f'{quoted(fresh_text + " ")}&TEXT({stamp_cell},"yyyy-mm-dd")))'
    )
    if res.as_of is None:
        value = t("forecast.none")
    else:
        value = f"{stale_text if is_stale else fresh_text} {stamp_text}"
    sheet.put(r + 4, c, t("forecast.state"), "label")
    sheet.formula(r + 4, c + 1, formula, value, "derived:strong")
    ctx.define("ForecastAsOf", ref(sheet.name, r, c + 1))
    return ref(sheet.name, r + 4, c + 1)


def _glides(ctx: Ctx, sheet: Sheet, row: int) -> int:
    """The lead KPIs' glidepath rows (the Dashboard charts them): target path, actual to
    the as-of date, forecast and its band per period; cumulative for additive metrics.
    Returns the block's last row. Cells with nothing to plot are left empty (a chart
    skips them; text or 0 would be drawn as 0)."""
    t, res, plan = ctx.t, ctx.results, ctx.plan
    periods = ctx.periods
    n = len(periods)
    c = STAMP_COL
    targets_sheet = quote_sheet(ctx.sheet("targets"))
    path_col = targets.columns(n)["path"]
    kpi_sheet = quote_sheet(ctx.sheet("strategy_kpi"))
    sheet.put(row - 1, c, t("forecast.glide"), "section")
    as_of_p = res.as_of_period if res.as_of is not None else None
    labels = [p.label for p in periods.items]
    if as_of_p is not None and res.as_of is not None and res.as_of <= periods.last:
        labels[as_of_p] = f"{labels[as_of_p]} · {t('forecast.as_of_mark')} {res.as_of:%Y-%m-%d}"
    sheet.put(row, c, t("forecast.kpi"), "header:derived")
    sheet.put(row, c + 1, t("forecast.line"), "header:derived")
    for k, label in enumerate(labels):
        sheet.put(row, c + 2 + k, label, "header:derived")
    lead = plan.kpis[:GLIDES]
    blocks = []
    for i, kpi in enumerate(lead):
        kr, f = res.kpis[i], res.forecasts[i] if i < len(res.forecasts) else NO_FORECAST
        metric = ctx.catalog.by_label(kpi.metric)
        g = glide(metric, f, n)
        unit = metric_style("derived", metric)
        additive = metric.additive if metric else False
        path = kr.path.values if kr.path else (None,) * n
        path_values = cumulative(path) if additive else tuple(path)
        top = row + 1 + i * len(GLIDE_LINES)
        blocks.append(top)
        for j, line in enumerate(GLIDE_LINES):
            sheet.put(top + j, c, kpi.id, "derived:text")
            sheet.put(top + j, c + 1, t(f"forecast.glide_{line}"), "derived:text")
        src = FIRST + i
        for k in range(n):
            at = c + 2 + k
            first_cell = f"{targets_sheet}!{a1(src, path_col, False, True)}"
            this_cell = f"{targets_sheet}!{a1(src, path_col + k)}"
            ok = f"ISNUMBER({this_cell})"
            if additive:
                span = f"{first_cell}:{a1(src, path_col + k)}"
                formula = f'IF(COUNT({span})={k + 1},SUM({span}),"")'
            else:
                formula = f'IF({ok},{this_cell},"")'
            if path_values[k] is not None:
                sheet.formula(top, at, formula, path_values[k], unit)
            if g.actual[k] is not None and metric is not None:
                body = _actual_xl(metric, kpi_sheet, FIRST + i + 1, k + 1, additive, ctx)
                sheet.formula(top + 1, at, body, g.actual[k], unit)
            for j, values in ((2, g.mid), (3, g.low), (4, g.high)):
                if values[k] is not None:
                    sheet.put(top + j, at, values[k], unit)
    ctx.positions["glides"] = (row, c + 2, n, blocks, [k.name for k in lead])
    ctx.positions["glide_labels"] = labels  # the Dashboard sizes its charts to them
    return row + len(lead) * len(GLIDE_LINES)


def _actual_xl(
    metric: Metric, kpi_sheet: str, kpi_row: int, k: int, additive: bool, ctx: Ctx
) -> str:
    """The KPI's actual in period ``k`` up to the as-of date (additive: from the plan's
    start), for its channel (the KPI table's D cell) or all channels."""
    channel = f"{kpi_sheet}!$D${kpi_row}"
    first = "PlanStart" if additive else f"INDEX(cal_first,{k})"
    last = f"MIN(INDEX(cal_last,{k}),AsOf)"
    refs = {}
    for m in metric.measures:
        window = f'd_{m},d_date,">="&{first},d_date,"<="&{last}'
        refs[m] = (
            f"IF({channel}={quoted(ctx.words.all_channels)},SUMIFS({window}),"
            f"SUMIFS({window},d_channel,{rules.literal_criterion_xl(channel)}))"
        )
    return f'IF(ISNUMBER(AsOf),{metric.excel(refs)},"")'


def _periods(ctx: Ctx, sheet: Sheet, row: int) -> None:
    """Per KPI base measure: centre, lower and upper bound of each plan period's forecast
    (the as-of period: its days after the as-of date), and the year-end total."""
    t, res, plan = ctx.t, ctx.results, ctx.plan
    periods = ctx.periods
    c = STAMP_COL
    sheet.put(row - 1, c, t("forecast.periods"), "section")
    heads = [t(f"forecast.{k}") for k in ("kpi", "measure", "line", "model", "to_date", "total")]
    for j, head in enumerate([*heads, *(p.label for p in periods.items)]):
        sheet.put(row, c + j, head, "header:derived")
    r = row + 1
    for kpi, f in zip(plan.kpis, res.forecasts, strict=False):
        for m in f.measures:
            lines = (
                (m.mean, m.total),
                (m.lower, m.total_lower),
                (m.upper, m.total_upper),
            )
            for k, (values, total) in enumerate(lines):
                sheet.put(r, c, kpi.id, "derived:text")
                sheet.put(r, c + 1, ctx.t(f"data.{m.measure}"), "derived:text")
                sheet.put(r, c + 2, t(f"forecast.line_{LINES[k]}"), "derived:text")
                sheet.put(r, c + 3, model_text(ctx, m.model), "derived:text")
                sheet.put(r, c + 4, m.to_date, "derived:num")
                sheet.put(r, c + 5, blank(total), "derived:num")
                for p, v in enumerate(values):
                    sheet.put(r, c + 6 + p, blank(v), "derived:num")
                r += 1
    if r == row + 1:
        sheet.put(r, c, t("forecast.no_series"), "derived:text")
