"""The parts of a workbook around its cells: which differences a live workbook can take
by edits (workbook names, sheet names, Table sizes) and which need it reopened
(conditional formats, validations and views of a sheet, the ranges charts draw, Table
columns, settings, added or removed parts). Cached chart points, styles, shared strings,
document properties and the calculation chain are the live workbook's own business.
"""

from __future__ import annotations

from lxml import etree

from xlmplan.addin.formula_text import formula_key
from xlmplan.addin.patch import Patch, TableResize
from xlmplan.sheets.cellrefs import parse_a1
from xlmplan.xlsx.package import Package, SheetRef
from xlmplan.xlsx.splice import PRINT_TAGS, Q, SheetXml
from xlmplan.xlsx.writer import PRINT_NAMES

CALC_CHAIN = "xl/calcChain.xml"
_IGNORED = ("xl/styles.xml", "xl/sharedStrings.xml", CALC_CHAIN, "docProps/")
_OUTSIDE_CELLS = (Q + "sheetData", Q + "dimension")


def protection(xml: SheetXml) -> dict[str, str] | None:
    """The ``sheetProtection`` attributes of a protected sheet; None when it is open."""
    el = xml.root.find(Q + "sheetProtection")
    if el is None or el.get("sheet") not in ("1", "true"):
        return None
    return dict(el.attrib)


_PRINT = tuple(Q + tag for tag in PRINT_TAGS)


def outside_cells(root: etree._Element) -> bytes:
    """A sheet part without its cells: what cell edits cannot change. The print set-up
    is left out: it changes nothing on screen, and the next refresh of the file lays it
    out (a live workbook keeps its own until then)."""
    kept = []
    for child in root:
        if child.tag in _OUTSIDE_CELLS or child.tag in _PRINT:
            continue
        if child.tag == Q + "sheetPr":
            child = etree.fromstring(etree.tostring(child))
            for pr in child.findall(Q + "pageSetUpPr"):
                child.remove(pr)
        kept.append(etree.tostring(child))
    return repr(sorted(root.attrib.items())).encode() + b"".join(kept)


def compare_parts(pb: Package, pa: Package, patch: Patch) -> None:
    """Parts other than sheets, the workbook and Tables that differ in what matters."""
    names_b, names_a = set(pb.names()) - {CALC_CHAIN}, set(pa.names()) - {CALC_CHAIN}
    if names_b != names_a:
        patch.reopen.append("parts of the workbook were added or removed")
    for part in sorted(names_b & names_a):
        if (
            part.startswith(_IGNORED)
            or part == pb.workbook_part
            or pb.is_worksheet(part)
            or part.startswith("xl/tables/")
            or pb.read(part) == pa.read(part)
        ):
            continue
        if part.startswith("xl/charts/") and part.endswith(".xml"):
            if _chart(pb.xml(part)) != _chart(pa.xml(part)):
                patch.reopen.append("the charts")
        elif part.endswith(".rels") or part == "[Content_Types].xml":
            if _without_calc_chain(pb.xml(part)) != _without_calc_chain(pa.xml(part)):
                patch.reopen.append("the workbook's relationships")
        else:
            patch.reopen.append(f"the part {part}")
    patch.reopen[:] = list(dict.fromkeys(patch.reopen))


def _chart(root: etree._Element) -> list[str]:
    """The ranges a chart draws (the live workbook draws them from its cells; cached
    points and whether a range holds text or numbers do not matter)."""
    return [formula_key(f.text or "") for f in root.iter("{*}f")]


def _without_calc_chain(root: etree._Element) -> bytes:
    for el in list(root):
        if "calcChain" in (el.get("Target", "") + el.get("PartName", "")):
            root.remove(el)
    return etree.tostring(root)


def compare_workbook(
    pb: Package,
    pa: Package,
    sheets_b: dict[str, SheetRef],
    sheets_a: dict[str, SheetRef],
    patch: Patch,
) -> None:
    """Sheet renames and changed workbook names; anything else is a reason to reopen."""
    for part, ref in sheets_b.items():
        new = sheets_a.get(part)
        if new is not None and new.name != ref.name:
            patch.renames[ref.name] = new.name
    if pb.read(pb.workbook_part) == pa.read(pa.workbook_part):
        return
    root_b, root_a = pb.xml(pb.workbook_part), pa.xml(pa.workbook_part)
    names_b, local_b = _defined_names(root_b)
    names_a, local_a = _defined_names(root_a)
    if local_b != local_a or set(names_b) - set(names_a):
        patch.reopen.append("names of the workbook")
    patch.names = {
        k: "=" + v for k, v in names_a.items() if formula_key(names_b.get(k, "")) != formula_key(v)
    }
    if _bare_workbook(root_b) != _bare_workbook(root_a):
        patch.reopen.append("the workbook's settings or sheet order")


def _defined_names(root: etree._Element) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    workbook: dict[str, str] = {}
    local: dict[tuple[str, str], str] = {}
    for dn in root.iter(Q + "definedName"):
        name, text, scope = dn.get("name", ""), dn.text or "", dn.get("localSheetId")
        if scope is None:
            workbook[name] = text
        elif name not in PRINT_NAMES:  # print names follow the print set-up
            local[(scope, name)] = text
    return workbook, local


def _bare_workbook(root: etree._Element) -> bytes:
    """workbook.xml without its names and sheet names."""
    for container in list(root.iter(Q + "definedNames")):
        parent = container.getparent()
        if parent is not None:
            parent.remove(container)
    for sheet in root.iter(Q + "sheet"):
        sheet.attrib.pop("name", None)
    return etree.tostring(root)


def compare_tables(pb: Package, pa: Package, sheets_b: dict[str, SheetRef], patch: Patch) -> None:
    """Tables whose range changed are resized; any other change of a Table reopens."""
    for ref in sheets_b.values():
        for part in pb.tables(ref.part):
            if not pa.has(part) or pb.read(part) == pa.read(part):
                continue
            tb, ta = pb.xml(part), pa.xml(part)
            old_ref, new_ref = tb.get("ref", "A1"), ta.get("ref", "A1")
            if _bare_table(tb) != _bare_table(ta):
                patch.reopen.append(f"the columns of Table {ta.get('displayName', part)}")
                continue
            if parse_a1(old_ref.split(":")[0]) != parse_a1(new_ref.split(":")[0]):
                patch.reopen.append(f"the position of Table {ta.get('displayName', part)}")
                continue
            patch.tables.append(TableResize(ref.name, ta.get("displayName", ""), new_ref))
            raw = pb.read(ref.part)
            if ref.name not in patch.protected and b"sheetProtection" in raw:
                guard = protection(SheetXml(raw))
                if guard is not None:
                    patch.protected[ref.name] = guard


def _bare_table(root: etree._Element) -> bytes:
    root.attrib.pop("ref", None)
    for auto in root.iter(Q + "autoFilter"):
        auto.attrib.pop("ref", None)
    return etree.tostring(root)
