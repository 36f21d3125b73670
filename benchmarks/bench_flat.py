"""Benchmark a flat Data file over Excel's rows (`xlmplan.io.flat_large`) against pandas.

It writes (untimed, with DuckDB) a CSV and a Parquet file of n detail rows (one a day,
channel, campaign and device over a year), then reads each in a fresh process (wall time
and peak RSS of that process, imports included):

* engine: `read_data` (the `new --data` reader: row count, DuckDB sum, `canonical_frame`);
* pandas (the anchor, same file): `pd.read_csv` / `pd.read_parquet`, then a group-by sum.

Both must give the same totals (checked); the ratio says how many times faster the engine
is. The files are removed afterwards unless ``--dir`` is given.

    .venv/bin/python benchmarks/bench_flat.py [--rows 3000000] [--dir /tmp/bench-flat]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEASURES = ["Sessions", "Conversions", "Revenue", "Spend"]


def write_files(folder: Path, n: int) -> None:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    rows = f"""
        SELECT (DATE '2026-01-01' + (i % 365)::INT)::VARCHAR AS "Date",
          ['Paid Search', 'Paid Social', 'Email', 'Display'][i % 4 + 1] AS "Channel",
          'campaign ' || (i // 4 % 25) AS "Campaign",
          ['mobile', 'desktop', 'tablet'][i % 3 + 1] AS "Device",
          i % 17 AS "Sessions", i % 3 AS "Conversions", (i % 101) * 0.5 AS "Revenue",
          (i % 13) * 0.25 AS "Spend", (i % 7) / 100 AS "CTR"
        FROM range({n}) t(i)"""
    con.execute(f"COPY ({rows}) TO '{folder / 'flat.csv'}' (HEADER)")
    con.execute(f"COPY ({rows}) TO '{folder / 'flat.parquet'}' (FORMAT parquet)")
    con.close()


def run_engine(path: Path) -> dict:
    from xlmplan.io.data_reader import read_data

    frame = read_data(path)
    return _totals(frame, ["sessions", "conversions", "revenue", "spend"])


def run_pandas(path: Path) -> dict:
    import pandas as pd

    df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    out = df.groupby(["Date", "Channel", "Campaign"], as_index=False)[MEASURES].sum()
    return _totals(out, MEASURES)


def _totals(frame: object, columns: list[str]) -> dict:
    out = {f"m{i}": round(float(frame[c].sum()), 2) for i, c in enumerate(columns)}  # type: ignore[index]
    out["rows"] = len(frame)  # type: ignore[arg-type]
    return out


def measure(kind: str, path: Path) -> dict:
    """Run ``kind`` on ``path`` in a fresh process: its wall time, peak RSS and totals."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--dir", str(path)],
        capture_output=True, text=True, check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - t0
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=3_000_000)
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        totals = (run_engine if args.child == "engine" else run_pandas)(args.dir)
        totals["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(totals))
        return
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-flat-"))
    write_files(root, args.rows)
    print(f"# {args.rows:,} rows, load average {os.getloadavg()[0]:.1f} at the start")
    print("| file | MB | engine s | rows/s | engine peak MB | pandas s | pandas peak MB "
          "| engine vs pandas |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("flat.csv", "flat.parquet"):
        path = root / name
        eng, pan = measure("engine", path), measure("pandas", path)
        if {k: v for k, v in eng.items() if k.startswith("m")} != {
            k: v for k, v in pan.items() if k.startswith("m")
        } or eng["rows"] != pan["rows"]:
            raise SystemExit(f"totals differ: engine {eng}, pandas {pan}")
        print(
            f"| {name} | {path.stat().st_size / 1e6:,.0f} | {eng['seconds']:.1f} "
            f"| {args.rows / eng['seconds']:,.0f} | {eng['peak_mb']:.0f} | {pan['seconds']:.1f} "
            f"| {pan['peak_mb']:.0f} | {pan['seconds'] / eng['seconds']:.1f}x |",
            flush=True,
        )
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")
    if args.dir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
