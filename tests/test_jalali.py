"""Solar Hijri (Jalali) dates: the conversion, and the number formats in written workbooks."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from engines import NEEDS_LO
from python_calamine import CalamineWorkbook

from xlmplan.core.digits import ascii_digits
from xlmplan.core.jalali import (
    MONTHS,
    SOLAR_HIJRI_FORMAT,
    SOLAR_HIJRI_MONTH_FORMAT,
    from_jalali,
    is_leap,
    jalali_month_text,
    jalali_text,
    month_days,
    nowruz,
    to_jalali,
)
from xlmplan.libreoffice import runner

# (Gregorian, Solar Hijri): each 1 Farvardin (Nowruz) as announced by Iran's calendar
# authority, and two well-known days.
ANCHORS = [
    (dt.date(2026, 3, 21), (1405, 1, 1)),
    (dt.date(2025, 3, 21), (1404, 1, 1)),
    (dt.date(2024, 3, 20), (1403, 1, 1)),
    (dt.date(2023, 3, 21), (1402, 1, 1)),
    (dt.date(2021, 3, 21), (1400, 1, 1)),
    (dt.date(2020, 3, 20), (1399, 1, 1)),
    (dt.date(2000, 3, 20), (1379, 1, 1)),
    (dt.date(1979, 2, 11), (1357, 11, 22)),  # 22 Bahman 1357
    (dt.date(1921, 3, 21), (1300, 1, 1)),
    (dt.date(2026, 3, 20), (1404, 12, 29)),  # 1404 is a common year: Esfand has 29 days
    (dt.date(2025, 3, 20), (1403, 12, 30)),  # 1403 is a leap year: Esfand 30
]


@pytest.mark.parametrize(("gregorian", "jalali"), ANCHORS)
def test_anchor_days(gregorian: dt.date, jalali: tuple[int, int, int]) -> None:
    assert to_jalali(gregorian) == jalali
    assert from_jalali(*jalali) == gregorian


def test_round_trip_every_day_1900_to_2100() -> None:
    day, last = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
    previous = to_jalali(day - dt.timedelta(days=1))
    while day <= last:
        current = to_jalali(day)
        assert from_jalali(*current) == day, day
        year, month, dom = current
        # consecutive days: next day of the month, or day 1 of the next month/year
        if dom == 1:
            assert previous[2] == month_days(*previous[:2]), day
            assert (previous[0], previous[1] % 12 + 1) == (year - (month == 1), month), day
        else:
            assert previous == (year, month, dom - 1), day
        previous = current
        day += dt.timedelta(days=1)


def test_years_and_months() -> None:
    assert [y for y in range(1395, 1412) if is_leap(y)] == [1395, 1399, 1403, 1408]
    assert [month_days(1404, m) for m in range(1, 13)] == [31] * 6 + [30] * 5 + [29]
    assert month_days(1403, 12) == 30
    for year in range(1280, 1480):
        length = (nowruz(year + 1) - nowruz(year)).days
        assert length == (366 if is_leap(year) else 365), year
        assert dt.date(year + 621, 3, 19) <= nowruz(year) <= dt.date(year + 621, 3, 22), year
    assert len(MONTHS) == 12 and MONTHS[0] == "Farvardin"


@pytest.mark.parametrize(("year", "month", "day"), [(1404, 12, 30), (1405, 13, 1), (1405, 7, 31)])
def test_impossible_days_are_refused(year: int, month: int, day: int) -> None:
    with pytest.raises(ValueError):
        from_jalali(year, month, day)


def test_texts() -> None:
    assert jalali_text(dt.date(2026, 3, 21)) == "1405/01/01"
    assert jalali_text(dt.datetime(2026, 3, 20, 23, 59)) == "1404/12/29"
    assert jalali_text(dt.date(2026, 1, 1)) == "1404/10/11"
    assert jalali_month_text(dt.date(2026, 4, 20)) == "1405/01"
    assert jalali_month_text(dt.date(2026, 4, 21)) == "1405/02"


# --- the number formats in a workbook -------------------------------------------------------

DAYS = [
    dt.date(2026, 3, 20),
    dt.date(2026, 3, 21),
    dt.date(2026, 1, 1),
    dt.date(2025, 12, 31),
    dt.date(2024, 3, 20),
    dt.date(2025, 3, 20),
    dt.date(2028, 3, 19),
    dt.date(2028, 3, 20),
    dt.date(2020, 3, 20),
    dt.date(2026, 9, 22),
    dt.date(2026, 9, 23),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def write_days(path: Path) -> Path:
    """Column A: SOLAR_HIJRI_FORMAT, B: SOLAR_HIJRI_MONTH_FORMAT, C: the serial as a number."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Days")
    full = book.add_format({"num_format": SOLAR_HIJRI_FORMAT})
    month = book.add_format({"num_format": SOLAR_HIJRI_MONTH_FORMAT})
    for row, day in enumerate(DAYS):
        sheet.write_datetime(row, 0, dt.datetime.combine(day, dt.time()), full)
        sheet.write_datetime(row, 1, dt.datetime.combine(day, dt.time()), month)
        sheet.write_number(row, 2, serial(day))
    book.close()
    return path


def test_formats_are_written_verbatim_and_read_back_as_the_same_dates(tmp_path: Path) -> None:
    path = write_days(tmp_path / "days.xlsx")
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
    assert f'formatCode="{SOLAR_HIJRI_FORMAT}"' in styles
    assert f'formatCode="{SOLAR_HIJRI_MONTH_FORMAT}"' in styles
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Days").to_python()
    # The format only changes the display: readers still see the Gregorian date serials.
    assert [r[0] for r in rows] == DAYS
    assert [r[1] for r in rows] == DAYS


@pytest.fixture(scope="module")
def shown_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """The cells of `write_days` as LibreOffice displays them (CSV export "as shown")."""
    folder = tmp_path_factory.mktemp("jalali")
    xlsx = write_days(folder / "days.xlsx")
    # 44 = ',', 34 = '"', 76 = UTF-8, 1 = from line 1, token 9 true = text as shown
    out = runner.convert(
        xlsx, folder, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
    )
    with out.open(encoding="utf-8", newline="") as handle:
        return [[ascii_digits(cell) for cell in row] for row in csv.reader(handle)]


@NEEDS_LO
def test_libreoffice_shows_dates_not_serials(shown_by_libreoffice: list[list[str]]) -> None:
    """LibreOffice shows each date as a date: in Solar Hijri or, as 7.4 does (it has no
    Solar Hijri calendar), as the same day in Gregorian — never as the bare serial."""
    assert len(shown_by_libreoffice) == len(DAYS)
    for day, (full, month, number) in zip(DAYS, shown_by_libreoffice, strict=True):
        assert number == str(serial(day))
        assert full in (jalali_text(day), day.strftime("%Y/%m/%d")), day
        assert month in (jalali_month_text(day), day.strftime("%Y/%m")), day


@NEEDS_LO
@pytest.mark.xfail(
    reason="LibreOffice (7.4) has no Solar Hijri calendar: it shows the Gregorian date",
    strict=True,
)
def test_libreoffice_shows_solar_hijri(shown_by_libreoffice: list[list[str]]) -> None:
    assert [row[0] for row in shown_by_libreoffice] == [jalali_text(d) for d in DAYS]
    assert [row[1] for row in shown_by_libreoffice] == [jalali_month_text(d) for d in DAYS]
