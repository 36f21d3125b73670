"""What makes a workbook need something its reader may not have: macros, a ribbon of its
own, links to other workbooks or add-ins, external connections (web queries refreshed on
opening), ActiveX controls and embedded OLE objects. ``macro_free_edits`` lists the package
edits that take them out, so the copy is a plain, self-contained ``.xlsx``."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from xlmplan.xlsx.ooxml_names import rels_part_of
from xlmplan.xlsx.package import Package, xml_bytes

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAINS = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
# Relationship types whose targets a plain, self-contained workbook must not carry, and the
# kind of content each is reported as.
_DROP_KINDS = {
    "/vbaProject": "macros",
    "/vbaProjectSignature": "macros",
    "/vbaProjectSignatureAgile": "macros",
    "/vbaProjectSignatureV3": "macros",
    "/wordVbaData": "macros",
    "/keyMapCustomizations": "macros",
    "/externalLink": "external links",
    "/ui/extensibility": "a ribbon of its own",  # customUI: a ribbon calling its macros
    "/ui/2007/extensibility": "a ribbon of its own",
    "/connections": "external connections",  # web and database queries (refresh on open)
    "/queryTable": "external connections",
    "/control": "ActiveX controls",
    "/oleObject": "embedded objects",
    "/package": "embedded objects",
}
# Worksheet elements that cite dropped parts; removed whole (with an mc:AlternateContent
# that wraps them).
_SHEET_ELEMENTS = ("controls", "oleObjects")
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass
class MacroFreeEdits:
    replace: dict[str, bytes] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)
    removed_kinds: list[str] = field(default_factory=list)  # "macros", "external links", …
    external_names: list[str] = field(default_factory=list)  # defined names dropped


def _drop_kind(rel_type: str) -> str | None:
    return next((kind for end, kind in _DROP_KINDS.items() if rel_type.endswith(end)), None)


def _sources(pkg: Package) -> list[str]:
    """Parts whose relationships may lead to dropped content: the package, the workbook,
    its sheets and their tables."""
    out = ["", pkg.workbook_part]
    for sheet in pkg.sheets():
        out.append(sheet.part)
        out.extend(pkg.tables(sheet.part))
    return out


def _remove_with_rels(pkg: Package, part: str, out: MacroFreeEdits) -> None:
    """``part``, its rels part and the parts only those rels lead to (activeX binaries)."""
    if part in out.remove or not pkg.has(part):
        return
    out.remove.add(part)
    rels = rels_part_of(part)
    if pkg.has(rels):
        out.remove.add(rels)
        for rel in pkg.relationships(part):
            if not rel.external:
                _remove_with_rels(pkg, rel.target, out)


def _drop_sheet_elements(root: etree._Element) -> set[str]:
    """Remove ``controls``/``oleObjects``; the relationship ids they cited."""
    cited: set[str] = set()
    for local in _SHEET_ELEMENTS:
        for el in list(root.iter(f"{{{MAIN_NS}}}{local}")):
            gone = el
            for ancestor in el.iterancestors():
                if ancestor.tag == f"{{{MC_NS}}}AlternateContent":
                    gone = ancestor
            cited.update(
                value
                for node in gone.iter()
                for key, value in node.attrib.items()
                if key.startswith(f"{{{R_NS}}}")
            )
            parent = gone.getparent()
            if parent is not None:
                parent.remove(gone)
    return cited


def _unlink_tables(root: etree._Element) -> bool:
    """A query table's Table becomes a plain Table (no connection to refresh)."""
    changed = False
    if root.get("connectionId") is not None or root.get("tableType") == "queryTable":
        root.attrib.pop("connectionId", None)
        root.attrib.pop("tableType", None)
        changed = True
    for col in root.iter(f"{{{MAIN_NS}}}tableColumn"):
        if col.attrib.pop("queryTableFieldId", None) is not None:
            changed = True
    return changed


