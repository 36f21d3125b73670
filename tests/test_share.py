"""``xlmplan share``: an email-ready copy with no macros, no links, no add-in functions and
a correct cached value in every formula cell."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from tests.engines import NEEDS_LO, cached_values, compare, is_error
from xlmplan.api import PlanResult
from xlmplan.cli import app
from xlmplan.errors import XlmplanError
from xlmplan.libreoffice import runner
from xlmplan.share import share_plan
from xlmplan.xlsx.package import open_package
from xlmplan.xlsx.package_write import write_package

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
TODAY = dt.date(2026, 11, 23)

# Cells a user typed on the Dashboard of a macro-enabled plan opened without the add-in.
TYPED = {
    "B60": ('[1]!XLM_ATTAINMENT(120,100,"higher")', "e", "#NAME?"),
    "B61": ("_xll.XLM_STATUS(0.95,0.9)", "e", "#NAME?"),
    "B62": ("[1]Sheet1!A1*2", None, "10"),
    "B63": ('"XLM_STATUS(" & "text"', "str", "XLM_STATUS(text"),
}


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def macro_plan(source: Path, target: Path) -> None:
    """``source`` as a macro-enabled plan with a VBA project, a link to the add-in file and
    cells typed with add-in functions and an external reference."""
    with open_package(source) as pkg:
        book_rels = pkg.xml("xl/_rels/workbook.xml.rels")
        for rid, kind, where in (
            (
                "rIdVba",
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                "vbaProject.bin",
            ),
            ("rIdExt", f"{REL}/externalLink", "externalLinks/externalLink1.xml"),
        ):
            etree.SubElement(book_rels, PKG_REL, Id=rid, Type=kind, Target=where)
        book = pkg.xml("xl/workbook.xml")
        refs = etree.Element(MAIN + "externalReferences")
        etree.SubElement(refs, MAIN + "externalReference", {f"{{{REL}}}id": "rIdExt"})
        book.find(MAIN + "sheets").addnext(refs)
        types = pkg.xml("[Content_Types].xml")
        for el in types:
            if el.get("PartName") == "/xl/workbook.xml":
                el.set("ContentType", MACRO_MAIN)
        etree.SubElement(
            types,
            CT + "Default",
            Extension="bin",
            ContentType="application/vnd.ms-office.vbaProject",
        )
        etree.SubElement(
            types,
            CT + "Override",
            PartName="/xl/externalLinks/externalLink1.xml",
            ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
        )
        dashboard = next(s for s in pkg.sheets() if s.name == "Dashboard")
        sheet = pkg.xml(dashboard.part)
        data = sheet.find(MAIN + "sheetData")
        for ref, (formula, kind, cached) in TYPED.items():
            row = etree.SubElement(data, MAIN + "row", r=ref[1:])
            cell = etree.SubElement(row, MAIN + "c", r=ref)
            if kind:
                cell.set("t", kind)
            etree.SubElement(cell, MAIN + "f").text = formula
            etree.SubElement(cell, MAIN + "v").text = cached
        link = (
            f'<externalLink xmlns="{MAIN[1:-1]}" xmlns:r="{REL}"><externalBook r:id="rId1">'
            '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
        )
        link_rels = (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/externalLinkPath" '
            'Target="file:///C:/addins/xlmplan.xlam" TargetMode="External"/></Relationships>'
        )
        write_package(
            pkg,
            target,
            replace={
                "xl/_rels/workbook.xml.rels": _xml(book_rels),
                "xl/workbook.xml": _xml(book),
                "[Content_Types].xml": _xml(types),
                dashboard.part: _xml(sheet),
            },
            add={
                "xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
                "xl/externalLinks/externalLink1.xml": link.encode(),
                "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
            },
            backup=False,
        )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def shared(example_plan: PlanResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("share")
    source = folder / "plan.xlsm"
    macro_plan(example_plan.path, source)
    before = digest(source)
    out = folder / "plan-shared.xlsx"
    result = share_plan(source, out, today=TODAY)
    frozen = share_plan(source, folder / "plan-values.xlsx", values_only=True, today=TODAY)
    return {"source": source, "before": before, "result": result, "values": frozen}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def formula_cells(path: Path) -> dict[str, list[etree._Element]]:
    out = {}
    for name, data in parts(path).items():
        if name.startswith("xl/worksheets/sheet"):
            root = etree.fromstring(data)
            out[name] = [c for c in root.iter(MAIN + "c") if c.find(MAIN + "f") is not None]
    return out


def test_the_copy_has_no_macros_links_or_add_in_calls(shared: dict) -> None:
    source, result = shared["source"], shared["result"]
    assert digest(source) == shared["before"]  # the plan itself is never written
    names = set(parts(result.out))
    assert "xl/vbaProject.bin" in parts(source) and not any("vba" in n.lower() for n in names)
    assert not any(n.startswith("xl/externalLinks/") for n in names)
    content = parts(result.out)
    assert MACRO_MAIN.encode() not in content["[Content_Types].xml"]
    assert b"externalReferences" not in content["xl/workbook.xml"]
    assert b"vbaProject" not in content["xl/_rels/workbook.xml.rels"]
    for name, data in content.items():
        if name.startswith("xl/worksheets/"):
            text = data.decode()
            formulas = re.findall(r"<f[^>]*>([^<]*)</f>", text)
            assert not [f for f in formulas if "XLM_" in f.replace('"XLM_STATUS("', "")], name
            assert not [f for f in formulas if re.search(r"\[\d+\]", f)], name
    assert sorted(result.removed) == ["external links", "macros"]
    assert sorted(result.udf_cells) == ["Dashboard!B60", "Dashboard!B61"]
    assert result.frozen == ["Dashboard!B62"] and result.uncached == []


def test_every_formula_cell_has_a_cached_value(shared: dict) -> None:
    cells = formula_cells(shared["result"].out)
    assert sum(len(v) for v in cells.values()) > 2000
    missing = [c.get("r") for v in cells.values() for c in v if c.find(MAIN + "v") is None]
    assert not missing, missing[:10]
    dashboard = CalamineWorkbook.from_path(str(shared["result"].out)).get_sheet_by_name("Dashboard")
    rows = dashboard.to_python(skip_empty_area=False)
    assert rows[59][1] == pytest.approx(1.2)  # XLM_ATTAINMENT(120,100,"higher")
    assert rows[60][1] == "Amber"
    assert rows[61][1] == 10  # frozen: it cited another workbook
    assert rows[62][1] == "XLM_STATUS(text"  # text that merely looks like a call


def test_readers_get_the_numbers_xlmplan_computed(shared: dict, example_plan: PlanResult) -> None:
    out = shared["result"].out
    frame = pd.read_excel(out, sheet_name="Strategy_KPI", header=3, engine="calamine")
    actual_col = [c for c in frame.columns if str(c) == "Actual"][0]
    expected = [k.actual for k in example_plan.results.kpis]
    got = frame[actual_col].iloc[: len(expected)].tolist()
    assert got == pytest.approx(expected, rel=1e-9)
    for values_out in (out, shared["values"].out):
        start = CalamineWorkbook.from_path(str(values_out)).get_sheet_by_name("Start")
        flat = [v for row in start.to_python() for v in row]
        stamp = [v for v in flat if isinstance(v, str) and v.startswith("2026-11-23 · ")]
        assert stamp == [f"2026-11-23 · plan health: {shared['result'].health}"]
    # A Red KPI makes the health "Needs attention" (before any budget or Amber test).
    assert "Red" in [k.status for k in example_plan.results.kpis]
    assert shared["result"].health == "Needs attention"


def test_inputs_unlocked_and_derived_cells_protected(shared: dict) -> None:
    content = parts(shared["result"].out)
    styles = etree.fromstring(content["xl/styles.xml"])
    xfs = list(styles.find(MAIN + "cellXfs"))
    protected = {}
    with open_package(shared["result"].out) as pkg:
        for sheet in pkg.sheets():
            root = pkg.xml(sheet.part)
            protected[sheet.name] = root.find(MAIN + "sheetProtection") is not None
            if sheet.name == "Start":
                cells = {c.get("r"): c for c in root.iter(MAIN + "c")}
                lock = {ref: _locked(xfs, cells[ref]) for ref in ("B5", "B6", "F5", "F6")}
                assert lock == {"B5": False, "B6": False, "F5": True, "F6": True}
    assert protected.pop("Data") is False  # the recipient may still paste data
    assert all(protected.values()), protected


def _locked(xfs: list[etree._Element], cell: etree._Element) -> bool:
    """Settings (B) are inputs, the plan at a glance (F) is derived."""
    prot = xfs[int(cell.get("s", "0"))].find(MAIN + "protection")
    return prot is None or prot.get("locked") != "0"


def test_values_only_freezes_every_formula(shared: dict) -> None:
    frozen = shared["values"].out
    assert not any(formula_cells(frozen).values())
    plain = cached_values(shared["result"].out)
    book = CalamineWorkbook.from_path(str(frozen))
    checked = 0
    for sheet, cells in plain.items():
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for ref, value in cells.items():
            col = ord(ref[0]) - 65 if ref[1].isdigit() else None
            if col is None:
                continue  # two-letter columns: covered by the one-letter ones
            got = rows[int(ref[1:]) - 1][col]
            if isinstance(got, dt.datetime):
                got = got.date()
            if isinstance(got, dt.date):
                got = (got - dt.date(1899, 12, 30)).days
            if isinstance(value, float):
                assert float(got) == pytest.approx(value, rel=1e-12, abs=1e-12), (sheet, ref)
                checked += 1
    assert checked > 1000
    workbook = parts(frozen)["xl/workbook.xml"]
    assert b'readOnlyRecommended="1"' in workbook and b'lockStructure="1"' in workbook
    with open_package(frozen) as pkg:
        for sheet in pkg.sheets():
            prot = pkg.xml(sheet.part).find(MAIN + "sheetProtection")
            assert prot is not None and prot.get("selectUnlockedCells") == "1", sheet.name


@NEEDS_LO
def test_libreoffice_agrees_with_every_cached_value(shared: dict, libreoffice: None) -> None:
    out = shared["result"].out
    cached = cached_values(out)
    errors = [f"{s}!{a}: {v}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    recalculated = runner.recalculate(out)
    mismatches = compare(cached, recalculated.values, expected_label="cached")
    assert not mismatches, mismatches[:20]
    assert recalculated.values["Dashboard"]["B60"] == pytest.approx(1.2)


def test_refuses_to_overwrite_the_source(example_plan: PlanResult, tmp_path: Path) -> None:
    source = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, source)
    before = digest(source)
    with pytest.raises(XlmplanError, match="is the plan itself"):
        share_plan(source, source)
    with pytest.raises(XlmplanError, match="ending in .xlsx"):
        share_plan(source, tmp_path / "copy.xlsm")
    runner_ = CliRunner()
    result = runner_.invoke(app, ["share", str(source), "-o", str(source)])
    assert result.exit_code == 2 and "is the plan itself" in result.output
    assert "Traceback" not in result.output
    assert digest(source) == before
    ok = runner_.invoke(app, ["share", str(source), "-o", str(tmp_path / "copy.xlsx")])
    assert ok.exit_code == 0, ok.output
    copy = tmp_path / "copy.xlsx"
    size = f"{copy.stat().st_size / 1024:,.0f} KB"
    assert " ".join(ok.output.split()) == (
        f"Wrote the email-ready copy {copy} ({size}, plan health: Needs attention)"
    )
    start = CalamineWorkbook.from_path(str(copy)).get_sheet_by_name("Start").to_python()
    stamp = f"{dt.date.today().isoformat()} · plan health: Needs attention"
    assert stamp in [v for row in start for v in row]
    again = runner_.invoke(app, ["share", str(source), "-o", str(tmp_path / "copy.xlsx")])
    assert again.exit_code == 2 and "--force" in again.output


def test_values_only_drops_the_calculation_chain(example_plan: PlanResult, tmp_path: Path) -> None:
    """A plan Excel saved after its refresh carries a calcChain; frozen formulas must not
    leave one naming cells that have none (Excel would repair the file)."""
    from xlmplan.refresh import refresh_plan

    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    refresh_plan(plan, backup=False)
    assert not refresh_plan(plan, backup=False).written
    saved = tmp_path / "saved.xlsx"
    with open_package(plan) as pkg:
        rels = pkg.xml("xl/_rels/workbook.xml.rels")
        etree.SubElement(
            rels, PKG_REL, Id="rIdCalc", Type=f"{REL}/calcChain", Target="calcChain.xml"
        )
        types = pkg.xml("[Content_Types].xml")
        etree.SubElement(
            types,
            CT + "Override",
            PartName="/xl/calcChain.xml",
            ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
        )
        chain = f'<calcChain xmlns="{MAIN[1:-1]}"><c r="F5" i="1"/></calcChain>'
        write_package(
            pkg,
            saved,
            replace={"xl/_rels/workbook.xml.rels": _xml(rels), "[Content_Types].xml": _xml(types)},
            add={"xl/calcChain.xml": chain.encode()},
            backup=False,
        )
    frozen = share_plan(saved, tmp_path / "values.xlsx", values_only=True).out
    content = parts(frozen)
    assert "xl/calcChain.xml" not in content
    assert b"calcChain" not in content["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in content["[Content_Types].xml"]
    assert "xl/calcChain.xml" in parts(share_plan(saved, tmp_path / "live.xlsx").out)


def test_the_copy_leaves_the_refresh_record_out(example_plan: PlanResult, tmp_path: Path) -> None:
    """The command line's refresh keeps a record in the plan (Data as parsed, each part's
    CRC); a shared copy is read, not refreshed, so it carries neither the part nor its
    content type."""
    from xlmplan.xlsx.refresh_record import PART

    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    done = CliRunner().invoke(app, ["refresh", str(plan), "--no-backup"])
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(plan) as z:
        assert PART in z.namelist()  # the source has one: the copy must drop it
    out = share_plan(plan, tmp_path / "copy.xlsx").out
    with zipfile.ZipFile(out) as z:
        assert PART not in z.namelist()
        assert PART not in z.read("[Content_Types].xml").decode()
