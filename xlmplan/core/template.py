"""Plan templates: starter inputs stored as data in ``workbook_templates/templates``."""

from __future__ import annotations

import datetime as dt
import functools
import math
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from xlmplan.core.catalog import Catalog, load_catalog
from xlmplan.core.channels import ChannelBinding, bind_channels, channel_keys
from xlmplan.core.data import DATA_COLUMNS, normalise_header
from xlmplan.core.engine import Results, Words
from xlmplan.core.labels import Labels, languages, load_labels
from xlmplan.core.model import (
    Action,
    Kpi,
    KpiPath,
    MoneyLine,
    Objective,
    Person,
    Plan,
    Scenario,
    Settings,
    Strategy,
    SwotFactor,
    add_months,
    month_end,
)
from xlmplan.core.periods import month_first, month_of, shift_month
from xlmplan.core.template_root import (  # noqa: F401 - their home before
    BUNDLED,
    template_names,
    templates_root,
)
from xlmplan.errors import TemplateError


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: cannot read the template — {exc}") from exc


def load_raw(name: str, lang: str = "en") -> dict[str, Any]:
    """A template's entries; for another language, its texts come from the overlay
    ``<name>.<lang>.toml`` (same sections, same order, text fields only) when there is one."""
    folder = templates_root() / "templates"
    path = folder / f"{name}.toml"
    if "." in name or not path.is_file():
        raise TemplateError(
            f"unknown template '{name}' — use one of: {', '.join(template_names())}"
        )
    raw = _read_toml(path)
    overlay = folder / f"{name}.{lang}.toml"
    return overlay_texts(raw, _read_toml(overlay), overlay) if overlay.is_file() else raw


def overlay_texts(raw: dict[str, Any], overlay: dict[str, Any], path: Path) -> dict[str, Any]:
    """``raw`` with the text fields of ``overlay`` laid over it, entry by entry."""
    out = dict(raw)
    for section, value in overlay.items():
        if isinstance(value, dict):
            out[section] = {**raw.get(section, {}), **value}
            continue
        base = raw.get(section, [])
        if not isinstance(value, list) or len(value) != len(base):
            raise TemplateError(
                f"{path}: [[{section}]] has {len(value) if isinstance(value, list) else 0} "
                f"entries, the template {len(base)} — keep one per template entry, in order"
            )
        merged = []
        for i, (entry, texts) in enumerate(zip(base, value, strict=True), start=1):
            if "id" in texts and texts["id"] != entry.get("id"):
                raise TemplateError(
                    f"{path}: [[{section}]] entry {i} is '{texts['id']}', "
                    f"the template's is '{entry.get('id')}' — keep the template's order"
                )
            merged.append({**entry, **texts})
        out[section] = merged
    return out


def plan_catalog(labels: Labels, catalog: Catalog | None = None) -> Catalog:
    """The metric catalog (read from the templates unless given) with labels in the plan's
    language (``[metric]`` in the pack)."""
    catalog = catalog or load_catalog(templates_root() / "metrics.toml")
    names = {m.key: labels.get(f"metric.{m.key}", m.label) for m in catalog}
    return catalog.localized(names)


def words_from(labels: Labels) -> Words:
    t = labels
    return Words(
        all_channels=t["word.all"],
        higher=t["word.higher"],
        lower=t["word.lower"],
        status=(t["status.green"], t["status.amber"], t["status.red"]),
        scenarios=(t["scenario.optimistic"], t["scenario.realistic"], t["scenario.pessimistic"]),
        qualitative=t["kind.Qualitative"],
        primary=t["level.Primary"],
        methods=(t["path.even"], t["path.seasonal"], t["path.manual"]),
    )


