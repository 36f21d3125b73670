"""ets_fit against statsmodels' own ETSModel: the same smoothing parameters, error, forecast
and forecast variance, to 1e-12 (a key whose expectation is the library's public model,
which the fit drives through its compiled smoother)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from xlmplan.core.forecast import ets_fit, ets_variance, start_states

pytestmark = pytest.mark.core

M = 12


def simulated(rng: np.random.Generator, n: int) -> np.ndarray:
    """A series drawn from ETS(A,A,A) itself with α = 0.4, β = 0.2, γ = 0.4, so that the
    fitted smoothing parameters lie inside their bounds, not on them."""
    level, trend = 1.0, 0.01
    season = list(0.3 * np.sin(2 * np.pi * np.arange(M) / M))
    out = []
    for _ in range(n):
        e = rng.normal(0, 0.05)
        out.append(level + trend + season[-M] + e)
        level, trend = level + trend + 0.4 * e, trend + 0.2 * e
        season.append(season[-M] + 0.4 * e)
    return np.array(out)


def test_ets_fit_is_statsmodels_etsmodel_fit() -> None:
    """Ten series of 48-72 months: the smoothing parameters, the mean squared error, the
    forecast 30 periods ahead (past two more seasons) and its analytic variance equal those
    of ETSModel fitted from the same known start."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(5)
    h = np.arange(1, 31)
    inside = np.zeros(3, dtype=int)
    for trial in range(10):
        x = simulated(rng, 48 + 3 * trial)
        n = len(x)
        level, trend, seasonal, _ = start_states(x, M)
        alpha, beta, gamma, last, mse = ets_fit(x, level - trend, trend, seasonal)
        model = ETSModel(pd.Series(x), error="add", trend="add", seasonal="add",
                         seasonal_periods=M, initialization_method="known",
                         initial_level=level - trend, initial_trend=trend,
                         initial_seasonal=seasonal)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = model.fit(disp=False, maxiter=200)
            prediction = fit.get_prediction(start=n, end=n + 29)
        assert (alpha, beta, gamma, mse) == pytest.approx(
            (fit.smoothing_level, fit.smoothing_trend, fit.smoothing_seasonal, fit.mse),
            abs=1e-12,
        )
        mean = last[0] + h * last[1] + last[2:][::-1][(h - 1) % M]
        assert mean == pytest.approx(np.asarray(prediction.predicted_mean), abs=1e-12)
        assert mse * ets_variance(alpha, beta, gamma, M, h) == pytest.approx(
            np.asarray(prediction.forecast_variance), abs=1e-12
        )
        inside += [0.001 < v < 0.999 for v in (alpha, beta / alpha, gamma / (1 - alpha))]
    # the comparison means something only away from the bounds [0.0001, 0.9999]: α is
    # inside them in 8 of the 10 fits, β/α in 4, γ/(1 − α) in 2
    assert inside.tolist() == [8, 4, 2]
