"""What the ribbon's buttons tell the user when they are done, in plain sentences."""

from __future__ import annotations

from collections import Counter

from xlmplan.addin.book import Applied
from xlmplan.api import PlanResult
from xlmplan.core import rules
from xlmplan.core.checks import Finding
from xlmplan.core.model import SCENARIO_KEYS
from xlmplan.importing import ImportResult
from xlmplan.language import LanguageResult
from xlmplan.refresh import Analysis, RefreshResult
from xlmplan.share import ShareResult

LANGUAGES = (("en", "English"), ("ar", "العربية — Arabic"), ("fa", "فارسی — Persian"))
MAX_FINDINGS = 10
REOPENED = "Excel reopened the plan to show the new layout."


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def kpi_status(an: Analysis) -> str:
    """``KPIs: 3 Green, 2 Amber, 1 Red, 1 without data``."""
    counts = Counter(kr.status for kr in an.results.kpis)
    parts = [f"{counts[word]} {word}" for word in an.words.status if counts[word]]
    if counts[None]:
        parts.append(f"{counts[None]} without data")
    return "KPIs: " + (", ".join(parts) if parts else "none")


def new_plan(result: PlanResult) -> str:
    return (
        f"Created {result.path.name}: {result.rows:,} Data rows from the example shop, "
        f"{_plural(len(result.findings), 'checks finding')}.\n\n"
        "Bring in your own analytics and ad exports with Import data; the example rows stay "
        "until you replace them."
    )


def imported(name: str, result: ImportResult, applied: Applied) -> str:
    rep, an = result.report, result.refresh.analysis
    head = f"Imported into {name}: {_plural(rep.added, 'row')} added"
    head += f", {rep.replaced:,} replaced" if rep.replaced else ""
    head += f", {rep.combined:,} combined by date, channel and campaign" if rep.combined else ""
    lines = [head + f"; Data now holds {len(an.data):,} rows."]
    for item in result.files:
        period = f", {item.period[0]} to {item.period[1]}" if item.period else ""
        skipped = f", {item.skipped_rows} skipped" if item.skipped_rows else ""
        lines.append(f"• {item.source}: {_plural(len(item.frame), 'row')}{period}{skipped}")
    lines += [f"Note: {note}" for note in result.notes[:3]]
    if rep.new_channels:
        lines.append("New channels added to the plan: " + ", ".join(rep.new_channels))
    lines += [f"Channel '{a}' read as the plan's '{b}'" for a, b in rep.renamed_channels.items()]
    if rep.dropped_columns:
        more = len(rep.dropped_columns) - 5
        lines.append(
            "Columns not imported: "
            + ", ".join(rep.dropped_columns[:5])
            + (f" and {more} more" if more > 0 else "")
        )
    lines.append(kpi_status(an))
    if applied.reopened:
        lines.append(REOPENED)
    return "\n".join(lines)


def refreshed(name: str, result: RefreshResult, applied: Applied) -> str:
    an = result.analysis
    lines = [f"Table {t}: took in {_plural(n, 'row')} typed below it" for t, n in an.grown.items()]
    lines += [f"Restored the formula in {where}" for where in an.restored[:5]]
    if not (result.written and applied.written):
        lines.append(f"{name} is up to date — nothing to change.")
    else:
        lines.append(
            f"Refreshed {name}: {len(an.data):,} Data rows, "
            f"{_plural(len(result.changed_parts), 'part')} rewritten, "
            f"{_plural(len(an.findings), 'checks finding')}."
        )
    lines.append(kpi_status(an))
    if applied.reopened:
        lines.append(REOPENED)
    return "\n".join(lines)


def findings(name: str, found: list[Finding]) -> str:
    if not found:
        return f"No findings: {name} has nothing missing or wrong."
    counts = Counter(f.severity for f in found)
    summary = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s])
    lines = [f"{_plural(len(found), 'finding')} in {name} ({summary}):"]
    lines += [f"• {f.severity}: {f.where} — {f.message}" for f in found[:MAX_FINDINGS]]
    if len(found) > MAX_FINDINGS:
        lines.append(
            f"… and {len(found) - MAX_FINDINGS:,} more: Refresh lists every one on the "
            "Checks sheet."
        )
    return "\n".join(lines)


def scenarios(an: Analysis) -> str:
    """Per scenario: how many KPIs it projects to reach their target; then the scenario
    each KPI is in now, with the contingency actions that apply."""
    plan, res, words = an.plan, an.results, an.words
    by_key = {sc.key: sc for sc in plan.scenarios}
    total = len(plan.kpis)
    as_of = f", as of {res.as_of}" if res.as_of else ""
    lines = [f"Scenario scorecard of {plan.settings.plan_name}{as_of}:"]
    for i, (key, word) in enumerate(zip(SCENARIO_KEYS, words.scenarios, strict=True)):
        reach = 0
        for kpi, kr in zip(plan.kpis, res.kpis, strict=True):
            direction = "lower" if kpi.direction.casefold() == words.lower.casefold() else "higher"
            att = rules.attainment(kr.scenario_projections[i], kpi.target, direction)
            reach += att is not None and att >= 1
        sc = by_key.get(key)
        factor = f" (× {sc.multiplier:g})" if sc else ""
        lines.append(f"• {word}{factor}: {reach} of {total} KPIs reach their target")
    now = Counter(kr.scenario for kr in res.kpis if kr.scenario)
    if now:
        where = ", ".join(f"{now[w]} {w}" for w in words.scenarios if now[w])
        lines.append(f"Where the KPIs are now: {where}")
    actions = {kr.contingency for kr in res.kpis if kr.contingency}
    lines += [f"Contingency: {action}" for action in sorted(actions)[:3]]
    if not now:
        lines.append("No KPI has data yet: import data to project the scenarios.")
    return "\n".join(lines)


def shared(result: ShareResult, pdf_note: str = "") -> str:
    kind = "values-only copy" if result.values_only else "email-ready copy"
    lines = [
        f"Saved the {kind} {result.out.name} ({result.size / 1024:,.0f} KB, "
        f"plan health: {result.health}). Your plan itself is unchanged."
    ]
    if result.removed:
        lines.append("Removed: " + ", ".join(result.removed))
    if result.udf_cells:
        lines.append(
            f"{_plural(len(result.udf_cells), 'add-in function cell')} rewritten as native formulas"
        )
    if result.frozen:
        lines.append(
            f"{_plural(len(result.frozen), 'cell')} citing other workbooks frozen to their values"
        )
    if result.pdf:
        lines.append(f"Saved {result.pdf.name} ({_plural(result.pdf_pages, 'page')}).")
    if pdf_note:
        lines.append(pdf_note)
    return "\n".join(lines)


def switched(name: str, result: LanguageResult, applied: Applied) -> str:
    labels = dict(LANGUAGES)
    if not result.written:
        return f"{name} is already in {labels.get(result.new, result.new)} — nothing to change."
    lines = [
        f"Switched {name} from {labels.get(result.old, result.old)} to "
        f"{labels.get(result.new, result.new)}: {_plural(len(result.renamed), 'sheet')} renamed, "
        f"{result.relabelled:,} list choices and labels relabelled. Text you typed is unchanged."
    ]
    if applied.reopened:
        lines.append(REOPENED)
    return "\n".join(lines)
