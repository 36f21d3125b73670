"""Flat Data files too large for a worksheet: CSV or Parquet with more rows than a Data
sheet holds, summed on embedded DuckDB to one row per day, channel and campaign.

`too_big` decides without loading the file: a Parquet file's row count is in its footer; a
CSV file is streamed once counting line ends (a bound: blank lines and line breaks inside
quotes only add to it), and any file with fewer bytes than the limit has fewer rows. Small
Parquet files are read as they are (`read_parquet_rows`).

`read_large` streams the file through one DuckDB ``GROUP BY`` (DuckDB directly, not the
ibis expression of `ga4_events`: a flat sum of local columns has nothing to run on a
warehouse). Headers are the Data columns' (in any label pack's language) or mapped with
``mapping``; the measures are summed (empty cells stay empty, never 0); extra columns with
numbers in every cell are summed too and kept, unless their name says rate, average, ratio
or cost per ... (CTR, CPC, ROAS, ...), which cannot be summed: those are dropped, and so are
text columns below the day-channel-campaign grain (a note names both). A measure cell that
is not a number is refused with its row, column and value, like a small file. The summed
rows then take the small-file path (`canonical_frame`: dates, text cleaning, the same
one-line errors, citing the first file row of the offending group). Sums that still do not
fit the sheet are refused as before.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlmplan.core.data import (
    DATA_COLUMNS,
    KEY_COLUMNS,
    MEASURES,
    canonical_frame,
    normalise_header,
)
from xlmplan.core.template import data_header_aliases
from xlmplan.errors import DataError
from xlmplan.io.duckdb_engine import connect, first_line
from xlmplan.xlsx.limits import DATA_FIRST_ROW, MAX_ROWS

ROW_LIMIT = MAX_ROWS - DATA_FIRST_ROW
"""Data rows a new plan's Data sheet holds below its header; more go through DuckDB."""
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
_PARQUET_MAGIC = b"PAR1"
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx (zip), legacy xls
_CHUNK = 1 << 23
_SAMPLE = 10_000  # rows read to tell text columns from numbers
_DELIMITERS = (",", ";", "\t")
_NA = ("na", "n/a", "nan", "null", "none", "-", "--")
_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_NOT_SUMMABLE = frozenset(
    ("rate", "ratio", "share", "avg", "average", "mean", "median", "per", "percent", "pct")
    + ("ctr", "cpc", "cpm", "cpa", "cpl", "cpv", "cpi", "roas", "roi", "aov")
    + ("position", "rank", "score", "frequency", "id")
)


@dataclass
class Summed:
    """A large file summed to Data rows, with what the user should know."""

    frame: pd.DataFrame
    rows_in: int
    notes: list[str] = field(default_factory=list)


def is_parquet(path: Path) -> bool:
    """A Parquet file by its name or its first bytes."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return True
    try:
        with path.open("rb") as f:
            return f.read(4) == _PARQUET_MAGIC
    except OSError:
        return False


def _parquet_footer(path: Path) -> Any:
    """A Parquet file's footer (row count, schema); an unreadable file is one line."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(
            f"{path.name}: cannot read it as Parquet ({first_line(exc)}) — export it again"
        ) from None


def parquet_rows(path: Path) -> int:
    """The row count in a Parquet file's footer."""
    return int(_parquet_footer(path).num_rows)


def too_big(path: Path) -> bool:
    """Whether the CSV or Parquet file at `path` may hold more data rows than a Data
    sheet (`ROW_LIMIT`), read without loading it."""
    path = Path(path)
    if not path.is_file():
        return False  # the ordinary reader says it is missing
    if is_parquet(path):
        return parquet_rows(path) > ROW_LIMIT
    if path.stat().st_size <= ROW_LIMIT:  # every row ends in at least one byte
        return False
    lines = 0
    with path.open("rb") as f:
        if f.read(4) in _WORKBOOK_MAGIC or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            return False  # a workbook: its own reader keeps it within a sheet's rows
        f.seek(0)
        while chunk := f.read(_CHUNK):
            lines += chunk.count(b"\n")
            if lines > ROW_LIMIT + 1:  # the header line and more rows than the sheet holds
                return True
    return False


