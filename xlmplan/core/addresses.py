"""Spreadsheet column letters (0-based column -> ``A``, ``Z``, ``AA`` ...)."""

from __future__ import annotations


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
