"""Writer of OLE compound files (MS-CFB version 3, 512-byte sectors).

``write_compound_file({"PROJECT": b"...", "VBA/dir": b"..."})`` returns the file's bytes;
storages are implied by the paths. Streams shorter than 4096 bytes live in the mini stream.
Each storage's children form a red-black tree ordered as MS-CFB 2.6.4 requires. Reading is
left to ``olefile``.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
ENTRY_SIZE = 128
MAX_NAME = 31

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
HEADER_DIFAT = 109  # FAT sector locations held by the header itself
IDS_PER_SECTOR = SECTOR // 4

STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class _Node:
    """One directory entry while the file is being laid out."""

    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)  # keyed by upper-case name
    sid: int = 0
    start: int = ENDOFCHAIN
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """The compound file holding ``streams`` (path -> data; "/" separates storages)."""
    root = _tree(streams)
    nodes = _number(root)
    for node in nodes:
        _link_children(node)

    small = [n for n in nodes if n.kind == STREAM and len(n.data) < MINI_CUTOFF]
    large = [n for n in nodes if n.kind == STREAM and len(n.data) >= MINI_CUTOFF]
    mini_stream, mini_fat = _mini_layout(small)

    dir_sectors = _sectors(len(nodes) * ENTRY_SIZE)
    minifat_sectors = _sectors(len(mini_fat) * 4)
    ministream_sectors = _sectors(len(mini_stream))
    runs = [dir_sectors, minifat_sectors, ministream_sectors]
    runs += [_sectors(len(n.data)) for n in large]
    n_fat, n_difat = _fat_size(sum(runs))

    fat: list[int] = [FATSECT] * n_fat + [DIFSECT] * n_difat
    starts = [_chain(fat, count) for count in runs]
    dir_start, minifat_start, ministream_start = starts[:3]
    for node, start in zip(large, starts[3:], strict=True):
        node.start = start
    if mini_stream:
        root.start, root.data = ministream_start, mini_stream
    fat += [FREESECT] * (-len(fat) % IDS_PER_SECTOR)

    difat = list(range(n_fat))
    body = [
        _pack_ids(fat),
        _difat_sectors(difat[HEADER_DIFAT:], n_fat, n_difat),
        _pad(b"".join(_entry(n) for n in nodes)),
        _pad(_pack_ids(mini_fat)),
        _pad(mini_stream),
        *(_pad(n.data) for n in large),
    ]
    header = _header(
        n_fat=n_fat,
        dir_start=dir_start,
        minifat_start=minifat_start,
        n_minifat=minifat_sectors,
        difat_start=n_fat if n_difat else ENDOFCHAIN,
        n_difat=n_difat,
        difat=difat[:HEADER_DIFAT],
    )
    return header + b"".join(body)


def sort_key(name: str) -> tuple[int, str]:
    """MS-CFB's order of sibling names: shorter first, then code-unit-wise upper case."""
    units = name.encode("utf-16-le")
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return len(units) // 2, upper


