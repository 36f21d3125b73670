"""Refresh and check an existing plan: re-read inputs and Data, recompute, rewrite only
what xlmplan owns.

The freshly laid-out book is written to a scratch file (its Data sheet one row deep) and
serves as the source of every cell, format and name xlmplan owns; those are spliced into
the user's file part by part. Everything else in the file keeps its exact bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from xlmplan import __version__
from xlmplan.core import starter
from xlmplan.core.catalog import Catalog
from xlmplan.core.checks import Finding
from xlmplan.core.data import DATA_COLUMNS, cleaned_notes
from xlmplan.core.data_merge import unify_channels
from xlmplan.core.engine import Engine, Results, Words, labelled_periods
from xlmplan.core.inputs import plan_from_tables
from xlmplan.core.kpi_forecast import SeriesBacktest, plan_backtests
from xlmplan.core.labels import Labels, load_labels
from xlmplan.core.missing_measures import (
    column_positions,
    header_findings,
    missing_measures,
    without_missing,
)
from xlmplan.core.model import Plan
from xlmplan.core.template import (
    build_plan,
    data_header_aliases,
    load_raw,
    plan_catalog,
    templates_root,
    words_from,
)
from xlmplan.errors import DataError, TemplateError, WorkbookError
from xlmplan.io.plan_data import data_headers, data_where
from xlmplan.kept_sheets import kept_roles, sheet_digests, with_chart_sources
from xlmplan.kpis import kpi_report
from xlmplan.sheets import budget, budget_mix
from xlmplan.sheets.analysis import PICK_CELL
from xlmplan.sheets.book import ROLES, build_book
from xlmplan.sheets.cellrefs import Pos, cf_ranges, dv_ranges, expand, range_text
from xlmplan.sheets.layout import Book, Sheet, a1, rng
from xlmplan.sheets.print_setup import PrintTexts, page_setup
from xlmplan.xlsx import refresh_record as record_part
from xlmplan.xlsx.fastrows import column_styles, replace_rows, row_styles
from xlmplan.xlsx.limits import check_data_fits
from xlmplan.xlsx.package import Package, open_package, xml_bytes
from xlmplan.xlsx.package_write import check_writable, os_error, write_error, write_package
from xlmplan.xlsx.plan_file import PlanFile, data_frame, input_tables, open_plan
from xlmplan.xlsx.plan_lock import plan_lock, scratch_name
from xlmplan.xlsx.relayout import relay_charts, relay_sheet
from xlmplan.xlsx.sheet_formats import charts_of, own_links, patch_chart, replace_formats
from xlmplan.xlsx.sheet_graft import Graft, graft_sheet
from xlmplan.xlsx.splice import Q, SheetXml, fresh_cell, replace_print_setup, shared_strings
from xlmplan.xlsx.style_merge import StyleMap, merge_styles
from xlmplan.xlsx.well_formed import ill_formed_findings
from xlmplan.xlsx.workbook_order import free_sheet_name, sheet_position, workbook_child
from xlmplan.xlsx.writer import PRINT_NAMES, print_names, write_book

EXCEL_LAST_COL = 16383  # XFD, 0-based
OWNED_ROLES = tuple(r for r in ROLES if r != "data") + ("manifest",)


@dataclass
class Analysis:
    """A plan as read from its file, recomputed and laid out afresh (nothing written)."""

    pf: PlanFile
    plan: Plan
    data: pd.DataFrame
    results: Results
    book: Book
    findings: list[Finding]
    labels: Labels
    catalog: Catalog
    words: Words
    grown: dict[str, int]  # table -> rows taken in from below it
    restored: list[str] = field(default_factory=list)  # cells typed over a formula
    targets: dict[str, SheetXml] = field(default_factory=dict)  # role -> user's sheet part
    new_data: bool = False  # the Data rows come from an import and are rewritten
    data_last: int = 0  # 0-based last row of the Data table in the file as read
    relabel: bool = False  # the plan changes language: every format and chart is re-laid
    added: dict[str, str] = field(default_factory=dict)  # role -> name of a sheet refresh adds
    # role -> (old, new) span of xlmplan's cells on a sheet another version laid out
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)
    read: pd.DataFrame | None = None  # Data as read from the file (before channels unify)
    digests: dict[str, str] = field(default_factory=dict)  # role -> its layout's digest


@dataclass
class RefreshResult:
    path: Path
    written: bool
    backup: Path | None
    analysis: Analysis
    changed_parts: list[str]


def _where(sheet: Sheet, pos: Pos) -> str:
    return f"{sheet.name}!{a1(*pos)}"


def analyse(
    path: Path,
    data: pd.DataFrame | None = None,
    lang: str | None = None,
    proposed: dict[str, float] | None = None,
    *,
    forecasts: bool = True,
) -> Analysis:
    """Read, recompute and lay out a plan; the file stays open in ``Analysis.pf``.
    ``data`` replaces the Data rows (an import); otherwise they are read from the file.
    ``lang`` lays the plan out in another language (its inputs already relabelled).
    ``proposed`` is a weekly split for the Budget mix's proposed column (`allocate`).
    ``forecasts=False`` skips the KPI forecasts (no model is fitted; the Forecast sheet is
    laid out blank), for a caller that only reads the plan's inputs and Data."""
    path = Path(path)
    # parts are inflated and checked as they are read, or copied into the refreshed file
    pf = open_plan(path, verify=False)
    try:
        fits = record_part.recorded_fits(pf.pkg)
        if fits is not None:
            budget_mix.remember_fits(*fits)  # used while Data's weekly series is the same
        split = record_part.recorded_split(pf.pkg)
        if split is not None:
            budget_mix.remember_split(*split)  # used while the curves and spend are the same
        return _analyse(pf, data, lang, proposed, forecasts)
    except BaseException:
        pf.close()
        raise


