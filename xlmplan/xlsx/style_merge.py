"""Bring cell formats from a freshly generated workbook into a user's workbook.

A plan saved by Excel or LibreOffice numbers its formats its own way, so a cell copied
from a freshly generated book needs its style index translated. ``merge_styles`` finds
each fresh format (number format, font, fill, border, then the cell format itself) in the
user's ``styles.xml`` by content and appends only the ones that are missing, so existing
indices never move and a second refresh finds everything in place (no change at all).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from xlmplan.xlsx.package import xml_bytes

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_Q = f"{{{NS}}}"
_FIRST_CUSTOM_NUMFMT = 164


@dataclass
class StyleMap:
    """Fresh index -> user index, for cell formats and conditional-format formats."""

    xf: dict[int, int]
    dxf: dict[int, int]
    changed: bool


def _key(el: etree._Element) -> bytes:
    """Canonical bytes of an element (serialised alone: lxml's c14n of a subtree in place
    can add stray ``xmlns=""`` declarations)."""
    return etree.tostring(etree.fromstring(etree.tostring(el)), method="c14n")


def _section(root: etree._Element, tag: str, before: tuple[str, ...]) -> etree._Element:
    """The ``tag`` container of a styleSheet, created in schema order when missing."""
    found = root.find(_Q + tag)
    if found is not None:
        return found
    el = etree.Element(_Q + tag, count="0")
    for name in before:
        anchor = root.find(_Q + name)
        if anchor is not None:
            anchor.addprevious(el)
            return el
    root.append(el)
    return el


_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)


def _after(tag: str) -> tuple[str, ...]:
    return _ORDER[_ORDER.index(tag) + 1 :]


def _merge_list(
    target: etree._Element, fresh: etree._Element | None, tag: str, remap=None
) -> tuple[dict[int, int], bool]:
    """Map each child of fresh's ``tag`` list to an equal child of target's, appending."""
    mapping: dict[int, int] = {}
    if fresh is None:
        return mapping, False
    container = _section(target, tag, _after(tag))
    known: dict[bytes, int] = {}
    for i, child in enumerate(container):
        known.setdefault(_key(child), i)
    changed = False
    for i, child in enumerate(fresh):
        copy = etree.fromstring(etree.tostring(child))
        if remap is not None:
            remap(copy)
        key = _key(copy)
        if key not in known:
            container.append(copy)
            known[key] = len(container) - 1
            changed = True
        mapping[i] = known[key]
    container.set("count", str(len(container)))
    return mapping, changed


def merge_styles(target_xml: bytes, fresh_xml: bytes) -> tuple[bytes | None, StyleMap]:
    """Merge fresh formats into ``target_xml``; returns (new bytes or None, index maps)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    target = etree.fromstring(target_xml, parser)
    fresh = etree.fromstring(fresh_xml, parser)

    # Number formats: by format code; new codes get ids after the highest in use.
    numfmt: dict[int, int] = {}
    t_fmts = _section(target, "numFmts", _after("numFmts"))
    by_code = {el.get("formatCode"): int(el.get("numFmtId", "0")) for el in t_fmts}
    next_id = max([_FIRST_CUSTOM_NUMFMT - 1, *by_code.values()]) + 1
    changed = False
    f_fmts = fresh.find(_Q + "numFmts")
    for el in f_fmts if f_fmts is not None else []:
        code, fid = el.get("formatCode"), int(el.get("numFmtId", "0"))
        if code not in by_code:
            etree.SubElement(t_fmts, _Q + "numFmt", numFmtId=str(next_id), formatCode=code or "")
            by_code[code] = next_id
            next_id += 1
            changed = True
        numfmt[fid] = by_code[code]
    t_fmts.set("count", str(len(t_fmts)))
    if len(t_fmts) == 0:
        target.remove(t_fmts)

    maps: dict[str, dict[int, int]] = {}
    for tag in ("fonts", "fills", "borders"):
        maps[tag], ch = _merge_list(target, fresh.find(_Q + tag), tag)
        changed |= ch

    def remap_xf(xf: etree._Element) -> None:
        for attr, table in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            if xf.get(attr) is not None:
                xf.set(attr, str(maps[table].get(int(xf.get(attr, "0")), 0)))
        fid = int(xf.get("numFmtId", "0"))
        if fid >= _FIRST_CUSTOM_NUMFMT:
            xf.set("numFmtId", str(numfmt.get(fid, 0)))
        xf.set("xfId", "0")

    xf_map, ch = _merge_list(target, fresh.find(_Q + "cellXfs"), "cellXfs", remap_xf)
    changed |= ch

    def remap_dxf(dxf: etree._Element) -> None:
        nf = dxf.find(_Q + "numFmt")
        if nf is not None and int(nf.get("numFmtId", "0")) >= _FIRST_CUSTOM_NUMFMT:
            nf.set("numFmtId", str(numfmt.get(int(nf.get("numFmtId", "0")), 0)))

    dxf_map, ch = _merge_list(target, fresh.find(_Q + "dxfs"), "dxfs", remap_dxf)
    changed |= ch
    xf_map[0] = 0  # the default format stays the user's default
    out = xml_bytes(target)
    return (out if changed else None), StyleMap(xf_map, dxf_map, changed)
