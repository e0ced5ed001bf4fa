"""The ``report`` command: the annual progress report to the 推進本部."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, print_json, write_output
from aomori_roadmap.cli.inputs import OutputOption, as_of_date, check_format, fiscal_year_of, load
from aomori_roadmap.cli.stores import reading_store, snapshot_at
from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.i18n import _

REPORT_FORMATS = ("md", "markdown", "html", "xlsx", "json")


@app.command(
    "report",
    help=_(
        "Write the annual progress report (to the DX promotion headquarters): Markdown, HTML,"
        " Excel, JSON."
    ),
)
def report_command(
    ctx: typer.Context,
    fy: Annotated[
        str | None,
        typer.Option(
            help=_("Fiscal year to report on (default: the one before the reference date)")
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="md | html | xlsx | json")] = "md",
    output: OutputOption = None,
    baseline: Annotated[
        str | None, typer.Option(help=_("Name of the baseline to measure delays against"))
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(help=_("The previous report (as saved with --format json)")),
    ] = None,
) -> None:
    """年次の進捗状況報告（推進本部への報告）を書き出します: Markdown, HTML, Excel, JSON。"""
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.export.excel import report_xlsx
    from aomori_roadmap.export.report import annual_report, report_html, report_markdown
    from aomori_roadmap.store.review_log import KpiLog, ReviewLog

    options = options_of(ctx)
    check_format(format, REPORT_FORMATS)
    if format == "xlsx" and output is None and sys.stdout.isatty():
        err.print(_("write xlsx with -o FILE."))
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    today = as_of_date(options)
    year = fiscal_year_of(fy, FiscalYear.of(today).previous())
    start, end = plan.period.start, plan.period.end
    if not start <= year <= end:
        fail(
            PlanError(
                _("{year} is outside the period of the plan ({start}–{end}).").format(
                    year=year.code, start=start.code, end=end.code
                )
            )
        )
    # The report is about the year's end (or today, for an interim one), as known on --as-of.
    as_of = min(today, year.end)
    known_at = today if options.as_of is not None else None
    earlier = None
    if previous is not None:
        try:
            earlier = json.loads(previous.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            fail(
                PlanError(
                    _("cannot read the previous report {file}: {error}").format(
                        file=previous, error=error
                    )
                )
            )
    with reading_store(options, plan) as store:
        snap = snapshot_at(plan, store, as_of, known_at=known_at, baseline=baseline)
        records = ReviewLog(store, plan).records() if store is not None else []
        values = KpiLog(store, plan).actuals() if store is not None else []
        last = year.previous()
        if earlier is None and plan.period.start <= last:
            # The previous report as it was made: the year's end, as known on its due date.
            due = next(
                (c.annual_report_due for c in snap.cycles if c.half == last.halves()[1]), None
            )
            known = due if due is not None and due < today else None
            then = snapshot_at(plan, store, last.end, known_at=known, baseline=baseline)
            earlier = annual_report(then, records, values, fy=last)
        report = annual_report(snap, records, values, fy=year, previous=earlier)
    try:
        if format == "json":
            print_json(report.to_json(), output)
        elif format == "html":
            write_output(output, report_html(report, lang=options.lang))
        elif format == "xlsx":
            write_output(output, report_xlsx(report, lang=options.lang))
        else:
            write_output(output, report_markdown(report, lang=options.lang))
    except RoadmapError as error:
        fail(error)
