"""Refresh of a plan made by an earlier version of xlmplan: a sheet whose role the plan's
manifest never listed is added (in book order, named in the plan's language) and the
output says so; a sheet the manifest lists but the user deleted stays an error."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from lxml import etree
from xlsx_audit import openxml_errors, structure_problems

from xlmplan.api import PlanResult
from xlmplan.errors import WorkbookError
from xlmplan.refresh import check_plan, refresh_plan
from xlmplan.xlsx.plan_file import open_plan
from xlmplan.xlsx.splice import SheetXml

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
Q = f"{{{NS}}}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def sheet_names(path: Path) -> list[str]:
    book = etree.fromstring(parts(path)["xl/workbook.xml"])
    return [s.get("name", "") for s in book.iterfind(f"{Q}sheets/{Q}sheet")]


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> worksheet part."""
    files = parts(path)
    book = etree.fromstring(files["xl/workbook.xml"])
    rels = etree.fromstring(files["xl/_rels/workbook.xml.rels"])
    target = {r.get("Id"): "xl/" + r.get("Target", "") for r in rels}
    return {s.get("name", ""): target[s.get(R_ID)] for s in book.iterfind(f"{Q}sheets/{Q}sheet")}


def without_role(src: Path, dst: Path, role: str) -> str:
    """``src`` as a version of xlmplan without ``role`` would have written it: the role's
    sheet, its rows in the manifest and its anchor name gone. Returns the sheet's name."""
    with _Open(src) as pf:
        ref = pf.sheets[role]
        manifest_part = pf.sheets["manifest"].part
        gone = [ref.part, *pf.pkg.tables(ref.part)]
    files = parts(src)
    book = etree.fromstring(files["xl/workbook.xml"])
    entries = list(book.iterfind(f"{Q}sheets/{Q}sheet"))
    index = next(i for i, s in enumerate(entries) if s.get("name") == ref.name)
    entries[index].getparent().remove(entries[index])
    for dn in list(book.iter(Q + "definedName")):
        local = dn.get("localSheetId")
        if dn.get("name") == f"xlm_{role}" or local == str(index):
            dn.getparent().remove(dn)
        elif local is not None and int(local) > index:
            dn.set("localSheetId", str(int(local) - 1))
    files["xl/workbook.xml"] = etree.tostring(book, xml_declaration=True, standalone=True)
    rels = etree.fromstring(files["xl/_rels/workbook.xml.rels"])
    for rel in list(rels):
        if rel.get("Id") == ref.rid:
            rels.remove(rel)
    files["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True)
    types = etree.fromstring(files["[Content_Types].xml"])
    for over in list(types):
        if over.get("PartName", "").lstrip("/") in gone:
            types.remove(over)
    files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True)
    for part in gone:
        del files[part]
    files.pop(ref.part.replace("worksheets/", "worksheets/_rels/") + ".rels", None)
    manifest = SheetXml(files[manifest_part])
    keys = {f"{kind}.{role}" for kind in ("sheet", "owned", "formulas", "cf", "dv")}
    strings = _shared(files)
    rows: dict[int, list[str]] = {}
    for (r, c), cell in manifest.cells.items():
        rows.setdefault(r, ["", ""])[c] = _text(cell, strings) if c < 2 else ""
    for r, (key, value) in rows.items():
        if key in keys or (key.startswith("table.") and value == f"{role}|{ref.name}"):
            manifest.remove((r, 0))
            manifest.remove((r, 1))
    files[manifest_part] = manifest.finish()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return ref.name


class _Open:
    def __init__(self, path: Path) -> None:
        self.pf = open_plan(path)

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.pf

    def __exit__(self, *exc: object) -> None:
        self.pf.close()


def _shared(files: dict[str, bytes]) -> list[str]:
    if "xl/sharedStrings.xml" not in files:
        return []
    root = etree.fromstring(files["xl/sharedStrings.xml"])
    return ["".join(t.text or "" for t in si.iter(Q + "t")) for si in root]


def _text(cell: etree._Element, strings: list[str]) -> str:
    if cell.get("t") == "s":
        return strings[int(cell.findtext(Q + "v") or "0")]
    return "".join(t.text or "" for t in cell.iter(Q + "t"))


