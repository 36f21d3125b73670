"""More answer keys for periods and target paths: the edges of their refusals and fallbacks.

Worked by hand; the plan Q1 2024 is January (31 days), a leap February (29) and March (31).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlmplan.core.periods import (
    GREGORIAN,
    SOLAR_HIJRI,
    PeriodError,
    fiscal_year_start,
    label_pattern,
    month_names,
    parse_start,
    period_index,
    period_sums,
    plan_periods,
)
from xlmplan.core.target_path import (
    EMPTY_HISTORY,
    EVEN,
    MANUAL,
    SEASONAL,
    history_periods,
    seasonal_ok,
    seasonal_path,
    target_path,
)

pytestmark = pytest.mark.core

D = dt.date
Q1 = plan_periods(D(2024, 1, 1), 3)


def test_fiscal_year_start_accepts_december_and_refuses_other_numbers() -> None:
    # years from December: 2026-02-10 lies in the year from 2025-12-01; 2026-12-05 in 2026's
    assert fiscal_year_start(D(2026, 2, 10), 12) == D(2025, 12, 1)
    assert fiscal_year_start(D(2026, 12, 5), 12) == D(2026, 12, 1)
    assert fiscal_year_start(D(2026, 1, 1), 1) == D(2026, 1, 1)
    for bad in (0, 13):
        with pytest.raises(PeriodError, match=rf"^fiscal start {bad} is not a month 1\.\.12"):
            fiscal_year_start(D(2026, 2, 10), bad)


def test_parse_start_months_and_messages() -> None:
    assert parse_start("2026-12") == D(2026, 12, 1)
    assert parse_start("2026-1") == D(2026, 1, 1)
    with pytest.raises(
        PeriodError, match=r"^--start '2026-13': month 13 is not 1\.\.12 \(e\.g\. 2026-01\)$"
    ):
        parse_start("2026-13")
    with pytest.raises(PeriodError, match=r"month 0 is not 1\.\.12 \(e\.g\. 1405-01\)$"):
        parse_start("1405-00", SOLAR_HIJRI)
    with pytest.raises(
        PeriodError, match=r"^--start 'May': write the first month as YYYY-MM \(e\.g\. 2026-01\)$"
    ):
        parse_start("May")
    with pytest.raises(PeriodError, match=r"as YYYY-MM \(e\.g\. 1405-01\)$"):
        parse_start("Mehr", SOLAR_HIJRI)


def test_parse_start_tells_the_calendars_apart_at_1700() -> None:
    # a Gregorian plan reads years from 1700 on; a Solar Hijri one years before 1700
    assert parse_start("1700-01") == D(1700, 1, 1)
    assert parse_start("1699-01", SOLAR_HIJRI) == D(2320, 3, 21)  # 1 Farvardin 1699
    with pytest.raises(
        PeriodError,
        match=r"^--start '1699-12' reads as a Solar Hijri month but the plan's calendar is "
        r"gregorian — give a gregorian month \(e\.g\. 2026-01\) or change the calendar$",
    ):
        parse_start("1699-12")
    with pytest.raises(
        PeriodError,
        match=r"^--start '1700-01' reads as a Gregorian month but the plan's calendar is "
        r"solar-hijri — give a solar-hijri month \(e\.g\. 1405-01\) or change the calendar$",
    ):
        parse_start("1700-01", SOLAR_HIJRI)


def test_unknown_calendar_names_the_known_ones() -> None:
    with pytest.raises(
        PeriodError, match=r"^calendar 'julian' is unknown — use one of gregorian, solar-hijri$"
    ):
        plan_periods(D(2024, 1, 1), 3, "julian")


def test_month_names_and_label_pattern_fall_back_to_english() -> None:
    names = month_names({}, GREGORIAN)
    assert names[0] == "January" and names[11] == "December" and len(names) == 12
    assert month_names({"period.sh01": "فروردین"}, SOLAR_HIJRI)[:2] == ("فروردین", "Ordibehesht")
    assert label_pattern({}) == "{month} {year}"
    assert label_pattern({"period.label": "{year}/{month}"}) == "{year}/{month}"


def test_a_plan_needs_a_month() -> None:
    with pytest.raises(PeriodError, match="^a plan needs at least one month, not 0$"):
        plan_periods(D(2024, 1, 1), 0)


def test_period_of_a_time_on_the_last_day_and_sums_of_text_columns() -> None:
    data = pd.DataFrame(
        {
            # 23:00 on the plan's last day is still March; NaT is in no period
            "date": [pd.Timestamp("2024-03-31 23:00"), pd.Timestamp("2024-01-01"), pd.NaT],
            "spend": pd.Series([None, 2, 5], dtype=object),  # a blank in an object column
            "clicks": [1.0, 2.0, 4.0],
        }
    )
    assert period_index(data["date"], Q1).tolist() == [2, 0, -1]
    sums = period_sums(data, Q1, ["spend", "clicks"])
    assert sums.index.name == "period" and sums.index.tolist() == [0, 1, 2]
    assert sums.to_dict("list") == {"spend": [2.0, 0.0, 0.0], "clicks": [2.0, 0.0, 1.0]}


# --- target paths --------------------------------------------------------------------------


def test_history_periods_take_the_plans_month_names() -> None:
    names = [f"m{i}" for i in range(1, 13)]
    last_year = history_periods(Q1, names)
    assert last_year.first == D(2023, 1, 1) and last_year.last == D(2023, 12, 31)
    assert last_year[0].label == "m1 2023" and last_year[11].label == "m12 2023"


def test_seasonal_ok_with_a_small_positive_total() -> None:
    # half a conversion in last year's months is still a shape
    assert seasonal_ok(D(2022, 6, 1), D(2023, 1, 1), 0.5, True) is None
    assert seasonal_ok(D(2022, 6, 1), D(2023, 1, 1), 0.0000004, True) == EMPTY_HISTORY


def test_seasonal_path_blank_cases() -> None:
    # weights 1, 3: 100 * 1/4 and 100 * 3/4; a total of 0.5 still divides
    assert seasonal_path(100.0, [1.0, 3.0]) == [25.0, 75.0]
    assert seasonal_path(10.0, [0.25, 0.25]) == [5.0, 5.0]
    assert seasonal_path("n/a", [1.0, 3.0]) == [None, None]
    assert seasonal_path(100.0, [0.0, 0.0]) == [None, None]
    assert seasonal_path(None, [1.0]) == [None]


def test_seasonal_without_history_falls_back_to_even() -> None:
    # no history: twelve zero months, so an empty history; the even path (91 days):
    # 910 * 31/91 = 310, * 29/91 = 290, * 31/91 = 310
    path = target_path(910.0, None, True, Q1, SEASONAL, data_first=D(2020, 1, 1))
    assert (path.method, path.fallback) == (EVEN, EMPTY_HISTORY)
    assert path.values == pytest.approx((310.0, 290.0, 310.0))


def test_typed_values_shorter_than_the_plan() -> None:
    # a value typed for January only: January 500, the even path elsewhere
    path = target_path(910.0, None, True, Q1, EVEN, manual=[500.0])
    assert path.method == MANUAL
    assert path.values == pytest.approx((500.0, 290.0, 310.0))


def test_manual_method_before_anything_is_typed() -> None:
    path = target_path(910.0, None, True, Q1, " Manual ")
    assert (path.method, path.fallback) == (MANUAL, None)
    assert path.values == pytest.approx((310.0, 290.0, 310.0))
