"""Each sheet has its tables, validations, conditional formats, names and protection."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlmplan.api import PlanResult

INPUT_TABLES = {
    "start": {"tblSettings"},
    "data": {"tblData"},
    "swot": {"tblSwot"},
    "objectives": {"tblObjectives"},
    "strategy_kpi": {"tblKpis", "tblStrategies"},
    "budget": {"tblPeople", "tblMoney", "tblActions"},
    "scenarios": {"tblScenarios"},
}
DERIVED_ONLY = ("budget_months", "analysis", "dashboard", "checks", "lists", "calc")


@pytest.fixture(scope="module")
def book(example_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(example_path)


def manifest(book: openpyxl.Workbook) -> dict[str, str]:
    ws = book["_xlmplan"]
    return {str(r[0]): str(r[1]) for r in ws.iter_rows(min_row=2, values_only=True)}


def sheet(book: openpyxl.Workbook, role: str) -> openpyxl.worksheet.worksheet.Worksheet:
    return book[manifest(book)[f"sheet.{role}"]]


def test_manifest_names_every_role_and_is_hidden(book: openpyxl.Workbook) -> None:
    entries = manifest(book)
    assert book["_xlmplan"].sheet_state == "veryHidden"
    assert entries["xlmplan.version"] and entries["language"] == "en"
    for role in (*INPUT_TABLES, *DERIVED_ONLY):
        assert f"sheet.{role}" in entries
    for tables in INPUT_TABLES.values():
        for name in tables:
            assert f"table.{name}" in entries
    assert book.sheetnames[0] == entries["sheet.start"]


@pytest.mark.parametrize("role", sorted(INPUT_TABLES))
def test_input_sheets_hold_tables_and_stay_unprotected(book: openpyxl.Workbook, role: str) -> None:
    ws = sheet(book, role)
    assert set(ws.tables) == INPUT_TABLES[role]
    assert not ws.protection.sheet, "a sheet with input Tables must stay unprotected"
    assert ws.freeze_panes is not None


@pytest.mark.parametrize(
    "role", ["budget_months", "analysis", "dashboard", "checks", "lists", "calc"]
)
def test_derived_sheets_are_protected_without_password(book: openpyxl.Workbook, role: str) -> None:
    ws = sheet(book, role)
    assert ws.protection.sheet
    assert not ws.protection.password
    assert not ws.tables


@pytest.mark.parametrize(
    ("role", "sources"),
    [
        ("swot", {"=lst_swot_types", "=lst_scores"}),
        ("objectives", {"=lst_levels", "=lst_horizons", "=lst_kinds", "=lst_race", "=k_id"}),
        ("strategy_kpi", {"=lst_metrics", "=lst_channels", "=lst_directions", "=lst_tows"}),
        ("budget", {"=lst_categories", "=p_name", "=st_id"}),
        ("analysis", {"=lst_metrics"}),
        ("start", {"=lst_categories"}),
    ],
)
def test_drop_downs(book: openpyxl.Workbook, role: str, sources: set[str]) -> None:
    ws = sheet(book, role)
    found = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    found = {f if f.startswith("=") else "=" + f for f in found if f}
    assert sources <= found


@pytest.mark.parametrize(
    "role",
    [
        "swot",
        "objectives",
        "strategy_kpi",
        "budget_months",
        "scenarios",
        "analysis",
        "dashboard",
        "checks",
    ],
)
def test_conditional_formats(book: openpyxl.Workbook, role: str) -> None:
    ws = sheet(book, role)
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert rules


def test_status_cells_have_red_amber_green(book: openpyxl.Workbook) -> None:
    ws = sheet(book, "strategy_kpi")
    texts = {f for cf in ws.conditional_formatting for r in cf.rules for f in (r.formula or [])}
    assert {'"Green"', '"Amber"', '"Red"'} <= texts


def test_inputs_are_unlocked_and_derived_locked(book: openpyxl.Workbook) -> None:
    ws = sheet(book, "strategy_kpi")
    assert ws["E5"].protection.locked is False  # KPI target (input)
    assert ws["H5"].protection.locked is True  # KPI actual (formula)
    assert ws["H5"].data_type == "f"
    assert ws["E5"].fill.fgColor.rgb != ws["H5"].fill.fgColor.rgb


def test_names_are_workbook_scoped_and_sized_to_data(
    example_plan: PlanResult, book: openpyxl.Workbook
) -> None:
    names = book.defined_names
    for name in ("d_date", "d_spend", "PlanStart", "AsOf", "lst_metrics", "k_status"):
        assert name in names
    for ws in book.worksheets:
        assert not ws.defined_names, "no sheet-scoped names"
    rows = example_plan.rows
    assert names["d_spend"].attr_text.endswith(f"$I$2:$I${rows + 1}")
    # date .. new_customers, then the period_start and period_end columns of aggregated rows
    assert book[manifest(book)["sheet.data"]].tables["tblData"].ref == f"A1:L{rows + 1}"


def test_no_forbidden_formula_forms(example_path: Path) -> None:
    with zipfile.ZipFile(example_path) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    formulas = xml.split("<f")
    for bad in (
        "OFFSET(",
        "INDIRECT(",
        "TODAY(",
        "NOW(",
        "RAND(",
        "XLOOKUP(",
        "[#This Row]",
        "tblData[",
        "SUBTOTAL(",
        "LET(",
        "FILTER(",
    ):
        assert not any(bad in f.split("</f>")[0] for f in formulas[1:]), bad
    # Every function is an Excel 2007 one, so none is stored with the _xlfn. prefix.
    assert "_xlfn." not in xml and "MAX(IF(" in xml


def test_dashboard_has_four_charts_and_start_links(
    example_path: Path, book: openpyxl.Workbook
) -> None:
    with zipfile.ZipFile(example_path) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4
    start = sheet(book, "start")
    targets = {c.hyperlink.location for row in start.iter_rows() for c in row if c.hyperlink}
    assert len(targets) >= 9


def test_every_formula_cell_has_a_cached_value(example_path: Path) -> None:
    checked = 0
    with zipfile.ZipFile(example_path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = zf.read(name).decode()
                for body in re.findall(r"<c [^>]*?(?:/>|>(.*?)</c>)", xml, re.S):
                    if "<f" in body:
                        assert re.search(r"<v>[^<]*</v>|<v/>", body), body[:200]
                        checked += 1
    assert checked > 2000
