"""Answer key for what the engine derives from the as-of date: the first day of its
period (the last-month window's start) in either calendar, and the period it falls in,
at the plan's first day and at a period's last."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.keys import SCENARIOS, D, data, run, settings
from xlmplan.core.model import Plan

pytestmark = pytest.mark.core


@pytest.mark.parametrize(
    ("start", "as_of", "calendar", "month_start", "index"),
    [
        # Solar Hijri: Ordibehesht 1405 runs 2026-04-21 .. 2026-05-21, the plan's second
        # period (0-based 1, numbered 2); its first day, not 1 April, opens the window
        (D(2026, 3, 21), D(2026, 4, 25), "solar-hijri", D(2026, 4, 21), 1),
        # as of the plan's very first day: the first period
        (D(2026, 1, 1), D(2026, 1, 1), "gregorian", D(2026, 1, 1), 0),
        # as of February's last day: February
        (D(2026, 1, 1), D(2026, 2, 28), "gregorian", D(2026, 2, 1), 1),
    ],
)
def test_the_as_of_period(
    start: dt.date, as_of: dt.date, calendar: str, month_start: dt.date, index: int
) -> None:
    plan = Plan(
        settings(start, 3, as_of=as_of, calendar=calendar),
        scenarios=list(SCENARIOS),
        channels=["Search"],
    )
    res = run(plan, data((D(2026, 1, 5), "Search", "", 1)), forecasts=False)
    assert (res.as_of, res.last_month_start) == (as_of, month_start)
    assert (res.as_of_period, res.as_of_number) == (index, index + 1)


def test_no_as_of_in_a_solar_hijri_plan() -> None:
    # the only Data row (2025-01-05) lies before the plan: no as-of date, no window
    plan = Plan(settings(D(2026, 3, 21), 3, calendar="solar-hijri"), scenarios=list(SCENARIOS))
    res = run(plan, data((D(2025, 1, 5), "Search", "", 1)), forecasts=False)
    assert (res.as_of, res.last_month_start, res.as_of_period) == (None, None, None)
