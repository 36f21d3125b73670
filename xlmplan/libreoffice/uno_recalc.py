#!/usr/bin/env python3
"""Recalculate or render a workbook with headless LibreOffice over UNO.

Standalone script (no xlmplan imports): it must run under an interpreter that can
``import uno`` (Debian's ``/usr/bin/python3`` with python3-uno), not the project venv.
``xlmplan.libreoffice.runner`` calls it as a subprocess.

Jobs:
  recalc  load hidden, ``calculateAll()``, write every formula cell's value as JSON,
          optionally store the recalculated document as xlsx.
  pdf     load hidden, ``calculateAll()``, export one sheet as one PDF page (100 %).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

FORMULA_FLAG = 16  # com.sun.star.sheet.CellFlags.FORMULA
RESULT_ERROR = 4  # com.sun.star.sheet.FormulaResult.ERROR

# LibreOffice FormulaError codes -> Excel-style markers.
ERROR_MARKERS = {
    532: "#DIV/0!",
    525: "#NAME?",
    519: "#VALUE!",
    502: "#VALUE!",
    524: "#REF!",
    32767: "#N/A",
    503: "#NUM!",
    521: "#NULL!",
}


def prop(name: str, value: Any) -> Any:
    """Build a ``PropertyValue``."""
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def col_letters(col: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def error_marker(code: int) -> str:
    """Map a LibreOffice error code to an Excel-style marker."""
    return ERROR_MARKERS.get(code, f"#ERR{code}")


class Office:
    """A private headless soffice process with its own profile, and a UNO connection."""

    def __init__(self, soffice: str, profile: Path, pipe: str, timeout: float) -> None:
        self.pipe = pipe
        profile.mkdir(parents=True, exist_ok=True)
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        self.log = profile / "soffice.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            self.desktop = self._connect(timeout)
        except BaseException:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise

    def _connect(self, timeout: float) -> Any:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    err = self.log.read_text(errors="replace").strip()
                    raise RuntimeError(
                        f"soffice exited with code {self.proc.returncode} before accepting "
                        f"connections{': ' + err.splitlines()[-1] if err else ''}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"soffice did not accept a connection within {timeout:.0f}s"
                    ) from None
                time.sleep(0.1)
        return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def load(self, path: Path) -> Any:
        """Load a document hidden, with macros and link updates disabled."""
        args = (
            prop("Hidden", True),
            prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
            prop("UpdateDocMode", 0),  # NO_UPDATE
        )
        doc = self.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, args)
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {path}")
        return doc

    def close(self) -> None:
        """Terminate soffice: politely first, then kill."""
        with contextlib.suppress(Exception):  # the bridge dies with the process
            self.desktop.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def formula_values(doc: Any) -> tuple[dict[str, dict[str, object]], int]:
    """Every formula cell's value per sheet, read range by range."""
    values: dict[str, dict[str, object]] = {}
    count = 0
    sheets = doc.getSheets()
    for i in range(sheets.getCount()):
        sheet = sheets.getByIndex(i)
        cells: dict[str, object] = {}
        found = sheet.queryContentCells(FORMULA_FLAG)
        for addr in found.getRangeAddresses():
            rng = sheet.getCellRangeByPosition(
                addr.StartColumn, addr.StartRow, addr.EndColumn, addr.EndRow
            )
            data = rng.getDataArray()
            for r, row in enumerate(data):
                for c, val in enumerate(row):
                    ref = f"{col_letters(addr.StartColumn + c)}{addr.StartRow + r + 1}"
                    cells[ref] = float(val) if isinstance(val, (int, float)) else val
        # Errors: only touch the (few) error cells one by one.
        errors = sheet.queryFormulaCells(RESULT_ERROR)
        for addr in errors.getRangeAddresses():
            for row in range(addr.StartRow, addr.EndRow + 1):
                for col in range(addr.StartColumn, addr.EndColumn + 1):
                    code = sheet.getCellByPosition(col, row).getError()
                    if code:
                        cells[f"{col_letters(col)}{row + 1}"] = error_marker(code)
        count += len(cells)
        values[sheet.getName()] = dict(sorted(cells.items(), key=_cell_order))
    return values, count


def _cell_order(item: tuple[str, object]) -> tuple[int, int]:
    ref = item[0]
    split = next(i for i, ch in enumerate(ref) if ch.isdigit())
    col = 0
    for ch in ref[:split]:
        col = col * 26 + ord(ch) - 64
    return int(ref[split:]), col


