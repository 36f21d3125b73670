"""The embedded DuckDB engine's settings, shared by the readers of files too large for pandas
(GA4's raw event export, flat CSV/Parquet data over a sheet's rows). duckdb is imported
only when a connection is made."""

from __future__ import annotations

import os
from typing import Any

MEMORY_ENV = "XLMPLAN_DUCKDB_MEMORY"
DEFAULT_MEMORY = "1GB"


def memory_limit(explicit: str | None = None) -> str:
    """DuckDB's ``memory_limit``: ``explicit``, else ``XLMPLAN_DUCKDB_MEMORY``, else 1GB;
    beyond it DuckDB spills to its temporary folder."""
    return explicit or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY


def settings(temp: str, explicit: str | None = None) -> dict[str, Any]:
    """DuckDB's configuration: bounded by `memory_limit`, spilling to ``temp``; results keep
    no input order (every query orders what it needs), so DuckDB need not buffer rows to
    restore it."""
    return {
        "memory_limit": memory_limit(explicit),
        "temp_directory": temp,
        "preserve_insertion_order": False,
    }


def connect(temp: str, explicit: str | None = None) -> Any:
    """A plain in-memory DuckDB connection with `settings`."""
    import duckdb

    return duckdb.connect(config=settings(temp, explicit))


def first_line(exc: Exception) -> str:
    """The first line of an engine error, for a one-line message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
