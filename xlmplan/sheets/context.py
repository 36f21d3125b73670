"""What every sheet module needs: the plan, its results, labels and shared positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.engine import Results, Words
from xlmplan.core.labels import Labels
from xlmplan.core.model import Plan
from xlmplan.core.periods import Periods, label_pattern, month_names
from xlmplan.core.units import number_key

# Fixed positions shared between sheets (0-based rows/columns).
TABLE_ROW = 3  # header row of every input table (title rows above it)
FIRST = TABLE_ROW + 1  # first data row


@dataclass
class Ctx:
    plan: Plan
    results: Results
    catalog: Catalog
    labels: Labels
    words: Words
    names: dict[str, str] = field(default_factory=dict)  # defined names -> "=ref"
    sheet_names: dict[str, str] = field(default_factory=dict)  # role -> displayed name
    positions: dict[str, Any] = field(default_factory=dict)  # facts one sheet tells another

    def t(self, key: str) -> str:
        return self.labels[key]

    def sheet(self, role: str) -> str:
        return self.sheet_names[role]

    def define(self, name: str, target: str) -> None:
        self.names[name] = "=" + target

    @property
    def periods(self) -> Periods:
        """The plan's periods, labelled from the label pack."""
        s, texts = self.plan.settings, self.labels.texts
        return s.periods(month_names(texts, s.calendar), label_pattern(texts))

    def kpi_metric(self, kpi_id: str) -> Metric | None:
        """The catalog metric of the KPI with id ``kpi_id`` (None when either is unknown)."""
        folded = kpi_id.strip().casefold()
        kpi = next((k for k in self.plan.kpis if k.id.strip().casefold() == folded), None)
        return self.catalog.by_label(kpi.metric) if kpi and folded else None


def unit_style(kind: str, unit: str, additive: bool = False) -> str:
    """The cell style for a value of a given unit (``units.number_key`` gives its format)."""
    return f"{kind}:{number_key(unit, additive)}"


def metric_style(kind: str, metric: Metric | None) -> str:
    """The cell style for a value of ``metric`` (plain numbers when there is none)."""
    return unit_style(kind, metric.unit, metric.additive) if metric else f"{kind}:num"


def quoted(text: str) -> str:
    """A text constant inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def blank(value: object) -> object:
    """A blank formula result is cached as the empty string."""
    return "" if value is None else value
