"""Benchmark what the forecast adds to ``new`` and ``refresh`` at a given Data size.

Both commands run in this process, alternately with the forecast on and off (off: the
engine's forecast step skipped, the Forecast sheet laid out blank), so the ratio on ÷ off
is measured against an anchor run under the same load. Times are CPU seconds of this
process (``time.process_time``): on a machine shared with other jobs they vary far less
than wall time. Two Data shapes:

* year: one plan year of Data, as of its last day (no period left: the year-end is the
  actual, no model is fitted; the shape of the other benchmarks);
* mid-year: 28 months of Data ending in April of the plan year, as of 30 April (two
  seasons of history: a seasonal model is fitted for every KPI series).

    .venv/bin/python benchmarks/bench_forecast.py [--rows 100000] [--repeat 3]

One untimed run of each command with the forecast on comes first, so every timed run finds
the libraries imported (the import's own cost is printed apart: a fresh ``xlmplan new``
or ``refresh`` pays it once). Each case reports its median over ``--repeat`` runs, and the
CPU seconds of the forecast step itself (``Engine._forecast``) in the last run on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
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
IMPORT = (
    "import time, pandas, numpy, xlmplan.api; t = time.process_time(); "
    "from xlmplan.core.forecast import forecast; "
    "forecast([float(i % 12 + i) for i in range(24)], 2); "
    "print(time.process_time() - t)"
)


@contextmanager
def forecast(on: bool, spent: list[float]) -> Iterator[None]:
    """The engine with its forecast step (its CPU seconds appended to ``spent``), or
    without it."""
    real = Engine._forecast

    def skipped(self: Engine, res: Results) -> None:
        return None

    def counted(self: Engine, res: Results) -> None:
        start = time.process_time()
        real(self, res)
        spent.append(time.process_time() - start)

    Engine._forecast = counted if on else skipped  # type: ignore[method-assign]
    try:
        yield
    finally:
        Engine._forecast = real  # type: ignore[method-assign]


def cpu(job: Callable[[], object]) -> float:
    start = time.process_time()
    job()
    return time.process_time() - start


def first_use() -> float:
    """CPU seconds a fresh interpreter (pandas and xlmplan loaded) spends on its first
    seasonal forecast: the model library's import and one fit."""
    out = subprocess.run(
        [sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"first seasonal forecast in a fresh process: {first_use():.2f} CPU s")
    with tempfile.TemporaryDirectory(prefix="xlmplan-bench-forecast-") as tmp:
        folder = Path(tmp)
        print(f"{args.rows:,} Data rows, median of {args.repeat}, CPU seconds")
        print("shape     command  off (s)  on (s)  on ÷ off  forecast step (s)")
        for shape, (first, months, start) in SHAPES.items():
            csv = folder / f"{shape}.csv"
            sized_data(args.rows, first, months).to_csv(csv, index=False)
            runs: dict[tuple[str, bool], list[float]] = {}
            steps: dict[str, list[float]] = {"new": [], "refresh": []}
            for i in range(args.repeat + 1):
                for on in (False, True):
                    plan = folder / f"{shape}-{on}.xlsx"
                    spent: list[float] = []
                    with forecast(on, spent):
                        t_new = cpu(
                            lambda p=plan, c=csv, s=start: new_plan(p, data=c, start=s, force=True)
                        )
                        step_new = sum(spent)
                        copy = folder / f"{shape}-{on}-copy.xlsx"
                        shutil.copy(plan, copy)
                        t_refresh = cpu(lambda c=copy: refresh_plan(c, backup=False))
                    if i == 0:
                        continue  # the warm-up
                    runs.setdefault(("new", on), []).append(t_new)
                    runs.setdefault(("refresh", on), []).append(t_refresh)
                    if on:
                        steps["new"].append(step_new)
                        steps["refresh"].append(sum(spent) - step_new)
            for command in ("new", "refresh"):
                off = statistics.median(runs[(command, False)])
                on_ = statistics.median(runs[(command, True)])
                step = statistics.median(steps[command])
                print(f"{shape:9} {command:8} {off:7.2f} {on_:7.2f}  {on_ / off:7.3f}  {step:9.2f}")


if __name__ == "__main__":
    main()
