"""The Budget mix sheet: each paid channel's response curve, and a proposed weekly split
the user edits, with the predicted result recalculating in native formulas.

Per channel (a row each, in name order): the curve's parameters as values stamped with
their fit date, or the reason it cannot be estimated; current weekly spend and the
prediction there; the recommended split of the same weekly budget; the proposed weekly
spend (an input: `xlmplan allocate` writes its split there) with the predicted result,
change, marginal return and ROAS at it (the ``*_xl`` twins of ``core/response.py``).
Below, the points of each curve over a grid of weekly spend, computed by formulas, feed
one chart per curve with the current and proposed spend marked.

The proposed cells are the user's: a refresh leaves them alone, except when the channels
change and a row now holds another channel (its value follows its channel) and when
`allocate` writes its split (``Sheet.rewrite``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlmplan.core import response as rs
from xlmplan.core.allocator import EXTRAPOLATION, Allocation, Channel, allocate, predict
from xlmplan.core.model import MixState
from xlmplan.core.rules import is_num
from xlmplan.sheets.context import FIRST, TABLE_ROW, Ctx, blank
from xlmplan.sheets.layout import Chart, Series, Sheet, a1, quote_sheet, rng
from xlmplan.sheets.tables import title

COLS = (
    "channel",
    "verdict",
    "base",
    "beta",
    "k",
    "alpha",
    "theta",
    "r2",
    "max_seen",
    "current",
    "predicted_current",
    "recommended",
    "proposed",
    "predicted",
    "change",
    "marginal",
    "roas",
)
C = {key: j for j, key in enumerate(COLS)}
PARAMS = ("base", "beta", "k", "alpha", "theta", "r2")
POINTS = 24  # grid steps from 0 to 1.5 × the highest weekly spend seen
STAMP = (TABLE_ROW - 1, 0)
MOVE_NAME = "mix_move"
METRIC: rs.ResponseMetric = "revenue"
MOVE_SHARE = 0.01  # moves below 1 % of the weekly budget are not named
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Mix:
    """The fits and the recommended split the sheet shows (weekly amounts)."""

    fits: list[rs.Fit]  # channels with spend in Data, in name order
    channels: list[Channel]
    current: Allocation
    recommended: Allocation


_CACHE: dict[str, list[rs.Fit]] = {}


def fits_for(data: pd.DataFrame, metric: rs.ResponseMetric = METRIC) -> list[rs.Fit]:
    """``fit_all`` of Data's weekly series, remembered by the series' content: a refresh,
    `allocate` and the Scenarios' contingency in one process fit once."""
    series = rs.weekly(data, metric)
    digest = hashlib.sha256(metric.encode())
    digest.update("\0".join(map(str, series.spend.columns)).encode("utf-8"))
    for frame in (series.spend, series.response):
        digest.update(np.ascontiguousarray(frame.to_numpy(dtype=float)).tobytes())
    digest.update(np.asarray(series.weeks.asi8).tobytes())
    key = digest.hexdigest()
    if key not in _CACHE:
        _CACHE.clear()  # one series at a time: a plan's, not a history of them
        _CACHE[key] = rs.fit_all(series, metric)
    return _CACHE[key]


def remembered_fits() -> tuple[str, list[rs.Fit]] | None:
    """The fits this process made (or was given), with their series' key."""
    return next(iter(_CACHE.items()), None)


def remember_fits(key: str, fits: list[rs.Fit]) -> None:
    """Fits made earlier for the series with ``key`` (kept in the plan's refresh record):
    ``fits_for`` takes them while the series is the same (they are seeded: no refit)."""
    if not _CACHE:
        _CACHE[key] = fits


def channel_of(fit: rs.Fit) -> Channel:
    """The allocator's view of a fitted channel with the default bounds: 0 to 1.5 × the
    highest weekly spend seen."""
    return Channel(
        fit.channel,
        fit.curve,
        fit.current_weekly_spend,
        fit.current_weekly_response,
        fit.max_weekly_spend,
        0.0,
        EXTRAPOLATION * fit.max_weekly_spend,
        draws=tuple(fit.boot),
    )