def _analyse(
    pf: PlanFile,
    new_data: pd.DataFrame | None,
    relabel: str | None,
    proposed: dict[str, float] | None = None,
    forecasts: bool = True,
) -> Analysis:
    labels, words, catalog = plan_language(pf, relabel)
    template = pf.manifest.get("template", "online_shop")
    base, _ = build_plan(
        load_raw(template, labels.lang),
        labels,
        start=dt.date(2026, 1, 1),
        months=None,
        currency=None,
        channels=[],
    )

    tables = input_tables(pf)
    cleaned: list[str] = []
    read: pd.DataFrame | None = None
    if new_data is None:
        data = read = data_frame(pf)
        cleaned = cleaned_notes(data)
    else:
        data = new_data
        info = pf.table("data")
        check_data_fits(data, info.r1 + 1, str(pf.path), info.c1)
    data_last = pf.table("data").last
    if new_data is not None:
        info.last = info.r1 + max(len(data), 1)
    data, channels = unify_channels(data)
    try:
        plan, input_findings = plan_from_tables(tables, labels, base, channels)
    except DataError as exc:  # the core names the sheet and cell; the file is known here
        raise DataError(f"{pf.path}: {exc}") from None
    input_findings += [Finding("warning", pf.sheets["data"].name, n) for n in cleaned]
    catalog = without_missing(catalog, missing_measures(data))
    titles = {c: labels[f"data.{c}"] for c in DATA_COLUMNS}
    input_findings += header_findings(
        data_headers(pf), data_header_aliases(), data_where(pf), plan.kpis, catalog, titles
    )
    plan.analysis_metric = picked_label(pf)
    mix_sheet = pf.sheets.get("budget_mix")  # a plan from before the sheet has none yet
    plan.mix_state = budget_mix.state_from_cells(pf.cells(mix_sheet) if mix_sheet else [])
    plan.mix_state.override = proposed
    periods = labelled_periods(plan, labels)
    results = Engine(plan, data, catalog, words, periods, forecasts=forecasts).run()
    names = {role: pf.sheets[role].name for role in ROLES if role in pf.sheets}
    added = _added_names(pf, labels)
    names |= added
    grown = {n: t.grown for n, t in pf.tables.items() if t.grown > 0 and new_data is None}

    def lay_out(extra: list[Finding]) -> tuple[Book, list[Finding]]:
        book, findings = build_book(
            plan,
            data,
            catalog,
            labels,
            words,
            results,
            template,
            sheet_names=names,
            extra_findings=extra,
            calendar=pf.manifest.get("calendar", "gregorian"),
            table_at={name: (info.r1, info.c1) for name, info in pf.tables.items()},
            starter=starter.decode(pf.manifest.get(starter.MANIFEST_KEY)),
        )
        _fit_data(book, pf)
        return book, findings

    book, findings = lay_out(input_findings)
    targets = {
        role: SheetXml(pf.pkg.read(pf.sheets[role].part))
        for role in OWNED_ROLES
        if role in pf.sheets
    }
    restored: list[str] = []
    moved: dict[str, tuple[str, str]] = {}
    for role in ROLES:
        if role == "data" or role in added:
            continue
        sheet, target = book.sheet(role), targets[role]
        old, new = _old_owned(pf, role, sheet), sheet.owned()
        if _relaid(pf, old, new):
            moved[role] = (_span(old), _span(new))
        for pos in sorted(_typed_over(pf, role, old & new, target)):
            if sheet.cells[pos].formula:
                restored.append(_where(sheet, pos))
    if restored:
        extra = [Finding("warning", w, labels["check.restored"].format(cell=w)) for w in restored]
        book, findings = lay_out([*input_findings, *extra])
    an = Analysis(
        pf,
        plan,
        data,
        results,
        book,
        findings,
        labels,
        catalog,
        words,
        grown,
        restored,
        targets,
        new_data is not None,
        data_last,
        relabel is not None and relabel != pf.manifest.get("language", "en"),
        added,
        moved,
    )
    an.read = read
    return an


