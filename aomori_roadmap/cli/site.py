"""The ``site`` command: the public progress site, as static files."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from aomori_roadmap.cli.application import app, bad_date, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, out
from aomori_roadmap.cli.inputs import JobsOption, as_of_date, jobs_of, load
from aomori_roadmap.cli.stores import reading_store
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.i18n import LANGUAGES, _


@app.command(
    "site",
    help=_(
        "Write the public progress site: a page per field, item, initiative, KPI and review"
        " cycle, what changed since the previous cycle, and every table as open data."
    ),
)
def site_command(
    ctx: typer.Context,
    output_dir: Annotated[
        Path, typer.Option("-o", "--output-dir", help=_("Folder to write the site to"))
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=_("The date the site is as of (default: the reference date)")),
    ] = None,
    cycle: Annotated[
        str | None,
        typer.Option(
            help=_(
                "A review cycle (FY2025-H1 and the like): the status at its end, as known on"
                " its publication date"
            )
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help=_("Language of the site, ja|en"))
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help=_("Name of the baseline to measure delays against"))
    ] = None,
    with_rollup: Annotated[
        bool,
        typer.Option(
            "--rollup",
            help=_("Add a page of every plan of the store (the roll-up as of the same date)"),
        ),
    ] = False,
    jobs: JobsOption = None,
) -> None:
    """進捗状況の公表サイト（静的ファイル）を書き出します。"""
    from aomori_roadmap.engine.schedule import paused_gc
    from aomori_roadmap.site.build import build_site
    from aomori_roadmap.views.site import site_data, site_moment

    options = options_of(ctx)
    language = lang or options.lang
    if language not in LANGUAGES:
        err.print(_("--lang is ja or en ('{lang}' cannot be used)").format(lang=language),
                  markup=False)  # fmt: skip
        raise typer.Exit(EXIT_BAD_INPUT)
    day: date | None = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            err.print(bad_date("--as-of", as_of), markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    if cycle is not None and as_of is not None:
        err.print(_("give --as-of or --cycle, not both"), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    today = as_of_date(options)
    if cycle is None and day is None:
        day = today
    if output_dir.exists() and not output_dir.is_dir():
        fail(RoadmapError(_("{path} is not a folder").format(path=output_dir)))
    with reading_store(options, plan) as store, paused_gc():  # one pause for the whole job
        try:
            moment = site_moment(plan, as_of=day, cycle=cycle, today=today)
            err.print(_("Gathering the site's data…"), markup=False)
            workers = jobs_of(jobs)
            data = site_data(plan, store, moment, lang=language, baseline=baseline, jobs=workers)
            found = None
            if with_rollup:
                from aomori_roadmap.views.rollup import rollup

                if store is None:
                    raise RoadmapError(_("The roll-up needs the status store (--db)."))

                found = rollup(options.db, as_of=moment.as_of, lang=language)
            err.print(_("Making the pages and the open data…"), markup=False)
            site = build_site(data, jobs=workers, rollup=found)
        except RoadmapError as error:
            fail(error)

    def progress(n: int, total: int) -> None:
        err.print(_("[{n}/{total}] files written").format(n=n, total=total), markup=False)

    try:
        site.write(output_dir, progress)
    except OSError as error:
        fail(RoadmapError(_("cannot write the site to {path}: {error}").format(
            path=output_dir, error=error)))  # fmt: skip
    out.print(
        _("{pages} pages, {files} files, {size:,} bytes in {path}").format(
            pages=len(site.pages), files=len(site.files), size=site.size, path=output_dir
        ),
        markup=False,
    )
