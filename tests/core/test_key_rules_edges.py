"""Answer keys for `core/rules.py` at edges the first keys left open: one elapsed day, a
date range ending on the first of a month or starting on its last day, tabs in a text."""

from __future__ import annotations

import numpy as np
import pytest

from tests.core.keys import D, xl
from xlmplan.core import rules

pytestmark = pytest.mark.core


def test_a_run_rate_after_one_elapsed_day() -> None:
    # 10 in one day of a 31-day plan: 10 / 1 * 31 = 310 (a day is enough to project)
    assert rules.run_rate(10, True, 31, 1) == 310.0
    assert xl(rules.run_rate_xl("A1", "B1", "C1", "D1"), A1=10, B1=True, C1=31, D1=1) == 310.0
    # half a day (a fraction is still more than nothing): 10 / 0.5 * 31 = 620
    assert rules.run_rate(10, True, 31, 0.5) == 620.0


@pytest.mark.parametrize(
    ("start", "end", "month", "last", "expected"),
    [
        # ends on 1 February: active in February, for that one day
        (D(2026, 1, 10), D(2026, 2, 1), D(2026, 2, 1), D(2026, 2, 28), True),
        # starts on 28 February, February's last day: active in February
        (D(2026, 2, 28), D(2026, 3, 31), D(2026, 2, 1), D(2026, 2, 28), True),
        # one day long, on the first of the month
        (D(2028, 3, 1), D(2028, 3, 1), D(2028, 3, 1), D(2028, 3, 31), True),
        # one day long, on the leap day: not in March
        (D(2028, 2, 29), D(2028, 2, 29), D(2028, 3, 1), D(2028, 3, 31), False),
    ],
)
def test_active_at_the_months_edges(start: D, end: D, month: D, last: D, expected: bool) -> None:
    assert rules.active(start, end, month, last) is expected
    formula = rules.active_xl("A1", "B1", "C1")
    got = xl(formula, A1=rules.serial(start), B1=rules.serial(end), C1=rules.serial(month))
    assert got is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # TRIM and the count see spaces only: "Grow\tsearch" is one word, "revenue" another
        ("Grow\tsearch revenue", 2),
        ("\tSales\t", 1),  # a tab is no space: one word, not none
    ],
)
def test_word_count_reads_tabs_as_letters(text: str, expected: int) -> None:
    assert rules.word_count(text) == expected
    assert xl(rules.word_count_xl("A1"), A1=text) == expected


def test_word_count_collapses_a_run_of_spaces_beside_tabs() -> None:
    # "a\t\tb  c": the run of two spaces is one gap (Excel's TRIM), so "a\t\tb" and "c"
    # (the `formulas` package's TRIM keeps inner runs: its twin is not asked)
    assert rules.word_count("a\t\tb  c") == 2


# B1:B4 = 1, 3, 5, 9: the median is (3 + 5) / 2 = 4. Each case: the value in A1, the
# direction in C1, then the truth of the four conditions best, worst, better, worse (the
# sheet checks them in that order) and the band the Python rule gives.
BAND_VALUES = [1.0, 3.0, 5.0, 9.0]


@pytest.mark.parametrize(
    ("value", "direction", "conditions", "expected"),
    [
        (9.0, "higher", (True, False, True, False), "best"),  # the maximum; 9 > 4 too
        (1.0, "higher", (False, True, False, True), "worst"),  # the minimum; 1 < 4 too
        (5.0, "higher", (False, False, True, False), "better"),  # 5 - 4 = +1
        (3.0, "higher", (False, False, False, True), "worse"),  # 3 - 4 = -1
        (4.0, "higher", (False, False, False, False), None),  # at the median
        (1.0, "lower", (True, False, True, False), "best"),  # lower is better: the minimum
        (9.0, "lower", (False, True, False, True), "worst"),
        (3.0, "lower", (False, False, True, False), "better"),  # 3 - 4 = -1, a fall
        (5.0, "lower", (False, False, False, True), "worse"),
        (4.0, "lower", (False, False, False, False), None),
        (None, "higher", (False, False, False, False), None),  # a blank: no band
    ],
)
def test_band_conditions(
    value: float | None,
    direction: str,
    conditions: tuple[bool, bool, bool, bool],
    expected: str | None,
) -> None:
    assert rules.band(value, BAND_VALUES, direction) == expected
    formulas = rules.band_xl("A1", "B1:B4", "C1", "lower")
    assert list(formulas) == ["best", "worst", "better", "worse"]
    column = np.array([[v] for v in BAND_VALUES])
    got = tuple(xl(f, A1=value, C1=direction, **{"B1:B4": column}) for f in formulas.values())
    assert got == conditions
