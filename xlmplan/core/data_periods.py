"""Date ranges of Data rows, so an import never counts a day twice nor drops one.

A row of a report aggregated over a range (dated at its last day) remembers the range in
the Data columns ``period_start`` and ``period_end`` (ISO text; blank for a row of one day,
whose range is its date). The columns are ordinary extra columns: the user sees them
beside the row, they move with the row when Data is sorted or edited, and refresh keeps
them as it keeps the whole Data sheet.

Rows are compared per channel and campaign. New rows replace the old rows their ranges
cover together (the same range, or a wider one); an old row they overlap without covering
it is refused, as are new rows whose ranges overlap one another without being the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlmplan.core.data import normalise_header
from xlmplan.errors import DataError

PERIOD_START = "period_start"
PERIOD_END = "period_end"
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_KEYS = ["channel", "campaign"]


def period_columns(columns: Iterable[object]) -> tuple[str, str] | None:
    """The Data headers of the two period columns (matched loosely), or None."""
    found = {normalise_header(str(c)): str(c) for c in columns}
    if PERIOD_START in found and PERIOD_END in found:
        return found[PERIOD_START], found[PERIOD_END]
    return None


def with_period_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with empty period columns when it has none (a new plan's Data)."""
    if period_columns(frame.columns) is not None:
        return frame
    return frame.assign(**{PERIOD_START: None, PERIOD_END: None})


