"""Benchmark ``xlmplan new`` against LibreOffice recalculating the same workbook.

For each Data size it writes a CSV of generated rows and times ``xlmplan new`` twice:
in a fresh process (wall time and peak memory via GNU time, interpreter start-up and
imports included) and in this process (``new_plan``; the part after the data is read is
"compute + write": every derived value computed and the workbook written with its cached
values). Then LibreOffice loads the same file and runs ``calculateAll()`` in the same run
as the anchor. The ratios say how many times faster xlmplan is than LibreOffice's
recalculation of the workbook it wrote.

    .venv/bin/python benchmarks/bench_new.py [--sizes 1000,10000,100000] [--readme]

``--readme`` replaces the table between the benchmark markers in README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readme_table import markdown_table, write_readme  # noqa: E402

from xlmplan.api import new_plan  # noqa: E402
from xlmplan.io.example_data import sized_data  # noqa: E402
from xlmplan.libreoffice.runner import recalculate  # noqa: E402

BEGIN, END = "<!-- bench-new:begin -->", "<!-- bench-new:end -->"


def timed_new(csv: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``xlmplan new`` process."""
    cmd = [
        "/usr/bin/time",
        "-f",
        "%e %M",
        sys.executable,
        "-m",
        "xlmplan",
        "new",
        str(out),
        "--data",
        str(csv),
        "--force",
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    _elapsed, kbytes = done.stderr.strip().splitlines()[-1].split()
    return wall, int(kbytes) / 1024


def in_process(csv: Path, out: Path) -> float:
    """Seconds from the data being read to the workbook being written (same process)."""
    marks: dict[str, float] = {}
    new_plan(out, data=csv, force=True, progress=lambda m: marks.setdefault(m, time.perf_counter()))
    return time.perf_counter() - marks["computing the plan"]


def run(sizes: list[int]) -> list[dict[str, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            csv = Path(tmp) / f"data_{n}.csv"
            sized_data(n).to_csv(csv, index=False)
            out = Path(tmp) / f"plan_{n}.xlsx"
            wall, peak = timed_new(csv, out)
            compute_write = in_process(csv, out)
            lo = recalculate(out)
            lo_recalc = lo.seconds_load + lo.seconds_calc
            rows.append(
                {
                    "rows": n,
                    "new_s": wall,
                    "peak_mb": peak,
                    "size_mb": out.stat().st_size / 1e6,
                    "formulas": lo.formula_count,
                    "cw_s": compute_write,
                    "lo_load_s": lo.seconds_load,
                    "lo_calc_s": lo.seconds_calc,
                    "ratio": lo_recalc / compute_write,
                    "ratio_process": lo_recalc / wall,
                }
            )
            print(
                f"{n:>9,} rows: new {wall:6.2f} s, {peak:7.0f} MB peak, compute+write "
                f"{compute_write:6.2f} s | LibreOffice load {lo.seconds_load:6.2f} s + "
                f"calculateAll {lo.seconds_calc:6.2f} s",
                flush=True,
            )
    return rows


def table(rows: list[dict[str, float]]) -> str:
    caption = (
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, `benchmarks/bench_new.py`:"
    )
    header = [
        "Data rows",
        "`xlmplan new`, whole process",
        "peak memory",
        "file",
        "formula cells",
        "compute + write",
        "LibreOffice load + calculateAll",
        "LibreOffice ÷ compute + write",
        "LibreOffice ÷ whole process",
    ]
    cells = [
        [
            f"{int(r['rows']):,}",
            f"{r['new_s']:.2f} s",
            f"{r['peak_mb']:.0f} MB",
            f"{r['size_mb']:.1f} MB",
            f"{int(r['formulas']):,}",
            f"{r['cw_s']:.2f} s",
            f"{r['lo_load_s']:.2f} + {r['lo_calc_s']:.2f} s",
            f"{r['ratio']:.1f}×",
            f"{r['ratio_process']:.1f}×",
        ]
        for r in rows
    ]
    return markdown_table(caption, header, "r" * len(header), cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    rows = run([int(s) for s in args.sizes.split(",")])
    text = table(rows)
    print(text)
    if args.readme:
        write_readme(text, BEGIN, END)


if __name__ == "__main__":
    main()
