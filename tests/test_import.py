"""``xlmplan import``: exports reach the Data table, are not counted twice, stay text where
a spreadsheet would run them, and the refreshed plan agrees with LibreOffice."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from xlmplan.api import PlanResult
from xlmplan.cli import analysis_report, app
from xlmplan.importing import import_data
from xlmplan.libreoffice import runner
from xlmplan.refresh import analyse, refresh_plan
from xlmplan.unchanged import unchanged
from xlmplan.xlsx import refresh_record as rr

GA4_CHANNELS = "\n".join(
    [
        "# ----------------------------------------",
        "# Traffic acquisition: Session primary channel group (Default Channel Group)",
        "# Account: Shop",
        "# Property: Shop GA4",
        "# ----------------------------------------",
        "# ",
        "# All Users",
        "# Start date: 20260601",
        "# End date: 20260630",
        "Session primary channel group (Default channel group),Sessions,Engaged sessions,"
        "Key events,Total revenue",
        "Organic search,1000,600,20,2500.5",
        "PAID SEARCH,400,200,10,1200",
        "Organic Social,300,100,3,90",
        "",
    ]
)

GENERIC = (
    "Date,Channel,Campaign,Impressions,Clicks,Spend\n"
    '2026-06-15,Paid Social,"=HYPERLINK(""http://x.example"",""click"")",1000,30,12.5\n'
    "2026-06-16,Paid Social,+Promo,2000,50,20\n"
    "2026-06-17,Paid Social,@mention,3000,70,30\n"
    "2026-06-18,Paid Social,-5% sale,100,5,2\n"
)


@pytest.fixture()
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def _ga4(tmp_path: Path) -> Path:
    path = tmp_path / "ga4.csv"
    path.write_text(GA4_CHANNELS, encoding="utf-8", newline="\r\n")
    return path


def test_ga4_import_adds_rows_once_and_reports_channels(plan: Path, tmp_path: Path) -> None:
    ga4 = _ga4(tmp_path)
    first = import_data(plan, [ga4])
    n = len(first.refresh.analysis.data)
    assert first.report.added == 3
    assert first.report.renamed_channels == {
        "Organic search": "Organic Search",
        "PAID SEARCH": "Paid Search",
    }
    assert first.report.new_channels == ["Organic Social"]
    channels = CalamineWorkbook.from_path(str(plan)).get_sheet_by_name("Lists").to_python()
    assert any("Organic Social" in row for row in channels), "new channel not in the list"
    again = import_data(plan, [ga4])
    assert again.report.replaced == 3 and len(again.refresh.analysis.data) == n
    data = again.refresh.analysis.data
    ours = data["channel"].isin(["Organic Search", "Paid Search", "Organic Social"])
    june = data[(data["date"] == "2026-06-30") & (data["campaign"] == "") & ours]
    assert sorted(june["sessions"]) == [300.0, 400.0, 1000.0]
    assert refresh_plan(plan).written is False


def test_formula_like_text_is_stored_as_text(plan: Path, tmp_path: Path) -> None:
    generic = tmp_path / "generic.csv"
    generic.write_text(GENERIC, encoding="utf-8")
    import_data(plan, [generic])
    with zipfile.ZipFile(plan) as zf:
        names = zf.read("xl/workbook.xml").decode()
        sheet = next(n for n in zf.namelist() if n.endswith("sheet3.xml"))  # Data
        xml = zf.read(sheet).decode()
    assert "'Data'!" in names
    for text in ("=HYPERLINK(", "+Promo", "@mention", "-5% sale"):
        assert text.replace('"', "&quot;") in xml or text in xml, text
    assert "<f>HYPERLINK" not in xml
    rows = CalamineWorkbook.from_path(str(plan)).get_sheet_by_name("Data").to_python()
    campaigns = {str(r[2]) for r in rows}
    assert '=HYPERLINK("http://x.example","click")' in campaigns
    assert {"+Promo", "@mention", "-5% sale"} <= campaigns


def test_bad_export_leaves_the_plan_unchanged(plan: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Channel,Sessions\n2026-06-01,Email,lots\n", encoding="utf-8")
    before = plan.read_bytes()
    result = CliRunner().invoke(app, ["import", str(plan), str(bad)])
    assert result.exit_code == 2, result.output
    assert "bad.csv" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert plan.read_bytes() == before
    assert not (tmp_path / "plan.backup.xlsx").exists()


def test_replace_empties_data_first(plan: Path, tmp_path: Path) -> None:
    result = import_data(plan, [_ga4(tmp_path)], replace=True)
    assert len(result.refresh.analysis.data) == 3


@NEEDS_LO
def test_imported_plan_agrees_with_libreoffice(plan: Path, tmp_path: Path) -> None:
    """GA4 channels, Arabic channel and campaign names (Windows-1256, decimal commas) and
    formula-like text, all inside the plan period."""
    fixtures = Path(__file__).parent / "fixtures" / "exports"
    extra = [fixtures / "arabic_semicolon_cp1256.csv", fixtures / "formula_text.csv"]
    result = import_data(plan, [_ga4(tmp_path), *extra])
    assert "حملة الربيع" in set(result.refresh.analysis.data["campaign"])
    cached = cached_values(plan)
    recalculated = runner.recalculate(plan)
    assert recalculated.formula_count == sum(len(v) for v in cached.values())
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    mismatches = compare(
        cached, recalculated.values, expected_label="cached", actual_label="libreoffice"
    )
    assert not mismatches, "\n".join(mismatches[:20])


@pytest.mark.parametrize("export", ["ga4", "generic"])
def test_a_refresh_right_after_an_import_is_answered_from_its_record(
    plan: Path, tmp_path: Path, export: str
) -> None:
    if export == "ga4":
        source = _ga4(tmp_path)
    else:
        source = tmp_path / "generic.csv"
        source.write_text(GENERIC, encoding="utf-8")
    import_data(plan, [source], backup=False, remember=True)
    same = unchanged(plan)
    assert same is not None  # the import kept the record: no engine, nothing parsed
    plain = tmp_path / "plain.xlsx"  # the same file without the record: a full refresh
    with zipfile.ZipFile(plan) as src, zipfile.ZipFile(plain, "w") as dst:
        for info in src.infolist():
            if info.filename != rr.PART:
                dst.writestr(info, src.read(info))
    full = analyse(plain)
    full.pf.close()
    assert [(f.severity, f.where, f.message) for f in same.findings] == [
        (f.severity, f.where, f.message) for f in full.findings
    ]
    computed = analysis_report(full)
    assert [(k.id, k.status, k.actual_to_date) for k in same.report.kpis] == [
        (k.id, k.status, k.actual_to_date) for k in computed.kpis
    ]
    before = plan.read_bytes()
    result = CliRunner().invoke(app, ["refresh", str(plan), "--no-backup"])
    assert result.exit_code == 0, result.output
    assert "is up to date — nothing to write" in " ".join(result.output.split())
    assert plan.read_bytes() == before


def test_the_cli_import_keeps_the_record_and_the_api_leaves_it_off(
    plan: Path, tmp_path: Path
) -> None:
    # The add-in imports through the API into the open workbook: a part added there makes
    # Excel close and reopen the file, so only the command line keeps the record.
    source = tmp_path / "generic.csv"
    source.write_text(GENERIC, encoding="utf-8")
    api = tmp_path / "api.xlsx"
    shutil.copy(plan, api)
    import_data(api, [source], backup=False)
    with zipfile.ZipFile(api) as z:
        assert rr.PART not in z.namelist()
    result = CliRunner().invoke(app, ["import", str(plan), str(source), "--no-backup"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(plan) as z:
        assert rr.PART in z.namelist()
    assert unchanged(plan) is not None
