"""The command line around the forecast: check's backtest, the errors new/refresh/import
print (and --strict), and starter targets labelled as suggestions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from xlmplan.cli import app
from xlmplan.core import starter
from xlmplan.core.forecast import backtest
from xlmplan.core.kpi_forecast import BACKTEST_STEP
from xlmplan.core.model import Kpi, Plan, Settings
from xlmplan.io.example_data import example_data

RUNNER = CliRunner()


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2026 plan as of 30 April with Data from January 2024 (28 whole months)."""
    folder = tmp_path_factory.mktemp("two_years")
    frame = example_data(dt.date(2024, 1, 1), 28)
    frame.to_csv(folder / "data.csv", index=False)
    plan = folder / "plan.xlsx"
    done = RUNNER.invoke(
        app, ["new", str(plan), "--data", str(folder / "data.csv"), "--start", "2026-01"]
    )
    assert done.exit_code == 0, done.output
    return plan


def test_check_reports_the_backtest_of_each_series(two_years: Path) -> None:
    done = RUNNER.invoke(app, ["check", str(two_years), "--json"])
    payload = json.loads(done.stdout)
    rows = {(r["kpi"], r["measure"]): r for r in payload["backtest"]}
    # K1 is revenue of all channels: the backtest of its monthly sums, by hand here
    frame = example_data(dt.date(2024, 1, 1), 28)
    months = frame.groupby(frame["date"].dt.to_period("M"))["revenue"].sum()
    days = np.array([p.days_in_month for p in months.index], dtype=float)
    expected = backtest(months.to_numpy(), 12, 12, days, step=BACKTEST_STEP)
    got = rows[("K1", "revenue")]
    assert got["models"] == ["ETS(A,A,A)"] and got["points"] == expected.points == 5
    assert got["mase"] == pytest.approx(expected.mase)
    assert got["mase_seasonal_naive"] == pytest.approx(expected.mase_seasonal_naive)
    assert got["coverage_80"] == pytest.approx(expected.coverage)
    # one row per distinct series: K4 (CPA, Paid Search) has spend and conversions
    assert {m for k, m in rows if k == "K4"} == {"spend", "conversions"}
    text = RUNNER.invoke(app, ["check", str(two_years)]).stdout
    assert "Forecast backtest on this plan's Data" in text and "ETS seasonal" in text


def _without_email(tmp: Path) -> Path:
    frame = example_data()
    frame = frame[frame["channel"] != "Email"]
    frame.to_csv(tmp / "data.csv", index=False)
    return tmp / "data.csv"


def test_new_prints_the_errors_check_reports_and_strict_exits_1(tmp_path: Path) -> None:
    # Email CTR (K7) has no Data rows: an error finding in Checks
    data = _without_email(tmp_path)
    plan = tmp_path / "plan.xlsx"
    made = RUNNER.invoke(app, ["new", str(plan), "--data", str(data)])
    assert made.exit_code == 0  # the plan is written: its errors are for the user to fix
    errors = [line for line in made.stderr.splitlines() if line.startswith("error: ")]
    assert errors and all("Strategy_KPI K7" in line or "K7" in line for line in errors)
    assert "Checks: 1 error(s)" in made.stdout.replace("\n", " ")
    checked = RUNNER.invoke(app, ["check", str(plan), "--json"])
    assert checked.exit_code == 1
    check_errors = [f for f in json.loads(checked.stdout)["findings"] if f["severity"] == "error"]
    assert [f"error: {f['where']}: {f['message']}" for f in check_errors] == errors
    strict = RUNNER.invoke(app, ["refresh", str(plan), "--strict"])
    assert strict.exit_code == 1 and strict.stderr.count("error: ") == len(errors)
    assert "Refreshed" in strict.stdout  # written all the same: --strict only sets the code
    again = RUNNER.invoke(app, ["new", str(plan), "--data", str(data), "--force", "--strict"])
    assert again.exit_code == 1 and plan.exists()


def test_starter_targets_are_labelled_as_suggestions_until_replaced() -> None:
    s = Settings("P", "C", "EUR", dt.date(2026, 1, 1), 12)
    template = Plan(s, kpis=[Kpi("K1", "Rev", "Revenue", "All", None, "higher")])
    made = Plan(s, kpis=[Kpi("K1", "Rev", "Revenue", "All", 11_800_000.0, "higher")])
    targets = starter.suggested(template, made)
    assert targets == {"K1": 11_800_000.0}
    assert starter.decode(starter.encode(targets)) == targets
    assert starter.still_suggested(made, targets) == [("K1", 11_800_000.0)]
    made.kpis[0].target = 12_000_000.0  # the user typed their own
    assert starter.still_suggested(made, targets) == []
    assert starter.decode("not json") == {} and starter.decode(None) == {}


def test_new_labels_its_starter_targets(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    made = RUNNER.invoke(app, ["new", str(plan)])
    assert "starter suggestions from your own Data" in made.stdout.replace("\n", " ")
    checked = json.loads(RUNNER.invoke(app, ["check", str(plan), "--json"]).stdout)
    flagged = [f["where"] for f in checked["findings"] if "starter suggestion" in f["message"]]
    assert flagged == [f"Strategy_KPI K{i}" for i in range(1, 9)]
    # a refresh keeps the suggestions the plan was made with
    RUNNER.invoke(app, ["refresh", str(plan)])
    checked = json.loads(RUNNER.invoke(app, ["check", str(plan), "--json"]).stdout)
    assert sum("starter suggestion" in f["message"] for f in checked["findings"]) == 8
