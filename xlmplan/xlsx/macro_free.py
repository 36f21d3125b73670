"""What makes a workbook need something its reader may not have: macros, a ribbon of its
own, links to other workbooks or add-ins. ``macro_free_edits`` lists the package edits that
take them out, so the copy is a plain ``.xlsx``."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlmplan.xlsx.ooxml_names import rels_part_of
from xlmplan.xlsx.package import Package, xml_bytes

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAINS = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
# Relationship types whose targets a plain workbook must not carry.
_DROP_TYPES = (
    "/vbaProject",
    "/vbaProjectSignature",
    "/vbaProjectSignatureAgile",
    "/vbaProjectSignatureV3",
    "/wordVbaData",
    "/externalLink",
    "/ui/extensibility",  # customUI: a ribbon of the file's own, calling its macros
    "/ui/2007/extensibility",
    "/keyMapCustomizations",
)


@dataclass
class MacroFreeEdits:
    replace: dict[str, bytes] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)
    removed_kinds: list[str] = field(default_factory=list)  # "macros", "external links", …
    external_names: list[str] = field(default_factory=list)  # defined names dropped


def macro_free_edits(pkg: Package) -> MacroFreeEdits:
    """The edits that remove macros, the file's own ribbon and external links."""
    out = MacroFreeEdits()
    workbook = pkg.workbook_part
    for source in ("", workbook):
        rels_name = rels_part_of(source)
        if not pkg.has(rels_name):
            continue
        targets = {rel.rid: rel for rel in pkg.relationships(source)}
        rels = pkg.xml(rels_name)
        changed = False
        for el in list(rels):
            rel = targets.get(el.get("Id", ""))
            if rel is None or not rel.type.endswith(_DROP_TYPES):
                continue
            rels.remove(el)
            changed = True
            if rel.external:
                continue
            out.remove.add(rel.target)
            if pkg.has(rels_part_of(rel.target)):
                out.remove.add(rels_part_of(rel.target))
            out.removed_kinds.append(
                "external links"
                if rel.type.endswith("/externalLink")
                else "a ribbon of its own"
                if "extensibility" in rel.type
                else "macros"
            )
        if changed:
            out.replace[rels_name] = xml_bytes(rels)
    out.remove &= set(pkg.names())
    for name in pkg.names():  # parts a broken file carries without a relationship
        if name.lower().endswith(("vbaproject.bin", "vbadata.xml")) or name.startswith(
            "xl/externalLinks/"
        ):
            out.remove.add(name)
            out.removed_kinds.append("macros" if "vba" in name.lower() else "external links")
    book = pkg.xml(workbook)
    book_changed = False
    refs = book.find(f"{{{MAIN_NS}}}externalReferences")
    if refs is not None:
        book.remove(refs)
        book_changed = True
    names = book.find(f"{{{MAIN_NS}}}definedNames")
    if names is not None:
        for dn in list(names):
            if "[" in (dn.text or "") and cites_other_workbook(dn.text or ""):
                out.external_names.append(dn.get("name", ""))
                names.remove(dn)
                book_changed = True
        if len(names) == 0:
            book.remove(names)
    if book_changed:
        out.replace[workbook] = xml_bytes(book)
    types = pkg.xml("[Content_Types].xml")
    types_changed = False
    for el in list(types):
        part = el.get("PartName", "").lstrip("/")
        if el.tag == f"{{{CT_NS}}}Override" and part in out.remove:
            types.remove(el)
            types_changed = True
        elif part == workbook and el.get("ContentType") in MACRO_MAINS:
            el.set("ContentType", XLSX_MAIN)
            types_changed = True
            out.removed_kinds.append("macros")
        elif el.tag == f"{{{CT_NS}}}Default" and "vbaProject" in el.get("ContentType", ""):
            types.remove(el)
            types_changed = True
    if types_changed:
        out.replace["[Content_Types].xml"] = xml_bytes(types)
    out.removed_kinds = sorted(set(out.removed_kinds))
    return out


def cites_other_workbook(text: str) -> bool:
    """A formula that cites another workbook (``[1]Sheet!A1``, ``'C:\\x\\[b.xlsx]S'!A1``)."""
    in_string = False
    for i, ch in enumerate(text):
        if ch == '"':
            in_string = not in_string
        elif ch == "[" and not in_string:
            rest = text[i + 1 :]
            digits = rest.split("]", 1)[0]
            if digits.isdigit() or ".xl" in digits.lower():
                return True
    return False