def _cells(path: Path, part: str) -> dict[tuple[int, int], bytes]:
    xml = SheetXml(parts(path)[part])
    return {pos: etree.tostring(cell) for pos, cell in xml.cells.items()}


@pytest.fixture
def older(example_plan: PlanResult, tmp_path: Path) -> tuple[Path, str]:
    """The example plan as a version without the Checks sheet wrote it."""
    path = tmp_path / "older.xlsx"
    name = without_role(example_plan.path, path, "checks")
    return path, name


def test_a_role_the_plan_never_had_is_added_in_book_order(
    example_plan: PlanResult, older: tuple[Path, str]
) -> None:
    path, name = older
    assert name not in sheet_names(path)
    before = {n: _cells(path, p) for n, p in sheet_parts(path).items()}
    result = refresh_plan(path)
    assert result.analysis.added == {"checks": name}
    assert sheet_names(path) == sheet_names(example_plan.path)
    after = sheet_parts(path)
    for sheet, cells in before.items():  # every cell of every other sheet is still there
        kept = _cells(path, after[sheet])
        assert set(cells) <= set(kept), sheet
    checks = _cells(path, after[name])
    assert checks.keys() == _cells(example_plan.path, sheet_parts(example_plan.path)[name]).keys()
    with _Open(path) as pf:
        assert pf.added == []
        assert pf.manifest["sheet.checks"] == name
    assert structure_problems(path) == []
    assert refresh_plan(path).written is False  # the second refresh finds it all in place


def test_check_of_an_older_plan_reads_without_the_new_sheet(older: tuple[Path, str]) -> None:
    path, _ = older
    before = path.read_bytes()
    result = check_plan(path)
    assert result.analysis.added == {"checks": older[1]}
    assert path.read_bytes() == before


