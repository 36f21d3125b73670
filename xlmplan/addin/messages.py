"""What the ribbon's buttons tell the user when they are done, in plain sentences, in the
plan's language (the packs' ``[addin]`` section; the scenario scorecard and import details
are English)."""

from __future__ import annotations

import functools
from collections import Counter

from xlmplan.addin.book import Applied
from xlmplan.addin.prompts import MAX_MESSAGE
from xlmplan.api import PlanResult
from xlmplan.core import rules
from xlmplan.core.checks import Finding
from xlmplan.core.labels import Labels, languages, load_labels
from xlmplan.core.model import SCENARIO_KEYS
from xlmplan.core.template import templates_root
from xlmplan.importing import ImportResult
from xlmplan.kpi_report import KpiReport, KpiRow, percent, short_figure
from xlmplan.language import LanguageResult
from xlmplan.refresh import Analysis, RefreshResult
from xlmplan.share import ShareResult

LANGUAGES = (("en", "English"), ("ar", "العربية — Arabic"), ("fa", "فارسی — Persian"))
MAX_FINDINGS = 10


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


@functools.cache
def texts(lang: str) -> Labels:
    """The add-in's texts in ``lang`` (English for a language without a pack)."""
    folder = templates_root() / "labels"
    return load_labels(folder, lang if lang in languages(folder) else "en")


def _count(t: Labels, noun: str, n: int) -> str:
    """``3 rows`` in the texts' language (``addin.<noun>_one`` / ``_many``)."""
    return t[f"addin.{noun}_{'one' if n == 1 else 'many'}"].format(count=f"{n:,}")


def kpi_status(an: Analysis, lang: str = "en") -> str:
    """``KPIs: 3 Green, 2 Amber, 1 Red, 1 without data``."""
    t = texts(lang)
    counts = Counter(kr.status for kr in an.results.kpis)
    parts = [f"{counts[word]} {word}" for word in an.words.status if counts[word]]
    if counts[None]:
        parts.append(t["addin.without_data"].format(count=counts[None]))
    return t["addin.kpis"].format(counts=", ".join(parts)) if parts else t["addin.kpis_none"]


def new_plan(result: PlanResult, lang: str = "en") -> str:
    t = texts(lang)
    return t["addin.created"].format(
        name=result.path.name,
        rows=f"{result.rows:,}",
        findings=_count(t, "check", len(result.findings)),
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
    lines.append(kpi_status(an, an.labels.lang))
    if applied.reopened:
        lines.append(texts(an.labels.lang)["addin.reopened"])
    return "\n".join(lines)


def refreshed(name: str, result: RefreshResult, applied: Applied) -> str:
    an = result.analysis
    t = texts(an.labels.lang)
    lines = [
        t["addin.took_in"].format(table=table, rows=_count(t, "row", n))
        for table, n in an.grown.items()
    ]
    lines += [t["addin.restored"].format(cell=where) for where in an.restored[:5]]
    lines += [t["addin.sheet_added"].format(sheet=sheet) for sheet in an.added.values()]
    if not (result.written and applied.written):
        lines.append(t["addin.up_to_date"].format(name=name))
    else:
        lines.append(
            t["addin.refreshed"].format(
                name=name,
                rows=f"{len(an.data):,}",
                parts=_count(t, "part", len(result.changed_parts)),
                findings=_count(t, "check", len(an.findings)),
            )
        )
    lines.append(kpi_status(an, an.labels.lang))
    if applied.reopened:
        lines.append(t["addin.reopened"])
    return "\n".join(lines)


def findings(name: str, found: list[Finding], lang: str = "en") -> str:
    t = texts(lang)
    if not found:
        return t["addin.no_findings"].format(name=name)
    counts = Counter(f.severity for f in found)
    summary = ", ".join(_count(t, s, counts[s]) for s in ("error", "warning", "info") if counts[s])
    found_n = _count(t, "found", len(found))
    lines = [t["addin.findings"].format(found=found_n, name=name, summary=summary)]
    for f in found[:MAX_FINDINGS]:
        severity = t.get(f"addin.severity_{f.severity}", f.severity)
        lines.append(f"• {severity}: {f.where} — {f.message}")
    if len(found) > MAX_FINDINGS:
        lines.append(t["addin.more"].format(count=f"{len(found) - MAX_FINDINGS:,}"))
    return "\n".join(lines)


def kpi_table(report: KpiReport, sheet: str, lang: str = "en") -> str:
    """Each KPI on a line, as ``xlmplan kpis`` tabulates them: actual / due to date,
    attainment and status, then the year-end forecast with its 80 % range / the plan
    target, attainment and scenario. KPIs beyond a message box's room are counted and
    left to the ``sheet`` that lists them all."""
    t = texts(lang)
    as_of = report.as_of.isoformat() if report.as_of else t["addin.kpi_no_data"]
    title = t["addin.kpi_title"].format(name=report.plan_name, as_of=as_of)
    if not report.kpis:
        return f"{title}\n{t['addin.kpis_none']}"
    lines = [title, *(_kpi_line(t, k) for k in report.kpis)]
    shown = len(lines)
    while len("\n".join(lines[:shown])) > MAX_MESSAGE - (shown < len(lines)) * 80:
        shown -= 1  # the last line then counts the KPIs left out
    if shown == len(lines):
        return "\n".join(lines)
    more = t["addin.kpi_more"].format(count=f"{len(lines) - shown:,}", sheet=sheet)
    return "\n".join([*lines[:shown], more])


def _kpi_line(t: Labels, k: KpiRow) -> str:
    low, high = (short_figure(v, k.unit) for v in (k.year_end_low, k.year_end_high))
    ranged = low and high and low != high  # none at the plan's end, where it is the actual
    band = t["addin.kpi_range"].format(low=low, high=high) if ranged else ""
    line = t["addin.kpi_line"].format(
        kpi=f"{k.id} {k.name}",
        actual=short_figure(k.actual_to_date, k.unit) or "—",
        due=short_figure(k.target_to_date, k.unit) or "—",
        attainment=percent(k.attainment_to_date),
        status=k.status or t["addin.kpi_no_data"],
        forecast=short_figure(k.year_end_forecast, k.unit) or "—",
        range=band,
        target=short_figure(k.plan_target, k.unit) or "—",
        year_end=percent(k.year_end_attainment),
        scenario=k.scenario or "",
    )
    return " ".join(line.split())  # no double space where a figure is missing


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
    t = texts(result.new)
    if not result.written:
        return t["addin.already"].format(name=name, language=labels.get(result.new, result.new))
    lines = [
        t["addin.switched"].format(
            name=name,
            old=labels.get(result.old, result.old),
            new=labels.get(result.new, result.new),
            sheets=_count(t, "sheet", len(result.renamed)),
            labels=f"{result.relabelled:,}",
        )
    ]
    if applied.reopened:
        lines.append(t["addin.reopened"])
    return "\n".join(lines)
