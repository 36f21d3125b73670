"""A corpus of bad workbook files: each maker writes one file (or folder) into ``folder`` and
returns it with a fragment of the one-line message expected when it is refused.

Groups (name -> maker):
- ``OPEN_CASES``: ``open_package`` (and so every command that reads a plan) refuses them;
- ``WRITE_CASES``: the file opens, but ``check_writable``/``write_package`` refuse to write;
- ``LEGAL_CASES``: unusual but fine (``expected`` is None);
- ``PLAN_CASES``: valid workbooks that are broken plans, built from the demo plan;
  ``expected`` is None: the plan reader decides what to say;
- ``READER_CASES``: demo plans crafted against the plan reader's memory (counts, cell
  references and manifest ranges that would make it allocate without bound), refused;
- ``READER_LEGAL_CASES``: demo plans with far-away content a user may really type (a note
  at column XFD, a dimension over the whole sheet): the refresh works and keeps it;
  ``expected`` is the note's ``sheet!cell`` (None: no note).

The makers use only ``zipfile``/XlsxWriter, never the code under test.
"""

from __future__ import annotations

import os
import random
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import xlsxwriter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class BadFile(NamedTuple):
    path: Path
    expected: str | None


Maker = Callable[[Path], BadFile]


# --- building blocks -------------------------------------------------------------------------
def minimal_workbook(path: Path) -> Path:
    """A small real workbook: sheets Start and Data (a header, three rows, a table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Start").write("A1", "Plan")
    data = book.add_worksheet("Data")
    rows = [
        ["2026-01-01", "Search", 120.5],
        ["2026-01-02", "Social", 80],
        ["2026-01-03", "Email", 0],
    ]
    data.add_table(
        0,
        0,
        len(rows),
        2,
        {
            "name": "tblData",
            "data": rows,
            "columns": [{"header": h} for h in ("Date", "Channel", "Spend")],
        },
    )
    book.close()
    return path


def rezip(
    src: Path,
    dst: Path,
    replace: dict[str, bytes] | None = None,
    remove: set[str] | frozenset[str] = frozenset(),
    add: dict[str, bytes] | None = None,
) -> Path:
    """A copy of the zip ``src`` with some members replaced, removed or added."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in remove:
                continue
            zout.writestr(info, replace.get(info.filename, zin.read(info.filename)))
        for name, data in (add or {}).items():
            zout.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return dst


