"""Answer keys for the formula twins of periods, target paths and literal text, evaluated over
constants and small ranges by the `formulas` package beside their Python rules.

The plan Q1 2024: January (31 days, serials 45292..45322), a leap February (29 days,
45323..45351) and March (31 days, 45352..45382); 91 days. A target of 910 runs 310, 290,
310 on the even path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from tests.core.keys import D, xl
from xlmplan.core import rules
from xlmplan.core.periods import period_days_xl, period_number_xl, period_sum_xl, plan_periods
from xlmplan.core.target_path import (
    attainment_to_date,
    attainment_to_date_xl,
    even_path,
    even_path_xl,
    pace_status,
    pace_status_xl,
    path_xl,
    seasonal_ok_xl,
    seasonal_path_xl,
    target_to_date,
    target_to_date_xl,
)

pytestmark = pytest.mark.core

Q1 = plan_periods(D(2024, 1, 1), 3)
FIRSTS = [45292.0, 45323.0, 45352.0]
LASTS = [45322.0, 45351.0, 45382.0]
WORDS = ("Green", "Amber", "Red")


def row(values: list[Any]) -> np.ndarray:
    return np.array([values], dtype=object)


def blank(value: Any) -> Any:
    return None if value == "" else value


def test_the_serials_are_the_plans_days() -> None:
    assert [rules.serial(p.first) for p in Q1] == FIRSTS
    assert [rules.serial(p.last) for p in Q1] == LASTS


@pytest.mark.parametrize(
    ("target", "baseline", "additive", "expected"),
    [
        (910.0, None, True, 290.0),  # 910 * 29 / 91
        (2.0, 1.0, False, 1.0 + 60 / 91),  # Jan 1 .. Feb 29 is 60 days: 1 + (2 - 1) * 60/91
        (2.0, None, False, 2.0),  # a ratio without a baseline keeps its target
        (None, 1.0, True, None),
    ],
)
def test_even_path_of_february(target: Any, baseline: Any, additive: bool, expected: Any) -> None:
    assert even_path(target, baseline, additive, Q1)[1] == (
        None if expected is None else pytest.approx(expected)
    )
    formula = even_path_xl("A1", "B1", "C1", "D1", "E1", "F1", "G1")
    got = xl(formula, A1=target, B1=baseline, C1=additive, D1=FIRSTS[1], E1=LASTS[1],
             F1=FIRSTS[0], G1=91.0)  # fmt: skip
    assert blank(got) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("manual", "method", "ok", "expected"),
    [
        (5.0, "even", True, 5.0),  # a typed value wins whatever the method
        (None, "seasonal", True, 30.0),
        (None, "SEASONAL", True, 30.0),  # the method word in any case
        (None, "seasonal", False, 20.0),  # seasonal not possible: even
        (None, "even", True, 20.0),
        ("n/a", "seasonal", True, 30.0),  # text typed is no value
    ],
)
def test_path_picks_typed_seasonal_or_even(
    manual: Any, method: str, ok: bool, expected: float
) -> None:
    formula = path_xl("A1", "B1", "seasonal", "C1", "D1", "E1")
    assert xl(formula, A1=manual, B1=method, C1=ok, D1=30.0, E1=20.0) == expected


@pytest.mark.parametrize(
    ("data_first", "additive", "total", "expected"),
    [
        (44000.0, True, 4.0, True),
        (45292.0 - 365, True, 4.0, True),  # Data starts exactly on last year's first day
        (45292.0 - 364, True, 4.0, False),  # a day later: no full year of history
        (44000.0, False, 4.0, False),  # a ratio metric
        (44000.0, True, 0.0000004, False),  # rounds to 0 at six places
        (44000.0, True, 0.5, True),
        (0.0, True, 4.0, False),  # empty Data: MIN of no dates is 0
        (None, True, 4.0, False),
    ],
)
def test_seasonal_ok_twin(data_first: Any, additive: bool, total: float, expected: bool) -> None:
    formula = seasonal_ok_xl("A1", "B1", "C1", "D1")
    assert xl(formula, A1=data_first, B1=45292.0 - 365, C1=total, D1=additive) is expected


def test_seasonal_path_twin() -> None:
    formula = seasonal_path_xl("A1", "B1", "C1")
    assert xl(formula, A1=100.0, B1=1.0, C1=4.0) == 25.0  # 100 * 1 / 4
    assert xl(formula, A1=10.0, B1=0.25, C1=0.5) == 5.0
    assert xl(formula, A1=100.0, B1=1.0, C1=0.0) == ""
    assert xl(formula, A1="n/a", B1=1.0, C1=4.0) == ""


TO_DATE = target_to_date_xl("A1:C1", "A2:C2", "A3:C3", "D1", "E1", "F1", "G1")


def to_date(path: list[Any], as_of: Any, additive: bool) -> Any:
    return blank(
        xl(
            TO_DATE,
            **{"A1:C1": row(path), "A2:C2": row(FIRSTS), "A3:C3": row(LASTS)},
            D1=as_of,
            E1=FIRSTS[0],
            F1=LASTS[2],
            G1=additive,
        )  # fmt: skip
    )


@pytest.mark.parametrize(
    ("as_of", "additive", "expected"),
    [
        (D(2024, 2, 10), True, 410.0),  # January's 310 + 290 * 10/29 = 100
        (D(2024, 1, 1), True, 10.0),  # 310 * 1/31
        (D(2024, 3, 31), True, 910.0),  # the whole path
        (D(2024, 5, 1), True, 910.0),  # after the plan: its last day
        (D(2023, 12, 31), True, None),  # before the plan: blank
        (D(2024, 2, 10), False, 290.0),  # a ratio: February's value
        (D(2024, 1, 31), False, 310.0),
    ],
)
def test_target_to_date_and_its_twin(as_of: dt.date, additive: bool, expected: Any) -> None:
    path = [310.0, 290.0, 310.0]
    assert target_to_date(path, Q1, as_of, additive) == (
        None if expected is None else pytest.approx(expected)
    )
    got = to_date(path, rules.serial(as_of), additive)
    assert got == (None if expected is None else pytest.approx(expected))


def test_target_to_date_with_a_blank_in_the_path() -> None:
    # an additive path with a blank period has no total to date; a ratio reads its period
    path = [310.0, None, 310.0]
    assert target_to_date(path, Q1, D(2024, 3, 5), True) is None
    assert to_date([310.0, "", 310.0], rules.serial(D(2024, 3, 5)), True) is None
    assert target_to_date(path, Q1, D(2024, 3, 5), False) == 310.0
    assert to_date([310.0, "", 310.0], rules.serial(D(2024, 3, 5)), False) == 310.0
    assert target_to_date(path, Q1, None, True) is None
    assert to_date(path, None, True) is None


def test_on_pace_attainment_and_status_twins() -> None:
    # 410 due by Feb 10: 369 actual is 369/410 = 0.9 (Amber at 0.85); lower is better:
    # 410/369 = 1.111111
    assert attainment_to_date(369.0, 410.0, "higher") == 0.9
    assert attainment_to_date(369.0, 410.0, "lower") == 1.111111
    att = attainment_to_date_xl("A1", "B1", "C1", "lower")
    assert xl(att, A1=369.0, B1=410.0, C1="higher") == 0.9
    assert xl(att, A1=369.0, B1=410.0, C1="lower") == 1.111111
    assert xl(att, A1=369.0, B1=0.0, C1="higher") == ""
    status = pace_status_xl("A1", "B1", WORDS)
    for value, word in ((0.9, "Amber"), (1.0, "Green"), (0.84, "Red")):
        assert pace_status(value, 0.85, WORDS) == word
        assert xl(status, A1=value, B1=0.85) == word
    assert pace_status(None, 0.85, WORDS) is None and xl(status, A1=None, B1=0.85) == ""


def test_period_twins() -> None:
    number = period_number_xl("D1", "A2:C2", "E1", "F1")
    cells = {"A2:C2": row(FIRSTS), "E1": FIRSTS[0], "F1": LASTS[2]}
    assert xl(number, D1=45332.0, **cells) == 2.0  # Feb 10 is in period 2
    assert xl(number, D1=LASTS[2], **cells) == 3.0
    assert xl(number, D1=FIRSTS[0], **cells) == 1.0
    assert xl(number, D1=LASTS[2] + 1, **cells) == ""  # after the plan
    assert xl(number, D1=FIRSTS[0] - 1, **cells) == ""
    assert xl(number, D1="n/a", **cells) == ""
    dates = row([45322.0, 45323.0, 45351.0, 45352.0])
    sums = period_sum_xl("A1:D1", "A2:D2", "E1", "F1")
    got = xl(sums, **{"A1:D1": row([1.0, 2.0, 4.0, 8.0]), "A2:D2": dates}, E1=45323.0, F1=45351.0)
    assert got == 6.0  # February's first and last day, both included: 2 + 4
    assert xl(period_days_xl("A1", "B1"), A1=FIRSTS[1], B1=LASTS[1]) == 29.0


# --- literal text ------------------------------------------------------------------------------


def test_literal_lookup_and_criterion_find_the_text_itself() -> None:
    # (the `formulas` package reads "~~" as two tildes, so "~" is left out here; the
    # LibreOffice test of test_attack_formulas.py covers it)
    cells = {"A1:E1": row(["a*", "ab", "a?", "<5", "3"])}
    lookup = f"MATCH({rules.literal_lookup_xl('B1')},A1:E1,0)"
    assert xl(lookup, B1="a*", **cells) == 1.0  # not "ab"
    assert xl(lookup, B1="A?", **cells) == 3.0  # any case, "?" literal
    criterion = f"COUNTIFS(A1:E1,{rules.literal_criterion_xl('B1')})"
    assert xl(criterion, B1="a*", **cells) == 1.0
    assert xl(criterion, B1="<5", **cells) == 1.0  # the text "<5", not "below 5"
    assert rules.same_text("Paid Search", "PAID SEARCH") and not rules.same_text("a*", "ab")


def test_cited_ids_are_found_whole_in_any_case() -> None:
    cited = rules.cited_xl("A1", "B1")
    assert xl(cited, A1="S1", B1="s1, W2") is True
    assert xl(cited, A1="S1", B1="S10, W2") is False  # not a prefix
    assert xl(cited, A1="W2", B1="S1 ,  W2") is True  # spaces ignored
    assert xl(cited, A1="S*", B1="S1") is False  # no wildcards


def test_running_join() -> None:
    assert rules.join_step("", True, "A") == "; A"
    assert rules.join_step("; A", False, "B") == "; A"
    assert rules.join_step("; A", True, "B") == "; A; B"
    assert rules.joined_text("; A; B") == "A; B" and rules.joined_text("") == ""
    first = rules.join_step_xl(None, "B1", "C1")
    assert xl(first, B1=True, C1="A") == "; A" and xl(first, B1=False, C1="A") == ""
    step = rules.join_step_xl("A1", "B1", "C1")
    assert xl(step, A1="; A", B1=True, C1="B") == "; A; B"
    assert xl(step, A1="; A", B1=False, C1="B") == "; A"
    assert xl(rules.joined_text_xl("A1"), A1="; A; B") == "A; B"
