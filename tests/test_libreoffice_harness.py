"""The recalculation harness itself: LibreOffice runner, cached values, `formulas`, compare()."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from engines import cached_values, compare, formulas_values, is_error

from xlmplan.errors import XlmplanError
from xlmplan.libreoffice import convert, recalculate, render_sheet_png

CHANNELS = [("Search", 1200.0), ("Social", 800.0), ("Search", 300.0), ("Email", 0.0)]

# Cell -> value every correct engine must produce (cached values are written to match).
EXPECTED_PLAN: dict[str, object] = {
    "D2": 1500.0,  # SUMIFS over a range
    "D3": 800.0,
    "D4": 0.0,
    "E2": 0.6,  # IF(x=0,"",a/b) -> a/b
    "E4": "",  # IF(x=0,"",a/b) -> ""
    "F2": "Search: 1,500",  # text formula
}


def build_workbook(path: Path, wrong_d3: float | None = None) -> Path:
    """Small plan with SUMIFS, IF(..,"",a/b), a text formula and a #DIV/0! on a second sheet."""
    wb = xlsxwriter.Workbook(str(path))
    data = wb.add_worksheet("Data")
    data.write_row(0, 0, ["Channel", "Spend"])
    for r, (channel, spend) in enumerate(CHANNELS, start=1):
        data.write_row(r, 0, [channel, spend])
    plan = wb.add_worksheet("Plan")
    plan.write_row(0, 0, ["Channel", "Target", "", "Spend", "Share", "Label"])
    targets = {"Search": 2500.0, "Social": 800.0, "Email": 0.0}
    for r, (channel, target) in enumerate(targets.items(), start=2):
        spend = sum(s for c, s in CHANNELS if c == channel)
        cached = wrong_d3 if r == 3 and wrong_d3 is not None else spend
        plan.write(f"A{r}", channel)
        plan.write(f"B{r}", target)
        plan.write_formula(f"D{r}", f"=SUMIFS(Data!$B$2:$B$5,Data!$A$2:$A$5,A{r})", None, cached)
        share: object = "" if target == 0 else spend / target
        plan.write_formula(f"E{r}", f'=IF(B{r}=0,"",D{r}/B{r})', None, share)
    plan.write_formula("F2", '=A2&": "&TEXT(D2,"#,##0")', None, "Search: 1,500")
    checks = wb.add_worksheet("Checks")
    checks.write("A1", 0)
    checks.write_formula("B1", "=1/A1", None, "#DIV/0!")
    wb.close()
    return path


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("harness") / "harness.xlsx")


@pytest.fixture(scope="module")
def lo_values(libreoffice: None, workbook: Path, tmp_path_factory: pytest.TempPathFactory):
    stored = tmp_path_factory.mktemp("stored") / "recalculated.xlsx"
    result = recalculate(workbook, store=stored)
    return result, stored


def test_cached_values_read_formula_cells_only(workbook: Path) -> None:
    cached = cached_values(workbook)
    assert set(cached) == {"Data", "Plan", "Checks"}
    assert cached["Data"] == {}
    assert set(cached["Plan"]) == {"D2", "D3", "D4", "E2", "E3", "E4", "F2"}
    for ref, value in EXPECTED_PLAN.items():
        # XlsxWriter stores a cached "" as an empty <v>, which openpyxl reads as None.
        assert value == "" and cached["Plan"][ref] is None or cached["Plan"][ref] == value, ref
    assert cached["Checks"] == {"B1": "#DIV/0!"}


def test_formulas_package_agrees_with_cache(workbook: Path) -> None:
    evaluated = formulas_values(workbook)
    assert evaluated["Plan"]["E4"] == ""
    assert evaluated["Checks"]["B1"] == "#DIV/0!"
    mismatches = compare(
        cached_values(workbook), evaluated, actual_label="formulas", allow_errors=True
    )
    assert mismatches == []


def test_libreoffice_recalculates(lo_values) -> None:
    result, stored = lo_values
    assert result.formula_count == 8
    assert set(result.values) == {"Data", "Plan", "Checks"}
    for ref, value in EXPECTED_PLAN.items():
        assert result.values["Plan"][ref] == pytest.approx(value), ref
    assert result.values["Checks"] == {"B1": "#DIV/0!"}
    assert 0 <= result.seconds_load <= result.seconds_total
    assert 0 <= result.seconds_calc <= result.seconds_total
    assert stored.is_file()
    assert cached_values(stored)["Plan"]["D2"] == 1500.0


def test_compare_cached_vs_libreoffice(workbook: Path, lo_values) -> None:
    result, _ = lo_values
    cached = cached_values(workbook)
    assert compare(cached, result.values, allow_errors=True) == []
    # By default any error marker in the recalculated values is a mismatch.
    assert compare(cached, result.values) == [
        "Checks!B1: cached '#DIV/0!' vs libreoffice error #DIV/0!"
    ]


def test_compare_flags_wrong_cached_value(tmp_path: Path, lo_values) -> None:
    result, _ = lo_values
    wrong = cached_values(build_workbook(tmp_path / "wrong.xlsx", wrong_d3=799.0))
    assert compare(wrong, result.values, allow_errors=True) == [
        "Plan!D3: cached 799.0 vs libreoffice 800.0"
    ]


def test_compare_rules() -> None:
    assert compare({"S": {"A1": ""}}, {"S": {"A1": None}}) == []
    assert compare({"S": {"A1": 1.0}}, {"S": {"A1": 1.0 + 1e-12}}) == []
    assert compare({"S": {"A1": True}}, {"S": {"A1": 1.0}}) == []
    assert compare({"S": {"A1": "1"}}, {"S": {"A1": 1.0}}) == [
        "S!A1: cached '1' vs libreoffice 1.0"
    ]
    assert compare({"S": {"A1": 1.0}}, {"S": {}}) == ["S!A1: cached 1.0, missing in libreoffice"]
    assert is_error("#ERR522") and is_error("#N/A") and not is_error("#hashtag")


def test_render_sheet_png(libreoffice: None, workbook: Path, tmp_path: Path) -> None:
    png = render_sheet_png(workbook, "Plan", tmp_path / "plan.png", width_px=800)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(head[16:20], "big")
    assert 0 < width <= 800


def test_errors_are_one_line(libreoffice: None, tmp_path: Path) -> None:
    with pytest.raises(XlmplanError, match="not found"):
        recalculate(tmp_path / "missing.xlsx")
    workbook = build_workbook(tmp_path / "w.xlsx")
    with pytest.raises(XlmplanError, match="no sheet named 'Nope'"):
        render_sheet_png(workbook, "Nope", tmp_path / "x.png")
    with pytest.raises(XlmplanError, match="timed out after 0.2s"):
        recalculate(workbook, timeout=0.2)
    assert not list(tmp_path.glob(".~lock*")), "LibreOffice lock file left next to the input"


def test_convert_to_pdf(libreoffice: None, workbook: Path, tmp_path: Path) -> None:
    pdf = convert(workbook, tmp_path / "out", "pdf")
    assert pdf == tmp_path / "out" / "harness.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