def macro_free_edits(
    pkg: Package, rewrite_name: Callable[[str, str], str] | None = None
) -> MacroFreeEdits:
    """The edits that remove macros, the file's own ribbon, external links and connections,
    ActiveX controls and embedded (OLE) objects. ``rewrite_name(name, formula)`` may give a
    defined name's formula a new text (before names citing other workbooks are dropped)."""
    out = MacroFreeEdits()
    workbook = pkg.workbook_part
    edited: dict[str, etree._Element] = {}

    def xml(part: str) -> etree._Element:
        if part not in edited:
            edited[part] = pkg.xml(part)
        return edited[part]

    for source in _sources(pkg):
        rels_name = rels_part_of(source)
        if not pkg.has(rels_name):
            continue
        targets = {rel.rid: rel for rel in pkg.relationships(source)}
        dropped: set[str] = set()
        if source not in ("", workbook) and pkg.is_worksheet(source):
            cited = _drop_sheet_elements(xml(source))
            if cited:
                dropped |= cited
            else:
                edited.pop(source, None)
        elif source not in ("", workbook) and not _unlink_tables(xml(source)):
            edited.pop(source, None)
        for el in list(xml(rels_name)):
            rel = targets.get(el.get("Id", ""))
            if rel is None:
                continue
            kind = _drop_kind(rel.type)
            if kind is None and rel.rid not in dropped:
                continue
            xml(rels_name).remove(el)
            if kind is None:
                continue  # e.g. the preview picture of a dropped object: the part may be shared
            out.removed_kinds.append(kind)
            if not rel.external:
                _remove_with_rels(pkg, rel.target, out)
        if len(xml(rels_name)) == len(targets):
            edited.pop(rels_name, None)
    for name in pkg.names():  # parts a broken file carries without a relationship
        lower = name.lower()
        if lower.endswith(("vbaproject.bin", "vbadata.xml")):
            out.removed_kinds.append("macros")
        elif name.startswith("xl/externalLinks/"):
            out.removed_kinds.append("external links")
        elif name.startswith("xl/activeX/"):
            out.removed_kinds.append("ActiveX controls")
        elif name.startswith("xl/embeddings/"):
            out.removed_kinds.append("embedded objects")
        elif name == "xl/connections.xml" or name.startswith("xl/queryTables/"):
            out.removed_kinds.append("external connections")
        else:
            continue
        out.remove.add(name)
    book = xml(workbook)
    book_changed = False
    refs = book.find(f"{{{MAIN_NS}}}externalReferences")
    if refs is not None:
        book.remove(refs)
        book_changed = True
    names = book.find(f"{{{MAIN_NS}}}definedNames")
    if names is not None:
        for dn in list(names):
            text = dn.text or ""
            if rewrite_name is not None:
                new = rewrite_name(dn.get("name", ""), text)
                if new != text:
                    dn.text, text, book_changed = new, new, True
            if "[" in text and cites_other_workbook(text):
                out.external_names.append(dn.get("name", ""))
                names.remove(dn)
                book_changed = True
        if len(names) == 0:
            book.remove(names)
    if not book_changed:
        edited.pop(workbook, None)
    for part, root in edited.items():
        if part not in out.remove:
            out.replace[part] = xml_bytes(root)
    types = pkg.xml("[Content_Types].xml")
    types_changed = False

    def extensions(names: Iterable[str]) -> set[str]:
        return {posixpath.splitext(n)[1].lstrip(".").lower() for n in names}

    unused = extensions(out.remove) - extensions(n for n in pkg.names() if n not in out.remove)
    for el in list(types):
        part = el.get("PartName", "").lstrip("/")
        if el.tag == f"{{{CT_NS}}}Override" and part in out.remove:
            types.remove(el)
            types_changed = True
        elif part == workbook and el.get("ContentType") in MACRO_MAINS:
            el.set("ContentType", XLSX_MAIN)
            types_changed = True
            out.removed_kinds.append("macros")
        elif el.tag == f"{{{CT_NS}}}Default" and (
            "vbaProject" in el.get("ContentType", "") or el.get("Extension", "").lower() in unused
        ):
            types.remove(el)
            types_changed = True
    if types_changed:
        out.replace["[Content_Types].xml"] = xml_bytes(types)
    out.removed_kinds = sorted(set(out.removed_kinds))
    return out


def cites_other_workbook(text: str) -> bool:
    """A formula that cites another workbook (``[1]Sheet!A1``, ``'C:\\x\\[b.xlsx]S'!A1``)."""
    in_string = False
    for i, ch in enumerate(text):
        if ch == '"':
            in_string = not in_string
        elif ch == "[" and not in_string:
            rest = text[i + 1 :]
            digits = rest.split("]", 1)[0]
            if digits.isdigit() or ".xl" in digits.lower():
                return True
    return False
