"""Which of xlmplan's sheets a refresh can leave as they are, without writing them afresh.

A sheet's spliced part follows from its fresh layout (the ``Sheet`` and the book's
formats and print texts), its part in the user's file, the manifest's records and the
file's styles. The refresh record keeps a digest of each sheet's fresh layout beside
the part keys (``xlsx/refresh_record.py``); while the layout's digest and those parts
are what the last refresh wrote, splicing the sheet again gives the bytes it has, so it
is neither written to the scratch book nor spliced. A sheet whose charts are written
brings the sheets they read (the charts' cached points come from those sheets' cells).
"""

from __future__ import annotations

import hashlib
import re

from xlmplan.sheets.layout import Book, Sheet
from xlmplan.xlsx.package import Package
from xlmplan.xlsx.refresh_record import PartKeys, part_keys

# Parts every splice reads besides the sheet's own: formats, strings, charts and drawings.
SHARED_PREFIXES = ("xl/worksheets/_rels/", "xl/drawings/", "xl/charts/")
SHARED_PARTS = ("xl/styles.xml", "xl/sharedStrings.xml")
_SHEET_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!")


def sheet_digests(book: Book) -> dict[str, str]:
    """Per role, a digest of everything its fresh sheet part is written from."""
    context = repr(
        (book.currency, book.font, book.date_format, book.month_format, book.rtl)
        + (book.print_texts, book.properties.get("title", ""))
    )
    out = {}
    for index, sheet in enumerate(book.sheets):
        text = f"{index}\0{context}\0{_layout(sheet)}"
        out[sheet.role] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return out


def _layout(sheet: Sheet) -> str:
    """The sheet as text: every field (a frame by its full contents)."""
    frames = [(f.row, f.col, f.styles, f.frame.to_dict("split")) for f in sheet.frames]
    fields = [
        (k, sorted(v) if isinstance(v, set) else v)
        for k, v in sorted(vars(sheet).items())
        if k != "frames"
    ]
    return repr((fields, frames))


def kept_roles(
    pkg: Package,
    parts: dict[str, str],
    digests: dict[str, str],
    recorded: tuple[dict[str, str], PartKeys] | None,
    manifest: str | None,
) -> set[str]:
    """The roles (of ``parts``: role -> sheet part) whose layout digest is the recorded
    one while their part, the manifest's part and the shared parts are as recorded."""
    if recorded is None:
        return set()
    old, written = recorded
    now = part_keys(pkg)
    shared = [p for p in now if p.startswith(SHARED_PREFIXES) or p in SHARED_PARTS]
    shared += [p for p in written if p.startswith(SHARED_PREFIXES) or p in SHARED_PARTS]
    if manifest is not None:
        shared.append(manifest)
    if any(now.get(p) != written.get(p) for p in shared):
        return set()
    return {
        role
        for role, part in parts.items()
        if role in digests
        and old.get(role) == digests[role]
        and part in written
        and now.get(part) == written[part]
    }


def with_chart_sources(book: Book, roles: set[str]) -> set[str]:
    """``roles`` and the roles of the sheets their charts read."""
    by_name = {sheet.name: sheet.role for sheet in book.sheets}
    refs = [
        ref
        for sheet in book.sheets
        if sheet.role in roles
        for chart in sheet.charts
        for series in chart.series
        for ref in (series.categories, series.values)
    ]
    out = set(roles)
    for ref in refs:
        match = _SHEET_REF.match(ref or "")
        if match:
            name = match.group(1).replace("''", "'") if match.group(1) else match.group(2)
            out.add(by_name.get(name, ""))
    return out - {""}
