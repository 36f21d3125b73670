"""Cell-level edits of one worksheet part, leaving everything else in it as it was.

Refresh owns some cells of a sheet (titles, derived formulas and their cached values) and
nothing else: input cells, cells a user typed elsewhere, and every sheet-level element
(comments, drawings, data bars, sparklines, views, widths) stay as they are.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from xlmplan.sheets.cellrefs import Pos, parse_a1, range_text
from xlmplan.sheets.layout import a1, col_letter
from xlmplan.xlsx.package import xml_bytes

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
Q = f"{{{NS}}}"


def _inline(text: str) -> etree._Element:
    is_ = etree.Element(Q + "is")
    t = etree.SubElement(is_, Q + "t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return is_


class SheetXml:
    """A parsed worksheet part with an index of its rows and cells."""

    def __init__(self, xml: bytes) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        self.root = etree.fromstring(xml, parser)
        data = self.root.find(Q + "sheetData")
        if data is None:
            data = etree.SubElement(self.root, Q + "sheetData")
        self.data = data
        self.rows: dict[int, etree._Element] = {}
        self.cells: dict[Pos, etree._Element] = {}
        self.by_row: dict[int, dict[int, etree._Element]] = {}
        self.touched: set[int] = set()
        for row in data.iterchildren(Q + "row"):
            r = int(row.get("r", "0")) - 1
            self.rows[r] = row
            col = -1
            for c in row.iterchildren(Q + "c"):
                ref = c.get("r")
                col = parse_a1(ref)[1] if ref else col + 1
                if not ref:
                    c.set("r", a1(r, col))
                self.cells[(r, col)] = c
                self.by_row.setdefault(r, {})[col] = c

    def has_content(self, pos: Pos) -> bool:
        c = self.cells.get(pos)
        if c is None:
            return False
        v = c.find(Q + "v")
        return (
            c.find(Q + "f") is not None
            or (v is not None and (v.text or "") != "")
            or c.find(Q + "is") is not None
        )

    def has_formula(self, pos: Pos) -> bool:
        c = self.cells.get(pos)
        return c is not None and c.find(Q + "f") is not None

    def cached(self, pos: Pos, shared: list[str]) -> tuple[str, Any]:
        """(cell type, cached value) of a cell; ("", None) when there is none."""
        c = self.cells.get(pos)
        if c is None:
            return "", None
        kind = c.get("t", "n")
        if kind == "inlineStr":
            is_ = c.find(Q + "is")
            return kind, "".join(t.text or "" for t in is_.iter(Q + "t")) if is_ is not None else ""
        v = c.find(Q + "v")
        text = v.text if v is not None else None
        if text is None:
            return kind, None
        if kind == "s":
            return kind, shared[int(text)] if int(text) < len(shared) else None
        if kind in ("str", "e"):
            return kind, text
        if kind == "b":
            return kind, text == "1"
        try:
            return kind, float(text)
        except ValueError:
            return kind, text

    def remove(self, pos: Pos) -> None:
        c = self.cells.pop(pos, None)
        if c is not None:
            del self.by_row[pos[0]][pos[1]]
            c.getparent().remove(c)
            self.touched.add(pos[0])

    def _row(self, r: int, template: etree._Element | None) -> etree._Element:
        row = self.rows.get(r)
        if row is not None:
            return row
        row = etree.Element(Q + "row", r=str(r + 1))
        if template is not None:
            for k in ("ht", "customHeight", "s", "customFormat"):
                if template.get(k) is not None:
                    row.set(k, template.get(k, ""))
        later = [k for k in self.rows if k > r]
        if later:
            self.rows[min(later)].addprevious(row)
        else:
            self.data.append(row)
        self.rows[r] = row
        return row

    def put(self, pos: Pos, cell: etree._Element, row_template: etree._Element | None) -> None:
        """Put ``cell`` at ``pos``, replacing what is there, keeping column order."""
        r, c = pos
        cell.set("r", a1(r, c))
        old = self.cells.get(pos)
        if old is not None:
            if etree.tostring(old) == etree.tostring(cell):
                return
            old.addprevious(cell)
            old.getparent().remove(old)
        else:
            row = self._row(r, row_template)
            after = [k for k in self.by_row.get(r, {}) if k > c]
            if after:
                self.by_row[r][min(after)].addprevious(cell)
            else:
                row.append(cell)
        self.cells[pos] = cell
        self.by_row.setdefault(r, {})[c] = cell
        self.touched.add(r)

    def finish(self) -> bytes:
        """Drop emptied rows' stale hints, fix the dimension, serialise."""
        for r in self.touched:
            row = self.rows.get(r)
            if row is None:
                continue
            if "spans" in row.attrib:
                del row.attrib["spans"]
            if len(row) == 0 and set(row.attrib.keys()) <= {"r"}:
                self.data.remove(row)
                del self.rows[r]
        dim = self.root.find(Q + "dimension")
        if dim is not None and self.cells:
            rows = [p[0] for p in self.cells]
            cols = [p[1] for p in self.cells]
            dim.set("ref", range_text(min(rows), min(cols), max(rows), max(cols)))
        return xml_bytes(self.root)


