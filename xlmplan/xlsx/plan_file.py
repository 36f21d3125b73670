"""Read an existing plan workbook: its manifest, sheets by role, input Tables and Data.

Sheets are found by role, never by displayed name: first through the defined name
``xlm_<role>`` (Excel and LibreOffice carry it along when a sheet is renamed), then
through the manifest. Values come from python-calamine, which reads files saved by
Excel, LibreOffice and xlmplan alike.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlmplan.core.data import canonical_frame
from xlmplan.core.inputs import GROWING, TableCells, is_blank
from xlmplan.core.template import data_header_aliases
from xlmplan.errors import DataError, WorkbookError
from xlmplan.sheets.book import ANCHOR, ROLES
from xlmplan.sheets.cellrefs import parse_a1, parse_range
from xlmplan.sheets.checks_sheet import MANIFEST_SHEET
from xlmplan.xlsx.bounded_copy import EXCEL_COLS, MAX_GRID_CELLS, reading_copy
from xlmplan.xlsx.error_text import MALICIOUS, show
from xlmplan.xlsx.package import Package, SheetRef, open_package, verify_parts
from xlmplan.xlsx.refresh_record import DataCopy, data_copy, data_key, part_keys

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
Q = f"{{{NS}}}"
EXCEL_MAX_ROWS = 1_048_576
MAX_OWNED_CELLS = 1_000_000
"""Most cells the manifest may give xlmplan on one sheet; a plan with 1,000 channels over
60 months owns far fewer, and a range over the whole sheet would make the refresh remove
every cell in it."""


@dataclass
class TableInfo:
    name: str
    part: str  # the table part
    sheet: SheetRef
    r1: int
    c1: int
    r2: int  # last data row as the part says
    c2: int
    header_rows: int = 1
    totals_rows: int = 0
    last: int = 0  # last data row after rows typed below it

    @property
    def grown(self) -> int:
        return self.last - self.r2


@dataclass
class PlanFile:
    path: Path
    pkg: Package
    manifest: dict[str, str]
    sheets: dict[str, SheetRef]  # role -> sheet
    tables: dict[str, TableInfo]  # displayName -> table
    names: dict[str, str]  # defined name -> its text (workbook scope)
    values: dict[str, list[list[Any]]] = field(default_factory=dict)  # sheet name -> cells
    loaded: dict[str, CalamineSheet] = field(default_factory=dict)
    # Roles an older version of xlmplan did not have: the manifest never listed them, so
    # the plan has no such sheet yet (refresh adds it).
    added: list[str] = field(default_factory=list)
    # Data as the refresh record keeps it, when it still matches the Data sheet (looked up
    # once: False until then)
    recorded: DataCopy | None | bool = False

    def close(self) -> None:
        self.pkg.close()

    def sheet(self, sheet: SheetRef) -> CalamineSheet:
        """A sheet's values as calamine reads them from a bounded copy (``bounded_copy``)."""
        if sheet.name not in self.loaded:
            from python_calamine import CalamineWorkbook  # only when a sheet is read

            copy = reading_copy(self.pkg, sheet, *self.plan_area(sheet))
            try:
                book = CalamineWorkbook.from_filelike(io.BytesIO(copy))
                try:
                    self.loaded[sheet.name] = book.get_sheet_by_name(sheet.name)
                finally:
                    book.close()
            except Exception as exc:  # calamine raises several unrelated error types
                raise WorkbookError(
                    f"{self.path}: sheet '{show(sheet.name)}' cannot be read ({show(str(exc))}) "
                    "— re-save it from Excel"
                ) from exc
        return self.loaded[sheet.name]

    def cells(self, sheet: SheetRef) -> list[list[Any]]:
        """Every value of a sheet from A1 (rows of equal length); on a sheet too large to
        hold whole, what lies right of or below what fits is left out (never ``plan_area``)."""
        if sheet.name not in self.values:
            self.values[sheet.name] = self.sheet(sheet).to_python(skip_empty_area=False)
        return self.values[sheet.name]

    def plan_area(self, sheet: SheetRef) -> tuple[int, int]:
        """How many columns from A, and rows from 1, hold what xlmplan reads or owns on
        ``sheet``: its Tables and the ranges the manifest records for it (A:B on the
        manifest)."""
        areas = [(0, 0, 0, 1 if sheet.name == MANIFEST_SHEET else 0)]
        areas += [(t.r1, t.c1, t.r2, t.c2) for t in self.tables.values() if t.sheet == sheet]
        for role, ref in self.sheets.items():
            if ref.name == sheet.name:
                for kind in ("owned", "cf", "dv"):
                    areas += map(parse_range, _ranges(self.manifest.get(f"{kind}.{role}", "")))
        return min(max(a[3] for a in areas), EXCEL_COLS - 1) + 1, max(a[2] for a in areas) + 1

    def table(self, role: str) -> TableInfo:
        for key, value in self.manifest.items():
            if key.startswith("table.") and value.split("|")[0] == role:
                name = key[len("table.") :]
                if name in self.tables:
                    return self.tables[name]
        raise WorkbookError(
            f"{self.path}: the {role} table is missing — it may have been deleted; "
            "restore it from the backup copy or create a new plan"
        )


