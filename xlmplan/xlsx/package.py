"""The safe package layer: open a user's workbook as a zip of parts, read and parse parts
defensively, and write a new version atomically with every untouched part copied as is.

Everything that can go wrong with a file a user hands over becomes one ``WorkbookError``
line that names the file and the fix: a missing file, a folder, CSV or random bytes, a
truncated download, an ``.xls``, a password-protected (OLE2-encrypted) workbook, a
zip bomb, path-traversal member names, and XML with a DOCTYPE (XXE, billion laughs).

Part names are zip member names (``xl/workbook.xml``, no leading slash).
"""

from __future__ import annotations

import errno
import io
import os
import posixpath
import re
import secrets
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO
from urllib.parse import unquote

from lxml import etree

from xlmplan.errors import WorkbookError

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
PROLOG_BYTES = 1 << 20
"""How far into a part its XML prolog (declaration, comments) may reach (1 MiB)."""

CHUNK = 1 << 20
COMPRESS_LEVEL = 6
"""zlib level for rewritten parts up to ``LARGE_PART`` bytes."""
FAST_LEVEL = 1
"""zlib level for larger rewritten parts and streamed ones (about four times faster)."""
LARGE_PART = 16 << 20
ADDED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ADDED_EXTERNAL_ATTR = (stat.S_IFREG | 0o600) << 16

WORKBOOK_PART = "xl/workbook.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
REL_BASES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/",
)
REL_NAMESPACES = frozenset(base.rstrip("/") for base in REL_BASES)
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAMS = ("EncryptionInfo", "EncryptedPackage")
_MALICIOUS = "the file may be malicious; re-save it from Excel"
_RESAVE = "re-save it from Excel"
_SAFE_ENCODING = re.compile(
    r"(utf-?8|(us-)?ascii|iso[-_]?8859[-_]\d{1,2}|latin-?1|(windows|cp)-?125\d)", re.I
)
_ZIP64_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True)
class SheetRef:
    """One ``<sheet>`` of the workbook, with its part resolved through the workbook rels."""

    name: str
    sheet_id: str
    rid: str
    part: str
    state: str  # "visible" | "hidden" | "veryHidden"


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part; ``target`` is a part name unless ``external``."""

    rid: str
    type: str
    target: str
    external: bool = False


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


def _show(text: str, limit: int = 80) -> str:
    """A name safe for a one-line message: control characters escaped, long names cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError


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
            raise WorkbookError(f"{self.path} has no part {_show(part)} — {_RESAVE}")
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

    def _head(self, part: str, n: int) -> bytes:
        with self.open(part) as stream:
            return stream.read(n)

    def _damaged(self, part: str, exc: BaseException) -> WorkbookError:
        why = _show(str(exc) or type(exc).__name__, 60)
        return WorkbookError(
            f"{self.path}: part {_show(part)} is damaged ({why}) — {_RESAVE} or copy it again"
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
        _check_prolog(self.path, part, data)
        parser = _parser(huge=self.is_worksheet(part))
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise self._not_xml(part, exc) from exc
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise _doctype_error(self.path, part)
        return root

    def iterparse(
        self, part: str, events: tuple[str, ...] = ("end",), tag: str | None = None
    ) -> Iterator[tuple[str, etree._Element]]:
        """``lxml.etree.iterparse`` over ``part`` with the same safety as ``xml``, streamed."""
        _check_prolog(self.path, part, self._head(part, PROLOG_BYTES))
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
        why = _show(str(exc.msg or exc), 100)
        return WorkbookError(
            f"{self.path}: part {_show(part)} is not well-formed XML ({why}) — {_RESAVE}"
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
                f"{self.path}: {_show(rels_part)} points outside the package "
                f"({_show(target)}) — {_MALICIOUS}"
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
                    f"{self.path}: sheet '{_show(name)}' points to a missing part — {_RESAVE}"
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
                    f"{self.path}: {_show(sheet_part)} refers to a missing table part "
                    f"{_show(rel.target)} — {_RESAVE}"
                )
            out.append(rel.target)
        return out


def _rel_id(el: Any) -> str:
    for key, value in el.attrib.items():
        qname = etree.QName(key)
        if qname.localname == "id" and qname.namespace in REL_NAMESPACES:
            return str(value)
    return ""


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
        if fp.read(name_len) != _zip_name(info)[0]:
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
            declared = _size(self.info.file_size)
            raise _bomb(
                self.pkg.path, f"{_show(self.info.filename)} unpacks beyond its declared {declared}"
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
    return WorkbookError(f"{path} looks like a zip bomb ({why}) — {_MALICIOUS}")


def _check_inflated(path: Path, info: zipfile.ZipInfo, size: int) -> None:
    """Refuse a part whose (declared or actual) inflated ``size`` is beyond the limits."""
    name = _show(info.filename)
    if size > MAX_PART_BYTES:
        raise _bomb(path, f"{name} unpacks to over {_size(MAX_PART_BYTES)}")
    if size > RATIO_MIN_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
        ratio = size / max(info.compress_size, 1)
        raise _bomb(path, f"{name} unpacks {ratio:.0f} times its packed size")


# --- XML safety ---------------------------------------------------------------------------
def _parser(*, huge: bool) -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        collect_ids=False,
    )


def _doctype_error(path: Path, part: str) -> WorkbookError:
    return WorkbookError(
        f"{path}: {_show(part)} contains a DOCTYPE/entity declaration, which a workbook "
        f"never needs — {_MALICIOUS}"
    )


_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_ENCODING_DECL = re.compile(r"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


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
        f"{path}: {_show(part)} uses the character encoding {_show(encoding, 20)}, which a "
        f"workbook never needs — {_MALICIOUS}"
    )


def _check_prolog(path: Path, part: str, head: bytes) -> None:
    """Refuse a DOCTYPE (the only place entity declarations can live) before the root
    element; ``head`` is the part's start (at least ``PROLOG_BYTES`` of it, or all)."""
    text = _decode_head(path, part, head[:PROLOG_BYTES])
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if match is None:
            break
        pos = match.end()
    rest = text[pos:].lstrip()
    if rest.startswith("<!") and not rest.startswith("<!--"):
        raise _doctype_error(path, part)
    unfinished = not rest or rest.startswith("<?") or rest.startswith("<!--")
    if unfinished and len(head) >= PROLOG_BYTES:  # shorter: all of a part the parser refuses
        raise WorkbookError(
            f"{path}: {_show(part)} has over {_size(PROLOG_BYTES)} of XML declarations "
            f"before its content — {_MALICIOUS}"
        )


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
        raise _ole_error(path, fp)
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
            f"{path} is not an .xlsx workbook ({_sniff(fp)}) — open it in Excel and save it "
            "as .xlsx"
        ) from exc
    except (zipfile.LargeZipFile, ValueError, struct.error, EOFError, OSError) as exc:
        raise WorkbookError(
            f"{path} is damaged (its zip directory is unreadable) — {_RESAVE} or copy it again"
        ) from exc
    _check_members(path, infos, fp)
    pkg = Package(path, fp, infos)
    _check_parts(pkg, verify)
    _check_kind(pkg)
    pkg.content_type(CONTENT_TYPES_PART)
    pkg.sheets()
    return pkg