def mix_of(data: pd.DataFrame, order: Sequence[str] = ()) -> Mix:
    """Fit the paid channels and split today's weekly budget by the curves. The channels
    come in ``order`` (the plan's channel list, the same in every language), then any
    other channel by name."""
    rank = {c.casefold(): i for i, c in enumerate(order)}
    fits = sorted(
        (f for f in fits_for(data) if f.max_weekly_spend > 0),
        key=lambda f: (rank.get(f.channel.casefold(), len(rank)), f.channel),
    )
    channels = [channel_of(f) for f in fits]
    current = predict(channels, {ch.name: ch.current for ch in channels})
    recommended = split_for(channels) if fits else current
    return Mix(fits, channels, current, recommended)


_SPLITS: dict[str, dict[str, float]] = {}


def split_key(channels: Sequence[Channel], budget: float) -> str:
    """What ``allocate(channels, budget)`` depends on, as a digest: every channel's curve,
    refits, current spend and response, bounds and place in the list, and the budget."""
    text = repr((list(channels), budget))  # floats in repr round-trip exactly
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_for(channels: Sequence[Channel]) -> Allocation:
    """``allocate`` of today's weekly budget over ``channels``, its split remembered by
    ``split_key``: a refresh whose curves and current spend are the ones the plan's record
    keeps takes the split from it (no optimiser runs, scipy is not imported). The
    Allocation is ``predict`` at that split either way (as ``allocate`` returns it)."""
    budget = sum(ch.current for ch in channels)
    key = split_key(channels, budget)
    spend = _SPLITS.get(key)
    if spend is None or set(spend) != {ch.name for ch in channels}:
        spend = {name: float(x) for name, x in allocate(channels, budget).spend.items()}
        _SPLITS.clear()  # one split at a time: the plan's
        _SPLITS[key] = spend
    return predict(channels, spend)


def remembered_split() -> tuple[str, dict[str, float]] | None:
    """The Budget mix split this process made (or was given), with its key."""
    return next(iter(_SPLITS.items()), None)


def remember_split(key: str, spend: dict[str, float]) -> None:
    """A split made earlier for the channels and budget with ``key`` (kept in the plan's
    refresh record): ``split_for`` takes it while they are the same."""
    if not _SPLITS:
        _SPLITS[key] = dict(spend)


def move_text(ctx: Ctx, mix: Mix, weeks_left: float) -> str:
    """The recommended reallocation in words: channels and weekly amounts, and its effect."""
    budget = mix.current.total_spend
    moves = [
        (name, mix.recommended.spend[name] - mix.current.spend[name])
        for name in sorted(mix.current.spend)
    ]
    named = [(n, d) for n, d in moves if abs(d) >= MOVE_SHARE * budget and abs(d) >= 0.5]
    if not named:
        return ctx.t("budget_mix.move_none")
    named.sort(key=lambda m: m[1])  # cuts first, then the channels that receive
    change = mix.recommended.total_response - mix.current.total_response
    # with no full week left in the plan there is no total to the plan's end to name
    key = "budget_mix.move" if weeks_left >= 1 else "budget_mix.move_weekly"
    return ctx.t(key).format(
        moves=", ".join(f"{n} {d:+,.0f}" for n, d in named),
        metric=ctx.t(f"data.{METRIC}"),
        change=f"{change:+,.0f}",
        total=f"{change * weeks_left:+,.0f}",
    )


def contingency_xl(now: str, realistic: str, pessimistic: str) -> str:
    """The part the Scenarios scorecard adds to its contingency text: the recommended
    reallocation, when the case now is the realistic or the pessimistic one."""
    return f'IF(AND(OR({now}={realistic},{now}={pessimistic}),{MOVE_NAME}<>""),"; "&{MOVE_NAME},"")'


def contingency(ctx: Ctx, scenario: str | None) -> str:
    """``contingency_xl``'s value for the scenario a KPI is in now."""
    names = ctx.words.scenarios
    move = str(ctx.positions.get(MOVE_NAME, ""))
    return "; " + move if move and scenario in (names[1], names[2]) else ""


