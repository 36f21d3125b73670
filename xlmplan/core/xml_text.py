"""Characters XML 1.0 cannot carry, replaced before any text reaches a sheet.

A worksheet part holding a C0 control other than tab, LF and CR, U+FFFE, U+FFFF or an
unpaired surrogate is not well-formed: Excel repairs the file and LibreOffice silently
drops rows. Such characters are replaced by U+FFFD (the replacement character, shown as
'�'), not removed, so the cell still shows where something was and two different texts
never become the same one.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
WHAT = "characters a workbook cannot hold (control characters, U+FFFE/U+FFFF, lone surrogates)"


def clean_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return FORBIDDEN.sub(REPLACEMENT, text)


def clean_frame(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with its text cells and headers cleaned, and one line per column that had
    such characters, naming ``source``, the column and the number of cells."""
    notes: list[str] = []
    renames: dict[str, str] = {}
    out = frame
    for j, name in enumerate(frame.columns):
        column = frame.iloc[:, j]
        if column.dtype != object:
            continue
        codes, uniques = pd.factorize(column)
        bad = np.array(
            [isinstance(u, str) and FORBIDDEN.search(u) is not None for u in uniques], dtype=bool
        )
        if bad.any():
            fixed = np.array([clean_text(u) if isinstance(u, str) else u for u in uniques] + [None])
            values = column.to_numpy(dtype=object).copy()
            hit = np.isin(codes, np.flatnonzero(bad))
            values[hit] = fixed[codes[hit]]
            if out is frame:
                out = frame.copy()
            out.isetitem(j, values)
            notes.append(
                f"{source}, column {clean_text(str(name))!r}: {int(hit.sum())} cell(s) held "
                f"{WHAT} — each is now '{REPLACEMENT}'; check those cells"
            )
        if isinstance(name, str) and FORBIDDEN.search(name):
            renames[name] = clean_text(name)
    if renames:
        out = out.rename(columns=renames)
        notes.append(
            f"{source}: {len(renames)} header(s) held {WHAT} — each is now '{REPLACEMENT}'"
        )
    return out, notes
