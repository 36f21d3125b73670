"""Answer key for reading a plan's input Tables back (`core/inputs.py`): coercion of each
cell, findings naming unreadable cells, defaults, and the settings a plan cannot lack."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.core.keys import SCENARIOS, D, settings
from xlmplan.core.checks import Finding
from xlmplan.core.inputs import TableCells, is_blank, plan_from_tables
from xlmplan.core.labels import Labels, load_labels
from xlmplan.core.model import Plan, Scenario
from xlmplan.core.template import BUNDLED
from xlmplan.errors import DataError

pytestmark = pytest.mark.core


@pytest.fixture
def labels() -> Labels:
    return load_labels(BUNDLED / "labels", "en")


BASE = Plan(settings(D(2026, 1, 1), 12, plan_budget=500.0), scenarios=list(SCENARIOS))


def start_table(*rows: list[object]) -> TableCells:
    # Start's settings Table: header on row 4 (0-based 3), columns A:B
    return TableCells("Start", 3, 0, ["Setting", "Value"], [list(r) for r in rows])


def test_settings_are_read_by_label(labels: Labels) -> None:
    tables = {
        "settings": start_table(
            ["First month", dt.datetime(2028, 2, 17, 9, 0)],  # any day: the month's first
            ["horizon (MONTHS)", "6"],  # label in another case, number as text
            ["Amber threshold", "85%"],  # a percentage
            ["Plan budget", "12,500"],
            ["Hours per month (1 FTE)", 150],
            ["Review interval (months)", 2.6],  # rounds to 3
            ["Currency", ""],  # blank text: the base plan's
            ["Company", " Acme "],
            ["As-of date (blank = last Data date)", 46813],  # 2028-03-01 as a serial
            ["Something else", "ignored"],
        )
    }
    plan, findings = plan_from_tables(tables, labels, BASE, ["Search"])
    s = plan.settings
    assert s.start == D(2028, 2, 1)
    assert s.months == 6
    assert s.amber_threshold == 0.85
    assert s.plan_budget == 12500.0
    assert s.hours_per_month == 150.0
    assert s.review_interval == 3
    assert (s.currency, s.company) == ("EUR", "Acme")
    # 45658 (2025-01-01) + 365 + 31 + 28 = 46082 (2026-03-01); + 365 + 366 (29 Feb 2028)
    assert s.as_of == D(2028, 3, 1)
    assert s.pessimistic_trigger == 0.75  # not in the Table: the default
    assert plan.channels == ["Search"]
    assert findings == []


def test_an_unreadable_setting_is_a_finding_and_keeps_the_default(labels: Labels) -> None:
    tables = {
        "settings": start_table(
            ["First month", "2026-01-01"],
            ["Plan budget", "lots"],
            ["As-of date (blank = last Data date)", "next week"],
        )
    }
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    assert plan.settings.plan_budget == 500.0
    assert plan.settings.as_of is None
    assert findings == [
        Finding(
            "error", "Start!B6", "Plan budget 'lots' is not a number — type a number or clear it"
        ),
        Finding(
            "error",
            "Start!B7",
            "As-of date (blank = last Data date) 'next week' is not a date — type a date such as "
            "2026-03-31",
        ),
    ]


def test_the_budget_outlook_is_plan_or_run_rate(labels: Labels) -> None:
    label = labels["setting.budget_outlook"]
    for typed, read in (("Run-Rate ", "run-rate"), ("plan", "plan"), ("", "plan")):
        table = {"settings": start_table(["First month", "2026-01-01"], [label, typed])}
        plan, findings = plan_from_tables(table, labels, BASE, [])
        assert (plan.settings.budget_outlook, findings) == (read, [])
    table = {"settings": start_table(["First month", "2026-01-01"], [label, "weekly"])}
    plan, findings = plan_from_tables(table, labels, BASE, [])
    assert plan.settings.budget_outlook == "plan"
    assert findings == [
        Finding("error", "Start!B6", f"{label}: 'weekly' is no outlook — pick plan or run-rate")
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["Horizon (months)", 6]], r"Start: the plan's first month is missing or not a date"),
        ([["First month", "January"]], r"first month is missing or not a date — type it on Start"),
        ([["First month", "2026-01-01"], ["Horizon (months)", 61]], r"1 to 60 months, not 61"),
        ([["First month", "2026-01-01"], ["Horizon (months)", 0]], r"1 to 60 months, not 0"),
    ],
)
def test_settings_a_plan_cannot_lack(
    labels: Labels, rows: list[list[object]], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        plan_from_tables({"settings": start_table(*rows)}, labels, BASE, [])


def test_edge_lengths_are_accepted(labels: Labels) -> None:
    for months in (1, 60):
        table = start_table(["First month", "2026-01-01"], ["Horizon (months)", months])
        plan, _ = plan_from_tables({"settings": table}, labels, BASE, [])
        assert plan.settings.months == months


def test_rows_of_each_table(labels: Labels) -> None:
    kpis = TableCells(
        "Strategy_KPI",
        3,
        1,
        ["ID", "KPI", "Metric", "Channel", "Target", "Direction"],
        [
            ["K1", "Revenue", "Revenue", "All", "1,200", "higher"],
            [None, None, None, None, None, None],  # a blank row stays (row-aligned)
            [7.0, True, "CTR", "Search", "ten", "lower"],  # 7 -> "7", True -> "TRUE"
            ["K4", "Short row"],  # missing cells are blank
        ],
    )
    people = TableCells(
        "Budget_3M",
        3,
        0,
        ["Name", "Role", "FTE", "Monthly cost", "Start", "End"],
        [["Ana", "Lead", 0.5, 4000, "2026-01-15", dt.date(2026, 6, 30)],
         ["Ben", "Writer", "1", "x", "2026-02-30", 46082.0]],
    )  # fmt: skip
    tables = {"settings": start_table(["First month", "2026-01-01"]), "kpis": kpis,
              "people": people}  # fmt: skip
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    k1, blank, k3, k4 = plan.kpis
    assert (k1.id, k1.target, k1.channel) == ("K1", 1200.0, "All")
    assert (blank.id, blank.target) == ("", None)
    assert (k3.id, k3.name, k3.target, k3.direction) == ("7", "TRUE", None, "lower")
    assert (k4.id, k4.metric, k4.target) == ("K4", "", None)
    ana, ben = plan.people
    assert (ana.fte, ana.monthly_cost, ana.start, ana.end) == (
        0.5, 4000.0, D(2026, 1, 15), D(2026, 6, 30)
    )  # fmt: skip
    assert (ben.fte, ben.monthly_cost, ben.start, ben.end) == (1.0, None, None, D(2026, 3, 1))
    # cells are named by sheet, column and row: Strategy_KPI's Table starts in column B
    assert all(f.severity == "error" for f in findings)
    assert [(f.where, f.message) for f in findings] == [
        ("Strategy_KPI!F7", "Target 'ten' is not a number — type a number or clear it"),
        ("Budget_3M!D6", "Monthly cost 'x' is not a number — type a number or clear it"),
        ("Budget_3M!E6", "Start '2026-02-30' is not a date — type a date such as 2026-03-31"),
    ]


def test_an_empty_table_has_no_items(labels: Labels) -> None:
    swot = TableCells("SWOT", 3, 0, ["ID", "Type"], [[None, " "]])
    tables = {"settings": start_table(["First month", "2026-01-01"]), "swot": swot}
    plan, _ = plan_from_tables(tables, labels, BASE, [])
    assert plan.swot == []
    assert plan.objectives == []  # a Table that is not there: none


def test_scenarios(labels: Labels) -> None:
    scen = TableCells(
        "Scenarios",
        3,
        0,
        ["Scenario", "Multiplier", "Contingency", "Extra budget"],
        [["Optimistic", 1.2, "More", 100], ["Realistic", 0, "Same", None], ["Pessimistic", "x"]],
    )
    tables = {"settings": start_table(["First month", "2026-01-01"]), "scenarios": scen}
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    assert plan.scenarios == [
        Scenario("optimistic", 1.2, "More", 100.0),
        Scenario("realistic", 1.0, "Same", 0.0),  # 0 is no multiplier: the default
        Scenario("pessimistic", 0.75, "", 0.0),  # unreadable: the default, and a finding
    ]
    assert findings == [
        Finding(
            "error", "Scenarios!B7", "Multiplier 'x' is not a number — type a number or clear it"
        )
    ]
    plan, _ = plan_from_tables({"settings": tables["settings"]}, labels, BASE, [])
    assert plan.scenarios == SCENARIOS  # no Scenarios Table: the base plan's


def test_is_blank() -> None:
    assert [is_blank(v) for v in (None, "", "  ", 0, "x", False)] == [
        True, True, True, False, False, False
    ]  # fmt: skip
