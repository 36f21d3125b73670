"""The README's import options through the command line, checked by their effect on Data:
--map, --channel, --source, --spread and --replace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from xlmplan.api import PlanResult
from xlmplan.cli import app
from xlmplan.refresh import analyse

META = (
    '"Reporting starts","Reporting ends","Campaign name","Amount spent (EUR)","Link clicks"\n'
    "2026-01-30,2026-02-02,Winter,40,8\n"
)


@pytest.fixture
def plan(example_plan: PlanResult, tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    shutil.copy(example_plan.path, path)
    return path


def data(plan: Path) -> pd.DataFrame:
    an = analyse(plan)
    an.pf.close()
    return an.data


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", *map(str, args), "--no-backup"])
    return result.exit_code, " ".join(result.output.split())


def test_map_and_channel(plan: Path, tmp_path: Path) -> None:
    csv = tmp_path / "visits.csv"
    csv.write_text("date,Visits,Money\n2026-03-02,120,30\n", encoding="utf-8")
    code, out = run(plan, csv, "--map", "Visits=sessions", "--map", "Money=spend",
                    "--channel", "Newsletter")  # fmt: skip
    assert code == 0, out
    rows = data(plan)
    mine = rows[rows["channel"] == "Newsletter"]
    assert len(mine) == 1
    assert mine[["sessions", "spend"]].iloc[0].tolist() == [120.0, 30.0]
    assert mine["date"].iloc[0] == pd.Timestamp("2026-03-02")


def test_a_range_is_dated_at_its_last_day_or_spread(plan: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text(META, encoding="utf-8")
    assert run(plan, meta, "--channel", "Ads X")[0] == 0
    rows = data(plan)
    mine = rows[rows["channel"] == "Ads X"]
    assert mine[["date", "spend"]].values.tolist() == [[pd.Timestamp("2026-02-02"), 40.0]]
    code, out = run(plan, meta, "--channel", "Ads X", "--spread")
    assert code == 0, out
    rows = data(plan)
    mine = rows[rows["channel"] == "Ads X"]
    # 4 days, 10 a day: January 30-31 gets 20, February 1-2 gets 20
    by_month = mine.groupby(mine["date"].dt.month)["spend"].sum().to_dict()
    assert by_month == pytest.approx({1: 20.0, 2: 20.0})


def test_source_is_forced_or_refused(plan: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text(META, encoding="utf-8")
    before = plan.read_bytes()
    code, out = run(plan, meta, "--source", "tiktok")
    assert code == 2
    assert "unknown source 'tiktok' — use auto or one of ga4" in out
    assert plan.read_bytes() == before
    code, out = run(plan, meta, "--source", "meta-ads")
    assert code == 0, out
    rows = data(plan)
    assert rows.loc[rows["campaign"] == "Winter", "spend"].tolist() == [40.0]
    assert rows.loc[rows["campaign"] == "Winter", "channel"].tolist() == ["Paid Social"]


def test_replace_empties_data_first(plan: Path, tmp_path: Path) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text("date,channel,campaign,revenue\n2026-03-02,Email,Only,5\n", encoding="utf-8")
    assert len(data(plan)) > 1
    code, out = run(plan, csv, "--replace")
    assert code == 0, out
    rows = data(plan)
    assert rows[["channel", "campaign", "revenue"]].values.tolist() == [["Email", "Only", 5.0]]
