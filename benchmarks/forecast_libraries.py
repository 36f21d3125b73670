"""Compare forecasting libraries on the project's backtest: accuracy, interval coverage,
fit time and cold import time.

Each library forecasts the per-day rates of simulated monthly series (level, linear trend,
a yearly shape and noise, the same series for every library) through
``xlmplan.core.forecast.backtest``: rolling origins every ``--step`` months after two
seasons, up to 12 months ahead. MASE is reported as a ratio to the seasonal-naive
forecast's on the same points (below 1 is better). Run it in an environment that has the
library (it needs only numpy, pandas and that library):

    python benchmarks/forecast_libraries.py --library statsmodels [--series 20]
    python benchmarks/forecast_libraries.py --library statsforecast      # AutoETS, any model
    python benchmarks/forecast_libraries.py --library statsforecast-aaa  # AutoETS, ETS(A,A,A)
    python benchmarks/forecast_libraries.py --library pmdarima
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlmplan.core import forecast as fc  # noqa: E402

Fitter = Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]

IMPORTS = {
    "statsmodels": "import statsmodels.tsa.exponential_smoothing.ets",
    "statsforecast": "import statsforecast.models",
    "statsforecast-aaa": "import statsforecast.models",
    "pmdarima": "import pmdarima",
}


def simulate(rng: np.random.Generator, n: int, m: int = 12) -> np.ndarray:
    """Level + linear trend + a noisy yearly shape + Gaussian noise, floored at 0."""
    level = rng.uniform(200, 2000)
    trend = level * rng.uniform(-0.01, 0.03)
    amplitude = level * rng.uniform(0.1, 0.4)
    shape = np.sin(2 * np.pi * np.arange(m) / m + rng.uniform(0, 2 * np.pi))
    shape += rng.normal(0, 0.3, m)
    t = np.arange(n)
    noise = rng.normal(0, level * rng.uniform(0.03, 0.12), n)
    return np.maximum(level + trend * t + amplitude * shape[t % m] + noise, 0)


def statsforecast_fit(
    rate: np.ndarray, h: int, m: int, model: str = "ZZZ"
) -> tuple[np.ndarray, ...]:
    from statsforecast.models import AutoETS

    out = AutoETS(season_length=m, model=model).forecast(y=rate.astype(float), h=h, level=[80])
    return out["mean"], out["lo-80"], out["hi-80"]


def statsforecast_aaa_fit(rate: np.ndarray, h: int, m: int) -> tuple[np.ndarray, ...]:
    return statsforecast_fit(rate, h, m, "AAA")


def pmdarima_fit(rate: np.ndarray, h: int, m: int) -> tuple[np.ndarray, ...]:
    import pmdarima

    # the default OCSB seasonal test fails on two seasons; Canova-Hansen does not
    model = pmdarima.auto_arima(
        rate, seasonal=True, m=m, seasonal_test="ch", suppress_warnings=True, error_action="ignore"
    )
    mean, bounds = model.predict(n_periods=h, return_conf_int=True, alpha=0.2)
    return np.asarray(mean), bounds[:, 0], bounds[:, 1]


def cold_import(library: str, runs: int = 3) -> float:
    """The fastest of ``runs`` imports, each in a fresh interpreter."""
    code = (
        f"import time; t = time.perf_counter(); {IMPORTS[library]}; print(time.perf_counter() - t)"
    )
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(runs)
    ]  # fmt: skip
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", choices=sorted(IMPORTS), required=True)
    parser.add_argument("--series", type=int, default=20)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--step", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    fitters: dict[str, Fitter] = {
        "statsforecast": statsforecast_fit,  # type: ignore[dict-item]
        "statsforecast-aaa": statsforecast_aaa_fit,  # type: ignore[dict-item]
        "pmdarima": pmdarima_fit,  # type: ignore[dict-item]
    }
    if args.library in fitters:
        fc._ets = fitters[args.library]  # the seasonal model of forecast(), swapped
    import_seconds = cold_import(args.library)
    rng = np.random.default_rng(args.seed)
    results = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(args.series):
            results.append(fc.backtest(simulate(rng, args.months), 12, 12, step=args.step))
    seconds = time.perf_counter() - start
    fits = sum(b.origins for b in results)
    report = {
        "library": args.library,
        "series": args.series,
        "fits": fits,
        "mase_vs_seasonal_naive": round(
            float(np.mean([b.mase / b.mase_seasonal_naive for b in results])), 3
        ),
        "mase_vs_naive": round(float(np.mean([b.mase / b.mase_naive for b in results])), 3),
        "coverage_80": round(float(np.mean([b.coverage for b in results])), 3),
        "seconds_per_fit": round(seconds / fits, 3),
        "cold_import_seconds": round(import_seconds, 2),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
