"""The Objectives sheet: objectives, SMART flags and score, and the objectives matrix."""

from __future__ import annotations

from xlmplan.core import rules
from xlmplan.core import target_path as tp
from xlmplan.core.data import MEASURES
from xlmplan.core.kpi_forecast import within_forecast_xl
from xlmplan.core.model import Objective, table_row
from xlmplan.sheets import calc
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank, metric_style, quoted
from xlmplan.sheets.layout import CondFormat, Sheet, quote_sheet, rng
from xlmplan.sheets.metric_formula import choose_metric
from xlmplan.sheets.tables import (
    cell,
    headers_of,
    input_table,
    list_validation,
    table_name,
    title,
    traffic_lights,
)

SMART_COL = 13  # N..R flags, S score
MATRIX_COL = 20  # U..AB
SMART_KEYS = ("specific", "measurable", "achievable", "relevant", "timebound", "score")
MATRIX_KEYS = (
    "objective",
    "substantiation",
    "strategies",
    "kpi",
    "target",
    "due",
    "actual",
    "attainment",
    "status",
)


def matrix_col(key: str) -> int:
    return MATRIX_COL + MATRIX_KEYS.index(key)


def smart_formulas(ctx: Ctx, r: int) -> list[str]:
    """The five SMART flag formulas and the score for row ``r`` (0-based).

    The target they read is the objective's one target: typed on it, else its KPI's
    (the matrix's Target column)."""
    R = r + 1
    w = ctx.words
    T = cell(matrix_col("target"), r)
    qual = f"E{R}={quoted(w.qualitative)}"
    kpi_row = f"MATCH({rules.literal_lookup_xl(f'H{R}')},k_id,0)"
    kpi_metric = rules.literal_lookup_xl(f"INDEX(k_metric,{kpi_row})")
    best = f"INDEX(fc_best,{kpi_row})"  # the forecast's better bound at plan end
    cited = f'SUMPRODUCT({rules.cited_xl("s_id", f"L{R}")}*(s_id<>""))'
    return [
        f'IF(AND({rules.word_count_xl(f"G{R}")}>=4,H{R}<>""),1,0)',
        f'IF({qual},IF(AND(H{R}<>"",ISNUMBER({T})),1,0),'
        f"IF(IFERROR(AND(ISNUMBER(MATCH({kpi_metric},lst_metrics,0)),"
        f"ISNUMBER(I{R}),ISNUMBER({T})),FALSE),1,0))",
        f"IF({qual},1,IFERROR(IF(AND(ISNUMBER({T}),ISNUMBER({best})),"
        f"{within_forecast_xl(T, best, f'INDEX(k_dir,{kpi_row})', quoted(w.lower))},"
        f"IF(AND(ISNUMBER(I{R}),ISNUMBER({T})),IF(I{R}=0,0,"
        f"IF(INDEX(k_dir,{kpi_row})={quoted(w.lower)},IF(ROUND(1-{T}/I{R},6)<=MaxGrowthDown,1,0),"
        f"IF(ROUND({T}/I{R}-1,6)<=MaxGrowthUp,1,0))),0)),0))",
        f'IF(OR({cited}>0,IF(C{R}="",FALSE,COUNTIFS(o_id,{rules.literal_criterion_xl(f"C{R}")},'
        f"o_level,{quoted(w.primary)})>0)),1,0)",
        f"IF(AND(ISNUMBER(K{R}),K{R}>=PlanStart,K{R}<=PlanEnd),1,0)",
        f"SUM(N{R}:R{R})",
    ]


