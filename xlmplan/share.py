"""``xlmplan share``: an email-ready copy of a plan for a reader with nothing installed.

The copy is made in three steps, each through the package layer:

1. Clean: macros, the file's own ribbon, links to other workbooks or add-ins, external
   connections, ActiveX controls and embedded objects go; a cell, defined name, conditional
   format or validation where a user typed an xlmplan function (a UDF of the add-in) gets
   its native-formula twin; a formula that cites another workbook is frozen to its value.
2. Refresh: every derived cell gets its correct cached value and Checks is written afresh.
3. Seal: xlmplan's sheets are protected (inputs stay editable, derived cells locked), the
   Start sheet is stamped with the date and the plan's health, and with ``values_only``
   every formula is frozen to its value and every sheet locked.

The source is never written; the copy is written atomically.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from xlmplan.core.catalog import Catalog
from xlmplan.core.engine import Words
from xlmplan.core.labels import Labels
from xlmplan.core.udf_twins import UdfContext, UdfError, rewrite_udfs, uses_udf
from xlmplan.core.udf_values import UNKNOWN, simple_call_value
from xlmplan.errors import XlmplanError
from xlmplan.refresh import Analysis, drop_calc_chain, drop_record, plan_language, refresh_plan
from xlmplan.sheets.cellrefs import parse_a1
from xlmplan.sheets.layout import a1
from xlmplan.sheets.print_setup import PrintTexts
from xlmplan.sheets.report import report_parts
from xlmplan.xlsx.macro_free import cites_other_workbook, macro_free_edits
from xlmplan.xlsx.package import Package, open_package, xml_bytes
from xlmplan.xlsx.package_write import check_writable, write_package
from xlmplan.xlsx.plan_file import PlanFile, open_plan
from xlmplan.xlsx.plan_lock import naming, plan_lock, scratch_name
from xlmplan.xlsx.splice import Q, SheetXml, text_cell
from xlmplan.xlsx.workbook_order import workbook_child

XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
_PROTECTION_AFTER = ("sheetData", "sheetCalcPr")


@dataclass
class ShareResult:
    source: Path
    out: Path
    size: int
    health: str
    removed: list[str] = field(default_factory=list)  # kinds of content taken out
    udf_cells: list[str] = field(default_factory=list)  # cells rewritten to native twins
    frozen: list[str] = field(default_factory=list)  # cells citing other workbooks, frozen
    uncached: list[str] = field(default_factory=list)  # UDF cells Excel computes on opening
    values_only: bool = False
    pdf: Path | None = None
    pdf_pages: int = 0


def share_plan(
    source: Path,
    out: Path,
    *,
    pdf: bool = False,
    values_only: bool = False,
    force: bool = False,
    today: dt.date | None = None,
) -> ShareResult:
    """Write an email-ready copy of ``source`` to ``out`` (and ``out``'s PDF with ``pdf``);
    ``out`` is locked while it is made."""
    source, out = Path(source), Path(out)
    with naming(source, out.parent):  # the scratch copy's problems are the plan's
        if not out.parent.is_dir():
            return _share(source, out, pdf, values_only, force, today)
        with plan_lock(out):
            return _share(source, out, pdf, values_only, force, today)


def _share(
    source: Path, out: Path, pdf: bool, values_only: bool, force: bool, today: dt.date | None
) -> ShareResult:
    _check_target(source, out, force)
    if pdf:
        _check_pdf_target(source, out.with_suffix(".pdf"), force)
    check_writable(out)
    scratch = scratch_name(out, ".xlsx")
    pf = open_plan(source)
    try:
        labels, words, catalog = plan_language(pf)
        udf_cells: list[str] = []

        def native(where: str, formula: str) -> str:
            """``formula`` with add-in calls replaced by their native twins."""
            if not uses_udf(formula):
                return formula
            try:
                text, _count = rewrite_udfs(formula, words, catalog)
            except UdfError as exc:
                raise UdfError(f"{where}: {exc} — fix the formula and share again") from None
            udf_cells.append(where)
            return text

        cleaning = macro_free_edits(pf.pkg, lambda name, text: native(f"name {name}", text))
        frozen: list[str] = []
        uncached: list[str] = []  # UDF cells whose value only a recalculation can give
        replace = dict(cleaning.replace)
        values = CellValues(pf)
        for sheet in pf.pkg.sheets():
            raw = replace.get(sheet.part) or pf.pkg.read(sheet.part)
            if b"<f" not in raw and b":f>" not in raw:
                continue
            xml = SheetXml(raw)
            rules_changed = _native_rules(xml.root, sheet.name, native)

            def lookup(name: str | None, cell: str, here: str = sheet.name) -> Any:
                return values.get(name or here, cell)

            cells_changed = _clean_formulas(
                xml, sheet.name, words, catalog, udf_cells, frozen, uncached, lookup, values.names
            )
            if cells_changed or rules_changed:
                replace[sheet.part] = xml.finish()
        write_package(pf.pkg, scratch, replace=replace, remove=cleaning.remove, backup=False)
    finally:
        pf.close()
    try:
        refreshed = refresh_plan(scratch, backup=False)
        an = refreshed.analysis
        with open_package(scratch) as pkg:
            health = _health(an)
            stamp = labels["share.stamp_value"].format(
                date=(today or dt.date.today()).isoformat(), health=health
            )
            sealed = _seal(pkg, an, labels, stamp, values_only, recalc=bool(uncached))
            # Frozen formulas leave a calculation chain naming cells that have none.
            remove = drop_calc_chain(pkg, sealed) if values_only else []
            remove += drop_record(pkg, sealed)  # the copy is read, not refreshed
            write_package(pkg, out, replace=sealed, remove=remove, backup=False)
    finally:
        scratch.unlink(missing_ok=True)
    result = ShareResult(
        source,
        out,
        out.stat().st_size,
        health,
        cleaning.removed_kinds,
        udf_cells,
        frozen,
        uncached,
        values_only,
    )
    if pdf:
        from xlmplan.libreoffice.pdf import export_pdf

        parts = report_parts(an.book, an.book.print_texts or PrintTexts("", "", ""))
        target = out.with_suffix(".pdf")
        _check_pdf_target(source, target, force)  # again: something may have appeared
        setups = {part.sheet: part.setup for part in parts}
        made = export_pdf(out, target, list(setups), setups=setups)
        result.pdf, result.pdf_pages = target, sum(made.pages.values())
    return result


class CellValues:
    """Cell values of a plan as its file caches them, by sheet and A1 address."""

    def __init__(self, pf: PlanFile) -> None:
        self.pf = pf
        self.by_name = {s.name.casefold(): s for s in pf.pkg.sheets()}

    def get(self, sheet: str, cell: str) -> Any:
        ref = self.by_name.get(sheet.casefold())
        if ref is None:
            return UNKNOWN
        r, c = parse_a1(cell)
        rows = self.pf.cells(ref)
        value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        return None if value == "" else value

    @functools.cached_property
    def names(self) -> dict[str, Any]:
        """Single-cell defined names (settings such as AmberThreshold) and their values."""
        out: dict[str, Any] = {}
        for name, text in self.pf.names.items():
            sheet, _, cell = text.rpartition("!")
            if sheet and ":" not in cell:
                value = self.get(sheet.strip("'").replace("''", "'"), cell.replace("$", ""))
                if value is not UNKNOWN:
                    out[name] = value
        return out


def _check_target(source: Path, out: Path, force: bool) -> None:
    if out.suffix.lower() != ".xlsx":
        raise XlmplanError(
            f"{out}: the email-ready copy is a macro-free workbook — give a name ending in .xlsx"
        )
    if not source.is_file():
        raise XlmplanError(f"{source}: no such plan — check the path")
    if out.resolve() == source.resolve() or (out.exists() and os.path.samefile(out, source)):
        raise XlmplanError(
            f"{out} is the plan itself — the copy must go to another file, e.g. "
            f"{source.with_name(source.stem + '-shared.xlsx').name}"
        )
    if out.exists() and not force:
        raise XlmplanError(f"{out} already exists — choose another name or add --force")


def _check_pdf_target(source: Path, target: Path, force: bool) -> None:
    """``--pdf`` writes ``target``: never the plan itself, never an existing file unforced."""
    if not (target.exists() or target.is_symlink()):
        return
    if target.resolve() == source.resolve() or (
        target.exists() and os.path.samefile(target, source)
    ):
        raise XlmplanError(
            f"{target} is the plan itself — the PDF would replace it; give -o a name whose "
            f".pdf is free, e.g. {source.with_name(source.stem + '-shared.xlsx').name}"
        )
    if target.is_dir():
        raise XlmplanError(f"{target} is a folder — give -o another name for the PDF")
    if not force:
        raise XlmplanError(f"{target} already exists — choose another name or add --force")


def _clean_formulas(
    xml: SheetXml,
    sheet: str,
    words: Words,
    catalog: Catalog,
    udf_cells: list[str],
    frozen: list[str],
    uncached: list[str],
    lookup: Callable[[str | None, str], Any],
    names: dict[str, Any],
) -> bool:
    """Rewrite UDF calls to their twins and freeze formulas citing other workbooks. A UDF
    cell with no usable cached value (``#NAME?`` where the add-in was missing) gets the
    value its call computes when its arguments are constants or single cells."""
    ctx = UdfContext(words, catalog, names)
    changed = False
    for (r, c), cell in xml.cells.items():
        f = cell.find(Q + "f")
        if f is None or not f.text:
            continue
        where = f"{sheet}!{a1(r, c)}"
        if uses_udf(f.text):
            typed = f.text
            try:
                f.text, _count = rewrite_udfs(typed, words, catalog)
            except UdfError as exc:
                raise UdfError(f"{where}: {exc} — fix the formula and share again") from None
            if cell.get("t") == "e" or cell.find(Q + "v") is None:
                value = simple_call_value(typed, ctx, lookup)
                if value is UNKNOWN:
                    uncached.append(where)
                else:
                    _cache(cell, value)
            udf_cells.append(where)
            changed = True
        if cites_other_workbook(f.text):
            _freeze(cell)
            frozen.append(where)
            changed = True
    return changed


# Formulas of conditional formats and validations, also in x14 extensions (``xm:f``).
_RULE_FORMULAS = (Q + "formula", Q + "formula1", Q + "formula2", f"{{{XM_NS}}}f")


def _native_rules(root: etree._Element, sheet: str, native: Callable[[str, str], str]) -> bool:
    """Add-in calls in conditional formats and validations get their native twins."""
    changed = False
    for el in root.iter(*_RULE_FORMULAS):
        owner = next(
            (a for a in el.iterancestors() if etree.QName(a).localname in _RULE_OWNERS), None
        )
        kind = etree.QName(owner).localname if owner is not None else "rule"
        where = f"{sheet}!{_rule_range(el)} ({_RULE_OWNERS.get(kind, kind)})"
        if el.text and (text := native(where, el.text)) != el.text:
            el.text, changed = text, True
    return changed


_RULE_OWNERS = {
    "conditionalFormatting": "conditional format",
    "dataValidation": "validation",
}


def _rule_range(el: etree._Element) -> str:
    for a in el.iterancestors():
        ref = a.get("sqref")
        if ref:
            return ref
        sqref = a.find(f"{{{XM_NS}}}sqref")
        if sqref is not None and sqref.text:
            return sqref.text
    return "?"


def _cache(cell: etree._Element, value: Any) -> None:
    """Set a formula cell's cached value (number, text, boolean or blank)."""
    for child in cell.findall(Q + "v"):
        cell.remove(child)
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, Q + "v").text = "1" if value else "0"
    elif isinstance(value, (int, float)) and math.isfinite(value):
        cell.attrib.pop("t", None)
        etree.SubElement(cell, Q + "v").text = repr(float(value))
    else:
        cell.set("t", "str")
        etree.SubElement(cell, Q + "v").text = "" if value is None else str(value)


def _freeze(cell: etree._Element) -> None:
    """A formula cell becomes its cached value."""
    f = cell.find(Q + "f")
    if f is not None:
        cell.remove(f)
    if cell.get("t") == "str":
        v = cell.find(Q + "v")
        text = v.text if v is not None and v.text else ""
        if v is not None:
            cell.remove(v)
        cell.set("t", "inlineStr")
        cell.append(text_cell(text, None)[0])


def _fresh_manifest(an: Analysis) -> dict[str, str]:
    """The manifest as the refresh laid it out (the file's may predate some entries)."""
    cells = an.book.sheet("manifest").cells
    rows = {r for r, _ in cells}
    return {str(cells[(r, 0)].value): str(cells[(r, 1)].value) for r in rows if (r, 1) in cells}


def _health(an: Analysis) -> str:
    cell = an.book.sheet("start").cells.get(parse_a1(_fresh_manifest(an)["health.start"]))
    return str(cell.value) if cell is not None else ""


def _seal(
    pkg: Package, an: Analysis, labels: Labels, stamp: str, values_only: bool, recalc: bool
) -> dict[str, bytes]:
    """Protection, the stamp on Start and (values only) every formula frozen; ``recalc``
    asks Excel to recalculate on opening (for UDF cells no value could be cached for)."""
    out: dict[str, bytes] = {}
    roles = {ref.part: role for role, ref in an.pf.sheets.items()}
    for sheet in pkg.sheets():
        role = roles.get(sheet.part)
        if role is None and not values_only:
            continue
        xml = SheetXml(pkg.read(sheet.part))
        if role == "start":
            _stamp(xml, an, labels["share.stamp"], stamp)
        if values_only:
            for cell in list(xml.cells.values()):
                _freeze(cell)
        if values_only or role not in (None, "data"):
            _protect(xml.root, locked_inputs=values_only)
        out[sheet.part] = xml.finish()
    if values_only:
        for name in pkg.names():
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                table = pkg.xml(name)
                for el in list(table.iter(Q + "calculatedColumnFormula")):
                    el.getparent().remove(el)
                out[name] = xml_bytes(table)
    book = pkg.xml(pkg.workbook_part)
    if values_only:
        _read_only_recommended(book)
    elif recalc:
        workbook_child(book, "calcPr").set("fullCalcOnLoad", "1")
    if values_only or recalc:
        out[pkg.workbook_part] = xml_bytes(book)
    return out


def _stamp(xml: SheetXml, an: Analysis, label: str, text: str) -> None:
    manifest = _fresh_manifest(an)
    r, c = parse_a1(manifest["stamp.start"])
    health = xml.cells.get(parse_a1(manifest["health.start"]))
    label_of = xml.cells.get((r - 2, c))
    xml.put((r, c), text_cell(label, label_of.get("s") if label_of is not None else None), None)
    style = health.get("s") if health is not None else None
    xml.put((r, c + 1), text_cell(text, style), None)


def _protect(root: etree._Element, *, locked_inputs: bool) -> None:
    """Protect the sheet with no password: locked cells (formulas) cannot be changed;
    with ``locked_inputs`` unlocked cells cannot even be selected."""
    old = root.find(Q + "sheetProtection")
    if old is not None:
        root.remove(old)
    protection = etree.Element(Q + "sheetProtection", sheet="1", objects="1", scenarios="1")
    if locked_inputs:
        protection.set("selectUnlockedCells", "1")
    anchor = None
    for tag in _PROTECTION_AFTER:
        found = root.find(Q + tag)
        if found is not None:
            anchor = found
    assert anchor is not None
    anchor.addnext(protection)


def _read_only_recommended(book: etree._Element) -> None:
    """Excel offers to open the file read-only, and sheets cannot be added or removed
    (also where the file already has these elements: LibreOffice keeps an empty
    ``workbookProtection`` that locks nothing)."""
    workbook_child(book, "fileSharing").set("readOnlyRecommended", "1")
    workbook_child(book, "workbookProtection").set("lockStructure", "1")
