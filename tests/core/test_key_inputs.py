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


def test_cells_of_other_types_as_text(labels: Labels) -> None:
    # an id typed as a date (with or without a time) reads as its ISO day; a name holding a
    # control character keeps it as U+FFFD, with a warning at the cell
    kpis = TableCells(
        "Strategy_KPI",
        3,
        0,
        ["ID", "KPI", "Metric"],
        [[dt.datetime(2026, 5, 4, 13, 30), D(2026, 5, 5), "Rev\x07enue"]],
    )
    tables = {"settings": start_table(["First month", "2026-01-01"]), "kpis": kpis}
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    (k,) = plan.kpis
    assert (k.id, k.name, k.metric) == ("2026-05-04", "2026-05-05", "Rev\ufffdenue")
    assert findings == [
        Finding(
            "warning",
            "Strategy_KPI!C5",
            "the text held characters a workbook cannot hold (control characters, U+FFFE/U+FFFF,"
            " lone surrogates); each is used as '\ufffd' — retype the text",
        )
    ]


def test_numbers_and_dates_a_plan_cannot_hold_are_findings(labels: Labels) -> None:
    people = TableCells(
        "Budget_3M",
        3,
        0,
        ["Name", "Role", "FTE", "Monthly cost", "Start", "End"],
        [
            # a cost of 1e16 (above 999,999,999,999,999) and one of 1e-10 (below 1e-9)
            ["Ana", "Lead", D(2026, 1, 1), 1e16, "1900-02-28", "2262-04-12"],
            ["Ben", "Writer", 1e-9, "-1e-10", "1900-03-01", "2262-04-11"],
        ],
    )
    tables = {"settings": start_table(["First month", "2026-01-01"]), "people": people}
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    ana, ben = plan.people
    assert (ana.fte, ana.monthly_cost, ana.start, ana.end) == (None, None, None, None)
    # the edges themselves are kept: 1e-9 and the first and last day a plan can hold
    assert (ben.fte, ben.monthly_cost, ben.start, ben.end) == (
        1e-9, None, D(1900, 3, 1), D(2262, 4, 11)
    )  # fmt: skip
    size = (
        "is not a size a plan can compute with (0, or between 0.000000001 and "
        "999,999,999,999,999) — check the value"
    )
    outside = "is outside the dates a plan can hold (1900-03-01 to 2262-04-11)"
    assert [(f.where, f.message) for f in findings] == [
        ("Budget_3M!C5", "FTE '2026-01-01' is not a number — type a number or clear it"),
        ("Budget_3M!D5", f"Monthly cost 1e+16 {size}"),
        ("Budget_3M!E5", f"Start 1900-02-28 {outside} — type a date such as 2026-03-31"),
        ("Budget_3M!F5", f"End 2262-04-12 {outside} — type a date such as 2026-03-31"),
        ("Budget_3M!D6", f"Monthly cost -1e-10 {size}"),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # a first month outside the dates a plan can hold, named at its cell; 1404-09 reads
        # as a Solar Hijri month, whose first day is 2025-11-22: the fix names that
        # Gregorian month's first, 2025-11-01
        (
            [["First month", "1404-09-01"]],
            r"^Start!B5: the plan's first month 1404-09-01 is outside the dates a plan can hold"
            r" \(1900-03-01 to 2262-04-11\); 1404-09 looks like a Solar Hijri month; it is "
            r"2025-11-22 \.\. 2025-12-21 in the Gregorian calendar — type 2025-11-01$",
        ),
        (
            [["First month", "1800-01-01"]],
            r"^Start!B5: the plan's first month 1800-01-01 is outside .* — type a month such as "
            r"2026-01-01$",
        ),
        # 2262-01 plus 4 months ends on 2262-04-30, after 2262-04-11; 3 months would fit
        (
            [["First month", "2262-01-01"], ["Horizon (months)", 4]],
            r"^Start!B6: a plan of 4 months from 2262-01 ends on 2262-04-30, after the last date"
            r" a plan can hold \(2262-04-11\) — start earlier or plan fewer months$",
        ),
    ],
)
def test_plan_periods_a_plan_cannot_hold(
    labels: Labels, rows: list[list[object]], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        plan_from_tables({"settings": start_table(*rows)}, labels, BASE, [])


def test_a_plan_ending_on_the_last_month_a_plan_can_hold(labels: Labels) -> None:
    # 2262-01 plus 3 months ends on 2262-03-31, inside the range
    table = start_table(["First month", "2262-01-01"], ["Horizon (months)", 3])
    plan, _ = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.start, plan.settings.months) == (D(2262, 1, 1), 3)


