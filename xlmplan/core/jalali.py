"""Solar Hijri (Persian, Jalali) calendar: conversion to and from Gregorian dates, and the
number-format codes that make Excel show stored date serials in that calendar.

The conversion is Kazimierz Borkowski's arithmetic as used by jalaali-js/jalaali-python:
33-year leap cycles restarted at the "break" years in ``_BREAKS``, where the plain cycle
would drift from the official calendar (new year at the vernal equinox, Tehran time). It is
defined for Solar Hijri years -61 to 3177 (the tests check announced Nowruz days).

The number formats only change how a cell looks; the cell keeps its ordinary Gregorian
date serial, so formulas and other locales see the same date.
"""

from __future__ import annotations

import datetime as dt

# Calendar type 0x16 = 22 = CAL_PERSIAN (Windows winnls.h) with language 0x0429 (fa-IR), in
# the "[$-xxyyzzzz]" form of a formatCode (xx numerals, yy calendar, zzzz language). The
# culture-name form "[$-fa-IR,16]" belongs in [MS-XLSX] 2.5.4 formatCode16 only:
# LibreOffice (checked with 7.4) cannot parse it in formatCode and shows the bare serial
# (e.g. 46387). It parses the hex form and, having no Solar Hijri calendar, shows the
# Gregorian date (2026/12/31): a date either way.
SOLAR_HIJRI_FORMAT = "[$-160429]yyyy/mm/dd;@"
"""Number format: a date as Solar Hijri yyyy/mm/dd in Excel (e.g. 1405/01/01)."""

SOLAR_HIJRI_MONTH_FORMAT = "[$-160429]yyyy/mm;@"
"""Number format: year and month only (month headers), e.g. 1405/01."""

MONTHS = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)
"""Transliterated Solar Hijri month names, Farvardin (1) to Esfand (12)."""

# Solar Hijri years where the 33-year leap pattern restarts (Borkowski / jalaali-js).
_BREAKS = (
    -61,
    9,
    38,
    199,
    426,
    686,
    756,
    818,
    1111,
    1181,
    1210,
    1635,
    2060,
    2097,
    2192,
    2262,
    2324,
    2394,
    2456,
    3178,
)


def _div(a: int, b: int) -> int:
    """Integer division truncated toward zero (C/JavaScript semantics)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _mod(a: int, b: int) -> int:
    """Remainder with the sign of `a` (C/JavaScript semantics)."""
    return a - _div(a, b) * b


def _cal(jy: int) -> tuple[int, int, int]:
    """(leap, Gregorian year, March day of 1 Farvardin) for Solar Hijri year `jy`.

    `leap` is 0 in a leap year (Esfand has 30 days), else the years since the last one.
    """
    if not _BREAKS[0] <= jy < _BREAKS[-1]:
        raise ValueError(f"Solar Hijri year {jy} is outside {_BREAKS[0]}..{_BREAKS[-1] - 1}")
    gy = jy + 621
    leap_j = -14
    jp = _BREAKS[0]
    jump = 0
    for jm in _BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += _div(jump, 33) * 8 + _div(_mod(jump, 33), 4)
        jp = jm
    n = jy - jp
    leap_j += _div(n, 33) * 8 + _div(_mod(n, 33) + 3, 4)
    if _mod(jump, 33) == 4 and jump - n == 4:
        leap_j += 1
    leap_g = _div(gy, 4) - _div((_div(gy, 100) + 1) * 3, 4) - 150
    march = 20 + leap_j - leap_g
    if jump - n < 6:
        n = n - jump + _div(jump + 4, 33) * 33
    leap = _mod(_mod(n + 1, 33) - 1, 4)
    if leap == -1:
        leap = 4
    return leap, gy, march


def is_leap(year: int) -> bool:
    """True when Solar Hijri `year` has 366 days (Esfand 30 exists)."""
    return _cal(year)[0] == 0


def month_days(year: int, month: int) -> int:
    """Days in Solar Hijri `month` (1-12) of `year`: 31, 30, or 29/30 for Esfand."""
    if not 1 <= month <= 12:
        raise ValueError(f"Solar Hijri month {month} is not 1..12")
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if is_leap(year) else 29


def nowruz(year: int) -> dt.date:
    """The Gregorian date of 1 Farvardin (Nowruz) of Solar Hijri `year`."""
    _, gy, march = _cal(year)
    return dt.date(gy, 3, march)


def from_jalali(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of Solar Hijri `year`/`month`/`day`; ValueError if no such day."""
    if not 1 <= day <= month_days(year, month):
        raise ValueError(f"Solar Hijri {year}/{month:02d} has no day {day}")
    offset = (month - 1) * 31 - max(month - 7, 0) + day - 1
    return nowruz(year) + dt.timedelta(days=offset)


def to_jalali(day: dt.date) -> tuple[int, int, int]:
    """(year, month, day) in the Solar Hijri calendar of Gregorian `day`.

    A datetime counts as its date (the time of day is ignored).
    """
    if isinstance(day, dt.datetime):
        day = day.date()
    jy = day.year - 621
    leap, gy, march = _cal(jy)
    k = day.toordinal() - dt.date(gy, 3, march).toordinal()
    if k >= 0:
        if k <= 185:
            return jy, 1 + k // 31, k % 31 + 1
        k -= 186
    else:
        jy -= 1
        k += 179
        if leap == 1:  # the previous year (jy - 1) was a leap year
            k += 1
    return jy, 7 + k // 30, k % 30 + 1


def jalali_text(day: dt.date) -> str:
    """Gregorian `day` as Solar Hijri 'yyyy/mm/dd' with ASCII digits, e.g. '1405/01/01'."""
    year, month, dom = to_jalali(day)
    return f"{year:04d}/{month:02d}/{dom:02d}"


def jalali_month_text(day: dt.date) -> str:
    """Gregorian `day` as its Solar Hijri 'yyyy/mm' (what SOLAR_HIJRI_MONTH_FORMAT shows)."""
    year, month, _ = to_jalali(day)
    return f"{year:04d}/{month:02d}"


def solar_hijri_reading(year: int, month: int) -> tuple[dt.date, dt.date] | None:
    """The Gregorian first and last day of `year`-`month` read as a Solar Hijri month, when
    the year is one a Persian user writes today (1300–1499); else None."""
    if not 1300 <= year <= 1499 or not 1 <= month <= 12:
        return None
    first = from_jalali(year, month, 1)
    return first, first + dt.timedelta(days=month_days(year, month) - 1)
