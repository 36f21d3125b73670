"""Answer key for forecasts and their backtest (``xlmplan.core.forecast``), worked by hand.

The run-rate rule: rate = Σy / Σdays; mean = rate × the period's days; the 80 % interval is
rate ± t90(n−1) · s · √(1 + 1/n) per day, s the sample standard deviation of the past
periods' per-day rates, the lower bound floored at 0. t90(1) = 3.078, t90(2) = 1.886,
t90(3) = 1.638.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xlmplan.core.forecast import (
    ETS,
    RUN_RATE,
    Forecast,
    backtest,
    ets_variance,
    forecast,
    run_rate,
    seasonal_history,
    start_states,
    t90,
)

pytestmark = pytest.mark.core


def test_t90_table_and_its_normal_tail() -> None:
    assert t90(1) == 3.078
    assert t90(2) == 1.886
    assert t90(30) == 1.310
    assert t90(31) == 1.2816  # beyond the table: the normal quantile
    assert t90(0) == 1.2816


def test_seasonal_history_needs_two_full_seasons() -> None:
    assert seasonal_history(24, 12) and not seasonal_history(23, 12)
    # two seasons of 4 are 8 periods, but the model's start needs 10 observations
    assert seasonal_history(10, 4) and not seasonal_history(9, 4)
    assert not seasonal_history(8, 4)


def test_two_short_seasons_fall_back_to_the_run_rate() -> None:
    # 6 periods = two seasons of 3, fewer than the 10 the seasonal model needs: no error,
    # the run-rate over the history (215 over 6 periods = 35.833... a period)
    fc = forecast([10, 20, 30, 40, 50, 65], 1, season_length=3)
    assert fc.model == RUN_RATE


def test_run_rate_over_three_equal_periods() -> None:
    # rates 100, 120, 140: rate 120; s = 20; 20 * sqrt(4/3) = 23.0940; * 1.886 = 43.5553
    f = forecast([100.0, 120.0, 140.0], 2)
    assert f.model == RUN_RATE
    assert f.mean == (120.0, 120.0)
    half = 1.886 * 20.0 * math.sqrt(4 / 3)
    assert f.lower == pytest.approx((120.0 - half,) * 2)
    assert f.upper == pytest.approx((120.0 + half,) * 2)
    assert f.lower[0] == pytest.approx(76.4447, abs=1e-4)


def test_run_rate_per_day_of_periods_of_different_lengths() -> None:
    # 310 in 31 days, 560 in 28, 620 in 31: rates 10, 20, 20; overall 1490 / 90 = 16.5556
    # per day; January (31) 513.22, April (30) 496.67. s = 5.7735, * sqrt(4/3) = 6.6667,
    # * 1.886 = 12.5733: per day 3.9822 .. 29.1289
    f = forecast([310.0, 560.0, 620.0], 2, days=[31, 28, 31], future_days=[31, 30])
    rate = 1490 / 90
    assert f.mean == pytest.approx((rate * 31, rate * 30))
    half = 1.886 * (10 / math.sqrt(3)) * math.sqrt(4 / 3)
    assert f.lower == pytest.approx(((rate - half) * 31, (rate - half) * 30))
    assert f.upper == pytest.approx(((rate + half) * 31, (rate + half) * 30))
    assert f.upper[0] == pytest.approx(903.0, abs=0.01)


def test_run_rate_lower_bound_is_floored_at_zero() -> None:
    # rates 10 and 20: rate 15, s = 7.0711, * sqrt(1.5) = 8.6603, * 3.078 = 26.656 > 15
    f = forecast([10.0, 20.0], 1)
    assert f.lower == (0.0,)
    assert f.upper == pytest.approx((15.0 + 3.078 * math.sqrt(50) * math.sqrt(1.5),))


def test_run_rate_from_one_period_has_no_interval() -> None:
    # 50 in 5 days: 10 a day, 70 over 7 days; one rate says nothing about the spread
    f = forecast([50.0], 2, days=[5], future_days=[7, 3])
    assert f == Forecast(RUN_RATE, (70.0, 30.0), (None, None), (None, None))


def test_no_history_and_no_horizon() -> None:
    assert forecast([], 2) == Forecast(RUN_RATE, (None, None), (None, None), (None, None))
    assert forecast([1.0, 2.0], 0) == Forecast(RUN_RATE, (), (), ())
    empty = run_rate(np.array([]), np.array([]), np.ones(1))
    assert empty.mean == (None,)


def test_a_negative_rate_forecasts_zero() -> None:
    # refunds: -10 then -20 a period: rate -15, the forecast and its lower bound are
    # floored at 0; the upper bound -15 + 3.078 * 7.0711 * 1.2247 = 11.656 is not
    f = forecast([-10.0, -20.0], 1)
    assert f.mean == (0.0,) and f.lower == (0.0,)
    assert f.upper == pytest.approx((-15.0 + 3.078 * math.sqrt(50) * math.sqrt(1.5),))


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="one length per period"):
        forecast([1.0, 2.0], 1, days=[1.0])
    with pytest.raises(ValueError, match="one length per period"):
        forecast([1.0, 2.0], 2, future_days=[1.0])


def test_flat_seasonal_history_stays_on_the_run_rate() -> None:
    # two full seasons of the same per-day rate: nothing to smooth, the run-rate (no spread)
    f = forecast([31.0, 28.0, 31.0, 30.0] * 2, 1, season_length=4, days=[31, 28, 31, 30] * 2,
                 future_days=[31])  # fmt: skip
    assert f == Forecast(RUN_RATE, (31.0,), (31.0,), (31.0,))


def test_ets_continues_an_exact_trend_and_season() -> None:
    """Three seasons of 100 + 2t + a season of ±20 per day: ETS(A,A,A) continues it. The
    next four months are t = 36..39: 172 + 20, 174 + 0, 176 - 20, 178 + 0 per day, times
    31, 28, 31 and 30 days."""
    season = [20.0, 0.0, -20.0, 0.0]
    rate = [100.0 + 2 * t + season[t % 4] for t in range(36)]
    days = [30.0] * 36
    f = forecast(
        [r * 30 for r in rate], 4, season_length=4, days=days, future_days=[31, 28, 31, 30]
    )
    assert f.model == ETS
    expected = [192.0 * 31, 174.0 * 28, 156.0 * 31, 178.0 * 30]
    assert f.mean == pytest.approx(expected, rel=0.01)
    for lo, mid, hi in zip(f.lower, f.mean, f.upper, strict=True):
        assert lo is not None and hi is not None and mid is not None
        assert lo < mid < hi and lo >= 0.0


def test_backtest_by_hand() -> None:
    """y = 10 20 30 40 50, season 3, from two periods on, one ahead (run-rate throughout):
    origin 2 forecasts 15 for 30 (error 15; naive 20: 10; interval 0..41.66 holds it);
    origin 3 forecasts 20 for 40 (20; naive 10; seasonal naive y[0] = 10: 30; 0..41.78
    holds it); origin 4 forecasts 25 for 50 (25; naive 10; seasonal y[1] = 20: 30; the
    interval 25 ± 1.638 · 12.91 · √1.25 = 1.36..48.64 misses it). The scale is the mean
    absolute step, 10: MASE 2.0, naive 1.0, seasonal naive 3.0, coverage 2 of 3."""
    b = backtest([10.0, 20.0, 30.0, 40.0, 50.0], 1, season_length=3, min_train=2)
    assert (b.origins, b.points) == (3, 3)
    assert b.mase == pytest.approx(2.0)
    assert b.mase_naive == pytest.approx(1.0)
    assert b.mase_seasonal_naive == pytest.approx(3.0)
    assert b.coverage == pytest.approx(2 / 3)
    assert b.models == (RUN_RATE,)


def test_backtest_horizon_step_and_default_start() -> None:
    # default start for a short series: half of it (5 // 2 = 2); horizon 2 is cut at the
    # end: origins 2, 3, 4 score 2 + 2 + 1 points
    b = backtest([10.0, 20.0, 30.0, 40.0, 50.0], 2, season_length=3)
    assert (b.origins, b.points) == (3, 5)
    # origin 2: 15 for 30 and 40 (15, 25); origin 3: 20 for 40, 50 (20, 30); origin 4: 25
    # for 50 (25): mean 23 over the scale 10
    assert b.mase == pytest.approx(2.3)
    # naive, from the last rate before each origin: 10, 20; 10, 20; 10 -> 14 / 10
    assert b.mase_naive == pytest.approx(1.4)
    # seasonal naive from origin 3: 40 - 10, 50 - 20 (j = 1 looks one season back from
    # origin + 1); origin 4: 50 - 20: all 30
    assert b.mase_seasonal_naive == pytest.approx(3.0)
    stepped = backtest([10.0, 20.0, 30.0, 40.0, 50.0], 1, season_length=3, min_train=2, step=2)
    assert (stepped.origins, stepped.points) == (2, 2)  # origins 2 and 4
    assert stepped.mase == pytest.approx((15 + 25) / 2 / 10)


def test_backtest_with_days_and_without_scale() -> None:
    # per-day rates 1, 2 over 10-day periods, then 30 in 10 days: run-rate 1.5 * 10 = 15,
    # naive 2 * 10 = 20 -> errors 15 and 10 over the scale (|20-10| + |30-20|) / 2 = 10
    b = backtest([10.0, 20.0, 30.0], 1, season_length=12, days=[10, 10, 10], min_train=2)
    assert b.mase == pytest.approx(1.5) and b.mase_naive == pytest.approx(1.0)
    assert b.mase_seasonal_naive is None  # no origin a season in
    # a flat series has no scale: no MASE, and one history period gives no interval
    flat = backtest([5.0, 5.0, 5.0], 1, season_length=12, min_train=1)
    assert (flat.mase, flat.mase_naive, flat.coverage) == (None, None, 1.0)
    one = backtest([5.0, 6.0], 1, min_train=1)
    assert one.coverage is None and one.mase == pytest.approx(1.0)  # 5 for 6 over the step 1


def test_ets_starts_from_the_least_squares_line_and_season() -> None:
    """x_t = 10 + 2t + (3, -1, -4, 2)[t mod 4] exactly: the start is level 10 at the first
    period, trend 2 and those effects. The spread of the fitted line one period past 12
    points (t = 12, position 0) is x0'(X'X)^-1 x0; in the full-dummy form [t, d0..d3] the
    column space is the same, so it is computed there independently."""
    effects = [3.0, -1.0, -4.0, 2.0]
    x = np.array([10.0 + 2 * t + effects[t % 4] for t in range(12)])
    level, trend, seasonal, spread = start_states(x, 4, 2)
    assert level == pytest.approx(10.0) and trend == pytest.approx(2.0)
    assert seasonal == pytest.approx(effects)
    t = np.arange(14)
    full = np.column_stack([t, *((t % 4 == j).astype(float) for j in range(4))])
    inverse = np.linalg.inv(full[:12].T @ full[:12])
    assert spread == pytest.approx([row @ inverse @ row for row in full[12:]])


def test_ets_interval_adds_the_starts_spread_over_the_regressions_dof() -> None:
    """20 per-day rates (trend, a season of four, a fixed wiggle): the start's coefficients
    are 4 + 1 = 5, so σ² is taken over 20 - 5 = 15 and the quantile is t90(15) = 1.341;
    the variance is statsmodels' analytic one (from the least-squares start) plus the
    mean squared error × the start's spread, around statsmodels' own mean."""
    import warnings

    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    season = [20.0, 0.0, -20.0, 0.0]
    wiggle = [3.0, -2.0, 1.0, -4.0, 2.0, 0.0, -1.0, 4.0, -3.0]
    rate = np.array([100.0 + 2 * t + season[t % 4] + wiggle[t % 9] for t in range(20)])
    f = forecast(rate * 30, 4, season_length=4, days=[30.0] * 20, future_days=[31.0] * 4)
    assert f.model == ETS
    scale = float(rate.mean())
    x = rate / scale
    t = np.arange(24)
    full = np.column_stack([t, *((t % 4 == j).astype(float) for j in range(4))])
    beta = np.linalg.lstsq(full[:20], x, rcond=None)[0]
    level, trend, seasonal = beta[1:].mean(), beta[0], beta[1:] - beta[1:].mean()
    inverse = np.linalg.inv(full[:20].T @ full[:20])
    spread = np.array([row @ inverse @ row for row in full[20:]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(pd.Series(x), error="add", trend="add", seasonal="add",
                         seasonal_periods=4, initialization_method="known",
                         initial_level=level - trend, initial_trend=trend,
                         initial_seasonal=seasonal)  # fmt: skip
        fit = model.fit(disp=False, maxiter=200)
        prediction = fit.get_prediction(start=20, end=23)
    mean = np.asarray(prediction.predicted_mean) * scale
    variance = np.asarray(prediction.forecast_variance) + fit.mse * spread
    half = 1.341 * np.sqrt(variance * 20 / 15) * scale
    assert f.mean == pytest.approx(mean * 31, rel=1e-6)
    assert f.lower == pytest.approx((mean - half) * 31, rel=1e-6)
    assert f.upper == pytest.approx((mean + half) * 31, rel=1e-6)
    assert all(h > 0 for h in half)


def test_backtest_starts_two_seasons_in_when_the_series_is_longer() -> None:
    # season 2, six periods (more than two seasons): the first origin is 4. Run-rate
    # throughout (fewer than ten periods): origin 4 forecasts the mean 25 for 50 (error 25),
    # origin 5 the mean 30 for 60 (30); naive 40 for 50 and 50 for 60 (10, 10); seasonal
    # naive y[2] = 30 for 50 and y[3] = 40 for 60 (20, 20); scale 10
    b = backtest([10.0, 20.0, 30.0, 40.0, 50.0, 60.0], 1, season_length=2)
    assert (b.origins, b.points) == (2, 2)
    assert (b.mase, b.mase_naive, b.mase_seasonal_naive) == pytest.approx((2.75, 1.0, 2.0))
    # exactly two seasons (four periods): half of it, origins 2 and 3
    assert backtest([10.0, 20.0, 30.0, 40.0], 1, season_length=2).origins == 2


def test_backtest_scales_each_step_ahead_by_its_own_days() -> None:
    # 10, 20, 30, 40 over 10, 10, 20, 30 days, two ahead from origin 2 on:
    # origin 2: rate 30 / 20 days = 1.5 -> 30 for 30 (0) and 45 for 40 (5); naive, the last
    # rate 2: 40 for 30 (10) and 60 for 40 (20);
    # origin 3: rate 60 / 40 days = 1.5 (the mean of 1, 2, 1.5 too) -> 45 for 40 (5);
    # naive 1.5 * 30 = 45 (5). Scale 10: MASE 10/3/10, naive 35/3/10
    b = backtest([10.0, 20.0, 30.0, 40.0], 2, days=[10, 10, 20, 30], min_train=2)
    assert (b.origins, b.points) == (2, 3)
    assert b.mase == pytest.approx(1 / 3) and b.mase_naive == pytest.approx(7 / 6)


def test_ets_variance_by_hand() -> None:
    """α = 0.5, β = 0.1, γ = 0.2, a season of 4. In error-correction form the h-step
    variance is 1 + Σ_{j<h} c_j², c_j = α + βj + γ·[j a multiple of m]:
    h = 1: 1; h = 2: 1 + 0.6² = 1.36; h = 5: 1 + 0.6² + 0.7² + 0.8² + (0.5 + 0.4 + 0.2)²
    = 1 + 0.36 + 0.49 + 0.64 + 1.21 = 3.7; h = 9 adds j = 5..8: 1.0², 1.1², 1.2² and
    (0.5 + 0.8 + 0.2)² = 1 + 1.21 + 1.44 + 2.25 = 5.9, so 9.6."""
    h = np.array([1, 2, 5, 9])
    assert ets_variance(0.5, 0.1, 0.2, 4, h) == pytest.approx([1, 1.36, 3.7, 9.6], abs=1e-12)