def _tree(streams: Mapping[str, bytes]) -> _Node:
    root = _Node("Root Entry", ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        parent = root
        for i, part in enumerate(parts):
            _check_name(part, path)
            is_stream = i == len(parts) - 1
            key = part.upper()
            node = parent.children.get(key)
            if node is None:
                node = _Node(part, STREAM if is_stream else STORAGE)
                parent.children[key] = node
            elif is_stream or node.kind == STREAM:
                raise ValueError(f"compound file path {path!r} clashes with another entry")
            parent = node
        parent.data = bytes(data)
    return root


def _check_name(name: str, path: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > MAX_NAME:
        raise ValueError(f"compound file names must be 1-{MAX_NAME} characters: {path!r}")
    if any(c in name for c in "\\:!") or any(ord(c) < 32 for c in name):
        raise ValueError(f"compound file name has a forbidden character: {path!r}")


def _number(root: _Node) -> list[_Node]:
    """All entries, root first, each given its directory index."""
    nodes = [root]
    for node in nodes:
        nodes.extend(sorted(node.children.values(), key=lambda n: sort_key(n.name)))
    for sid, node in enumerate(nodes):
        node.sid = sid
    return nodes


def _link_children(parent: _Node) -> None:
    """Hang ``parent``'s children from it as a balanced, validly coloured red-black tree."""
    ordered = sorted(parent.children.values(), key=lambda n: sort_key(n.name))
    if not ordered:
        return
    deepest = (len(ordered)).bit_length() - 1  # depth of the last, possibly partial, level
    parent.child = _build(ordered, 0, deepest)


def _build(ordered: list[_Node], depth: int, deepest: int) -> int:
    """Subtree of ``ordered`` rooted at its middle; returns the root's index.

    Every level but the deepest is full, so colouring the deepest level red (below a black
    root) gives all paths the same number of black nodes and no red node a red child.
    """
    if not ordered:
        return NOSTREAM
    mid = len(ordered) // 2
    node = ordered[mid]
    node.color = RED if depth == deepest and depth > 0 else BLACK
    node.left = _build(ordered[:mid], depth + 1, deepest)
    node.right = _build(ordered[mid + 1 :], depth + 1, deepest)
    return node.sid


def _mini_layout(small: list[_Node]) -> tuple[bytes, list[int]]:
    """The mini stream holding ``small`` streams, and its mini FAT."""
    stream = bytearray()
    mini_fat: list[int] = []
    for node in small:
        count = -(-len(node.data) // MINI_SECTOR)
        if count == 0:
            continue
        node.start = _chain(mini_fat, count)
        stream += node.data + bytes(-len(node.data) % MINI_SECTOR)
    return bytes(stream), mini_fat


def _chain(table: list[int], count: int) -> int:
    """Append a chain of ``count`` sectors to ``table``; returns its first sector."""
    if count == 0:
        return ENDOFCHAIN
    first = len(table)
    table.extend(range(first + 1, first + count))
    table.append(ENDOFCHAIN)
    return first


def _fat_size(data_sectors: int) -> tuple[int, int]:
    """Numbers of FAT and DIFAT sectors needed to map ``data_sectors`` plus themselves."""
    n_fat = n_difat = 0
    while True:
        need_fat = -(-(data_sectors + n_fat + n_difat) // IDS_PER_SECTOR)
        need_difat = -(-max(need_fat - HEADER_DIFAT, 0) // (IDS_PER_SECTOR - 1))
        if (need_fat, need_difat) == (n_fat, n_difat):
            return n_fat, n_difat
        n_fat, n_difat = need_fat, need_difat


def _difat_sectors(ids: list[int], first: int, count: int) -> bytes:
    """DIFAT sectors (from sector ``first``) listing the FAT sectors beyond the header's."""
    per = IDS_PER_SECTOR - 1
    out = bytearray()
    for i in range(count):
        chunk = ids[i * per : (i + 1) * per]
        chunk += [FREESECT] * (per - len(chunk))
        chunk.append(first + i + 1 if i + 1 < count else ENDOFCHAIN)
        out += _pack_ids(chunk)
    return bytes(out)


def _entry(node: _Node) -> bytes:
    name = node.name.encode("utf-16-le") + b"\0\0"
    size = len(node.data) if node.kind != STORAGE else 0
    start = node.start if node.kind != STORAGE else 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        node.kind,
        node.color,
        node.left,
        node.right,
        node.child,
        bytes(16),
        0,
        0,
        0,
        start,
        size,
    )


def _header(
    *,
    n_fat: int,
    dir_start: int,
    minifat_start: int,
    n_minifat: int,
    difat_start: int,
    n_difat: int,
    difat: list[int],
) -> bytes:
    fixed = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE,
        bytes(16),
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        bytes(6),
        0,  # number of directory sectors: always 0 in version 3
        n_fat,
        dir_start,
        0,  # transaction signature
        MINI_CUTOFF,
        minifat_start,
        n_minifat,
        difat_start,
        n_difat,
    )
    return fixed + _pack_ids(difat + [FREESECT] * (HEADER_DIFAT - len(difat)))


def _sectors(size: int) -> int:
    return -(-size // SECTOR)


def _pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % SECTOR)


def _pack_ids(ids: list[int]) -> bytes:
    return struct.pack(f"<{len(ids)}I", *ids)
