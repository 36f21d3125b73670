"""Cell addresses and sets of cells written compactly (``'A1:C1 E4:E20'``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xlmplan.sheets.layout import Sheet, a1

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")

Pos = tuple[int, int]


def parse_a1(ref: str) -> Pos:
    """``'B7'`` -> (6, 1), 0-based."""
    m = _REF.match(ref.upper())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``'A4:L9'`` -> (3, 0, 8, 11); a single cell gives a one-cell range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_a1(first)
    r2, c2 = parse_a1(last) if last else (r1, c1)
    return r1, c1, r2, c2


def range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{a1(r1, c1)}:{a1(r2, c2)}" if (r1, c1) != (r2, c2) else a1(r1, c1)


def formula_cells(sheet: Sheet) -> set[Pos]:
    """The owned cells holding a formula: a cell there without one was typed over."""
    return {pos for pos in sheet.owned() if sheet.cells[pos].formula}


def compress(cells: Iterable[Pos]) -> str:
    """Cells as a short list of rectangles: ``'A1:C1 E4:E20'``."""
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    runs: dict[int, list[tuple[int, int]]] = {}
    for r, cols in by_row.items():
        cols.sort()
        spans, start, prev = [], cols[0], cols[0]
        for c in cols[1:]:
            if c != prev + 1:
                spans.append((start, prev))
                start = c
            prev = c
        spans.append((start, prev))
        runs[r] = spans
    rects: list[list[int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for r in sorted(runs):
        nxt: dict[tuple[int, int], list[int]] = {}
        for span in runs[r]:
            rect = open_.get(span)
            if rect is not None and rect[2] == r - 1:
                rect[2] = r
            else:
                rect = [r, span[0], r, span[1]]
                rects.append(rect)
            nxt[span] = rect
        open_ = nxt
    return " ".join(range_text(*rect) for rect in rects)


def expand(text: str) -> set[Pos]:
    out: set[Pos] = set()
    for part in text.split():
        r1, c1, r2, c2 = parse_range(part)
        out.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return out


def cf_ranges(sheet: Sheet) -> str:
    """The ranges of a sheet's conditional formats, as recorded in the manifest."""
    return ";".join(sorted({range_text(c.r1, c.c1, c.r2, c.c2) for c in sheet.cond_formats}))


def dv_ranges(sheet: Sheet) -> str:
    """The ranges of a sheet's validations, as recorded in the manifest."""
    return ";".join(sorted({range_text(v.r1, v.c1, v.r2, v.c2) for v in sheet.validations}))
