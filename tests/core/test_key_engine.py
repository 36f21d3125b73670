"""Answer key for the engine's KPI block: as-of date, windows, trend, attainment, status,
run-rate, scenarios and the Analysis sums, on ten Data rows worked out by hand.

The plan runs through the leap year 2028 (366 days). Data (date, channel, campaign:
impressions, clicks, sessions, conversions, revenue, spend, new customers):

    r1 2027-12-31 Search A   100   10  10  1  1000  100  1   before the plan
    r2 2028-01-31 Search A  1000   50  40  4   400  100  2
    r3 2028-02-01 Search A  2000  100  80  8   800  200  4
    r4 2028-02-29 Search B  1000   50  50  5   600  100  3   leap day
    r5 2028-02-29 Social A  4000   40  30  1   100   50  1   leap day
    r6 2028-03-01 Search A  1500   60  50  6   700  120  2
    r7 2028-03-15 Search A   500   30  20  3   800   80  1
    r8 2028-03-15 Social B  2000   20  10  0     0    0  0
    r9 2029-01-02 Search A   100   10  10  1  5000  100  1   after the plan

As-of = last Data date inside the plan = 2028-03-15 (r9 is after the end).
Elapsed = 31 (Jan) + 29 (Feb) + 15 = 75 days. Windows:
    to date      2028-01-01 .. 2028-03-15   r2..r8
    last month   2028-03-01 .. 2028-03-15   r6 r7 r8
    month before 2028-02-01 .. 2028-02-29   r3 r4 r5
Sums, Search: to date imp 6000, clicks 290, sessions 240, conv 26, revenue 3300, spend 600;
              last month revenue 1500, spend 200, conv 9; month before revenue 1400.
Sums, Social: to date imp 6000, clicks 60, revenue 100, spend 50; last month imp 2000,
              clicks 20, revenue 0, spend 0; month before imp 4000, clicks 40, revenue 100,
              spend 50.
Sums, all:    to date spend 650, conv 27, revenue 3400; last month spend 200, conv 9;
              month before spend 350, conv 14.
Settings: amber threshold 0.8, pessimistic trigger 0.5 (both not the defaults).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.core.keys import SCENARIOS, D, data, settings
from tests.core.keys import run as run_with_forecast
from xlmplan.core.engine import KpiResult, Results
from xlmplan.core.model import Kpi, Plan

pytestmark = pytest.mark.core

ROWS = [
    (D(2027, 12, 31), "Search", "A", 100, 10, 10, 1, 1000, 100, 1),
    (D(2028, 1, 31), "Search", "A", 1000, 50, 40, 4, 400, 100, 2),
    (D(2028, 2, 1), "Search", "A", 2000, 100, 80, 8, 800, 200, 4),
    (D(2028, 2, 29), "Search", "B", 1000, 50, 50, 5, 600, 100, 3),
    (D(2028, 2, 29), "Social", "A", 4000, 40, 30, 1, 100, 50, 1),
    (D(2028, 3, 1), "Search", "A", 1500, 60, 50, 6, 700, 120, 2),
    (D(2028, 3, 15), "Search", "A", 500, 30, 20, 3, 800, 80, 1),
    (D(2028, 3, 15), "Social", "B", 2000, 20, 10, 0, 0, 0, 0),
    (D(2029, 1, 2), "Search", "A", 100, 10, 10, 1, 5000, 100, 1),
]

KPIS = [
    Kpi("K1", "Search revenue", "Revenue", "Search", 12000.0, "higher"),
    Kpi("K2", "Cost per order", "CPA", "All", 25.0, "Lower"),
    Kpi("K3", "Search sessions", "Sessions", "Search", 1464.0, "higher"),
    Kpi("K4", "Social CTR", "CTR", "Social", 0.02, "higher"),
    Kpi("K5", "Social CTR stretch", "ctr", "social", 0.04, "higher"),
    Kpi("K6", "Spend", "Spend", "all", None, "lower"),
    Kpi("K7", "Unknown metric", "Bogus", "Search", 10.0, "higher"),
    Kpi("K8", "Social ROAS", "ROAS", "Social", 2.0, "higher"),
]


def plan(**kw: object) -> Plan:
    s = settings(D(2028, 1, 1), 12, amber_threshold=0.8, pessimistic_trigger=0.5, **kw)
    return Plan(s, kpis=list(KPIS), scenarios=list(SCENARIOS), channels=["Search", "Social"])


def run(plan_: Plan, frame: pd.DataFrame) -> Results:
    """These keys work the run-rate rule (SPEC), the year-end without a forecast; the
    forecast's keys are in test_forecast_keys.py."""
    return run_with_forecast(plan_, frame, forecasts=False)


