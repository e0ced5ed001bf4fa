"""Reading what the user gave: the plan, dates, formats, the actor, and shared options."""

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.application import Options, bad_date
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, tokyo
from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.i18n import _

if TYPE_CHECKING:
    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.engine.schedule import Schedule
    from aomori_roadmap.plan.model import Plan


def load(options: Options, path: str | None = None) -> "Plan":
    from aomori_roadmap.plan.loader import default_plan, load_plan

    source = path or options.plan
    try:
        return load_plan(source) if source else default_plan()
    except RoadmapError as error:
        fail(error)


def as_of_date(options: Options) -> date:
    """The --as-of date, or today in Tokyo (the interface may read the clock; the engine not)."""
    if options.as_of is None:
        return datetime.now(tokyo()).date()
    try:
        return date.fromisoformat(options.as_of)
    except ValueError:
        err.print(bad_date("--as-of", options.as_of))
        raise typer.Exit(EXIT_BAD_INPUT) from None


def check_format(format: str, allowed: tuple[str, ...]) -> None:
    """Exit with status 2 unless ``format`` is one of ``allowed``."""
    if format not in allowed:
        err.print(
            _("--format is {formats} ('{format}' cannot be used)").format(
                formats=" | ".join(allowed), format=format
            )
        )
        raise typer.Exit(EXIT_BAD_INPUT)


def actor_of(actor: str | None) -> str:
    """--actor, else AOMORI_ROADMAP_ACTOR, else the login name: a record always has an author.

    An empty or blank --actor is bad input (status 2): a record by nobody is worth nothing.
    """
    if actor is not None:
        if not actor.strip():
            err.print(_("--actor is empty: write the name of the person or department recording"))
            raise typer.Exit(EXIT_BAD_INPUT)
        return actor.strip()
    chosen = os.environ.get("AOMORI_ROADMAP_ACTOR", "").strip()
    if chosen:
        return chosen
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        err.print(_("give the author with --actor"))
        raise typer.Exit(EXIT_BAD_INPUT) from None


def schedule_for(plan: "Plan") -> "Schedule":
    from aomori_roadmap.engine.schedule import schedule

    try:
        return schedule(plan)
    except RoadmapError as error:
        fail(error)


WithinOption = Annotated[
    str,
    typer.Option("--within", help=_("How far ahead: 14d, 2w, 10bd (working days) and the like")),
]


DepartmentOption = Annotated[
    list[str] | None,
    typer.Option("--department", help=_("ID or name of a department (may be repeated)")),
]


ActorOption = Annotated[
    str | None,
    typer.Option(
        help=_("Person or department recording (default: AOMORI_ROADMAP_ACTOR or the login name)")
    ),
]


FieldOption = Annotated[str | None, typer.Option(help=_("ID of a field"))]


InitiativeOption = Annotated[str | None, typer.Option(help=_("ID of an initiative"))]


DepartmentIdOption = Annotated[str | None, typer.Option(help=_("ID of a department"))]


PriorityOption = Annotated[
    str | None, typer.Option(help=_("Priority DX area (its ID or its name)"))
]


AlarmDaysOption = Annotated[int | None, typer.Option(help=_("Alarm N days before (VALARM)"))]


CycleOption = Annotated[
    str | None,
    typer.Option(help=_("Review cycle (FY2025-H1 and the like; default: the next to submit)")),
]


OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help=_("File to write to"))]

JsonOption = Annotated[bool, typer.Option("--json", help=_("Write JSON instead of a table"))]


JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs", min=1, help=_("Processes that may work at once (default: the number of cores)")
    ),
]


def jobs_of(given: int | None) -> int:
    """``--jobs`` as given, else the cores this process may run on."""
    from aomori_roadmap.parallel import cores

    return cores() if given is None else given


def fiscal_year_of(text: str | None, default: "FiscalYear") -> "FiscalYear":
    from aomori_roadmap.calendar import FiscalYear, parse_period

    if text is None:
        return default
    try:
        period = FiscalYear(int(text)) if text.strip().isdigit() else parse_period(text)
    except RoadmapError as error:
        fail(error)
    if not isinstance(period, FiscalYear):
        fail(
            PlanError(
                _(
                    "--fy is a fiscal year (for example 2025 or FY2025); '{text}' is not one."
                ).format(text=text)
            )
        )
    return period


FormatOption = Annotated[str, typer.Option("--format", help="table | json")]


def revision_ref(text: str) -> int | str:
    return int(text) if text.isdigit() else text
