"""Whether each XML part of a package is well-formed XML 1.0.

python-calamine reads a worksheet holding a character XML forbids; Excel repairs such a
file and LibreOffice silently drops rows. ``check`` parses every part with expat (which
refuses those characters and character references to them) and names each one that fails.
"""

from __future__ import annotations

import xml.parsers.expat

from xlmplan.core.checks import Finding
from xlmplan.xlsx.package import Package
from xlmplan.xlsx.plan_file import PlanFile


def ill_formed(pkg: Package) -> list[tuple[str, str]]:
    """``(part, expat's reason with line and column)`` for every XML part that is not
    well-formed (``.xml`` and ``.rels`` parts; legacy VML drawings are not XML 1.0)."""
    out: list[tuple[str, str]] = []
    for name in pkg.names():
        if not name.endswith((".xml", ".rels")):
            continue
        parser = xml.parsers.expat.ParserCreate()
        try:
            parser.Parse(pkg.read(name), True)
        except xml.parsers.expat.ExpatError as exc:
            out.append((name, str(exc)))
    return out


def ill_formed_findings(pf: PlanFile) -> list[Finding]:
    """An error per part that is not well-formed XML, naming xlmplan's sheet it holds."""
    sheets = {ref.part: ref.name for ref in pf.sheets.values()}
    return [
        Finding(
            "error",
            f"{sheets[part]} ({part})" if part in sheets else part,
            f"the part is not well-formed XML 1.0 ({reason}) — Excel repairs the file and "
            "LibreOffice drops what it cannot read: restore the previous version "
            "(.backup.xlsx) or open and save the file in Excel",
        )
        for part, reason in ill_formed(pf.pkg)
    ]
