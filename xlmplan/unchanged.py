"""A refresh that has nothing to do, told from the zip directory.

A refresh's output depends only on the plan file's parts and on the installed xlmplan:
the as-of date comes from Data (or the date typed on Start), never from the clock, and
the one clock reading — the Budget mix's "fitted on" date — is read back from the sheet
while the fit is the same. So when every part still has the CRC-32 and size the last
refresh recorded when it wrote the file (``xlsx/refresh_record.py``), and xlmplan's
version is the same, a refresh would write nothing: the KPIs and findings are those the
file caches, and are read from it instead of recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlmplan.xlsx.package import open_package
from xlmplan.xlsx.package_write import check_writable
from xlmplan.xlsx.plan_lock import plan_lock
from xlmplan.xlsx.refresh_record import up_to_date

if TYPE_CHECKING:
    from xlmplan.core.checks import Finding
    from xlmplan.kpis import KpiReport
    from xlmplan.xlsx.plan_file import PlanFile


@dataclass
class Unchanged:
    """What a refresh of an unchanged plan reports: its KPIs and findings as cached."""

    report: KpiReport
    findings: list[Finding]


def unchanged(path: Path) -> Unchanged | None:
    """The plan's cached KPIs and findings when every part is the one the last refresh
    wrote (None: the plan changed, or no refresh recorded it, so refresh it in full).
    Only the parts read are inflated, each checked as it is. The plan is held as a
    refresh holds it: a file a refresh would refuse (read-only, locked, being written by
    another run) is refused the same way."""
    path = Path(path)
    check_writable(path)
    with plan_lock(path):
        with open_package(path, verify=False) as pkg:
            if not up_to_date(pkg):
                return None
        from xlmplan.kpis import cached_kpis
        from xlmplan.xlsx.plan_file import open_plan

        pf = open_plan(path, verify=False)
        try:
            return Unchanged(cached_kpis(pf), checks_findings(pf))
        finally:
            pf.close()


def checks_findings(pf: PlanFile) -> list[Finding]:
    """The findings the Checks sheet lists (severity read back through the plan's
    labels), in its order."""
    from xlmplan.core.checks import Finding
    from xlmplan.core.labels import load_labels
    from xlmplan.core.template import templates_root
    from xlmplan.sheets.context import TABLE_ROW

    labels = load_labels(templates_root() / "labels", pf.manifest.get("language", "en"))
    severity = {labels[f"severity.{key}"]: key for key in ("error", "warning", "info")}
    cells: list[list[Any]] = pf.cells(pf.sheets["checks"])
    out = []
    for row in cells[TABLE_ROW + 1 :]:
        kind = severity.get(_text(row[0]) if row else "")
        if kind is None:
            continue  # "No findings", or a blank row
        where = _text(row[1]) if len(row) > 1 else ""
        message = _text(row[2]) if len(row) > 2 else ""
        out.append(Finding(kind, where, message))
    return out


def _text(value: Any) -> str:
    return "" if value is None else str(value)
