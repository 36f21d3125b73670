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
  sheet with its 'Summary', else the first sheet with a table). Lines above the header
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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from xlmplan.core.data import DATA_COLUMNS, MEASURES, canonical_frame, normalise_header
from xlmplan.errors import DataError
from xlmplan.io.export_text import (
    NA_TEXT,
    Column,
    DateSpan,
    date_order,
    decimal_mark,
    decode,
    looks_numeric,
    parse_date,
    parse_dates,
    parse_numbers,
    parse_range,
    range_in_name,
    read_cells,
    sniff_delimiter,
    split_line,
)

SOURCES = (
    "ga4",
    "universal-analytics",
    "google-ads",
    "meta-ads",
    "linkedin-ads",
    "microsoft-ads",
    "generic",
)
DEFAULT_CHANNELS = {
    "google-ads": "Paid Search",
    "microsoft-ads": "Paid Search",
    "meta-ads": "Paid Social",
    "linkedin-ads": "Paid Social",
}
PLATFORMS = {
    "ga4": "GA4",
    "universal-analytics": "Universal Analytics",
    "google-ads": "Google Ads",
    "meta-ads": "Meta Ads",
    "linkedin-ads": "LinkedIn Ads",
    "microsoft-ads": "Microsoft Ads",
    "generic": "file",
}
# How messages name the options of `read_export` (the `xlmplan import` flags).
OPT_CHANNEL = "--channel"
OPT_MAP = "--map"
OPT_SPREAD = "--spread"

