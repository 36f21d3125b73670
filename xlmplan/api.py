"""The Python API: the same jobs as the command line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlmplan.core.catalog import Catalog
from xlmplan.core.checks import Finding
from xlmplan.core.data import cleaned_notes
from xlmplan.core.data_merge import unify_channels
from xlmplan.core.data_periods import with_period_columns
from xlmplan.core.date_bounds import RANGE_TEXT, in_range, period_problem
from xlmplan.core.engine import Engine, Results, Words, labelled_periods
from xlmplan.core.jalali import solar_hijri_reading
from xlmplan.core.labels import load_labels
from xlmplan.core.missing_measures import missing_measures, without_missing
from xlmplan.core.model import Plan
from xlmplan.core.periods import SOLAR_HIJRI, check_fiscal_start, default_start, parse_start
from xlmplan.core.starter import suggested
from xlmplan.core.template import (
    apply_targets,
    build_plan,
    example_in_language,
    load_raw,
    plan_catalog,
    templates_root,
    words_from,
)
from xlmplan.errors import XlmplanError
from xlmplan.io.data_reader import read_data, read_notes
from xlmplan.io.example_data import example_data
from xlmplan.sheets.book import CALENDARS, build_book
from xlmplan.xlsx.limits import DATA_FIRST_ROW, check_data_fits
from xlmplan.xlsx.package_write import check_writable, replace_atomically
from xlmplan.xlsx.plan_lock import plan_lock
from xlmplan.xlsx.writer import write_book

Progress = Callable[[str], None]


@dataclass
class PlanResult:
    """What ``new_plan`` made: the file and everything computed for it."""

    path: Path
    plan: Plan
    results: Results
    findings: list[Finding]
    words: Words
    catalog: Catalog
    rows: int
    notes: list[str] = field(default_factory=list)  # what reading the data changed
    # template channel (in the plan's language) -> the rows naming it that no channel of
    # the data could be bound to
    unbound: dict[str, list[str]] = field(default_factory=dict)
    starter: dict[str, float] = field(default_factory=dict)  # KPI targets suggested from Data


def parse_month(text: str) -> dt.date:
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise XlmplanError(f"--start '{text}' is not a month — write it as YYYY-MM, e.g. 2026-01")
    if int(match.group(1)) < 1:
        raise XlmplanError(
            f"--start '{text}': year 0 is outside the dates a plan can hold ({RANGE_TEXT}) — "
            "write the month as YYYY-MM, e.g. 2026-01"
        )
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_day(text: str, option: str) -> dt.date:
    """A day given as YYYY-MM-DD, or a one-line error naming the option."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise XlmplanError(
            f"{option} '{text}' is not a day — write it as YYYY-MM-DD, e.g. 2026-05-17"
        ) from None


def check_period(first: dt.date, months: int, start: str | None) -> None:
    """Refuse a plan period outside the dates a plan can hold, with the fix."""
    problem = period_problem(first, months)
    if problem is None:
        return
    reading = solar_hijri_reading(first.year, first.month)
    if reading is not None:
        fix = f"use --start {reading[0]:%Y-%m}"
    elif in_range(first):
        fix = "start earlier or give fewer --months"
    else:
        fix = "give the first month as YYYY-MM, e.g. 2026-01"
    what = f"--start '{start}'" if start else "the data's first month"
    raise XlmplanError(f"{what}: {problem}: {fix}")


