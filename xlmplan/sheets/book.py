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
from xlmplan.core.units import month_format
from xlmplan.sheets import (
    analysis,
    budget,
    budget_mix,
    calc,
    checks_sheet,
    dashboard,
    data_sheet,
    lists,
    objectives,
    scenarios,
    start,
    strategy_kpi,
    swot,
)
from xlmplan.sheets.cellrefs import cf_ranges, compress, dv_ranges
from xlmplan.sheets.context import Ctx
from xlmplan.sheets.layout import Book, ref
from xlmplan.sheets.text_width import fit_columns

ANCHOR = "xlm_"  # defined name xlm_<role> -> the role's sheet, cell A1

# Sheet roles in workbook order; Lists, Calc and the manifest are hidden.
ROLES = (
    "start",
    "data",
    "swot",
    "objectives",
    "strategy_kpi",
    "budget",
    "budget_mix",
    "scenarios",
    "analysis",
    "dashboard",
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
) -> tuple[Book, list[Finding]]:
    """Lay out every sheet. ``sheet_names`` keeps the names a user gave the sheets;
    ``extra_findings`` (unreadable inputs, restored cells) lead the Checks sheet."""
    ctx = Ctx(plan, results, catalog, labels, words)
    ctx.sheet_names = {role: labels[f"sheet.{role}"] for role in ROLES} | (sheet_names or {})
    n_kpi_rows = max(len(plan.kpis), 1)
    built = {
        "lists": lists.build(ctx),
        "data": data_sheet.build(ctx, data),
        "swot": swot.build(ctx),
        "strategy_kpi": strategy_kpi.build(ctx),
        "objectives": objectives.build(ctx),
        "budget": budget.build(ctx),
        "budget_mix": budget_mix.build(ctx, data),
    }
    built["scenarios"] = scenarios.build(ctx, n_kpi_rows)
    built["analysis"] = analysis.build(ctx)
    built["calc"] = calc.build(ctx, ctx.sheet("strategy_kpi"), n_kpi_rows)
    built["dashboard"] = dashboard.build(ctx, plan.settings.months)
    budget_total = float(ctx.positions["budget_total"])
    findings = [*(extra_findings or []), *find(plan, results, catalog, labels, words, budget_total)]
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
    }
    built["start"] = start.build(ctx, health)
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
    )
    axis = month_format(labels.lang, short=True)
    if calendar == SOLAR_HIJRI:  # shown in the Persian calendar; the stored dates stay
        book.date_format, book.month_format = SOLAR_HIJRI_FORMAT, SOLAR_HIJRI_MONTH_FORMAT
        axis = SOLAR_HIJRI_MONTH_FORMAT
    for chart in built["dashboard"].charts:  # month axes read like the month headers
        chart.category_format = chart.category_format and axis
    return book, findings
