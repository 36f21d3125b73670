"""The canonical Data table: column names, header matching and cell normalisation.

Pure pandas/numpy: readers hand over raw cells, `canonical_frame` turns them into
the table every other module relies on, or raises a one-line `DataError`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from xlmplan.core.date_bounds import FIRST_DAY, LAST_DAY, in_range, outside_days, outside_text
from xlmplan.core.xml_text import clean_frame
from xlmplan.errors import DataError

KEY_COLUMNS = ("date", "channel", "campaign")
MEASURES = (
    "impressions",
    "clicks",
    "sessions",
    "conversions",
    "revenue",
    "spend",
    "new_customers",
)
DATA_COLUMNS = KEY_COLUMNS + MEASURES

CLEANED = "xlmplan.cleaned"  # DataFrame.attrs key of cleaned_notes
LARGEST = 1e15  # refused from here: Excel keeps 15 digits; larger sums and ratios overflow
SMALLEST = 1e-9  # a ratio over a smaller divisor overflows too
SIZE_PROBLEM = (
    "is not a size a plan can compute with (0, or between 0.000000001 and "
    "999,999,999,999,999) — check the value"
)
DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2026-01-31)"
NUMBER_HINT = "use digits with '.' as decimal point, or leave the cell empty"

_HEADER_JUNK = re.compile(r"[\W_]+")
_NA_TOKENS = ("na", "n/a", "nan", "null", "none", "-", "--")
_PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_GROUPED_NUMBER = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})*,\d+|[+-]?\d+,\d{1,2}")
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_RE = rf"^(\d{{4}})(?:[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}|(\d{{2}})(\d{{2}}))$"
_AMBIGUOUS_DATE = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b.*")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MAX_SERIAL = 2958466  # 9999-12-31 + 1
_FIRST_SERIAL = int((FIRST_DAY - _EXCEL_EPOCH).astype(np.int64))
_LAST_SERIAL = int((LAST_DAY - _EXCEL_EPOCH).astype(np.int64))


def normalise_header(name: str) -> str:
    """Match headers loosely: ' New Customers ', 'New-Customers' -> 'new_customers'."""
    return _HEADER_JUNK.sub("_", str(name).strip().lower()).strip("_")


def canonical_frame(
    df: pd.DataFrame,
    source: str,
    *,
    rows: Sequence[int] | np.ndarray | None = None,
    aliases: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Return `df` as the canonical Data table (DATA_COLUMNS first, then extras).

    `source` names the input in error messages; `rows` gives the file row number
    of each input row (default: header is row 1, so row i is i + 2). `aliases` maps
    normalised headers in other languages to column keys. Fully empty rows are dropped.
    Text XML cannot carry is replaced by U+FFFD and summed up in ``cleaned_notes``.
    Raises DataError with a one-line, fixable message.
    """
    row_no = np.arange(2, len(df) + 2) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(row_no) != len(df):
        raise ValueError("rows must give one row number per DataFrame row")
    headers = [str(c) for c in df.columns]
    where: dict[str, int] = {}
    extras: list[int] = []
    for i, header in enumerate(headers):
        key = normalise_header(header)
        key = aliases.get(key, key) if aliases else key
        if key not in DATA_COLUMNS:
            extras.append(i)
        elif key in where:
            first = headers[where[key]]
            raise DataError(
                f"{source}: columns {first!r} and {header!r} both mean {key!r} — "
                "keep only one of them."
            )
        else:
            where[key] = i
    for key in ("date", "channel"):
        if key not in where:
            found = ", ".join(repr(h) for h in headers) or "none"
            raise DataError(
                f"{source}: no {key!r} column (headers found: {found}) — the first row must "
                f"name the columns, at least 'date' and 'channel' (optional: "
                f"{', '.join(DATA_COLUMNS[2:])})."
            )

    cols = {key: _clean(df.iloc[:, i]) for key, i in where.items()}
    blank = np.ones(len(df), dtype=bool)
    for s in cols.values():
        blank &= s.isna().to_numpy()
    for i in extras:
        blank &= _clean(df.iloc[:, i]).isna().to_numpy()
    keep = ~blank
    if not keep.any():
        raise DataError(f"{source}: no data rows — put the header in row 1 and data below it.")
    row_no = row_no[keep]
    cols = {key: s[keep].reset_index(drop=True) for key, s in cols.items()}

    def label(key: str) -> str:
        return headers[where[key]]

    out: dict[str, object] = {"date": _dates(cols["date"], row_no, source, label("date"))}
    out["channel"] = _texts(cols["channel"], row_no, source, label("channel"), required=True)
    if "campaign" in cols:
        out["campaign"] = _texts(cols["campaign"], row_no, source, label("campaign"))
    else:
        out["campaign"] = np.full(int(keep.sum()), "", dtype=object)
    for key in MEASURES:
        if key in cols:
            out[key] = _numbers(cols[key], row_no, source, label(key))
        else:
            out[key] = np.full(int(keep.sum()), np.nan)
    for key in ("channel", "campaign"):  # object text: held as read until it is cleaned
        out[key] = pd.Series(np.asarray(out[key], dtype=object), dtype=object)
    frame = pd.DataFrame(out)
    if extras:  # in one concat: a column at a time fragments the frame (minutes for 2,000)
        kept = pd.DataFrame(
            {j: df.iloc[:, i].to_numpy(dtype=object)[keep] for j, i in enumerate(extras)},
            dtype=object,
        )
        kept.columns = [headers[i] for i in extras]
        frame = pd.concat([frame, kept], axis=1)
    order = np.argsort(frame["date"].to_numpy(), kind="stable")
    frame, notes = clean_frame(frame.take(order).reset_index(drop=True), source)
    frame.attrs[CLEANED] = notes
    return frame


