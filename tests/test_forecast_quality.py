"""Forecast quality on the bundled example: three years of the example shop (a growing
business with a yearly season), monthly revenue and sessions per channel and in total,
rolling-origin backtests as ``xlmplan check`` runs them (origins every third month after
two seasons, up to twelve months ahead). The simulated series are in test_forecast.py."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from xlmplan.core.forecast import ETS, Backtest, backtest
from xlmplan.core.kpi_forecast import BACKTEST_STEP, SEASON
from xlmplan.io.example_data import example_data


@pytest.fixture(scope="module")
def example_backtests() -> dict[tuple[str, str], Backtest]:
    frame = example_data(dt.date(2024, 1, 1), 36)  # fixed seed
    month = frame["date"].dt.to_period("M")
    out = {}
    for measure in ("revenue", "sessions"):
        for channel, rows in [*frame.groupby("channel"), ("All", frame)]:
            sums = rows.groupby(month[rows.index])[measure].sum()
            days = np.array([p.days_in_month for p in sums.index], dtype=float)
            out[(measure, str(channel))] = backtest(
                sums.to_numpy(), 12, SEASON, days, step=BACKTEST_STEP
            )
    return out


def test_every_example_series_beats_seasonal_naive(
    example_backtests: dict[tuple[str, str], Backtest],
) -> None:
    assert len(example_backtests) == 16  # 7 channels and the total, two measures
    for key, b in example_backtests.items():
        assert b.models == (ETS,) and b.points == 30, key
        assert b.mase is not None and b.mase_seasonal_naive is not None
        assert b.mase <= 0.9 * b.mase_seasonal_naive, key


def test_example_interval_covers_75_to_85_percent(
    example_backtests: dict[tuple[str, str], Backtest],
) -> None:
    points = sum(b.points for b in example_backtests.values())
    inside = sum((b.coverage or 0.0) * b.points for b in example_backtests.values())
    assert points == 480
    assert 0.75 <= inside / points <= 0.85
