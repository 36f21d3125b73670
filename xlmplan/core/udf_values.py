"""The value of a typed UDF call whose arguments are constants or single cells.

When a user typed ``=XLM_STATUS(F7, 0.9)`` in a workbook opened without the add-in, the file
caches ``#NAME?``; the email-ready copy rewrites the call to its native twin and must cache
the value too. Calls this module cannot read (nested expressions, ranges) give
:data:`UNKNOWN`, and the caller says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from xlmplan.core.udf_twins import OMITTED, UdfContext, UdfError, udf

UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()
Lookup = Callable[[str | None, str], Any]  # (sheet or None for the cell's own, "B7") -> value

_CALL = re.compile(
    r"^\s*=?\s*(?:_xll\.|_xludf\.|(?:'(?:[^']|'')*'|\[\d+\]|[\w.]+)!)?(XLM_\w+)\((.*)\)\s*$",
    re.I | re.S,
)
_REF = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^\W\d][\w.]*))!)?\$?([A-Za-z]{1,3})\$?(\d+)$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(%?)$")


def split_arguments(text: str) -> list[str] | None:
    """Top-level arguments of a call's argument text; None when one is an expression."""
    if "(" in text or "{" in text:
        return None
    out, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return [a.strip() for a in out]


def _argument(text: str, ctx: UdfContext, lookup: Lookup) -> Any:
    if text == "":
        return OMITTED
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    number = _NUMBER.match(text)
    if number:
        value = float(text.rstrip("%"))
        return value / 100 if number.group(1) else value
    ref = _REF.match(text)
    if ref:
        quoted, bare, col, row = ref.groups()
        sheet = quoted.replace("''", "'") if quoted is not None else bare
        return lookup(sheet, f"{col.upper()}{row}")
    if text in ctx.names:
        return ctx.names[text]
    return UNKNOWN


def simple_call_value(formula: str, ctx: UdfContext, lookup: Lookup) -> Any:
    """The value of ``formula`` when it is one UDF call over constants and single cells."""
    call = _CALL.match(formula)
    if call is None:
        return UNKNOWN
    texts = split_arguments(call.group(2))
    if texts is None:
        return UNKNOWN
    values = [_argument(t, ctx, lookup) for t in texts]
    if any(v is UNKNOWN for v in values):
        return UNKNOWN
    try:
        return udf(call.group(1)).call(ctx, *values)
    except (UdfError, TypeError, ValueError, ZeroDivisionError, KeyError):
        return UNKNOWN