@pytest.fixture
def res() -> Results:
    return run(plan(), data(*ROWS))


def kpi(res: Results, kid: str) -> KpiResult:
    return res.kpis[[k.id for k in KPIS].index(kid)]


def test_as_of_is_the_last_data_date_inside_the_plan(res: Results) -> None:
    assert res.as_of == D(2028, 3, 15)  # r9 (2029-01-02) lies after the plan's end
    assert res.plan_days == 366.0  # 2028 is a leap year
    assert res.elapsed_days == 75.0  # 31 + 29 + 15
    assert res.last_month_start == D(2028, 3, 1)


def test_windows_sum_the_right_days(res: Results) -> None:
    k1 = kpi(res, "K1")
    assert k1.sums["todate"]["revenue"] == 3300.0  # 400 + 800 + 600 + 700 + 800
    assert k1.sums["last"]["revenue"] == 1500.0  # 700 + 800
    assert k1.sums["prev"]["revenue"] == 1400.0  # 800 (Feb 1) + 600 (Feb 29)
    assert k1.sums["todate"]["clicks"] == 290.0  # 50 + 100 + 50 + 60 + 30
    k2 = kpi(res, "K2")  # all channels
    assert k2.sums["todate"]["spend"] == 650.0  # 100 + 200 + 100 + 50 + 120 + 80 + 0
    assert k2.sums["prev"]["conversions"] == 14.0  # 8 + 5 + 1


def test_k1_revenue_higher_is_better(res: Results) -> None:
    k1 = kpi(res, "K1")
    assert k1.actual == 3300.0
    assert (k1.last, k1.prev) == (1500.0, 1400.0)
    assert k1.trend == 0.071429  # 1500 / 1400 - 1 = 0.0714285...
    # on pace: the even path's target to date is 12000 x 75 / 366 = 2459.016 (January
    # 12000 x 31/366, February x 29/366, half of March x 15/366), so 3300 / 2459.016 = 1.342
    # Green, where the whole year would say 3300 / 12000 = 0.275 Red
    assert k1.target_to_date == pytest.approx(12000 * 75 / 366)
    assert k1.attainment == 1.342
    assert k1.status == "Green"
    assert k1.additive is True
    assert k1.projection == pytest.approx(16104.0)  # 3300 * 366 / 75 = 44 * 366
    assert k1.scenario_projections == pytest.approx([18519.6, 16104.0, 12078.0])  # x1.15 1 .75
    assert k1.projected_attainment == 1.342  # 16104 / 12000
    assert k1.scenario == "Optimistic"
    assert k1.gap == pytest.approx(4104.0)  # 16104 - 12000
    assert (k1.contingency, k1.extra_budget) == ("Raise targets", 0.0)