def _added_names(pf: PlanFile, labels: Labels) -> dict[str, str]:
    """The sheets of roles the plan's version did not have, named in the plan's language
    (a name one of the user's sheets already has gets a number)."""
    taken = {sheet.name for sheet in pf.pkg.sheets()}
    out: dict[str, str] = {}
    for role in pf.added:
        out[role] = free_sheet_name(labels[f"sheet.{role}"], taken)
        taken.add(out[role])
    return out


def layout_notes(an: Analysis) -> list[str]:
    """What a refresh changed in the plan's make-up: sheets added for roles the plan's
    version of xlmplan did not have, and sheets whose layout moved since that version."""
    made = an.pf.manifest.get("xlmplan.version", "an earlier version")
    notes = [
        f"Added the sheet '{name}': new in xlmplan {__version__} (the plan was made by {made})"
        for name in an.added.values()
    ]
    for role, (old, new) in an.moved.items():
        if an.pf.sheets[role].state != "visible":
            continue  # a helper sheet (Lists, Calc) follows silently
        notes.append(
            f"Laid out '{an.pf.sheets[role].name}' as xlmplan {__version__} does: its cells "
            f"now span {new} (were {old} in {made}); your own cells stay where they are"
        )
    names = {role: ref.name for role, ref in an.pf.sheets.items()} | an.added
    return notes + budget.layout_moved(an.pf.manifest, an.labels, names)


def picked_label(pf: PlanFile) -> str:
    """The metric picked on the Analysis sheet, as typed."""
    cells = pf.cells(pf.sheets["analysis"])
    row = cells[PICK_CELL[0]] if len(cells) > PICK_CELL[0] else []
    value = row[PICK_CELL[1]] if len(row) > PICK_CELL[1] else ""
    return "" if value is None else str(value)


def plan_language(pf: PlanFile, lang: str | None = None) -> tuple[Labels, Words, Catalog]:
    """The labels, formula words and metric catalog of a plan's language (or ``lang``)."""
    folder = templates_root() / "labels"
    try:
        labels = load_labels(folder, lang or pf.manifest.get("language", "en"))
    except TemplateError:  # a language this installation has no labels for
        labels = load_labels(folder, "en")
    return labels, words_from(labels), plan_catalog(labels)


def _fit_data(book: Book, pf: PlanFile) -> None:
    """Size the ``d_*`` names to the Data table as it stands in the file, each on the
    column its header names; a column whose header is gone gets an empty range of the
    same rows (the last column of Calc), so every engine sums nothing, as pandas does."""
    info = pf.table("data")
    sheet = book.sheet("data")
    last = max(info.last, info.r1 + 1)
    found = column_positions(data_headers(pf), data_header_aliases())
    for column in DATA_COLUMNS:
        if column in found:
            name, col = sheet.name, info.c1 + found[column]
        else:
            name, col = book.sheet("calc").name, EXCEL_LAST_COL
        book.names[f"d_{column}"] = "=" + rng(name, info.r1 + 1, col, last, col)


