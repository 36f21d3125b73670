"""Forecasts: the model chosen by history, the run-rate rule by hand, the backtest by hand,
and forecast quality on simulated series with known trend, seasonality and noise."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from xlmplan.core.forecast import (
    ETS,
    RUN_RATE,
    backtest,
    forecast,
)


def simulate(rng: np.random.Generator, n: int, m: int = 12, seasonal: bool = True) -> np.ndarray:
    """Monthly sums: level + linear trend + a noisy yearly shape + Gaussian noise (≥ 0)."""
    level = rng.uniform(200, 2000)
    t = np.arange(n)
    noise = rng.normal(0, level * rng.uniform(0.03, 0.12), n)
    if not seasonal:
        return np.maximum(level + noise, 0)
    trend = level * rng.uniform(-0.01, 0.03)
    amplitude = level * rng.uniform(0.1, 0.4)
    shape = np.sin(2 * np.pi * np.arange(m) / m + rng.uniform(0, 2 * np.pi))
    shape += rng.normal(0, 0.3, m)
    return np.maximum(level + trend * t + amplitude * shape[t % m] + noise, 0)


# --- which model, and the run-rate rule by hand ----------------------------------------------


def test_seasonal_model_only_with_two_seasons() -> None:
    y = simulate(np.random.default_rng(3), 24)
    assert forecast(y[:23], 3).model == RUN_RATE
    seasonal = forecast(y, 3)
    assert seasonal.model == ETS and len(seasonal.mean) == 3
    assert all(lo <= mid <= hi for lo, mid, hi in zip(*_bounds(seasonal), strict=True))
    assert forecast(np.full(30, 7.0), 2).model == RUN_RATE  # nothing to fit in a flat series


def _bounds(f: object) -> tuple[list[float], list[float], list[float]]:
    return f.lower, f.mean, f.upper  # type: ignore[attr-defined]


def test_run_rate_by_hand() -> None:
    # 310 + 280 + 310 over 31 + 28 + 31 days = 900 / 90 = 10 a day; a 30-day month: 300.
    # Every month ran at 10 a day, so the interval has no width.
    f = forecast([310.0, 280.0, 310.0], 1, days=[31, 28, 31], future_days=[30])
    assert f.model == RUN_RATE and f.mean == (300.0,) and f.lower == f.upper == (300.0,)
    # Rates 100 and 300: mean 200, s = 141.421356, × √(1 + 1/2) = 173.205081,
    # × t(0.9, 1 dof) = 3.078: 533.125239. Upper 733.125239; the lower bound stops at 0.
    f = forecast([100.0, 300.0], 2)
    assert f.mean == (200.0, 200.0) and f.lower == (0.0, 0.0)
    assert f.upper[0] == pytest.approx(733.125239, abs=1e-6)


def test_run_rate_without_enough_history_says_nothing_it_cannot_know() -> None:
    one = forecast([50.0], 2, days=[10], future_days=[20, 5])
    assert one.mean == (100.0, 25.0) and one.lower == one.upper == (None, None)
    assert forecast([], 2).mean == (None, None)
    assert forecast([1.0, 2.0], 0).mean == ()
    with pytest.raises(ValueError, match="one length per period"):
        forecast([1.0, 2.0], 1, days=[30])


def test_backtest_by_hand() -> None:
    # Seasons of 2, one step ahead from origins 2 and 3 (too short for the seasonal model,
    # so run-rate). Origin 2: history 1, 2 -> 1.5 vs 3 (error 1.5); naive 2 (1); seasonal
    # naive y[0] = 1 (2). Origin 3: 1, 2, 3 -> 2 vs 4 (2); naive 3 (1); seasonal naive
    # y[1] = 2 (2). Scale: mean |change| = 1. MASE 1.75, naive 1, seasonal naive 2.
    # Intervals: 1.5 ± 3.078 × 0.707107 × √1.5 = [0, 4.166] holds 3;
    # 2 ± 1.886 × 1 × √(4/3) = [0, 4.178] holds 4: coverage 1.
    b = backtest([1.0, 2.0, 3.0, 4.0], horizon=1, season_length=2, min_train=2)
    assert (b.origins, b.points, b.models) == (2, 2, (RUN_RATE,))
    assert b.mase == pytest.approx(1.75) and b.mase_naive == pytest.approx(1.0)
    assert b.mase_seasonal_naive == pytest.approx(2.0) and b.coverage == 1.0


# --- quality on simulated series ------------------------------------------------------------


@pytest.fixture(scope="module")
def seasonal_backtests() -> list[object]:
    """30 series of 36 to 48 months, origins every 3 months after two seasons, 12 ahead."""
    rng = np.random.default_rng(2026)
    return [backtest(simulate(rng, int(rng.integers(36, 49))), 12, step=3) for _ in range(30)]


def test_seasonal_forecast_beats_seasonal_naive(seasonal_backtests: list[object]) -> None:
    ratios = [b.mase / b.mase_seasonal_naive for b in seasonal_backtests]  # type: ignore[attr-defined]
    assert all(b.models == (ETS,) for b in seasonal_backtests)  # type: ignore[attr-defined]
    assert float(np.mean(ratios)) <= 0.9, ratios


def test_seasonal_interval_covers_about_80_percent(seasonal_backtests: list[object]) -> None:
    inside = sum(b.coverage * b.points for b in seasonal_backtests)  # type: ignore[attr-defined]
    points = sum(b.points for b in seasonal_backtests)  # type: ignore[attr-defined]
    assert points > 1000
    assert 0.75 <= inside / points <= 0.85, inside / points


def test_run_rate_interval_covers_about_80_percent() -> None:
    # Level plus noise: the run-rate is the right model, so its interval should be honest.
    rng = np.random.default_rng(7)
    runs = [backtest(simulate(rng, 14, seasonal=False), 1, min_train=3) for _ in range(200)]
    assert {r.models for r in runs} == {(RUN_RATE,)}
    coverage = sum(r.coverage * r.points for r in runs) / sum(r.points for r in runs)
    assert 0.75 <= coverage <= 0.85, coverage
    assert math.isfinite(float(np.mean([r.mase for r in runs])))


def test_forecasting_library_loads_only_when_a_seasonal_model_is_fitted() -> None:
    code = (
        "import sys\n"
        "from xlmplan.core.forecast import forecast\n"
        "forecast([1.0, 2.0, 3.0], 2)\n"
        "print('statsmodels' in sys.modules)\n"
        "forecast([float(i % 12 + i) for i in range(24)], 2)\n"
        "print('statsmodels' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_seasonal_forecast_leaves_the_model_classes_and_scipy_stats_unloaded() -> None:
    # The model classes' import (scipy.stats, formulaic) costs about a second in a fresh
    # `new`; the fit drives statsmodels' compiled smoother instead.
    code = (
        "import sys\n"
        "from xlmplan.core.forecast import forecast\n"
        "assert forecast([float(i % 12 + i) for i in range(24)], 2).model == 'ETS(A,A,A)'\n"
        "heavy = ('statsmodels.tsa.exponential_smoothing.ets', 'scipy.stats', 'formulaic')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_weekly_series_need_two_years_for_the_seasonal_model() -> None:
    rng = np.random.default_rng(11)
    y = simulate(rng, 104, m=52)
    assert forecast(y[:103], 4, season_length=52, days=[7] * 103, future_days=[7] * 4).model == (
        RUN_RATE
    )
    weekly = forecast(y, 4, season_length=52, days=[7] * 104, future_days=[7] * 4)
    assert weekly.model == ETS
    assert all(lo <= mid <= hi for lo, mid, hi in zip(*_bounds(weekly), strict=True))
