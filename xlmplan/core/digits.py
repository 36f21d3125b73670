"""Native digits to ASCII: Persian (U+06F0-U+06F9) and Arabic-Indic (U+0660-U+0669) digits,
the Arabic decimal, thousands and percent signs, and invisible direction marks.

Marketers in Iran and Arab countries type numbers and dates such as ``۱۲٬۳۴۵٫۶`` or
``\u200f٢٠٢٦-٠٣-٠١``; ``ascii_digits`` turns them into ``12,345.6`` and ``2026-03-01`` so the
usual ASCII parsing applies. Text that is already ASCII is returned as it is.
"""

from __future__ import annotations

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
"""Extended Arabic-Indic digits U+06F0-U+06F9 (Persian, Urdu)."""

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
"""Arabic-Indic digits U+0660-U+0669."""

ARABIC_DECIMAL = "\u066b"  # ٫
ARABIC_THOUSANDS = "\u066c"  # ٬
ARABIC_PERCENT = "\u066a"  # ٪
ARABIC_COMMA = "\u060c"  # ، (punctuation; some people type it as a thousands separator)

DIRECTION_MARKS = (
    "\u200e\u200f\u061c"  # LRM, RLM, ALM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)
"""Invisible bidirectional controls that editors put around numbers and dates."""

_TABLE = str.maketrans(
    PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + ARABIC_DECIMAL + ARABIC_THOUSANDS + ARABIC_PERCENT,
    "0123456789" * 2 + ".,%",
    DIRECTION_MARKS,
)


def ascii_digits(text: str) -> str:
    """`text` with Persian and Arabic-Indic digits as ASCII 0-9, '٫' as '.', '٬' as ',',
    '٪' as '%', and direction marks (LRM, RLM, ALM, embeddings, isolates) removed.

    Other characters, including the zero-width non-joiner of Persian words and the Arabic
    comma '،', are kept. Pure ASCII text is returned unchanged without copying.
    """
    if text.isascii():
        return text
    return text.translate(_TABLE)


def strip_direction_marks(text: str) -> str:
    """`text` without whitespace and direction marks at either end (marks inside are kept)."""
    s = text.strip()
    while s and (s[0] in DIRECTION_MARKS or s[-1] in DIRECTION_MARKS):
        s = s.strip(DIRECTION_MARKS).strip()
    return s
