"""Bundled example data, edge-case data and sized benchmark data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from xlmplan.core.data import DATA_COLUMNS, MEASURES, canonical_frame
from xlmplan.core.response import fit_all, weekly
from xlmplan.io.example_data import (
    CHANNELS,
    ZERO_SPEND_CHANNELS,
    edge_case_data,
    example_data,
    sized_data,
)


def assert_canonical(df: pd.DataFrame) -> None:
    assert tuple(df.columns) == DATA_COLUMNS
    assert df["date"].dtype == "datetime64[ns]"
    assert df["channel"].dtype == object and df["campaign"].dtype == object
    assert all(df[m].dtype == np.float64 for m in MEASURES)
    assert df["date"].is_monotonic_increasing
    pd.testing.assert_frame_equal(canonical_frame(df, "again"), df)


def assert_funnel(df: pd.DataFrame) -> None:
    assert not df[list(MEASURES)].isna().any().any()
    assert (df[list(MEASURES)] >= 0).all().all()
    assert (df["impressions"] >= df["clicks"]).all()
    assert (df["sessions"] <= df["clicks"] * 1.2).all()
    assert (df["conversions"] <= df["sessions"]).all()
    assert (df["new_customers"] <= df["conversions"]).all()
    counts = ["impressions", "clicks", "sessions", "conversions", "new_customers"]
    assert (df[counts] == df[counts].round()).all().all()
    assert (df[["revenue", "spend"]] == df[["revenue", "spend"]].round(2)).all().all()


def test_example_data_shape_and_rules() -> None:
    df = example_data()
    assert_canonical(df)
    assert_funnel(df)
    assert len(CHANNELS) >= 6 and set(df["channel"]) == set(CHANNELS)
    assert df["date"].min() == pd.Timestamp("2026-01-01")
    assert df["date"].max() == pd.Timestamp("2026-12-31")
    assert df["date"].nunique() == 365
    per_day = df.groupby(["date", "channel"]).size()
    assert per_day.between(1, 2).all()
    assert not df.duplicated(["date", "channel", "campaign"]).any()


def test_example_data_is_deterministic() -> None:
    pd.testing.assert_frame_equal(example_data(), example_data())
    assert not example_data(seed=8).equals(example_data())


def test_example_data_economics() -> None:
    df = example_data()
    by_channel = df.groupby("channel")[list(MEASURES)].sum()
    for channel in ("Organic Search", "Email", "Direct"):
        assert by_channel.loc[channel, "spend"] == 0
    paid = by_channel.drop(index=["Organic Search", "Email", "Direct"])
    assert (paid["spend"] > 0).all()
    aov = by_channel["revenue"].sum() / by_channel["conversions"].sum()
    assert 60 <= aov <= 90
    display = df[df["channel"] == "Display"]
    assert (display["conversions"] <= 3).mean() > 0.5  # Display converts rarely
    monthly = df.groupby(df["date"].dt.month)["sessions"].sum()
    assert monthly.loc[10:12].mean() > monthly.loc[1:3].mean()  # gentle growth
    weekday = df.groupby(df["date"].dt.day_of_week)["sessions"].mean()
    assert weekday.loc[[0, 1]].mean() > weekday.loc[[5, 6]].mean()  # weekly rhythm


def test_example_data_paid_channels_vary_enough_for_a_curve() -> None:
    """Flights and pauses: every paid channel but the commission-paid one gets a curve."""
    fits = {f.channel: f for f in fit_all(weekly(example_data()))}
    for channel in ("Paid Search", "Paid Social", "Display"):
        assert fits[channel].estimable, (channel, fits[channel].reason)
        assert fits[channel].cv >= 0.2
    assert fits["Affiliate"].reason.startswith("spend is a fixed share of the results")
    for channel in ZERO_SPEND_CHANNELS:
        assert fits[channel].reason == "no spend"


def test_example_data_custom_period() -> None:
    df = example_data(start=date(2025, 3, 1), months=2)
    assert df["date"].min() == pd.Timestamp("2025-03-01")
    assert df["date"].max() == pd.Timestamp("2025-04-30")


def test_edge_case_data() -> None:
    df = edge_case_data()
    assert_canonical(df)
    assert_funnel(df)
    months = set(df["date"].dt.month)
    assert months == {1, 2, 4, 5, 6}
    spend = df.groupby("channel")["spend"].sum()
    assert sorted(spend[spend == 0].index) == ["Direct", "Organic Search"]
    display = df[df["channel"] == "Display"]
    # one Display campaign a day: 31 (Jan) + 28 (Feb) + 30 (Apr) + 31 (May) + 30 (Jun) days
    assert len(display) == 150 and (display["spend"] > 0).all()
    assert (display[["conversions", "revenue", "new_customers"]] == 0).all().all()
    pd.testing.assert_frame_equal(edge_case_data(), df)


@pytest.mark.parametrize("n_rows", [1, 7, 1_000, 10_000, 100_000])
def test_sized_data_exact_length(n_rows: int) -> None:
    df = sized_data(n_rows)
    assert len(df) == n_rows
    assert tuple(df.columns) == DATA_COLUMNS
    assert not df.duplicated(["date", "channel", "campaign"]).any()
    if n_rows >= 1_000:
        assert df["channel"].nunique() == len(CHANNELS)
        assert df["date"].dt.month.nunique() == 12
        assert_funnel(df)


def test_sized_data_million_rows() -> None:
    # Its speed is measured by benchmarks/ (bench_new, bench_refresh), not asserted here.
    df = sized_data(1_000_000)
    assert len(df) == 1_000_000
    assert not df.duplicated(["date", "channel", "campaign"]).any()
    assert df["date"].dt.month.nunique() == 12
