"""Persian and Arabic-Indic digits, Arabic separators and direction marks in imported
numbers and dates (xlmplan.core.digits and the export readers)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlmplan.core.digits import ascii_digits, strip_direction_marks
from xlmplan.errors import DataError
from xlmplan.io.export_text import (
    BAD,
    BOUND,
    EMPTY,
    OK,
    Column,
    date_order,
    decimal_mark,
    looks_numeric,
    number,
    parse_date,
)
from xlmplan.io.exports import read_export

RLM, LRM, ALM = "\u200f", "\u200e", "\u061c"
RLI, PDI, RLE, PDF = "\u2067", "\u2069", "\u202b", "\u202c"
ZWNJ = "\u200c"

SOCIAL_FA = f"شبکه{ZWNJ}های اجتماعی"  # "social networks", with a zero-width non-joiner
NOWRUZ_FA = "کمپین نوروز ۱۴۰۵"  # "Nowruz 1405 campaign": its digits are text, not a number


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --- ascii_digits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۱۲٬۳۴۵٫۶", "12,345.6"),
        ("٢٫٥٪", "2.5%"),
        ("٪١٠", "%10"),
        (f"{RLM}٢٠٢٦-٠٣-٠١{RLM}", "2026-03-01"),
        (f"{LRM}1,234{LRM}", "1,234"),
        (f"{ALM}-٥", "-5"),
        (f"{RLI}۱۰{PDI} {RLE}۲۰{PDF} \u202a3\u202c \u202d4\u202e \u20685\u2069", "10 20 3 4 5"),
        ("1,234.50", "1,234.50"),
        (SOCIAL_FA, SOCIAL_FA),  # letters and the ZWNJ stay
        ("۱،۲۳۴", "1،234"),  # the Arabic comma is punctuation: kept
        ("", ""),
    ],
)
def test_ascii_digits(text: str, expected: str) -> None:
    assert ascii_digits(text) == expected


def test_ascii_text_is_returned_as_is() -> None:
    text = "2026-03-01 1,234.5 abc"
    assert ascii_digits(text) is text


def test_strip_direction_marks_only_at_the_ends() -> None:
    assert strip_direction_marks(f" {RLM} بحث مدفوع {LRM}{RLM} ") == "بحث مدفوع"
    assert strip_direction_marks(f"{RLI}Google{PDI} {RLM}Ads") == f"Google{PDI} {RLM}Ads"
    assert strip_direction_marks(f"{RLM}{LRM}") == ""
    assert strip_direction_marks(f" {SOCIAL_FA} ") == SOCIAL_FA


# --- number cells -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("۱۲۳", ".", 123),
        ("١٢٣", ",", 123),
        ("۳٫۵", ".", 3.5),
        ("۳٫۵", ",", 3.5),  # '٫' is a decimal mark whatever the file uses
        ("٣٫٥", ",", 3.5),
        ("۱٬۲۳۴", ",", 1234),  # '٬' groups thousands whatever the file uses
        ("۱٬۲۳۴٬۵۶۷٫۸۹", ".", 1234567.89),
        ("١،٢٣٤", ".", 1234),  # the Arabic comma as thousands separator
        ("١،٢٣٤٫٥", ",", 1234.5),
        ("۱,۲۳۴.۵", ".", 1234.5),  # native digits with ASCII separators follow the file
        ("۱.۲۳۴,۵", ",", 1234.5),
        ("۲٫۵٪", ".", 0.025),
        ("٪١٠", ".", 0.1),
        ("۱۰ %", ".", 0.1),
        ("-٥", ".", -5),
        ("\u2212٥٫٥", ".", -5.5),
        ("(۱۲٫۵)", ".", -12.5),
        (f"{RLM}۹۸۷{RLM}", ".", 987),
        (f"{RLM}-١٢٫٥{LRM}", ".", -12.5),
        (f"{RLI}۱۰٪{PDI}", ".", 0.1),
        (f"{ALM}١٬٠٠٠{ALM}", ".", 1000),
        ("۱۲۰٬۰۰۰ تومان", ".", 120000),
        ("١٬٢٣٤٫٥ ر.س", ".", 1234.5),
        ("۲۵۰ ریال", ".", 250),
        ("< ۱۰٪", ".", 0.1),
        ("۱\u00a0۲۳۴", ".", 1234),  # no-break space between groups
    ],
)
def test_native_number_cells(text: str, decimal: str, expected: float) -> None:
    value, flag = number(text, decimal)
    assert value == pytest.approx(expected)
    assert flag == (BOUND if text.startswith("<") else OK)


@pytest.mark.parametrize(
    "text",
    [
        "۱۲۳۴٬۵",  # '٬' not grouping by three
        "۱٬۲۳",
        "١،٥",  # an Arabic comma used as decimal mark is ambiguous: refused, not guessed
        "۳/۵",  # the informal Persian '/' decimal mark is not read (it looks like a date)
        "۱۲ الف",
    ],
)
def test_bad_native_number_cells(text: str) -> None:
    assert number(text, ".")[1] == BAD
    assert number(text, ",")[1] == BAD


@pytest.mark.parametrize("text", [f"{RLM}-{RLM}", f"{LRM}", f" {RLM} ", "\u2067\u2069"])
def test_direction_marks_alone_are_empty(text: str) -> None:
    value, flag = number(text, ".")
    assert flag == EMPTY and math.isnan(value)


def test_ascii_cells_read_as_before() -> None:
    assert number("1,234", ".")[0] == 1234
    assert number("1,234", ",")[0] == pytest.approx(1.234)
    assert number("1.234,5", ",")[0] == pytest.approx(1234.5)
    assert number("12,5%", ",")[0] == pytest.approx(0.125)


def test_looks_numeric_with_native_digits() -> None:
    assert looks_numeric("۱۲٬۳۴۵٫۶")
    assert looks_numeric(f"{RLM}٣٫٥{RLM}")
    assert not looks_numeric(NOWRUZ_FA)
    assert not looks_numeric("بحث مدفوع")


def _column(*values: str) -> Column:
    return Column.of(np.array(values, dtype=object))


def test_decimal_mark_sniffing_reads_arabic_decimal_as_point() -> None:
    # '٫' is point evidence: the ambiguous '1.250' then reads as 1.25, even with ';'.
    assert decimal_mark([_column("٣٫٥", "1.250", "١٢٫٧٥")], ";") == "."
    assert decimal_mark([_column("۱٬۲۳۴٬۵۶۷", "۲٬۰۰۰٬۰۰۰")], ";") == "."
    # Native digits with ASCII separators are evidence like ASCII digits.
    assert decimal_mark([_column("۱۲,۵", "۳,۷۵")], ",") == ","
    assert decimal_mark([_column("۱۲.۵", "۳.۷۵")], ";") == "."


def test_column_cells_lose_surrounding_direction_marks_only() -> None:
    col = _column(f"{RLM}بحث مدفوع{RLM}", f" {SOCIAL_FA}{LRM} ", f"{RLM}", "Email", NOWRUZ_FA)
    assert list(col.values()) == ["بحث مدفوع", SOCIAL_FA, "", "Email", NOWRUZ_FA]


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٢٠٢٦-٠٣-٠١", "2026-03-01"),
        ("۲۰۲۶/۰۳/۰۲", "2026-03-02"),
        (f"{RLM}۲۰۲۶-۰۳-۰۳{RLM}", "2026-03-03"),
        (f"{LRM}2026-03-04{LRM}", "2026-03-04"),
        ("۲۰۲۶۰۳۰۵", "2026-03-05"),
        ("٢٠٢٦-٠٣-٠٦T10:00:00", "2026-03-06"),
        ("۵ March ۲۰۲۶", "2026-03-05"),
    ],
)
def test_native_digit_dates(text: str, expected: str) -> None:
    span = parse_date(text)
    assert span is not None and span[0] == span[1] == pd.Timestamp(expected).date()


def test_native_digit_month_and_numeric_dates() -> None:
    span = parse_date("۲۰۲۶-۰۲")
    assert span is not None and (str(span[0]), str(span[1])) == ("2026-02-01", "2026-02-28")
    assert date_order(["٢٥/١٢/٢٠٢٥", "٠٣/٠١/٢٠٢٦"]) == "dmy"
    span = parse_date("٢٥/١٢/٢٠٢٥", "dmy")
    assert span is not None and str(span[0]) == "2025-12-25"


# --- whole exports ------------------------------------------------------------------------

PERSIAN_CSV = (
    "date,channel,campaign,clicks,spend,conversions,ctr\n"
    f"{RLM}۲۰۲۶-۰۳-۰۱{RLM},{SOCIAL_FA},{NOWRUZ_FA},۱٬۲۳۴,۱۲٬۳۴۵٫۶,۷,۲٫۵٪\n"
    f"۲۰۲۶-۰۳-۰۲{LRM},جستجوی پولی,{NOWRUZ_FA},{RLM}۹۸۷{RLM},۹۸۷٫۱,۰,{RLI}۱۰٪{PDI}\n"
    '2026-03-03,ایمیل,,12,"۱,۰۰۰.۵",۳,0.5%\n'
)


def test_persian_export(tmp_path: Path) -> None:
    path = tmp_path / "persian.csv"
    path.write_bytes(b"\xef\xbb\xbf" + PERSIAN_CSV.encode("utf-8"))
    result = read_export(path)
    df = result.frame
    assert list(df["date"]) == [day("2026-03-01"), day("2026-03-02"), day("2026-03-03")]
    assert list(df["channel"]) == [SOCIAL_FA, "جستجوی پولی", "ایمیل"]
    assert df.loc[0, "channel"].count(ZWNJ) == 1
    assert list(df["campaign"]) == [NOWRUZ_FA, NOWRUZ_FA, ""]
    assert list(df["clicks"]) == [1234, 987, 12]
    assert list(df["spend"]) == pytest.approx([12345.6, 987.1, 1000.5])
    assert list(df["conversions"]) == [7, 0, 3]
    assert list(df["ctr"]) == pytest.approx([0.025, 0.1, 0.005])
    assert result.period == (pd.Timestamp("2026-03-01").date(), pd.Timestamp("2026-03-03").date())
    assert not any("decimal mark" in n for n in result.notes)


ARABIC_CSV = (
    "date;channel;campaign;impressions;clicks;spend;revenue\n"
    "٢٠٢٦-٠٣-٠١;بحث مدفوع;حملة رمضان;١٢٬٥٠٠;٣٠٠;١٬٢٣٤٫٥٦;٢٬٥٠٠٫٠٠\n"
    f"{RLM}٢٠٢٦-٠٣-٠١{RLM};التواصل الاجتماعي;حملة رمضان;١،٥٠٠;٤٥;٩٨٧٫١;{RLM}-١٢٫٥\n"
    f"٢٠٢٦-٠٣-٠٢;{RLM}بحث مدفوع{RLM};عروض العيد;٨٠٠;١٢;٣٫٥;٠\n"
)


def test_arabic_indic_semicolon_export(tmp_path: Path) -> None:
    path = tmp_path / "arabic.csv"
    path.write_text(ARABIC_CSV, encoding="utf-8")
    df = read_export(path).frame
    assert list(df["date"]) == [day("2026-03-01"), day("2026-03-01"), day("2026-03-02")]
    assert list(df["channel"]) == ["بحث مدفوع", "التواصل الاجتماعي", "بحث مدفوع"]
    assert list(df["campaign"]) == ["حملة رمضان", "حملة رمضان", "عروض العيد"]
    assert list(df["impressions"]) == [12500, 1500, 800]
    assert list(df["clicks"]) == [300, 45, 12]
    assert list(df["spend"]) == pytest.approx([1234.56, 987.1, 3.5])
    assert list(df["revenue"]) == pytest.approx([2500, -12.5, 0])


def test_arabic_headers_with_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "headers.csv"
    path.write_text(
        "التاريخ,القناة,الحملة,النقرات,التكلفة\n٢٠٢٦-٠٣-٠١,بحث مدفوع,حملة رمضان,١٢,٣٫٥\n",
        encoding="utf-8",
    )
    mapping = {
        "التاريخ": "date",
        "القناة": "channel",
        "الحملة": "campaign",
        "النقرات": "clicks",
        "التكلفة": "spend",
    }
    df = read_export(path, mapping=mapping).frame
    assert df.loc[0, "date"] == day("2026-03-01")
    assert (df.loc[0, "channel"], df.loc[0, "campaign"]) == ("بحث مدفوع", "حملة رمضان")
    assert (df.loc[0, "clicks"], df.loc[0, "spend"]) == (12, 3.5)


def test_utf16_unicode_text_export(tmp_path: Path) -> None:
    """Excel's "Unicode Text" (*.txt): UTF-16 LE with BOM, tab-separated, CRLF lines."""
    rows = [
        "date\tchannel\tcampaign\tclicks\tspend",
        f"{RLM}٢٠٢٦-٠٣-٠١{RLM}\tبحث مدفوع\tحملة رمضان\t١٬٢٣٤\t١٬٢٣٤٫٥٠",
        f"۲۰۲۶-۰۳-۰۲\t{SOCIAL_FA}\t{NOWRUZ_FA}\t۵۶\t۷۸٫۹",
    ]
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(rows) + "\r\n").encode("utf-16-le"))
    df = read_export(path).frame
    assert list(df["date"]) == [day("2026-03-01"), day("2026-03-02")]
    assert list(df["channel"]) == ["بحث مدفوع", SOCIAL_FA]
    assert list(df["campaign"]) == ["حملة رمضان", NOWRUZ_FA]
    assert list(df["clicks"]) == [1234, 56]
    assert list(df["spend"]) == pytest.approx([1234.5, 78.9])


