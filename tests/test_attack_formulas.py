"""Hostile names and files against xlmplan's formulas and copies.

Channel, campaign, SWOT and KPI texts with wildcards (``* ? ~``) or a leading comparison
operator (``< > =``) must be matched literally by every formula, and the cached values
must equal LibreOffice's full recalculation.
"""

from __future__ import annotations

import posixpath
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from engines import NEEDS_LO, cached_values, compare, is_error
from lxml import etree
from openxml_audit import OpenXmlValidator
from typer.testing import CliRunner

from xlmplan.api import PlanResult, new_plan
from xlmplan.cli import app
from xlmplan.core import rules
from xlmplan.core.template import BUNDLED
from xlmplan.libreoffice import runner
from xlmplan.share import share_plan
from xlmplan.xlsx.package import open_package, xml_bytes
from xlmplan.xlsx.package_write import write_package
from xlmplan.xlsx.workbook_order import CT_WORKBOOK, workbook_child

HOSTILE = ["*", "Paid*", "a?c", "~x", "<10", ">=5", "=Social", "قناة*", "کانال؟"]
# Names a wildcard or operator reading would confuse with the hostile ones.
PLAIN = ["Paid Search", "abc", "x", "Social", "قناة عربية", "5"]


def _python_match(criterion: str, values: list[str]) -> list[bool]:
    return [rules.same_text(criterion, v) for v in values]


@NEEDS_LO
def test_literal_criterion_matches_text_itself_in_libreoffice(tmp_path: Path) -> None:
    """SUMIFS, COUNTIFS and SUMIF with ``literal_criterion_xl`` against ``same_text``."""
    names = HOSTILE + PLAIN + ["PAID*"]
    weights = [2.0**i for i in range(len(names))]
    path = tmp_path / "criteria.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    for i, (name, w) in enumerate(zip(names, weights, strict=True)):
        ws.write_string(i + 1, 0, name)
        ws.write_number(i + 1, 1, w)
    last = len(names) + 1
    expected: dict[str, float] = {}
    for i, name in enumerate(names):
        r = i + 1
        crit = rules.literal_criterion_xl(f"D{r + 1}")
        ws.write_string(r, 3, name)
        hits = _python_match(name, names)
        total = sum(w for w, hit in zip(weights, hits, strict=True) if hit)
        cells = {
            "E": (f"=SUMIFS($B$2:$B${last},$A$2:$A${last},{crit})", total),
            "F": (f"=COUNTIFS($A$2:$A${last},{crit})", float(sum(hits))),
            "G": (f"=SUMIF($A$2:$A${last},{crit},$B$2:$B${last})", total),
        }
        for col, (formula, value) in cells.items():
            ws.write_formula(f"{col}{r + 1}", formula, None, value)
            expected[f"{col}{r + 1}"] = value
    wb.close()
    got = runner.recalculate(path).values["S"]
    wrong = {ref: (v, got.get(ref)) for ref, v in expected.items() if got.get(ref) != v}
    assert not wrong, wrong
    assert expected["F2"] == 1.0 and expected["E3"] == weights[1] + weights[-1]  # Paid*, PAID*


