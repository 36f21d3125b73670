"""Merge imported rows into a plan's Data: channel names, duplicate rows, kept columns.

Pure pandas. A row's key is (date, channel, campaign): importing the same export twice
replaces its rows instead of counting them twice, and several rows of one export with the
same key (an export broken down by age or device) are added up into one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlmplan.core.data import DATA_COLUMNS, KEY_COLUMNS, MEASURES
from xlmplan.core.data_periods import (
    PERIOD_END,
    PERIOD_START,
    check_new_ranges,
    period_columns,
    resolve,
)
from xlmplan.errors import DataError

_LOOSE = re.compile(r"[\W_]+")


def _loose(name: str) -> str:
    key = _LOOSE.sub("", name.casefold())
    return key[:-1] if key.endswith("s") else key


@dataclass
class MergeReport:
    added: int = 0
    replaced: int = 0
    combined: int = 0  # imported rows added up into another row with the same key
    new_channels: list[str] = field(default_factory=list)
    renamed_channels: dict[str, str] = field(default_factory=dict)  # imported -> plan's
    dropped_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # old rows replaced by a wider range


def normalise_channels(frame: pd.DataFrame, known: list[str], report: MergeReport) -> pd.DataFrame:
    """Spell each channel as the plan does (case, spacing, a plural ``s`` aside);
    channels the plan does not know are kept and reported."""
    exact = {c.casefold(): c for c in known}
    loose = {_loose(c): c for c in known}
    mapping: dict[str, str] = {}
    for name in pd.unique(frame["channel"].astype(str)):
        hit = exact.get(name.casefold()) or loose.get(_loose(name))
        if hit is None:
            hit = name
            exact[name.casefold()] = name
            loose[_loose(name)] = name
            report.new_channels.append(name)
        elif hit != name:
            report.renamed_channels[name] = hit
        mapping[name] = hit
    return frame.assign(channel=frame["channel"].astype(str).map(mapping))


def combine_keys(frame: pd.DataFrame, report: MergeReport) -> pd.DataFrame:
    """One row per key: measures added up, other columns from the first row."""
    keys = list(KEY_COLUMNS)
    filled = frame.assign(campaign=frame["campaign"].fillna(""))
    dup = filled.duplicated(keys, keep=False)
    if not dup.any():
        return filled
    extras = [c for c in filled.columns if c not in DATA_COLUMNS]
    agg = {m: "sum" for m in MEASURES} | {c: "first" for c in extras}
    grouped = filled.groupby(keys, sort=False, dropna=False).agg(agg).reset_index()
    report.combined += len(filled) - len(grouped)
    return grouped[list(filled.columns)]


def merge(
    existing: pd.DataFrame,
    imported: pd.DataFrame,
    columns: list[str],
    *,
    replace_all: bool = False,
    report: MergeReport | None = None,
    origin: np.ndarray | None = None,
    data_name: str = "Data",
) -> tuple[pd.DataFrame, MergeReport]:
    """Existing Data with ``imported`` merged in, as the Data table's ``columns``, in date
    order (stable: rows of one date keep their order, imported ones after existing ones).

    Old rows are replaced where the new rows' date ranges cover them (see
    ``data_periods``); ``origin`` names the file of each imported row and ``data_name``
    the Data table in the one-line errors a partial overlap raises."""
    report = report or MergeReport()
    if origin is None:
        origin = np.full(len(imported), "the export", dtype=object)
    imported = _periods_as(imported, columns, origin)
    check_new_ranges(imported, origin)
    if replace_all:
        report.replaced = len(existing)
        base = existing.iloc[0:0]
    else:
        overlaps = resolve(existing, imported, origin, data_name)
        report.replaced = int(overlaps.replace.sum())
        report.notes += overlaps.widened
        base = existing[~overlaps.replace]
    imported = combine_keys(imported, report)
    report.dropped_columns = [c for c in imported.columns if c not in columns]
    report.added = len(imported)
    merged = pd.concat(
        [base.reindex(columns=columns), imported.reindex(columns=columns)], ignore_index=True
    )
    # Data stays in date order (as `new` writes it and as it is read back), so a refresh
    # after an import sums in the same order and changes nothing.
    order = np.argsort(merged["date"].to_numpy(), kind="stable")
    return merged.take(order).reset_index(drop=True), report


def _periods_as(imported: pd.DataFrame, columns: list[str], origin: np.ndarray) -> pd.DataFrame:
    """The imported period columns under the Data table's headers for them; refused when
    rows cover ranges and Data has no columns to remember them."""
    if PERIOD_START not in imported.columns:
        return imported
    ranged = imported[PERIOD_START].notna().to_numpy()
    target = period_columns(columns)
    if target is not None:
        return imported.rename(columns=dict(zip((PERIOD_START, PERIOD_END), target, strict=True)))
    if not ranged.any():
        return imported.drop(columns=[PERIOD_START, PERIOD_END])
    i = int(ranged.argmax())
    first, last = imported[PERIOD_START].iloc[i], imported[PERIOD_END].iloc[i]
    raise DataError(
        f"{origin[i]}: its rows cover date ranges (e.g. {first} to {last}) and the plan's Data "
        f"table has no {PERIOD_START} and {PERIOD_END} columns to remember them — type those "
        "two headers right of the Data table's last header, save, and import again."
    )


def unify_channels(data: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Spell each channel as it first appears (case-insensitively); return the channel list."""
    names = data["channel"].astype(str).str.strip()
    first: dict[str, str] = {}
    for name in pd.unique(names):
        first.setdefault(name.casefold(), name)
    codes, uniques = pd.factorize(names)
    spelled = np.array([first[str(n).casefold()] for n in uniques], dtype=object)
    data = data.assign(channel=spelled[codes])
    return data, list(first.values())
