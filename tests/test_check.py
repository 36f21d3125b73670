"""``xlmplan check`` and refresh's care for what users type: findings, exit codes, JSON,
restored formulas, entries in the way of a growing region, unreadable input cells."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from engines import cached_values, compare
from lxml import etree
from typer.testing import CliRunner

from xlmplan.api import PlanResult
from xlmplan.cli import app
from xlmplan.libreoffice import runner
from xlmplan.refresh import check_plan, refresh_plan

OBJECTIVES = "xl/worksheets/sheet5.xml"  # sheet order of a generated plan
KPIS = "xl/worksheets/sheet6.xml"


def edit_part(path: Path, part: str, edit: Callable[[str], str]) -> None:
    """Rewrite one part of a workbook (a stand-in for a user's edit in Excel)."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if info.filename == part:
                new = edit(data.decode("utf-8"))
                assert new != data.decode("utf-8"), "the edit changed nothing"
                data = new.encode("utf-8")
            zf.writestr(info, data)


def set_cell(xml: str, ref: str, cell: str) -> str:
    return re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, xml, count=1, flags=re.S)


@pytest.fixture()
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_clean_plan_exits_0_with_json(plan: Path) -> None:
    code, out = run("check", str(plan), "--json")
    assert code == 0, out
    payload = json.loads(out)
    assert payload["exit_code"] == 0 and payload["counts"]["error"] == 0
    scenarios = [f for f in payload["findings"] if f["where"].startswith("Scenarios K")]
    assert len(scenarios) == 8, "every KPI reports the scenario it is in"
    smart = [f for f in payload["findings"] if "SMART score" in f["message"]]
    assert smart, "SMART findings per objective"


def test_dangling_links_are_errors_exit_1(plan: Path) -> None:
    # Objective OB1 names KPI "K99", which does not exist.
    edit_part(
        plan,
        OBJECTIVES,
        lambda x: set_cell(x, "H5", '<c r="H5" t="inlineStr"><is><t>K99</t></is></c>'),
    )
    code, out = run("check", str(plan), "--json")
    assert code == 1, out
    errors = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert any("K99" in f["message"] for f in errors)
    assert any("out of date" in f["message"] for f in json.loads(out)["findings"])
    code, human = run("check", str(plan))
    assert code == 1 and "K99" in human


def test_error_value_in_a_formula_cell_is_reported(plan: Path) -> None:
    edit_part(
        plan,
        OBJECTIVES,
        lambda x: set_cell(x, "S5", '<c r="S5" t="e"><f>SUM(N5:R5)</f><v>#REF!</v></c>'),
    )
    result = check_plan(plan)
    assert any(f.where.endswith("!S5") and "#REF!" in f.message for f in result.findings)
    assert result.exit_code == 1


def test_refresh_restores_a_formula_typed_over(plan: Path) -> None:
    edit_part(plan, OBJECTIVES, lambda x: set_cell(x, "S5", '<c r="S5"><v>99</v></c>'))
    result = refresh_plan(plan)
    assert result.analysis.restored == ["Objectives!S5"]
    with zipfile.ZipFile(plan) as zf:
        xml = zf.read(OBJECTIVES).decode()
    assert re.search(r'<c r="S5"[^>]*><f>SUM\(N5:R5\)</f><v>5</v></c>', xml)
    assert any("restored" in f.message for f in check_plan(plan).findings) is False
    assert any(f.where == "Objectives!S5" for f in result.analysis.findings)


def test_entry_in_the_way_of_a_growing_region_refuses(plan: Path) -> None:
    # A new KPI row typed below the table, and the user's own note where its status goes.
    def edit(xml: str) -> str:
        row = (
            '<row r="13"><c r="A13" t="inlineStr"><is><t>K9</t></is></c>'
            '<c r="B13" t="inlineStr"><is><t>More clicks</t></is></c>'
            '<c r="C13" t="inlineStr"><is><t>Clicks</t></is></c>'
            '<c r="D13" t="inlineStr"><is><t>All</t></is></c><c r="E13"><v>1000</v></c>'
            '<c r="F13" t="inlineStr"><is><t>higher</t></is></c>'
            '<c r="J13" t="inlineStr"><is><t>my note</t></is></c></row>'
        )
        return xml.replace("</sheetData>", row + "</sheetData>")

    edit_part(plan, KPIS, edit)
    before = plan.read_bytes()
    code, out = run("refresh", str(plan))
    assert code == 2, out
    assert "Strategy_KPI!J13" in out and "move it" in out
    assert plan.read_bytes() == before


def test_unreadable_input_cell_is_a_finding_not_a_crash(plan: Path) -> None:
    edit_part(
        plan,
        OBJECTIVES,
        lambda x: set_cell(x, "J5", '<c r="J5" t="inlineStr"><is><t>lots</t></is></c>'),
    )
    result = refresh_plan(plan)
    found = [f for f in result.analysis.findings if f.where == "Objectives!J5"]
    assert found and "not a number" in found[0].message and found[0].severity == "error"
    with zipfile.ZipFile(plan) as zf:
        assert "<t>lots</t>" in zf.read(OBJECTIVES).decode(), "refresh changed an input cell"


