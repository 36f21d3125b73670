"""Excel's published specifications (Excel 2010 and later) that a plan's own content can
reach, checked before anything is written: a workbook over them opens in Excel only after a
repair that cuts it, or not at all.

Only the Data table grows with the user's input (rows, columns, texts and headers of CSV
and export files); every other sheet, name and link is laid out by xlmplan within Excel's
limits (sheet names of at most 31 characters come from label packs or from the user's own
renames, links cite those names, defined names are xlmplan's own).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlmplan.errors import DataError

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_TEXT = 32_767
DATA_FIRST_ROW = 1
"""0-based row of the first data row of a new plan's Data table (header on row 1)."""


def check_data_fits(frame: pd.DataFrame, first_row: int, source: str, first_col: int = 0) -> None:
    """Refuse a Data frame that does not fit a worksheet from 0-based ``first_row`` and
    ``first_col``: too many rows or columns, a text or header longer than a cell holds."""
    room = MAX_ROWS - first_row
    if len(frame) > room:
        raise DataError(
            f"{source}: {len(frame):,} Data rows do not fit in an Excel sheet (at most "
            f"{room:,} below the header) — aggregate the data to fewer rows (e.g. by day, "
            "channel and campaign) or split it into one plan per year"
        )
    if first_col + len(frame.columns) > MAX_COLUMNS:
        raise DataError(
            f"{source}: {len(frame.columns):,} Data columns do not fit in an Excel sheet "
            f"(at most {MAX_COLUMNS - first_col:,}) — remove the columns the plan does not need"
        )
    for name in frame.columns:
        if len(str(name)) > MAX_CELL_TEXT:
            raise DataError(
                f"{source}: a column header of {len(str(name)):,} characters is longer than "
                f"an Excel cell holds ({MAX_CELL_TEXT:,}) — shorten it"
            )
    for name in frame.columns:
        too_long = _first_too_long(frame[name])
        if too_long is not None:
            row, length = too_long
            raise DataError(
                f"{source}: column '{str(name)[:60]}', Data row {row + 1:,}: a text of "
                f"{length:,} characters is longer than an Excel cell holds "
                f"({MAX_CELL_TEXT:,}) — shorten it or split it over several columns"
            )


def _first_too_long(series: pd.Series) -> tuple[int, int] | None:
    """The position and length of the first text longer than a cell holds, if any."""
    try:
        lengths = series.str.len()
    except AttributeError:  # numbers or dates
        return None
    over = np.flatnonzero(lengths.fillna(0).to_numpy(dtype=np.int64) > MAX_CELL_TEXT)
    if not len(over):
        return None
    return int(over[0]), int(lengths[over[0]])
