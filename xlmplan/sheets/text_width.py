"""How wide a text is drawn, in points and in Excel column-width units.

Widths add the characters' advance widths measured from DejaVu Sans Bold
(``glyph_widths.py``), the widest of the fonts plans are shown in, so a column sized by
them fits the text in Calibri, Tahoma and LibreOffice's substitutes alike. Joined Arabic
letters are drawn narrower than their isolated forms measured here: the estimate errs wide.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlmplan.sheets.glyph_widths import WIDTHS
from xlmplan.sheets.layout import Sheet

UNKNOWN = 0.75  # em: characters outside the measured ranges
DIGIT_PX, PADDING_PX = 7.0, 5.0  # Excel: a width unit is one '0' of the default font + padding


def text_points(text: str, size: float = 10.0) -> float:
    """The drawn width of ``text`` at ``size`` points."""
    return sum(WIDTHS.get(ord(c), UNKNOWN) for c in text) * size


def column_units(text: str, size: float = 10.0) -> float:
    """The column width (Excel units) that shows ``text`` at ``size`` points whole."""
    pixels = text_points(text, size) / 0.75  # 96 dpi
    return round((pixels + PADDING_PX) / DIGIT_PX, 1)


def widest(texts: Iterable[str], size: float = 10.0) -> float:
    """The column width that fits the widest of ``texts`` (0 when there are none)."""
    return max((column_units(t, size) for t in texts if t), default=0.0)


FITTED = ("text", "strong", "status", "label", "name", "date", "month", "int", "num", "money")
SPANNING = ("title", "note", "section", "header", "tile")  # run across empty neighbours or wrap


def fit_columns(sheet: Sheet, most: float = 50.0) -> None:
    """Widen each column to the widest single-line text it shows beside a filled cell (a
    text beside an empty one runs on into it), never narrower, at most ``most``: the
    plan's labels and names fit in every language."""
    filled = {pos for pos, c in sheet.cells.items() if c.formula or c.value not in (None, "")}
    need: dict[int, float] = {}
    for (row, col), cell in sheet.cells.items():
        kind, _, number = cell.style.partition(":")
        if kind in SPANNING or (number or "text") not in FITTED or (row, col + 1) not in filled:
            continue
        if isinstance(cell.value, str) and cell.value:
            need[col] = max(need.get(col, 0.0), column_units(cell.value))
    for col, width in need.items():
        if width > sheet.widths.get(col, 8.43):
            sheet.width(col, min(width, most))
