"""Children of ``xl/workbook.xml`` in the order the schema (CT_Workbook) requires.

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
