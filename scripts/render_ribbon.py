"""Draw the add-in's ribbon tab from ``macros/customUI14.xml`` as ``docs/images/ribbon.svg``.

    .venv/bin/python scripts/render_ribbon.py [--check]

A schematic for the docs: the tab, its groups, and each button's label, screentip and
built-in icon name (Office's own icons cannot be drawn here). ``--check`` exits 1 when the
SVG is out of date with the XML.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
RIBBON = ROOT / "macros" / "customUI14.xml"
OUT = ROOT / "docs" / "images" / "ribbon.svg"
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
GLYPHS = {  # a stand-in drawn in the icon's place, by imageMso
    "FileNew": "+",
    "ImportTextFile": "⇩",
    "RefreshAll": "⟳",
    "DataValidation": "✓",
    "ChartInsert": "▤",
    "WhatIfAnalysisMenu": "?",
    "GoalSeek": "◎",
    "FileSendAsAttachment": "✉",
    "Translate": "عA",
}
BUTTON_W, GROUP_PAD, TOP, HEIGHT = 118, 10, 34, 150
OFFICE_TABS = "File   Home   Insert   Layout   Formulas   Data   Review   View"
FONT = "Segoe UI, Helvetica, Arial, sans-serif"


def render(ribbon: Path = RIBBON) -> str:
    """The SVG text for the first tab of ``ribbon``."""
    tab = etree.parse(str(ribbon)).getroot().find(f".//{CUI}tab")
    assert tab is not None, f"{ribbon}: no tab"
    parts: list[str] = []
    x = GROUP_PAD
    for group in tab.findall(f"{CUI}group"):
        buttons = group.findall(f"{CUI}button")
        width = len(buttons) * BUTTON_W
        for i, button in enumerate(buttons):
            parts.append(_button(button, x + i * BUTTON_W))
        parts.append(
            f'<text x="{x + width / 2}" y="{TOP + HEIGHT - 10}" text-anchor="middle" '
            f'font-size="12" fill="#555">{escape(str(group.get("label")))}</text>'
        )
        x += width
        parts.append(
            f'<line x1="{x + GROUP_PAD / 2}" y1="{TOP + 8}" x2="{x + GROUP_PAD / 2}" '
            f'y2="{TOP + HEIGHT - 8}" stroke="#d0d0d0"/>'
        )
        x += GROUP_PAD
    total = x + GROUP_PAD
    label = escape(str(tab.get("label")))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{TOP + HEIGHT}" '
        f'font-family="{FONT}">\n'
        f'<rect width="{total}" height="{TOP + HEIGHT}" fill="#f3f3f3"/>\n'
        f'<text x="14" y="22" font-size="13" fill="#444" xml:space="preserve">'
        f"{OFFICE_TABS}</text>\n"
        f'<rect x="470" y="4" width="{len(label) * 8 + 24}" height="{TOP - 4}" fill="#ffffff" '
        f'stroke="#d0d0d0"/>\n'
        f'<text x="482" y="22" font-size="13" font-weight="bold" fill="#1e6b3a">{label}</text>\n'
        f'<rect y="{TOP}" width="{total}" height="{HEIGHT}" fill="#ffffff" stroke="#d0d0d0"/>\n'
    )
    return head + "\n".join(parts) + "\n</svg>\n"


def _button(button: etree._Element, x: float) -> str:
    icon = str(button.get("imageMso"))
    glyph = escape(GLYPHS.get(icon, "•"))
    cx = x + BUTTON_W / 2
    return (
        f"<g><title>{escape(str(button.get('screentip')))}: "
        f"{escape(str(button.get('supertip')))}</title>"
        f'<rect x="{cx - 20}" y="{TOP + 12}" width="40" height="40" rx="6" fill="#e8f1ec" '
        f'stroke="#1e6b3a"/>'
        f'<text x="{cx}" y="{TOP + 39}" text-anchor="middle" font-size="20" '
        f'fill="#1e6b3a">{glyph}</text>'
        f'<text x="{cx}" y="{TOP + 72}" text-anchor="middle" font-size="13" '
        f'fill="#222">{escape(str(button.get("label")))}</text>'
        f'<text x="{cx}" y="{TOP + 90}" text-anchor="middle" font-size="10" '
        f'fill="#888">{escape(icon)}</text></g>'
    )


def main(argv: list[str]) -> int:
    svg = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != svg:
            print(f"{OUT} is out of date: run scripts/render_ribbon.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(svg, encoding="utf-8")
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
