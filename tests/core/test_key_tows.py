"""Answer key for SWOT scores, ranks with ties, the top factors and the TOWS grid.

    id  type  impact x certainty = score   rank within type
    S1  S     4 x 5 = 20                   1  (ties with S3, comes first)
    S2  S     3 x 3 =  9                   3
    S3  S     5 x 4 = 20                   2  (tie: one equal score above it)
    S4  S     2 x 2 =  4                   4
    S5  S     - x 3 = blank                blank
    W1  W     2 x 3 =  6                   2
    W2  W     4 x 4 = 16                   1
    O1  O     3 x 4 = 12                   2
    O2  O     4 x 4 = 16                   1
    O3  O     2 x 5 = 10                   3
    T1  T     1 x 1 =  1                   4
    T2  T     5 x 5 = 25                   1
    T3  T     3 x 2 =  6                   2
    T4  t     2 x 3 =  6                   3  (type typed in lower case; tie with T3)

Top three per type: S = S1 20, S3 20, S2 9; W = W2 16, W1 6, (none);
O = O2 16, O1 12, O3 10; T = T2 25, T3 6, T4 6.
Each TOWS quadrant XY holds top X(i) score x top Y(j) score, i and j = 1..3.
"""

from __future__ import annotations

import pytest

from tests.core.keys import D, data, run, settings
from xlmplan.core.engine import Results
from xlmplan.core.model import Plan, SwotFactor

pytestmark = pytest.mark.core

FACTORS = [
    ("S1", "S", 4, 5),
    ("S2", "S", 3, 3),
    ("S3", "S", 5, 4),
    ("S4", "S", 2, 2),
    ("S5", "S", None, 3),
    ("W1", "W", 2, 3),
    ("W2", "W", 4, 4),
    ("O1", "O", 3, 4),
    ("O2", "O", 4, 4),
    ("O3", "O", 2, 5),
    ("T1", "T", 1, 1),
    ("T2", "T", 5, 5),
    ("T3", "T", 3, 2),
    ("T4", "t", 2, 3),
]


@pytest.fixture
def res() -> Results:
    swot = [SwotFactor(i, t, "Market", f"factor {i}", "", imp, cert) for i, t, imp, cert in FACTORS]
    plan = Plan(settings(D(2026, 1, 1), 3), swot=swot)
    return run(plan, data((D(2026, 1, 5), "Search", "", 1)))


def test_scores(res: Results) -> None:
    assert res.swot_score == [20, 9, 20, 4, None, 6, 16, 12, 16, 10, 1, 25, 6, 6]


def test_ranks_with_ties_by_row_order(res: Results) -> None:
    assert res.swot_rank == [1, 3, 2, 4, None, 2, 1, 2, 1, 3, 4, 1, 2, 3]
    assert res.swot_key[:5] == ["S#1", "S#3", "S#2", "S#4", ""]


def test_top_three_per_type(res: Results) -> None:
    ids = {t: [(i, score) for i, _, score in top] for t, top in res.swot_top.items()}
    assert ids == {
        "S": [("S1", 20), ("S3", 20), ("S2", 9)],
        "W": [("W2", 16), ("W1", 6), ("", None)],  # only two weaknesses
        "O": [("O2", 16), ("O1", 12), ("O3", 10)],
        "T": [("T2", 25), ("T3", 6), ("T4", 6)],
    }
    assert res.swot_top["S"][0][1] == "factor S1"


def test_tows_grid_pairs_the_top_factors(res: Results) -> None:
    assert res.tows == {
        # rows S1 (20), S3 (20), S2 (9); columns O2 (16), O1 (12), O3 (10)
        "SO": [[320, 240, 200], [320, 240, 200], [144, 108, 90]],
        # columns T2 (25), T3 (6), T4 (6)
        "ST": [[500, 120, 120], [500, 120, 120], [225, 54, 54]],
        # rows W2 (16), W1 (6), none
        "WO": [[256, 192, 160], [96, 72, 60], [None, None, None]],
        "WT": [[400, 96, 96], [150, 36, 36], [None, None, None]],
    }
