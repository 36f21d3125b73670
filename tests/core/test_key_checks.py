"""Answer key for the Checks findings: every kind, its severity, where and its message
(English label pack), in the order check reports them (errors, warnings, information).

Plan 2026-01-01 .. 2026-06-30 (181 days), budget 10,000; Data: one Search row on
2026-01-15 with revenue 1000, so as-of = 2026-01-15, elapsed 15 days.
K1 revenue/Search target 5000: run-rate 1000 x 181 / 15 = 12066.67, 2.413 -> optimistic.
K3 revenue/all target 100000: 12066.67 / 100000 = 0.120667 < 0.75 -> pessimistic.
Ana: FTE 0.1 x 160 h = 16 h a month; the action asks 40 h in January -> over in 1 month.
"""

from __future__ import annotations

import pytest

from tests.core.keys import CATALOG, SCENARIOS, WORDS, D, data, run, settings
from xlmplan.core import checks
from xlmplan.core.checks import Finding
from xlmplan.core.labels import Labels, load_labels
from xlmplan.core.model import Action, Kpi, Objective, Person, Plan, Strategy, SwotFactor
from xlmplan.core.template import BUNDLED

pytestmark = pytest.mark.core
NO_STRATEGY = "No strategy serves this objective — add one on the strategies table."


@pytest.fixture
def labels() -> Labels:
    return load_labels(BUNDLED / "labels", "en")


def objective(oid: str, text: str, kpi: str, deadline: object, cites: str) -> Objective:
    return Objective(
        oid, "Primary", "", "Short", "Quantitative", "Convert", text, kpi,
        100.0 if kpi == "K1" else None, 110.0 if kpi == "K1" else None, deadline, cites,
    )  # type: ignore[arg-type]  # fmt: skip


def strategy(sid: str, objective: str) -> Strategy:
    return Strategy(sid, objective, "SEO", "Search", "SO", "", f"strategy {sid}" if sid else "",
                    "", "", None, None, None)  # fmt: skip


def plan(start: object = D(2026, 1, 1)) -> Plan:
    return Plan(
        settings(start, 6, plan_budget=10000.0),  # type: ignore[arg-type]
        swot=[SwotFactor("S1", "S", "Self", "Loyal customers", "", 4, 5)],
        objectives=[
            objective("O1", "Grow revenue by ten percent", "K1", D(2026, 6, 30), "S1, S9"),
            objective("O2", "Sell more", "", None, ""),
            objective("O3", "Win back lapsed customers soon", "K7", D(2026, 3, 1), "S1"),
            objective("", "", "", None, ""),  # a blank row inside the Table
        ],
        kpis=[
            Kpi("K1", "Search revenue", "Revenue", "Search", 5000.0, "higher"),
            Kpi("K2", "Odd", "Bogus", "TikTok", None, "higher"),
            Kpi("K3", "Revenue", "Revenue", "all", 100000.0, "higher"),
            Kpi("", "", "", "", None, ""),
        ],
        strategies=[
            strategy("ST1", ""),
            strategy("ST2", "O9"),
            strategy("ST3", "o1"),
            strategy("", ""),
        ],  # fmt: skip
        people=[Person("Ana", "Lead", 0.1, 1000.0, D(2026, 1, 1), D(2026, 6, 30))],
        actions=[Action("Audit", "ST3", "Ana", D(2026, 1, 5), D(2026, 1, 20), 40.0)],
        scenarios=list(SCENARIOS),
        channels=["Search"],
    )


def findings(labels: Labels, plan_: Plan, budget_total: float) -> list[Finding]:
    res = run(plan_, data((D(2026, 1, 15), "Search", "", 0, 0, 0, 0, 1000)))
    return checks.find(plan_, res, CATALOG, labels, WORDS, budget_total)


