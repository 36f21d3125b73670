"""Answer key for spreads over the plan's periods: money lines, hours and people by period in
a Solar Hijri plan and in a Gregorian plan whose year starts in April.

Solar Hijri plan from 1 Farvardin 1405 (2026-03-21), twelve months:
  Farvardin  03-21..04-20   Ordibehesht 04-21..05-21   Khordad 05-22..06-21
  Tir        06-22..07-22   Mordad      07-23..08-22   Shahrivar 08-23..09-22
  Mehr       09-23..10-22   Aban        10-23..11-21   Azar   11-22..12-21
  Dey        12-22..01-20   Bahman      01-21..02-19   Esfand 2027-02-20..03-20
  (the month before the plan: Esfand 1404, 2026-02-20..03-20)
Money lines                          months spanned                          per period
  Year   1200  2026-03-21..2027-03-20  12 (the plan's periods)               100 in each
  Spring  900  2026-04-15..2026-06-01   3 (Farvardin, Ordibehesht, Khordad)  300 in each
  Before  600  2026-02-25..2026-04-30   3 (Esfand 1404, Farvardin, Ordib.)   200 in Farv., Ordib.
  After   500  2027-03-01..2027-03-25   2 (Esfand, Farvardin 1406)           250 in Esfand
By Gregorian months the year line spans 13 months (March 2026 to March 2027): 1200 / 13
in each period loses 1/13 of it; and the spring line's Farvardin (which starts in March)
would take nothing.
Action  Ana  60 h  2026-07-01..2026-08-31  3 (Tir, Mordad, Shahrivar)      20 h in each
Person  Ana  FTE 1, 3000 a month, 2026-03-21..2026-05-21: cost 3000 and capacity 160 in
        Farvardin and Ordibehesht, nothing later.

Gregorian plan from 2026-04-01 (fiscal year starting in April), twelve months Apr..Mar:
  Year   1200  2026-04-01..2027-03-31  12                                   100 in each
  Winter  300  2026-12-15..2027-02-10   3 (Dec, Jan, Feb over the year end) 100 in each
  Before  600  2026-02-01..2026-05-31   4 (Feb, Mar before the plan; Apr, May) 150 in Apr, May
"""

from __future__ import annotations

import pytest

from tests.core.keys import D, data, run, settings, xl
from xlmplan.core import rules, spread
from xlmplan.core import target_path as tp
from xlmplan.core.model import Action, MoneyLine, Person, Plan

pytestmark = pytest.mark.core

Z = 0.0


def _plan(start: object, money: list[MoneyLine], **kw: object) -> Plan:
    return Plan(
        settings(start, 12, **kw),  # type: ignore[arg-type]
        people=[Person("Ana", "Lead", 1.0, 3000.0, D(2026, 3, 21), D(2026, 5, 21))],
        money=money,
        actions=[Action("Launch", "ST1", "Ana", D(2026, 7, 1), D(2026, 8, 31), 60.0)],
        channels=["Search"],
    )


def test_solar_hijri_lines_follow_the_plans_months() -> None:
    money = [
        MoneyLine("Advertising", "Search", "Year", D(2026, 3, 21), D(2027, 3, 20), 1200.0),
        MoneyLine("Advertising", "Search", "Spring", D(2026, 4, 15), D(2026, 6, 1), 900.0),
        MoneyLine("Content", "", "Before", D(2026, 2, 25), D(2026, 4, 30), 600.0),
        MoneyLine("Content", "", "After", D(2027, 3, 1), D(2027, 3, 25), 500.0),
    ]
    plan = _plan(D(2026, 3, 21), money, calendar="solar-hijri")
    res = run(plan, data((D(2026, 4, 1), "Search", "", 0, 0, 0, 0, 0, 10)), forecasts=False)
    assert [p.label for p in res.periods.items][:2] == ["Farvardin 1405", "Ordibehesht 1405"]
    assert res.money_months == [12.0, 3.0, 3.0, 2.0]
    assert res.money_grid == [
        [100.0] * 12,
        [300.0, 300.0, 300.0] + [Z] * 9,
        [200.0, 200.0] + [Z] * 10,  # Esfand 1404's third lies before the plan
        [Z] * 11 + [250.0],  # Farvardin 1406's half lies after it
    ]
    assert [sum(row) for row in res.money_grid[:2]] == [1200.0, 900.0]  # nothing lost
    assert res.action_months == [3.0]
    assert res.action_grid == [[Z, Z, Z, 20.0, 20.0, 20.0] + [Z] * 6]
    assert res.people_cost == [[3000.0, 3000.0] + [Z] * 10]
    assert res.people_capacity == [[160.0, 160.0] + [Z] * 10]
    assert res.people_demand == [[Z, Z, Z, 20.0, 20.0, 20.0] + [Z] * 6]