def _old_owned(pf: PlanFile, role: str, sheet: Sheet) -> set[Pos]:
    text = pf.manifest.get(f"owned.{role}")
    return expand(text) if text else sheet.owned()


# Owned cells where xlmplan 0.1.0 wrote numbers, by role: columns (None: every column).
_NUMBERS_0_1: dict[str, set[int] | None] = {"scenarios": {17}, "lists": None}


def _typed_over(pf: PlanFile, role: str, cells: set[Pos], target: SheetXml) -> set[Pos]:
    """The ``cells`` (owned before and now) whose formula a user typed over: where the
    manifest's ``formulas.<role>`` says xlmplan wrote a formula, the cell has none now.
    A plan from before that record (0.1.0) wrote labels as text: there a number
    without a formula was typed, except where 0.1.0 wrote numbers itself."""
    recorded = pf.manifest.get(f"formulas.{role}")
    if recorded is not None:
        cells &= expand(recorded)
        return {pos for pos in cells if target.has_content(pos) and not target.has_formula(pos)}
    own = _NUMBERS_0_1.get(role, set())
    return {
        pos
        for pos in cells
        if not target.has_formula(pos)
        and target.cached(pos, [])[0] == "n"
        and target.has_content(pos)
        and not (own is None or pos[1] in own)
    }


def _relaid(pf: PlanFile, old: set[Pos], new: set[Pos]) -> bool:
    """The sheet was laid out by another version of xlmplan, and its columns moved (rows
    come and go with the Tables beside them; that is growth, not a new layout)."""
    if pf.manifest.get("xlmplan.version") == __version__:
        return False
    return {c for _, c in old} != {c for _, c in new}


def _span(cells: set[Pos]) -> str:
    if not cells:
        return "-"
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    return range_text(min(rows), min(cols), max(rows), max(cols))


def refresh_plan(
    path: Path,
    *,
    backup: bool = True,
    data: pd.DataFrame | None = None,
    lang: str | None = None,
    proposed: dict[str, float] | None = None,
    remember: bool = False,
) -> RefreshResult:
    """Refresh ``path`` in place; returns what changed. Writes nothing when nothing changed.
    With ``data``, the Data table's rows are replaced by it first (an import); with
    ``lang``, the plan is laid out in that language (see ``xlmplan.language``); with
    ``proposed``, that weekly split goes into the Budget mix's proposed column; with
    ``remember``, a write also keeps the refresh record (``xlsx/refresh_record.py``). The
    plan is locked from the read to the replace."""
    path = Path(path)
    check_writable(path)
    with plan_lock(path):
        return _refresh(path, backup, data, lang, proposed, remember)


def _refresh(
    path: Path,
    backup: bool,
    data: pd.DataFrame | None,
    lang: str | None,
    proposed: dict[str, float] | None = None,
    remember: bool = False,
) -> RefreshResult:
    analysis = analyse(path, data, lang, proposed)
    try:
        pkg = analysis.pf.pkg
        spliced, add = _spliced_parts(analysis)
        replace = {part: data for part, data in spliced.items() if pkg.read(part) != data}
        changed = sorted([*replace, *add])
        written_backup: Path | None = None
        remove = drop_calc_chain(analysis.pf.pkg, replace)
        if replace or remove or add:
            if remember:
                _remember(analysis, replace, remove, add)
            written_backup = write_package(
                analysis.pf.pkg, path, replace=replace, remove=remove, add=add, backup=backup
            )
        return RefreshResult(
            path, bool(replace or remove or add), written_backup, analysis, changed
        )
    finally:
        analysis.pf.close()


