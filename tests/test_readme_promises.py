"""README promises that no other test holds (docs/promises.md lists every promise and its test).

- "Month headers read in Arabic month names (يناير 2026); Persian plans number their months
  (2026/01)": the month header cells of a plan carry the language's number format, and
  LibreOffice shows a month in that format as the README says.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from engines import NEEDS_LO

from xlmplan.api import new_plan
from xlmplan.core.digits import ascii_digits
from xlmplan.libreoffice import runner

# language -> how January and December 2026 read in a month header
SHOWN = {
    "en": ("Jan 2026", "Dec 2026"),
    "ar": ("يناير 2026", "ديسمبر 2026"),
    "fa": ("2026/01", "2026/12"),
}

MONTH_HEADER = re.compile(r"=EDATE\(PlanStart,\d+\)")


def month_header_formats(plan: Path) -> set[str]:
    """The number formats of the cells holding a plan month's first day (EDATE(PlanStart,k))."""
    book = openpyxl.load_workbook(plan)
    formats = {
        cell.number_format
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and MONTH_HEADER.fullmatch(cell.value)
    }
    assert formats, f"{plan.name}: no month header found"
    return formats


def shown_by_libreoffice(folder: Path, number_format: str) -> list[str]:
    """January and December 2026 in ``number_format``, as LibreOffice displays them."""
    path = folder / "months.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Months")
    style = book.add_format({"num_format": number_format})
    sheet.write_datetime(0, 0, dt.datetime(2026, 1, 1), style)
    sheet.write_datetime(1, 0, dt.datetime(2026, 12, 1), style)
    book.close()
    # 44 = ',', 34 = '"', 76 = UTF-8, 1 = from line 1, token 9 true = text as shown
    out = runner.convert(
        path, folder, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
    )
    with out.open(encoding="utf-8", newline="") as handle:
        return [ascii_digits(row[0]) for row in csv.reader(handle)]


@NEEDS_LO
@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_month_headers_read_as_the_readme_says(tmp_path: Path, lang: str) -> None:
    plan = tmp_path / f"plan-{lang}.xlsx"
    new_plan(plan, lang=lang, start="2026-01", months=3)
    formats = month_header_formats(plan)
    assert len(formats) == 1, formats  # every month header of the plan alike
    assert shown_by_libreoffice(tmp_path, formats.pop()) == list(SHOWN[lang])
