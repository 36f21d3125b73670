"""The Analysis sheet: vertical (months), horizontal (channels) and cross (channel × month)."""

from __future__ import annotations

from xlmplan.core import periods as per
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

    # vertical: the plan's periods (Calendar), each summed up to the as-of date; periods
    # after it are blank and the as-of period is compared with the same days before it
    sheet.put(HEAD - 1, 0, t("analysis.vertical"), "section")
    v_headers = [t("analysis.month"), *measure_labels, t("analysis.value"), t("analysis.mom")]
    for j, h in enumerate(v_headers):
        sheet.put(HEAD, j, h, "header:derived")
    value_col, mom_col = 1 + len(MEASURES), 2 + len(MEASURES)
    periods, k_now = ctx.periods, res.as_of_number
    v_last = HEAD + len(months)
    same_row = v_last + 1  # the same days of the period before the as-of period
    same_value = rules.blank_if_nan(float(picked.evaluate(res.same_days_sums)))
    values: list[float | None] = []
    for i, period in enumerate(periods.items):
        r, k = HEAD + 1 + i, i + 1
        after = per.after_as_of(k, k_now)
        sheet.formula(r, 0, f"INDEX(cal_label,{k})", period.label, "derived:text")
        blank_after = f'IF({per.after_as_of_xl(str(k))},"",'
        for j, m in enumerate(MEASURES):
            total = per.period_sum_to_xl(
                f"d_{m}", "d_date", f"INDEX(cal_first,{k})", f"INDEX(cal_last,{k})", "AsOf"
            )
            value_m = "" if after else res.month_sums[i][m]
            sheet.formula(r, 1 + j, f"{blank_after}{total})", value_m, measure_style(m))
        formula = choose_metric(catalog, PICK, {m: a1(r, 1 + j) for j, m in enumerate(MEASURES)})
        value = None if after else rules.blank_if_nan(float(picked.evaluate(res.month_sums[i])))
        values.append(value)
        sheet.formula(r, value_col, f"{blank_after}{formula})", blank(value), unit)
        # the as-of period against the same days before it, an earlier one against the last
        here = a1(r, value_col)
        earlier = rules.trend_xl(here, a1(r - 1, value_col)) if i else '""'
        formula = (
            f"{blank_after}IF({k}=AsOfPeriod,"
            f"{rules.trend_xl(here, a1(same_row, value_col))},{earlier}))"
        )
        change = (
            None
            if after
            else rules.trend(value, same_value)
            if k == k_now
            else rules.trend(value, values[i - 1])
            if i
            else None
        )
        sheet.formula(r, mom_col, formula, blank(change), "derived:pct")
    sheet.put(same_row, 0, t("analysis.same_days"), "label")
    for j, m in enumerate(MEASURES):
        total = f'SUMIFS(d_{m},d_date,">="&PrevPeriodStart,d_date,"<="&PrevSameDaysEnd)'
        sheet.formula(
            same_row,
            1 + j,
            f'IF(ISNUMBER(PrevSameDaysEnd),{total},"")',
            res.same_days_sums[m] if res.same_days else "",
            measure_style(m),
        )
    formula = choose_metric(catalog, PICK, {m: a1(same_row, 1 + j) for j, m in enumerate(MEASURES)})
    sheet.formula(
        same_row,
        value_col,
        f'IF(ISNUMBER(PrevSameDaysEnd),{formula},"")',
        blank(same_value) if res.same_days else "",
        unit,
    )
    pick = rules.literal_lookup_xl(PICK)
    direction = f'IFERROR(INDEX(m_direction,MATCH({pick},lst_metrics,0)),"")'
    mom = a1(HEAD + 1, mom_col)
    for style, rule in (("good", rules.better_xl), ("bad", rules.worse_xl)):
        sheet.cond_formats.append(
            CondFormat(
                HEAD + 1,
                mom_col,
                v_last,
                mom_col,
                "formula",
                rule(mom, direction, ctx.words.lower),
                style,
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
    ranked(sheet, (h_first, h_value, h_last, h_value), direction, ctx.words.lower)

    # cross: channel × month of the picked metric, from Calc's base-sum grids
    c_head = max(v_last, h_last) + 3
    sheet.put(c_head - 1, 0, t("analysis.cross"), "section")
    sheet.put(c_head, 0, t("analysis.channel"), "header:derived")
    calc_sheet = quote_sheet(ctx.sheet("calc"))
    for j, period in enumerate(periods.items):
        sheet.formula(c_head, 1 + j, f"INDEX(cal_label,{j + 1})", period.label, "header:derived")
    for c, channel in enumerate(plan.channels):
        r = c_head + 1 + c
        sheet.put(r, 0, channel, "derived:text")
        for j in range(len(months)):
            refs = {}
            for m in MEASURES:
                top, left = calc.cross_origin(m, n_ch)
                refs[m] = f"{calc_sheet}!{a1(top + c, left + j)}"
            after = per.after_as_of(j + 1, k_now)
            value = (
                None if after else rules.blank_if_nan(float(picked.evaluate(res.cross_sums[c][j])))
            )
            formula = (
                f'IF({per.after_as_of_xl(str(j + 1))},"",{choose_metric(catalog, PICK, refs)})'
            )
            sheet.formula(r, 1 + j, formula, blank(value), unit)
    if n_ch:
        ranked(sheet, (c_head + 1, 1, c_head + n_ch, len(months)), direction, ctx.words.lower)
    sheet.width(0, 18)
    for col in range(1, H_COL + len(h_headers) + 1):
        sheet.width(col, 13)
    sheet.width(H_COL, 18)
    sheet.freeze = (HEAD + 1, 1)
    return sheet


BAND_STYLES = {"best": "good_strong", "worst": "bad_strong", "better": "good", "worse": "bad"}


def ranked(sheet: Sheet, box: tuple[int, int, int, int], direction: str, lower: str) -> None:
    """Colour a block of the picked metric better / worse the metric's way (a low CPA is
    green): :func:`rules.band` as conditional formats, strongest first."""
    r1, c1, r2, c2 = box
    cells = f"{a1(r1, c1, True, True)}:{a1(r2, c2, True, True)}"
    for key, formula in rules.band_xl(a1(r1, c1), cells, direction, lower).items():
        sheet.cond_formats.append(CondFormat(r1, c1, r2, c2, "formula", formula, BAND_STYLES[key]))
