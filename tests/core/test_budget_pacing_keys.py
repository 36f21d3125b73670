"""Answer key for budget pacing: media money lines against spend per channel and period,
left to plan, overspend and the reconciliation of strategy budgets with money lines.

Plan 2026-01-01, four months (Jan 31, Feb 28, Mar 31, Apr 30 days); Data channels Search
and Social (Data also has "Other", which no plan channel takes). Media = Advertising.

Money lines                                    per month
  Advertising Search   400  Jan..Apr           100 100 100 100
  Advertising Social   300  Feb..Apr             0 100 100 100
  Advertising (blank)   80  Jan..Apr            20  20  20  20   -> unassigned
  Advertising Display   40  Mar..Apr             0   0  20  20
  Tools       Search  1200  Jan..Apr           (not media: no pacing, but reconciled)
Spend in Data: Search Jan 15 120, Feb 10 90, Mar 5 50, Mar 10 10 (and 999 on 2025-12-31,
before the plan); Social Feb 20 130, Mar 9 20; Other Jan 25 5.

Pacing rows: the Data channels, then Display (a money line's) and Email (a strategy's),
then the unassigned lines.
As-of = 2026-03-10 (last Data date): as-of period 3; the rest of March is (31 − 10) ÷ 31
= 21/31 of it, so the plan share ahead per period is 0, 0, 21/31, 1.
Search:  actual 120, 90, 60, blank; outlook 120, 90, 60 + 100·21/31 = 127.741935, 100;
         variance (plan to date − actual) 100 − 120 = −20, 10, 100·10/31 − 60 = −27.741935,
         blank -> overspent in Jan and Mar.
Social:  actual 0, 130, 20; variance 0, −30, 1000/31 − 20 = 12.258065 -> overspent in Feb.
Unassigned: planned 20 each, actual 5 (Other), 0, 0; outlook 5, 0, 420/31, 20.
Total:   planned 120, 220, 240, 240 = 820; actual 125, 220, 80 (to date 425);
         variance −5, 0, 2400/31 − 80 = −2.580645 -> overspent in Jan and Mar;
         plan still ahead 240·21/31 + 240 = 402.580645.
Left to plan with cap 1000, buffer 50, committed 30: 1000 − 50 − 30 − 425 − 402.580645
= 92.419355; with no cap the cap is the planned total 820: 820 − 425 − 402.580645
= −7.580645.
Strategies: Search 1600 (and one without a budget) = money 400 + 1200: agree; Social 250
against 300, Email 500 against 0 and Display 0 against 40 disagree.

Run-rate outlook (Start's budget outlook "run-rate"): 31 + 28 + 10 = 69 days to the as-of
date. Each row expects its spend per day to date × the period's days still ahead: March
has 21 days ahead, April 30.
Search:  270 / 69 a day; outlook 120, 90, 60 + 270·21/69 = 142.173913, 270·30/69 = 117.391304
Social:  150 / 69 a day; outlook 0, 130, 20 + 150·21/69 = 65.652174, 150·30/69 = 65.217391
Display, Email: nothing spent, 0 a day: outlook 0 (the plan's 20 + 20 for Display is not
         expected at the run-rate).
Unassigned: 5 / 69 a day; outlook 5, 0, 5·21/69 = 1.521739, 5·30/69 = 2.173913.
Expected after the as-of date: 425 · 51/69 = 314.130435 (all rows: 425 to date, 51 days
ahead). Left to plan with cap 1000, buffer 50, committed 30: 1000 − 80 − 425 − 314.130435
= 180.869565. Variance stays plan to date − actual. Cap 850: the plan's outlook leaves
850 − 80 − 425 − 402.580645 = −57.58 (an error), the run-rate's 30.869565 (none).
With a spend forecast for Search of 70 still ahead in March and 150 in April, Search's
outlook is 120, 90, 130, 150 and the others keep their run-rate.
"""

from __future__ import annotations

import pytest

from tests.core.keys import D, data, run, settings, xl
from xlmplan.core import budget_pacing as bp
from xlmplan.core.checks import pacing_findings
from xlmplan.core.engine import Results
from xlmplan.core.labels import load_labels
from xlmplan.core.model import MoneyLine, Plan, Strategy
from xlmplan.core.periods import plan_periods
from xlmplan.core.template import BUNDLED