def _with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """``xml`` with ``doctype`` right after its XML declaration."""
    declaration, sep, rest = xml.partition(b"?>")
    return declaration + sep + doctype + rest


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (512-byte sectors) holding ``streams``; each stream is
    padded to 4096 bytes so it lives in ordinary sectors, not the mini stream."""
    free, end, fat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    if len(names) > 3:
        raise ValueError("at most three streams")
    data_sectors: list[bytes] = []
    starts: list[int] = []
    fat = [fat_mark, end]  # sector 0: the FAT, sector 1: the directory
    for name in names:
        body = streams[name].ljust(4096, b"\0")
        count = -(-len(body) // 512)
        first = 2 + len(data_sectors)
        starts.append(first)
        fat.extend([*range(first + 1, first + count), end])
        body = body.ljust(count * 512, b"\0")
        data_sectors.extend(body[i : i + 512] for i in range(0, len(body), 512))
    fat_sector = struct.pack("<128I", *fat, *[free] * (128 - len(fat)))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(raw), kind, 1, free, right, child)
            + bytes(16)
            + struct.pack("<IQQIQ", 0, 0, 0, start, size)
        )

    entries = [entry("Root Entry", 5, free, 1, end, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        entries.append(
            entry(name, 2, right, free, starts[i], len(streams[name].ljust(4096, b"\0")))
        )
    directory = b"".join(entries).ljust(512, b"\0")
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    return header + fat_sector + directory + b"".join(data_sectors)


# --- files open_package refuses --------------------------------------------------------------
def csv_file(folder: Path) -> BadFile:
    path = folder / "plan.xlsx"
    path.write_text("date,channel,spend\n2026-01-01,Search,120.5\n", encoding="utf-8")
    return BadFile(path, "looks like a CSV or text file")


def garbage(folder: Path) -> BadFile:
    path = folder / "garbage.xlsx"
    path.write_bytes(b"\x01\x02" + random.Random(7).randbytes(4094))
    return BadFile(path, "is not an .xlsx workbook")


def empty_file(folder: Path) -> BadFile:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return BadFile(path, "is empty")


def truncated_zip(folder: Path) -> BadFile:
    whole = minimal_workbook(folder / "whole.xlsx").read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return BadFile(path, "is damaged or incomplete")


def xls_file(folder: Path) -> BadFile:
    path = folder / "old.xls"
    bof = bytes.fromhex("0908100000060500") + bytes(12)
    path.write_bytes(compound_file({"Workbook": bof}))
    return BadFile(path, "is an Excel 97-2003 .xls file")


def encrypted_workbook(folder: Path) -> BadFile:
    path = folder / "secret.xlsx"
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 1234) + random.Random(3).randbytes(1234)
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return BadFile(path, "is password-protected")


def zip_bomb(folder: Path) -> BadFile:
    """A worksheet of 64 MiB of blanks that packs to about 64 kB (ratio about 1000)."""
    base = minimal_workbook(folder / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    head, sep, tail = sheet.partition(b"</worksheet>")
    bomb = head + b" " * (64 << 20) + sep + tail
    return BadFile(
        rezip(base, folder / "bomb.xlsx", {"xl/worksheets/sheet1.xml": bomb}),
        "looks like a zip bomb",
    )


def zip_bomb_lying_sizes(folder: Path) -> BadFile:
    """A part whose central directory declares 1 kB but which unpacks to 64 MiB."""
    base = minimal_workbook(folder / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    head, sep, tail = sheet.partition(b"</worksheet>")
    path = rezip(
        base,
        folder / "lying.xlsx",
        {"xl/worksheets/sheet1.xml": head + b" " * (64 << 20) + sep + tail},
    )
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        for match in re.finditer(re.escape(signature), data):
            at = match.start()
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, 1000)
    path.write_bytes(bytes(data))
    return BadFile(path, "looks like a zip bomb")


def corrupt_part(folder: Path) -> BadFile:
    """A worksheet whose stored CRC does not match its data."""
    path = minimal_workbook(folder / "corrupt.xlsx")
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet2.xml"
    for match in re.finditer(b"PK\x01\x02", data):
        if data[match.start() + 46 : match.start() + 46 + len(name)] == name:
            struct.pack_into("<I", data, match.start() + 16, 0x12345678)
    path.write_bytes(bytes(data))
    return BadFile(path, "is damaged")


_XXE = b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xxe_workbook(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        xml = z.read("xl/workbook.xml")
    xml = _with_doctype(xml, _XXE).replace(b'name="Start"', b'name="&xxe;"')
    return BadFile(
        rezip(base, folder / "xxe.xlsx", {"xl/workbook.xml": xml}),
        "contains a DOCTYPE/entity declaration",
    )


def xxe_worksheet(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    doctype = b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/leak">]>'
    xml = _with_doctype(xml, doctype).replace(
        b"<sheetData>",
        b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
        1,
    )
    return BadFile(
        rezip(base, folder / "xxe-sheet.xlsx", {"xl/worksheets/sheet1.xml": xml}),
        "contains a DOCTYPE/entity declaration",
    )


def billion_laughs(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        xml = z.read("xl/sharedStrings.xml")
    entities = [b'<!ENTITY lol0 "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
        for i in range(1, 10)
    ]
    xml = _with_doctype(xml, b"<!DOCTYPE sst [" + b"".join(entities) + b"]>")
    xml = xml.replace(b"<t>Plan</t>", b"<t>&lol9;</t>")
    return BadFile(
        rezip(base, folder / "laughs.xlsx", {"xl/sharedStrings.xml": xml}),
        "contains a DOCTYPE/entity declaration",
    )


def utf7_doctype(folder: Path) -> BadFile:
    """A DOCTYPE hidden by a UTF-7 declaration (``+ADw-`` is ``<``)."""
    base = minimal_workbook(folder / "base.xlsx")
    with zipfile.ZipFile(base) as z:
        xml = z.read("xl/workbook.xml")
    body = xml.partition(b"?>")[2]
    doctype = b'+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY x "y"+AD4-+AF0-+AD4-'
    xml = b'<?xml version="1.0" encoding="UTF-7"?>' + doctype + body
    return BadFile(
        rezip(base, folder / "utf7.xlsx", {"xl/workbook.xml": xml}), "uses the character encoding"
    )


def zip_slip(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    path = rezip(base, folder / "slip.xlsx", add={"../../evil.xml": b"<x/>"})
    return BadFile(path, "unsafe part name")


def absolute_member(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    path = folder / "absolute.xlsx"
    rezip(base, path)
    with zipfile.ZipFile(path, "a") as z:
        info = zipfile.ZipInfo("xl/x.xml")
        info.filename = "/etc/evil.xml"
        z.writestr(info, b"<x/>")
    return BadFile(path, "unsafe part name")


def no_workbook_part(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    return BadFile(
        rezip(base, folder / "noworkbook.xlsx", remove={"xl/workbook.xml"}),
        "is not an Excel workbook",
    )


def no_content_types(folder: Path) -> BadFile:
    base = minimal_workbook(folder / "base.xlsx")
    return BadFile(
        rezip(base, folder / "notypes.xlsx", remove={"[Content_Types].xml"}),
        "is not an Excel workbook",
    )


def plain_zip(folder: Path) -> BadFile:
    path = folder / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return BadFile(path, "is not an Excel workbook")


def ods_file(folder: Path) -> BadFile:
    path = folder / "plan.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
    return BadFile(path, "is an OpenDocument file")


def directory(folder: Path) -> BadFile:
    path = folder / "plan.xlsx"
    path.mkdir()
    return BadFile(path, "is a folder")


def missing_file(folder: Path) -> BadFile:
    return BadFile(folder / "no such plan.xlsx", "does not exist")


# --- files that open but must not be written -------------------------------------------------
def read_only_file(folder: Path) -> BadFile:
    path = minimal_workbook(folder / "locked.xlsx")
    path.chmod(0o444)
    return BadFile(path, "is read-only")


def read_only_folder(folder: Path) -> BadFile:
    path = minimal_workbook(folder / "ro" / "plan.xlsx")
    path.parent.chmod(0o555)
    return BadFile(path, "is read-only")


def excel_lock(folder: Path) -> BadFile:
    path = minimal_workbook(folder / "Budget plan.xlsx")
    (folder / "~$Budget plan.xlsx").write_bytes(b"\x05user" + bytes(160))
    return BadFile(path, "is open in Excel")


def excel_lock_long_name(folder: Path) -> BadFile:
    """Excel drops the first two characters of a long name in its owner file."""
    path = minimal_workbook(folder / "Digital marketing plan 2026 for the spring campaign.xlsx")
    (folder / "~$gital marketing plan 2026 for the spring campaign.xlsx").write_bytes(bytes(165))
    return BadFile(path, "is open in Excel")


def libreoffice_lock(folder: Path) -> BadFile:
    path = minimal_workbook(folder / "plan.xlsx")
    (folder / ".~lock.plan.xlsx#").write_text(
        ",user,host,01.01.2026 10:00,user;\n", encoding="utf-8"
    )
    return BadFile(path, "is open in LibreOffice")


# --- legal --------------------------------------------------------------------------------------
def non_ascii_path(folder: Path) -> BadFile:
    return BadFile(minimal_workbook(folder / "خطة تسويق" / "план.xlsx"), None)


# --- broken plans (valid workbooks) ----------------------------------------------------------
def demo_plan(path: Path) -> Path:
    """The demo plan from the bundled example data."""
    from xlmplan.api import new_plan

    return new_plan(path).path


def _plan_parts(base: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(base) as z:
        return {name: z.read(name) for name in z.namelist()}


def _data_sheet(parts: dict[str, bytes]) -> tuple[str, str, str]:
    """(rId, worksheet part, table part) of the Data sheet of a demo plan."""
    rid = re.search(rb'<sheet name="Data" sheetId="\d+" r:id="(rId\d+)"', parts["xl/workbook.xml"])
    assert rid is not None
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid.group(1).decode()}"[^>]*Target="([^"]+)"', rels)
    assert target is not None
    sheet = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
    sheet_rels = parts[sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"].decode()
    table = re.search(r'Target="\.\./tables/([^"]+)"', sheet_rels)
    assert table is not None
    return rid.group(1).decode(), sheet, "xl/tables/" + table.group(1)


def _plan_base(folder: Path, base: Path | None) -> Path:
    return base if base is not None else demo_plan(folder / "demo.xlsx")


def data_sheet_removed(folder: Path, base: Path | None = None) -> BadFile:
    """The demo plan after deleting its Data sheet the way Excel does: part, rels and table
    gone, names that pointed at it become #REF!."""
    parts = _plan_parts(_plan_base(folder, base))
    rid, sheet, table = _data_sheet(parts)
    book = parts["xl/workbook.xml"].decode()
    book = re.sub(r'<sheet name="Data"[^>]*/>', "", book)
    book = re.sub(r"'?Data'?!\$[A-Z]+\$\d+(:\$[A-Z]+\$\d+)?", "#REF!", book)
    rels = re.sub(
        rf'<Relationship Id="{rid}"[^>]*/>', "", parts["xl/_rels/workbook.xml.rels"].decode()
    )
    types = parts["[Content_Types].xml"].decode()
    for part in (sheet, table):
        types = types.replace(f'<Override PartName="/{part}"', '<Override PartName="/gone"')
    types = re.sub(r'<Override PartName="/gone"[^>]*/>', "", types)
    sheet_rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
    parts.update(
        {
            "xl/workbook.xml": book.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
        }
    )
    for gone in (sheet, table, sheet_rels):
        del parts[gone]
    return BadFile(_write_parts(folder / "no-data-sheet.xlsx", parts), None)


