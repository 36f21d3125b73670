"""A user's edits made in LibreOffice (new sheet, chart, image, comment, rows below Tables)
survive LibreOffice's xlsx export, and the plan's Tables do not grow over typed rows."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from lo_edit import LibreOfficeEditError, edit_with_libreoffice, xlsx_parts

from xlmplan.api import new_plan

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def plan(libreoffice: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_plan(tmp_path_factory.mktemp("lo-edit") / "plan.xlsx").path


@pytest.fixture(scope="module")
def edited(plan: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The plan edited with the default rows."""
    dst = tmp_path_factory.mktemp("lo-edit-out") / "edited.xlsx"
    return dst, edit_with_libreoffice(plan, dst)


def _last_month_rows(plan: Path) -> tuple[dt.date, int, int]:
    """(latest date, rows in its month, last Data row number) of the plan's Data sheet."""
    wb = openpyxl.load_workbook(plan, read_only=True)
    try:
        dates = [
            row[0].date()
            for row in wb["Data"].iter_rows(min_row=2, max_col=1, values_only=True)
            if isinstance(row[0], dt.datetime)
        ]
    finally:
        wb.close()
    latest = max(dates)
    count = sum(1 for d in dates if (d.year, d.month) == (latest.year, latest.month))
    return latest, count, len(dates) + 1


def test_report_names_what_was_added(edited: tuple[Path, dict[str, Any]]) -> None:
    _, report = edited
    assert report["ok"] and report["leftover_pids"] == []
    assert report["soffice_exit_code"] == 0
    notes = report["notes_sheet"]
    assert notes["name"] == "My notes"
    assert notes["chart"]["name"] == "NotesChart" and notes["image"]["name"] == "NotesImage"
    assert report["comment"]["sheet"] == "Objectives" and report["comment"]["cell"] == "G5"
    typed = report["typed"]
    assert (typed["objectives"]["sheet"], typed["objectives"]["first_row"]) == ("Objectives", 11)
    assert (typed["kpis"]["sheet"], typed["kpis"]["first_row"]) == ("Strategy_KPI", 13)
    assert typed["data"]["sheet"] == "Data"
    for section in typed.values():
        assert section["table_range_after"] == section["table_range"]


def test_notes_sheet_holds_text_table_chart_and_image(
    edited: tuple[Path, dict[str, Any]],
) -> None:
    dst, report = edited
    wb = openpyxl.load_workbook(dst)
    ws = wb[wb.sheetnames[-1]]
    assert ws.title == "My notes"
    assert ws["A1"].value == "My notes" and ws["A2"].value
    table = [[c.value for c in row] for row in ws["A4:B10"]]
    assert table[0] == ["Month", "Leads"]
    assert [r[0] for r in table[1:]] == ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    assert all(isinstance(r[1], (int, float)) for r in table[1:])
    assert len(ws._charts) == 1  # openpyxl drops images without Pillow: checked below

    objects = report["parts"]["sheets"]["My notes"]["drawing_objects"]
    by_name = {o["name"]: o for o in objects}
    assert by_name["NotesChart"]["kind"] == "chart"
    assert by_name["NotesImage"]["kind"] == "image"
    with zipfile.ZipFile(dst) as zf:
        chart = zf.read(by_name["NotesChart"]["part"]).decode()
        assert "$A$5:$A$10" in chart and "$B$5:$B$10" in chart
        assert zf.read(by_name["NotesImage"]["part"]).startswith(PNG_SIGNATURE)


def test_comment_on_first_objective_name(edited: tuple[Path, dict[str, Any]]) -> None:
    dst, report = edited
    ws = openpyxl.load_workbook(dst)["Objectives"]
    assert ws["G5"].comment is not None
    assert ws["G5"].comment.text.strip() == report["comment"]["text"]
    assert report["parts"]["sheets"]["Objectives"]["comments"]


def test_default_rows_typed_below_tables(plan: Path, edited: tuple[Path, dict[str, Any]]) -> None:
    dst, _ = edited
    before, after = openpyxl.load_workbook(plan), openpyxl.load_workbook(dst)
    objectives, kpis = after["Objectives"], after["Strategy_KPI"]
    last_objective = [c.value for c in before["Objectives"][10]][:12]
    new_objective = [c.value for c in objectives[11]][:12]
    assert new_objective[0] == "OB7" and new_objective[6] == f"{last_objective[6]} (new)"
    assert new_objective[10] == last_objective[10]  # Deadline stays a date
    assert objectives["K11"].is_date
    new_kpi = [c.value for c in kpis[13]][:6]
    assert new_kpi[0] == "K9" and new_kpi[1] == f"{kpis['B12'].value} (new)"
    assert new_kpi[2:] == [c.value for c in kpis[12]][2:6]
    for name, sheet in (("tblObjectives", "Objectives"), ("tblKpis", "Strategy_KPI")):
        assert after[sheet].tables[name].ref == before[sheet].tables[name].ref


