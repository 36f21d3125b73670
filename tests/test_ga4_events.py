"""GA4's raw BigQuery export: aggregated by the ibis expression on DuckDB to exactly the
totals the generated export holds by construction, imported through the ordinary merge and
refresh, refused in one line for bad input, and compiled unchanged to BigQuery SQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ga4_export import DAYS, EXPECTED, events, schema, write_export
from typer.testing import CliRunner

from xlmplan.api import PlanResult
from xlmplan.cli import app
from xlmplan.errors import DataError
from xlmplan.importing import import_data
from xlmplan.io import ga4_events
from xlmplan.io.ga4_events import aggregate, read_events
from xlmplan.xlsx.plan_file import data_frame, open_plan


@pytest.fixture()
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def _rows(frame: object, days: tuple[str, ...] = ("2026-03-01", "2026-03-02", "2026-03-03")):
    """(date, channel, campaign) -> (sessions, conversions, revenue, new users?) of ``frame``."""
    out = {}
    for r in frame.itertuples(index=False):  # type: ignore[attr-defined]
        day = str(r.date)[:10]
        if day in days:
            out[(day, r.channel, r.campaign)] = (r.sessions, r.conversions, r.revenue)
    return out


def _expected(keys: set[tuple[str, str, str]] | None = None) -> dict:
    return {k: v[:3] for k, v in EXPECTED.items() if keys is None or k in keys}


def test_aggregation_equals_the_export_by_construction(tmp_path: Path) -> None:
    write_export(tmp_path / "export")
    imported = read_events([tmp_path / "export"], progress=False)
    got = {
        (str(r.date)[:10], r.channel, r.campaign): (r.sessions, r.conversions, r.revenue, r._10)
        for r in imported.frame.itertuples(index=False)
    }
    assert imported.frame.columns[10] == "New users"
    assert got == EXPECTED
    assert imported.period is not None
    assert [d.strftime("%Y%m%d") for d in imported.period] == [DAYS[0], DAYS[-1]]


def test_a_glob_and_ndjson_give_the_same_rows(tmp_path: Path) -> None:
    """BigQuery's JSON export writes INT64 as strings; days 2-3 carry the last-click record."""
    folder = tmp_path / "json"
    folder.mkdir()
    for day, rows in events().items():
        with open(folder / f"events_{day}.json", "w", encoding="utf-8") as fh:
            for row in rows:
                row = dict(row, event_timestamp=str(row["event_timestamp"]))
                for p in row["event_params"]:
                    if p["value"].get("int_value") is not None:
                        p["value"] = {"int_value": str(p["value"]["int_value"])}
                if day == DAYS[0]:
                    row.pop("session_traffic_source_last_click")
                fh.write(json.dumps(row) + "\n")
    imported = read_events([str(folder / "events_*.json")], progress=False)
    assert _rows(imported.frame) == _expected()


