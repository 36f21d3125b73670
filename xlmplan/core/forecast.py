"""Forecasts of a base measure for the plan's remaining periods, with an 80 % interval.

A series of period sums (months or weeks) is forecast per day of each period, so months of
28 to 31 days compare fairly. With two full seasons of history the model is exponential
smoothing with additive error, trend and seasonality (statsmodels' ETS smoother, fitted by
maximum likelihood as its ``ETSModel`` does) from a least-squares start, with analytic
prediction intervals; see docs/forecasting.md for why. With less history it is the run-rate
rule: the average per-day rate so far times the period's days, with an interval from the
spread of the per-day rates of past periods.

statsmodels and scipy are imported only when a seasonal model is fitted, so commands that
do not forecast never load them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LEVEL = 0.8
ETS = "ETS(A,A,A)"
RUN_RATE = "run-rate"

# Student's t 90th percentile (a two-sided 80 % interval) for 1..30 degrees of freedom.
_T90 = (
    3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
    1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
    1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310,
)  # fmt: skip
_Z90 = 1.2816  # the normal 90th percentile


@dataclass(frozen=True)
class Forecast:
    """Per remaining period: the central value and the 80 % interval, and the model used.

    The interval bounds are None where the history cannot say how wide it is (a run-rate
    from one period); every value is None without any history.
    """

    model: str
    mean: tuple[float | None, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]


SEASONAL_MIN = 10  # the least observations a seasonal model is fitted to


def seasonal_history(n: int, season_length: int) -> bool:
    """Enough history for a seasonal model: two full seasons, and at least ten
    observations (shorter: the run-rate)."""
    return n >= max(2 * season_length, SEASONAL_MIN)


def forecast(
    history: Sequence[float] | np.ndarray,
    horizon: int,
    season_length: int = 12,
    days: Sequence[float] | np.ndarray | None = None,
    future_days: Sequence[float] | np.ndarray | None = None,
) -> Forecast:
    """Forecast ``horizon`` periods after ``history`` (whole periods' sums, oldest first).

    ``days`` gives each history period's length and ``future_days`` each forecast
    period's; without them every period counts as one day.
    """
    y = np.asarray(history, dtype=float)
    d = np.ones(len(y)) if days is None else np.asarray(days, dtype=float)
    fd = np.ones(horizon) if future_days is None else np.asarray(future_days, dtype=float)
    if len(d) != len(y) or len(fd) != horizon:
        raise ValueError("days and future_days must give one length per period")
    if horizon == 0:
        return Forecast(RUN_RATE, (), (), ())
    rate = y / d
    if seasonal_history(len(y), season_length) and np.ptp(rate) > 0:
        mean, lower, upper = _ets(rate, horizon, season_length)
        return Forecast(ETS, *(_scaled(v, fd) for v in (mean, lower, upper)))
    return run_rate(y, d, fd)


def run_rate(y: np.ndarray, d: np.ndarray, fd: np.ndarray) -> Forecast:
    """The run-rate rule: per-day rate to date × days, interval from past periods' rates.

    The interval is rate ± t(0.9, n−1) × s × √(1 + 1/n) per day, s the standard deviation
    of the past periods' per-day rates (a prediction interval for one more period).
    """
    n = len(y)
    if n == 0:
        none = (None,) * len(fd)
        return Forecast(RUN_RATE, none, none, none)
    rate = float(y.sum() / d.sum())
    mean = rate * fd
    if n < 2:
        none = (None,) * len(fd)
        return Forecast(RUN_RATE, tuple(float(v) for v in mean), none, none)
    spread = float(np.std(y / d, ddof=1)) * math.sqrt(1 + 1 / n)
    t = t90(n - 1)
    lower = np.maximum(rate - t * spread, 0.0) * fd
    upper = (rate + t * spread) * fd
    return Forecast(RUN_RATE, *(_scaled(v, np.ones(len(fd))) for v in (mean, lower, upper)))


def _scaled(values: np.ndarray, days: np.ndarray) -> tuple[float | None, ...]:
    return tuple(float(max(v, 0.0) * k) for v, k in zip(values, days, strict=True))


def _ets(rate: np.ndarray, horizon: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 80 % bounds of ETS(A,A,A) fitted to the per-day rates.

    The start (initial level, trend and seasonal states) is :func:`start_states`, the
    least-squares line plus season over the whole history; the smoothing parameters are
    then fitted by maximum likelihood from it. The forecast variance is the model's
    analytic one plus that of the estimated start, σ² x₀ᵀ(XᵀX)⁻¹x₀ (x₀ the forecast
    period's row of the start's design): with smoothing parameters of 0 the model is that
    regression and the interval its prediction interval. σ² is taken over n − (m + 1)
    degrees of freedom (the start's coefficients) and the quantile is Student's t on as
    many (docs/forecasting.md shows the coverage this gives).
    """
    n = len(rate)
    scale = float(np.mean(np.abs(rate))) or 1.0
    x = rate / scale
    level, trend, seasonal, spread = start_states(x, m, horizon)
    alpha, beta, gamma, last, mse = ets_fit(x, level - trend, trend, seasonal)
    h = np.arange(1, horizon + 1)
    # the last level and trend carried forward, plus the season h periods on
    mean = last[0] + h * last[1] + last[2:][::-1][(h - 1) % m]
    variance = mse * (ets_variance(alpha, beta, gamma, m, h) + spread)
    dof = n - (m + 1)
    half = t90(dof) * np.sqrt(variance * n / dof)
    return mean * scale, (mean - half) * scale, (mean + half) * scale


def ets_fit(
    x: np.ndarray, level: float, trend: float, seasonal: np.ndarray
) -> tuple[float, float, float, np.ndarray, float]:
    """Maximum-likelihood smoothing parameters of ETS(A,A,A) from known initial states.

    ``level`` and ``trend`` are the states before the first observation and ``seasonal``
    the m seasonal states of the first m observations. This is statsmodels' ``ETSModel``
    (additive error, trend and season, ``initialization_method="known"``) fitted the way
    its ``fit`` does: its compiled smoother, the log-likelihood −n/2·(log 2π·MSE + 1), and
    L-BFGS-B from α = 0.1, β = 0.01, γ = 0.01 over α, β/α and γ/(1 − α) in
    [0.0001, 0.9999]. The model classes are not used because importing them costs about
    a second (scipy.stats, formulaic) for nothing used here; a test checks the result
    against ``ETSModel`` itself. Returns α, β, γ, the states after the last observation
    (level, trend, then the seasons newest first) and the mean squared one-step error.
    """
    from scipy.optimize import fmin_l_bfgs_b
    from statsmodels.tsa.exponential_smoothing._ets_smooth import (  # type: ignore[import-untyped]
        _ets_smooth_add_add,
    )

    n, m = len(x), len(seasonal)
    y = np.ascontiguousarray(x, dtype=float)
    fitted = np.zeros(n)
    states = np.zeros((n, 2 + m))
    is_fixed = np.array([0, 0, 0] + [1] * (3 + m), dtype=np.int64)
    fixed = np.concatenate([[0.0, 0.0, 0.0, 1.0, level, trend], seasonal[::-1]])

    def smooth(free: np.ndarray) -> float:
        _ets_smooth_add_add(free, y, fitted, states, is_fixed, fixed, True, True)
        return float(np.mean((y - fitted) ** 2))

    def cost(free: np.ndarray) -> float:
        # −log-likelihood / n, in statsmodels' order of operations: the optimiser's
        # finite differences then take the same steps
        log_likelihood = -n / 2 * (np.log(2 * np.pi * smooth(free)) + 1)
        return float(-log_likelihood / n)

    start = np.array([0.1, 0.01 / 0.1, 0.01 / (1 - 0.1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        best, _, _ = fmin_l_bfgs_b(
            cost, start, approx_grad=True, bounds=[(1e-4, 1 - 1e-4)] * 3, maxiter=200
        )
    mse = smooth(best)
    alpha = float(best[0])
    return alpha, alpha * float(best[1]), (1 - alpha) * float(best[2]), states[-1].copy(), mse


def ets_variance(alpha: float, beta: float, gamma: float, m: int, h: np.ndarray) -> np.ndarray:
    """ETS(A,A,A)'s forecast variance h periods ahead in units of σ² (Hyndman and
    Athanasopoulos, *Forecasting: principles and practice*, table 8.8; statsmodels' form):
    1 + (h − 1)(α² + αβh + β²h(2h − 1)/6) + γk(2α + γ + βm(k + 1)), k = ⌊(h − 1)/m⌋."""
    k = (h - 1) // m
    return (
        1
        + (h - 1) * (alpha**2 + alpha * beta * h + beta**2 / 6 * h * (2 * h - 1))
        + gamma * k * (2 * alpha + gamma + beta * m * (k + 1))
    )


def start_states(
    x: np.ndarray, m: int, horizon: int = 0
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """The least-squares fit of x_t = a + b·t + s_(t mod m) (the s summing to 0) over the
    whole series: the level a at the first period, the trend b, the m seasonal effects
    from the first period on, and x₀ᵀ(XᵀX)⁻¹x₀ for each of the ``horizon`` periods after
    the series (the variance of the fitted line plus season there, in units of σ²)."""
    n = len(x)
    t = np.arange(n + horizon)
    design = np.column_stack(
        [np.ones(len(t)), t, *((t % m == j).astype(float) for j in range(m - 1))]
    )
    future, history = design[n:], design[:n]
    beta = np.linalg.lstsq(history, x, rcond=None)[0]
    effects = np.append(beta[2:], 0.0)
    shift = float(effects.mean())
    spread = np.einsum("ij,jk,ik->i", future, np.linalg.pinv(history.T @ history), future)
    return float(beta[0]) + shift, float(beta[1]), effects - shift, spread


def t90(dof: int) -> float:
    """Student's t 90th percentile (normal beyond 30 degrees of freedom)."""
    return _T90[dof - 1] if 1 <= dof <= len(_T90) else _Z90


# --- rolling-origin backtest -------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin errors of the forecast against the naive and seasonal-naive ones.

    Each MASE is that method's mean absolute error over every held-out point, divided by
    the in-sample mean absolute one-step change of the series (the same scale for all
    three). ``coverage`` is the share of held-out points inside the 80 % interval, among
    those that had one.
    """

    origins: int
    points: int
    mase: float | None
    mase_naive: float | None
    mase_seasonal_naive: float | None
    coverage: float | None
    models: tuple[str, ...]


def backtest(
    history: Sequence[float] | np.ndarray,
    horizon: int,
    season_length: int = 12,
    days: Sequence[float] | np.ndarray | None = None,
    min_train: int | None = None,
    step: int = 1,
) -> Backtest:
    """Forecast from every ``step``-th origin from ``min_train`` periods on (default two
    seasons when the series is long enough, else half of it) up to ``horizon`` periods
    ahead, and score the forecasts against what followed."""
    y = np.asarray(history, dtype=float)
    d = np.ones(len(y)) if days is None else np.asarray(days, dtype=float)
    n, m = len(y), season_length
    if min_train is None:
        min_train = 2 * m if n > 2 * m else max(2, n // 2)
    errors: list[list[float]] = [[], [], []]
    inside, with_interval, models, origins = 0, 0, [], 0
    for origin in range(min_train, n, step):
        h = min(horizon, n - origin)
        f = forecast(y[:origin], h, m, d[:origin], d[origin : origin + h])
        origins += 1
        models.append(f.model)
        actual = y[origin : origin + h]
        rates = y[:origin] / d[:origin]
        for j in range(h):
            value, lo, hi = f.mean[j], f.lower[j], f.upper[j]
            if value is not None:
                errors[0].append(abs(actual[j] - value))
            errors[1].append(abs(actual[j] - rates[-1] * d[origin + j]))
            if origin >= m:
                back = origin - m + j % m
                errors[2].append(abs(actual[j] - rates[back] * d[origin + j]))
            if lo is not None and hi is not None:
                with_interval += 1
                inside += lo <= actual[j] <= hi
    scale = float(np.mean(np.abs(np.diff(y)))) if n > 1 else 0.0

    def mase(e: list[float]) -> float | None:
        return float(np.mean(e)) / scale if e and scale > 0 else None

    return Backtest(
        origins,
        len(errors[1]),
        mase(errors[0]),
        mase(errors[1]),
        mase(errors[2]),
        inside / with_interval if with_interval else None,
        tuple(dict.fromkeys(models)),
    )
