"""Arabic and Persian text cells drawn by LibreOffice: numbers and symbols inside a
sentence land where a right-to-left reader expects them (first word at the right end)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from engines import NEEDS_LO

from xlmplan.api import new_plan
from xlmplan.core.labels import load_labels
from xlmplan.core.template import templates_root
from xlmplan.libreoffice.pdf import export_pdf

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
)
# evidence texts of the starter plan and the number in them: first or last word
TEXTS = {
    "ar": [
        ("2,300 مراجعة على المتجر والأسواق الإلكترونية", "2,300", "first"),
        ("ملف مصدَّر من منصة البريد الإلكتروني، ومعدل فتح 31%", "31", "last"),
    ],
    "fa": [
        ("2,300 نظر در فروشگاه و بازارگاه‌های اینترنتی", "2,300", "first"),
        ("خروجی سامانه ارسال ایمیل، نرخ بازشدن 31%", "31", "last"),
    ],
}


def _words(pdf: Path) -> list[tuple[float, float, float, str]]:
    """(xMin, yMin, xMax, text) of every word on the first page."""
    done = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [(float(a), float(b), float(c), t) for a, b, c, t in WORD.findall(done.stdout)]


def _same(word: str, wanted: str) -> bool:
    """pdftotext writes Arabic script in visual order (reversed)."""
    return word in (wanted, wanted[::-1])


@NEEDS_LO
@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_sentences_start_at_the_right_end(tmp_path: Path, lang: str) -> None:
    plan = new_plan(tmp_path / f"{lang}.xlsx", lang=lang).path
    sheet = load_labels(templates_root() / "labels", lang)["sheet.swot"]
    pdf = export_pdf(plan, tmp_path / "swot.pdf", [sheet]).path
    words = _words(pdf)
    for text, number, place in TEXTS[lang]:
        parts = [p for p in text.split() if not p[0].isdigit()]
        lines = {
            y
            for _, y, _, w in words
            if w == number
            and sum(any(_same(v, p) for p in parts) for _, y2, _, v in words if y2 == y) >= 2
        }
        assert len(lines) == 1, (text, lines)
        y = lines.pop()
        cell = _run([(x0, x1, w) for x0, y0, x1, w in words if y0 == y], number)
        arabic = [(x0, x1) for x0, x1, w in cell if any(_same(w, p) for p in parts)]
        assert len(arabic) >= 2, (text, cell)
        x0, x1 = next((a, b) for a, b, w in cell if w == number)
        if place == "first":  # a right-to-left sentence starts at the right end
            assert x1 > max(b for _, b in arabic), text
        else:
            assert x0 < min(a for a, _ in arabic), text


def _run(line: list[tuple[float, float, str]], word: str) -> list[tuple[float, float, str]]:
    """The words drawn together with ``word`` (gaps under 4.5 pt, a space at 100 %): one
    cell's text."""
    runs: list[list[tuple[float, float, str]]] = []
    for item in sorted(line):
        if runs and item[0] - runs[-1][-1][1] < 4.5:
            runs[-1].append(item)
        else:
            runs.append([item])
    return next(run for run in runs if any(w == word for _, _, w in run))
