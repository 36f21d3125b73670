"""The options of `read_export` as messages name them (the `xlmplan import` flags), and
the checks on a mapping and a channel name before any file is read."""

from __future__ import annotations

from xlmplan.core.data import DATA_COLUMNS
from xlmplan.errors import DataError

OPT_CHANNEL = "--channel"
OPT_MAP = "--map"
OPT_SPREAD = "--spread"


def check_options(name: str, mapping: dict[str, str], channel: str | None) -> None:
    """Refuse a mapping to a non-Data column or two columns to one, and an empty channel."""
    targets: dict[str, str] = {}
    for column, target in mapping.items():
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
