"""read_export: platform exports as downloaded, synthetic samples and the real-file corpus."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from refusals import one_line_refusal

from xlmplan.core.data import DATA_COLUMNS, MEASURES
from xlmplan.errors import DataError
from xlmplan.io.data_reader import read_data
from xlmplan.io.export_text import number, parse_date, parse_range, range_in_name
from xlmplan.io.exports import Imported, read_export

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
REAL_EXPORTS = FIXTURES / "real"  # public samples, kept whole: see real/SOURCES.md

_spec = importlib.util.spec_from_file_location("export_fixtures", FIXTURES / "generate.py")
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def load(name: str, **kwargs: object) -> Imported:
    result = read_export(FIXTURES / name, **kwargs)  # type: ignore[arg-type]
    check_canonical(result.frame)
    return result


def refusal(path: Path, **kwargs: object) -> str:
    return one_line_refusal(read_export, path, **kwargs)


def check_canonical(df: pd.DataFrame) -> None:
    assert tuple(df.columns[: len(DATA_COLUMNS)]) == DATA_COLUMNS
    assert df["date"].dtype == "datetime64[ns]"
    assert df["channel"].dtype == object and df["campaign"].dtype == object
    assert all(df[m].dtype == np.float64 for m in MEASURES)
    assert df.columns.str.lower().is_unique
    assert list(df.index) == list(range(len(df)))


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def note(result: Imported, fragment: str) -> str:
    found = [n for n in result.notes if fragment in n]
    assert found, f"no note with {fragment!r} in {result.notes}"
    return found[0]


# --- the samples stay what generate.py writes ----------------------------------------------


@pytest.mark.parametrize("name", sorted(generate.FIXTURES))
def test_fixture_files_match_generator(name: str) -> None:
    assert (FIXTURES / name).read_bytes() == generate.fixture_bytes(name)


# --- GA4 -----------------------------------------------------------------------------------


def test_ga4_channel_report() -> None:
    result = load("ga4_traffic_acquisition.csv")
    df = result.frame
    assert result.source == "ga4"
    assert result.period == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert result.skipped_rows == 0
    assert list(df["channel"]) == ["Organic Search", "Paid Search", "Direct", "Email"]
    assert (df["date"] == day("2026-01-31")).all()
    assert list(df["sessions"]) == [1200, 800, 400, 50]
    assert list(df["conversions"]) == [30, 25, 10, 2]  # Key events
    assert list(df["revenue"]) == [4500.5, 3800.25, 1200, 150.75]
    assert df["new_customers"].isna().all()  # New users are visitors, not customers
    assert list(df["New users"]) == [900, 600, 200, 5]
    assert df["Views"].dtype == np.float64 and df["Event count"].sum() == 29600
    assert (df["campaign"] == "").all()
    note(result, "dated at the last day of its range (2026-01-01 to 2026-01-31)")


def test_ga4_exploration_skips_grand_total_and_dates_multi_month_range() -> None:
    result = load("ga4_exploration_grand_total.csv")
    df = result.frame
    assert result.source == "ga4"
    assert result.skipped_rows == 1
    assert list(df["channel"]) == ["Organic Search", "Paid Social", "Referral"]
    assert list(df["sessions"]) == [1200, 800, 400]
    assert list(df["conversions"]) == [30, 25, 6]  # Key events, not Transactions
    assert list(df["Transactions"]) == [20, 15, 5]
    assert (df["date"] == day("2026-01-31")).all()
    assert result.period == (dt.date(2025, 11, 1), dt.date(2026, 1, 31))
    assert "January 2026" in note(result, "several months")
    assert "--spread" in note(result, "several months")


def test_ga4_spread_shares_measures_by_days_per_month() -> None:
    result = load("ga4_exploration_grand_total.csv", spread=True)
    df = result.frame
    assert len(df) == 9
    organic = df[df["channel"] == "Organic Search"]
    assert list(organic["date"]) == [day("2025-11-30"), day("2025-12-31"), day("2026-01-31")]
    assert organic["sessions"].tolist() == pytest.approx([1200 * 30 / 92, *[1200 * 31 / 92] * 2])
    assert df["sessions"].sum() == pytest.approx(2400)
    assert list(organic["Event count"]) == [15000] * 3  # extra columns are copied
    note(result, "split 3 row(s) covering 2025-11-01 to 2026-01-31 across 3 months")


def test_ga4_without_channel_is_refused_unless_a_channel_is_given() -> None:
    message = refusal(FIXTURES / "ga4_landing_pages.csv")
    assert "rows are by 'Landing page', not by channel" in message
    assert "Traffic acquisition" in message and "--channel" in message
    result = load("ga4_landing_pages.csv", channel="Website", mapping={"Landing page": "campaign"})
    assert list(result.frame["channel"]) == ["Website", "Website"]
    assert list(result.frame["campaign"]) == ["/shop", "/"]
    assert list(result.frame["sessions"]) == [845, 544]


def test_ga4_daily_rows_by_channel(tmp_path: Path) -> None:
    path = tmp_path / "daily.csv"
    path.write_text(
        "# ----------------------------------------\n# Start date: 20260101\n"
        "# End date: 20260102\nDate,Session default channel group,Sessions,Key events\n"
        "20260102,Email,5,1\n20260101,Organic Search,7,0\n"
    )
    result = read_export(path)
    assert result.source == "ga4"
    assert list(result.frame["date"]) == [day("2026-01-01"), day("2026-01-02")]
    assert list(result.frame["channel"]) == ["Organic Search", "Email"]
    assert not [n for n in result.notes if "no day" in n]


def test_ga4_reports_snapshot_is_refused() -> None:
    message = refusal(FIXTURES / "ga4_reports_snapshot.csv")
    assert "several report tables" in message and "Reports snapshot" in message


# --- Universal Analytics ---------------------------------------------------------------


def test_universal_analytics_dutch_decimal_commas() -> None:
    result = load("ua_channels_nl.csv")
    df = result.frame
    assert result.source == "universal-analytics"
    assert result.period == (dt.date(2014, 9, 1), dt.date(2014, 9, 30))
    assert list(df["channel"]) == ["Organic Search", "Direct", "(Other)"]
    assert list(df["sessions"]) == [2546, 449, 7]  # '2.546' is thousands
    assert list(df["conversions"]) == [12, 3, 0]
    assert list(df["revenue"]) == [1234.56, 99.90, 0]  # 'US$ 1.234,56'
    assert list(df["% nieuwe sessies"]) == pytest.approx([0.9988, 0.7305, 1.0])
    assert list(df["Pagina's/sessie"]) == [1.15, 2.16, 1.0]
    assert list(df["Gem. sessieduur"]) == ["00:00:31", "00:01:19", "00:00:00"]
    assert result.skipped_rows == 5  # totals row, blank row, 3-line chart table
    note(result, "decimal mark")
    note(result, "chart data table")


# --- Google Ads ------------------------------------------------------------------------


def test_google_ads_utf16_tab_campaign_report() -> None:
    result = load("google_ads_campaigns_utf16.csv")
    df = result.frame
    assert result.source == "google-ads"
    assert result.skipped_rows == 2  # Total: Campaigns, Total: Account
    assert list(df["campaign"]) == ["Brand | Search", "PMax Shop"]
    assert (df["channel"] == "Paid Search").all()
    assert list(df["impressions"]) == [31193, 9392]
    assert list(df["clicks"]) == [603, 264]
    assert list(df["spend"]) == [798.88, 365.22]
    assert list(df["conversions"]) == [49, 25]
    assert list(df["revenue"]) == [1286.58, 841.23]
    assert list(df["CTR"]) == pytest.approx([0.0193, 0.0281])
    assert df.loc[0, "Search impr. share"] == pytest.approx(0.1)  # '< 10%'
    assert np.isnan(df.loc[1, "Search impr. share"])  # ' --'
    assert df["Budget name"].isna().all()
    assert (df["date"] == day("2026-01-31")).all()
    note(result, "'< 10%' in 'Search impr. share' read as their bound")
    note(result, "amounts are in GBP")
    note(result, "'Paid Search', the Google Ads default")


def test_google_ads_totals_in_a_later_column_and_conv() -> None:
    result = load("google_ads_ad_groups.csv")
    df = result.frame
    assert result.skipped_rows == 2
    assert list(df["campaign"]) == ["Brand | Search", "Brand | Search", "Generic"]
    assert list(df["Ad group"]) == ["Shoes", "Boots", "Sale"]
    assert list(df["impressions"]) == [1250, 900, 0]
    assert list(df["conversions"]) == [4, 2, 0]  # 'Conv.'
    assert list(df["Conv. rate"][:2]) == pytest.approx([0.05, 0.0444])
    assert result.period == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (df["date"] == day("2026-03-31")).all()


def test_google_ads_currency_prefixed_cells_and_weekday_dates() -> None:
    result = load("google_ads_time_series.csv")
    df = result.frame
    assert result.source == "google-ads"
    assert list(df["date"]) == [day("2026-02-05"), day("2026-02-06"), day("2026-02-07")]
    assert list(df["spend"]) == [0, 50, 27.35]
    assert list(df["Avg. CPC"]) == [0, 1.92, 1.05]


def test_google_ads_all_time_is_refused_unless_mapped_to_a_date(tmp_path: Path) -> None:
    message = refusal(FIXTURES / "google_ads_all_time_utf16.csv")
    assert "covers 'All time'" in message and "date range" in message
    text = (FIXTURES / "google_ads_all_time_utf16.csv").read_bytes().decode("utf-16")
    dated = text.replace("Location\tCampaign", "Day\tCampaign").replace(
        '"Fulton County, Georgia, United States"', "2026-01-05"
    )
    path = tmp_path / "dated.csv"
    path.write_bytes(b"\xff\xfe" + dated.encode("utf-16-le"))
    result = read_export(path)
    assert list(result.frame["date"]) == [day("2026-01-05")]
    assert list(result.frame["conversions"]) == [83]


def test_channel_option_replaces_the_platform_default() -> None:
    result = load("google_ads_ad_groups.csv", channel="Google Ads")
    assert (result.frame["channel"] == "Google Ads").all()
    note(result, "every row gets channel 'Google Ads'")


# --- Meta ------------------------------------------------------------------------------


def test_meta_skips_account_summary_row_and_reads_currency() -> None:
    result = load("meta_campaigns.csv")
    df = result.frame
    assert result.source == "meta-ads"
    assert result.skipped_rows == 1
    assert list(df["campaign"]) == ["Spring Sale", "Retargeting – کمپین"]
    assert (df["channel"] == "Paid Social").all()
    assert list(df["clicks"]) == [500, 200]  # Link clicks, not Clicks (all)
    assert list(df["spend"]) == [2000.5, 1456.28]
    assert list(df["conversions"]) == [12, 8]  # Purchases
    assert list(df["revenue"]) == [5000.25, 3000.25]
    assert list(df["Currency"]) == ["INR", "INR"]
    assert list(df["Reach"]) == [3000, 2000]
    assert df.loc[0, "Body (ad settings)"] == "Big sale\nnow on 👉"
    assert (df["date"] == day("2026-02-28")).all()
    note(result, "spend is in INR")


def test_meta_spread_over_two_months() -> None:
    df = load("meta_campaigns.csv", spread=True).frame
    spring = df[df["campaign"] == "Spring Sale"]
    assert list(spring["date"]) == [day("2026-01-31"), day("2026-02-28")]
    assert spring["spend"].tolist() == pytest.approx([2000.5 * 31 / 59, 2000.5 * 28 / 59])
    assert df["spend"].sum() == pytest.approx(2000.5 + 1456.28)


def test_meta_mapping_overrides_detection() -> None:
    result = load("meta_campaigns.csv", mapping={"Clicks (all)": "clicks"})
    assert list(result.frame["clicks"]) == [600, 300]
    assert list(result.frame["Link clicks"]) == [500, 200]


def test_meta_no_data_available_is_refused() -> None:
    message = refusal(FIXTURES / "meta_no_data.csv")
    assert "the export has no rows" in message
    assert "widen the date range in Ads Manager and export again" in message


def test_meta_results_are_conversions_only_for_conversion_actions(tmp_path: Path) -> None:
    header = (
        '"Reporting starts","Reporting ends","Campaign name",Impressions,Results,"Result indicator"'
    )
    clicks = tmp_path / "clicks.csv"
    clicks.write_text(f"{header}\n2026-01-01,2026-01-31,A,900,12,actions:link_click\n")
    result = read_export(clicks)
    assert result.frame["conversions"].isna().all()
    note(result, "'Results' not used as conversions")
    leads = tmp_path / "leads.csv"
    leads.write_text(f"{header}\n2026-01-01,2026-01-31,A,900,12,actions:lead\n")
    assert list(read_export(leads).frame["conversions"]) == [12]


# --- LinkedIn and Microsoft ------------------------------------------------------------


def test_linkedin_campaign_performance_utf16() -> None:
    result = load("linkedin_campaigns_utf16.csv")
    df = result.frame
    assert result.source == "linkedin-ads"
    assert result.period == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert list(df["campaign"]) == ["LI_Tech_Jan", "LI_Produto_Jan"]
    assert list(df["spend"]) == [170.21, 169.91]
    assert list(df["impressions"]) == [6082, 7212]
    assert list(df["conversions"]) == [2, 0]
    assert list(df["Campaign ID"]) == ["483408283", "483466223"]  # identifiers stay text
    assert list(df["Click Through Rate"]) == pytest.approx([0.00214, 0.00361])
    assert (df["date"] == day("2026-01-31")).all()  # each row covers the report range
    assert (df["channel"] == "Paid Social").all()


def test_linkedin_daily_rows_read_month_first(tmp_path: Path) -> None:
    text = (FIXTURES / "linkedin_campaigns_utf16.csv").read_bytes().decode("utf-16")
    daily = text.replace("1/1/2026\tOrla\tBRL\t483466223", "1/13/2026\tOrla\tBRL\t483466223")
    path = tmp_path / "daily.csv"
    path.write_bytes(b"\xff\xfe" + daily.encode("utf-16-le"))
    df = read_export(path).frame
    assert list(df["date"]) == [day("2026-01-01"), day("2026-01-13")]


def test_linkedin_demographics_and_empty_reports_are_refused() -> None:
    message = refusal(FIXTURES / "linkedin_demographics_utf16.csv")
    assert "demographics report" in message and "Campaign Performance report" in message
    message = refusal(FIXTURES / "linkedin_conversions_empty_utf16.csv")
    assert "no table" in message and "widen the date range" in message


def test_microsoft_ads_quoted_preamble_and_footer() -> None:
    result = load("microsoft_ads_campaigns.csv")
    df = result.frame
    assert result.source == "microsoft-ads"
    assert list(df["date"]) == [day("2026-01-01"), day("2026-01-01"), day("2026-01-13")]
    assert list(df["campaign"]) == ["Brand", "Generic", "Brand"]
    assert list(df["spend"]) == [96.49, 50.10, 96.75]
    assert list(df["revenue"]) == [400, 80, 520.5]
    assert (df["channel"] == "Paid Search").all()
    assert result.skipped_rows == 2  # blank line and the copyright footer
    assert result.period == (dt.date(2026, 1, 1), dt.date(2026, 1, 13))


# --- encodings, separators, digits and literal text ------------------------------------


def test_semicolon_decimal_comma_cp1256_arabic() -> None:
    result = load("arabic_semicolon_cp1256.csv")
    df = result.frame
    assert result.source == "generic"
    assert list(df["channel"]) == ["بحث مدفوع", "بحث مدفوع", "التواصل الاجتماعي"]
    assert list(df["campaign"]) == ["حملة الربيع", "حملة الربيع", "عروض رمضان"]
    assert list(df["impressions"]) == [1234, 987, 12500]
    assert list(df["spend"]) == [1234.56, 987.10, -12.5]
    assert list(df["revenue"]) == [2500, 1999.99, 0]
    assert list(df["ctr"]) == pytest.approx([0.045, 0.0405, 0.024])
    note(result, "Windows-1256")


def test_persian_and_arabic_indic_digits() -> None:
    df = load("persian_digits.csv").frame
    assert list(df["date"]) == [day("2026-01-05"), day("2026-01-06")]
    assert list(df["channel"]) == ["جستجوی پولی", "شبکه اجتماعی"]
    assert list(df["clicks"]) == [123, 45]
    assert list(df["spend"]) == [3.5, 10]
    assert list(df["conversions"]) == [1234, 0]


def test_formula_like_text_stays_literal() -> None:
    df = load("formula_text.csv").frame
    assert list(df["campaign"]) == [
        '=HYPERLINK("https://example.test","Spring")',
        "+Promo",
        "-Sale-",
        "@Brand",
    ]
    assert df.loc[3, "channel"] == "@Partners"
    assert list(df["spend"]) == [10.5, -12, 0, 7]
    assert list(df["note"][[0, 1, 3]]) == ["=1+2", "@mention", "+33 6 12 34 56 78"]
    assert pd.isna(df.loc[2, "note"])  # '-' is an empty cell


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b""), ("utf-16-be", b"\xfe\xff")],
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "date\tchannel\tcampaign\tspend\n2026-01-02\tPaid Search\tCafé ☕ حملة\t1,5\n"
    path = tmp_path / "e.csv"
    path.write_bytes(bom + text.encode(encoding))
    df = read_export(path).frame
    assert df.loc[0, "campaign"] == "Café ☕ حملة" and df.loc[0, "spend"] == 1.5


def test_cp1252_text(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes("date,channel,campaign,spend\n2026-01-02,Email,Été café,3\n".encode("cp1252"))
    result = read_export(path)
    assert result.frame.loc[0, "campaign"] == "Été café"
    note(result, "Windows-1252")


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.83%", ".", 0.0183),
        ("< 10%", ".", 0.1),
        ("31,193", ".", 31193),
        ("US$3.38", ".", 3.38),
        ("US$\u00a00,00", ",", 0.0),
        ("1.234,56 €", ",", 1234.56),
        ("12,5%", ",", 0.125),
        ("-12", ".", -12),
        ("(12.50)", ".", -12.5),
        ("INR 1,234.50", ".", 1234.5),
        ("۱۲٬۳۴۵٫۶", ".", 12345.6),
        ("1 234,5", ",", 1234.5),
        ("7.48E-6", ".", 7.48e-6),
    ],
)
def test_number_cells(text: str, decimal: str, expected: float) -> None:
    assert number(text, decimal)[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", [" --", "-", "", "n/a"])
def test_empty_number_cells(text: str) -> None:
    assert np.isnan(number(text, ".")[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"March 27, 2026 - April 23, 2026"', (dt.date(2026, 3, 27), dt.date(2026, 4, 23))),
        ("27 January 2026 - 23 February 2026", (dt.date(2026, 1, 27), dt.date(2026, 2, 23))),
        ("1 November 2025 - 30 April 2026", (dt.date(2025, 11, 1), dt.date(2026, 4, 30))),
        ("20241122-20260120", (dt.date(2024, 11, 22), dt.date(2026, 1, 20))),
        ("All time", None),
    ],
)
def test_ranges(text: str, expected: tuple[dt.date, dt.date] | None) -> None:
    assert parse_range(text) == expected


def test_dates_and_file_name_ranges() -> None:
    assert parse_date("Thu, 5 Feb 2026") == (dt.date(2026, 2, 5), dt.date(2026, 2, 5))
    assert parse_date("12/6/2025", "mdy") == (dt.date(2025, 12, 6), dt.date(2025, 12, 6))
    assert parse_date("January 2026") == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert parse_date("12/6/2025") is None  # day/month order unknown
    assert range_in_name("Devices(2026.02.05-2026.02.10)") == (
        dt.date(2026, 2, 5),
        dt.date(2026, 2, 10),
    )
    assert range_in_name("Untitled-report-Feb-1-2025-to-Aug-4-2025_Age") == (
        dt.date(2025, 2, 1),
        dt.date(2025, 8, 4),
    )
    assert range_in_name("Daniel-Conlan-Campaigns-1-Sep-202430-Sep-2024") == (
        dt.date(2024, 9, 1),
        dt.date(2024, 9, 30),
    )


# --- generic files ----------------------------------------------------------------------


def test_generic_csv_matches_read_data(tmp_path: Path) -> None:
    text = (
        "date,channel,campaign,impressions,clicks,sessions,conversions,revenue,spend,"
        "new_customers\n2026-01-02,Email,News,1000,50,45,3,210.5,0,1\n"
        '2026-01-01,Paid Search,Brand,2000,80,70,4,"1,300",55.25,2\n'
    )
    path = tmp_path / "plain.csv"
    path.write_text(text)
    result = read_export(path)
    assert result.source == "generic" and result.skipped_rows == 0
    pd.testing.assert_frame_equal(result.frame, read_data(path))


def test_generic_mapping_blank_lines_and_repeated_header(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "Day;Source;Cost\n13/01/2026;Email;1,5\nDay;Source;Cost\n\n14/01/2026;Email;2\nTotal;;3,5\n"
    )
    result = read_export(path, mapping={"Day": "date", "Source": "channel", "Cost": "spend"})
    df = result.frame
    assert list(df["date"]) == [day("2026-01-13"), day("2026-01-14")]
    assert list(df["spend"]) == [1.5, 2]
    assert result.skipped_rows == 3
    assert "1 total row, 1 repeated header row, 1 blank row" in note(result, "skipped")


def test_generic_xlsx_data_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    ws.append(["date", "channel", "campaign", "spend", "Campaign ID"])
    ws.append([dt.date(2026, 1, 3), "Email", "=literal", 12.5, 4711])
    wb.save(tmp_path / "d.xlsx")
    df = read_export(tmp_path / "d.xlsx").frame
    assert df.loc[0, "date"] == day("2026-01-03")
    assert df.loc[0, "spend"] == 12.5
    assert df.loc[0, "Campaign ID"] == "4711"


def test_google_ads_xlsx_with_title_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Campaign report"])
    ws.append(["March 1, 2026 - March 31, 2026"])
    ws.append(["Campaign", "Impr.", "Cost", "Conversions", "Currency code"])
    ws.append(["Brand", 1200, 99.5, 3, "EUR"])
    ws.append(["Total: Account", 1200, 99.5, 3, "EUR"])
    wb.save(tmp_path / "ads.xlsx")
    result = read_export(tmp_path / "ads.xlsx")
    assert result.source == "google-ads" and result.skipped_rows == 1
    assert list(result.frame["spend"]) == [99.5]
    assert list(result.frame["date"]) == [day("2026-03-31")]


def test_large_generic_file_is_vectorised(tmp_path: Path) -> None:
    n = 200_000
    rng = np.random.default_rng(7)
    days = pd.date_range("2025-01-01", periods=365).strftime("%Y-%m-%d").to_numpy()
    frame = pd.DataFrame(
        {
            "date": days[rng.integers(0, 365, n)],
            "channel": np.array(["Email", "Paid Search", "بحث"])[rng.integers(0, 3, n)],
            "clicks": rng.integers(0, 100, n),
            "spend": np.round(rng.random(n) * 100, 2),
        }
    )
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    df = read_export(path).frame
    assert len(df) == n
    assert df["spend"].sum() == pytest.approx(frame["spend"].sum())


# --- user mistakes are one-line refusals ----------------------------------------------------


def test_bad_number_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,channel,spend\n2026-01-01,Email,12\n2026-01-02,Email,twelve\n")
    message = refusal(path)
    assert "row 3, column 'spend'" in message and "'twelve' is not a number" in message


def test_ambiguous_numeric_dates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "amb.csv"
    path.write_text("date,channel,spend\n03/04/2026,Email,1\n05/06/2026,Email,2\n")
    assert "day/month or month/day" in refusal(path)


def test_option_mistakes(tmp_path: Path) -> None:
    path = FIXTURES / "formula_text.csv"
    assert "unknown source 'facebook'" in refusal(path, source="facebook")
    assert "not a Data column" in refusal(path, mapping={"spend": "cost"})
    assert "names column 'Nope'" in refusal(path, mapping={"Nope": "spend"})
    with pytest.raises(DataError, match="file not found"):
        read_export(tmp_path / "x.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in refusal(empty)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0rest")
    assert ".xls" in refusal(xls)


# --- the real downloads -------------------------------------------------------------------

IMPORTS = "imports"
# file name (without the 'github__' prefix) -> (IMPORTS, source, rows) or (message fragment,)
REAL: dict[str, tuple[str, ...] | tuple[str, str, int]] = {
    "1123alberto_Clinic_Marketing_Agency__Campaign report.csv": (IMPORTS, "google-ads", 3),
    "8URT_Facebook-Ad-Manager-Reporter__Le-Mauricien-LTD-Ad-sets-Jun-10-2025-Jul-9-2025.csv": (
        IMPORTS,
        "meta-ads",
        144,
    ),
    "Anas3rdshade_Teefusion__Landing_page_Landing_page.csv": (
        "its rows are by 'Landing page', not by channel",
    ),
    "Anas3rdshade_Teefusion__Untitled-report-Feb-1-2025-to-Aug-4-2025_Age.csv": (
        IMPORTS,
        "meta-ads",
        91,
    ),
    "Anas3rdshade_Teefusion__Untitled-report-Feb-1-2025-to-Aug-4-2025_Device.csv": (
        IMPORTS,
        "meta-ads",
        43,
    ),
    "Anas3rdshade_Teefusion__Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv": (
        IMPORTS,
        "meta-ads",
        15,
    ),
    "Anas3rdshade_Teefusion__User_acquisition_First_user_primary_channel_group_"
    "(Default_Channel_Group).csv": (IMPORTS, "ga4", 8),
    "ComboStrikeHQ_soapy_bing__campaign_performance_report.csv": (IMPORTS, "microsoft-ads", 24),
    "DanielTheC_internal-lnking-tool__Analytics All Web Site Data Pages 20220701-20220731.xlsx": (
        "none of its columns is a measure xlmplan uses",
    ),
    "DanielTheC_internal-lnking-tool__Campaign report (1).csv": (IMPORTS, "google-ads", 2),
    "DanielTheC_internal-lnking-tool__Campaign report.csv": (IMPORTS, "google-ads", 1),
    "DanielTheC_internal-lnking-tool__Daniel-Conlan-Campaigns-1-Sep-202430-Sep-2024.csv": (
        "the export has no rows ('No data available.') — widen the date range in Ads Manager",
    ),
    "DanielTheC_internal-lnking-tool__Events_Event_name.csv": (
        "its rows are by 'Event name', not by channel",
    ),
    "DanielTheC_internal-lnking-tool__Pages_and_screens_Page_path_and_screen_class.csv": (
        "its rows are by 'Page path and screen class', not by channel",
    ),
    "DanielTheC_internal-lnking-tool__data-export.csv": (
        "none of its columns is a measure xlmplan uses (found 'Nth day', 'Users')",
    ),
    "DanielTheC_internal-lnking-tool__download (2).csv": (
        "its rows are by 'Page path + query string', not by channel",
    ),
    "DanielTheC_internal-lnking-tool__download (3).csv": (
        "none of its columns is a measure xlmplan uses",
    ),
    "MANISH-D-17_GOOGLE-ADS-ANALYZER__Campaign report_twin birds.csv": (IMPORTS, "google-ads", 127),
    "MANISH-D-17_GOOGLE-ADS-ANALYZER__E-commerce_purchases_(TwinBirds GA4).csv": (
        "its rows are by 'Item name', not by channel",
    ),
    "MANISH-D-17_GOOGLE-ADS-ANALYZER__Events_Event_name(TwinBirds GA4).csv": (
        "its rows are by 'Event name', not by channel",
    ),
    "MANISH-D-17_GOOGLE-ADS-ANALYZER__Lead_acquisition_First_user_primary_TwinBirds GA4.csv": (
        "none of its columns is a measure xlmplan uses",
    ),
    "MANISH-D-17_GOOGLE-ADS-ANALYZER__Traffic_acquisition_Session_TwinBirds.csv": (
        IMPORTS,
        "ga4",
        15,
    ),
    "MANISH-D-17_GOOGLE-ADS-ANALYZER__User_acquisition_cohorts_Ga4 Twinbirds.csv": (
        IMPORTS,
        "ga4",
        15,
    ),
    "Mohrizk90_AI-Reporting-System__ISN-Medical-Ad_euro-Campaigns-Mar-11-2026-Apr-9-2026.csv": (
        IMPORTS,
        "meta-ads",
        2,
    ),
    "Mohrizk90_AI-Reporting-System__YOA Campaigns-1-Sep-2025-31-Mar-2026.xlsx": (
        IMPORTS,
        "meta-ads",
        13,
    ),
    "PawelMindlink_Ad-Creator__Untitled-report-Jan-1-2026-to-Jan-31-2026.csv": (
        IMPORTS,
        "meta-ads",
        104,
    ),
    "PawelMindlink_Ad-Creator__download (1).csv": (
        "its rows are by 'Landing page', not by channel",
    ),
    "VishalMotling_campaign-performance-analyzer__Campaign report.csv": (IMPORTS, "google-ads", 2),
    "dgapitts_google-analytics-analyzer__test_load_version.csv": (
        "its rows are by 'Browser', not by channel; it has no date column and no date range",
    ),
    "dgapitts_google-analytics-analyzer__test_load_version_and_os.csv": (
        "its rows are by 'Browser', not by channel; it has no date column and no date range",
    ),
    "intragoinc_cp-mktg-google-ads-i__Ad report- 22nd Jan.csv": (IMPORTS, "google-ads", 15),
    "intragoinc_cp-mktg-google-ads-i__Campaign report.csv": ("the report covers 'All time'",),
    "joefaria_dashboard-orla__account_517883322_conversion_performance_report.csv": (
        "no table — the file holds only the report title and dates",
    ),
    "joefaria_dashboard-orla__account_517883322_creative_performance_report.csv": (
        IMPORTS,
        "linkedin-ads",
        10,
    ),
    "joefaria_dashboard-orla__account_517883322_demographics_report.csv": (
        "a LinkedIn demographics report lists audience segments",
    ),
    "joefaria_dashboard-orla__campaign_group_808102433_campaign_performance_report.csv": (
        IMPORTS,
        "linkedin-ads",
        2,
    ),
    "londonclean01-site_site__Devices(2026.02.05-2026.02.10).csv": (IMPORTS, "google-ads", 4),
    "londonclean01-site_site__Search_keywords(2026.02.05-2026.02.10).csv": (
        IMPORTS,
        "google-ads",
        44,
    ),
    "londonclean01-site_site__Time_series(2026.02.05-2026.02.10).csv": (IMPORTS, "google-ads", 6),
    "podmeister81_Analytics-data__data-export.csv": (
        "its rows are by 'Event name', not by channel",
    ),
    "riav13_-Data-Visualization-Traffic-Acquistion-Through-Jupyter-Notebook-__data-export.csv": (
        IMPORTS,
        "ga4",
        6,
    ),
    "ryanpate_lazytimer__Reports_snapshot.csv": ("holds several report tables",),
    "vida-sys_vida-gcd-agent__Ad group report.csv": ("the report covers 'All time'",),
    "vida-sys_vida-gcd-agent__Location report.csv": ("the report covers 'All time'",),
    "vida-sys_vida-gcd-agent__Search keyword report.csv": ("the report covers 'All time'",),
}


def test_every_real_export_imports_or_is_refused_precisely() -> None:
    files = {
        p.name.removeprefix("github__"): p for p in REAL_EXPORTS.iterdir() if p.name != "SOURCES.md"
    }
    assert set(files) == set(REAL), "update REAL for new or removed sample files"
    for short, expected in REAL.items():
        path = files[short]
        if expected[0] == IMPORTS:
            result = read_export(path)
            check_canonical(result.frame)
            assert (result.source, len(result.frame)) == expected[1:], short
            assert result.frame[list(MEASURES)].notna().any().any(), short
            assert (result.frame["channel"] != "").all(), short
        else:
            assert expected[0] in refusal(path), short


def test_real_exports_with_options() -> None:
    landing = REAL_EXPORTS / "github__Anas3rdshade_Teefusion__Landing_page_Landing_page.csv"
    result = read_export(landing, channel="Website", mapping={"Landing page": "campaign"})
    assert result.frame["sessions"].sum() > 0 and (result.frame["channel"] == "Website").all()
    twin = REAL_EXPORTS / "github__MANISH-D-17_GOOGLE-ADS-ANALYZER__Campaign report_twin birds.csv"
    whole = read_export(twin).frame
    split = read_export(twin, spread=True).frame
    assert split["date"].dt.to_period("M").nunique() == 6
    assert split["spend"].sum() == pytest.approx(whole["spend"].sum())