pytestmark = pytest.mark.core

R = 21 / 31


def strategy(id_: str, channel: str, budget: float | None) -> Strategy:
    return Strategy(id_, "OB1", "", channel, "SO", "", "s", "t", "", None, None, budget)


def plan(**kw: float) -> Plan:
    return Plan(
        settings(D(2026, 1, 1), 4, **kw),  # type: ignore[arg-type]
        money=[
            MoneyLine("Advertising", "Search", "a", D(2026, 1, 1), D(2026, 4, 30), 400.0),
            MoneyLine("Advertising", "social", "b", D(2026, 2, 1), D(2026, 4, 30), 300.0),
            MoneyLine("Advertising", "", "c", D(2026, 1, 1), D(2026, 4, 30), 80.0),
            MoneyLine("Advertising", "Display", "d", D(2026, 3, 1), D(2026, 4, 30), 40.0),
            MoneyLine("Tools", "Search", "e", D(2026, 1, 1), D(2026, 4, 30), 1200.0),
        ],
        strategies=[
            strategy("ST1", "Search", 1600.0),
            strategy("ST2", "Social", 250.0),
            strategy("ST3", "Email", 500.0),
            strategy("ST4", "search", None),
        ],
        channels=["Search", "Social"],
    )


def frame():  # type: ignore[no-untyped-def]
    rows = [
        (D(2025, 12, 31), "Search", "", 0, 0, 0, 0, 0, 999),
        (D(2026, 1, 15), "Search", "", 0, 0, 0, 0, 0, 120),
        (D(2026, 1, 25), "Other", "", 0, 0, 0, 0, 0, 5),
        (D(2026, 2, 10), "Search", "", 0, 0, 0, 0, 0, 90),
        (D(2026, 2, 20), "Social", "", 0, 0, 0, 0, 0, 130),
        (D(2026, 3, 5), "Search", "", 0, 0, 0, 0, 0, 50),
        (D(2026, 3, 9), "Social", "", 0, 0, 0, 0, 0, 20),
        (D(2026, 3, 10), "Search", "", 0, 0, 0, 0, 0, 10),
    ]
    return data(*rows)


@pytest.fixture
def res() -> Results:
    return run(plan(budget_cap=1000.0, budget_buffer=50.0, budget_committed=30.0), frame())


def approx(values: list[float | None]) -> list[object]:
    return [None if v is None else pytest.approx(v, abs=1e-9) for v in values]


def test_the_as_of_period_splits_actual_from_plan(res: Results) -> None:
    p = res.pacing
    assert p is not None
    assert (p.as_of_period, p.remaining) == (3, pytest.approx(R))
    assert p.shares == approx([0.0, 0.0, R, 1.0])
    assert [r.channel for r in p.rows] == ["Search", "Social", "Display", "Email", ""]


def test_rows_per_channel(res: Results) -> None:
    assert res.pacing is not None
    search, social, display, email, other = res.pacing.rows
    assert search.planned == [100.0, 100.0, 100.0, 100.0]
    assert search.actual == [120.0, 90.0, 60.0, None]
    assert search.outlook == approx([120.0, 90.0, 60 + 100 * R, 100.0])
    assert search.variance == approx([-20.0, 10.0, 1000 / 31 - 60, None])
    assert search.overspent_periods == [0, 2]
    assert search.cum_outlook[-1] == pytest.approx(120 + 90 + 60 + 100 * R + 100)
    assert social.actual == [0.0, 130.0, 20.0, None]
    assert social.variance == approx([0.0, -30.0, 1000 / 31 - 20, None])
    assert social.overspent_periods == [1]
    assert display.planned == [0.0, 0.0, 20.0, 20.0]
    assert display.outlook == approx([0.0, 0.0, 20 * R, 20.0])
    assert (email.planned, email.actual) == ([0.0] * 4, [0.0, 0.0, 0.0, None])
    assert other.planned == [20.0, 20.0, 20.0, 20.0]
    assert other.actual == [5.0, 0.0, 0.0, None]
    assert other.outlook == approx([5.0, 0.0, 20 * R, 20.0])


