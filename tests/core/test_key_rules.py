"""Answer keys for `core/rules.py`: each rule of SPEC at its edges, stated by hand.

Each Python rule and its ``*_xl`` formula twin get the same hand-computed expectation; the
twin is evaluated over constants by the `formulas` package (no workbook, no LibreOffice).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.keys import D, xl
from xlmplan.core import rules

pytestmark = pytest.mark.core

WORDS = ("Green", "Amber", "Red")
NAMES = ("Optimistic", "Realistic", "Pessimistic")


# --- ROUND: half away from zero -------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "places", "expected"),
    [
        (0.5, 0, 1.0),  # half -> away from zero (half-to-even would give 0)
        (2.5, 0, 3.0),  # half-to-even would give 2
        (-2.5, 0, -3.0),  # away from zero on the negative side too
        (0.1234565, 6, 0.123457),  # the 7th digit is a 5: up (half-to-even keeps ...456)
        (1.0000005, 6, 1.000001),  # half-to-even would give 1.000000
        (0.1234564, 6, 0.123456),  # below half: down
        (-0.0000005, 6, -0.000001),
        (2 / 3, 6, 0.666667),
    ],
)
def test_xl_round_is_half_away_from_zero(x: float, places: int, expected: float) -> None:
    assert rules.xl_round(x, places) == expected


def test_xl_round_defaults_to_six_places() -> None:
    assert rules.xl_round(0.0000015) == 0.000002  # 1.5e-6 -> 2e-6


def test_serial_is_excels_day_count() -> None:
    # Excel: 1900-01-01 is 1 (with its fictitious 1900-02-29, so day 0 is 1899-12-30);
    # 2025-01-01 is 45658 and 2026-01-01 is 45658 + 365 = 46023.
    assert rules.serial(D(2025, 1, 1)) == 45658.0
    assert rules.serial(D(2026, 1, 1)) == 46023.0
    assert rules.serial(None) is None


def test_is_num_and_blank() -> None:
    assert [rules.is_num(v) for v in (1, 2.5, True, float("nan"), "3", None)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert rules.blank_if_nan(float("nan")) is None
    assert rules.blank_if_nan(0.0) == 0.0
    assert rules.blank_if_nan("x") == "x"


# --- SWOT score -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "certainty", "expected"),
    [(4, 5, 20.0), (1, 1, 1.0), (5, 5, 25.0), (None, 3, None), (3, "", None)],
)
def test_swot_score(impact: object, certainty: object, expected: float | None) -> None:
    assert rules.swot_score(impact, certainty) == expected
    formula = rules.swot_score_xl("A1", "B1")
    assert xl(formula, A1=impact, B1=certainty) == ("" if expected is None else expected)


# --- attainment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (90, 100, "higher", 0.9),  # 90 / 100
        (40, 50, "lower", 1.25),  # lower is better: target / actual = 50 / 40
        (50, 40, "lower", 0.8),  # 40 / 50
        (2, 3, "higher", 0.666667),  # 0.6666... rounded to 6 places
        (89.99999995, 100, "higher", 0.9),  # 0.8999999995 rounds up to 0.9
        (0, 50, "lower", None),  # zero denominator: blank
        (10, 0, "higher", None),
        (0, 10, "higher", 0.0),  # zero actual, higher is better: 0, not blank
        (None, 10, "higher", None),  # no actual
        (10, None, "higher", None),  # no target
    ],
)
def test_attainment(
    actual: float | None, target: float | None, direction: str, expected: float | None
) -> None:
    assert rules.attainment(actual, target, direction) == expected
    formula = rules.attainment_xl("A1", "B1", "C1", "lower")
    assert xl(formula, A1=actual, B1=target, C1=direction) == ("" if expected is None else expected)


# --- status: Green >= 1, Amber >= threshold, Red below --------------------------------


@pytest.mark.parametrize(
    ("att", "amber", "expected"),
    [
        (1.0, 0.9, "Green"),  # exactly 1: Green
        (0.999999, 0.9, "Amber"),
        (0.9, 0.9, "Amber"),  # exactly at the threshold: Amber (>=, not >)
        (0.899999, 0.9, "Red"),
        (0.8, 0.8, "Amber"),  # the threshold is a setting
        (0.85, 0.8, "Amber"),
        (0.0, 0.9, "Red"),
        (1.7, 0.9, "Green"),
        (None, 0.9, None),  # no attainment: blank
    ],
)
def test_status(att: float | None, amber: float, expected: str | None) -> None:
    assert rules.status(att, amber, WORDS) == expected
    formula = rules.status_xl("A1", "B1", WORDS)
    assert xl(formula, A1=att, B1=amber) == ("" if expected is None else expected)


# --- trend ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "prev", "expected"),
    [
        (1500, 1400, 0.071429),  # 1500 / 1400 - 1 = 0.0714285... -> 0.071429
        (700, 1000, -0.3),
        (100, 100, 0.0),
        (0, 100, -1.0),
        (100, 0, None),  # no month before: blank
        (None, 100, None),
        (100, None, None),
    ],
)
def test_trend(last: float | None, prev: float | None, expected: float | None) -> None:
    assert rules.trend(last, prev) == expected
    assert xl(rules.trend_xl("A1", "B1"), A1=last, B1=prev) == (
        "" if expected is None else pytest.approx(expected, abs=1e-12)
    )


# --- run rate -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "additive", "plan_days", "elapsed", "expected"),
    [
        (3300, True, 366, 75, 16104.0),  # 3300 / 75 = 44 a day; 44 * 366 = 16104
        (100, True, 365, 365, 100.0),  # the whole plan elapsed
        (0.05, False, 365, 10, 0.05),  # a ratio keeps its value to date
        (100, True, 365, 0, None),  # nothing elapsed: blank
        (None, True, 365, 10, None),
    ],
)
def test_run_rate(
    actual: float | None, additive: bool, plan_days: float, elapsed: float, expected: float | None
) -> None:
    assert rules.run_rate(actual, additive, plan_days, elapsed) == expected
    formula = rules.run_rate_xl("A1", "B1", "C1", "D1")
    got = xl(formula, A1=actual, B1=additive, C1=plan_days, D1=elapsed)
    assert got == ("" if expected is None else pytest.approx(expected, rel=1e-12))


# --- scenarios ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("projection", "multiplier", "direction", "expected"),
    [
        (16104, 1.15, "higher", 18519.6),  # 16104 * 1.15
        (16104, 0.75, "higher", 12078.0),  # 16104 * 0.75
        (30, 0.75, "lower", 40.0),  # lower is better: 30 / 0.75
        (30, 1.2, "lower", 25.0),  # 30 / 1.2
        (30, 0, "higher", None),  # a zero multiplier: blank
        (None, 1.0, "higher", None),
    ],
)
def test_scenario_projection(
    projection: float | None, multiplier: float, direction: str, expected: float | None
) -> None:
    got = rules.scenario_projection(projection, multiplier, direction)
    assert got == (None if expected is None else pytest.approx(expected, rel=1e-12))
    formula = rules.scenario_projection_xl("A1", "B1", "C1", "lower")
    value = xl(formula, A1=projection, B1=multiplier, C1=direction)
    assert value == ("" if expected is None else pytest.approx(expected, rel=1e-12))


def test_scenario_attainment_is_multiplier_times_attainment_in_both_directions() -> None:
    # SPEC: "a case's attainment is always multiplier x attainment".
    # higher: projection 80, target 100 -> 0.8; pessimistic case 80 * 0.75 = 60 -> 0.6 = 0.75 * 0.8
    case = rules.scenario_projection(80, 0.75, "higher")
    assert rules.attainment(case, 100, "higher") == 0.6
    # lower: projection 50, target 40 -> 40 / 50 = 0.8; case 50 / 0.75 = 66.67 -> 40 / 66.67 = 0.6
    case = rules.scenario_projection(50, 0.75, "lower")
    assert rules.attainment(case, 40, "lower") == 0.6


@pytest.mark.parametrize(
    ("att", "trigger", "expected"),
    [
        (1.0, 0.75, "Optimistic"),  # exactly 1: optimistic
        (1.342, 0.75, "Optimistic"),
        (0.999999, 0.75, "Realistic"),
        (0.75, 0.75, "Realistic"),  # exactly at the trigger: realistic (>=)
        (0.749999, 0.75, "Pessimistic"),
        (0.5, 0.5, "Realistic"),  # the trigger is a setting
        (None, 0.75, None),
    ],
)
def test_scenario_now(att: float | None, trigger: float, expected: str | None) -> None:
    assert rules.scenario_now(att, trigger, NAMES) == expected
    quoted = tuple(f'"{n}"' for n in NAMES)
    formula = rules.scenario_now_xl("A1", "B1", quoted)  # type: ignore[arg-type]
    assert xl(formula, A1=att, B1=trigger) == ("" if expected is None else expected)


# --- 3M: activity (spreads: test_key_spread.py) -------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "month", "expected"),
    [
        (D(2026, 1, 10), D(2026, 1, 31), D(2026, 1, 1), True),
        (D(2026, 1, 10), D(2026, 1, 31), D(2026, 2, 1), False),  # ended the day before
        (D(2028, 2, 29), D(2028, 3, 31), D(2028, 2, 1), True),  # starts on the leap day
        (D(2026, 3, 1), D(2026, 4, 30), D(2026, 2, 1), False),  # starts the day after
        (None, D(2026, 4, 30), D(2026, 2, 1), False),
        (D(2026, 3, 1), None, D(2026, 3, 1), False),
    ],
)
def test_active(start: dt.date | None, end: dt.date | None, month: dt.date, expected: bool) -> None:
    last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    assert rules.active(start, end, month, last) is expected
    formula = rules.active_xl("A1", "B1", "C1")
    assert xl(formula, A1=rules.serial(start), B1=rules.serial(end), C1=rules.serial(month)) is (
        expected
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grow search revenue by half", 5),
        (" Cut cost per order ", 4),  # leading and trailing spaces do not count
        ("Sales", 1),
        ("", 0),
        ("   ", 0),
    ],
)
def test_word_count(text: str, expected: int) -> None:
    assert rules.word_count(text) == expected
    assert xl(rules.word_count_xl("A1"), A1=text) == expected


def test_word_count_collapses_runs_of_spaces_as_excels_trim() -> None:
    # Excel's and LibreOffice's TRIM collapse inner runs of spaces to one, so this is four
    # words. (The `formulas` package's TRIM keeps inner runs, so its twin is not asked.)
    assert rules.word_count("  Cut   cost  per order ") == 4
