"""Sheet names inside formula text: renaming a sheet everywhere a formula cites it."""

from __future__ import annotations

import re
from collections.abc import Mapping

# A string literal (left alone), a quoted sheet name, or a bare sheet name, each before "!".
_TOKEN = re.compile(r"\"(?:[^\"]|\"\")*\"|'((?:[^']|'')+)'!|([^\W\d][\w.]*)!")


def quote_sheet(name: str) -> str:
    """A sheet name as a formula cites it; always quoted, which Excel and LibreOffice accept."""
    return "'" + name.replace("'", "''") + "'"


def rename_sheets(formula: str, renames: Mapping[str, str]) -> str:
    """``formula`` with every reference to a sheet in ``renames`` (old -> new name,
    case-insensitive, as Excel matches sheet names) pointing to the new name. Text inside
    string literals and references into other workbooks (``[1]Data!A1``) are unchanged."""
    if not renames:
        return formula
    folded = {old.casefold(): new for old, new in renames.items()}

    def sub(m: re.Match[str]) -> str:
        quoted, bare = m.group(1), m.group(2)
        if quoted is None and bare is None:
            return m.group(0)
        if bare is not None and m.start() > 0 and formula[m.start() - 1] in "]'":
            return m.group(0)
        name = quoted.replace("''", "'") if quoted is not None else bare
        new = folded.get(name.casefold())
        return m.group(0) if new is None else quote_sheet(new) + "!"

    return _TOKEN.sub(sub, formula)