def _unquote(sheet: str) -> str:
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def open_plan(path: Path, *, verify: bool = True) -> PlanFile:
    """Open a plan workbook for reading; raises WorkbookError for anything not a plan.
    Without ``verify`` only the parts read are inflated (each still checked as it is);
    when the file is then refused, a damaged part is named first, as with ``verify``."""
    pkg = open_package(path, verify=verify)
    try:
        try:
            return _open(path, pkg)
        except WorkbookError:
            if not verify:
                verify_parts(pkg)  # a damaged part explains a missing sheet or table
            raise
    except BaseException:
        pkg.close()
        raise


def _open(path: Path, pkg: Package) -> PlanFile:
    sheets = pkg.sheets()
    by_name = {s.name: s for s in sheets}
    if MANIFEST_SHEET not in by_name:
        raise WorkbookError(
            f"{path}: not an xlmplan plan (no '{MANIFEST_SHEET}' sheet) — "
            "create one with `xlmplan new`"
        )
    pf = PlanFile(path, pkg, {}, {}, {}, {})
    raw = pf.cells(by_name[MANIFEST_SHEET])
    manifest = {
        str(row[0]).strip(): str(row[1]).strip()
        for row in raw[1:]
        if len(row) > 1 and not is_blank(row[0])
    }
    _check_manifest(path, manifest)
    root = pkg.xml("xl/workbook.xml")
    names: dict[str, str] = {}
    for dn in root.iter(Q + "definedName"):
        if dn.get("localSheetId") is None:
            names[dn.get("name", "")] = dn.text or ""
    roles: dict[str, SheetRef] = {}
    added: list[str] = []
    for role in (*ROLES, "manifest"):
        target = names.get(ANCHOR + role, "")
        sheet_name = _unquote(target.rsplit("!", 1)[0]) if "!" in target else ""
        if sheet_name not in by_name:
            sheet_name = manifest.get(f"sheet.{role}", "")
        if role == "manifest":
            sheet_name = MANIFEST_SHEET
        if sheet_name not in by_name and _never_listed(role, manifest, names):
            added.append(role)
            continue
        if sheet_name not in by_name:
            shown = manifest.get(f"sheet.{role}", role)
            raise WorkbookError(
                f"{path}: the plan's '{shown}' sheet is missing — restore it from the "
                "backup copy, or build a new plan with `xlmplan new`"
            )
        roles[role] = by_name[sheet_name]
    tables: dict[str, TableInfo] = {}
    for sheet in sheets:
        for part in pkg.tables(sheet.part):
            el = pkg.xml(part)
            r1, c1, r2, c2 = parse_range(el.get("ref", "A1"))
            if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_GRID_CELLS:
                raise WorkbookError(
                    f"{path}: the table in {show(part)} covers {show(el.get('ref', ''), 30)}, "
                    f"more cells than a plan's tables ever hold — {MALICIOUS}"
                )
            totals = int(el.get("totalsRowCount", "0") or 0)
            info = TableInfo(
                el.get("displayName") or el.get("name") or part,
                part,
                sheet,
                r1,
                c1,
                r2 - totals,
                c2,
                int(el.get("headerRowCount", "1") or 1),
                totals,
            )
            info.last = info.r2
            tables[info.name] = info
    pf.manifest, pf.sheets, pf.tables, pf.names = manifest, roles, tables, names
    pf.added = added
    return pf


