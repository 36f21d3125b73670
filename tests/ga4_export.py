"""A small GA4 BigQuery export written in GA4's schema, with totals known by construction.

Day 1 is written in the export's older schema (no ``session_traffic_source_last_click``),
days 2 and 3 in the newer one. `EXPECTED` holds the Data rows an import must give.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

VALUE = pa.struct(
    [
        ("string_value", pa.string()),
        ("int_value", pa.int64()),
        ("float_value", pa.float64()),
        ("double_value", pa.float64()),
    ]
)
PARAMS = pa.list_(pa.struct([("key", pa.string()), ("value", VALUE)]))
ECOMMERCE = pa.struct(
    [
        ("total_item_quantity", pa.int64()),
        ("purchase_revenue_in_usd", pa.float64()),
        ("purchase_revenue", pa.float64()),
        ("refund_value_in_usd", pa.float64()),
        ("refund_value", pa.float64()),
        ("transaction_id", pa.string()),
    ]
)
COLLECTED = pa.struct(
    [
        ("manual_campaign_id", pa.string()),
        ("manual_campaign_name", pa.string()),
        ("manual_source", pa.string()),
        ("manual_medium", pa.string()),
        ("manual_term", pa.string()),
        ("manual_content", pa.string()),
        ("gclid", pa.string()),
        ("dclid", pa.string()),
        ("srsltid", pa.string()),
    ]
)
CAMPAIGN_FIELDS = ["campaign_id", "campaign_name", "source", "medium", "term", "content"]
LAST_CLICK = pa.struct(
    [
        ("manual_campaign", pa.struct([(f, pa.string()) for f in CAMPAIGN_FIELDS])),
        (
            "google_ads_campaign",
            pa.struct([(f, pa.string()) for f in ("customer_id", "campaign_id", "campaign_name")]),
        ),
        (
            "cross_channel_campaign",
            pa.struct(
                [(f, pa.string()) for f in ("campaign_id", "campaign_name", "source", "medium")]
                + [("default_channel_group", pa.string()), ("primary_channel_group", pa.string())]
            ),
        ),
    ]
)
DAYS = ("20260301", "20260302", "20260303")


def _ts(day: str, hhmm: str) -> int:
    when = dt.datetime.strptime(day + hhmm, "%Y%m%d%H%M").replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1_000_000)


def _event(
    day: str, hhmm: str, name: str, user: str | None, session: int | None, **extra: Any
) -> dict[str, Any]:
    params = [{"key": "page_location", "value": {"string_value": "https://shop.example/"}}]
    if session is not None:
        params.append({"key": "ga_session_id", "value": {"int_value": session}})
    params.append({"key": "engagement_time_msec", "value": {"int_value": 1200}})
    row = {
        "event_date": day,
        "event_timestamp": _ts(day, hhmm),
        "event_name": name,
        "event_params": params,
        "user_pseudo_id": user,
        "ecommerce": None,
        "collected_traffic_source": None,
    }
    if "revenue" in extra:
        row["ecommerce"] = {"purchase_revenue": extra["revenue"], "transaction_id": "T"}
    if "refund" in extra:
        row["ecommerce"] = {"refund_value": extra["refund"], "transaction_id": "T"}
    if "collected" in extra:
        row["collected_traffic_source"] = extra["collected"]
    row["session_traffic_source_last_click"] = extra.get("last_click")
    return row


def events() -> dict[str, list[dict[str, Any]]]:
    """The events of each day, by construction of `EXPECTED`."""
    d1, d2, d3 = DAYS
    google = {"manual_source": "google", "manual_medium": "cpc", "manual_campaign_name": "spring"}
    social = {"manual_source": "facebook", "manual_medium": "social"}
    email = {
        "cross_channel_campaign": {
            "campaign_name": "newsletter-mar",
            "source": "mailer",
            "medium": "email",
            "default_channel_group": "Email",
        },
        "manual_campaign": {"campaign_name": "newsletter-mar", "source": "mailer"},
    }
    bing = {"manual_campaign": {"source": "bing", "medium": "cpc", "campaign_name": "brand"}}
    return {
        d1: [
            # S1: Paid Search / spring; a purchase of 100.
            _event(d1, "0900", "session_start", "u1", 1, collected=google),
            _event(d1, "0901", "page_view", "u1", 1),
            _event(d1, "0905", "purchase", "u1", 1, revenue=100.0),
            # S2: a new user from organic Facebook.
            _event(d1, "1000", "first_visit", "u2", 2, collected=social),
            _event(d1, "1000", "session_start", "u2", 2),
            _event(d1, "1002", "page_view", "u2", 2),
            # S3: a Google Ads click (gclid only) at 23:58 that buys after midnight.
            _event(d1, "2358", "session_start", "u3", 3, collected={"gclid": "Cj0K"}),
        ],
        d2: [
            _event(d2, "0001", "purchase", "u3", 3, revenue=50.0),
            # S4: last click says Email; its collected source (google organic) is overruled.
            _event(
                d2,
                "1100",
                "session_start",
                "u4",
                4,
                last_click=email,
                collected={"manual_source": "google", "manual_medium": "organic"},
            ),
            _event(d2, "1110", "purchase", "u4", 4, revenue=80.0, last_click=email),
            _event(d2, "1120", "refund", "u4", 4, refund=30.0, last_click=email),
        ],
        d3: [
            # S5: last click without a channel group: bing / cpc -> Paid Search by the rules.
            _event(d3, "0800", "first_visit", "u5", 5, last_click=bing),
            _event(d3, "0800", "session_start", "u5", 5, last_click=bing),
            _event(d3, "0810", "purchase", "u5", 5, revenue=20.0, last_click=bing),
            # S6: no traffic source at all -> Direct; refunds an older order; a lead.
            _event(d3, "1200", "session_start", "u2", 6),
            _event(d3, "1201", "generate_lead", "u2", 6),
            _event(d3, "1205", "refund", "u2", 6, refund=10.0),
            # A purchase without a session id (consent mode): counts, but not as a session.
            _event(d3, "1300", "purchase", "u7", None, revenue=5.0),
        ],
    }


# (date, channel, campaign): (sessions, conversions, revenue, new users)
EXPECTED = {
    ("2026-03-01", "Paid Search", "spring"): (1, 1, 100.0, 0),
    ("2026-03-01", "Organic Social", ""): (1, 0, 0.0, 1),
    ("2026-03-01", "Paid Search", ""): (1, 0, 0.0, 0),
    ("2026-03-02", "Paid Search", ""): (1, 1, 50.0, 0),
    ("2026-03-02", "Email", "newsletter-mar"): (1, 1, 50.0, 0),
    ("2026-03-03", "Paid Search", "brand"): (1, 1, 20.0, 1),
    ("2026-03-03", "Direct", ""): (1, 1, -5.0, 0),
}


def schema(with_last_click: bool) -> pa.Schema:
    fields = [
        ("event_date", pa.string()),
        ("event_timestamp", pa.int64()),
        ("event_name", pa.string()),
        ("event_params", PARAMS),
        ("user_pseudo_id", pa.string()),
        ("ecommerce", ECOMMERCE),
        ("collected_traffic_source", COLLECTED),
    ]
    if with_last_click:
        fields.append(("session_traffic_source_last_click", LAST_CLICK))
    return pa.schema(fields)


def write_export(folder: Path) -> list[Path]:
    """One ``events_YYYYMMDD.parquet`` per day in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (day, rows) in enumerate(events().items()):
        sch = schema(with_last_click=i > 0)
        cols = {name: [r.get(name) for r in rows] for name in sch.names}
        path = folder / f"events_{day}.parquet"
        pq.write_table(pa.table(cols, schema=sch), path)
        paths.append(path)
    return paths
