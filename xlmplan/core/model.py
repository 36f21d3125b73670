"""The plan model: every input of a plan as plain data (no file formats here).

The field order of each input item is the column order of its Table in the workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlmplan.core.periods import Periods

SWOT_TYPES = ("S", "W", "O", "T")
TOWS_TYPES = ("SO", "ST", "WO", "WT")
LEVELS = ("Primary", "Secondary")
HORIZONS = ("Short", "Medium", "Long")
KINDS = ("Quantitative", "Qualitative")
RACE_STAGES = ("Reach", "Act", "Convert", "Engage")
MONEY_CATEGORIES = ("Advertising", "Tools", "Content", "Agency", "Events", "Other")
SCENARIO_KEYS = ("optimistic", "realistic", "pessimistic")


@dataclass
class Settings:
    """Plan-wide settings shown on Start."""

    plan_name: str
    company: str
    currency: str
    start: dt.date  # first day of the first month
    months: int
    language: str = "en"
    review_interval: int = 6
    amber_threshold: float = 0.9
    pessimistic_trigger: float = 0.75
    max_growth_up: float = 1.0
    max_growth_down: float = 0.5
    hours_per_month: float = 160.0
    plan_budget: float = 0.0
    media_category: str = "Advertising"
    as_of: dt.date | None = None  # explicit as-of date; None = last Data date in the plan
    calendar: str = "gregorian"  # the plan's months: "gregorian" or "solar-hijri"
    fiscal_start: int | None = None  # first month of the plan year (None: the start's month)
    budget_cap: float | None = None  # media spend cap; None = the planned media total
    budget_buffer: float | None = None  # part of the cap held back
    budget_committed: float | None = None  # contracted, not yet in Data nor in money lines
    budget_outlook: str = "plan"  # spend expected after the as-of date: "plan" or "run-rate"

    @property
    def end(self) -> dt.date:
        """The last day of the plan."""
        if self.calendar == "gregorian":
            return add_months(self.start, self.months) - dt.timedelta(days=1)
        return self.periods().last

    def month_starts(self) -> list[dt.date]:
        if self.calendar == "gregorian":
            return [add_months(self.start, i) for i in range(self.months)]
        return [p.first for p in self.periods().items]

    def periods(
        self, names: Sequence[str] | None = None, pattern: str = "{month} {year}"
    ) -> Periods:
        """The plan's periods in its calendar."""
        from xlmplan.core.periods import plan_periods

        return plan_periods(self.start, self.months, self.calendar, names, pattern)


@dataclass
class SwotFactor:
    id: str
    type: str
    area: str
    factor: str
    evidence: str
    impact: float | None
    certainty: float | None


@dataclass
class Objective:
    id: str
    level: str
    parent: str
    horizon: str
    kind: str
    race: str
    objective: str
    kpi: str
    baseline: float | None
    target: float | None
    deadline: dt.date | None
    substantiation: str


@dataclass
class Strategy:
    id: str
    objective: str
    area: str
    channel: str
    tows: str
    pair: str
    strategy: str
    tactic: str
    owner: str
    start: dt.date | None
    end: dt.date | None
    budget: float | None


@dataclass
class Kpi:
    id: str
    name: str
    metric: str  # metric label from the catalog
    channel: str  # a channel, or the label pack's word for all channels
    target: float | None
    direction: str


@dataclass
class KpiPath:
    """How a KPI's target is spread over the periods (the Targets sheet's input Table)."""

    kpi: str
    baseline: float | None  # the KPI's value before the plan (a ratio's path starts there)
    method: str  # even | seasonal | manual (label words); blank = even


@dataclass
class PeriodTarget:
    """A KPI's target typed for one period (by its label); it wins over the path."""

    kpi: str
    period: str
    target: float | None


@dataclass
class Person:
    name: str
    role: str
    fte: float | None
    monthly_cost: float | None
    start: dt.date | None
    end: dt.date | None


@dataclass
class MoneyLine:
    category: str
    channel: str
    item: str
    start: dt.date | None
    end: dt.date | None
    amount: float | None


@dataclass
class Action:
    action: str
    strategy: str
    owner: str
    start: dt.date | None
    end: dt.date | None
    hours: float | None


@dataclass
class Scenario:
    key: str
    multiplier: float
    contingency: str
    extra_budget: float


@dataclass
class ScenarioValue:
    """Year-end values a user types for a KPI's scenarios; each one typed wins over the
    forecast's and the multiplier's."""

    kpi: str
    optimistic: float | None
    realistic: float | None
    pessimistic: float | None


@dataclass
class MixState:
    """The Budget mix sheet as a refresh reads it back (empty for a new plan): its fit
    stamp, per row the channel and its proposed weekly spend as the cell holds it, the
    curve parameters shown (None for a channel without a curve), and the weekly split
    `allocate` writes into the proposed column (None: keep the user's)."""

    stamp: str = ""
    rows: list[tuple[str, Any]] = field(default_factory=list)
    params: list[tuple[float, ...] | None] = field(default_factory=list)
    override: dict[str, float] | None = None


@dataclass
class Plan:
    """All inputs of one plan."""

    settings: Settings
    swot: list[SwotFactor] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    strategies: list[Strategy] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    money: list[MoneyLine] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    paths: list[KpiPath] = field(default_factory=list)
    period_targets: list[PeriodTarget] = field(default_factory=list)
    scenario_values: list[ScenarioValue] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    analysis_metric: str = ""  # the metric picked on Analysis (blank: revenue)
    mix_state: MixState = field(default_factory=MixState)  # the Budget mix sheet as read


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def table_row(item: Any) -> list[Any]:
    """An input item's values in its Table's column order."""
    return [getattr(item, f.name) for f in fields(item)]
