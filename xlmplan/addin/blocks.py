"""Changed cells grouped into rectangles, one range write each (pure: no spreadsheet library).

A live workbook is written through a slow cross-process interface, so the number of calls
counts, not the number of cells. Changed cells are grouped row by row into runs of nearby
columns, and a run joins the block of the row above when their spans can be made equal.
A gap inside a run or a widening of a block may only cover "spare" cells: unchanged cells
that can be written again with the content they already have (values and blanks, not
formulas), so a block never holds a cell it must not touch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Pos = tuple[int, int]  # 0-based (row, column)
GAP = 8  # most spare cells a run may bridge, or a block may widen by


@dataclass(frozen=True, order=True)
class Block:
    """A rectangle of cells, 0-based and inclusive."""

    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def size(self) -> int:
        rows, cols = self.shape
        return rows * cols

    def cells(self) -> Iterable[Pos]:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c


def _none_spare(_pos: Pos) -> bool:
    return False


def _spare_span(r1: int, r2: int, c1: int, c2: int, spare: Callable[[Pos], bool]) -> bool:
    """Every cell of rows r1..r2 and columns c1..c2 is spare (true when empty)."""
    if c1 > c2 or r1 > r2:
        return True
    return all(spare((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


def _runs(row: int, cols: list[int], spare: Callable[[Pos], bool], gap: int) -> list[Block]:
    runs: list[Block] = []
    start = prev = cols[0]
    for c in cols[1:]:
        if c - prev - 1 <= gap and _spare_span(row, row, prev + 1, c - 1, spare):
            prev = c
            continue
        runs.append(Block(row, start, row, prev))
        start = prev = c
    runs.append(Block(row, start, row, prev))
    return runs


def _join(block: Block, run: Block, spare: Callable[[Pos], bool], gap: int) -> Block | None:
    """``block`` (ending on the row above ``run``) extended by ``run``, or None."""
    u1, u2 = min(block.c1, run.c1), max(block.c2, run.c2)
    width = u2 - u1
    if width - (block.c2 - block.c1) > gap or width - (run.c2 - run.c1) > gap:
        return None
    if block.c1 > run.c2 + 1 + gap or run.c1 > block.c2 + 1 + gap:
        return None
    r, top, bottom = run.r1, block.r1, block.r2
    if not (
        _spare_span(r, r, u1, run.c1 - 1, spare)
        and _spare_span(r, r, run.c2 + 1, u2, spare)
        and _spare_span(top, bottom, u1, block.c1 - 1, spare)
        and _spare_span(top, bottom, block.c2 + 1, u2, spare)
    ):
        return None
    return Block(top, u1, r, u2)


def group_blocks(
    changed: Iterable[Pos], spare: Callable[[Pos], bool] = _none_spare, gap: int = GAP
) -> list[Block]:
    """Rectangles covering every changed cell, each holding only changed or spare cells
    (``spare`` must be false for changed cells). Sorted by top row, then left column."""
    by_row: dict[int, list[int]] = defaultdict(list)
    for r, c in changed:
        by_row[r].append(c)
    done: list[Block] = []
    open_: list[Block] = []  # blocks that end on the previous row
    for r in sorted(by_row):
        continued: list[Block] = []
        for run in _runs(r, sorted(set(by_row[r])), spare, gap):
            joined = None
            for block in open_:
                if block.r2 == r - 1:
                    joined = _join(block, run, spare, gap)
                    if joined is not None:
                        open_.remove(block)
                        break
            continued.append(joined or run)
        done.extend(open_)
        open_ = continued
    done.extend(open_)
    return sorted(done)
