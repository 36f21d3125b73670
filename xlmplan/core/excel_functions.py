"""Which Excel version introduced each worksheet function, and the functions a formula calls.

Plans must open without ``#NAME?`` in Excel 2010 and later (``MINIMUM_VERSION``). Functions
introduced after Excel 2007 are stored in a file with the ``_xlfn.`` prefix
(``future_prefixed`` in the writer reads ``PREFIXED`` from here).
"""

from __future__ import annotations

import re

MINIMUM_VERSION = 2010

# Function -> first Excel version that has it (2007: Excel 2007 or earlier).
_BY_VERSION: dict[int, str] = {
    2007: """
        ABS AND AVERAGE AVERAGEIF AVERAGEIFS CEILING CHOOSE COLUMN COLUMNS CONCATENATE COUNT
        COUNTA COUNTBLANK COUNTIF COUNTIFS DATE DATEDIF DATEVALUE DAY EDATE EOMONTH EXACT
        FALSE FIND FLOOR HLOOKUP IF IFERROR INDEX INT ISBLANK ISERROR ISNA ISNUMBER ISTEXT
        LARGE LEFT LEN LOWER MATCH MAX MEDIAN MID MIN MOD MONTH NA NETWORKDAYS NOT OR
        PERCENTILE RANK REPT RIGHT ROUND ROUNDDOWN ROUNDUP ROW ROWS SEARCH SMALL STDEV
        SUBSTITUTE SUM SUMIF SUMIFS SUMPRODUCT TEXT TRIM TRUE UPPER VALUE VLOOKUP WEEKDAY
        YEAR OFFSET INDIRECT SUBTOTAL TODAY NOW RAND RANDBETWEEN
    """,
    2010: """
        AGGREGATE STDEV.S STDEV.P VAR.S VAR.P PERCENTILE.INC PERCENTILE.EXC QUARTILE.INC
        QUARTILE.EXC RANK.EQ RANK.AVG MODE.SNGL NETWORKDAYS.INTL WORKDAY.INTL CEILING.PRECISE
        FLOOR.PRECISE
    """,
    2013: """
        IFNA DAYS ISOWEEKNUM XOR SHEET SHEETS FORMULATEXT ISFORMULA NUMBERVALUE CEILING.MATH
        FLOOR.MATH UNICHAR UNICODE
    """,
    2016: "FORECAST.LINEAR FORECAST.ETS",
    2019: "MAXIFS MINIFS CONCAT TEXTJOIN IFS SWITCH",
    2021: "XLOOKUP XMATCH LET FILTER UNIQUE SORT SORTBY SEQUENCE RANDARRAY",
    2024: "LAMBDA TEXTSPLIT TEXTBEFORE TEXTAFTER VSTACK HSTACK TAKE DROP REGEXTEST",
}
FIRST_VERSION: dict[str, int] = {
    name: version for version, names in _BY_VERSION.items() for name in names.split()
}
PREFIXED = frozenset(name for name, version in FIRST_VERSION.items() if version > 2007)

_PREFIX = re.compile(r"_xl(?:fn|ws|udf)\.", re.IGNORECASE)
# A name followed by "(" that is not part of a longer name, a sheet name or a reference.
_CALL = re.compile(r"(?<![\w.!$])([A-Za-z_][A-Za-z0-9_.]*)\(")


def outside_literals(formula: str) -> list[str]:
    """The pieces of ``formula`` outside "string literals" and 'quoted sheet names'."""
    pieces = re.split(r"\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'", formula)
    return pieces


def functions_in(formula: str) -> set[str]:
    """Upper-case names of the functions ``formula`` calls, without ``_xlfn.`` prefixes."""
    found: set[str] = set()
    for piece in outside_literals(formula):
        found.update(m.group(1).upper() for m in _CALL.finditer(_PREFIX.sub("", piece)))
    return found


def too_new(formula: str, minimum: int = MINIMUM_VERSION) -> dict[str, int | None]:
    """Functions of ``formula`` newer than ``minimum`` (version) or unknown (None)."""
    out: dict[str, int | None] = {}
    for name in sorted(functions_in(formula)):
        version = FIRST_VERSION.get(name)
        if version is None or version > minimum:
            out[name] = version
    return out
