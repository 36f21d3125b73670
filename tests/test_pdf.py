"""Print settings written into every plan, and the PDF export through LibreOffice."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from xlmplan.errors import XlmplanError
from xlmplan.libreoffice.pdf import (
    PdfResult,
    export_pdf,
    page_size,
    render_page_png,
    render_page_ppm,
)
from xlmplan.sheets.layout import Book, Sheet
from xlmplan.xlsx.writer import write_book

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
ASKED = ["Start", "Dashboard", "Objectives", "Scenarios"]

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfunite") is None,
    reason="poppler-utils is not installed (scripts/setup.sh installs it)",
)


def _titles(xlsx: Path) -> dict[str, str]:
    """Sheet name -> its title (cell A1), read without any calculation engine."""
    wb = CalamineWorkbook.from_path(str(xlsx))
    return {name: str(wb.get_sheet_by_name(name).to_python()[0][0]) for name in wb.sheet_names}


def _text(pdf: Path, page: int | None = None) -> str:
    """The PDF's text with runs of whitespace collapsed."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def _sheet_xml(xlsx: Path, name: str) -> tuple[etree._Element, etree._Element, int]:
    """(workbook.xml root, the named sheet's XML root, its 0-based index)."""
    with zipfile.ZipFile(xlsx) as zf:
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheets = book.findall(f"{MAIN}sheets/{MAIN}sheet")
        index = next(i for i, s in enumerate(sheets) if s.get("name") == name)
        target = targets[sheets[index].get(REL)].lstrip("/").removeprefix("xl/")
        return book, etree.fromstring(zf.read("xl/" + target)), index


def _ppm(path: Path) -> np.ndarray:
    """Pixels (height, width, 3) of a binary PPM as pdftoppm writes it (no comments)."""
    magic, width, height, maxval, data = path.read_bytes().split(maxsplit=4)
    assert magic == b"P6" and int(maxval) == 255
    w, h = int(width), int(height)
    return np.frombuffer(data[: w * h * 3], dtype=np.uint8).reshape(h, w, 3)


# --- print settings in the xlsx (no LibreOffice needed) ------------------------------


def test_objectives_prints_landscape_split_over_pages_with_titles(example_path: Path) -> None:
    book, ws, index = _sheet_xml(example_path, "Objectives")
    pr = ws.find(f"{MAIN}sheetPr/{MAIN}pageSetUpPr")
    assert pr is not None and pr.get("fitToPage") == "1"
    setup = ws.find(f"{MAIN}pageSetup")
    assert setup is not None
    assert setup.get("orientation") == "landscape"
    assert int(setup.get("fitToWidth", "1")) > 1  # too wide for one page at 8 pt
    assert setup.get("fitToHeight") == "0"
    assert setup.get("paperSize") == "9"
    titles = [
        dn
        for dn in book.iter(f"{MAIN}definedName")
        if dn.get("name") == "_xlnm.Print_Titles" and dn.get("localSheetId") == str(index)
    ]
    assert [dn.text for dn in titles] == ["Objectives!$A:$A,Objectives!$4:$4"]
    view = ws.find(f"{MAIN}sheetViews/{MAIN}sheetView")
    assert view is not None and view.get("rightToLeft") is None


def _tall_rtl_book(path: Path) -> Path:
    """One right-to-left sheet, 150 rows under a repeated header row, and a formula whose
    cached value (99999) is deliberately not what it computes (20001)."""
    sheet = Sheet("rtl", "Tall", rtl=True, print_rows=(2, 2))
    sheet.put(0, 0, "Tall sheet title", "title")
    sheet.put(2, 0, "RepeatedHeader", "header")
    sheet.put(2, 1, "Value", "header")
    for i in range(150):
        sheet.put(3 + i, 0, f"row {i + 1}")
        sheet.put(3 + i, 1, i + 1, "text:int")
    sheet.formula(0, 1, "20000+1", 99999, "text:int")
    sheet.width(0, 30)
    write_book(Book([sheet], {}, "USD"), path)
    return path


def test_rtl_sheet_gets_right_to_left_view(tmp_path: Path) -> None:
    xlsx = _tall_rtl_book(tmp_path / "rtl.xlsx")
    book, ws, index = _sheet_xml(xlsx, "Tall")
    view = ws.find(f"{MAIN}sheetViews/{MAIN}sheetView")
    assert view is not None and view.get("rightToLeft") == "1"
    titles = {
        dn.text
        for dn in book.iter(f"{MAIN}definedName")
        if dn.get("localSheetId") and dn.get("name") == "_xlnm.Print_Titles"
    }
    assert titles == {"Tall!$3:$3"}


