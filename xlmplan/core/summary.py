"""Rules of the executive summary, each a Python function and its ``*_xl`` formula twin.

- The scenario the plan is in is the worst case any KPI is in (pessimistic before
  realistic before optimistic): management plans for the weakest part of the plan.
- The strongest TOWS pairs are the pairs of the TOWS grid with the highest score products;
  equal products keep grid order (SO, ST, WO, WT; then by rank), through a tie-broken key
  ``product - index / 1000`` that both engines compute alike (products of 1-25 scores
  are whole numbers, so the key never reorders different products).
"""

from __future__ import annotations

from collections.abc import Sequence

TIE = 1000  # index / TIE breaks ties; at most TIE - 1 grid pairs


def plan_scenario(now: Sequence[str | None], names: Sequence[str]) -> str:
    """The worst of the scenarios ``now`` holds (``names``: optimistic, realistic,
    pessimistic), compared without letter case; blank when none is set."""
    held = {str(n).casefold() for n in now if n}
    for name in reversed(names):
        if name.casefold() in held:
            return name
    return ""


def plan_scenario_xl(now_range: str, names: Sequence[str]) -> str:
    """Twin of :func:`plan_scenario` over the scorecard's "now" column."""
    formula = '""'
    for name in names:
        text = '"' + name.replace('"', '""') + '"'
        formula = f"IF(COUNTIF({now_range},{text})>0,{text},{formula})"
    return formula


def tie_key(product: float | None, index: int) -> float | None:
    """A grid pair's ranking key: its product less ``index / TIE`` (None when blank)."""
    return None if product is None else product - index / TIE


def tie_key_xl(product: str, index: int) -> str:
    return f'IF(ISNUMBER({product}),{product}-{index}/{TIE},"")'


def top_positions(keys: Sequence[float | None], n: int) -> list[int | None]:
    """0-based positions of the ``n`` largest keys (None past the last number)."""
    ranked = sorted((k, i) for i, k in enumerate(keys) if k is not None)
    ranked.reverse()
    return [ranked[j][1] if j < len(ranked) else None for j in range(n)]


def top_position_xl(keys: str, k: int) -> str:
    """1-based position of the ``k``-th largest key in the range ``keys`` (blank: none)."""
    return f'IFERROR(MATCH(LARGE({keys},{k}),{keys},0),"")'
