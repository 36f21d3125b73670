"""`xlmplan allocate` on a plan built with `xlmplan new --data` from simulated data: the
JSON, the printed table and explanation, refusals of bad options (one line, exit 2, plan
unchanged), and scipy kept off the other commands' start-up."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_run import run
from mix_sim import CONSTANT, TRUE_CHANNELS, simulate

from xlmplan.api import PlanResult
from xlmplan.errors import XlmplanError
from xlmplan.mix import allocate_plan, parse_bounds


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of daily Data to 2026-06-28 in a plan for 2026."""
    folder = tmp_path_factory.mktemp("mix")
    csv = folder / "sim.csv"
    simulate(7, start=dt.date(2024, 7, 1)).to_csv(csv, index=False)
    path = folder / "plan.xlsx"
    out = run("new", path, "--data", csv, "--start", "2026-01", "--months", "12")
    assert out.returncode == 0, out.stderr
    return path


@pytest.fixture(scope="module")
def result(plan: Path) -> dict[str, Any]:
    before = plan.read_bytes()
    out = run("allocate", plan, "--json")
    assert out.returncode == 0, out.stderr
    assert plan.read_bytes() == before  # read only
    payload: dict[str, Any] = json.loads(out.stdout)
    return payload


def test_json_gives_each_channel_and_the_totals(result: dict[str, Any]) -> None:
    rows = {c["channel"]: c for c in result["channels"]}
    assert set(rows) == {sim.name for sim in TRUE_CHANNELS} | {CONSTANT.name, "Organic Search"}
    assert (result["period"]["start"], result["period"]["end"]) == ("2026-06-29", "2026-12-31")
    weekly = result["weekly_budget"]
    assert sum(c["current_weekly_spend"] for c in rows.values()) == pytest.approx(weekly)
    assert sum(c["recommended_weekly_spend"] for c in rows.values()) == pytest.approx(weekly)
    for sim in TRUE_CHANNELS:
        row = rows[sim.name]
        assert row["estimable"] and row["reason"] == ""
        assert set(row["curve"]) == {"base", "beta", "half_saturation", "shape", "carryover"}
        lo, hi = row["band"]["recommended"]
        assert lo < row["predicted_weekly_response"]["recommended"] < hi
    affiliate = rows[CONSTANT.name]
    assert not affiliate["estimable"] and affiliate["curve"] is None
    assert affiliate["reason"] == "spend barely varied: coefficient of variation 0 %"
    assert affiliate["recommended_weekly_spend"] == affiliate["current_weekly_spend"]
    assert rows["Organic Search"]["reason"] == "no spend"
    predicted = result["predicted_response"]
    assert predicted["recommended"] > predicted["current"]
    uplift = predicted["recommended"] - predicted["current"]
    assert result["uplift"]["absolute"] == pytest.approx(uplift)
    assert result["optimality"]["equal_marginal_returns"]
    inner = [
        c["marginal_return"]["recommended"]
        for c in rows.values()
        if c["estimable"] and 1 < c["recommended_weekly_spend"] < c["max_weekly_spend"] - 1
    ]
    assert len(inner) >= 2 and max(inner) / min(inner) < 1.01
    assert any("not experiments" in line for line in result["explanation"])


def test_json_payload_is_exact(result: dict[str, Any]) -> None:
    assert result["period"]["weeks"] == pytest.approx(186 / 7)
    assert result["budget"] == pytest.approx(result["weekly_budget"] * 186 / 7)


def test_table_and_explanation_are_printed(plan: Path) -> None:
    out = run("allocate", plan, "--budget", "300000", "--period", "3", "--target", "600000")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for word in (
        "Paid Search",
        "Video",
        "Affiliate",
        "held",
        "R²",
        "not experiments",
        "one more unit",
    ):
        assert word in text
    assert "2026-06-29 to 2026-09-28" in text
    assert "Target 600,000: least budget" in text or "unreachable within the curves" in text


