"""GA4's default channel group rules are data: the TOML file read in Python and compiled to
the query engine's CASE give the same channel for every case, and an edit changes both."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlmplan.errors import TemplateError
from xlmplan.io.ga4_channels import RULES_FILE, channel_expr, channel_of, load_rules

# (source, medium, campaign, gclid) -> the channel GA4's published rules give
CASES = [
    ((None, None, None, None), "Direct"),
    (("(direct)", "(none)", None, None), "Direct"),
    ((None, None, None, "Cj0KCQ"), "Paid Search"),
    (("google", "cpc", "brand", None), "Paid Search"),
    (("Bing", "PPC", None, None), "Paid Search"),
    (("facebook", "paid_social", None, None), "Paid Social"),
    (("youtube", "cpc", None, None), "Paid Video"),
    (("amazon", "cpc", None, None), "Paid Shopping"),
    (("partner", "cpc", "summer-shopping", None), "Paid Shopping"),
    (("dv360", "display", None, None), "Display"),
    (("newsite", "cpc", None, None), "Paid Other"),
    (("google", "cpc", "pmax cross-network", None), "Cross-network"),
    (("google", "organic", None, None), "Organic Search"),
    (("newsite", "organic", None, None), "Organic Search"),
    (("instagram", "referral", None, None), "Organic Social"),
    (("blog", "social", None, None), "Organic Social"),
    (("vimeo", "referral", None, None), "Organic Video"),
    (("etsy", "referral", None, None), "Organic Shopping"),
    (("example.com", "referral", None, None), "Referral"),
    (("newsletter", "email", "march", None), "Email"),
    (("partner", "affiliate", None, None), "Affiliates"),
    (("podcast", "audio", None, None), "Audio"),
    (("sms", "text", None, None), "SMS"),
    (("firebase", "notification", None, None), "Mobile Push Notifications"),
    (("app", "web-push", None, None), "Mobile Push Notifications"),
    (("mystery", "carrier-pigeon", None, None), "Unassigned"),
]


def _engine(rules: object, cases: list) -> list[str]:
    import ibis
    import pandas as pd

    frame = pd.DataFrame([c[0] for c in cases], columns=["s", "m", "c", "g"]).astype(object)
    t = ibis.memtable(frame, schema={"s": "string", "m": "string", "c": "string", "g": "string"})
    expr = t.select(ch=channel_expr(rules, t.s, t.m, t.c, t.g))  # type: ignore[arg-type]
    con = ibis.duckdb.connect()
    return list(con.execute(expr)["ch"])


def test_python_rules_give_googles_channels() -> None:
    rules = load_rules()
    assert [channel_of(rules, *args) for args, _ in CASES] == [ch for _, ch in CASES]


def test_the_query_engine_gives_the_same_channels() -> None:
    assert _engine(load_rules(), CASES) == [ch for _, ch in CASES]


def test_an_edited_rules_file_changes_both(tmp_path: Path) -> None:
    path = tmp_path / "groups.toml"
    text = RULES_FILE.read_text(encoding="utf-8").replace(
        'unassigned = "Unassigned"', 'unassigned = "Other"'
    )
    text += '\n[[rule]]\nchannel = "Pigeons"\n'
    text += 'when = [{ field = "medium", in = ["carrier-pigeon"] }]\n'
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    cases = [
        (("mystery", "carrier-pigeon", None, None), "Pigeons"),
        (("a", "b", None, None), "Other"),
    ]
    assert [channel_of(rules, *a) for a, _ in cases] == ["Pigeons", "Other"]
    assert _engine(rules, cases) == ["Pigeons", "Other"]


def test_a_malformed_rule_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "groups.toml"
    path.write_text('[[rule]]\nchannel = "X"\nwhen = [{ field = "referrer", in = ["a"] }]\n')
    with pytest.raises(TemplateError, match=r"groups\.toml: rule 1: a condition is"):
        load_rules(path)