def _remember(
    an: Analysis, replace: dict[str, bytes], remove: list[str], add: dict[str, bytes]
) -> None:
    """Add the refresh record to a write: the written parts' keys, the Data frame as
    parsed (not after an import: its rows are written, never parsed), the Budget mix's
    curves and split, and the KPIs and findings this refresh reports."""
    pkg = an.pf.pkg
    if not pkg.has(record_part.PART):
        types = _edited(pkg, replace, "[Content_Types].xml")
        name = "/" + record_part.PART
        if not any(el.get("PartName") == name for el in types):
            etree.SubElement(
                types,
                f"{{{record_part.CT_NS}}}Override",
                PartName=name,
                ContentType=record_part.CONTENT_TYPE,
            )
            replace["[Content_Types].xml"] = xml_bytes(types)
    keys = record_part.written_keys(pkg, replace, remove, add)
    if keys is None:
        return
    copy, data = None, None
    if an.read is not None and not an.new_data:
        info = an.pf.table("data")
        data = record_part.data_key(pkg, keys, info.sheet.name, info.sheet.part, info.part)
        copy = record_part.DataCopy(an.read, data_headers(an.pf))
    report = kpi_report(an.plan, an.results, an.catalog, an.words.status)
    said = {
        "kpis": report.as_json(),
        "status_words": list(report.status_words),
        "findings": [[f.severity, f.where, f.message] for f in an.findings],
    }
    fits, split = budget_mix.remembered_fits(), budget_mix.remembered_split()
    blob = record_part.record(keys, data, copy, fits, said, split, an.digests or None)
    (replace if pkg.has(record_part.PART) else add)[record_part.PART] = blob