def new_plan(
    out: Path,
    *,
    data: Path | None = None,
    template: str = "online_shop",
    start: str | None = None,
    months: int | None = None,
    currency: str | None = None,
    lang: str = "en",
    calendar: str = "gregorian",
    fiscal_start: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cut: dt.date | None = None,
) -> PlanResult:
    """Create a complete plan workbook at ``out``; nothing is written if anything fails.
    ``out`` is locked from the check that it may be written until it is replaced.
    ``cut`` keeps the Data rows up to that day (a plan built as of a day mid-year)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise XlmplanError(f"{out}: a plan is an .xlsx workbook — give a name ending in .xlsx")
    check_writable(out)
    _make_folder(out)
    with plan_lock(out):
        if data is not None and out.exists() and Path(data).exists() and out.samefile(data):
            raise XlmplanError(f"{out} is the data file itself — write the plan to another file")
        if out.exists() and not force:
            raise XlmplanError(f"{out} already exists — choose another name or add --force")
        return _new_plan(
            out,
            data,
            template,
            start,
            months,
            currency,
            lang,
            (calendar, fiscal_start),
            progress or _quiet,
            cut,
        )


def _quiet(_msg: str) -> None:
    return None


def _make_folder(out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise XlmplanError(
            f"{out}: its folder cannot be created ({exc.strerror}) — check the path"
        ) from exc


def _new_plan(
    out: Path,
    data: Path | None,
    template: str,
    start: str | None,
    months: int | None,
    currency: str | None,
    lang: str,
    calendar_setting: tuple[str, int | None],
    say: Progress,
    cut: dt.date | None = None,
) -> PlanResult:
    calendar, fiscal_start = calendar_setting
    if months is not None and not 1 <= months <= 60:
        raise XlmplanError(f"--months {months}: give a plan length from 1 to 60 months")
    if currency is not None and not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise XlmplanError(f"--currency '{currency}': use a three-letter code such as USD or EUR")
    if calendar not in CALENDARS:
        raise XlmplanError(f"--calendar '{calendar}': use one of {', '.join(CALENDARS)}")
    labels = load_labels(templates_root() / "labels", lang)
    raw = load_raw(template, lang)
    catalog = plan_catalog(labels)
    words = words_from(labels)
    check_fiscal_start(fiscal_start)
    if start and calendar == SOLAR_HIJRI:  # 1405-01 is 1 Farvardin 1405
        first_month: dt.date | None = parse_start(start, calendar)
    else:
        first_month = parse_month(start) if start else None
    if first_month is not None:
        check_period(first_month, 1, start)  # before the template is laid on it
        check_fiscal_start(fiscal_start, first_month, calendar)

    say("reading data")
    if data is not None:
        frame = read_data(Path(data))
    else:
        frame = example_in_language(example_data(), labels)
    if cut is not None:
        frame = _cut(frame, cut, str(data or "the example data"))
    notes = read_notes(frame) + cleaned_notes(frame)
    check_data_fits(frame, DATA_FIRST_ROW, str(data or out))
    frame, channels = unify_channels(with_period_columns(frame))
    catalog = without_missing(catalog, missing_measures(frame))
    if first_month is None:
        lo, hi = pd.Timestamp(frame["date"].min()), pd.Timestamp(frame["date"].max())
        first_month = default_start(lo.date(), hi.date(), calendar, fiscal_start)

    say("computing the plan")
    plan, factors = build_plan(
        raw,
        labels,
        start=first_month,
        months=months,
        currency=currency.upper() if currency else None,
        channels=channels,
        calendar=calendar,
        fiscal_start=fiscal_start,
    )
    check_period(plan.settings.start, plan.settings.months, start)
    periods = labelled_periods(plan, labels)
    first = Engine(plan, frame, catalog, words, periods, forecasts=False).run()  # targets only
    template_plan, plan = plan, apply_targets(plan, first, factors, words)
    results = Engine(plan, frame, catalog, words, periods).run()

    say("laying out the sheets")
    book, findings = build_book(
        plan,
        frame,
        catalog,
        labels,
        words,
        results,
        template,
        calendar=calendar,
        extra_findings=[Finding("warning", labels["sheet.data"], n) for n in notes],
        starter=(starter := suggested(template_plan, plan)),
    )

    say(f"writing {out.name}")
    write_atomic(out, lambda tmp: write_book(book, tmp))
    unbound = factors["unbound"]
    return PlanResult(
        out, plan, results, findings, words, catalog, len(frame), notes, unbound, starter
    )


def _cut(frame: pd.DataFrame, day: dt.date, source: str) -> pd.DataFrame:
    """The rows dated up to ``day``; none left is an error naming the first date."""
    kept = frame[frame["date"] <= pd.Timestamp(day)].reset_index(drop=True)
    if kept.empty:
        first = pd.Timestamp(frame["date"].min()).date() if len(frame) else None
        since = f" (its first day is {first})" if first else ""
        raise XlmplanError(
            f"--as-of {day}: {source} holds no rows up to that day{since} — give a later day"
        )
    return kept


def write_atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Write through a scratch file in the same folder, then replace ``target`` (holding
    its lock; an existing file keeps its mode and owner)."""
    check_writable(target)
    _make_folder(target)
    with plan_lock(target):
        replace_atomically(target, write)