def _weeks_left(ctx: Ctx) -> float:
    as_of = ctx.results.as_of
    end = ctx.plan.settings.end
    return max((end - as_of).days, 0) / 7.0 if as_of else 0.0


def build(ctx: Ctx, data: pd.DataFrame, today: dt.date | None = None) -> Sheet:
    t = ctx.t
    sheet = Sheet("budget_mix", ctx.sheet("budget_mix"), protect=True, tab_color="#7030A0")
    title(sheet, t("budget_mix.title"), t("budget_mix.subtitle"))
    mix = mix_of(data, ctx.plan.channels)
    state: MixState = ctx.plan.mix_state
    metric = t(f"data.{METRIC}")
    series = rs.weekly(data, METRIC)
    n = len(mix.fits)
    params = [_params(f) for f in mix.fits]
    date = _fit_date(state, mix.fits, params, today or dt.date.today())
    if len(series.weeks):
        last = series.weeks[-1] + pd.Timedelta(days=6)
        stamp = t("budget_mix.fitted").format(
            date=date.isoformat(),
            weeks=len(series.weeks),
            metric=metric,
            first=series.weeks[0].date().isoformat(),
            last=last.date().isoformat(),
        )
        sheet.put(*STAMP, stamp, "note")
    for j, key in enumerate(COLS):
        style = "header" if key == "proposed" else "header:derived"
        sheet.put(TABLE_ROW, j, t(f"budget_mix.{key}"), style)

    proposed = _proposed(state, mix)
    for i, (fit, ch) in enumerate(zip(mix.fits, mix.channels, strict=True)):
        _row(ctx, sheet, FIRST + i, fit, ch, mix, params[i], proposed[fit.channel])
    moved = _moved_rows(state, mix)
    sheet.rewrite = {(FIRST + i, C["proposed"]) for i in moved}
    total = FIRST + n
    sheet.put(total, 0, t("budget_mix.total"), "total:text")
    for key in ("current", "predicted_current", "recommended", "proposed", "predicted", "change"):
        j = C[key]
        values = [sheet.cells[(FIRST + i, j)].value for i in range(n)]
        if not n:  # no paid channel: a total of nothing (a SUM here would read itself)
            sheet.put(total, j, 0.0, "total:money0")
            continue
        col = rng(None, FIRST, j, total - 1, j)
        sheet.formula(total, j, f"SUM({col})", sum(v for v in values if is_num(v)), "total:money0")

    move = move_text(ctx, mix, _weeks_left(ctx))
    ctx.positions[MOVE_NAME] = move
    sheet.put(total + 2, 0, move, "label:strong")
    ctx.define(MOVE_NAME, f"{quote_sheet(sheet.name)}!{a1(total + 2, 0, True, True)}")
    _grid_and_charts(ctx, sheet, mix, total + 4, metric)
    for j, width in enumerate((18, 30, 12, 12, 12, 9, 9, 8, 12, 12, 12, 12, 12, 12, 12, 12, 10)):
        sheet.width(j, width)
    sheet.freeze = (FIRST, 1)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)
    return sheet


def _params(fit: rs.Fit) -> tuple[float, ...] | None:
    c = fit.curve
    return None if c is None else (c.base, c.beta, c.k, c.alpha, c.theta, float(fit.r2 or 0.0))


def _fit_date(
    state: MixState, fits: list[rs.Fit], params: list[tuple[float, ...] | None], today: dt.date
) -> dt.date:
    """The date the curves were fitted: kept from the sheet while the fit is the same."""
    found = _DATE.search(state.stamp)
    if not found:
        return today
    same = (
        [f.channel for f in fits] == [c for c, _ in state.rows]
        and all(
            (old is None and new is None)
            or (old is not None and new is not None and np.allclose(old, new, rtol=1e-9, atol=0))
            for old, new in zip(state.params, params, strict=False)
        )
        and len(state.params) == len(params)
    )
    if not same:
        return today
    try:
        return dt.date.fromisoformat(found.group(0))
    except ValueError:
        return today


