"""README promises that no other test holds (docs/promises.md lists every promise and its test).

- "Month headers are the Calendar's labels, text in the plan's language (January 2026,
  يناير 2026, ژانویه 2026)": every cell reading INDEX(cal_label,k) shows that label.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from xlmplan.api import new_plan

# language -> how January and March 2026 read in a month header
SHOWN = {
    "en": ("January 2026", "March 2026"),
    "ar": ("يناير 2026", "مارس 2026"),
    "fa": ("ژانویه 2026", "مارس 2026"),
}
MONTH_HEADER = re.compile(r"=INDEX\(cal_label,(\d+)\)")


def month_headers(plan: Path) -> dict[int, set[object]]:
    """Per period k, the cached values of the cells reading INDEX(cal_label,k)."""
    formulas = openpyxl.load_workbook(plan)
    values = openpyxl.load_workbook(plan, data_only=True)
    out: dict[int, set[object]] = {}
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                hit = MONTH_HEADER.fullmatch(cell.value) if isinstance(cell.value, str) else None
                if hit:
                    shown = values[sheet.title][cell.coordinate].value
                    out.setdefault(int(hit.group(1)), set()).add(shown)
    assert out, f"{plan.name}: no month header found"
    return out


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_month_headers_read_as_the_readme_says(tmp_path: Path, lang: str) -> None:
    """Every month header is the Calendar's label as text, in the plan's language."""
    plan = tmp_path / f"plan-{lang}.xlsx"
    new_plan(plan, lang=lang, start="2026-01", months=3)
    headers = month_headers(plan)
    assert headers[1] == {SHOWN[lang][0]} and headers[3] == {SHOWN[lang][1]}, headers
