"""Import analytics and ad-platform exports as marketers download them.

`read_export` reads Google Analytics 4, Universal Analytics, Google Ads, Meta Ads Manager,
LinkedIn Campaign Manager and Microsoft Ads exports, and generic CSV/xlsx files, into the
canonical Data rows (`core.data.canonical_frame`). Every file either imports, with notes
on what was skipped or assumed, or is refused with one line saying why and what to do.

Rules
-----
- Files: CSV in UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM, or detected without),
  Windows-1256 (Arabic text: high bytes in runs) or Windows-1252 (with a note); delimiter
  ',', ';' or tab, sniffed; or xlsx (the 'Data' sheet, a Universal Analytics 'Dataset1'
  sheet with its 'Summary', else the first sheet with a table). Parquet files, and generic
  CSV files with more rows than a sheet holds, are read by `flat_large` (the latter summed
  per day, channel and campaign on DuckDB). Lines above the header
  (GA4 '#' lines, report titles, date-range lines, quoted 'Report Start: ...' lines) give
  the title and the date range.
- Platform (`source='auto'`): LinkedIn ('Report Start:', '(in UTC)', 'Total Spent'),
  Microsoft Ads ('Report Name:', 'GregorianDate'), Meta ('Reporting starts', 'Amount
  spent (...)', 'Link clicks'), Universal Analytics ('All Web Site Data', UA metric names),
  generic (a 'date' and a 'channel' column), GA4 ('#' preamble, GA4 metric names), Google
  Ads ('... report' title, 'Impr.', 'Currency code', 'Cost' + 'Clicks'), else generic.
- Numbers: one decimal mark per file, sniffed from the numeric columns ('1.234,56',
  '12,5%' -> decimal comma; ';' files without evidence read as decimal comma). Currency
  marks ('US$3.38', '€ 1.234,56', 'INR 12') are dropped; '1.83%' is 0.0183; '--', '-' and
  'n/a' are empty; '< 10%' is read as its bound 0.1, with a note; Persian/Arabic-Indic
  digits and separators read as digits; '-12' and '(12)' are negative numbers.
- Text is kept literally: a campaign such as '=HYPERLINK(...)' or '+Promo' stays that text.
- Skipped rows (counted in `skipped_rows`, summed up in a note): blank rows, repeated header
  rows, 'No data available.' rows, footers ('©... Microsoft Corporation'), totals: a cell
  'Total: ...'/'Total' with nothing to its left (Google Ads, also in a later column), the
  GA4 'Grand total' row, a first or last row whose label cells are empty (Meta account
  summary, UA totals). Single-cell lines after a blank row are ignored with a note; a UA
  chart table below the report is ignored with a note; any other second table (GA4
  Reports snapshot) is refused, and LinkedIn demographics reports are refused.
- Conversions: GA4 'Key events' (its conversions; older exports 'Conversions'); only when
  neither is present 'Transactions'/'Ecommerce purchases'/'Purchases'. UA: 'Goal
  Completions', else 'Transactions'. Google Ads: 'Conversions', else 'Conv.'. Meta:
  'Purchases'; 'Results' only when every 'Result indicator' is a conversion-type action
  (purchase, lead, registration, ...), else a note. LinkedIn, Microsoft Ads: 'Conversions'.
- New users are not new customers (first visits, not buyers): GA4/UA 'New users' stays an
  extra column; GA4 'First time purchasers' is new_customers.
- Revenue: GA4 'Total revenue' (else 'Purchase revenue'), UA 'Revenue', Google Ads 'Conv.
  value', Meta 'Purchases conversion value', LinkedIn 'Total Conversion Value', Microsoft
  'Revenue'. Spend: 'Cost', 'Amount spent (XXX)' (currency noted and kept as a 'Currency'
  column), 'Total Spent', 'Spend'. Clicks: Meta 'Link clicks', else 'Clicks (all)'.
- Dates: a date column (Day, Date, GregorianDate, Start Date (in UTC); Month/Year month
  rows cover their month); GA4 'Nth day' counted from the start date; Meta 'Reporting
  starts'/'Reporting ends' per row; else the range above the header; else a range in the
  file name, with a note. A LinkedIn report whose every Start Date is the report start
  covers the whole report range. A row that covers a range is dated at the range's last
  day, with a note; when the ranges span several months the note says which month gets
  them, and `spread=True` splits the measures across the months of the range in
  proportion to its days (extra columns are copied; each part is dated at its last day).
  A row that covers a range (or a part of one) keeps it in the extra columns period_start
  and period_end (ISO text), so a later import can tell which days it holds.
  'All time' reports, and files without any date, are refused unless a mapping names a
  date column. Numeric dates such as 12/6/2025 are month-first for LinkedIn and Microsoft
  Ads; elsewhere the order must follow from the values, or the file is refused.
- Channels: a channel column (GA4 '... channel group ...', UA 'Default Channel Grouping',
  generic 'channel'), else the platform's default (Google Ads and Microsoft Ads 'Paid
  Search', Meta and LinkedIn 'Paid Social'); `channel` replaces the default and fills
  empty channel cells. GA4/UA reports not broken down by channel are refused unless
  `channel` is given. Campaign: 'Campaign'/'Campaign name' (Meta falls back to 'Ad set
  name', then 'Ad name'); none -> ''.
- A 'No data available.' export is refused ("the export has no rows — widen the date range
  in Ads Manager and export again"): an empty import would only hide the problem.
- Columns not used as Data columns are kept as extra columns (numbers as float columns,
  identifiers such as 'Campaign ID' as text); names that would clash with a Data column
  get the platform name appended, duplicates a number.
- `mapping` ({'Total Spent': 'spend'}) is applied after detection and overrides it; the
  column it replaces becomes an extra column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlmplan.core.data import MEASURES, canonical_frame, cleaned_notes, normalise_header
from xlmplan.core.data_periods import PERIOD_END, PERIOD_START
from xlmplan.errors import DataError
from xlmplan.io.export_columns import channels, column_notes, extra_columns, measure
from xlmplan.io.export_dates import date_rows, dates_in_rows, has_dates, row_spans
from xlmplan.io.export_layout import Preamble, keep_data_rows, tidy_header
from xlmplan.io.export_options import OPT_CHANNEL, OPT_MAP, check_options
from xlmplan.io.export_platforms import (
    DEFAULT_CHANNELS,
    PLATFORMS,
    check_supported,
    choose_columns,
    detect,
    meta_results,
)
from xlmplan.io.export_table import Table, load_table
from xlmplan.io.export_text import DateSpan, decimal_mark
from xlmplan.io.flat_large import handles, read_flat

SOURCES = (
    "ga4",
    "universal-analytics",
    "google-ads",
    "meta-ads",
    "linkedin-ads",
    "microsoft-ads",
    "generic",
)


@dataclass
class Imported:
    """An imported export: canonical Data rows plus what the user should know."""

    frame: pd.DataFrame
    source: str
    period: tuple[dt.date, dt.date] | None
    notes: list[str]
    skipped_rows: int


def read_export(
    path: Path,
    *,
    source: str = "auto",
    mapping: dict[str, str] | None = None,
    channel: str | None = None,
    spread: bool = False,
) -> Imported:
    """Read a platform export (or generic CSV/xlsx) into canonical Data rows.

    `source` names the platform ('auto' detects it); `mapping` maps file columns to Data
    columns ({'Total Spent': 'spend'}) over what detection chose; `channel` is the channel
    of rows that have none; `spread` splits rows that cover several months across them.
    Raises DataError (one line naming the file) when the file cannot be imported.
    """
    path = Path(path)
    name = path.name
    if source not in ("auto", *SOURCES):
        raise DataError(
            f"{name}: unknown source {source!r} — use auto or one of {', '.join(SOURCES)}."
        )
    check_options(name, mapping or {}, channel)
    if source in ("auto", "generic") and handles(path):  # Parquet, or over a sheet's rows
        frame, notes = read_flat(path, mapping=mapping, channel=channel)
        days = frame["date"]
        span = (days.min().date(), days.max().date()) if len(frame) else None
        return Imported(frame, "generic", span, notes + cleaned_notes(frame), 0)
    table = load_table(path)
    return _Import(table, source, dict(mapping or {}), channel, spread).run()


class _Import:
    """One import: layout, platform, columns, rows, numbers, dates, then `canonical_frame`."""

    def __init__(
        self,
        table: Table,
        source: str,
        mapping: dict[str, str],
        channel: str | None,
        spread: bool,
    ) -> None:
        self.t = table
        self.name = table.name
        self.requested = source
        self.mapping = mapping
        self.channel = channel.strip() if channel else None
        self.spread = spread
        self.notes: list[str] = list(table.notes)
        self.skipped = 0
        self.source = "generic"
        self.where: dict[str, int] = {}

    def run(self) -> Imported:
        t, notes = self.t, self.notes
        totals = tidy_header(t)
        pre = Preamble.read(t.preamble)
        keys = {normalise_header(h) for h in t.header}
        self.source = self.requested if self.requested != "auto" else detect(pre, keys)
        check_supported(t, self.source, pre)
        self.where = choose_columns(t, self.source, self.mapping)
        self.skipped = keep_data_rows(t, self.source, self.where, totals, notes)
        meta_results(t, self.source, self.where, notes)
        self._check_complete(pre)
        decimal = decimal_mark(t.columns, t.delimiter)
        if decimal == ",":
            notes.append("numbers use ',' as decimal mark (e.g. '1.234,56' = 1234.56)")
        measures = {
            key: measure(t, self.where[key], decimal, notes)
            for key in MEASURES
            if key in self.where
        }
        start, end, period = row_spans(t, self.source, self.where, pre.period, decimal, notes)
        return self._finish(measures, start, end, period, decimal)

    def _check_complete(self, pre: Preamble) -> None:
        """Refuse when the rows lack measures, a channel or any date, saying what to export."""
        where, header = self.where, self.t.header
        platform = PLATFORMS[self.source]
        if pre.all_time and not dates_in_rows(where):
            raise DataError(
                f"{self.name}: the report covers 'All time', so its rows have no dates — "
                f"download it again with a date range (e.g. last month) or the Day segment, or "
                f"name a date column with {OPT_MAP} 'Column=date'."
            )
        problems: list[str] = []
        fixes: list[str] = []
        if not any(key in where for key in MEASURES):
            found = ", ".join(repr(h) for h in header[:8]) + (" ..." if len(header) > 8 else "")
            problems.append(f"none of its columns is a measure xlmplan uses (found {found})")
            fixes.append(
                f"map one with {OPT_MAP} 'Column=sessions' (measures: {', '.join(MEASURES)})"
            )
        if "channel" not in where and not self.channel and self.source not in DEFAULT_CHANNELS:
            rows_by = header[0]
            problems.append(f"its rows are by {rows_by!r}, not by channel")
            if self.source == "ga4":
                fixes.append(
                    "export the Traffic acquisition report (Session primary channel group) "
                    f"instead, or name one channel for all rows with {OPT_CHANNEL}"
                )
            elif self.source == "universal-analytics":
                fixes.append(
                    "export Acquisition > All Traffic > Channels instead, or name one channel "
                    f"for all rows with {OPT_CHANNEL}"
                )
            else:
                fixes.append(
                    f"add a 'channel' column, map one with {OPT_MAP} 'Column=channel', or name "
                    f"one channel for all rows with {OPT_CHANNEL}"
                )
        if not has_dates(self.t, where, pre.period):
            problems.append("it has no date column and no date range")
            fixes.append(
                f"export it with a date range or a Date column, or map one with {OPT_MAP} "
                "'Column=date'"
            )
        if problems:
            raise DataError(
                f"{self.name}: cannot import this {platform} export — {'; '.join(problems)} — "
                f"{'; '.join(fixes)}."
            )

    def _finish(
        self,
        measures: dict[str, np.ndarray],
        start: np.ndarray,
        end: np.ndarray,
        period: DateSpan | None,
        decimal: str,
    ) -> Imported:
        t, where, notes = self.t, self.where, self.notes
        channel = channels(t, self.source, where, self.channel, notes)
        campaign = t.columns[where["campaign"]].values() if "campaign" in where else None
        extras = extra_columns(t, self.source, where, decimal, notes)
        index, first, dates, share = date_rows(start, end, self.spread, notes)
        data: dict[str, object] = {
            "date": dates.astype("datetime64[ns]"),
            "channel": channel[index],
        }
        data["campaign"] = (
            campaign[index] if campaign is not None else np.full(len(index), "", dtype=object)
        )
        for key in MEASURES:
            if key in measures:
                data[key] = measures[key][index] * share
        frame_in = pd.DataFrame(data)
        ranged = first < dates
        if ranged.any():  # remembered so a later import cannot count these days twice
            for column, days in ((PERIOD_START, first), (PERIOD_END, dates)):
                text = days.astype(str).astype(object)
                text[~ranged] = None
                frame_in[column] = text
        numeric: list[str] = []
        for label, (values, is_number) in extras.items():
            frame_in[label] = values[index]
            if is_number:
                numeric.append(label)
        frame = canonical_frame(frame_in, self.name, rows=t.rows[index])
        notes += cleaned_notes(frame)
        for label in numeric:
            frame[label] = frame[label].astype(np.float64)
        column_notes(t, self.source, where, list(extras), notes)
        return Imported(
            frame=frame,
            source=self.source,
            period=period,
            notes=notes,
            skipped_rows=self.skipped,
        )
