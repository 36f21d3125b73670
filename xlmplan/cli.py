"""The ``xlmplan`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xlmplan import __version__
from xlmplan.addin.paths import DEFAULT_OUT as DEFAULT_ADDIN
from xlmplan.core.template_root import template_names
from xlmplan.errors import XlmplanError

if TYPE_CHECKING:  # each command imports what it runs: start-up stays light
    from xlmplan.api import PlanResult
    from xlmplan.core.checks import Finding
    from xlmplan.core.kpi_forecast import SeriesBacktest
    from xlmplan.kpis import KpiReport
    from xlmplan.refresh import Analysis

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Digital-marketing plans as living Excel workbooks.",
)
out_console = Console()
err_console = Console(stderr=True)

DEMO_NAME = "xlmplan-demo.xlsx"
Backup = Annotated[bool, typer.Option(help="Keep the previous version as <name>.backup.xlsx.")]
LANGUAGE_CODES = ("en", "ar", "fa")
Lang = Annotated[
    str, typer.Option("--lang", help="Language of the plan: en, ar (Arabic) or fa (Persian).")
]
CalendarOpt = Annotated[
    str,
    typer.Option(
        "--calendar",
        help="The plan's months: gregorian, or solar-hijri (Farvardin ..., --start 1405-01).",
    ),
]
FiscalStart = Annotated[
    int | None,
    typer.Option(
        "--fiscal-start",
        help="First month (1-12) of the plan year; without --start the plan is the year "
        "holding the data's last date.",
    ),
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
        # the command ends here: a half-written file a full disk left open (a zip that
        # cannot close) must not add a traceback as it is collected on the way out
        sys.unraisablehook = lambda _unraisable: None
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
    calendar: CalendarOpt = "gregorian",
    fiscal_start: FiscalStart = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    strict: Strict = False,
) -> None:
    """Create a plan workbook from data (the bundled example shop without --data)."""
    from xlmplan.api import new_plan
    from xlmplan.core import starter

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
            fiscal_start=fiscal_start,
            force=force,
            progress=say,
        )
    for note in result.notes:
        out_console.print(f"note: {note}", highlight=False)
    for line in unbound_notes(result):
        out_console.print(line, highlight=False)
    out_console.print(
        f"Plan written to [bold]{result.path.resolve()}[/] ({result.rows:,} Data rows)",
        highlight=False,
    )
    if starter.still_suggested(result.plan, result.starter):
        out_console.print(
            "KPI targets are starter suggestions from your own Data: replace them with your "
            "targets on Strategy_KPI (Checks lists each one until you do).",
            highlight=False,
        )
    report_findings(result.path, result.findings, strict)


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder for the demo plan.")] = Path("demo"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing demo plan.")] = False,
    lang: Lang = "en",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Build the demo as of this day (YYYY-MM-DD): Data is cut there."
        ),
    ] = None,
    calendar: CalendarOpt = "gregorian",
    fiscal_start: FiscalStart = None,
) -> None:
    """Write the demo plan from the bundled example data and show its KPIs."""
    from xlmplan.api import new_plan, parse_day
    from xlmplan.kpis import read_kpis

    name = DEMO_NAME if lang == "en" else DEMO_NAME.replace(".xlsx", f"-{lang}.xlsx")
    with user_errors(), progress() as say:
        cut = parse_day(as_of, "--as-of") if as_of is not None else None
        result = new_plan(
            folder / name,
            force=force,
            lang=lang,
            calendar=calendar,
            fiscal_start=fiscal_start,
            progress=say,
            cut=cut,
        )
        report = read_kpis(result.path)
    out_console.print(kpi_table(report))
    out_console.print(f"Demo plan: [bold]{result.path.resolve()}[/]", highlight=False)


def unbound_notes(result: PlanResult) -> list[str]:
    """One line per template channel no channel of the data could be bound to."""
    return [
        f"not bound: the template's channel '{channel}' ({', '.join(rows)}) matches no channel "
        "of your data in any language — rename it there to one of your channels, or remove "
        "those rows"
        for channel, rows in result.unbound.items()
    ]


@app.command()
def kpis(
    plan: Annotated[Path, typer.Argument(help="The plan workbook (read only).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the KPIs as JSON.")] = False,
) -> None:
    """Each KPI's on-pace and year-end verdicts, as the plan's saved values show them."""
    from xlmplan.kpis import read_kpis

    with user_errors():
        report = read_kpis(plan)
    if json_out:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    out_console.print(kpi_table(report))


def kpi_table(report: KpiReport) -> Table:
    """On pace (actual and due to date, attainment, status) and year-end (forecast to the
    plan's end against the plan target, attainment, scenario) side by side."""
    from xlmplan.kpi_report import percent, short_figure

    colours = dict(zip(report.status_words, ("green", "yellow", "red"), strict=True))
    table = Table(
        title=f"{report.plan_name} — KPIs as of {report.as_of}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=0,  # the box leaves one space between columns: the table fits 80 columns
    )
    table.add_column("KPI", no_wrap=True, overflow="ellipsis", max_width=18)
    widths = {"Actual": 6, "Due": 6, "Pace": 4, "Status": 5, "Year-end": 8, "Target": 6}
    widths |= {"YE att.": 7}
    for header, width in (widths | {"Scenario": 10}).items():
        left = header in ("Status", "Scenario")
        table.add_column(header, justify="left" if left else "right", no_wrap=True, min_width=width)
    for k in report.kpis:
        status = k.status or ""
        table.add_row(
            f"{k.id} {k.name}",
            short_figure(k.actual_to_date, k.unit),
            short_figure(k.target_to_date, k.unit),
            percent(k.attainment_to_date),
            f"[{colours.get(status, 'white')}]{escape(status)}[/]",
            short_figure(k.year_end_forecast, k.unit),
            short_figure(k.plan_target, k.unit),
            percent(k.year_end_attainment),
            escape(k.scenario or ""),
        )
    return table


def analysis_report(an: Analysis) -> KpiReport:
    from xlmplan.kpis import kpi_report

    return kpi_report(an.plan, an.results, an.catalog, an.words.status)


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
    strict: Strict = False,
) -> None:
    """Bring analytics and ad-platform exports into the plan's Data, then refresh."""
    from xlmplan.importing import import_data, parse_map
    from xlmplan.refresh import layout_notes

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
            remember=True,
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
    for line in layout_notes(an):
        out_console.print(line, highlight=False)
    out_console.print(kpi_table(analysis_report(an)))
    note = f" (previous version: {result.refresh.backup.name})" if result.refresh.backup else ""
    out_console.print(
        f"Imported into [bold]{plan}[/]: {rep.added:,} row(s) added"
        + (f", {rep.replaced:,} replaced" if rep.replaced else "")
        + (f", {rep.combined:,} combined by date, channel and campaign" if rep.combined else "")
        + f"; Data now holds {len(an.data):,} rows{note}",
        highlight=False,
    )
    report_findings(plan, an.findings, strict)


