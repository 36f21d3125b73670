"""Small builders for the answer keys: a plan, a Data frame and the catalog's metrics.

The metrics are written out here (not read from the bundled catalog) so that the keys
state every definition they rely on: the expressions are SPEC's.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd

from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.data import DATA_COLUMNS, canonical_frame
from xlmplan.core.engine import Engine, Results, Words
from xlmplan.core.model import Plan, Scenario, Settings

D = dt.date

CATALOG = Catalog(
    (
        Metric("impressions", "Impressions", "impressions"),
        Metric("clicks", "Clicks", "clicks"),
        Metric("sessions", "Sessions", "sessions"),
        Metric("conversions", "Conversions", "conversions"),
        Metric("revenue", "Revenue", "revenue"),
        Metric("spend", "Spend", "spend", "lower", "currency"),
        Metric("new_customers", "New customers", "new_customers"),
        Metric("ctr", "CTR", "clicks / impressions", unit="percent"),
        Metric("cpc", "CPC", "spend / clicks", "lower", "currency"),
        Metric("cpm", "CPM", "spend / impressions * 1000", "lower", "currency"),
        Metric("conversion_rate", "Conversion rate", "conversions / sessions", unit="percent"),
        Metric("cpa", "CPA", "spend / conversions", "lower", "currency"),
        Metric("roas", "ROAS", "revenue / spend", unit="ratio"),
        Metric("roi", "ROI", "(revenue - spend) / spend", unit="percent"),
        Metric("aov", "AOV", "revenue / conversions", unit="currency"),
        Metric("cac", "CAC", "spend / new_customers", "lower", "currency"),
    )
)

WORDS = Words()

SCENARIOS = [
    Scenario("optimistic", 1.15, "Raise targets", 0.0),
    Scenario("realistic", 1.0, "Tune the weakest tactic", 500.0),
    Scenario("pessimistic", 0.75, "Rethink the channel mix", 2000.0),
]


def settings(start: dt.date, months: int, **kw: Any) -> Settings:
    return Settings("Key plan", "Key Co", "EUR", start, months, **kw)


def data(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Canonical Data from (date, channel, campaign, impressions, clicks, sessions,
    conversions, revenue, spend, new_customers) tuples; short tuples leave measures empty."""
    full = [list(r) + [None] * (len(DATA_COLUMNS) - len(r)) for r in rows]
    raw = pd.DataFrame(full, columns=list(DATA_COLUMNS), dtype=object)
    return canonical_frame(raw, "key.csv")


def run(plan: Plan, frame: pd.DataFrame, *, forecasts: bool = True) -> Results:
    """The engine's results; ``forecasts=False``: year-end by the run-rate rule alone."""
    return Engine(plan, frame, CATALOG, WORDS, forecasts=forecasts).run()


@functools.cache
def _compiled(formula: str) -> Any:
    import formulas

    return formulas.Parser().ast("=" + formula)[1].compile()


def xl(formula: str, **cells: Any) -> Any:
    """The value of a formula body over constant cells, as the `formulas` package computes
    it (an empty cell is None); numbers come back as float, truth values as bool."""
    import numpy as np
    import schedula

    func = _compiled(formula)
    args = [schedula.EMPTY if cells[name] is None else cells[name] for name in func.inputs]
    value = np.asarray(func(*args)).ravel()[0]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | np.floating | int | float):
        return float(value)
    return value