def build_plan(
    raw: dict[str, Any],
    labels: Labels,
    *,
    start: dt.date,
    months: int | None,
    currency: str | None,
    channels: list[str],
    calendar: str = "gregorian",
    fiscal_start: int | None = None,
) -> tuple[Plan, dict[str, Any]]:
    """The template's plan for a period; also returns the target factors to apply later.
    Template months count the plan's periods (Solar Hijri months in that calendar)."""
    t = labels
    meta, conf = raw.get("template", {}), raw.get("settings", {})
    words = words_from(labels)
    bind = template_binding(raw, labels, channels)
    english = load_catalog(templates_root() / "metrics.toml")
    catalog = plan_catalog(labels, english)
    try:
        settings = Settings(
            plan_name=str(meta.get("title", "Marketing plan")),
            company=str(meta.get("company", "")),
            currency=currency or str(conf.get("currency", "USD")),
            start=start,
            months=int(months or conf.get("months", 12)),
            language=labels.lang,
            review_interval=int(conf.get("review_interval", 6)),
            amber_threshold=float(conf.get("amber_threshold", 0.9)),
            pessimistic_trigger=float(conf.get("pessimistic_trigger", 0.75)),
            max_growth_up=float(conf.get("max_growth_up", 1.0)),
            max_growth_down=float(conf.get("max_growth_down", 0.5)),
            hours_per_month=float(conf.get("hours_per_month", 160)),
            plan_budget=float(conf.get("plan_budget", 0)),
            media_category=t[f"category.{conf.get('media_category', 'Advertising')}"],
            calendar=calendar,
            fiscal_start=fiscal_start,
        )

        def first(month: Any) -> dt.date | None:
            if month in (None, ""):
                return None
            if calendar == "gregorian":
                return add_months(start, int(month) - 1)
            year, month_no = shift_month(*month_of(start, calendar), int(month) - 1)
            return month_first(year, month_no, calendar)

        def last(month: Any) -> dt.date | None:
            day = first(month)
            if day is None or calendar == "gregorian":
                return month_end(day) if day else None
            year, month_no = shift_month(*month_of(day, calendar), 1)
            return month_first(year, month_no, calendar) - dt.timedelta(days=1)

        plan = Plan(settings=settings, channels=list(channels))
        plan.swot = [
            SwotFactor(
                f["id"],
                f["type"],
                f.get("area", ""),
                f["factor"],
                f.get("evidence", ""),
                f.get("impact"),
                f.get("certainty"),
            )
            for f in raw.get("swot", [])
        ]
        plan.objectives = [
            Objective(
                o["id"],
                t[f"level.{o['level']}"],
                o.get("parent", ""),
                t[f"horizon.{o['horizon']}"],
                t[f"kind.{o['kind']}"],
                t[f"race.{o['race']}"],
                o["objective"],
                o.get("kpi", ""),
                None,
                None,
                last(o.get("deadline_month")),
                o.get("substantiation", ""),
            )
            for o in raw.get("objectives", [])
        ]
        plan.strategies = [
            Strategy(
                s["id"],
                s.get("objective", ""),
                s.get("area", ""),
                bind(s.get("channel", ""), f"strategy {s.get('id', '')}"),
                s.get("tows", ""),
                s.get("pair", ""),
                s["strategy"],
                s.get("tactic", ""),
                s.get("owner", ""),
                first(s.get("start_month")),
                last(s.get("end_month")),
                s.get("budget"),
            )
            for s in raw.get("strategies", [])
        ]
        plan.kpis = [
            Kpi(
                k["id"],
                k["name"],
                metric_label(str(k["metric"]), english, catalog),
                words.all_channels
                if k.get("channel", "All") == "All"
                else bind(k["channel"], f"KPI {k['id']}"),
                None,
                words.lower if k.get("direction") == "lower" else words.higher,
            )
            for k in raw.get("kpis", [])
        ]
        plan.people = [
            Person(
                p["name"],
                p.get("role", ""),
                p.get("fte"),
                p.get("monthly_cost"),
                first(p.get("start_month")),
                last(p.get("end_month")),
            )
            for p in raw.get("people", [])
        ]
        plan.money = [
            MoneyLine(
                t[f"category.{m['category']}"],
                bind(m.get("channel", ""), f"money line {i}"),
                m.get("item", ""),
                first(m.get("start_month")),
                last(m.get("end_month")),
                m.get("amount"),
            )
            for i, m in enumerate(raw.get("money", []), start=1)
        ]
        plan.actions = [
            Action(
                a["action"],
                a.get("strategy", ""),
                a.get("owner", ""),
                first(a.get("start_month")),
                last(a.get("end_month")),
                a.get("hours"),
            )
            for a in raw.get("actions", [])
        ]
        plan.scenarios = [
            Scenario(
                s["key"],
                float(s["multiplier"]),
                s.get("contingency", ""),
                float(s.get("extra_budget", 0)),
            )
            for s in raw.get("scenarios", [])
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(
            f"template '{meta.get('name', '?')}': bad or missing entry {exc}"
        ) from exc
    factors = {
        "kpi": {k["id"]: float(k.get("target_factor", 1.0)) for k in raw.get("kpis", [])},
        "objective": {o["id"]: float(o.get("growth", 0.0)) for o in raw.get("objectives", [])},
        "unbound": bind.unbound,  # channel -> the template rows naming it, not in the data
    }
    return plan, factors


def apply_targets(plan: Plan, results: Results, factors: dict[str, Any], words: Words) -> Plan:
    """Set KPI targets from the data's run-rate and objective baselines from their growth."""
    kpis, paths = [], []
    for kpi, kr in zip(plan.kpis, results.kpis, strict=True):
        target = kpi.target
        if target is None and kr.projection:
            target = nice(kr.projection * factors["kpi"].get(kpi.id, 1.0))
        kpis.append(replace(kpi, target=target))
        # last year's shape where Data holds it, else an even path
        method = words.methods[1] if kr.seasonal_ok else words.methods[0]
        baseline = nice(kr.last_year) if kr.last_year is not None else None
        paths.append(KpiPath(kpi.id, baseline, method))
    by_id = {k.id: k for k in kpis}
    objectives = []
    for ob in plan.objectives:
        linked = by_id.get(ob.kpi)
        if ob.kind == words.qualitative or linked is None or linked.target is None:
            objectives.append(ob)
            continue
        growth = factors["objective"].get(ob.id, 0.0)
        baseline = nice(linked.target / (1 + growth)) if growth > -1 else None
        # the target stays the KPI's (typed once): the Objectives sheet shows it by formula
        objectives.append(replace(ob, baseline=baseline, target=None))
    return replace(plan, kpis=kpis, objectives=objectives, paths=paths)


@functools.cache
def data_header_aliases() -> dict[str, str]:
    """Data headers in every language that has a pack, normalised, -> column key."""
    folder = templates_root() / "labels"
    out: dict[str, str] = {}
    for lang in languages(folder):
        labels = load_labels(folder, lang, sections=("data",))
        for column in DATA_COLUMNS:
            out.setdefault(normalise_header(labels.get(f"data.{column}", column)), column)
    return out


def metric_label(name: str, english: Catalog, catalog: Catalog) -> str:
    """A template's metric (key or English label) as ``catalog`` labels it."""
    metric = english.by_label(name)
    return next((m.label for m in catalog if metric and m.key == metric.key), name)


def nice(value: float, digits: int = 3) -> float:
    """Round to a few significant digits, as a person would write a target."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    places = digits - 1 - math.floor(math.log10(abs(value)))
    return round(value, places)


def template_binding(raw: dict[str, Any], labels: Labels, channels: list[str]) -> ChannelBinding:
    """The template's channels (strategies, KPIs, money lines) bound to the data's
    ``channels`` by name in any language; unbound ones are named in the plan's language."""
    named = [
        str(row["channel"])
        for section in ("strategies", "kpis", "money")
        for row in raw.get(section, [])
        if row.get("channel") not in (None, "", "All")
    ]
    prefix = "channel."
    plan_names = {k[len(prefix) :]: v for k, v in labels.texts.items() if k.startswith(prefix)}
    return bind_channels(named, channels, pack_channel_keys(templates_root()), plan_names)


@functools.cache
def pack_channel_keys(root: Path) -> dict[str, str]:
    """Folded channel name in any label pack under ``root`` -> its key."""
    folder = root / "labels"
    packs = (load_labels(folder, lang, sections=("channel",)).texts for lang in languages(folder))
    return channel_keys(packs)


def example_in_language(frame: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """The bundled example data with its channels and campaigns named in the plan's
    language (the packs' ``[channel]`` and ``[campaign]`` sections)."""
    if labels.lang == "en":
        return frame
    english = load_labels(templates_root() / "labels", "en").texts
    out = frame.copy()
    for column, section in (("channel", "channel."), ("campaign", "campaign.")):
        names = {v: labels.get(k, v) for k, v in english.items() if k.startswith(section)}
        out[column] = out[column].astype(object).map(lambda v, n=names: n.get(v, v))
    return out
