"""Budget_3M holds the 3M input Tables; Budget_Months stacks their periods in readable
blocks, paces media spend against the plan, and follows the as-of date and new rows."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from lxml import etree

from xlmplan.api import PlanResult, new_plan
from xlmplan.core.labels import load_labels
from xlmplan.core.template import BUNDLED
from xlmplan.io.example_data import example_data
from xlmplan.libreoffice import runner
from xlmplan.refresh import layout_notes, refresh_plan
from xlmplan.sheets import budget, budget_months, pacing_block
from xlmplan.xlsx.plan_file import open_plan
from xlmplan.xlsx.splice import SheetXml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LABELS = load_labels(BUNDLED / "labels", "en")


@pytest.fixture(scope="module")
def mid_year(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """The example shop with Data up to 2026-06-15: the as-of date falls mid-June."""
    folder = tmp_path_factory.mktemp("budget")
    data = example_data()
    data[data["date"] <= "2026-06-15"].to_csv(folder / "to_june.csv", index=False)
    return new_plan(folder / "plan.xlsx", data=folder / "to_june.csv", start="2026-01", months=12)


def _book(path: Path, values: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=values)


def _rows(ws: Any) -> dict[str, list[int]]:
    """Row numbers (1-based) by the text in column A."""
    out: dict[str, list[int]] = {}
    for r in range(1, ws.max_row + 1):
        out.setdefault(str(ws.cell(r, 1).value), []).append(r)
    return out


def _table_refs(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        out = {}
        for name in z.namelist():
            if name.startswith("xl/tables/"):
                el = etree.fromstring(z.read(name))
                out[el.get("displayName")] = el.get("ref")
        return out


def _type(path: Path, role: str, cells: dict[tuple[int, int], object]) -> None:
    """Type values into a sheet as a user would (numbers, dates as serials, inline text)."""
    pf = open_plan(path)
    part = pf.sheets[role].part
    pf.close()
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = SheetXml(parts[part])
    for pos, value in cells.items():
        c = etree.Element(f"{{{MAIN}}}c")
        if isinstance(value, str):
            c.set("t", "inlineStr")
            etree.SubElement(etree.SubElement(c, f"{{{MAIN}}}is"), f"{{{MAIN}}}t").text = value
        else:
            if isinstance(value, dt.date):
                value = (value - dt.date(1899, 12, 30)).days
            etree.SubElement(c, f"{{{MAIN}}}v").text = repr(value)
        sheet.put(pos, c, None)
    parts[part] = sheet.finish()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _libreoffice_agrees(path: Path) -> None:
    cached = cached_values(path)
    recalculated = runner.recalculate(path)
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    mismatches = compare(cached, recalculated.values)
    assert not mismatches, "\n".join(mismatches[:20])


@pytest.mark.parametrize("months", [6, 12])
def test_budget_3m_holds_the_input_tables_side_by_side_at_fixed_columns(
    tmp_path: Path, months: int
) -> None:
    """Whatever the plan's length, the Tables start on row 4 in columns A, H and O, and
    nothing on Budget_3M is a formula (nothing below a Table keeps it from growing)."""
    path = tmp_path / "plan.xlsx"
    new_plan(path, months=months)
    refs = _table_refs(path)
    assert [refs[n][: refs[n].index(":")] for n in ("tblPeople", "tblMoney", "tblActions")] == [
        "A4",
        "H4",
        "O4",
    ]
    ws = _book(path)["Budget_3M"]
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas
    assert ws.freeze_panes == "A5"


def test_blocks_are_stacked_with_titles_and_row_labels(mid_year: PlanResult) -> None:
    """Budget_Months is as wide as the periods plus the label columns and the total; every
    row with figures has a label in the frozen column A, and each block has a title."""
    ws = _book(mid_year.path)["Budget_Months"]
    n = mid_year.plan.settings.months
    assert ws.max_column == budget_months.P0 + n + 1
    assert ws.freeze_panes == "D5"
    for r in range(1, ws.max_row + 1):
        figures = [ws.cell(r, c).value for c in range(budget_months.P0 + 1, ws.max_column + 1)]
        if any(v is not None for v in figures):
            assert ws.cell(r, 1).value not in (None, ""), f"row {r} has figures but no label"
    titles = _rows(ws)
    for key in ("summary", "block", "reconcile", "people_block", "money_block", "actions_block"):
        assert LABELS[f"pacing.{key}"] in titles, key


def test_frozen_columns_show_each_blocks_own_labels(mid_year: PlanResult) -> None:
    """People's names stand beside people rows only; money rows show their item and
    channel; the action calendar shows each action with its owner (a Gantt chart)."""
    plan = mid_year.plan
    ws = _book(mid_year.path, values=True)["Budget_Months"]
    rows = _rows(ws)
    people_rows = {r for p in plan.people for r in rows[p.name]}
    assert len(people_rows) == 3 * len(plan.people)  # cost, capacity, demand
    money_title, actions_title = (
        rows[LABELS[f"pacing.{k}"]][0] for k in ("money_block", "actions_block")
    )
    assert all(money_title > r for r in people_rows)
    for i, line in enumerate(plan.money):
        r = money_title + 2 + i
        assert (ws.cell(r, 1).value, ws.cell(r, 2).value or "") == (line.item, line.channel)
    grid = mid_year.results.action_grid
    for i, act in enumerate(plan.actions):
        r = actions_title + 2 + i
        assert (ws.cell(r, 1).value, ws.cell(r, 2).value) == (act.action, act.owner)
        hours = [ws.cell(r, budget_months.P0 + 1 + k).value for k in range(12)]
        assert hours == pytest.approx(grid[i])


def test_derived_cells_are_not_input_yellow_and_idle_months_show_a_dash(
    mid_year: PlanResult,
) -> None:
    book = _book(mid_year.path)
    input_fill = book["Budget_3M"]["A5"].fill.fgColor.rgb
    ws = book["Budget_Months"]
    r = _rows(ws)[LABELS["pacing.actions_block"]][0] + 2
    cell = ws.cell(r, budget_months.P0 + 1)
    assert cell.data_type == "f"
    assert cell.fill.fgColor.rgb != input_fill
    assert cell.number_format.endswith(';"–"')
    assert ws.protection.sheet


def test_pacing_splits_actual_from_plan_at_the_as_of_period(mid_year: PlanResult) -> None:
    """As of 2026-06-15: actual spend in January to June (June to the 15th), blank after;
    the outlook is the plan from July; Start shows the block's actual and left to plan."""
    pacing = mid_year.results.pacing
    assert pacing is not None and pacing.as_of_period == 6
    assert pacing.remaining == pytest.approx(15 / 30)
    book = _book(mid_year.path, values=True)
    ws = book["Budget_Months"]
    rows = _rows(ws)
    total_actual = rows[LABELS["pacing.total"]][1]  # planned, actual, ... sections
    actual = [ws.cell(total_actual, budget_months.P0 + 1 + k).value for k in range(12)]
    assert all(isinstance(v, float) and v > 0 for v in actual[:6])
    assert actual[6:] == [None] * 6
    outlook_row = rows[LABELS["pacing.total"]][pacing_block.SECTIONS.index("outlook")]
    planned_row = rows[LABELS["pacing.total"]][0]
    for k in range(6, 12):
        col = budget_months.P0 + 1 + k
        assert ws.cell(outlook_row, col).value == ws.cell(planned_row, col).value
    start = book["Start"]
    shown = {start.cell(r, 5).value: start.cell(r, 6).value for r in range(1, 40)}
    assert shown[LABELS["start.media_actual"]] == pytest.approx(pacing.total.actual_to_date)
    assert shown[LABELS["start.left_to_plan"]] == pytest.approx(pacing.left_to_plan)


