"""Reading a user's workbook safely: open it as a zip of parts, and read and parse the parts
defensively (writing is ``package_write``).

Everything that can go wrong with a file a user hands over becomes one ``WorkbookError``
line that names the file and the fix: a missing file, a folder, CSV or random bytes, a
truncated download, an ``.xls``, a password-protected (OLE2-encrypted) workbook, a
zip bomb, path-traversal member names, and XML with a DOCTYPE (XXE, billion laughs).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO
from urllib.parse import unquote

from lxml import etree

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.error_text import MALICIOUS, RESAVE, show, show_size
from xlmplan.xlsx.file_kinds import OLE_MAGIC, describe_non_zip, find_workbook_part, ole_error
from xlmplan.xlsx.ooxml_names import (
    CONTENT_TYPES_PART,
    PKG_REL_NS,
    REL_NAMESPACES,
    WORKBOOK_PART,
    rel_kind,
    rels_part_of,
)
from xlmplan.xlsx.xml_safety import PROLOG_BYTES, check_prolog, doctype_error, safe_parser

# --- Limits -----------------------------------------------------------------------------
# A full-height Data sheet (1,048,576 rows x 10 columns with inline strings) is about
# 450 MB of XML and deflates about 8:1; legitimate parts rarely exceed 25:1 (a million
# identical empty rows), while zip bombs reach about 1000:1.
MAX_PART_BYTES = 1 << 30
"""Largest uncompressed size of one part (1 GiB), declared or actually read."""
MAX_TOTAL_BYTES = 2 << 30
"""Largest declared uncompressed size of all parts together (2 GiB)."""
MAX_RATIO = 200
"""Largest compression ratio of a part bigger than ``RATIO_MIN_BYTES``."""
RATIO_MIN_BYTES = 16 << 20
"""Parts up to this size (16 MiB) may compress any amount: small repetitive XML does."""
MAX_PARTS = 20_000
"""Most parts a package may have."""

CHUNK = 1 << 20
FIRST_LOOK = 4096  # bytes of a part inflated to find its root element past the prolog
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class SheetRef:
    """One ``<sheet>`` of the workbook, with its part resolved through the workbook rels."""

    name: str
    sheet_id: str
    rid: str
    part: str
    state: str  # "visible" | "hidden" | "veryHidden"


def xml_bytes(root: etree._Element) -> bytes:
    """A part's XML as written back into a package: UTF-8 with a standalone declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part; ``target`` is a part name unless ``external``."""

    rid: str
    type: str
    target: str
    external: bool = False


