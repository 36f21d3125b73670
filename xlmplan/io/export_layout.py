"""The layout around an export's data rows: what the lines above the header say (title,
date range, 'All time'), unnamed columns, and the body rows that are not data — blank
rows, repeated headers, 'No data available.', footers, totals rows and second tables."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from xlmplan.core.data import normalise_header
from xlmplan.errors import DataError
from xlmplan.io.export_table import Table, strip_line
from xlmplan.io.export_text import DateSpan, looks_numeric, parse_date, parse_range

_NO_DATA = re.compile(r"(?i)no data available\.?")
_TOTAL = re.compile(
    r"(?i)(?:grand\s+total|totals?|totaal|gesamt(?:summe)?|insgesamt|totale)\s*(?::.*)?"
)
_TOTAL_MARK = re.compile(r"(?i)grand\s+total|totals?")
_KEY_VALUE = re.compile(
    r"(?i)(start date|end date|report start|report end|report time|date range|"
    r"reporting period|period|zeitraum|periode)\s*:\s*(.*)"
)

# --- the preamble ------------------------------------------------------------------------


@dataclass
class Preamble:
    """What the lines above the header say: title, date range, 'All time'."""

    title: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    all_time: bool = False
    comments: bool = False
    text: str = ""

    @classmethod
    def read(cls, lines: list[str]) -> Preamble:
        found = cls(text="\n".join(lines).lower())
        for raw in lines:
            line = strip_line(raw)
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


# --- the header --------------------------------------------------------------------------


def tidy_header(t: Table) -> np.ndarray:
    """Name blank headers and drop empty columns; a column without a header that holds only
    'Grand total' marks is dropped too, and its marked rows are returned as totals rows."""
    keep: list[int] = []
    totals = np.zeros(len(t.rows), dtype=bool)
    for j, (head, col) in enumerate(zip(t.header, t.columns, strict=True)):
        filled = ~col.blank
        if head:
            keep.append(j)
        elif filled.any():
            marks = col.test(lambda u: bool(_TOTAL_MARK.fullmatch(u)))
            if (marks == filled).all():
                totals |= marks
                continue
            keep.append(j)
            t.header[j] = f"column {j + 1}"
    t.header = [t.header[j].lstrip("\ufeff") for j in keep]
    t.columns = [t.columns[j] for j in keep]
    return totals


# --- the rows ----------------------------------------------------------------------------


def keep_data_rows(
    t: Table, source: str, where: dict[str, int], totals: np.ndarray, notes: list[str]
) -> int:
    """Keep only the data rows of `t` and return how many rows were skipped.

    `where` gives the label columns (channel, campaign) that totals rows leave empty;
    `totals` marks rows already known to be totals. Refuses files with several tables
    and files with no data rows.
    """
    keep, no_data = _data_rows(t, source, where, totals, notes)
    index = np.flatnonzero(keep)
    skipped = len(t.rows) - len(index)
    t.columns = [c.take(index) for c in t.columns]
    t.rows = t.rows[index]
    if len(index) == 0:
        if no_data and source == "meta-ads":
            raise DataError(
                f"{t.name}: the export has no rows ('No data available.') — widen the date "
                "range in Ads Manager and export again."
            )
        raise DataError(
            f"{t.name}: the export has no rows under its header — widen the date range "
            "and export again."
        )
    return skipped


def _data_rows(
    t: Table, source: str, where: dict[str, int], totals: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, bool]:
    """Mask of body rows that are data rows, and whether a 'No data available.' row is
    among them; refuses files with several tables."""
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
    second: int | None = None
    junk: list[int] = []
    for s, e in zip(starts[1:], ends[1:], strict=True):
        cells = [c[int(s)] for c in t.columns]
        if cells == t.header:
            continue  # a repeated header: dropped below, the rows go on
        if (filled[s:e] <= 1).all():
            keep[s:e] = False
            junk.extend(range(int(s), int(e)))
        elif e - s >= 2 and _header_like(cells):
            second = int(s)
            keep[s:] = False
            break
    if second is not None:
        _other_table(t, source, second, filled, notes)
    footer = first.test(lambda u: u.startswith(("©", "(c)"))) & (filled == 1)
    no_data = first.test(lambda u: bool(_NO_DATA.fullmatch(u))) & (filled == 1)
    repeat = np.ones(n, dtype=bool)
    for head, col in zip(t.header, t.columns, strict=True):
        repeat &= col.equals(head)
    totals = totals | _total_rows(t, source, where, keep & ~footer & ~no_data & ~repeat)
    junk_rows = np.zeros(n, dtype=bool)
    junk_rows[junk] = True
    quiet = junk_rows & (footer | no_data)
    if (junk_rows & ~quiet).any():
        r = int(np.flatnonzero(junk_rows & ~quiet)[0])
        lines = int((junk_rows & ~quiet).sum())
        notes.append(
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
    blank_rows = int((filled == 0).sum())
    parts = [
        f"{int(m.sum())} {what}{'s' if m.sum() > 1 else ''}" for what, m in drop.items() if m.any()
    ]
    if blank_rows:
        parts.append(f"{blank_rows} blank row{'s' if blank_rows > 1 else ''}")
    if parts:
        notes.append("skipped " + ", ".join(parts))
    return keep, bool(no_data.any())


def _total_rows(t: Table, source: str, where: dict[str, int], candidates: np.ndarray) -> np.ndarray:
    """'Total: ...' rows, and a first/last row whose label cells are all empty."""
    n = len(t.rows)
    totals = np.zeros(n, dtype=bool)
    left_blank = np.ones(n, dtype=bool)
    for col in t.columns:
        totals |= left_blank & col.test(lambda u: bool(_TOTAL.fullmatch(u)))
        left_blank &= col.blank
    if source == "generic" or not candidates.any():
        return totals
    if source == "meta-ads":
        labels = [
            j
            for j, h in enumerate(t.header)
            if normalise_header(h) in ("campaign_name", "ad_set_name", "ad_name")
        ]
    else:
        labels = sorted({0, *(where[k] for k in ("channel", "campaign") if k in where)})
    if not labels:
        return totals
    rows = np.flatnonzero(candidates & ~totals)
    for r in {int(rows[0]), int(rows[-1])} if len(rows) > 1 else set():
        if all(t.columns[j][r] == "" for j in labels):
            totals[r] = True
    return totals


def _other_table(t: Table, source: str, at: int, filled: np.ndarray, notes: list[str]) -> None:
    """A second table from body row `at`: a UA chart table is ignored, others refused."""
    cells = _cells_text([c[at] for c in t.columns])
    if source == "universal-analytics" and (filled[at:] <= 2).all():
        notes.append(
            f"ignored the chart data table below the report from row {t.rows[at]} ({cells!r})"
        )
        return
    if source == "ga4":
        raise DataError(
            f"{t.name}: holds several report tables (the second starts at row "
            f"{t.rows[at]}: {cells!r}), as a GA4 Reports snapshot does — open one report "
            "(e.g. Traffic acquisition) in GA4 and export it on its own."
        )
    raise DataError(
        f"{t.name}: holds more than one table (the second starts at row {t.rows[at]}: "
        f"{cells!r}) — export or save one table per file."
    )


def _header_like(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 2 and not any(looks_numeric(c) or parse_date(c) for c in filled)


def _cells_text(cells: list[str]) -> str:
    text = ", ".join(c for c in cells if c)
    return text if len(text) <= 60 else text[:57] + "..."
