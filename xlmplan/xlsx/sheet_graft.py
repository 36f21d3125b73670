"""Add one of xlmplan's sheets, whole, to a user's workbook.

A plan written by an older version of xlmplan lacks the sheets added since. Refresh takes
such a sheet from the freshly written book: its worksheet part (shared strings made inline,
cell and conditional formats translated into the user's ``styles.xml``), the parts it
relates to (Tables with new ids, drawings, charts, comments) under part names the user's
file does not use, their content types, and its ``<sheet>`` entry placed in the book
order (``workbook_order.sheet_position``). Sheet-scoped defined names move with the
sheets after it. Nothing of the user's file is removed or renamed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from lxml import etree

from xlmplan.xlsx.ooxml_names import CONTENT_TYPES_PART, PKG_REL_NS, rel_kind, rels_part_of
from xlmplan.xlsx.package import Package, SheetRef, xml_bytes
from xlmplan.xlsx.splice import Q, SheetXml, fresh_cell
from xlmplan.xlsx.style_merge import StyleMap
from xlmplan.xlsx.workbook_order import workbook_child

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_NUMBERED = re.compile(r"^(.*?)(\d*)(\.[^./]+)$")


@dataclass
class Graft:
    """Parts to add and parts of the user's file to replace, built up sheet by sheet."""

    pkg: Package
    workbook: etree._Element  # xl/workbook.xml, edited in place
    add: dict[str, bytes] = field(default_factory=dict)
    replace: dict[str, bytes] = field(default_factory=dict)
    _types: etree._Element | None = None
    _book_rels: etree._Element | None = None
    _table_ids: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        for name in self.pkg.names():
            if (self.pkg.content_type(name) or "").endswith("table+xml"):
                root = self.pkg.xml(name)
                self._table_ids.add(int(root.get("id", "0") or 0))

    # -- names -------------------------------------------------------------------------
    def _taken(self) -> set[str]:
        return {n.lower() for n in (*self.pkg.names(), *self.add)}

    def free_part(self, like: str) -> str:
        """A part name shaped like ``like`` (``xl/charts/chart3.xml`` -> the first free
        ``xl/charts/chartN.xml``) that neither the user's file nor the graft uses."""
        match = _NUMBERED.match(like)
        stem, ext = (match.group(1), match.group(3)) if match else (like, "")
        taken, n = self._taken(), 1
        while f"{stem}{n}{ext}".lower() in taken:
            n += 1
        return f"{stem}{n}{ext}"

    # -- content types and rels ----------------------------------------------------------
    def types(self) -> etree._Element:
        if self._types is None:
            self._types = self.pkg.xml(CONTENT_TYPES_PART)
        return self._types

    def book_rels(self) -> etree._Element:
        if self._book_rels is None:
            self._book_rels = self.pkg.xml(rels_part_of(self.pkg.workbook_part))
        return self._book_rels

    def _content_type(self, part: str, content_type: str | None) -> None:
        if not content_type or self.pkg.content_type(part) == content_type:
            return
        etree.SubElement(
            self.types(), f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=content_type
        )

    def finish(self) -> None:
        """Put the edited content types and workbook rels into ``replace``."""
        if self._types is not None:
            self.replace[CONTENT_TYPES_PART] = xml_bytes(self._types)
        if self._book_rels is not None:
            self.replace[rels_part_of(self.pkg.workbook_part)] = xml_bytes(self._book_rels)

    # -- copying parts -------------------------------------------------------------------
    def copy_part(self, fresh: Package, part: str, styles: StyleMap) -> str:
        """Copy ``part`` of the fresh book, and everything it relates to, under free part
        names; returns the new name."""
        name = self.free_part(part)
        self.add[name] = b""  # reserve the name before copying what it relates to
        data = fresh.read(part)
        kind = fresh.content_type(part) or ""
        if kind.endswith("table+xml"):
            data = self._table(data, styles)
        self.add[name] = data
        self._content_type(name, kind)
        self._copy_rels(fresh, part, name, styles)
        return name

    def _copy_rels(self, fresh: Package, part: str, name: str, styles: StyleMap) -> None:
        rels = fresh.relationships(part)
        if not rels:
            return
        root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        for rel in rels:
            el = etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=rel.rid, Type=rel.type)
            if rel.external:
                el.set("Target", rel.target)
                el.set("TargetMode", "External")
                continue
            copied = self.copy_part(fresh, rel.target, styles)
            el.set("Target", posixpath.relpath(copied, posixpath.dirname(name)))
        self.add[rels_part_of(name)] = xml_bytes(root)

    def _table(self, data: bytes, styles: StyleMap) -> bytes:
        """A Table part with an id no other Table has, its formats translated."""
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        new_id = max(self._table_ids, default=0) + 1
        self._table_ids.add(new_id)
        root.set("id", str(new_id))
        for el in root.iter():
            for attr in ("dxfId", "headerRowDxfId", "dataDxfId", "totalsRowDxfId"):
                if el.get(attr) is not None:
                    el.set(attr, str(styles.dxf.get(int(el.get(attr, "0")), 0)))
        return xml_bytes(root)


