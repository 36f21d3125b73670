"""Keep xlmplan's conditional formats, drop-downs and chart ranges in step with regions
that grew, without touching the ones a user added.

xlmplan records the ranges of its own conditional formats and validations in the
manifest. When a refresh lays them out differently (more KPIs, channels, findings), the
recorded ones are replaced by the fresh ones; formats whose rules are not xlmplan's kinds
(data bars, icon sets) are never removed. Dashboard charts get the fresh series ranges
and cached points, and series names LibreOffice turned into a reference to some A1 cell get
xlmplan's literal name back. xlmplan's links (on cells it owns) point to the sheets under
their current names; a user's hyperlinks stay.
"""

from __future__ import annotations

from lxml import etree

from xlmplan.sheets.cellrefs import Pos, parse_a1
from xlmplan.xlsx.ooxml_names import rel_kind
from xlmplan.xlsx.package import Package, xml_bytes
from xlmplan.xlsx.splice import Q, after

OUR_RULES = {"cellIs", "expression", "colorScale", "containsText"}
# Worksheet children that come after dataValidations, and after conditionalFormatting.
_AFTER_DV = after("dataValidations")
_AFTER_CF = after("conditionalFormatting")
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
C = f"{{{C_NS}}}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_ID = f"{{{R_NS}}}id"


def _insert(root: etree._Element, el: etree._Element, after: tuple[str, ...]) -> None:
    """Put ``el`` before the first worksheet child that must follow it."""
    for child in root:
        if etree.QName(child).localname in after:
            child.addprevious(el)
            return
    root.append(el)


def replace_formats(
    target: etree._Element,
    fresh: etree._Element,
    old_cf: set[str],
    old_dv: set[str],
    dxf_map: dict[int, int],
) -> None:
    """Swap the target's xlmplan formats (by recorded range) for the fresh sheet's."""
    for cf in target.findall(Q + "conditionalFormatting"):
        kinds = {rule.get("type", "") for rule in cf.findall(Q + "cfRule")}
        if cf.get("sqref", "") in old_cf and kinds <= OUR_RULES:
            target.remove(cf)
    for cf in fresh.findall(Q + "conditionalFormatting"):
        copy = etree.fromstring(etree.tostring(cf))
        for rule in copy.findall(Q + "cfRule"):
            if rule.get("dxfId") is not None:
                rule.set("dxfId", str(dxf_map.get(int(rule.get("dxfId", "0")), 0)))
        _insert(target, copy, _AFTER_CF)
    dvs = target.find(Q + "dataValidations")
    if dvs is not None:
        for dv in dvs.findall(Q + "dataValidation"):
            if dv.get("sqref", "") in old_dv:
                dvs.remove(dv)
    fresh_dvs = fresh.find(Q + "dataValidations")
    if fresh_dvs is not None and len(fresh_dvs):
        if dvs is None:
            dvs = etree.Element(Q + "dataValidations")
            _insert(target, dvs, _AFTER_DV)
        for dv in fresh_dvs:
            dvs.append(etree.fromstring(etree.tostring(dv)))
    if dvs is not None:
        if len(dvs):
            dvs.set("count", str(len(dvs)))
        else:
            target.remove(dvs)


def patch_chart(target: bytes, fresh: bytes) -> bytes | None:
    """The target chart with each series' categories and values (ranges and cached points)
    taken from the fresh chart; None when nothing changes or the series do not pair up.
    Titles, colours and anything else a user or LibreOffice set stay as they are."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    t_root, f_root = etree.fromstring(target, parser), etree.fromstring(fresh, parser)
    t_series, f_series = list(t_root.iter(C + "ser")), list(f_root.iter(C + "ser"))
    if len(t_series) != len(f_series):
        return None
    before = etree.tostring(t_root)
    for t_ser, f_ser in zip(t_series, f_series, strict=True):
        _restore_series_name(t_ser, f_ser)
        for tag in ("cat", "val", "xVal", "yVal"):
            t_el, f_el = t_ser.find(C + tag), f_ser.find(C + tag)
            if t_el is None or f_el is None:
                continue
            for child in list(t_el):
                t_el.remove(child)
            for child in f_el:
                t_el.append(etree.fromstring(etree.tostring(child)))
    if etree.tostring(t_root) == before:
        return None
    return xml_bytes(t_root)


def _restore_series_name(target: etree._Element, fresh: etree._Element) -> None:
    """xlmplan names its series with a literal (``c:tx/c:v``). LibreOffice saves such a name
    as a reference to an ``$A$1`` cell (the plan's title on Start): the literal goes back.
    A name a user gave (a literal, or a reference to another cell) stays."""
    t_tx, f_tx = target.find(C + "tx"), fresh.find(C + "tx")
    if t_tx is None or f_tx is None or f_tx.find(C + "v") is None:
        return
    ref = t_tx.find(f"{C}strRef/{C}f")
    if ref is None or not (ref.text or "").endswith("!$A$1"):
        return
    t_tx.addprevious(etree.fromstring(etree.tostring(f_tx)))
    target.remove(t_tx)


def own_links(target: etree._Element, fresh: etree._Element, owned: set[Pos]) -> None:
    """The fresh sheet's links to places in the workbook, on cells xlmplan owns, replace the
    target's internal links on those cells (LibreOffice keeps a link's old sheet name when
    the sheet is renamed); a link to a file or web page, and every other cell's, stays."""
    wanted = {
        h.get("ref", ""): h
        for h in fresh.iter(Q + "hyperlink")
        if h.get("location") and h.get(R_ID) is None and parse_a1(h.get("ref", "")) in owned
    }
    if not wanted:
        return
    links = target.find(Q + "hyperlinks")
    have = {h.get("ref", ""): h for h in links} if links is not None else {}
    for ref, link in wanted.items():
        old = have.get(ref)
        if old is None:
            if links is None:
                links = etree.Element(Q + "hyperlinks")
                _insert(target, links, _AFTER_DV[1:])
            links.append(etree.fromstring(etree.tostring(link)))
        elif old.get(R_ID) is None:
            for key in ("location", "display"):
                if link.get(key) is not None:
                    old.set(key, link.get(key, ""))


def charts_of(pkg: Package, sheet_part: str) -> list[str]:
    """The chart parts drawn on a sheet, in drawing order."""
    out: list[str] = []
    for rel in pkg.relationships(sheet_part):
        if rel_kind(rel.type) != "drawing" or rel.external:
            continue
        targets = pkg.rels(rel.target)
        drawing = pkg.xml(rel.target)
        for el in drawing.iter(C + "chart"):
            rid = el.get(f"{{{R_NS}}}id", "")
            if rid in targets:
                out.append(targets[rid][1])
    return out
