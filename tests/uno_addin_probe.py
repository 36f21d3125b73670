#!/usr/bin/env python3
"""Open an add-in (.xlam) in headless LibreOffice and report what it sees.

Standalone script (no xlmplan imports), run under an interpreter that can ``import uno``;
it reuses ``uno_recalc.py``'s ``Office``. Reported as JSON to --out-json:

* ``libraries``: the Basic libraries LibreOffice imported from the VBA project (named
  after the VBA project), each module name -> source text;
* ``parts``: every part of the package as LibreOffice's own zip service
  (``com.sun.star.packages.zip.ZipFileAccess``) lists it, and ``ribbon``: the text of
  ``customUI/customUI14.xml`` read through that service.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "xlmplan" / "libreoffice"))
from uno_recalc import Office, prop  # type: ignore[import-not-found]  # noqa: E402

RIBBON = "customUI/customUI14.xml"
# Type detection does not take .xlam files; this filter is the one for macro-enabled OOXML.
FILTER = "Calc MS Excel 2007 VBA XML"


def load(office: Any, path: Path) -> Any:
    """Load ``path`` hidden through the macro-enabled OOXML filter, macros never run."""
    args = (
        prop("Hidden", True),
        prop("FilterName", FILTER),
        prop("MacroExecutionMode", 0),  # NEVER_EXECUTE: the code is read, not run
    )
    doc = office.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, args)
    if doc is None:
        raise RuntimeError(f"LibreOffice could not open {path} with the {FILTER!r} filter")
    return doc


def basic_modules(doc: Any) -> dict[str, dict[str, str]]:
    """Basic library name -> module name -> source, for every library but "Standard"."""
    libraries = doc.BasicLibraries
    found: dict[str, dict[str, str]] = {}
    for name in libraries.getElementNames():
        if name == "Standard":
            continue
        libraries.loadLibrary(name)
        library = libraries.getByName(name)
        found[name] = {module: library.getByName(module) for module in library.getElementNames()}
    return found


def zip_parts(office: Any, path: Path) -> tuple[list[str], str | None]:
    smgr = uno.getComponentContext().ServiceManager
    ctx = smgr.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
    ).resolve(f"uno:pipe,name={office.pipe};urp;StarOffice.ComponentContext")
    access = ctx.ServiceManager.createInstanceWithArgumentsAndContext(
        "com.sun.star.packages.zip.ZipFileAccess", (path.resolve().as_uri(),), ctx
    )
    names = list(access.getElementNames())
    if not access.hasByName(RIBBON):
        return names, None
    stream = access.getByName(RIBBON)
    chunks: list[bytes] = []
    while True:
        n, data = stream.readBytes(None, 65536)
        if n == 0:
            break
        chunks.append(bytes(data.value))
    stream.closeInput()
    return names, b"".join(chunks).decode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    for name in ("--soffice", "--profile", "--input", "--out-json", "--pipe"):
        ap.add_argument(name, required=True)
    ns = ap.parse_args()
    report: dict[str, Any] = {"ok": False}
    office = None
    try:
        office = Office(ns.soffice, Path(ns.profile), ns.pipe, 120.0)
        doc = load(office, Path(ns.input))
        try:
            report["libraries"] = basic_modules(doc)
            report["sheets"] = list(doc.Sheets.ElementNames)
        finally:
            doc.close(True)
        report["parts"], report["ribbon"] = zip_parts(office, Path(ns.input))
        report["ok"] = True
    except Exception as exc:  # noqa: BLE001 - reported to the caller as one line
        report["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        if office is not None:
            office.close()
        Path(ns.out_json).write_text(json.dumps(report), encoding="utf-8")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main())
