"""Solar Hijri periods against an independent converter (jdatetime), and sums by period.

``xlmplan.core.jalali`` implements Borkowski's arithmetic; jdatetime is a separate
implementation, so agreement on every month of 1400-1430 checks both the month lengths
(Esfand 29/30) and each Nowruz.
"""

from __future__ import annotations

import datetime as dt

import jdatetime
import numpy as np
import pandas as pd
import pytest

from xlmplan.core.data import MEASURES
from xlmplan.core.periods import (
    SOLAR_HIJRI,
    parse_start,
    period_index,
    period_sums,
    plan_periods,
)

YEARS = range(1400, 1431)


def jd_first(year: int, month: int) -> dt.date:
    return jdatetime.date(year, month, 1).togregorian()


def jd_last(year: int, month: int) -> dt.date:
    y, m = (year + 1, 1) if month == 12 else (year, month + 1)
    return jd_first(y, m) - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def periods() -> object:
    return plan_periods(parse_start("1400-01", SOLAR_HIJRI), 12 * len(YEARS), SOLAR_HIJRI)


def test_every_month_of_1400_to_1430_matches_jdatetime(periods: object) -> None:
    items = periods.items  # type: ignore[attr-defined]
    assert len(items) == 372
    esfand_30 = 0
    for i, p in enumerate(items):
        year, month = YEARS[0] + i // 12, i % 12 + 1
        assert (p.first, p.last) == (jd_first(year, month), jd_last(year, month)), p.label
        assert p.label == f"{jdatetime.date(year, month, 1).strftime('%B')} {year}"
        # the converter reads the last day back as the month's own last day
        back = jdatetime.date.fromgregorian(date=p.last)
        assert (back.year, back.month, back.day) == (year, month, p.days)
        esfand_30 += month == 12 and p.days == 30
    assert esfand_30 == sum(jdatetime.date(y, 1, 1).isleap() for y in YEARS) >= 7


def test_period_sums_equal_data_sums_by_solar_hijri_month(periods: object) -> None:
    rng = np.random.default_rng(5)
    first, last = dt.date(2021, 3, 1), dt.date(2052, 4, 30)  # a little outside both ends
    days = pd.date_range(first, last, freq="D")
    n = 3 * len(days)
    data = pd.DataFrame({"date": rng.choice(days.to_numpy(), n)})
    for m in MEASURES:
        data[m] = rng.integers(0, 1000, n).astype(float)
    data.loc[rng.choice(n, 50, replace=False), "spend"] = np.nan

    sums = period_sums(data, periods)  # type: ignore[arg-type]

    jd = [jdatetime.date.fromgregorian(date=d.date()) for d in pd.to_datetime(data["date"])]
    data["key"] = [(d.year - 1400) * 12 + d.month - 1 if 1400 <= d.year <= 1430 else -1 for d in jd]
    inside = data[data["key"] >= 0]
    expected = inside.groupby("key")[list(MEASURES)].sum().reindex(range(372), fill_value=0.0)
    np.testing.assert_array_equal(sums.to_numpy(), expected.to_numpy())
    assert (period_index(data["date"], periods) == data["key"]).all()  # type: ignore[arg-type]
    assert 0 < len(inside) < len(data)  # rows outside the plan were there and left out
