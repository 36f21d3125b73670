"""Answer key for `canonical_frame`: header matching, numbers, dates and the one-line
refusals that name the source, row and column."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from xlmplan.core.data import DATA_COLUMNS, canonical_frame, normalise_header
from xlmplan.errors import DataError

pytestmark = pytest.mark.core


def frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def one(column: str, values: list[object]) -> pd.DataFrame:
    n = len(values)
    cols = {"date": ["2026-01-05"] * n, "channel": ["Search"] * n, column: values}
    if column in ("date", "channel"):
        cols[column] = values
    return canonical_frame(frame(cols), "sales.csv")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (" New Customers ", "new_customers"),
        ("New-Customers", "new_customers"),
        ("REVENUE", "revenue"),
        ("__spend__", "spend"),
        ("Cost (EUR)", "cost_eur"),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


def test_columns_order_and_extras() -> None:
    raw = frame(
        {
            "Note": ["b", "a"],
            " Revenue": ["10", "20"],
            "CHANNEL": ["Social", "Search"],
            "Date": ["2026-01-06", "2026-01-05"],
            "New Customers": [1, 2],
        }
    )
    out = canonical_frame(raw, "sales.csv")
    assert list(out.columns) == [*DATA_COLUMNS, "Note"]
    # sorted by date: the second input row comes first
    assert list(out["channel"]) == ["Search", "Social"]
    assert list(out["revenue"]) == [20.0, 10.0]
    assert list(out["new_customers"]) == [2.0, 1.0]
    assert list(out["campaign"]) == ["", ""]  # no campaign column: empty text
    assert out["clicks"].isna().all()  # a missing measure is empty, not 0
    assert list(out["Note"]) == ["a", "b"]


def test_equal_dates_keep_their_order() -> None:
    out = one("revenue", [3, 1, 2])
    assert list(out["revenue"]) == [3.0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),  # thousands separators
        ("31,193", 31193.0),
        ("  42 ", 42.0),
        ("-3.5", -3.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("--", None),  # Google Ads' empty cell
        ("n/a", None),
        ("NULL", None),
        ("", None),
        (7, 7.0),
        (2.25, 2.25),
    ],
)
def test_numbers(text: object, expected: float | None) -> None:
    value = one("revenue", [text])["revenue"].iloc[0]
    assert np.isnan(value) if expected is None else value == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,5", r"sales\.csv, row 2, column 'Revenue': '1,5' looks like a decimal comma"),
        ("1.234,56", r"'1\.234,56' looks like a decimal comma — use '\.' as decimal point"),
        ("#DIV/0!", r"'#DIV/0!' is an Excel error value — fix the formula or clear the cell"),
        ("abc", r"'abc' is not a number — use digits with '\.' as decimal point"),
    ],
)
def test_bad_numbers(text: str, message: str) -> None:
    raw = frame({"date": ["2026-01-05"], "channel": ["Search"], "Revenue": [text]})
    with pytest.raises(DataError, match=message):
        canonical_frame(raw, "sales.csv")


def test_an_infinite_number_is_refused() -> None:
    raw = pd.DataFrame({"date": ["2026-01-05"], "channel": ["x"], "spend": [float("inf")]})
    with pytest.raises(DataError, match=r"row 2, column 'spend': inf is not a finite number"):
        canonical_frame(raw, "a.csv")


def test_an_infinite_number_is_refused_naming_the_cell() -> None:
    raw = pd.DataFrame({"date": ["2026-01-05"], "channel": ["x"], "spend": [float("-inf")]})
    with pytest.raises(DataError, match=r"a\.csv, row 2, column 'spend': .*inf.* not a finite"):
        canonical_frame(raw, "a.csv")


def test_a_date_in_a_number_column_is_refused() -> None:
    raw = frame({"date": ["2026-01-05"], "channel": ["x"], "spend": [dt.date(2026, 1, 1)]})
    with pytest.raises(DataError, match=r"column 'spend': datetime\.date\(2026, 1, 1\) is not"):
        canonical_frame(raw, "a.csv")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-31", "2026-01-31"),
        ("2026/1/5", "2026-01-05"),
        ("2026.02.29", None),  # not a leap year: refused below
        ("2028.02.29", "2028-02-29"),
        ("20260131", "2026-01-31"),
        ("2026-01-31T23:59:59Z", "2026-01-31"),
        ("2026-01-31 10:00", "2026-01-31"),
        (46023, "2026-01-01"),  # Excel serial: 2025-01-01 is 45658, + 365
        (46023.75, "2026-01-01"),  # a serial with a time of day
        (20260201, "2026-02-01"),  # a YYYYMMDD number
        (dt.date(2026, 3, 1), "2026-03-01"),
        (dt.datetime(2026, 3, 1, 17, 30), "2026-03-01"),
        (pd.Timestamp("2026-03-01 23:00", tz="Asia/Tehran"), "2026-03-01"),
    ],
)
def test_dates(value: object, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(DataError, match=r"is not a valid calendar date"):
            one("date", [value])
        return
    out = one("date", [value])
    assert out["date"].iloc[0] == pd.Timestamp(expected)


def test_a_timezone_aware_date_column() -> None:
    dates = pd.Series(pd.to_datetime(["2026-01-02 23:30"]).tz_localize("UTC"))
    raw = pd.DataFrame({"date": dates, "channel": ["x"]})
    assert canonical_frame(raw, "a.csv")["date"].iloc[0] == pd.Timestamp("2026-01-02")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/01/2026", r"row 2, column 'date': '31/01/2026' has an ambiguous day/month order"),
        ("2026-02-30", r"'2026-02-30' is not a valid calendar date — check the day and month"),
        ("soon", r"'soon' is not a date I can read — write dates as YYYY-MM-DD"),
        (0.5, r"0\.5 is not a date I can read"),
        (True, r"True is not a date I can read"),
    ],
)
def test_bad_dates(value: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        one("date", [value])


def test_an_empty_date_names_the_row() -> None:
    raw = frame({"date": ["2026-01-05", None], "channel": ["x", "y"]})
    with pytest.raises(DataError, match=r"row 3, column 'date': the cell is empty — every data"):
        canonical_frame(raw, "a.csv")


def test_an_empty_channel_names_the_row() -> None:
    raw = frame({"date": ["2026-01-05", "2026-01-06"], "Channel": ["x", " "]})
    with pytest.raises(DataError, match=r"row 3, column 'Channel': the cell is empty — every"):
        canonical_frame(raw, "a.csv")


def test_given_row_numbers_are_used() -> None:
    raw = frame({"date": ["2026-01-05", "bad"], "channel": ["x", "y"]})
    with pytest.raises(DataError, match=r"a\.csv, row 17, column 'date'"):
        canonical_frame(raw, "a.csv", rows=[9, 17])
    with pytest.raises(ValueError, match="one row number per DataFrame row"):
        canonical_frame(raw, "a.csv", rows=[9])


def test_blank_rows_are_dropped_and_row_numbers_kept() -> None:
    raw = frame({"date": [None, "2026-01-05", None], "channel": [None, "x", None],
                 "Note": [None, "n", "  "], "spend": [None, "oops", None]})  # fmt: skip
    with pytest.raises(DataError, match=r"row 3, column 'spend': 'oops'"):
        canonical_frame(raw, "a.csv")


def test_a_row_with_only_an_extra_column_is_kept() -> None:
    raw = frame({"date": ["2026-01-05", None], "channel": ["x", None], "Note": [None, "n"]})
    with pytest.raises(DataError, match=r"row 3, column 'date': the cell is empty"):
        canonical_frame(raw, "a.csv")


def test_text_keys_from_numbers() -> None:
    raw = frame({"date": ["2026-01-05", "2026-01-06"], "channel": [5.0, "Search"],
                 "campaign": [12.5, None]})  # fmt: skip
    out = canonical_frame(raw, "a.csv")
    assert list(out["channel"]) == ["5", "Search"]
    assert list(out["campaign"]) == ["12.5", ""]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            {"when": ["2026-01-05"], "channel": ["x"]},
            r"a\.csv: no 'date' column \(headers found: 'when', 'channel'\) — the first row",
        ),
        ({"date": ["2026-01-05"]}, r"no 'channel' column \(headers found: 'date'\)"),
        (
            {"date": ["2026-01-05"], "channel": ["x"], "Revenue": [1], "revenue ": [2]},
            r"a\.csv: columns 'Revenue' and 'revenue ' both mean 'revenue' — keep only one",
        ),
        ({"date": [None], "channel": [" "]}, r"a\.csv: no data rows — put the header in row 1"),
    ],
)
def test_table_refusals(columns: dict[str, list[object]], message: str) -> None:
    with pytest.raises(DataError, match=message):
        canonical_frame(frame(columns), "a.csv")


def test_header_aliases() -> None:
    raw = frame({"تاریخ": ["2026-01-05"], "کانال": ["x"], "درآمد": ["12"]})
    aliases = {"تاریخ": "date", "کانال": "channel", "درآمد": "revenue"}
    out = canonical_frame(raw, "a.csv", aliases=aliases)
    assert out["revenue"].iloc[0] == 12.0
    assert out["channel"].iloc[0] == "x"


def test_typed_columns_pass_through() -> None:
    raw = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-05 13:00"]),
            "channel": ["x"],
            "clicks": np.array([3], dtype=np.int64),
            "spend": [1.5],
        }
    )
    out = canonical_frame(raw, "a.csv")
    assert out["date"].iloc[0] == pd.Timestamp("2026-01-05")
    assert (out["clicks"].iloc[0], out["spend"].iloc[0]) == (3.0, 1.5)


OUTSIDE = r"is outside the dates a plan can hold \(1900-03-01 to 2262-04-11\) — check the year"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (dt.datetime(1899, 1, 1, 10, 0), "1899-01-01"),
        (dt.date(1850, 2, 3), "1850-02-03"),
        (np.datetime64("1800-01-01"), "1800-01-01"),
        ("1850-02-03", "1850-02-03"),
        ("2262-04-12", "2262-04-12"),  # the day after the last
        ("9999-12-31", "9999-12-31"),
        (18990101, "1899-01-01"),  # YYYYMMDD
        (60, "1900-02-28"),  # serial 60: Excel's 1900-02-29 that never was, one day off
        (1, "1899-12-31"),  # the first serial
        (2958465, "9999-12-31"),  # the last serial Excel knows
    ],
)
def test_dates_outside_the_range_are_named(value: object, day: str) -> None:
    with pytest.raises(DataError, match=rf"row 2, column 'date': {day} {OUTSIDE}; write dates"):
        one("date", [value])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (61, "1900-03-01"),  # the first serial inside the range
        ("2262-04-11", "2262-04-11"),
        (np.datetime64("2262-04-11"), "2262-04-11"),
        (dt.datetime(1900, 3, 1, 0, 0), "1900-03-01"),
    ],
)
def test_the_first_and_last_day_of_the_range_are_read(value: object, expected: str) -> None:
    assert one("date", [value])["date"].iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (18990231, r"18990231 is not a date I can read"),  # YYYYMMDD of no calendar day
        (2958466, r"2958466 is not a date I can read"),  # past the last serial
        (np.datetime64("NaT"), r"the cell is empty"),
        (pd.NaT, r"the cell is empty"),  # pandas' missing time, a datetime with no day
    ],
)
def test_numbers_that_name_no_date(value: object, message: str) -> None:
    with pytest.raises(DataError, match=rf"row 2, column 'date': {message}"):
        one("date", [value])
