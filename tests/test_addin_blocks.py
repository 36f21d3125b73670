"""Grouping changed cells into range writes, and cell contents as Excel takes them."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from xlmplan.addin.blocks import Block, Pos, group_blocks
from xlmplan.addin.formula_text import address, as_text, excel_formula, shift_formula


def test_a_dense_region_is_one_block() -> None:
    changed = {(r, c) for r in range(100, 3100) for c in range(10)}
    assert group_blocks(changed) == [Block(100, 0, 3099, 9)]


def test_runs_of_the_same_span_merge_downwards_and_others_stay_apart() -> None:
    changed = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 5), (3, 5)}
    assert group_blocks(changed) == [Block(0, 0, 1, 1), Block(2, 5, 3, 5)]


def test_gaps_are_bridged_only_through_spare_cells() -> None:
    changed = {(0, 0), (0, 3)}
    assert group_blocks(changed) == [Block(0, 0, 0, 0), Block(0, 3, 0, 3)]
    assert group_blocks(changed, lambda p: p not in changed) == [Block(0, 0, 0, 3)]
    formula = (0, 2)  # a formula in the gap is never rewritten
    spare = lambda p: p not in changed and p != formula  # noqa: E731
    assert group_blocks(changed, spare) == [Block(0, 0, 0, 0), Block(0, 3, 0, 3)]


def test_a_block_widens_through_spare_cells() -> None:
    # Shifted Data rows: a column whose value happens to repeat is unchanged.
    changed = {(r, c) for r in range(50) for c in range(10) if not (r % 7 == 3 and c == 4)}
    changed |= {(50, 0), (50, 1)}  # the last row changes in two columns only
    assert group_blocks(changed, lambda p: p not in changed) == [Block(0, 0, 50, 9)]


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.tuples(st.integers(0, 30), st.integers(0, 12)), max_size=120),
    st.sets(st.tuples(st.integers(0, 30), st.integers(0, 12)), max_size=60),
)
def test_blocks_cover_every_change_and_nothing_they_must_not(
    changed: set[Pos], fixed: set[Pos]
) -> None:
    fixed -= changed  # cells that must not be written: formulas kept as they are
    spare = lambda p: p not in changed and p not in fixed  # noqa: E731
    blocks = group_blocks(changed, spare)
    covered = [pos for b in blocks for pos in b.cells()]
    assert set(covered) >= changed
    assert not set(covered) & fixed
    assert len(covered) == len(set(covered))  # no cell written twice
    assert len(blocks) <= len(changed)


def test_shared_formulas_are_spelled_out_at_each_cell() -> None:
    assert shift_formula("SUM(N5:R5)", 5, 0) == "SUM(N10:R10)"
    assert shift_formula("$A$1+A$1+$A1+A1", 2, 3) == "$A$1+D$1+$A3+D3"
    assert shift_formula("IF(B2=\"A1\",Data!C3,'My A1'!D4)", 1, 1) == (
        "IF(C3=\"A1\",Data!D4,'My A1'!E5)"
    )
    assert shift_formula("LOG10(A1)+k_id+ATAN2(B2,1)", 1, 0) == "LOG10(A2)+k_id+ATAN2(B3,1)"
    assert shift_formula("SUM(A:A)+SUM(1:3)", 1, 1) == "SUM(B:B)+SUM(2:4)"
    assert shift_formula("A1", -1, 0) == "#REF!"
    assert shift_formula("_xlfn.CONCAT(A1)", 0, 0) == "_xlfn.CONCAT(A1)"


def test_formulas_are_given_as_typed_in_excel() -> None:
    assert excel_formula('_xlfn.CONCAT(A1,"_xlfn.")') == '=CONCAT(A1,"_xlfn.")'
    assert excel_formula("SUM(d_spend)") == "=SUM(d_spend)"


def test_text_excel_would_read_as_something_else_keeps_an_apostrophe() -> None:
    for text in ("=1+1", "+x", "-promo", "@x", "2025", "12%", "TRUE", "#N/A", "Jan 2026", "'q"):
        assert as_text(text) == "'" + text, text
    for text in ("Organic Search", "Paid Social", "January", "SEO", "نقاط القوة"):
        assert as_text(text) == text, text


def test_addresses() -> None:
    assert address(0, 0, 0, 0) == "A1"
    assert address(280, 0, 3351, 9) == "A281:J3352"
    assert address(0, 16383, 0, 16383) == "XFD1"


def test_the_diff_logic_imports_no_spreadsheet_library() -> None:
    code = (
        "import sys\n"
        "import xlmplan.addin.blocks, xlmplan.addin.formula_text\n"
        "libs = ('xlwings', 'openpyxl', 'xlsxwriter', 'lxml', 'python_calamine')\n"
        "print(','.join(m for m in libs if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