def test_k2_cpa_lower_is_better(res: Results) -> None:
    k2 = kpi(res, "K2")
    assert k2.actual == pytest.approx(650 / 27)  # 24.074074...
    assert k2.attainment == 1.038462  # target / actual = 25 * 27 / 650 = 1.0384615...
    assert k2.status == "Green"
    assert k2.additive is False
    assert k2.last == pytest.approx(200 / 9)  # 22.2222
    assert k2.prev == 25.0  # 350 / 14
    assert k2.trend == -0.111111  # (200 / 9) / 25 - 1 = -0.1111...
    assert k2.projection == pytest.approx(650 / 27)  # a ratio keeps its value to date
    # lower is better: the projection is divided by the multiplier
    assert k2.scenario_projections == pytest.approx(
        [650 / 27 / 1.15, 650 / 27, 650 / 27 / 0.75]  # 20.934, 24.074, 32.099
    )
    assert k2.projected_attainment == 1.038462
    assert k2.scenario == "Optimistic"
    assert k2.gap == pytest.approx(-25 / 27)  # 650/27 - 25 = -0.925926


def test_k3_at_the_amber_threshold_is_amber(res: Results) -> None:
    k3 = kpi(res, "K3")
    assert k3.actual == 240.0
    # target 1464 for the year: due by 2028-03-15 1464 x 75 / 366 = 300 (124 + 116 + 60)
    assert k3.target_to_date == pytest.approx(300.0)
    assert k3.attainment == 0.8  # 240 / 300, exactly the threshold set on Start
    assert k3.status == "Amber"
    assert k3.projection == pytest.approx(1171.2)  # 240 * 366 / 75 = 3.2 * 366
    assert k3.projected_attainment == 0.8  # 1171.2 / 1464: the same verdict at year end


def test_k4_at_the_pessimistic_trigger_is_realistic(res: Results) -> None:
    k4 = kpi(res, "K4")
    assert k4.actual == 0.01  # 60 / 6000
    assert k4.attainment == 0.5  # 0.01 / 0.02
    assert k4.status == "Red"
    assert k4.projection == 0.01  # ratio
    assert k4.projected_attainment == 0.5  # exactly the trigger set on Start
    assert k4.scenario == "Realistic"
    assert (k4.contingency, k4.extra_budget) == ("Tune the weakest tactic", 500.0)
    assert k4.trend == 0.0  # last 20 / 2000 = 0.01; before 40 / 4000 = 0.01


def test_k5_below_the_trigger_is_pessimistic(res: Results) -> None:
    # metric and channel named in another case still match
    k5 = kpi(res, "K5")
    assert k5.attainment == 0.25  # 0.01 / 0.04
    assert k5.projected_attainment == 0.25
    assert k5.scenario == "Pessimistic"
    assert (k5.contingency, k5.extra_budget) == ("Rethink the channel mix", 2000.0)


def test_k6_without_target_has_values_but_no_judgement(res: Results) -> None:
    k6 = kpi(res, "K6")
    assert k6.actual == 650.0
    assert k6.projection == pytest.approx(3172.0)  # 650 * 366 / 75
    assert k6.scenario_projections == pytest.approx([3172 / 1.15, 3172.0, 3172 / 0.75])
    assert (k6.attainment, k6.status, k6.projected_attainment) == (None, None, None)
    assert (k6.scenario, k6.gap, k6.contingency, k6.extra_budget) == (None, None, None, None)


def test_k7_unknown_metric_is_blank(res: Results) -> None:
    k7 = kpi(res, "K7")
    assert (k7.actual, k7.last, k7.prev, k7.trend) == (None, None, None, None)
    assert (k7.attainment, k7.status, k7.projection, k7.scenario) == (None, None, None, None)
    assert k7.additive is False


def test_k8_zero_denominator_in_a_window_is_blank(res: Results) -> None:
    k8 = kpi(res, "K8")
    assert k8.actual == 2.0  # 100 / 50
    assert k8.last is None  # March: revenue 0 / spend 0
    assert k8.prev == 2.0  # 100 / 50
    assert k8.trend is None
    assert k8.attainment == 1.0
    assert k8.status == "Green"


