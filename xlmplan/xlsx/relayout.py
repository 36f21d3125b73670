"""One of xlmplan's sheets laid out anew by this version (its columns moved since the
version that wrote the plan): the sheet-level parts of the layout follow the fresh book.

Column widths over xlmplan's columns, frozen panes and the heights of xlmplan's rows come
from the fresh sheet (a user's column widths right of the layout stay). Charts keep their
parts: each of xlmplan's chart anchors takes the fresh position, and a chart the fresh
sheet has beyond the plan's is added to the plan's drawing. A user's own drawings,
pictures and shapes stay where they are.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from xlmplan.sheets.cellrefs import Pos
from xlmplan.xlsx.ooxml_names import rel_kind, rels_part_of
from xlmplan.xlsx.package import Package, xml_bytes
from xlmplan.xlsx.sheet_graft import Graft
from xlmplan.xlsx.splice import Q, SheetXml
from xlmplan.xlsx.style_merge import StyleMap

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
C_CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ANCHORS = (XDR + "twoCellAnchor", XDR + "oneCellAnchor", XDR + "absoluteAnchor")


def relay_sheet(target: SheetXml, fresh: SheetXml, xf: dict[int, int], owned: set[Pos]) -> None:
    """Column widths, frozen panes and row heights of ``target`` as ``fresh`` has them."""
    _columns(target.root, fresh.root, xf, max((c for _, c in owned), default=-1) + 1)
    _panes(target.root, fresh.root)
    for r in {r for r, _ in owned}:
        row, model = target.rows.get(r), fresh.rows.get(r)
        if row is None:
            continue
        for key in ("ht", "customHeight"):
            value = model.get(key) if model is not None else None
            if value is None:
                row.attrib.pop(key, None)
            else:
                row.set(key, value)


def _columns(target: etree._Element, fresh: etree._Element, xf: dict[int, int], last: int) -> None:
    """xlmplan's columns (1 .. ``last``, and those the fresh sheet sizes) take the fresh
    widths; a user's column entries right of them stay."""
    new = fresh.find(Q + "cols")
    if new is None:
        return
    new = etree.fromstring(etree.tostring(new))
    for col in new:
        if col.get("style") is not None:
            col.set("style", str(xf.get(int(col.get("style", "0")), 0)))
    last = max([last, *(int(c.get("max", "0")) for c in new)])
    old = target.find(Q + "cols")
    if old is not None:
        for col in old:
            if int(col.get("min", "0")) > last:
                new.append(col)
        old.addprevious(new)
        target.remove(old)
    else:
        data = target.find(Q + "sheetData")
        if data is not None:
            data.addprevious(new)


def _panes(target: etree._Element, fresh: etree._Element) -> None:
    """The first sheet view's frozen pane and selections as the fresh sheet has them."""
    t_view, f_view = (
        target.find(f"{Q}sheetViews/{Q}sheetView"),
        fresh.find(f"{Q}sheetViews/{Q}sheetView"),
    )
    if t_view is None or f_view is None:
        return
    for child in list(t_view):
        if child.tag in (Q + "pane", Q + "selection"):
            t_view.remove(child)
    for i, child in enumerate(c for c in f_view if c.tag in (Q + "pane", Q + "selection")):
        t_view.insert(i, etree.fromstring(etree.tostring(child)))


def relay_charts(
    graft: Graft,
    fresh: Package,
    fresh_sheet: str,
    sheet_part: str,
    styles: StyleMap,
    *,
    move: bool,
) -> dict[str, bytes]:
    """The plan's drawing on ``sheet_part`` with xlmplan's charts at the fresh positions
    (``move``) and the fresh sheet's further charts added; {} when nothing changes."""
    pkg = graft.pkg
    mine_part, fresh_part = _drawing(pkg, sheet_part), _drawing(fresh, fresh_sheet)
    if mine_part is None or fresh_part is None:
        return {}  # no drawing left on the plan's sheet: the user removed the charts
    drawing, fresh_drawing = pkg.xml(mine_part), fresh.xml(fresh_part)
    mine, theirs = _chart_anchors(drawing), _chart_anchors(fresh_drawing)
    before = etree.tostring(drawing)
    if move:
        for anchor, model in zip(mine, theirs, strict=False):
            for tag in ("from", "to", "pos", "ext"):
                old, new = anchor.find(XDR + tag), model.find(XDR + tag)
                if old is not None and new is not None:
                    old.addprevious(etree.fromstring(etree.tostring(new)))
                    anchor.remove(old)
    out: dict[str, bytes] = {}
    extra = theirs[len(mine) :]
    if extra:
        rels_part = rels_part_of(mine_part)
        rels = (
            pkg.xml(rels_part) if pkg.has(rels_part) else etree.Element(PKG_REL + "Relationships")
        )
        ids = {el.get("Id") for el in rels}
        fresh_rels = fresh.rels(fresh_part)
        shape_ids = [int(el.get("id", "0")) for el in drawing.iter(XDR + "cNvPr")]
        for n, anchor in enumerate(extra, start=1):
            copy = etree.fromstring(etree.tostring(anchor))
            chart = next(copy.iter(C_CHART))
            kind, target = fresh_rels[chart.get(R_ID, "")]
            part = graft.copy_part(fresh, target, styles)
            rid = _free_id(ids)
            ids.add(rid)
            etree.SubElement(
                rels, PKG_REL + "Relationship", Id=rid, Type=kind, Target=_relative(part, mine_part)
            )
            chart.set(R_ID, rid)
            for pr in copy.iter(XDR + "cNvPr"):
                pr.set("id", str(max(shape_ids, default=1) + n))
            drawing.append(copy)
        (out if pkg.has(rels_part) else graft.add)[rels_part] = xml_bytes(rels)
    if etree.tostring(drawing) != before:
        out[mine_part] = xml_bytes(drawing)
    return out


def _drawing(pkg: Package, sheet_part: str) -> str | None:
    for rel in pkg.relationships(sheet_part):
        if rel_kind(rel.type) == "drawing" and not rel.external and pkg.has(rel.target):
            return rel.target
    return None


def _chart_anchors(drawing: etree._Element) -> list[etree._Element]:
    return [a for a in drawing if a.tag in _ANCHORS and next(a.iter(C_CHART), None) is not None]


def _free_id(ids: set[str | None]) -> str:
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    return f"rId{n}"


def _relative(part: str, source: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source))
