"""Answer keys for the calendar rules the writers use beside the engine: the as-of period,
the period before, the same days of the period before, a complete period, sums stopped at the
as-of date, the default first month and the fiscal start; each formula twin is evaluated by
the `formulas` package over constants and small ranges beside its Python rule.

The plan Q1 2024: January (serials 45292..45322), a leap February (45323..45351) and March
(45352..45382).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from tests.core.keys import D, xl
from xlmplan.core import periods as pr
from xlmplan.core.periods import GREGORIAN, SOLAR_HIJRI, PeriodError, plan_periods

pytestmark = pytest.mark.core

Q1 = plan_periods(D(2024, 1, 1), 3)
FIRSTS = [45292.0, 45323.0, 45352.0]
LASTS = [45322.0, 45351.0, 45382.0]
# the twelve history months before the plan, 2023-01-01 (44927) .. 2023-12-01 (45261)
HISTORY = [44927.0, 44958.0, 44986.0, 45017.0, 45047.0, 45078.0,
           45108.0, 45139.0, 45170.0, 45200.0, 45231.0, 45261.0]  # fmt: skip


def row(values: list[Any]) -> np.ndarray:
    return np.array([values], dtype=object)


def test_gregorian_month_bounds_from_any_day() -> None:
    # from 10 February 2024 (45332): month 1 is February, 0 January, 2 March
    first, last = pr.gregorian_first_xl, pr.gregorian_last_xl
    assert [xl(first("A1", k), A1=45332.0) for k in (0, 1, 2)] == [45292.0, 45323.0, 45352.0]
    assert [xl(last("A1", k), A1=45332.0) for k in (0, 1, 2)] == [45322.0, 45351.0, 45382.0]


@pytest.mark.parametrize(
    ("day", "serial", "number"),
    [
        (D(2023, 12, 31), 45291.0, 0),  # before the plan
        (D(2024, 1, 1), 45292.0, 1),
        (D(2024, 2, 29), 45351.0, 2),  # the leap day closes February
        (D(2024, 3, 31), 45382.0, 3),
        (D(2024, 4, 1), 45383.0, 4),  # after the plan: count + 1
        (None, None, 0),  # no as-of date
    ],
)
def test_as_of_period_and_its_twin(day: Any, serial: Any, number: int) -> None:
    assert pr.as_of_period(day, Q1) == number
    formula = pr.as_of_period_xl("D1", "A2:C2", "A3:C3", 3)
    assert xl(formula, D1=serial, **{"A2:C2": row(FIRSTS), "A3:C3": row(LASTS)}) == number


@pytest.mark.parametrize(
    ("day", "serial", "number", "period_first", "before"),
    [
        (D(2024, 2, 10), 45332.0, 2, 45323.0, 45292.0),  # February: 1 January
        (D(2024, 1, 5), 45296.0, 1, 45292.0, 45261.0),  # January: last year's December
        (D(2024, 4, 5), 45387.0, 4, 45383.0, 45352.0),  # after the plan: the month before
    ],
)
def test_the_period_before_and_its_twin(
    day: Any, serial: float, number: int, period_first: float, before: float
) -> None:
    expected = None if number > 3 else D(1899, 12, 30) + dt.timedelta(days=before)
    assert pr.previous_first(day, Q1) == expected  # outside the plan: None in Python
    # the workbook's names cal_first and cal_hist_first stand for two ranges here
    formula = (
        pr.previous_first_xl("D1", "E1", 3, "F1")
        .replace("cal_first", "A2:C2")
        .replace("cal_hist_first", "A4:L4")
    )
    cells = {"A2:C2": row(FIRSTS), "A4:L4": row(HISTORY)}
    assert xl(formula, D1=serial, E1=float(number), F1=period_first, **cells) == before
    assert xl(formula, D1=None, E1=0.0, F1=period_first, **cells) == ""
    assert pr.previous_first(None, Q1) is None


def test_same_days_of_the_period_before_twin() -> None:
    partial = pr.same_days_end_xl("A1", "B1", "C1")
    # 9 February (45331), 8 days into February: 1 January + 8 = 9 January (45300)
    assert xl(partial, A1=45331.0, B1=45323.0, C1=45292.0) == 45300.0
    assert pr.same_days_end(D(2024, 2, 9), D(2024, 2, 1), D(2024, 1, 1)) == D(2024, 1, 9)
    # 30 March, 29 days in: 1 February + 29 = 1 March is past February: 29 February (45351)
    assert xl(partial, A1=45381.0, B1=45352.0, C1=45323.0) == 45351.0
    complete = pr.same_days_end_xl("A1", "B1", "C1", "D1")
    # a complete period meets the whole period before: the day before its first
    assert xl(complete, A1=45331.0, B1=45323.0, C1=45292.0, D1=True) == 45322.0
    assert xl(complete, A1=45331.0, B1=45323.0, C1=45292.0, D1=False) == 45300.0


@pytest.mark.parametrize(
    ("day", "serial", "complete"),
    [
        (D(2024, 1, 31), 45322.0, True),  # the next day starts February
        (D(2024, 1, 30), 45321.0, False),
        (D(2024, 2, 29), 45351.0, True),
        (D(2024, 3, 31), 45382.0, True),  # the plan's last day
        (D(2024, 3, 30), 45381.0, False),
    ],
)
def test_period_complete_and_its_twin(day: Any, serial: float, complete: bool) -> None:
    assert pr.period_complete(day, Q1) is complete
    formula = pr.period_complete_xl("D1", "A2:C2", "A3:C3")
    assert xl(formula, D1=serial, **{"A2:C2": row(FIRSTS), "A3:C3": row(LASTS)}) is complete
    assert pr.period_complete_xl("D1") == ("OR(ISNUMBER(MATCH(D1+1,cal_first,0)),D1=MAX(cal_last))")


def test_period_sum_stops_at_the_as_of_date() -> None:
    # February's rows on the 1st, 8th, 18th and 29th: 1, 2, 4, 8; as of the 12th: 1 + 2 = 3
    cells = {
        "A1:D1": row([1.0, 2.0, 4.0, 8.0]),
        "A2:D2": row([45323.0, 45330.0, 45340.0, 45351.0]),
        "A3:D3": row(["Search", "Social", "Search", "Search"]),
    }
    plain = pr.period_sum_to_xl("A1:D1", "A2:D2", "E1", "F1", "G1")
    assert xl(plain, E1=45323.0, F1=45351.0, G1=45334.0, **cells) == 3.0
    # an as-of date after the period: the whole period, 15
    assert xl(plain, E1=45323.0, F1=45351.0, G1=45400.0, **cells) == 15.0
    # Search alone, as of the 20th: 1 + 4 = 5
    search = pr.period_sum_to_xl("A1:D1", "A2:D2", "E1", "F1", "G1", 'A3:D3,"Search"')
    assert xl(search, E1=45323.0, F1=45351.0, G1=45341.0, **cells) == 5.0


def test_periods_after_the_as_of_period() -> None:
    assert (pr.after_as_of(3, 2), pr.after_as_of(2, 2), pr.after_as_of(1, 2)) == (
        True, False, False
    )  # fmt: skip
    assert [xl(pr.after_as_of_xl("A1", "B1"), A1=k, B1=2.0) for k in (3.0, 2.0, 1.0)] == [
        True, False, False
    ]  # fmt: skip
    assert pr.after_as_of_xl("K5") == "K5>AsOfPeriod"


def test_default_first_month() -> None:
    # the month holding the Data's first date
    assert pr.default_start(D(2024, 2, 10), D(2025, 5, 5), GREGORIAN, None) == D(2024, 2, 1)
    # with a fiscal start, the plan year holding the last date: May 2025 lies in the year
    # from April 2025, and in the year from June 2024
    assert pr.default_start(D(2024, 2, 10), D(2025, 5, 5), GREGORIAN, 4) == D(2025, 4, 1)
    assert pr.default_start(D(2024, 2, 10), D(2025, 5, 5), GREGORIAN, 6) == D(2024, 6, 1)
    # Solar Hijri: 25 March 2024 lies in Farvardin 1403, which began on 20 March 2024
    assert pr.default_start(D(2024, 3, 25), D(2024, 5, 5), SOLAR_HIJRI, None) == D(2024, 3, 20)


def test_fiscal_start_refusals() -> None:
    pr.check_fiscal_start(None)
    pr.check_fiscal_start(12)  # December, no --start to compare
    pr.check_fiscal_start(4, D(2026, 4, 1))
    pr.check_fiscal_start(1, D(2025, 3, 21), SOLAR_HIJRI)  # 1 Farvardin 1404
    for month in (0, 13):
        with pytest.raises(
            PeriodError,
            match=rf"^--fiscal-start {month}: give the month the plan year starts in, 1 to 12 "
            r"\(e\.g\. 4 for April\)$",
        ):
            pr.check_fiscal_start(month)
    with pytest.raises(
        PeriodError,
        match=r"^--start 2026-01 is not the first month of a plan year starting in month 4 — "
        r"give --start 2026-04 or leave --start out$",
    ):
        pr.check_fiscal_start(4, D(2026, 1, 1))
    with pytest.raises(
        PeriodError, match=r"^--start 1404-12 is not the first month .* give --start 1404-01 or"
    ):
        pr.check_fiscal_start(1, D(2026, 2, 20), SOLAR_HIJRI)  # 1 Esfand 1404


def test_label_formulas_of_every_shape() -> None:
    names = [f"M{i}" for i in range(1, 13)]
    # 10 February 2024: month 2, year 2024; evaluated, each label is text
    assert xl(pr.label_xl("A1", names, "{month}{year}"), A1=45332.0) == "M22024"  # two parts
    assert xl(pr.label_xl("A1", names, "{month}"), A1=45332.0) == "M2"
    assert pr.label_xl("A1", names, "") == '""&""'  # no parts: empty text
    assert xl(pr.label_xl("A1", names, ""), A1=45332.0) == ""
    # a quote in a month name or in the pattern is doubled inside the formula's text
    quoted = ['Feb"', *names[1:]]
    assert xl(pr.label_xl("A1", quoted, '{month} "{year}"'), A1=45306.0) == 'Feb" "2024"'


def test_default_first_month_of_a_solar_hijri_fiscal_year() -> None:
    # years from Farvardin (month 1): 5 May 2024 lies in 1403, which began on 20 March
    # 2024 (a Gregorian year from January would begin on 1 January)
    assert pr.default_start(D(2024, 3, 25), D(2024, 5, 5), SOLAR_HIJRI, 1) == D(2024, 3, 20)


def test_period_index_of_times_of_day_on_the_plans_last_day() -> None:
    # an array of nanosecond times is read as days: 31 March 2024 at 15:00 is the last day
    # of the plan (period 2, 0-based), 1 April at 00:00 is after it
    times = np.array(["2024-03-31T15:00", "2024-01-01T00:00", "2024-04-01T00:00"], "datetime64[ns]")
    assert pr.period_index(times, Q1).tolist() == [2, 0, -1]
    days = times.astype("datetime64[D]")  # the engine's day array: the same periods
    assert pr.period_index(days, Q1).tolist() == [2, 0, -1]
