"""Cell contents as Excel's object model takes them (pure: no spreadsheet library).

A file stores a formula without its ``=`` and with newer functions prefixed (``_xlfn.``);
Excel's ``Range.Formula`` wants the formula as typed. Text written through ``Range.Value``
or ``Range.Formula`` is parsed as if typed, so text that would turn into a number, date,
boolean, error or formula is written behind an apostrophe, which keeps it text.
A shared formula of a file is stored once; ``shift_formula`` gives it at another cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_LITERAL = re.compile(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")
_FUTURE = re.compile(r"_xl(?:fn|ws|pm)\.")
_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)
_MONTH_FIRST = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[\s\-/,]*\d", re.IGNORECASE
)
_CELL = re.compile(r"(?<![\w.$])(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})(?![\w(!])")
_COLUMNS = re.compile(r"(?<![\w.$])(\$?)([A-Z]{1,3}):(\$?)([A-Z]{1,3})(?![\w(!])")
_ROWS = re.compile(r"(?<![\w.$:])(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})(?![\w(!:])")
MAX_ROW = 1_048_576
MAX_COL = 16_384


def _outside_literals(formula: str, edit: Callable[[str], str]) -> str:
    """Apply ``edit`` to the parts of ``formula`` outside string literals and quoted
    sheet names."""
    pieces = _LITERAL.split(formula)
    return "".join(p if i % 2 else edit(p) for i, p in enumerate(pieces))


_STRING = re.compile(r"(\"(?:[^\"]|\"\")*\")")
_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")
_BOOL_CALL = re.compile(r"\b(TRUE|FALSE)\(\)")


def formula_key(stored: str) -> str:
    """A stored formula spelled one way, so that spellings Excel and LibreOffice save for
    the same formula compare equal: sheet names unquoted, ``FALSE()`` as ``FALSE``."""

    def plain(part: str) -> str:
        part = _QUOTED_SHEET.sub(lambda m: m[1].replace("''", "'") + "!", part)
        return _BOOL_CALL.sub(r"\1", part)

    pieces = _STRING.split(stored)
    return "".join(p if i % 2 else plain(p) for i, p in enumerate(pieces))


def format_key(code: str) -> str:
    """A number format spelled one way (``\\$#,##0`` and ``"$"#,##0`` are one format)."""
    return re.sub(r"\\(.)", r"\1", code).replace('"', "")


def excel_formula(stored: str) -> str:
    """A formula as a file stores it -> as typed in Excel (``=`` first, no ``_xlfn.``)."""
    return "=" + _outside_literals(stored, lambda part: _FUTURE.sub("", part))


def as_text(text: str) -> str:
    """``text`` as written into a cell so that Excel keeps it as this text."""
    head = text.lstrip()[:1]
    if (
        head in ("=", "+", "-", "@", "'", ".", ",", "(", "$", "€", "£", "¥", "%")
        or head.isdigit()
        or text.strip().upper() in ("TRUE", "FALSE")
        or text.strip() in _ERRORS
        or _MONTH_FIRST.match(text.lstrip())
    ):
        return "'" + text
    return text


def col_number(letters: str) -> int:
    """``"A"`` -> 1, ``"AA"`` -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    """1 -> ``"A"``, 27 -> ``"AA"``."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def address(r1: int, c1: int, r2: int, c2: int) -> str:
    """A1 address of a block given 0-based corners, e.g. ``"B2:D9"`` (``"B2"`` for a cell)."""
    first = f"{col_letters(c1 + 1)}{r1 + 1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_letters(c2 + 1)}{r2 + 1}"


def shift_formula(formula: str, rows: int, cols: int) -> str:
    """A stored formula moved by ``rows`` and ``cols``: relative references follow, ``$``
    parts stay (how a shared formula reads at each of its cells)."""
    if not rows and not cols:
        return formula

    def move_col(dollar: str, letters: str) -> str | None:
        if dollar:
            return dollar + letters
        n = col_number(letters) + cols
        return col_letters(n) if 1 <= n <= MAX_COL else None

    def move_row(dollar: str, digits: str) -> str | None:
        if dollar:
            return dollar + digits
        n = int(digits) + rows
        return str(n) if 1 <= n <= MAX_ROW else None

    def cell(m: re.Match[str]) -> str:
        if col_number(m[2]) > MAX_COL or not 1 <= int(m[4]) <= MAX_ROW:
            return m[0]  # a name such as LOG10 without parentheses is not a reference
        col, row = move_col(m[1], m[2]), move_row(m[3], m[4])
        return "#REF!" if col is None or row is None else f"{col}{row}"

    def columns(m: re.Match[str]) -> str:
        a, b = move_col(m[1], m[2]), move_col(m[3], m[4])
        return "#REF!" if a is None or b is None else f"{a}:{b}"

    def row_range(m: re.Match[str]) -> str:
        a, b = move_row(m[1], m[2]), move_row(m[3], m[4])
        return "#REF!" if a is None or b is None else f"{a}:{b}"

    def edit(part: str) -> str:
        part = _COLUMNS.sub(columns, part)
        part = _ROWS.sub(row_range, part)
        return _CELL.sub(cell, part)

    return _outside_literals(formula, edit)
