"""Read formula-cell values three ways (cached in the file, `formulas`, LibreOffice) and compare.

All readers return ``{sheet name: {"B7": value}}`` for formula cells only, normalised the
same way as ``xlmplan.libreoffice.recalculate``: numbers -> float, bools stay bool, text ->
str ("" for empty text), None for an empty result, errors -> markers like "#DIV/0!".
"""

from __future__ import annotations

import datetime
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from xlmplan.libreoffice import runner

CellValues = dict[str, dict[str, object]]

ERROR_MARKERS = frozenset(
    {"#DIV/0!", "#NAME?", "#VALUE!", "#REF!", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
_ERR_CODE = re.compile(r"#ERR\d+")
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")

NEEDS_LO = pytest.mark.skipif(
    not runner.available() and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (bash scripts/test.sh installs it)",
)


def is_error(value: object) -> bool:
    """True for an error marker such as "#DIV/0!" or LibreOffice's "#ERR522"."""
    return isinstance(value, str) and (value in ERROR_MARKERS or bool(_ERR_CODE.fullmatch(value)))


def normalise(value: Any) -> object:
    """Map numpy scalars, ints, dates, errors and empties onto float / bool / str / None."""
    if value is None or type(value).__name__ in {"Empty", "_Empty"} or repr(value) == "empty":
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)):
        return float(to_excel(value))  # openpyxl turns date-formatted numbers into datetimes
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return str.__str__(value)  # plain str, also for formulas' XlError("#DIV/0!")
    return str(value)


def _formula_cells(xlsx: Path) -> dict[str, list[str]]:
    """Sheet name -> addresses of the cells that hold a formula, in workbook order."""
    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=False)
    try:
        found: dict[str, list[str]] = {}
        for ws in wb.worksheets:
            refs: list[str] = []
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, (ArrayFormula, DataTableFormula)) or (
                        getattr(cell, "data_type", None) == "f"
                    ):
                        refs.append(cell.coordinate)
            found[ws.title] = refs
        return found
    finally:
        wb.close()


def cached_values(xlsx: Path) -> CellValues:
    """Cached values of formula cells as written in the file (openpyxl, no calculation)."""
    cells = _formula_cells(xlsx)
    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    try:
        out: CellValues = {}
        for ws in wb.worksheets:
            wanted = set(cells.get(ws.title, ()))
            values: dict[str, object] = {}
            if wanted:
                for row in ws.iter_rows():
                    for cell in row:
                        ref = getattr(cell, "coordinate", None)
                        if ref in wanted:
                            values[ref] = normalise(cell.value)
            out[ws.title] = {ref: values.get(ref) for ref in cells.get(ws.title, ())}
        return out
    finally:
        wb.close()


def formulas_values(xlsx: Path) -> CellValues:
    """Formula cells evaluated by the `formulas` package (independent of the cached values).

    Cells `formulas` did not compute are left out (``compare`` reports them as missing).

    `formulas` keys results like "'[book.xlsx]SHEET'!A1" with upper-cased sheet names;
    they are mapped back to the real names case-insensitively.
    """
    import formulas  # slow import; only when used

    cells = _formula_cells(xlsx)
    model = formulas.ExcelModel().loads(str(xlsx)).finish()
    solution = model.calculate()
    by_key: dict[tuple[str, str], Any] = {}
    for key, ranges in solution.items():
        sheet_part, sep, ref = str(key).rpartition("!")
        if not sep or ":" in ref:
            continue
        sheet = sheet_part.strip("'").replace("''", "'")
        sheet = sheet.split("]", 1)[1] if sheet.startswith("[") else sheet
        match = _CELL_REF.fullmatch(ref.upper())
        if match:
            value = getattr(ranges, "value", ranges)
            if hasattr(value, "shape") and value.shape:
                value = value.ravel()[0]
            by_key[(sheet.upper(), match.group(1) + match.group(2))] = value
    out: CellValues = {}
    for sheet, refs in cells.items():
        key = sheet.upper()
        out[sheet] = {ref: normalise(by_key[(key, ref)]) for ref in refs if (key, ref) in by_key}
    return out


def _fmt(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _same(a: object, b: object, rel_tol: float, abs_tol: float) -> bool:
    if a in ("", None) and b in ("", None):
        return True
    a_num = isinstance(a, (int, float)) and not isinstance(a, str)
    b_num = isinstance(b, (int, float)) and not isinstance(b, str)
    if a_num and b_num:
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)  # type: ignore[arg-type]
    return a == b


def compare(
    expected: Mapping[str, Mapping[str, object]],
    actual: Mapping[str, Mapping[str, object]],
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-9,
    *,
    expected_label: str = "cached",
    actual_label: str = "libreoffice",
    allow_errors: bool = False,
) -> list[str]:
    """Human-readable mismatches like "Sheet!B7: cached 1.5 vs libreoffice 1.49".

    "" and None are equal; numbers (and bools) compare with ``math.isclose``; an error
    marker in ``actual`` is always a mismatch unless ``allow_errors`` and it equals expected.
    Cells present on only one side are reported too.
    """
    problems: list[str] = []
    for sheet in dict.fromkeys([*expected, *actual]):
        exp = expected.get(sheet, {})
        act = actual.get(sheet, {})
        for ref in dict.fromkeys([*exp, *act]):
            where = f"{sheet}!{ref}"
            if ref not in act:
                problems.append(
                    f"{where}: {expected_label} {_fmt(exp[ref])}, missing in {actual_label}"
                )
                continue
            if ref not in exp:
                problems.append(
                    f"{where}: {actual_label} {_fmt(act[ref])}, missing in {expected_label}"
                )
                continue
            e, a = exp[ref], act[ref]
            if is_error(a) and not (allow_errors and a == e):
                problems.append(f"{where}: {expected_label} {_fmt(e)} vs {actual_label} error {a}")
            elif not _same(e, a, rel_tol, abs_tol):
                problems.append(f"{where}: {expected_label} {_fmt(e)} vs {actual_label} {_fmt(a)}")
    return problems
