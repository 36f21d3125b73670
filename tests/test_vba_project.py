"""The VBA container layer: compound files (MS-CFB) and vbaProject.bin (MS-OVBA), checked
against olefile and oletools' olevba as independent readers."""

from __future__ import annotations

import dataclasses
import io
import random
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from xlmplan.errors import WorkbookError
from xlmplan.xlsx.compound_file import sort_key, write_compound_file
from xlmplan.xlsx.vba_project import (
    VbaModule,
    VbaProject,
    compress,
    decompress,
    module_from_bas,
    read_vba_project,
    write_vba_project,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
BAS = ROOT / "macros" / "XlmplanRibbon.bas"
TEMPLATE_KINDS = {
    "ThisWorkbook": "document",
    "Dictionary": "class",
    "RibbonMyAddin": "module",
    "Sheet2": "document",
    "xlwings": "module",
}
RED, BLACK = 0x00, 0x01  # MS-CFB directory entry colours
PROJECT_LINE = {"document": "Document={}/&H00000000", "module": "Module={}", "class": "Class={}"}


@pytest.fixture(scope="module")
def original() -> bytes:
    with zipfile.ZipFile(TEMPLATE) as zf:
        return zf.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def project(original: bytes) -> VbaProject:
    return read_vba_project(original)


def macros(data: bytes) -> dict[str, str]:
    """Module name -> code, as olevba extracts them."""
    parser = VBA_Parser(filename="vbaProject.bin", data=data)
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def ole_streams(data: bytes) -> dict[str, bytes]:
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        return {"/".join(p): ole.openstream(p).read() for p in ole.listdir(streams=True)}


def project_lines(data: bytes) -> list[str]:
    return ole_streams(data)["PROJECT"].decode("cp1252").split("\r\n")


def raw_references(data: bytes) -> bytes:
    """The PROJECTREFERENCES records of a vbaProject.bin, cut out independently."""
    dir_data = bytes(decompress_stream(bytearray(ole_streams(data)["VBA/dir"])))
    pos, start = 0, -1
    while True:
        rec_id, size = struct.unpack_from("<HI", dir_data, pos)
        if start < 0 and rec_id in (0x16, 0x33, 0x2F, 0x0D, 0x0E):
            start = pos
        if rec_id == 0x0F:
            return dir_data[start:pos]
        pos += 6 + (6 if rec_id == 0x09 else size)


# --- the xlwings template ------------------------------------------------------------


def test_template_is_read(project: VbaProject) -> None:
    assert {m.name: m.kind for m in project.modules} == TEMPLATE_KINDS
    assert project.code_page == 1252 and project.codec == "cp1252"
    assert project.name == "MyAddin"
    assert project.module("sheet2").source.startswith(b'Attribute VB_Name = "Sheet2"\r\n')
    assert b"IRibbonControl" in project.module("RibbonMyAddin").source
    assert project.module("Dictionary").docstring.startswith("Drop-in replacement")


def test_round_trip_keeps_every_module(original: bytes, project: VbaProject) -> None:
    rewritten = write_vba_project(project)
    before, after = macros(original), macros(rewritten)
    assert set(before) == set(TEMPLATE_KINDS)
    assert after == before
    assert read_vba_project(rewritten) == project


def test_round_trip_keeps_references(original: bytes, project: VbaProject) -> None:
    rewritten = write_vba_project(project)
    references = raw_references(original)
    assert b"MSForms" in references and b"Office" in references
    assert raw_references(rewritten) == references == project.references


def test_written_streams(project: VbaProject) -> None:
    streams = ole_streams(write_vba_project(project))
    module_streams = {f"VBA/{name}" for name in TEMPLATE_KINDS}
    assert set(streams) == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} | module_streams
    vba_project = streams["VBA/_VBA_PROJECT"]
    assert len(vba_project) == 7
    assert struct.unpack("<HHBH", vba_project) == (0x61CC, 0xFFFF, 0, 0)
    for name in module_streams:  # MODULEOFFSET 0: the stream is just the compressed source
        assert decompress_stream(bytearray(streams[name])).startswith(b"Attribute VB_Name")