def sheet_extent(sheet: Any) -> Any:
    """The range from A1 to the end of the used area, grown to cover charts and shapes."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    last_col, last_row = end.EndColumn, end.EndRow
    right = bottom = 0
    page = sheet.getDrawPage()
    for i in range(page.getCount()):
        shape = page.getByIndex(i)
        pos, size = shape.getPosition(), shape.getSize()
        right = max(right, pos.X + size.Width)
        bottom = max(bottom, pos.Y + size.Height)
    rng = sheet.getCellRangeByPosition(0, 0, last_col, last_row)
    while rng.Position.X + rng.Size.Width < right and last_col < 16383:
        last_col += 1
        rng = sheet.getCellRangeByPosition(0, 0, last_col, last_row)
    while rng.Position.Y + rng.Size.Height < bottom and last_row < 1048575:
        last_row += 1
        rng = sheet.getCellRangeByPosition(0, 0, last_col, last_row)
    return rng


def export_sheet_pdf(doc: Any, sheet_name: str, out_pdf: Path, margin: int = 300) -> None:
    """Export one sheet as a single PDF page at 100 % scale.

    The sheet's page style is resized to its content (``margin`` in 1/100 mm around it,
    no header/footer, fit to one page as a fallback) and only that range is exported.
    """
    sheets = doc.getSheets()
    if not sheets.hasByName(sheet_name):
        names = ", ".join(sheets.getElementNames())
        raise RuntimeError(f"no sheet named {sheet_name!r} (sheets: {names})")
    sheet = sheets.getByName(sheet_name)
    rng = sheet_extent(sheet)
    width, height = rng.Size.Width, rng.Size.Height
    style = doc.getStyleFamilies().getByName("PageStyles").getByName(sheet.PageStyle)
    style.HeaderIsOn = False
    style.FooterIsOn = False
    for side in ("LeftMargin", "RightMargin", "TopMargin", "BottomMargin"):
        setattr(style, side, margin)
    style.IsLandscape = width > height
    style.Width = width + 2 * margin + 100  # a little slack against rounding
    style.Height = height + 2 * margin + 100
    style.ScaleToPagesX = 1
    style.ScaleToPagesY = 1
    filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", (prop("Selection", rng),))
    args = (prop("FilterName", "calc_pdf_Export"), prop("FilterData", filter_data))
    uno.invoke(doc, "storeToURL", (out_pdf.resolve().as_uri(), args))


def main(argv: list[str] | None = None) -> int:
    """Run one job; write a JSON report to --out-json (also on failure)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("job", choices=["recalc", "pdf"])
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, type=Path)
    ap.add_argument("--input", required=True, type=Path)
    ap.add_argument("--out-json", required=True, type=Path)
    ap.add_argument("--store", type=Path, help="recalc: also store the recalculated xlsx here")
    ap.add_argument("--sheet", help="pdf: the sheet to export")
    ap.add_argument("--out-pdf", type=Path, help="pdf: where to write the PDF")
    ap.add_argument("--pipe", default=f"xlmplan_{uuid.uuid4().hex}", help="UNO pipe name")
    ap.add_argument("--start-timeout", type=float, default=60.0)
    ns = ap.parse_args(argv)

    report: dict[str, Any] = {"ok": False}
    t0 = time.perf_counter()
    office: Office | None = None
    try:
        office = Office(ns.soffice, ns.profile, ns.pipe, ns.start_timeout)
        t1 = time.perf_counter()
        doc = office.load(ns.input)
        t2 = time.perf_counter()
        try:
            doc.calculateAll()
            t3 = time.perf_counter()
            if ns.job == "recalc":
                values, count = formula_values(doc)
                report.update(values=values, formula_count=count)
                if ns.store:
                    args = (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True))
                    doc.storeToURL(ns.store.resolve().as_uri(), args)
            else:
                if not ns.sheet or not ns.out_pdf:
                    raise RuntimeError("pdf job needs --sheet and --out-pdf")
                export_sheet_pdf(doc, ns.sheet, ns.out_pdf)
            t4 = time.perf_counter()
        finally:
            doc.close(True)
        report.update(
            ok=True,
            seconds_start=t1 - t0,
            seconds_load=t2 - t1,
            seconds_calc=t3 - t2,
            seconds_extract=t4 - t3,
        )
    except Exception as exc:  # noqa: BLE001 - reported to the caller as one line
        report["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        if office is not None:
            office.close()
        report["seconds_total"] = time.perf_counter() - t0
        ns.out_json.write_text(json.dumps(report), encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main())
