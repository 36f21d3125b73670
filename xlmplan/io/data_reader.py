"""Read a user's data file (CSV or xlsx) into the canonical Data table."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from xlmplan.core.data import DATA_COLUMNS, canonical_frame, normalise_header
from xlmplan.core.template import data_header_aliases
from xlmplan.errors import DataError, WorkbookError
from xlmplan.io.export_text import read_cells, read_file, split_line
from xlmplan.io.flat_large import handles, read_flat
from xlmplan.xlsx.bounded_copy import read_whole_sheets

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")  # \x1a: DOS end-of-file
READ_NOTES = "xlmplan.read_notes"  # DataFrame.attrs key: what reading the file did


def read_notes(frame: pd.DataFrame) -> list[str]:
    """What `read_data` did to the file's rows that the user should know (summed rows)."""
    return list(frame.attrs.get(READ_NOTES, []))


def read_data(path: Path, *, sep: str | None = None) -> pd.DataFrame:
    """Read CSV (delimiter sniffed unless `sep`) or xlsx into `canonical_frame` form;
    Parquet, and CSV over a sheet's rows, through `flat_large` (its notes in ``attrs``)."""
    path = Path(path)
    if handles(path):
        frame, notes = read_flat(path)
        frame.attrs[READ_NOTES] = notes
        return frame
    name = path.name
    raw = read_file(path)
    suffix = path.suffix.lower()
    if raw.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise DataError(
            f"{name}: old Excel .xls (or other non-xlsx binary) format is not supported — "
            "open it in Excel and save as .xlsx or CSV UTF-8."
        )
    if raw.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if suffix in (".xlsx", ".xlsm"):
        raise DataError(f"{name}: not a valid .xlsx workbook — re-save it from Excel as .xlsx.")
    return _read_csv(name, _decode(name, raw), sep)


def _decode(name: str, raw: bytes) -> str:
    """UTF-8 (with/without BOM), UTF-16 with BOM, else cp1252; reject binary data."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252") if encoding == "utf-8" else ""
        except UnicodeDecodeError:
            text = ""
        if not text:
            raise DataError(
                f"{name}: not a readable text/CSV file — save it as CSV UTF-8 or .xlsx."
            ) from None
    if _BINARY.search(text, 0, 100_000):
        raise DataError(
            f"{name}: contains binary data, not CSV text (UTF-16 without BOM?) — "
            "save it as CSV UTF-8 or .xlsx."
        )
    return text.rstrip("\x1a")


def _score(line: str, delimiter: str) -> tuple[int, int]:
    fields = split_line(line, delimiter)
    aliases = data_header_aliases()
    known = {aliases.get(normalise_header(f), normalise_header(f)) for f in fields}
    known &= set(DATA_COLUMNS)
    return len(known), len(fields)


def _sniff(header: str) -> str:
    """Pick the delimiter whose header split names the most canonical columns."""
    return max(DELIMITERS, key=lambda d: (_score(header, d), -DELIMITERS.index(d)))


def _check_delimiter(name: str, lines: list[str], delimiter: str) -> None:
    """Reject a file whose header or rows only make sense with another delimiter."""
    numbered = [(i, ln) for i, ln in enumerate(lines, start=1) if ln.strip()][:21]
    header = numbered[0][1]
    used = _DELIMITER_NAMES[delimiter]
    width = len(split_line(header, delimiter))
    for other in DELIMITERS:
        if other == delimiter:
            continue
        wanted = _DELIMITER_NAMES[other]
        if width == 1 and _score(header, other)[0] >= 2:
            raise DataError(
                f"{name}: looks like {wanted}-separated, but was read as {used}-separated "
                f"(only one column found) — read it with {wanted} as delimiter."
            )
        for row, line in numbered[1:] if width > 1 else []:
            if len(split_line(line, delimiter)) == 1 and len(split_line(line, other)) > 1:
                raise DataError(
                    f"{name}, row {row}: looks like {wanted}-separated while the header is "
                    f"{used}-separated — use one delimiter throughout the file."
                )


def _read_csv(name: str, text: str, sep: str | None) -> pd.DataFrame:
    lines = text[:200_000].splitlines()[:200]
    header = next((ln for ln in lines if ln.strip()), None)
    if header is None:
        raise DataError(f"{name}: the file is empty — put a header row and data rows in it.")
    delimiter = sep if sep is not None else _sniff(header)
    if delimiter not in DELIMITERS:
        raise DataError(f"{name}: delimiter {delimiter!r} is not supported — use ',' ';' or tab.")
    _check_delimiter(name, lines, delimiter)
    table = read_cells(name, text, delimiter, len(split_line(header, delimiter)))
    top = _header_row(table)
    if top < 0:
        raise DataError(f"{name}: no data rows — put the header in row 1 and data below it.")
    width = max(j for j, v in enumerate(table.iloc[top]) if not _blank(v)) + 1
    for j in range(width, table.shape[1]):
        overflow = _filled(table.iloc[top + 1 :, j])
        if overflow.any():
            row = top + 2 + int(overflow.argmax())
            raise DataError(
                f"{name}, row {row}: more fields than the {width} header columns — quote values "
                f'that contain {_DELIMITER_NAMES[delimiter]} (e.g. "1,234.5") or add a header.'
            )
    return _from_cells(name, table.iloc[:, :width])


def _read_xlsx(path: Path) -> pd.DataFrame:
    name = path.name
    try:
        grids = read_whole_sheets(path)
        sheets = list(grids)
        chosen = next((s for s in sheets if s.strip().lower() == "data"), sheets[0])
        cells = grids[chosen]
    except WorkbookError as exc:  # refused by the package reader: its line says why
        raise DataError(str(exc).replace(str(path), name, 1)) from None
    except Exception as exc:  # calamine raises several unrelated error types
        raise DataError(
            f"{name}: cannot open as an xlsx workbook ({type(exc).__name__}) — "
            "re-save it from Excel as .xlsx or CSV UTF-8."
        ) from None
    if not cells:
        raise DataError(
            f"{name}, sheet {chosen!r}: the sheet is empty — put a header row and data in it."
        )
    width = max(len(r) for r in cells)
    table = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in cells], dtype=object)
    return _from_cells(f"{name}, sheet {chosen!r}" if len(sheets) > 1 else name, table)


def _from_cells(source: str, table: pd.DataFrame) -> pd.DataFrame:
    """Header = first non-empty row; rows below keep their 1-based file row numbers."""
    top = _header_row(table)
    if top < 0:
        raise DataError(f"{source}: no data rows — put the header in row 1 and data below it.")
    headers: list[str] = []
    used: list[int] = []
    for j, cell in enumerate(table.iloc[top]):
        text = _header_text(cell)
        if text or _filled(table.iloc[top + 1 :, j]).any():
            headers.append(text or f"column {j + 1}")
            used.append(j)
    body = table.iloc[top + 1 :, used].reset_index(drop=True)
    body.columns = pd.Index(headers, dtype=object)
    rows = np.arange(top + 2, top + 2 + len(body))
    return canonical_frame(body, source, rows=rows, aliases=data_header_aliases())


def _blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and np.isnan(value))


def _header_row(table: pd.DataFrame) -> int:
    """Index of the first row holding a non-blank cell, or -1."""
    for i in range(len(table)):
        if not all(_blank(v) for v in table.iloc[i]):
            return i
    return -1


def _filled(column: pd.Series) -> np.ndarray:
    """True where a raw cell holds something other than blank text (checks distinct values)."""
    codes, uniques = pd.factorize(column)
    blank = [_blank(u) for u in uniques]
    return ~np.array([*blank, True], dtype=bool)[codes]


def _header_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