def test_project_stream_lists_modules(original: bytes, project: VbaProject) -> None:
    lines = project_lines(write_vba_project(project))
    assert lines[0] == 'ID="{318BEE36-5BE1-492A-826D-473DB19B0F30}"'
    for name, kind in TEMPLATE_KINDS.items():
        assert PROJECT_LINE[kind].format(name) in lines
        assert any(line.startswith(f"{name}=") for line in lines[lines.index("[Workspace]") :])
    assert project_lines(write_vba_project(project)) == project_lines(original)


def test_swap_ribbon_module(original: bytes, project: VbaProject) -> None:
    bas_text = BAS.read_bytes().decode("cp1252")
    assert "\r\n" in bas_text
    module = module_from_bas("XlmplanRibbon", bas_text, project.code_page)
    swapped = project.replace_modules(add=[module], drop=["RibbonMyAddin"])
    written = write_vba_project(swapped)

    after, before = macros(written), macros(original)
    assert set(after) == set(TEMPLATE_KINDS) - {"RibbonMyAddin"} | {"XlmplanRibbon"}
    assert after["XlmplanRibbon"].replace("\r\n", "\n") == bas_text.replace("\r\n", "\n")
    assert all(after[name] == before[name] for name in after if name != "XlmplanRibbon")

    lines = project_lines(written)
    assert "Module=XlmplanRibbon" in lines and "Module=RibbonMyAddin" not in lines
    assert "XlmplanRibbon=0, 0, 0, 0, C" in lines
    wm = ole_streams(written)["PROJECTwm"]
    assert b"XlmplanRibbon\0" in wm and b"RibbonMyAddin" not in wm
    assert read_vba_project(written).module("XlmplanRibbon") == module


def test_module_from_bas_line_ends_and_name() -> None:
    module = module_from_bas("Tools", 'Attribute VB_Name = "Tools"\nSub A()\rEnd Sub\n')
    assert module == VbaModule(
        "Tools", "module", b'Attribute VB_Name = "Tools"\r\nSub A()\r\nEnd Sub\r\n'
    )
    assert module_from_bas("Tools", "Sub A()\n").source.startswith(b'Attribute VB_Name = "Tools"')
    assert module_from_bas("Tools", "' caf\u00e9\n").source.endswith(b"caf\xe9\r\n")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Tools", 'Attribute VB_Name = "Other"\r\n'),
        ("Tools", "' \u4e2d\r\n"),
        ("1Tools", ""),
        ("Tools Two", ""),
        ("T" * 32, ""),
    ],
)
def test_module_from_bas_refuses(name: str, text: str) -> None:
    with pytest.raises(WorkbookError) as err:
        module_from_bas(name, text)
    assert "\n" not in str(err.value)


def test_replace_modules(project: VbaProject) -> None:
    new = module_from_bas("xlwings", "' replaced\r\n")
    changed = project.replace_modules(add=[new])
    assert [m.name for m in changed.modules] == list(TEMPLATE_KINDS)
    assert changed.module("XLWINGS") == new
    with pytest.raises(WorkbookError, match="no module 'Missing'"):
        project.replace_modules(drop=["Missing"])
    with pytest.raises(WorkbookError, match="two modules"):
        write_vba_project(dataclasses.replace(project, modules=(*project.modules, new)))


# --- compression -----------------------------------------------------------------------

RNG = random.Random(20240601)
EDGE_CASES = {
    "empty": b"",
    "one byte": b"x",
    "4096": bytes(range(256)) * 16,
    "4097": (b"Dim a As Long\r\n" * 300)[:4097],
    "10 kB text": b"Public Sub Foo()\r\n    Bar 1, 2\r\nEnd Sub\r\n" * 256,
    "one run": b"a" * 9000,
    "random 3000": RNG.randbytes(3000),
    "random 8192": RNG.randbytes(8192),
}


@pytest.mark.parametrize("data", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_compression_round_trip(data: bytes) -> None:
    packed = compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert decompress(packed) == data
    chunks = _chunk_sizes(packed)
    assert len(chunks) == -(-len(data) // 4096)
    assert all(3 <= size <= 4098 for size in chunks)


def test_compression_compresses_text() -> None:
    # Late in a chunk a copy token covers at most 18 bytes, so 2 bytes per 18 is the floor.
    for case in ("10 kB text", "one run"):
        assert len(compress(EDGE_CASES[case])) < len(EDGE_CASES[case]) // 8


def test_incompressible_last_chunk_is_raw_and_padded() -> None:
    data = RNG.randbytes(4096 + 4000)
    packed = compress(data)
    assert _chunk_sizes(packed) == [4098, 4098]
    assert bytes(decompress_stream(bytearray(packed))) == data + bytes(96)


def test_matches_spec_examples() -> None:
    # MS-OVBA 3.2: an input without repeats, and one whose compressed form uses copy tokens.
    plain = b"abcdefghijklmnopqrstuv."
    assert compress(plain) == bytes.fromhex(
        "0119b000616263646566676800696a6b6c6d6e6f70007172737475762e"
    )
    repeats = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    spec_packed = bytes.fromhex(
        "012fb00023616161626364658266007061676869"
        "6a013808616b6c00306d6e6f70067102700410727374757610777879"
        "7a003c"
    )
    assert decompress(spec_packed) == repeats
    assert decompress(compress(repeats)) == repeats


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b", b"Sub ", b"\r\n", b"xyz", b"End"]), max_size=3000))
def test_compression_round_trip_property(parts: list[bytes]) -> None:
    data = b"".join(parts)
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


def test_decompress_refuses_garbage() -> None:
    for bad in (b"", b"\x02\x00", b"\x01\x00\x00", b"\x01\x05\xb0\x01\xff\x0f"):
        with pytest.raises(ValueError):
            decompress(bad)


def _chunk_sizes(packed: bytes) -> list[int]:
    sizes, pos = [], 1
    while pos < len(packed):
        size = (int.from_bytes(packed[pos : pos + 2], "little") & 0x0FFF) + 3
        sizes.append(size)
        pos += size
    return sizes


# --- compound files ----------------------------------------------------------------------


def _many_streams() -> dict[str, bytes]:
    rng = random.Random(7)
    sizes = [0, 1, 63, 64, 65, 4095, 4096, 4097, 511, 512, 513, 20000, 70000, 100000]
    sizes += [rng.randrange(3000, 5200) for _ in range(26)]
    folders = ["", "VBA/", "VBA/Deep/", "Other/", "Other/A/B/"]
    return {
        f"{folders[i % len(folders)]}S{i:02d}_{size}": rng.randbytes(size)
        for i, size in enumerate(sizes)
    }


def test_compound_file_many_streams() -> None:
    streams = _many_streams()
    assert len(streams) == 40 and sum(map(len, streams.values())) > 300_000
    data = write_compound_file(streams)
    assert len(data) % 512 == 0
    assert ole_streams(data) == streams
    _check_trees(data)


def test_compound_file_beyond_the_header_difat() -> None:
    big = bytes(range(256)) * (8 * 4096)  # 8 MB: more than 109 FAT sectors can map
    streams = {"Big": big, "small": b"tiny", "Folder/Mid": b"m" * 5000}
    data = write_compound_file(streams)
    n_fat, _, _, _, _, _, _, n_difat = struct.unpack_from("<IIIIIIII", data, 0x2C)
    assert n_fat > 109 and n_difat >= 1
    assert ole_streams(data) == streams


def test_compound_file_small_and_empty() -> None:
    for streams in ({}, {"Only": b""}, {"A/B": b"x" * 4095}):
        assert ole_streams(write_compound_file(streams)) == streams


@pytest.mark.parametrize(
    "streams",
    [{"A": b"", "A/B": b""}, {"a": b"", "A": b""}, {"x" * 32: b""}, {"A//B": b""}, {"a:b": b""}],
)
def test_compound_file_refuses_bad_paths(streams: dict[str, bytes]) -> None:
    with pytest.raises(ValueError):
        write_compound_file(streams)


def test_sibling_order() -> None:
    names = ["_VBA_PROJECT", "dir", "VBA", "PROJECTwm", "PROJECT", "ab", "AC", "Z"]
    assert sorted(names, key=sort_key) == [
        "Z",
        "ab",
        "AC",
        "dir",
        "VBA",
        "PROJECT",
        "PROJECTwm",
        "_VBA_PROJECT",
    ]


def _check_trees(data: bytes) -> None:
    """Each storage's children form a red-black tree in MS-CFB order, each entry once."""
    with olefile.OleFileIO(data) as ole:
        entries = {e.sid: e for e in ole.direntries if e is not None}
        seen: list[int] = []

        def walk(sid: int, parent_red: bool) -> tuple[int, list[str]]:
            """Black height and in-order names of the subtree at ``sid``."""
            if sid == olefile.NOSTREAM:
                return 1, []
            entry = entries[sid]
            seen.append(sid)
            red = entry.color == RED
            assert not (red and parent_red), f"red {entry.name} under a red parent"
            left_h, left = walk(entry.sid_left, red)
            right_h, right = walk(entry.sid_right, red)
            assert left_h == right_h, f"unequal black heights under {entry.name}"
            if entry.sid_child != olefile.NOSTREAM:
                check_storage(entry.sid_child)
            return left_h + (0 if red else 1), [*left, entry.name, *right]

        def check_storage(child: int) -> None:
            assert entries[child].color == BLACK
            _, names = walk(child, False)
            keys = [sort_key(n) for n in names]
            assert keys == sorted(keys) and len(set(keys)) == len(keys)

        check_storage(entries[0].sid_child)
        assert sorted(seen) == sorted(sid for sid in entries if sid != 0)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"not a compound file",
        b"",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        write_compound_file({"PROJECT": b'ID="{X}"\r\n'}),
        write_compound_file({"PROJECT": b'ID="{X}"\r\n', "VBA/dir": b"\x01\x00"}),
    ],
    ids=["text", "empty", "bare header", "no dir", "bad dir"],
)
def test_bad_input(data: bytes) -> None:
    with pytest.raises(WorkbookError) as err:
        read_vba_project(data)
    message = str(err.value)
    assert "\n" not in message and "vbaProject.bin" in message


def test_truncated_project(original: bytes) -> None:
    with pytest.raises(WorkbookError):
        read_vba_project(original[: len(original) // 2])


def test_userforms_are_refused(original: bytes) -> None:
    streams = ole_streams(original)
    streams["PROJECT"] = streams["PROJECT"].replace(
        b"Module=xlwings\r\n", b"Module=xlwings\r\nBaseClass=UserForm1\r\n"
    )
    with pytest.raises(WorkbookError, match="UserForm"):
        read_vba_project(write_compound_file(streams))


def test_other_streams_survive(original: bytes) -> None:
    streams = ole_streams(original)
    streams["PROJECTlk"] = b"\x01\x00\x00\x00\x00\x00\x00\x00"
    project = read_vba_project(write_compound_file(streams))
    assert ole_streams(write_vba_project(project))["PROJECTlk"] == streams["PROJECTlk"]


def test_written_file_is_a_compound_file(project: VbaProject) -> None:
    data = write_vba_project(project)
    assert olefile.isOleFile(io.BytesIO(data))
    _check_trees(data)


def test_renamed_project_keeps_its_modules_and_references(original: bytes) -> None:
    project = read_vba_project(original)
    renamed = read_vba_project(write_vba_project(project.renamed("xlmplan")))
    assert renamed.name == "xlmplan" and project.name == "MyAddin"
    assert 'Name="xlmplan"' in renamed.properties
    assert renamed.references == project.references
    assert [m.source for m in renamed.modules] == [m.source for m in project.modules]
