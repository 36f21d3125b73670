"""Hostile names and files against xlmplan's formulas and copies.

Channel, campaign, SWOT and KPI texts with wildcards (``* ? ~``) or a leading comparison
operator (``< > =``) must be matched literally by every formula, and the cached values
must equal LibreOffice's full recalculation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from engines import NEEDS_LO, cached_values, compare, is_error

from xlmplan.api import PlanResult, new_plan
from xlmplan.core import rules
from xlmplan.libreoffice import runner

HOSTILE = ["*", "Paid*", "a?c", "~x", "<10", ">=5", "=Social", "قناة*", "کانال؟"]
# Names a wildcard or operator reading would confuse with the hostile ones.
PLAIN = ["Paid Search", "abc", "x", "Social", "قناة عربية", "5"]


def _python_match(criterion: str, values: list[str]) -> list[bool]:
    return [rules.same_text(criterion, v) for v in values]


@NEEDS_LO
def test_literal_criterion_matches_text_itself_in_libreoffice(tmp_path: Path) -> None:
    """SUMIFS, COUNTIFS and SUMIF with ``literal_criterion_xl`` against ``same_text``."""
    names = HOSTILE + PLAIN + ["PAID*"]
    weights = [2.0**i for i in range(len(names))]
    path = tmp_path / "criteria.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    for i, (name, w) in enumerate(zip(names, weights, strict=True)):
        ws.write_string(i + 1, 0, name)
        ws.write_number(i + 1, 1, w)
    last = len(names) + 1
    expected: dict[str, float] = {}
    for i, name in enumerate(names):
        r = i + 1
        crit = rules.literal_criterion_xl(f"D{r + 1}")
        ws.write_string(r, 3, name)
        hits = _python_match(name, names)
        total = sum(w for w, hit in zip(weights, hits, strict=True) if hit)
        cells = {
            "E": (f"=SUMIFS($B$2:$B${last},$A$2:$A${last},{crit})", total),
            "F": (f"=COUNTIFS($A$2:$A${last},{crit})", float(sum(hits))),
            "G": (f"=SUMIF($A$2:$A${last},{crit},$B$2:$B${last})", total),
        }
        for col, (formula, value) in cells.items():
            ws.write_formula(f"{col}{r + 1}", formula, None, value)
            expected[f"{col}{r + 1}"] = value
    wb.close()
    got = runner.recalculate(path).values["S"]
    wrong = {ref: (v, got.get(ref)) for ref, v in expected.items() if got.get(ref) != v}
    assert not wrong, wrong
    assert expected["F2"] == 1.0 and expected["E3"] == weights[1] + weights[-1]  # Paid*, PAID*


def _hostile_data(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channels = [*HOSTILE, *PLAIN[:5]]
    days = pd.date_range("2026-01-01", "2026-03-31", freq="D")
    rows = []
    for day in days:
        for c, channel in enumerate(channels):
            if (day.day + c) % 3:
                continue
            sessions = int(rng.integers(50, 500))
            clicks = int(sessions * 0.8)
            rows.append(
                {
                    "date": day.date().isoformat(),
                    "channel": channel,
                    "campaign": f"{channels[-1 - c]} {c}" if c % 2 else channels[-1 - c],
                    "impressions": clicks * 20,
                    "clicks": clicks,
                    "sessions": sessions,
                    "conversions": int(sessions * 0.03),
                    "revenue": round(float(rng.uniform(100, 5000)), 2),
                    "spend": round(float(rng.uniform(0, 900)), 2) if c % 4 else 0.0,
                    "new_customers": int(rng.integers(0, 20)),
                }
            )
    return pd.DataFrame(rows)


_EXTRA_KPIS = "".join(
    f'\n[[kpis]]\nid = "KX{i}"\nname = "Sessions {i}"\nmetric = "Sessions"\n'
    f'channel = "{name}"\ntarget_factor = 1.1\ndirection = "higher"\n'
    for i, name in enumerate(HOSTILE)
)
# A SWOT id a SEARCH would read as a wildcard ("S*" matches "S1"), cited by no objective.
_EXTRA_SWOT = (
    '\n[[swot]]\nid = "S*"\ntype = "S"\narea = "Brand"\nfactor = "Wildcard id"\n'
    'evidence = "none"\nimpact = 2\ncertainty = 2\n'
)


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    from xlmplan.core.template import BUNDLED

    folder = tmp_path_factory.mktemp("hostile")
    root = folder / "templates"
    shutil.copytree(BUNDLED, root)
    template = root / "templates" / "online_shop.toml"
    text = template.read_text(encoding="utf-8")
    first_swot = text.index("[[swot]]")
    text = text[:first_swot] + _EXTRA_SWOT.lstrip("\n") + "\n" + text[first_swot:]
    template.write_text(text + _EXTRA_KPIS, encoding="utf-8")
    csv = folder / "hostile.csv"
    _hostile_data().to_csv(csv, index=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLMPLAN_TEMPLATES", str(root))
        return new_plan(folder / "plan.xlsx", data=csv, start="2026-01", months=3)


def test_hostile_plan_carries_the_hostile_names(hostile_plan: PlanResult) -> None:
    plan = hostile_plan.plan
    assert set(HOSTILE) <= set(plan.channels)
    assert {k.channel for k in plan.kpis} >= set(HOSTILE)
    assert "S*" in {f.id for f in plan.swot}


def test_engine_sums_hostile_channels_literally(hostile_plan: PlanResult) -> None:
    data = _hostile_data()
    res, plan = hostile_plan.results, hostile_plan.plan
    for name in ("*", "Paid*", "<10", "=Social", "~x"):
        i = plan.channels.index(name)
        assert res.channel_sums[i]["sessions"] == float(
            data.loc[data["channel"] == name, "sessions"].sum()
        )


def test_wildcard_swot_id_is_not_cited_by_other_ids(hostile_plan: PlanResult) -> None:
    factors = hostile_plan.results.objective_rows[0]["substantiation"]
    assert "Wildcard id" not in factors and factors


@NEEDS_LO
def test_hostile_names_cached_values_equal_libreoffice(hostile_plan: PlanResult) -> None:
    cached = cached_values(hostile_plan.path)
    errors = [f"{s}!{a}" for s, vals in cached.items() for a, v in vals.items() if is_error(v)]
    assert not errors, errors[:10]
    recalculated = runner.recalculate(hostile_plan.path).values
    mismatches = compare(cached, recalculated)
    assert not mismatches, f"{len(mismatches)} cells differ:\n" + "\n".join(mismatches[:30])