def build(ctx: Ctx) -> Sheet:
    t, res, plan = ctx.t, ctx.results, ctx.plan
    sheet = Sheet("objectives", ctx.sheet("objectives"), tab_color="#FFC000")
    title(sheet, t("objectives.title"), t("objectives.subtitle"))
    rows = [table_row(o) for o in plan.objectives]
    table = input_table(
        sheet,
        ctx,
        name="tblObjectives",
        role="objectives",
        col=0,
        headers=headers_of(ctx, "objectives", Objective),
        rows=rows,
        styles=[
            "text",
            "text",
            "text",
            "text",
            "text",
            "text",
            "wrap",
            "text",
            "num",
            "num",
            "date",
            "text",
        ],
        caption=t("objectives.caption"),
    )
    table_name(ctx, sheet, table, 0, "o_id")
    table_name(ctx, sheet, table, 1, "o_level")
    for i, source in (
        (1, "=lst_levels"),
        (2, "=o_id"),
        (3, "=lst_horizons"),
        (4, "=lst_kinds"),
        (5, "=lst_race"),
        (7, "=k_id"),
    ):
        list_validation(sheet, table, i, source)

    sheet.put(TABLE_ROW - 1, SMART_COL, t("objectives.smart"), "section")
    sheet.put(TABLE_ROW - 1, MATRIX_COL, t("objectives.matrix"), "section")
    for j, key in enumerate(SMART_KEYS):
        sheet.put(TABLE_ROW, SMART_COL + j, t(f"smart.{key}"), "header:derived")
    for j, key in enumerate(MATRIX_KEYS):
        sheet.put(TABLE_ROW, MATRIX_COL + j, t(f"matrix.{key}"), "header:derived")
    n = max(table.n_rows, 1)
    for i in range(n):
        r, R = FIRST + i, FIRST + i + 1
        ob = plan.objectives[i] if i < len(plan.objectives) else None
        flags = res.smart[i] if ob else [0, 0, 0, 0, 0, 0]
        for j, formula in enumerate(smart_formulas(ctx, r)):
            sheet.formula(
                r, SMART_COL + j, formula, flags[j], "derived:flag" if j < 5 else "derived:int"
            )
        row = res.objective_rows[i] if ob else {}
        metric = ctx.kpi_metric(ob.kpi) if ob else None  # baseline, target, actual: its unit
        if metric:
            for c in (8, 9):
                sheet.cells[(r, c)].style = metric_style("input", metric)
        kpi = f"MATCH({rules.literal_lookup_xl(f'H{R}')},k_id,0)"
        actual = cell(matrix_col("actual"), r)
        target = cell(matrix_col("target"), r)
        due = cell(matrix_col("due"), r)
        att = cell(matrix_col("attainment"), r)
        direction = f'IFERROR(INDEX(k_dir,{kpi}),"")'
        kpi_target = f"INDEX(k_target,{kpi})"
        kpi_metric = f'IFERROR(INDEX(k_metric,{kpi}),"")'
        additive = (
            f"IFERROR(INDEX(m_additive,MATCH({rules.literal_lookup_xl(kpi_metric)},"
            "lst_metrics,0))=1,FALSE)"
        )
        calc_name = quote_sheet(ctx.sheet("calc"))
        sums = calc.objective_columns(ctx)
        refs = {m: f"{calc_name}!{cell(sums[m], r)}" for m in MEASURES}
        n_rows = f"{calc_name}!{cell(sums['rows'], r)}"
        end = f"{calc_name}!{cell(sums['end'], r)}"
        unit = metric_style("derived", metric)
        matrix = [
            (f'G{R}&""', ob.objective if ob else "", "derived:wrap", False),
            (
                calc.joined_formula(ctx, "substantiation", r),
                row.get("substantiation", ""),
                "derived:wrap",
                False,
            ),
            (
                calc.joined_formula(ctx, "strategies", r),
                row.get("strategies", ""),
                "derived:wrap",
                False,
            ),
            (f'IFERROR(INDEX(k_name,{kpi})&"","")', row.get("kpi_name", ""), "derived:text", False),
            (
                f'IF(ISNUMBER(J{R}),J{R},IFERROR(IF(ISNUMBER({kpi_target}),{kpi_target},""),""))',
                blank(row.get("target")),
                unit,
                False,
            ),
            (
                tp.objective_due_xl(target, f"I{R}", additive, "PlanStart", end, "AsOf"),
                blank(row.get("due")),
                unit,
                False,
            ),
            (
                f'IF({n_rows}>0,{choose_metric(ctx.catalog, kpi_metric, refs)},"")',
                blank(row.get("actual")),
                unit,
                False,
            ),
            (
                rules.attainment_xl(actual, due, direction, ctx.words.lower),
                blank(row.get("attainment")),
                "derived:pct",
                False,
            ),
            (
                rules.status_xl(att, "AmberThreshold", ctx.words.status),
                blank(row.get("status")),
                "derived:status",
                False,
            ),
        ]
        for j, (formula, value, style, array) in enumerate(matrix):
            sheet.formula(r, MATRIX_COL + j, formula, value, style, array=array)
    last = FIRST + n - 1
    score_col = SMART_COL + 5
    ctx.define("o_smart", rng(sheet.name, FIRST, score_col, last, score_col))
    sheet.cond_formats.append(
        CondFormat(FIRST, SMART_COL, last, SMART_COL + 4, "equals", "0", "bad")
    )
    sheet.cond_formats.append(CondFormat(FIRST, score_col, last, score_col, "scale"))
    status_col = matrix_col("status")
    traffic_lights(sheet, FIRST, status_col, last, status_col, ctx.words.status)
    widths = [6, 10, 8, 9, 13, 10, 40, 6, 12, 12, 12, 16, 2, 4, 4, 4, 4, 4, 7, 2,
              36, 36, 36, 18, 12, 12, 12, 11, 9]  # fmt: skip
    for col, w in enumerate(widths):
        sheet.width(col, w)
    sheet.freeze = (FIRST, 1)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet
