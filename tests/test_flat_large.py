"""Flat CSV and Parquet Data over a sheet's rows: summed per day, channel and campaign on
DuckDB with a message, instead of refused. The sheet's row limit is lowered so the files stay
small; their totals are known from the rows written."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from refusals import one_line_refusal
from typer.testing import CliRunner

from xlmplan.api import PlanResult, new_plan
from xlmplan.cli import app
from xlmplan.errors import DataError
from xlmplan.importing import import_data
from xlmplan.io import flat_large
from xlmplan.io.data_reader import read_data
from xlmplan.io.exports import read_export

LIMIT = 500
CHANNELS = ("Email", "Paid Social")
CAMPAIGNS = ("spring", "summer", "")
DAYS = pd.date_range("2026-06-01", periods=6).strftime("%Y-%m-%d")


@pytest.fixture(autouse=True)
def small_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flat_large, "ROW_LIMIT", LIMIT)


@pytest.fixture()
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def _rows(n: int) -> pd.DataFrame:
    """n detail rows (by device and hour) over 6 days x 2 channels x 3 campaigns."""
    i = pd.RangeIndex(n)
    return pd.DataFrame(
        {
            "Date": [DAYS[k % len(DAYS)] for k in i],
            "Channel": [CHANNELS[k // 7 % 2] for k in i],
            "Campaign": [CAMPAIGNS[k // 3 % 3] for k in i],
            "Device": [("mobile", "desktop")[k % 2] for k in i],
            "Sessions": [k % 11 + 1 for k in i],
            "Conversions": [k % 3 for k in i],
            "Revenue": [round((k % 13) * 1.25, 2) for k in i],
            "Spend": [(k % 4) * 0.5 for k in i],
            "CTR": [0.01 * (k % 5) for k in i],
            "New users": [k % 2 for k in i],
        }
    )


def _expected(rows: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, ...]]:
    """Totals per day, channel and campaign, added up row by row."""
    out: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0] * 5)
    for r in rows.itertuples(index=False):
        sums = out[(r.Date, r.Channel, r.Campaign)]
        for j, v in enumerate((r.Sessions, r.Conversions, r.Revenue, r.Spend, r[9])):
            sums[j] += v
    return {k: tuple(round(v, 6) for v in sums) for k, sums in out.items()}


def _got(frame: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, ...]]:
    cols = ["sessions", "conversions", "revenue", "spend", "New users"]
    return {
        (r[0].strftime("%Y-%m-%d"), r[1], r[2]): tuple(round(float(v), 6) for v in r[3:])
        for r in frame[["date", "channel", "campaign", *cols]].itertuples(index=False)
    }


def _csv(tmp_path: Path, n: int, name: str = "detail.csv") -> tuple[Path, pd.DataFrame]:
    rows = _rows(n)
    path = tmp_path / name
    rows.to_csv(path, index=False)
    return path, rows


def test_csv_over_the_limit_imports_its_exact_sums_with_a_message(
    plan: Path, tmp_path: Path
) -> None:
    path, rows = _csv(tmp_path, LIMIT + 37)
    assert flat_large.too_big(path)
    result = import_data(plan, [path])
    frame = result.files[0].frame
    assert _got(frame) == _expected(rows)
    assert len(frame) == len(DAYS) * len(CHANNELS) * len(CAMPAIGNS)
    assert (
        f"detail.csv: {LIMIT + 37:,} rows aggregated to 36 daily rows per channel and "
        "campaign (more rows than an Excel sheet holds)" in result.notes
    )
    assert any("not kept" in n and "Device" in n and "CTR" in n for n in result.notes)
    data = result.refresh.analysis.data
    june = data[data["date"].isin(pd.to_datetime(DAYS)) & data["channel"].isin(CHANNELS)]
    mine = june[june["campaign"].isin(CAMPAIGNS[:2])]
    want = {k: v for k, v in _expected(rows).items() if k[2]}
    assert mine["sessions"].sum() == sum(v[0] for v in want.values())
    assert mine["revenue"].sum() == pytest.approx(sum(v[2] for v in want.values()), abs=1e-9)


def test_parquet_over_the_limit_is_counted_from_its_footer_and_summed(tmp_path: Path) -> None:
    rows = _rows(LIMIT + 1)
    path = tmp_path / "detail.parquet"
    rows.to_parquet(path, index=False)
    assert flat_large.parquet_rows(path) == LIMIT + 1 and flat_large.too_big(path)
    frame = read_data(path)
    assert _got(frame) == _expected(rows)
    assert any(
        f"{LIMIT + 1:,} rows aggregated to 36" in n for n in frame.attrs["xlmplan.read_notes"]
    )


def test_new_data_says_it_summed_the_rows(tmp_path: Path) -> None:
    path, rows = _csv(tmp_path, LIMIT * 2)
    result = CliRunner().invoke(
        app, ["new", str(tmp_path / "plan.xlsx"), "--data", str(path), "--start", "2026-06"]
    )
    assert result.exit_code == 0, result.output
    assert f"{LIMIT * 2:,} rows aggregated to 36 daily rows per channel and campaign" in " ".join(
        result.output.split()
    )
    assert "(36 Data rows)" in " ".join(result.output.split())


def test_a_file_within_the_limit_is_read_row_by_row(tmp_path: Path) -> None:
    path, rows = _csv(tmp_path, LIMIT)
    assert not flat_large.too_big(path)
    assert len(read_data(path)) == LIMIT
    small = tmp_path / "small.parquet"
    rows.to_parquet(small, index=False)
    assert len(read_data(small)) == LIMIT


def test_a_workbook_is_never_taken_for_a_large_csv(tmp_path: Path) -> None:
    book = tmp_path / "data.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\n" * (LIMIT * 3))  # compressed bytes hold line ends
    assert not flat_large.too_big(book)


def test_map_and_channel_options_apply_to_a_large_file(tmp_path: Path) -> None:
    rows = _rows(LIMIT + 5).drop(columns=["Channel"])
    rows = rows.rename(columns={"Date": "Day", "Spend": "Total Spent"})
    path = tmp_path / "ads.csv"
    rows.to_csv(path, index=False, sep=";")
    imported = read_export(
        path, mapping={"Day": "date", "Total Spent": "spend"}, channel="Paid Search"
    )
    frame = imported.frame
    assert set(frame["channel"]) == {"Paid Search"}
    assert frame["spend"].sum() == pytest.approx(rows["Total Spent"].sum())
    assert frame["sessions"].sum() == rows["Sessions"].sum()
    assert imported.period is not None and str(imported.period[0]) == DAYS[0]


def test_columns_that_differ_only_by_case_are_refused_in_one_line(tmp_path: Path) -> None:
    rows = _rows(LIMIT + 1)
    rows["sessions"] = rows["Sessions"]
    path = tmp_path / "mixed.csv"
    rows.to_csv(path, index=False)
    message = one_line_refusal(read_export, path)
    assert "columns 'Sessions' and 'sessions' both mean 'sessions'" in message


def test_text_in_a_measure_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    rows = _rows(LIMIT + 50).astype({"Revenue": str})
    rows.loc[LIMIT + 10, "Revenue"] = "about 12"
    path = tmp_path / "odd.parquet"
    rows.to_parquet(path, index=False)
    message = one_line_refusal(read_data, path)
    assert f"odd.parquet, row {LIMIT + 12:,}, column 'Revenue': 'about 12' is not a number" in (
        message
    )


def test_a_bad_large_file_leaves_the_plan_unchanged(plan: Path, tmp_path: Path) -> None:
    rows = _rows(LIMIT + 1).astype({"Date": object})
    rows.loc[LIMIT - 3, "Date"] = "31/31/2026"
    path = tmp_path / "bad.csv"
    rows.to_csv(path, index=False)
    before = plan.read_bytes()
    result = CliRunner().invoke(app, ["import", str(plan), str(path)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "bad.csv" in result.output and f"row {LIMIT - 1}" in result.output
    assert "'31/31/2026'" in result.output and "Traceback" not in result.output
    assert plan.read_bytes() == before


def test_sums_that_still_do_not_fit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _csv(tmp_path, 200)
    monkeypatch.setattr(flat_large, "ROW_LIMIT", 30)
    message = one_line_refusal(read_data, path)
    assert "200 rows sum to 36 daily rows per channel and campaign, which do not fit" in message


def test_new_plan_is_not_written_on_a_bad_large_file(tmp_path: Path) -> None:
    rows = _rows(LIMIT + 1)
    rows["SESSIONS"] = 1
    path = tmp_path / "dup.parquet"
    rows.to_parquet(path, index=False)
    out = tmp_path / "plan.xlsx"
    with pytest.raises(DataError, match="both mean 'sessions'"):
        new_plan(out, data=path)
    assert not out.exists()