def test_total_and_left_to_plan(res: Results) -> None:
    p = res.pacing
    assert p is not None
    assert p.total.planned == [120.0, 220.0, 240.0, 240.0]
    assert p.total.actual == [125.0, 220.0, 80.0, None]
    assert p.total.actual_to_date == 425.0
    assert p.total.variance == approx([-5.0, 0.0, 2400 / 31 - 80, None])
    assert p.total.overspent_periods == [0, 2]
    assert p.planned_remaining == pytest.approx(240 * R + 240)
    assert p.left_to_plan == pytest.approx(1000 - 50 - 30 - 425 - (240 * R + 240))


def test_without_a_cap_the_plan_is_the_cap() -> None:
    p = run(plan(), frame()).pacing
    assert p is not None
    assert p.left_to_plan == pytest.approx(820 - 425 - (240 * R + 240))


def test_strategy_budgets_reconciled_with_money_lines(res: Results) -> None:
    assert res.pacing is not None
    got = [(r.channel, r.strategies, r.money, r.differs) for r in res.pacing.reconciled]
    assert got == [
        ("Search", 1600.0, 1600.0, False),
        ("Social", 250.0, 300.0, True),
        ("Display", 0.0, 40.0, True),
        ("Email", 500.0, 0.0, True),
    ]


@pytest.mark.parametrize(
    ("as_of", "period", "remaining"),
    [
        (None, 0, 0.0),
        (D(2025, 12, 31), 0, 0.0),  # before the plan: all of it is plan
        (D(2026, 1, 1), 1, 30 / 31),
        (D(2026, 2, 28), 2, 0.0),
        (D(2026, 4, 30), 4, 0.0),
        (D(2026, 5, 1), 5, 0.0),  # after the plan: all of it is actual
    ],
)
def test_as_of_period_at_its_edges(as_of: object, period: int, remaining: float) -> None:
    periods = plan_periods(D(2026, 1, 1), 4)
    assert bp.as_of_period(as_of, periods) == period  # type: ignore[arg-type]
    assert bp.remaining_share(as_of, periods) == pytest.approx(remaining)  # type: ignore[arg-type]


def test_twins_give_the_python_values() -> None:
    """Each ``*_xl`` twin, evaluated over constants, gives its Python rule's value."""
    # the remaining share of period 3 at 2026-03-10 (first and last day as one-cell ranges)
    share = bp.remaining_share_xl("A1", "B1", 4, "C1", "D1")
    share = share.replace("INDEX(C1,B1)", "C1").replace("INDEX(D1,B1)", "D1")
    assert xl(share, A1=46091.0, B1=3.0, C1=46082.0, D1=46112.0) == pytest.approx(R)
    for k, expected in ((2, 0.0), (3, R), (4, 1.0)):
        assert xl(bp.plan_share_xl("A1", "B1", "C1"), A1=k, B1=3, C1=R) == pytest.approx(expected)
    assert xl(bp.outlook_xl("A1", "B1", "D1", "E1"), A1=60, B1=100 * R, D1=3, E1=3) == (
        pytest.approx(bp.outlook(60.0, 100.0 * R))
    )
    assert xl(bp.outlook_xl("A1", "B1", "D1", "E1"), A1="", B1=100, D1=4, E1=3) == 100
    assert xl(bp.variance_xl("A1", "B1", "C1", "D1", "E1"), A1=100, B1=60, C1=R, D1=3, E1=3) == (
        pytest.approx(bp.variance(100.0, 60.0, R))
    )
    assert xl(bp.variance_xl("A1", "B1", "C1", "D1", "E1"), A1=100, B1="", C1=1, D1=4, E1=3) == ""
    for var in (-0.004, -0.006, 5.0):
        assert xl(bp.overspent_xl("A1"), A1=var) is bp.overspent(var)
    formula = bp.left_to_plan_xl("A1", "B1", "C1", "D1", "E1", "F1")
    for cap, buffer in ((1000.0, 50.0), (None, None)):
        assert xl(formula, A1=cap, B1=buffer, C1=30.0, D1=820.0, E1=425.0, F1=402.5) == (
            pytest.approx(bp.left_to_plan(cap, buffer, 30.0, 820.0, 425.0, 402.5))
        )
    for s, m in ((250.0, 300.0), (1600.0, 1600.004)):
        assert xl(bp.disagrees_xl("A1", "B1"), A1=s, B1=m) is bp.disagrees(s, m)


