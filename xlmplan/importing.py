"""``xlmplan import``: bring analytics and ad-platform exports into a plan's Data table,
then refresh the plan, in one atomic write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xlmplan.core.data import DATA_COLUMNS, cleaned_notes
from xlmplan.core.data_merge import MergeReport, merge, normalise_channels
from xlmplan.core.missing_measures import order_problem
from xlmplan.core.template import data_header_aliases
from xlmplan.errors import DataError, XlmplanError
from xlmplan.io.exports import Imported, read_export
from xlmplan.io.ga4_events import SOURCE as GA4_EVENTS
from xlmplan.io.ga4_events import read_plan_events
from xlmplan.io.plan_data import data_headers, data_where
from xlmplan.refresh import RefreshResult, plan_language, refresh_plan
from xlmplan.xlsx.package_write import check_writable
from xlmplan.xlsx.plan_file import data_frame, open_plan
from xlmplan.xlsx.plan_lock import plan_lock


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
    remember: bool = False,
) -> ImportResult:
    """Import ``files`` into ``plan``'s Data table and refresh the plan.

    New rows replace the rows of their channel and campaign their date ranges cover (a
    partial overlap is refused, see ``core.data_periods``); ``replace`` empties Data
    first. Nothing is written when any file cannot be read. The plan is locked from
    reading its Data to replacing it. With ``source`` 'ga4-bigquery', ``files`` is GA4's
    raw event export (`io.ga4_events`), ``conversions`` its conversion event names.
    ``remember`` keeps the refresh record (as ``refresh_plan``'s), so that the next refresh
    of an unchanged plan is a no-op; the add-in leaves it off, since a part added to the
    open workbook would make Excel close and reopen it."""
    plan = Path(plan)
    if not files:
        raise XlmplanError("give at least one export file to import")
    for f in files:
        if Path(f).resolve() == plan.resolve():
            raise XlmplanError(f"{f} is the plan itself — give the export files to import")
    check_writable(plan)
    with plan_lock(plan):
        return _import(
            plan, files, source, mapping, replace, channel, spread, backup, conversions, remember
        )


def _import(
    plan: Path,
    files: list[Path],
    source: str,
    mapping: dict[str, str] | None,
    replace: bool,
    channel: str | None,
    spread: bool,
    backup: bool,
    conversions: list[str] | None = None,
    remember: bool = False,
) -> ImportResult:
    pf = open_plan(plan)
    try:
        labels = plan_language(pf)[0]
        titles = {c: labels[f"data.{c}"] for c in DATA_COLUMNS}
        aliases = data_header_aliases()
        if problem := order_problem(data_headers(pf), aliases, data_where(pf), titles):
            raise DataError(f"{plan.name}: {problem}")  # rows are written column by column
        existing = data_frame(pf)  # with --replace too: its columns are kept
    except DataError:
        if not replace:
            raise
        existing = None
    finally:
        pf.close()
    names = [Path(f).name for f in files]
    if source == GA4_EVENTS:  # all the event files make one aggregated frame
        imported = [read_plan_events(plan, files, conversions)]
        names = [names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} files)"]
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
    origin = np.repeat(names, [len(i.frame) for i in imported])
    report = MergeReport()
    known = [] if existing is None else list(pd.unique(existing["channel"].astype(str)))
    new = normalise_channels(new, known, report)
    columns = list(existing.columns) if existing is not None else list(new.columns[:10])
    base = existing if existing is not None else new.iloc[0:0]
    merged, report = merge(
        base, new, columns, replace_all=replace, report=report, origin=origin, data_name=plan.name
    )
    result = refresh_plan(plan, backup=backup, data=merged, remember=remember)
    notes = [n for i in imported for n in i.notes] + report.notes
    notes += cleaned_notes(existing) if existing is not None else []
    return ImportResult(plan, imported, report, result, notes)