def data_header_changed(folder: Path, base: Path | None = None) -> BadFile:
    """The demo plan with the Data header 'Channel' renamed 'Kanal' (cell and table column)."""
    parts = _plan_parts(_plan_base(folder, base))
    _, sheet, table = _data_sheet(parts)
    xml = parts[sheet].decode()
    xml = re.sub(
        r'<c r="B1"( s="\d+")?[^>]*?(/>|>.*?</c>)',
        r'<c r="B1"\1 t="inlineStr"><is><t>Kanal</t></is></c>',
        xml,
        count=1,
    )
    parts[sheet] = xml.encode()
    parts[table] = parts[table].replace(b'name="Channel"', b'name="Kanal"')
    return BadFile(_write_parts(folder / "renamed-header.xlsx", parts), None)


def merged_cells_in_data(folder: Path, base: Path | None = None) -> BadFile:
    """The demo plan with B3:C3 merged on the Data sheet."""
    parts = _plan_parts(_plan_base(folder, base))
    _, sheet, _ = _data_sheet(parts)
    xml = parts[sheet].decode()
    follow = re.search(
        r"<(phoneticPr|conditionalFormatting|dataValidations|hyperlinks|printOptions|pageMargins|pageSetup|headerFooter|drawing|legacyDrawing|tableParts|extLst)\b|</worksheet>",
        xml,
    )
    assert follow is not None
    xml = (
        xml[: follow.start()]
        + '<mergeCells count="1"><mergeCell ref="B3:C3"/></mergeCells>'
        + xml[follow.start() :]
    )
    parts[sheet] = xml.encode()
    return BadFile(_write_parts(folder / "merged.xlsx", parts), None)