def cents(amount: float) -> float:
    """A weekly amount as the sheet holds it: whole cents, so that a value read back from
    the file is the value written (a refresh then finds nothing changed)."""
    return round(float(amount), 2)


def _proposed(state: MixState, mix: Mix) -> dict[str, Any]:
    """Each channel's proposed weekly spend: `allocate`'s split, else what the sheet holds
    for the channel, else its current weekly spend."""
    held = {c: v for c, v in state.rows if c}
    out: dict[str, Any] = {}
    for fit in mix.fits:
        if state.override is not None and fit.channel in state.override:
            out[fit.channel] = cents(state.override[fit.channel])
        elif fit.channel in held and held[fit.channel] not in (None, ""):
            out[fit.channel] = held[fit.channel]
        else:
            out[fit.channel] = cents(fit.current_weekly_spend)
    return out


def _moved_rows(state: MixState, mix: Mix) -> set[int]:
    """Rows whose proposed cell the refresh writes: all with `allocate`'s split, else rows
    that now hold another channel than the sheet has, and old rows past the new last."""
    n = len(mix.fits)
    if state.override is not None:
        return set(range(n))
    old = [c for c, _ in state.rows]
    if not old:
        return set()
    moved = {i for i, f in enumerate(mix.fits) if i >= len(old) or old[i] != f.channel}
    return moved | set(range(n, len(old) + 1))


def _row(
    ctx: Ctx,
    sheet: Sheet,
    r: int,
    fit: rs.Fit,
    ch: Channel,
    mix: Mix,
    params: tuple[float, ...] | None,
    proposed: Any,
) -> None:
    c = {key: a1(r, j) for key, j in C.items()}
    sheet.put(r, C["channel"], fit.channel, "derived:text")
    verdict = ctx.t("budget_mix.estimable") if fit.estimable else fit.reason
    sheet.put(r, C["verdict"], verdict, "derived:text")
    styles = ("derived:money0", "derived:money0", "derived:money0", "derived:num")
    for key, style in zip(PARAMS, (*styles, "derived:pct", "derived:num"), strict=True):
        sheet.put(r, C[key], None if params is None else params[PARAMS.index(key)], style)
    sheet.put(r, C["max_seen"], fit.max_weekly_spend, "derived:money0")
    current = cents(fit.current_weekly_spend)
    sheet.put(r, C["current"], current, "derived:money0")
    sheet.put(r, C["recommended"], mix.recommended.spend[fit.channel], "derived:money0")
    sheet.put(r, C["proposed"], proposed, "input:money0")
    refs = (c["base"], c["beta"], c["k"], c["alpha"])
    x = proposed if is_num(proposed) else None
    if fit.curve is None:  # held at its current spend: its current weekly result
        sheet.put(r, C["predicted_current"], fit.current_weekly_response, "derived:money0")
        sheet.formula(
            r, C["predicted"], c["predicted_current"], fit.current_weekly_response, "derived:money0"
        )
        sheet.formula(r, C["change"], "0", 0, "derived:money0")
        sheet.put(r, C["marginal"], None, "derived:num")
        sheet.put(r, C["roas"], None, "derived:ratio")
        return
    cv = (fit.curve.base, fit.curve.beta, fit.curve.k, fit.curve.alpha)
    now = rs.curve_response(current, *cv)
    then = rs.curve_response(x, *cv)
    sheet.formula(
        r,
        C["predicted_current"],
        rs.curve_response_xl(c["current"], *refs),
        blank(now),
        "derived:money0",
    )
    sheet.formula(
        r,
        C["predicted"],
        rs.curve_response_xl(c["proposed"], *refs),
        blank(then),
        "derived:money0",
    )
    change = None if then is None or now is None else then - now
    sheet.formula(
        r,
        C["change"],
        f"IF(AND(ISNUMBER({c['predicted']}),ISNUMBER({c['predicted_current']})),"
        f'{c["predicted"]}-{c["predicted_current"]},"")',
        blank(change),
        "derived:money0",
    )
    sheet.formula(
        r,
        C["marginal"],
        rs.marginal_return_xl(c["proposed"], *refs),
        blank(rs.marginal_return(x, *cv)),
        "derived:num",
    )
    sheet.formula(
        r,
        C["roas"],
        rs.roas_at_xl(c["proposed"], *refs),
        blank(rs.roas_at(x, *cv)),
        "derived:ratio",
    )