def test_fiscal_april_lines_follow_the_plans_months() -> None:
    money = [
        MoneyLine("Advertising", "Search", "Year", D(2026, 4, 1), D(2027, 3, 31), 1200.0),
        MoneyLine("Advertising", "Search", "Winter", D(2026, 12, 15), D(2027, 2, 10), 300.0),
        MoneyLine("Content", "", "Before", D(2026, 2, 1), D(2026, 5, 31), 600.0),
    ]
    plan = _plan(D(2026, 4, 1), money, fiscal_start=4)
    res = run(plan, data((D(2026, 4, 1), "Search", "", 0, 0, 0, 0, 0, 10)), forecasts=False)
    assert res.periods.first == D(2026, 4, 1) and res.periods.last == D(2027, 3, 31)
    assert res.money_months == [12.0, 3.0, 4.0]
    assert res.money_grid == [
        [100.0] * 12,
        [Z] * 8 + [100.0, 100.0, 100.0, Z],  # Dec, Jan, Feb
        [150.0, 150.0] + [Z] * 10,  # February's and March's quarters lie before the plan
    ]
    assert [sum(row) for row in res.money_grid[:2]] == [1200.0, 300.0]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 3, 21), D(2026, 3, 21), 1.0),  # one day: Farvardin
        (D(2026, 4, 20), D(2026, 4, 21), 2.0),  # the last day of Farvardin, the first of Ordib.
        # Jan, Feb, Mar 2025 before the history (Gregorian months), its 12 periods, Farvardin
        (D(2025, 1, 10), D(2026, 3, 25), 16.0),
        (D(2026, 5, 1), D(2026, 4, 1), 0.0),  # ends before it starts
        (None, D(2026, 4, 1), None),
    ],
)
def test_solar_hijri_months_spanned(start: object, end: object, expected: float | None) -> None:
    periods = settings(D(2026, 3, 21), 12, calendar="solar-hijri").periods()
    history = tp.history_periods(periods)
    assert spread.months_spanned(start, end, periods, history) == expected  # type: ignore[arg-type]


# --- the rules and their formula twins in a Gregorian plan of 2026 -------------------------

GREGORIAN = settings(D(2026, 1, 1), 12).periods()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 1, 15), D(2026, 3, 1), 3.0),  # Jan, Feb, Mar
        (D(2025, 12, 31), D(2026, 2, 1), 3.0),  # over a year end: Dec (history), Jan, Feb
        (D(2026, 5, 1), D(2026, 5, 31), 1.0),  # one month
        (D(2026, 11, 30), D(2027, 2, 28), 4.0),  # Nov, Dec; Jan, Feb 2027 after the plan
        (D(2024, 2, 29), D(2025, 2, 28), 13.0),  # leap day to the next February, before
        (None, D(2026, 5, 31), None),
        (D(2026, 5, 1), None, None),
    ],
)
def test_gregorian_months_spanned(start: object, end: object, expected: float | None) -> None:
    history = tp.history_periods(GREGORIAN)
    assert spread.months_spanned(start, end, GREGORIAN, history) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "n", "start", "end", "period", "expected"),
    [
        (1200, 3, D(2026, 1, 15), D(2026, 3, 10), 0, 400.0),  # 1200 / 3
        (1200, 3, D(2026, 1, 15), D(2026, 3, 10), 2, 400.0),  # last month counts
        (1200, 3, D(2026, 1, 15), D(2026, 3, 10), 3, 0.0),  # after the end
        (1200, 3, D(2026, 2, 15), D(2026, 3, 10), 0, 0.0),  # before the start
        (100, 1, D(2026, 2, 10), D(2026, 2, 10), 1, 100.0),  # one-day line
        (1200, 0, D(2026, 1, 15), D(2026, 3, 10), 0, 0.0),  # no month: nothing
        (None, 3, D(2026, 1, 15), D(2026, 3, 10), 0, 0.0),
        (1200, 3, None, D(2026, 3, 10), 0, 0.0),
        (1200, 3, D(2026, 1, 15), None, 0, 0.0),
    ],
)
def test_spread(
    amount: float | None, n: float, start: object, end: object, period: int, expected: float
) -> None:
    p = GREGORIAN[period]
    assert spread.spread(amount, n, start, end, p.first, p.last) == expected  # type: ignore[arg-type]
    formula = spread.spread_xl("A1", "B1", "C1", "D1", "E1", "F1")
    cells = [rules.serial(x) for x in (start, end, p.first, p.last)]  # type: ignore[arg-type]
    got = xl(formula, A1=amount, B1=n, C1=cells[0], D1=cells[1], E1=cells[2], F1=cells[3])
    assert got == expected
