"""Names the OOXML package format fixes: well-known parts and relationship namespaces.

Part names are zip member names (``xl/workbook.xml``, no leading slash).
"""

from __future__ import annotations

import posixpath

WORKBOOK_PART = "xl/workbook.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
REL_BASES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/",
)
REL_NAMESPACES = frozenset(base.rstrip("/") for base in REL_BASES)
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def rel_kind(rel_type: str) -> str:
    """The last word of an Office relationship type (``worksheet``, ``table``, ...) in both
    Transitional and Strict spelling; other types unchanged."""
    for base in REL_BASES:
        if rel_type.startswith(base):
            return rel_type[len(base) :]
    return rel_type


def rels_part_of(part: str) -> str:
    """The rels part of ``part`` (``""`` is the package itself: ``_rels/.rels``)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")
