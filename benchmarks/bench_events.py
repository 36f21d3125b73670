"""Benchmark GA4 raw events -> Data rows (`xlmplan.io.ga4_events`) against pandas.

For each size n it writes (untimed) a GA4 BigQuery export of n events in GA4's schema with
DuckDB: one ``events_YYYYMMDD.parquet`` per day over ``--days`` days, nested
``event_params``, ``collected_traffic_source`` on session starts, the
``session_traffic_source_last_click`` record from the second half of the days on, purchases,
refunds and first visits, sessions of ten events that cross midnight. Then, each in a fresh
process (wall time and peak RSS of that process, imports included):

* engine: `read_events` over the folder (embedded DuckDB, ``XLMPLAN_DUCKDB_MEMORY``); its
  CPU time too (all threads), which a busy shared machine does not inflate as it does the
  wall time;
* pandas (the anchor, same files, where it fits: up to ``--pandas-max`` events): the files
  read with ``pd.read_parquet``, the session id pulled from ``event_params`` in Python, the
  channel by the same rules (`channel_of`), grouped by day, channel and campaign.

Both must give the same totals (checked). The ratio says how many times faster the engine is.
CPU seconds per million events is the figure to compare across runs on a shared machine;
``--explain`` prints DuckDB's ``EXPLAIN ANALYZE`` of the first batch's `session_days` query
(operator times: Parquet scan, parameter extraction, group by session).

    .venv/bin/python benchmarks/bench_events.py [--sizes 1000000,10000000] [--days 30]
        [--pandas-max 2000000] [--dir /tmp/bench-events] [--explain]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVENTS_PER_SESSION = 10


def memory_limit() -> str:
    from xlmplan.io.duckdb_engine import memory_limit as limit

    return limit()


def write_export(folder: Path, n: int, days: int) -> None:
    """n events over ``days`` daily Parquet files in GA4's schema."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    per_day = -(-n // days)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    for d in range(days):
        lo, hi = d * per_day, min(n, (d + 1) * per_day)
        if lo >= hi:
            break
        day = (dt.date(2026, 3, 1) + dt.timedelta(days=d)).strftime("%Y%m%d")
        last_click = "" if d < days // 2 else """,
            CASE WHEN k = 0 AND s % 6 = 3 THEN NULL ELSE {
                'manual_campaign': {'campaign_name': 'c' || (s % 50), 'source': src,
                                     'medium': med},
                'cross_channel_campaign': {'campaign_name': 'c' || (s % 50),
                    'default_channel_group': CASE WHEN s % 3 = 0 THEN 'Email' END}
            } END AS session_traffic_source_last_click"""
        con.execute(
            f"""
            COPY (
              WITH e AS (
                SELECT i, i // {EVENTS_PER_SESSION} AS s, i % {EVENTS_PER_SESSION} AS k,
                  ['google', 'facebook', NULL, 'newsletter', 'google', NULL][s % 6 + 1] AS src,
                  ['cpc', 'cpc', NULL, 'email', 'organic', NULL][s % 6 + 1] AS med
                FROM range({lo}, {hi}) r(i)
              )
              SELECT
                '{day}' AS event_date,
                (epoch_us(DATE '{day[:4]}-{day[4:6]}-{day[6:]}')
                  + (i - {lo}) * (86400000000 // {per_day}))::BIGINT AS event_timestamp,
                CASE WHEN k = 0 THEN 'session_start'
                     WHEN k = 1 AND s % 2 = 0 THEN 'first_visit'
                     WHEN k = 9 AND s % 20 = 0 THEN 'purchase'
                     WHEN k = 9 AND s % 97 = 1 THEN 'refund'
                     ELSE 'page_view' END AS event_name,
                [{{'key': 'ga_session_id', 'value': {{'string_value': NULL::VARCHAR,
                    'int_value': s, 'float_value': NULL::DOUBLE, 'double_value': NULL::DOUBLE}}}},
                 {{'key': 'page_location', 'value': {{'string_value': 'https://shop.example/p'
                    || (i % 40), 'int_value': NULL::BIGINT, 'float_value': NULL::DOUBLE,
                    'double_value': NULL::DOUBLE}}}},
                 {{'key': 'engagement_time_msec', 'value': {{'string_value': NULL::VARCHAR,
                    'int_value': 1000 + i % 5000, 'float_value': NULL::DOUBLE,
                    'double_value': NULL::DOUBLE}}}}] AS event_params,
                'u' || (s // 2) AS user_pseudo_id,
                {{'purchase_revenue': CASE WHEN k = 9 AND s % 20 = 0 THEN 10.0 + s % 7 END,
                  'refund_value': CASE WHEN k = 9 AND s % 97 = 1 THEN 5.0 END}} AS ecommerce,
                CASE WHEN k = 0 THEN {{'manual_source': src, 'manual_medium': med,
                    'manual_campaign_name': 'c' || (s % 50),
                    'gclid': CASE WHEN s % 6 = 5 THEN 'Cj0' || s END}} END
                  AS collected_traffic_source{last_click}
              FROM e
            ) TO '{folder / f"events_{day}.parquet"}' (FORMAT parquet, ROW_GROUP_SIZE 122880)
            """
        )
    con.close()


def run_engine(folder: Path) -> dict:
    from xlmplan.io.ga4_events import read_events

    frame = read_events([folder], progress=False).frame
    return _totals(frame["sessions"], frame["conversions"], frame["revenue"], len(frame))


def explain(folder: Path) -> str:
    """DuckDB's EXPLAIN ANALYZE of `session_days` over the first batch of ``folder``."""
    import ibis

    from xlmplan.io import ga4_events as g

    run = g.batches(g.event_files([folder]))[0]
    with tempfile.TemporaryDirectory() as temp:
        con = g._connect(None, temp)
        sql = ibis.to_sql(g.session_days(g._read(con, run), ["purchase"]), dialect="duckdb")
        rows = con.raw_sql(f"EXPLAIN ANALYZE {sql}").fetchall()
    return "\n".join(str(r[-1]) for r in rows)


def run_pandas(folder: Path) -> dict:
    """The same aggregation in pandas (the anchor)."""
    import pandas as pd

    from xlmplan.io.ga4_channels import channel_of, load_rules

    rules = load_rules()
    cols = ["event_date", "event_timestamp", "event_name", "event_params", "user_pseudo_id",
            "ecommerce", "collected_traffic_source"]
    parts = []
    for f in sorted(folder.glob("*.parquet")):
        df = pd.read_parquet(f)
        last = df.get("session_traffic_source_last_click")
        df = df[cols].copy()
        df["last"] = last if last is not None else None
        parts.append(df)
    ev = pd.concat(parts, ignore_index=True)
    sid = [next((p["value"]["int_value"] for p in ps if p["key"] == "ga_session_id"), None)
           for ps in ev["event_params"]]
    ev["key"] = ev["user_pseudo_id"] + "." + pd.Series(sid, dtype="Int64").astype(str)
    ecommerce = ev["ecommerce"]
    revenue = [e["purchase_revenue"] if e else None for e in ecommerce]
    refund = [e["refund_value"] if e else None for e in ecommerce]
    ev["rev"] = 0.0
    buy, back = ev["event_name"] == "purchase", ev["event_name"] == "refund"
    ev.loc[buy, "rev"] = pd.Series(revenue, dtype=float)[buy].fillna(0)
    ev.loc[back, "rev"] = -pd.Series(refund, dtype=float)[back].fillna(0)
    ev["conv"] = buy.astype(int)
    first = ev.sort_values("event_timestamp").groupby("key").head(1).set_index("key")

    def channel(row: pd.Series) -> tuple[str, str]:
        lc, ct = row["last"], row["collected_traffic_source"]
        if lc is not None and isinstance(lc, dict):
            cc, mc = lc["cross_channel_campaign"] or {}, lc["manual_campaign"] or {}
            camp = cc.get("campaign_name") or mc.get("campaign_name") or ""
            return cc.get("default_channel_group") or channel_of(
                rules, mc.get("source"), mc.get("medium"), camp
            ), camp
        ct = ct or {}
        camp = ct.get("manual_campaign_name") or ""
        return channel_of(rules, ct.get("manual_source"), ct.get("manual_medium"), camp,
                          ct.get("gclid")), camp

    attr = first.apply(channel, axis=1, result_type="expand")
    attr.columns = ["channel", "campaign"]
    days = ev.groupby(["event_date", "key"], as_index=False).agg(
        conversions=("conv", "sum"), revenue=("rev", "sum")
    )
    days = days.join(attr, on="key")
    out = days.groupby(["event_date", "channel", "campaign"]).agg(
        sessions=("key", "size"), conversions=("conversions", "sum"), revenue=("revenue", "sum")
    )
    return _totals(out["sessions"], out["conversions"], out["revenue"], len(out))


def _totals(sessions: object, conversions: object, revenue: object, rows: int) -> dict:
    return {
        "sessions": int(sessions.sum()),  # type: ignore[attr-defined]
        "conversions": int(conversions.sum()),  # type: ignore[attr-defined]
        "revenue": round(float(revenue.sum()), 2),  # type: ignore[attr-defined]
        "rows": rows,
    }


def measure(kind: str, folder: Path) -> dict:
    """Run ``kind`` in a fresh process: its wall time, peak RSS and totals."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--dir", str(folder)],
        capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - t0
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = seconds
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--pandas-max", type=int, default=2_000_000)
    ap.add_argument("--dir", type=Path)
    ap.add_argument("--child")
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    if args.child:
        totals = (run_engine if args.child == "engine" else run_pandas)(args.dir)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        totals["peak_mb"] = usage.ru_maxrss / 1024
        totals["cpu_s"] = usage.ru_utime + usage.ru_stime  # all of DuckDB's threads
        print(json.dumps(totals))
        return
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-events-"))
    print(f"# {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"# memory limit {memory_limit()}, load average {os.getloadavg()[0]:.1f} at the start")
    print("| events | files | load average | engine s | events/s | engine CPU s "
          "| CPU s per M events | engine peak MB | pandas s | pandas peak MB | engine vs pandas |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        folder = root / f"n{n}"
        if not folder.exists():
            write_export(folder, n, args.days)
        files = len(list(folder.glob("*.parquet")))
        if args.explain:
            print(explain(folder), file=sys.stderr)
        load = os.getloadavg()[0]
        eng = measure("engine", folder)
        load = (load + os.getloadavg()[0]) / 2
        cells = [f"{n:,}", str(files), f"{load:.1f}", f"{eng['seconds']:.1f}",
                 f"{n / eng['seconds']:,.0f}", f"{eng['cpu_s']:.1f}",
                 f"{eng['cpu_s'] / n * 1e6:.2f}", f"{eng['peak_mb']:.0f}"]
        if n <= args.pandas_max:
            pan = measure("pandas", folder)
            same = {k: pan[k] for k in ("sessions", "conversions", "revenue")} == {
                k: eng[k] for k in ("sessions", "conversions", "revenue")
            }
            if not same:
                raise SystemExit(f"totals differ: engine {eng}, pandas {pan}")
            cells += [f"{pan['seconds']:.1f}", f"{pan['peak_mb']:.0f}",
                      f"{pan['seconds'] / eng['seconds']:.1f}x faster"]
        else:
            cells += ["—", "—", "—"]
        print("| " + " | ".join(cells) + " |", flush=True)
        print(f"  totals: {eng}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    if args.dir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
