"""Answer key for how the engine links objectives: a parent counts for relevance only when
it is a primary objective with that id; a strategy serves an objective by its id, never a
blank one.

Plan 2028-01-01 .. 2028-12-31, one KPI K1 (revenue on Search). No objective cites a SWOT
factor, so its relevance comes from its parent alone:

    id    level      parent  relevant  why
    ""    Primary    ""      0         no parent (a blank parent never names the blank id)
    P1    Primary    ""      0         no parent
    S1    Secondary  P1      1         P1 is primary
    A     Secondary  S1      0         S1 exists but is secondary
    B     Secondary  X9      0         no objective X9 (P1 and "" are primary, other ids)
    C     Secondary  p1      1         P1 in another case

Strategies: "Orphan plan" names the blank objective id, "Serve P1" names P1.
"""

from __future__ import annotations

import pytest

from tests.core.keys import SCENARIOS, D, data, run, settings
from xlmplan.core.model import Kpi, Objective, Plan, Strategy

pytestmark = pytest.mark.core


def objective(oid: str, level: str, parent: str) -> Objective:
    return Objective(
        oid, level, parent, "Short", "Quantitative", "Convert", "Grow search revenue by half",
        "K1", 100.0, 150.0, D(2028, 12, 31), "",
    )  # fmt: skip


def strategy(objective_id: str, text: str) -> Strategy:
    return Strategy("", objective_id, "SEO", "Search", "SO", "", text, "", "", None, None, None)


def test_relevance_by_parent_and_strategies_by_id() -> None:
    plan = Plan(
        settings(D(2028, 1, 1), 12),
        objectives=[
            objective("", "Primary", ""),
            objective("P1", "Primary", ""),
            objective("S1", "Secondary", "P1"),
            objective("A", "Secondary", "S1"),
            objective("B", "Secondary", "X9"),
            objective("C", "Secondary", "p1"),
        ],
        kpis=[Kpi("K1", "Search revenue", "Revenue", "Search", 5000.0, "higher")],
        strategies=[strategy("", "Orphan plan"), strategy("P1", "Serve P1")],
        scenarios=list(SCENARIOS),
        channels=["Search"],
    )
    res = run(plan, data((D(2028, 1, 10), "Search", "", 0, 0, 0, 1, 100, 10, 0)), forecasts=False)
    assert [flags[3] for flags in res.smart] == [0, 0, 1, 0, 0, 1]
    assert [row["strategies"] for row in res.objective_rows] == [
        "", "Serve P1", "", "", "", ""
    ]  # fmt: skip
