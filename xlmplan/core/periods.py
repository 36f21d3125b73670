"""The plan's periods: first day, last day, days and label of each month of the plan.

A plan is cut into calendar months, Gregorian by default or Solar Hijri (1 Farvardin ...),
and every month grid reads this one table. A fiscal start moves the plan year to another
first month. Sums by period are sums between a period's first and last day, in pandas
(:func:`period_sums`) and as SUMIFS (:func:`period_sum_xl`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlmplan.core import jalali
from xlmplan.core.data import MEASURES
from xlmplan.errors import XlmplanError

GREGORIAN = "gregorian"
SOLAR_HIJRI = "solar-hijri"
CALENDARS = (GREGORIAN, SOLAR_HIJRI)

LABEL_SECTION = "period"
"""The label-pack section with the month names (``g01``..``g12``, ``sh01``..``sh12``) and
the label pattern (``label``, with ``{month}`` and ``{year}``)."""

ENGLISH_NAMES: Mapping[str, tuple[str, ...]] = {
    GREGORIAN: tuple(dt.date(2001, m, 1).strftime("%B") for m in range(1, 13)),
    SOLAR_HIJRI: jalali.MONTHS,
}

_START = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{1,2})\s*$")


class PeriodError(XlmplanError):
    """A start month or fiscal start that names no month of the calendar."""


@dataclass(frozen=True)
class Period:
    """One plan period: its first and last day (both inside it) and its label."""

    first: dt.date
    last: dt.date
    label: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Periods:
    """The plan's periods in order, without gaps."""

    calendar: str
    items: tuple[Period, ...]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Period:
        return self.items[i]

    @property
    def first(self) -> dt.date:
        return self.items[0].first

    @property
    def last(self) -> dt.date:
        return self.items[-1].last

    @property
    def days(self) -> int:
        """Days in the plan."""
        return (self.last - self.first).days + 1

    def index_of(self, day: dt.date) -> int | None:
        """The 0-based index of the period holding ``day``; None outside the plan."""
        i = int(np.searchsorted(self.firsts(), np.datetime64(day, "D"), side="right")) - 1
        return i if 0 <= i < len(self.items) and day <= self.items[i].last else None

    def firsts(self) -> np.ndarray:
        return np.array([p.first for p in self.items], dtype="datetime64[D]")


# --- calendar months ------------------------------------------------------------------------


def month_first(year: int, month: int, calendar: str = GREGORIAN) -> dt.date:
    """The Gregorian date of the first day of ``year``-``month`` in ``calendar``."""
    _check_calendar(calendar)
    if calendar == SOLAR_HIJRI:
        return jalali.from_jalali(year, month, 1)
    return dt.date(year, month, 1)


def month_of(day: dt.date, calendar: str = GREGORIAN) -> tuple[int, int]:
    """(year, month) of ``day`` in ``calendar``."""
    _check_calendar(calendar)
    if calendar == SOLAR_HIJRI:
        year, month, _ = jalali.to_jalali(day)
        return year, month
    return day.year, day.month


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    """(year, month) ``by`` months later (earlier when negative)."""
    k = year * 12 + month - 1 + by
    return k // 12, k % 12 + 1


def fiscal_year_start(day: dt.date, fiscal_month: int, calendar: str = GREGORIAN) -> dt.date:
    """The first day of the plan year that holds ``day`` when years start in ``fiscal_month``.

    With April (4), 2026-02-10 lies in the year from 2025-04-01; 2026-04-01 starts one.
    """
    if not 1 <= fiscal_month <= 12:
        raise PeriodError(f"fiscal start {fiscal_month} is not a month 1..12 — use 1 to 12")
    year, month = month_of(day, calendar)
    return month_first(year if month >= fiscal_month else year - 1, fiscal_month, calendar)


def parse_start(text: str, calendar: str = GREGORIAN) -> dt.date:
    """``--start YYYY-MM`` read in ``calendar``: the Gregorian first day of that month.

    ``1405-01`` is 1 Farvardin 1405 (2026-03-21) in the Solar Hijri calendar. Persian and
    Arabic-Indic digits are read too.
    """
    from xlmplan.core.digits import ascii_digits

    _check_calendar(calendar)
    match = _START.match(ascii_digits(str(text)))
    example = "1405-01" if calendar == SOLAR_HIJRI else "2026-01"
    if match is None:
        raise PeriodError(f"--start {text!r}: write the first month as YYYY-MM (e.g. {example})")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise PeriodError(f"--start {text!r}: month {month} is not 1..12 (e.g. {example})")
    if calendar == GREGORIAN and year >= 1700 or calendar == SOLAR_HIJRI and year < 1700:
        try:
            return month_first(year, month, calendar)
        except ValueError as exc:
            raise PeriodError(f"--start {text!r}: {exc}") from None
    other = "a Solar Hijri" if calendar == GREGORIAN else "a Gregorian"
    raise PeriodError(
        f"--start {text!r} reads as {other} month but the plan's calendar is {calendar} — "
        f"give a {calendar} month (e.g. {example}) or change the calendar"
    )


