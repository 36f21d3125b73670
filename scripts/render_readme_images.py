"""Render the README pictures: sheets of the demo plan, drawn by LibreOffice.

.venv/bin/python scripts/render_readme_images.py
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from xlmplan.api import new_plan
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.libreoffice.runner import render_sheet_png

ROOT = Path(__file__).resolve().parents[1]
MID_YEAR = dt.date(2026, 5, 17)  # the pictures show a plan reviewed mid-year
PICTURES = (  # language, sheet role, picture
    ("en", "summary", "summary.png"),
    ("en", "dashboard", "dashboard.png"),
    ("en", "targets", "targets.png"),
    ("en", "budget_months", "budget-months.png"),
    ("en", "swot", "swot.png"),
    ("ar", "summary", "summary-ar.png"),
    ("fa", "dashboard", "dashboard-fa.png"),
)


def main() -> None:
    out_dir = ROOT / "docs" / "images"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plans: dict[str, Path] = {}
        for lang, role, name in PICTURES:
            if lang not in plans:
                plans[lang] = new_plan(
                    Path(tmp) / f"demo-{lang}.xlsx", lang=lang, cut=MID_YEAR
                ).path
            sheet = load_labels(templates_root() / "labels", lang)[f"sheet.{role}"]
            print(render_sheet_png(plans[lang], sheet, out_dir / name, width_px=1600))


if __name__ == "__main__":
    main()
