"""Answer key for which model a forecast uses (``xlmplan.core.forecast.forecast``): the
default season of twelve periods, a seasonal history whose rates vary by less than one a
day, one that does not vary at all, and the refusal of mismatched lengths."""

from __future__ import annotations

import pytest

from xlmplan.core.forecast import ETS, RUN_RATE, Forecast, forecast

pytestmark = pytest.mark.core


def test_two_years_of_small_rates_get_the_seasonal_model_by_default() -> None:
    # 24 monthly rates between 1.00 and 1.29 a day (under one apart): two seasons of the
    # default 12, and rates that vary, so ETS(A,A,A)
    rates = [1.0 + 0.01 * t + 0.03 * (t % 3) for t in range(24)]
    f = forecast(rates, 2)
    assert f.model == ETS
    assert all(v is not None and v > 0 for v in f.mean)


def test_a_flat_seasonal_history_keeps_the_run_rate() -> None:
    # 12 periods of 2 a day over 30 days (three seasons of 4): nothing varies, so the
    # run-rate 2 a day, 62 for a 31-day period with no spread
    f = forecast([60.0] * 12, 1, season_length=4, days=[30.0] * 12, future_days=[31.0])
    assert f == Forecast(RUN_RATE, (62.0,), (62.0,), (62.0,))


def test_mismatched_lengths_are_refused_with_the_whole_message() -> None:
    with pytest.raises(ValueError, match=r"^days and future_days must give one length per period$"):
        forecast([1.0, 2.0], 1, days=[1.0])