def fresh_cell(cell: etree._Element, shared: list[str], xf_map: dict[int, int]) -> etree._Element:
    """A copy of a generated cell fit for the user's file: shared strings made inline,
    style index translated."""
    copy = etree.fromstring(etree.tostring(cell))
    s = copy.get("s")
    if s is not None:
        mapped = xf_map.get(int(s), 0)
        if mapped:
            copy.set("s", str(mapped))
        else:
            del copy.attrib["s"]
    if copy.get("t") == "s":
        v = copy.find(Q + "v")
        text = shared[int(v.text or "0")] if v is not None else ""
        if v is not None:
            copy.remove(v)
        copy.set("t", "inlineStr")
        copy.append(_inline(text))
    return copy


def text_cell(text: str, style: str | None) -> etree._Element:
    """A cell holding ``text`` as an inline string, in cell format ``style``."""
    cell = etree.Element(Q + "c", t="inlineStr")
    if style is not None:
        cell.set("s", style)
    cell.append(_inline(text))
    return cell


def shared_strings(xml: bytes | None) -> list[str]:
    if not xml:
        return []
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    out = []
    for si in root.iterchildren(Q + "si"):
        out.append("".join(t.text or "" for t in si.iter(Q + "t")))
    return out


def col_range(c1: int, c2: int) -> str:
    return f"{col_letter(c1)}:{col_letter(c2)}"


# A worksheet's child elements in the order the schema (CT_Worksheet) requires.
WORKSHEET_ORDER = (
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)


def after(tag: str) -> tuple[str, ...]:
    """The worksheet children the schema puts after ``tag``."""
    return WORKSHEET_ORDER[WORKSHEET_ORDER.index(tag) + 1 :]


PRINT_TAGS = ("printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks")
_AFTER_PRINT = after(PRINT_TAGS[-1])
_SHEET_PR_AFTER = ("tabColor", "outlinePr")
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def replace_print_setup(target: etree._Element, fresh: etree._Element) -> None:
    """Give ``target`` (a sheet of the user's file) the print set-up of ``fresh`` (the same
    sheet as xlmplan lays it out): margins, page set-up, header and footer, breaks and the
    fit-to-page flag. A printer-settings link on the old page set-up is kept."""
    old_link = None
    for tag in PRINT_TAGS:
        for el in target.findall(Q + tag):
            if tag == "pageSetup" and el.get(R_ID):
                old_link = el.get(R_ID)
            target.remove(el)
    new = [copy_element(el) for tag in PRINT_TAGS for el in fresh.findall(Q + tag)]
    for el in new:
        if etree.QName(el).localname == "pageSetup" and old_link:
            el.set(R_ID, old_link)
    anchor = next((el for tag in _AFTER_PRINT if (el := target.find(Q + tag)) is not None), None)
    for el in new:
        if anchor is not None:
            anchor.addprevious(el)
        else:
            target.append(el)
    _fit_to_page(target, fresh)


def _fit_to_page(target: etree._Element, fresh: etree._Element) -> None:
    fit = fresh.find(f"{Q}sheetPr/{Q}pageSetUpPr")
    value = fit.get("fitToPage") if fit is not None else None
    pr = target.find(Q + "sheetPr")
    if pr is None:
        if value is None:
            return
        pr = etree.Element(Q + "sheetPr")
        target.insert(0, pr)
    setup = pr.find(Q + "pageSetUpPr")
    if setup is None:
        if value is None:
            return
        setup = etree.Element(Q + "pageSetUpPr")
        before = [el for tag in _SHEET_PR_AFTER if (el := pr.find(Q + tag)) is not None]
        if before:
            before[-1].addnext(setup)
        else:
            pr.insert(0, setup)
    if value is None:
        setup.attrib.pop("fitToPage", None)
    else:
        setup.set("fitToPage", value)


def copy_element(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))
