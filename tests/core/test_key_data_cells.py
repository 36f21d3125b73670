"""Answer key for `canonical_frame` on cells of unusual types: mixed object columns, typed
(numpy) columns, numpy dates, serials at the edges of the range, and the exact wording of
each refusal, source and row included."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlmplan.core.data import canonical_frame, cleaned_notes
from xlmplan.errors import DataError

pytestmark = pytest.mark.core


def mixed(values: list[object]) -> pd.Series:
    """An object column exactly as given (no inference)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return pd.Series(out, dtype=object)


def table(**columns: object) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_mixed_number_column_parses_text_and_numbers() -> None:
    # 5 is a number; "1,234.5" is text with a thousands comma: 1234.5
    raw = table(date=["2026-01-05", "2026-01-06"], channel=["x", "y"],
                spend=mixed([5, "1,234.5"]))  # fmt: skip
    assert list(canonical_frame(raw, "a.csv")["spend"]) == [5.0, 1234.5]


def test_mixed_text_column_is_stripped() -> None:
    # a column of text and a number: the text is still stripped, a blank text is missing
    raw = table(date=["2026-01-05", "2026-01-06", "2026-01-07"], channel=["x", "y", "z"],
                campaign=mixed([" Spring ", 7, "  "]))  # fmt: skip
    assert list(canonical_frame(raw, "a.csv")["campaign"]) == ["Spring", "7", ""]


def test_a_bool_in_a_number_column_is_named_as_it_is() -> None:
    raw = table(date=["2026-01-05"], channel=["x"], spend=mixed([True]))
    with pytest.raises(DataError, match=r"^a\.csv, row 2, column 'spend': True is not a number"):
        canonical_frame(raw, "a.csv")


def test_a_date_in_a_number_column_names_source_and_row() -> None:
    raw = table(date=["2026-01-05"], channel=["x"], spend=mixed([dt.date(2026, 1, 1)]))
    with pytest.raises(
        DataError, match=r"^a\.csv, row 2, column 'spend': datetime\.date\(2026, 1, 1\) is not"
    ):
        canonical_frame(raw, "a.csv")


def test_the_first_bad_number_text_is_named() -> None:
    # "5" parses; the first text that does not is "abc" in file row 3
    raw = table(date=["2026-01-05", "2026-01-06"], channel=["x", "y"], spend=["5", "abc"])
    with pytest.raises(DataError, match=r"^a\.csv, row 3, column 'spend': 'abc' is not a number"):
        canonical_frame(raw, "a.csv")


def test_an_empty_channel_names_the_source() -> None:
    raw = table(date=["2026-01-05"], Channel=mixed([" "]), spend=[1.0])
    with pytest.raises(DataError, match=r"^b\.csv, row 2, column 'Channel': the cell is empty"):
        canonical_frame(raw, "b.csv")


def test_typed_columns_keep_their_canonical_types() -> None:
    raw = table(date=["2026-01-05"], channel=np.array([5], dtype=np.int64),
                clicks=np.array([3], dtype=np.int64))  # fmt: skip
    out = canonical_frame(raw, "a.csv")
    assert out["clicks"].dtype == np.float64  # an integer column is read as float64
    assert out["impressions"].dtype == np.float64  # an absent measure is NaN, float64
    assert out["channel"].dtype == object and out["campaign"].dtype == object
    assert out["channel"].iloc[0] == "5" and isinstance(out["channel"].iloc[0], str)
    assert out["impressions"].isna().all()


def test_aliases_leave_other_headers_as_they_are() -> None:
    # only 'درآمد' is translated; 'date' and 'channel' are matched as written
    out = canonical_frame(table(date=["2026-01-05"], channel=["x"], درآمد=["12"]), "a.csv",
                          aliases={"درآمد": "revenue"})  # fmt: skip
    assert (out["channel"].iloc[0], out["revenue"].iloc[0]) == ("x", 12.0)


def test_no_headers_at_all() -> None:
    message = (
        r"^a\.csv: no 'date' column \(headers found: none\) — the first row must name the "
        r"columns, at least 'date' and 'channel' \(optional: campaign, impressions, clicks, "
        r"sessions, conversions, revenue, spend, new_customers\)\.$"
    )
    with pytest.raises(DataError, match=message):
        canonical_frame(pd.DataFrame(), "a.csv")


def test_a_row_blank_but_for_its_first_extra_column_is_kept() -> None:
    # row 3 has only 'Note': it is not blank, so it stays and its empty date is refused
    raw = table(date=mixed(["2026-01-05", None]), channel=mixed(["x", None]),
                Note=mixed([None, "n"]), Memo=mixed([None, None]))  # fmt: skip
    with pytest.raises(DataError, match=r"^a\.csv, row 3, column 'date': the cell is empty"):
        canonical_frame(raw, "a.csv")