@NEEDS_LO
def test_the_boundary_moves_with_the_as_of_date_without_a_refresh(
    mid_year: PlanResult, tmp_path: Path
) -> None:
    """A typed as-of (2026-03-10) moves the split in LibreOffice's own recalculation to
    what a refresh caches: no range is moved by hand."""
    typed, refreshed = tmp_path / "typed.xlsx", tmp_path / "refreshed.xlsx"
    shutil.copy(mid_year.path, typed)
    as_of_row = next(
        r
        for r in range(4, 40)
        if _book(mid_year.path)["Start"].cell(r + 1, 1).value == LABELS["setting.as_of"]
    )
    _type(typed, "start", {(as_of_row, 1): dt.date(2026, 3, 10)})
    shutil.copy(typed, refreshed)
    result = refresh_plan(refreshed)
    pacing = result.analysis.results.pacing
    assert pacing is not None and pacing.as_of_period == 3
    want = {"Budget_Months": cached_values(refreshed)["Budget_Months"]}
    before = {"Budget_Months": cached_values(typed)["Budget_Months"]}
    assert compare(before, want), "the typed as-of changed nothing: the test shows nothing"
    got = {"Budget_Months": runner.recalculate(typed).values["Budget_Months"]}
    mismatches = compare(want, got, expected_label="refreshed", actual_label="libreoffice")
    assert not mismatches, "\n".join(mismatches[:20])


