"""Benchmark the add-in's UDFs: one array call over n rows against n single-cell calls.

It builds the example plan with ``xlmplan new`` (untimed) and serves its defined names and
language from memory through an object shaped like the xlwings workbook a UDF's ``caller``
belongs to, so every call runs the add-in's own path: context from the calling workbook,
names read when first needed (once per call), broadcasting, the registry's Python. Excel's
COM round trip per call and the transfer of the names' cells are not included; they cost
a single call far more than an array call, which pays them once.

For XLM_STATUS (threshold: the plan's AmberThreshold), XLM_ATTAINMENT, XLM_RUNRATE (plan
days and elapsed days from the plan), XLM_PROJECTION and XLM_METRIC (catalog metrics over
the example plan's Data, by channel and random windows) it times n single calls — the
anchor, in the same process; XLM_METRIC's are stopped after ``--budget`` seconds and
counted as far as they got — and one array call over n rows (best of ``--repeat``), checks
that both give the same values, and prints rows per second and array ÷ single.

    .venv/bin/python benchmarks/bench_udfs.py [--rows 10000] [--repeat 3] [--budget 8] [--readme]

``--readme`` replaces the table between the bench-udfs markers in README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import xlwings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readme_table import markdown_table, write_readme  # noqa: E402

from xlmplan.addin import udfs  # noqa: E402
from xlmplan.addin.formulas_udfs import workbook_context  # noqa: E402
from xlmplan.api import new_plan  # noqa: E402
from xlmplan.core.rules import serial  # noqa: E402
from xlmplan.sheets.checks_sheet import MANIFEST_SHEET  # noqa: E402

Rows = list[tuple[Any, ...]]


class MemoryRange:
    def __init__(self, value: Any) -> None:
        self.rows = value if isinstance(value, list) else [[value]]

    def options(self, **_options: Any) -> MemoryRange:
        return self

    @property
    def value(self) -> list[list[Any]]:
        return self.rows


class MemoryBook:
    """A workbook's names and manifest as xlwings' Book gives them, from memory."""

    def __init__(self, names: dict[str, Any], language: str) -> None:
        self.values = {k.casefold(): v for k, v in names.items()}
        manifest = [["key", "value"], ["language", language]]
        self.names = self  # book.names[name]
        self.sheets = {MANIFEST_SHEET: SimpleNamespace(used_range=MemoryRange(manifest))}

    def __getitem__(self, name: str) -> Any:
        value = self.values[name.casefold()]
        return SimpleNamespace(refers_to_range=MemoryRange(value), refers_to="")


def inputs(names: dict[str, Any], n: int) -> dict[str, Rows]:
    """n rows of arguments per UDF (omitted optional arguments read the plan's names)."""
    rng = np.random.default_rng(3)
    catalog = udfs.context_from({}).catalog
    labels = [m.label for m in catalog]
    channels = sorted({c for (c,) in names["d_channel"] if c}) + ["All"]
    start = names["PlanStart"]
    first = serial(start.date() if hasattr(start, "date") else start)
    assert first is not None
    att = rng.uniform(0, 1.5, n)
    actual, target = rng.uniform(0, 1000, n), rng.uniform(1, 1000, n)
    direction = rng.choice(["lower", "higher", ""], n)
    days = first + rng.integers(0, 300, n)
    return {
        "XLM_STATUS": [(None if k % 20 == 0 else float(att[k]),) for k in range(n)],
        "XLM_ATTAINMENT": [
            (float(actual[k]), float(target[k]), str(direction[k])) for k in range(n)
        ],
        "XLM_RUNRATE": [(float(actual[k]),) for k in range(n)],
        "XLM_PROJECTION": [
            (float(actual[k]), float(att[k]) + 0.5, str(direction[k])) for k in range(n)
        ],
        "XLM_METRIC": [
            (
                str(rng.choice(labels)),
                str(rng.choice(channels)),
                float(days[k]),
                float(days[k] + rng.integers(0, 60)),
            )
            for k in range(n)
        ],
    }


def single_calls(
    f: Callable[..., Any], rows: Rows, caller: Any, budget: float
) -> tuple[int, float, list[Any]]:
    """Calls timed one by one until done or over ``budget`` seconds."""
    out: list[Any] = []
    start = time.perf_counter()
    for row in rows:
        out.append(f(*row, caller=caller))
        if time.perf_counter() - start > budget:
            break
    return len(out), time.perf_counter() - start, out


def array_call(
    f: Callable[..., Any], rows: Rows, caller: Any, repeat: int
) -> tuple[float, list[Any]]:
    """The fastest of ``repeat`` array calls over every row, and its values."""
    columns = [[[row[k]] for row in rows] for k in range(len(rows[0]))]
    best, values = math.inf, []
    for _ in range(repeat):
        start = time.perf_counter()
        result = f(*columns, caller=caller)
        best = min(best, time.perf_counter() - start)
        values = [r[0] for r in result]
    return best, values


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def run(n: int, repeat: int, budget: float) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-udfs-") as tmp:
        path = Path(tmp) / "plan.xlsx"
        new_plan(path)
        ctx = workbook_context(path)
        names = dict(ctx.names)
    caller = SimpleNamespace(sheet=SimpleNamespace(book=MemoryBook(names, "en")))
    data_rows = len(names["d_date"])
    results = []
    for name, rows in inputs(names, n).items():
        f = udfs.FUNCTIONS[name]
        limit = budget if name == "XLM_METRIC" else math.inf
        done, seconds, singles = single_calls(f, rows, caller, limit)
        array_seconds, values = array_call(f, rows, caller, repeat)
        bad = [k for k in range(done) if not same(singles[k], values[k])]
        assert not bad, f"{name}: array and single calls differ at rows {bad[:5]}"
        single_rate, array_rate = done / seconds, n / array_seconds
        results.append(
            {
                "udf": name,
                "rows": n,
                "single_calls": done,
                "single_s": seconds,
                "single_rate": single_rate,
                "array_s": array_seconds,
                "array_rate": array_rate,
                "ratio": array_rate / single_rate,
                "data_rows": data_rows,
            }
        )
        print(
            f"{name:<15} {done:>6,} single calls {seconds:7.2f} s ({single_rate:>10,.0f} rows/s) "
            f"| one array call of {n:,} rows {array_seconds:6.3f} s ({array_rate:>10,.0f} rows/s) "
            f"| ×{array_rate / single_rate:,.1f}",
            flush=True,
        )
    return results


def table(results: list[dict[str, Any]], repeat: int) -> str:
    caption = (
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, xlwings {xlwings.__version__}, "
        f"`benchmarks/bench_udfs.py` (array call: best of {repeat}; names served from memory, "
        f"Excel's COM time not included; XLM_METRIC over the example plan's "
        f"{results[0]['data_rows']:,} Data rows):"
    )
    header = [
        "UDF",
        "rows",
        "single calls timed",
        "single calls, rows/s",
        "one array call",
        "array call, rows/s",
        "array ÷ single",
    ]
    rows = [
        [
            f"`{r['udf']}`",
            f"{r['rows']:,}",
            f"{r['single_calls']:,} in {r['single_s']:.2f} s",
            f"{r['single_rate']:,.0f}",
            f"{r['array_s']:.3f} s",
            f"{r['array_rate']:,.0f}",
            f"{r['ratio']:,.1f}×",
        ]
        for r in results
    ]
    return markdown_table(caption, header, "lrrrrrr", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many array calls")
    parser.add_argument(
        "--budget", type=float, default=8.0, help="seconds of single XLM_METRIC calls"
    )
    parser.add_argument("--readme", action="store_true", help="put the table into README.md")
    args = parser.parse_args()
    text = table(run(args.rows, args.repeat, args.budget), args.repeat)
    print(text)
    if args.readme:
        write_readme(text, "<!-- bench-udfs:begin -->", "<!-- bench-udfs:end -->")


if __name__ == "__main__":
    main()
