"""The Checks sheet (findings) and the hidden manifest sheet."""

from __future__ import annotations

from xlmplan.core.checks import Finding
from xlmplan.sheets.context import TABLE_ROW, Ctx
from xlmplan.sheets.layout import Sheet
from xlmplan.sheets.tables import title, traffic_lights

MANIFEST_SHEET = "_xlmplan"
COLOURED_ROWS = 500


def build(ctx: Ctx, findings: list[Finding]) -> Sheet:
    t = ctx.t
    sheet = Sheet("checks", ctx.sheet("checks"), protect=True, tab_color="#A5A5A5")
    title(sheet, t("checks.title"), t("checks.subtitle"))
    for j, key in enumerate(("severity", "where", "message")):
        sheet.put(TABLE_ROW, j, t(f"checks.{key}"), "header")
    for i, f in enumerate(findings):
        r = TABLE_ROW + 1 + i
        sheet.put(r, 0, t(f"severity.{f.severity}"), "derived:text")
        sheet.put(r, 1, f.where, "derived:text")
        sheet.put(r, 2, f.message, "derived:wrap")
    if not findings:
        sheet.put(TABLE_ROW + 1, 0, t("checks.none"), "derived:text")
    # the colours cover a fixed band of rows, so a finding more or less leaves the
    # sheet's formats as they are (a live workbook takes the new findings as cell edits)
    last = TABLE_ROW + max(len(findings), COLOURED_ROWS)
    words = [t(f"severity.{key}") for key in ("info", "warning", "error")]
    traffic_lights(sheet, TABLE_ROW + 1, 0, last, 0, words)
    sheet.width(0, 12)
    sheet.width(1, 26)
    sheet.width(2, 100)
    sheet.freeze = (TABLE_ROW + 1, 0)
    sheet.print_rows = (TABLE_ROW, TABLE_ROW)  # repeated on every printed page
    return sheet


def manifest(entries: dict[str, str]) -> Sheet:
    """A very hidden sheet of key/value rows: version, language and each sheet's role.

    Sheets and tables are found through it, never by their displayed names.
    """
    sheet = Sheet("manifest", MANIFEST_SHEET, protect=True, hidden=True)
    sheet.put(0, 0, "key", "text")
    sheet.put(0, 1, "value", "text")
    for i, (key, value) in enumerate(entries.items(), start=1):
        sheet.put(i, 0, key, "text")
        sheet.put(i, 1, value, "text")
    return sheet
