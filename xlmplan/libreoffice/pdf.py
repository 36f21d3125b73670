"""PDF of chosen sheets through headless LibreOffice, and pictures of its pages.

``uno_pdf.py`` (run under a UNO-capable Python, like ``uno_recalc.py``) loads the
workbook without recalculating, so the PDF shows the values cached in the file, and
prints each requested sheet on its own with the page setup stored in the xlsx
(landscape, one page wide, header rows repeated). The per-sheet PDFs are joined in the
requested order with ``pdfunite``; page counts come from ``pdfinfo`` (both poppler-utils).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from xlmplan.errors import XlmplanError
from xlmplan.libreoffice import runner
from xlmplan.sheets.print_setup import PageSetup

SCRIPT = Path(__file__).with_name("uno_pdf.py")
POPPLER_HINT = "poppler-utils is missing: " + runner.SETUP_HINT


@dataclass
class PdfResult:
    """The written PDF, its pages per sheet (in print order) and what LibreOffice used.

    ``setups[sheet]`` holds LibreOffice's page style for the sheet: ``landscape``,
    ``pages_wide``/``pages_tall`` (0: any number), ``title_rows`` (0-based, inclusive).
    """

    path: Path
    pages: dict[str, int]
    seconds: float
    setups: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def total_pages(self) -> int:
        return sum(self.pages.values())

    def first_page(self, sheet: str) -> int:
        """1-based number of the first page of ``sheet`` in the joined PDF."""
        page = 1
        for name, count in self.pages.items():
            if name == sheet:
                return page
            page += count
        raise KeyError(sheet)


def export_pdf(
    xlsx: Path,
    pdf: Path,
    sheets: list[str],
    *,
    setups: dict[str, PageSetup] | None = None,
    timeout: float = 180,
) -> PdfResult:
    """Write ``pdf`` holding only ``sheets`` of ``xlsx``, in that order, each printed with
    its own page setup (or the one ``setups`` gives it: another area, titles, orientation
    and fit). Displayed values are the cached ones (no recalculation)."""
    if not sheets:
        raise XlmplanError("export_pdf needs at least one sheet")
    if len(set(sheets)) != len(sheets):
        raise XlmplanError(f"a sheet is named twice in {sheets}")
    xlsx = runner._existing(xlsx)
    pdfunite = _tool("pdfunite")
    python = runner.uno_python()
    if python is None:
        raise XlmplanError(
            f"python3-uno is missing (no interpreter can `import uno`): {runner.SETUP_HINT}"
        )
    soffice = runner._require_soffice()
    what = f"exporting {xlsx.name} to PDF"
    with tempfile.TemporaryDirectory(prefix="xlmplan-lo-") as name:
        tmp = Path(name).resolve()
        (tmp / "input").mkdir()
        copy = Path(shutil.copy2(xlsx, tmp / "input" / xlsx.name))  # .~lock files stay here
        report_path, parts_dir = tmp / "report.json", tmp / "parts"
        profile, pipe = tmp / "profile", f"xlmplan_{uuid.uuid4().hex}"
        cmd = [python, str(SCRIPT), "--input", str(copy), "--out-json", str(report_path)]
        cmd += ["--out-dir", str(parts_dir), "--soffice", soffice, "--profile", str(profile)]
        cmd += ["--pipe", pipe, "--start-timeout", str(min(120.0, timeout))]
        for sheet in sheets:
            cmd += ["--sheet", sheet]
        if setups:
            (tmp / "setups.json").write_text(
                json.dumps({name: _setup_json(s) for name, s in setups.items()}), "utf-8"
            )
            cmd += ["--setups", str(tmp / "setups.json")]
        try:
            done = runner._run(cmd, timeout, what)
        finally:
            runner._remove_pipes(profile, pipe)
        try:
            report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            detail = runner._last_line(done.stderr) or f"exit {done.returncode}"
            raise XlmplanError(f"LibreOffice failed {what}: {detail}") from None
        if not report.get("ok"):
            raise XlmplanError(f"LibreOffice failed {what}: {report.get('error', 'unknown')}")
        parts = report["parts"]
        pages = {part["sheet"]: page_count(Path(part["pdf"])) for part in parts}
        pdf.parent.mkdir(parents=True, exist_ok=True)
        joined = tmp / "joined.pdf"
        if len(parts) == 1:
            shutil.copyfile(parts[0]["pdf"], joined)
        else:
            done = runner._run([pdfunite, *(p["pdf"] for p in parts), str(joined)], 120, what)
            if done.returncode != 0 or not joined.is_file():
                raise XlmplanError(f"pdfunite failed: {runner._last_line(done.stderr)}")
        shutil.move(joined, pdf)
    used = {p["sheet"]: {k: v for k, v in p.items() if k not in ("sheet", "pdf")} for p in parts}
    return PdfResult(pdf, pages, float(report["seconds_total"]), used)


def _setup_json(setup: PageSetup) -> dict[str, Any]:
    fields = (
        "area",
        "title_rows",
        "title_cols",
        "landscape",
        "pages_wide",
        "pages_tall",
        "hidden_cols",
        "narrowed",
        "row_heights",
        "hidden_rows",
    )
    return {name: getattr(setup, name) for name in fields}


def page_count(pdf: Path) -> int:
    """Number of pages of ``pdf`` (``pdfinfo``)."""
    return int(pdf_info(pdf)["Pages"])


def pdf_info(pdf: Path, page: int | None = None) -> dict[str, str]:
    """``pdfinfo``'s fields; with ``page`` also that page's "Page size" (in points)."""
    cmd = [_tool("pdfinfo")]
    if page is not None:
        cmd += ["-f", str(page), "-l", str(page)]
    done = runner._run([*cmd, str(pdf)], 60, "running pdfinfo")
    if done.returncode != 0:
        raise XlmplanError(f"pdfinfo failed on {pdf}: {runner._last_line(done.stderr)}")
    info: dict[str, str] = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    if page is not None:
        info["Page size"] = info.get(f"Page {page:>4} size", info.get(f"Page {page} size", ""))
    return info


def page_size(pdf: Path, page: int) -> tuple[float, float]:
    """Width and height of one page (1-based) in points."""
    size = pdf_info(pdf, page)["Page size"].split()
    try:
        return float(size[0]), float(size[2])
    except (IndexError, ValueError):
        raise XlmplanError(f"pdfinfo gave no size for page {page} of {pdf}") from None


def render_page_png(pdf: Path, page: int, png: Path, dpi: int = 80) -> Path:
    """Picture of one page (1-based) of ``pdf`` as PNG, via ``pdftoppm``."""
    return _render(pdf, page, png, dpi, "png")


def render_page_ppm(pdf: Path, page: int, ppm: Path, dpi: int = 80) -> Path:
    """Like ``render_page_png`` but a binary PPM (P6), trivial to read without libraries."""
    return _render(pdf, page, ppm, dpi, "ppm")


def _render(pdf: Path, page: int, out: Path, dpi: int, kind: str) -> Path:
    pdftoppm = _tool("pdftoppm")
    if not Path(pdf).is_file():
        raise XlmplanError(f"PDF not found: {pdf}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlmplan-ppm-") as tmp:
        stem = Path(tmp) / "page"
        cmd = [pdftoppm, *(["-png"] if kind == "png" else []), "-singlefile"]  # ppm: default
        cmd += ["-f", str(page), "-l", str(page)]
        cmd += ["-r", str(dpi), str(pdf), str(stem)]
        done = runner._run(cmd, 120, "running pdftoppm")
        made = stem.with_suffix("." + kind)
        if done.returncode != 0 or not made.is_file():
            detail = runner._last_line(done.stderr) or f"exit {done.returncode}"
            raise XlmplanError(f"pdftoppm failed on page {page} of {pdf}: {detail}")
        shutil.move(made, out)
    return out


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise XlmplanError(f"{name}: {POPPLER_HINT}")
    return found


def word_heights(pdf: Path) -> list[list[float]]:
    """Per page, the height in points of every word's box (``pdftotext -bbox``). A box is
    about 1.2 × the font size: 9.6 pt of box is 8 pt type."""
    done = runner._run([_tool("pdftotext"), "-bbox", str(pdf), "-"], 120, "running pdftotext")
    if done.returncode != 0:
        raise XlmplanError(f"pdftotext failed on {pdf}: {runner._last_line(done.stderr)}")
    root = etree.fromstring(done.stdout.encode("utf-8"), etree.XMLParser(recover=True))
    pages = []
    for page in root.iter("{*}page"):
        pages.append(
            [float(w.get("yMax", 0)) - float(w.get("yMin", 0)) for w in page.iter("{*}word")]
        )
    return pages
