"""`xlmplan kpis PLAN [--json]` reads each KPI's two verdicts from the plan's saved values;
`xlmplan demo --as-of DAY` builds the demo mid-year and prints the same table."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from cli_run import run

from xlmplan.api import new_plan
from xlmplan.kpis import kpi_report, read_kpis
from xlmplan.sheets.context import FIRST
from xlmplan.sheets.layout import a1
from xlmplan.sheets.strategy_kpi import derived_col


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("kpis")
    done = run("demo", folder, "--as-of", "2026-05-17")
    return folder / "xlmplan-demo.xlsx", done


def test_demo_as_of_builds_the_plan_mid_year_and_prints_its_kpis(demo: tuple) -> None:
    path, done = demo
    assert done.returncode == 0, done.stderr
    assert "KPIs as of 2026-05-17" in done.stdout
    for word in ("K1 Online revenue", "Due", "Pace", "Year-end", "Scenario", "Green", "Red"):
        assert word in done.stdout, word
    shown = run("kpis", path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == done.stdout.split("Demo plan:")[0]  # the same table


def test_json_holds_both_verdicts_as_the_engine_computed_them(demo: tuple) -> None:
    path, _ = demo
    done = run("kpis", path, "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["as_of"] == "2026-05-17"
    # the same plan computed afresh (same data, same day): every field agrees
    fresh = new_plan(path.with_name("fresh.xlsx"), cut=dt.date(2026, 5, 17))
    report = kpi_report(fresh.plan, fresh.results, fresh.catalog, fresh.words.status)
    expected = report.as_json()["kpis"]
    assert [k["id"] for k in payload["kpis"]] == [k["id"] for k in expected]
    for got, want in zip(payload["kpis"], expected, strict=True):
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-12), (got["id"], key)
            else:
                assert got[key] == value, (got["id"], key)
    k1 = payload["kpis"][0]
    # mid-year the target due is well below the plan target, and on pace it is judged by it
    assert k1["target_to_date"] < 0.5 * k1["plan_target"]
    assert k1["attainment_to_date"] == pytest.approx(
        k1["actual_to_date"] / k1["target_to_date"], abs=5e-7
    )
    # the forecast's 80 % interval holds the year-end forecast
    assert k1["year_end_low"] <= k1["year_end_forecast"] <= k1["year_end_high"]


def test_kpis_reads_the_saved_values_not_a_recomputation(demo: tuple, tmp_path: Path) -> None:
    """A plan whose cached status says something else (as Excel would have saved it after an
    edit) is reported as saved."""
    path, _ = demo
    edited = tmp_path / "edited.xlsx"
    before = read_kpis(path)
    old = before.kpis[0].status
    assert old is not None
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == sheet_part(path, "Strategy_KPI"):
                ref = a1(FIRST, derived_col("status")).encode()
                cell = re.compile(rb'(<c r="' + ref + rb'"[^>]*>.*?<[vt]>)' + old.encode(), re.S)
                data, n = cell.subn(rb"\1Edited", data, count=1)
                assert n == 1
            dst.writestr(item, data)
    assert read_kpis(edited).kpis[0].status == "Edited"


def sheet_part(path: Path, name: str) -> str:
    """The package part of the sheet called ``name``."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    sheet = next(s for s in book.iterfind("m:sheets/m:sheet", ns) if s.get("name") == name)
    rid = sheet.get(f"{{{ns['r']}}}id")
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return "xl/" + target.removeprefix("/xl/") if not target.startswith("xl/") else target


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("demo", "{tmp}", "--as-of", "2026-02-30"), "--as-of '2026-02-30' is not a day"),
        (("demo", "{tmp}", "--as-of", "2025-06-01"), "holds no rows up to that day"),
        (("kpis", "{tmp}/missing.xlsx"), "missing.xlsx does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple, message: str) -> None:
    done = run(*(a.format(tmp=tmp_path) for a in args))
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "xlmplan-demo.xlsx").exists()


def test_a_plan_laid_out_by_an_older_version_is_refused_until_refreshed() -> None:
    older = Path(__file__).with_name("fixtures") / "previous_plan_en.xlsx"
    before = older.read_bytes()
    done = run("kpis", older)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "laid out by an older xlmplan" in done.stderr
    assert "xlmplan refresh previous_plan_en.xlsx" in done.stderr
    assert older.read_bytes() == before
