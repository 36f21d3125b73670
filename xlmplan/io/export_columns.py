"""The values an export gives each Data column: measures as numbers, the channel of every
row, the columns kept as extra columns (with the spend currency), and the note on which
column went where."""

from __future__ import annotations

import re

import numpy as np

from xlmplan.core.data import DATA_COLUMNS, normalise_header
from xlmplan.errors import DataError
from xlmplan.io.export_options import OPT_CHANNEL, OPT_MAP
from xlmplan.io.export_platforms import DEFAULT_CHANNELS, PLATFORMS
from xlmplan.io.export_table import Table
from xlmplan.io.export_text import NA_TEXT, parse_numbers

_DASHES = frozenset({"", "-", "--", "—", "–"})


def measure(t: Table, j: int, decimal: str, notes: list[str]) -> np.ndarray:
    """Column `j` as numbers; refuses a cell that is not a number."""
    parsed = parse_numbers(t.columns[j], decimal)
    if parsed.bad.any():
        i = int(parsed.bad.argmax())
        value = t.columns[j][i]
        raise DataError(
            f"{t.name}, row {t.rows[i]}, column {t.header[j]!r}: {value!r} is "
            f"not a number — correct or clear the cell, or map the column elsewhere with "
            f"{OPT_MAP}."
        )
    _bound_note(t, j, parsed.bound, notes)
    return parsed.values


def _bound_note(t: Table, j: int, bound: np.ndarray, notes: list[str]) -> None:
    if bound.any():
        i = int(bound.argmax())
        value = t.columns[j][i]
        notes.append(
            f"{int(bound.sum())} cell(s) such as {value!r} in {t.header[j]!r} read as "
            "their bound (an upper or lower limit, not the exact value)"
        )


def channels(
    t: Table, source: str, where: dict[str, int], channel: str | None, notes: list[str]
) -> np.ndarray:
    """The channel of each row: the channel column (`channel` fills its empty cells), else
    `channel`, else the platform's default."""
    platform = PLATFORMS[source]
    if "channel" in where:
        values = t.columns[where["channel"]].values().copy()
        empty = values == ""
        if channel and empty.any():
            values[empty] = channel
            notes.append(f"{int(empty.sum())} row(s) without a channel get {channel!r}")
        return values
    name = channel or DEFAULT_CHANNELS.get(source, "")
    if channel:
        notes.append(f"every row gets channel {name!r} ({OPT_CHANNEL})")
    else:
        notes.append(
            f"every row gets channel {name!r}, the {platform} default — change it with "
            f"{OPT_CHANNEL}"
        )
    return np.full(len(t.rows), name, dtype=object)


def extra_columns(
    t: Table, source: str, where: dict[str, int], decimal: str, notes: list[str]
) -> dict[str, tuple[np.ndarray, bool]]:
    """Columns not used for Data columns, by unique name: (values, holds numbers)."""
    used = set(where.values())
    out: dict[str, tuple[np.ndarray, bool]] = {}
    taken = set(DATA_COLUMNS)
    for j, head in enumerate(t.header):
        if j in used:
            continue
        label = head
        if normalise_header(label) in DATA_COLUMNS:
            label = f"{head} ({PLATFORMS[source]})"
        base, k = label, 2
        while label.lower() in taken:
            label, k = f"{base} ({k})", k + 1
        taken.add(label.lower())
        out[label] = _extra_values(t, j, head, decimal, notes)
    currency = _currency(t, where, notes)
    if currency and not any(normalise_header(h) in ("currency", "currency_code") for h in t.header):
        out["Currency" if "currency" not in taken else "Currency (spend)"] = (
            np.full(len(t.rows), currency, dtype=object),
            False,
        )
    return out


def _extra_values(
    t: Table, j: int, head: str, decimal: str, notes: list[str]
) -> tuple[np.ndarray, bool]:
    col = t.columns[j]
    key = normalise_header(head)
    identifier = key == "id" or key.endswith("_id") or key.endswith("id") and "_" not in key
    if not identifier and not col.test(lambda u: u.lower() in NA_TEXT).all():
        parsed = parse_numbers(col, decimal)
        if not parsed.bad.any():
            _bound_note(t, j, parsed.bound, notes)
            return parsed.values.astype(object), True
    values = col.values().copy()
    values[col.test(lambda u: u in _DASHES)] = None
    return values, False


def _currency(t: Table, where: dict[str, int], notes: list[str]) -> str:
    """The currency of spend, from 'Amount spent (INR)' or a Currency column."""
    if "spend" in where and (m := re.search(r"\(([A-Z]{3})\)\s*$", t.header[where["spend"]])):
        notes.append(f"spend is in {m[1]} (from {t.header[where['spend']]!r})")
        return m[1]
    for j, head in enumerate(t.header):
        if normalise_header(head) in ("currency", "currency_code"):
            values, _ = t.columns[j].sample(len(t.rows))
            codes = sorted({v for v in values if v and v.lower() not in NA_TEXT})
            if len(codes) == 1:
                notes.append(f"amounts are in {codes[0]} (column {head!r})")
            elif codes:
                notes.append(
                    f"amounts are in several currencies ({', '.join(codes)}) and are added "
                    "up as they are — export one currency per file"
                )
            break
    return ""


def column_notes(
    t: Table, source: str, where: dict[str, int], extra: list[str], notes: list[str]
) -> None:
    """Say which column feeds each Data column, and which are kept as `extra` columns."""
    used = [
        f"{t.header[j]} → {key}"
        for key, j in sorted(where.items(), key=lambda kv: kv[1])
        if key in DATA_COLUMNS
    ]
    if used:
        notes.append("columns used: " + ", ".join(used))
    if source == "meta-ads" and "campaign" in where:
        head = normalise_header(t.header[where["campaign"]])
        if head != "campaign_name":
            notes.append(f"campaign is {t.header[where['campaign']]!r} (no 'Campaign name')")
    clicks = normalise_header(t.header[where["clicks"]]) if "clicks" in where else ""
    if source == "meta-ads" and clicks == "clicks_all":
        notes.append("clicks are 'Clicks (all)' (the export has no 'Link clicks')")
    if extra:
        shown = ", ".join(extra[:8]) + (f" and {len(extra) - 8} more" if len(extra) > 8 else "")
        notes.append(f"kept as extra columns: {shown}")
