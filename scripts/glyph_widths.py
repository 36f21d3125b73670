"""Write ``xlmplan/sheets/glyph_widths.py``: advance widths measured from a TrueType font.

.venv/bin/python scripts/glyph_widths.py [/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf]

Reads the font's ``cmap`` (format 4) and ``hmtx`` tables for Latin, Arabic and Persian
characters; an Arabic letter gets the width of its joined (medial, else final) form.
DejaVu Sans Bold is the widest of the fonts a plan is shown in (Calibri and Tahoma in
Excel, DejaVu Sans where LibreOffice has neither), so widths from it fit all.
"""

from __future__ import annotations

import struct
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "xlmplan" / "sheets" / "glyph_widths.py"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
RANGES = ((0x20, 0x7F), (0xA0, 0x100), (0x600, 0x700), (0x2000, 0x2070), (0x2190, 0x2200))
FORMS = ("<medial>", "<final>", "<initial>", "<isolated>")  # as letters mostly stand in words


def tables(data: bytes) -> dict[str, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    out = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        out[tag.decode("latin-1")] = data[offset : offset + length]
    return out


def cmap4(cmap: bytes) -> dict[int, int]:
    n = struct.unpack(">H", cmap[2:4])[0]
    for i in range(n):
        platform, encoding, offset = struct.unpack(">HHI", cmap[4 + 8 * i : 12 + 8 * i])
        if (platform, encoding) in ((3, 1), (0, 3)) and struct.unpack(
            ">H", cmap[offset : offset + 2]
        )[0] == 4:
            sub = cmap[offset:]
            segs = struct.unpack(">H", sub[6:8])[0] // 2
            ends = struct.unpack(f">{segs}H", sub[14 : 14 + 2 * segs])
            base = 16 + 2 * segs
            starts = struct.unpack(f">{segs}H", sub[base : base + 2 * segs])
            deltas = struct.unpack(f">{segs}h", sub[base + 2 * segs : base + 4 * segs])
            ro_at = base + 4 * segs
            ranges = struct.unpack(f">{segs}H", sub[ro_at : ro_at + 2 * segs])
            glyphs: dict[int, int] = {}
            for s in range(segs):
                for code in range(starts[s], ends[s] + 1):
                    if code == 0xFFFF:
                        continue
                    if ranges[s] == 0:
                        glyph = (code + deltas[s]) & 0xFFFF
                    else:
                        at = ro_at + 2 * s + ranges[s] + 2 * (code - starts[s])
                        glyph = struct.unpack(">H", sub[at : at + 2])[0]
                        glyph = (glyph + deltas[s]) & 0xFFFF if glyph else 0
                    glyphs[code] = glyph
            return glyphs
    raise SystemExit("no format-4 Unicode cmap")


def main() -> None:
    font = Path(sys.argv[1]) if len(sys.argv) > 1 else FONT
    t = tables(font.read_bytes())
    units = struct.unpack(">H", t["head"][18:20])[0]
    n_long = struct.unpack(">H", t["hhea"][34:36])[0]
    advances = [struct.unpack(">H", t["hmtx"][4 * i : 4 * i + 2])[0] for i in range(n_long)]
    glyphs = cmap4(t["cmap"])
    widths = {}
    for lo, hi in RANGES:
        for code in range(lo, hi):
            glyph = glyphs.get(code)
            if glyph:
                widths[code] = round(advances[min(glyph, n_long - 1)] / units, 3)
    joined: dict[int, tuple[int, float]] = {}  # Arabic letter -> (form rank, width) drawn
    for code in range(0xFB50, 0xFF00):
        kind, _, base = unicodedata.decomposition(chr(code)).partition(" ")
        glyph = glyphs.get(code)
        if kind in FORMS and glyph and " " not in base:
            rank, letter = FORMS.index(kind), int(base, 16)
            if rank < joined.get(letter, (len(FORMS), 0.0))[0]:
                joined[letter] = (rank, round(advances[min(glyph, n_long - 1)] / units, 3))
    widths.update({letter: width for letter, (_, width) in joined.items() if letter in widths})
    lines = [
        '"""Advance widths (in em) of Latin, Arabic and Persian characters, measured from',
        f"{font.name} by scripts/glyph_widths.py (generated: do not edit).",
        '"""',
        "",
        "WIDTHS: dict[int, float] = {",
        *(f"    0x{code:04X}: {w}," for code, w in sorted(widths.items())),
        "}",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"{OUT}: {len(widths)} characters")


if __name__ == "__main__":
    main()