def _spliced_parts(an: Analysis) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every part of the user's file that changes, and every part added (the sheets of
    roles the plan did not have), by part name."""
    pf, book = an.pf, an.book
    prints = print_names_of(book)  # before the Data rows are cut to one below
    for sheet in book.sheets:
        for frame in sheet.frames:
            frame.frame = frame.frame.iloc[:1]
    book.sheet("data").tables[0].n_rows = 1
    an.digests = sheet_digests(book)
    kept = _kept(an)
    written = [sheet for sheet in book.sheets if sheet.role not in kept]
    scratch = scratch_name(pf.path)
    try:
        _write_scratch(dataclasses.replace(book, sheets=written), scratch, pf.path)
        with open_package(scratch) as fresh:
            index = {sheet.role: i for i, sheet in enumerate(written)}
            parts = set(fresh.names())
            shared = shared_strings(
                fresh.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in parts else None
            )
            styles, style_map = merge_styles(
                pf.pkg.read("xl/styles.xml"), fresh.read("xl/styles.xml")
            )
            out: dict[str, bytes] = {}
            if styles is not None:
                out["xl/styles.xml"] = styles
            book_xml = pf.pkg.xml("xl/workbook.xml")
            graft = Graft(pf.pkg, book_xml)
            grafted = {}
            for role, name in an.added.items():
                part = f"xl/worksheets/sheet{index[role] + 1}.xml"
                position = sheet_position(_book_roles(pf, book_xml, an.added), role, ROLES)
                grafted[role] = graft_sheet(graft, fresh, part, name, position, shared, style_map)
            for role in OWNED_ROLES:
                if role in an.added or role in kept:
                    continue
                fresh_xml = SheetXml(fresh.read(f"xl/worksheets/sheet{index[role] + 1}.xml"))
                spliced = _splice_sheet(an, role, fresh_xml, shared, style_map)
                if spliced is not None:
                    out[pf.sheets[role].part] = spliced
            for role in ("dashboard", "budget_mix"):
                if role in an.added or role in kept:  # a grafted sheet brings its charts
                    continue
                out.update(_charts(an, fresh, index[role], graft, style_map, role))
            if an.new_data:
                out[pf.table("data").sheet.part] = _data_rows(
                    an, fresh, index["data"], style_map.xf
                )
            graft.finish()
            out.update(graft.replace)
    finally:
        scratch.unlink(missing_ok=True)
    out.update(_grown_tables(pf))
    roles = _book_roles(pf, book_xml, an.added)
    if _names(book_xml, book) | _print_names(book_xml, roles, prints) or an.added:
        out["xl/workbook.xml"] = xml_bytes(book_xml)
    pf.sheets.update(grafted)  # the written file's sheets, for what follows (share's seal)
    return out, graft.add


def _kept(an: Analysis) -> set[str]:
    """xlmplan's sheets left as they are (``kept_sheets.py``): none in a new language, an
    import, or a sheet laid out anew; the sheets charts being written read are written."""
    if an.relabel or an.new_data:
        return set()
    pf = an.pf
    parts = {
        role: pf.sheets[role].part
        for role in OWNED_ROLES
        if role in pf.sheets and role not in an.added and role not in an.moved
    }
    manifest = pf.sheets["manifest"].part if "manifest" in pf.sheets else None
    recorded = record_part.recorded_sheets(pf.pkg)
    kept = kept_roles(pf.pkg, parts, an.digests, recorded, manifest)
    written = {sheet.role for sheet in an.book.sheets} - kept
    return kept - with_chart_sources(an.book, written)


def _book_roles(pf: PlanFile, book_xml: etree._Element, added: dict[str, str]) -> list[str | None]:
    """Each sheet's role in book order (None for a user's own sheet)."""
    by_name = {ref.name: role for role, ref in pf.sheets.items()}
    by_name |= {name: role for role, name in added.items()}
    return [by_name.get(el.get("name", "")) for el in book_xml.iterfind(f"{Q}sheets/{Q}sheet")]


def _write_scratch(book: Book, scratch: Path, plan: Path) -> None:
    """The fresh layout, written beside the plan (a failure names the plan)."""
    try:
        write_book(book, scratch)
    except Exception as exc:
        cause = os_error(exc)
        if cause is None:
            raise
        raise write_error(plan, cause) from exc


def _splice_sheet(
    an: Analysis, role: str, fresh: SheetXml, shared: list[str], style_map: StyleMap
) -> bytes | None:
    """One of xlmplan's sheets with its owned cells (and formats) taken from the fresh
    layout; None when nothing in it changes."""
    pf, sheet, target = an.pf, an.book.sheet(role), an.targets[role]
    if role == "manifest":
        old, new = set(target.cells), set(fresh.cells)
    else:
        old, new = _old_owned(pf, role, sheet), sheet.owned()
        _refuse_collisions(pf, sheet, target, new - old - sheet.rewrite)
    before = etree.tostring(target.root)
    if role != "manifest":
        _formats(pf, role, sheet, target, fresh, style_map.dxf, an.relabel or role in an.moved)
        own_links(target.root, fresh.root, new)
        replace_print_setup(target.root, fresh.root)
    if role in an.moved:
        relay_sheet(target, fresh, style_map.xf, new)
    for pos in sorted(old - new):
        target.remove(pos)
    for pos in sorted(new | sheet.rewrite):
        cell = fresh.cells.get(pos)
        if cell is None:
            target.remove(pos)
        else:
            target.put(pos, fresh_cell(cell, shared, style_map.xf), fresh.rows.get(pos[0]))
    return target.finish() if etree.tostring(target.root) != before else None


def _formats(
    pf: PlanFile,
    role: str,
    sheet: Sheet,
    target: SheetXml,
    fresh: SheetXml,
    dxf_map: dict[int, int],
    relabel: bool = False,
) -> None:
    """Re-lay xlmplan's conditional formats and validations when their ranges changed
    (always when the language changes: rules compare with status words)."""
    old_cf, old_dv = pf.manifest.get(f"cf.{role}"), pf.manifest.get(f"dv.{role}")
    if old_cf is None or old_dv is None:
        return  # a plan from before ranges were recorded: leave its formats alone
    if (old_cf, old_dv) == (cf_ranges(sheet), dv_ranges(sheet)) and not relabel:
        return
    split = lambda text: {r for r in text.split(";") if r}  # noqa: E731
    replace_formats(target.root, fresh.root, split(old_cf), split(old_dv), dxf_map)


def _charts(
    an: Analysis,
    fresh: Package,
    index: int,
    graft: Graft,
    styles: StyleMap,
    role: str = "dashboard",
) -> dict[str, bytes]:
    """A sheet's charts (Dashboard, Budget mix) with the fresh series ranges and cached
    points (the fresh charts whole when the language changes: titles and series names are
    labels; and when another version wrote them and their series no longer pair up). A
    sheet laid out anew moves its charts; charts the fresh sheet has beyond the plan's are
    added."""
    pf = an.pf
    out: dict[str, bytes] = {}
    fresh_sheet = f"xl/worksheets/sheet{index + 1}.xml"
    fresh_charts = charts_of(fresh, fresh_sheet)
    mine = charts_of(pf.pkg, pf.sheets[role].part)
    other_version = pf.manifest.get("xlmplan.version") != __version__
    for target_part, fresh_part in zip(mine, fresh_charts, strict=False):
        if an.relabel or role in an.moved:
            out[target_part] = fresh.read(fresh_part)
            continue
        patched = patch_chart(pf.pkg.read(target_part), fresh.read(fresh_part))
        if patched is not None:
            out[target_part] = patched
        elif other_version and not _same_series(pf.pkg.read(target_part), fresh.read(fresh_part)):
            out[target_part] = fresh.read(fresh_part)
    if role in an.moved or len(fresh_charts) > len(mine):
        move = role in an.moved
        out.update(relay_charts(graft, fresh, fresh_sheet, pf.sheets[role].part, styles, move=move))
    return out


def _same_series(target: bytes, fresh: bytes) -> bool:
    count = lambda data: data.count(b"<c:ser>")  # noqa: E731
    return count(target) == count(fresh)


def _refuse_collisions(pf: PlanFile, sheet: Sheet, target: SheetXml, fresh: set[Pos]) -> None:
    for pos in sorted(fresh):
        if target.has_content(pos):
            where = _where(sheet, pos)
            raise WorkbookError(
                f"{pf.path}: {where} holds your own entry where the plan needs room to grow — "
                "move it elsewhere and refresh again"
            )


def _grown_tables(pf: PlanFile) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for info in pf.tables.values():
        if info.last == info.r2:
            continue
        el = pf.pkg.xml(info.part)
        ref = f"{a1(info.r1, info.c1)}:{a1(info.last, info.c2)}"
        el.set("ref", ref)
        auto = el.find(Q + "autoFilter")
        if auto is not None:
            auto.set("ref", ref)
        out[info.part] = xml_bytes(el)
    return out


def print_names_of(book: Book) -> dict[str, dict[str, str]]:
    """Per role, the print names (print area, titles) of xlmplan's visible sheets."""
    texts = book.print_texts or PrintTexts("", "", "")
    out = {}
    for sheet in book.sheets:
        setup = page_setup(sheet, texts)
        if setup is not None:
            out[sheet.role] = print_names(sheet.name, setup)
    return out


