"""Plans generated across the documented ranges — start month and horizon (1 to 60
months), calendar, language, currency, empty and odd Data, channels and campaigns with any
text — recalculate in LibreOffice to exactly their cached values, with no error cell.

One hypothesis example is a batch of plans that one LibreOffice start recalculates (a
start costs seconds; a plan's recalculation less). An input ``new`` does not take gets a
one-line refusal instead.

Channel and campaign texts include ``* ? ~ < > =`` (criteria are literal). Control
characters make a CSV read as binary (refused in one line) and dates outside the dates a
plan holds are refused too: both are tested in ``test_attack_data.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from engines import NEEDS_LO, cached_values, compare, is_error
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from lo_batch import recalculate_all

from xlmplan.api import new_plan
from xlmplan.core.data import DATA_COLUMNS, MEASURES
from xlmplan.errors import XlmplanError

BATCH = 25

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")),
    min_size=1,
    max_size=24,
)
# texts that are operators or wildcards to SUMIFS, COUNTIFS and MATCH, drawn often
NAME = st.one_of(TEXT, st.sampled_from(["*", "Paid*", "a?c", "~x", "<10", ">=5", "=Social", "?"]))
MEASURE = st.one_of(
    st.integers(0, 10**7).map(float),
    st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
    st.none(),
)


@dataclass
class Case:
    start: dt.date
    months: int
    calendar: str
    lang: str
    currency: str
    rows: list[tuple[int, int, str, list[float | None]]]  # day offset, channel, campaign
    channels: list[str]

    def frame(self) -> pd.DataFrame:
        records = []
        for offset, channel, campaign, measures in self.rows:
            day = self.start + dt.timedelta(days=offset)
            records.append(
                [day.isoformat(), self.channels[channel % len(self.channels)], campaign] + measures
            )
        return pd.DataFrame(records, columns=list(DATA_COLUMNS))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    year, month = draw(st.integers(2018, 2032)), draw(st.integers(1, 12))
    months = draw(st.integers(1, 60))
    channels = draw(st.lists(NAME, min_size=1, max_size=6))
    row = st.tuples(
        st.integers(-400, months * 31),
        st.integers(0, 5),
        NAME,
        st.lists(MEASURE, min_size=len(MEASURES), max_size=len(MEASURES)),
    )
    return Case(
        dt.date(year, month, 1),
        months,
        draw(st.sampled_from(["gregorian", "solar-hijri"])),
        draw(st.sampled_from(["en", "ar", "fa"])),
        draw(st.sampled_from(["USD", "EUR", "IRR", "SAR", "jpy"])),
        draw(st.lists(row, min_size=0, max_size=40)),
        channels,
    )


def _build(case: Case, folder: Path) -> Path | str:
    """The plan's path, or the one-line message refusing the case."""
    folder.mkdir(parents=True)
    csv = folder / "data.csv"
    case.frame().to_csv(csv, index=False)
    start = f"{case.start.year}-{case.start.month:02d}"
    try:
        return new_plan(
            folder / "plan.xlsx",
            data=csv,
            start=start,
            months=case.months,
            currency=case.currency,
            lang=case.lang,
            calendar=case.calendar,
        ).path
    except XlmplanError as exc:
        return str(exc)


@NEEDS_LO
@settings(
    max_examples=1,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # a shrink step would restart LibreOffice
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(cases(), min_size=BATCH, max_size=BATCH))
def test_generated_plans_recalculate_to_their_cached_values(
    batch: list[Case], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # the first batch hypothesis draws is its simplest (25 equal one-month plans): skip it
    assume(len({(c.start, c.months, c.lang) for c in batch}) > BATCH // 2)
    folder = tmp_path_factory.mktemp("property")
    built: dict[Path, Case] = {}
    problems: list[str] = []
    for i, case in enumerate(batch):
        result = _build(case, folder / f"case{i}")
        if isinstance(result, str):
            if "\n" in result or "Traceback" in result:
                problems.append(f"{case}: refusal is not one line: {result!r}")
            continue
        built[result] = case
    assert len(built) >= BATCH // 2, problems  # most generated cases make a plan
    for path, report in recalculate_all(list(built)).items():
        case = built[path]
        if not report["ok"]:
            problems.append(f"{case}: LibreOffice could not load it: {report['error']}")
            continue
        cached = cached_values(path)
        errors = [
            f"{sheet}!{ref} {value}"
            for sheet, cells in cached.items()
            for ref, value in cells.items()
            if is_error(value)
        ]
        mismatches = compare(cached, report["values"], rel_tol=1e-9, abs_tol=1e-6)
        if errors or mismatches:
            problems.append(f"{case}: {(errors + mismatches)[:5]}")
    assert problems == [], "\n".join(problems)