@app.command()
def refresh(
    plan: Annotated[Path, typer.Argument(help="The plan workbook to refresh.")],
    backup: Backup = True,
    strict: Strict = False,
) -> None:
    """Recompute a plan from its inputs and Data; rewrites only what xlmplan owns."""
    from xlmplan.unchanged import unchanged

    with user_errors(), progress() as say:
        say(f"refreshing {plan.name}")
        same = unchanged(plan)
        if same is not None:
            out_console.print(kpi_table(same.report))
            out_console.print(f"{plan} is up to date — nothing to write", highlight=False)
            report_findings(plan, same.findings, strict)
            return
        from xlmplan.refresh import layout_notes, refresh_plan

        result = refresh_plan(plan, backup=backup, remember=True)
    an = result.analysis
    for name, rows in an.grown.items():
        out_console.print(f"Table {name}: took in {rows} row(s) typed below it", highlight=False)
    for where in an.restored:
        out_console.print(f"Restored the formula in {where}", highlight=False)
    for line in layout_notes(an):
        out_console.print(line, highlight=False)
    out_console.print(kpi_table(analysis_report(an)))
    if not result.written:
        out_console.print(f"{plan} is up to date — nothing to write", highlight=False)
    else:
        note = f" (previous version: {result.backup.name})" if result.backup else ""
        out_console.print(
            f"Refreshed [bold]{plan}[/]: {len(an.data):,} Data rows, "
            f"{len(result.changed_parts)} part(s) rewritten{note}",
            highlight=False,
        )
    report_findings(plan, an.findings, strict)


