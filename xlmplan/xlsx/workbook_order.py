"""Order in ``xl/workbook.xml``: its children in the order the schema (CT_Workbook)
requires, and the place and name of a sheet added to a workbook.

Excel offers to repair a workbook whose children are out of order, so every element
xlmplan adds to ``workbook.xml`` goes through ``workbook_child``.
"""

from __future__ import annotations

from lxml import etree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_WORKBOOK = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def workbook_child(book: etree._Element, tag: str) -> etree._Element:
    """The workbook's ``tag`` child; a missing one is created at its schema position.

    Children of other namespaces (``mc:AlternateContent``) stay where they are; the new
    element goes before the first main-namespace child the schema puts after it.
    """
    found = book.find(f"{{{MAIN_NS}}}{tag}")
    if found is not None:
        return found
    rank = CT_WORKBOOK.index(tag)
    element = etree.Element(f"{{{MAIN_NS}}}{tag}")
    for child in book:
        name = etree.QName(child)
        known = name.namespace == MAIN_NS and name.localname in CT_WORKBOOK
        if known and CT_WORKBOOK.index(name.localname) > rank:
            child.addprevious(element)
            return element
    book.append(element)
    return element


def sheet_position(order: list[str | None], role: str, roles: tuple[str, ...]) -> int:
    """Where a sheet of ``role`` goes among a workbook's sheets: ``order`` holds each
    sheet's role in book order (None for a user's own sheet), ``roles`` the book order of
    every role. The sheet goes right after the last sheet of a role that comes before it,
    else before the first sheet of a role that comes after it, else last."""
    rank = {r: i for i, r in enumerate(roles)}
    mine = rank[role]
    before = [i for i, r in enumerate(order) if r in rank and rank[r] < mine]
    if before:
        return before[-1] + 1
    after = [i for i, r in enumerate(order) if r in rank and rank[r] > mine]
    return after[0] if after else len(order)


MAX_SHEET_NAME = 31  # characters, Excel's limit


def free_sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)`` ... when a sheet already has that name
    (Excel compares sheet names without case); at most 31 characters."""
    folded = {t.casefold() for t in taken}
    name, n = wanted[:MAX_SHEET_NAME], 2
    while name.casefold() in folded:
        suffix = f" ({n})"
        name = wanted[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    return name
