"""Assemble every sheet of a plan into one writer-neutral :class:`Book`."""

from __future__ import annotations

import pandas as pd

from xlmplan import __version__
from xlmplan.core import rules
from xlmplan.core.catalog import Catalog
from xlmplan.core.checks import Finding, find
from xlmplan.core.engine import Results, Words
from xlmplan.core.jalali import SOLAR_HIJRI_FORMAT, SOLAR_HIJRI_MONTH_FORMAT
from xlmplan.core.labels import Labels
from xlmplan.core.model import Plan
from xlmplan.core.starter import MANIFEST_KEY as starter_key
from xlmplan.core.starter import encode, starter_findings
from xlmplan.core.units import month_format
from xlmplan.sheets import (
    analysis,
    budget,
    budget_mix,
    budget_months,
    calc,
    checks_sheet,
    dashboard,
    data_sheet,
    forecast,
    lists,
    objectives,
    scenarios,
    start,
    strategy_kpi,
    summary,
    swot,
    targets,
)
from xlmplan.sheets import calendar as calendar_sheet
from xlmplan.sheets.cellrefs import cf_ranges, compress, dv_ranges, formula_cells
from xlmplan.sheets.context import Ctx
from xlmplan.sheets.layout import Book, ref
from xlmplan.sheets.print_setup import print_texts
from xlmplan.sheets.text_width import fit_columns

ANCHOR = "xlm_"  # defined name xlm_<role> -> the role's sheet, cell A1

# Sheet roles in workbook order; Lists, Calc and the manifest are hidden.
ROLES = (
    "start",
    "summary",
    "data",
    "swot",
    "objectives",
    "strategy_kpi",
    "targets",
    "budget",
    "budget_months",
    "budget_mix",
    "scenarios",
    "forecast",
    "analysis",
    "dashboard",
    "calendar",
    "checks",
    "lists",
    "calc",
)


CALENDARS = ("gregorian", "solar-hijri")
SOLAR_HIJRI = "solar-hijri"


def build_book(
    plan: Plan,
    data: pd.DataFrame,
    catalog: Catalog,
    labels: Labels,
    words: Words,
    results: Results,
    template: str,
    *,
    sheet_names: dict[str, str] | None = None,
    extra_findings: list[Finding] | None = None,
    calendar: str = "gregorian",
    table_at: dict[str, tuple[int, int]] | None = None,
    starter: dict[str, float] | None = None,
) -> tuple[Book, list[Finding]]:
    """Lay out every sheet. ``sheet_names`` keeps the names a user gave the sheets;
    ``extra_findings`` (unreadable inputs, restored cells) lead the Checks sheet;
    ``table_at`` gives input Tables' (header row, column) where a file has them;
    ``starter`` the KPI targets ``new`` suggested (kept in the manifest)."""
    ctx = Ctx(plan, results, catalog, labels, words)
    ctx.positions["table_at"] = table_at or {}
    ctx.sheet_names = {role: labels[f"sheet.{role}"] for role in ROLES} | (sheet_names or {})
    n_kpi_rows = max(len(plan.kpis), 1)
    built = {
        "lists": lists.build(ctx),
        "data": data_sheet.build(ctx, data),
        "swot": swot.build(ctx),
        "strategy_kpi": strategy_kpi.build(ctx),
        "objectives": objectives.build(ctx),
        "budget": budget.build(ctx),
        "calendar": calendar_sheet.build(ctx),
        "budget_mix": budget_mix.build(ctx, data),
    }
    built["budget_months"] = budget_months.build(ctx)
    built["forecast"] = forecast.build(ctx, n_kpi_rows)
    built["scenarios"] = scenarios.build(ctx, n_kpi_rows)
    built["targets"] = targets.build(ctx)
    built["analysis"] = analysis.build(ctx)
    built["calc"] = calc.build(ctx, ctx.sheet("strategy_kpi"), n_kpi_rows)
    built["dashboard"] = dashboard.build(ctx, plan.settings.months)
    budget_total = float(ctx.positions["budget_total"])
    findings = [*(extra_findings or []), *find(plan, results, catalog, labels, words, budget_total)]
    findings += starter_findings(plan, starter or {}, labels)
    built["checks"] = checks_sheet.build(ctx, findings)
    smart = [row[5] for row in results.smart]
    health = {
        "green": sum(1 for k in results.kpis if k.status == words.status[0]),
        "amber": sum(1 for k in results.kpis if k.status == words.status[1]),
        "red": sum(1 for k in results.kpis if k.status == words.status[2]),
        "smart_avg": rules.xl_round(sum(smart) / len(smart), 2) if smart else "",
        "planned": budget_total,
        "left": plan.settings.plan_budget - budget_total,
        "over": float(sum(results.people_over)),
        "media_actual": results.pacing.total.actual_to_date if results.pacing else 0.0,
        "left_to_plan": results.pacing.left_to_plan if results.pacing else 0.0,
    }
    built["start"] = start.build(ctx, health)
    built["summary"] = summary.build(ctx, built["start"])
    built["lists"].hidden = True  # helper sheets (Lists, Calc) stay out of the reader's way
    for role in ROLES:
        if role not in ("data", "dashboard") and not built[role].hidden:
            fit_columns(built[role])  # labels and names fit, measured in their language
    sheets = [built[role] for role in ROLES]
    entries = {
        "xlmplan.version": __version__,
        "template": template,
        "language": labels.lang,
        "currency": plan.settings.currency,
        "calendar": calendar,
        starter_key: encode(starter or {}),
        "layout.budget": budget.LAYOUT,
    }
    entries |= {k: str(ctx.positions[k]) for k in ("health.start", "stamp.start")}
    for sheet in sheets:
        entries[f"sheet.{sheet.role}"] = sheet.name
        for table in sheet.tables:
            entries[f"table.{table.name}"] = f"{table.role}|{sheet.name}"
        # Excel and LibreOffice rename a name's sheet with the sheet: the role survives.
        ctx.define(f"{ANCHOR}{sheet.role}", ref(sheet.name, 0, 0))
    for sheet in sheets:
        if sheet.role != "data":
            entries[f"owned.{sheet.role}"] = compress(sheet.owned())
            entries[f"formulas.{sheet.role}"] = compress(formula_cells(sheet))
            entries[f"cf.{sheet.role}"] = cf_ranges(sheet)
            entries[f"dv.{sheet.role}"] = dv_ranges(sheet)
    sheets.append(checks_sheet.manifest(entries))
    for sheet in sheets:
        sheet.rtl = labels.rtl
    book = Book(
        sheets,
        ctx.names,
        plan.settings.currency,
        properties={"title": plan.settings.plan_name, "company": plan.settings.company},
        font=labels.font,
        rtl=labels.rtl,
        month_format=month_format(labels.lang),
        print_texts=print_texts(labels, plan.settings.plan_name, results.as_of, calendar),
    )
    axis = month_format(labels.lang, short=True)
    if calendar == SOLAR_HIJRI:  # shown in the Persian calendar; the stored dates stay
        book.date_format, book.month_format = SOLAR_HIJRI_FORMAT, SOLAR_HIJRI_MONTH_FORMAT
        axis = SOLAR_HIJRI_MONTH_FORMAT
    for chart in built["dashboard"].charts:  # month axes read like the month headers
        chart.category_format = chart.category_format and axis
    return book, findings
