"""GA4's raw BigQuery export (one row per event) aggregated to Data rows: day x channel x
campaign, by one ibis expression that runs on embedded DuckDB or on BigQuery.

Per session (``user_pseudo_id`` + the ``ga_session_id`` event parameter) and day
(``event_date``): sessions, conversions (events named in ``conversions``, ``purchase`` by
default), revenue (``ecommerce.purchase_revenue`` of purchases less refunds'
``ecommerce.refund_value``), new users (``first_visit`` events). A session's channel and
campaign come from ``session_traffic_source_last_click`` where the export has it (its
``cross_channel_campaign.default_channel_group``, else its manual source/medium through the
rules), else from the session's first event's ``collected_traffic_source`` (else the
``source``/``medium``/``campaign`` event parameters of older exports) through GA4's default
channel group rules (`ga4_channels`). A session that crosses midnight counts on both days,
as in GA4's reports, with its first event's channel on both.

The expression has two stages so that local files stream one at a time (a progress bar over
files, memory bounded by DuckDB's ``memory_limit``): `session_days` reduces events to one row
per day and session; `daily_rows` attributes sessions and sums per day, channel and campaign.
On BigQuery both run as one query. duckdb and ibis are imported only here, lazily.
"""

from __future__ import annotations

import datetime as dt
import glob
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlmplan.core.data import canonical_frame
from xlmplan.errors import DataError
from xlmplan.io.duckdb_engine import MEMORY_ENV as MEMORY_ENV
from xlmplan.io.duckdb_engine import first_line as _first_line
from xlmplan.io.duckdb_engine import settings
from xlmplan.io.exports import Imported
from xlmplan.io.ga4_channels import ChannelRules, channel_expr, load_rules

if TYPE_CHECKING:
    import ibis.expr.types as ir

SOURCE = "ga4-bigquery"
REQUIRED = ("event_date", "event_timestamp", "event_name", "event_params", "user_pseudo_id")
SUFFIXES = (".parquet", ".json", ".ndjson", ".jsonl")
BATCH_EVENTS = 8_000_000  # events per DuckDB query: per-query overhead vs a finer progress bar
JSON_EVENT_BYTES = 1_500  # a GA4 event's typical size as newline-delimited JSON
NEW_USERS = "New users"
INSTALL_BIGQUERY = "pip install 'ibis-framework[bigquery]'"


# --- the expression ----------------------------------------------------------------------


def _field(t: ir.Table, *path: str, type_: str = "string") -> ir.Value:
    """``t.a.b.c`` cast to ``type_``, or a typed NULL where this export has no such field."""
    import ibis

    schema: Any = t.schema()
    expr: Any = t
    for name in path:
        if not getattr(schema, "is_struct", lambda: True)() or name not in schema.names:
            return ibis.null(type_)
        schema = schema[name]
        expr = expr[name]
    return expr.cast(type_)


def _param(t: ir.Table, key: str, kind: str, type_: str) -> ir.Value:
    """The first ``event_params`` value of ``key`` (its ``kind``: string_value, int_value)."""
    found = t.event_params.filter(lambda p: p.key == key).map(lambda p: p.value[kind])
    return found[0].cast(type_)