def _check_parts(pkg: Package, verify: bool) -> None:
    """Refuse a DOCTYPE at the start of any XML part; with ``verify``, also inflate every
    part to its end (CRC, actual size, limits)."""
    for info in pkg._infos:
        is_xml = info.filename.lower().endswith((".xml", ".rels"))
        if not verify:
            if is_xml:
                _check_prolog(pkg.path, info.filename, pkg._head(info.filename, PROLOG_BYTES))
            continue
        head = bytearray()
        for piece in _inflate(pkg, info):
            if is_xml and len(head) < PROLOG_BYTES:
                head += piece[: PROLOG_BYTES - len(head)]
                if len(head) >= PROLOG_BYTES:
                    _check_prolog(pkg.path, info.filename, bytes(head))
        if is_xml and len(head) < PROLOG_BYTES:
            _check_prolog(pkg.path, info.filename, bytes(head))


def _sniff(fp: BinaryIO) -> str:
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


def _unsafe_name(name: str) -> bool:
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
        if _unsafe_name(name):
            raise WorkbookError(
                f"{path} contains an unsafe part name '{_show(name)}' — {_MALICIOUS}"
            )
        if name.lower() in seen:
            raise WorkbookError(f"{path} contains the part '{_show(name)}' twice — {_MALICIOUS}")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{path} has encrypted zip entries, which an Excel workbook never has — "
                "decrypt it or re-save it from Excel"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookError(
                f"{path} uses a zip compression Excel does not write (method "
                f"{info.compress_type}) — {_RESAVE}"
            )
        _check_inflated(path, info, info.file_size)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _bomb(path, f"its parts unpack to {_size(total)}, over {_size(MAX_TOTAL_BYTES)}")
    end = fp.seek(0, os.SEEK_END)
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for info, after in zip(ordered, [*ordered[1:], None], strict=True):
        stop = info.header_offset + 30 + len(_zip_name(info)[0]) + info.compress_size
        limit = after.header_offset if after is not None else end
        if stop > limit:
            raise WorkbookError(
                f"{path} is damaged (zip entries overlap or run past its end) — {_RESAVE}"
            )