def test_bounds_lock_and_limit_channels(plan: Path) -> None:
    result = allocate_plan(
        plan, budget=200000, months=3, bounds=["paid search=locked", "Video=13000:26000"]
    )
    rows = {c.fit.channel: c for c in result.channels}
    search = rows["Paid Search"]
    assert search.recommended == search.channel.current
    weeks = result.weeks
    assert 13000 / weeks - 1e-6 <= rows["Video"].recommended <= 26000 / weeks + 1e-6
    assert sum(c.recommended for c in result.channels) * weeks == pytest.approx(200000)


def test_target_inverse_and_unreachable(plan: Path) -> None:
    reach = allocate_plan(plan, months=3, target=500000)
    assert reach.target is not None and reach.target.reachable
    assert reach.target.response >= 500000
    far = allocate_plan(plan, months=3, target=50_000_000)
    assert far.target is not None and not far.target.reachable
    assert far.target.response < 50_000_000


def test_other_metrics_fit_too(plan: Path) -> None:
    result = allocate_plan(plan, months=3, metric="conversions")
    rows = {c.fit.channel: c for c in result.channels}
    assert rows["Paid Search"].fit.estimable
    assert result.recommended.total_response < 10000  # conversions, not revenue


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bounds", "Radio=0:100"], "names no channel with spend in Data"),
        (["--bounds", "Video=5000:1000"], "the minimum 5,000 is above the maximum 1,000"),
        (["--bounds", "Video=abc"], "'abc' is not an amount"),
        (["--bounds", "affiliate=0:100"], "Affiliate keeps its current spend because it has"),
        (["--budget", "-5"], "a budget cannot be negative"),
        (["--budget", "100", "--bounds", "Paid Search=locked"], "--budget (100 over the period)"),
        (["--bounds", "Video=900000:"], "the current spend ("),
        (["--metric", "clicks"], "choose one of revenue, conversions, new_customers"),
        (["--period", "0"], "--period 0"),
    ],
)
def test_bad_options_are_refused_on_one_line(plan: Path, args: list[str], message: str) -> None:
    before = plan.read_bytes()
    out = run("allocate", plan, *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert plan.read_bytes() == before


def test_a_new_budget_needs_a_channel_with_a_curve(edge_plan: PlanResult) -> None:
    with pytest.raises(XlmplanError, match="no channel has a curve to take a different budget"):
        allocate_plan(edge_plan.path, budget=10_000_000)
    held = allocate_plan(edge_plan.path)
    assert not any(c.fit.estimable for c in held.channels)
    assert held.recommended.spend == held.current.spend
    assert held.explanation()[0].startswith("No paid channel could be fitted")


def test_budget_above_the_users_maximums_is_refused(plan: Path) -> None:
    bounds = [f"{sim.name}=0:1000" for sim in TRUE_CHANNELS]
    with pytest.raises(XlmplanError, match="is above what the channels may take"):
        allocate_plan(plan, budget=10_000_000, months=3, bounds=bounds)


def test_large_budget_raises_default_maximums_with_a_warning(plan: Path) -> None:
    result = allocate_plan(plan, budget=2_000_000, months=3)
    assert result.warnings and "maximums were raised" in result.warnings[0]
    assert any("extrapolation" in w for w in result.warnings)


def test_parse_bounds_forms() -> None:
    fixed, open_top, locked = parse_bounds(["A=300", "B = 100:", "C=Locked"])
    assert (fixed.low, fixed.high, fixed.locked) == (300.0, 300.0, False)
    assert (open_top.channel, open_top.low, open_top.high) == ("B", 100.0, None)
    assert locked.locked
    with pytest.raises(XlmplanError, match="write it as 'Channel=min:max'"):
        parse_bounds(["no equals sign"])
    with pytest.raises(XlmplanError, match="cannot be negative"):
        parse_bounds(["A=-1:5"])


@pytest.mark.parametrize(
    "module",
    ["xlmplan.cli", "xlmplan.mix", "xlmplan.core.response", "xlmplan.refresh", "xlmplan.api"],
)
def test_start_up_does_not_import_scipy(module: str) -> None:
    """Neither the CLI nor the budget-mix modules import scipy until a fit or an allocation
    runs, so other commands (and the formula twins) do not pay for its import."""
    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout
    assert "'xlmplan'" in loaded and "'scipy'" not in loaded
