"""Safe XML parsing of package parts: no DOCTYPE or entity declarations (XXE, billion
laughs), nothing fetched from the network, and no encodings that could hide a DOCTYPE."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.error_text import MALICIOUS, show, show_size

PROLOG_BYTES = 1 << 20
"""How far into a part its XML prolog (declaration, comments) may reach (1 MiB)."""

_SETTLED_CHARS = 16  # of content after the prolog: more than "<!DOCTYPE" needs
_SAFE_ENCODING = re.compile(
    r"(utf-?8|(us-)?ascii|iso[-_]?8859[-_]\d{1,2}|latin-?1|(windows|cp)-?125\d)", re.I
)
_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_ENCODING_DECL = re.compile(r"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def safe_parser(*, huge: bool) -> Any:
    """An lxml parser that resolves no entities and loads no DTD; ``huge`` lifts
    libxml2's size limits (for worksheets only)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        collect_ids=False,
    )


def doctype_error(path: Path, part: str) -> WorkbookError:
    return WorkbookError(
        f"{path}: {show(part)} contains a DOCTYPE/entity declaration, which a workbook "
        f"never needs — {MALICIOUS}"
    )


def _decode_head(path: Path, part: str, head: bytes) -> str:
    """The start of a part as text, for looking at its prolog; refuses encodings a
    workbook never uses (UTF-7, UTF-32, EBCDIC: they could hide a DOCTYPE)."""
    if head[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        encoding = "UTF-32"
    elif head[:4] == b"\x4c\x6f\xa7\x94":
        encoding = "EBCDIC"
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        big = head[:2] == b"\xfe\xff" or head[:1] == b"\x00"
        text = head[: len(head) // 2 * 2].decode("utf-16-be" if big else "utf-16-le", "replace")
        text = text.lstrip("\ufeff")
        declared = _ENCODING_DECL.match(text)
        if declared is None or declared.group(1).lower().startswith("utf-16"):
            return text
        encoding = declared.group(1)
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
        declared = _ENCODING_DECL.match(text)
        if declared is None or _SAFE_ENCODING.fullmatch(declared.group(1)):
            return text
        encoding = declared.group(1)
    raise WorkbookError(
        f"{path}: {show(part)} uses the character encoding {show(encoding, 20)}, which a "
        f"workbook never needs — {MALICIOUS}"
    )


def check_prolog(path: Path, part: str, head: bytes) -> bool:
    """Refuse a DOCTYPE (the only place entity declarations can live) before the root
    element; ``head`` is the part's start (at least ``PROLOG_BYTES`` of it, or all).
    True when ``head`` reaches well past the prolog, so no longer start could say more."""
    text = _decode_head(path, part, head[:PROLOG_BYTES])
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if match is None:
            break
        pos = match.end()
    rest = text[pos:].lstrip()
    if rest.startswith("<!") and not rest.startswith("<!--"):
        raise doctype_error(path, part)
    unfinished = not rest or rest.startswith("<?") or rest.startswith("<!--")
    if unfinished and len(head) >= PROLOG_BYTES:  # shorter: all of a part the parser refuses
        raise WorkbookError(
            f"{path}: {show(part)} has over {show_size(PROLOG_BYTES)} of XML declarations "
            f"before its content — {MALICIOUS}"
        )
    return not unfinished and len(rest) >= _SETTLED_CHARS
