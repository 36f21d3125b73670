"""Starter targets: the KPI targets ``new`` suggests from the user's own Data.

``new`` derives each KPI target the template leaves open from the Data's run-rate; those
are suggestions, not the user's goals. The plan remembers them (in its manifest) so that
Checks can say, for as long as a target still equals its suggestion, that it is one to
replace.
"""

from __future__ import annotations

import json

from xlmplan.core import rules
from xlmplan.core.checks import Finding
from xlmplan.core.kpi_forecast import number_text
from xlmplan.core.labels import Labels
from xlmplan.core.model import Plan

MANIFEST_KEY = "starter.targets"


def suggested(before: Plan, after: Plan) -> dict[str, float]:
    """The targets ``after`` holds where ``before`` (the template) had none, by KPI id."""
    return {
        new.id: float(new.target)
        for old, new in zip(before.kpis, after.kpis, strict=True)
        if old.target is None and new.target is not None and new.id
    }


def encode(targets: dict[str, float]) -> str:
    return json.dumps(targets, sort_keys=True, ensure_ascii=False) if targets else ""


def decode(text: str | None) -> dict[str, float]:
    """The suggestions a manifest holds; nothing for a blank or unreadable entry."""
    try:
        raw = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): float(v) for k, v in raw.items() if rules.is_num(v)}


def still_suggested(plan: Plan, targets: dict[str, float]) -> list[tuple[str, float]]:
    """(KPI id, target) of each KPI whose target is still the suggestion for its id."""
    out = []
    for kpi in plan.kpis:
        value = targets.get(kpi.id)
        same = value is not None and rules.is_num(kpi.target)
        if same and rules.xl_round(float(kpi.target or 0)) == rules.xl_round(value or 0):
            out.append((kpi.id, float(value or 0)))
    return out


def starter_findings(plan: Plan, targets: dict[str, float], labels: Labels) -> list[Finding]:
    where = labels["sheet.strategy_kpi"]
    return [
        Finding(
            "warning",
            f"{where} {kpi_id}",
            labels["check.starter_target"].format(target=number_text(value)),
        )
        for kpi_id, value in still_suggested(plan, targets)
    ]
