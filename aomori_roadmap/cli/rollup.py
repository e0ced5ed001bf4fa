"""The ``rollup`` command: many plans of one store on a date, and their totals."""

from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, out, print_json, write_output
from aomori_roadmap.cli.inputs import JobsOption, JsonOption, OutputOption, as_of_date, jobs_of
from aomori_roadmap.cli.stores import new_sqlite_file
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.i18n import _


@app.command(
    "rollup",
    help=_(
        "Roll up the plans of the store on --as-of: per plan, tasks by status and lateness, "
        "review submissions per cycle, KPI evaluations; the totals and the plans behind. "
        "A table, JSON (--json) or xlsx (-o FILE.xlsx)."
    ),
)
def rollup_command(
    ctx: typer.Context,
    plans: Annotated[
        str | None,
        typer.Option(help=_("The plans' ids, separated by commas (default: every plan)")),
    ] = None,
    as_json: JsonOption = False,
    output: OutputOption = None,
    jobs: JobsOption = None,
) -> None:
    """ストアのプランを --as-of の日で集計します（プラン別と合計、遅れているプラン）。"""
    from aomori_roadmap.views.rollup import rollup, rollup_tables

    options = options_of(ctx)
    xlsx = output is not None and output.suffix.lower() == ".xlsx"
    if output is not None and not xlsx and not as_json:
        err.print(_("-o writes xlsx (FILE.xlsx), or JSON with --json."), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    wanted = None
    if plans is not None:
        wanted = [p.strip() for p in plans.split(",") if p.strip()]
        if not wanted:
            err.print(_("--plans is empty (leave it out for every plan)"), markup=False)
            raise typer.Exit(EXIT_BAD_INPUT)
    day = as_of_date(options)
    if new_sqlite_file(options.db) is not None:  # reading never creates a database file
        fail(RoadmapError(_("The roll-up needs the status store (--db).")))
    try:
        workers = jobs_of(jobs)
        found = rollup(options.db, as_of=day, plans=wanted, lang=options.lang, jobs=workers)
    except RoadmapError as error:
        fail(error)
    if as_json:
        print_json(found.to_json(), None if xlsx else output)
        if not xlsx:
            return
    if xlsx:
        from aomori_roadmap.export.excel import rollup_xlsx

        write_output(output, rollup_xlsx(found, lang=options.lang))
        if output is not None and not as_json:
            out.print(str(output), markup=False)
        return
    from rich.table import Table

    tables = rollup_tables(found, options.lang)
    table = Table(title=_("Roll-up as of {date}").format(date=day.isoformat()))
    for column in tables.plan_header:
        table.add_column(column)
    for row in tables.plans:
        table.add_row(*(str(cell) for cell in row))
    out.print(table)
    if tables.reviews:
        reviews = Table(title=_("Review submissions"))
        for column in tables.review_header:
            reviews.add_column(column)
        for row in tables.reviews:
            reviews.add_row(*(str(cell) for cell in row))
        out.print(reviews)
    behind = ", ".join(tables.behind) or "-"
    out.print(_("Plans behind: {plans}").format(plans=behind), markup=False)
