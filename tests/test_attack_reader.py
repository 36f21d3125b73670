"""Files crafted against the plan reader's memory, through the command line: a crafted
count or reference gets one line (exit 2, no traceback) and leaves the plan byte-identical;
content a user may really type far away (a note at XFD) is read in bounded memory, and the
refresh keeps it."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import bad_files as bf
import pytest
from typer.testing import CliRunner

from xlmplan.cli import app
from xlmplan.xlsx.bounded_copy import (
    MAX_GRID_CELLS,
    col_letters,
    columns_after,
    columns_to_keep,
    rows_after,
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("attack")
    yield bf.demo_plan(folder / "demo.xlsx")


@pytest.mark.parametrize("case", sorted(bf.READER_CASES))
@pytest.mark.parametrize("command", ["refresh", "check"])
def test_crafted_plans_are_refused_in_one_line(
    case: str, command: str, base: Path, tmp_path: Path
) -> None:
    bad = bf.READER_CASES[case](tmp_path, base)
    assert bad.expected
    before = bad.path.read_bytes()
    code, out = run(command, str(bad.path))
    assert code == 2, out
    assert "Traceback" not in out
    line = " ".join(part.strip() for part in out.strip().splitlines())  # rich wraps lines
    assert line.startswith("error:"), out
    assert bad.path.name in line
    assert bad.expected in line, line
    assert bad.path.read_bytes() == before
    assert not list(tmp_path.glob("*.backup*")), "a backup was written"


def _sheet_xml(path: Path, sheet: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    return parts[bf._sheet_part(parts, sheet)]


@pytest.mark.parametrize("case", sorted(bf.READER_LEGAL_CASES))
def test_far_content_is_read_and_kept(case: str, base: Path, tmp_path: Path) -> None:
    bad = bf.READER_LEGAL_CASES[case](tmp_path, base)
    code, out = run("refresh", str(bad.path))
    assert code == 0, out
    assert (tmp_path / f"{bad.path.stem}.backup.xlsx").is_file()
    if bad.expected is not None:  # the note survives the refresh, where it was
        sheet, ref = bad.expected.split("!")
        note = f'<c r="{ref}" t="inlineStr"><is><t>{bf.NOTE}</t></is></c>'
        assert note.encode() in _sheet_xml(bad.path, sheet)
    code, out = run("check", str(bad.path))
    assert code in (0, 1), out
    assert "Traceback" not in out


def test_columns_and_rows_after_match_exactly_the_later_ones() -> None:
    for last in (1, 9, 10, 99, 377_000, 1_048_575):
        pattern = re.compile(rows_after(last) + rb"\Z")
        for row in {1, 9, 10, 11, 99, 100, 376_999, 377_001, 1_048_576, last, last + 1}:
            assert bool(pattern.match(str(row).encode())) == (row > last), (last, row)
    for last in (0, 9, 25, 26, 701, 702, 16_382):
        pattern = re.compile(columns_after(last) + rb"\Z")
        for col in {0, 1, 25, 26, 27, 701, 702, 703, 16_383, last - 1, last, last + 1}:
            if 0 <= col < 16_384:
                assert bool(pattern.match(col_letters(col))) == (col > last), (last, col)


def test_columns_to_keep_fits_the_grid_and_never_cuts_the_plan() -> None:
    last_rows = [0] * 16_384
    last_rows[:10] = [200_001] * 10  # a Data table of 200,000 rows
    last_rows[16_383] = 200_003  # and a note at XFD
    keep = columns_to_keep(last_rows, 10)
    assert keep is not None and 10 <= keep < 16_384
    assert 200_001 * keep <= MAX_GRID_CELLS < 200_001 * (keep + 1)
    assert columns_to_keep(last_rows[:100], 10) == 100  # a small grid is read whole
    tall = [1_048_576] * 90
    assert columns_to_keep(tall, 90) is None


def _crafted_data_file(folder: Path, edit: str) -> Path:
    """A small xlsx of Data rows (as LibreOffice or Excel save one), then crafted: ``edit``
    is ``count`` (an absurd shared-strings count) or ``far`` (a cell at XFD far down)."""
    import pandas as pd

    from xlmplan.io.example_data import example_data

    good = folder / "good.xlsx"
    frame = example_data(months=1).head(20)
    frame["date"] = frame["date"].astype(str)  # text dates: the shared strings hold them
    with pd.ExcelWriter(good, engine="xlsxwriter", engine_kwargs={"options": {}}) as xw:
        frame.to_excel(xw, sheet_name="Data", index=False)
    out = folder / f"data-{edit}.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            data = zin.read(info)
            if edit == "count" and info.filename == "xl/sharedStrings.xml":
                data = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4294967295"', data)
            if edit == "far" and info.filename == "xl/worksheets/sheet1.xml":
                note = b'<row r="900000"><c r="XFD900000" t="inlineStr"><is><t>n</t></is></c></row>'
                data = data.replace(b"</sheetData>", note + b"</sheetData>")
            zo.writestr(info, data)
    return out


@pytest.mark.parametrize("edit", ["count", "far"])
@pytest.mark.parametrize("command", ["new", "import"])
def test_crafted_data_files_are_refused_in_one_line(
    edit: str, command: str, base: Path, tmp_path: Path
) -> None:
    """A data file or export whose declared sizes would make calamine allocate without bound
    is refused in one line naming it (the process used to abort in Rust), and nothing is
    written."""
    data = _crafted_data_file(tmp_path, edit)
    plan = tmp_path / "plan.xlsx"
    if command == "import":
        plan.write_bytes(base.read_bytes())
    before = plan.read_bytes() if plan.exists() else None
    code, out = run(command, str(plan), *(["--data"] if command == "new" else []), str(data))
    assert code == 2, out
    assert out.count("\n") == 1 and data.name in out and "Traceback" not in out, out
    assert (plan.read_bytes() if plan.exists() else None) == before
