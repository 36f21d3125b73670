"""Answer key for a KPI's last-year value (the baseline the Targets sheet offers): its
channel's metric over the twelve months before the plan, from their first day to the day
before the plan starts, and blank where Data does not reach back to that first day or the
channel has no rows then.

Plan Q1 2024; last year is 2023-01-01 .. 2023-12-31. Revenue rows:

    2022-12-31 Search    1   before last year, but Data starts here
    2023-01-01 Search  100   last year's first day
    2023-06-01 Social 1000
    2023-12-31 Search   50   the day before the plan
    2024-01-01 Search    7   the plan's first day: not last year
    2024-01-10 Email     5   Email has no row last year
"""

from __future__ import annotations

import pytest

from tests.core.keys import SCENARIOS, D, data, run, settings
from xlmplan.core.model import Kpi, Plan

pytestmark = pytest.mark.core

ROWS = [
    (D(2022, 12, 31), "Search", "", 0, 0, 0, 0, 1, 0),
    (D(2023, 1, 1), "Search", "", 0, 0, 0, 0, 100, 0),
    (D(2023, 6, 1), "Social", "", 0, 0, 0, 0, 1000, 0),
    (D(2023, 12, 31), "Search", "", 0, 0, 0, 0, 50, 0),
    (D(2024, 1, 1), "Search", "", 0, 0, 0, 0, 7, 0),
    (D(2024, 1, 10), "Email", "", 0, 0, 0, 0, 5, 0),
]


def kpi(kid: str, channel: str) -> Kpi:
    return Kpi(kid, f"{channel} revenue", "Revenue", channel, 1000.0, "higher")


def plan() -> Plan:
    return Plan(
        settings(D(2024, 1, 1), 3),
        kpis=[kpi("K1", "Search"), kpi("K2", "All"), kpi("K3", "Email")],
        scenarios=list(SCENARIOS),
        channels=["Search", "Social", "Email"],
    )


def test_last_year_over_the_kpis_channel() -> None:
    res = run(plan(), data(*ROWS), forecasts=False)
    # Search: 100 + 50 = 150; all channels: 150 + 1000 = 1150; Email: no row, blank
    assert [k.last_year for k in res.kpis] == [150.0, 1150.0, None]


def test_no_last_year_when_data_starts_after_its_first_day() -> None:
    # without the 2022 and 2023-01-01 rows, Data starts on 2023-06-01: no full year
    rows = [r for r in ROWS if r[0] > D(2023, 1, 1)]
    res = run(plan(), data(*rows), forecasts=False)
    assert [k.last_year for k in res.kpis] == [None, None, None]
