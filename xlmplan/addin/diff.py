"""What an operation changed in a plan, as edits a live workbook can take.

``diff_books(before, after)`` compares two files of the same plan (a snapshot of the live
workbook and the result of a file operation on it) through the package layer and
python-calamine: cell contents (a formula's text when the cell holds a formula, its value
otherwise), number formats, Table sizes, workbook names and sheet names. Everything else
that differs -- conditional formats, validations, sheet views, charts, Table columns,
added or removed parts -- cannot be carried cell by cell; it is listed in
``Patch.reopen`` and the live workbook is then reopened from the new file instead.
Cached values of formulas are not compared: the live workbook computes its own.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xlmplan.addin.blocks import Pos
from xlmplan.addin.formula_text import format_key, formula_key, shift_formula
from xlmplan.addin.patch import Content, Patch, SheetChanges, cell_value
from xlmplan.addin.workbook_parts import (
    compare_parts,
    compare_tables,
    compare_workbook,
    outside_cells,
    protection,
)
from xlmplan.sheets.cellrefs import parse_range, range_text
from xlmplan.sheets.layout import a1
from xlmplan.xlsx.package import Package, SheetRef, open_package
from xlmplan.xlsx.splice import Q, SheetXml

BUILTIN_FORMATS = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "m/d/yyyy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yyyy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}


def diff_books(before: Path, after: Path) -> Patch:
    """The edits that turn ``before`` into ``after`` (two versions of one plan file)."""
    with open_package(before) as pb, open_package(after) as pa:
        patch = Patch()
        sheets_b = {s.part: s for s in pb.sheets()}
        sheets_a = {s.part: s for s in pa.sheets()}
        compare_parts(pb, pa, patch)
        if set(sheets_b) != set(sheets_a):
            patch.reopen.append("sheets were added or removed")
        changed: dict[str, tuple[SheetXml, SheetXml]] = {}
        for part in sorted(sheets_b.keys() & sheets_a.keys()):
            raw_b, raw_a = pb.read(part), pa.read(part)
            if raw_b != raw_a:
                changed[part] = (SheetXml(raw_b), SheetXml(raw_a))
        for part, (xb, xa) in changed.items():
            guard = protection(xb)
            if guard is not None:
                patch.protected[sheets_b[part].name] = guard
            if outside_cells(xb.root) != outside_cells(xa.root):
                patch.reopen.append(
                    f"the formats, validations or layout of sheet '{sheets_a[part].name}'"
                )
        compare_workbook(pb, pa, sheets_b, sheets_a, patch)
        compare_tables(pb, pa, sheets_b, patch)
        if patch.reopen:
            return patch
        formats_b, formats_a = number_formats(pb), number_formats(pa)
        book_b = CalamineWorkbook.from_path(str(before))
        book_a = CalamineWorkbook.from_path(str(after))
        try:
            for part, (xb, xa) in changed.items():
                sb, sa = sheets_b[part], sheets_a[part]
                changes = _sheet(
                    sb.name,
                    (xb, _grid(book_b, sb), formats_b),
                    (xa, _grid(book_a, sa), formats_a),
                )
                if changes.cells or changes.formats:
                    patch.sheets.append(changes)
        finally:
            book_b.close()
            book_a.close()
        return patch


def _grid(book: CalamineWorkbook, sheet: SheetRef) -> list[list[Any]]:
    return book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)


def same_content(a: Content, b: Content) -> bool:
    """Two contents are the same (numbers to 1e-12 relative, a date equal to its datetime)."""
    if a[0] != b[0]:
        return False
    if a[0] != "v":
        return formula_key(a[1]) == formula_key(b[1]) and a[2:] == b[2:]
    x, y = a[1], b[1]
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(x, dt.date) and isinstance(y, dt.date):
        return _as_datetime(x) == _as_datetime(y)
    return type(x) is type(y) and x == y


def _as_datetime(d: dt.date) -> dt.datetime:
    return d if isinstance(d, dt.datetime) else dt.datetime(d.year, d.month, d.day)


def formulas(xml: SheetXml) -> tuple[dict[Pos, Content], set[Pos]]:
    """Every formula of a sheet by cell (shared formulas spelled out at each cell) and the
    cells covered by array formulas other than their top-left cell."""
    found: dict[Pos, Content] = {}
    covered: set[Pos] = set()
    masters: dict[str, tuple[Pos, str]] = {}
    dependents: list[tuple[Pos, str]] = []
    for pos, cell in xml.cells.items():
        f = cell.find(Q + "f")
        if f is None:
            continue
        kind, text = f.get("t", "normal"), f.text or ""
        if kind == "array":
            r1, c1, r2, c2 = parse_range(f.get("ref") or a1(*pos))
            found[pos] = ("a", text, range_text(r1, c1, r2, c2))
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        elif kind == "shared":
            si = f.get("si", "")
            if text:
                masters[si] = (pos, text)
                found[pos] = ("f", text)
            else:
                dependents.append((pos, si))
        else:
            found[pos] = ("f", text)
    for pos, si in dependents:
        master = masters.get(si)
        if master is not None:
            (r0, c0), text = master
            found[pos] = ("f", shift_formula(text, pos[0] - r0, pos[1] - c0))
    covered -= set(found)
    return found, covered


def number_formats(pkg: Package) -> list[str]:
    """The number format code of each cell format (``s`` index) of a package."""
    if not pkg.has("xl/styles.xml"):
        return ["General"]
    root = pkg.xml("xl/styles.xml")
    custom = {int(e.get("numFmtId", "0")): e.get("formatCode", "") for e in root.iter(Q + "numFmt")}
    xfs = root.find(Q + "cellXfs")
    if xfs is None:
        return ["General"]
    out = []
    for xf in xfs.iterchildren(Q + "xf"):
        fid = int(xf.get("numFmtId", "0"))
        out.append(custom.get(fid) or BUILTIN_FORMATS.get(fid, "General"))
    return out


def _format(xml: SheetXml, pos: Pos, codes: list[str]) -> str:
    cell = xml.cells.get(pos)
    s = int(cell.get("s", "0")) if cell is not None else 0
    return codes[s] if s < len(codes) else "General"


def _sheet(
    name: str,
    before: tuple[SheetXml, list[list[Any]], list[str]],
    after: tuple[SheetXml, list[list[Any]], list[str]],
) -> SheetChanges:
    xb, grid_b, codes_b = before
    xa, grid_a, codes_a = after
    fb, covered_b = formulas(xb)
    fa, covered_a = formulas(xa)
    cells: dict[Pos, Content] = {}
    formats: dict[Pos, str] = {}
    for pos in xb.cells.keys() | xa.cells.keys():
        new = fa.get(pos) or ("v", cell_value(grid_a, pos))
        if pos not in covered_a:
            old = fb.get(pos) or ("v", cell_value(grid_b, pos))
            if pos in covered_b or not same_content(old, new):
                cells[pos] = new
        code = _format(xa, pos, codes_a)
        if format_key(code) != format_key(_format(xb, pos, codes_b)):
            formats[pos] = code
    return SheetChanges(name, cells, formats, grid_a, set(fa) | covered_a | covered_b)
