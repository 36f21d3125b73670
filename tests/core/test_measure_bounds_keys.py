"""Answer key for the README's promise on measure sizes: "a measure is 0 or between
0.000000001 and 999,999,999,999,999"; a value outside is refused naming its row and column.

Data row numbers count the header as row 1, so the first data row is row 2.
"""

from __future__ import annotations

import pytest

from tests.core.keys import D, data
from xlmplan.errors import DataError

pytestmark = pytest.mark.core

DAY = D(2026, 1, 5)


def test_the_smallest_and_largest_sizes_are_kept_as_given() -> None:
    frame = data(
        (DAY, "Search", "", 1, 1, 1, 1, 999_999_999_999_999, 0.000000001, 0),
        (DAY, "Social", "", 0, 0, 0, 0, -999_999_999_999_999, -0.000000001, 0),
    )
    assert frame["revenue"].tolist() == [999_999_999_999_999.0, -999_999_999_999_999.0]
    assert frame["spend"].tolist() == [0.000000001, -0.000000001]
    assert frame["new_customers"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("column", "index", "value", "shown"),
    [
        ("spend", 8, 0.0000000009, "9e-10"),  # below the smallest size
        ("spend", 8, -0.0000000009, "-9e-10"),  # the same for a negative (refund) value
        ("revenue", 7, 1e16, "1e+16"),  # above the largest
        ("revenue", 7, 1e15, "1000000000000000.0"),  # one more than 999,999,999,999,999
        ("clicks", 4, -1e16, "-1e+16"),
    ],
)
def test_sizes_outside_are_refused_at_their_cell(
    column: str, index: int, value: float, shown: str
) -> None:
    row: list[object] = [DAY, "Search", "", 1, 1, 1, 1, 1, 1, 1]
    row[index] = value
    with pytest.raises(DataError) as refused:
        data((DAY, "Email", "", 1, 1, 1, 1, 1, 1, 1), tuple(row))  # the second data row: 3
    assert str(refused.value) == (
        f"key.csv, row 3, column '{column}': {shown} is not a size a plan can compute with "
        "(0, or between 0.000000001 and 999,999,999,999,999) — check the value."
    )