def row_ranges(frame: pd.DataFrame, source: str) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (datetime64[D]) each row covers: its period cells, else its date.

    ``source`` names the table in the error a cell that is not a date raises."""
    date = frame["date"].to_numpy().astype("datetime64[D]")
    start, end = date.copy(), date.copy()
    columns = period_columns(frame.columns)
    if columns is None:
        return start, end
    for column, out in zip(columns, (start, end), strict=True):
        days = _days(frame[column], source, column)
        has = ~np.isnat(days)
        out[has] = days[has]
    wrong = end < start
    if wrong.any():
        i = int(wrong.argmax())
        raise DataError(
            f"{source}, columns {columns[0]!r}/{columns[1]!r}: the range {_day(start[i])} to "
            f"{_day(end[i])} ends before it starts — correct or clear the two cells."
        )
    return start, end


def _days(column: pd.Series, source: str, name: str) -> np.ndarray:
    out = np.full(len(column), np.datetime64("NaT"), dtype="datetime64[D]")
    values = column.to_numpy(dtype=object)
    filled = ~pd.isna(values) & (values != "")  # most rows are days: only ranges are read
    for i in np.flatnonzero(filled):
        value = values[i]
        try:
            if isinstance(value, dt.date | pd.Timestamp | np.datetime64):
                out[i] = np.datetime64(pd.Timestamp(value).date(), "D")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                out[i] = _EXCEL_EPOCH + int(value)
            else:
                out[i] = np.datetime64(dt.date.fromisoformat(str(value).strip()[:10]), "D")
        except (ValueError, OverflowError):
            raise DataError(
                f"{source}, column {name!r}: {value!r} is not a date — write the first and "
                "last day of the row's range as YYYY-MM-DD, or clear both cells for one day."
            ) from None
    return out


@dataclass
class Overlaps:
    """What the new rows do to the old ones: which old rows they replace, and notes."""

    replace: np.ndarray  # bool per old row
    widened: list[str]  # one note per new range that replaced old rows inside it


def check_new_ranges(imported: pd.DataFrame, origin: np.ndarray) -> None:
    """Refuse new rows of one channel and campaign whose ranges overlap without being the
    same range (rows of one range, e.g. by age or device, are added up later)."""
    start, end = row_ranges(imported, "the imported rows")
    rows = _table(imported, start, end, origin).drop_duplicates([*_KEYS, "s", "e"])
    ranged = rows[rows["s"] < rows["e"]]
    if ranged.empty:
        return
    pairs = ranged.merge(rows, on=_KEYS, suffixes=("", "_b"))
    same = (pairs["s"] == pairs["s_b"]) & (pairs["e"] == pairs["e_b"])
    hit = pairs[~same & (pairs["s"] <= pairs["e_b"]) & (pairs["s_b"] <= pairs["e"])]
    if hit.empty:
        return
    h = hit.iloc[0]
    files = h["origin"] if h["origin"] == h["origin_b"] else f"{h['origin']} and {h['origin_b']}"
    raise DataError(
        f"{files}: the rows for {_who(h)} cover {_span(h['s'], h['e'])} and "
        f"{_span(h['s_b'], h['e_b'])}, which overlap — import reports whose date ranges do "
        "not overlap (e.g. one per month), or one report for the whole range."
    )


def resolve(
    existing: pd.DataFrame, imported: pd.DataFrame, origin: np.ndarray, data_name: str
) -> Overlaps:
    """Which ``existing`` rows the ``imported`` ones replace; a partial overlap raises a
    DataError naming the file (``origin`` per imported row), both ranges and the fix."""
    old_s, old_e = row_ranges(existing, data_name)
    new_s, new_e = row_ranges(imported, "the imported rows")
    old = _table(existing, old_s, old_e, None)
    old["row"] = np.arange(len(old))
    new = _table(imported, new_s, new_e, origin).drop_duplicates([*_KEYS, "s", "e"])
    new = new.rename(columns={"origin": "origin_n"})
    new_days = new[new["s"] == new["e"]]
    # Days against days: the same day replaces (the common case, checked without pairs).
    exact = (
        pd.MultiIndex.from_frame(old[[*_KEYS, "s"]]).isin(
            pd.MultiIndex.from_frame(new_days[[*_KEYS, "s"]])
        )
        & (old["s"] == old["e"]).to_numpy()
    )
    pairs = pd.concat(
        [
            old.merge(new[new["s"] < new["e"]], on=_KEYS, suffixes=("", "_n")),
            old[old["s"] < old["e"]].merge(new_days, on=_KEYS, suffixes=("", "_n")),
        ],
        ignore_index=True,
    )
    lo = np.maximum(_d(pairs["s"]), _d(pairs["s_n"]))
    hi = np.minimum(_d(pairs["e"]), _d(pairs["e_n"]))
    pairs["shared"] = np.maximum((hi - lo).astype(np.int64) + 1, 0)
    pairs = pairs[pairs["shared"] > 0]
    shared = np.bincount(pairs["row"], weights=pairs["shared"], minlength=len(old)) + exact
    length = (_d(old["e"]) - _d(old["s"])).astype(np.int64) + 1
    touched = shared > 0
    covered = touched & (shared >= length)
    broken = touched & ~covered
    if broken.any():
        row = int(np.flatnonzero(broken)[0])
        h = pairs[pairs["row"] == row].iloc[0]
        raise DataError(_collision(h))
    return Overlaps(covered, _replaced_notes(pairs[covered[pairs["row"].to_numpy()]]))


def _replaced_notes(pairs: pd.DataFrame) -> list[str]:
    """Say which old rows a range other than their own replaced: those inside one new
    range (per new range), and those whose days several new rows cover (per old row)."""
    inside = (pairs["s_n"] <= pairs["s"]) & (pairs["e"] <= pairs["e_n"])
    same = (pairs["s"] == pairs["s_n"]) & (pairs["e"] == pairs["e_n"])
    notes = [
        f"{len(group)} row(s) of {_who(group.iloc[0])} already in Data inside "
        f"{_span(s, e)} were replaced by the new row(s) for that whole range"
        for (_, _, s, e), group in pairs[inside & ~same].groupby([*_KEYS, "s_n", "e_n"], sort=False)
    ]
    split = pairs[~inside].drop_duplicates("row")
    notes += [
        f"the row of {_who(row)} for {_span(row['s'], row['e'])} already in Data was "
        f"replaced by the new rows that cover its days"
        for _, row in split.iterrows()
    ]
    return notes


def _collision(h: pd.Series) -> str:
    s, e, s_n, e_n = h["s"], h["e"], h["s_n"], h["e_n"]
    union = _span(min(s, s_n), max(e, e_n))
    parts = []
    if s_n < s:
        parts.append(_span(s_n, s - np.timedelta64(1, "D")))
    if e_n > e:
        parts.append(_span(e + np.timedelta64(1, "D"), e_n))
    rest = f", or only {' and '.join(parts)}" if parts else ""
    return (
        f"{h['origin_n']}: its rows for {_who(h)} cover {_span(s_n, e_n)}, which overlaps "
        f"{_span(s, e)} already in Data without covering it (importing would count "
        f"the shared days twice or lose the others) — export {union} in one report "
        f"instead (it replaces the old rows){rest}."
    )


def _table(
    frame: pd.DataFrame, start: np.ndarray, end: np.ndarray, origin: np.ndarray | None
) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "channel": frame["channel"].astype(str).to_numpy(),
            "campaign": frame["campaign"].fillna("").astype(str).to_numpy(),
            "s": start,
            "e": end,
        }
    )
    if origin is not None:
        table["origin"] = origin
    return table


def _d(column: pd.Series) -> np.ndarray:
    return column.to_numpy().astype("datetime64[D]")


def _who(row: pd.Series) -> str:
    return f"{row['channel']} / {row['campaign']}" if row["campaign"] else str(row["channel"])


def _day(value: object) -> str:
    return str(np.datetime64(value, "D"))  # type: ignore[call-overload]


def _span(start: object, end: object) -> str:
    return f"{_day(start)} to {_day(end)}" if _day(start) != _day(end) else _day(start)