def test_unreadable_plan_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    code, out = run("check", str(path))
    assert code == 2 and "notes.xlsx" in out and "Traceback" not in out


X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
DATA_BAR = (
    '<conditionalFormatting sqref="I5:I10"><cfRule type="dataBar" priority="99"><dataBar>'
    '<cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst>'
    f'<ext uri="{{B025F937-C7B1-47D3-B67F-A62EFF666E3E}}" xmlns:x14="{X14}">'
    "<x14:id>{00000000-0000-0000-0000-000000000001}</x14:id></ext></extLst></cfRule>"
    "</conditionalFormatting>"
)
EXT = (
    f'<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}">'
    '<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.'
    'microsoft.com/office/excel/2006/main"><x14:cfRule type="dataBar" id="{00000000-0000-'
    '0000-0000-000000000001}"><x14:dataBar minLength="0" maxLength="100"><x14:cfvo type="'
    'autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule><xm:sqref>I5:I10'
    "</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext>"
    f'<ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{X14}">'
    '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/>'
    "<x14:sparklines><x14:sparkline><xm:f>Objectives!I5:J5</xm:f><xm:sqref>AD5</xm:sqref>"
    "</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>"
    "</extLst>"
)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def wrap(fragment: str) -> etree._Element:
    return etree.fromstring(f'<worksheet xmlns="{MAIN}">{fragment}</worksheet>'.encode())


def canonical(el: etree._Element) -> bytes:
    """The element's canonical form (attribute and namespace order do not matter)."""
    return etree.tostring(etree.fromstring(etree.tostring(el)), method="c14n", exclusive=True)


def test_data_bars_and_sparklines_survive_a_growing_refresh(plan: Path) -> None:
    """A user's data bar and sparkline on an xlmplan sheet stay, byte for byte, even when
    the objectives Table grows and xlmplan re-lays its own formats on that sheet."""

    def edit(xml: str) -> str:
        row = (
            '<row r="11"><c r="A11" t="inlineStr"><is><t>OB7</t></is></c>'
            '<c r="G11" t="inlineStr"><is><t>Win more repeat customers this year</t></is></c>'
            "</row>"
        )
        xml = xml.replace("</sheetData>", row + "</sheetData>")
        xml = xml.replace("<dataValidations", DATA_BAR + "<dataValidations", 1)
        return xml.replace("</worksheet>", EXT + "</worksheet>")

    edit_part(plan, OBJECTIVES, edit)
    result = refresh_plan(plan)
    assert result.analysis.grown == {"tblObjectives": 1}
    with zipfile.ZipFile(plan) as zf:
        xml = zf.read(OBJECTIVES).decode()
    root = etree.fromstring(xml.encode())
    ext = root.find(f"{{{MAIN}}}extLst")
    assert ext is not None and canonical(ext) == canonical(wrap(EXT)[0]), "extLst changed"
    bars = [
        cf
        for cf in root.findall(f"{{{MAIN}}}conditionalFormatting")
        if canonical(cf) == canonical(wrap(DATA_BAR)[0])
    ]
    assert bars, "the user's data bar rule was removed or changed"
    assert 'sqref="S5:S11"' in xml or "S5:S11" in xml, "xlmplan's formats did not grow"
    assert refresh_plan(plan).written is False


def test_blank_row_inside_a_table_is_kept_and_not_reported(plan: Path) -> None:
    """Clearing a row in the middle of the objectives Table keeps the rows below aligned
    with their derived cells and raises no finding about the blank row."""

    def clear_row_6(xml: str) -> str:
        for col in "ABCDEFGHIJKL":
            xml = re.sub(rf'<c r="{col}6"[^>]*?(/>|>.*?</c>)', f'<c r="{col}6"/>', xml, flags=re.S)
        return xml

    edit_part(plan, OBJECTIVES, clear_row_6)
    result = refresh_plan(plan)
    plan_obj = result.analysis.plan.objectives
    assert plan_obj[1].id == "" and plan_obj[2].id == "OB3"
    assert not any(f.where.strip().endswith("Objectives") for f in result.analysis.findings)
    assert all(f.where != "Objectives " for f in result.analysis.findings)
    with zipfile.ZipFile(plan) as zf:
        xml = zf.read(OBJECTIVES).decode()
    assert re.search(r'<c r="S7"[^>]*><f>SUM\(N7:R7\)</f>', xml), "row 7 lost its SMART sum"
    if runner.available() or os.environ.get("CI") == "true":
        recalculated = runner.recalculate(plan)
        mismatches = compare(
            cached_values(plan), recalculated.values, expected_label="cached", actual_label="lo"
        )
        assert not mismatches, "\n".join(mismatches[:10])