def _check_kind(pkg: Package) -> None:
    """Refuse zips that are not Excel workbooks, naming the common look-alikes."""
    path, names = pkg.path, set(pkg._by_name)
    if "mimetype" in names and pkg._head("mimetype", 100).startswith(
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
        what = f"a zip package without {_show(missing)}"
    else:
        root = etree.QName(pkg.xml(main)).localname
        if root == "document":
            what = "a Word document"
        elif root == "presentation":
            what = "a PowerPoint presentation"
        elif root != "workbook":
            what = f"its main part {_show(main)} is a <{_show(root, 40)}>"
    if what:
        raise WorkbookError(
            f"{path} is not an Excel workbook ({what}) — open it in Excel and save it as .xlsx"
        )
    pkg.workbook_part = main


# --- OLE2 compound files (.xls, encrypted workbooks) ----------------------------------------
_FREE_LIMIT = 0xFFFFFFFA  # sector numbers from here on are markers, not sectors


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
    while chunk := fp.read(CHUNK):
        block = tail + chunk
        found.update(name for name, raw in wanted.items() if raw in block)
        tail = block[-64:]
    return found


def _ole_error(path: Path, fp: BinaryIO) -> WorkbookError:
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


# --- writing ------------------------------------------------------------------------------
def _owner_files(path: Path) -> list[tuple[Path, str]]:
    name = path.name
    excel = [f"~${name}"] + ([f"~${name[2:]}"] if len(name) > 2 else [])
    return [(path.with_name(n), "Excel") for n in excel] + [
        (path.with_name(f".~lock.{name}#"), "LibreOffice")
    ]


def _read_only(st: os.stat_result, path: Path) -> bool:
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


def check_writable(path: Path) -> None:
    """Refuse to write ``path`` when Excel or LibreOffice holds it open, or when the file
    or its folder is read-only."""
    path = Path(path)
    for lock, program in _owner_files(path) if path.exists() else []:
        if lock.exists():
            raise WorkbookError(
                f"{path} is open in {program} — close it there and try again (if {program} "
                f"is not running, delete the leftover lock file {_show(lock.name)})"
            )
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WorkbookError(f"{path} cannot be written ({exc.strerror}) — check the path") from exc
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise WorkbookError(f"{path} is a folder, not a workbook — give the path of the .xlsx")
        if _read_only(st, path):
            raise WorkbookError(
                f"{path} is read-only — clear its read-only flag or save under another name"
            )
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise WorkbookError(f"{path} cannot be written: {folder} is not a folder — check the path")
    if _read_only(folder.stat(), folder):
        raise WorkbookError(
            f"{path} cannot be written: the folder {folder} is read-only — choose another "
            "folder or fix its permissions"
        )


def backup_path(target: Path) -> Path:
    """Where ``write_package`` keeps the previous version: ``plan.xlsx`` -> ``plan.backup.xlsx``."""
    return target.with_name(f"{target.stem}.backup{target.suffix}")


Content = bytes | Iterable[bytes]
"""A part's new bytes, or an iterable of chunks to stream a large part."""


def write_package(
    pkg: Package,
    target: Path,
    *,
    replace: Mapping[str, Content],
    remove: Iterable[str] = (),
    add: Mapping[str, Content] | None = None,
    backup: bool = True,
) -> Path | None:
    """Write ``pkg`` with some parts replaced, removed or added to ``target``, atomically.

    Untouched parts keep their bytes (the compressed data is copied raw after checking its
    CRC), zip entry and order; replaced parts keep their place and entry; added parts go
    last, dated 1980-01-01, so equal inputs give byte-identical files. A replacement may be
    an iterable of byte chunks instead of bytes, to stream a large part. Callers update
    ``[Content_Types].xml`` and rels themselves. The previous ``target`` is kept as
    ``backup_path(target)`` when ``backup`` is true (returned; otherwise None). Writing over
    ``pkg``'s own file closes ``pkg``. On any failure ``target`` is untouched.
    """
    target = Path(os.path.realpath(target)) if Path(target).is_symlink() else Path(target)
    add = dict(add or {})
    removed = set(remove)
    _check_edits(pkg, replace, removed, add)
    check_writable(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.stat() if target.exists() else None
    except OSError as exc:
        raise _write_error(target, exc) from exc
    same = old is not None and pkg.path.exists() and os.path.samefile(pkg.path, target)
    tmp: Path | None = None
    made: Path | None = None
    try:
        tmp, fd = _create_temp(target)
        with os.fdopen(fd, "w+b") as out:
            writer = _ZipWriter(out)
            for info in pkg._infos:
                name = info.filename
                if name in removed:
                    continue
                if name in replace:
                    writer.compressed(info, replace[name], _zip_name(info))
                else:
                    writer.copy_raw(pkg, info)
            for name, data in add.items():
                writer.compressed(_new_info(name), data, _encode_name(name))
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        if old is not None:
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
        if backup and old is not None:
            made = backup_path(target)
            _keep_backup(target, made)
        if same:
            pkg.close()
        os.replace(tmp, target)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return made


def _check_edits(
    pkg: Package, replace: Mapping[str, Content], removed: set[str], add: Mapping[str, Content]
) -> None:
    names = set(pkg.names())
    lower = {n.lower() for n in names}
    if unknown := (set(replace) | removed) - names:
        raise ValueError(f"no such parts to replace or remove: {sorted(unknown)}")
    if both := set(replace) & removed:
        raise ValueError(f"parts both replaced and removed: {sorted(both)}")
    for name in add:
        if name.lower() in lower or _unsafe_name(name) or name.endswith("/"):
            raise ValueError(f"cannot add part {name!r}: it exists or is not a valid part name")


def _temp_name(target: Path) -> Path:
    return target.with_name(f".~xlmplan-{secrets.token_hex(6)}{target.suffix}")


def _create_temp(target: Path) -> tuple[Path, int]:
    """A new temporary file beside ``target``, created with the mode the umask gives new
    files (so a new target gets the usual permissions)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = _temp_name(target)
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


def _keep_backup(target: Path, backup: Path) -> None:
    """Make ``backup`` the current ``target`` (a hard link where possible, else a copy)."""
    staged = _temp_name(backup)
    try:
        try:
            os.link(target, staged)
        except OSError:
            shutil.copy2(target, staged)
        os.replace(staged, backup)
    finally:
        staged.unlink(missing_ok=True)


def _write_error(target: Path, exc: OSError) -> WorkbookError:
    if exc.errno == errno.ENOSPC:
        return WorkbookError(f"{target}: the disk is full — free some space and try again")
    if exc.errno == errno.EROFS:
        return WorkbookError(f"{target} is on a read-only disk — save it to another folder")
    return WorkbookError(
        f"{target} cannot be written ({exc.strerror or exc}) — check the folder's "
        "permissions, or close the file in Excel"
    )


def _new_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ADDED_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ADDED_EXTERNAL_ATTR
    info.create_system = 3
    info.create_version = 20
    return info


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), 0x800


def _zip_name(info: zipfile.ZipInfo) -> tuple[bytes, int]:
    """A member's name as stored, and the UTF-8 flag that goes with it."""
    if info.flag_bits & 0x800:
        return info.orig_filename.encode("utf-8"), 0x800
    try:
        return info.orig_filename.encode("cp437"), 0
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8"), 0x800


def _strip_zip64(extra: bytes) -> bytes:
    """Extra fields without the zip64 block (sizes are written anew); all dropped if broken."""
    out, pos = [], 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if pos + 4 + size > len(extra):
            return b""
        if tag != 0x0001:
            out.append(extra[pos : pos + 4 + size])
        pos += 4 + size
    return b"".join(out) if pos == len(extra) else b""


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    offset: int
    version: int
    made_by: int
    internal_attr: int
    external_attr: int
    extra: bytes
    crc: int = 0
    csize: int = 0
    usize: int = 0


def _dos(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<4sIQI")


class _ZipWriter:
    """A minimal zip writer: raw copies and deflated parts, zip64 only where sizes need it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.entries: list[_Entry] = []

    def _entry(self, info: zipfile.ZipInfo, name: tuple[bytes, int], method: int) -> _Entry:
        dos_time, dos_date = _dos(info.date_time)
        return _Entry(
            name=name[0],
            flags=name[1],
            method=method,
            dos_time=dos_time,
            dos_date=dos_date,
            offset=self.out.tell(),
            version=max(info.extract_version, 20 if method == 8 else 10),
            made_by=((info.create_system & 0xFF) << 8) | (info.create_version & 0xFF),
            internal_attr=info.internal_attr,
            external_attr=info.external_attr,
            extra=_strip_zip64(info.extra),
        )

    def _local_header(self, e: _Entry, zip64: bool) -> bytes:
        extra, csize, usize = e.extra, e.csize, e.usize
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, usize, csize) + extra
            csize = usize = _ZIP64_LIMIT
        version = 45 if zip64 else e.version
        fields = (e.flags, e.method, e.dos_time, e.dos_date, e.crc, csize, usize)
        head = _LOCAL.pack(ZIP_MAGIC, version, *fields, len(e.name), len(extra))
        return head + e.name + extra

    def copy_raw(self, pkg: Package, info: zipfile.ZipInfo) -> None:
        """Copy a member's compressed bytes unchanged, inflating them only to check them."""
        e = self._entry(info, _zip_name(info), info.compress_type)
        e.flags |= info.flag_bits & 0x6  # deflate option bits; no data descriptor
        e.crc, e.csize, e.usize = info.CRC, info.compress_size, info.file_size
        self.out.write(self._local_header(e, max(e.csize, e.usize) >= _ZIP64_LIMIT))
        checker = _Checker(pkg, info)
        for chunk in _raw_chunks(pkg, info):
            for _ in checker.feed(chunk):
                pass
            self.out.write(chunk)
        for _ in checker.finish():
            pass
        self.entries.append(e)

    def compressed(self, info: zipfile.ZipInfo, data: Content, name: tuple[bytes, int]) -> None:
        """Write a new part under ``info``'s entry (deflated, unless it was stored)."""
        method = zipfile.ZIP_STORED if info.compress_type == zipfile.ZIP_STORED else 8
        e = self._entry(info, name, method)
        chunks: Iterable[bytes | memoryview]
        if isinstance(data, bytes | bytearray | memoryview):
            view = memoryview(data).cast("B")
            chunks = (view[i : i + CHUNK] for i in range(0, len(view), CHUNK))
            zip64 = len(view) > 0xF0000000  # deflate may grow incompressible data a little
            level = COMPRESS_LEVEL if len(view) <= LARGE_PART else FAST_LEVEL
        else:
            chunks, zip64, level = data, True, FAST_LEVEL
        self.out.write(self._local_header(e, zip64))
        start = self.out.tell()
        packer = zlib.compressobj(level, zlib.DEFLATED, -15) if method == 8 else None
        for chunk in chunks:
            e.crc = zlib.crc32(chunk, e.crc)
            e.usize += len(chunk)
            self.out.write(packer.compress(chunk) if packer else chunk)
        if packer:
            self.out.write(packer.flush())
        end = self.out.tell()
        e.csize = end - start
        if not zip64 and max(e.csize, e.usize) >= _ZIP64_LIMIT:
            raise ValueError(f"part {info.filename} came out larger than its header allows")
        self.out.seek(e.offset)
        self.out.write(self._local_header(e, zip64))
        self.out.seek(end)
        self.entries.append(e)

    def finish(self) -> None:
        """Write the central directory and its end records."""
        start = self.out.tell()
        for e in self.entries:
            big = [v for v in (e.usize, e.csize, e.offset) if v >= _ZIP64_LIMIT]
            extra = e.extra
            if big:
                extra = struct.pack(f"<HH{len(big)}Q", 1, 8 * len(big), *big) + extra
            sizes = (min(e.csize, _ZIP64_LIMIT), min(e.usize, _ZIP64_LIMIT))
            fields = (e.flags, e.method, e.dos_time, e.dos_date, e.crc, *sizes, len(e.name))
            attrs = (e.internal_attr, e.external_attr, min(e.offset, _ZIP64_LIMIT))
            version = 45 if big else e.version
            head = _CENTRAL.pack(
                b"PK\x01\x02", e.made_by, version, *fields, len(extra), 0, 0, *attrs
            )
            self.out.write(head + e.name + extra)
        end = self.out.tell()
        count, size = len(self.entries), end - start
        if count >= 0xFFFF or max(size, start) >= _ZIP64_LIMIT:
            self.out.write(_END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start))
            self.out.write(_LOCATOR64.pack(b"PK\x06\x07", 0, end, 1))
        small = (min(count, 0xFFFF), min(count, 0xFFFF), min(size, _ZIP64_LIMIT))
        self.out.write(_END.pack(b"PK\x05\x06", 0, 0, *small, min(start, _ZIP64_LIMIT), 0))
