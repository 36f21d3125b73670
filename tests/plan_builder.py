"""Write a plan from the online-shop template with KPIs, paths and typed targets of a test's
choosing (the ``new`` pipeline, with the inputs replaced before the engine runs)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from xlmplan.api import PlanResult
from xlmplan.core.data import canonical_frame
from xlmplan.core.data_merge import unify_channels
from xlmplan.core.engine import Engine, labelled_periods
from xlmplan.core.labels import load_labels
from xlmplan.core.model import Action, Kpi, KpiPath, MoneyLine, PeriodTarget
from xlmplan.core.periods import month_first, month_of
from xlmplan.core.template import (
    apply_targets,
    build_plan,
    load_raw,
    plan_catalog,
    templates_root,
    words_from,
)
from xlmplan.sheets.book import build_book
from xlmplan.xlsx.writer import write_book


def write_plan(
    out: Path,
    frame: pd.DataFrame,
    start: dt.date,
    *,
    kpis: list[Kpi] | None = None,
    paths: list[KpiPath] | None = None,
    typed: list[PeriodTarget] | None = None,
    amber: float | None = None,
    as_of: dt.date | None = None,
    calendar: str = "gregorian",
    money: list[MoneyLine] | None = None,
    actions: list[Action] | None = None,
    budget_outlook: str = "plan",
) -> PlanResult:
    labels = load_labels(templates_root() / "labels", "en")
    catalog = plan_catalog(labels)
    words = words_from(labels)
    frame, channels = unify_channels(canonical_frame(frame, "test.csv"))
    start = month_first(*month_of(start, calendar), calendar)  # as `new` and Start read it
    plan, factors = build_plan(
        load_raw("online_shop"),
        labels,
        start=start,
        months=12,
        currency=None,
        channels=channels,
        calendar=calendar,
    )
    periods = labelled_periods(plan, labels)
    plan = apply_targets(plan, Engine(plan, frame, catalog, words, periods).run(), factors, words)
    if kpis is not None:
        plan.kpis = kpis
        plan.paths = [p for p in plan.paths if any(p.kpi == k.id for k in kpis)]
    if paths is not None:
        plan.paths = paths
    plan.period_targets = typed or []
    plan.money = plan.money if money is None else money
    plan.actions = plan.actions if actions is None else actions
    if amber is not None:
        plan.settings.amber_threshold = amber
    plan.settings.as_of = as_of
    plan.settings.budget_outlook = budget_outlook
    results = Engine(plan, frame, catalog, words, periods).run()
    book, findings = build_book(plan, frame, catalog, labels, words, results, "online_shop")
    write_book(book, out)
    return PlanResult(out, plan, results, findings, words, catalog, len(frame))