def summable(header: str) -> bool:
    """Whether an extra column's name allows a sum: not a rate, average, ratio, cost per
    ... or identifier ('CTR', 'Avg. CPC', 'Conversion rate (%)', 'Campaign ID')."""
    return "%" not in header and not set(normalise_header(header).split("_")) & _NOT_SUMMABLE


def _q(name: str) -> str:
    """A SQL identifier for a column named ``name``."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Source:
    """The file as a DuckDB relation and its column types. Rows are numbered as the file
    numbers them only on a second pass after an error (a streamed CSV row number costs)."""

    def __init__(self, con: Any, path: Path) -> None:
        import duckdb

        self.name = path.name
        self.numbered = False
        if is_parquet(path):
            headers = _parquet_names(path)
            self.sql = f"read_parquet({_lit(str(path))}, file_row_number = true)"
            self._row = "file_row_number + 2"
        else:
            skip, delimiter, headers = _csv_layout(path)
            self.sql = (
                f"read_csv({_lit(str(path))}, header = true, all_varchar = true, "
                f"delim = {_lit(delimiter)}, quote = '\"', escape = '\"', skip = {skip}, "
                "null_padding = true)"
            )
            self._row = f"row_number() OVER () + {skip + 1}"
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {self.sql}").fetchall()
        except duckdb.Error as exc:
            raise DataError(
                f"{self.name}: cannot read it ({first_line(exc)}) — save it as CSV UTF-8 or "
                "Parquet with the column names in its first row"
            ) from None
        self.types = {str(r[0]): str(r[1]) for r in described if r[0] != "file_row_number"}
        names = list(self.types)  # DuckDB renames names equal but for case ('a', 'a_1')
        same = len(headers) == len(names)
        self.label = dict(zip(names, headers if same else names, strict=True))
        """DuckDB's name of each column -> the file's name for it."""

    @property
    def row(self) -> str:
        """SQL for a row's number in the file (0 until `numbered`)."""
        return self._row if self.numbered else "0"


def _parquet_names(path: Path) -> list[str]:
    """A Parquet file's column names from its footer."""
    return list(_parquet_footer(path).schema.to_arrow_schema().names)


def _csv_layout(path: Path) -> tuple[int, str, list[str]]:
    """Lines to skip above the header ('#' comments, blank lines), the delimiter (the one
    whose split of the header names the most Data columns, then gives the most fields) and
    the header's names as written."""
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            f"{path.name}: UTF-16 text is read only up to {ROW_LIMIT:,} rows — save it as CSV UTF-8"
        )
    lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    skip = 0
    while skip < len(lines) - 1 and (not lines[skip].strip() or lines[skip].startswith("#")):
        skip += 1
    header = lines[skip] if lines else ""
    aliases = data_header_aliases()

    def score(d: str) -> tuple[int, int]:
        fields = [normalise_header(h) for h in header.split(d)]
        return len({aliases.get(k, k) for k in fields} & set(DATA_COLUMNS)), len(fields)

    delimiter = max(_DELIMITERS, key=score)
    return skip, delimiter, next(csv.reader([header], delimiter=delimiter), [])


