"""A refresh that has nothing to do, told from the zip directory.

A refresh's output depends only on the plan file's parts and on the installed xlmplan:
the as-of date comes from Data (or the date typed on Start), never from the clock, and
the one clock reading — the Budget mix's "fitted on" date — is read back from the sheet
while the fit is the same. So when every part still has the CRC-32 and size the last
refresh recorded when it wrote the file (``xlsx/refresh_record.py``), and xlmplan's
version is the same, a refresh would write nothing and report what that refresh
reported: its KPIs and findings, kept in the record beside the keys. Neither the engine
nor pandas is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xlmplan.core.finding import Finding
from xlmplan.kpi_report import KpiReport
from xlmplan.xlsx.package import open_package
from xlmplan.xlsx.package_write import check_writable
from xlmplan.xlsx.plan_lock import plan_lock
from xlmplan.xlsx.refresh_record import read_said, up_to_date


@dataclass
class Unchanged:
    """What a refresh of an unchanged plan reports: its KPIs and findings."""

    report: KpiReport
    findings: list[Finding]


def unchanged(path: Path) -> Unchanged | None:
    """The KPIs and findings of the refresh that wrote the plan, when every part is still
    the one it wrote (None: the plan changed, or no refresh recorded it, so refresh it
    in full). The plan is held as a refresh holds it: a file a refresh would refuse
    (read-only, locked, being written by another run) is refused the same way."""
    path = Path(path)
    check_writable(path)
    with plan_lock(path), open_package(path, verify=False) as pkg:
        if not up_to_date(pkg):
            return None
        said = read_said(pkg)
    if said is None:
        return None
    try:
        report = KpiReport.from_json(said["kpis"], said["status_words"])
        findings = [Finding(str(s), str(w), str(m)) for s, w, m in said["findings"]]
    except (KeyError, TypeError, ValueError):
        return None
    return Unchanged(report, findings)
