"""The Analysis sheet: vertical (months), horizontal (channels) and cross (channel × month)."""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.data import MEASURES
from xlmplan.sheets import calc
from xlmplan.sheets.context import TABLE_ROW, Ctx, blank, metric_style, unit_style
from xlmplan.sheets.layout import CondFormat, Sheet, Validation, a1, quote_sheet, ref
from xlmplan.sheets.metric_formula import choose_metric
from xlmplan.sheets.tables import title

HEAD = TABLE_ROW + 3  # header row of the vertical and horizontal blocks
H_COL = 11  # horizontal block
PICK = "PickedMetric"
PICK_CELL = (TABLE_ROW, 1)  # the metric picker (0-based row, column)
DEFAULT_METRIC = "revenue"


def picked_metric(catalog: Catalog, label: str) -> Metric:
    """The metric picked on Analysis; one that is not in the catalog shows blanks, as
    the sheet's formulas do (their MATCH fails)."""
    if not label.strip():
        return next((m for m in catalog if m.key == DEFAULT_METRIC), catalog.metrics[0])
    found = next((m for m in catalog if m.label.casefold() == label.casefold()), None)
    return found or Metric("unknown", label, "0 / 0")


def build(ctx: Ctx) -> Sheet:
    t, res, plan, catalog = ctx.t, ctx.results, ctx.plan, ctx.catalog
    sheet = Sheet("analysis", ctx.sheet("analysis"), protect=True, tab_color="#00B0F0")
    title(sheet, t("analysis.title"), t("analysis.subtitle"))
    picked = picked_metric(catalog, plan.analysis_metric)
    sheet.put(TABLE_ROW, 0, t("analysis.metric"), "label:strong")
    sheet.put(*PICK_CELL, picked.label, "input:text")
    sheet.validations.append(
        Validation(TABLE_ROW, 1, TABLE_ROW, 1, "list", "=lst_metrics", message=t("analysis.pick"))
    )
    ctx.define(PICK, ref(sheet.name, TABLE_ROW, 1))
    sheet.put(TABLE_ROW, 3, t("analysis.pick"), "note")
    unit = metric_style("derived", picked)
    months = plan.settings.month_starts()
    measure_labels = [t(f"data.{m}") for m in MEASURES]

    def measure_style(m: str) -> str:
        measure = catalog.by_label(m)
        return unit_style("derived", measure.unit if measure else "number", additive=True)

    # vertical: months
    sheet.put(HEAD - 1, 0, t("analysis.vertical"), "section")
    v_headers = [t("analysis.month"), *measure_labels, t("analysis.value"), t("analysis.mom")]
    for j, h in enumerate(v_headers):
        sheet.put(HEAD, j, h, "header:derived")
    value_col, mom_col = 1 + len(MEASURES), 2 + len(MEASURES)
    values: list[float | None] = []
    for i, month in enumerate(months):
        r = HEAD + 1 + i
        sheet.formula(r, 0, f"EDATE(PlanStart,{i})", rules.serial(month), "derived:month")
        mref = a1(r, 0, False, True)
        for j, m in enumerate(MEASURES):
            sheet.formula(
                r,
                1 + j,
                f'SUMIFS(d_{m},d_date,">="&{mref},d_date,"<"&EDATE({mref},1))',
                res.month_sums[i][m],
                measure_style(m),
            )
        formula = choose_metric(catalog, PICK, {m: a1(r, 1 + j) for j, m in enumerate(MEASURES)})
        value = rules.blank_if_nan(float(picked.evaluate(res.month_sums[i])))
        values.append(value)
        sheet.formula(r, value_col, formula, blank(value), unit)
        if i:
            sheet.formula(
                r,
                mom_col,
                rules.trend_xl(a1(r, value_col), a1(r - 1, value_col)),
                blank(rules.trend(value, values[i - 1])),
                "derived:pct",
            )
    v_last = HEAD + len(months)
    sheet.cond_formats.append(
        CondFormat(
            HEAD + 2,
            mom_col,
            v_last,
            mom_col,
            "formula",
            f"AND(ISNUMBER({a1(HEAD + 2, mom_col)}),{a1(HEAD + 2, mom_col)}<0)",
            "bad",
        )
    )
    ctx.positions["analysis_months"] = (HEAD + 1, v_last)

    # horizontal: channels, plan to date
    sheet.put(HEAD - 1, H_COL, t("analysis.horizontal"), "section")
    h_headers = [t("analysis.channel"), *measure_labels, t("analysis.value"), t("analysis.share")]
    for j, h in enumerate(h_headers):
        sheet.put(HEAD, H_COL + j, h, "header:derived")
    n_ch = len(plan.channels)
    h_value, h_share = H_COL + 1 + len(MEASURES), H_COL + 2 + len(MEASURES)
    ch_values = [rules.blank_if_nan(float(picked.evaluate(s))) for s in res.channel_sums]
    nums = [v for v in ch_values if rules.is_num(v)]
    total = sum(nums)
    h_first, h_last = HEAD + 1, HEAD + max(n_ch, 1)
    share_total = f"SUM({a1(h_first, h_value, True, True)}:{a1(h_last, h_value, True, True)})"
    for i, channel in enumerate(plan.channels):
        r = HEAD + 1 + i
        sheet.put(r, H_COL, channel, "derived:text")
        cref = a1(r, H_COL, False, True)
        for j, m in enumerate(MEASURES):
            sheet.formula(
                r,
                H_COL + 1 + j,
                f"IF(ISNUMBER(AsOf),SUMIFS(d_{m},d_channel,{rules.literal_criterion_xl(cref)},"
                f'd_date,">="&PlanStart,'
                f'd_date,"<="&AsOf),0)',
                res.channel_sums[i][m],
                measure_style(m),
            )
        formula = choose_metric(
            catalog, PICK, {m: a1(r, H_COL + 1 + j) for j, m in enumerate(MEASURES)}
        )
        sheet.formula(r, h_value, formula, blank(ch_values[i]), unit)
        v = a1(r, h_value)
        share = (
            rules.xl_round(ch_values[i] / total)
            if picked.additive and total != 0 and rules.is_num(ch_values[i])
            else None
        )
        sheet.formula(
            r,
            h_share,
            f"IF(ISNUMBER({v}),IF(IFERROR(INDEX(m_additive,"
            f"MATCH({rules.literal_lookup_xl(PICK)},lst_metrics,0)),"
            f'FALSE),IF({share_total}=0,"",ROUND({v}/{share_total},6)),""),"")',
            blank(share),
            "derived:pct",
        )
    sheet.cond_formats.append(CondFormat(h_first, h_value, h_last, h_value, "scale"))

    # cross: channel × month of the picked metric, from Calc's base-sum grids
    c_head = max(v_last, h_last) + 3
    sheet.put(c_head - 1, 0, t("analysis.cross"), "section")
    sheet.put(c_head, 0, t("analysis.channel"), "header:derived")
    calc_sheet = quote_sheet(ctx.sheet("calc"))
    for j in range(len(months)):
        sheet.formula(
            c_head, 1 + j, a1(HEAD + 1 + j, 0, True, True), rules.serial(months[j]), "header:month"
        )
    for c, channel in enumerate(plan.channels):
        r = c_head + 1 + c
        sheet.put(r, 0, channel, "derived:text")
        for j in range(len(months)):
            refs = {}
            for m in MEASURES:
                top, left = calc.cross_origin(m, n_ch)
                refs[m] = f"{calc_sheet}!{a1(top + c, left + j)}"
            value = rules.blank_if_nan(float(picked.evaluate(res.cross_sums[c][j])))
            sheet.formula(r, 1 + j, choose_metric(catalog, PICK, refs), blank(value), unit)
    if n_ch:
        sheet.cond_formats.append(CondFormat(c_head + 1, 1, c_head + n_ch, len(months), "scale"))
    sheet.width(0, 18)
    for col in range(1, H_COL + len(h_headers) + 1):
        sheet.width(col, 13)
    sheet.width(H_COL, 18)
    sheet.freeze = (HEAD + 1, 1)
    return sheet
