#!/usr/bin/env python3
"""Recalculate many workbooks in one headless LibreOffice: load each, ``calculateAll()``,
and write every formula cell's value per file as one JSON report.

Runs under an interpreter that can ``import uno``; reuses ``uno_recalc.py`` (the one-file
job of ``xlmplan.libreoffice``) from the folder given by ``--uno-recalc``.
usage: uno_batch_recalc.py --uno-recalc DIR --soffice S --profile P --pipe NAME
       --out-json OUT FILE...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--uno-recalc", required=True, type=Path)
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, type=Path)
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--out-json", required=True, type=Path)
    ap.add_argument("files", nargs="+", type=Path)
    ns = ap.parse_args()
    sys.path.insert(0, str(ns.uno_recalc))
    import uno_recalc  # type: ignore[import-not-found]

    report: dict[str, object] = {}
    office = uno_recalc.Office(ns.soffice, ns.profile, ns.pipe, 120.0)
    try:
        for path in ns.files:
            try:
                doc = office.load(path)
                try:
                    doc.calculateAll()
                    values, _ = uno_recalc.formula_values(doc)
                finally:
                    doc.close(True)
                report[str(path)] = {"ok": True, "values": values}
            except Exception as exc:  # noqa: BLE001 - reported per file
                report[str(path)] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        office.close()
        ns.out_json.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main())