def session_days(t: ir.Table, conversions: Sequence[str]) -> ir.Table:
    """Events -> one row per day and session (``user`` + ``sid``, both NULL for events
    without a session), with the measures and the day's first event's traffic-source fields.
    Two key columns cost less to group and join than one concatenated string."""
    import ibis

    user = t.user_pseudo_id.cast("string")
    sid = _param(t, "ga_session_id", "int_value", "int64")
    name = t.event_name.cast("string")
    revenue = _field(t, "ecommerce", "purchase_revenue", type_="float64")
    refund = _field(t, "ecommerce", "refund_value", type_="float64").fill_null(revenue.abs())
    collected = {
        "source": _field(t, "collected_traffic_source", "manual_source"),
        "medium": _field(t, "collected_traffic_source", "manual_medium"),
        "campaign": _field(t, "collected_traffic_source", "manual_campaign_name"),
    }
    last = ("session_traffic_source_last_click",)
    cross = (*last, "cross_channel_campaign")
    manual = (*last, "manual_campaign")
    fields = {
        **{
            k: ibis.coalesce(v, _param(t, k, "string_value", "string"))
            for k, v in collected.items()
        },
        "gclid": _field(t, "collected_traffic_source", "gclid"),
        "lc_channel": _field(t, *cross, "default_channel_group"),
        "lc_source": ibis.coalesce(_field(t, *cross, "source"), _field(t, *manual, "source")),
        "lc_medium": ibis.coalesce(_field(t, *cross, "medium"), _field(t, *manual, "medium")),
        "lc_campaign": ibis.coalesce(
            _field(t, *cross, "campaign_name"),
            _field(t, *last, "google_ads_campaign", "campaign_name"),
            _field(t, *manual, "campaign_name"),
        ),
    }
    source = ibis.struct(fields)
    # the first event; of events at the same microsecond (first_visit and session_start
    # often are), one that carries a traffic source, so every engine picks the same one
    untagged = ibis.coalesce(*fields.values()).isnull().cast("int64")
    ev = t.select(
        day=t.event_date.cast("string"),
        user=ibis.ifelse(sid.notnull(), user, None),
        sid=ibis.ifelse(user.notnull(), sid, None),
        ts=t.event_timestamp.cast("int64"),
        order=t.event_timestamp.cast("int64") * 2 + untagged,
        conv=name.isin(list(conversions)).cast("int64"),
        rev=ibis.cases(
            (name == "purchase", revenue.fill_null(0)),
            (name == "refund", -refund.fill_null(0)),
            else_=ibis.literal(0.0),
        ),
        new=(name == "first_visit").cast("int64"),
        src=source,
    )
    return ev.group_by(["day", "user", "sid"]).aggregate(
        conversions=ev.conv.sum(),
        revenue=ev.rev.sum(),
        new_users=ev.new.sum(),
        first_ts=ev.ts.min(),
        src=ev.src.argmin(ev.order),
    )


def daily_rows(parts: ir.Table, rules: ChannelRules) -> ir.Table:
    """Rows of `session_days` (from one or many files) -> day x channel x campaign sums."""
    import ibis

    firsts = parts.filter(parts.sid.notnull())
    firsts = firsts.group_by(["user", "sid"]).aggregate(first=firsts.src.argmin(firsts.first_ts))
    days = parts.group_by(["day", "user", "sid"]).aggregate(
        conversions=parts.conversions.sum(),
        revenue=parts.revenue.sum(),
        new_users=parts.new_users.sum(),
        own=parts.src.argmin(parts.first_ts),
    )
    j = days.left_join(firsts, [days.user == firsts.user, days.sid == firsts.sid])
    s = ibis.coalesce(j.first, j.own)
    has_last = s.lc_channel.notnull() | s.lc_source.notnull() | s.lc_campaign.notnull()
    rows = j.select(
        date=j.day,
        last=has_last,
        lc_channel=s.lc_channel.fill_null(""),
        src=ibis.ifelse(has_last, s.lc_source, s.source).fill_null(""),
        med=ibis.ifelse(has_last, s.lc_medium, s.medium).fill_null(""),
        campaign=ibis.ifelse(has_last, s.lc_campaign, s.campaign).fill_null(""),
        gclid=ibis.ifelse(has_last | s.gclid.isnull() | (s.gclid == ""), "", "y"),
        session=j.sid.notnull().cast("int64"),
        conversions=j.conversions,
        revenue=j.revenue,
        new_users=j.new_users,
    )
    sums = rows.group_by(["date", "last", "lc_channel", "src", "med", "campaign", "gclid"])
    sums = sums.aggregate(
        sessions=rows.session.sum(),
        conversions=rows.conversions.sum(),
        revenue=rows.revenue.sum(),
        new_users=rows.new_users.sum(),
    )
    # The rules run once per distinct traffic source, not once per session.
    keys = ["last", "lc_channel", "src", "med", "campaign", "gclid"]
    combos = sums.select(keys).distinct()
    ruled = channel_expr(rules, combos.src, combos.med, combos.campaign, combos.gclid)
    combos = combos.mutate(
        channel=ibis.ifelse(combos.last & (combos.lc_channel != ""), combos.lc_channel, ruled)
    )
    named = sums.join(combos, keys)
    return (
        named.group_by(["date", "channel", "campaign"])
        .aggregate(
            sessions=named.sessions.sum(),
            conversions=named.conversions.sum(),
            revenue=named.revenue.sum(),
            new_users=named.new_users.sum(),
        )
        .order_by(["date", "channel", "campaign"])
    )


def aggregate(t: ir.Table, conversions: Sequence[str], rules: ChannelRules) -> ir.Table:
    """The whole aggregation of an events table, as one expression (BigQuery, SQL)."""
    return daily_rows(session_days(t, conversions), rules)


