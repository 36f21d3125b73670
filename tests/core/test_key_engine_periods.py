"""Answer key for the periods the engine labels and the typed period names it reads: a
period's label in the plan's language and calendar, and a typed day on a period's first
or last day."""

from __future__ import annotations

import pytest

from tests.core.keys import D, settings
from xlmplan.core.engine import _names_period, labelled_periods
from xlmplan.core.labels import load_labels
from xlmplan.core.model import Plan
from xlmplan.core.template import BUNDLED

pytestmark = pytest.mark.core


def test_labelled_periods_in_the_plans_language_and_calendar() -> None:
    texts = load_labels(BUNDLED / "labels", "en").texts
    gregorian = labelled_periods(Plan(settings(D(2026, 1, 1), 2)), texts)
    assert [(p.label, p.first, p.last) for p in gregorian.items] == [
        ("January 2026", D(2026, 1, 1), D(2026, 1, 31)),
        ("February 2026", D(2026, 2, 1), D(2026, 2, 28)),
    ]
    # the Persian pack names the Gregorian months in Persian: January is ژانویه
    persian = load_labels(BUNDLED / "labels", "fa").texts
    names = labelled_periods(Plan(settings(D(2026, 1, 1), 1)), persian)
    assert [p.label for p in names.items] == ["ژانویه 2026"]
    # the Solar Hijri month holding 1 March 2026 is Esfand 1404 (20 Feb .. 20 Mar 2026)
    plan = Plan(settings(D(2026, 3, 1), 2, calendar="solar-hijri"))
    solar = labelled_periods(plan, texts)
    assert [(p.label, p.first, p.last) for p in solar.items] == [
        ("Esfand 1404", D(2026, 2, 20), D(2026, 3, 20)),
        ("Farvardin 1405", D(2026, 3, 21), D(2026, 4, 20)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("february 2026", True),  # the label in another case
        (" February 2026 ", True),
        ("2026-02-01", True),  # the period's first day
        ("2026-02-28", True),  # its last day
        ("2026-02-28 (month end)", True),  # a day followed by a note: its first ten characters
        ("2026-01-31", False),  # the day before
        ("2026-03-01", False),  # the day after
        ("Feb", False),
    ],
)
def test_a_typed_period_names_a_period(text: str, expected: bool) -> None:
    assert _names_period(text, D(2026, 2, 1), D(2026, 2, 28), "February 2026") is expected