def _check_calendar(calendar: str) -> None:
    if calendar not in CALENDARS:
        raise PeriodError(f"calendar {calendar!r} is unknown — use one of {', '.join(CALENDARS)}")


# --- the periods table ----------------------------------------------------------------------


def month_names(texts: Mapping[str, str], calendar: str) -> tuple[str, ...]:
    """The twelve month names of ``calendar`` from a flat label pack (``period.g01`` ...)."""
    _check_calendar(calendar)
    prefix = "g" if calendar == GREGORIAN else "sh"
    keys = [f"{LABEL_SECTION}.{prefix}{m:02d}" for m in range(1, 13)]
    return tuple(texts.get(k, ENGLISH_NAMES[calendar][i]) for i, k in enumerate(keys))


def label_pattern(texts: Mapping[str, str]) -> str:
    return texts.get(f"{LABEL_SECTION}.label", "{month} {year}")


def plan_periods(
    start: dt.date,
    count: int,
    calendar: str = GREGORIAN,
    names: Sequence[str] | None = None,
    pattern: str = "{month} {year}",
) -> Periods:
    """``count`` calendar months from the month holding ``start``, labelled ``pattern``.

    Labels are text ("Farvardin 1405"), so no engine shows a date serial for them; the year
    is written with ASCII digits in every language, as the sheets' numbers are.
    """
    _check_calendar(calendar)
    if count < 1:
        raise PeriodError(f"a plan needs at least one month, not {count}")
    names = tuple(names) if names is not None else ENGLISH_NAMES[calendar]
    year, month = month_of(start, calendar)
    items = []
    for i in range(count):
        y, m = shift_month(year, month, i)
        ny, nm = shift_month(y, m, 1)
        first = month_first(y, m, calendar)
        last = month_first(ny, nm, calendar) - dt.timedelta(days=1)
        items.append(Period(first, last, pattern.format(month=names[m - 1], year=y)))
    return Periods(calendar, tuple(items))


# --- period of a date, sums by period --------------------------------------------------------


def period_index(dates: pd.Series | np.ndarray, periods: Periods) -> np.ndarray:
    """The 0-based period index of each date; -1 outside the plan or for a missing date."""
    if isinstance(dates, np.ndarray) and dates.dtype == np.dtype("datetime64[D]"):
        days = dates  # the engine's day array: no conversion
    else:
        days = np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]"))
    idx = np.searchsorted(periods.firsts(), days, side="right") - 1
    valid = ~np.isnat(days) & (idx >= 0) & (days <= np.datetime64(periods.last, "D"))
    return np.where(valid, idx, -1).astype(np.int64)


def period_sums(
    data: pd.DataFrame, periods: Periods, measures: Sequence[str] = MEASURES
) -> pd.DataFrame:
    """Sums of ``measures`` per period (one row per period, 0 where a period has no rows)."""
    idx = period_index(data["date"], periods)
    inside = idx >= 0
    n = len(periods)
    sums = {
        m: np.bincount(
            idx[inside],
            weights=np.nan_to_num(data[m].to_numpy(dtype=float))[inside],
            minlength=n,
        )
        for m in measures
    }
    return pd.DataFrame(sums, index=pd.RangeIndex(n, name="period"))


def period_number_xl(day: str, firsts: str, plan_first: str, plan_last: str) -> str:
    """The 1-based period number of a date cell (blank outside the plan): :func:`period_index`
    plus one, over the row or column of the periods' first days."""
    return (
        f"IF(AND(ISNUMBER({day}),{day}>={plan_first},{day}<={plan_last}),"
        f'MATCH({day},{firsts},1),"")'
    )


def period_sum_xl(measure: str, dates: str, first: str, last: str) -> str:
    """A measure summed between a period's first and last day (both included)."""
    return f'SUMIFS({measure},{dates},">="&{first},{dates},"<="&{last})'


def period_days_xl(first: str, last: str) -> str:
    return f"{last}-{first}+1"


