"""Answer key for the as-of rules of the periods table, every figure worked by hand.

A partial period is compared with the same days of the period before; periods after the
as-of date are blank; the as-of period is counted 0 before the plan and n + 1 after it;
colours follow the metric's direction (a falling CPA is better).

Solar Hijri anchors: 1 Bahman 1404 = 2026-01-21 (Bahman 30 days, to 2026-02-19);
1 Esfand 1404 = 2026-02-20 (1404 is not a leap year: 29 days, to 2026-03-20).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.keys import SCENARIOS, settings
from xlmplan.core import rules
from xlmplan.core.checks import Finding
from xlmplan.core.inputs import TableCells, plan_from_tables
from xlmplan.core.labels import load_labels
from xlmplan.core.model import Plan, Settings
from xlmplan.core.periods import (
    GREGORIAN,
    SOLAR_HIJRI,
    after_as_of,
    as_of_period,
    label_xl,
    parse_start,
    period_complete,
    plan_periods,
    previous_first,
    same_days_end,
)
from xlmplan.core.template import BUNDLED

pytestmark = pytest.mark.core
D = dt.date


def test_a_partial_month_meets_as_many_days_of_the_month_before() -> None:
    # 1-10 March against 1-10 February
    assert same_days_end(D(2026, 3, 10), D(2026, 3, 1), D(2026, 2, 1)) == D(2026, 2, 10)
    # 1-30 March against all of February (28 days), never into March
    assert same_days_end(D(2026, 3, 30), D(2026, 3, 1), D(2026, 2, 1)) == D(2026, 2, 28)
    # 1 March (one day) against 1 February
    assert same_days_end(D(2026, 3, 1), D(2026, 3, 1), D(2026, 2, 1)) == D(2026, 2, 1)
    # 1-29 Esfand 1404 (all of it) against 1-29 Bahman: 2026-01-21 + 28 days
    assert same_days_end(D(2026, 3, 20), D(2026, 2, 20), D(2026, 1, 21)) == D(2026, 2, 18)


def test_a_complete_month_meets_the_whole_month_before() -> None:
    # all of April (30 days) against all of March (31), not 1-30 March
    assert same_days_end(D(2026, 4, 30), D(2026, 4, 1), D(2026, 3, 1), True) == D(2026, 3, 31)
    assert same_days_end(D(2026, 4, 30), D(2026, 4, 1), D(2026, 3, 1)) == D(2026, 3, 30)
    cal = plan_periods(D(2026, 1, 1), 12)
    # 30 April is complete (1 May starts a period); 29 April is not; the plan's last day is
    assert period_complete(D(2026, 4, 30), cal) is True
    assert period_complete(D(2026, 4, 29), cal) is False
    assert period_complete(D(2026, 12, 31), cal) is True


def test_the_period_before_the_first_is_last_years_last() -> None:
    gregorian = plan_periods(D(2026, 4, 1), 12)
    assert previous_first(D(2026, 4, 9), gregorian) == D(2026, 3, 1)
    assert previous_first(D(2026, 6, 9), gregorian) == D(2026, 5, 1)
    assert previous_first(D(2026, 3, 31), gregorian) is None  # before the plan
    solar = plan_periods(parse_start("1404-11", SOLAR_HIJRI), 3, SOLAR_HIJRI)
    assert previous_first(D(2026, 3, 1), solar) == D(2026, 1, 21)  # Esfand -> 1 Bahman
    assert previous_first(D(2026, 1, 25), solar) == D(2025, 12, 22)  # Bahman -> 1 Dey


def test_as_of_period_counts_zero_before_and_n_plus_one_after() -> None:
    periods = plan_periods(D(2026, 1, 1), 12, GREGORIAN)
    assert as_of_period(None, periods) == 0
    assert as_of_period(D(2025, 12, 31), periods) == 0
    assert as_of_period(D(2026, 1, 1), periods) == 1
    assert as_of_period(D(2026, 6, 15), periods) == 6
    assert as_of_period(D(2026, 12, 31), periods) == 12
    assert as_of_period(D(2027, 1, 1), periods) == 13
    assert [after_as_of(k, 6) for k in (5, 6, 7)] == [False, False, True]


def test_label_formula_names_the_month_and_joins_the_year() -> None:
    names = [f"M{m}" for m in range(1, 13)]
    months = ",".join(f'"M{m}"' for m in range(1, 13))
    assert label_xl("B5", names) == f'CHOOSE(MONTH(B5),{months})&" "&YEAR(B5)'
    assert label_xl("B5", names, "{year}/{month}") == f'YEAR(B5)&"/"&CHOOSE(MONTH(B5),{months})'
    assert label_xl("B5", names, "{year}") == 'YEAR(B5)&""'  # still text


def test_better_follows_the_metrics_direction() -> None:
    assert rules.better(-0.12, "lower") is True  # CPA down 12 %: good
    assert rules.better(0.05, "lower") is False
    assert rules.better(0.05, "higher") is True
    assert rules.better(0.0, "higher") is None
    assert rules.better(None, "higher") is None


def test_bands_rank_values_the_metrics_way() -> None:
    cpa = [12.0, 20.0, 30.0, 40.0, None]  # median 25
    assert [rules.band(v, cpa, "lower") for v in cpa] == [
        "best",
        "better",
        "worse",
        "worst",
        None,
    ]
    revenue = [100.0, 300.0, 200.0]  # median 200
    assert [rules.band(v, revenue, "higher") for v in revenue] == ["worst", "best", None]


# --- the calendar settings on Start ----------------------------------------------------------


def _read_start(*rows: list[object]) -> tuple[Settings, list[Finding]]:
    labels = load_labels(BUNDLED / "labels", "en")
    base = Plan(settings(D(2026, 1, 1), 12), scenarios=list(SCENARIOS))
    table = TableCells("Start", 3, 0, ["Setting", "Value"], [list(r) for r in rows])
    plan, findings = plan_from_tables({"settings": table}, labels, base, ["Search"])
    return plan.settings, findings


CAL = "Calendar (gregorian or solar-hijri)"
FISCAL = "Fiscal year starts (month 1-12, blank = start month)"


def test_a_solar_hijri_start_is_the_first_day_of_its_solar_month() -> None:
    # 2026-03-25 is 5 Farvardin 1405: the plan starts on 1 Farvardin = 2026-03-21
    s, findings = _read_start(["First month", D(2026, 3, 25)], [CAL, " Solar-Hijri "], [FISCAL, 1])
    assert (s.start, s.calendar, s.fiscal_start) == (D(2026, 3, 21), SOLAR_HIJRI, 1)
    assert s.end == D(2027, 3, 20)  # 29 Esfand 1405 (1405 is not a leap year)
    assert findings == []


def test_bad_calendar_settings_are_findings_at_their_cells() -> None:
    s, findings = _read_start(["First month", D(2026, 1, 1)], [CAL, "julian"], [FISCAL, 13])
    assert (s.calendar, s.fiscal_start) == (GREGORIAN, None)
    assert [(f.where, f.message.split(":")[1].strip()[:20]) for f in findings] == [
        ("Start!B6", "'julian' is no calen"),
        ("Start!B7", "13 is not a month — "),
    ]


def test_a_fiscal_start_the_plan_does_not_start_in_is_a_warning() -> None:
    s, findings = _read_start(["First month", D(2026, 1, 1)], [FISCAL, 4])
    assert s.fiscal_start == 4 and s.start == D(2026, 1, 1)
    assert [(f.severity, f.where) for f in findings] == [("warning", "Start!B6")]
    assert "month 4 but the plan starts in month 1" in findings[0].message
