"""The Targets sheet: each KPI's target path over the plan periods and its target to date.

Rows are aligned with the KPI table on Strategy_KPI (as Calc's are). Per KPI: plan target,
baseline and method (looked up in the path settings Table), the path per period (a target
typed for the period wins; else seasonal when chosen and last year is usable; else even),
the target to date and the on-pace figures Strategy_KPI computes from it. Right of the grid:
last year's same months (the seasonal weights), then the two input Tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xlmplan.core import rules
from xlmplan.core import target_path as tp
from xlmplan.core.catalog import Catalog
from xlmplan.core.data import MEASURES
from xlmplan.core.model import KpiPath, PeriodTarget, table_row
from xlmplan.core.rules import literal_criterion_xl, literal_lookup_xl, serial
from xlmplan.sheets import strategy_kpi
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank, metric_style, quoted
from xlmplan.sheets.layout import Sheet, a1, quote_sheet, rng
from xlmplan.sheets.tables import (
    headers_of,
    input_table,
    list_validation,
    table_name,
    title,
    traffic_lights,
)

LEAD = ("kpi", "name", "target", "baseline", "method", "used")
PATH_COL = len(LEAD)
TAIL = ("todate", "actual", "attainment", "status")
HELPERS = ("additive", "seasonal_ok", "weights")
# numbers mirrored from the KPI's Strategy_KPI row: their place among the row's cells read
# (its six input columns, then actual, attainment and status)
NUMBER_CELLS = {"target": 4, "actual": 6, "attainment": 7}


def columns(n_periods: int) -> dict[str, int]:
    """Column of every derived block: lead columns, ``path`` (first period), tail and helper
    columns, ``history`` (first of last year's twelve months), ``paths`` and ``typed``
    (the two input Tables)."""
    col = {key: j for j, key in enumerate(LEAD)}
    col["path"] = PATH_COL
    nxt = PATH_COL + n_periods
    for key in (*TAIL, *HELPERS):
        col[key] = nxt
        nxt += 1
    col["history"] = nxt
    col["paths"] = nxt + 12 + 1
    col["typed"] = col["paths"] + len(LEAD_INPUTS) + 1
    return col


LEAD_INPUTS = ("kpi", "baseline", "method")


def history_formula(catalog: Catalog, metric: str, channel: str, h: int, all_word: str) -> str:
    """Last year's value of an additive KPI in history month ``h`` (1-based): SUMIFS between
    the month's first and last day, for its channel or all; a ratio metric has none."""
    span = f'd_date,">="&INDEX(cal_hist_first,{h}),d_date,"<="&INDEX(cal_hist_last,{h})'

    def pick(one: str) -> str:
        refs = {m: f"SUMIFS(d_{m}{one},{span})" for m in MEASURES}
        branches = ",".join(m.excel(refs) if m.additive else '""' for m in catalog)
        return f"CHOOSE(MATCH({literal_lookup_xl(metric)},lst_metrics,0),{branches})"

    chosen = pick(f",d_channel,{literal_criterion_xl(channel)}")
    return f'IFERROR(IF({channel}={quoted(all_word)},{pick("")},{chosen}),"")'


def typed_mask(kpi: str, k: int) -> str:
    """Rows of the typed Table for ``kpi`` naming period ``k`` (its label, or a date inside
    it) and holding a number: an array of 1 and 0 for SUMPRODUCT."""
    period = (
        f"((pt_period=INDEX(cal_label,{k}))+ISNUMBER(pt_period)*(pt_period>=INDEX(cal_first,{k}))"
        f"*(pt_period<=INDEX(cal_last,{k}))>0)"
    )
    return f'({kpi}<>"")*(pt_kpi={kpi})*{period}*ISNUMBER(pt_target)'


def _number(
    key: str, row_cells: list[str], target: float | None, kr: Any, unit: str
) -> tuple[str, Any, str]:
    """Row ``key`` mirrored from the KPI's Strategy_KPI row (its target, actual or
    attainment): formula, value and style; blank when that cell holds no number."""
    source = row_cells[NUMBER_CELLS[key]]
    value = target if key == "target" else getattr(kr, key, None)
    style = "derived:pct" if key == "attainment" else unit
    return f'IF(ISNUMBER({source}),{source},"")', blank(value), style


def build(ctx: Ctx) -> Sheet:
    t, res, plan, w = ctx.t, ctx.results, ctx.plan, ctx.words
    periods = res.periods
    n_p = len(periods)
    col = columns(n_p)
    sheet = Sheet("targets", ctx.sheet("targets"), tab_color="#70AD47")
    title(sheet, t("targets.title"), t("targets.subtitle"))
    kpi_sheet = quote_sheet(ctx.sheet("strategy_kpi"))  # row-aligned with its KPI table

    sheet.put(TABLE_ROW - 1, 0, t("targets.grid"), "section")
    headers = {key: t(f"targets.{key}") for key in (*LEAD, *TAIL, *HELPERS)}
    for key, text in headers.items():
        sheet.put(TABLE_ROW, col[key], text, "header:derived")
    sheet.put(TABLE_ROW - 1, PATH_COL - 1, t("targets.due"), "label")
    for k in range(1, n_p + 1):
        pc = PATH_COL + k - 1
        sheet.formula(
            TABLE_ROW, pc, f'INDEX(cal_label,{k})&""', periods[k - 1].label, "header:derived"
        )
        sheet.formula(
            TABLE_ROW - 1,
            pc,
            tp.due_share_xl(f"INDEX(cal_first,{k})", f"INDEX(cal_last,{k})", "AsOf", "PlanEnd"),
            res.due_shares[k - 1],
            "derived:pct",
        )
    history = tp.history_periods(periods)
    sheet.put(TABLE_ROW - 1, col["history"], t("targets.history"), "section")
    for h in range(12):
        sheet.formula(
            TABLE_ROW,
            col["history"] + h,
            f"INDEX(cal_hist_first,{h + 1})",
            serial(history[h].first),
            "header:month",
        )
    shares = rng(None, TABLE_ROW - 1, PATH_COL, TABLE_ROW - 1, PATH_COL + n_p - 1)

    n = max(len(plan.kpis), 1)
    for i in range(n):
        r = FIRST + i
        kpi = plan.kpis[i] if i < len(plan.kpis) else None
        kr = res.kpis[i] if kpi else None
        metric = ctx.catalog.by_label(kpi.metric) if kpi else None
        unit = metric_style("derived", metric)
        row = next(
            (
                p
                for p in plan.paths
                if kpi and kpi.id.strip() and p.kpi.strip().casefold() == kpi.id.strip().casefold()
            ),
            None,
        )
        c = {key: a1(r, j, False, True) for key, j in col.items()}
        kpi_cells = [f"{kpi_sheet}!{a1(r, j, False, True)}" for j in range(6)]
        kpi_cells += [
            f"{kpi_sheet}!{a1(r, strategy_kpi.derived_col(key), False, True)}"
            for key in ("actual", "attainment", "status")
        ]

        found = f"MATCH({literal_lookup_xl(c['kpi'])},tp_kpi,0)"
        method = c["method"]
        n_typed = f'SUMPRODUCT(({c["kpi"]}<>"")*(pt_kpi={c["kpi"]})*ISNUMBER(pt_target))'
        used_manual = f"OR({method}={quoted(w.methods[2])},{n_typed}>0)"
        used_seasonal = f"AND({method}={quoted(w.methods[1])},{c['seasonal_ok']})"
        metric_row = f"MATCH({literal_lookup_xl(kpi_cells[2])},lst_metrics,0)"
        additive = f"IFERROR(INDEX(m_additive,{metric_row})=1,FALSE)"
        weights = [a1(r, col["history"] + p % 12, False, True) for p in range(n_p)]
        total = f"SUM({','.join(weights)})"
        used_key = _used(plan, kpi, kr, w)
        mirror = (kpi_cells, kpi.target if kpi else None, kr, unit)
        cells: dict[str, tuple[str, Any, str]] = {
            "kpi": (f'{kpi_cells[0]}&""', kpi.id if kpi else "", "derived:text"),
            "name": (f'{kpi_cells[1]}&""', kpi.name if kpi else "", "derived:text"),
            "target": _number("target", *mirror),
            "baseline": (
                f'IFERROR(IF(ISNUMBER(INDEX(tp_baseline,{found})),INDEX(tp_baseline,{found}),""),"")',
                blank(kr.baseline if kr else None),
                unit,
            ),
            "method": (
                f'IFERROR(INDEX(tp_method,{found})&"","")',
                row.method if row else "",
                "derived:text",
            ),
            "used": (
                f'IF({c["kpi"]}="","",IF({used_manual},{quoted(w.methods[2])},'
                f"IF({used_seasonal},{quoted(w.methods[1])},{quoted(w.methods[0])})))",
                used_key,
                "derived:text",
            ),
            "todate": (
                tp.target_due_xl(
                    rng(None, r, PATH_COL, r, PATH_COL + n_p - 1),
                    shares,
                    'IF(AND(ISNUMBER(AsOfPeriod),AsOfPeriod>=1),AsOfPeriod,"")',
                    n_p,
                    c["additive"],
                ),
                blank(kr.target_to_date if kr else None),
                unit,
            ),
            "actual": _number("actual", *mirror),
            "attainment": _number("attainment", *mirror),
            "status": (
                f'{kpi_cells[8]}&""',
                blank(kr.status if kr else None),
                "derived:status",
            ),
            "additive": (additive, bool(kr.additive) if kr else False, "derived:text"),
            "seasonal_ok": (
                tp.seasonal_ok_xl(
                    "MIN(d_date)", "INDEX(cal_hist_first,1)", c["weights"], c["additive"]
                ),
                bool(kr.seasonal_ok) if kr else False,
                "derived:text",
            ),
            "weights": (
                total,
                sum(_weight(kr, p % 12) for p in range(n_p)) if kr else 0.0,
                unit,
            ),
        }
        for key, (formula, value, style) in cells.items():
            sheet.formula(r, col[key], formula, value, style)
        for h in range(12):
            sheet.formula(
                r,
                col["history"] + h,
                history_formula(ctx.catalog, kpi_cells[2], kpi_cells[3], h + 1, w.all_channels),
                blank(kr.history[h] if kr and kr.history else None),
                unit,
            )
        for k in range(1, n_p + 1):
            history_cell = a1(r, col["history"] + (k - 1) % 12, False, True)
            mask = typed_mask(c["kpi"], k)
            formula = tp.typed_path_xl(
                f"SUMPRODUCT({mask})",
                f"SUMPRODUCT({mask},pt_target)",
                method,
                w.methods[1],
                c["seasonal_ok"],
                tp.seasonal_path_xl(c["target"], history_cell, c["weights"]),
                tp.even_path_xl(
                    c["target"],
                    c["baseline"],
                    c["additive"],
                    f"INDEX(cal_first,{k})",
                    f"INDEX(cal_last,{k})",
                    "PlanStart",
                    "PlanDays",
                ),
            )
            value = kr.path.values[k - 1] if kr and kr.path else None
            sheet.formula(r, PATH_COL + k - 1, formula, blank(value), unit)
    last = FIRST + n - 1
    ctx.define("tp_todate", rng(sheet.name, FIRST, col["todate"], last, col["todate"]))
    status_col = col["status"]
    traffic_lights(sheet, FIRST, status_col, last, status_col, w.status)
    _input_tables(ctx, sheet, col)
    widths = {col["kpi"]: 6, col["name"]: 20, col["method"]: 10, col["used"]: 10}
    for j in range(max(col.values()) + 4):
        sheet.width(j, widths.get(j, 12))
    sheet.freeze = (FIRST, 2)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)
    return sheet


