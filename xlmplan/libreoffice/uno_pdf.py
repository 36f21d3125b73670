#!/usr/bin/env python3
"""Export chosen sheets of a workbook as PDF with headless LibreOffice over UNO.

Standalone script (no xlmplan imports), run like ``uno_recalc.py`` under an interpreter
that can ``import uno``; it reuses that script's ``Office`` and ``prop``.
``xlmplan.libreoffice.pdf`` calls it as a subprocess and joins the parts.

The workbook is loaded with recalculation on load switched off, so the PDF shows the
values cached in the file. For each requested sheet, in order, that sheet is made the
only visible one and the document is stored with the ``calc_pdf_Export`` filter: one
PDF per sheet, printed with the sheet's own page style (orientation, fit to width,
repeated rows) as imported from the xlsx.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from uno_recalc import Office, prop  # type: ignore[import-not-found]  # noqa: E402

NEVER_RECALC = 1  # officecfg Calc/Formula/Load/*RecalcMode: 0 always, 1 never, 2 ask


def never_recalculate(office: Any) -> None:
    """Tell this soffice never to recalculate xlsx/ods formulas on load (keep cached values)."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    ctx = resolver.resolve(f"uno:pipe,name={office.pipe};urp;StarOffice.ComponentContext")
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx
    )
    node = prop("nodepath", "/org.openoffice.Office.Calc/Formula/Load")
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess", (node,)
    )
    access.setPropertyValue("OOXMLRecalcMode", NEVER_RECALC)
    access.setPropertyValue("ODFRecalcMode", NEVER_RECALC)
    access.commitChanges()


def page_setup(doc: Any, sheet: Any) -> dict[str, Any]:
    """The page settings LibreOffice will print ``sheet`` with."""
    style = doc.getStyleFamilies().getByName("PageStyles").getByName(sheet.PageStyle)
    titles = sheet.getTitleRows() if sheet.getPrintTitleRows() else None
    return {
        "landscape": bool(style.IsLandscape),
        "pages_wide": int(style.ScaleToPagesX),
        "pages_tall": int(style.ScaleToPagesY),
        "title_rows": [titles.StartRow, titles.EndRow] if titles else None,
        "width": int(style.Width),
        "height": int(style.Height),
    }


def cell_range(sheet: int, r1: int, c1: int, r2: int, c2: int) -> Any:
    addr = uno.createUnoStruct("com.sun.star.table.CellRangeAddress")
    addr.Sheet, addr.StartRow, addr.StartColumn, addr.EndRow, addr.EndColumn = sheet, r1, c1, r2, c2
    return addr


def excel_pixels(width: float) -> int:
    """A column width in Excel's units as pixels (7 a unit, 5 of padding)."""
    return int(width * 7 + 0.5) + 5


def apply_setup(doc: Any, sheet: Any, index: int, setup: dict[str, Any]) -> None:
    """Print ``sheet`` over ``setup["area"]`` with its own titles, orientation and fit."""
    sheet.setPrintAreas((cell_range(index, *setup["area"]),))
    rows, cols = setup.get("title_rows"), setup.get("title_cols")
    sheet.setPrintTitleRows(bool(rows))
    if rows:
        sheet.setTitleRows(cell_range(index, rows[0], 0, rows[1], 0))
    sheet.setPrintTitleColumns(bool(cols))
    if cols:
        sheet.setTitleColumns(cell_range(index, 0, cols[0], 0, cols[1]))
    style = doc.getStyleFamilies().getByName("PageStyles").getByName(sheet.PageStyle)
    landscape = bool(setup["landscape"])
    if bool(style.IsLandscape) != landscape:
        width, height = style.Width, style.Height
        style.IsLandscape = landscape
        style.Width, style.Height = height, width
    style.ScaleToPagesX = int(setup["pages_wide"])
    style.ScaleToPagesY = int(setup.get("pages_tall", 0))
    columns, rows = sheet.getColumns(), sheet.getRows()
    for col in setup.get("hidden_cols", ()):
        columns.getByIndex(col).IsVisible = False  # the document is never stored
    r1, _, r2, _ = setup["area"]
    for col, width, was in setup.get("narrowed", ()):
        column = columns.getByIndex(col)
        # in proportion to the column's own width: LibreOffice may size columns in a
        # substitute font's digits
        column.Width = int(column.Width * excel_pixels(width) / excel_pixels(was))
        sheet.getCellRangeByPosition(col, r1, col, r2).IsTextWrapped = True
    for row in setup.get("hidden_rows", ()):
        rows.getByIndex(row).IsVisible = False
    for row, points in setup.get("row_heights", ()):
        rows.getByIndex(row).Height = int(points * 2540 / 72)  # 1/100 mm