def test_findings_name_overspend_caps_and_disagreements(res: Results) -> None:
    """Search: Jan and Mar over by 20 + 27.74 = 47.74; to date 270 against 232.26.
    Social: Feb over by 30; to date 150 against 132.26. Total: Jan and Mar over by
    5 + 2.58 = 7.58; to date 425 against 417.42. The cap 1000 leaves 92.42: no finding."""
    labels = load_labels(BUNDLED / "labels", "en")
    got = [(f.severity, f.where, f.message) for f in pacing_findings(plan(), res, labels)]
    over = "Media spend over the plan to date in"
    to_date = "Media spend to date {} is over the plan to date {}."
    assert got == [
        ("warning", "Budget_Months Search",
         f"{over} January 2026, March 2026 (by 48 in all). {to_date.format(270, 232)}"),
        ("warning", "Budget_Months Social",
         f"{over} February 2026 (by 30 in all). {to_date.format(150, 132)}"),
        ("warning", "Budget_Months",
         f"{over} January 2026, March 2026 (by 8 in all). {to_date.format(425, 417)}"),
        *(
            ("warning", "Budget_Months", f"Channel '{c}': the strategies' budgets add up to {s} "
             f"but its money lines to {m} — make them agree.")
            for c, s, m in (("Social", 250, 300), ("Display", 0, 40), ("Email", 500, 0))
        ),
    ]  # fmt: skip


def test_a_cap_the_outlook_breaks_is_an_error() -> None:
    """Cap 800: 800 − 50 − 30 − 425 − 402.58 = −107.58."""
    p = plan(budget_cap=800.0, budget_buffer=50.0, budget_committed=30.0)
    labels = load_labels(BUNDLED / "labels", "en")
    errors = [
        f.message for f in pacing_findings(p, run(p, frame()), labels) if f.severity == "error"
    ]
    assert errors == [
        "Actual spend, commitments and the spend expected ahead exceed the media cap "
        "(after its buffer) by 108 — cut planned lines or raise the cap on Start."
    ]


# --- run-rate outlook -----------------------------------------------------------------------

DAYS = 69  # 31 + 28 + 10 days to the as-of date


def test_run_rate_outlook_expects_each_channels_spend_per_day() -> None:
    kw = {"budget_cap": 1000.0, "budget_buffer": 50.0, "budget_committed": 30.0}
    p = run(plan(**kw, budget_outlook="run-rate"), frame()).pacing  # type: ignore[arg-type]
    assert p is not None
    assert (p.outlook, p.elapsed) == ("run-rate", DAYS)
    assert p.rates == approx([270 / DAYS, 150 / DAYS, 0.0, 0.0, 5 / DAYS])
    search, social, display, email, other = p.rows
    assert search.outlook == approx([120.0, 90.0, 60 + 270 * 21 / DAYS, 270 * 30 / DAYS])
    assert social.outlook == approx([0.0, 130.0, 20 + 150 * 21 / DAYS, 150 * 30 / DAYS])
    assert display.outlook == email.outlook == [0.0] * 4
    assert other.outlook == approx([5.0, 0.0, 5 * 21 / DAYS, 5 * 30 / DAYS])
    assert search.variance == approx([-20.0, 10.0, 1000 / 31 - 60, None])  # against the plan
    assert p.total.outlook == approx([125.0, 220.0, 80 + 425 * 21 / DAYS, 425 * 30 / DAYS])
    assert p.planned_remaining == pytest.approx(425 * 51 / DAYS)
    assert p.left_to_plan == pytest.approx(1000 - 50 - 30 - 425 - 425 * 51 / DAYS)


