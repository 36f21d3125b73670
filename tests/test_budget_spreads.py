"""Money lines and hours spread over the plan's own periods on Budget_Months: in a Solar
Hijri plan and a Gregorian plan whose year starts in April, each line inside the plan puts
its whole amount in the plan's periods, and LibreOffice recalculates every cell of the
sheets that read the spreads (and the pacing that reads them) to its cached value (the
answer key with the values worked out by hand: ``tests/core/test_key_spread.py``)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from lo_batch import recalculate_all
from plan_builder import write_plan

from xlmplan.api import PlanResult
from xlmplan.core.model import Action, MoneyLine
from xlmplan.io.example_data import example_data

D = dt.date
SHEETS = ("Budget_Months", "Start", "Summary", "Checks")

# (calendar, first day, lines inside the plan, lines crossing its edges)
CASES = {
    "solar-hijri": (
        "solar-hijri",
        D(2026, 3, 21),  # 1 Farvardin 1405; the plan ends on 29 Esfand 1405 = 2027-03-20
        [("Year", D(2026, 3, 21), D(2027, 3, 20), 1200.0), ("Spring", D(2026, 4, 15),
          D(2026, 6, 1), 900.0)],
        [("Before", D(2026, 2, 25), D(2026, 4, 30), 600.0), ("After", D(2027, 3, 1),
          D(2027, 3, 25), 500.0)],
    ),
    "fiscal-april": (
        "gregorian",
        D(2026, 4, 1),
        [("Year", D(2026, 4, 1), D(2027, 3, 31), 1200.0), ("Winter", D(2026, 12, 15),
          D(2027, 2, 10), 300.0)],
        [("Before", D(2026, 2, 1), D(2026, 5, 31), 600.0)],
    ),
}  # fmt: skip


@pytest.fixture(scope="module", params=list(CASES))
def plan(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    calendar, first, inside, edges = CASES[request.param]
    frame = example_data()
    frame = frame[pd.to_datetime(frame["date"]).dt.date <= D(2026, 8, 10)]
    money = [
        MoneyLine("Advertising", "Paid Search", item, st, en, amount)
        for item, st, en, amount in [*inside, *edges]
    ]
    actions = [Action("Launch", "ST1", "", D(2026, 7, 1), D(2026, 8, 31), 60.0)]
    out = tmp_path_factory.mktemp(request.param) / "plan.xlsx"
    outlook = "run-rate" if calendar == "solar-hijri" else "plan"  # both outlooks recalculate
    return write_plan(
        out,
        frame,
        first,
        calendar=calendar,
        money=money,
        actions=actions,
        as_of=D(2026, 8, 10),
        budget_outlook=outlook,
    )


def _money_rows(plan: PlanResult) -> dict[str, list[float]]:
    """Budget_Months' money block as cached: item -> the period cells."""
    ws = openpyxl.load_workbook(plan.path, data_only=True)["Budget_Months"]
    n = len(plan.results.periods)
    items = {m.item for m in plan.plan.money}
    return {
        str(row[0].value): [float(c.value or 0) for c in row[3 : 3 + n]]
        for row in ws.iter_rows()
        if row[0].value in items and isinstance(row[2].value, int | float)
    }


def test_lines_inside_the_plan_keep_their_whole_amount(plan: PlanResult) -> None:
    rows = _money_rows(plan)
    calendar = plan.plan.settings.calendar
    name = "solar-hijri" if calendar == "solar-hijri" else "fiscal-april"
    for item, _, _, amount in CASES[name][2]:
        assert sum(rows[item]) == pytest.approx(amount), item
    assert rows["Before"][:2] == pytest.approx([200.0, 200.0] if name == "solar-hijri" else
                                               [150.0, 150.0])  # fmt: skip


@NEEDS_LO
def test_libreoffice_recalculates_the_spreads_as_cached(plan: PlanResult) -> None:
    """The Solar Hijri plan paces by the run-rate outlook (with its channels' spend
    forecasts), the fiscal-April one by the plan."""
    pacing = plan.results.pacing
    assert pacing is not None
    if pacing.outlook == "run-rate":
        assert any(v is not None for row in pacing.forecasts for v in row)
    recalculated = recalculate_all([plan.path])[plan.path]
    assert recalculated["ok"], recalculated
    values = recalculated["values"]
    errors = [f"{s}!{a}" for s in SHEETS for a, v in values[s].items() if is_error(v)]
    assert not errors, errors[:10]
    cached = cached_values(plan.path)
    mismatches = compare({s: cached[s] for s in SHEETS}, {s: values[s] for s in SHEETS})
    assert not mismatches, mismatches[:10]


@pytest.fixture(scope="module")
def from_january(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """A Solar Hijri plan asked for from a Gregorian 1 January, with the starter's lines."""
    out = tmp_path_factory.mktemp("from-january") / "plan.xlsx"
    return write_plan(out, example_data(), D(2026, 1, 1), calendar="solar-hijri")


def test_the_builders_solar_hijri_plan_starts_on_a_period_and_spreads_by_it(
    from_january: PlanResult,
) -> None:
    """It starts on 1 Dey 1404, the month holding 1 January, as `new` and Start read it;
    its starter lines follow its months."""
    plan = from_january
    assert plan.plan.settings.start == plan.results.periods.first == D(2025, 12, 22)
    year_lines = [
        (m, row)
        for m, row in zip(plan.plan.money, plan.results.money_grid, strict=True)
        if (m.start, m.end) == (plan.results.periods.first, plan.results.periods.last)
    ]
    assert year_lines and all(sum(row) == pytest.approx(m.amount) for m, row in year_lines)


@NEEDS_LO
def test_the_builders_solar_hijri_plan_recalculates_as_cached(from_january: PlanResult) -> None:
    """Built with its start mid-period and Gregorian lines, this plan's Targets, Start,
    Summary and Strategy_KPI disagreed with LibreOffice (plan days from 1 January against
    periods from 22 December)."""
    recalculated = recalculate_all([from_january.path])[from_january.path]
    assert recalculated["ok"], recalculated
    mismatches = compare(cached_values(from_january.path), recalculated["values"])
    assert not mismatches, mismatches[:10]
