"""Every visible sheet printed with its own print set-up, measured as a reader sees it.

LibreOffice renders each sheet of the demo plan in English, Arabic and Persian to PDF and
`pdftotext -bbox` measures its words: every page's median word height at least 8 pt and at
most 5 % of the words below 7 pt, Data on a page or two, not dozens. Run with ``-s`` to see
the pages and word heights per sheet.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlmplan.api import new_plan
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.libreoffice.pdf import PdfResult, export_pdf, word_heights
from xlmplan.sheets.print_setup import MARGIN_IN

MEDIAN_PT, SMALL_PT, SMALL_SHARE = 8.0, 7.0, 0.05
BAND_PT = 8  # the body's last points above the bottom margin

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfunite") is None,
    reason="poppler-utils is not installed (scripts/setup.sh installs it)",
)


@pytest.fixture(scope="module", params=["en", "ar", "fa"])
def printed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, libreoffice: None
) -> tuple[str, PdfResult]:
    lang = request.param
    folder = tmp_path_factory.mktemp(f"print-{lang}")
    plan = new_plan(folder / "plan.xlsx", lang=lang).path
    wb = CalamineWorkbook.from_path(str(plan))
    visible = [s.name for s in wb.sheets_metadata if str(s.visible).endswith("Visible")]
    return lang, export_pdf(plan, folder / "plan.pdf", visible)


def _measured(result: PdfResult) -> dict[str, tuple[list[float], float]]:
    """Per sheet: its pages' median word heights and the share of its words below 7 pt."""
    pages = word_heights(result.path)
    assert len(pages) == result.total_pages
    out, first = {}, 0
    for sheet, count in result.pages.items():
        words = [h for page in pages[first : first + count] for h in page]
        medians = [round(statistics.median(p), 1) for p in pages[first : first + count] if p]
        out[sheet] = medians, sum(h < SMALL_PT for h in words) / len(words)
        first += count
    return out


def test_every_sheet_prints_readable(printed: tuple[str, PdfResult]) -> None:
    lang, result = printed
    dashboard = load_labels(templates_root() / "labels", lang)["sheet.dashboard"]
    for sheet, (medians, small) in _measured(result).items():
        print(f"\n{lang} {sheet}: {len(medians)} page(s), medians {medians[:6]}, {small:.1%} small")
        assert min(medians) >= MEDIAN_PT, (sheet, medians)
        if sheet != dashboard:  # its chart labels: the next test
            assert small <= SMALL_SHARE, (sheet, small)


def test_dashboard_chart_labels_are_readable(printed: tuple[str, PdfResult]) -> None:
    """Period axes draw their labels level (tilted Arabic and Persian words print in
    fragments a few points tall), on charts wide enough for them."""
    lang, result = printed
    dashboard = load_labels(templates_root() / "labels", lang)["sheet.dashboard"]
    _, small = _measured(result)[dashboard]
    assert small <= SMALL_SHARE


def test_data_prints_a_sample_and_summary_one_page(printed: tuple[str, PdfResult]) -> None:
    lang, result = printed
    labels = load_labels(templates_root() / "labels", lang)
    assert result.pages[labels["sheet.data"]] <= 2  # 3,285 rows would be some 60 pages
    assert result.pages[labels["sheet.summary"]] == 1
    setup = result.setups[labels["sheet.summary"]]
    assert not setup["landscape"] and setup["pages_wide"] == 1


def _inked_rows(pdf: Path, page: int) -> tuple[int, set[int]]:
    """A page rendered in grey at 72 dpi (a pixel a point): its height and the pixel rows
    holding anything darker than light grey (``pdftoppm`` writes a binary PGM)."""
    done = subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-f", str(page), "-l", str(page), str(pdf)],
        capture_output=True,
        check=True,
    )
    _, size, _, data = done.stdout.split(b"\n", 3)
    width, height = (int(n) for n in size.split())
    return height, {y for y in range(height) if min(data[y * width : (y + 1) * width]) < 200}


def _row_breaks(plan: Path, sheet: str) -> list[int]:
    wb = openpyxl.load_workbook(plan)
    return [brk.id for brk in wb[sheet].row_breaks.brk]


def test_charts_print_whole_on_one_page(printed: tuple[str, PdfResult]) -> None:
    """LibreOffice begins the Dashboard's pages at the written row breaks and nowhere else,
    and no page of the Dashboard or Budget mix ends inside a chart: nothing is drawn in the
    last points above the bottom margin (a chart cut by the page's end reaches it)."""
    lang, result = printed
    labels = load_labels(templates_root() / "labels", lang)
    dashboard, mix = labels["sheet.dashboard"], labels["sheet.budget_mix"]
    plan = result.path.with_name("plan.xlsx")
    assert result.pages[dashboard] == len(_row_breaks(plan, dashboard)) + 1
    bottom = MARGIN_IN["bottom"] * 72
    for sheet in (dashboard, mix):
        first = result.first_page(sheet)
        for page in range(first, first + result.pages[sheet]):
            height, inked = _inked_rows(result.path, page)
            band = range(int(height - bottom - BAND_PT), int(height - bottom))
            assert not inked.intersection(band), (lang, sheet, page - first + 1)