def export_sheets(
    doc: Any, names: list[str], out_dir: Path, setups: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """One PDF per sheet in ``names``: ``out_dir/<index>.pdf``, only that sheet visible,
    printed over its own print set-up or the one ``setups`` gives it."""
    sheets = doc.getSheets()
    missing = [name for name in names if not sheets.hasByName(name)]
    if missing:
        raise RuntimeError(
            f"no sheet named {', '.join(map(repr, missing))} "
            f"(sheets: {', '.join(sheets.getElementNames())})"
        )
    all_names = list(sheets.getElementNames())
    areas = {n: sheets.getByName(n).getPrintAreas() for n in all_names}
    parts: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        target = sheets.getByName(name)
        target.IsVisible = True  # show it first: a document keeps one visible sheet
        for other in all_names:
            if other != name:
                sheet = sheets.getByName(other)
                sheet.IsVisible = False
                sheet.setPrintAreas(())  # a print range prints even on a hidden sheet
        target.setPrintAreas(areas[name])
        if setups and name in setups:
            apply_setup(doc, target, all_names.index(name), setups[name])
        pdf = out_dir / f"{index}.pdf"
        args = (prop("FilterName", "calc_pdf_Export"), prop("Overwrite", True))
        doc.storeToURL(pdf.resolve().as_uri(), args)
        if not pdf.is_file():
            raise RuntimeError(f"LibreOffice wrote no PDF for sheet {name!r}")
        parts.append({"sheet": name, "pdf": str(pdf), **page_setup(doc, target)})
    return parts


def main(argv: list[str] | None = None) -> int:
    """Export; write a JSON report to --out-json (also on failure)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, type=Path)
    ap.add_argument("--input", required=True, type=Path)
    ap.add_argument("--out-json", required=True, type=Path)
    ap.add_argument("--out-dir", required=True, type=Path, help="where the per-sheet PDFs go")
    ap.add_argument("--sheet", action="append", required=True, help="a sheet, in print order")
    ap.add_argument("--setups", type=Path, help="JSON: sheet -> print set-up to print with")
    ap.add_argument("--pipe", required=True, help="UNO pipe name")
    ap.add_argument("--start-timeout", type=float, default=60.0)
    ns = ap.parse_args(argv)

    report: dict[str, Any] = {"ok": False}
    t0 = time.perf_counter()
    office: Office | None = None
    try:
        office = Office(ns.soffice, ns.profile, ns.pipe, ns.start_timeout)
        never_recalculate(office)
        t1 = time.perf_counter()
        doc = office.load(ns.input)
        t2 = time.perf_counter()
        try:
            ns.out_dir.mkdir(parents=True, exist_ok=True)
            setups = json.loads(ns.setups.read_text(encoding="utf-8")) if ns.setups else None
            parts = export_sheets(doc, ns.sheet, ns.out_dir, setups)
            t3 = time.perf_counter()
        finally:
            doc.close(True)
        report.update(
            ok=True,
            parts=parts,
            seconds_start=t1 - t0,
            seconds_load=t2 - t1,
            seconds_export=t3 - t2,
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
