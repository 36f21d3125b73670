"""What a file that is not an Excel workbook is, for the message refusing it: an ``.xls``
or a password-protected workbook (OLE2 compound files), CSV or HTML, an ``.ods``, an
``.xlsb``, a Word document or a PowerPoint presentation."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.error_text import show
from xlmplan.xlsx.ooxml_names import CONTENT_TYPES_PART, WORKBOOK_PART, rel_kind

if TYPE_CHECKING:
    from xlmplan.xlsx.package import Package

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTION_STREAMS = ("EncryptionInfo", "EncryptedPackage")
_FREE_LIMIT = 0xFFFFFFFA  # sector numbers from here on are markers, not sectors


# --- files that are not zips ----------------------------------------------------------------
def describe_non_zip(fp: BinaryIO) -> str:
    """What a file that is not a zip looks like, for the message."""
    fp.seek(0)
    sample = fp.read(4096)
    text = ""
    for encoding in ("utf-16", "utf-8") if sample[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",):
        try:
            text = (
                sample[: len(sample) - 4].decode(encoding)
                if len(sample) == 4096
                else sample.decode(encoding)
            )
            break
        except UnicodeDecodeError:
            continue
    text = text.lstrip("\ufeff")
    if text and all(c.isprintable() or c in "\r\n\t" for c in text):
        if text.lstrip().startswith("<"):
            return "it is an HTML or XML file"
        return "it looks like a CSV or text file"
    return "its content is not a zip package"


# --- OLE2 compound files (.xls, encrypted workbooks) ----------------------------------------
def ole_error(path: Path, fp: BinaryIO) -> WorkbookError:
    """The refusal of an OLE2 compound file: password-protected, ``.xls`` or other Office."""
    try:
        names = ole_stream_names(fp)
    except (ValueError, struct.error, OSError):
        names = _ole_scan(fp)
    if any(name in names for name in _ENCRYPTION_STREAMS):
        return WorkbookError(
            f"{path} is password-protected — remove the password in Excel "
            "(File › Info › Protect Workbook) and try again"
        )
    if names & {"Workbook", "Book"} or not names:
        return WorkbookError(
            f"{path} is an Excel 97-2003 .xls file — open it in Excel and save as .xlsx"
        )
    return WorkbookError(
        f"{path} is an Office 97-2003 file, not an .xlsx workbook — open it in Excel and save "
        "it as .xlsx"
    )


def ole_stream_names(fp: BinaryIO) -> set[str]:
    """The names of every storage and stream in an OLE2 compound file (raises ValueError
    or struct.error when its structure is broken)."""
    fp.seek(0, os.SEEK_END)
    file_size = fp.tell()
    fp.seek(0)
    header = fp.read(512)
    if len(header) < 512 or header[:8] != OLE_MAGIC:
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << shift
    max_sectors = file_size // size + 1

    def sector(n: int) -> bytes:
        if n >= max_sectors:
            raise ValueError("sector out of range")
        fp.seek((n + 1) * size)
        data = fp.read(size)
        if len(data) < size:
            raise ValueError("truncated sector")
        return data

    (first_dir,) = struct.unpack_from("<I", header, 0x30)
    first_difat, n_difat = struct.unpack_from("<II", header, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _FREE_LIMIT]
    n, hops = first_difat, 0
    while n < _FREE_LIMIT and hops <= min(n_difat, max_sectors):
        values = struct.unpack(f"<{size // 4}I", sector(n))
        fat_sectors.extend(s for s in values[:-1] if s < _FREE_LIMIT)
        n, hops = values[-1], hops + 1
    fat: list[int] = []
    for s in fat_sectors[:max_sectors]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
    names: set[str] = set()
    n, visited = first_dir, set()
    while n < _FREE_LIMIT:
        if n in visited or n >= len(fat):
            raise ValueError("broken directory chain")
        visited.add(n)
        data = sector(n)
        for offset in range(0, size, 128):
            length, kind = struct.unpack_from("<HB", data, offset + 64)
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(data[offset : offset + length - 2].decode("utf-16-le", "replace"))
        n = fat[n]
    return names


def _ole_scan(fp: BinaryIO) -> set[str]:
    """Fallback for broken compound files: the encryption stream names found anywhere."""
    wanted = {name: name.encode("utf-16-le") for name in _ENCRYPTION_STREAMS}
    found: set[str] = set()
    fp.seek(0)
    tail = b""
    while chunk := fp.read(1 << 20):
        block = tail + chunk
        found.update(name for name, raw in wanted.items() if raw in block)
        tail = block[-64:]
    return found


# --- zips that are not Excel workbooks -------------------------------------------------------
def find_workbook_part(pkg: Package) -> str:
    """The package's main workbook part; refuses zips that are not Excel workbooks,
    naming the common look-alikes."""
    path, names = pkg.path, set(pkg.names())
    if "mimetype" in names and pkg.head("mimetype", 100).startswith(
        b"application/vnd.oasis.opendocument"
    ):
        raise WorkbookError(
            f"{path} is an OpenDocument file (.ods) — open it in LibreOffice or Excel and "
            "save it as .xlsx"
        )
    main = WORKBOOK_PART
    if "_rels/.rels" in names:
        for rel in pkg.relationships(""):
            if rel_kind(rel.type) == "officeDocument" and not rel.external:
                main = rel.target
                break
    if main.endswith(".bin") or "xl/workbook.bin" in names:
        raise WorkbookError(
            f"{path} is an Excel binary workbook (.xlsb) — open it in Excel and save it as .xlsx"
        )
    what = ""
    if CONTENT_TYPES_PART not in names or main not in names:
        missing = CONTENT_TYPES_PART if CONTENT_TYPES_PART not in names else main
        what = f"a zip package without {show(missing)}"
    else:
        root = etree.QName(pkg.xml(main)).localname
        if root == "document":
            what = "a Word document"
        elif root == "presentation":
            what = "a PowerPoint presentation"
        elif root != "workbook":
            what = f"its main part {show(main)} is a <{show(root, 40)}>"
    if what:
        raise WorkbookError(
            f"{path} is not an Excel workbook ({what}) — open it in Excel and save it as .xlsx"
        )
    return main
