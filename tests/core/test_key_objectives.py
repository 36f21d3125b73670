"""Answer key for the SMART flags and the objectives matrix.

Plan 2028-01-01 .. 2028-12-31, maximum growth +100 % (higher) and -50 % (lower).
KPIs: K1 revenue on Search (higher), K2 CPA on all channels (lower). Data: Search rows on
2028-01-10 (revenue 400, spend 100, conversions 4) and 2028-02-10 (revenue 600, spend 100,
conversions 4): K1 actual = 1000, K2 actual = 200 / 8 = 25.

    obj  words  KPI  baseline -> target  growth            deadline     cites     flags
    O1   5      K1   8000 -> 16000       +100 % (= max)    2028-12-31   S1, o2    1 1 1 1 1 = 5
    O2   4      K2   30 -> 15            -50 % (= max)     2029-01-01   (parent)  1 1 1 1 0 = 4
    O3   2      K9   100 -> 250          unknown KPI       2027-12-31   X9        0 0 0 0 0 = 0
    O4   6 qual none                     qualitative       2028-02-29   W1        0 0 1 1 1 = 3
    O5   4      K1   100 -> 201          +101 % (> max)    2028-06-30   -         1 1 0 0 1 = 3
    O6   4      K2   40 -> 19            -52.5 % (> max)   2028-01-01   S1        1 1 0 1 1 = 4
    O7   4      K1   0 -> 10             baseline 0        (none)       O5 parent 1 1 0 1 0 = 3
    O8   5      K1   400 -> 800          +100 %            2028-01-31   S1        1 1 1 1 1 = 5
    O9   6      K1   4000 -> (K1: 5000)  +25 %             (none)       S1        1 1 1 1 0 = 4
    O10  6      K3   100 -> (none)       no target at all  2028-12-31   S1        1 0 0 1 1 = 3

As-of = 2028-02-10: an objective is measured from the plan start to MIN(as-of, its
deadline) and judged against its target spread evenly over that window (the whole target
once the deadline has passed); 41 days have elapsed.
"""

from __future__ import annotations

import pytest

from tests.core.keys import SCENARIOS, D, data, run, settings
from xlmplan.core.engine import Results
from xlmplan.core.model import Kpi, Objective, Plan, Strategy, SwotFactor

pytestmark = pytest.mark.core


def objective(
    oid: str, level: str, parent: str, kind: str, text: str, kpi: str, base: float | None,
    target: float | None, deadline: object, cites: str,
) -> Objective:  # fmt: skip
    return Objective(
        oid, level, parent, "Short", kind, "Convert", text, kpi, base, target, deadline, cites
    )  # type: ignore[arg-type]


OBJECTIVES = [
    objective("O1", "Primary", "", "Quantitative", "Grow search revenue by half", "K1",
              8000.0, 16000.0, D(2028, 12, 31), "S1, o2"),
    objective("O2", "Secondary", "O1", "Quantitative", "Cut cost per order", "K2",
              30.0, 15.0, D(2029, 1, 1), ""),
    objective("O3", "Primary", "", "Quantitative", "More clicks", "K9",
              100.0, 250.0, D(2027, 12, 31), "X9"),
    objective("O4", "Secondary", "", "Qualitative", "Be known as the friendliest shop", "",
              None, None, D(2028, 2, 29), "W1"),
    objective("O5", "Primary", "", "Quantitative", "Double search revenue again", "K1",
              100.0, 201.0, D(2028, 6, 30), ""),
    objective("O6", "Secondary", "", "Quantitative", "Halve the order cost", "k2",
              40.0, 19.0, D(2028, 1, 1), "S1"),
    objective("O7", "Secondary", "O5", "Quantitative", "Start selling by search", "K1",
              0.0, 10.0, None, ""),
    objective("O8", "Primary", "", "Quantitative", "Sell eight hundred in January", "K1",
              400.0, 800.0, D(2028, 1, 31), "S1"),
    objective("O9", "Primary", "", "Quantitative", "Search revenue for the whole year", "K1",
              4000.0, None, None, "S1"),
    objective("O10", "Primary", "", "Quantitative", "Grow sessions on the search channel", "K3",
              100.0, None, D(2028, 12, 31), "S1"),
]  # fmt: skip