def _hostile_data(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channels = [*HOSTILE, *PLAIN[:5]]
    days = pd.date_range("2026-01-01", "2026-03-31", freq="D")
    rows = []
    for day in days:
        for c, channel in enumerate(channels):
            if (day.day + c) % 3:
                continue
            sessions = int(rng.integers(50, 500))
            clicks = int(sessions * 0.8)
            rows.append(
                {
                    "date": day.date().isoformat(),
                    "channel": channel,
                    "campaign": f"{channels[-1 - c]} {c}" if c % 2 else channels[-1 - c],
                    "impressions": clicks * 20,
                    "clicks": clicks,
                    "sessions": sessions,
                    "conversions": int(sessions * 0.03),
                    "revenue": round(float(rng.uniform(100, 5000)), 2),
                    "spend": round(float(rng.uniform(0, 900)), 2) if c % 4 else 0.0,
                    "new_customers": int(rng.integers(0, 20)),
                }
            )
    return pd.DataFrame(rows)


_EXTRA_KPIS = "".join(
    f'\n[[kpis]]\nid = "KX{i}"\nname = "Sessions {i}"\nmetric = "Sessions"\n'
    f'channel = "{name}"\ntarget_factor = 1.1\ndirection = "higher"\n'
    for i, name in enumerate(HOSTILE)
)
# A KPI whose metric a MATCH would read as a wildcard ("Sess*" is no metric, yet matches
# "Sessions"), and an objective naming a KPI id that is a wildcard ("K?" is no KPI).
_EXTRA_KPIS += (
    '\n[[kpis]]\nid = "KM"\nname = "Wildcard metric"\nmetric = "Sess*"\nchannel = "All"\n'
    'target_factor = 1.1\ndirection = "higher"\n'
)
_EXTRA_OBJECTIVE = (
    '\n[[objectives]]\nid = "OB?"\nlevel = "Secondary"\nparent = "OB*"\nhorizon = "Short"\n'
    'kind = "Quantitative"\nrace = "Act"\nobjective = "Lift sessions by a tenth this year"\n'
    'kpi = "K?"\ngrowth = 0.10\ndeadline_month = 3\nsubstantiation = "S*"\n'
)
# A SWOT id a SEARCH would read as a wildcard ("S*" matches "S1"), cited by no objective.
_EXTRA_SWOT = (
    '\n[[swot]]\nid = "S*"\ntype = "S"\narea = "Brand"\nfactor = "Wildcard id"\n'
    'evidence = "none"\nimpact = 2\ncertainty = 2\n'
)


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    folder = tmp_path_factory.mktemp("hostile")
    root = folder / "templates"
    shutil.copytree(BUNDLED, root)
    template = root / "templates" / "online_shop.toml"
    text = template.read_text(encoding="utf-8")
    first_swot = text.index("[[swot]]")
    text = text[:first_swot] + _EXTRA_SWOT.lstrip("\n") + "\n" + text[first_swot:]
    first_strategy = text.index("[[strategies]]")
    text = text[:first_strategy] + _EXTRA_OBJECTIVE.lstrip("\n") + "\n" + text[first_strategy:]
    template.write_text(text + _EXTRA_KPIS, encoding="utf-8")
    csv = folder / "hostile.csv"
    _hostile_data().to_csv(csv, index=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLMPLAN_TEMPLATES", str(root))
        return new_plan(folder / "plan.xlsx", data=csv, start="2026-01", months=3)


@NEEDS_LO
def test_hostile_names_cached_values_equal_libreoffice(hostile_plan: PlanResult) -> None:
    plan, res, data = hostile_plan.plan, hostile_plan.results, _hostile_data()
    assert set(HOSTILE) <= set(plan.channels) and {k.channel for k in plan.kpis} >= set(HOSTILE)
    for name in ("*", "Paid*", "<10", "=Social", "~x"):  # the engine matches names literally
        literal = float(data.loc[data["channel"] == name, "sessions"].sum())
        assert res.channel_sums[plan.channels.index(name)]["sessions"] == literal
    assert "Wildcard id" not in res.objective_rows[0]["substantiation"]
    cached = cached_values(hostile_plan.path)
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    recalculated = runner.recalculate(hostile_plan.path).values
    mismatches = compare(cached, recalculated)
    assert not mismatches, f"{len(mismatches)} cells differ:\n" + "\n".join(mismatches[:30])


# --- share: nothing live is left in the copy ---------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN = f"{{{MAIN_NS}}}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
LIVE_PARTS = {
    "xl/connections.xml": (
        f'<connections xmlns="{MAIN_NS}"><connection id="1" name="Prices" type="4" '
        'refreshedVersion="6" background="1" refreshOnLoad="1" saveData="1">'
        '<webPr sourceData="1" parsePre="1" consecutive="1" xl2000="1" '
        'url="http://prices.example/list"/></connection></connections>'
    ),
    "xl/queryTables/queryTable1.xml": (
        f'<queryTable xmlns="{MAIN_NS}" name="Prices" connectionId="1" autoFormatId="16" '
        'applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="1" '
        'applyPatternFormats="1" applyAlignmentFormats="0" applyWidthHeightFormats="1"/>'
    ),
    "xl/activeX/activeX1.xml": (
        '<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        f'xmlns:r="{R_NS}" ax:classid="{{D7053240-CE69-11CD-A777-00DD01143C57}}" '
        'ax:persistence="persistStreamInit" r:id="rId1"/>'
    ),
    "xl/activeX/_rels/activeX1.xml.rels": (
        f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
        'Type="http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary" '
        'Target="activeX1.bin"/></Relationships>'
    ),
}
LIVE_BINARIES = {
    "xl/activeX/activeX1.bin": b"\x10\x00\x00\x00CommandButton1",
    "xl/embeddings/oleObject1.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
}
CONTENT_TYPES = {
    "/xl/connections.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml"
    ),
    "/xl/queryTables/queryTable1.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml"
    ),
    "/xl/activeX/activeX1.xml": "application/vnd.ms-office.activeX+xml",
    "/xl/activeX/activeX1.bin": "application/vnd.ms-office.activeX",
}
# Add-in calls outside cells: a defined name, a conditional format and a validation.
UDF_NAME = ("myStatus", 'XLM_STATUS(0.95,0.9)&""')
UDF_CF = 'XLM_ATTAINMENT(120,100,"higher")>1'
UDF_DV = 'XLM_STATUS(B71,0.9)<>""'