def _columns(
    source: _Source, mapping: Mapping[str, str], channel: str | None
) -> tuple[dict[str, str], list[str]]:
    """Which column (DuckDB's name) feeds each Data column, and the other columns."""
    label = source.label
    headers = list(label.values())
    where: dict[str, str] = {}
    for column, target in mapping.items():
        found = next((d for d, h in label.items() if h == column.strip()), None)
        found = found or next(
            (d for d, h in label.items() if normalise_header(h) == normalise_header(column)),
            None,
        )
        if found is None:
            raise DataError(
                f"{source.name}: --map names {column!r}, which is not a column of the file "
                f"(columns: {', '.join(repr(h) for h in headers[:12])})"
            )
        where[target] = found
    aliases = data_header_aliases()
    for duck, header in label.items():
        key = normalise_header(header)
        key = aliases.get(key, key)
        if key not in DATA_COLUMNS or duck in where.values():
            continue
        if key in where:
            if key in mapping.values():
                continue  # the mapped column wins; this one stays an extra column
            raise DataError(
                f"{source.name}: columns {label[where[key]]!r} and {header!r} both mean "
                f"{key!r} — keep only one of them."
            )
        where[key] = duck
    needed = ("date",) if channel else ("date", "channel")
    for key in needed:
        if key not in where:
            found = ", ".join(repr(h) for h in headers[:12])
            raise DataError(
                f"{source.name}: no {key!r} column (headers found: {found}) — the first row "
                f"must name the columns, at least 'date' and 'channel', or map one with "
                f"--map 'Column={key}'."
            )
    extras = [d for d in label if d not in where.values()]
    return where, extras


_NUMERIC = (
    "DOUBLE",
    "FLOAT",
    "REAL",
    "DECIMAL",
    "BIGINT",
    "INTEGER",
    "SMALLINT",
    "TINYINT",
    "UBIGINT",
    "UINTEGER",
    "USMALLINT",
    "UTINYINT",
    "HUGEINT",
)


def _cell(column: str, kind: str) -> str:
    """SQL for a cell as the query compares it: numbers as they are, else trimmed text
    with empty text as NULL."""
    if kind.startswith(_NUMERIC):
        return f"CAST({_q(column)} AS DOUBLE)"
    return f"nullif(trim(CAST({_q(column)} AS VARCHAR)), '')"


def _number(cell: str, kind: str) -> tuple[str, str]:
    """SQL for a cell's value as a number and for 'holds something that is not one':
    plain or thousands-grouped digits; 'n/a', '-', 'null' and the like are empty."""
    if kind.startswith(_NUMERIC):
        return cell, "false"
    na = ", ".join(_lit(v) for v in _NA)
    value = (
        f"nullif(coalesce(TRY_CAST({cell} AS DOUBLE), CASE WHEN contains({cell}, ',') AND "
        f"regexp_matches({cell}, {_lit(_GROUPED)}) "
        f"THEN TRY_CAST(replace({cell}, ',', '') AS DOUBLE) END), 'nan')"
    )
    bad = f"({cell} IS NOT NULL AND {value} IS NULL AND lower({cell}) NOT IN ({na}))"
    return value, bad


def read_large(
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    channel: str | None = None,
    memory_limit: str | None = None,
) -> Summed:
    """Sum the CSV or Parquet file at `path` to one Data row per day, channel and campaign
    on embedded DuckDB (see the module text). Raises a one-line `DataError` naming the file
    and, for a bad cell, its row and column."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="xlmplan-duckdb-") as temp:
        con = connect(temp, memory_limit)
        try:
            source = _Source(con, path)
            where, extras = _columns(source, mapping or {}, channel)
            texts = _texts(con, source, extras)
            try:
                return _finish(_run(con, source, where, extras, texts, channel), where)
            except DataError:
                source.numbered = True  # once more, numbering rows, so the error names one
                return _finish(_run(con, source, where, extras, texts, channel), where)
        finally:
            con.close()


def _texts(con: Any, source: _Source, extras: list[str]) -> list[str]:
    """The extra columns whose first rows already hold text that is not a number (read no
    further: text below the day-channel-campaign grain is not kept)."""
    if not extras:
        return []
    checks = []
    for column in extras:
        _, bad = _number(_cell(column, source.types[column]), source.types[column])
        checks.append(f"bool_or({bad})")
    sample = f"(SELECT * FROM {source.sql} LIMIT {_SAMPLE})"
    found = con.execute(f"SELECT {', '.join(checks)} FROM {sample}").fetchone() or ()
    return [column for column, text in zip(extras, found, strict=True) if text]


@dataclass
class _Sums:
    """The GROUP BY's result, with the extra columns it sums and those it drops."""

    source: _Source
    summed: list[str]
    dropped: list[str]
    out: pd.DataFrame


