"""The Start sheet: plan settings (an input Table), derived dates, plan health and links."""

from __future__ import annotations

from typing import Any

from xlmplan.core import rules
from xlmplan.core.model import add_months
from xlmplan.sheets.calendar import calendar_dates
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, quoted
from xlmplan.sheets.layout import Sheet, Validation, a1, quote_sheet, ref
from xlmplan.sheets.tables import input_table, title

DERIVED_COL = 4
LINK_COL = 7

# (label key, defined name, style, validation kind, source/min, max)
SETTINGS: list[tuple[str, str, str, str, Any, Any]] = [
    ("plan_name", "PlanName", "text", "", None, None),
    ("company", "Company", "text", "", None, None),
    ("currency", "Currency", "text", "", None, None),
    ("start", "PlanStart", "date", "date", None, None),
    ("months", "PlanMonths", "int", "whole", 1, 60),
    ("language", "Language", "text", "list", "en,ar,fa", None),
    ("review_interval", "ReviewInterval", "int", "whole", 1, 24),
    ("amber_threshold", "AmberThreshold", "pct", "decimal", 0, 1),
    ("pessimistic_trigger", "PessTrigger", "pct", "decimal", 0, 1),
    ("max_growth_up", "MaxGrowthUp", "pct", "decimal", 0, 100),
    ("max_growth_down", "MaxGrowthDown", "pct", "decimal", 0, 1),
    ("hours_per_month", "HoursPerMonth", "num", "decimal", 0, 744),
    ("plan_budget", "PlanBudget", "money", "decimal", 0, None),
    ("media_category", "MediaCategory", "text", "list", "=lst_categories", None),
    ("as_of", "AsOfInput", "date", "date", None, None),
    ("budget_cap", "BudgetCap", "money", "decimal", 0, None),
    ("budget_buffer", "BudgetBuffer", "money", "decimal", 0, None),
    ("budget_committed", "BudgetCommitted", "money", "decimal", 0, None),
    ("calendar", "PlanCalendar", "text", "list", "gregorian,solar-hijri", None),
    ("fiscal_start", "FiscalStart", "int", "whole", 1, 12),
    ("budget_outlook", "BudgetOutlook", "text", "list", "plan,run-rate", None),
]


