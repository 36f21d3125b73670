"""The zip format side of rewriting a package: entries, headers and the central directory."""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from xlmplan.xlsx.package import CHUNK, ZIP_MAGIC, zip_name

COMPRESS_LEVEL = 6
"""zlib level for rewritten parts up to ``LARGE_PART`` bytes."""
FAST_LEVEL = 1
"""zlib level for larger rewritten parts and streamed ones (about four times faster)."""
LARGE_PART = 16 << 20
ADDED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ADDED_EXTERNAL_ATTR = (stat.S_IFREG | 0o600) << 16
_ZIP64_LIMIT = 0xFFFFFFFF

Content = bytes | Iterable[bytes]
"""A part's new bytes, or an iterable of chunks to stream a large part."""


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


class ZipWriter:
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

    def copy_raw(self, info: zipfile.ZipInfo, chunks: Iterable[bytes]) -> None:
        """Copy a member's compressed bytes (``chunks``) unchanged under its entry."""
        e = self._entry(info, zip_name(info), info.compress_type)
        e.flags |= info.flag_bits & 0x6  # deflate option bits; no data descriptor
        e.crc, e.csize, e.usize = info.CRC, info.compress_size, info.file_size
        self.out.write(self._local_header(e, max(e.csize, e.usize) >= _ZIP64_LIMIT))
        for chunk in chunks:
            self.out.write(chunk)
        self.entries.append(e)

    def replace(self, info: zipfile.ZipInfo, data: Content) -> None:
        """Write a member's new bytes under its entry (deflated, unless it was stored)."""
        self._compressed(info, data, zip_name(info))

    def add(self, name: str, data: Content) -> None:
        """Write a new part, deflated, dated 1980-01-01."""
        self._compressed(_new_info(name), data, _encode_name(name))

    def _compressed(self, info: zipfile.ZipInfo, data: Content, name: tuple[bytes, int]) -> None:
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
