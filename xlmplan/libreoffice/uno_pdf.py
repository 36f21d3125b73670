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


def export_sheets(doc: Any, names: list[str], out_dir: Path) -> list[dict[str, Any]]:
    """One PDF per sheet in ``names``: ``out_dir/<index>.pdf``, only that sheet visible."""
    sheets = doc.getSheets()
    missing = [name for name in names if not sheets.hasByName(name)]
    if missing:
        raise RuntimeError(
            f"no sheet named {', '.join(map(repr, missing))} "
            f"(sheets: {', '.join(sheets.getElementNames())})"
        )
    all_names = list(sheets.getElementNames())
    parts: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        target = sheets.getByName(name)
        target.IsVisible = True  # show it first: a document keeps one visible sheet
        for other in all_names:
            if other != name:
                sheets.getByName(other).IsVisible = False
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
            parts = export_sheets(doc, ns.sheet, ns.out_dir)
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