def live_plan(source: Path, target: Path) -> None:
    """``source`` with a refresh-on-open web query, an ActiveX control, an OLE object and
    add-in calls in a name, a conditional format and a validation, all on the Dashboard."""
    with open_package(source) as pkg:
        dash = next(s for s in pkg.sheets() if s.name == "Dashboard")
        book = pkg.xml("xl/workbook.xml")
        names = book.find(MAIN + "definedNames")
        etree.SubElement(names, MAIN + "definedName", name=UDF_NAME[0]).text = UDF_NAME[1]
        book_rels = pkg.xml("xl/_rels/workbook.xml.rels")
        etree.SubElement(
            book_rels,
            f"{{{PKG_NS}}}Relationship",
            Id="rIdConn",
            Type=f"{R_NS}/connections",
            Target="connections.xml",
        )
        rels_name = dash.part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        sheet_rels = pkg.xml(rels_name)
        for rid, kind, where in (
            ("rIdQt", f"{R_NS}/queryTable", "../queryTables/queryTable1.xml"),
            ("rIdAx", f"{R_NS}/control", "../activeX/activeX1.xml"),
            ("rIdOle", f"{R_NS}/oleObject", "../embeddings/oleObject1.bin"),
        ):
            etree.SubElement(
                sheet_rels, f"{{{PKG_NS}}}Relationship", Id=rid, Type=kind, Target=where
            )
        sheet = pkg.xml(dash.part)
        ole = etree.fromstring(
            f'<oleObjects xmlns="{MAIN_NS}" xmlns:r="{R_NS}"><oleObject progId="Package" '
            'shapeId="1026" r:id="rIdOle"/></oleObjects>'
        )
        controls = etree.fromstring(
            f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x14">'
            f'<controls xmlns="{MAIN_NS}" xmlns:r="{R_NS}"><control shapeId="1025" r:id="rIdAx" '
            'name="CommandButton1"/></controls></mc:Choice></mc:AlternateContent>'
        )
        cf = etree.fromstring(
            f'<conditionalFormatting xmlns="{MAIN_NS}" sqref="B70"><cfRule type="expression" '
            f'dxfId="0" priority="99"><formula>{UDF_CF.replace(">", "&gt;")}</formula></cfRule>'
            "</conditionalFormatting>"
        )
        dv = etree.fromstring(
            f'<dataValidations xmlns="{MAIN_NS}" count="1"><dataValidation type="custom" '
            f'sqref="B71"><formula1>{UDF_DV.replace("<", "&lt;").replace(">", "&gt;")}'
            "</formula1></dataValidation></dataValidations>"
        )
        assert sheet.find(MAIN + "dataValidations") is None
        anchor = sheet.find(MAIN + "pageMargins")
        anchor.addprevious(cf)
        anchor.addprevious(dv)
        tail = sheet.find(MAIN + "tableParts")
        if tail is None:
            tail = sheet.find(MAIN + "extLst")
        for el in (ole, controls):
            if tail is not None:
                tail.addprevious(el)
            else:
                sheet.append(el)
        types = pkg.xml("[Content_Types].xml")
        for part, kind in CONTENT_TYPES.items():
            etree.SubElement(types, CT + "Override", PartName=part, ContentType=kind)
        etree.SubElement(
            types,
            CT + "Default",
            Extension="bin",
            ContentType="application/vnd.openxmlformats-officedocument.oleObject",
        )
        write_package(
            pkg,
            target,
            replace={
                "xl/workbook.xml": xml_bytes(book),
                "xl/_rels/workbook.xml.rels": xml_bytes(book_rels),
                rels_name: xml_bytes(sheet_rels),
                dash.part: xml_bytes(sheet),
                "[Content_Types].xml": xml_bytes(types),
            },
            add={**{k: v.encode() for k, v in LIVE_PARTS.items()}, **LIVE_BINARIES},
            backup=False,
        )