def label_xl(first: str, names: Sequence[str], pattern: str = "{month} {year}") -> str:
    """A Gregorian period's label from its first day: :func:`plan_periods`' ``pattern`` with
    the month name picked by ``CHOOSE(MONTH(first), ...)`` and the year joined as text."""

    def quote(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    month = f"CHOOSE(MONTH({first}),{','.join(quote(n) for n in names)})"
    parts: list[str] = []
    for i, chunk in enumerate(re.split(r"(\{month\}|\{year\})", pattern)):
        if i % 2:
            parts.append(month if chunk == "{month}" else f"YEAR({first})")
        elif chunk:
            parts.append(quote(chunk))
    return "&".join(parts) if len(parts) > 1 else f'{parts[0] if parts else quote("")}&""'


def gregorian_first_xl(start: str, k: int) -> str:
    """The first day of the ``k``-th month (1-based; 0 and below are months before) from the
    month holding ``start``: Gregorian only, as Excel has no Solar Hijri date functions."""
    return f"EOMONTH({start},{k - 2})+1"


def gregorian_last_xl(start: str, k: int) -> str:
    """The last day of the ``k``-th month from the month holding ``start`` (Gregorian)."""
    return f"EOMONTH({start},{k - 1})"


def as_of_period(as_of: dt.date | None, periods: Periods) -> int:
    """The 1-based number of the period holding ``as_of``: 0 before the plan (or without an
    as-of date), ``len(periods) + 1`` after it."""
    if as_of is None or as_of < periods.first:
        return 0
    if as_of > periods.last:
        return len(periods) + 1
    index = periods.index_of(as_of)
    return 0 if index is None else index + 1


def as_of_period_xl(as_of: str, firsts: str, lasts: str, count: int) -> str:
    """:func:`as_of_period` over the columns of the periods' first and last days."""
    return (
        f"IF(ISNUMBER({as_of}),IF({as_of}<INDEX({firsts},1),0,"
        f"IF({as_of}>INDEX({lasts},{count}),{count + 1},MATCH({as_of},{firsts},1))),0)"
    )


def default_start(
    data_first: dt.date, data_last: dt.date, calendar: str, fiscal_start: int | None
) -> dt.date:
    """The first day of a plan made without ``--start``: the month holding the Data's first
    date, or with a fiscal start the plan year holding its last date (the year under way)."""
    if fiscal_start is not None:
        return fiscal_year_start(data_last, fiscal_start, calendar)
    return month_first(*month_of(data_first, calendar), calendar)


def check_fiscal_start(
    fiscal_start: int | None, start: dt.date | None = None, calendar: str = GREGORIAN
) -> None:
    """Refuse a fiscal start outside 1..12, or one that disagrees with ``--start``."""
    if fiscal_start is None:
        return
    if not 1 <= fiscal_start <= 12:
        raise PeriodError(
            f"--fiscal-start {fiscal_start}: give the month the plan year starts in, 1 to 12 "
            "(e.g. 4 for April)"
        )
    if start is None:
        return
    year, month = month_of(start, calendar)
    if month != fiscal_start:
        raise PeriodError(
            f"--start {year:04d}-{month:02d} is not the first month of a plan year starting in "
            f"month {fiscal_start} — give --start {year:04d}-{fiscal_start:02d} or leave "
            "--start out"
        )


def previous_first(as_of: dt.date | None, periods: Periods) -> dt.date | None:
    """The first day of the period before the as-of period (the last history period for
    the first); None outside the plan, where the month before is the Gregorian one."""
    index = periods.index_of(as_of) if as_of else None
    if index is None:
        return None
    if index > 0:
        return periods[index - 1].first
    year, month = shift_month(*month_of(periods.first, periods.calendar), -1)
    return month_first(year, month, periods.calendar)


def previous_first_xl(as_of: str, as_of_period: str, count: int, period_first: str) -> str:
    """:func:`previous_first` over ``cal_first`` and ``cal_hist_first``; outside the plan the
    Gregorian month before ``period_first`` (the as-of month's first day)."""
    return (
        f"IF(ISNUMBER({as_of}),IF(AND({as_of_period}>=2,{as_of_period}<={count}),"
        f"INDEX(cal_first,{as_of_period}-1),IF({as_of_period}=1,INDEX(cal_hist_first,12),"
        f'EDATE({period_first},-1))),"")'
    )


def same_days_end(as_of: dt.date, period_first: dt.date, before_first: dt.date) -> dt.date:
    """The last day of the same days of the period before: a partial period from its first
    day to the as-of date is compared with as many days from the first day of the period
    before, never past that period's last day (10 March ↔ 1-10 February; 31 March ↔ all
    of February)."""
    return min(before_first + (as_of - period_first), period_first - dt.timedelta(days=1))


def same_days_end_xl(as_of: str, period_first: str, before_first: str) -> str:
    return f"MIN({before_first}+({as_of}-{period_first}),{period_first}-1)"


def period_sum_to_xl(
    measure: str, dates: str, first: str, last: str, as_of: str, where: str = ""
) -> str:
    """:func:`period_sum_xl` stopped at the as-of date (the as-of period counts its days up
    to it): one as-of date bounds every sum. ``where`` adds criteria pairs (``range,crit``)."""
    extra = f"{where}," if where else ""
    return f'SUMIFS({measure},{extra}{dates},">="&{first},{dates},"<="&MIN({last},{as_of}))'


def after_as_of(k: int, as_of_period_number: int) -> bool:
    """Period ``k`` (1-based) lies after the as-of date: its cells are blank, not 0."""
    return k > as_of_period_number


def after_as_of_xl(k: str, as_of_period_number: str = "AsOfPeriod") -> str:
    return f"{k}>{as_of_period_number}"