def check_schema(columns: Sequence[str], where: str) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise DataError(
            f"{where}: not GA4's BigQuery export schema — missing column(s) "
            f"{', '.join(missing)}; give the events_YYYYMMDD tables saved as Parquet or NDJSON"
        )


# --- sources ----------------------------------------------------------------------------


def is_bigquery(source: str | Path) -> bool:
    return str(source).startswith("bigquery:")


def event_files(sources: Sequence[Path | str]) -> list[Path]:
    """Files of a folder, a glob or file names; DataError when none is an event file."""
    found: list[Path] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            found += sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES)
        elif any(ch in str(src) for ch in "*?["):
            found += sorted(Path(f) for f in glob.glob(str(src)) if Path(f).is_file())
        elif p.is_file():
            found.append(p)
        else:
            raise DataError(f"{src}: not found — give a folder or glob of the GA4 export files")
    files = [f for f in found if f.suffix.lower() in SUFFIXES]
    if not files:
        names = ", ".join(str(s) for s in sources)
        raise DataError(
            f"{names}: no GA4 event files (.parquet, .json, .ndjson) — give the folder or glob "
            "of the BigQuery export (events_YYYYMMDD) saved as Parquet or newline-delimited JSON"
        )
    return files


def _connect(memory_limit: str | None, temp: str) -> Any:
    import ibis

    return ibis.duckdb.connect(**settings(temp, memory_limit))


