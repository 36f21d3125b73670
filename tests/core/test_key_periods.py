"""Answer key for the periods table (``xlmplan.core.periods``), every figure worked by hand.

Solar Hijri anchors: 1 Farvardin 1402 = 2023-03-21, 1403 = 2024-03-20, 1404 = 2025-03-21,
1405 = 2026-03-21 (Nowruz as announced). Farvardin..Shahrivar have 31 days, Mehr..Bahman 30,
so 1 Mehr = Nowruz + 186 days and 1 Esfand = Nowruz + 336 days.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
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

pytestmark = pytest.mark.core
D = dt.date
LABELS = Path(__file__).resolve().parents[2] / "workbook_templates" / "labels"


def pack(lang: str) -> dict[str, str]:
    raw = tomllib.loads((LABELS / f"{lang}.toml").read_text(encoding="utf-8"))
    return {f"period.{k}": v for k, v in raw["period"].items()}


def table(periods: object) -> list[tuple[dt.date, dt.date, int, str]]:
    return [(p.first, p.last, p.days, p.label) for p in periods.items]  # type: ignore[attr-defined]


def test_gregorian_leap_february_and_year_boundary() -> None:
    # 2024 is a leap year: February has 29 days; Jan 31 + Feb 29 + Mar 31 = 91 days.
    q1 = plan_periods(D(2024, 1, 1), 3)
    assert table(q1) == [
        (D(2024, 1, 1), D(2024, 1, 31), 31, "January 2024"),
        (D(2024, 2, 1), D(2024, 2, 29), 29, "February 2024"),
        (D(2024, 3, 1), D(2024, 3, 31), 31, "March 2024"),
    ]
    assert q1.days == 91
    # Across a year end: Nov 30 + Dec 31 + Jan 31 = 92 days; the year in the label follows.
    winter = plan_periods(D(2025, 11, 17), 3)  # a start inside a month takes the whole month
    assert table(winter) == [
        (D(2025, 11, 1), D(2025, 11, 30), 30, "November 2025"),
        (D(2025, 12, 1), D(2025, 12, 31), 31, "December 2025"),
        (D(2026, 1, 1), D(2026, 1, 31), 31, "January 2026"),
    ]
    assert winter.days == 92
    # A 12-month 2026 plan: 365 days, 2026 is not a leap year.
    assert plan_periods(D(2026, 1, 1), 12).days == 365


def test_solar_hijri_farvardin_and_ordibehesht_1405() -> None:
    # 1 Farvardin 1405 = 2026-03-21; Farvardin has 31 days: 2026-03-21 + 30 = 2026-04-20.
    # 1 Ordibehesht = 2026-04-21, + 30 = 2026-05-21.
    periods = plan_periods(D(2026, 3, 21), 2, SOLAR_HIJRI)
    assert table(periods) == [
        (D(2026, 3, 21), D(2026, 4, 20), 31, "Farvardin 1405"),
        (D(2026, 4, 21), D(2026, 5, 21), 31, "Ordibehesht 1405"),
    ]


def test_esfand_30_in_leap_1403_and_29_in_1404() -> None:
    # 1403 is leap (2024-03-20 .. 2025-03-20 is 366 days). 1 Esfand 1403 = 2024-03-20 + 336
    # = 2025-02-19 (Mar 20 + 11 = Mar 31, then Apr..Jan add 306 -> 317 on Jan 31, Feb 28 is
    # 345, so 336 is Feb 19). Esfand 1403: Feb 19..28 (10) + Mar 1..20 (20) = 30 days.
    # 1 Esfand 1404 = 2025-03-21 + 336 = 2026-02-20; Feb 20..28 (9) + Mar 1..20 (20) = 29.
    p = plan_periods(D(2025, 2, 19), 2, SOLAR_HIJRI)
    assert table(p) == [
        (D(2025, 2, 19), D(2025, 3, 20), 30, "Esfand 1403"),
        (D(2025, 3, 21), D(2025, 4, 20), 31, "Farvardin 1404"),
    ]
    esfand_1404 = plan_periods(D(2026, 3, 1), 1, SOLAR_HIJRI)[0]  # 2026-03-01 is 10 Esfand 1404
    assert (esfand_1404.first, esfand_1404.last, esfand_1404.days) == (
        D(2026, 2, 20),
        D(2026, 3, 20),
        29,
    )


def test_esfand_1402_holds_the_gregorian_leap_day() -> None:
    # 1 Esfand 1402 = 2023-03-21 + 336 = 2024-02-20 (Jan 31 2024 is +316, Feb 29 is +345);
    # Esfand 1402 runs Feb 20..29 (10 days, with Feb 29) + Mar 1..19 (19) = 29 days.
    esfand = plan_periods(D(2024, 2, 29), 1, SOLAR_HIJRI)[0]
    assert (esfand.first, esfand.last, esfand.days, esfand.label) == (
        D(2024, 2, 20),
        D(2024, 3, 19),
        29,
        "Esfand 1402",
    )


def test_solar_hijri_year_1403_has_366_days_and_mehr_starts_on_day_187() -> None:
    year = plan_periods(D(2024, 3, 20), 12, SOLAR_HIJRI)
    assert year.days == 366  # 6 x 31 + 5 x 30 + 30
    assert [p.days for p in year.items] == [31] * 6 + [30] * 6
    # 1 Mehr 1403 = 2024-03-20 + 186 = 2024-09-22
    assert year[6].first == D(2024, 9, 22)


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        ("en", "Esfand 1404", "Farvardin 1405"),
        ("ar", "إسفند 1404", "فروردين 1405"),
        ("fa", "اسفند 1404", "فروردین 1405"),
    ],
)
def test_labels_in_three_languages(lang: str, first: str, second: str) -> None:
    texts = pack(lang)
    names = month_names(texts, SOLAR_HIJRI)
    periods = plan_periods(D(2026, 2, 20), 2, SOLAR_HIJRI, names, label_pattern(texts))
    assert [p.label for p in periods.items] == [first, second]


@pytest.mark.parametrize(
    ("lang", "december"), [("en", "December 2026"), ("ar", "ديسمبر 2026"), ("fa", "دسامبر 2026")]
)
def test_gregorian_labels_in_three_languages(lang: str, december: str) -> None:
    texts = pack(lang)
    periods = plan_periods(D(2026, 12, 1), 1, GREGORIAN, month_names(texts, GREGORIAN))
    assert periods[0].label == december


def test_fiscal_start_moves_the_plan_year() -> None:
    # Years starting in April: 2026-02-10 lies in the year that began 2025-04-01; the last
    # day of March still does; 1 April starts the next one.
    assert fiscal_year_start(D(2026, 2, 10), 4) == D(2025, 4, 1)
    assert fiscal_year_start(D(2026, 3, 31), 4) == D(2025, 4, 1)
    assert fiscal_year_start(D(2026, 4, 1), 4) == D(2026, 4, 1)
    assert fiscal_year_start(D(2026, 4, 1), 1) == D(2026, 1, 1)
    # Iran's fiscal year starts on 1 Farvardin: 2026-03-20 is 29 Esfand 1404, in 1404.
    assert fiscal_year_start(D(2026, 3, 20), 1, SOLAR_HIJRI) == D(2025, 3, 21)
    assert fiscal_year_start(D(2026, 3, 21), 1, SOLAR_HIJRI) == D(2026, 3, 21)
    # Years from 1 Mehr: 1 Farvardin 1405 lies in the year from 1 Mehr 1404 =
    # 2025-03-21 + 186 = 2025-09-23 (Mar 21 + 10 = Mar 31, Aug 31 is +163, Sep 23 is +186).
    assert fiscal_year_start(D(2026, 3, 21), 7, SOLAR_HIJRI) == D(2025, 9, 23)
    fiscal = plan_periods(fiscal_year_start(D(2026, 2, 10), 4), 12)
    assert (fiscal.first, fiscal.last, fiscal[0].label) == (
        D(2025, 4, 1),
        D(2026, 3, 31),
        "April 2025",
    )
    with pytest.raises(PeriodError, match="fiscal start 13 is not a month 1..12"):
        fiscal_year_start(D(2026, 1, 1), 13)


def test_start_month_is_read_in_the_plan_calendar() -> None:
    assert parse_start("1405-01", SOLAR_HIJRI) == D(2026, 3, 21)
    # 1 Mehr 1405 = 2026-03-21 + 186 = 2026-09-23; Persian digits and '/' read the same.
    assert parse_start("۱۴۰۵/۰۷", SOLAR_HIJRI) == D(2026, 9, 23)
    assert parse_start("2026-01") == D(2026, 1, 1)
    assert parse_start(" 2026-1 ") == D(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "calendar", "message"),
    [
        ("1405-13", SOLAR_HIJRI, "month 13 is not 1..12"),
        ("2026-01", SOLAR_HIJRI, "reads as a Gregorian month but the plan's calendar is solar"),
        ("1405-01", GREGORIAN, "reads as a Solar Hijri month but the plan's calendar is greg"),
        ("Jan 2026", GREGORIAN, "write the first month as YYYY-MM"),
        ("2026-01", "lunar", "calendar 'lunar' is unknown"),
    ],
)
def test_start_month_refusals(text: str, calendar: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_start(text, calendar)


def test_period_index_at_the_edges_of_periods_and_plan() -> None:
    periods = plan_periods(D(2026, 3, 21), 2, SOLAR_HIJRI)  # 03-21..04-20, 04-21..05-21
    dates = pd.Series(
        pd.to_datetime(
            ["2026-03-20", "2026-03-21", "2026-04-20", "2026-04-21", "2026-05-21", "2026-05-22"]
        )
    )
    assert period_index(dates, periods).tolist() == [-1, 0, 0, 1, 1, -1]
    assert period_index(pd.Series([pd.NaT], dtype="datetime64[ns]"), periods).tolist() == [-1]
    assert periods.index_of(D(2026, 4, 20)) == 0 and periods.index_of(D(2026, 5, 22)) is None


def test_period_sums_by_hand() -> None:
    periods = plan_periods(D(2026, 3, 21), 3, SOLAR_HIJRI)
    data = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2026-03-20", "2026-03-21", "2026-04-20", "2026-04-21", "2026-07-01"]
            ),
            "spend": [100.0, 10.0, 5.0, 7.0, np.nan],
            "clicks": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    sums = period_sums(data, periods, ("spend", "clicks"))
    # Farvardin: 10 + 5 = 15 spend, 2 + 3 = 5 clicks (03-20 is 29 Esfand, outside);
    # Ordibehesht: 7 and 4; Khordad (05-22..06-21): nothing -> 0; 07-01 is after the plan.
    assert sums["spend"].tolist() == [15.0, 7.0, 0.0]
    assert sums["clicks"].tolist() == [5.0, 4.0, 0.0]
