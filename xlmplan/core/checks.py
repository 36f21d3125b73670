"""Plan checks: SMART findings, dangling links, budget, people and scenarios."""

from __future__ import annotations

from xlmplan.core import budget_pacing, periods, rules
from xlmplan.core.catalog import Catalog
from xlmplan.core.engine import Results, Words, cited_ids
from xlmplan.core.finding import Finding
from xlmplan.core.kpi_forecast import beyond_forecast, number_text
from xlmplan.core.labels import Labels
from xlmplan.core.model import Objective, Plan

SEVERITIES = ("error", "warning", "info")
SMART_NAMES = ("specific", "measurable", "achievable", "relevant", "timebound")


def find(
    plan: Plan,
    results: Results,
    catalog: Catalog,
    labels: Labels,
    words: Words,
    budget_total: float,
) -> list[Finding]:
    """Every finding about a plan, most severe first (stable within a severity)."""
    t = labels
    out: list[Finding] = []
    kpi_ids = {k.id.casefold() for k in plan.kpis}
    obj_ids = {o.id.casefold() for o in plan.objectives}
    swot_ids = [f.id for f in plan.swot]
    channels = {c.casefold() for c in plan.channels} | {words.all_channels.casefold()}
    for ob, flags in zip(plan.objectives, results.smart, strict=True):
        if not (ob.id or ob.objective or ob.kpi):
            continue  # a blank row inside the Table
        where = f"{t['sheet.objectives']} {ob.id}"
        if not ob.kpi:
            out.append(Finding("error", where, t["check.no_kpi"]))
        elif ob.kpi.casefold() not in kpi_ids:
            out.append(Finding("error", where, t["check.unknown_kpi"].format(kpi=ob.kpi)))
        missing = [t[f"smart.{n}"] for n, flag in zip(SMART_NAMES, flags, strict=False) if not flag]
        if missing:
            out.append(
                Finding(
                    "warning",
                    where,
                    t["check.smart"].format(score=flags[5], missing=", ".join(missing)),
                )
            )
        else:
            out.append(Finding("info", where, t["check.smart_ok"].format(score=flags[5])))
        out += _beyond_forecast(ob, plan, results, labels, words, where)
        cited = {c.casefold() for c in cited_ids(ob.substantiation, swot_ids)}
        for part in ob.substantiation.replace(" ", "").split(","):
            if part and part.casefold() not in cited:
                out.append(Finding("warning", where, t["check.unknown_swot"].format(id=part)))
        out += _objective_findings(plan, ob, where, t)
    for kpi, kr in zip(plan.kpis, results.kpis, strict=True):
        if not (kpi.id or kpi.name or kpi.metric):
            continue
        where = f"{t['sheet.strategy_kpi']} {kpi.id}"
        if catalog.by_label(kpi.metric) is None:
            out.append(Finding("error", where, t["check.unknown_metric"].format(metric=kpi.metric)))
        if kpi.channel.casefold() not in channels:
            out.append(
                Finding("error", where, t["check.unknown_channel"].format(channel=kpi.channel))
            )
        elif results.as_of is not None and not kr.rows.get("todate"):
            message = t["check.no_rows_to_date"].format(channel=kpi.channel)
            out.append(Finding("error", where, message))
        if not rules.is_num(kpi.target):
            out.append(Finding("warning", where, t["check.no_target"]))
    for st in plan.strategies:
        if not (st.id or st.strategy or st.objective):
            continue
        where = f"{t['sheet.strategy_kpi']} {st.id}"
        if not st.objective:
            out.append(Finding("error", where, t["check.strategy_no_objective"]))
        elif st.objective.casefold() not in obj_ids:
            out.append(
                Finding(
                    "error", where, t["check.strategy_unknown_objective"].format(id=st.objective)
                )
            )
    budget = plan.settings.plan_budget
    where = t["sheet.budget"]
    if budget_total > budget + 0.005:
        out.append(
            Finding(
                "error",
                where,
                t["check.over_budget"].format(
                    total=f"{budget_total:,.0f}", budget=f"{budget:,.0f}"
                ),
            )
        )
    elif budget_total < budget * 0.9:
        out.append(
            Finding(
                "info",
                where,
                t["check.under_budget"].format(
                    total=f"{budget_total:,.0f}", budget=f"{budget:,.0f}"
                ),
            )
        )
    for person, over in zip(plan.people, results.people_over, strict=True):
        if over:
            out.append(
                Finding(
                    "warning",
                    f"{t['sheet.budget']} {person.name}",
                    t["check.over_allocated"].format(months=int(over)),
                )
            )
    for kpi, kr in zip(plan.kpis, results.kpis, strict=True):
        if kr.scenario:
            severity = "info" if kr.scenario != words.scenarios[2] else "warning"
            out.append(
                Finding(
                    severity,
                    f"{t['sheet.scenarios']} {kpi.id}",
                    t["check.scenario"].format(scenario=kr.scenario, action=kr.contingency or ""),
                )
            )
    if results.as_of is None:
        out.append(Finding("error", t["sheet.data"], t["check.no_data_in_plan"]))
    out += pacing_findings(plan, results, labels)
    return sorted(out, key=lambda f: SEVERITIES.index(f.severity))


