"""Answer key for the 3M grids: people cost and capacity, money and hours spreads,
over-allocation and actual spend by month.

Plan: 2027-11-01, four months (Nov, Dec 2027, Jan, Feb 2028: a year end and a leap
February); 150 hours per month (not the default 160).

People                      active months      cost / month        capacity / month
  Ana  FTE 0.5  4000  2027-11-15..2028-01-10  Nov Dec Jan  4000 x 0.5 = 2000   0.5 x 150 = 75
  Ben  FTE 1    3000  no start date           none         0                   0
  Cy   FTE 0.25 6000  2028-02-29..2028-03-31  Feb          6000 x 0.25 = 1500  0.25 x 150 = 37.5
Money lines                 months spanned                 per month
  M1  1200  2027-11-20..2028-01-05   3 (Nov Dec Jan)        400 in Nov Dec Jan
  M2   100  2028-02-10..2028-02-10   1                      100 in Feb
  M3   900  2027-10-01..2027-12-31   3 (Oct Nov Dec)        300 in Nov Dec (Oct is before)
Actions                     months spanned                 hours per month
  A1  ana  240 h  2027-12-01..2028-01-31   2               120 in Dec Jan
  A2  Ana   30 h  2027-11-05..2027-11-30   1               30 in Nov
  A3  Cy  37.5 h  2028-02-01..2028-02-29   1               37.5 in Feb
Demand: Ana 30, 120, 120, 0 against 75 -> over in Dec and Jan (2 months);
        Cy 0, 0, 0, 37.5 against 37.5 -> equal is not over (0 months).
Actual spend by month (Data): Nov 10, Dec 20, Jan 30, Feb 40 (Oct 31 and Mar 1 are outside).
"""

from __future__ import annotations

import pytest

from tests.core.keys import D, data, run, settings
from xlmplan.core.engine import Results
from xlmplan.core.model import Action, MoneyLine, Person, Plan

pytestmark = pytest.mark.core


@pytest.fixture
def res() -> Results:
    plan = Plan(
        settings(D(2027, 11, 1), 4, hours_per_month=150.0),
        people=[
            Person("Ana", "Lead", 0.5, 4000.0, D(2027, 11, 15), D(2028, 1, 10)),
            Person("Ben", "Writer", 1.0, 3000.0, None, D(2028, 1, 10)),
            Person("Cy", "Analyst", 0.25, 6000.0, D(2028, 2, 29), D(2028, 3, 31)),
        ],
        money=[
            MoneyLine("Advertising", "Search", "Ads", D(2027, 11, 20), D(2028, 1, 5), 1200.0),
            MoneyLine("Tools", "", "Licence", D(2028, 2, 10), D(2028, 2, 10), 100.0),
            MoneyLine("Content", "", "Videos", D(2027, 10, 1), D(2027, 12, 31), 900.0),
        ],
        actions=[
            Action("Relaunch", "ST1", "ana", D(2027, 12, 1), D(2028, 1, 31), 240.0),
            Action("Audit", "ST1", "Ana", D(2027, 11, 5), D(2027, 11, 30), 30.0),
            Action("Report", "ST2", "Cy", D(2028, 2, 1), D(2028, 2, 29), 37.5),
        ],
        channels=["Search"],
    )
    rows = [
        (D(2027, 10, 31), "Search", "", 0, 0, 0, 0, 0, 60),
        (D(2027, 11, 30), "Search", "", 0, 0, 0, 0, 0, 10),
        (D(2027, 12, 31), "Search", "", 0, 0, 0, 0, 0, 20),
        (D(2028, 1, 1), "Search", "", 0, 0, 0, 0, 0, 30),
        (D(2028, 2, 29), "Search", "", 0, 0, 0, 0, 0, 40),
        (D(2028, 3, 1), "Search", "", 0, 0, 0, 0, 0, 50),
    ]
    return run(plan, data(*rows))


def test_people_cost_and_capacity(res: Results) -> None:
    assert res.people_cost == [
        [2000.0, 2000.0, 2000.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1500.0],
    ]
    assert res.people_capacity == [
        [75.0, 75.0, 75.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 37.5],
    ]


def test_money_spreads(res: Results) -> None:
    assert res.money_months == [3.0, 1.0, 3.0]
    assert res.money_grid == [
        [400.0, 400.0, 400.0, 0.0],
        [0.0, 0.0, 0.0, 100.0],
        [300.0, 300.0, 0.0, 0.0],  # October's third lies before the plan
    ]


def test_hours_demand_and_over_allocation(res: Results) -> None:
    assert res.action_months == [2.0, 1.0, 1.0]
    assert res.action_grid == [
        [0.0, 120.0, 120.0, 0.0],
        [30.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 37.5],
    ]
    assert res.people_demand == [
        [30.0, 120.0, 120.0, 0.0],  # owner "ana" and "Ana" are the same person
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 37.5],
    ]
    assert res.people_over == [2.0, 0.0, 0.0]  # Cy's 37.5 = 37.5 is not over


def test_actual_spend_by_month(res: Results) -> None:
    assert res.actual_spend == [10.0, 20.0, 30.0, 40.0]