def _never_listed(role: str, manifest: dict[str, str], names: dict[str, str]) -> bool:
    """A role the plan's version of xlmplan did not have: neither its manifest row nor its
    anchor name exists (a sheet the plan had and the user deleted leaves both)."""
    return role not in ("data", "manifest") and (
        f"sheet.{role}" not in manifest and ANCHOR + role not in names
    )


_POSITIONS = ("health.start", "stamp.start")
RANGE_KINDS = ("owned", "formulas", "cf", "dv")  # manifest entries <kind>.<role>: cell ranges


def _ranges(text: str) -> list[str]:
    return [part for part in text.replace(";", " ").split() if part]


def _check_manifest(path: Path, manifest: dict[str, str]) -> None:
    """Refuse a manifest whose recorded cells are not cell addresses or cover more than
    ``MAX_OWNED_CELLS`` on a sheet: the refresh removes the cells it owned before, so an
    absurd range would cost unbounded memory and could take the user's cells with it."""
    for key, value in manifest.items():
        kind = key.split(".", 1)[0]
        if kind not in RANGE_KINDS and key not in _POSITIONS:
            continue
        cells = 0
        try:
            if key in _POSITIONS:
                parse_a1(value)
            for rng in _ranges(value) if kind in RANGE_KINDS else []:
                r1, c1, r2, c2 = parse_range(rng)
                if r2 < r1 or c2 < c1 or r2 >= EXCEL_MAX_ROWS or c2 >= EXCEL_COLS:
                    raise ValueError(rng)
                cells += (r2 - r1 + 1) * (c2 - c1 + 1)
        except ValueError:
            raise WorkbookError(
                f"{path}: the plan's hidden manifest sheet '{MANIFEST_SHEET}' has a damaged "
                f"entry '{show(key, 40)}' ({show(value, 40)}) — restore the plan from its "
                "backup copy"
            ) from None
        if kind == "owned" and cells > MAX_OWNED_CELLS:
            raise WorkbookError(
                f"{path}: the plan's hidden manifest sheet '{MANIFEST_SHEET}' gives xlmplan "
                f"{cells:,} cells in '{show(key, 40)}', more than a plan ever has "
                f"({MAX_OWNED_CELLS:,}) — restore the plan from its backup copy"
            )


def _grow(info: TableInfo, cells: list[list[Any]]) -> None:
    """Take in rows typed directly below a Table (no totals row) into it."""
    if info.totals_rows:
        return
    r = info.r2 + 1
    while r < len(cells) and any(not is_blank(v) for v in cells[r][info.c1 : info.c2 + 1]):
        r += 1
    info.last = r - 1


def input_tables(pf: PlanFile) -> dict[str, TableCells]:
    """Every input Table by role, grown by rows typed below the growing ones."""
    out: dict[str, TableCells] = {}
    for key, value in pf.manifest.items():
        if not key.startswith("table."):
            continue
        role = value.split("|")[0]
        if role == "data":
            continue
        info = pf.table(role)
        cells = pf.cells(info.sheet)
        if role in GROWING:
            _grow(info, cells)
        out[role] = TableCells(
            info.sheet.name,
            info.r1,
            info.c1,
            [str(v) for v in _row(cells, info, info.r1)],
            [_row(cells, info, r) for r in range(info.r1 + info.header_rows, info.last + 1)],
        )
    return out


