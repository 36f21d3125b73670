"""Benchmark ``xlmplan allocate`` on 6 channels × 2 years of daily Data.

The plan is built with ``xlmplan new --data`` from data simulated as in the tests (four
channels with curves, one with constant spend, one without spend). Then:

- the whole command in a fresh process (``xlmplan allocate PLAN --json``: start-up, scipy's
  import, reading the plan, fitting, allocating), wall and CPU seconds (CPU time depends
  less on what else runs on the machine);
- the same steps in this process, split: reading the plan (``refresh.analyse``), weekly
  series, fitting (with the bootstrap), allocating, and the inverse (least spend for a
  target);
- the anchor, in the same process: reading the plan's Data with the plan reader alone
  (``open_plan`` + ``data_frame``), so the ratios say how many Data reads each step costs
  on this machine, whatever its load.

Then what the Budget mix sheet adds to ``xlmplan new``: the plan written from the demo
data and from 100,000 rows (``sized_data``), and inside it the fit and split the sheet
shows (``budget_mix.mix_of``, its memo cleared), each as seconds and as a share of the
whole ``new``, CPU seconds of this process (less sensitive to the machine's load).

    .venv/bin/python benchmarks/bench_allocate.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mix_sim import simulate  # noqa: E402
from readme_table import markdown_table  # noqa: E402

from xlmplan.api import new_plan  # noqa: E402
from xlmplan.core.allocator import allocate, least_spend  # noqa: E402
from xlmplan.core.response import fit_all, weekly  # noqa: E402
from xlmplan.io.example_data import example_data, sized_data  # noqa: E402
from xlmplan.mix import _channel, allocate_plan  # noqa: E402
from xlmplan.refresh import analyse  # noqa: E402
from xlmplan.sheets import budget_mix  # noqa: E402
from xlmplan.xlsx.plan_file import data_frame, open_plan  # noqa: E402


def best_of(repeat: int, step: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return min(times), result


def read_data(plan: Path) -> Any:
    pf = open_plan(plan)
    try:
        return data_frame(pf)
    finally:
        pf.close()


def read_plan(plan: Path) -> Any:
    an = analyse(plan)
    an.pf.close()
    return an.data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlmplan-bench-") as tmp:
        csv, plan = Path(tmp) / "sim.csv", Path(tmp) / "plan.xlsx"
        data = simulate(7, start=dt.date(2024, 7, 1))
        data.to_csv(csv, index=False)
        cli = [sys.executable, "-m", "xlmplan"]
        subprocess.run(
            [*cli, "new", plan, "--data", csv, "--start", "2026-01"],
            check=True,
            capture_output=True,
        )
        channels = data["channel"].nunique()
        print(
            f"{len(data):,} Data rows, {channels} channels, {data['date'].min():%Y-%m-%d} to "
            f"{data['date'].max():%Y-%m-%d}; {os.cpu_count()} CPUs"
        )

        anchor, _ = best_of(args.repeat, lambda: read_data(plan))
        walls, cpus = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([*cli, "allocate", plan, "--json"], check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        whole, cpu = min(walls), min(cpus)
        read, frame = best_of(args.repeat, lambda: read_plan(plan))
        series_t, series = best_of(args.repeat, lambda: weekly(frame))
        fit_t, fits = best_of(args.repeat, lambda: fit_all(series))
        weeks = 26.0
        chans = [_channel(f, None, weeks) for f in fits]
        budget = sum(ch.current for ch in chans)
        alloc_t, best = best_of(args.repeat, lambda: allocate(chans, budget))
        inverse_t, _ = best_of(args.repeat, lambda: least_spend(chans, best.total_response * 1.05))
        job_t, _ = best_of(1, lambda: allocate_plan(plan, target=1e7))

    rows = [
        ("read the plan's Data (anchor)", anchor),
        ("`xlmplan allocate --json`, fresh process (wall)", whole),
        ("`xlmplan allocate --json`, fresh process (CPU, user + system)", cpu),
        ("allocate_plan in this process, with --target", job_t),
        ("  read the plan (refresh.analyse)", read),
        ("  weekly series", series_t),
        ("  fit 6 channels (3 starts + 40 bootstrap refits per curve)", fit_t),
        ("  allocate (6 SLSQP starts)", alloc_t),
        ("  least spend for a target (brentq)", inverse_t),
    ]
    print(
        markdown_table(
            f"best of {args.repeat}; load average {os.getloadavg()[0]:.1f} at the end",
            ["step", "seconds", "× anchor"],
            "lrr",
            [[name, f"{sec:.2f}", f"{sec / anchor:.1f}"] for name, sec in rows],
        )
    )
    sheet_cost(args.repeat)


def cpu_of(step: Callable[[], Any]) -> float:
    start = time.process_time()
    step()
    return time.process_time() - start


def sheet_cost(repeat: int) -> None:
    """CPU seconds of ``new`` and of the Budget mix fit inside it, demo and 100k rows."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="xlmplan-bench-") as tmp:
        for label, frame in (("demo data", example_data()), ("100,000 rows", sized_data(100_000))):
            csv = Path(tmp) / "data.csv"
            frame.to_csv(csv, index=False)
            news, fits = [], []
            for i in range(repeat):
                budget_mix._CACHE.clear()
                budget_mix._SPLITS.clear()  # the split is remembered too
                out = Path(tmp) / f"plan{i}.xlsx"
                news.append(cpu_of(partial(new_plan, out, data=csv, start="2026-01", force=True)))
                budget_mix._CACHE.clear()
                budget_mix._SPLITS.clear()
                fits.append(cpu_of(partial(budget_mix.mix_of, frame)))
            whole, fit = min(news), min(fits)
            rows.append(
                [label, f"{len(frame):,}", f"{whole:.2f}", f"{fit:.2f}", f"{fit / whole:.0%}"]
            )
    print(
        markdown_table(
            f"CPU seconds, best of {repeat}",
            ["Data", "rows", "`new`", "Budget mix fit", "share"],
            "lrrrr",
            rows,
        )
    )


if __name__ == "__main__":
    main()
