"""The bad and hostile input corpus, through the command line: every case gets one line
naming the file and what to do (exit 2, no traceback), or a clean run where the input is
legal, and the user's file is byte-identical afterwards."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import bad_files as bf
import pytest
from typer.testing import CliRunner

from xlmplan.cli import app


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def assert_refused(code: int, out: str, name: str, expected: str) -> None:
    assert code == 2, out
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    one = " ".join(line.strip() for line in lines)  # rich wraps long lines
    assert one.startswith("error:"), out
    assert name in one, f"the message does not name the file: {one}"
    assert expected.casefold() in one.casefold(), f"{expected!r} not in {one!r}"


def snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("corpus")
    yield folder
    bf.restore_permissions(folder)


@pytest.fixture(scope="module")
def base(corpus: Path) -> Path:
    return bf.demo_plan(corpus / "demo.xlsx")


@pytest.mark.parametrize("case", sorted(bf.OPEN_CASES))
@pytest.mark.parametrize("command", ["refresh", "check"])
def test_unreadable_files(case: str, command: str, corpus: Path) -> None:
    folder = corpus / command / case
    folder.mkdir(parents=True, exist_ok=True)
    bad = bf.OPEN_CASES[case](folder)
    assert bad.expected
    before = snapshot(bad.path)
    code, out = run(command, str(bad.path))
    assert_refused(code, out, bad.path.name, bad.expected)
    assert snapshot(bad.path) == before
    assert not list(bad.path.parent.glob("*.backup*")), "a backup was written"


@pytest.mark.parametrize("case", sorted(bf.WRITE_CASES))
def test_files_that_cannot_be_written(case: str, corpus: Path) -> None:
    folder = corpus / "write" / case
    folder.mkdir(parents=True, exist_ok=True)
    bad = bf.WRITE_CASES[case](folder)
    assert bad.expected
    before = snapshot(bad.path)
    code, out = run("refresh", str(bad.path))
    assert_refused(code, out, bad.path.name, bad.expected)
    assert snapshot(bad.path) == before


def test_non_ascii_path_is_legal(corpus: Path, base: Path) -> None:
    folder = corpus / "legal" / "خطة تسويق" / "برنامه بازاریابی"
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "план 2026.xlsx"
    shutil.copy(base, plan)
    csv = folder / "données.csv"
    csv.write_text("Date,Channel,Sessions\n2026-06-01,Email,5\n", encoding="utf-8")
    for args in (
        ["refresh", str(plan)],
        ["check", str(plan), "--json"],
        ["import", str(plan), str(csv)],
    ):
        code, out = run(*args)
        assert code == 0, out
    assert (folder / "план 2026.backup.xlsx").is_file()


PLAN_MESSAGES = {
    "data_sheet_removed": "'Data' sheet is missing",
    "data_header_changed": "no 'channel' column",
    "merged_cells_in_data": "merged cells at row 3",
    "full_height_data": "Excel's last row",
}


@pytest.mark.parametrize("case", sorted(bf.PLAN_CASES))
def test_damaged_plans(case: str, corpus: Path, base: Path) -> None:
    folder = corpus / "plan" / case
    folder.mkdir(parents=True, exist_ok=True)
    bad = bf.PLAN_CASES[case](folder, base)
    before = snapshot(bad.path)
    for command in ("refresh", "check"):
        code, out = run(command, str(bad.path))
        assert_refused(code, out, bad.path.name, PLAN_MESSAGES[case])
    assert snapshot(bad.path) == before


def _edit_data(base: Path, dst: Path, edit: object) -> Path:
    parts = bf._plan_parts(base)
    _, sheet, table = bf._data_sheet(parts)
    parts[sheet] = edit(parts[sheet].decode()).encode()  # type: ignore[operator]
    return bf._write_parts(dst, parts)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _set(xml: str, ref: str, cell: str) -> str:
    new = re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, xml, count=1, flags=re.S)
    assert new != xml
    return new


DATA_CASES = {
    # name: (edit of the Data sheet, expected message or None for a clean refresh)
    "text_in_number_column": (lambda x: _set(x, "E5", _cell("E5", "lots")), "row 5"),
    "ambiguous_date_text": (lambda x: _set(x, "A6", _cell("A6", "03/04/2026")), "row 6"),
    "iso_date_as_text": (lambda x: _set(x, "A7", _cell("A7", "2026-01-01")), None),
    "empty_data_table": (
        lambda x: re.sub(r'<row r="([2-9]|\d\d+)"[^>]*>.*?</row>', "", x, flags=re.S),
        "no data rows",
    ),
}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_data_sheet_cases(case: str, corpus: Path, base: Path) -> None:
    edit, expected = DATA_CASES[case]
    folder = corpus / "data" / case
    folder.mkdir(parents=True, exist_ok=True)
    path = _edit_data(base, folder / "plan.xlsx", edit)
    before = path.read_bytes()
    code, out = run("refresh", str(path))
    if expected is None:
        assert code == 0, out
        return
    assert_refused(code, out, path.name, expected)
    assert path.read_bytes() == before


def test_plan_without_manifest_is_not_a_plan(corpus: Path) -> None:
    path = bf.minimal_workbook(corpus / "plain.xlsx")
    before = path.read_bytes()
    code, out = run("refresh", str(path))
    assert_refused(code, out, path.name, "not an xlmplan plan")
    assert path.read_bytes() == before


def test_input_table_removed(corpus: Path, base: Path) -> None:
    parts = bf._plan_parts(base)
    table = next(n for n, d in parts.items() if n.startswith("xl/tables/") and b'"tblKpis"' in d)
    parts[table] = parts[table].replace(b'displayName="tblKpis"', b'displayName="tblMine"')
    path = bf._write_parts(corpus / "no-kpi-table.xlsx", parts)
    before = path.read_bytes()
    code, out = run("refresh", str(path))
    assert_refused(code, out, path.name, "kpis table is missing")
    assert path.read_bytes() == before


def test_import_into_a_bad_plan_is_refused(corpus: Path) -> None:
    folder = corpus / "import-bad-plan"
    folder.mkdir(exist_ok=True)
    bad = bf.OPEN_CASES["truncated_zip"](folder)
    csv = folder / "data.csv"
    csv.write_text("Date,Channel,Sessions\n2026-01-01,Email,5\n", encoding="utf-8")
    before = snapshot(bad.path)
    code, out = run("import", str(bad.path), str(csv))
    assert bad.expected
    assert_refused(code, out, bad.path.name, bad.expected)
    assert snapshot(bad.path) == before


def test_corpus_is_big_enough() -> None:
    """The README promises a corpus of more than 30 bad and hostile files."""
    one_file_tests = (test_plan_without_manifest_is_not_a_plan, test_input_table_removed)
    cases = [*bf.OPEN_CASES, *bf.WRITE_CASES, *bf.LEGAL_CASES, *bf.PLAN_CASES, *DATA_CASES]
    cases += [test.__name__ for test in one_file_tests]
    assert len(set(cases)) == len(cases), "a case counted twice"
    assert len(cases) > 30


def test_backup_is_kept_and_optional(base: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    shutil.copy(base, plan)
    _edit = _edit_data(base, plan, lambda x: _set(x, "E5", '<c r="E5"><v>12345</v></c>'))
    code, out = run("refresh", str(_edit))
    assert code == 0, out
    assert (tmp_path / "plan.backup.xlsx").read_bytes() != plan.read_bytes()
    with zipfile.ZipFile(tmp_path / "plan.backup.xlsx") as zf:
        assert zf.testzip() is None
    shutil.copy(tmp_path / "plan.backup.xlsx", plan)
    (tmp_path / "plan.backup.xlsx").unlink()
    code, out = run("refresh", str(plan), "--no-backup")
    assert code == 0, out
    assert not (tmp_path / "plan.backup.xlsx").exists()


FIXTURES = Path(__file__).parent / "fixtures" / "exports"
IMPORT_CASES = {
    # export file: expected message fragment, or None for a clean import
    "arabic_semicolon_cp1256.csv": None,
    "formula_text.csv": None,
    "google_ads_campaigns_utf16.csv": None,
    "ga4_traffic_acquisition.csv": None,
    "linkedin_campaigns_utf16.csv": None,
    "microsoft_ads_campaigns.csv": None,
    "persian_digits.csv": None,
    "meta_no_data.csv": "no rows",
    "google_ads_all_time_utf16.csv": "All time",
    "linkedin_demographics_utf16.csv": "demographics",
    "ga4_landing_pages.csv": "not by channel",
}


@pytest.mark.parametrize("export", sorted(IMPORT_CASES))
def test_import_cases(export: str, base: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    shutil.copy(base, plan)
    before = plan.read_bytes()
    code, out = run("import", str(plan), str(FIXTURES / export))
    expected = IMPORT_CASES[export]
    if expected is None:
        assert code == 0, out
        assert plan.read_bytes() != before
        code, again = run("import", str(plan), str(FIXTURES / export), "--no-backup")
        assert code == 0 and "replaced" in again, again
        return
    assert_refused(code, out, export, expected)
    assert plan.read_bytes() == before