def with_user_sheet(src: Path, dst: Path, name: str) -> None:
    """``src`` with an empty sheet of the user's named ``name``, last in the book."""
    files = parts(src)
    part = "xl/worksheets/sheet99.xml"
    files[part] = f'<worksheet xmlns="{NS}"><sheetData/></worksheet>'.encode()
    rels = etree.fromstring(files["xl/_rels/workbook.xml.rels"])
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    etree.SubElement(rels, PKG + "Relationship", Id="rId99", Type=kind, Target=part[3:])
    files["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True)
    types = etree.fromstring(files["[Content_Types].xml"])
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    etree.SubElement(types, types[0].tag.replace("Default", "Override"), PartName="/" + part)
    types[-1].set("ContentType", ct)
    files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True)
    book = etree.fromstring(files["xl/workbook.xml"])
    sheets = book.find(Q + "sheets")
    entry = etree.SubElement(sheets, Q + "sheet", name=name, sheetId="99")
    entry.set(R_ID, "rId99")
    files["xl/workbook.xml"] = etree.tostring(book, xml_declaration=True, standalone=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for part_name, data in files.items():
            zf.writestr(part_name, data)


def test_the_added_sheet_takes_a_free_name(
    example_plan: PlanResult, older: tuple[Path, str], tmp_path: Path
) -> None:
    path, name = older
    mine = tmp_path / "mine.xlsx"
    with_user_sheet(path, mine, name.upper())  # the user's own sheet took the name
    result = refresh_plan(mine)
    assert result.analysis.added == {"checks": f"{name} (2)"}
    names = sheet_names(mine)
    assert names[-1] == name.upper()
    expected = [f"{n} (2)" if n == name else n for n in sheet_names(example_plan.path)]
    assert names[:-1] == expected  # in its place in the book order
    assert structure_problems(mine) == []


def test_a_sheet_the_user_deleted_stays_an_error(example_plan: PlanResult, tmp_path: Path) -> None:
    """The manifest lists the role (and its anchor name stays): the sheet was the plan's."""
    deleted = tmp_path / "user-deleted.xlsx"
    files = parts(example_plan.path)
    book = etree.fromstring(files["xl/workbook.xml"])
    entries = list(book.iterfind(f"{Q}sheets/{Q}sheet"))
    index = next(i for i, s in enumerate(entries) if s.get("name") == "Checks")
    entries[index].getparent().remove(entries[index])
    for dn in book.iter(Q + "definedName"):
        local = dn.get("localSheetId")
        if local is not None and int(local) > index:
            dn.set("localSheetId", str(int(local) - 1))
    files["xl/workbook.xml"] = etree.tostring(book, xml_declaration=True, standalone=True)
    with zipfile.ZipFile(deleted, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in files.items():
            zf.writestr(part, data)
    with pytest.raises(WorkbookError, match="the plan's 'Checks' sheet is missing"):
        refresh_plan(deleted)


def test_the_refresh_command_says_which_sheet_it_added(older: tuple[Path, str]) -> None:
    from typer.testing import CliRunner

    from xlmplan import __version__
    from xlmplan.cli import app

    path, name = older
    result = CliRunner().invoke(app, ["refresh", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Added the sheet '{name}': new in xlmplan {__version__}" in result.output


# --- the plan the previous version wrote, edited in LibreOffice ---------------------------


def _owned(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Sheet part -> the cells the plan's manifest gives xlmplan."""
    from xlmplan.sheets.cellrefs import expand

    with _Open(path) as pf:
        return {
            ref.part: expand(pf.manifest.get(f"owned.{role}", ""))
            if role != "manifest"
            else {pos for pos in SheetXml(pf.pkg.read(ref.part)).cells}
            for role, ref in pf.sheets.items()
            if role != "data"
        }


def _new_roles() -> set[str]:
    """The roles this version has that 0.1.0 did not."""
    from previous_plan import FIXTURE

    from xlmplan.sheets.book import ROLES

    with _Open(FIXTURE) as pf:
        return {role for role in ROLES if f"sheet.{role}" not in pf.manifest}


def test_refresh_of_the_previous_versions_plan_keeps_every_user_cell(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    from previous_plan import FIXTURE, USER_CELLS

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    owned = _owned(path)
    before = {part: _cells(path, part) for part in sheet_parts(path).values()}
    files_before = parts(path)
    result = refresh_plan(path)
    assert set(result.analysis.added) == _new_roles()
    expected = [*sheet_names(example_plan.path), "My notes"]
    assert sheet_names(path) == expected  # each added sheet in its place
    assert result.analysis.restored == []  # no formula was typed over: none reported
    assert not [f for f in result.analysis.findings if "restored" in f.message.lower()]
    after = sheet_parts(path)
    for name, part in after.items():
        if part not in before:
            continue
        kept = _cells(path, part)
        for pos, cell in before[part].items():
            if pos not in owned.get(part, set()):
                assert kept.get(pos) == cell, f"{name}!{pos}"
    files_after = parts(path)
    mine = _user_parts(FIXTURE)
    assert len(mine) >= 6  # the notes sheet, its drawing, chart and image, the comment
    for part in mine:
        assert files_after[part] == files_before[part], part
    values = _values(path)
    for sheet, cell, value in USER_CELLS:
        shown = values[(sheet, cell)]
        assert shown == value or (isinstance(value, str) and value.startswith("=")), (sheet, cell)
    assert structure_problems(path) == []


def _user_parts(path: Path) -> set[str]:
    """The parts of the user's own sheets and everything they relate to, and comments."""
    from xlmplan.xlsx.package import open_package

    with _Open(path) as pf:
        plan_parts = {ref.part for ref in pf.sheets.values()}
    with open_package(path) as pkg:
        todo = [s.part for s in pkg.sheets() if s.part not in plan_parts]
        todo += [n for n in pkg.names() if n.startswith(("xl/comments", "xl/drawings/vml"))]
        seen: set[str] = set()
        while todo:
            part = todo.pop()
            if part in seen:
                continue
            seen.add(part)
            todo += [rel.target for rel in pkg.relationships(part) if not rel.external]
    return seen


def _values(path: Path) -> dict[tuple[str, str], object]:
    from python_calamine import CalamineWorkbook

    from xlmplan.sheets.layout import a1

    out: dict[tuple[str, str], object] = {}
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        for r, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False)):
            for c, value in enumerate(row):
                if value != "":
                    out[(name, a1(r, c))] = value
    return out


# --- owned cells whose layout moved between versions --------------------------------------


def _relaid_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """A later layout of Analysis: its title and note (texts) become formulas, and a new
    derived column appears right of everything the sheet had."""
    from xlmplan.sheets import analysis
    from xlmplan.sheets.layout import Cell

    build = analysis.build

    def relaid(ctx):  # type: ignore[no-untyped-def]
        sheet = build(ctx)
        for pos in ((0, 0), (1, 0)):
            cell = sheet.cells[pos]
            quoted = '"' + str(cell.value).replace('"', '""') + '"'
            sheet.cells[pos] = Cell(cell.value, quoted, cell.style)
        style = next(c.style for c in sheet.cells.values() if c.style.startswith("derived"))
        sheet.formula(5, 25, "1+1", 2, style)
        return sheet

    monkeypatch.setattr(analysis, "build", relaid)


def _edit_cell(path: Path, sheet: str, pos: tuple[int, int], xml: str) -> None:
    files = parts(path)
    part = sheet_parts(path)[sheet]
    target = SheetXml(files[part])
    target.put(pos, etree.fromstring(xml.replace("<c ", f'<c xmlns="{NS}" ', 1)), None)
    files[part] = target.finish()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def test_a_previous_versions_labels_where_formulas_go_now_are_not_typed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 0.1.0 plan has no record of its formula cells: its texts are taken for its own
    labels, and a number where a formula was is still reported."""
    from previous_plan import FIXTURE

    from xlmplan.refresh import layout_notes

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    _edit_cell(path, "Objectives", (4, 18), '<c r="S5"><v>99</v></c>')  # typed over SUM()
    _relaid_analysis(monkeypatch)
    result = refresh_plan(path)
    assert result.analysis.restored == ["Objectives!S5"]
    assert result.analysis.moved["analysis"] == ("A1:U29", "A1:Z29")
    assert "scenarios" not in result.analysis.moved  # rows it grew by are not a new layout
    notes = layout_notes(result.analysis)
    line = next(n for n in notes if n.startswith("Laid out 'Analysis' as xlmplan"))
    assert "now span A1:Z29 (were A1:U29 in 0.1.0)" in line
    xml = SheetXml(parts(path)[sheet_parts(path)["Analysis"]])
    assert xml.has_formula((0, 0)) and xml.has_formula((5, 25))
    assert _values(path)[("Analysis", "X2")] == 42  # the user's own cells stay


def test_the_manifest_records_formula_cells_so_a_moved_label_is_never_typed_over(
    example_plan: PlanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    with _Open(path) as pf:
        recorded = pf.manifest["formulas.analysis"]
        assert pf.manifest["formulas.objectives"]
    from xlmplan.sheets.cellrefs import expand

    assert (0, 0) not in expand(recorded)
    _edit_cell(path, "Objectives", (4, 18), '<c r="S5" t="inlineStr"><is><t>done</t></is></c>')
    _relaid_analysis(monkeypatch)
    result = refresh_plan(path)
    assert result.analysis.restored == ["Objectives!S5"]  # text over a recorded formula
    assert result.analysis.moved == {}  # the same version laid it out: no note
    with _Open(path) as pf:
        assert (0, 0) in expand(pf.manifest["formulas.analysis"])


# --- widths, panes and charts follow the new layout ---------------------------------------


def _cols(path: Path, sheet: str) -> dict[int, float]:
    root = etree.fromstring(parts(path)[sheet_parts(path)[sheet]])
    return {
        c: float(col.get("width", "0"))
        for col in root.iter(Q + "col")
        for c in range(int(col.get("min", "0")), int(col.get("max", "0")) + 1)
    }


def test_a_sheet_laid_out_anew_takes_the_new_widths_and_panes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from previous_plan import FIXTURE

    from xlmplan.sheets import analysis

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    part = sheet_parts(path)["Analysis"]
    files = parts(path)
    files[part] = files[part].replace(b"</cols>", b'<col min="31" max="31" width="40"/></cols>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    old_widths = _cols(path, "Analysis")
    _relaid_analysis(monkeypatch)
    build = analysis.build

    def wider(ctx):  # type: ignore[no-untyped-def]
        sheet = build(ctx)
        sheet.width(0, 44.0)  # the new layout's first column is wider
        sheet.freeze = (6, 2)
        return sheet

    monkeypatch.setattr(analysis, "build", wider)
    refresh_plan(path)
    widths = _cols(path, "Analysis")
    assert widths[1] != old_widths[1] and abs(widths[1] - 44.0) < 1
    assert widths[31] == 40  # the user's own column right of the layout keeps its width
    root = etree.fromstring(parts(path)[sheet_parts(path)["Analysis"]])
    pane = root.find(f"{Q}sheetViews/{Q}sheetView/{Q}pane")
    assert pane is not None and pane.get("topLeftCell") == "C7"
    assert structure_problems(path) == []


def _one_more_chart(monkeypatch: pytest.MonkeyPatch, *, new_column: bool) -> list[int]:
    """A later Dashboard with one chart more (and, when ``new_column``, a new column);
    the returned list receives the rows its charts are anchored at."""
    import copy

    from xlmplan.sheets import dashboard

    build = dashboard.build
    rows: list[int] = []

    def more(ctx, months):  # type: ignore[no-untyped-def]
        sheet = build(ctx, months)
        extra = copy.deepcopy(sheet.charts[0])
        extra.title = "Fifth chart"
        extra.anchor = (max(c.anchor[0] for c in sheet.charts) + 20, 0)
        sheet.charts.append(extra)
        if new_column:
            for chart in sheet.charts:
                chart.anchor = (chart.anchor[0] + 3, chart.anchor[1])
            style = next(c.style for c in sheet.cells.values() if c.style.startswith("derived"))
            sheet.formula(2, 20, "1+1", 2, style)
        rows[:] = [chart.anchor[0] for chart in sheet.charts]
        return sheet

    monkeypatch.setattr(dashboard, "build", more)
    return rows


def _anchors(path: Path) -> list[tuple[int, str]]:
    """(from row, chart part) of each chart on the Dashboard's drawing."""
    from xlmplan.xlsx.package import open_package

    out = []
    with open_package(path) as pkg:
        sheet = sheet_parts(path)["Dashboard"]
        drawing = next(r.target for r in pkg.relationships(sheet) if r.type.endswith("/drawing"))
        rels = pkg.rels(drawing)
        for anchor in pkg.xml(drawing):
            chart = next(anchor.iter("{*}chart"), None)
            if chart is not None:
                row = int(anchor.findtext("{*}from/{*}row") or "-1")
                out.append((row, rels[chart.get(R_ID.replace("id", "id"))][1]))
    return out


@pytest.mark.parametrize("new_column", [False, True], ids=["added", "moved-and-added"])
def test_a_chart_of_the_new_layout_is_added_and_charts_move_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_column: bool
) -> None:
    from previous_plan import FIXTURE

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    before = _anchors(path)
    mine = _user_parts(path)
    fresh = _one_more_chart(monkeypatch, new_column=new_column)
    result = refresh_plan(path)
    after = _anchors(path)
    assert len(after) > len(before)  # this version's charts, and the test's "Fifth chart"
    n = len(before)
    assert [part for _, part in after[:n]] == [part for _, part in before]
    # A sheet laid out anew moves the plan's charts to the fresh anchors; else they stay.
    assert [row for row, _ in after[:n]] == (
        fresh[:n] if new_column else [row for row, _ in before]
    )
    assert ("dashboard" in result.analysis.moved) is new_column
    assert b"Fifth chart" in parts(path)[after[-1][1]]
    assert not {part for _, part in after[n:]} & mine  # part names of their own
    for part in mine:
        assert parts(path)[part] == parts(FIXTURE)[part]
    assert structure_problems(path) == []
    again = refresh_plan(path)  # Checks loses the upgrade's one-off notes
    assert set(again.changed_parts) <= set(sheet_parts(path).values())
    assert refresh_plan(path).written is False


@NEEDS_LO
def test_the_refreshed_previous_plan_with_an_added_sheet_agrees_with_libreoffice(
    tmp_path: Path,
) -> None:
    """The 0.1.0 plan, also without its Checks sheet: refreshed, then recalculated by
    LibreOffice (which opens the added sheet and its names): no error cell, and every cached
    value equal to LibreOffice's."""
    from previous_plan import FIXTURE

    from xlmplan.libreoffice import runner

    path = tmp_path / "older.xlsx"
    name = without_role(FIXTURE, path, "checks")
    result = refresh_plan(path)
    assert set(result.analysis.added) == {"checks", *_new_roles()}
    assert result.analysis.added["checks"] == name
    assert set(openxml_errors(path)) <= set(openxml_errors(FIXTURE))  # LibreOffice's own
    cached = cached_values(path)
    recalculated = runner.recalculate(path)
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    assert name in recalculated.values
    mismatches = compare(
        cached, recalculated.values, expected_label="cached", actual_label="libreoffice"
    )
    assert not mismatches, "\n".join(mismatches[:20])


def test_an_added_sheet_with_an_input_table_is_read_and_sealed(
    example_plan: PlanResult, tmp_path: Path
) -> None:
    """A plan from before the Scenarios sheet: the sheet comes with its input Table (an id
    no other Table has), the next refresh reads that Table (nothing to write), and share
    protects the added sheet like xlmplan's others."""
    from xlmplan.share import share_plan

    path = tmp_path / "older.xlsx"
    name = without_role(example_plan.path, path, "scenarios")
    before = path.read_bytes()
    out = tmp_path / "copy.xlsx"
    share_plan(path, out)  # the copy of the plan as it is: refreshed, then sealed
    assert path.read_bytes() == before
    root = etree.fromstring(parts(out)[sheet_parts(out)[name]])
    assert root.find(Q + "sheetProtection") is not None
    assert structure_problems(out) == []
    assert refresh_plan(path).analysis.added == {"scenarios": name}
    ids = [
        etree.fromstring(data).get("id")
        for part, data in parts(path).items()
        if part.startswith("xl/tables/")
    ]
    assert len(ids) == len(set(ids))
    with _Open(path) as pf:
        assert pf.table("scenarios").sheet.name == name
    assert refresh_plan(path).written is False


def test_a_user_cell_where_the_new_layout_needs_room_stops_the_refresh(tmp_path: Path) -> None:
    """The 0.1.0 plan with the user's entry on a cell the new layout of a sheet owns and
    the old one did not: the refresh stops naming that cell, and the file stays as it was."""
    from previous_plan import FIXTURE

    from xlmplan.refresh import analyse
    from xlmplan.sheets.cellrefs import expand
    from xlmplan.sheets.layout import a1

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    an = analyse(path)
    try:
        needed = {
            an.pf.sheets[role].name: sorted(
                an.book.sheet(role).owned() - expand(an.pf.manifest[f"owned.{role}"])
            )
            for role in an.moved
        }
    finally:
        an.pf.close()
    name, cells = next((n, c) for n, c in needed.items() if c)  # a sheet that grew columns
    target = SheetXml(parts(path)[sheet_parts(path)[name]])
    free = next(pos for pos in cells if not target.has_content(pos))
    _edit_cell(path, name, free, f'<c r="{a1(*free)}"><v>7</v></c>')
    before = path.read_bytes()
    with pytest.raises(WorkbookError, match=rf"{name}!{a1(*free)} holds your own entry"):
        refresh_plan(path)
    assert path.read_bytes() == before


def test_the_notes_name_the_visible_sheets_laid_out_anew(tmp_path: Path) -> None:
    from previous_plan import FIXTURE

    from xlmplan.refresh import layout_notes

    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    an = refresh_plan(path).analysis
    notes = layout_notes(an)
    hidden = [an.pf.sheets[r].name for r in an.moved if an.pf.sheets[r].state != "visible"]
    shown = [an.pf.sheets[r].name for r in an.moved if an.pf.sheets[r].state == "visible"]
    assert hidden and shown  # Lists and Calc, and the visible ones
    assert all(any(f"'{name}'" in n for n in notes) for name in shown)
    assert not any(f"'{name}'" in n for name in hidden for n in notes)
    assert sum(n.startswith("Added the sheet") for n in notes) == len(an.added)
