"""Run the GA4 aggregation's ibis expression (`ga4_events.aggregate`) on local Spark over the
generated export of the tests (`tests/ga4_export.py`) and compare it with the totals that
export holds by construction.

Needs pyspark (3.5 to 4.0, ibis's PySpark backend) and a Java runtime (17 here); neither is
a dependency of xlmplan. pyspark can be put beside the project without touching its
environment, e.g. ``pip install --target /tmp/spark-lib --no-deps 'pyspark>=3.5,<4.1' py4j
pyarrow-hotfix`` and ``PYTHONPATH=/tmp/spark-lib``.

    .venv/bin/python benchmarks/spark_ga4.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def _iso(day: str) -> str:
    """'20260301' (event_date, as the expression leaves it) -> '2026-03-01'."""
    return f"{day[:4]}-{day[4:6]}-{day[6:8]}" if day.isdigit() else day[:10]


def main() -> None:
    t0 = time.perf_counter()
    import ibis
    from ga4_export import EXPECTED, write_export
    from pyspark.sql import SparkSession

    from xlmplan.io.ga4_channels import load_rules
    from xlmplan.io.ga4_events import aggregate

    session = (
        SparkSession.builder.master("local[2]")
        .appName("xlmplan-ga4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        # Spark 4 answers an empty array's first element with an error under ANSI mode, the
        # default there; ibis compiles `arr[0]` to ELEMENT_AT, which is NULL without it
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    started = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="spark-ga4-") as folder:
        write_export(Path(folder))
        con = ibis.pyspark.connect(session)
        t = con.read_parquet(folder, mergeSchema="true")  # last_click present on some days
        t1 = time.perf_counter()
        frame = aggregate(t, ["purchase"], load_rules()).to_pandas()
        ran = time.perf_counter() - t1
    session.stop()
    got = {
        (_iso(str(r.date)), r.channel, r.campaign): (
            int(r.sessions),
            int(r.conversions),
            float(r.revenue),
            int(r.new_users),
        )
        for r in frame.itertuples(index=False)
    }
    print(f"spark {session.version}, ibis {ibis.__version__}")
    print(f"start-up (imports + local session) {started:.1f} s, query {ran:.1f} s")
    if got != EXPECTED:
        missing = {k: v for k, v in EXPECTED.items() if got.get(k) != v}
        raise SystemExit(f"Spark's rows differ from the export's totals: {missing} vs {got}")
    print(f"Spark's {len(got)} rows equal the export's totals by construction")


if __name__ == "__main__":
    main()
