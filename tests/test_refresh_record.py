"""The refresh record: Data taken from it while the Data sheet is unchanged, parsed again
when it is edited or the record is gone or damaged, and a refresh with nothing to do
answered from the zip directory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from engines import NEEDS_LO
from lo_edit import edit_with_libreoffice
from typer.testing import CliRunner

from xlmplan import refresh as refresh_module
from xlmplan.api import PlanResult
from xlmplan.cli import analysis_report, app
from xlmplan.core.template_root import templates_root
from xlmplan.sheets import budget_mix
from xlmplan.unchanged import unchanged
from xlmplan.xlsx import plan_file
from xlmplan.xlsx import refresh_record as rr
from xlmplan.xlsx.package import open_package
from xlmplan.xlsx.plan_file import open_plan

REVENUE_CELL = re.compile(rb'(<c r="H5"[^>]*><v>)([^<]+)(</v>)')


@pytest.fixture(scope="module")
def recorded(example_plan: PlanResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plan after a refresh that wrote it and kept the record."""
    path = tmp_path_factory.mktemp("record") / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    assert refresh_module.refresh_plan(path, backup=False, remember=True).written
    return path


def _rewrite_part(path: Path, part: str, edit: types.FunctionType | object) -> None:
    """Rewrite one zip member with ``edit(bytes) -> bytes`` (other members as they were)."""
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = edit(data)  # type: ignore[operator]
            dst.writestr(info, data)
    tmp.replace(path)