def test_fiscal_start_calendar_and_as_of_findings(labels: Labels) -> None:
    fiscal = "Fiscal year starts (month 1-12, blank = start month)"
    as_of = "As-of date (blank = last Data date)"
    table = start_table(
        ["First month", "2026-01-01"],
        ["Horizon (months)", 12],
        [fiscal, 13],
        ["Calendar (gregorian or solar-hijri)", ""],  # blank: the base plan's
        [as_of, "2027-01-01"],  # the day after the plan's last, 2026-12-31
    )
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.fiscal_start, plan.settings.calendar) == (None, "gregorian")
    assert plan.settings.as_of == D(2027, 1, 1)
    assert [(f.severity, f.where, f.message) for f in findings] == [
        ("error", "Start!B7", f"{fiscal}: 13 is not a month — type 1 to 12 or leave it blank"),
        (
            "error",
            "Start!B9",
            f"{as_of} 2027-01-01 lies outside the plan period (2026-01-01 to 2026-12-31): every "
            "actual, run-rate and scenario is computed as of that day — clear it or type a day "
            "inside the plan",
        ),
    ]
    # the plan's last day and a fiscal start of 2.5 months
    table.rows[2][1], table.rows[4][1] = 2.5, "2026-12-31"
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert plan.settings.as_of == D(2026, 12, 31)
    assert [f.message for f in findings] == [
        f"{fiscal}: 2.5 is not a month — type 1 to 12 or leave it blank"
    ]


def test_fiscal_start_and_calendar_read_from_their_cells(labels: Labels) -> None:
    fiscal = "Fiscal year starts (month 1-12, blank = start month)"
    calendar = "Calendar (gregorian or solar-hijri)"
    table = start_table(["First month", "2026-01-01"], [fiscal, 4.0], [calendar, " GREGORIAN "])
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.fiscal_start, plan.settings.calendar) == (4, "gregorian")
    # a fiscal year from April while the plan starts in January: a warning at the cell
    assert findings == [
        Finding(
            "warning",
            "Start!B6",
            f"{fiscal} is month 4 but the plan starts in month 1 — type the first day of month 4"
            " as the first month, or clear it",
        )
    ]
    table.rows[1][1], table.rows[2][1] = None, "lunar"
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.fiscal_start, plan.settings.calendar) == (None, "gregorian")
    assert [(f.where, f.message) for f in findings] == [
        ("Start!B7", f"{calendar}: 'lunar' is no calendar — pick gregorian or solar-hijri")
    ]


def test_optional_amounts_blank_rows_and_labels_in_any_order(labels: Labels) -> None:
    table = start_table(
        ["Something else", "ignored"],  # an unknown label before the known ones
        [],  # an empty row
        ["Plan budget"],  # a label without its value cell: the default
        ["First month", "2026-01-01"],
        ["Media cap (blank = planned media total)", "2,000"],  # an optional amount
        ["Media buffer (held back from the cap)", None],
        ["Company", "Ac\x07me"],
    )
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    s = plan.settings
    assert (s.start, s.plan_budget, s.budget_cap, s.budget_buffer) == (
        D(2026, 1, 1), 500.0, 2000.0, None
    )  # fmt: skip
    assert s.company == "Ac\ufffdme"
    assert [(f.severity, f.where) for f in findings] == [("warning", "Start!B11")]


def test_setting_findings_name_their_cell_and_label(labels: Labels) -> None:
    fiscal = "Fiscal year starts (month 1-12, blank = start month)"
    calendar = "Calendar (gregorian or solar-hijri)"
    table = start_table(
        ["First month", "2026-12-01"],
        [fiscal, "x"],
        [calendar, "Greg\x07orian"],
    )
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert plan.settings.fiscal_start is None
    assert [(f.severity, f.where) for f in findings] == [
        ("error", "Start!B6"),
        ("warning", "Start!B7"),
        ("error", "Start!B7"),
    ]
    assert findings[0].message.startswith(f"{fiscal} 'x' is not a number")
    assert findings[1].message.startswith("the text held characters a workbook cannot hold")
    assert findings[2].message.startswith(f"{calendar}: 'Greg\ufffdorian' is no calendar")
    # December, the plan's first month, is a fiscal start like any other
    table.rows[1][1], table.rows[2][1] = 12, "gregorian"
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.fiscal_start, findings) == (12, [])


def test_a_plan_too_long_for_its_default_horizon_names_the_sheet(labels: Labels) -> None:
    # no horizon typed: the base plan's 12 months from 2262-01 end after 2262-04-11
    with pytest.raises(DataError, match=r"^Start: a plan of 12 months from 2262-01 ends on"):
        plan_from_tables({"settings": start_table(["First month", "2262-01-01"])}, labels, BASE, [])