def _beyond_forecast(
    ob: Objective, plan: Plan, results: Results, t: Labels, words: Words, where: str
) -> list[Finding]:
    """A finding when the objective's target lies beyond its KPI's forecast at plan end."""
    folded = ob.kpi.strip().casefold()
    i = next((i for i, k in enumerate(plan.kpis) if k.id.strip().casefold() == folded), None)
    if not folded or i is None or i >= len(results.forecasts) or not rules.is_num(ob.target):
        return []
    kpi = plan.kpis[i]
    direction = "lower" if kpi.direction.casefold() == words.lower.casefold() else "higher"
    gap = beyond_forecast(ob.target, direction, results.forecasts[i])
    if gap is None:
        return []
    best, uplift = gap
    message = t["check.beyond_forecast"].format(
        target=number_text(float(ob.target or 0)),
        best=number_text(best),
        uplift="" if uplift is None else f"{uplift:.1%}",
    )
    return [Finding("warning", where, message)]


def _objective_findings(plan: Plan, ob: Objective, where: str, t: Labels) -> list[Finding]:
    """An objective no strategy serves; a target typed both on it and on its KPI that
    disagree (typed once, the objective shows its KPI's target by formula)."""
    out: list[Finding] = []
    if ob.id and not any(rules.same_text(st.objective, ob.id) for st in plan.strategies):
        out.append(Finding("warning", where, t["check.no_strategy"]))
    kpi = next((k for k in plan.kpis if ob.kpi and rules.same_text(k.id, ob.kpi)), None)
    if (
        kpi is not None
        and rules.is_num(ob.target)
        and rules.is_num(kpi.target)
        and rules.xl_round(float(ob.target or 0)) != rules.xl_round(float(kpi.target or 0))
    ):
        message = t["check.target_disagrees"].format(
            own=f"{ob.target:,.6g}", kpi=kpi.id, kpi_target=f"{kpi.target:,.6g}"
        )
        out.append(Finding("warning", where, message))
    return out


def pacing_findings(plan: Plan, results: Results, labels: Labels) -> list[Finding]:
    """Media overspend per period and to date (per channel and in total), a cap the
    outlook breaks, money lines and actions that end before they start (they spread
    nothing), and channels whose strategy budgets disagree with their money lines."""
    p, t = results.pacing, labels
    if p is None:
        return []
    s = plan.settings
    cut = s.periods(
        periods.month_names(labels.texts, s.calendar), periods.label_pattern(labels.texts)
    )
    sheet = t["sheet.budget_months"]
    out: list[Finding] = []
    for row in [*p.rows, p.total]:
        total = row is p.total
        where = sheet if total else f"{sheet} {row.channel or t['pacing.unassigned']}"
        over, parts = row.overspent_periods, []
        if over:
            by = -sum(v for v in (row.variance[k] for k in over) if v is not None)
            parts.append(
                t["check.overspent_periods"].format(
                    periods=", ".join(cut[k].label for k in over), amount=f"{by:,.0f}"
                )
            )
        if budget_pacing.overspent(row.variance_to_date):
            planned = row.actual_to_date + row.variance_to_date
            parts.append(
                t["check.overspent_to_date"].format(
                    actual=f"{row.actual_to_date:,.0f}", planned=f"{planned:,.0f}"
                )
            )
        if parts:  # one finding per channel: the periods over plan, then the year to date
            out.append(Finding("warning", where, " ".join(parts)))
    if rules.is_num(s.budget_cap) and rules.xl_round(p.left_to_plan, 2) < 0:
        message = t["check.cap_exceeded"].format(over=f"{-p.left_to_plan:,.0f}")
        out.append(Finding("error", sheet, message))
    budget_sheet = t["sheet.budget"]
    for item, start, end in [
        *((m.item, m.start, m.end) for m in plan.money),
        *((a.action, a.start, a.end) for a in plan.actions),
    ]:
        if start is not None and end is not None and end < start:  # spreads nothing
            message = t["check.spread_inverted"].format(item=item, start=start, end=end)
            out.append(Finding("warning", f"{budget_sheet} {item}", message))
    for rec in p.reconciled:
        if rec.differs:
            message = t["check.budgets_disagree"].format(
                channel=rec.channel, strategies=f"{rec.strategies:,.0f}", money=f"{rec.money:,.0f}"
            )
            out.append(Finding("warning", sheet, message))
    return out
