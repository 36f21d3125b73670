"""The dates a plan can hold, and the one-line reason a date or plan period is refused.

Excel stores 1900-01-01 .. 9999-12-31, but it counts 1900-02-29, a day that never was, so
a date serial before 1900-03-01 shows one day off in Excel and not in LibreOffice; pandas'
nanosecond timestamps end on 2262-04-11. A plan holds the dates both agree on, and a date
outside them is refused, never wrapped or shifted.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from xlmplan.core.jalali import solar_hijri_reading

FIRST_DATE = dt.date(1900, 3, 1)
LAST_DATE = dt.date(2262, 4, 11)
FIRST_DAY = np.datetime64(FIRST_DATE, "D")
LAST_DAY = np.datetime64(LAST_DATE, "D")
RANGE_TEXT = f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"


def in_range(day: dt.date) -> bool:
    """Whether ``day`` (a date or datetime) is one a plan can hold."""
    day = day.date() if isinstance(day, dt.datetime) else day
    return FIRST_DATE <= day <= LAST_DATE


def outside_days(days: np.ndarray) -> np.ndarray:
    """Mask of the datetime64 values outside the range (NaT is not outside)."""
    days = days.astype("datetime64[D]")
    return ~np.isnat(days) & ((days < FIRST_DAY) | (days > LAST_DAY))


def solar_hijri_hint(year: int, month: int) -> str:
    """'; 1404-09 looks like a Solar Hijri month; it is 2025-11-22 .. 2025-12-21 in the
    Gregorian calendar' for a year a Persian user writes, else ''."""
    reading = solar_hijri_reading(year, month)
    if reading is None:
        return ""
    first, last = reading
    return (
        f"; {year}-{month:02d} looks like a Solar Hijri month; it is {first.isoformat()} .. "
        f"{last.isoformat()} in the Gregorian calendar"
    )


def outside_text(day: dt.date) -> str:
    """Why ``day`` is refused: '1404-09-01 is outside the dates a plan can hold (…)'."""
    return (
        f"{day.isoformat()} is outside the dates a plan can hold ({RANGE_TEXT})"
        + solar_hijri_hint(day.year, day.month)
    )


def month_after(start: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``start``'s month."""
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_problem(start: dt.date, months: int) -> str | None:
    """Why a plan of ``months`` months from ``start`` cannot be held, or None."""
    if not in_range(start):
        return f"the first month {start:%Y-%m} is outside the dates a plan can hold " + (
            f"({RANGE_TEXT})" + solar_hijri_hint(start.year, start.month)
        )
    if start.year * 12 + start.month + months > LAST_DATE.year * 12 + LAST_DATE.month:
        end = month_after(start, months) - dt.timedelta(days=1)
        return (
            f"a plan of {months} months from {start:%Y-%m} ends on {end.isoformat()}, "
            f"after the last date a plan can hold ({LAST_DATE.isoformat()})"
        )
    return None
