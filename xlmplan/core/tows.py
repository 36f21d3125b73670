"""TOWS pairs you can act on: the paired factors' texts and the strategies citing the pair.

Each rule is a Python function and its ``*_xl`` formula twin, as in ``rules.py``. A
strategy cites a pair in its TOWS pair column ("S1+O2", either order, any spacing or case).
The formula lists at most ``LISTED`` strategies (distinct ids, in table order) and the
count of the others, so it needs neither CONCAT nor TEXTJOIN (Excel 2019).
"""

from __future__ import annotations

from collections.abc import Sequence

LISTED = 3
JOIN = " × "


def pair_text(a_id: str, a_text: str, b_id: str, b_text: str) -> str:
    """``S1 Strong brand × O2 Growing mobile search``; blank when a factor is missing."""
    if not a_id or not b_id:
        return ""
    return f"{a_id} {a_text}{JOIN}{b_id} {b_text}"


def pair_text_xl(a_id: str, a_text: str, b_id: str, b_text: str) -> str:
    return f'IF(OR({a_id}="",{b_id}=""),"",{a_id}&" "&{a_text}&"{JOIN}"&{b_id}&" "&{b_text})'


def _normal(pair: str) -> str:
    return pair.replace(" ", "").upper()


def citing(a_id: str, b_id: str, strategies: Sequence[tuple[str, str, str]], none_text: str) -> str:
    """The strategies (id, pair, name) whose pair is ``a_id``+``b_id``: "ST1 name; ST4
    name (+2)", ``none_text`` when none does, blank when a factor is missing."""
    if not a_id or not b_id:
        return ""
    keys = {_normal(f"{a_id}+{b_id}"), _normal(f"{b_id}+{a_id}")}
    matches = [(sid, name) for sid, pair, name in strategies if _normal(pair) in keys]
    if not matches:
        return none_text
    listed: list[tuple[str, str]] = []
    for sid, name in matches:
        if len(listed) < LISTED and all(sid.casefold() != s.casefold() for s, _ in listed):
            listed.append((sid, name))
    text = "; ".join(f"{sid} {name}" for sid, name in listed)
    if len(matches) > LISTED:
        text += f" (+{len(matches) - LISTED})"
    return text


def citing_xl(
    a_id: str,
    b_id: str,
    none_text: str,
    ids: str = "st_id",
    pairs: str = "st_pair",
    names: str = "st_name",
) -> str:
    """Array formula twin of :func:`citing` over the strategies' id, pair and name columns."""
    norm = f'SUBSTITUTE(UPPER({pairs})," ","")'
    cites = (
        f'(({norm}=SUBSTITUTE(UPPER({a_id}&"+"&{b_id})," ",""))'
        f'+({norm}=SUBSTITUTE(UPPER({b_id}&"+"&{a_id})," ",""))>0)'
    )
    positions: list[str] = []
    for _ in range(LISTED):
        others = "".join(f"*({ids}<>INDEX({ids},{p}))" for p in positions)
        positions.append(f"MATCH(1,{cites}*1{others},0)")
    parts = [
        f"IFERROR({'' if k == 0 else chr(34) + '; ' + chr(34) + '&'}"
        f'INDEX({ids},{p})&" "&INDEX({names},{p}),"")'
        for k, p in enumerate(positions)
    ]
    count = f"SUMPRODUCT({cites}*1)"
    extra = f'IF({count}>{LISTED}," (+"&({count}-{LISTED})&")","")'
    none = '"' + none_text.replace('"', '""') + '"'
    return f'IF(OR({a_id}="",{b_id}=""),"",IF({count}=0,{none},' + "&".join(parts) + f"&{extra}))"
