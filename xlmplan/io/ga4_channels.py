"""GA4's default channel group rules, read from ``workbook_templates/channel_groups.toml`` and
compiled to one ibis expression (a CASE the query engine evaluates, locally or on BigQuery).

The rules are data: each ``[[rule]]`` names a channel and the conditions that must all hold;
the first matching rule wins, none -> ``unassigned``. Matching ignores case. `channel_of`
evaluates the same rules in Python, for tests and for reading one source/medium by hand.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlmplan.errors import TemplateError

if TYPE_CHECKING:
    import ibis.expr.types as ir

RULES_FILE = Path(__file__).resolve().parents[2] / "workbook_templates" / "channel_groups.toml"
FIELDS = ("source", "medium", "campaign", "gclid")
TESTS = ("in", "in_list", "matches", "contains", "present")


@dataclass(frozen=True)
class Condition:
    field: str
    test: str
    value: Any  # a tuple of lower-case values, a regular expression, a text or True


@dataclass(frozen=True)
class ChannelRules:
    rules: tuple[tuple[str, tuple[Condition, ...]], ...]
    unassigned: str
    missing: dict[str, str]


def load_rules(path: Path = RULES_FILE) -> ChannelRules:
    """The channel group rules in ``path``; TemplateError (one line) when malformed."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the channel group rules ({exc})") from None
    lists = {k: tuple(str(v).lower() for v in vals) for k, vals in raw.get("lists", {}).items()}
    patterns = {k: str(v) for k, v in raw.get("patterns", {}).items()}
    rules = []
    for i, rule in enumerate(raw.get("rule", []), start=1):
        where = f"{path.name}: rule {i}"
        conditions = tuple(_condition(c, lists, patterns, where) for c in rule.get("when", []))
        if not rule.get("channel") or not conditions:
            raise TemplateError(f"{where}: give it a channel and at least one 'when' condition")
        rules.append((str(rule["channel"]), conditions))
    missing = {k: str(v).lower() for k, v in raw.get("missing", {}).items()}
    return ChannelRules(tuple(rules), str(raw.get("unassigned", "Unassigned")), missing)


def _condition(
    raw: dict[str, Any], lists: dict[str, tuple[str, ...]], patterns: dict[str, str], where: str
) -> Condition:
    field = raw.get("field")
    tests = [t for t in TESTS if t in raw]
    if field not in FIELDS or len(tests) != 1:
        raise TemplateError(
            f"{where}: a condition is {{ field = {'|'.join(FIELDS)}, "
            f"one of {', '.join(TESTS)} = ... }}, not {raw}"
        )
    test = tests[0]
    value = raw[test]
    if test == "in":
        value = tuple(str(v).lower() for v in value)
    elif test == "in_list":
        if value not in lists:
            raise TemplateError(f"{where}: no list [lists].{value}")
        test, value = "in", lists[value]
    elif test == "matches":
        value = patterns.get(value, value)
        try:
            re.compile(value)
        except re.error as exc:
            raise TemplateError(f"{where}: bad regular expression {value!r} ({exc})") from None
    elif test == "contains":
        value = str(value).lower()
    return Condition(str(field), test, value)


def _missing(rules: ChannelRules, name: str, has_gclid: bool) -> str:
    key = f"{name}_with_gclid" if has_gclid else name
    return rules.missing.get(key, rules.missing.get(name, ""))


def channel_of(
    rules: ChannelRules,
    source: str | None,
    medium: str | None,
    campaign: str | None,
    gclid: str | None = None,
) -> str:
    """The channel group of one session's source, medium, campaign and gclid (Python)."""
    has_gclid = bool(gclid)
    values = {
        "source": (source or _missing(rules, "source", has_gclid)).lower(),
        "medium": (medium or _missing(rules, "medium", has_gclid)).lower(),
        "campaign": (campaign or "").lower(),
        "gclid": gclid or "",
    }
    for channel, conditions in rules.rules:
        if all(_holds(c, values[c.field]) for c in conditions):
            return channel
    return rules.unassigned


def _holds(c: Condition, value: str) -> bool:
    if c.test == "in":
        return value in c.value
    if c.test == "matches":
        return re.search(c.value, value) is not None
    if c.test == "contains":
        return c.value in value
    return bool(value)  # present


def channel_expr(
    rules: ChannelRules,
    source: ir.StringValue,
    medium: ir.StringValue,
    campaign: ir.StringValue,
    gclid: ir.StringValue,
) -> ir.StringValue:
    """The same rules as one ibis CASE expression over string columns."""
    import ibis

    has_gclid = gclid.notnull() & (gclid != "")

    def filled(col: ir.StringValue, name: str) -> ir.StringValue:
        empty = col.isnull() | (col == "")
        plain, tagged = _missing(rules, name, False), _missing(rules, name, True)
        default = ibis.ifelse(has_gclid, ibis.literal(tagged), ibis.literal(plain))
        return ibis.ifelse(empty, default, col.lower())

    values: dict[str, ir.StringValue] = {
        "source": filled(source, "source"),
        "medium": filled(medium, "medium"),
        "campaign": campaign.fill_null("").lower(),
        "gclid": gclid.fill_null(""),
    }
    branches = []
    for channel, conditions in rules.rules:
        test = None
        for c in conditions:
            col = values[c.field]
            if c.test == "in":
                cond = col.isin(list(c.value))
            elif c.test == "matches":
                cond = col.re_search(c.value)
            elif c.test == "contains":
                cond = col.contains(c.value)
            else:
                cond = col != ""
            test = cond if test is None else test & cond
        branches.append((test, channel))
    return ibis.cases(*branches, else_=rules.unassigned)
