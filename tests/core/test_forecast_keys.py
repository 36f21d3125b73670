"""Answer key for each KPI's forecast to plan end (``core.kpi_forecast``).

Every figure is worked by hand in the comment beside it. The run-rate rule is used (short
histories), so each value follows from sums and days alone.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.core.keys import CATALOG, SCENARIOS, data, run, settings, xl
from xlmplan.core.forecast import RUN_RATE
from xlmplan.core.kpi_forecast import (
    ACTUAL,
    MeasureForecast,
    horizon,
    kpi_forecast,
    measure_forecast,
    scenario_value,
    scenario_value_xl,
    stale,
    stale_xl,
)
from xlmplan.core.model import Kpi, Plan, ScenarioValue

pytestmark = pytest.mark.core
D = dt.date


def close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) < 1e-9


# --- where the forecast starts ---------------------------------------------------------------


def test_history_is_whole_periods_and_the_as_of_period_counts_its_days_ahead() -> None:
    # Data from 10 Jan 2024: January is only partly covered, so history starts in February
    # 2024 and ends with April 2026 (May is under way on the 17th): 27 periods.
    h = horizon(D(2026, 1, 1), 12, D(2026, 5, 17), D(2024, 1, 10))
    assert len(h.history_days) == 27
    assert h.history_firsts[0] == np.datetime64("2024-02-01")
    assert h.history_last == D(2026, 4, 30)
    # Forecast periods May .. December (8); May's 14 days after the 17th of 31 remain.
    assert list(h.future_days) == [31, 30, 31, 31, 30, 31, 30, 31]
    assert close(float(h.share[0]), 14 / 31)
    assert list(h.share[1:]) == [1.0] * 7
    assert list(h.plan_index) == [4, 5, 6, 7, 8, 9, 10, 11]


def test_an_as_of_date_on_a_period_end_makes_that_period_history() -> None:
    h = horizon(D(2026, 1, 1), 12, D(2026, 5, 31), D(2026, 1, 1))
    assert h.history_last == D(2026, 5, 31)  # January .. May: 5 periods
    assert len(h.history_days) == 5
    assert list(h.plan_index) == [5, 6, 7, 8, 9, 10, 11]  # June .. December
    assert list(h.share) == [1.0] * 7


def test_a_plan_that_starts_after_the_data_forecasts_every_plan_period() -> None:
    # Data to 30 Nov 2025, plan from January 2026: December 2025 lies outside the plan.
    h = horizon(D(2026, 1, 1), 3, D(2025, 11, 30), D(2025, 1, 1))
    assert len(h.history_days) == 11
    assert list(h.plan_index) == [-1, 0, 1, 2]
    assert list(h.share) == [0.0, 1.0, 1.0, 1.0]


def test_a_complete_plan_has_nothing_left_to_forecast() -> None:
    h = horizon(D(2026, 1, 1), 3, D(2026, 3, 31), D(2026, 1, 1))
    m = measure_forecast("revenue", np.array([31.0, 28.0, 31.0]), 90.0, h)
    assert m.model == ACTUAL
    assert (m.total, m.total_lower, m.total_upper) == (90.0, 90.0, 90.0)
    assert m.mean == (None, None, None)


# --- one measure -------------------------------------------------------------------------------


def test_run_rate_by_hand_with_a_partial_period() -> None:
    # Plan Jan–Apr 2026 (31, 28, 31, 30 days), as of 15 Mar. History: January 31 and
    # February 56 → rates 1 and 2 a day; rate = 87 ÷ 59 days = 1.474576…
    # March keeps 16 of 31 days: 1.474576 × 31 × 16/31 = 23.593220; April: × 30 = 44.237288.
    # Actual to date (Jan 1 – Mar 15) 120, so the year-end total is 187.830508.
    h = horizon(D(2026, 1, 1), 4, D(2026, 3, 15), D(2026, 1, 1))
    m = measure_forecast("revenue", np.array([31.0, 56.0]), 120.0, h)
    rate = 87 / 59
    assert m.model == RUN_RATE
    assert m.mean[:2] == (None, None)
    assert close(m.mean[2], rate * 16)
    assert close(m.mean[3], rate * 30)
    assert close(m.total, 120 + rate * 46)
    # Interval: s = stdev(1, 2) = 0.707107, × √(1 + 1/2) = 0.866025, t(0.9, 1) = 3.078:
    # half-width 2.665625 a day; lower rate max(1.474576 − 2.665625, 0) = 0, upper 4.140201.
    half = 3.078 * np.std([1.0, 2.0], ddof=1) * np.sqrt(1.5)
    assert m.lower[2] == 0.0 and close(m.total_lower, 120.0)
    assert close(m.upper[3], (rate + half) * 30)
    assert close(m.total_upper, 120 + (rate + half) * 46)


def test_one_period_of_history_gives_a_centre_but_no_interval() -> None:
    h = horizon(D(2026, 1, 1), 3, D(2026, 1, 31), D(2026, 1, 1))
    m = measure_forecast("revenue", np.array([62.0]), 62.0, h)  # 2 a day
    assert close(m.total, 62 + 2 * 28 + 2 * 31)
    assert m.total_lower is None and m.total_upper is None


# --- a KPI -------------------------------------------------------------------------------------


def _measure(name: str, total: float, lo: float, hi: float) -> MeasureForecast:
    return MeasureForecast(name, RUN_RATE, 0.0, (), (), (), total, lo, hi)


def test_a_ratio_metric_takes_the_extremes_of_its_measures_box() -> None:
    # Conversion rate = conversions ÷ sessions: centre 100 ÷ 1000 = 0.1; least 80 ÷ 1100,
    # greatest 120 ÷ 900.
    metric = CATALOG.by_label("Conversion rate")
    measures = [_measure("sessions", 1000, 900, 1100), _measure("conversions", 100, 80, 120)]
    f = kpi_forecast(metric, measures, "higher")
    assert close(f.year_end, 0.1)
    assert close(f.lower, 80 / 1100) and close(f.upper, 120 / 900)
    # higher is better: optimistic = upper bound, realistic = centre, pessimistic = lower
    assert f.cases == (f.upper, f.year_end, f.lower)


def test_lower_is_better_puts_the_lower_bound_in_the_optimistic_case() -> None:
    metric = CATALOG.by_label("CPA")  # spend ÷ conversions
    measures = [_measure("conversions", 100, 80, 125), _measure("spend", 2000, 1800, 2200)]
    f = kpi_forecast(metric, measures, "lower")
    assert close(f.year_end, 20.0)
    assert close(f.lower, 1800 / 125) and close(f.upper, 2200 / 80)
    assert f.cases == (f.lower, f.year_end, f.upper)


def test_a_ratio_whose_denominator_can_be_zero_has_no_interval() -> None:
    metric = CATALOG.by_label("Conversion rate")
    measures = [_measure("sessions", 10, 0, 20), _measure("conversions", 1, 0, 2)]
    f = kpi_forecast(metric, measures, "higher")
    assert close(f.year_end, 0.1)
    assert f.lower is None and f.upper is None and f.cases == (None, 0.1, None)


# --- typed values, the multipliers and staleness ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "bound", "fallback", "expected"),
    [(5.0, 4.0, 3.0, 5.0), (None, 4.0, 3.0, 4.0), (None, None, 3.0, 3.0), (None, None, None, None)],
)
def test_scenario_value_and_its_twin(
    typed: float | None, bound: float | None, fallback: float | None, expected: float | None
) -> None:
    assert scenario_value(typed, bound, fallback) == expected
    got = xl(
        scenario_value_xl("T", "B", "F"), T=typed, B=bound, F="" if fallback is None else fallback
    )
    assert (got in ("", None)) if expected is None else close(got, expected)


@pytest.mark.parametrize(
    ("as_of", "total_now", "expected"),
    [
        (D(2026, 5, 17), 1000.0, False),
        (D(2026, 5, 18), 1000.0, True),  # Data runs later now
        (D(2026, 5, 17), 1000.01, True),  # a value was edited
        (D(2026, 5, 17), 1000.0 + 1e-10, False),  # summation noise is no edit
        (None, 1000.0, True),
    ],
)
def test_stale_and_its_twin(as_of: dt.date | None, total_now: float, expected: bool) -> None:
    stamp = D(2026, 5, 17)
    assert stale(stamp, as_of, 1000.0, total_now) is expected
    serial = None if as_of is None else float((as_of - D(1899, 12, 30)).days)
    got = xl(stale_xl("S", "A", "T", "N"), S=46159.0, A=serial, T=1000.0, N=total_now)
    assert (stamp - D(1899, 12, 30)).days == 46159
    assert got is expected


def _two_month_plan() -> Plan:
    """Plan Jan–Mar 2026 as of 28 February, one KPI: revenue, target 300."""
    plan = Plan(
        settings=settings(D(2026, 1, 1), 3, as_of=D(2026, 2, 28)),
        channels=["Web"],
        scenarios=SCENARIOS,
    )
    plan.kpis = [Kpi("K1", "Revenue", "Revenue", "All", 300.0, "higher")]
    return plan


def test_the_engine_uses_the_forecast_for_the_scenarios_and_typed_values_win() -> None:
    # January 62, February 84 (2 and 3 a day), as of 28 Feb: the run-rate is 146 ÷ 59 a day,
    # March (31 days) 76.711864; year-end 146 + 76.711864 = 222.711864, 0.742373 of 300:
    # below the 0.75 trigger, so pessimistic.
    plan = _two_month_plan()
    frame = data(
        ("2026-01-01", "Web", "", 0, 0, 0, 0, 62), ("2026-02-01", "Web", "", 0, 0, 0, 0, 84)
    )
    res = run(plan, frame)
    f, kr = res.forecasts[0], res.kpis[0]
    year_end = 146 + 146 / 59 * 31
    assert close(f.year_end, year_end) and close(kr.projection, year_end)
    assert kr.projected_attainment == round(year_end / 300, 6)
    assert kr.scenario == "Pessimistic"
    assert kr.scenario_projections == [f.upper, f.year_end, f.lower]
    plan.scenario_values = [ScenarioValue("k1", None, 250.0, None)]  # ids match in any case
    kr = run(plan, frame).kpis[0]
    assert kr.scenario_projections[1] == 250.0
    assert kr.scenario == "Pessimistic"  # the verdict follows the forecast, not a typed case


def test_without_data_for_its_channel_a_kpi_keeps_the_multipliers() -> None:
    plan = _two_month_plan()
    plan.kpis[0].channel = "Shop"  # no Data row has this channel
    frame = data(("2026-01-01", "Web", "", 0, 0, 0, 0, 62))
    res = run(plan, frame)
    assert not res.forecasts[0].exists
    assert res.kpis[0].actual is None
    assert res.kpis[0].scenario_projections == [None, None, None]