class Package:
    """A workbook package opened for reading (use ``open_package``); a context manager."""

    def __init__(self, path: Path, fp: BinaryIO, infos: list[zipfile.ZipInfo]) -> None:
        self.path = path
        self._fp = fp
        self._infos = infos
        self._by_name = {info.filename: info for info in self._infos}
        self._by_lower = {name.lower(): name for name in self._by_name}
        self.workbook_part = WORKBOOK_PART
        self._rels_cache: dict[str, list[Relationship]] = {}
        self._types: tuple[dict[str, str], dict[str, str]] | None = None
        self._sheet_parts: frozenset[str] | None = None

    # --- lifecycle ----------------------------------------------------------------------
    def close(self) -> None:
        """Close the file (idempotent)."""
        self._fp.close()

    @property
    def closed(self) -> bool:
        return self._fp.closed

    def __enter__(self) -> Package:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- parts --------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Part names in zip order."""
        return [info.filename for info in self._infos]

    def has(self, part: str) -> bool:
        return part in self._by_name

    def info(self, part: str) -> zipfile.ZipInfo:
        """The zip entry of ``part``; WorkbookError if the package has no such part."""
        info = self._by_name.get(part)
        if info is None:
            raise WorkbookError(f"{self.path} has no part {show(part)} — {RESAVE}")
        return info

    def infos(self) -> list[zipfile.ZipInfo]:
        """The zip entries in zip order."""
        return list(self._infos)

    def open(self, part: str) -> IO[bytes]:
        """A stream of ``part``'s bytes; size limits and CRC are checked as it inflates."""
        return io.BufferedReader(_PartStream(_inflate(self, self.info(part))), CHUNK)

    def read(self, part: str) -> bytes:
        """All bytes of ``part`` (size limits and CRC checked while inflating)."""
        return b"".join(_inflate(self, self.info(part)))

    def head(self, part: str, n: int) -> bytes:
        """The first ``n`` bytes of ``part`` (fewer if it is shorter); only those are
        inflated."""
        info = self.info(part)
        out = bytearray()
        inflater = zlib.decompressobj(-15) if info.compress_type == 8 else None
        for chunk in _raw_chunks(self, info):
            if inflater is None:
                out += chunk[: n - len(out)]
            else:
                try:
                    out += inflater.decompress(chunk, n - len(out))
                except zlib.error as exc:
                    raise self._damaged(part, exc) from exc
            if len(out) >= n or (inflater is not None and inflater.eof):
                break
        if len(out) > info.file_size:
            declared = show_size(info.file_size)
            raise _bomb(self.path, f"{show(part)} unpacks beyond its declared {declared}")
        return bytes(out)

    def check_start(self, part: str) -> None:
        """Refuse a DOCTYPE before ``part``'s root element (``check_prolog``), inflating
        a few KiB of it when they show the root element, up to ``PROLOG_BYTES`` if not."""
        head = self.head(part, FIRST_LOOK)
        if not check_prolog(self.path, part, head) and len(head) == FIRST_LOOK:
            check_prolog(self.path, part, self.head(part, PROLOG_BYTES))

    def _damaged(self, part: str, exc: BaseException) -> WorkbookError:
        why = show(str(exc) or type(exc).__name__, 60)
        return WorkbookError(
            f"{self.path}: part {show(part)} is damaged ({why}) — {RESAVE} or copy it again"
        )

    # --- XML ----------------------------------------------------------------------------
    def is_worksheet(self, part: str) -> bool:
        """Whether ``part`` is a worksheet (the only parts parsed with ``huge_tree``)."""
        if not part.endswith(".xml") or "/_rels/" in f"/{part}":
            return False
        if self._sheet_parts is None:
            self._sheet_parts = frozenset(
                rel.target
                for rel in self.relationships(self.workbook_part)
                if rel_kind(rel.type) == "worksheet" and not rel.external
            )
        return part in self._sheet_parts

    def xml(self, part: str) -> etree._Element:
        """``part`` parsed safely, as a new ``lxml.etree._Element`` on every call.

        A DOCTYPE or entity declaration is refused; nothing is fetched from the network,
        no entity is expanded, and only worksheets may use libxml2's ``huge_tree``.
        """
        data = self.read(part)
        check_prolog(self.path, part, data)
        parser = safe_parser(huge=self.is_worksheet(part))
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise self._not_xml(part, exc) from exc
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise doctype_error(self.path, part)
        return root

    def iterparse(
        self, part: str, events: tuple[str, ...] = ("end",), tag: str | None = None
    ) -> Iterator[tuple[str, etree._Element]]:
        """``lxml.etree.iterparse`` over ``part`` with the same safety as ``xml``, streamed."""
        self.check_start(part)
        with self.open(part) as stream:
            parser = etree.iterparse(
                stream,
                events=events,
                tag=tag,
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=self.is_worksheet(part),
            )
            try:
                yield from parser
            except etree.XMLSyntaxError as exc:
                raise self._not_xml(part, exc) from exc

    def _not_xml(self, part: str, exc: etree.XMLSyntaxError) -> WorkbookError:
        why = show(str(exc.msg or exc), 100)
        return WorkbookError(
            f"{self.path}: part {show(part)} is not well-formed XML ({why}) — {RESAVE}"
        )

    # --- relationships ------------------------------------------------------------------
    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of ``part`` in file order (``[]`` when it has no rels part)."""
        if part in self._rels_cache:
            return list(self._rels_cache[part])
        rels_part = rels_part_of(part)
        found: list[Relationship] = []
        if rels_part in self._by_name:
            root = self.xml(rels_part)
            for el in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
                rid, kind, target = el.get("Id", ""), el.get("Type", ""), el.get("Target", "")
                if el.get("TargetMode") == "External":
                    found.append(Relationship(rid, kind, target, external=True))
                else:
                    found.append(Relationship(rid, kind, self._resolve(rels_part, part, target)))
        self._rels_cache[part] = found
        return list(found)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (relationship type, target part name) for ``part``; external targets are
        kept as written (see ``relationships`` for the TargetMode)."""
        return {rel.rid: (rel.type, rel.target) for rel in self.relationships(part)}

    def _resolve(self, rels_part: str, source: str, target: str) -> str:
        """A relative or absolute (``/xl/...``) target as a part name, in the package's
        spelling when it differs only in case."""
        path = unquote(target.split("#", 1)[0])
        absolute = path.startswith("/")
        name = path[1:] if absolute else posixpath.join(posixpath.dirname(source), path)
        name = posixpath.normpath(name) if name else name
        if name == ".." or name.startswith("../") or name.startswith("/"):
            raise WorkbookError(
                f"{self.path}: {show(rels_part)} points outside the package "
                f"({show(target)}) — {MALICIOUS}"
            )
        return self._by_lower.get(name.lower(), name)

    # --- workbook -----------------------------------------------------------------------
    def content_type(self, part: str) -> str | None:
        """The content type ``[Content_Types].xml`` gives ``part`` (None if none)."""
        if self._types is None:
            defaults: dict[str, str] = {}
            overrides: dict[str, str] = {}
            for el in self.xml(CONTENT_TYPES_PART):
                local = etree.QName(el).localname if isinstance(el.tag, str) else ""
                if local == "Default":
                    defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
                elif local == "Override":
                    name = el.get("PartName", "").lstrip("/")
                    overrides[unquote(name).lower()] = el.get("ContentType", "")
            self._types = (defaults, overrides)
        defaults, overrides = self._types
        found = overrides.get(part.lower())
        if found is None:
            found = defaults.get(posixpath.splitext(part)[1].lstrip(".").lower())
        return found

    def sheets(self) -> list[SheetRef]:
        """The workbook's sheets in book order."""
        root = self.xml(self.workbook_part)
        rels = {rel.rid: rel for rel in self.relationships(self.workbook_part)}
        out: list[SheetRef] = []
        for el in root.iterfind("{*}sheets/{*}sheet"):
            name = el.get("name", "")
            rid = _rel_id(el)
            rel = rels.get(rid)
            if rel is None or rel.external or rel.target not in self._by_name:
                raise WorkbookError(
                    f"{self.path}: sheet '{show(name)}' points to a missing part — {RESAVE}"
                )
            state = el.get("state", "visible")
            out.append(SheetRef(name, el.get("sheetId", ""), rid, rel.target, state))
        return out

    def tables(self, sheet_part: str) -> list[str]:
        """The table parts a sheet refers to, in the order of its rels part."""
        out = []
        for rel in self.relationships(sheet_part):
            if rel_kind(rel.type) != "table" or rel.external:
                continue
            if rel.target not in self._by_name:
                raise WorkbookError(
                    f"{self.path}: {show(sheet_part)} refers to a missing table part "
                    f"{show(rel.target)} — {RESAVE}"
                )
            out.append(rel.target)
        return out


