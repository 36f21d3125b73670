"""``xlmplan language``: switch an existing plan to another language.

Two steps, each through the package layer so nothing a user added is lost:

1. Relabel: the labels in the input Tables (headers, setting names, scenario names and the
   values picked from drop-down lists) are rewritten in the new language; xlmplan's sheets
   are renamed (a sheet the user renamed keeps its name) and every formula, defined name,
   chart series, validation and hyperlink that cites them follows; the sheets are set right
   to left (Arabic, Persian) or left to right.
2. Refresh in the new language: every derived cell, format, list and chart is laid out
   afresh, exactly as ``refresh`` does.

Both steps go to a scratch copy; the plan itself is replaced once, atomically.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from xlmplan.core.formula_refs import rename_sheets
from xlmplan.core.inputs import TableCells
from xlmplan.core.labels import Labels, languages, load_labels
from xlmplan.core.relabel import Edit, Translator, relabel_edits
from xlmplan.core.template import plan_catalog, templates_root
from xlmplan.errors import WorkbookError, XlmplanError
from xlmplan.refresh import RefreshResult, picked_label, plan_language, refresh_plan
from xlmplan.sheets.analysis import PICK_CELL
from xlmplan.sheets.book import ROLES
from xlmplan.xlsx.package import Package, open_package, xml_bytes
from xlmplan.xlsx.package_write import check_writable, write_package
from xlmplan.xlsx.plan_file import PlanFile, input_tables, open_plan
from xlmplan.xlsx.plan_lock import naming, plan_lock, scratch_name
from xlmplan.xlsx.splice import Q, SheetXml, text_cell

_FORMULA_TAGS = {"f", "formula", "formula1", "formula2", "calculatedColumnFormula"}
_FORMULA_HINTS = (b"<f", b":f>", b"<formula", b"location=", b"<x14:formula", b"Formula")


@dataclass
class LanguageResult:
    path: Path
    old: str
    new: str
    written: bool
    backup: Path | None
    renamed: dict[str, str] = field(default_factory=dict)  # old sheet name -> new
    relabelled: int = 0  # input cells whose label changed
    refresh: RefreshResult | None = None


def pack(lang: str) -> Labels:
    folder = templates_root() / "labels"
    if lang not in languages(folder):
        raise XlmplanError(
            f"unknown language '{lang}' — use one of: {', '.join(languages(folder))}"
        )
    return load_labels(folder, lang)


def switch_language(path: Path, lang: str, *, backup: bool = True) -> LanguageResult:
    """Switch the plan at ``path`` to ``lang`` (en, ar, fa); what a user typed stays."""
    path = Path(path)
    new = pack(lang)
    check_writable(path)
    with plan_lock(path), naming(path, path.parent):
        return _switch(path, new, backup)


def _switch(path: Path, new: Labels, backup: bool) -> LanguageResult:
    pf = open_plan(path)
    scratch = scratch_name(path)
    try:
        old, _, old_catalog = plan_language(pf)
        if old.lang == new.lang:
            return LanguageResult(path, old.lang, new.lang, False, None)
        translate = Translator(old, new, old_catalog, plan_catalog(new))
        tables = input_tables(pf)
        tables["data"] = _data_header(pf)
        edits = relabel_edits(tables, translate, new.lang)
        picked = picked_label(pf)
        if translate(picked, "metric") != picked:
            sheet = pf.sheets["analysis"].name
            edits.append(Edit(sheet, *PICK_CELL, translate(picked, "metric")))
        renames = _renames(pf, old, new)
        parts = _relabelled_parts(pf, edits, renames, new.rtl)
        write_package(pf.pkg, scratch, replace=parts, backup=False)
    finally:
        pf.close()
    try:
        refreshed = refresh_plan(scratch, backup=False, lang=new.lang)
        with open_package(scratch) as done:
            made = write_package(done, path, replace={}, backup=backup)
    finally:
        scratch.unlink(missing_ok=True)
    return LanguageResult(
        path, old.lang, new.lang, True, made, renames, sum(not e.header for e in edits), refreshed
    )


def _data_header(pf: PlanFile) -> TableCells:
    info = pf.table("data")
    header = pf.cells(info.sheet)[info.r1][info.c1 : info.c2 + 1]
    return TableCells(info.sheet.name, info.r1, info.c1, [str(v) for v in header], [])


def _renames(pf: PlanFile, old: Labels, new: Labels) -> dict[str, str]:
    """xlmplan's sheets still under their default name -> the new language's name."""
    renames: dict[str, str] = {}
    for role in ROLES:
        if role not in pf.sheets:
            continue  # a sheet the plan's version did not have: the refresh adds it
        current = pf.sheets[role].name
        if current.casefold() == old[f"sheet.{role}"].casefold():
            target = new[f"sheet.{role}"]
            if target != current:
                renames[current] = target
    taken = {s.name.casefold() for s in pf.pkg.sheets()} - {k.casefold() for k in renames}
    for current, target in renames.items():
        if target.casefold() in taken:
            raise WorkbookError(
                f"{pf.path}: a sheet named '{target}' already exists, and the plan's sheet "
                f"'{current}' needs that name — rename your sheet and try again"
            )
    return renames


def _relabelled_parts(
    pf: PlanFile, edits: list[Edit], renames: dict[str, str], rtl: bool
) -> dict[str, bytes]:
    pkg = pf.pkg
    by_sheet: dict[str, list[Edit]] = defaultdict(list)
    for edit in edits:
        by_sheet[edit.sheet].append(edit)
    plan_parts = {ref.part for ref in pf.sheets.values()}
    out: dict[str, bytes] = {}
    for sheet in pkg.sheets():
        raw = pkg.read(sheet.part)
        cites = bool(renames) and any(h in raw for h in _FORMULA_HINTS)
        if not (cites or by_sheet.get(sheet.name) or sheet.part in plan_parts):
            continue
        xml = SheetXml(raw)
        for edit in by_sheet.get(sheet.name, []):
            pos = (edit.row, edit.col)
            old = xml.cells.get(pos)
            style = old.get("s") if old is not None else None
            xml.put(pos, text_cell(str(edit.value), style), None)
        if cites:
            _rename_in(xml.root, renames)
        if sheet.part in plan_parts:
            _direction(xml.root, rtl)
        out[sheet.part] = xml.finish()
    out.update(_table_headers(pf, edits))
    if renames:
        out.update(_renamed_elsewhere(pkg, renames))
    return {part: data for part, data in out.items() if data != pkg.read(part)}


def _rename_in(root: etree._Element, renames: dict[str, str]) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in _FORMULA_TAGS and el.text:
            el.text = rename_sheets(el.text, renames)
        elif local == "hyperlink" and el.get("location"):
            el.set("location", rename_sheets(el.get("location", ""), renames))
        elif local == "worksheetSource" and el.get("sheet") in renames:
            el.set("sheet", renames[el.get("sheet", "")])


def _direction(root: etree._Element, rtl: bool) -> None:
    for view in root.iter(Q + "sheetView"):
        if rtl:
            view.set("rightToLeft", "1")
        elif "rightToLeft" in view.attrib:
            del view.attrib["rightToLeft"]


def _table_headers(pf: PlanFile, edits: list[Edit]) -> dict[str, bytes]:
    """Table parts whose column names follow their relabelled header cells."""
    out: dict[str, bytes] = {}
    for info in pf.tables.values():
        mine = [e for e in edits if e.header and e.sheet == info.sheet.name and e.row == info.r1]
        if not mine:
            continue
        root = pf.pkg.xml(info.part)
        columns = root.find(Q + "tableColumns")
        if columns is None:
            continue
        listed = list(columns.iterchildren(Q + "tableColumn"))
        for e in mine:
            j = e.col - info.c1
            if 0 <= j < len(listed):
                listed[j].set("name", str(e.value))
        out[info.part] = xml_bytes(root)
    return out


def _renamed_elsewhere(pkg: Package, renames: dict[str, str]) -> dict[str, bytes]:
    """workbook.xml (sheet names, defined names), charts, tables and pivot caches."""
    out: dict[str, bytes] = {}
    root = pkg.xml(pkg.workbook_part)
    for sheet in root.iterfind(f"{Q}sheets/{Q}sheet"):
        name = sheet.get("name", "")
        if name in renames:
            sheet.set("name", renames[name])
    for dn in root.iter(Q + "definedName"):
        if dn.text:
            dn.text = rename_sheets(dn.text, renames)
    out[pkg.workbook_part] = xml_bytes(root)
    for name in pkg.names():
        if not name.endswith(".xml") or not name.startswith(
            ("xl/charts/", "xl/tables/", "xl/pivotCache/", "xl/pivotTables/")
        ):
            continue
        raw = pkg.read(name)
        if not any(h in raw for h in _FORMULA_HINTS + (b"worksheetSource",)):
            continue
        part = pkg.xml(name)
        _rename_in(part, renames)
        out[name] = xml_bytes(part)
    app = "docProps/app.xml"
    if app in pkg.names():
        part = pkg.xml(app)
        for el in part.iter("{*}lpstr"):
            if el.text in renames:
                el.text = renames[el.text]
        out[app] = xml_bytes(part)
    return out
