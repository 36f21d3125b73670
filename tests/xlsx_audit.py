"""Audits of a written workbook package, for any file the tests make.

- ``openxml_errors``: the ``openxml-audit`` validator (schema and semantic rules of the
  Open XML SDK) for Office 2010, the oldest Excel a plan must open in.
- ``structure_problems``: what that validator does not look at — style and dxf indexes in
  range, Table headers equal to their cells, no overlapping Tables, defined-name syntax,
  list validations within Excel's 255 characters, chart references to existing sheets, and
  the ``_xlfn.`` prefix on functions newer than Excel 2007.

Each returns one line per problem (empty: none); the checks read the zip with lxml only.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
M = f"{{{MAIN}}}"

# Functions Excel stores as ``_xlfn.NAME`` (added after Excel 2007) that a plan may meet.
FUTURE_FUNCTIONS = frozenset(
    {
        "AGGREGATE",
        "CEILING.MATH",
        "CEILING.PRECISE",
        "CONCAT",
        "DAYS",
        "FILTER",
        "FLOOR.MATH",
        "FLOOR.PRECISE",
        "IFNA",
        "IFS",
        "ISOWEEKNUM",
        "LET",
        "MAXIFS",
        "MINIFS",
        "MODE.SNGL",
        "NETWORKDAYS.INTL",
        "NORM.DIST",
        "NORM.INV",
        "PERCENTILE.EXC",
        "PERCENTILE.INC",
        "QUARTILE.EXC",
        "QUARTILE.INC",
        "RANK.AVG",
        "RANK.EQ",
        "SEQUENCE",
        "SORT",
        "STDEV.P",
        "STDEV.S",
        "SWITCH",
        "TEXTJOIN",
        "UNIQUE",
        "VAR.P",
        "VAR.S",
        "WORKDAY.INTL",
        "XLOOKUP",
        "XMATCH",
    }
)
_CALL = re.compile(r"(?<![\w.])((?:_xlfn\.)?[A-Z][A-Z0-9.]*)\s*\(", re.I)
_STRING = re.compile(r'"(?:[^"]|"")*"')
_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\?]*$")
_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*)$")
_SHEET_REF = re.compile(r"(?:'((?:[^']|'')+)'|([^\s'!,()=:+\-*/&^<>]+))!")


def openxml_errors(path: Path) -> list[str]:
    """The errors ``openxml-audit`` finds for Office 2010 (schema, semantics, package)."""
    from openxml_audit import FileFormat, OpenXmlValidator

    result = OpenXmlValidator(file_format=FileFormat.OFFICE_2010).validate(path)
    return [f"{e.part_uri} {e.path}: {e.description}" for e in result.errors]


class _Package:
    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as z:
            self.parts = {name: z.read(name) for name in z.namelist()}

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.parts[part])

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type's last word, target part) of ``part``."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in self.parts:
            return {}
        out = {}
        for el in self.xml(rels_part).iter(f"{{{PKG}}}Relationship"):
            if el.get("TargetMode") == "External":
                continue
            target = el.get("Target", "")
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], target)
        return out

    def workbook_part(self) -> str:
        for kind, target in self.rels("").values():
            if kind == "officeDocument":
                return target
        return "xl/workbook.xml"


def _cell_text(cell: etree._Element, strings: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(cell.find(M + "is").itertext())  # type: ignore[union-attr]
    value = cell.findtext(M + "v") or ""
    if kind == "s":
        return strings[int(value)]
    return value


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _rect(ref: str) -> tuple[int, int, int, int]:
    cells = []
    for part in ref.replace("$", "").split(":"):
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", part)
        assert m is not None, ref
        cells.append((int(m.group(2)) - 1, _col(m.group(1))))
    (r1, c1), (r2, c2) = cells[0], cells[-1]
    return r1, c1, r2, c2


def _formula_problems(where: str, formula: str) -> list[str]:
    bare = _STRING.sub('""', formula)
    out = []
    for m in _CALL.finditer(bare):
        name = m.group(1)
        if name.upper() in FUTURE_FUNCTIONS:
            out.append(f"{where}: {name} needs the _xlfn. prefix: {formula[:120]}")
    return out


def structure_problems(path: Path) -> list[str]:
    """Structural problems of the package at ``path`` (see the module)."""
    pkg = _Package(path)
    problems: list[str] = []
    book_part = pkg.workbook_part()
    book = pkg.xml(book_part)
    book_rels = pkg.rels(book_part)
    strings: list[str] = []
    styles = None
    for kind, target in book_rels.values():
        if kind == "sharedStrings" and target in pkg.parts:
            strings = ["".join(si.itertext()) for si in pkg.xml(target).iter(M + "si")]
        if kind == "styles" and target in pkg.parts:
            styles = pkg.xml(target)
    n_xf = len(styles.findall(f"{M}cellXfs/{M}xf")) if styles is not None else 1
    n_dxf = len(styles.findall(f"{M}dxfs/{M}dxf")) if styles is not None else 0
    sheet_names = [el.get("name", "") for el in book.iter(M + "sheet")]
    lowered = {name.casefold() for name in sheet_names}

    # defined names
    seen: set[tuple[str, str | None]] = set()
    for dn in book.iter(M + "definedName"):
        name, scope = dn.get("name", ""), dn.get("localSheetId")
        if len(name) > 255 or not _NAME.match(name) or _CELL_LIKE.match(name):
            problems.append(f"{book_part}: defined name {name!r} is not a valid name")
        if (name.casefold(), scope) in seen:
            problems.append(f"{book_part}: defined name {name!r} is defined twice")
        seen.add((name.casefold(), scope))
        problems += _formula_problems(f"{book_part} name {name}", dn.text or "")

    for sheet in book.iter(M + "sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k == f"{{{REL}}}id"), "")
        kind, part = book_rels.get(rid, ("", ""))
        if kind != "worksheet" or part not in pkg.parts:
            continue
        name = sheet.get("name", "")
        xml = pkg.xml(part)
        cells: dict[tuple[int, int], etree._Element] = {}
        for c in xml.iter(M + "c"):
            r1, c1, _, _ = _rect(c.get("r", "A1"))
            cells[(r1, c1)] = c
            s = int(c.get("s", "0"))
            if not 0 <= s < n_xf:
                problems.append(f"{part} {c.get('r')}: style {s} of {n_xf} cell formats")
            f = c.find(M + "f")
            if f is not None and f.text:
                problems += _formula_problems(f"{name}!{c.get('r')}", f.text)
        for el in xml.iter(M + "row", M + "col"):
            s = int(el.get("s", el.get("style", "0")) or 0)
            if not 0 <= s < n_xf:
                problems.append(f"{part} {el.tag.split('}')[1]}: style {s} of {n_xf}")
        for rule in xml.iter(M + "cfRule"):
            dxf = rule.get("dxfId")
            if dxf is not None and not 0 <= int(dxf) < n_dxf:
                problems.append(f"{part} cfRule: dxfId {dxf} of {n_dxf} formats")
            for f in rule.iter(M + "formula"):
                problems += _formula_problems(f"{name} conditional format", f.text or "")
        for dv in xml.iter(M + "dataValidation", f"{{{X14}}}dataValidation"):
            for f in dv.iter(M + "formula1", f"{{{X14}}}formula1"):
                text = "".join(f.itertext())
                if dv.get("type") == "list" and text.startswith('"') and len(text) - 2 > 255:
                    problems.append(
                        f"{name} validation {dv.get('sqref')}: list of {len(text) - 2} "
                        "characters (Excel allows 255)"
                    )
                problems += _formula_problems(f"{name} validation", text)
        tables = []
        for kind, target in pkg.rels(part).values():
            if kind != "table":
                continue
            table = pkg.xml(target)
            ref = table.get("ref", "A1")
            r1, c1, r2, c2 = _rect(ref)
            for other_name, (o1, d1, o2, d2) in tables:
                if r1 <= o2 and o1 <= r2 and c1 <= d2 and d1 <= c2:
                    problems.append(f"{name}: table {table.get('name')} overlaps {other_name}")
            tables.append((table.get("name"), (r1, c1, r2, c2)))
            columns = [col.get("name", "") for col in table.iter(M + "tableColumn")]
            if len(columns) != c2 - c1 + 1:
                problems.append(f"{target}: {len(columns)} columns for ref {ref}")
            if table.get("headerRowCount", "1") != "0":
                header = [
                    _cell_text(cells[(r1, c)], strings) if (r1, c) in cells else ""
                    for c in range(c1, c2 + 1)
                ]
                if header != columns:
                    problems.append(f"{target}: header cells {header} differ from {columns}")
    for part, data in pkg.parts.items():
        if not part.startswith("xl/charts/chart"):
            continue
        for f in etree.fromstring(data).iter(f"{{{CHART}}}f"):
            for m in _SHEET_REF.finditer(f.text or ""):
                sheet = (m.group(1) or m.group(2)).replace("''", "'")
                if sheet.casefold() not in lowered:
                    problems.append(f"{part}: series refers to missing sheet {sheet!r}")
    return problems
