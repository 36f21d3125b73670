"""A plan's KPI report as data (a light module: the CLI prints it without the engine)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class KpiRow:
    """One KPI: on pace (to date) and year-end (forecast to the plan's end)."""

    id: str
    name: str
    metric: str
    unit: str
    direction: str
    plan_target: float | None
    actual_to_date: float | None
    target_to_date: float | None
    attainment_to_date: float | None
    status: str | None
    year_end_forecast: float | None
    year_end_low: float | None
    year_end_high: float | None
    year_end_attainment: float | None
    scenario: str | None


@dataclass
class KpiReport:
    plan_name: str
    as_of: dt.date | None
    kpis: list[KpiRow] = field(default_factory=list)
    status_words: tuple[str, str, str] = ("Green", "Amber", "Red")

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan_name,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "kpis": [asdict(k) for k in self.kpis],
        }

    @classmethod
    def from_json(cls, saved: dict[str, Any], status_words: list[str]) -> KpiReport:
        """The report ``as_json`` gave, with its status words."""
        as_of = saved["as_of"]
        words = (status_words[0], status_words[1], status_words[2])
        return cls(
            str(saved["plan"]),
            dt.date.fromisoformat(as_of) if as_of else None,
            [KpiRow(**row) for row in saved["kpis"]],
            words,
        )


def percent(value: float | None) -> str:
    """An attainment as a whole percentage ("" when there is none)."""
    return f"{value:.0%}" if value is not None else ""


def short_figure(value: float | None, unit: str) -> str:
    """A figure in a few characters (3.35M, 14.1k, 3.20%, 1.32x; "" when there is none):
    the KPI tables of ``xlmplan kpis`` and the ribbon; ``--json`` gives every digit."""
    if value is None:
        return ""
    if unit == "percent":
        return f"{value:.2%}"
    if unit == "ratio":
        return f"{value:.2f}x"
    for size, unit_size, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= size:
            return f"{value / unit_size:.3g}{suffix}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