def _rel_id(el: Any) -> str:
    for key, value in el.attrib.items():
        qname = etree.QName(key)
        if qname.localname == "id" and qname.namespace in REL_NAMESPACES:
            return str(value)
    return ""


# --- checked reading of members --------------------------------------------------------
def _raw_chunks(pkg: Package, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's compressed bytes, read through its local header (checked against the
    central directory); every read seeks, so several parts can stream at once."""
    fp = pkg._fp
    try:
        fp.seek(info.header_offset)
        local = fp.read(30)
        if len(local) < 30 or local[:4] != ZIP_MAGIC:
            raise pkg._damaged(info.filename, ValueError("bad local header"))
        name_len, extra_len = struct.unpack_from("<HH", local, 26)
        if fp.read(name_len) != zip_name(info)[0]:
            raise pkg._damaged(info.filename, ValueError("local name differs"))
        position = info.header_offset + 30 + name_len + extra_len
        left = info.compress_size
        while left:
            fp.seek(position)
            chunk = fp.read(min(CHUNK, left))
            if not chunk:
                raise pkg._damaged(info.filename, EOFError("data cut short"))
            left -= len(chunk)
            position += len(chunk)
            yield chunk
    except OSError as exc:
        raise pkg._damaged(info.filename, exc) from exc


class _Checker:
    """Inflates a member's compressed bytes in bounded pieces, checking the size limits as
    it goes and the CRC and size at the end (the declared sizes may lie)."""

    def __init__(self, pkg: Package, info: zipfile.ZipInfo) -> None:
        self.pkg, self.info = pkg, info
        self.inflater = zlib.decompressobj(-15) if info.compress_type == 8 else None
        self.crc = self.size = 0

    def _take(self, data: bytes) -> bytes:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        _check_inflated(self.pkg.path, self.info, self.size)
        if self.size > self.info.file_size:
            declared = show_size(self.info.file_size)
            raise _bomb(
                self.pkg.path, f"{show(self.info.filename)} unpacks beyond its declared {declared}"
            )
        return data

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if self.inflater is None:
            yield self._take(chunk)
            return
        try:
            while chunk and not self.inflater.eof:
                yield self._take(self.inflater.decompress(chunk, 4 * CHUNK))
                chunk = self.inflater.unconsumed_tail
        except zlib.error as exc:
            raise self.pkg._damaged(self.info.filename, exc) from exc

    def finish(self) -> Iterator[bytes]:
        if self.inflater is not None:
            try:
                while not self.inflater.eof and (rest := self.inflater.decompress(b"", 4 * CHUNK)):
                    yield self._take(rest)
            except zlib.error as exc:
                raise self.pkg._damaged(self.info.filename, exc) from exc
            if not self.inflater.eof and self.info.compress_size:
                raise self.pkg._damaged(self.info.filename, EOFError("data cut short"))
        if self.size != self.info.file_size or self.crc != self.info.CRC:
            raise self.pkg._damaged(self.info.filename, ValueError("bad CRC or size"))


def _inflate(pkg: Package, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in pieces of at most 4 MiB, checked as they come."""
    checker = _Checker(pkg, info)
    for chunk in _raw_chunks(pkg, info):
        yield from checker.feed(chunk)
    yield from checker.finish()