@NEEDS_LO
def test_the_run_rate_outlook_typed_on_start_recalculates_as_a_refresh_caches(
    mid_year: PlanResult, tmp_path: Path
) -> None:
    """Start's budget outlook typed as "run-rate": LibreOffice's recalculation of the typed
    file gives what a refresh caches on Budget_Months and Start (outlook, left to plan), with
    the spend forecasts of the channels that have one."""
    typed, refreshed = tmp_path / "typed.xlsx", tmp_path / "refreshed.xlsx"
    shutil.copy(mid_year.path, typed)
    start = _book(mid_year.path)["Start"]
    row = next(r for r in range(4, 60) if start.cell(r + 1, 1).value == LABELS[
        "setting.budget_outlook"])  # fmt: skip
    assert start.cell(row + 1, 2).value == "plan"  # the default
    _type(typed, "start", {(row, 1): " Run-Rate"})  # read as run-rate, in any letter case
    shutil.copy(typed, refreshed)
    pacing = refresh_plan(refreshed).analysis.results.pacing
    before = mid_year.results.pacing
    assert pacing is not None and before is not None and pacing.outlook == "run-rate"
    assert pacing.left_to_plan != pytest.approx(before.left_to_plan)
    assert any(v is not None for row_fc in pacing.forecasts for v in row_fc)
    sheets = ("Budget_Months", "Start")
    want = {s: cached_values(refreshed)[s] for s in sheets}
    got = {s: v for s, v in runner.recalculate(typed).values.items() if s in sheets}
    mismatches = compare(want, got, expected_label="refreshed", actual_label="libreoffice")
    assert not mismatches, "\n".join(mismatches[:20])