def _row(cells: list[list[Any]], info: TableInfo, r: int) -> list[Any]:
    values = cells[r][info.c1 : info.c2 + 1] if r < len(cells) else []
    return list(values) + [None] * (info.c2 - info.c1 + 1 - len(values))


def recorded_data(pf: PlanFile) -> DataCopy | None:
    """Data as the last refresh parsed it, when the refresh record's key still matches
    the Data sheet, its Table, shared strings, styles and date system (None otherwise)."""
    if pf.recorded is False:
        info = pf.table("data")
        key = data_key(pf.pkg, part_keys(pf.pkg), info.sheet.name, info.sheet.part, info.part)
        pf.recorded = data_copy(pf.pkg, key)
    return pf.recorded if isinstance(pf.recorded, DataCopy) else None


def data_frame(pf: PlanFile) -> pd.DataFrame:
    """The Data table (grown by rows typed below it) as the canonical frame: from the
    refresh record when the Data sheet is the one it was parsed from, else parsed."""
    copy = recorded_data(pf)
    if copy is not None:
        return copy.frame.copy()
    return parse_data_frame(pf)


def parse_data_frame(pf: PlanFile) -> pd.DataFrame:
    """The Data table (grown by rows typed below it) parsed from the Data sheet."""
    info = pf.table("data")
    cells = pf.cells(info.sheet)
    if len(cells) >= EXCEL_MAX_ROWS:
        raise DataError(
            f"{pf.path}: sheet '{info.sheet.name}' reaches Excel's last row "
            f"({EXCEL_MAX_ROWS:,}) — the data may have been cut off; split it by year "
            "and keep one year per plan"
        )
    merged = pf.sheet(info.sheet).merged_cell_ranges or []
    for (mr1, mc1), (mr2, mc2) in merged:
        if mr2 >= info.r1 and info.c1 <= mc2 and mc1 <= info.c2:
            raise DataError(
                f"{pf.path}: sheet '{info.sheet.name}' has merged cells at row {mr1 + 1} — "
                "unmerge them (Home › Merge & Center) so every row has its own values"
            )
    _grow(info, cells)
    header = [str(v) for v in cells[info.r1][info.c1 : info.c2 + 1]]
    body = cells[info.r1 + 1 : info.last + 1]
    if body:
        grid = np.array(body, dtype=object)[:, info.c1 : info.c2 + 1]
        df = pd.DataFrame({j: _typed(grid[:, j]) for j in range(grid.shape[1])})
        df.columns = pd.Index(header)
    else:
        df = pd.DataFrame(columns=header)
    rows = np.arange(info.r1 + 2, info.r1 + 2 + len(df))
    return canonical_frame(
        df, f"{pf.path.name} sheet '{info.sheet.name}'", rows=rows, aliases=data_header_aliases()
    )


def _typed(column: np.ndarray) -> pd.Series:
    """A column of cell values as float64 or datetime64 when every filled cell is one,
    else as objects (canonical_frame then reads, or names, each odd cell)."""
    empty = column == ""
    filled = column[~empty]
    if len(filled) and all(type(v) is float for v in filled[:: max(len(filled) // 64, 1)]):
        try:
            values = column.copy()
            values[empty] = np.nan
            return pd.Series(values.astype(np.float64))
        except (TypeError, ValueError):
            pass
    sample = filled[:: max(len(filled) // 64, 1)]
    if len(filled) and all(type(v) in (dt.date, dt.datetime) for v in sample):
        try:
            values = column.copy()
            values[empty] = None
            return pd.Series(values.astype("datetime64[us]"))  # ns would wrap after 2262
        except (TypeError, ValueError):
            pass
    values = column.copy()
    values[empty] = None
    return pd.Series(values, dtype=object)