def batches(files: Sequence[Path]) -> list[list[Path]]:
    """``files`` in runs of about `BATCH_EVENTS` events (one query each); Parquet files are
    checked for GA4's columns from their footers first, so no batch mixes in a stranger."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out: list[list[Path]] = [[]]
    size = 0
    for path in files:
        if path.suffix.lower() == ".parquet":
            try:
                meta = pq.read_metadata(path)
            except (OSError, pa.ArrowException) as exc:
                raise DataError(f"{path}: cannot read it as Parquet ({_first_line(exc)})") from None
            check_schema(meta.schema.to_arrow_schema().names, str(path))
            events = meta.num_rows
        else:
            events = path.stat().st_size // JSON_EVENT_BYTES
        if out[-1] and size + events > BATCH_EVENTS:
            out.append([])
            size = 0
        out[-1].append(path)
        size += events
    return out


def _read(con: Any, paths: list[Path]) -> ir.Table:
    import duckdb

    names = [str(p) for p in paths]
    try:
        if paths[0].suffix.lower() == ".parquet":
            return con.read_parquet(names, union_by_name=True)
        return con.read_json(names, format="newline_delimited", union_by_name=True)
    except duckdb.Error as exc:
        raise DataError(f"{paths[0]}: cannot read it as NDJSON ({_first_line(exc)})") from None


def local_rows(
    files: Sequence[Path],
    conversions: Sequence[str],
    rules: ChannelRules,
    *,
    memory_limit: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the aggregation on embedded DuckDB over ``files``, a batch of files at a time
    (Parquet and NDJSON files in separate batches)."""
    import duckdb
    import ibis
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    kinds = [[f for f in files if f.suffix.lower() == ".parquet"]]
    kinds.append([f for f in files if f.suffix.lower() != ".parquet"])
    runs = [run for kind in kinds if kind for run in batches(kind)]
    with tempfile.TemporaryDirectory(prefix="xlmplan-duckdb-") as temp:
        con = _connect(memory_limit, temp)
        bar = Progress(
            TextColumn("events"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
            disable=not progress,
        )
        with bar:
            task = bar.add_task("", total=len(files))
            for i, run in enumerate(runs):
                bar.update(task, description=run[0].name)
                t = _read(con, run)
                check_schema(t.columns, str(run[0]))
                try:
                    sql = ibis.to_sql(session_days(t, conversions), dialect="duckdb")
                    into = "CREATE TEMP TABLE parts AS" if i == 0 else "INSERT INTO parts"
                    con.raw_sql(f"{into} {sql}")  # runs in DuckDB; nothing through Python
                except duckdb.Error as exc:  # a file whose values do not read as declared
                    where = run[0] if len(run) == 1 else f"{run[0]} (or a file after it)"
                    why = _first_line(exc)
                    raise DataError(f"{where}: cannot read its events ({why})") from None
                bar.advance(task, len(run))
        out = daily_rows(con.table("parts"), rules).to_pandas()
        con.disconnect()
    return out


def bigquery_rows(source: str, conversions: Sequence[str], rules: ChannelRules) -> pd.DataFrame:
    """Run the aggregation on BigQuery over ``bigquery://PROJECT/DATASET``'s events_* tables
    (credentials: the user's Google login, ``gcloud auth application-default login``)."""
    import importlib.util

    project, _, dataset = source.split(":", 1)[1].strip("/").partition("/")
    if not project or not dataset or "/" in dataset:
        raise DataError(f"{source}: write the BigQuery source as bigquery://PROJECT/DATASET")
    if importlib.util.find_spec("google.cloud.bigquery") is None:
        raise DataError(f"{source}: reading from BigQuery needs {INSTALL_BIGQUERY}")
    import ibis

    con = ibis.bigquery.connect(project_id=project, dataset_id=dataset)
    t = con.table("events_*")
    check_schema(t.columns, source)
    return aggregate(t, conversions, rules).to_pandas()


# --- into Data rows -----------------------------------------------------------------------


def read_events(
    sources: Sequence[Path | str],
    *,
    conversions: Sequence[str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    memory_limit: str | None = None,
    progress: bool = True,
) -> Imported:
    """Aggregate GA4 raw events (files, a folder, a glob or ``bigquery://P/D``) into canonical
    Data rows. ``period`` is the plan's (first day, last day): events wholly outside it are
    refused, partly outside noted."""
    conversions = list(conversions or ["purchase"])
    rules = load_rules()
    bq = [s for s in sources if is_bigquery(s)]
    if bq:
        where = str(bq[0]).replace("bigquery:/", "bigquery://", 1).replace(":///", "://")
        raw = bigquery_rows(where, conversions, rules)
    else:
        files = event_files(sources)
        where = str(sources[0]) if len(sources) == 1 else f"{len(files)} event files"
        raw = local_rows(files, conversions, rules, memory_limit=memory_limit, progress=progress)
    if raw.empty:
        raise DataError(f"{where}: the export holds no events — check the folder or glob")
    days = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d", errors="coerce")
    if days.isna().any():
        bad = raw["date"][days.isna()].iloc[0]
        raise DataError(f"{where}: event_date {bad!r} is not a YYYYMMDD date")
    first, last = days.min().date(), days.max().date()
    notes = [
        f"{where}: GA4 events aggregated to {len(raw):,} rows by day, channel and campaign "
        f"(sessions, conversions = {', '.join(conversions)}, revenue less refunds, new users)"
    ]
    if period is not None:
        lo, hi = period
        if last < lo or first > hi:
            raise DataError(
                f"{where}: the events run from {first} to {last}, outside the plan's period "
                f"{lo} to {hi} — import the export for the plan's dates, or change the plan's "
                "first month on Start"
            )
        outside = int(((days.dt.date < lo) | (days.dt.date > hi)).sum())
        if outside:
            notes.append(f"{outside:,} row(s) dated outside the plan's period {lo} to {hi}")
    table = pd.DataFrame(
        {
            "date": days.dt.strftime("%Y-%m-%d"),
            "channel": raw["channel"].astype(str),
            "campaign": raw["campaign"].astype(str),
            "sessions": raw["sessions"].astype(float),
            "conversions": raw["conversions"].astype(float),
            "revenue": raw["revenue"].astype(float).round(6),
            NEW_USERS: raw["new_users"].astype(float),
        }
    )
    frame = canonical_frame(table, where)
    return Imported(frame, SOURCE, (first, last), notes, 0)


def plan_period(plan: Path) -> tuple[dt.date, dt.date]:
    """The first and last day of ``plan``'s period, as its Start sheet sets them."""
    from xlmplan.core.inputs import plan_from_tables
    from xlmplan.core.template import build_plan, load_raw
    from xlmplan.refresh import plan_language
    from xlmplan.xlsx.plan_file import input_tables, open_plan

    pf = open_plan(plan)
    try:
        labels, _, _ = plan_language(pf)
        template = pf.manifest.get("template", "online_shop")
        base, _ = build_plan(
            load_raw(template, labels.lang),
            labels,
            start=dt.date(2026, 1, 1),
            months=None,
            currency=None,
            channels=[],
        )
        settings = plan_from_tables(input_tables(pf), labels, base, [])[0].settings
    finally:
        pf.close()
    return settings.start, settings.end


def read_plan_events(
    plan: Path, sources: Sequence[Path | str], conversions: Sequence[str] | None = None
) -> Imported:
    """`read_events` checked against ``plan``'s period (``xlmplan import --source
    ga4-bigquery``)."""
    return read_events(sources, conversions=conversions, period=plan_period(plan))