def build(ctx: Ctx, health: dict[str, Any]) -> Sheet:
    """``health`` holds the values of the summary cells (computed by the caller)."""
    t, s, res = ctx.t, ctx.plan.settings, ctx.results
    sheet = Sheet("start", ctx.sheet("start"), tab_color="#1F4E78")
    title(sheet, s.plan_name, t("start.subtitle"))
    values: dict[str, Any] = {
        "plan_name": s.plan_name,
        "company": s.company,
        "currency": s.currency,
        "start": s.start,
        "months": s.months,
        "language": s.language,
        "review_interval": s.review_interval,
        "amber_threshold": s.amber_threshold,
        "pessimistic_trigger": s.pessimistic_trigger,
        "max_growth_up": s.max_growth_up,
        "max_growth_down": s.max_growth_down,
        "hours_per_month": s.hours_per_month,
        "plan_budget": s.plan_budget,
        "media_category": s.media_category,
        "as_of": s.as_of,
        "budget_cap": s.budget_cap,
        "budget_buffer": s.budget_buffer,
        "budget_committed": s.budget_committed,
        "calendar": s.calendar,
        "fiscal_start": s.fiscal_start,
        "budget_outlook": s.budget_outlook,
    }
    rows = [[t(f"setting.{key}"), values[key]] for key, *_ in SETTINGS]
    table = input_table(
        sheet,
        ctx,
        name="tblSettings",
        role="settings",
        col=0,
        headers=[t("start.setting"), t("start.value")],
        rows=rows,
        styles=["text", "text"],
        caption=t("start.settings"),
    )
    for i, (_key, name, style, kind, lo, hi) in enumerate(SETTINGS):
        r = FIRST + i
        sheet.cells[(r, 0)].style = "label"
        sheet.cells[(r, 1)].style = "input:" + style
        ctx.define(name, ref(sheet.name, r, 1))
        if kind == "list":
            sheet.validations.append(Validation(r, 1, r, 1, "list", lo))
        elif kind:
            sheet.validations.append(Validation(r, 1, r, 1, kind, minimum=lo, maximum=hi))
    del table

    plan_end = s.end
    as_of = res.as_of
    periods = 1
    if as_of:
        elapsed_months = (as_of.year - s.start.year) * 12 + as_of.month - s.start.month
        periods = elapsed_months // s.review_interval + 1
    next_review = add_months(s.start, s.review_interval * periods)
    derived: list[tuple[str, str | None, str, Any, str]] = [
        ("plan_end", "PlanEnd", "EDATE(PlanStart,PlanMonths)-1", rules.serial(plan_end), "date"),
        (
            "as_of",
            "AsOf",
            'IF(ISNUMBER(AsOfInput),AsOfInput,IF(COUNTIFS(d_date,">="&PlanStart,d_date,"<="&PlanEnd)=0,'
            '"",MAX(IF((d_date>=PlanStart)*(d_date<=PlanEnd),d_date))))',
            rules.serial(as_of),
            "date",
        ),
        ("plan_days", "PlanDays", "PlanEnd-PlanStart+1", res.plan_days, "int"),
        (
            "elapsed_days",
            "ElapsedDays",
            "IF(ISNUMBER(AsOf),AsOf-PlanStart+1,0)",
            res.elapsed_days,
            "int",
        ),
        (
            "last_month",
            "LastMonthStart",
            'IF(ISNUMBER(AsOf),DATE(YEAR(AsOf),MONTH(AsOf),1),"")',
            rules.serial(res.last_month_start),
            "date",
        ),
        (
            "next_review",
            "NextReview",
            "IF(ISNUMBER(AsOf),EDATE(PlanStart,ReviewInterval*(INT(((YEAR(AsOf)-YEAR(PlanStart))*12"
            "+MONTH(AsOf)-MONTH(PlanStart))/ReviewInterval)+1)),EDATE(PlanStart,ReviewInterval))",
            rules.serial(next_review),
            "date",
        ),
        (
            "kpi_green",
            None,
            f"COUNTIF(k_status,{quoted(ctx.words.status[0])})",
            health["green"],
            "int",
        ),
        (
            "kpi_amber",
            None,
            f"COUNTIF(k_status,{quoted(ctx.words.status[1])})",
            health["amber"],
            "int",
        ),
        ("kpi_red", None, f"COUNTIF(k_status,{quoted(ctx.words.status[2])})", health["red"], "int"),
        (
            "smart_avg",
            None,
            'IF(COUNT(o_smart)=0,"",ROUND(SUM(o_smart)/COUNT(o_smart),2))',
            health["smart_avg"],
            "num",
        ),
        ("planned_cost", "PlannedCost", "BudgetTotal", health["planned"], "money"),
        ("budget_left", "BudgetLeft", "PlanBudget-PlannedCost", health["left"], "money"),
        ("media_actual", None, "PacingActual", health["media_actual"], "money"),
        ("left_to_plan", None, "PacingLeft", health["left_to_plan"], "money"),
        ("over_allocated", None, "SUM(p_over)", health["over"], "int"),
    ]
    if s.calendar != "gregorian":  # months no Excel function knows: read from Calendar
        moved = calendar_dates(ctx)
        derived = [
            (k, d, *moved[k], st) if k in moved else (k, d, f, v, st) for k, d, f, v, st in derived
        ]
    sheet.put(TABLE_ROW - 1, DERIVED_COL, t("start.derived"), "section")
    sheet.put(TABLE_ROW, DERIVED_COL, t("start.item"), "header")
    sheet.put(TABLE_ROW, DERIVED_COL + 1, t("start.value"), "header")
    value_cell: dict[str, str] = {}
    for i, (key, defined, formula, value, style) in enumerate(derived):
        r = FIRST + i
        sheet.put(r, DERIVED_COL, t(f"start.{key}"), "label")
        # AsOf is a maximum under conditions: MAX(IF(...)) entered as an array formula.
        array = key == "as_of"
        sheet.formula(r, DERIVED_COL + 1, formula, value, "derived:" + style, array=array)
        value_cell[key] = a1(r, DERIVED_COL + 1)
        if defined:
            ctx.define(defined, ref(sheet.name, r, DERIVED_COL + 1))
    r = FIRST + len(derived)
    g, a, red = (ctx.t(f"health.{k}") for k in ("on_track", "watch", "attention"))
    k_red, k_amber = value_cell["kpi_red"], value_cell["kpi_amber"]
    formula = (
        f"IF(OR({k_red}>0,ROUND(BudgetLeft,2)<0),{quoted(red)},"
        f"IF({k_amber}>0,{quoted(a)},{quoted(g)}))"
    )
    value = (
        red
        if health["red"] > 0 or rules.xl_round(health["left"], 2) < 0
        else a
        if health["amber"] > 0
        else g
    )
    sheet.put(r, DERIVED_COL, t("start.health"), "label")
    sheet.formula(r, DERIVED_COL + 1, formula, value, "derived:strong")
    health["word"] = value
    # Where `share` stamps the copy's date and health (never overwritten by a refresh).
    ctx.positions["health.start"] = a1(r, DERIVED_COL + 1)
    ctx.positions["stamp.start"] = a1(r + 2, DERIVED_COL)

    sheet.put(TABLE_ROW - 1, LINK_COL, t("start.sheets"), "section")
    for i, (role, name) in enumerate(
        (role, name)
        for role, name in ctx.sheet_names.items()
        if role not in ("start", "calc", "lists")
    ):
        sheet.put(FIRST - 1 + i, LINK_COL, name, "link", link=f"{quote_sheet(name)}!A1")
        sheet.put(FIRST - 1 + i, LINK_COL + 1, t(f"about.{role}"), "note")
    for col, w in {0: 26, 1: 30, 2: 2, 3: 2, 4: 30, 5: 18, 6: 2, 7: 16, 8: 60}.items():
        sheet.width(col, w)
    sheet.freeze = (FIRST, 0)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet
