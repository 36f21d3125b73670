"""The package layer: safe opening, reading and parsing, refusals of bad files with one
line each, and atomic, deterministic rewriting that keeps untouched parts byte for byte."""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import bad_files
import openpyxl
import pytest
from bad_files import BadFile

from xlmplan.errors import WorkbookError
from xlmplan.xlsx import file_kinds, package, package_write, xml_safety
from xlmplan.xlsx.package import SheetRef, open_package
from xlmplan.xlsx.package_write import backup_path, check_writable, write_package

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"


@pytest.fixture
def plan(example_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo plan."""
    return Path(shutil.copy(example_path, tmp_path / "plan.xlsx"))


def snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def refuses(path: Path, match: str, **kwargs: bool) -> str:
    """``open_package`` refuses ``path`` with one line matching ``match``; file unchanged."""
    before = snapshot(path)
    with pytest.raises(WorkbookError, match=match) as caught:
        open_package(path, **kwargs)
    assert snapshot(path) == before and "\n" not in str(caught.value)
    return str(caught.value)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".~xlmplan-")]


def raw_member(path: Path, name: str) -> bytes:
    """The compressed bytes of one member, read through its local header."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    data = path.read_bytes()
    n, m = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + n + m
    return data[start : start + info.compress_size]


def hand_made(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def tiny_parts(
    workbook_targets: tuple[str, str] = ("worksheets/sheet1.xml", "/xl/worksheets/sheet2.xml"),
    rel_ns: str = REL,
) -> dict[str, str | bytes]:
    """A minimal two-sheet package by hand, with chosen relationship targets."""
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="ws"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{rel_ns}"><sheets>'
            '<sheet name="One" sheetId="1" r:id="rId1"/>'
            '<sheet name="Two" sheetId="7" state="hidden" r:id="rId2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{rel_ns}/worksheet" Target="{workbook_targets[0]}"/>'
            f'<Relationship Id="rId2" Type="{rel_ns}/worksheet" Target="{workbook_targets[1]}"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/worksheets/sheet2.xml": sheet,
        "xl/worksheets/_rels/sheet1.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{rel_ns}/table" Target="../tables/table1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel_ns}/hyperlink" '
            'Target="https://example.com/a%20b" TargetMode="External"/></Relationships>'
        ),
        "xl/tables/table1.xml": f'<table xmlns="{MAIN}" id="1" name="t" ref="A1:B2"/>',
    }


# --- reading ---------------------------------------------------------------------------------
def test_reads_the_demo_plan(plan: Path) -> None:
    with open_package(plan) as pkg, zipfile.ZipFile(plan) as z:
        assert pkg.names() == z.namelist()
        sheets = pkg.sheets()
        assert sheets[2] == SheetRef("Data", "3", "rId3", "xl/worksheets/sheet3.xml", "visible")
        states = {s.name: s.state for s in sheets}
        assert states["Calc"] == "hidden" and states["_xlmplan"] == "veryHidden"
        assert pkg.tables("xl/worksheets/sheet3.xml") == ["xl/tables/table2.xml"]
        assert pkg.read("xl/styles.xml") == z.read("xl/styles.xml")
        kind, target = pkg.rels("xl/workbook.xml")["rId3"]
        assert kind == f"{REL}/worksheet" and target == "xl/worksheets/sheet3.xml"
        assert pkg.rels("xl/styles.xml") == {}
        assert str(pkg.content_type("xl/worksheets/sheet1.xml")).endswith("worksheet+xml")
        first = pkg.xml("xl/workbook.xml")
        first.clear()  # callers edit what they get: the next call parses anew
        assert pkg.xml("xl/workbook.xml").find(f"{{{MAIN}}}sheets") is not None
        rows = sum(1 for _ in pkg.iterparse("xl/worksheets/sheet2.xml", tag=f"{{{MAIN}}}row"))
        assert rows == len(pkg.xml("xl/worksheets/sheet2.xml").find(f"{{{MAIN}}}sheetData"))
        with pytest.raises(WorkbookError, match="has no part xl/nothing.xml"):
            pkg.read("xl/nothing.xml")
    assert pkg.closed


def test_resolves_relative_absolute_and_external_targets(tmp_path: Path) -> None:
    path = hand_made(tmp_path / "t.xlsx", tiny_parts())
    with open_package(path) as pkg:
        assert [(s.name, s.sheet_id, s.part, s.state) for s in pkg.sheets()] == [
            ("One", "1", "xl/worksheets/sheet1.xml", "visible"),
            ("Two", "7", "xl/worksheets/sheet2.xml", "hidden"),
        ]
        rels = pkg.relationships("xl/worksheets/sheet1.xml")
        assert rels[0].target == "xl/tables/table1.xml" and not rels[0].external
        assert rels[1].target == "https://example.com/a%20b" and rels[1].external
        assert pkg.tables("xl/worksheets/sheet1.xml") == ["xl/tables/table1.xml"]


def test_strict_namespaces_and_case_insensitive_targets(tmp_path: Path) -> None:
    parts = tiny_parts(("Worksheets/Sheet1.xml", "worksheets/sheet2.xml"), rel_ns=STRICT_REL)
    with open_package(hand_made(tmp_path / "t.xlsx", parts)) as pkg:
        assert [s.part for s in pkg.sheets()] == [
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        ]
        assert pkg.is_worksheet("xl/worksheets/sheet1.xml")
        assert not pkg.is_worksheet("xl/tables/table1.xml")


def test_refuses_rels_pointing_outside_the_package(tmp_path: Path) -> None:
    path = hand_made(tmp_path / "t.xlsx", tiny_parts(("../../etc/passwd", "worksheets/sheet2.xml")))
    refuses(path, "points outside the package")


def test_huge_tree_only_for_worksheets(tmp_path: Path) -> None:
    big = "x" * (11 << 20)  # libxml2 refuses text nodes over 10 MB unless huge_tree
    parts = tiny_parts()
    parts["xl/worksheets/sheet2.xml"] = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{big}'
        "</t></is></c></row></sheetData></worksheet>"
    )
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}"><si><t>{big}</t></si></sst>'
    with open_package(hand_made(tmp_path / "t.xlsx", parts)) as pkg:
        assert len(pkg.xml("xl/worksheets/sheet2.xml")[0][0][0][0][0].text) == len(big)
        with pytest.raises(WorkbookError, match="is not well-formed XML"):
            pkg.xml("xl/sharedStrings.xml")


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?><!-- note --><!DOCTYPE x [<!ENTITY a "b">]><x/>',
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x><x/>'.encode("utf-16"),
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><x/>'.encode("utf-16-be"),
        b"\xef\xbb\xbf<!DOCTYPE x SYSTEM 'http://127.0.0.1:9/x'><x/>",
        b"<?xml version='1.0'?>\n<?pi x?>\n<!ENTITY a 'b'><x/>",
    ],
)
def test_doctype_found_behind_comments_and_encodings(head: bytes) -> None:
    with pytest.raises(WorkbookError, match="DOCTYPE/entity declaration"):
        xml_safety.check_prolog(Path("p.xlsx"), "xl/x.xml", head)


def test_prolog_checks_allow_comments_and_refuse_odd_encodings() -> None:
    xml_safety.check_prolog(Path("p.xlsx"), "a.xml", b"<?xml version='1.0'?><!-- <!DOCTYPE --><x/>")
    xml_safety.check_prolog(
        Path("p.xlsx"), "a.xml", b"<?xml version='1.0' encoding='windows-1252'?><x/>"
    )
    for head in ("<x/>".encode("utf-32"), b'<?xml version="1.0" encoding="UTF-7"?><x/>'):
        with pytest.raises(WorkbookError, match="character encoding"):
            xml_safety.check_prolog(Path("p.xlsx"), "a.xml", head)
    long = b"<?xml version='1.0'?><!--" + b"-" * xml_safety.PROLOG_BYTES
    with pytest.raises(WorkbookError, match="XML declarations before its content"):
        xml_safety.check_prolog(Path("p.xlsx"), "a.xml", long)


@pytest.mark.parametrize("comment", [0, 3_000, 4_090, 4_100, 200_000])
def test_open_without_verify_finds_a_doctype_behind_long_comments(
    comment: int, tmp_path: Path
) -> None:
    """The quick look at a part's first KiB goes on to the whole prolog when it does not
    reach the root element, wherever the DOCTYPE sits."""
    doctype = b'<!DOCTYPE r [<!ENTITY a "b">]>'
    prolog = b"<?xml version='1.0'?><!--" + b"c" * comment + b"-->"
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode()
    parts = tiny_parts()
    parts["xl/worksheets/sheet2.xml"] = prolog + doctype + sheet
    refuses(hand_made(tmp_path / "bad.xlsx", parts), "DOCTYPE/entity declaration", verify=False)
    parts["xl/worksheets/sheet2.xml"] = prolog + sheet
    with open_package(hand_made(tmp_path / "good.xlsx", parts), verify=False) as pkg:
        assert pkg.head("xl/worksheets/sheet2.xml", 10**7) == prolog + sheet


def test_open_without_verify_inflates_only_the_start_of_large_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 10007}</v></c></row>' for r in range(1, 60_000)
    )
    parts = tiny_parts()
    parts["xl/worksheets/sheet2.xml"] = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    )
    path = hand_made(tmp_path / "big.xlsx", parts)
    inflated: list[int] = []
    real = package.zlib.decompressobj

    class Counting:
        def __init__(self, *args: int) -> None:
            self.inner = real(*args)

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    monkeypatch.setattr(package.zlib, "decompressobj", Counting)
    with open_package(path, verify=False) as pkg:
        assert pkg.info("xl/worksheets/sheet2.xml").file_size > 1_500_000
    assert 0 < sum(inflated) <= 64 * 1024  # of over 1.5 MB


# --- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(bad_files.OPEN_CASES))
def test_open_refuses_bad_files(name: str, tmp_path: Path) -> None:
    path, expected = bad_files.OPEN_CASES[name](tmp_path)
    assert expected is not None
    before = snapshot(path)
    with pytest.raises(WorkbookError) as caught:
        open_package(path)
    message = str(caught.value)
    assert expected in message, message
    assert "\n" not in message and path.name in message and " — " in message
    assert caught.value.exit_code == 2
    assert snapshot(path) == before


@pytest.mark.parametrize("name", sorted(bad_files.WRITE_CASES))
def test_write_refused_leaves_the_file_alone(name: str, tmp_path: Path) -> None:
    path, expected = bad_files.WRITE_CASES[name](tmp_path)
    assert expected is not None
    before = path.read_bytes()
    folder_before = sorted(os.listdir(path.parent))
    try:
        with pytest.raises(WorkbookError, match=expected):
            check_writable(path)
        with open_package(path) as pkg, pytest.raises(WorkbookError, match=expected) as caught:
            write_package(pkg, path, replace={"xl/styles.xml": pkg.read("xl/styles.xml")})
        assert "\n" not in str(caught.value) and path.name in str(caught.value)
        assert path.read_bytes() == before
        assert sorted(os.listdir(path.parent)) == folder_before
    finally:
        bad_files.restore_permissions(tmp_path)


def test_lock_files_of_other_files_do_not_block(tmp_path: Path) -> None:
    path = bad_files.minimal_workbook(tmp_path / "plan.xlsx")
    (tmp_path / "~$other.xlsx").write_bytes(b"")
    (tmp_path / ".~lock.other.xlsx#").write_bytes(b"")
    check_writable(path)
    check_writable(tmp_path / "new folder" / "new.xlsx")
    with pytest.raises(WorkbookError, match="is a folder"):
        check_writable(tmp_path)


def test_non_ascii_path_opens_and_writes(tmp_path: Path) -> None:
    path, expected = bad_files.non_ascii_path(tmp_path)
    assert expected is None and "план" in str(path)
    before = path.read_bytes()
    with open_package(path) as pkg:
        made = write_package(pkg, path, replace={"xl/styles.xml": pkg.read("xl/styles.xml")})
    assert made == path.with_name("план.backup.xlsx") and made.read_bytes() == before
    with open_package(path) as pkg:
        assert [s.name for s in pkg.sheets()] == ["Start", "Data"]


@pytest.mark.parametrize("name", sorted(bad_files.PLAN_CASES))
def test_plan_cases_are_valid_packages(name: str, example_path: Path, tmp_path: Path) -> None:
    path, expected = bad_files.PLAN_CASES[name](tmp_path, example_path)
    assert expected is None
    with open_package(path) as pkg:
        names = [s.name for s in pkg.sheets()]
    assert ("Data" in names) == (name != "data_sheet_removed")
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == names


def test_real_xls_from_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = bad_files.minimal_workbook(tmp_path / "in.xlsx")
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "xls",
         "--outdir", str(tmp_path / "out"), str(source)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    xls = tmp_path / "out" / "in.xls"
    if not xls.exists():
        pytest.skip(f"LibreOffice could not convert: {done.stderr.decode(errors='replace')}")
    assert {"Workbook"} <= file_kinds.ole_stream_names(xls.open("rb"))
    with pytest.raises(WorkbookError, match="is an Excel 97-2003 .xls file"):
        open_package(xls)


def test_duplicate_and_overlapping_members(tmp_path: Path) -> None:
    dup = hand_made(tmp_path / "dup.xlsx", tiny_parts())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(dup, "a") as z:
            z.writestr("XL/Workbook.xml", "<x/>")
    refuses(dup, "twice")
    overlap = hand_made(tmp_path / "overlap.xlsx", tiny_parts())
    data = bytearray(overlap.read_bytes())
    central = data.index(b"PK\x01\x02")
    second = data.index(b"PK\x01\x02", central + 4)
    first_offset = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into("<I", data, second + 42, first_offset)
    overlap.write_bytes(bytes(data))
    refuses(overlap, "overlap")


def test_limits_are_enforced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bad_files.minimal_workbook(tmp_path / "plan.xlsx")
    before = path.read_bytes()
    monkeypatch.setattr(package, "MAX_PARTS", 5)
    refuses(path, "parts; a workbook may have 5")
    monkeypatch.undo()
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", 1000)
    refuses(path, "looks like a zip bomb .its parts unpack to")
    monkeypatch.undo()
    with open_package(path) as pkg:
        monkeypatch.setattr(package, "MAX_PART_BYTES", 500)
        with pytest.raises(WorkbookError, match="looks like a zip bomb"):
            pkg.read("xl/styles.xml")
        with pytest.raises(WorkbookError, match="looks like a zip bomb"):
            pkg.open("xl/styles.xml").read()
    assert path.read_bytes() == before


def test_xlsb_is_named(tmp_path: Path) -> None:
    path = hand_made(
        tmp_path / "b.xlsb", {"[Content_Types].xml": "<Types/>", "xl/workbook.bin": b"\0"}
    )
    refuses(path, r"\.xlsb")


# --- writing ----------------------------------------------------------------------------------
def test_write_keeps_untouched_parts_and_their_entries(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    with open_package(plan) as pkg:
        workbook = pkg.read("xl/workbook.xml").replace(b'name="Start"', b'name="Begin"')
        made = write_package(
            pkg,
            out,
            replace={"xl/workbook.xml": workbook},
            remove=["docProps/app.xml"],
            add={"customXml/item1.xml": b"<x/>"},
        )
    assert made is None
    with zipfile.ZipFile(plan) as a, zipfile.ZipFile(out) as b:
        assert b.testzip() is None
        old = [i for i in a.infolist() if i.filename != "docProps/app.xml"]
        new = b.infolist()
        assert [i.filename for i in new] == [i.filename for i in old] + ["customXml/item1.xml"]
        for x, y in zip(old, new, strict=False):
            same = ("filename", "date_time", "compress_type", "external_attr")
            assert [getattr(x, f) for f in same] == [getattr(y, f) for f in same]
            if x.filename == "xl/workbook.xml":
                assert b.read(y.filename) == workbook
            else:
                assert (x.CRC, x.compress_size) == (y.CRC, y.compress_size)
                assert raw_member(plan, x.filename) == raw_member(out, y.filename)
        added = b.getinfo("customXml/item1.xml")
        assert added.date_time == (1980, 1, 1, 0, 0, 0) and b.read(added) == b"<x/>"
    assert openpyxl.load_workbook(out).sheetnames[0] == "Begin"


def test_write_is_deterministic_and_streams(plan: Path, tmp_path: Path) -> None:
    with open_package(plan) as pkg:
        sheet = pkg.read("xl/worksheets/sheet3.xml")
        edits = {"xl/worksheets/sheet3.xml": sheet.replace(b"Search", b"Suche")}
        write_package(pkg, tmp_path / "a.xlsx", replace=edits, add={"x/y.xml": b"<y/>"})
        write_package(pkg, tmp_path / "b.xlsx", replace=edits, add={"x/y.xml": b"<y/>"})
        chunks = iter(
            [edits["xl/worksheets/sheet3.xml"][:1000], edits["xl/worksheets/sheet3.xml"][1000:]]
        )
        write_package(pkg, tmp_path / "c.xlsx", replace={"xl/worksheets/sheet3.xml": chunks})
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "c.xlsx") as c:
        assert c.testzip() is None
        assert c.read("xl/worksheets/sheet3.xml") == edits["xl/worksheets/sheet3.xml"]
    with open_package(tmp_path / "c.xlsx") as pkg:
        assert pkg.read("xl/worksheets/sheet3.xml") == edits["xl/worksheets/sheet3.xml"]


def test_backup_and_permissions(plan: Path) -> None:
    plan.chmod(0o640)
    first = plan.read_bytes()
    with open_package(plan) as pkg:
        made = write_package(pkg, plan, replace={"xl/styles.xml": pkg.read("xl/styles.xml") + b" "})
        assert pkg.closed  # written over its own file
    assert made == plan.with_name("plan.backup.xlsx") == backup_path(plan)
    assert made.read_bytes() == first
    assert stat.S_IMODE(plan.stat().st_mode) == 0o640
    second = plan.read_bytes()
    assert second != first
    with open_package(plan) as pkg:
        assert write_package(pkg, plan, replace={}) == made
    assert made.read_bytes() == second  # the backup is the version before the last write
    with open_package(plan) as pkg:
        assert write_package(pkg, plan, replace={}, backup=False) is None
    assert made.read_bytes() == second
    assert leftovers(plan.parent) == []


def test_new_target_gets_default_permissions(plan: Path, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "new folder" / "copy.xlsx"
    with open_package(plan) as pkg:
        assert write_package(pkg, target, replace={}) is None
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert not backup_path(target).exists()


def failing_chunks(data: bytes) -> Iterator[bytes]:
    yield data[:100]
    raise RuntimeError("the splice failed")


def test_failures_leave_the_original_untouched(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = plan.read_bytes()
    with open_package(plan) as pkg:
        sheet = pkg.read("xl/worksheets/sheet2.xml")
        with pytest.raises(RuntimeError, match="the splice failed"):
            write_package(pkg, plan, replace={"xl/worksheets/sheet2.xml": failing_chunks(sheet)})
        with pytest.raises(ValueError, match="no such parts"):
            write_package(pkg, plan, replace={"xl/none.xml": b""})
        with pytest.raises(ValueError, match="cannot add part"):
            write_package(pkg, plan, replace={}, add={"XL/Styles.xml": b""})

        def refuse(*args: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(package_write.os, "replace", refuse)
        with pytest.raises(WorkbookError, match="cannot be written"):
            write_package(pkg, plan, replace={}, backup=False)
    assert plan.read_bytes() == before
    assert leftovers(plan.parent) == [] and not backup_path(plan).exists()


def test_damaged_untouched_part_stops_the_write(tmp_path: Path) -> None:
    """A damaged part that opening did not inflate (``verify=False``) fails the copy."""
    parts = tiny_parts()
    parts["xl/media/image1.png"] = bytes(range(256)) * 64
    path = hand_made(tmp_path / "plan.xlsx", parts)
    data = bytearray(path.read_bytes())
    for at in (i for i in range(len(data)) if data.startswith(b"PK\x01\x02", i)):
        if data[at + 46 :].startswith(b"xl/media/image1.png"):
            struct.pack_into("<I", data, at + 16, 0x12345678)
    path.write_bytes(bytes(data))
    refuses(path, "image1.png is damaged")
    before = path.read_bytes()
    with (
        open_package(path, verify=False) as pkg,
        pytest.raises(WorkbookError, match="image1.png is damaged"),
    ):
        write_package(pkg, path, replace={"xl/workbook.xml": pkg.read("xl/workbook.xml")})
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == [] and not backup_path(path).exists()


def test_large_part_is_copied_raw(tmp_path: Path) -> None:
    """A 40 MB worksheet is copied as compressed bytes, not inflated and deflated again."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 100003}</v></c><c r="B{r}" t="inlineStr">'
        f"<is><t>Campaign {r % 97}</t></is></c></row>"
        for r in range(1, 400_001)
    )
    parts = tiny_parts()
    parts["xl/worksheets/sheet2.xml"] = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    )
    path = hand_made(tmp_path / "big.xlsx", parts)
    with open_package(path) as pkg:
        write_package(
            pkg, tmp_path / "out.xlsx", replace={"xl/workbook.xml": pkg.read("xl/workbook.xml")}
        )
    assert raw_member(path, "xl/worksheets/sheet2.xml") == raw_member(
        tmp_path / "out.xlsx", "xl/worksheets/sheet2.xml"
    )


def test_cli_sees_package_errors_as_one_line(tmp_path: Path) -> None:
    """A WorkbookError is an XlmplanError: the CLI prints one line and exits with 2."""
    path, expected = bad_files.xls_file(tmp_path)
    code = (
        "import sys; from pathlib import Path; from xlmplan.xlsx.package import open_package\n"
        "from xlmplan.errors import XlmplanError\n"
        "try:\n    open_package(Path(sys.argv[1]))\n"
        "except XlmplanError as e:\n    print(e); sys.exit(e.exit_code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    assert expected is not None and expected in done.stdout
    assert done.returncode == 2 and done.stdout.count("\n") == 1


def test_bad_file_corpus_is_complete(tmp_path: Path) -> None:
    made = bad_files.make_all(tmp_path)
    try:
        assert all(isinstance(case, BadFile) for case in made.values())
        wanted = {
            "csv_file", "garbage", "empty_file", "truncated_zip", "xls_file", "encrypted_workbook",
            "zip_bomb", "xxe_workbook", "xxe_worksheet", "billion_laughs", "zip_slip",
            "no_workbook_part", "directory", "missing_file", "read_only_file", "excel_lock",
            "libreoffice_lock", "non_ascii_path",
        }  # fmt: skip
        assert wanted <= set(made)
    finally:
        bad_files.restore_permissions(tmp_path)


class _WriteOnly:
    """A stream without seek or tell: zipfile then writes data descriptors, as streaming
    zip writers (LibreOffice, Java) do."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        pass


def test_data_descriptor_entries_are_copied(tmp_path: Path) -> None:
    stream = _WriteOnly()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as z:  # type: ignore[call-overload]
        for name, data in tiny_parts().items():
            z.writestr(name, data)
    path = tmp_path / "streamed.xlsx"
    path.write_bytes(bytes(stream.data))
    with zipfile.ZipFile(path) as z:
        assert all(info.flag_bits & 0x8 for info in z.infolist())
    with open_package(path) as pkg:
        write_package(pkg, tmp_path / "out.xlsx", replace={})
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(tmp_path / "out.xlsx") as b:
        assert b.testzip() is None
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}
        assert not any(info.flag_bits & 0x8 for info in b.infolist())


def test_word_document_and_prolog_only_open(tmp_path: Path) -> None:
    parts = tiny_parts()
    parts["xl/workbook.xml"] = '<w:document xmlns:w="urn:w"/>'
    refuses(hand_made(tmp_path / "doc.xlsx", parts), "a Word document")
    bad, _ = bad_files.xxe_worksheet(tmp_path)
    refuses(bad, "DOCTYPE/entity declaration", verify=False)