def _run(
    con: Any,
    source: _Source,
    where: dict[str, str],
    extras: list[str],
    texts: list[str],
    channel: str | None,
) -> _Sums:
    import duckdb

    sql, summed, dropped = _query(source, where, extras, texts, channel)
    try:
        out = con.execute(sql).df()
    except duckdb.Error as exc:
        raise DataError(
            f"{source.name}: cannot read its rows ({first_line(exc)}) — check that every row "
            "has the header's fields, or save the file again as CSV UTF-8"
        ) from None
    return _Sums(source, summed, dropped, out)


def _query(
    source: _Source,
    where: dict[str, str],
    extras: list[str],
    texts: list[str],
    channel: str | None,
) -> tuple[str, list[str], list[str]]:
    """The one GROUP BY over the file, the extra columns it sums and those it drops (rates
    and the like by name, ``texts``)."""
    fill = _lit(channel.strip()) if channel else "NULL"
    aliases = data_header_aliases()
    dropped = [  # a column a --map took the place of, too
        h
        for h in extras
        if h in texts
        or not summable(source.label[h])
        or aliases.get(k := normalise_header(source.label[h]), k) in DATA_COLUMNS
    ]
    summed = [h for h in extras if h not in dropped]
    numbers = [where[k] for k in MEASURES if k in where] + summed
    cells = {f"c{i}": (c, source.types[c]) for i, c in enumerate(numbers)}
    for key in KEY_COLUMNS:
        if key in where:
            cells[f"k_{key}"] = (where[key], "VARCHAR")
    read = [f"{_cell(c, kind)} AS {alias}" for alias, (c, kind) in cells.items()]
    channels = f"coalesce(k_channel, {fill})" if "channel" in where else fill
    campaigns = "coalesce(k_campaign, '')" if "campaign" in where else "''"
    keys = ["k_date", f"{channels} AS k_channel", f"{campaigns} AS k_campaign"]
    select, aggregates = [], ["count(*) AS n_rows", "min(r) AS first_row"]
    for i, column in enumerate(numbers):
        value, bad = _number(f"c{i}", source.types[column])
        select += [f"c{i}", f"{value} AS v{i}", f"{bad} AS b{i}"]
        aggregates += [f"sum(v{i}) AS v{i}", f"count_if(b{i}) AS n{i}"]
        if source.numbered:  # the first bad cell's row and text
            aggregates += [
                f"min(r) FILTER (WHERE b{i}) AS r{i}",
                f"arg_min(c{i}, r) FILTER (WHERE b{i}) AS t{i}",
            ]
    filled = " OR ".join(f"{alias} IS NOT NULL" for alias in cells)  # not a blank row
    sql = (
        f"WITH raw AS (SELECT {source.row} AS r, {', '.join(read)} FROM {source.sql}), "
        f"cells AS (SELECT r, {', '.join(keys + select)} FROM raw WHERE {filled}) "
        f"SELECT k_date, k_channel, k_campaign, {', '.join(aggregates)} FROM cells "
        "GROUP BY ALL"
    )
    return sql, summed, dropped


