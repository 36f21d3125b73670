"""Answer key for the Checks findings the first key leaves out: a target beyond its KPI's
forecast, a KPI whose channel has no rows to date, targets typed twice at 0, the media cap
at its edge and a money line that ends before it starts (English label pack).

Plan 2026-01-01 .. 2026-06-30; Data: one Search row on 2026-01-15 (revenue 1000, spend
100), so as-of = 2026-01-15. The forecasts of the KPIs are stated by hand below: only the
best case (the first) is read by the check.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.core.keys import CATALOG, SCENARIOS, WORDS, D, data, run, settings
from xlmplan.core import checks
from xlmplan.core.checks import Finding
from xlmplan.core.engine import Results
from xlmplan.core.kpi_forecast import KpiForecast
from xlmplan.core.labels import Labels, load_labels
from xlmplan.core.model import Kpi, MoneyLine, Objective, Plan, Strategy
from xlmplan.core.template import BUNDLED

pytestmark = pytest.mark.core


@pytest.fixture
def labels() -> Labels:
    return load_labels(BUNDLED / "labels", "en")


def objective(oid: str, kpi: str, target: float | None) -> Objective:
    return Objective(
        oid, "Primary", "", "Short", "Quantitative", "Convert", "Grow search revenue by half",
        kpi, 100.0, target, D(2026, 6, 30), "",
    )  # fmt: skip


def best_case(best: float | None) -> KpiForecast:
    return KpiForecast("ets", (), best, best, best, (best, best, best))


def plan(objectives: list[Objective], kpis: list[Kpi], **kw: object) -> Plan:
    ids = [o.id for o in objectives]
    return Plan(
        settings(D(2026, 1, 1), 6, plan_budget=10000.0, **kw),
        objectives=objectives,
        kpis=kpis,
        strategies=[
            Strategy("ST1", i, "SEO", "Search", "SO", "", "s", "", "", None, None, None)
            for i in ids
        ],
        scenarios=list(SCENARIOS),
        channels=["Search", "Social"],
    )


def results(plan_: Plan) -> Results:
    return run(plan_, data((D(2026, 1, 15), "Search", "", 0, 0, 0, 0, 1000, 100)), forecasts=False)


def find(labels: Labels, plan_: Plan, res: Results) -> list[Finding]:
    return checks.find(plan_, res, CATALOG, labels, WORDS, 10000.0)


def test_a_target_beyond_its_kpis_forecast(labels: Labels) -> None:
    kpis = [
        Kpi("K1", "Search revenue", "Revenue", "Search", None, "higher"),  # best case 4000
        Kpi("K2", "Cost per order", "CPA", "All", None, "lower"),  # best case 20
        Kpi("K3", "Search spend", "Spend", "Search", None, "higher"),  # best case 0
        Kpi("K4", "Sessions", "Sessions", "Search", None, "higher"),  # no forecast listed
    ]
    objectives = [
        objective("A", " k1 ", 5000.0),  # 5000 > 4000: +25 % (5000 / 4000 - 1)
        objective("B", "K1", 4000.0),  # exactly the best case: within
        objective("C", "K2", 16.0),  # lower: 16 < 20, a cut of 1 - 16 / 20 = 20 %
        objective("D", "K2", 25.0),  # lower: 25 >= 20, within (beyond were it higher)
        objective("E", "K2", 0.0),  # lower: 0 < 20, a cut of 1 - 0 / 20 = 100 %
        objective("F", "K3", 0.05),  # beyond 0: no uplift can be stated (divides by 0)
        objective("G", "K1", None),  # no target typed: nothing to judge
        objective("H", "", 9000.0),  # no KPI named
        objective("I", "K4", 9000.0),  # the forecasts stop before K4
    ]
    p = plan(objectives, kpis)
    res = results(p)
    res.forecasts = [best_case(4000.0), best_case(20.0), best_case(0.0)]
    text = labels["check.beyond_forecast"]
    expected = [
        Finding("warning", f"Objectives {oid}", text.format(target=t, best=b, uplift=u))
        for oid, t, b, u in [
            ("A", "5,000", "4,000", "25.0%"),
            ("C", "16", "20", "20.0%"),
            ("E", "0", "20", "100.0%"),
            ("F", "0.05", "0", ""),
        ]
    ]
    assert expected[0].message.startswith("Not achievable on the forecast: the target 5,000 ")
    assert [f for f in find(labels, p, res) if f.message.startswith("Not achievable")] == expected


def test_a_kpi_whose_channel_has_no_rows_to_date(labels: Labels) -> None:
    # Social is a plan channel, but its first row would come after 2026-01-15
    kpis = [
        Kpi("K1", "Search revenue", "Revenue", "Search", 5000.0, "higher"),
        Kpi("K5", "Social revenue", "Revenue", "Social", 5000.0, "higher"),
    ]
    p = plan([], kpis)
    errors = [f for f in find(labels, p, results(p)) if f.severity == "error"]
    assert errors == [
        Finding(
            "error",
            "Strategy_KPI K5",
            "No Data rows for channel 'Social' from the plan start to the as-of date: the KPI "
            "is blank — import its data or pick another channel.",
        )
    ]


@pytest.mark.parametrize(
    ("own", "kpi_target", "shown"),
    [
        (0.0, 1.0, ("0", "1")),  # a typed 0 is a target: 0 differs from 1
        (1.0, 0.0, ("1", "0")),
        (5.0, 5.0, None),  # the same target typed twice
        (5.0, None, None),  # the KPI has none: the objective's own is shown
    ],
)
def test_a_target_typed_on_the_objective_and_its_kpi(
    labels: Labels, own: float, kpi_target: float | None, shown: tuple[str, str] | None
) -> None:
    kpis = [Kpi("K1", "Search revenue", "Revenue", "Search", kpi_target, "higher")]
    p = plan([objective("O1", "K1", own), objective("O2", "K9", 7.0)], kpis)
    got = [f.message for f in find(labels, p, results(p)) if f.message.startswith("Target ")]
    expected = [] if shown is None else [
        f"Target {shown[0]} differs from KPI K1's target {shown[1]} — clear the objective's "
        "target (it then shows the KPI's) or make the two agree."
    ]  # fmt: skip
    assert got == expected


CAP = (
    "Actual spend, commitments and the spend expected ahead exceed the media cap (after its "
    "buffer) by {over} — cut planned lines or raise the cap on Start."
)


@pytest.mark.parametrize(
    ("left", "over"),
    [
        (0.0, None),  # exactly at the cap: not over
        (0.5, None),
        (-0.004, None),  # rounds to 0.00: less than a cent over is not over
        (-0.006, "0"),  # rounds to -0.01: a cent over (shown to the unit)
        (-1500.25, "1,500"),
    ],
)
def test_the_media_cap_at_its_edge(labels: Labels, left: float, over: str | None) -> None:
    p = plan([], [], budget_cap=900.0)
    p.money = [MoneyLine("Media", "Search", "Ads", D(2026, 1, 1), D(2026, 6, 30), 600.0)]
    res = results(p)
    assert res.pacing is not None
    res.pacing = dataclasses.replace(res.pacing, left_to_plan=left)
    got = [f for f in checks.pacing_findings(p, res, labels) if f.severity == "error"]
    assert got == (
        [] if over is None else [Finding("error", "Budget_Months", CAP.format(over=over))]
    )


def test_a_money_line_ending_before_it_starts(labels: Labels) -> None:
    p = plan([], [])
    p.money = [
        MoneyLine("Media", "Search", "Same day", D(2026, 2, 1), D(2026, 2, 1), 100.0),
        MoneyLine("Media", "Search", "Backwards", D(2026, 2, 2), D(2026, 2, 1), 100.0),
    ]
    got = [
        f for f in checks.pacing_findings(p, results(p), labels) if "before it starts" in f.message
    ]
    assert got == [
        Finding(
            "warning",
            "Budget_3M Backwards",
            "Backwards ends on 2026-02-01 before it starts on 2026-02-02: nothing of it is "
            "spread over the periods — correct its dates.",
        )
    ]
