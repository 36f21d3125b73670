"""Where a plan's Data table stands and what its headers say (the reader matches
columns by header, so xlmplan's names and checks must too)."""

from __future__ import annotations

from xlmplan.xlsx.plan_file import PlanFile, recorded_data


def data_headers(pf: PlanFile) -> list[str]:
    """The Data table's headers as text (from the refresh record while it matches)."""
    copy = recorded_data(pf)
    if copy is not None:
        return list(copy.headers)
    info = pf.table("data")
    row = pf.cells(info.sheet)[info.r1][info.c1 : info.c2 + 1]
    return ["" if v is None else str(v) for v in row]


def data_where(pf: PlanFile) -> tuple[str, int, int]:
    """The Data table's sheet name, 0-based header row and first column."""
    info = pf.table("data")
    return info.sheet.name, info.r1, info.c1
