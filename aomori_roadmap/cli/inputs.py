"""Reading what the user gave: the plan, dates, formats, the actor, and shared options."""

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.app import Options
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, tokyo
from aomori_roadmap.errors import PlanError, RoadmapError

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
        err.print(f"--as-of は YYYY-MM-DD の日付です（'{options.as_of}' は読めません）")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def check_format(format: str, allowed: tuple[str, ...]) -> None:
    """Exit with status 2 unless ``format`` is one of ``allowed``."""
    if format not in allowed:
        err.print(f"--format は {' | '.join(allowed)} です（'{format}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)


def actor_of(actor: str | None) -> str:
    """--actor, else AOMORI_ROADMAP_ACTOR, else the login name: a record always has an author.

    An empty or blank --actor is bad input (status 2): a record by nobody is worth nothing.
    """
    if actor is not None:
        if not actor.strip():
            err.print("--actor が空です。記録した人か課の名前を書いてください / --actor is empty")
            raise typer.Exit(EXIT_BAD_INPUT)
        return actor.strip()
    chosen = os.environ.get("AOMORI_ROADMAP_ACTOR", "").strip()
    if chosen:
        return chosen
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        err.print("作成者を --actor で指定してください / give --actor")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def schedule_for(plan: "Plan") -> "Schedule":
    from aomori_roadmap.engine.schedule import schedule

    try:
        return schedule(plan)
    except RoadmapError as error:
        fail(error)


WithinOption = Annotated[
    str, typer.Option("--within", help="先の期間: 14d, 2w, 10bd（勤務日）など")
]


DepartmentOption = Annotated[
    list[str] | None, typer.Option("--department", help="担当課のIDか名前（複数可）")
]


ActorOption = Annotated[
    str | None, typer.Option(help="記録する人・課（既定: AOMORI_ROADMAP_ACTOR かログイン名）")
]


OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="書き出し先ファイル")]


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
                f"--fy は年度です（例: 2025, FY2025, 令和7年度）。'{text}' は年度ではありません。"
            )
        )
    return period


FormatOption = Annotated[str, typer.Option("--format", help="table | json")]


def revision_ref(text: str) -> int | str:
    return int(text) if text.isdigit() else text