def _print_names(
    root: etree._Element, roles: list[str | None], prints: dict[str, dict[str, str]]
) -> bool:
    """Set the print names of xlmplan's sheets, scoped by their place in the workbook
    (``roles``: each sheet's role in book order); a user's sheets keep theirs. True when
    something changed."""
    container = workbook_child(root, "definedNames")
    mine = {str(i) for i, role in enumerate(roles) if role in ROLES}
    before = {}
    for dn in list(container.iter(Q + "definedName")):
        scope, name = dn.get("localSheetId"), dn.get("name", "")
        if scope in mine and name in PRINT_NAMES:
            before[(scope, name)] = dn.text
            container.remove(dn)
    after = {}
    for i, role in enumerate(roles):
        for name, text in prints.get(role or "", {}).items():
            dn = etree.SubElement(container, Q + "definedName", name=name, localSheetId=str(i))
            dn.text = after[(str(i), name)] = text
    return before != after


def _names(root: etree._Element, book: Book) -> bool:
    """Set xlmplan's defined names in workbook.xml to the new ranges; True when any
    changed."""
    container = workbook_child(root, "definedNames")
    existing = {
        dn.get("name"): dn
        for dn in container.iter(Q + "definedName")
        if dn.get("localSheetId") is None
    }
    changed = False
    for name, target in sorted(book.names.items()):
        text = target.lstrip("=")
        dn = existing.get(name)
        if dn is None:
            dn = etree.SubElement(container, Q + "definedName", name=name)
            changed = True
        if dn.text != text:
            dn.text = text
            changed = True
    return changed


def drop_calc_chain(pkg: Package, replace: dict[str, bytes]) -> list[str]:
    """Drop the calculation chain (Excel rebuilds it) when cells change: a stale chain
    naming removed formula cells makes Excel repair the file. Adds the rels and content
    types edits to ``replace``; returns the parts to remove."""
    if "xl/calcChain.xml" not in pkg.names() or not replace:
        return []
    rels_part = "xl/_rels/workbook.xml.rels"
    rels = _edited(pkg, replace, rels_part)
    for rel in list(rels):
        if rel.get("Target", "").endswith("calcChain.xml"):
            rels.remove(rel)
    replace[rels_part] = xml_bytes(rels)
    types = _edited(pkg, replace, "[Content_Types].xml")
    for over in list(types):
        if over.get("PartName", "") == "/xl/calcChain.xml":
            types.remove(over)
    replace["[Content_Types].xml"] = xml_bytes(types)
    return ["xl/calcChain.xml"]