def _copy(recorded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(recorded, path)
    return path


def _data_part(path: Path) -> str:
    pf = open_plan(path)
    try:
        return pf.table("data").sheet.part
    finally:
        pf.close()


def _no_parse(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count parses of the Data sheet."""
    calls: list[int] = []
    real = plan_file.parse_data_frame

    def counted(pf: plan_file.PlanFile) -> pd.DataFrame:
        calls.append(1)
        return real(pf)

    monkeypatch.setattr(plan_file, "parse_data_frame", counted)
    return calls


def test_a_remembered_write_records_every_part(recorded: Path) -> None:
    with open_package(recorded) as pkg:
        assert pkg.has(rr.PART)
        assert pkg.content_type(rr.PART) == rr.CONTENT_TYPE
        key = rr.read_key(pkg)
        assert key is not None and key["parts"] == rr.part_keys(pkg)
        assert rr.up_to_date(pkg)


def test_unchanged_data_is_taken_from_the_record(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    pf = open_plan(path)
    expected = plan_file.parse_data_frame(pf)
    data_sheet = pf.table("data").sheet.name
    pf.close()
    calls = _no_parse(monkeypatch)
    an = refresh_module.analyse(path)
    try:
        assert calls == []
        assert data_sheet not in an.pf.values  # the Data sheet was never read, not even its header
        assert an.read is not None and rr._same(an.read, expected)
    finally:
        an.pf.close()


def test_an_edited_data_sheet_is_parsed_and_its_edit_reaches_the_results(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    before = refresh_module.analyse(path)
    before.pf.close()
    old_total = before.data["revenue"].sum()
    part = _data_part(path)
    found: list[float] = []

    def edit(xml: bytes) -> bytes:
        match = REVENUE_CELL.search(xml)
        assert match, "no revenue cell in row 5"
        found.append(float(match.group(2)))
        return REVENUE_CELL.sub(lambda m: m.group(1) + b"1000000" + m.group(3), xml, count=1)

    _rewrite_part(path, part, edit)
    calls = _no_parse(monkeypatch)
    result = refresh_module.refresh_plan(path, backup=False, remember=True)
    assert calls == [1]
    assert result.written
    assert result.analysis.data["revenue"].sum() == pytest.approx(old_total - found[0] + 1e6)
    with open_package(path) as pkg:  # the new Data is what the record now keeps
        assert rr.up_to_date(pkg)
    calls.clear()
    again = refresh_module.analyse(path)
    again.pf.close()
    assert calls == [] and again.data["revenue"].sum() == pytest.approx(old_total - found[0] + 1e6)


@pytest.mark.parametrize("damage", ["garbage", "broken array", "other key"])
def test_a_damaged_or_stale_record_falls_back_to_parsing(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    path = _copy(recorded, tmp_path)

    def edit(blob: bytes) -> bytes:
        if damage == "garbage":
            return b"not a zip at all"
        src = zipfile.ZipFile(io.BytesIO(blob))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for name in src.namelist():
                data = src.read(name)
                if damage == "broken array" and name.endswith("c3.npy"):
                    data = data[: len(data) // 2]
                if damage == "other key" and name == rr.KEY_MEMBER:
                    data = data.replace(b'"date1904": false', b'"date1904": true')
                dst.writestr(name, data)
        return out.getvalue()

    _rewrite_part(path, rr.PART, edit)
    calls = _no_parse(monkeypatch)
    an = refresh_module.analyse(path)
    an.pf.close()
    assert calls == [1] and len(an.data) > 0


def test_a_plan_without_the_record_is_parsed(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(recorded) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            if info.filename != rr.PART:
                dst.writestr(info, src.read(info))
    calls = _no_parse(monkeypatch)
    an = refresh_module.analyse(path)
    an.pf.close()
    assert calls == [1]
    with open_package(path) as pkg:
        assert not rr.up_to_date(pkg)


def test_an_unchanged_plan_is_answered_with_what_its_last_refresh_reported(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    full = refresh_module.analyse(path)
    full.pf.close()
    same = unchanged(path)
    assert same is not None
    assert [(f.severity, f.where, f.message) for f in same.findings] == [
        (f.severity, f.where, f.message) for f in full.findings
    ]
    computed = analysis_report(full)
    assert same.report.as_of == computed.as_of and len(same.report.kpis) > 0
    assert [(k.id, k.status, k.scenario) for k in same.report.kpis] == [
        (k.id, k.status, k.scenario) for k in computed.kpis
    ]


def test_the_cli_skips_the_engine_for_an_unchanged_plan_and_says_the_same(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, plain = tmp_path / "a" / "plan.xlsx", tmp_path / "b" / "plan.xlsx"
    path.parent.mkdir()
    plain.parent.mkdir()  # the same file without the record: a full refresh
    shutil.copy(recorded, path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(plain, "w") as dst:
        for info in src.infolist():
            if info.filename != rr.PART:
                dst.writestr(info, src.read(info))
    runner = CliRunner()
    slow = runner.invoke(app, ["refresh", str(plain), "--no-backup"], terminal_width=200)
    assert slow.exit_code == 0, slow.output

    def no_engine(*args: object, **kwargs: object) -> None:
        raise AssertionError("the refresh ran")

    monkeypatch.setattr(refresh_module, "analyse", no_engine)
    before = path.read_bytes()
    fast = runner.invoke(app, ["refresh", str(path), "--no-backup"], terminal_width=200)
    assert fast.exit_code == 0, fast.output
    assert path.read_bytes() == before
    assert fast.output.replace(str(path), "PLAN") == slow.output.replace(str(plain), "PLAN")
    assert "is up to date — nothing to write" in " ".join(fast.output.split())


def test_any_changed_part_or_version_means_a_full_refresh(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    assert unchanged(path) is not None
    monkeypatch.setattr(rr, "__version__", "9.9.9")
    assert unchanged(path) is None
    monkeypatch.undo()
    own = tmp_path / "templates"  # the same files, but the user's own template folder
    shutil.copytree(templates_root(), own)
    monkeypatch.setenv("XLMPLAN_TEMPLATES", str(own))
    assert unchanged(path) is None
    monkeypatch.undo()
    assert unchanged(path) is not None
    pf = open_plan(path)
    part = pf.sheets["strategy_kpi"].part
    pf.close()
    _rewrite_part(path, part, lambda xml: xml.replace(b"</sheetData>", b"</sheetData>", 1) + b" ")
    assert unchanged(path) is None


def test_a_later_day_changes_nothing_in_an_unchanged_plan(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The no-op is safe across days: the one clock reading (the Budget mix's fit date)
    keeps the date the sheet shows while the fit is the same, so a full refresh of an
    unchanged plan a year later writes nothing either."""
    path = _copy(recorded, tmp_path)
    before = path.read_bytes()

    class Later(dt.date):
        @classmethod
        def today(cls) -> Later:
            return cls(2031, 1, 1)

    monkeypatch.setattr(budget_mix, "dt", types.SimpleNamespace(date=Later))
    result = refresh_module.refresh_plan(path, backup=False, remember=True)
    assert not result.written and path.read_bytes() == before
    stamp = str(result.analysis.book.sheet("budget_mix").cells[budget_mix.STAMP].value)
    assert re.search(r"\d{4}-\d{2}-\d{2}", stamp) and "2031-01-01" not in stamp


def test_the_budget_mix_curves_are_taken_from_the_record_while_data_is_the_same(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    plain = tmp_path / "plain.xlsx"
    rewrite = _rewrite_part  # the record dropped: the curves are fitted again
    shutil.copy(path, plain)
    rewrite(plain, rr.PART, lambda blob: b"")
    monkeypatch.setattr(budget_mix, "_CACHE", {})

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again")

    monkeypatch.setattr(budget_mix.rs, "fit_all", no_fit)
    an = refresh_module.analyse(path)
    an.pf.close()
    assert an.book.sheet("budget_mix").cells  # laid out from the recorded curves
    monkeypatch.setattr(budget_mix, "_CACHE", {})
    with pytest.raises(AssertionError, match="fitted again"):
        refresh_module.analyse(plain)


def test_an_unchanged_refresh_imports_no_engine(recorded: Path, tmp_path: Path) -> None:
    path = _copy(recorded, tmp_path)
    code = (
        "import sys\n"
        "from xlmplan.cli import main\n"
        f"sys.argv = ['xlmplan', 'refresh', {str(path)!r}, '--no-backup']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join({m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "is up to date" in " ".join(out.stdout.split())
    loaded = out.stdout.split("MODULES", 1)[1].split()
    assert not {"pandas", "numpy", "scipy", "statsmodels", "python_calamine"} & set(loaded)


def test_calamine_is_loaded_only_when_a_sheet_is_read(recorded: Path, tmp_path: Path) -> None:
    """The plan reader imports python-calamine when it first reads a sheet's values, so
    a command that reads none (a refresh answered from the record) never loads it."""
    path = _copy(recorded, tmp_path)
    code = (
        "import sys\n"
        "import xlmplan.refresh, xlmplan.api, xlmplan.xlsx.plan_file as plan_file\n"
        "print('BEFORE', 'python_calamine' in sys.modules)\n"
        f"plan_file.open_plan(__import__('pathlib').Path({str(path)!r})).close()\n"
        "print('AFTER', 'python_calamine' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["BEFORE", "False", "AFTER", "True"]


@NEEDS_LO
def test_a_libreoffice_save_drops_the_record_and_the_typed_rows_reach_the_results(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = tmp_path / "edited.xlsx"
    before = refresh_module.analyse(recorded)
    before.pf.close()
    edit_with_libreoffice(recorded, edited)  # a month of rows typed below Data, and more
    with open_package(edited) as pkg:
        assert not rr.up_to_date(pkg)
    calls = _no_parse(monkeypatch)
    result = refresh_module.refresh_plan(edited, backup=False, remember=True)
    assert calls == [1] and result.written
    assert result.analysis.grown.get("tblData", 0) > 0
    assert len(result.analysis.data) > len(before.data)


def test_an_unchanged_plan_open_in_excel_is_refused_as_before(
    recorded: Path, tmp_path: Path
) -> None:
    """The no-op holds the plan as a refresh does: the same refusals, the same exit code."""
    path = _copy(recorded, tmp_path)
    owner = tmp_path / "~$plan.xlsx"  # Excel's owner file while the plan is open there
    owner.write_bytes(b"\x00" * 165)
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["refresh", str(path)])
    assert result.exit_code == 2
    assert "is open in Excel" in " ".join(result.output.split())
    assert path.read_bytes() == before


def _cells(an: refresh_module.Analysis) -> dict[str, dict[tuple[int, int], tuple[object, str]]]:
    """Every cell's value and formula, per sheet of the laid-out book."""
    return {
        s.role: {pos: (c.value, c.formula or "") for pos, c in s.cells.items()}
        for s in an.book.sheets
    }


def test_the_budget_mix_split_is_taken_from_the_record_and_lays_out_the_same_cells(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    plain = tmp_path / "plain.xlsx"
    shutil.copy(path, plain)
    _rewrite_part(plain, rr.PART, lambda blob: b"")  # no record: fitted and optimised again
    for cache in ("_CACHE", "_SPLITS"):
        monkeypatch.setattr(budget_mix, cache, {})
    full = refresh_module.analyse(plain)
    full.pf.close()
    for cache in ("_CACHE", "_SPLITS"):
        monkeypatch.setattr(budget_mix, cache, {})

    def no_split(*args: object, **kwargs: object) -> None:
        raise AssertionError("optimised again")

    monkeypatch.setattr(budget_mix, "allocate", no_split)
    fast = refresh_module.analyse(path)
    fast.pf.close()
    assert _cells(fast) == _cells(full)
    assert fast.book.sheet("budget_mix").cells[(budget_mix.FIRST, budget_mix.C["recommended"])]
    monkeypatch.setattr(budget_mix, "_SPLITS", {})
    with pytest.raises(AssertionError, match="optimised again"):
        refresh_module.analyse(plain)


def test_a_changed_channel_or_budget_optimises_the_split_again(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_package(recorded) as pkg:
        kept = rr.recorded_split(pkg)
    an = refresh_module.analyse(recorded)
    an.pf.close()
    channels = budget_mix.mix_of(an.data, an.plan.channels).channels
    assert kept is not None and kept[0] == budget_mix.split_key(
        channels, sum(ch.current for ch in channels)
    )
    calls: list[float] = []
    real = budget_mix.allocate

    def counted(chs: list[budget_mix.Channel], budget: float) -> budget_mix.Allocation:
        calls.append(budget)
        return real(chs, budget)

    monkeypatch.setattr(budget_mix, "allocate", counted)
    monkeypatch.setattr(budget_mix, "_SPLITS", {})
    budget_mix.remember_split(*kept)
    same = budget_mix.split_for(channels)
    assert calls == [] and same.spend == kept[1]
    more = dataclasses.replace(channels[0], current=channels[0].current + 1)
    changed = budget_mix.split_for([more, *channels[1:]])
    assert calls == [pytest.approx(sum(ch.current for ch in channels) + 1)]
    assert changed.total_spend == pytest.approx(sum(ch.current for ch in channels) + 1)


CACHED_FORMULA = re.compile(rb"(<c r=\"[A-Z]+\d+\"[^>]*><f>[^<]+</f><v>)(\d+)(</v>)")


def _parts(path: Path) -> dict[str, bytes]:
    """Every part but the record, and the content types without the record's entry."""
    with zipfile.ZipFile(path) as zf:
        out = {n: zf.read(n) for n in zf.namelist() if n != rr.PART}
    types = out["[Content_Types].xml"].decode("utf-8")
    out["[Content_Types].xml"] = re.sub(r"<Override[^>]*refresh-record[^>]*/>", "", types).encode()
    return out


def test_sheets_kept_by_the_record_give_the_file_a_full_refresh_writes(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data edited (most sheets change) and a cached value typed over on the Calendar: the
    sheets the record keeps are not written afresh, and the file is byte for byte the one
    a refresh without the record writes."""
    path = _copy(recorded, tmp_path)
    pf = open_plan(path)
    calendar = pf.sheets["calendar"].part
    pf.close()
    _rewrite_part(path, _data_part(path), lambda xml: REVENUE_CELL.sub(rb"\g<1>7\g<3>", xml, 1))
    _rewrite_part(path, calendar, lambda xml: CACHED_FORMULA.sub(rb"\g<1>12345\g<3>", xml, 1))
    plain = tmp_path / "plain.xlsx"
    shutil.copy(path, plain)
    _rewrite_part(plain, rr.PART, lambda blob: b"")
    kept: list[set[str]] = []
    real = refresh_module._kept

    def spy(an: refresh_module.Analysis) -> set[str]:
        kept.append(real(an))
        return kept[-1]

    monkeypatch.setattr(refresh_module, "_kept", spy)
    fast = refresh_module.refresh_plan(path, backup=False, remember=True)
    full = refresh_module.refresh_plan(plain, backup=False)
    assert fast.written and full.written
    assert kept[1] == set()  # no record: every sheet written afresh
    assert {"swot", "start", "lists"} <= kept[0], kept[0]
    assert not {"calendar", "dashboard", "strategy_kpi", "objectives"} & kept[0], sorted(kept[0])
    assert _parts(path) == _parts(plain)
    with zipfile.ZipFile(path) as zf:
        assert b"<v>12345</v>" not in zf.read(calendar)  # the typed-over value is restored


def test_a_changed_layout_is_written_although_its_part_is_the_recorded_one(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(recorded, tmp_path)
    _rewrite_part(path, "docProps/core.xml", lambda xml: xml + b" ")
    real = refresh_module.sheet_digests

    def other(book: refresh_module.Book) -> dict[str, str]:
        return {**real(book), "swot": "a layout the record does not know"}

    monkeypatch.setattr(refresh_module, "sheet_digests", other)
    kept: list[set[str]] = []
    real_kept = refresh_module._kept
    monkeypatch.setattr(refresh_module, "_kept", lambda an: kept.append(real_kept(an)) or kept[-1])
    refresh_module.refresh_plan(path, backup=False, remember=True)
    assert "swot" not in kept[0] and "objectives" in kept[0]
