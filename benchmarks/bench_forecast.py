"""Benchmark what the forecast adds to ``new`` and ``refresh`` at a given Data size.

Both commands run in this process, alternately with the forecast on and off (off: the
engine's forecast step skipped, the Forecast sheet laid out blank), so the ratio on ÷ off
is measured against an anchor run under the same load. Two Data shapes:

* year: one plan year of Data, as of its last day (no period left: the year-end is the
  actual, no model is fitted; the shape of today's benchmarks);
* mid-year: 28 months of Data ending in April of the plan year, as of 30 April (two
  seasons of history: statsmodels' ETS is imported and fitted for every KPI series).

    .venv/bin/python benchmarks/bench_forecast.py [--rows 100000] [--repeat 2]

Each case keeps its fastest run. statsmodels' first import is paid by the first forecast
run on (the cold column says what it cost, the warm runs do not include it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlmplan.api import new_plan  # noqa: E402
from xlmplan.core.engine import Engine, Results  # noqa: E402
from xlmplan.io.example_data import sized_data  # noqa: E402
from xlmplan.refresh import refresh_plan  # noqa: E402

SHAPES = {
    "year": (dt.date(2026, 1, 1), 12, "2026-01"),
    "mid-year": (dt.date(2024, 1, 1), 28, "2026-01"),
}


@contextmanager
def forecast(on: bool) -> Iterator[None]:
    """The engine with its forecast step, or without it."""
    real = Engine._forecast

    def skipped(self: Engine, res: Results) -> None:
        return None

    if not on:
        Engine._forecast = skipped  # type: ignore[method-assign]
    try:
        yield
    finally:
        Engine._forecast = real  # type: ignore[method-assign]


def timed(job: Callable[[], object]) -> float:
    start = time.perf_counter()
    job()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlmplan-bench-forecast-") as tmp:
        folder = Path(tmp)
        print(f"{args.rows:,} Data rows, best of {args.repeat}")
        print("shape     command  off (s)  on (s)  on ÷ off")
        for shape, (first, months, start) in SHAPES.items():
            csv = folder / f"{shape}.csv"
            sized_data(args.rows, first, months).to_csv(csv, index=False)
            best: dict[tuple[str, bool], float] = {}
            for _ in range(args.repeat):
                for on in (False, True):
                    plan = folder / f"{shape}-{on}.xlsx"
                    with forecast(on):
                        t_new = timed(
                            lambda p=plan, c=csv, s=start: new_plan(p, data=c, start=s, force=True)
                        )
                        copy = folder / f"{shape}-{on}-copy.xlsx"
                        shutil.copy(plan, copy)
                        t_refresh = timed(lambda c=copy: refresh_plan(c, backup=False))
                    for key, value in (("new", t_new), ("refresh", t_refresh)):
                        best[(key, on)] = min(best.get((key, on), value), value)
            for command in ("new", "refresh"):
                off, on_ = best[(command, False)], best[(command, True)]
                print(f"{shape:9} {command:8} {off:7.2f} {on_:7.2f}  {on_ / off:7.3f}")


if __name__ == "__main__":
    main()