def test_import_merges_keyed_rows_and_counts_nothing_twice(plan: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    write_export(export)
    before = data_frame(open_plan(plan))
    result = import_data(plan, [export], source="ga4-bigquery")
    after = data_frame(open_plan(plan))
    assert _rows(after) == _rows(before) | _expected()
    import_data(plan, [export], source="ga4-bigquery")
    again = data_frame(open_plan(plan))
    assert len(again) == len(after)
    assert _rows(again) == _rows(after)
    assert any("aggregated to 7 rows" in n for n in result.notes)


def test_cli_conversion_option_counts_that_event(plan: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    write_export(export)
    res = CliRunner().invoke(
        app,
        [
            "import",
            str(plan),
            str(export),
            "--source",
            "ga4-bigquery",
            "--conversion",
            "generate_lead",
            "--no-backup",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = _rows(data_frame(open_plan(plan)))
    assert rows[("2026-03-03", "Direct", "")][1] == 1  # the lead
    assert rows[("2026-03-03", "Paid Search", "brand")][1] == 0  # a purchase, not a lead
    assert rows[("2026-03-03", "Paid Search", "brand")][2] == 20.0  # revenue stays


def _refused(plan: Path, source: str, match: str, tmp_path: Path) -> str:
    before = plan.read_bytes()
    res = CliRunner().invoke(app, ["import", str(plan), source, "--source", "ga4-bigquery"])
    assert res.exit_code == 2, res.output
    line = res.output.strip()
    assert "\n" not in line and "Traceback" not in res.output
    assert match in line
    assert plan.read_bytes() == before
    assert not (tmp_path / "plan.backup.xlsx").exists()
    return line


def test_a_folder_without_events_is_refused(plan: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.csv").write_text("a,b\n1,2\n")
    _refused(plan, str(empty), "no GA4 event files", tmp_path)


def test_an_export_with_no_events_is_refused(plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "none"
    folder.mkdir()
    pq.write_table(schema(True).empty_table(), folder / "events_20260301.parquet")
    _refused(plan, str(folder), "holds no events", tmp_path)


def test_a_schema_that_is_not_ga4s_names_the_missing_columns(plan: Path, tmp_path: Path) -> None:
    path = tmp_path / "events_20260301.parquet"
    pq.write_table(pa.table({"event_date": ["20260301"], "event_name": ["page_view"]}), path)
    line = _refused(plan, str(path), "not GA4's BigQuery export schema", tmp_path)
    assert "event_timestamp, event_params, user_pseudo_id" in line
    assert path.name in line


def test_events_outside_the_plan_period_are_refused(plan: Path, tmp_path: Path) -> None:
    sch = schema(True)
    rows = [dict(r, event_date="20300301") for r in events()[DAYS[0]]]
    path = tmp_path / "events_20300301.parquet"
    cols = {n: [r.get(n) for r in rows] for n in sch.names}
    pq.write_table(pa.table(cols, schema=sch), path)
    line = _refused(plan, str(path), "outside the plan's period 2026-01-01 to 2026-12-31", tmp_path)
    assert "2030-03-01" in line


def test_bigquery_source_without_its_package_says_what_to_install(
    plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name.startswith("google.cloud") else real(name, *a),
    )
    source = "bigquery://my-project/analytics_123"
    line = _refused(plan, source, "ibis-framework[bigquery]", tmp_path)
    assert source in line


def test_the_same_expression_compiles_to_bigquery_sql() -> None:
    import ibis
    import sqlglot

    from xlmplan.io.ga4_channels import load_rules

    events_table = ibis.table(ibis.Schema.from_pyarrow(schema(True)), name="events_*")
    sql = ibis.to_sql(aggregate(events_table, ["purchase"], load_rules()), dialect="bigquery")
    tree = sqlglot.parse_one(sql, read="bigquery")
    names = {i.name for i in tree.find_all(sqlglot.exp.Identifier)}
    assert "events_*" in {t.name for t in tree.find_all(sqlglot.exp.Table)}
    for name in (
        "event_date",
        "event_timestamp",
        "event_name",
        "event_params",
        "user_pseudo_id",
        "ecommerce",
        "collected_traffic_source",
        "session_traffic_source_last_click",
    ):
        assert name in names, name
    for name in ("purchase_revenue", "refund_value", "manual_source", "gclid"):
        assert name in names, name
    for text in ("'ga_session_id'", "'first_visit'", "'refund'", "'Paid Search'"):
        assert text in sql


HEAVY = ("duckdb", "ibis", "pandas", "numpy", "pyarrow", "scipy", "statsmodels", "openpyxl")
HEAVY += ("xlsxwriter", "python_calamine", "lxml", "formulas", "xlwings")


def test_the_cli_does_not_import_the_query_engine_nor_any_engine() -> None:
    """Each command imports what it runs: ``--help``, ``--version`` and the start of every
    command pay for none of the query engine, pandas, the xlsx libraries or the solvers."""
    code = "import sys, xlmplan.cli; print(' '.join({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.split()
    assert "typer" in loaded and not set(HEAVY) & set(loaded)


def test_unreadable_event_file_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "events_20260301.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"events_20260301\.parquet: cannot read it"):
        read_events([path], progress=False)


def test_memory_limit_is_set_on_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = ga4_events._connect

    def spy(limit: str | None, temp: str) -> object:
        con = real(limit, temp)
        seen.append(con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0])
        return con

    monkeypatch.setattr(ga4_events, "_connect", spy)
    monkeypatch.setenv(ga4_events.MEMORY_ENV, "300MB")
    write_export(tmp_path / "export")
    read_events([tmp_path / "export"], progress=False)
    assert seen and seen[0].replace(" ", "") in ("286.1MiB", "300.0MB", "300MB")


def test_days_partly_outside_the_plan_are_imported_with_a_note(plan: Path, tmp_path: Path) -> None:
    sch = schema(True)
    folder = tmp_path / "edge"
    folder.mkdir()
    for day in ("20261231", "20270101"):
        rows = [dict(r, event_date=day) for r in events()[DAYS[0]][:3]]
        cols = {n: [r.get(n) for r in rows] for n in sch.names}
        pq.write_table(pa.table(cols, schema=sch), folder / f"events_{day}.parquet")
    result = import_data(plan, [folder], source="ga4-bigquery", backup=False)
    assert any("1 row(s) dated outside the plan's period" in n for n in result.notes)
    rows = _rows(data_frame(open_plan(plan)), ("2026-12-31", "2027-01-01"))
    assert rows[("2027-01-01", "Paid Search", "spring")] == (1, 1, 100.0)


def test_a_session_takes_its_source_from_the_tagged_event_of_its_first_moment(
    tmp_path: Path,
) -> None:
    """first_visit and session_start share a timestamp; only one carries the traffic source.
    Whichever comes first in the file, the session is Organic Social (S2 of the export),
    never Direct: of events at the same microsecond the tagged one gives the channel."""
    folder = tmp_path / "export"
    folder.mkdir()
    by_day = events()
    for i, (day, rows) in enumerate(by_day.items()):
        if i == 0:  # S2's untagged session_start before its tagged first_visit, and first
            s2 = [r for r in rows if r["user_pseudo_id"] == "u2"]
            rows = [*reversed(s2[:2]), *s2[2:], *(r for r in rows if r["user_pseudo_id"] != "u2")]
        sch = schema(with_last_click=i > 0)
        cols = {name: [r.get(name) for r in rows] for name in sch.names}
        pq.write_table(pa.table(cols, schema=sch), folder / f"events_{day}.parquet")
    first = by_day[DAYS[0]]
    assert [r["event_timestamp"] for r in first[3:5]] == [first[3]["event_timestamp"]] * 2
    imported = read_events([folder], progress=False)
    assert _rows(imported.frame, ("2026-03-01",)) == _expected(
        {k for k in EXPECTED if k[0] == "2026-03-01"}
    )