def checked_raw_chunks(pkg: Package, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's compressed bytes unchanged, each chunk inflated and checked (limits,
    then CRC and size at the end) before it is yielded."""
    checker = _Checker(pkg, info)
    for chunk in _raw_chunks(pkg, info):
        for _ in checker.feed(chunk):
            pass
        yield chunk
    for _ in checker.finish():
        pass


class _PartStream(io.RawIOBase):
    """A file-like view of ``_inflate``'s pieces."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._buffer:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._buffer = memoryview(piece)
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self._buffer))
        view[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _bomb(path: Path, why: str) -> WorkbookError:
    return WorkbookError(f"{path} looks like a zip bomb ({why}) — {MALICIOUS}")


def _check_inflated(path: Path, info: zipfile.ZipInfo, size: int) -> None:
    """Refuse a part whose (declared or actual) inflated ``size`` is beyond the limits."""
    name = show(info.filename)
    if size > MAX_PART_BYTES:
        raise _bomb(path, f"{name} unpacks to over {show_size(MAX_PART_BYTES)}")
    if size > RATIO_MIN_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
        ratio = size / max(info.compress_size, 1)
        raise _bomb(path, f"{name} unpacks {ratio:.0f} times its packed size")


# --- opening ------------------------------------------------------------------------------
def open_package(path: Path, *, verify: bool = True) -> Package:
    """Open ``path`` as a workbook package, or raise one WorkbookError line saying why not.

    With ``verify`` (the default) every part is inflated once, in bounded pieces, so a
    damaged part or one that unpacks beyond its declared size is refused here, before any
    other reader (calamine, openpyxl) meets it; this costs about 0.2 s per 100 MB of XML.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise WorkbookError(f"{path} does not exist — check the path and the file name") from None
    except OSError as exc:
        raise WorkbookError(f"{path} cannot be read ({exc.strerror}) — check the path") from exc
    if stat.S_ISDIR(st.st_mode):
        raise WorkbookError(f"{path} is a folder, not a workbook — give the path of the .xlsx")
    if not stat.S_ISREG(st.st_mode):
        raise WorkbookError(f"{path} is not a regular file — give the path of the .xlsx")
    try:
        fp: BinaryIO = open(path, "rb")  # noqa: SIM115 - owned by the Package
    except OSError as exc:
        raise WorkbookError(
            f"{path} cannot be read ({exc.strerror}) — check its permissions"
        ) from exc
    try:
        return _open(path, fp, verify)
    except BaseException:
        fp.close()
        raise


def _open(path: Path, fp: BinaryIO, verify: bool) -> Package:
    head = fp.read(8)
    if not head:
        raise WorkbookError(f"{path} is empty (0 bytes) — copy it again or re-save it from Excel")
    if head == OLE_MAGIC:
        raise ole_error(path, fp)
    try:
        fp.seek(0)
        with zipfile.ZipFile(fp) as zf:  # only the central directory; fp stays open
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
            raise WorkbookError(
                f"{path} is damaged or incomplete (the zip package is cut short or broken) "
                "— copy or download it again, or re-save it from Excel"
            ) from exc
        raise WorkbookError(
            f"{path} is not an .xlsx workbook ({describe_non_zip(fp)}) — open it in Excel and "
            "save it as .xlsx"
        ) from exc
    except (zipfile.LargeZipFile, ValueError, struct.error, EOFError, OSError) as exc:
        raise WorkbookError(
            f"{path} is damaged (its zip directory is unreadable) — {RESAVE} or copy it again"
        ) from exc
    _check_members(path, infos, fp)
    pkg = Package(path, fp, infos)
    _check_parts(pkg, verify)
    pkg.workbook_part = find_workbook_part(pkg)
    pkg.content_type(CONTENT_TYPES_PART)
    pkg.sheets()
    return pkg


def verify_parts(pkg: Package) -> None:
    """Inflate every part of ``pkg`` to its end (CRC, actual size, limits), as opening
    with ``verify`` does; raises the WorkbookError naming the first damaged part."""
    _check_parts(pkg, True)


def _check_parts(pkg: Package, verify: bool) -> None:
    """Refuse a DOCTYPE at the start of any XML part; with ``verify``, also inflate every
    part to its end (CRC, actual size, limits)."""
    for info in pkg._infos:
        is_xml = info.filename.lower().endswith((".xml", ".rels"))
        if not verify:
            if is_xml:
                pkg.check_start(info.filename)
            continue
        head = bytearray()
        for piece in _inflate(pkg, info):
            if is_xml and len(head) < PROLOG_BYTES:
                head += piece[: PROLOG_BYTES - len(head)]
                if len(head) >= PROLOG_BYTES:
                    check_prolog(pkg.path, info.filename, bytes(head))
        if is_xml and len(head) < PROLOG_BYTES:
            check_prolog(pkg.path, info.filename, bytes(head))


def unsafe_name(name: str) -> bool:
    """Whether ``name`` is no part name: empty, absolute, with ``..`` or control characters."""
    plain = name.replace("\\", "/")
    return (
        not name
        or plain.startswith("/")
        or re.match(r"^[A-Za-z]:", plain) is not None
        or ".." in plain.split("/")
        or any(ord(c) < 32 for c in name)
    )


def _check_members(path: Path, infos: list[zipfile.ZipInfo], fp: BinaryIO) -> None:
    """Refuse member lists no workbook has: unsafe or duplicate names, encrypted or
    unusual entries, overlapping entries, and sizes beyond the limits."""
    if len(infos) > MAX_PARTS:
        raise _bomb(path, f"{len(infos):,} parts; a workbook may have {MAX_PARTS:,}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if unsafe_name(name):
            raise WorkbookError(f"{path} contains an unsafe part name '{show(name)}' — {MALICIOUS}")
        if name.lower() in seen:
            raise WorkbookError(f"{path} contains the part '{show(name)}' twice — {MALICIOUS}")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{path} has encrypted zip entries, which an Excel workbook never has — "
                "decrypt it or re-save it from Excel"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookError(
                f"{path} uses a zip compression Excel does not write (method "
                f"{info.compress_type}) — {RESAVE}"
            )
        _check_inflated(path, info, info.file_size)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _bomb(
            path, f"its parts unpack to {show_size(total)}, over {show_size(MAX_TOTAL_BYTES)}"
        )
    end = fp.seek(0, os.SEEK_END)
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for info, after in zip(ordered, [*ordered[1:], None], strict=True):
        stop = info.header_offset + 30 + len(zip_name(info)[0]) + info.compress_size
        limit = after.header_offset if after is not None else end
        if stop > limit:
            raise WorkbookError(
                f"{path} is damaged (zip entries overlap or run past its end) — {RESAVE}"
            )


def zip_name(info: zipfile.ZipInfo) -> tuple[bytes, int]:
    """A member's name as stored, and the UTF-8 flag that goes with it."""
    if info.flag_bits & 0x800:
        return info.orig_filename.encode("utf-8"), 0x800
    try:
        return info.orig_filename.encode("cp437"), 0
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8"), 0x800