@pytest.fixture
def res() -> Results:
    plan = Plan(
        settings(D(2028, 1, 1), 12),
        swot=[
            SwotFactor("S1", "S", "Market", "Loyal customers", "", 4, 5),
            SwotFactor("W1", "W", "Self", "Slow site", "", 3, 3),
            SwotFactor("O2", "O", "Market", "Search demand grows", "", 4, 4),
        ],
        objectives=list(OBJECTIVES),
        kpis=[
            Kpi("K1", "Search revenue", "Revenue", "Search", 5000.0, "higher"),
            Kpi("K2", "Cost per order", "CPA", "All", 20.0, "lower"),
            Kpi("K3", "Search sessions", "Sessions", "Search", None, "higher"),
        ],
        strategies=[
            Strategy(
                "ST1",
                "O1",
                "SEO",
                "Search",
                "SO",
                "S1+O2",
                "Own the category pages",
                "",
                "Ana",
                None,
                None,
                None,
            ),
            Strategy(
                "ST2",
                "o1",
                "SEM",
                "Search",
                "SO",
                "",
                "Bid on brand terms",
                "",
                "Ben",
                None,
                None,
                None,
            ),
            Strategy(
                "ST3",
                "O2",
                "SEM",
                "Search",
                "WO",
                "",
                "Cut weak keywords",
                "",
                "Ben",
                None,
                None,
                None,
            ),
        ],  # fmt: skip
        scenarios=list(SCENARIOS),
        channels=["Search"],
    )
    rows = [
        (D(2028, 1, 10), "Search", "", 0, 0, 0, 4, 400, 100, 0),
        (D(2028, 2, 10), "Search", "", 0, 0, 0, 4, 600, 100, 0),
    ]
    return run(plan, data(*rows))


def test_smart_flags(res: Results) -> None:
    assert res.smart == [
        [1, 1, 1, 1, 1, 5],  # O1: growth exactly +100 % is achievable; deadline = plan end
        [1, 1, 1, 1, 0, 4],  # O2: -50 % exactly; primary parent O1; deadline a day late
        [0, 0, 0, 0, 0, 0],  # O3: 2 words, unknown KPI, unknown factor, before the plan
        [0, 0, 1, 1, 1, 3],  # O4: qualitative without KPI; leap day inside the plan
        [1, 1, 0, 0, 1, 3],  # O5: +101 % > +100 %; cites nothing, no parent
        [1, 1, 0, 1, 1, 4],  # O6: 1 - 19/40 = 52.5 % > 50 %; KPI id in another case
        [1, 1, 0, 1, 0, 3],  # O7: baseline 0 (no growth to judge); parent O5 is primary
        [1, 1, 1, 1, 1, 5],  # O8: 800 / 400 - 1 = +100 %
        [1, 1, 1, 1, 0, 4],  # O9: no target typed: K1's 5000, 5000 / 4000 - 1 = +25 %
        [1, 0, 0, 1, 1, 3],  # O10: neither it nor K3 has a target: not measurable
    ]


def test_objectives_matrix(res: Results) -> None:
    rows = res.objective_rows
    # O1 cites S1 and O2 (case-insensitive): their texts in SWOT order
    assert rows[0]["substantiation"] == "Loyal customers; Search demand grows"
    assert rows[0]["strategies"] == "Own the category pages; Bid on brand terms"
    assert rows[0]["kpi_name"] == "Search revenue"
    assert rows[0]["actual"] == 1000.0  # 400 + 600
    # due by 2028-02-10 on the way to the deadline 2028-12-31: 16000 x 41 / 366 = 1792.35
    assert rows[0]["due"] == pytest.approx(16000 * 41 / 366)
    assert rows[0]["attainment"] == 0.557927  # 1000 / 1792.35 (not 1000 / 16000 = 0.0625)
    assert rows[0]["status"] == "Red"
    # O2: CPA 200 / 8 = 25, lower is better. Ratio, window to 2029-01-01 (367 days): due
    # 30 + (15 - 30) x 41 / 367 = 28.324251; 28.324251 / 25 = 1.132970
    assert rows[1]["strategies"] == "Cut weak keywords"
    assert rows[1]["actual"] == 25.0
    assert rows[1]["attainment"] == 1.13297
    # O3: unknown KPI -> no actual, no judgement
    assert (rows[2]["kpi_name"], rows[2]["actual"], rows[2]["status"]) == ("", None, None)
    assert rows[2]["substantiation"] == ""
    # O5: window to 2028-06-30 (182 days): due 201 x 41 / 182 = 45.280220;
    # 1000 / 45.280220 = 182000 / 8241 = 22.084698 -> Green
    assert (rows[4]["attainment"], rows[4]["status"]) == (22.084698, "Green")


def test_an_objective_past_its_deadline_shows_its_result_at_the_deadline(res: Results) -> None:
    o8 = res.objective_rows[7]
    # window 2028-01-01 .. 2028-01-31: only the 2028-01-10 row (400); the whole 800 is due
    assert (o8["actual"], o8["due"], o8["end"]) == (400.0, 800.0, D(2028, 1, 31))
    assert (o8["attainment"], o8["status"]) == (0.5, "Red")


def test_an_objective_without_its_own_target_takes_its_kpis(res: Results) -> None:
    o9 = res.objective_rows[8]
    # K1's 5000 over the whole plan (366 days): due 5000 x 41 / 366 = 560.109;
    # 1000 / 560.109 = 366000 / 205000 = 1.785366
    assert o9["target"] == 5000.0
    assert o9["attainment"] == 1.785366
    o10 = res.objective_rows[9]
    assert (o10["target"], o10["due"], o10["status"]) == (None, None, None)