def test_the_cap_finding_follows_the_outlook() -> None:
    labels = load_labels(BUNDLED / "labels", "en")

    def errors(outlook: str) -> list[str]:
        p = plan(budget_cap=850.0, budget_buffer=50.0, budget_committed=30.0)
        p.settings.budget_outlook = outlook
        found = pacing_findings(p, run(p, frame()), labels)
        return [f.message for f in found if f.severity == "error"]

    assert [m.split(" by ")[1][:2] for m in errors("plan")] == ["58"]
    assert errors("run-rate") == []


def test_run_rate_outlook_uses_a_spend_forecast_where_one_exists() -> None:
    periods = plan_periods(D(2026, 1, 1), 4)
    planned = {"search": [100.0] * 4, "social": [0.0, 100.0, 100.0, 100.0]}
    spend = {"search": [120.0, 90.0, 60.0, 0.0], "social": [0.0, 130.0, 20.0, 0.0]}
    forecasts = {"search": [None, None, 70.0, 150.0]}
    p = bp.pace(
        ["Search", "Social"], planned, spend, D(2026, 3, 10), periods,
        outlook_by="run-rate", forecasts=forecasts,
    )  # fmt: skip
    search, social, _ = p.rows
    assert search.outlook == approx([120.0, 90.0, 130.0, 150.0])
    assert social.outlook == approx([0.0, 130.0, 20 + 150 * 21 / DAYS, 150 * 30 / DAYS])
    plan_outlook = bp.pace(
        ["Search", "Social"], planned, spend, D(2026, 3, 10), periods, forecasts=forecasts
    )
    assert plan_outlook.rows[0].outlook == approx([120.0, 90.0, 60 + 100 * R, 100.0])


def test_run_rate_outlook_before_the_plan_keeps_the_plan() -> None:
    """No day of the plan has passed: there is no rate, so the plan is expected."""
    p = run(plan(budget_outlook="run-rate", as_of=D(2025, 12, 31)), frame()).pacing  # type: ignore[arg-type]
    assert p is not None
    assert (p.as_of_period, p.elapsed, p.rates[0]) == (0, 0, None)
    assert p.rows[0].outlook == [100.0] * 4


def test_run_rate_outlook_reads_a_channels_spend_forecast() -> None:
    """A KPI on Search whose metric has spend (CPC) gives Search its spend forecast."""
    from xlmplan.core.model import Kpi

    p = plan(budget_outlook="run-rate")  # type: ignore[arg-type]
    p.kpis = [Kpi("K1", "Search CPC", "CPC", "Search", 1.0, "lower")]
    res = run(p, frame())
    assert res.pacing is not None and res.forecasts
    spend = next(m for m in res.forecasts[0].measures if m.measure == "spend")
    assert res.pacing.forecasts[0] == list(spend.mean)
    assert res.pacing.forecasts[1] == [None] * 4  # Social: no KPI forecasts its spend
    ahead = [x for x in spend.mean if x is not None]
    assert ahead and res.pacing.rows[0].outlook[3] == pytest.approx(spend.mean[3])


def test_a_line_that_ends_before_it_starts_is_a_finding() -> None:
    """It spreads nothing (0 months), which Checks says instead of losing it silently."""
    from xlmplan.core.model import Action

    p = plan()
    p.money.append(MoneyLine("Advertising", "Search", "Late", D(2026, 3, 5), D(2026, 3, 1), 90.0))
    p.actions = [Action("Launch", "ST1", "", D(2026, 2, 10), D(2026, 1, 20), 8.0)]
    res = run(p, frame())
    assert (res.money_months[-1], res.money_grid[-1]) == (0.0, [0.0] * 4)
    assert res.action_grid == [[0.0] * 4]
    labels = load_labels(BUNDLED / "labels", "en")
    got = [(f.where, f.message) for f in pacing_findings(p, res, labels) if "ends on" in f.message]
    rest = ": nothing of it is spread over the periods — correct its dates."
    assert got == [
        ("Budget_3M Late", f"Late ends on 2026-03-01 before it starts on 2026-03-05{rest}"),
        ("Budget_3M Launch", f"Launch ends on 2026-01-20 before it starts on 2026-02-10{rest}"),
    ]
