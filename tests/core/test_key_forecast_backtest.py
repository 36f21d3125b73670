"""Answer key for the forecast backtest at its edges (``xlmplan.core.forecast.backtest``):
each step ahead scaled by its own period's days, the seasonal naive from the first origin a
season in, the default first origin and season, and a series too short to score.

Short series use the run-rate rule: the forecast is Σy ÷ Σdays × the period's days.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from xlmplan.core.forecast import ETS, backtest, start_states

pytestmark = pytest.mark.core


def test_naive_and_seasonal_naive_use_the_days_of_the_period_they_forecast() -> None:
    """y = 10 20 30 40 50 over 10 10 10 20 40 days (rates 1 2 3 2 1.25), season 2, from
    origin 3, two ahead.
    Origin 3: run-rate 60/30 = 2 a day: 40 for 40 (0), 80 for 50 (30); naive, the last rate
    3: 60 for 40 (20), 120 for 50 (70); seasonal, rates[1] = 2 and rates[2] = 3: 40 for 40
    (0), 120 for 50 (70).
    Origin 4: run-rate 100/50 = 2: 80 for 50 (30); naive rate 2: 80 (30); seasonal
    rates[2] = 3: 120 (70).
    Scale: the mean step 10. MASE 60/3/10 = 2, naive 120/3/10 = 4, seasonal 140/3/10."""
    b = backtest(
        [10.0, 20.0, 30.0, 40.0, 50.0], 2, season_length=2, days=[10, 10, 10, 20, 40], min_train=3
    )
    assert (b.origins, b.points) == (2, 3)
    assert b.mase == pytest.approx(2.0)
    assert b.mase_naive == pytest.approx(4.0)
    assert b.mase_seasonal_naive == pytest.approx(14 / 3)


def test_the_seasonal_naive_starts_at_the_origin_one_season_in() -> None:
    # y = 10 20 40, season 2, origin 2 (exactly one season in): the seasonal naive is
    # y[0] = 10 for 40 (30); the scale is (10 + 20) / 2 = 15: 30 / 15 = 2
    b = backtest([10.0, 20.0, 40.0], 1, season_length=2, min_train=2)
    assert b.mase_seasonal_naive == pytest.approx(2.0)


def test_a_series_of_up_to_two_seasons_starts_half_way() -> None:
    # six periods, season 12 (not longer than two seasons): the first origin is 6 // 2 = 3,
    # so origins 3, 4 and 5
    b = backtest([10.0, 20.0, 30.0, 40.0, 50.0, 60.0], 1)
    assert (b.origins, b.points) == (3, 3)


def test_the_default_season_is_twelve_periods() -> None:
    # 25 periods, more than two seasons of 12: the first origin is 24, one forecast from
    # 24 periods of history, which is a seasonal model's two full seasons
    season = [5.0, -3.0, 2.0, 0.0, -4.0, 1.0, 3.0, -2.0, 0.0, 4.0, -1.0, -5.0]
    series = [100.0 + t + season[t % 12] for t in range(25)]
    b = backtest(series, 1)
    assert (b.origins, b.points) == (1, 1)
    assert b.models == (ETS,)


def test_one_period_is_too_short_to_score_and_warns_of_nothing() -> None:
    # no origin, no step to scale by: every score blank, and no empty-mean warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = backtest([5.0], 1)
    assert (b.origins, b.points, b.mase, b.mase_naive, b.coverage) == (0, 0, None, None, None)


def test_the_start_without_a_horizon_has_no_forecast_rows() -> None:
    x = np.array([10.0 + 2 * t + (3.0, -1.0, -4.0, 2.0)[t % 4] for t in range(12)])
    level, trend, _, spread = start_states(x, 4)
    assert (level, trend) == (pytest.approx(10.0), pytest.approx(2.0))
    assert spread.shape == (0,)