def _finish(sums: _Sums, where: dict[str, str]) -> Summed:
    """Check the sums, hand them to `canonical_frame`, and say what was done."""
    out, name, label = sums.out, sums.source.name, sums.source.label
    measures = [k for k in MEASURES if k in where]
    labels = [label[c] for c in [where[k] for k in measures] + sums.summed]
    text: list[str] = []  # extra columns with a cell that is not a number
    for i, header in enumerate(labels):
        if not out[f"n{i}"].sum():
            continue
        if i >= len(measures):
            text.append(header)
        elif not sums.source.numbered:
            raise DataError(f"{name}: column {header!r} holds text")  # found with its row next
        else:
            at = int(np.nanargmin(out[f"r{i}"].to_numpy(dtype=np.float64)))
            row, value = int(out[f"r{i}"].iloc[at]), str(out[f"t{i}"].iloc[at])
            raise DataError(
                f"{name}, row {row:,}, column {header!r}: "
                f"{value!r} is not a number — use digits with '.' as decimal "
                "point, or leave the cell empty."
            )
    rows_in = int(out["n_rows"].sum())
    frame = pd.DataFrame({f"{k}": out[f"k_{k}"].astype(object) for k in KEY_COLUMNS})
    kept: list[str] = []
    for i, header in enumerate(labels):
        if header not in text:
            frame[measures[i] if i < len(measures) else header] = out[f"v{i}"].astype(np.float64)
            kept += [header] if i >= len(measures) else []
    frame = canonical_frame(frame, name, rows=out["first_row"].to_numpy(dtype=np.int64))
    for header in kept:
        frame[header] = frame[header].astype(np.float64)
    if frame.duplicated(list(KEY_COLUMNS)).any():  # one day written two ways (20260105)
        frame = frame.groupby(list(KEY_COLUMNS), sort=True, as_index=False).sum(min_count=1)
    if len(frame) > ROW_LIMIT:
        raise DataError(
            f"{name}: {rows_in:,} rows sum to {len(frame):,} daily rows per channel and "
            f"campaign, which do not fit in an Excel sheet (at most {ROW_LIMIT:,} below the "
            "header) — split the file into one plan per year or fewer campaigns"
        )
    notes = [
        f"{name}: {rows_in:,} rows aggregated to {len(frame):,} daily rows per channel and "
        "campaign (more rows than an Excel sheet holds)"
    ]
    if kept:
        notes.append(f"{name}: summed per day, channel and campaign: {', '.join(kept)}")
    if lost := [label[c] for c in sums.dropped] + text:
        notes.append(
            f"{name}: not kept (rates, averages and text cannot be summed per day, channel "
            f"and campaign; the plan computes its own rates): {', '.join(lost)}"
        )
    return Summed(frame, rows_in, notes)


def read_parquet_rows(path: Path, *, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A Parquet file that fits a sheet, row by row, as the raw cells `canonical_frame`
    takes (mapped headers renamed to their Data column)."""
    import duckdb

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="xlmplan-duckdb-") as temp:
        con = connect(temp)
        try:
            frame = con.execute(f"SELECT * FROM read_parquet({_lit(str(path))})").df()
        except duckdb.Error as exc:
            raise DataError(
                f"{path.name}: cannot read it as Parquet ({first_line(exc)}) — export it again"
            ) from None
        finally:
            con.close()
    return frame.rename(columns=dict(mapping or {}))


def handles(path: Path) -> bool:
    """Whether `path` is read here: any Parquet file, a CSV file over `ROW_LIMIT` rows."""
    path = Path(path)
    return path.is_file() and (is_parquet(path) or too_big(path))


def read_flat(
    path: Path, *, mapping: Mapping[str, str] | None = None, channel: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """A file `handles` accepts as canonical Data rows, with the notes for the user: summed
    by `read_large` when over a sheet's rows, else (a small Parquet file) row by row."""
    path = Path(path)
    if too_big(path):
        summed = read_large(path, mapping=mapping, channel=channel)
        return summed.frame, summed.notes
    raw = read_parquet_rows(path, mapping=mapping)
    notes: list[str] = []
    if channel:
        named = any(
            data_header_aliases().get(normalise_header(c), normalise_header(c)) == "channel"
            for c in raw.columns
        )
        if not named:
            raw["channel"] = channel.strip()
            notes.append(f"every row gets channel {channel.strip()!r} (--channel)")
    rows = np.arange(2, len(raw) + 2)
    return canonical_frame(raw, path.name, rows=rows, aliases=data_header_aliases()), notes