def _package_problems(path: Path) -> list[str]:
    """Dangling relationships and content types, and leftovers of live content."""
    problems = []
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for name in sorted(names):
            if name.startswith(("xl/activeX/", "xl/embeddings/", "xl/queryTables/")) or name in (
                "xl/connections.xml",
            ):
                problems.append(f"part {name} kept")
            if name.endswith(".rels"):
                folder = posixpath.dirname(posixpath.dirname(name))
                for rel in etree.fromstring(zf.read(name)):
                    target = rel.get("Target", "")
                    if rel.get("TargetMode") == "External":
                        continue
                    part = posixpath.normpath(
                        target[1:] if target.startswith("/") else posixpath.join(folder, target)
                    )
                    if part not in names:
                        problems.append(f"{name}: {rel.get('Id')} -> missing {part}")
            if name.startswith("xl/worksheets/sheet"):
                text = zf.read(name).decode()
                for tag in ("<controls", "<oleObjects", "<oleObject", "<control "):
                    if tag in text:
                        problems.append(f"{name}: {tag} kept")
        for el in etree.fromstring(zf.read("[Content_Types].xml")):
            part = el.get("PartName", "").lstrip("/")
            if part and part not in names:
                problems.append(f"content type for missing {part}")
        if "XLM_" in zf.read("xl/workbook.xml").decode():
            problems.append("add-in call kept in a defined name")
    return problems