def test_analysis_sums_by_month_channel_and_both(res: Results) -> None:
    revenue = [m["revenue"] for m in res.month_sums]
    assert revenue == [400.0, 1500.0, 1500.0] + [0.0] * 9  # Feb: 800 + 600 + 100
    assert res.actual_spend == [100.0, 350.0, 200.0] + [0.0] * 9  # r1, r9 outside the plan
    assert [c["revenue"] for c in res.channel_sums] == [3300.0, 100.0]  # Search, Social
    search, social = res.cross_sums
    assert [m["revenue"] for m in search[:4]] == [400.0, 1400.0, 1500.0, 0.0]
    assert [m["clicks"] for m in social[:4]] == [0.0, 40.0, 20.0, 0.0]


def test_explicit_as_of_date_on_start_wins() -> None:
    # as of 2028-02-29: elapsed 31 + 29 = 60; last month = February, month before = January
    res = run(plan(as_of=D(2028, 2, 29)), data(*ROWS))
    k1 = res.kpis[0]
    assert (res.as_of, res.elapsed_days) == (D(2028, 2, 29), 60.0)
    assert k1.actual == 1800.0  # 400 + 800 + 600
    assert (k1.last, k1.prev) == (1400.0, 400.0)
    assert k1.trend == 2.5  # 1400 / 400 - 1
    assert k1.projection == pytest.approx(10980.0)  # 1800 * 366 / 60 = 30 * 366
    assert k1.projected_attainment == 0.915  # 10980 / 12000
    assert k1.scenario == "Realistic"  # 0.5 <= 0.915 < 1


def test_windows_across_a_year_end() -> None:
    # plan Dec 2027 .. Feb 2028 (31 + 31 + 29 = 91 days), as of 2028-01-31 (62 days):
    # last month = January 2028 (r2: 400), month before = December 2027 (r1: 1000)
    s = settings(D(2027, 12, 1), 3, as_of=D(2028, 1, 31))
    k = Kpi("K1", "Revenue", "Revenue", "All", 2000.0, "higher")
    res = run(Plan(s, kpis=[k], scenarios=list(SCENARIOS)), data(*ROWS))
    kr = res.kpis[0]
    assert (res.plan_days, res.elapsed_days) == (91.0, 62.0)
    assert (kr.last, kr.prev) == (400.0, 1000.0)
    assert kr.trend == -0.6  # 400 / 1000 - 1
    assert kr.actual == 1400.0
    assert kr.projection == pytest.approx(1400 * 91 / 62)  # 2054.84
    assert kr.projected_attainment == 1.027419  # 2054.8387 / 2000 = 1.02741935...


def test_no_data_in_the_plan_leaves_every_kpi_blank() -> None:
    s = settings(D(2030, 1, 1), 6)
    res = run(Plan(s, kpis=list(KPIS[:2]), scenarios=list(SCENARIOS)), data(*ROWS))
    assert (res.as_of, res.elapsed_days, res.last_month_start) == (None, 0.0, None)
    assert res.plan_days == 181.0  # 31 + 28 + 31 + 30 + 31 + 30
    for kr in res.kpis:
        assert (kr.actual, kr.attainment, kr.status, kr.projection) == (None, None, None, None)
        assert kr.sums["todate"]["revenue"] == 0.0


def test_a_channel_without_rows_is_blank_not_red() -> None:
    # Email has a Data row, but only before the plan: no rows in the KPI's window.
    rows = [*ROWS, (D(2027, 12, 30), "Email", "News", 0, 0, 0, 0, 90, 0, 0)]
    k = Kpi("K1", "Email revenue", "Revenue", "Email", 1000.0, "higher")
    s = settings(D(2028, 1, 1), 12)
    plan_ = Plan(s, kpis=[k], scenarios=list(SCENARIOS), channels=["Search", "Social", "Email"])
    kr = run(plan_, data(*rows)).kpis[0]
    assert (kr.actual, kr.attainment, kr.status) == (None, None, None)