def graft_sheet(
    graft: Graft,
    fresh: Package,
    fresh_part: str,
    name: str,
    position: int,
    shared: list[str],
    styles: StyleMap,
) -> SheetRef:
    """Add the fresh book's worksheet ``fresh_part`` as sheet ``name`` at ``position``
    (0-based, in book order) of the user's workbook; returns the sheet as written."""
    sheet = _sheet_part(SheetXml(fresh.read(fresh_part)), shared, styles)
    part = graft.free_part("xl/worksheets/sheet1.xml")
    graft.add[part] = sheet
    graft._content_type(part, fresh.content_type(fresh_part))
    graft._copy_rels(fresh, fresh_part, part, styles)
    rid = _add_book_rel(graft, fresh, part)
    entry = _add_sheet_entry(graft.workbook, fresh, fresh_part, name, rid, position)
    return SheetRef(name, entry.get("sheetId", ""), rid, part, entry.get("state", "visible"))


def _sheet_part(xml: SheetXml, shared: list[str], styles: StyleMap) -> bytes:
    """The fresh worksheet with inline strings and the user's format indices; never the
    selected tab."""
    for pos, cell in list(xml.cells.items()):
        xml.put(pos, fresh_cell(cell, shared, styles.xf), None)
    for el in (*xml.root.iter(Q + "row"), *xml.root.iter(Q + "col")):
        key = "s" if el.tag == Q + "row" else "style"
        if el.get(key) is not None:
            el.set(key, str(styles.xf.get(int(el.get(key, "0")), 0)))
    for rule in xml.root.iter(Q + "cfRule"):
        if rule.get("dxfId") is not None:
            rule.set("dxfId", str(styles.dxf.get(int(rule.get("dxfId", "0")), 0)))
    for view in xml.root.iter(Q + "sheetView"):
        view.attrib.pop("tabSelected", None)
    return xml.finish()


def _add_book_rel(graft: Graft, fresh: Package, part: str) -> str:
    rels = graft.book_rels()
    ids = {el.get("Id") for el in rels}
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    kind = next(
        rel.type
        for rel in fresh.relationships(fresh.workbook_part)
        if rel_kind(rel.type) == "worksheet"
    )
    target = posixpath.relpath(part, posixpath.dirname(graft.pkg.workbook_part))
    etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=f"rId{n}", Type=kind, Target=target)
    return f"rId{n}"


def _add_sheet_entry(
    book: etree._Element, fresh: Package, fresh_part: str, name: str, rid: str, position: int
) -> etree._Element:
    """The ``<sheet>`` entry at ``position``; sheet-scoped names and the active tab of the
    sheets from there on move one place along; the fresh sheet's own scoped names (print
    titles) come along."""
    sheets = workbook_child(book, "sheets")
    existing = list(sheets.iterchildren(Q + "sheet"))
    ids = [int(s.get("sheetId", "0") or 0) for s in existing]
    fresh_book = fresh.xml(fresh.workbook_part)
    fresh_rels = {rel.target: rel.rid for rel in fresh.relationships(fresh.workbook_part)}
    fresh_sheets = list(fresh_book.iterfind(f"{Q}sheets/{Q}sheet"))
    fresh_index = next(
        i for i, s in enumerate(fresh_sheets) if s.get(f"{{{R_NS}}}id") == fresh_rels[fresh_part]
    )
    entry = etree.Element(Q + "sheet", name=name, sheetId=str(max(ids, default=0) + 1))
    state = fresh_sheets[fresh_index].get("state")
    if state:
        entry.set("state", state)
    entry.set(f"{{{R_NS}}}id", rid)
    if position < len(existing):
        existing[position].addprevious(entry)
    else:
        sheets.append(entry)
    for dn in book.iter(Q + "definedName"):
        local = dn.get("localSheetId")
        if local is not None and int(local) >= position:
            dn.set("localSheetId", str(int(local) + 1))
    for view in book.iter(Q + "workbookView"):
        for attr in ("activeTab", "firstSheet"):
            if view.get(attr) is not None and int(view.get(attr, "0")) >= position:
                view.set(attr, str(int(view.get(attr, "0")) + 1))
    scoped = [
        dn
        for dn in fresh_book.iter(Q + "definedName")
        if dn.get("localSheetId") == str(fresh_index)
    ]
    if scoped:
        container = workbook_child(book, "definedNames")
        have = {(dn.get("name"), dn.get("localSheetId")) for dn in container}
        for dn in scoped:
            if (dn.get("name"), str(position)) in have:
                continue
            copy = etree.fromstring(etree.tostring(dn))
            copy.set("localSheetId", str(position))
            container.append(copy)
    return entry