def drop_record(pkg: Package, replace: dict[str, bytes]) -> list[str]:
    """Leave the refresh record out of a copy (a shared file is read, not refreshed): adds
    the content types edit to ``replace``; returns the parts to remove."""
    if not pkg.has(record_part.PART):
        return []
    types = _edited(pkg, replace, "[Content_Types].xml")
    for over in list(types):
        if over.get("PartName", "") == "/" + record_part.PART:
            types.remove(over)
    replace["[Content_Types].xml"] = xml_bytes(types)
    return [record_part.PART]


def _edited(pkg: Package, replace: dict[str, bytes], part: str) -> etree._Element:
    """``part`` as an earlier step left it in ``replace``, else as the file holds it."""
    if part in replace:
        return etree.fromstring(replace[part], etree.XMLParser(resolve_entities=False))
    return pkg.xml(part)


def same_value(cached: Any, value: Any) -> bool:
    """A cached value equals a computed one (numbers to 1e-9 relative; blanks alike)."""
    if value is None or value == "":
        return cached in (None, "")
    if isinstance(value, bool):
        return cached in (value, float(value), str(int(value)))
    if isinstance(value, (int, float)):
        try:
            c = float(cached)
        except (TypeError, ValueError):
            return False
        return math.isclose(c, float(value), rel_tol=1e-9, abs_tol=1e-9)
    return str(cached) == str(value)


@dataclass
class CheckResult:
    path: Path
    findings: list[Finding]
    analysis: Analysis
    backtests: list[SeriesBacktest] = field(default_factory=list)  # the forecast's, on Data

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity == "error" for f in self.findings) else 0


def check_plan(path: Path) -> CheckResult:
    """Every finding about a plan as it is on disk, including error values in formula
    cells and cached values that no longer match the inputs (nothing is written)."""
    an = analyse(Path(path))
    try:
        shared = shared_strings(
            an.pf.pkg.read("xl/sharedStrings.xml")
            if "xl/sharedStrings.xml" in an.pf.pkg.names()
            else None
        )
        extra: list[Finding] = []
        for role in ROLES:
            if role == "data" or role in an.added:
                continue
            sheet, target = an.book.sheet(role), an.targets[role]
            stale: list[str] = []
            for pos in sorted(sheet.owned()):
                cell = sheet.cells[pos]
                if not cell.formula:
                    continue
                kind, cached = target.cached(pos, shared)
                if kind == "e":
                    where = _where(sheet, pos)
                    extra.append(
                        Finding("error", where, an.labels["check.error_value"].format(value=cached))
                    )
                elif not same_value(cached, cell.value):
                    stale.append(_where(sheet, pos))
            if stale:
                message = an.labels["check.stale"].format(count=len(stale), first=stale[0])
                extra.append(Finding("warning", sheet.name, message))
        extra += ill_formed_findings(an.pf)
        order = {"error": 0, "warning": 1, "info": 2}
        findings = sorted([*an.findings, *extra], key=lambda f: order.get(f.severity, 3))
        return CheckResult(Path(path), findings, an, plan_backtests(an.plan, an.results.forecasts))
    finally:
        an.pf.close()


def _data_rows(an: Analysis, fresh: Package, index: int, xf: dict[int, int]) -> bytes:
    """The Data sheet part with its rows replaced by the analysis' Data frame."""
    info = an.pf.table("data")
    part = info.sheet.part
    xml = an.pf.pkg.read(part).decode("utf-8")
    n_cols = info.c2 - info.c1 + 1
    styles = column_styles(xml, info.r1 + 2, n_cols, info.c1)
    fresh_styles = row_styles(
        fresh.read(f"xl/worksheets/sheet{index + 1}.xml").decode("utf-8"), 2, n_cols
    )
    styles = [
        mine or (str(xf.get(int(new), 0) or "") if new else "")
        for mine, new in zip(styles, fresh_styles, strict=True)
    ]
    frame = an.data.reindex(columns=an.data.columns[:n_cols])
    where = f"{an.pf.path}: {info.sheet.name}"
    edit = replace_rows(
        info.r1 + 2, frame, styles, info.c1, table_end=an.data_last + 1, where=where
    )
    return "".join(edit(xml)).encode("utf-8")