_DASHES = frozenset({"", "-", "--", "—", "–"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_HEADER_SCAN = 5000
_NO_DATA = re.compile(r"(?i)no data available\.?")
_TOTAL = re.compile(
    r"(?i)(?:grand\s+total|totals?|totaal|gesamt(?:summe)?|insgesamt|totale)\s*(?::.*)?"
)
_TOTAL_MARK = re.compile(r"(?i)grand\s+total|totals?")
_KEY_VALUE = re.compile(
    r"(?i)(start date|end date|report start|report end|report time|date range|"
    r"reporting period|period|zeitraum|periode)\s*:\s*(.*)"
)
_ADS_TITLE = re.compile(r"(?i)[\w &/+-]+ report")
_CONVERSION_ACTIONS = re.compile(
    r"(?i)purchase|lead|registration|conversion|subscribe|contact|schedule|"
    r"submit_application|start_trial|checkout|add_to_cart|donate"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- column names per platform (normalised; 'x*' = starts with, '*x' = contains) ----------

_COMMON = {"channel": ("channel",)}
_PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "ga4": {
        "channel": ("*channel_group", "channel"),
        "campaign": (
            "session_campaign",
            "session_manual_campaign_name",
            "campaign",
            "campaign_name",
            "first_user_campaign",
            "first_user_manual_campaign_name",
        ),
        "date": ("date",),
        "month": ("year_month",),
        "nth_day": ("nth_day",),
        "impressions": ("impressions", "google_ads_impressions", "ads_impressions"),
        "clicks": ("google_ads_clicks", "ads_clicks", "clicks"),
        "sessions": ("sessions",),
        "conversions": (
            "key_events",
            "conversions",
            "transactions",
            "ecommerce_purchases",
            "purchases",
        ),
        "revenue": ("total_revenue", "purchase_revenue", "revenue", "item_revenue"),
        "spend": ("google_ads_cost", "ads_cost", "cost"),
        "new_customers": ("first_time_purchasers", "new_customers"),
    },
    "universal-analytics": {
        "channel": (
            "default_channel_grouping",
            "channel_grouping",
            "standaard_kanaalgroepering",
            "kanaalgroepering",
            "*channel_grouping",
            "channel",
        ),
        "campaign": ("campaign", "campagne", "kampagne"),
        "date": ("date", "datum", "day_index", "dagindex", "fecha"),
        "month": ("month_of_year", "maand_van_het_jaar"),
        "impressions": ("impressions", "vertoningen"),
        "clicks": ("clicks", "klikken"),
        "sessions": ("sessions", "sessies", "sitzungen", "sesiones"),
        "conversions": (
            "goal_completions",
            "behaalde_doelen",
            "zielabschl_sse",
            "transactions",
            "transacties",
        ),
        "revenue": ("revenue", "opbrengst", "transaction_revenue", "umsatz", "ingresos"),
        "spend": ("cost", "kosten"),
    },
    "google-ads": {
        "date": ("day", "date", "dag", "tag", "week"),
        "month": ("month",),
        "campaign": ("campaign", "campaign_name"),
        "impressions": ("impr", "impressions"),
        "clicks": ("clicks",),
        "conversions": ("conversions", "conv"),
        "revenue": ("conv_value", "conversion_value", "total_conv_value"),
        "spend": ("cost",),
    },
    "meta-ads": {
        "date": ("day",),
        "starts": ("reporting_starts",),
        "ends": ("reporting_ends",),
        "campaign": ("campaign_name", "ad_set_name", "ad_name"),
        "impressions": ("impressions",),
        "clicks": ("link_clicks", "clicks_all"),
        "conversions": ("purchases", "website_purchases"),
        "revenue": ("purchases_conversion_value", "website_purchases_conversion_value"),
        "spend": ("amount_spent*",),
    },
    "linkedin-ads": {
        "date": ("start_date_in_utc", "start_date", "date"),
        "campaign": ("campaign_name", "campaign"),
        "impressions": ("impressions",),
        "clicks": ("clicks",),
        "conversions": ("conversions",),
        "revenue": ("total_conversion_value", "conversion_value"),
        "spend": ("total_spent", "amount_spent*"),
    },
    "microsoft-ads": {
        "date": ("gregoriandate", "timeperiod", "date", "day"),
        "campaign": ("campaignname", "campaign_name", "campaign"),
        "impressions": ("impressions",),
        "clicks": ("clicks",),
        "conversions": ("conversions", "conv"),
        "revenue": ("revenue",),
        "spend": ("spend", "cost"),
    },
    "generic": {key: (key,) for key in DATA_COLUMNS},
}
_HELPERS = ("month", "nth_day", "starts", "ends")

_LINKEDIN_KEYS = _words(
    """
    start_date_in_utc total_spent campaign_group_name campaign_group_id
    company_name_segment
    """
)
_MICROSOFT_KEYS = _words("gregoriandate timeperiod campaignname accountname adgroupname")
_META_KEYS = _words(
    """
    reporting_starts reporting_ends link_clicks clicks_all ad_set_name result_indicator
    attribution_setting purchases_conversion_value
    """
)
_UA_KEYS = _words(
    """
    default_channel_grouping pageviews unique_pageviews avg_time_on_page page_value
    new_sessions pages_session avg_session_duration goal_conversion_rate goal_completions
    goal_value sessies nieuwe_sessies bouncepercentage pagina_s_sessie gem_sessieduur
    doelconversieratio behaalde_doelen doelwaarde nieuwe_gebruikers
    standaard_kanaalgroepering ecommerce_conversion_rate
    """
)
_GA4_KEYS = _words(
    """
    key_events total_users active_users event_count engaged_sessions engagement_rate
    total_revenue session_key_event_rate user_key_event_rate nth_day event_name
    first_user_primary_channel_group_default_channel_group
    session_primary_channel_group_default_channel_group session_default_channel_group
    """
)
_GOOGLE_ADS_KEYS = _words(
    """
    impr currency_code cost_conv conv_value avg_cpc interactions interaction_rate
    search_impr_share conv_rate campaign_status ad_group match_type search_keyword avg_cost
    optimisation_score optimization_score
    """
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
    targets: dict[str, str] = {}
    for column, target in (mapping or {}).items():
        if target not in DATA_COLUMNS:
            raise DataError(
                f"{name}: {OPT_MAP} maps {column!r} to {target!r}, which is not a Data column — "
                f"use one of {', '.join(DATA_COLUMNS)}."
            )
        if target in targets:
            raise DataError(
                f"{name}: {OPT_MAP} maps both {targets[target]!r} and {column!r} to {target!r} — "
                "keep one of them."
            )
        targets[target] = column
    if channel is not None and not channel.strip():
        raise DataError(f"{name}: the channel name is empty — give a name such as 'Paid Search'.")
    table = _load(path)
    return _Import(table, source, dict(mapping or {}), channel, spread).run()


# --- loading -----------------------------------------------------------------------------


@dataclass
class _Table:
    """The header and body of the chosen table, with the lines above it."""

    name: str
    stem: str
    preamble: list[str]
    header: list[str]
    columns: list[Column]
    rows: np.ndarray
    delimiter: str | None
    notes: list[str] = field(default_factory=list)


def _load(path: Path) -> _Table:
    name = path.name
    if path.is_dir() or not path.exists():
        raise DataError(f"{path}: file not found — check the path and file name.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"{name}: cannot read the file ({exc.strerror}) — check permissions."
        ) from None
    if raw.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise DataError(
            f"{name}: old Excel .xls format is not supported — open it in Excel and save it as "
            ".xlsx or CSV UTF-8."
        )
    if raw.startswith(_ZIP_MAGIC):
        return _load_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise DataError(f"{name}: not a valid .xlsx workbook — re-save it from Excel as .xlsx.")
    if not raw.strip():
        raise DataError(f"{name}: the file is empty — download the export again.")
    return _load_text(name, path.stem, raw)


def _load_text(name: str, stem: str, raw: bytes) -> _Table:
    text, encoding = decode(name, raw)
    notes = []
    if not encoding.startswith("UTF"):
        notes.append(f"read as {encoding} text; check that accented or Arabic letters look right")
    pieces = text[:2_000_000].splitlines(keepends=True)[:_HEADER_SCAN]
    lines = [p.rstrip("\r\n") for p in pieces]
    delimiter = sniff_delimiter(lines)
    top = _header_index([split_line(line, delimiter) for line in lines])
    if top < 0:
        raise _no_table(name, [ln for ln in lines if ln.strip()])
    offset = sum(len(p) for p in pieces[:top])
    width = len(split_line(lines[top], delimiter))
    cells = read_cells(name, text[offset:], delimiter, width)
    columns = [Column.of(cells[j].to_numpy(dtype=object)) for j in cells.columns]
    header = [c[0] for c in columns]
    body = [c.take(slice(1, None)) for c in columns]
    rows = np.arange(len(cells) - 1, dtype=np.int64) + top + 2
    return _Table(name, stem, lines[:top], header, body, rows, delimiter, notes)


def _load_xlsx(path: Path) -> _Table:
    name = path.name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = {
            s: workbook.get_sheet_by_name(s).to_python(skip_empty_area=False)
            for s in workbook.sheet_names
        }
    except Exception as exc:  # calamine raises several unrelated error types
        raise DataError(
            f"{name}: cannot open as an xlsx workbook ({type(exc).__name__}) — re-save it from "
            "Excel as .xlsx or CSV UTF-8."
        ) from None
    by_name = {s.strip().lower(): s for s in sheets}
    above: list[str] = []
    notes: list[str] = []
    if "data" in by_name:
        chosen = by_name["data"]
    elif "summary" in by_name and "dataset1" in by_name:
        chosen = by_name["dataset1"]
        above = [" ".join(_cell_text(v) for v in r).strip() for r in sheets[by_name["summary"]]]
        others = [s for s in sheets if s not in (chosen, by_name["summary"])]
        if others:
            notes.append(f"read sheet {chosen!r}; ignored sheets {', '.join(map(repr, others))}")
    else:
        filled = [
            s
            for s, rows in sheets.items()
            if sum(any(_cell_text(v) for v in r) for r in rows[:50]) >= 2
        ]
        if not filled:
            raise DataError(f"{name}: the workbook has no table — download the export again.")
        chosen = filled[0]
    grid = sheets[chosen]
    top = _header_index([[_cell_text(v) for v in r] for r in grid[:_HEADER_SCAN]])
    preamble = above + [" ".join(_cell_text(v) for v in r).strip() for r in grid[: max(top, 0)]]
    if top < 0:
        raise _no_table(name, [p for p in preamble if p])
    width = max(len(r) for r in grid[top:])
    frame = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in grid[top:]], dtype=object)
    columns = [Column.of(frame[j].to_numpy(dtype=object), _cell_text) for j in frame.columns]
    header = [c[0] for c in columns]
    body = [c.take(slice(1, None)) for c in columns]
    rows = np.arange(len(frame) - 1, dtype=np.int64) + top + 2
    label = f"{name}, sheet {chosen!r}" if len(sheets) > 1 else name
    return _Table(label, path.stem, preamble, header, body, rows, None, notes)


def _cell_text(value: object) -> str:
    """xlsx cell as text: whole floats without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _header_index(rows: Sequence[Sequence[str]]) -> int:
    """First row with two or more filled cells that is not a comment or a date range."""
    for i, cells in enumerate(rows):
        filled = [c.strip() for c in cells if c and c.strip()]
        if len(filled) < 2 or filled[0].startswith("#"):
            continue
        if parse_range(" ".join(filled)) is not None:
            continue
        return i
    return -1


def _no_table(name: str, lines: list[str]) -> DataError:
    if not lines:
        return DataError(f"{name}: the file is empty — download the export again.")
    title = _strip_line(lines[0])
    if len(lines) > 8:
        return DataError(
            f"{name}: no table — no line has two or more cells (first line {title[:60]!r}); "
            "save it with columns separated by comma, semicolon or tab."
        )
    return DataError(
        f"{name}: no table — the file holds only the report title and dates ({title!r}), so "
        "the report was empty for its date range; widen the date range and download it again."
    )


def _strip_line(line: str) -> str:
    s = line.strip().strip(",;\t").strip()
    s = s[1:].strip() if s.startswith("#") else s
    return s.strip('"').strip()


# --- the preamble ------------------------------------------------------------------------


@dataclass
class _Preamble:
    """What the lines above the header say: title, date range, 'All time'."""

    title: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    all_time: bool = False
    comments: bool = False
    text: str = ""

    @classmethod
    def read(cls, lines: list[str]) -> _Preamble:
        found = cls(text="\n".join(lines).lower())
        for raw in lines:
            line = _strip_line(raw)
            found.comments |= raw.lstrip().startswith("#")
            if not line or set(line) <= set("-=*# "):
                continue
            if not found.title:
                found.title = line
            if line.lower() in ("all time", "alle tijd", "gesamte zeit", "todo el tiempo"):
                found.all_time = True
            elif m := _KEY_VALUE.fullmatch(line):
                key, value = m[1].lower(), m[2]
                span = parse_range(value, "mdy") or parse_date(value, "mdy")
                if span is None:
                    continue
                if key in ("start date", "report start"):
                    found.start = span[0]
                elif key in ("end date", "report end"):
                    found.end = span[1]
                elif found.start is None:
                    found.start, found.end = span
            elif found.start is None and (span := parse_range(line, "mdy")):
                found.start, found.end = span
        return found

    @property
    def period(self) -> DateSpan | None:
        if self.start and self.end and self.start <= self.end:
            return self.start, self.end
        return None


def _detect(pre: _Preamble, keys: set[str]) -> str:
    """The platform a file comes from, from its preamble and headers."""
    text = pre.text
    if "report start:" in text or "(in utc)" in text or keys & _LINKEDIN_KEYS:
        return "linkedin-ads"
    if "report name:" in text or "report time:" in text or keys & _MICROSOFT_KEYS:
        return "microsoft-ads"
    if keys & _META_KEYS or any(k.startswith("amount_spent") for k in keys):
        return "meta-ads"
    if "all web site data" in text or keys & _UA_KEYS:
        return "universal-analytics"
    if {"date", "channel"} <= keys:
        return "generic"
    if pre.comments or keys & _GA4_KEYS:
        return "ga4"
    if _ADS_TITLE.fullmatch(pre.title) or keys & _GOOGLE_ADS_KEYS or {"cost", "clicks"} <= keys:
        return "google-ads"
    return "generic"


# --- the import --------------------------------------------------------------------------


class _Import:
    """One import: structure, columns, rows, numbers, dates, then `canonical_frame`."""

    def __init__(
        self,
        table: _Table,
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

    # .. steps ..

    def run(self) -> Imported:
        t = self.t
        self._tidy_header()
        pre = _Preamble.read(t.preamble)
        keys = {normalise_header(h) for h in t.header}
        self.source = self.requested if self.requested != "auto" else _detect(pre, keys)
        segments = normalise_header(t.header[0]).endswith("_segment")
        if self.source == "linkedin-ads" and ("demographic" in pre.title.lower() or segments):
            raise DataError(
                f"{self.name}: a LinkedIn demographics report lists audience segments "
                "(companies, job titles, locations) in separate tables, without dates or "
                "campaigns — export the Campaign Performance report instead."
            )
        self._resolve()
        keep = self._structure()
        self._take(keep)
        self._meta_results()
        self._check_complete(pre)
        decimal = decimal_mark(t.columns, t.delimiter)
        if decimal == ",":
            self.notes.append("numbers use ',' as decimal mark (e.g. '1.234,56' = 1234.56)")
        measures = {key: self._measure(key, decimal) for key in MEASURES if key in self.where}
        start, end, period = self._dates(pre, decimal)
        return self._finish(measures, start, end, period, decimal)

    def _tidy_header(self) -> None:
        """Name blank headers; drop empty columns; turn a 'Grand total' column into a mark."""
        t = self.t
        keep: list[int] = []
        self.totals = np.zeros(len(t.rows), dtype=bool)
        for j, (head, col) in enumerate(zip(t.header, t.columns, strict=True)):
            filled = ~col.blank
            if head:
                keep.append(j)
            elif filled.any():
                marks = col.test(lambda u: bool(_TOTAL_MARK.fullmatch(u)))
                if (marks == filled).all():
                    self.totals |= marks
                    continue
                keep.append(j)
                t.header[j] = f"column {j + 1}"
        t.header = [t.header[j].lstrip("\ufeff") for j in keep]
        t.columns = [t.columns[j] for j in keep]

    def _find(self, candidates: Sequence[str], taken: set[int]) -> int | None:
        keys = [normalise_header(h) for h in self.t.header]
        for want in candidates:
            for j, key in enumerate(keys):
                if j in taken:
                    continue
                if want.startswith("*") and want[1:] in key:
                    return j
                if want.endswith("*") and key.startswith(want[:-1]):
                    return j
                if key == want:
                    return j
        return None

    def _resolve(self) -> None:
        """Which column feeds each Data column (platform names, then the mapping)."""
        profile = {**_COMMON, **_PROFILES[self.source]}
        taken: set[int] = set()
        for key, candidates in profile.items():
            j = self._find(candidates, taken)
            if j is not None:
                self.where[key] = j
                taken.add(j)
        for column, target in self.mapping.items():
            j = self._column_named(column)
            for key in [k for k, v in self.where.items() if v == j or k == target]:
                del self.where[key]
            self.where[target] = j
        if "date" in self.where:
            for key in _HELPERS:
                self.where.pop(key, None)

    def _column_named(self, column: str) -> int:
        header = self.t.header
        for j, head in enumerate(header):
            if head == column.strip():
                return j
        wanted = normalise_header(column)
        for j, head in enumerate(header):
            if normalise_header(head) == wanted:
                return j
        shown = ", ".join(repr(h) for h in header[:12]) + (" ..." if len(header) > 12 else "")
        raise DataError(
            f"{self.name}: {OPT_MAP} names column {column!r}, which is not in the file — "
            f"its columns are {shown}."
        )

    def _structure(self) -> np.ndarray:
        """Mask of body rows that are data rows; refuses files with several tables."""
        t = self.t
        n = len(t.rows)
        filled = np.zeros(n, dtype=np.int64)
        for col in t.columns:
            filled += ~col.blank
        first = t.columns[0]
        comment = first.test(lambda u: u.startswith("#")) & (filled == 1) & ~first.blank
        separator = (filled == 0) | comment
        keep = ~separator
        edges = np.diff(np.concatenate([[0], keep.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        tables: list[int] = []
        junk: list[int] = []
        for s, e in zip(starts[1:], ends[1:], strict=True):
            cells = [c[int(s)] for c in t.columns]
            if cells == t.header:
                continue  # a repeated header: dropped below, the rows go on
            if (filled[s:e] <= 1).all():
                keep[s:e] = False
                junk.extend(range(int(s), int(e)))
            elif e - s >= 2 and _header_like(cells):
                tables.append(int(s))
                keep[s:] = False
                break
        if tables:
            self._other_tables(tables[0], filled)
        footer = first.test(lambda u: u.startswith(("©", "(c)"))) & (filled == 1)
        no_data = first.test(lambda u: bool(_NO_DATA.fullmatch(u))) & (filled == 1)
        repeat = np.ones(n, dtype=bool)
        for head, col in zip(t.header, t.columns, strict=True):
            repeat &= col.equals(head)
        totals = self.totals | self._total_rows(keep & ~footer & ~no_data & ~repeat)
        junk_rows = np.zeros(n, dtype=bool)
        junk_rows[junk] = True
        quiet = junk_rows & (footer | no_data)
        if (junk_rows & ~quiet).any():
            r = int(np.flatnonzero(junk_rows & ~quiet)[0])
            lines = int((junk_rows & ~quiet).sum())
            self.notes.append(
                f"ignored {lines} line(s) below the table from row {t.rows[r]} "
                f"({_cells_text([c[r] for c in t.columns])!r}): they are not table rows"
            )
        drop = {
            "total row": keep & totals,
            "repeated header row": keep & repeat & ~totals,
            "'No data available.' row": no_data,
            "footer line": footer & ~no_data,
        }
        keep &= ~(totals | repeat | footer | no_data)
        self.no_data = bool(no_data.any())
        blank_rows = int((filled == 0).sum())
        self.skipped = n - int(keep.sum())
        parts = [
            f"{int(m.sum())} {what}{'s' if m.sum() > 1 else ''}"
            for what, m in drop.items()
            if m.any()
        ]
        if blank_rows:
            parts.append(f"{blank_rows} blank row{'s' if blank_rows > 1 else ''}")
        if parts:
            self.notes.append("skipped " + ", ".join(parts))
        return keep

    def _total_rows(self, candidates: np.ndarray) -> np.ndarray:
        """'Total: ...' rows, and a first/last row whose label cells are all empty."""
        t = self.t
        n = len(t.rows)
        totals = np.zeros(n, dtype=bool)
        left_blank = np.ones(n, dtype=bool)
        for col in t.columns:
            totals |= left_blank & col.test(lambda u: bool(_TOTAL.fullmatch(u)))
            left_blank &= col.blank
        if self.source == "generic" or not candidates.any():
            return totals
        if self.source == "meta-ads":
            labels = [
                j
                for j, h in enumerate(t.header)
                if normalise_header(h) in ("campaign_name", "ad_set_name", "ad_name")
            ]
        else:
            labels = sorted(
                {0, *(self.where[k] for k in ("channel", "campaign") if k in self.where)}
            )
        if not labels:
            return totals
        rows = np.flatnonzero(candidates & ~totals)
        for r in {int(rows[0]), int(rows[-1])} if len(rows) > 1 else set():
            if all(t.columns[j][r] == "" for j in labels):
                totals[r] = True
        return totals

    def _other_tables(self, at: int, filled: np.ndarray) -> None:
        t = self.t
        cells = _cells_text([c[at] for c in t.columns])
        if self.source == "universal-analytics" and (filled[at:] <= 2).all():
            self.notes.append(
                f"ignored the chart data table below the report from row {t.rows[at]} ({cells!r})"
            )
            return
        if self.source == "ga4":
            raise DataError(
                f"{self.name}: holds several report tables (the second starts at row "
                f"{t.rows[at]}: {cells!r}), as a GA4 Reports snapshot does — open one report "
                "(e.g. Traffic acquisition) in GA4 and export it on its own."
            )
        raise DataError(
            f"{self.name}: holds more than one table (the second starts at row {t.rows[at]}: "
            f"{cells!r}) — export or save one table per file."
        )

    def _take(self, keep: np.ndarray) -> None:
        t = self.t
        index = np.flatnonzero(keep)
        t.columns = [c.take(index) for c in t.columns]
        t.rows = t.rows[index]
        if len(index) == 0:
            if self.no_data and self.source == "meta-ads":
                raise DataError(
                    f"{self.name}: the export has no rows ('No data available.') — widen the date "
                    "range in Ads Manager and export again."
                )
            raise DataError(
                f"{self.name}: the export has no rows under its header — widen the date range "
                "and export again."
            )

    def _meta_results(self) -> None:
        """Meta 'Results' count as conversions only when every result is a conversion."""
        if self.source != "meta-ads" or "conversions" in self.where:
            return
        keys = [normalise_header(h) for h in self.t.header]
        if "results" not in keys:
            return
        indicator = keys.index("result_indicator") if "result_indicator" in keys else None
        kinds: list[str] = []
        if indicator is not None:
            values, _ = self.t.columns[indicator].sample(len(self.t.rows))
            kinds = sorted(v for v in values if v)
        if kinds and all(_CONVERSION_ACTIONS.search(k) for k in kinds):
            self.where["conversions"] = keys.index("results")
        else:
            shown = ", ".join(kinds[:4]) if kinds else "unknown"
            self.notes.append(
                f"'Results' not used as conversions: the results are {shown}, not purchases or "
                f"leads ({OPT_MAP} 'Results=conversions' to use them anyway)"
            )

    def _check_complete(self, pre: _Preamble) -> None:
        """Refuse when the rows lack measures, a channel or any date, saying what to export."""
        where, header = self.where, self.t.header
        platform = PLATFORMS[self.source]
        if pre.all_time and not self._date_columns():
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
        if not self._has_dates(pre):
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

    def _date_columns(self) -> bool:
        """Whether the rows carry their own dates (GA4 'Nth day' needs the start date too)."""
        return any(key in self.where for key in ("date", "month", "starts", "ends"))

    def _has_dates(self, pre: _Preamble) -> bool:
        if self._date_columns() or pre.period is not None:
            return True
        return range_in_name(self.t.stem) is not None

    def _measure(self, key: str, decimal: str) -> np.ndarray:
        j = self.where[key]
        parsed = parse_numbers(self.t.columns[j], decimal)
        if parsed.bad.any():
            i = int(parsed.bad.argmax())
            value = self.t.columns[j][i]
            raise DataError(
                f"{self.name}, row {self.t.rows[i]}, column {self.t.header[j]!r}: {value!r} is "
                f"not a number — correct or clear the cell, or map the column elsewhere with "
                f"{OPT_MAP}."
            )
        self._bound_note(j, parsed.bound)
        return parsed.values

    def _bound_note(self, j: int, bound: np.ndarray) -> None:
        if bound.any():
            i = int(bound.argmax())
            value = self.t.columns[j][i]
            self.notes.append(
                f"{int(bound.sum())} cell(s) such as {value!r} in {self.t.header[j]!r} read as "
                "their bound (an upper or lower limit, not the exact value)"
            )

    # .. dates ..

    def _dates(
        self, pre: _Preamble, decimal: str
    ) -> tuple[np.ndarray, np.ndarray, DateSpan | None]:
        """First and last day each row covers, and the export's period."""
        where, t = self.where, self.t
        n = len(t.rows)
        period = pre.period
        if period is None and not self._date_columns():
            period = range_in_name(t.stem)
            if period is not None:
                self.notes.append(
                    f"no dates in the file: took the range {_fmt(period[0])} to "
                    f"{_fmt(period[1])} from the file name"
                )
        order = "mdy" if self.source in ("linkedin-ads", "microsoft-ads") else ""
        if "date" in where or "month" in where:
            j = where["date"] if "date" in where else where["month"]
            start, end = self._date_column(j, order)
            if "month" in where and "date" not in where and period is not None:
                start = np.maximum(start, np.datetime64(period[0], "D"))
                end = np.minimum(end, np.datetime64(period[1], "D"))
            if self.source == "linkedin-ads" and period and period[0] < period[1]:
                first = np.datetime64(period[0], "D")
                if (start == first).all():
                    start = np.full(n, first)
                    end = np.full(n, np.datetime64(period[1], "D"))
                    self.notes.append(
                        f"every {t.header[j]!r} is the report start: each row covers the whole "
                        "report range"
                    )
        elif "nth_day" in where and period is not None:
            days = parse_numbers(t.columns[where["nth_day"]], decimal).values
            if np.isnan(days).any():
                i = int(np.isnan(days).argmax())
                raise DataError(
                    f"{self.name}, row {t.rows[i]}, column 'Nth day': the cell is empty — "
                    "every row needs its day number."
                )
            start = np.datetime64(period[0], "D") + days.astype(np.int64)
            end = start
            self.notes.append(f"dated by 'Nth day', counted from the start date {_fmt(period[0])}")
        elif "starts" in where or "ends" in where:
            a, b = where.get("starts", where.get("ends")), where.get("ends", where.get("starts"))
            assert a is not None and b is not None
            start = self._date_column(a, order)[0]
            end = self._date_column(b, order)[1]
            swapped = end < start
            if swapped.any():
                i = int(swapped.argmax())
                raise DataError(
                    f"{self.name}, row {t.rows[i]}: the reporting end is before its start — "
                    "download the export again."
                )
        else:
            if period is None:  # _check_complete has refused this already
                raise DataError(f"{self.name}: no dates — export it with a date range.")
            start = np.full(n, np.datetime64(period[0], "D"))
            end = np.full(n, np.datetime64(period[1], "D"))
        if n:
            low, high = _as_date(start.min()), _as_date(end.max())
            period = (min(low, period[0]), max(high, period[1])) if period else (low, high)
        return start, end, period

    def _date_column(self, j: int, order: str) -> tuple[np.ndarray, np.ndarray]:
        t = self.t
        col = t.columns[j]
        values, _ = col.sample(len(t.rows))
        found = date_order(values, order)
        if found is None:
            example = next((v for v in values if _numeric_date(v)), values[0])
            raise DataError(
                f"{self.name}, column {t.header[j]!r}: dates such as {example!r} could be "
                "day/month or month/day — write dates as YYYY-MM-DD (e.g. 2026-01-31)."
            )
        parsed = parse_dates(col, found)
        missing = np.isnat(parsed.start) & ~parsed.bad
        if parsed.bad.any() or missing.any():
            i = int((parsed.bad | missing).argmax())
            problem = (
                "the cell is empty — every data row needs a date"
                if missing[i]
                else f"{col[i]!r} is not a date I can read — write dates as YYYY-MM-DD"
            )
            raise DataError(f"{self.name}, row {t.rows[i]}, column {t.header[j]!r}: {problem}.")
        return parsed.start, parsed.end

    # .. the frame ..

    def _finish(
        self,
        measures: dict[str, np.ndarray],
        start: np.ndarray,
        end: np.ndarray,
        period: DateSpan | None,
        decimal: str,
    ) -> Imported:
        t, where = self.t, self.where
        n = len(t.rows)
        channel = self._channels(n)
        campaign = t.columns[where["campaign"]].values() if "campaign" in where else None
        extras = self._extras(decimal)
        index, dates, share = self._dating(start, end)
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
        numeric: list[str] = []
        for label, (values, is_number) in extras.items():
            frame_in[label] = values[index]
            if is_number:
                numeric.append(label)
        frame = canonical_frame(frame_in, self.name, rows=t.rows[index])
        for label in numeric:
            frame[label] = frame[label].astype(np.float64)
        self._column_notes()
        return Imported(
            frame=frame,
            source=self.source,
            period=period,
            notes=self.notes,
            skipped_rows=self.skipped,
        )

    def _channels(self, n: int) -> np.ndarray:
        t, where = self.t, self.where
        platform = PLATFORMS[self.source]
        if "channel" in where:
            values = t.columns[where["channel"]].values().copy()
            empty = values == ""
            if self.channel and empty.any():
                values[empty] = self.channel
                self.notes.append(
                    f"{int(empty.sum())} row(s) without a channel get {self.channel!r}"
                )
            return values
        name = self.channel or DEFAULT_CHANNELS.get(self.source, "")
        if self.channel:
            self.notes.append(f"every row gets channel {name!r} ({OPT_CHANNEL})")
        else:
            self.notes.append(
                f"every row gets channel {name!r}, the {platform} default — change it with "
                f"{OPT_CHANNEL}"
            )
        return np.full(n, name, dtype=object)

    def _extras(self, decimal: str) -> dict[str, tuple[np.ndarray, bool]]:
        """Columns not used for Data columns, by unique name: (values, holds numbers)."""
        t = self.t
        used = set(self.where.values())
        out: dict[str, tuple[np.ndarray, bool]] = {}
        taken = {k.lower() for k in DATA_COLUMNS} | {normalise_header(k) for k in DATA_COLUMNS}
        for j, head in enumerate(t.header):
            if j in used:
                continue
            label = head
            if normalise_header(label) in DATA_COLUMNS:
                label = f"{head} ({PLATFORMS[self.source]})"
            base, k = label, 2
            while label.lower() in taken:
                label, k = f"{base} ({k})", k + 1
            taken.add(label.lower())
            out[label] = self._extra_values(j, head, decimal)
        currency = self._currency()
        if currency and not any(
            normalise_header(h) in ("currency", "currency_code") for h in t.header
        ):
            out["Currency" if "currency" not in taken else "Currency (spend)"] = (
                np.full(len(t.rows), currency, dtype=object),
                False,
            )
        self.extra_names = list(out)
        return out

    def _extra_values(self, j: int, head: str, decimal: str) -> tuple[np.ndarray, bool]:
        col = self.t.columns[j]
        key = normalise_header(head)
        identifier = key == "id" or key.endswith("_id") or key.endswith("id") and "_" not in key
        if not identifier and not col.test(lambda u: u.lower() in NA_TEXT).all():
            parsed = parse_numbers(col, decimal)
            if not parsed.bad.any():
                self._bound_note(j, parsed.bound)
                return parsed.values.astype(object), True
        values = col.values().copy()
        values[col.test(lambda u: u in _DASHES)] = None
        return values, False

    def _currency(self) -> str:
        """The currency of spend, from 'Amount spent (INR)' or a Currency column."""
        t, where = self.t, self.where
        if "spend" in where and (m := re.search(r"\(([A-Z]{3})\)\s*$", t.header[where["spend"]])):
            self.notes.append(f"spend is in {m[1]} (from {t.header[where['spend']]!r})")
            return m[1]
        for j, head in enumerate(t.header):
            if normalise_header(head) in ("currency", "currency_code"):
                values, _ = t.columns[j].sample(len(t.rows))
                codes = sorted({v for v in values if v and v.lower() not in NA_TEXT})
                if len(codes) == 1:
                    self.notes.append(f"amounts are in {codes[0]} (column {head!r})")
                elif codes:
                    self.notes.append(
                        f"amounts are in several currencies ({', '.join(codes)}) and are added "
                        "up as they are — export one currency per file"
                    )
                break
        return ""

    def _dating(
        self, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row index, date and measure share of each output row (split by month if spread)."""
        n = len(start)
        ranged = start < end
        if not ranged.any():
            return np.arange(n), start, np.ones(n)
        months = (end.astype("datetime64[M]") - start.astype("datetime64[M]")).astype(np.int64)
        spans = {
            (_as_date(a), _as_date(b)) for a, b in zip(start[ranged], end[ranged], strict=True)
        }
        (a, b), many = min(spans), len(spans) > 1
        what = f"{_fmt(a)} to {_fmt(b)}" if not many else f"{len(spans)} different date ranges"
        several = bool((months[ranged] > 0).any())
        if not self.spread or not several:
            if several:
                last = max(b for _, b in spans)
                self.notes.append(
                    f"the rows have no day: each is dated at the last day of its range "
                    f"({what}), so results of several months all count in {last:%B %Y} — "
                    f"use {OPT_SPREAD} to split them across the months by days, or export "
                    "with a Day or Month column"
                )
            else:
                self.notes.append(
                    f"the rows have no day: each is dated at the last day of its range ({what})"
                )
            return np.arange(n), end, np.ones(n)
        pieces = np.where(ranged, months + 1, 1)
        index = np.repeat(np.arange(n), pieces)
        offset = np.arange(len(index)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        month = start[index].astype("datetime64[M]") + offset
        first = np.maximum(start[index], month.astype("datetime64[D]"))
        last = np.minimum(end[index], (month + 1).astype("datetime64[D]") - 1)
        days = (last - first).astype(np.int64) + 1
        total = (end[index] - start[index]).astype(np.int64) + 1
        self.notes.append(
            f"split {int((ranged & (months > 0)).sum())} row(s) covering {what} across "
            f"{int(pieces.max())} months in proportion to days ({OPT_SPREAD}): measures are "
            "shared out, extra columns are copied; each part is dated at its last day"
        )
        return index, last, days / total

    def _column_notes(self) -> None:
        t, where = self.t, self.where
        used = [
            f"{t.header[j]} → {key}"
            for key, j in sorted(where.items(), key=lambda kv: kv[1])
            if key in DATA_COLUMNS
        ]
        if used:
            self.notes.append("columns used: " + ", ".join(used))
        if self.source == "meta-ads" and "campaign" in where:
            head = normalise_header(t.header[where["campaign"]])
            if head != "campaign_name":
                self.notes.append(
                    f"campaign is {t.header[where['campaign']]!r} (no 'Campaign name')"
                )
        clicks = normalise_header(t.header[where["clicks"]]) if "clicks" in where else ""
        if self.source == "meta-ads" and clicks == "clicks_all":
            self.notes.append("clicks are 'Clicks (all)' (the export has no 'Link clicks')")
        extra = self.extra_names
        if extra:
            shown = ", ".join(extra[:8]) + (f" and {len(extra) - 8} more" if len(extra) > 8 else "")
            self.notes.append(f"kept as extra columns: {shown}")


def _header_like(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 2 and not any(looks_numeric(c) or parse_date(c) for c in filled)


def _cells_text(cells: list[str]) -> str:
    text = ", ".join(c for c in cells if c)
    return text if len(text) <= 60 else text[:57] + "..."


def _numeric_date(value: str) -> bool:
    return bool(re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?:[T ,].*)?", value.strip()))


def _as_date(value: np.datetime64) -> dt.date:
    return pd.Timestamp(value).date()


def _fmt(day: dt.date) -> str:
    return day.isoformat()
