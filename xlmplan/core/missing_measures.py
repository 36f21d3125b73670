"""Measures Data holds no value of, and the metrics that then cannot be computed.

A measure is missing when no Data row has a number for it: its column was never filled,
or its header was retyped (``Spend`` as ``Cost (old)``) so the column is no longer read as
that measure. A metric reading a missing measure is blank in both engines, never 0: its
pandas value is NaN and its branch of the native formula is the empty text. A retyped or
deleted header is an error naming the header cell and the KPIs it leaves blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlmplan.core.addresses import col_letter
from xlmplan.core.catalog import Catalog, Metric
from xlmplan.core.checks import Finding
from xlmplan.core.data import DATA_COLUMNS, MEASURES, normalise_header
from xlmplan.core.model import Kpi


def missing_measures(data: pd.DataFrame) -> tuple[str, ...]:
    """The measures no Data row has a number for (none when Data has no rows)."""
    if not len(data):
        return ()
    return tuple(m for m in MEASURES if m not in data.columns or data[m].isna().all())


@dataclass(frozen=True)
class Unmeasured(Metric):
    """A metric whose measures Data lacks: blank in pandas and in its native formula."""

    def excel(self, refs: Mapping[str, str]) -> str:
        return '""'

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        sized = [v for v in values.values() if isinstance(v, pd.Series | np.ndarray)]
        if sized:
            return np.full(len(sized[0]), np.nan)
        return float("nan")


def without_missing(catalog: Catalog, missing: tuple[str, ...]) -> Catalog:
    """``catalog`` with every metric that reads a missing measure made `Unmeasured`."""
    if not missing:
        return catalog
    return Catalog(
        tuple(
            Unmeasured(m.key, m.label, m.expr, m.direction, m.unit)
            if set(m.measures) & set(missing)
            else m
            for m in catalog
        )
    )


def column_positions(headers: list[str], aliases: Mapping[str, str]) -> dict[str, int]:
    """Data column key -> index of its header in ``headers`` (matched as the reader does)."""
    out: dict[str, int] = {}
    for j, header in enumerate(headers):
        key = normalise_header(header)
        key = aliases.get(key, key)
        if key in DATA_COLUMNS and key not in out:
            out[key] = j
    return out


def header_findings(
    headers: list[str],
    aliases: Mapping[str, str],
    where: tuple[str, int, int],
    kpis: list[Kpi],
    catalog: Catalog,
    titles: Mapping[str, str],
) -> list[Finding]:
    """An error per measure whose header is gone from the Data table, at the header cell
    where the measure stood (``where``: sheet, 0-based header row and first column),
    naming the KPIs it leaves blank. ``titles`` gives each column's header as written."""
    found = column_positions(headers, aliases)
    out: list[Finding] = []
    for j, measure in enumerate(DATA_COLUMNS):
        if measure not in MEASURES or measure in found:
            continue
        sheet, row, col = where
        cell = f"{sheet}!{col_letter(col + j)}{row + 1}"
        now = repr(headers[j]) if j < len(headers) and headers[j] else "empty"
        needing = [k for k in kpis if (m := catalog.by_label(k.metric)) and measure in m.measures]
        blank = (
            f"KPI(s) {', '.join(f'{k.id} {k.name}'.strip() for k in needing)} are blank"
            if needing
            else "metrics that read it are blank"
        )
        out.append(
            Finding(
                "error",
                cell,
                f"no Data column is headed {titles[measure]!r} any more (this header is {now}): "
                f"{blank} — rename the header back to {titles[measure]!r}",
            )
        )
    return out


def order_problem(
    headers: list[str],
    aliases: Mapping[str, str],
    where: tuple[str, int, int],
    titles: Mapping[str, str],
) -> str | None:
    """Why rows cannot be written into a Data table with these headers (import writes the
    columns in their canonical order), naming the first header cell out of place."""
    found = column_positions(headers, aliases)
    for j, column in enumerate(DATA_COLUMNS):
        if found.get(column) != j:
            sheet, row, col = where
            now = repr(headers[j]) if j < len(headers) and headers[j] else "empty"
            return (
                f"{sheet}!{col_letter(col + j)}{row + 1} is {now}, where the "
                f"{titles[column]!r} column belongs — rename or move the Data columns back "
                f"({', '.join(titles[c] for c in DATA_COLUMNS)}) and import again"
            )
    return None