def _grid_and_charts(ctx: Ctx, sheet: Sheet, mix: Mix, top: int, metric: str) -> None:
    """Each curve's points over 0 .. 1.5 × the highest weekly spend seen (formulas on
    the row's parameters), and a chart of them with the current and proposed spend."""
    t = ctx.t
    fitted = [(i, f) for i, f in enumerate(mix.fits) if f.curve is not None]
    if not fitted:
        return
    sheet.put(top, 0, t("budget_mix.grid"), "section")
    head = top + 1
    name = sheet.name
    for j, (i, fit) in enumerate(fitted):
        assert fit.curve is not None
        r = FIRST + i
        xs_col, ys_col = 2 * j, 2 * j + 1
        sheet.formula(
            head, xs_col, f'{a1(r, C["channel"], True, True)}&""', fit.channel, "header:derived"
        )
        sheet.put(head, ys_col, metric, "header:derived")
        refs = [a1(r, C[k], True, True) for k in ("base", "beta", "k", "alpha")]
        top_spend = a1(r, C["max_seen"], True, True)
        for p in range(POINTS + 1):
            row = head + 1 + p
            x = fit.max_weekly_spend * EXTRAPOLATION * p / POINTS
            sheet.formula(
                row, xs_col, f"{top_spend}*{EXTRAPOLATION}*{p}/{POINTS}", x, "derived:money0"
            )
            y = rs.curve_response(x, fit.curve.base, fit.curve.beta, fit.curve.k, fit.curve.alpha)
            sheet.formula(
                row,
                ys_col,
                rs.curve_response_xl(a1(row, xs_col), *refs),
                blank(y),
                "derived:money0",
            )
        last = head + 1 + POINTS

        def point(key: str, value_key: str, row: int = r) -> tuple[str, str]:
            return rng(name, row, C[key], row, C[key]), rng(
                name, row, C[value_key], row, C[value_key]
            )

        cur_x, cur_y = point("current", "predicted_current")
        pro_x, pro_y = point("proposed", "predicted")
        sheet.charts.append(
            Chart(
                "scatter",
                t("budget_mix.chart").format(channel=fit.channel, metric=metric),
                [
                    Series(
                        t("budget_mix.series_curve"),
                        rng(name, head + 1, xs_col, last, xs_col),
                        rng(name, head + 1, ys_col, last, ys_col),
                        color="#1F4E78",
                    ),
                    Series(
                        t("budget_mix.series_current"),
                        cur_x,
                        cur_y,
                        color="#7F7F7F",
                        marker="circle",
                    ),
                    Series(
                        t("budget_mix.series_proposed"),
                        pro_x,
                        pro_y,
                        color="#C00000",
                        marker="diamond",
                    ),
                ],
                anchor=(TABLE_ROW + 16 * j, len(COLS) + 1),
                size=(480, 300),
                value_format="#,##0",
                category_format="#,##0",
            )
        )


def state_from_cells(cells: list[list[Any]]) -> MixState:
    """The sheet as a refresh reads it back: the stamp, and per row the channel, its
    proposed weekly spend and the curve parameters shown."""

    def at(r: int, c: int) -> Any:
        return cells[r][c] if r < len(cells) and c < len(cells[r]) else None

    stamp = at(*STAMP)
    rows: list[tuple[str, Any]] = []
    params: list[tuple[float, ...] | None] = []
    r = FIRST
    while r < len(cells):
        name = at(r, C["channel"])
        head = at(r, C["verdict"])
        if name in (None, "") or (
            head in (None, "") and not any(is_num(at(r, C[k])) for k in PARAMS)
        ):
            break
        rows.append((str(name), at(r, C["proposed"])))
        values = [at(r, C[k]) for k in PARAMS]
        params.append(tuple(float(v) for v in values) if all(is_num(v) for v in values) else None)
        r += 1
    return MixState(str(stamp or ""), rows, params)