@pytest.fixture(scope="module")
def live_shared(example_plan: PlanResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("live")
    source = folder / "plan.xlsx"
    live_plan(example_plan.path, source)
    before = source.read_bytes()
    result = share_plan(source, folder / "shared.xlsx")
    values = share_plan(source, folder / "values.xlsx", values_only=True)
    return {"source": source, "before": before, "result": result, "values": values}


@pytest.mark.parametrize("copy", ["result", "values"])
def test_share_removes_connections_activex_ole_and_add_in_calls(
    live_shared: dict, copy: str
) -> None:
    problems = _package_problems(live_shared["source"])  # the source has each kind
    assert {"part xl/connections.xml kept", "add-in call kept in a defined name"} <= set(problems)
    assert any("<controls" in p for p in problems) and any("<oleObjects" in p for p in problems)
    result = live_shared[copy]
    assert _package_problems(result.out) == []
    assert {"ActiveX controls", "embedded objects", "external connections"} <= set(result.removed)
    assert live_shared["source"].read_bytes() == live_shared["before"]


def test_add_in_calls_in_names_formats_and_validations_become_twins(live_shared: dict) -> None:
    result = live_shared["result"]
    where = " | ".join(result.udf_cells)
    assert "name myStatus" in where
    assert "Dashboard!B70 (conditional format)" in where
    assert "Dashboard!B71 (validation)" in where
    with zipfile.ZipFile(result.out) as zf:
        sheets = "".join(
            zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
        )
        book = zf.read("xl/workbook.xml").decode()
    assert "XLM_" not in sheets and 'name="myStatus"' in book


@NEEDS_LO
def test_libreoffice_opens_the_cleaned_copy(live_shared: dict) -> None:
    out = live_shared["result"].out
    assert _package_problems(out) == []
    recalculated = runner.recalculate(out)
    mismatches = compare(cached_values(out), recalculated.values)
    assert not mismatches, mismatches[:20]


def test_cli_lists_what_share_removed(live_shared: dict, tmp_path: Path) -> None:

    out = tmp_path / "copy.xlsx"
    done = CliRunner().invoke(app, ["share", str(live_shared["source"]), "-o", str(out)])
    assert done.exit_code == 0, done.output
    line = " ".join(done.output.split())
    assert "removed ActiveX controls, embedded objects, external connections" in line


# --- share --pdf: the PDF never replaces a file it was not asked to -------------------------


def _cli_refusal(args: list[str], watched: list[Path]) -> str:
    """Run the CLI, expect exit code 2 and one line, and the watched files untouched."""
    before = {p: p.read_bytes() if p.exists() else None for p in watched}
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2, done.output
    lines = [line for line in done.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.output, done.output
    for p, data in before.items():
        assert (p.read_bytes() if p.exists() else None) == data, p
    return lines[0]


def test_share_pdf_refuses_an_existing_pdf_without_force(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    old_pdf = tmp_path / "copy.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 someone's report")
    copy = tmp_path / "copy.xlsx"
    line = _cli_refusal(["share", str(plan), "-o", str(copy), "--pdf"], [plan, old_pdf, copy])
    assert "copy.pdf already exists" in line and "--force" in line


def test_share_pdf_never_replaces_the_plan_named_like_it(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    """A plan saved as ``x.pdf``: ``-o x.xlsx --pdf`` would write the PDF over it."""
    plan = tmp_path / "x.pdf"
    shutil.copy(example_plan.path, plan)
    out = tmp_path / "x.xlsx"
    args = ["share", str(plan), "-o", str(out), "--pdf", "--force"]
    line = _cli_refusal(args, [plan, out])
    assert "x.pdf is the plan itself" in line


def test_share_pdf_never_replaces_the_plan_through_a_link(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    (tmp_path / "copy.pdf").symlink_to(plan)
    out = tmp_path / "copy.xlsx"
    args = ["share", str(plan), "-o", str(out), "--pdf", "--force"]
    line = _cli_refusal(args, [plan, out])
    assert "is the plan itself" in line


# --- workbook.xml: every element at its schema position --------------------------------------


def _workbook_children(path: Path) -> list[str]:

    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("xl/workbook.xml"))
    return [etree.QName(el).localname for el in root if isinstance(el.tag, str)]


def _in_schema_order(children: list[str]) -> bool:
    ranks = [CT_WORKBOOK.index(c) for c in children if c in CT_WORKBOOK]
    return ranks == sorted(ranks)


def test_workbook_child_inserts_at_the_schema_position() -> None:

    book = etree.fromstring(
        f'<workbook xmlns="{MAIN_NS}" xmlns:mc="{MC}"><fileVersion appName="xl"/>'
        "<workbookPr/><mc:AlternateContent/><bookViews/><sheets/><definedNames/>"
        "<extLst/></workbook>"
    )
    workbook_child(book, "calcPr").set("fullCalcOnLoad", "1")
    workbook_child(book, "workbookProtection").set("lockStructure", "1")
    workbook_child(book, "fileSharing").set("readOnlyRecommended", "1")
    assert workbook_child(book, "fileSharing").get("readOnlyRecommended") == "1"  # found again
    names = [etree.QName(el).localname for el in book]
    assert names == [
        "fileVersion",
        "fileSharing",
        "workbookPr",
        "AlternateContent",
        "workbookProtection",
        "bookViews",
        "sheets",
        "definedNames",
        "calcPr",
        "extLst",
    ]


@pytest.fixture(scope="module")
def values_only_copy(example_plan: PlanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("values")
    return share_plan(example_plan.path, folder / "values.xlsx", values_only=True).out


def test_values_only_workbook_is_in_schema_order(values_only_copy: Path) -> None:
    children = _workbook_children(values_only_copy)
    assert {"fileVersion", "fileSharing", "workbookProtection"} <= set(children)
    assert _in_schema_order(children), children


def test_values_only_copy_passes_openxml_audit(values_only_copy: Path) -> None:
    result = OpenXmlValidator(max_errors=50).validate(str(values_only_copy))
    assert result.is_valid, [str(e) for e in result.errors[:10]]


@NEEDS_LO
def test_values_only_locks_a_libreoffice_saved_plan(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    """LibreOffice saves an empty ``workbookProtection``: the copy must still lock the
    structure."""
    saved = tmp_path / "saved.xlsx"
    runner.recalculate(example_plan.path, store=saved)
    assert "workbookProtection" in _workbook_children(saved)
    out = share_plan(saved, tmp_path / "values.xlsx", values_only=True).out
    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("xl/workbook.xml"))
    locks = root.findall(MAIN + "workbookProtection")
    assert len(locks) == 1 and locks[0].get("lockStructure") == "1"
    assert _in_schema_order(_workbook_children(out))


# --- refresh after LibreOffice renamed and moved sheets: xlmplan's links and series names ----

LO_RENAME = {"Objectives": "Ziele 2026", "Scenarios": "Szenarien", "Dashboard": "Dash'board"}
USER_LINK = ("J30", "'SWOT'!B5")  # a link the user put on Start, outside xlmplan's cells
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def _sheet_part(path: Path, name: str) -> str:
    with open_package(path) as pkg:
        return next(s.part for s in pkg.sheets() if s.name == name)


def _links(path: Path) -> dict[str, dict[str, str]]:
    part = _sheet_part(path, "Start")
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read(part))
    return {h.get("ref", ""): dict(h.attrib) for h in root.iter(MAIN + "hyperlink")}


def _series_names(path: Path) -> list[list[str]]:
    """Per Dashboard chart, each series' name: the literal, or "ref:<formula>"."""
    with open_package(path) as pkg:
        from xlmplan.xlsx.sheet_formats import charts_of

        dash = next(s for s in pkg.sheets() if s.name in ("Dashboard", "Dash'board"))
        out = []
        for chart in charts_of(pkg, dash.part):
            names = []
            for tx in pkg.xml(chart).iter(f"{{{C_NS}}}ser"):
                literal = tx.find(f"{{{C_NS}}}tx/{{{C_NS}}}v")
                ref = tx.find(f"{{{C_NS}}}tx/{{{C_NS}}}strRef/{{{C_NS}}}f")
                names.append(literal.text if literal is not None else f"ref:{ref.text}")
            out.append(names)
        return out


def _add_user_link(path: Path) -> None:
    part = _sheet_part(path, "Start")
    with open_package(path) as pkg:
        root = pkg.xml(part)
        links = root.find(MAIN + "hyperlinks")
        etree.SubElement(links, MAIN + "hyperlink", ref=USER_LINK[0], location=USER_LINK[1])
        tmp = path.with_name("with-link.xlsx")
        write_package(pkg, tmp, replace={part: xml_bytes(root)}, backup=False)
    tmp.replace(path)


@pytest.fixture(scope="module")
def lo_renamed(libreoffice: None, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from lo_edit import edit_with_libreoffice

    from xlmplan.refresh import refresh_plan

    folder = tmp_path_factory.mktemp("lo-renamed")
    plan = new_plan(folder / "plan.xlsx").path
    edited = folder / "edited.xlsx"
    edit_with_libreoffice(plan, edited, rename=LO_RENAME, move=[("Dash'board", 0)], defaults=False)
    _add_user_link(edited)
    refreshed = folder / "refreshed.xlsx"
    shutil.copy(edited, refreshed)
    refresh_plan(refreshed, backup=False)
    second = refresh_plan(refreshed, backup=False)
    return {"plan": plan, "edited": edited, "refreshed": refreshed, "second": second}


def test_refresh_points_xlmplan_links_to_the_renamed_sheets(lo_renamed: dict) -> None:
    stale = _links(lo_renamed["edited"])  # LibreOffice kept the old sheet names
    assert any(h.get("location") == "'Objectives'!A1" for h in stale.values())
    links = _links(lo_renamed["refreshed"])
    locations = {h.get("location") for h in links.values()}
    for new in LO_RENAME.values():
        quoted = "'" + new.replace("'", "''") + "'!A1"
        assert quoted in locations
    for old in LO_RENAME:
        assert f"'{old}'!A1" not in locations
    assert links[USER_LINK[0]]["location"] == USER_LINK[1]  # the user's link stays


def test_refresh_gives_chart_series_their_names_back(lo_renamed: dict) -> None:
    edited = _series_names(lo_renamed["edited"])  # LibreOffice: a reference to Start!$A$1
    assert any(name.startswith("ref:") for names in edited for name in names)
    assert _series_names(lo_renamed["refreshed"]) == _series_names(lo_renamed["plan"])
    assert not lo_renamed["second"].written  # the repair holds: nothing left to change
