"""Dating an export's rows: the days each row covers (a date column, GA4 'Nth day', Meta
'Reporting starts'/'Reporting ends', the range above the header or in the file name),
and the one date each Data row gets — the last day of its range, or one part per month
when ranges are spread."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from xlmplan.core.date_bounds import outside_days, outside_text
from xlmplan.errors import DataError
from xlmplan.io.export_options import OPT_SPREAD
from xlmplan.io.export_table import Table
from xlmplan.io.export_text import (
    DateSpan,
    date_order,
    parse_dates,
    parse_numbers,
    range_in_name,
)


def dates_in_rows(where: dict[str, int]) -> bool:
    """Whether the rows carry their own dates (GA4 'Nth day' needs the start date too)."""
    return any(key in where for key in ("date", "month", "starts", "ends"))


def has_dates(t: Table, where: dict[str, int], period: DateSpan | None) -> bool:
    """Whether the rows can be dated: by a column, the range above the header or the name."""
    if dates_in_rows(where) or period is not None:
        return True
    return range_in_name(t.stem) is not None


def row_spans(
    t: Table,
    source: str,
    where: dict[str, int],
    period: DateSpan | None,
    decimal: str,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, DateSpan | None]:
    """First and last day each row covers, and the export's period.

    `period` is the range above the header; `decimal` reads GA4 'Nth day' numbers.
    """
    n = len(t.rows)
    if period is None and not dates_in_rows(where):
        period = range_in_name(t.stem)
        if period is not None:
            notes.append(
                f"no dates in the file: took the range {_fmt(period[0])} to "
                f"{_fmt(period[1])} from the file name"
            )
    order = "mdy" if source in ("linkedin-ads", "microsoft-ads") else ""
    if "date" in where or "month" in where:
        j = where["date"] if "date" in where else where["month"]
        start, end = _date_column(t, j, order)
        if "month" in where and "date" not in where and period is not None:
            start = np.maximum(start, np.datetime64(period[0], "D"))
            end = np.minimum(end, np.datetime64(period[1], "D"))
        if source == "linkedin-ads" and period and period[0] < period[1]:
            first = np.datetime64(period[0], "D")
            if (start == first).all():
                start = np.full(n, first)
                end = np.full(n, np.datetime64(period[1], "D"))
                notes.append(
                    f"every {t.header[j]!r} is the report start: each row covers the whole "
                    "report range"
                )
    elif "nth_day" in where and period is not None:
        days = parse_numbers(t.columns[where["nth_day"]], decimal).values
        if np.isnan(days).any():
            i = int(np.isnan(days).argmax())
            raise DataError(
                f"{t.name}, row {t.rows[i]}, column 'Nth day': the cell is empty — "
                "every row needs its day number."
            )
        start = np.datetime64(period[0], "D") + days.astype(np.int64)
        end = start
        notes.append(f"dated by 'Nth day', counted from the start date {_fmt(period[0])}")
    elif "starts" in where or "ends" in where:
        a, b = where.get("starts", where.get("ends")), where.get("ends", where.get("starts"))
        assert a is not None and b is not None
        start = _date_column(t, a, order)[0]
        end = _date_column(t, b, order)[1]
        swapped = end < start
        if swapped.any():
            i = int(swapped.argmax())
            raise DataError(
                f"{t.name}, row {t.rows[i]}: the reporting end is before its start — "
                "download the export again."
            )
    else:
        if period is None:  # refused already by the check for dates
            raise DataError(f"{t.name}: no dates — export it with a date range.")
        start = np.full(n, np.datetime64(period[0], "D"))
        end = np.full(n, np.datetime64(period[1], "D"))
    _check_range(t, start, end)
    if n:
        low, high = _as_date(start.min()), _as_date(end.max())
        period = (min(low, period[0]), max(high, period[1])) if period else (low, high)
    return start, end, period


def _check_range(t: Table, start: np.ndarray, end: np.ndarray) -> None:
    """Refuse a row dated outside the dates a plan can hold (never wrapped)."""
    early, late = outside_days(start), outside_days(end)
    if (early | late).any():
        i = int((early | late).argmax())
        day = (start[i] if early[i] else end[i]).astype("datetime64[D]").astype(dt.date)
        raise DataError(
            f"{t.name}, row {t.rows[i]}: the date {outside_text(day)} — check the year in the "
            "export, or export a range inside it."
        )


def _date_column(t: Table, j: int, order: str) -> tuple[np.ndarray, np.ndarray]:
    col = t.columns[j]
    values, _ = col.sample(len(t.rows))
    found = date_order(values, order)
    if found is None:
        example = next((v for v in values if _numeric_date(v)), values[0])
        raise DataError(
            f"{t.name}, column {t.header[j]!r}: dates such as {example!r} could be "
            "day/month or month/day — write dates as YYYY-MM-DD (e.g. 2026-01-31)."
        )
    parsed = parse_dates(col, found)
    missing = np.isnat(parsed.start) & ~parsed.bad
    if parsed.bad.any() or missing.any():
        i = int((parsed.bad | missing).argmax())
        problem = (
            "the cell is empty — every data row needs a date"
            if missing[i]
            else f"{col[i]!r} is not a date I can read — write dates as YYYY-MM-DD"
        )
        raise DataError(f"{t.name}, row {t.rows[i]}, column {t.header[j]!r}: {problem}.")
    return parsed.start, parsed.end


def date_rows(
    start: np.ndarray, end: np.ndarray, spread: bool, notes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row index, first and last day covered (the row is dated at the last) and measure
    share of each output row (split by month if spread)."""
    n = len(start)
    ranged = start < end
    if not ranged.any():
        return np.arange(n), start, start, np.ones(n)
    months = (end.astype("datetime64[M]") - start.astype("datetime64[M]")).astype(np.int64)
    spans = {(_as_date(a), _as_date(b)) for a, b in zip(start[ranged], end[ranged], strict=True)}
    (a, b), many = min(spans), len(spans) > 1
    what = f"{_fmt(a)} to {_fmt(b)}" if not many else f"{len(spans)} different date ranges"
    several = bool((months[ranged] > 0).any())
    if not spread or not several:
        if several:
            last = max(b for _, b in spans)
            notes.append(
                f"the rows have no day: each is dated at the last day of its range "
                f"({what}), so results of several months all count in {last:%B %Y} — "
                f"use {OPT_SPREAD} to split them across the months by days, or export "
                "with a Day or Month column"
            )
        else:
            notes.append(
                f"the rows have no day: each is dated at the last day of its range ({what})"
            )
        return np.arange(n), start, end, np.ones(n)
    pieces = np.where(ranged, months + 1, 1)
    index = np.repeat(np.arange(n), pieces)
    offset = np.arange(len(index)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    month = start[index].astype("datetime64[M]") + offset
    first = np.maximum(start[index], month.astype("datetime64[D]"))
    last = np.minimum(end[index], (month + 1).astype("datetime64[D]") - 1)
    days = (last - first).astype(np.int64) + 1
    total = (end[index] - start[index]).astype(np.int64) + 1
    notes.append(
        f"split {int((ranged & (months > 0)).sum())} row(s) covering {what} across "
        f"{int(pieces.max())} months in proportion to days ({OPT_SPREAD}): measures are "
        "shared out, extra columns are copied; each part is dated at its last day"
    )
    return index, first, last, days / total


def _numeric_date(value: str) -> bool:
    return bool(re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?:[T ,].*)?", value.strip()))


def _as_date(value: np.datetime64) -> dt.date:
    return pd.Timestamp(value).date()


def _fmt(day: dt.date) -> str:
    return day.isoformat()
