"""Answer key for merging imported rows into Data: the (date, channel, campaign) key,
rows added up within one export, --replace, channel spelling and kept columns."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.core.keys import D, data
from xlmplan.core import data_merge
from xlmplan.core.data import DATA_COLUMNS
from xlmplan.core.data_merge import MergeReport

pytestmark = pytest.mark.core

COLUMNS = list(DATA_COLUMNS)

# Data before the import: two campaigns on the same day and channel, another channel,
# and a row without campaign.
EXISTING = [
    (D(2026, 3, 1), "Search", "Brand", None, None, None, None, 100),
    (D(2026, 3, 1), "Search", "Generic", None, None, None, None, 200),
    (D(2026, 3, 1), "Social", "Brand", None, None, None, None, 50),
    (D(2026, 3, 2), "Search", "", None, None, None, None, 70),
]


def revenue(frame: pd.DataFrame) -> list[tuple[str, str, str, float]]:
    return [
        (d.date().isoformat(), ch, camp, rev)
        for d, ch, camp, rev in frame[["date", "channel", "campaign", "revenue"]].itertuples(
            index=False
        )
    ]


def test_one_campaigns_row_replaces_only_that_campaign() -> None:
    imported = data((D(2026, 3, 1), "Search", "Brand", None, None, None, None, 150))
    merged, report = data_merge.merge(data(*EXISTING), imported, COLUMNS)
    assert revenue(merged) == [
        ("2026-03-01", "Search", "Generic", 200.0),  # another campaign: kept
        ("2026-03-01", "Social", "Brand", 50.0),  # another channel: kept
        ("2026-03-01", "Search", "Brand", 150.0),  # replaced, after the kept rows of its day
        ("2026-03-02", "Search", "", 70.0),
    ]
    assert (report.replaced, report.added, report.combined) == (1, 1, 0)


def test_rows_of_one_key_in_an_export_are_added_up() -> None:
    # An export broken down by device: two rows with the same key (no campaign) -> one row,
    # 30 + 45 = 75, which replaces the existing no-campaign row of 2026-03-02.
    imported = data(
        (D(2026, 3, 2), "Search", None, 10, 1, None, None, 30),
        (D(2026, 3, 2), "Search", None, 20, 2, None, None, 45),
    )
    merged, report = data_merge.merge(data(*EXISTING), imported, COLUMNS)
    assert revenue(merged)[-1] == ("2026-03-02", "Search", "", 75.0)
    assert merged["impressions"].iloc[-1] == 30.0  # 10 + 20
    assert len(merged) == 4
    assert (report.replaced, report.added, report.combined) == (1, 1, 1)


def test_importing_the_same_export_twice_counts_it_once() -> None:
    imported = data(*EXISTING[:2])
    once, _ = data_merge.merge(data(*EXISTING[2:]), imported, COLUMNS)
    twice, report = data_merge.merge(once, imported, COLUMNS)
    assert sorted(revenue(twice)) == sorted(revenue(once))
    assert report.replaced == 2


def test_replace_empties_data_first() -> None:
    imported = data((D(2026, 4, 1), "Email", "News", None, None, None, None, 9))
    merged, report = data_merge.merge(data(*EXISTING), imported, COLUMNS, replace_all=True)
    assert revenue(merged) == [("2026-04-01", "Email", "News", 9.0)]
    assert (report.replaced, report.added) == (4, 1)


def test_columns_the_data_table_lacks_are_dropped_and_reported() -> None:
    raw = pd.DataFrame(
        {"date": ["2026-03-05"], "channel": ["Search"], "revenue": [5], "Device": ["mobile"]}
    )
    from xlmplan.core.data import canonical_frame

    imported = canonical_frame(raw, "ads.csv")
    merged, report = data_merge.merge(data(*EXISTING), imported, COLUMNS)
    assert report.dropped_columns == ["Device"]
    assert list(merged.columns) == COLUMNS


def test_channels_are_spelled_as_the_plan_spells_them() -> None:
    imported = data(
        (D(2026, 3, 1), "PAID SEARCH"),
        (D(2026, 3, 1), "Emails"),  # a plural s aside
        (D(2026, 3, 1), "paid-search"),  # punctuation aside
        (D(2026, 3, 1), "Display"),
        (D(2026, 3, 2), "display"),  # the new channel as first spelled
    )
    report = MergeReport()
    out = data_merge.normalise_channels(imported, ["Paid Search", "Email"], report)
    assert list(out["channel"]) == ["Paid Search", "Email", "Paid Search", "Display", "Display"]
    assert report.new_channels == ["Display"]
    assert report.renamed_channels == {
        "PAID SEARCH": "Paid Search",
        "Emails": "Email",
        "paid-search": "Paid Search",
        "display": "Display",
    }


def test_unify_channels_keeps_the_first_spelling() -> None:
    frame = data(
        (D(2026, 3, 1), "Search"),
        (D(2026, 3, 2), "SEARCH"),
        (D(2026, 3, 3), "Social"),
    )
    out, channels = data_merge.unify_channels(frame)
    assert list(out["channel"]) == ["Search", "Search", "Social"]
    assert channels == ["Search", "Social"]


def test_only_a_channel_spelled_otherwise_than_the_plan_is_reported() -> None:
    report = MergeReport()
    imported = data((D(2026, 3, 1), "Email"), (D(2026, 3, 2), "EMAIL"))
    out = data_merge.normalise_channels(imported, ["Email"], report)
    assert list(out["channel"]) == ["Email", "Email"]
    assert (report.new_channels, report.renamed_channels) == ([], {"EMAIL": "Email"})


def ranged(*periods: tuple[str | None, str | None]) -> pd.DataFrame:
    """One Search row per (period_start, period_end), dated at the period's end (or 3 March
    for a row of one day), revenue 10, 20, ..."""
    rows = [
        (D.fromisoformat(end) if end else D(2026, 3, 3), "Search", "", *[None] * 4, 10 * (i + 1))
        for i, (_, end) in enumerate(periods)
    ]
    return data(*rows).assign(
        period_start=[s for s, _ in periods], period_end=[e for _, e in periods]
    )


def test_ranged_rows_go_under_the_data_tables_own_period_headers() -> None:
    # Data spells the headers "Period Start" / "Period End": the range lands there, and the
    # week 2026-03-02..08 replaces the one-day Search row of 2 March inside it.
    columns = [*COLUMNS, "Period Start", "Period End"]
    existing = data(*EXISTING).assign(**{"Period Start": None, "Period End": None})
    imported = ranged(("2026-03-02", "2026-03-08"))
    origin = pd.Series(["week.csv"]).to_numpy(dtype=object)
    merged, report = data_merge.merge(existing, imported, columns, origin=origin)
    assert list(merged.columns) == columns
    last = merged.iloc[-1]
    assert (last["Period Start"], last["Period End"], last["revenue"]) == (
        "2026-03-02",
        "2026-03-08",
        10.0,
    )
    assert (report.replaced, report.added, report.dropped_columns) == (1, 1, [])


def test_blank_period_columns_are_dropped_when_data_has_none() -> None:
    # rows of one day each: nothing to remember, so Data needs no period columns
    imported = ranged((None, None), (None, None))
    merged, report = data_merge.merge(data(*EXISTING[:1]), imported, COLUMNS)
    assert list(merged.columns) == COLUMNS
    # the two rows share a key (3 March, Search, no campaign): 10 + 20 = 30
    assert revenue(merged)[-1] == ("2026-03-03", "Search", "", 30.0)
    assert (report.added, report.combined, report.dropped_columns) == (1, 1, [])


def test_a_range_data_cannot_remember_is_refused_naming_the_file() -> None:
    from xlmplan.errors import DataError

    # the second row is the first with a range: the message quotes it and the file it came from
    imported = ranged((None, None), ("2026-03-02", "2026-03-08"))
    origin = pd.Series(["day.csv", "week.csv"]).to_numpy(dtype=object)
    with pytest.raises(
        DataError,
        match=r"^week\.csv: its rows cover date ranges \(e\.g\. 2026-03-02 to 2026-03-08\) and "
        r"the plan's Data table has no period_start and period_end columns to remember them — "
        r"type those two headers right of the Data table's last header, save, and import again\.$",
    ):
        data_merge.merge(data(*EXISTING), imported, COLUMNS, origin=origin)


def test_channel_spellings_exact_before_loose_and_new_ones_by_both() -> None:
    report = MergeReport()
    imported = data(
        (D(2026, 3, 1), "email"),  # exactly "Email" (any case), though "Emails" folds alike
        (D(2026, 3, 1), "paidsearch"),  # "Paid Search" without its space
        (D(2026, 3, 1), "Video"),  # new
        (D(2026, 3, 2), "VIDEOS"),  # the new channel, a plural s aside
    )
    out = data_merge.normalise_channels(imported, ["Email", "Emails", "Paid Search"], report)
    assert list(out["channel"]) == ["Email", "Paid Search", "Video", "Video"]
    assert report.new_channels == ["Video"]
    assert report.renamed_channels == {
        "email": "Email",
        "paidsearch": "Paid Search",
        "VIDEOS": "Video",
    }


def test_combine_keys_reads_a_missing_campaign_as_none_and_keeps_first_seen_order() -> None:
    # Two Social rows of 1 March, one with a missing campaign and one with "": the same key,
    # added up (10 + 5 = 15); the Search row between them stays after Social, in the order
    # the keys first appear; the extra column keeps the first row's value.
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-01"] * 3),
            "channel": ["Social", "Search", "Social"],
            "campaign": [None, "", ""],
            "revenue": [10.0, 7.0, 5.0],
            "Device": ["mobile", "desktop", "tablet"],
        }
    )
    for measure in ("impressions", "clicks", "sessions", "conversions", "spend", "new_customers"):
        frame[measure] = 0.0
    report = MergeReport(combined=2)  # counts add to what the report already holds
    out = data_merge.combine_keys(frame, report)
    assert list(out[["channel", "campaign", "revenue", "Device"]].itertuples(index=False)) == [
        ("Social", "", 15.0, "mobile"),
        ("Search", "", 7.0, "desktop"),
    ]
    assert list(out.columns) == list(frame.columns)
    assert report.combined == 3


def test_ranges_refused_name_the_export_and_the_data_table() -> None:
    from xlmplan.errors import DataError

    # without an origin the rows are "the export"
    with pytest.raises(DataError, match=r"^the export: its rows cover date ranges"):
        data_merge.merge(data(*EXISTING), ranged(("2026-03-02", "2026-03-08")), COLUMNS)
    # two new ranges of one channel that overlap without being the same: 2..8 and 5..11 March
    columns = [*COLUMNS, "period_start", "period_end"]
    overlapping = ranged(("2026-03-02", "2026-03-08"), ("2026-03-05", "2026-03-11"))
    with pytest.raises(
        DataError,
        match=r"^a\.csv and b\.csv: the rows for Search cover 2026-03-02 to 2026-03-08 and "
        r"2026-03-05 to 2026-03-11, which overlap",
    ):
        origin = pd.Series(["a.csv", "b.csv"]).to_numpy(dtype=object)
        data_merge.merge(data(*EXISTING), overlapping, columns, origin=origin)
    # a range in Data that ends before it starts is named by the Data table's name
    broken = data(*EXISTING[:1]).assign(period_start=["2026-03-09"], period_end=["2026-03-01"])
    day = ranged((None, None))
    with pytest.raises(DataError, match=r"^Data, columns 'period_start'/'period_end': the range"):
        data_merge.merge(broken, day, columns)
    with pytest.raises(DataError, match=r"^Daten, columns 'period_start'/'period_end'"):
        data_merge.merge(broken, day, columns, data_name="Daten")


def test_a_day_inside_a_range_already_in_data_is_refused_naming_its_file() -> None:
    from xlmplan.errors import DataError

    columns = [*COLUMNS, "period_start", "period_end"]
    week = ranged(("2026-03-02", "2026-03-08"))
    day = ranged((None, None))  # 3 March, inside the week without covering it
    origin = pd.Series(["day.csv"]).to_numpy(dtype=object)
    with pytest.raises(
        DataError,
        match=r"^day\.csv: its rows for Search cover 2026-03-03, which overlaps 2026-03-02 to "
        r"2026-03-08 already in Data without covering it",
    ):
        data_merge.merge(week, day, columns, origin=origin)


def test_notes_add_to_the_report_given() -> None:
    # two days inside one new week: both replaced, one note for that range, after the
    # note the report already held
    columns = [*COLUMNS, "period_start", "period_end"]
    days = data(
        (D(2026, 3, 3), "Search", "", *[None] * 4, 1),
        (D(2026, 3, 4), "Search", "", *[None] * 4, 2),
    ).assign(period_start=None, period_end=None)
    report = MergeReport(notes=["an earlier note"])
    merged, _ = data_merge.merge(days, ranged(("2026-03-02", "2026-03-08")), columns, report=report)
    assert revenue(merged) == [("2026-03-08", "Search", "", 10.0)]
    assert report.notes == [
        "an earlier note",
        "2 row(s) of Search already in Data inside 2026-03-02 to 2026-03-08 were replaced by "
        "the new row(s) for that whole range",
    ]


def test_merged_data_has_the_tables_columns_and_keeps_each_days_order() -> None:
    # Data with a column the table does not list, and 20 rows of 2 March after 20 of 1 March
    # (revenue 0..19 and 100..119): the merge returns the table's columns only, and sorting
    # by date keeps each day's rows in their order (a stable sort; 40 rows is enough for an
    # unstable one to mix them)
    existing = data(
        *[(D(2026, 3, 2), "Search", f"c{i}", *[None] * 4, i) for i in range(20)],
        *[(D(2026, 3, 1), "Search", f"c{i}", *[None] * 4, 100 + i) for i in range(20)],
    ).assign(note="kept by the table, not by the merge")
    imported = data((D(2026, 3, 3), "Email", "", *[None] * 4, 7))
    merged, _ = data_merge.merge(existing, imported, COLUMNS)
    assert list(merged.columns) == COLUMNS
    assert list(merged["revenue"]) == [*range(100, 120), *range(20), 7]
