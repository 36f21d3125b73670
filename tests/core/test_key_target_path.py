"""Answer key for target paths, target to date and on-pace attainment (``core.target_path``).

Every figure is worked by hand in the comment beside it. The plan Q1 2024 has January (31
days), a leap February (29) and March (31): 91 days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xlmplan.core.periods import SOLAR_HIJRI, parse_start, plan_periods
from xlmplan.core.target_path import (
    EMPTY_HISTORY,
    EVEN,
    MANUAL,
    NO_HISTORY,
    RATIO_METRIC,
    SEASONAL,
    attainment_to_date,
    history_periods,
    pace_status,
    target_path,
    target_to_date,
)

pytestmark = pytest.mark.core
D = dt.date
WORDS = ("Green", "Amber", "Red")
Q1 = plan_periods(D(2024, 1, 1), 3)
YEAR_2026 = plan_periods(D(2026, 1, 1), 12)


def close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) < 1e-9


# --- even paths ------------------------------------------------------------------------------


def test_even_additive_path_follows_days() -> None:
    # 910 × 31/91 = 310, 910 × 29/91 = 290, 910 × 31/91 = 310; they add up to 910.
    path = target_path(910.0, None, True, Q1)
    assert path.values == (310.0, 290.0, 310.0) and path.method == EVEN
    assert path.fallback is None


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2024, 1, 1), 10.0),  # first day of the plan: 310 × 1/31
        (D(2024, 1, 31), 310.0),  # last day of January: 310 × 31/31
        (D(2024, 2, 1), 320.0),  # first day of February: 310 + 290 × 1/29
        (D(2024, 2, 29), 600.0),  # the leap day closes February: 310 + 290
        (D(2024, 3, 15), 750.0),  # 600 + 310 × 15/31 = 600 + 150
        (D(2024, 3, 31), 910.0),  # last day of the plan: the whole target
        (D(2024, 4, 10), 910.0),  # after the plan: counts as its last day
    ],
)
def test_additive_target_to_date(as_of: dt.date, expected: float) -> None:
    path = target_path(910.0, None, True, Q1).values
    assert close(target_to_date(path, Q1, as_of, True), expected)


def test_no_target_to_date_before_the_plan_or_without_as_of_or_target() -> None:
    path = target_path(910.0, None, True, Q1).values
    assert target_to_date(path, Q1, D(2023, 12, 31), True) is None
    assert target_to_date(path, Q1, None, True) is None
    blank = target_path(None, None, True, Q1).values
    assert blank == (None, None, None)
    assert target_to_date(blank, Q1, D(2024, 2, 1), True) is None


def test_on_pace_against_target_to_date_not_the_full_year() -> None:
    # As of 2024-03-15 the target to date is 750 (above). Actual 720: 720/750 = 0.96, Amber,
    # where the whole-year comparison 720/910 = 0.791209 would say Red.
    assert attainment_to_date(720.0, 750.0, "higher") == 0.96
    assert pace_status(0.96, 0.9, WORDS) == "Amber"
    assert attainment_to_date(720.0, 910.0, "higher") == 0.791209
    # 660/750 = 0.88 -> Red; exactly on the path, 750/750 = 1 -> Green.
    assert pace_status(attainment_to_date(660.0, 750.0, "higher"), 0.9, WORDS) == "Red"
    assert pace_status(attainment_to_date(750.0, 750.0, "higher"), 0.9, WORDS) == "Green"


def test_lower_is_better_additive() -> None:
    # A spend ceiling of 910 for Q1: due 750 by 2024-03-15; spent 800: 750/800 = 0.9375,
    # Amber; spent 700: 750/700 = 1.071429 (1.0714285...), Green.
    due = target_to_date(target_path(910.0, None, True, Q1).values, Q1, D(2024, 3, 15), True)
    assert close(due, 750.0)
    assert attainment_to_date(800.0, due, "lower") == 0.9375
    assert attainment_to_date(700.0, due, "lower") == 1.071429
    assert pace_status(0.9375, 0.9, WORDS) == "Amber"


def test_ratio_path_runs_from_baseline_to_target() -> None:
    # CPA from 50 to 40 over 91 days. End of January: 31 days elapsed,
    # 50 - 10 × 31/91 = 4240/91 = 46.593407; end of February: 60 days, 50 - 600/91 = 3950/91;
    # end of March: the target, 40.
    path = target_path(40.0, 50.0, False, Q1)
    assert close(path.values[0], 4240 / 91) and close(path.values[1], 3950 / 91)
    assert close(path.values[2], 40.0)
    assert round(path.values[0], 6) == 46.593407  # type: ignore[arg-type]
    # Target to date for a ratio is the value of the as-of period: 2024-02-10 -> February.
    due = target_to_date(path.values, Q1, D(2024, 2, 10), False)
    assert close(due, 3950 / 91)
    # first and last day of January both read January's value
    assert close(target_to_date(path.values, Q1, D(2024, 1, 1), False), 4240 / 91)
    assert close(target_to_date(path.values, Q1, D(2024, 1, 31), False), 4240 / 91)
    # Lower is better: target ÷ actual = (3950/91)/45 = 3950/4095 = 0.9645909... -> 0.964591
    assert attainment_to_date(45.0, due, "lower") == 0.964591
    assert pace_status(0.964591, 0.9, WORDS) == "Amber"


def test_ratio_without_baseline_keeps_its_target() -> None:
    path = target_path(0.05, None, False, Q1)
    assert path.values == (0.05, 0.05, 0.05)
    assert target_to_date(path.values, Q1, D(2024, 3, 31), False) == 0.05


def test_zero_target() -> None:
    # Additive target 0: the path is 0 everywhere, so is the target to date; attainment
    # actual ÷ 0 has no value and there is no status (never a made-up Red).
    path = target_path(0.0, None, True, Q1).values
    assert path == (0.0, 0.0, 0.0)
    due = target_to_date(path, Q1, D(2024, 2, 1), True)
    assert due == 0.0
    assert attainment_to_date(12.0, due, "higher") is None
    assert pace_status(None, 0.9, WORDS) is None
    # Lower is better with a 0 target: 0 ÷ 5 = 0 -> Red; 0 ÷ 0 has no value.
    assert attainment_to_date(5.0, 0.0, "lower") == 0.0
    assert attainment_to_date(0.0, 0.0, "lower") is None


# --- seasonal ----------------------------------------------------------------------------------

HISTORY = [100.0] * 10 + [200.0, 300.0]  # 2025 by month: total 1,500


def test_seasonal_path_takes_last_years_shares() -> None:
    # Target 3,000 × month ÷ 1,500: 200 in Jan..Oct, 400 in November, 600 in December.
    path = target_path(
        3000.0, None, True, YEAR_2026, SEASONAL, history=HISTORY, data_first=D(2025, 1, 1)
    )
    assert path.method == SEASONAL and path.fallback is None
    assert path.values == (200.0,) * 10 + (400.0, 600.0)
    # As of 2026-11-15: 10 × 200 + 400 × 15/30 = 2,200.
    assert close(target_to_date(path.values, YEAR_2026, D(2026, 11, 15), True), 2200.0)


def test_seasonal_path_of_a_six_month_plan_sums_to_its_target() -> None:
    # Jan..Jun weigh 100, 200, 300, 400, 500, 500 (total 2,000): target 1,000 gives
    # 50, 100, 150, 200, 250, 250.
    half = plan_periods(D(2026, 1, 1), 6)
    history = [100.0, 200.0, 300.0, 400.0, 500.0, 500.0] + [900.0] * 6
    path = target_path(
        1000.0, None, True, half, "Seasonal", history=history, data_first=D(2024, 5, 1)
    )
    assert path.values == (50.0, 100.0, 150.0, 200.0, 250.0, 250.0)


@pytest.mark.parametrize(
    ("additive", "history", "data_first", "why"),
    [
        (True, HISTORY, D(2025, 1, 2), NO_HISTORY),  # one day short of 12 months
        (True, HISTORY, None, NO_HISTORY),  # no Data at all
        (False, HISTORY, D(2024, 1, 1), RATIO_METRIC),
        (True, [0.0] * 12, D(2024, 1, 1), EMPTY_HISTORY),
    ],
)
def test_seasonal_falls_back_to_even_and_says_why(
    additive: bool, history: list[float], data_first: dt.date | None, why: str
) -> None:
    path = target_path(
        3650.0, 10.0, additive, YEAR_2026, SEASONAL, history=history, data_first=data_first
    )
    assert path.method == EVEN and path.fallback == why
    # even: 3,650 × 31/365 = 310 for January (additive); ratio: 10 + 3,640 × 31/365
    assert close(path.values[0], 310.0 if additive else 10.0 + 3640.0 * 31 / 365)


def test_history_is_the_twelve_months_before_the_plan_in_its_calendar() -> None:
    # A plan from 1 Farvardin 1405 looks back at Farvardin..Esfand 1404:
    # 2025-03-21 .. 2026-03-20 (1404 is not leap: Esfand has 29 days, 365 in all).
    sh = plan_periods(parse_start("1405-01", SOLAR_HIJRI), 12, SOLAR_HIJRI)
    back = history_periods(sh)
    assert (back.first, back.last, back.days) == (D(2025, 3, 21), D(2026, 3, 20), 365)
    assert (history_periods(YEAR_2026).first, history_periods(YEAR_2026).last) == (
        D(2025, 1, 1),
        D(2025, 12, 31),
    )


# --- typed values -----------------------------------------------------------------------------


def test_a_typed_value_wins_in_its_period() -> None:
    # Even path 310, 290, 310; February typed as 400 (text in March is ignored):
    # 310, 400, 310. As of 2024-02-15: 310 + 400 × 15/29 = 310 + 6000/29 = 516.896552.
    path = target_path(910.0, None, True, Q1, EVEN, manual=[None, 400.0, "x"])
    assert path.values == (310.0, 400.0, 310.0) and path.method == MANUAL
    due = target_to_date(path.values, Q1, D(2024, 2, 15), True)
    assert close(due, 310 + 6000 / 29) and round(due, 6) == 516.896552  # type: ignore[arg-type]
    # method manual with nothing typed yet follows the even path
    assert target_path(910.0, None, True, Q1, "manual").values == (310.0, 290.0, 310.0)
    # typed values make a path even without a plan target
    typed = target_path(None, None, True, Q1, MANUAL, manual=[1.0, 2.0, 3.0])
    assert typed.values == (1.0, 2.0, 3.0)


# --- Solar Hijri plan ---------------------------------------------------------------------------


def test_solar_hijri_plan_to_date_at_esfand() -> None:
    # 1405: 365 days, Farvardin 31 days, Esfand 29. Target 3,650: Farvardin 3,650 × 31/365
    # = 310, Esfand 3,650 × 29/365 = 290. As of 1 Esfand (2027-02-20): the 11 months before
    # hold 3,650 - 290 = 3,360, plus 290 × 1/29 = 10: 3,370. As of 29 Esfand: 3,650.
    sh = plan_periods(parse_start("1405-01", SOLAR_HIJRI), 12, SOLAR_HIJRI)
    path = target_path(3650.0, None, True, sh).values
    assert close(path[0], 310.0) and close(path[11], 290.0)
    assert close(target_to_date(path, sh, D(2027, 2, 20), True), 3370.0)
    assert close(target_to_date(path, sh, D(2027, 3, 20), True), 3650.0)
