"""Plans in both calendars, cut at several as-of dates: the Calendar, the month grids that
read it, the settings that keep it, and LibreOffice's recalculation of all of it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import jdatetime
import openpyxl
import pandas as pd
import pytest
from engines import NEEDS_LO, cached_values, compare, is_error

from xlmplan.api import PlanResult, new_plan
from xlmplan.core.data import MEASURES
from xlmplan.io.example_data import example_data
from xlmplan.libreoffice import runner
from xlmplan.refresh import refresh_plan

# (calendar, --start, months, as-of dates: first week of a period, mid-year, last day)
CASES = {
    "gregorian": ("gregorian", "2026-01", 12, ("2026-01-05", "2026-06-17", "2026-12-31")),
    # 1 Bahman 1404 = 2026-01-21; eleven months end on 30 Azar 1405 = 2026-12-21
    "solar-hijri": ("solar-hijri", "1404-11", 11, ("2026-01-25", "2026-07-10", "2026-12-21")),
}
PLANS = [(name, as_of) for name, case in CASES.items() for as_of in case[3]]


def _jalali_bounds(first: dt.date) -> tuple[dt.date, dt.date, str]:
    """The Solar Hijri month holding ``first`` by jdatetime: first day, last day, name."""
    j = jdatetime.date.fromgregorian(date=first)
    start = jdatetime.date(j.year, j.month, 1)
    nxt = jdatetime.date(j.year + (j.month == 12), j.month % 12 + 1, 1)
    last = nxt.togregorian() - dt.timedelta(days=1)
    return start.togregorian(), last, f"{start.strftime('%B')} {j.year}"


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("calendar_data") / "data.csv"


@pytest.fixture(scope="module", params=PLANS, ids=[f"{c}-{a}" for c, a in PLANS])
def cut_plan(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dt.date, PlanResult, pd.DataFrame]:
    """A plan built from the example data cut at the as-of date (its last Data day)."""
    name, as_of_text = request.param
    calendar, start, months, _ = CASES[name]
    as_of = dt.date.fromisoformat(as_of_text)
    folder = tmp_path_factory.mktemp(f"cut-{name}-{as_of_text}")
    frame = example_data()
    frame = frame[pd.to_datetime(frame["date"]).dt.date <= as_of]
    frame.to_csv(folder / "data.csv", index=False)
    plan = new_plan(
        folder / "plan.xlsx",
        data=folder / "data.csv",
        start=start,
        months=months,
        calendar=calendar,
    )
    return calendar, as_of, plan, frame


def _sheet(path: Path, name: str) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(path, data_only=True)[name]


def test_solar_hijri_periods_match_jdatetime_and_data_sums(
    cut_plan: tuple[str, dt.date, PlanResult, pd.DataFrame],
) -> None:
    calendar, as_of, plan, frame = cut_plan
    if calendar != "solar-hijri":
        pytest.skip("Solar Hijri plans only")
    cal = _sheet(plan.path, "Calendar")
    analysis = _sheet(plan.path, "Analysis")
    dates = pd.to_datetime(frame["date"]).dt.date
    first = plan.plan.settings.start
    for k in range(plan.plan.settings.months):
        lo, hi, label = _jalali_bounds(first)
        row = [c.value for c in cal[5 + k][:5]]
        assert row[0] == k + 1 and (row[1].date(), row[2].date()) == (lo, hi)
        assert row[3] == (hi - lo).days + 1 and row[4] == label
        inside = (dates >= lo) & (dates <= hi)
        grid = [c.value for c in analysis[8 + k][1 : 1 + len(MEASURES)]]
        if lo > as_of:  # after the as-of date: blank, never 0
            assert all(v in (None, "") for v in grid), (label, grid)
        else:
            sums = [float(frame.loc[inside, m].fillna(0).sum()) for m in MEASURES]
            assert grid == pytest.approx(sums), label
        first = hi + dt.timedelta(days=1)


def test_periods_after_the_as_of_date_are_blank_and_never_minus_100(
    cut_plan: tuple[str, dt.date, PlanResult, pd.DataFrame],
) -> None:
    _, as_of, plan, _ = cut_plan
    analysis = _sheet(plan.path, "Analysis")
    k_now = plan.results.as_of_number
    mom = [analysis.cell(8 + k, 10).value for k in range(plan.plan.settings.months)]
    value = [analysis.cell(8 + k, 9).value for k in range(plan.plan.settings.months)]
    assert all(v in (None, "") for v in mom[k_now:] + value[k_now:])
    assert all(isinstance(v, float) for v in value[:k_now])
    assert -1.0 not in mom
    # the as-of period against the same days of the period before
    lo, hi = plan.results.same_days or (None, None)
    assert (
        lo is not None and hi is not None and (hi - lo) <= (as_of - plan.results.last_month_start)
    )
    same = analysis.cell(8 + plan.plan.settings.months, 9).value
    if same:  # the period before holds Data
        assert mom[k_now - 1] == pytest.approx(round(value[k_now - 1] / same - 1, 6))
    else:
        assert mom[k_now - 1] in (None, "")


@NEEDS_LO
def test_libreoffice_recalculates_cut_plans_as_cached(
    cut_plan: tuple[str, dt.date, PlanResult, pd.DataFrame],
) -> None:
    calendar, _, plan, _ = cut_plan
    cached = cached_values(plan.path)
    recalculated = runner.recalculate(plan.path).values
    errors = [
        f"{s}!{a}: {v}" for s, vals in recalculated.items() for a, v in vals.items() if is_error(v)
    ]
    assert not errors, errors[:10]
    mismatches = compare(cached, recalculated, expected_label="cached", actual_label="lo")
    assert not mismatches, "\n".join(mismatches[:20])
    if calendar == "gregorian":  # labels are formulas that give text, never date serials
        labels = [v for a, v in recalculated["Calendar"].items() if a.startswith("E")]
        assert len(labels) == 12 and all(isinstance(v, str) and v[0].isalpha() for v in labels)


def test_refresh_keeps_the_calendar_and_fiscal_start(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    new_plan(path, calendar="solar-hijri", fiscal_start=1)  # Farvardin: the Persian year
    before = [c.value for c in _sheet(path, "Calendar")["E"][4:16]]
    assert before[0] == "Farvardin 1405" and before[-1] == "Esfand 1405"  # holds 2026-12-31
    refresh_plan(path)
    start = {
        row[0].value: row[1].value
        for row in _sheet(path, "Start").iter_rows(min_row=5)
        if row[0].value
    }
    assert start["Calendar (gregorian or solar-hijri)"] == "solar-hijri"
    assert start["Fiscal year starts (month 1-12, blank = start month)"] == 1
    assert [c.value for c in _sheet(path, "Calendar")["E"][4:16]] == before


def test_fiscal_start_makes_the_plan_the_year_under_way(tmp_path: Path) -> None:
    plan = new_plan(tmp_path / "plan.xlsx", fiscal_start=4)  # data: 2026
    assert plan.plan.settings.start == dt.date(2026, 4, 1)
    assert plan.plan.settings.fiscal_start == 4
    assert _sheet(plan.path, "Calendar")["E5"].value == "April 2026"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--fiscal-start", "13"], "--fiscal-start 13: give the month"),
        (["--fiscal-start", "4", "--start", "2026-01"], "give --start 2026-04"),
        (["--calendar", "julian"], "--calendar 'julian'"),
        (["--calendar", "solar-hijri", "--start", "2026-01"], "reads as a Gregorian month"),
        (["--start", "1405-01"], "1405-01"),
    ],
)
def test_bad_calendar_options_get_one_line_and_exit_2(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "xlmplan", "new", str(tmp_path / "plan.xlsx"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin"},
    )
    assert out.returncode == 2 and needle in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "plan.xlsx").exists()
