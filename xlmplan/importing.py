"""``xlmplan import``: bring analytics and ad-platform exports into a plan's Data table,
then refresh the plan, in one atomic write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlmplan.core.data_merge import MergeReport, merge, normalise_channels
from xlmplan.errors import DataError, XlmplanError
from xlmplan.io.exports import Imported, read_export
from xlmplan.io.ga4_events import SOURCE as GA4_EVENTS
from xlmplan.io.ga4_events import read_plan_events
from xlmplan.refresh import RefreshResult, refresh_plan
from xlmplan.xlsx.package_write import check_writable
from xlmplan.xlsx.plan_file import data_frame, open_plan


@dataclass
class ImportResult:
    plan: Path
    files: list[Imported]
    report: MergeReport
    refresh: RefreshResult
    notes: list[str] = field(default_factory=list)


def parse_map(items: list[str]) -> dict[str, str]:
    """``["Total Spent=spend"]`` -> ``{"Total Spent": "spend"}``."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, measure = item.rpartition("=")
        if not sep or not column.strip() or not measure.strip():
            raise XlmplanError(
                f"--map '{item}': write it as COLUMN=measure, e.g. --map 'Total Spent=spend'"
            )
        out[column.strip()] = measure.strip()
    return out


def import_data(
    plan: Path,
    files: list[Path],
    *,
    source: str = "auto",
    mapping: dict[str, str] | None = None,
    replace: bool = False,
    channel: str | None = None,
    spread: bool = False,
    backup: bool = True,
    conversions: list[str] | None = None,
) -> ImportResult:
    """Import ``files`` into ``plan``'s Data table and refresh the plan.

    Rows with a (date, channel, campaign) already in Data replace those rows; ``replace``
    empties Data first. Nothing is written when any file cannot be read. With ``source``
    'ga4-bigquery', ``files`` is GA4's raw event export (`io.ga4_events`), ``conversions``
    its conversion event names."""
    plan = Path(plan)
    if not files:
        raise XlmplanError("give at least one export file to import")
    for f in files:
        if Path(f).resolve() == plan.resolve():
            raise XlmplanError(f"{f} is the plan itself — give the export files to import")
    check_writable(plan)
    pf = open_plan(plan)
    try:
        existing = data_frame(pf) if not replace else None
    except DataError:
        if not replace:
            raise
        existing = None
    finally:
        pf.close()
    if source == GA4_EVENTS:
        imported = [read_plan_events(plan, files, conversions)]
    else:
        imported = [
            read_export(Path(f), source=source, mapping=mapping, channel=channel, spread=spread)
            for f in files
        ]
    frames = [i.frame for i in imported if len(i.frame)]
    if not frames:
        raise DataError(
            f"{', '.join(str(f) for f in files)}: no data rows to import — "
            "export a report with rows in it and try again"
        )
    new = pd.concat(frames, ignore_index=True)
    report = MergeReport()
    known = [] if existing is None else list(pd.unique(existing["channel"].astype(str)))
    new = normalise_channels(new, known, report)
    columns = list(existing.columns) if existing is not None else list(new.columns[:10])
    base = existing if existing is not None else new.iloc[0:0]
    merged, report = merge(base, new, columns, replace_all=replace, report=report)
    result = refresh_plan(plan, backup=backup, data=merged)
    notes = [n for i in imported for n in i.notes]
    return ImportResult(plan, imported, report, result, notes)