def test_as_of_inside_a_solar_hijri_plan(labels: Labels) -> None:
    # 1405-01 (Farvardin) runs 2026-03-21 .. 2026-04-20: one month of plan; 10 April is
    # inside it, though after the Gregorian month the first day lies in
    as_of = "As-of date (blank = last Data date)"
    table = start_table(
        ["First month", "2026-03-21"],
        ["Horizon (months)", 1],
        ["Calendar (gregorian or solar-hijri)", "solar-hijri"],
        [as_of, "2026-04-20"],
    )
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert (plan.settings.start, plan.settings.as_of, findings) == (
        D(2026, 3, 21), D(2026, 4, 20), []
    )  # fmt: skip
    table.rows[3][1] = "2026-04-21"
    _, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    assert [f.message for f in findings] == [
        f"{as_of} 2026-04-21 lies outside the plan period (2026-03-21 to 2026-04-20): every "
        "actual, run-rate and scenario is computed as of that day — clear it or type a day "
        "inside the plan"
    ]


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        (1, "Start 1899-12-31 is outside the dates a plan can hold"),  # the first serial
        (2958465, "Start 9999-12-31 is outside the dates a plan can hold"),  # the last
        (0, "Start '0' is not a date"),
        (2958466, "Start '2958466' is not a date"),
    ],
)
def test_date_serials_at_the_edges(labels: Labels, serial: int, message: str) -> None:
    people = TableCells("Budget_3M", 3, 0, ["Name", "Role", "FTE", "Monthly cost", "Start"],
                        [["Ana", "Lead", 1, 100, serial]])  # fmt: skip
    tables = {"settings": start_table(["First month", "2026-01-01"]), "people": people}
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    assert plan.people[0].start is None
    assert [(f.where, f.message.split(" —")[0].split(" (")[0]) for f in findings] == [
        ("Budget_3M!E5", message)
    ]


def test_scenarios_rows_of_any_length_and_defaults_without_a_base(labels: Labels) -> None:
    scen = TableCells(
        "Scenarios",
        3,
        0,
        ["Scenario", "Multiplier", "Contingency", "Extra budget"],
        [["Optimistic"], ["Realistic", 0.5, "Tight\x07"]],  # short rows; no third row
    )
    base = Plan(BASE.settings, scenarios=[])
    tables = {"settings": start_table(["First month", "2026-01-01"]), "scenarios": scen}
    plan, findings = plan_from_tables(tables, labels, base, [])
    assert plan.scenarios == [
        Scenario("optimistic", 1.0, "", 0.0),  # nothing typed, no base: 1, "", 0
        Scenario("realistic", 0.5, "Tight\ufffd", 0.0),  # a multiplier below 1 is kept
        Scenario("pessimistic", 1.0, "", 0.0),
    ]
    assert [(f.severity, f.where) for f in findings] == [("warning", "Scenarios!C6")]
    scen.rows[:] = [["Optimistic", 1.1, "More", "lots"]]
    _, findings = plan_from_tables(tables, labels, base, [])
    assert [(f.where, f.message) for f in findings] == [
        ("Scenarios!D5", "Extra budget 'lots' is not a number — type a number or clear it")
    ]


def test_edges_of_text_sizes_and_the_as_of_day(labels: Labels) -> None:
    as_of = "As-of date (blank = last Data date)"
    table = start_table(
        ["First month", "2026-01-01"],
        ["Company", False],  # a truth value as text
        ["Plan budget", 999_999_999_999_999],  # the bound itself is accepted
        [as_of, "2026-01-01"],  # the plan's first day is inside it
    )
    plan, findings = plan_from_tables({"settings": table}, labels, BASE, [])
    s = plan.settings
    assert (s.company, s.plan_budget, s.as_of, findings) == (
        "FALSE", 999_999_999_999_999, D(2026, 1, 1), []
    )  # fmt: skip


def test_the_largest_size_is_999_999_999_999_999(labels: Labels) -> None:
    """The message's bound holds on both sides: 999,999,999,999,999 is kept, 1e15 (one
    more) is a finding and left blank."""
    people = TableCells(
        "Budget_3M",
        3,
        0,
        ["Name", "Role", "FTE", "Monthly cost", "Start", "End"],
        [
            ["Ana", "Lead", 1, 999_999_999_999_999, "2026-01-01", "2026-12-31"],
            ["Ben", "Writer", 1, 1e15, "2026-01-01", "2026-12-31"],
        ],
    )
    tables = {"settings": start_table(["First month", "2026-01-01"]), "people": people}
    plan, findings = plan_from_tables(tables, labels, BASE, [])
    ana, ben = plan.people
    assert (ana.monthly_cost, ben.monthly_cost) == (999_999_999_999_999.0, None)
    assert [f.message for f in findings if "size" in f.message] == [
        "Monthly cost 1000000000000000.0 is not a size a plan can compute with (0, or between "
        "0.000000001 and "
        "999,999,999,999,999) — check the value"
    ]
