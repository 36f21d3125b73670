"""read_data / canonical_frame: formats, header matching and one-line errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from refusals import one_line_refusal

from xlmplan.core.data import DATA_COLUMNS, MEASURES, canonical_frame, normalise_header
from xlmplan.io.data_reader import read_data

HEADER = "date,channel,campaign,impressions,clicks,sessions,conversions,revenue,spend,new_customers"
ROW1 = "2026-01-02,Email,Newsletter,1000,50,45,3,210.5,0,1"
ROW2 = "2026-01-01,Paid Search,Brand,2000,80,70,4,300,55.25,2"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_error(path: Path, **kwargs: object) -> str:
    return one_line_refusal(read_data, path, **kwargs)


def check_canonical(df: pd.DataFrame) -> None:
    assert tuple(df.columns[: len(DATA_COLUMNS)]) == DATA_COLUMNS
    assert df["date"].dtype == "datetime64[ns]"
    assert (df["date"] == df["date"].dt.normalize()).all()
    assert df["channel"].dtype == object and df["campaign"].dtype == object
    assert all(df[m].dtype == np.float64 for m in MEASURES)
    assert list(df.index) == list(range(len(df)))


# --- happy paths -------------------------------------------------------------------------


def test_reads_basic_csv_sorted_by_date(tmp_path: Path) -> None:
    df = read_data(write(tmp_path, "sales.csv", f"{HEADER}\n{ROW1}\n{ROW2}\n"))
    check_canonical(df)
    assert list(df["channel"]) == ["Paid Search", "Email"]
    assert df.loc[0, "date"] == pd.Timestamp("2026-01-01")
    assert df.loc[1, "revenue"] == 210.5
    assert df.loc[0, "spend"] == 55.25


def test_sort_is_stable_within_a_date(tmp_path: Path) -> None:
    rows = ["2026-01-02,B,,1", "2026-01-01,Z,,2", "2026-01-02,A,,3", "2026-01-01,Y,,4"]
    df = read_data(write(tmp_path, "s.csv", "date,channel,campaign,spend\n" + "\n".join(rows)))
    assert list(df["channel"]) == ["Z", "Y", "B", "A"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" New Customers ", "new_customers"),
        ("New-Customers", "new_customers"),
        ("NEW_CUSTOMERS", "new_customers"),
        ("\ufeffDate", "date"),
        ("Revenue (€)", "revenue"),
    ],
)
def test_normalise_header(raw: str, expected: str) -> None:
    assert normalise_header(raw) == expected


def test_headers_case_and_space_insensitive(tmp_path: Path) -> None:
    text = " DATE , Channel ,Campaign, New Customers ,SPEND\n2026-01-01, Email , Promo ,3,1.5\n"
    df = read_data(write(tmp_path, "h.csv", text))
    check_canonical(df)
    assert df.loc[0, "channel"] == "Email" and df.loc[0, "campaign"] == "Promo"
    assert df.loc[0, "new_customers"] == 3 and df.loc[0, "spend"] == 1.5


def test_missing_measures_are_nan_and_campaign_blank(tmp_path: Path) -> None:
    df = read_data(write(tmp_path, "m.csv", "date,channel,spend\n2026-01-01,Email,\n"))
    check_canonical(df)
    assert df.loc[0, "campaign"] == ""
    assert df[list(MEASURES)].isna().all().all()


def test_extra_columns_kept_with_original_header(tmp_path: Path) -> None:
    text = "Region,date,channel,My Notes\nNorth,2026-01-01,Email,hello\n"
    df = read_data(write(tmp_path, "x.csv", text))
    check_canonical(df)
    assert list(df.columns[len(DATA_COLUMNS) :]) == ["Region", "My Notes"]
    assert df["My Notes"].dtype == object and df.loc[0, "My Notes"] == "hello"


@pytest.mark.parametrize(
    "value", ["2026-03-05", "2026/03/05", "20260305", "2026-3-5", "2026-03-05 14:30:00"]
)
def test_accepted_date_forms(tmp_path: Path, value: str) -> None:
    df = read_data(write(tmp_path, "d.csv", f"date,channel\n{value},Email\n"))
    assert df.loc[0, "date"] == pd.Timestamp("2026-03-05")


def test_thousands_separators_in_quotes(tmp_path: Path) -> None:
    text = 'date,channel,revenue,impressions\n2026-01-01,Email,"1,234.5","1,000,000"\n'
    df = read_data(write(tmp_path, "t.csv", text))
    assert df.loc[0, "revenue"] == 1234.5 and df.loc[0, "impressions"] == 1_000_000


def test_semicolon_and_tab_delimiters(tmp_path: Path) -> None:
    semi = read_data(write(tmp_path, "semi.csv", "date;channel;spend\n2026-01-01;Email;2.5\n"))
    tab = read_data(write(tmp_path, "tab.tsv", "date\tchannel\tspend\n2026-01-01\tEmail\t2.5\n"))
    assert semi.loc[0, "spend"] == tab.loc[0, "spend"] == 2.5


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Date;Channel;Campaign;Spend\r\n2026-01-01;Email;Café été;3\r\n"
    df = read_data(write(tmp_path, f"enc-{encoding}.csv", text, encoding))
    assert df.loc[0, "campaign"] == "Café été" and df.loc[0, "spend"] == 3


def test_blank_rows_skipped_and_row_numbers_kept(tmp_path: Path) -> None:
    text = f"\n{HEADER}\n{ROW1}\n\n,,,,,,,,,\n2026-01-03,Email,,1,1,1,1,abc,0,0\n"
    message = read_error(write(tmp_path, "b.csv", text))
    assert "row 6" in message and "'revenue'" in message and "'abc'" in message


def test_trailing_empty_fields_are_fine(tmp_path: Path) -> None:
    df = read_data(write(tmp_path, "tr.csv", "date,channel\n2026-01-01,Email,,,\n"))
    assert len(df) == 1


def test_xlsx_data_sheet_with_offset_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Readme"
    wb.active["A1"] = "notes, not data"
    ws = wb.create_sheet("Data")
    ws.append([])
    ws.append([None, "Date", "Channel", "Spend", "Revenue", "Comment"])
    ws.append([None, dt.date(2026, 1, 2), "Email", 0, 12.5, "ok"])
    ws.append([None, 46023, "Paid Search", 5, None, None])  # Excel serial for 2026-01-01
    ws.append([None, dt.datetime(2026, 1, 3, 9, 30), "Display", "7", 1, None])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    df = read_data(path)
    check_canonical(df)
    assert list(df["date"]) == list(pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]))
    assert list(df["channel"]) == ["Paid Search", "Email", "Display"]
    assert df["spend"].tolist() == [5.0, 0.0, 7.0]
    assert np.isnan(df.loc[0, "revenue"])
    assert list(df.columns[len(DATA_COLUMNS) :]) == ["Comment"]


def test_xlsx_first_sheet_and_error_row_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["date", "channel", "clicks"])
    ws.append([dt.date(2026, 1, 1), "Email", 3])
    ws.append([dt.date(2026, 1, 2), "Email", "lots"])
    path = tmp_path / "one.xlsx"
    wb.save(path)
    message = read_error(path)
    assert "row 3" in message and "'clicks'" in message and "'lots'" in message


def test_canonical_frame_from_memory() -> None:
    df = canonical_frame(
        pd.DataFrame({"Date": [dt.date(2026, 1, 1)], "Channel": ["Email"], "Clicks": [4]}),
        "memory",
    )
    check_canonical(df)
    assert df.loc[0, "clicks"] == 4.0


def test_canonical_frame_timezone_dropped() -> None:
    stamps = pd.to_datetime(["2026-01-01 23:00"]).tz_localize("Europe/Paris")
    df = canonical_frame(pd.DataFrame({"date": stamps, "channel": ["Email"]}), "tz")
    assert df.loc[0, "date"] == pd.Timestamp("2026-01-01")
    assert df["date"].dtype == "datetime64[ns]"


# --- errors ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    message = read_error(tmp_path / "nope.csv")
    assert "not found" in message


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 4)
    assert "CSV" in read_error(path)


def test_old_xls_rejected(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert ".xlsx" in read_error(path)


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "xlsx" in read_error(path)


def test_xlsx_extension_but_text(tmp_path: Path) -> None:
    assert "xlsx" in read_error(write(tmp_path, "fake.xlsx", f"{HEADER}\n{ROW1}\n"))


def test_forced_wrong_delimiter_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "semi.csv", "date;channel;spend\n2026-01-01;Email;2,5\n")
    message = read_error(path, sep=",")
    assert "looks like ';'-separated" in message


def test_rows_with_other_delimiter_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.csv", "date,channel,spend\n2026-01-01;Email;2\n")
    message = read_error(path)
    assert "row 2" in message and "';'-separated" in message


def test_unquoted_thousands_separator(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", "date,channel,spend\n2026-01-01,Email,1,234.5\n")
    message = read_error(path)
    assert "row 2" in message and "quote" in message


def test_text_in_number_column_names_row_and_column(tmp_path: Path) -> None:
    rows = [ROW1] * 12 + ["2026-01-05,Email,,1,1,1,1,5,abc,0"]
    message = read_error(write(tmp_path, "sales.csv", HEADER + "\n" + "\n".join(rows)))
    assert message.startswith("sales.csv, row 14, column 'spend': 'abc' is not a number")


def test_decimal_comma_gets_specific_hint(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "eu.csv", "date;channel;spend\n2026-01-01;Email;12,5\n"))
    assert "row 2" in message and "'spend'" in message and "decimal comma" in message


@pytest.mark.parametrize("value", ["31/01/2026", "01/31/2026", "31.01.2026"])
def test_ambiguous_dates_rejected(tmp_path: Path, value: str) -> None:
    message = read_error(write(tmp_path, "d.csv", f"date,channel\n2026-01-01,A\n{value},Email\n"))
    assert "row 3" in message and "'date'" in message and "YYYY-MM-DD" in message


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "2026-13-01"])
def test_unparseable_dates(tmp_path: Path, value: str) -> None:
    message = read_error(write(tmp_path, "d.csv", f"date,channel\n{value},Email\n"))
    assert "row 2" in message and "'date'" in message


def test_empty_date_cell(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "d.csv", "date,channel,spend\n,Total,100\n"))
    assert "row 2" in message and "'date'" in message and "empty" in message


def test_empty_channel_cell(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "c.csv", "date,channel\n2026-01-01,\n"))
    assert "row 2" in message and "'channel'" in message


@pytest.mark.parametrize("text", ["", "\n\n", HEADER + "\n", HEADER + "\n,,,\n"])
def test_empty_data(tmp_path: Path, text: str) -> None:
    message = read_error(write(tmp_path, "empty.csv", text))
    assert "empty" in message or "no data rows" in message


def test_empty_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["date", "channel"])
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    assert "no data rows" in read_error(path)


@pytest.mark.parametrize(
    ("header", "missing"), [("day,channel", "'date'"), ("date,source,medium", "'channel'")]
)
def test_missing_required_column(tmp_path: Path, header: str, missing: str) -> None:
    values = ",".join(["2026-01-01", "x", "y"][: header.count(",") + 1])
    message = read_error(write(tmp_path, "cols.csv", f"{header}\n{values}\n"))
    assert f"no {missing} column" in message
    assert all(repr(h) in message for h in header.split(","))


def test_duplicate_column(tmp_path: Path) -> None:
    message = read_error(
        write(tmp_path, "dup.csv", "date,channel,Spend,spend \n2026-01-01,A,1,2\n")
    )
    assert "'Spend'" in message and "'spend'" in message and "keep only one" in message