# --- PDF through LibreOffice ---------------------------------------------------------


@pytest.fixture(scope="module")
def exported(
    example_path: Path, libreoffice: None, tmp_path_factory: pytest.TempPathFactory
) -> PdfResult:
    if shutil.which("pdfunite") is None:
        pytest.skip("poppler-utils is not installed")
    names = CalamineWorkbook.from_path(str(example_path)).sheet_names
    assert set(ASKED) <= set(names)
    return export_pdf(example_path, tmp_path_factory.mktemp("pdf") / "plan.pdf", ASKED)


@needs_poppler
def test_pdf_holds_only_the_asked_sheets_in_order(exported: PdfResult, example_path: Path) -> None:
    assert exported.path.is_file()
    assert list(exported.pages) == ASKED
    assert all(n >= 1 for n in exported.pages.values())
    assert exported.total_pages >= 4
    titles = _titles(example_path)
    assert titles["Dashboard"] == "Dashboard"
    assert titles["Scenarios"] == "Scenarios and contingency"
    assert titles["Objectives"] == "Objectives and the objectives matrix"
    assert titles["SWOT"] == "Situation analysis — SWOT and TOWS"
    text = _text(exported.path)
    for name in ASKED:
        assert " ".join(titles[name].split()) in text, name
    for other in ("SWOT", "Strategy_KPI", "Budget_3M", "Analysis"):
        assert titles[other] not in text, other
    # each sheet starts on its own page, in the asked order
    for name in ASKED:
        assert titles[name] in _text(exported.path, exported.first_page(name)), name


@needs_poppler
def test_pdf_pages_are_landscape_and_keep_the_page_setup(
    exported: PdfResult, example_path: Path
) -> None:
    for page in range(1, exported.total_pages + 1):
        width, height = page_size(exported.path, page)
        assert width > height, f"page {page} is {width} x {height} pt"
    setup = exported.setups["Objectives"]
    wide = _sheet_xml(example_path, "Objectives")[1].find(f"{MAIN}pageSetup").get("fitToWidth")
    assert setup["landscape"] and setup["pages_wide"] == int(wide) and setup["pages_tall"] == 0
    assert setup["title_rows"] == [3, 3]
    assert exported.setups["Scenarios"]["title_rows"] == [11, 11]


@needs_poppler
def test_pdf_shows_cached_values(exported: PdfResult, example_path: Path) -> None:
    wb = CalamineWorkbook.from_path(str(example_path))
    actual = wb.get_sheet_by_name("Dashboard").to_python()[4][0]  # first tile's actual (A5)
    assert isinstance(actual, float) and actual > 1000
    assert f"{actual:,.0f}" in _text(exported.path, exported.first_page("Dashboard"))


@needs_poppler
def test_dashboard_page_renders_with_charts(exported: PdfResult, tmp_path: Path) -> None:
    page = exported.first_page("Dashboard") + 1  # the KPI tiles fill the first page
    png = render_page_png(exported.path, page, tmp_path / "dashboard.png", dpi=80)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert width > height > 300
    pixels = _ppm(render_page_ppm(exported.path, page, tmp_path / "dashboard.ppm", dpi=80))
    assert pixels.shape[:2] == (height, width)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 200
    # chart bars, lines and the pie are saturated colours; text pages have almost none
    # (the page is now printed at a readable size, so the charts fill less of it)
    spread = pixels.max(axis=2).astype(int) - pixels.min(axis=2)
    assert (spread > 60).mean() > 0.02


@needs_poppler
def test_pdf_repeats_header_rows_keeps_cached_values_and_prints_rtl(
    tmp_path: Path, libreoffice: None
) -> None:
    xlsx = _tall_rtl_book(tmp_path / "tall.xlsx")
    result = export_pdf(xlsx, tmp_path / "tall.pdf", ["Tall"])
    assert result.pages["Tall"] >= 2
    assert result.setups["Tall"]["title_rows"] == [2, 2]
    first, second = _text(result.path, 1), _text(result.path, 2)
    assert "Tall sheet title" in first and "Tall sheet title" not in second
    assert "RepeatedHeader" in first and "RepeatedHeader" in second
    assert "99,999" in first and "20,001" not in first  # the cached value, not recalculated
    width, height = page_size(result.path, 2)
    assert width < height  # two narrow columns print portrait


@needs_poppler
def test_unknown_sheet_is_an_error(example_path: Path, tmp_path: Path, libreoffice: None) -> None:
    with pytest.raises(XlmplanError, match="no sheet named 'Nope'"):
        export_pdf(example_path, tmp_path / "x.pdf", ["Start", "Nope"])
    assert not (tmp_path / "x.pdf").exists()
