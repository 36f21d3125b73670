"""Render the README pictures: sheets of the demo plan, drawn by LibreOffice.

.venv/bin/python scripts/render_readme_images.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from xlmplan.api import new_plan
from xlmplan.libreoffice.runner import render_sheet_png

ROOT = Path(__file__).resolve().parents[1]
PICTURES = {"Dashboard": "dashboard.png", "SWOT": "swot.png"}


def main() -> None:
    out_dir = ROOT / "docs" / "images"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plan = new_plan(Path(tmp) / "demo.xlsx").path
        for sheet, name in PICTURES.items():
            print(render_sheet_png(plan, sheet, out_dir / name, width_px=1600))


if __name__ == "__main__":
    main()