def full_height_data(folder: Path, base: Path | None = None) -> BadFile:
    """The demo plan with a Data value on row 1,048,576 (the sheet's last row)."""
    parts = _plan_parts(_plan_base(folder, base))
    _, sheet, _ = _data_sheet(parts)
    xml = parts[sheet].decode()
    xml = re.sub(
        r'<dimension ref="A1:([A-Z]+)\d+"/>', r'<dimension ref="A1:\g<1>1048576"/>', xml, count=1
    )
    xml = xml.replace(
        "</sheetData>", '<row r="1048576"><c r="D1048576"><v>1</v></c></row></sheetData>', 1
    )
    parts[sheet] = xml.encode()
    return BadFile(_write_parts(folder / "full-height.xlsx", parts), None)


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    """The worksheet part of the sheet called ``name``."""
    rid = re.search(
        rf'<sheet name="{name}" sheetId="\d+" (?:state="\w+" )?r:id="(rId\d+)"'.encode(),
        parts["xl/workbook.xml"],
    )
    assert rid is not None, name
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid.group(1).decode()}"[^>]*Target="([^"]+)"', rels)
    assert target is not None
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def _add_cell(xml: bytes, ref: str, text: str) -> bytes:
    """``xml`` (a worksheet) with an inline-string cell ``ref`` in a row of its own below
    every other row."""
    row = re.fullmatch(r"[A-Z]+(\d+)", ref)
    assert row is not None
    cell = f'<row r="{row.group(1)}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'
    return xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>", 1)


NOTE = "call the agency about the summer campaign"


def _with_note(folder: Path, base: Path | None, sheet: str, ref: str, name: str) -> BadFile:
    """The demo plan with ``NOTE`` at ``ref`` of ``sheet``; ``expected`` is ``sheet!ref``."""
    parts = _plan_parts(_plan_base(folder, base))
    part = _sheet_part(parts, sheet)
    parts[part] = _add_cell(parts[part], ref, NOTE)
    return BadFile(_write_parts(folder / name, parts), f"{sheet}!{ref}")


def note_at_xfd_below_data(folder: Path, base: Path | None = None) -> BadFile:
    """An ordinary note typed at XFD1048576 of the Data sheet (calamine would fill a
    1,048,576 x 16,384 grid)."""
    return _with_note(folder, base, "Data", "XFD1048576", "note-xfd-data.xlsx")


def note_at_xfd_on_swot(folder: Path, base: Path | None = None) -> BadFile:
    return _with_note(folder, base, "SWOT", "XFD1048576", "note-xfd-swot.xlsx")


def dimension_whole_sheet(folder: Path, base: Path | None = None) -> BadFile:
    """Every sheet of the demo plan declaring ``<dimension ref="A1:XFD1048576"/>``."""
    parts = _plan_parts(_plan_base(folder, base))
    for name in list(parts):
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(
                rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', parts[name]
            )
    return BadFile(_write_parts(folder / "dimension.xlsx", parts), None)


def shared_strings_count(folder: Path, base: Path | None = None) -> BadFile:
    """The demo plan's shared strings declaring 4,294,967,295 strings (calamine reserves
    room for all of them: about 100 GB)."""
    parts = _plan_parts(_plan_base(folder, base))
    parts["xl/sharedStrings.xml"] = re.sub(
        rb'count="\d+" uniqueCount="\d+"',
        b'count="4294967295" uniqueCount="4294967295"',
        parts["xl/sharedStrings.xml"],
        count=1,
    )
    return BadFile(_write_parts(folder / "sst-count.xlsx", parts), "declares 4,294,967,295 strings")


def cell_beyond_grid(folder: Path, base: Path | None = None) -> BadFile:
    """A cell at XFE1, one column right of Excel's last."""
    parts = _plan_parts(_plan_base(folder, base))
    part = _sheet_part(parts, "SWOT")
    parts[part] = _add_cell(parts[part], "XFE1048576", "x")
    return BadFile(_write_parts(folder / "beyond.xlsx", parts), "'XFE1048576', outside Excel")


def cells_without_reference(folder: Path, base: Path | None = None) -> BadFile:
    """Cells without ``r`` (legal XML, placed by counting): 16,384 of them in one row and
    one far below would also make calamine fill a huge grid."""
    parts = _plan_parts(_plan_base(folder, base))
    part = _sheet_part(parts, "SWOT")
    row = b'<row r="1048576">' + b"<c><v>1</v></c>" * 16_384 + b"</row>"
    parts[part] = parts[part].replace(b"</sheetData>", row + b"</sheetData>", 1)
    return BadFile(_write_parts(folder / "no-ref.xlsx", parts), "without a cell reference")


def note_at_last_row_of_wide_sheet(folder: Path, base: Path | None = None) -> BadFile:
    """A note at A1048576 of Budget_3M, whose plan area is about 90 columns wide (a grid of
    94 million cells down to it)."""
    return _with_note(folder, base, "Budget_3M", "A1048576", "wide-note.xlsx")


def table_whole_sheet(folder: Path, base: Path | None = None) -> BadFile:
    """The SWOT table's ``ref`` stretched over the whole sheet (rows and columns the
    reader would fill in)."""
    parts = _plan_parts(_plan_base(folder, base))
    name = next(n for n, data in parts.items() if b'displayName="tblSwot"' in data)
    parts[name] = re.sub(rb'ref="[^"]*"', b'ref="A4:XFD1048576"', parts[name], count=2)
    return BadFile(_write_parts(folder / "table.xlsx", parts), "covers A4:XFD1048576")


def _manifest_entry(folder: Path, base: Path | None, key: str, value: str) -> Path:
    """The demo plan with the manifest's ``key`` set to ``value`` (an inline string)."""
    parts = _plan_parts(_plan_base(folder, base))
    strings = re.findall(rb"<si>(.*?)</si>", parts["xl/sharedStrings.xml"], re.S)
    index = strings.index(b"<t>" + key.encode() + b"</t>")
    part = _sheet_part(parts, "_xlmplan")
    xml = parts[part].decode()
    row = re.search(rf'<c r="A(\d+)"[^>]*t="s"><v>{index}</v></c>', xml)
    assert row is not None
    ref = f"B{row.group(1)}"
    new = re.sub(
        rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)',
        f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>',
        xml,
        count=1,
    )
    assert new != xml
    parts[part] = new.encode()
    return _write_parts(folder / "manifest.xlsx", parts)


def manifest_whole_sheet(folder: Path, base: Path | None = None) -> BadFile:
    path = _manifest_entry(folder, base, "owned.swot", "A1:XFD1048576")
    return BadFile(path, "17,179,869,184 cells in 'owned.swot'")


def manifest_damaged_range(folder: Path, base: Path | None = None) -> BadFile:
    path = _manifest_entry(folder, base, "owned.swot", "A1:B2 everything")
    return BadFile(path, "damaged entry 'owned.swot'")


def _write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return path


OPEN_CASES: dict[str, Maker] = {
    "csv_file": csv_file,
    "garbage": garbage,
    "empty_file": empty_file,
    "truncated_zip": truncated_zip,
    "xls_file": xls_file,
    "encrypted_workbook": encrypted_workbook,
    "zip_bomb": zip_bomb,
    "zip_bomb_lying_sizes": zip_bomb_lying_sizes,
    "corrupt_part": corrupt_part,
    "xxe_workbook": xxe_workbook,
    "xxe_worksheet": xxe_worksheet,
    "billion_laughs": billion_laughs,
    "utf7_doctype": utf7_doctype,
    "zip_slip": zip_slip,
    "absolute_member": absolute_member,
    "no_workbook_part": no_workbook_part,
    "no_content_types": no_content_types,
    "plain_zip": plain_zip,
    "ods_file": ods_file,
    "directory": directory,
    "missing_file": missing_file,
}
WRITE_CASES: dict[str, Maker] = {
    "read_only_file": read_only_file,
    "read_only_folder": read_only_folder,
    "excel_lock": excel_lock,
    "excel_lock_long_name": excel_lock_long_name,
    "libreoffice_lock": libreoffice_lock,
}
LEGAL_CASES: dict[str, Maker] = {"non_ascii_path": non_ascii_path}
PLAN_CASES: dict[str, Callable[..., BadFile]] = {
    "data_sheet_removed": data_sheet_removed,
    "data_header_changed": data_header_changed,
    "merged_cells_in_data": merged_cells_in_data,
    "full_height_data": full_height_data,
}
READER_CASES: dict[str, Callable[..., BadFile]] = {
    "shared_strings_count": shared_strings_count,
    "cell_beyond_grid": cell_beyond_grid,
    "cells_without_reference": cells_without_reference,
    "table_whole_sheet": table_whole_sheet,
    "manifest_whole_sheet": manifest_whole_sheet,
    "manifest_damaged_range": manifest_damaged_range,
}
READER_LEGAL_CASES: dict[str, Callable[..., BadFile]] = {
    "note_at_xfd_below_data": note_at_xfd_below_data,
    "note_at_xfd_on_swot": note_at_xfd_on_swot,
    "note_at_last_row_of_wide_sheet": note_at_last_row_of_wide_sheet,
    "dimension_whole_sheet": dimension_whole_sheet,
}


def make_all(folder: Path) -> dict[str, BadFile]:
    """Every case except the plan cases, each in its own subfolder of ``folder``."""
    out = {}
    for name, maker in {**OPEN_CASES, **WRITE_CASES, **LEGAL_CASES}.items():
        sub = folder / name
        sub.mkdir(parents=True, exist_ok=True)
        out[name] = maker(sub)
    return out


def restore_permissions(folder: Path) -> None:
    """Make everything under ``folder`` writable again (so it can be deleted)."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            Path(root, name).chmod(0o755 if name in dirs else 0o644)