def test_new_month_of_data(plan: Path, edited: tuple[Path, dict[str, Any]]) -> None:
    dst, report = edited
    latest, count, last_row = _last_month_rows(plan)
    data = report["typed"]["data"]
    assert data["row_count"] == count
    assert (data["first_row"], data["last_row"]) == (last_row + 1, last_row + count)
    first = dt.date(latest.year + latest.month // 12, latest.month % 12 + 1, 1)
    assert data["date_from"] == first.isoformat()
    ws = openpyxl.load_workbook(dst, read_only=True)["Data"]
    rows = list(ws.iter_rows(min_row=last_row + 1, max_col=10, values_only=True))
    typed = [r for r in rows if r[0] is not None]
    assert len(typed) == count
    assert {(r[0].year, r[0].month) for r in typed} == {(first.year, first.month)}
    assert data["date_to"] == max(r[0] for r in typed).date().isoformat()
    assert report["parts"]["tables"]["tblData"]["ref"] == f"A1:L{last_row}"


def test_round_trip_keeps_tables_arrays_and_hidden_sheets(
    plan: Path, edited: tuple[Path, dict[str, Any]]
) -> None:
    _, report = edited
    source, parts = xlsx_parts(plan), report["parts"]
    assert {n: t["ref"] for n, t in parts["tables"].items()} == {
        n: t["ref"] for n, t in source["tables"].items()
    }
    assert parts["array_formulas"] == source["array_formulas"] > 0
    assert source["sheets"]["_xlmplan"]["state"] == "veryHidden"
    assert parts["sheets"]["_xlmplan"]["state"] == "hidden"  # LibreOffice has no veryHidden
    assert parts["sheets"]["Calc"]["state"] == "hidden"
    assert set(parts["defined_names"]) == set(source["defined_names"])
    assert parts["shared_strings"] and parts["inline_strings"] == 0
    assert not parts["calc_chain"]


def test_given_rows_are_typed_as_given(plan: Path, tmp_path: Path) -> None:
    objective = ["OB9", "Secondary", "OB1", "Short", "Quantitative", "Reach", "Grow reach"]
    objective += ["K2", 100, 150, dt.date(2027, 3, 31), "S1"]
    kpi = ["K20", "Newsletter signups", "Conversions", "Email", 1200, "higher"]
    data = [
        [dt.date(2027, 1, 2), "Email", "Newsletter", 1000, 50, 45, 3, 120.5, 0, 1],
        ["2027-01-03", "Display", "Awareness", 5000, 20, 15, 0, 0.0, 12.25, 0],
    ]
    dst = tmp_path / "given.xlsx"
    report = edit_with_libreoffice(
        plan, dst, new_data_rows=data, objective_rows=[objective], kpi_rows=[kpi]
    )
    assert [s["default"] for s in report["typed"].values()] == [False, False, False]
    assert report["typed"]["data"]["row_count"] == 2
    assert (report["typed"]["data"]["date_from"], report["typed"]["data"]["date_to"]) == (
        "2027-01-02",
        "2027-01-03",
    )
    wb = openpyxl.load_workbook(dst)
    row = [c.value for c in wb["Objectives"][11]][:12]
    assert row[:10] == objective[:10] and row[11] == "S1"
    assert row[10] == dt.datetime(2027, 3, 31)
    assert [c.value for c in wb["Strategy_KPI"][13]][:6] == kpi
    first = report["typed"]["data"]["first_row"]
    ws = wb["Data"]
    assert ws.cell(first, 1).value == dt.datetime(2027, 1, 2) and ws.cell(first, 1).is_date
    assert [c.value for c in ws[first + 1]][1:10] == data[1][1:10]


def test_failure_is_reported_with_reason(libreoffice: None, tmp_path: Path) -> None:
    src = tmp_path / "no-tables.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet("Objectives").write("A1", "not a plan")
    wb.close()
    with pytest.raises(LibreOfficeEditError, match="no Table named 'tblObjectives'"):
        edit_with_libreoffice(src, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