def test_every_kind_of_finding(labels: Labels) -> None:
    got = findings(labels, plan(), 12500.0)
    assert got == [
        Finding(
            "error", "Objectives O2", "The objective names no KPI — pick one in the KPI column."
        ),
        Finding(
            "error", "Objectives O3", "KPI 'K7' does not exist — pick an ID from the KPI table."
        ),
        Finding(
            "error",
            "Strategy_KPI K2",
            "Metric 'Bogus' is not in the catalog — pick one from the list.",
        ),
        Finding(
            "error",
            "Strategy_KPI K2",
            "Channel 'TikTok' has no Data rows — pick one from the list.",
        ),
        Finding("error", "Strategy_KPI ST1", "The strategy serves no objective — pick one."),
        Finding(
            "error",
            "Strategy_KPI ST2",
            "Objective 'O9' does not exist — pick an ID from the objectives table.",
        ),
        Finding("error", "Budget_3M", "Planned cost 12,500 is over the plan budget 10,000."),
        Finding(
            "warning", "Objectives O1", "Substantiation cites 'S9', which is not a SWOT factor ID."
        ),
        # O1 types 110 and K1, which measures it, 5000: one target typed twice, disagreeing
        Finding(
            "warning",
            "Objectives O1",
            "Target 110 differs from KPI K1's target 5,000 — clear the objective's target "
            "(it then shows the KPI's) or make the two agree.",
        ),
        Finding("warning", "Objectives O2", "SMART score 0/5; missing: S, M, A, R, T."),
        # only ST3 serves an objective (o1): O2 and O3 have none
        Finding("warning", "Objectives O2", NO_STRATEGY),
        Finding("warning", "Objectives O3", "SMART score 3/5; missing: M, A."),
        Finding("warning", "Objectives O3", NO_STRATEGY),
        Finding("warning", "Strategy_KPI K2", "The KPI has no target — type one."),
        Finding(
            "warning",
            "Budget_3M Ana",
            "Over-allocated in 1 month(s): more hours demanded than available.",
        ),
        Finding("warning", "Scenarios K3", "In the Pessimistic case — Rethink the channel mix"),
        Finding(
            "info",
            "Objectives O1",
            "SMART score 5/5: specific, measurable, achievable, relevant and time-bound.",
        ),
        Finding("info", "Scenarios K1", "In the Optimistic case — Raise targets"),
    ]


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (10000.005, []),  # within half a cent of the budget: not over
        (10000.006, [("error", "Planned cost 10,000 is over the plan budget 10,000.")]),
        (9000.0, []),  # exactly 90 % planned: not under
        (
            8999.0,
            [
                (
                    "info",
                    "Planned cost 8,999 leaves more than 10% of the plan budget 10,000 unplanned.",
                )
            ],
        ),
    ],
)
def test_budget_findings_at_their_edges(
    labels: Labels, total: float, expected: list[tuple[str, str]]
) -> None:
    got = [
        (f.severity, f.message) for f in findings(labels, plan(), total) if f.where == "Budget_3M"
    ]
    assert got == expected


def test_no_data_inside_the_plan_is_an_error(labels: Labels) -> None:
    got = findings(labels, plan(D(2027, 1, 1)), 10000.0)
    errors = [f for f in got if f.severity == "error"]
    assert errors[-1] == Finding(  # the last error, after the plan's own
        "error",
        "Data",
        "No Data rows fall inside the plan period — check the first month on Start.",
    )
    assert not any(f.where.startswith("Scenarios") for f in got)  # no data: no scenario


def test_rows_with_one_cell_typed_are_checked_and_blank_rows_skipped(labels: Labels) -> None:
    base = plan()
    base.objectives = [
        objective("", "", "", None, ""),  # blank, first: the rows after it are still checked
        objective("", "Grow", "", None, ""),  # only the text
        objective("", "", "K1", None, ""),  # only the KPI
    ]
    base.kpis = [
        Kpi("", "", "", "", None, ""),
        Kpi("", "Name only", "", "", None, ""),
        Kpi("K1", "", "Revenue", "Search", 5000.0, "higher"),
    ]
    base.strategies = [strategy("", ""), strategy("", "O9")]
    base.strategies[0] = Strategy("", "", "", "", "", "", "", "", "", None, None, None)
    base.strategies.append(Strategy("", "", "", "", "", "", "Only text", "", "", None, None, None))
    base.scenarios = [s for s in SCENARIOS if s.key == "pessimistic"]  # no optimistic row
    got = [(f.severity, f.where, f.message) for f in findings(labels, base, 10000.0)]
    assert got == [
        ("error", "Objectives ", "The objective names no KPI — pick one in the KPI column."),
        ("error", "Strategy_KPI ", "Metric '' is not in the catalog — pick one from the list."),
        ("error", "Strategy_KPI ", "Channel '' has no Data rows — pick one from the list."),
        (
            "error",
            "Strategy_KPI ",
            "Objective 'O9' does not exist — pick an ID from the objectives table.",
        ),
        ("error", "Strategy_KPI ", "The strategy serves no objective — pick one."),
        ("warning", "Objectives ", "SMART score 0/5; missing: S, M, A, R, T."),
        ("warning", "Objectives ", "SMART score 2/5; missing: S, R, T."),  # 10 % growth: A
        (
            "warning",
            "Objectives ",
            "Target 110 differs from KPI K1's target 5,000 — clear the objective's target "
            "(it then shows the KPI's) or make the two agree.",
        ),
        ("warning", "Strategy_KPI ", "The KPI has no target — type one."),
        (
            "warning",
            "Budget_3M Ana",
            "Over-allocated in 1 month(s): more hours demanded than available.",
        ),
        # run-rate 1000 x 181 / 15 = 12066.67 >= 5000: optimistic, which has no row here
        ("info", "Scenarios K1", "In the Optimistic case — "),
    ]