def test_row_numbers_must_match_the_rows() -> None:
    raw = table(date=["2026-01-05"], channel=["x"])
    with pytest.raises(ValueError, match=r"^rows must give one row number per DataFrame row$"):
        canonical_frame(raw, "a.csv", rows=[2, 3])


def test_cleaned_notes_name_the_source_and_column() -> None:
    raw = table(date=["2026-01-05"], channel=["a\x01b"])
    out = canonical_frame(raw, "a.csv")
    assert list(out["channel"]) == ["a\ufffdb"]
    assert cleaned_notes(out) == [
        "a.csv, column 'channel': 1 cell(s) held characters a workbook cannot hold (control "
        "characters, U+FFFE/U+FFFF, lone surrogates) — each is now '\ufffd'; check those cells"
    ]
    assert cleaned_notes(canonical_frame(table(date=["2026-01-05"], channel=["ab"]), "a.csv")) == []
    assert cleaned_notes(pd.DataFrame()) == []  # a frame that never went through it


def test_a_timezone_date_column_keeps_its_local_day() -> None:
    # 01:00 in Tehran (UTC+03:30) is 21:30 UTC the day before: the local day counts
    stamps = pd.Series(pd.to_datetime(["2026-01-02 01:00"]).tz_localize("Asia/Tehran"))
    out = canonical_frame(pd.DataFrame({"date": stamps, "channel": ["x"]}), "a.csv")
    assert out["date"].iloc[0] == pd.Timestamp("2026-01-02")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (132320, "2262-04-11"),  # the last serial inside the range: 2262-04-11 - 1899-12-30
        (132319, "2262-04-10"),
    ],
)
def test_the_last_serials_are_read(value: int, expected: str) -> None:
    raw = table(date=mixed([value]), channel=["x"])
    assert canonical_frame(raw, "a.csv")["date"].iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        # neither a serial (61 .. 132320) nor YYYYMMDD: taken as a serial, these days would
        # overflow nanoseconds and wrap into the range (1994-12-19 and 1900-03-02)
        (-10000000, "-10000000 is not a date I can read"),
        (213566, "2484-09-19 is outside the dates"),  # 1899-12-30 + 213,566 days
    ],
)
def test_numbers_outside_the_serials_are_not_wrapped_into_dates(value: int, problem: str) -> None:
    raw = table(date=mixed([value]), channel=["x"])
    with pytest.raises(DataError, match=rf"^a\.csv, row 2, column 'date': {problem}"):
        canonical_frame(raw, "a.csv")


OUTSIDE = r"is outside the dates a plan can hold \(1900-03-01 to 2262-04-11\)"


@pytest.mark.parametrize(
    ("values", "day"),
    [
        (["18500203"], "1850-02-03"),  # YYYYMMDD text: month 02, day 03
        ([np.datetime64("1800-01-01"), "2026-01-05"], "1800-01-01"),  # a numpy date among text
        (np.array([1], dtype=np.int64), "1899-12-31"),  # a typed integer serial
    ],
)
def test_dates_outside_the_range_in_other_forms(values: object, day: str) -> None:
    col = values if isinstance(values, np.ndarray) else mixed(list(values))  # type: ignore[call-overload]
    raw = table(date=col, channel=["x"] * len(col))
    with pytest.raises(DataError, match=rf"^a\.csv, row 2, column 'date': {day} {OUTSIDE}"):
        canonical_frame(raw, "a.csv")


def test_a_typed_number_that_is_no_date_is_named_plainly() -> None:
    raw = table(date=np.array([20261399], dtype=np.int64), channel=["x"])
    with pytest.raises(DataError, match=r"^a\.csv, row 2, column 'date': 20261399 is not a date"):
        canonical_frame(raw, "a.csv")


def test_a_numpy_date_past_any_calendar_is_refused_in_one_line() -> None:
    # 2**62 days after 1970 is no year pandas or Python can hold
    raw = table(date=mixed([np.datetime64(2**62, "D"), "2026-01-05"]), channel=["x", "y"])
    with pytest.raises(
        DataError,
        match=r"^a\.csv, row 2, column 'date': np\.datetime64\('12626367463885247-04-15'\) is "
        r"not a date I can read",
    ):
        canonical_frame(raw, "a.csv")


def test_extra_columns_are_kept_as_read() -> None:
    # an extra column is the user's: object cells as read, an empty cell stays None
    raw = table(date=["2026-01-06", "2026-01-05"], channel=["x", "y"], Note=mixed(["n", None]))
    out = canonical_frame(raw, "a.csv")
    assert out["Note"].dtype == object
    assert list(out["Note"]) == [None, "n"]  # sorted by date: the second row first