@NEEDS_LO
def test_rows_added_to_each_input_table_reach_budget_months(
    mid_year: PlanResult, tmp_path: Path
) -> None:
    """A person, a money line and an action typed right under their Tables are taken in
    by refresh: their rows appear in the blocks and LibreOffice agrees with every value."""
    work = tmp_path / "work.xlsx"
    shutil.copy(mid_year.path, work)
    plan = mid_year.plan
    people, money, actions = (len(x) for x in (plan.people, plan.money, plan.actions))
    first = 4  # 0-based first data row of every Table
    j, jan, dec = dt.date, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    _type(
        work,
        "budget",
        {
            **{(first + people, budget.PEOPLE_COL + c): v
               for c, v in enumerate(["Nina", "Designer", 0.5, 4000, jan, dec])},
            **{(first + money, budget.MONEY_COL + c): v
               for c, v in enumerate(["Advertising", "Email", "Newsletter ads", j(2026, 7, 1),
                                      j(2026, 9, 30), 9000])},
            **{(first + actions, budget.ACTIONS_COL + c): v
               for c, v in enumerate(["Holiday landing page", "ST1", "Nina", j(2026, 10, 1),
                                      j(2026, 11, 30), 80])},
        },
    )  # fmt: skip
    result = refresh_plan(work)
    assert result.analysis.grown == {"tblPeople": 1, "tblMoney": 1, "tblActions": 1}
    refs = _table_refs(work)
    assert refs["tblPeople"].endswith(str(first + people + 1))
    ws = _book(work, values=True)["Budget_Months"]
    rows = _rows(ws)
    assert len(rows["Nina"]) == 3  # cost, capacity and demand
    assert "Newsletter ads" in rows and "Holiday landing page" in rows
    r = rows["Holiday landing page"][0]
    hours = [ws.cell(r, budget_months.P0 + 1 + k).value for k in range(12)]
    assert hours[9:11] == [40.0, 40.0] and sum(hours) == 80.0
    assert ws.cell(r, 2).value == "Nina"
    email = result.analysis.results.pacing
    assert email is not None
    assert [x.planned[6] for x in email.rows if x.channel == "Email"] == [3000.0]
    _libreoffice_agrees(work)


def test_an_older_layout_is_reported_after_refresh() -> None:
    """A plan whose manifest predates Budget_Months gets one note naming both sheets."""
    names = {"budget": "Budget 3M", "budget_months": "Budget_Months (2)"}
    notes = budget.layout_moved({}, LABELS, names)
    assert len(notes) == 1 and "Budget 3M" in notes[0] and "Budget_Months (2)" in notes[0]
    assert budget.layout_moved({"layout.budget": budget.LAYOUT}, LABELS, names) == []


@NEEDS_LO
def test_the_previous_versions_plan_keeps_its_tables_and_says_what_moved(tmp_path: Path) -> None:
    """The plan xlmplan 0.1.0 wrote (grids beside the Tables, Tables on row 21) and a user
    edited: refresh adds Budget_Months, reads the Tables where they stand, removes the old
    grids, keeps the user's cells, says where the grids went, and LibreOffice agrees."""
    from previous_plan import FIXTURE

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    refs_before = _table_refs(path)
    old = _book(path)["Budget_3M"]
    assert any(c.data_type == "f" for row in old.iter_rows() for c in row)
    result = refresh_plan(path)
    assert "budget_months" in result.analysis.added
    moved = [n for n in layout_notes(result.analysis) if n.startswith("This plan was laid")]
    assert len(moved) == 1 and "Budget_3M" in moved[0] and "Budget_Months" in moved[0]
    refs = _table_refs(path)
    assert {n: refs[n] for n in ("tblPeople", "tblMoney", "tblActions")} == {
        n: refs_before[n] for n in ("tblPeople", "tblMoney", "tblActions")
    }
    book = _book(path, values=True)
    ws = book["Budget_3M"]
    assert not [
        c for row in _book(path)["Budget_3M"].iter_rows() for c in row if c.data_type == "f"
    ]
    assert (ws["CN2"].value, ws["CN3"].value) == ("Agency retainer to renegotiate", 1500)
    rows = _rows(book["Budget_Months"])
    assert all(line.item in rows for line in result.analysis.plan.money)
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any("Budget_Months" in c for c in charts)
    assert not any("Budget_3M" in c for c in charts)
    _libreoffice_agrees(path)
    again = refresh_plan(path)  # said once: the manifest now records the layout
    assert not layout_notes(again.analysis)
    pf = again.analysis.pf
    mine = {pf.sheets[r].part for r in ("budget", "budget_months", "checks", "manifest")}
    assert not mine & set(again.changed_parts)
