"""The ``xlmplan`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xlmplan import __version__
from xlmplan.addin.build import DEFAULT_OUT as DEFAULT_ADDIN
from xlmplan.addin.build import build_addin
from xlmplan.addin.install import install_addin
from xlmplan.api import PlanResult, new_plan
from xlmplan.core.checks import Finding
from xlmplan.core.template import template_names
from xlmplan.errors import XlmplanError
from xlmplan.importing import import_data, parse_map
from xlmplan.language import switch_language
from xlmplan.refresh import Analysis, check_plan, refresh_plan
from xlmplan.share import share_plan

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Digital-marketing plans as living Excel workbooks.",
)
out_console = Console()
err_console = Console(stderr=True)

DEMO_NAME = "xlmplan-demo.xlsx"
Backup = Annotated[bool, typer.Option(help="Keep the previous version as <name>.backup.xlsx.")]
Lang = Annotated[
    str, typer.Option("--lang", help="Language of the plan: en, ar (Arabic) or fa (Persian).")
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a user's mistake into one line on stderr and exit code 2."""
    try:
        yield
    except XlmplanError as exc:
        # the message is the user's text (file names, cells): never read as markup
        line = f"[bold red]error:[/] {escape(str(exc))}"
        err_console.print(line, highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


@contextmanager
def progress() -> Iterator[Callable[[str], None]]:
    with err_console.status("working…") as status:
        yield lambda msg: status.update(f"{msg}…")


@app.command()
def new(
    out: Annotated[Path, typer.Argument(help="The plan workbook to create (.xlsx).")],
    data: Annotated[Path | None, typer.Option(help="CSV or xlsx performance data.")] = None,
    template: Annotated[
        str, typer.Option(help="Plan template: " + ", ".join(template_names()))
    ] = "online_shop",
    start: Annotated[str | None, typer.Option(help="First plan month, YYYY-MM.")] = None,
    months: Annotated[int | None, typer.Option(help="Plan length in months.")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency code, e.g. EUR.")] = None,
    lang: Lang = "en",
    calendar: Annotated[
        str,
        typer.Option(help="Show dates as gregorian or solar-hijri (Persian calendar, Excel)."),
    ] = "gregorian",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Create a plan workbook from data (the bundled example shop without --data)."""
    with user_errors(), progress() as say:
        result = new_plan(
            out,
            data=data,
            template=template,
            start=start,
            months=months,
            currency=currency,
            lang=lang,
            calendar=calendar,
            force=force,
            progress=say,
        )
    for note in result.notes:
        out_console.print(f"note: {note}", highlight=False)
    out_console.print(
        f"Plan written to [bold]{result.path.resolve()}[/] "
        f"({result.rows:,} Data rows, {len(result.findings)} checks findings)",
        highlight=False,
    )


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder for the demo plan.")] = Path("demo"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing demo plan.")] = False,
    lang: Lang = "en",
) -> None:
    """Write the demo plan from the bundled example data and show its KPIs."""
    name = DEMO_NAME if lang == "en" else DEMO_NAME.replace(".xlsx", f"-{lang}.xlsx")
    with user_errors(), progress() as say:
        result = new_plan(folder / name, force=force, lang=lang, progress=say)
    out_console.print(kpi_table(result))
    out_console.print(f"Demo plan: [bold]{result.path.resolve()}[/]", highlight=False)


def kpi_table(result: PlanResult | Analysis) -> Table:
    colours = dict(zip(result.words.status, ("green", "yellow", "red"), strict=True))
    table = Table(
        title=f"{result.plan.settings.plan_name} — KPIs as of {result.results.as_of}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("KPI", no_wrap=True)
    for header in ("Actual", "Target", "Att."):
        table.add_column(header, justify="right", no_wrap=True, min_width=7)
    table.add_column("Status", no_wrap=True)
    table.add_column("Scenario", no_wrap=True, min_width=11)
    for kpi, kr in zip(result.plan.kpis, result.results.kpis, strict=True):
        status = kr.status or ""
        metric = result.catalog.by_label(kpi.metric)
        unit = metric.unit if metric else "number"
        table.add_row(
            f"{kpi.id} {kpi.name}",
            _fmt(kr.actual, unit),
            _fmt(kpi.target, unit),
            f"{kr.attainment:.1%}" if kr.attainment is not None else "",
            f"[{colours.get(status, 'white')}]{status}[/]",
            kr.scenario or "",
        )
    return table


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "percent":
        return f"{value:.2%}"
    if unit == "ratio":
        return f"{value:.2f}x"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


@app.command("import")
def import_(
    plan: Annotated[Path, typer.Argument(help="The plan workbook to import into.")],
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV or xlsx).")],
    source: Annotated[
        str,
        typer.Option(
            help="auto, ga4, universal-analytics, google-ads, meta-ads, "
            "linkedin-ads, microsoft-ads or generic; ga4-bigquery for GA4's raw event "
            "export (a folder or glob of Parquet/NDJSON files, or bigquery://PROJECT/DATASET)."
        ),
    ] = "auto",
    conversion: Annotated[
        list[str] | None,
        typer.Option(help="ga4-bigquery: event counted as a conversion (default purchase)."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=measure, e.g. 'Total Spent=spend' (repeatable)."),
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="Channel for rows whose export names none.")
    ] = None,
    spread: Annotated[
        bool, typer.Option(help="Spread totals of a date range evenly over its days.")
    ] = False,
    replace: Annotated[
        bool, typer.Option(help="Replace all Data rows instead of merging.")
    ] = False,
    backup: Backup = True,
) -> None:
    """Bring analytics and ad-platform exports into the plan's Data, then refresh."""
    with user_errors(), progress() as say:
        say(f"importing into {plan.name}")
        result = import_data(
            plan,
            files,
            source=source,
            mapping=parse_map(map_ or []),
            replace=replace,
            channel=channel,
            spread=spread,
            backup=backup,
            conversions=conversion,
        )
    for imported in result.files:
        period = f", {imported.period[0]} to {imported.period[1]}" if imported.period else ""
        out_console.print(
            f"{imported.source}: {len(imported.frame):,} row(s){period}"
            + (f", {imported.skipped_rows} skipped" if imported.skipped_rows else ""),
            highlight=False,
        )
    for note in result.notes:
        out_console.print(f"note: {note}", highlight=False)
    rep = result.report
    if rep.new_channels:
        out_console.print(
            "New channels added to the plan: " + ", ".join(rep.new_channels), highlight=False
        )
    for old, new in rep.renamed_channels.items():
        out_console.print(f"Channel '{old}' read as the plan's '{new}'", highlight=False)
    if rep.dropped_columns:
        out_console.print(
            "Columns not in the Data table, not imported: " + ", ".join(rep.dropped_columns),
            highlight=False,
        )
    an = result.refresh.analysis
    out_console.print(kpi_table(an))
    note = f" (previous version: {result.refresh.backup.name})" if result.refresh.backup else ""
    out_console.print(
        f"Imported into [bold]{plan}[/]: {rep.added:,} row(s) added"
        + (f", {rep.replaced:,} replaced" if rep.replaced else "")
        + (f", {rep.combined:,} combined by date, channel and campaign" if rep.combined else "")
        + f"; Data now holds {len(an.data):,} rows{note}",
        highlight=False,
    )


@app.command()
def refresh(
    plan: Annotated[Path, typer.Argument(help="The plan workbook to refresh.")],
    backup: Backup = True,
) -> None:
    """Recompute a plan from its inputs and Data; rewrites only what xlmplan owns."""
    with user_errors(), progress() as say:
        say(f"refreshing {plan.name}")
        result = refresh_plan(plan, backup=backup)
    an = result.analysis
    for name, rows in an.grown.items():
        out_console.print(f"Table {name}: took in {rows} row(s) typed below it", highlight=False)
    for where in an.restored:
        out_console.print(f"Restored the formula in {where}", highlight=False)
    out_console.print(kpi_table(an))
    if not result.written:
        out_console.print(f"{plan} is up to date — nothing to write", highlight=False)
        return
    note = f" (previous version: {result.backup.name})" if result.backup else ""
    out_console.print(
        f"Refreshed [bold]{plan}[/]: {len(an.data):,} Data rows, "
        f"{len(result.changed_parts)} part(s) rewritten, {len(an.findings)} checks findings{note}",
        highlight=False,
    )


@app.command()
def share(
    plan: Annotated[Path, typer.Argument(help="The plan workbook (.xlsx or .xlsm).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The email-ready copy (.xlsx).")],
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also write OUT.pdf: Start, Dashboard, objectives, scenarios."),
    ] = False,
    values_only: Annotated[
        bool, typer.Option("--values-only", help="Freeze every formula to its value; lock all.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing copy.")] = False,
) -> None:
    """Write an email-ready copy: macro-free, no links, values cached, derived cells locked."""
    with user_errors(), progress() as say:
        say(f"making an email-ready copy of {plan.name}")
        result = share_plan(plan, out, pdf=pdf, values_only=values_only, force=force)
    removed = f"; removed {', '.join(result.removed)}" if result.removed else ""
    udfs = (
        f"; {len(result.udf_cells)} add-in function cell(s) rewritten as native formulas"
        if result.udf_cells
        else ""
    )
    frozen = (
        f"; {len(result.frozen)} cell(s) citing other workbooks frozen to their values"
        if result.frozen
        else ""
    )
    kind = "values-only copy" if result.values_only else "email-ready copy"
    out_console.print(
        f"Wrote the {kind} [bold]{result.out}[/] ({result.size / 1024:,.0f} KB, plan health: "
        f"{result.health}){removed}{udfs}{frozen}",
        highlight=False,
    )
    if result.pdf:
        out_console.print(
            f"Wrote [bold]{result.pdf}[/] ({result.pdf_pages} pages, "
            f"{result.pdf.stat().st_size / 1024:,.0f} KB)",
            highlight=False,
        )


@app.command()
def language(
    plan: Annotated[Path, typer.Argument(help="The plan workbook to switch.")],
    lang: Annotated[str, typer.Argument(help="en, ar (Arabic) or fa (Persian).")],
    backup: Backup = True,
) -> None:
    """Switch a plan's labels, lists and sheet names to another language; inputs stay."""
    with user_errors(), progress() as say:
        say(f"switching {plan.name} to {lang}")
        result = switch_language(plan, lang, backup=backup)
    if not result.written:
        out_console.print(f"{plan} is already in '{lang}' — nothing to change", highlight=False)
        return
    note = f" (previous version: {result.backup.name})" if result.backup else ""
    out_console.print(
        f"Switched [bold]{plan}[/] from '{result.old}' to '{result.new}': "
        f"{len(result.renamed)} sheet(s) renamed, {result.relabelled} list choice(s) "
        f"and labels relabelled{note}",
        highlight=False,
    )


@app.command()
def check(
    plan: Annotated[Path, typer.Argument(help="The plan workbook to check.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """List the plan's findings; exit 1 when any is an error, 2 when unreadable."""
    with user_errors():
        result = check_plan(plan)
    if json_out:
        payload = {
            "file": str(plan),
            "exit_code": result.exit_code,
            "counts": {
                sev: sum(1 for f in result.findings if f.severity == sev)
                for sev in ("error", "warning", "info")
            },
            "findings": [
                {"severity": f.severity, "where": f.where, "message": f.message}
                for f in result.findings
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out_console.print(findings_table(plan, result.findings))
    raise typer.Exit(result.exit_code)


def findings_table(plan: Path, findings: list[Finding]) -> Table:
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    table = Table(
        title=f"{plan.name}: {len(findings)} finding(s)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Severity", no_wrap=True)
    table.add_column("Where", no_wrap=True)
    table.add_column("Finding")
    for f in findings:
        table.add_row(f"[{colours.get(f.severity, 'white')}]{f.severity}[/]", f.where, f.message)
    return table


addin_app = typer.Typer(
    no_args_is_help=True, help="Build or install the Excel add-in (ribbon and UDFs)."
)
app.add_typer(addin_app, name="addin")
AddinPath = Annotated[Path, typer.Option("-o", "--out", help="The add-in file (.xlam).")]


@addin_app.command("build")
def addin_build(out: AddinPath = DEFAULT_ADDIN) -> None:
    """Assemble the add-in from macros/ and xlwings' ribbon template (any OS)."""
    with user_errors():
        result = build_addin(out)
    out_console.print(
        f"Built [bold]{result.path}[/] ({result.size / 1024:,.0f} KB): ribbon {result.ribbon}, "
        f"VBA modules {', '.join(result.modules)}",
        highlight=False,
    )


@addin_app.command("install")
def addin_install(out: AddinPath = DEFAULT_ADDIN) -> None:
    """Build the add-in and install it for this user with this Python (Windows, macOS)."""
    with user_errors():
        built = build_addin(out)
        result = install_addin(built.path)
    out_console.print(
        f"Installed [bold]{result.addin.name}[/]; the add-in runs {result.interpreter} "
        f"(recorded in {result.config}). Restart Excel to see the Marketing Plan tab.",
        highlight=False,
    )


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
) -> None:
    if version:
        out_console.print(f"xlmplan {__version__}")
        raise typer.Exit()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


@app.command("allocate")
def allocate_cmd(
    plan: Annotated[
        Path,
        typer.Argument(help="The plan; the split goes into its Budget mix (not with --json)."),
    ],
    budget: Annotated[
        float | None,
        typer.Option(help="Total to spend over the period (default: the current weekly rate)."),
    ] = None,
    period: Annotated[
        int | None,
        typer.Option(help="The next N months after the last Data date (default: to plan end)."),
    ] = None,
    bounds: Annotated[
        list[str] | None,
        typer.Option(
            help="'Channel=min:max' over the period, 'Channel=amount' or 'Channel=locked' "
            "(repeatable)."
        ),
    ] = None,
    target: Annotated[
        float | None, typer.Option(help="Response to reach over the period: least spend for it.")
    ] = None,
    metric: Annotated[
        str, typer.Option(help="Response to fit: revenue, conversions or new_customers.")
    ] = "revenue",
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Fit response curves per paid channel and split a budget to maximise the response."""
    from xlmplan.mix import allocate_plan, write_split  # scipy stays off other commands

    with user_errors(), progress() as say:
        say(f"fitting response curves for {plan.name}")
        result = allocate_plan(plan, budget, period, bounds or [], target, metric)
        if not json_out:
            say(f"writing the recommended split into {plan.name}")
            write_split(result)
    if json_out:
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(
        title=f"{plan.name} — weekly spend and {result.metric.replace('_', ' ')} "
        f"({result.currency}), {result.period[0]} to {result.period[1]}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for header in ("Channel", "Current", "Proposed", "Change", "Predicted", "80 % band", "Fit"):
        table.add_column(header, justify="left" if header == "Channel" else "right", no_wrap=True)
    for c in result.channels:
        if c.fit.max_weekly_spend <= 0:
            continue
        band = c.band_recommended
        table.add_row(
            c.fit.channel,
            f"{c.channel.current:,.0f}",
            f"{c.recommended:,.0f}",
            f"{c.recommended - c.channel.current:+,.0f}",
            f"{c.predicted_recommended:,.0f}",
            f"{band[0]:,.0f}–{band[1]:,.0f}" if band else "",
            f"R² {c.fit.r2:.2f}" if c.fit.estimable and c.fit.r2 is not None else "[yellow]held[/]",
        )
    out_console.print(table)
    for line in result.explanation():
        out_console.print(line, highlight=False)
    if result.target is not None:
        t = result.target
        out_console.print(
            f"Target {t.amount:,.0f}: least budget {t.budget:,.0f} over the period"
            if t.reachable
            else f"Target {t.amount:,.0f}: unreachable within the curves (at most "
            f"{t.response:,.0f} for {t.budget:,.0f})",
            highlight=False,
        )
    for warning in result.warnings:
        out_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