def _input_tables(ctx: Ctx, sheet: Sheet, col: dict[str, int]) -> None:
    t, plan = ctx.t, ctx.plan
    paths = input_table(
        sheet,
        ctx,
        name="tblPaths",
        role="paths",
        col=col["paths"],
        headers=headers_of(ctx, "targets_path", KpiPath),
        rows=[table_row(p) for p in plan.paths],
        styles=["text", "num", "text"],
        caption=t("targets.paths"),
    )
    for i, name in enumerate(("tp_kpi", "tp_baseline", "tp_method")):
        table_name(ctx, sheet, paths, i, name)
    list_validation(sheet, paths, 0, "=k_id")
    list_validation(sheet, paths, 2, "=lst_methods")
    typed = input_table(
        sheet,
        ctx,
        name="tblPeriodTargets",
        role="period_targets",
        col=col["typed"],
        headers=headers_of(ctx, "period_target", PeriodTarget),
        rows=[[p.kpi, _period_cell(p.period), p.target] for p in plan.period_targets],
        styles=["text", "text", "num"],
        caption=t("targets.typed"),
    )
    for i, name in enumerate(("pt_kpi", "pt_period", "pt_target")):
        table_name(ctx, sheet, typed, i, name)
    for i, p in enumerate(plan.period_targets):
        if isinstance(_period_cell(p.period), dt.date):  # a day inside the period
            sheet.cells[(typed.row + 1 + i, typed.col + 1)].style = "input:date"
    list_validation(sheet, typed, 0, "=k_id")
    list_validation(sheet, typed, 1, "=cal_label")


def _period_cell(text: str) -> object:
    """A typed period as its cell holds it: a day (read back as YYYY-MM-DD) stays a date."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return text


def _weight(kr: Any, h: int) -> float:
    value = kr.history[h] if kr.history else None
    return float(value) if value is not None and rules.is_num(value) else 0.0


def _used(plan: Any, kpi: Any, kr: Any, w: Any) -> str:
    """The method a KPI's path follows, as the sheet words it."""
    if kpi is None or not kpi.id.strip():
        return ""
    folded = kpi.id.strip().casefold()
    typed = any(
        p.kpi.strip().casefold() == folded and rules.is_num(p.target) for p in plan.period_targets
    )
    if typed or kr.method == tp.MANUAL:
        return str(w.methods[2])
    if kr.method == tp.SEASONAL and kr.seasonal_ok:
        return str(w.methods[1])
    return str(w.methods[0])
