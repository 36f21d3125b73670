"""`share --pdf`: the management report, measured as a reader sees it.

For the demo plan in English, Arabic and Persian the report is rendered by LibreOffice and
its words measured with `pdftotext -bbox` (a word's box is about 1.2 × its type size): every
page's median word height at least 8 pt, at most 5 % of the words below 7 pt, at most 12
pages, the parts in the report's order. Run with ``-s`` to see the figures per language.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlmplan.api import PlanResult, new_plan
from xlmplan.cli import app
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.libreoffice.pdf import word_heights

MEDIAN_PT, SMALL_PT, SMALL_SHARE, MOST_PAGES = 8.0, 7.0, 0.05, 12

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfunite") is None,
    reason="poppler-utils is not installed (scripts/setup.sh installs it)",
)


def _plain(text: str, words: int | None = None) -> str:
    """``text`` (its first ``words`` words) as letters and digits only, for finding Arabic
    and Persian in pdftotext's output: it writes direction marks, splits a lam-alef
    ligature into alef then lam and moves marks and brackets, so alef, lam, combining marks,
    joiners and punctuation are left out on both sides."""
    if words is not None:
        text = " ".join(text.split()[:words])
    return "".join(
        ch for ch in text if ch.isalnum() and ch not in "اأإآل" and unicodedata.category(ch) != "Mn"
    )


def _text(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(out.split())


@pytest.fixture(scope="module", params=["en", "ar", "fa"])
def report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, libreoffice: None
) -> tuple[str, PlanResult, Path]:
    """(language, the plan, the report) for the demo plan in that language."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"report-{lang}")
    made = new_plan(folder / "plan.xlsx", lang=lang)
    plan = made.path
    before = plan.read_bytes()
    out = folder / "plan-shared.xlsx"
    result = CliRunner().invoke(app, ["share", str(plan), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    assert plan.read_bytes() == before  # the plan itself is never written
    return lang, made, out.with_suffix(".pdf")


@needs_poppler
def test_report_is_readable_and_short(report: tuple[str, PlanResult, Path]) -> None:
    lang, _, pdf = report
    pages = word_heights(pdf)
    words = [h for page in pages for h in page]
    medians = [round(statistics.median(page), 1) for page in pages if page]
    small = sum(h < SMALL_PT for h in words) / len(words)
    print(
        f"\n{lang}: {len(pages)} pages, {len(words)} words, {small:.1%} below 7 pt, "
        f"page medians {medians}"
    )
    assert all(pages), "a page without text"
    assert len(pages) <= MOST_PAGES
    assert min(medians) >= MEDIAN_PT, medians
    assert small <= SMALL_SHARE


@needs_poppler
def test_report_parts_come_in_order(report: tuple[str, PlanResult, Path]) -> None:
    """Cover and executive summary, SWOT with TOWS, objectives matrix, KPIs, budget,
    scenarios and contingency, open findings: each part starts after the one before."""
    lang, plan, pdf = report
    labels = load_labels(templates_root() / "labels", lang)
    # the first words of each part's heading (Checks: of its note, "Checks" being a
    # common word); the cover block opens the first page
    keys = ("swot.tows", "objectives.matrix", "kpi.title", "pacing.title", "scenarios.card")
    marks = [labels[key] for key in (*keys, "checks.subtitle")]
    texts = [_plain(_text(pdf, page + 1)) for page in range(len(word_heights(pdf)))]
    first = [next(i for i, t in enumerate(texts) if _plain(m, 2) in t) for m in marks]
    assert first[0] > 0 and first == sorted(first), list(zip(marks, first, strict=True))
    cover = texts[0]
    assert _plain(plan.plan.settings.plan_name, 3) in cover
    for key in ("summary.company", "summary.as_of", "summary.health"):
        assert _plain(labels[key], 2) in cover, key


def test_share_pdf_reports_its_pages_and_size(example_plan: PlanResult, tmp_path: Path) -> None:
    """Without LibreOffice this checks nothing; with it, the command line's message."""
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils is not installed")
    from xlmplan.libreoffice import available

    if not available():
        pytest.skip("LibreOffice not installed")
    plan = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, plan)
    out = tmp_path / "copy.xlsx"
    result = CliRunner().invoke(app, ["share", str(plan), "-o", str(out), "--pdf"])
    text = " ".join(result.output.split())
    pdf = out.with_suffix(".pdf")
    match = re.search(rf"Wrote {re.escape(str(pdf))} \((\d+) pages?, ([\d,]+) KB\)", text)
    assert match, text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert pages and int(match.group(1)) == int(pages.group(1))
    assert match.group(2) == f"{pdf.stat().st_size / 1024:,.0f}"
