"""The Calendar sheet: one row per plan period, the twelve before it, and the as-of period.

Its defined names are the interface every month grid reads, so they are checked by name:
their sizes, the cached values against ``plan_periods`` and LibreOffice's recalculation
(labels stay text, never date serials).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from engines import NEEDS_LO, cached_values

from xlmplan.api import PlanResult
from xlmplan.core.periods import as_of_period, plan_periods
from xlmplan.core.rules import serial
from xlmplan.libreoffice import runner

NAMES = ("cal_first", "cal_last", "cal_days", "cal_label", "cal_hist_first", "cal_hist_last")


def _name_values(path: Path) -> dict[str, list[object]]:
    """Each Calendar name's cached values, read through the name's own range."""
    book = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, list[object]] = {}
    for name in (*NAMES, "AsOfPeriod"):
        ((sheet, cells),) = book.defined_names[name].destinations
        block = book[sheet][cells]
        rows = block if isinstance(block, tuple) else ((block,),)
        out[name] = [row[0].value for row in rows]
    return out


def test_names_hold_the_plans_periods(example_plan: PlanResult) -> None:
    s = example_plan.plan.settings
    periods = plan_periods(s.start, s.months)
    values = _name_values(example_plan.path)
    assert [d.date() for d in values["cal_first"]] == [p.first for p in periods.items]
    assert [d.date() for d in values["cal_last"]] == [p.last for p in periods.items]
    assert values["cal_days"] == [p.days for p in periods.items]
    assert values["cal_label"] == [p.label for p in periods.items]
    assert values["cal_label"][0] == f"{s.start:%B %Y}"
    before = [d.date() for d in values["cal_hist_first"]]
    assert len(before) == 12 and before[-1] < s.start == values["cal_hist_last"][-1].date() + (
        dt.timedelta(days=1)
    )
    assert before[0] == s.start.replace(year=s.start.year - 1)
    assert values["AsOfPeriod"] == [as_of_period(example_plan.results.as_of, periods)]


def test_calendar_is_a_visible_sheet_with_its_role(example_plan: PlanResult) -> None:
    book = openpyxl.load_workbook(example_plan.path)
    sheet = book["Calendar"]
    assert sheet.sheet_state == "visible"
    manifest = book["_xlmplan"]
    entries = {row[0].value: row[1].value for row in manifest.iter_rows() if row[0].value}
    assert entries["sheet.calendar"] == "Calendar"
    assert "owned.calendar" in entries


@NEEDS_LO
def test_libreoffice_recalculates_the_calendar_as_cached(example_plan: PlanResult) -> None:
    recalculated = runner.recalculate(example_plan.path).values["Calendar"]
    cached = cached_values(example_plan.path)["Calendar"]
    assert recalculated == pytest.approx(cached)
    n = example_plan.plan.settings.months
    labels = [recalculated[f"E{5 + i}"] for i in range(n)]
    assert all(isinstance(v, str) and v[:3].isalpha() for v in labels), labels
    assert recalculated["B5"] == serial(example_plan.plan.settings.start)