def test_windows_1256_export(tmp_path: Path) -> None:
    """Windows-1256 has no Arabic-Indic digits or '٫'/'٬', but RLM/LRM, ZWNJ and '،'."""
    social = f"شبكه{ZWNJ}هاي اجتماعي"  # Arabic-letter spelling: cp1256 has no Persian yeh
    text = (
        "date,channel,campaign,impressions,spend\r\n"
        f"{RLM}2026-03-01{RLM},بحث مدفوع,حملة رمضان,{RLM}1،250{RLM},99.5\r\n"
        f"2026-03-02,{social},عروض الصيف,12،500،000,{LRM}1200{LRM}\r\n"
    )
    path = tmp_path / "arabic_1256.csv"
    path.write_bytes(text.encode("cp1256"))
    result = read_export(path)
    df = result.frame
    assert any("Windows-1256" in n for n in result.notes)
    assert list(df["date"]) == [day("2026-03-01"), day("2026-03-02")]
    assert list(df["channel"]) == ["بحث مدفوع", social]
    assert list(df["campaign"]) == ["حملة رمضان", "عروض الصيف"]
    assert list(df["impressions"]) == [1250, 12500000]
    assert list(df["spend"]) == [99.5, 1200]


def test_bad_native_number_is_refused_with_its_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,channel,spend\n۲۰۲۶-۰۳-۰۱,ایمیل,۱۲۳۴٬۵\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2, column 'spend'") as info:
        read_export(path)
    assert "۱۲۳۴٬۵" in str(info.value)