@app.command()
def share(
    plan: Annotated[Path, typer.Argument(help="The plan workbook (.xlsx or .xlsm).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The email-ready copy (.xlsx).")],
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also write OUT.pdf, the management report: cover, summary, SWOT and TOWS, "
            "objectives, KPIs, budget, scenarios, open findings.",
        ),
    ] = False,
    values_only: Annotated[
        bool, typer.Option("--values-only", help="Freeze every formula to its value; lock all.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing copy.")] = False,
) -> None:
    """Write an email-ready copy: macro-free, no links, values cached, derived cells locked."""
    from xlmplan.share import share_plan

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
    from xlmplan.language import switch_language

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
    from xlmplan.refresh import check_plan

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
            "backtest": [backtest_row(b) for b in result.backtests],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out_console.print(findings_table(plan, result.findings))
        out_console.print(backtest_table(result.backtests))
    raise typer.Exit(result.exit_code)


def backtest_row(b: SeriesBacktest) -> dict[str, object]:
    """One series' rolling-origin backtest as JSON fields."""
    r = b.result
    return {
        "kpi": b.kpi,
        "channel": b.channel,
        "measure": b.measure,
        "models": list(r.models),
        "origins": r.origins,
        "points": r.points,
        "mase": r.mase,
        "mase_naive": r.mase_naive,
        "mase_seasonal_naive": r.mase_seasonal_naive,
        "coverage_80": r.coverage,
    }


def backtest_table(backtests: list[SeriesBacktest]) -> Table:
    """The forecast's rolling-origin backtest on the plan's own Data (info, never an error)."""
    from xlmplan.core.forecast import ETS, RUN_RATE

    table = Table(
        title="Forecast backtest on this plan's Data (rolling origin): MASE of the forecast, "
        "the naive and the seasonal-naive one (lower is better), 80 % interval coverage",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for head in ("KPI", "Measure", "Model", "Points", "MASE", "Naive", "S.naive", "Cover"):
        table.add_column(head, no_wrap=True)
    models = {ETS: "ETS seasonal", RUN_RATE: "run-rate"}

    def num(x: float | None, fmt: str = "{:.2f}") -> str:
        return "–" if x is None else fmt.format(x)

    for b in backtests:
        r = b.result
        table.add_row(
            escape(b.kpi),
            b.measure,
            ", ".join(models.get(m, m) for m in r.models),
            str(r.points),
            num(r.mase),
            num(r.mase_naive),
            num(r.mase_seasonal_naive),
            num(r.coverage, "{:.0%}"),
        )
    if not backtests:
        table.add_row("–", "too little Data: four whole periods needed", "", "", "", "", "", "")
    return table


Strict = Annotated[
    bool,
    typer.Option(
        help="Exit 1 when the plan written has errors in Checks (as xlmplan check does)."
    ),
]


def report_findings(plan: Path, findings: list[Finding], strict: bool) -> None:
    """Print the plan's error findings (those ``check`` reports) and the counts; the file
    is written either way, so the exit code is 0 unless ``strict`` and an error exists."""
    errors = [f for f in findings if f.severity == "error"]
    for f in errors:
        err_console.print(
            f"error: {f.where}: {f.message}", highlight=False, markup=False, soft_wrap=True
        )
    counts = {sev: sum(1 for f in findings if f.severity == sev) for sev in ("warning", "info")}
    out_console.print(
        f"Checks: {len(errors)} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} note(s) — see the Checks sheet or run xlmplan check {plan.name}",
        highlight=False,
        markup=False,
    )
    if strict and errors:
        raise typer.Exit(1)


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
    from xlmplan.addin.build import build_addin

    with user_errors():
        result = build_addin(out)
    out_console.print(
        f"Built [bold]{result.path}[/] ({result.size / 1024:,.0f} KB): ribbon {result.ribbon}, "
        f"VBA modules {', '.join(result.modules)}",
        highlight=False,
    )


@addin_app.command("install")
def addin_install(
    out: AddinPath = DEFAULT_ADDIN,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="The ribbon's language outside a plan: en, ar or fa (a plan's own wins; "
            "default: Excel's).",
        ),
    ] = None,
) -> None:
    """Build the add-in and install it for this user with this Python (Windows, macOS)."""
    from xlmplan.addin.build import build_addin
    from xlmplan.addin.install import install_addin

    with user_errors():
        if lang is not None and lang not in LANGUAGE_CODES:
            raise XlmplanError(f"--lang '{lang}': use one of {', '.join(LANGUAGE_CODES)}")
        built = build_addin(out)
        result = install_addin(built.path, lang=lang)
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