def cleaned_notes(frame: pd.DataFrame) -> list[str]:
    """The lines ``canonical_frame`` left on ``frame`` about text cells it had to clean
    (one per column; see ``core.xml_text``), for the reader to tell the user."""
    return list(frame.attrs.get(CLEANED, []))


def _clean(s: pd.Series) -> pd.Series:
    """Strip text cells; blank text becomes None. Returns object dtype unless numeric/dates."""
    if s.dtype.kind in "biufcmM":
        return s
    if _all_text(s):
        codes, uniques = pd.factorize(s)  # strip each distinct value once
        stripped = [u.strip() or None for u in uniques]
        table = np.array([*stripped, None], dtype=object)  # code -1 (missing) -> None
        return pd.Series(table[codes], dtype=object)
    return s.map(lambda v: (v.strip() or None) if isinstance(v, str) else v).astype(object)


def _all_text(s: pd.Series) -> bool:
    return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")


def _kinds(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Masks of cleaned cells that are text, numbers, dates/datetimes, and missing."""
    missing = s.isna().to_numpy(dtype=bool)
    none = np.zeros(len(s), dtype=bool)
    if _all_text(s):
        return ~missing, none, none, missing
    kind = s.map(_kind_code).to_numpy(dtype=np.int8)
    return (kind == 1) & ~missing, (kind == 2) & ~missing, (kind == 3) & ~missing, missing


def _kind_code(v: object) -> int:
    if isinstance(v, str):
        return 1
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_):
        return 2
    if isinstance(v, dt.date | np.datetime64):
        return 3
    return 0


def _fail(source: str, row: int, column: str, problem: str) -> DataError:
    return DataError(f"{source}, row {row}, column {column!r}: {problem}")


def _texts(
    s: pd.Series, row_no: np.ndarray, source: str, column: str, *, required: bool = False
) -> np.ndarray:
    """Key text column as an object array of str; missing -> '' (or an error)."""
    missing = s.isna().to_numpy()
    if required and missing.any():
        row = int(row_no[missing.argmax()])
        raise _fail(source, row, column, f"the cell is empty — every data row needs a {column}.")
    values = s.to_numpy(dtype=object).copy()
    values[missing] = ""
    if _all_text(s):
        return values
    for i in np.flatnonzero(~missing):
        v = values[i]
        if not isinstance(v, str):
            is_whole = isinstance(v, float) and v.is_integer()
            values[i] = str(int(v)) if is_whole else str(v)
    return values


def _numbers(s: pd.Series, row_no: np.ndarray, source: str, column: str) -> np.ndarray:
    """Measure column as float64 (empty cells NaN); text raises DataError."""
    if s.dtype.kind in "iuf":
        out = s.to_numpy(dtype=np.float64)
    else:
        obj = s.astype(object)
        is_text, is_num, _, missing = _kinds(s)
        other = ~(is_text | is_num | missing)
        if other.any():
            i = int(other.argmax())
            problem = f"{obj.iloc[i]!r} is not a number — {NUMBER_HINT}."
            raise _fail(source, int(row_no[i]), column, problem)
        out = np.full(len(s), np.nan)
        if is_num.any():
            out[is_num] = obj[is_num].to_numpy(dtype=np.float64)
        if is_text.any():
            out[is_text] = _parse_number_text(obj[is_text], row_no[is_text], source, column)
    bad = np.isinf(out)
    if bad.any():
        i = int(bad.argmax())
        raise _fail(
            source,
            int(row_no[i]),
            column,
            f"{float(out[i])!r} is not a finite number — {NUMBER_HINT}.",
        )
    size = np.abs(out)
    odd = (size >= LARGEST) | ((size > 0) & (size < SMALLEST))
    if odd.any():
        i = int(odd.argmax())
        raise _fail(source, int(row_no[i]), column, f"{float(out[i])!r} {SIZE_PROBLEM}.")
    return out


def _parse_number_text(text: pd.Series, row_no: np.ndarray, source: str, column: str) -> np.ndarray:
    """Parse stripped number text, each distinct value once; bad text raises DataError."""
    codes, uniques = pd.factorize(text)
    values = pd.Series(uniques, dtype=object).astype("str")
    na = values.str.lower().isin(_NA_TOKENS).to_numpy(dtype=bool)
    grouped = values.str.fullmatch(_GROUPED_NUMBER).to_numpy(dtype=bool)
    plain = values.str.fullmatch(_PLAIN_NUMBER).to_numpy(dtype=bool)
    bad = ~(na | grouped | plain)
    if bad.any():
        i = int(np.isin(codes, np.flatnonzero(bad)).argmax())
        value = str(text.iloc[i])
        if _DECIMAL_COMMA.fullmatch(value):
            why = (
                "looks like a decimal comma — use '.' as decimal point (',' only between thousands)"
            )
        elif value.startswith("#"):
            why = "is an Excel error value — fix the formula or clear the cell"
        else:
            why = f"is not a number — {NUMBER_HINT}"
        raise _fail(source, int(row_no[i]), column, f"{value!r} {why}.")
    cleaned = values.where(~grouped, values.str.replace(",", "", regex=False)).where(~na)
    return pd.to_numeric(cleaned).to_numpy(dtype=np.float64)[codes]


def _dates(s: pd.Series, row_no: np.ndarray, source: str, column: str) -> np.ndarray:
    """Date column as datetime64[ns] at midnight; anything unreadable raises DataError."""
    if s.dtype.kind == "M":
        series = s.dt.tz_localize(None) if getattr(s.dtype, "tz", None) else s
        days = series.to_numpy().astype("datetime64[D]")
        days[outside_days(days)] = np.datetime64("NaT")
        out = days.astype("datetime64[ns]")
    else:
        obj = s.astype(object)
        out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
        is_text, is_num, is_date, _ = _kinds(s)
        if is_text.any():
            out[is_text] = _parse_date_text(obj[is_text])
        if is_num.any():
            out[is_num] = _parse_date_number(obj[is_num].to_numpy(dtype=np.float64))
        if is_date.any():
            out[is_date] = [_to_midnight(v) for v in obj[is_date]]
        out[outside_days(out)] = np.datetime64("NaT")
    bad = np.isnat(out)
    if bad.any():
        i = int(bad.argmax())
        value = s.iloc[i]
        if isinstance(value, np.integer | np.floating):  # a typed column: name 7, not np.int64(7)
            value = value.item()
        day = _calendar_date(value)
        if day is not None and not in_range(day):
            problem = f"{outside_text(day)} — check the year; {DATE_HINT}."
        elif pd.isna(value):
            problem = "the cell is empty — every data row needs a date (delete total or note rows)."
        elif isinstance(value, str) and re.fullmatch(_DATE_RE, value):
            problem = f"{value!r} is not a valid calendar date — check the day and month."
        elif isinstance(value, str) and _AMBIGUOUS_DATE.fullmatch(value):
            problem = f"{value!r} has an ambiguous day/month order — {DATE_HINT}."
        else:
            problem = f"{value!r} is not a date I can read — {DATE_HINT}."
        raise _fail(source, int(row_no[i]), column, problem)
    return out


def _parse_date_text(text: pd.Series) -> np.ndarray:
    """ISO-like year-first text (2026-01-31, 2026/01/31, 20260131); else NaT."""
    codes, uniques = pd.factorize(text)
    parts = pd.Series(uniques, dtype=object).astype("str").str.extract(_DATE_RE)
    ymd = pd.DataFrame(
        {
            "year": parts[0],
            "month": parts[1].fillna(parts[3]),
            "day": parts[2].fillna(parts[4]),
        }
    ).astype("float64")
    return _bounded(pd.to_datetime(ymd, errors="coerce"))[codes]


def _bounded(stamps: pd.Series) -> np.ndarray:
    """Parsed dates as datetime64[ns], NaT where outside the range (checked before the
    conversion to nanoseconds, which would wrap them)."""
    days = stamps.to_numpy().astype("datetime64[D]")
    days[outside_days(days)] = np.datetime64("NaT")
    return days.astype("datetime64[ns]")


def _parse_date_number(values: np.ndarray) -> np.ndarray:
    """Excel serial numbers, or 8-digit YYYYMMDD numbers; else NaT."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    compact = (values >= 1e7) & (values < 1e8) & (values == np.floor(values))
    if compact.any():
        v = values[compact]
        ymd = pd.DataFrame({"year": v // 10000, "month": v // 100 % 100, "day": v % 100})
        out[compact] = _bounded(pd.to_datetime(ymd, errors="coerce"))
    serial = ~compact & (values >= _FIRST_SERIAL) & (values < _LAST_SERIAL + 1)
    if serial.any():
        days = np.floor(values[serial]).astype(np.int64)
        out[serial] = (_EXCEL_EPOCH + days).astype("datetime64[ns]")
    return out


def _calendar_date(value: object) -> dt.date | None:
    """The calendar date a cell names (text, serial, YYYYMMDD or date), in any year 1..9999,
    so a date outside the range can be named in the message; else None."""
    if isinstance(value, np.datetime64):
        try:
            value = pd.Timestamp(value) if not np.isnat(value) else None
        except (ValueError, OverflowError):  # past any calendar year pandas can hold
            return None
    if value is pd.NaT:  # a datetime to isinstance, but no day
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if isinstance(value, str) and (m := re.fullmatch(_DATE_RE, value.strip())):
            month, day = m[2] or m[4], m[3] or m[5]
            return dt.date(int(m[1]), int(month), int(day))
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            if 1e7 <= value < 1e8 and float(value).is_integer():
                v = int(value)
                return dt.date(v // 10000, v // 100 % 100, v % 100)
            if 1 <= value < _MAX_SERIAL:
                return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    except ValueError:
        return None
    return None


def _to_midnight(value: object) -> np.datetime64:
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return np.datetime64("NaT")
    if not in_range(stamp.date()):
        return np.datetime64("NaT")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize().to_datetime64().astype("datetime64[ns]")
