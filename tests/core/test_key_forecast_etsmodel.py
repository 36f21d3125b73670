"""ets_fit against statsmodels' own ETSModel: the same smoothing parameters, error, forecast
and forecast variance, to 1e-12, on noisy seasonal series (a key whose expectation is the
library's public model, which the fit drives through its compiled smoother)."""

from __future__ import annotations

import numpy as np
import pytest

from xlmplan.core.forecast import ets_fit, ets_variance, start_states

pytestmark = pytest.mark.core


def test_ets_fit_is_statsmodels_etsmodel_fit() -> None:
    """On 20 noisy seasonal series of 24-36 months, the smoothing parameters, the mean
    squared error, the forecast 30 periods ahead (past two more seasons) and its analytic
    variance equal those of statsmodels' own ETSModel fitted from the same known start."""
    import warnings

    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(3)
    m, h = 12, np.arange(1, 31)
    for trial in range(20):
        n = 24 + trial % 13
        t = np.arange(n)
        noise = rng.normal(0, 0.05 + 0.1 * (trial % 3), n)
        x = 1 + 0.01 * t + 0.2 * np.sin(2 * np.pi * t / m) + noise
        level, trend, seasonal, _ = start_states(x, m)
        alpha, beta, gamma, last, mse = ets_fit(x, level - trend, trend, seasonal)
        model = ETSModel(pd.Series(x), error="add", trend="add", seasonal="add",
                         seasonal_periods=m, initialization_method="known",
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
        mean = last[0] + h * last[1] + last[2:][::-1][(h - 1) % m]
        assert mean == pytest.approx(np.asarray(prediction.predicted_mean), abs=1e-12)
        assert mse * ets_variance(alpha, beta, gamma, m, h) == pytest.approx(
            np.asarray(prediction.forecast_variance), abs=1e-12
        )
