"""Answer key for target paths at their edges: the first day of an objective's window, a
ratio objective without a baseline, the to-date formula built inside the test (so a change
to its builder is seen) and a path whose shares do not match it.

The plan Q1 2024: January (31 days, serials 45292..45322), a leap February (29 days,
45323..45351) and March (31 days, 45352..45382); 91 days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.core.keys import D, xl
from xlmplan.core import rules
from xlmplan.core.target_path import objective_due, target_due, target_to_date_xl

pytestmark = pytest.mark.core

FIRSTS = [45292.0, 45323.0, 45352.0]
LASTS = [45322.0, 45351.0, 45382.0]


def test_an_objective_is_due_one_day_of_its_window_on_the_plans_first_day() -> None:
    # window 1 Jan .. 31 Mar 2024 (91 days), as of 1 Jan: 1 day elapsed, 910 × 1/91 = 10
    assert objective_due(910.0, None, True, D(2024, 1, 1), D(2024, 3, 31), D(2024, 1, 1)) == (
        pytest.approx(10.0)
    )
    # a day earlier the window has not begun: blank
    assert objective_due(910.0, None, True, D(2024, 1, 1), D(2024, 3, 31), D(2023, 12, 31)) is None


def test_a_ratio_objective_without_a_baseline_is_due_its_target_from_the_first_day() -> None:
    # no baseline to start from: the whole target, as a float
    due = objective_due(3, None, False, D(2024, 1, 1), D(2024, 3, 31), D(2024, 2, 10))
    assert due == 3.0 and isinstance(due, float)
    # with a baseline 1: 1 + (3 − 1) × 41/91 (1 Jan .. 10 Feb is 41 days)
    due = objective_due(3.0, 1.0, False, D(2024, 1, 1), D(2024, 3, 31), D(2024, 2, 10))
    assert due == pytest.approx(1 + 2 * 41 / 91)


@pytest.mark.parametrize(
    ("as_of", "additive", "expected"),
    [
        (D(2024, 2, 10), True, 410.0),  # January's 310 + 290 × 10/29 = 100
        (D(2024, 3, 31), True, 910.0),  # the whole path on the plan's last day
        (D(2024, 6, 1), True, 910.0),  # after the plan: its last day
        (D(2024, 2, 10), False, 290.0),  # a ratio reads February's value
        (D(2024, 3, 1), False, 310.0),  # a ratio on a period's first day reads that period
    ],
)
def test_the_to_date_formula_built_here(as_of: Any, additive: bool, expected: float) -> None:
    formula = target_to_date_xl("A1:C1", "A2:C2", "A3:C3", "D1", "E1", "F1", "G1")
    got = xl(
        formula,
        **{
            "A1:C1": np.array([[310.0, 290.0, 310.0]], dtype=object),
            "A2:C2": np.array([FIRSTS], dtype=object),
            "A3:C3": np.array([LASTS], dtype=object),
        },
        D1=rules.serial(as_of),
        E1=FIRSTS[0],
        F1=LASTS[2],
        G1=additive,
    )
    assert got == pytest.approx(expected)


def test_a_path_and_shares_of_different_lengths_are_refused() -> None:
    # one share per period: a missing share would silently drop March's 310
    with pytest.raises(ValueError, match="zip"):
        target_due([310.0, 290.0, 310.0], [1.0, 1.0], 2, True)
    assert target_due([310.0, 290.0, 310.0], [1.0, 1.0, 0.5], 2, True) == 755.0
