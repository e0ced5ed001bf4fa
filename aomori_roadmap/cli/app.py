"""The ``aomori-roadmap`` application: global options, output and error handling.

Command groups live in the sibling modules and register themselves on :data:`app`.

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import pendulum
import typer
from rich.console import Console

from aomori_roadmap.errors import PlanError, PlanValidationError, RoadmapError, StoreError
from aomori_roadmap.loader import default_plan, load_plan
from aomori_roadmap.model import Plan
from aomori_roadmap.schedule import Schedule, schedule
from aomori_roadmap.snapshot import Snapshot, take_snapshot
from aomori_roadmap.store import Store

__all__ = ["app", "main"]

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 3

_LABELS = {
    "ja": {
        "fields": "分野",
        "items": "項目",
        "policies": "取組方針",
        "foundations": "基盤",
        "priorities": "重点的に取り組むDX",
        "kpis": "成果指標（KPI）",
        "departments": "担当課",
        "initiatives": "取組",
        "tasks": "工程",
        "summary": "概要",
        "count": "件数",
        "period": "期間",
        "valid": "問題はありません",
        "wrote": "書き出しました",
        "kpi_unset": "基準値・目標値が未設定の成果指標: {n}件",
        "problems": "{n}件の問題があります",
        "illustrative": "（例示）",
        "task": "工程",
        "start": "開始",
        "finish": "終了",
        "half": "期",
        "days": "日数",
        "slack": "余裕",
        "critical_path": "クリティカルパス",
        "violations": "期限・固定日の違反",
        "no_violations": "期限・固定日の違反はありません",
        "plan_finish": "プランの完了日",
        "milestone": "▲",
    },
    "en": {
        "fields": "Fields",
        "items": "Items",
        "policies": "Policies",
        "foundations": "Foundations",
        "priorities": "Priority DX areas",
        "kpis": "KPIs",
        "departments": "Departments",
        "initiatives": "Initiatives",
        "tasks": "Tasks",
        "summary": "Summary",
        "count": "Count",
        "period": "Period",
        "valid": "No problems found",
        "wrote": "Wrote",
        "kpi_unset": "KPIs without a baseline or target value: {n}",
        "problems": "{n} problem(s) found",
        "illustrative": " (illustrative)",
        "task": "Task",
        "start": "Start",
        "finish": "Finish",
        "half": "Half",
        "days": "Days",
        "slack": "Slack",
        "critical_path": "Critical path",
        "violations": "Deadline and fixed-date violations",
        "no_violations": "No deadline or fixed-date violations",
        "plan_finish": "Plan finish",
        "milestone": "▲",
    },
}


@dataclass
class Options:
    plan: str | None = None
    db: str = "sqlite:///aomori-roadmap.db"
    lang: str = "ja"
    as_of: str | None = None

    def label(self, key: str, **values: object) -> str:
        """A shared label in the chosen language."""
        return _LABELS[self.lang][key].format(**values)

    def pick(self, ja: str, en: str) -> str:
        """``ja`` or ``en``, by ``--lang``: for a module's own one-off texts."""
        return en if self.lang == "en" else ja


app = typer.Typer(
    name="aomori-roadmap",
    help="青森県DX推進プランのロードマップ: 検証・工程・見直し・ガント・カレンダー配信",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def options_of(ctx: typer.Context) -> Options:
    options = ctx.find_object(Options)
    return options if options is not None else Options()


def fail(error: RoadmapError) -> NoReturn:
    if isinstance(error, PlanValidationError):
        for problem in error.problems:
            err.print(str(problem), markup=False)
        err.print(f"{len(error.problems)}件の問題があります / {len(error.problems)} problem(s)")
        raise typer.Exit(EXIT_BAD_INPUT)
    err.print(str(error), markup=False)
    # Bad input (an illegal transition included) is 2; a store that failed or refused is 3.
    bad_input = isinstance(error, ValueError) or not isinstance(error, StoreError)
    raise typer.Exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILURE)


def load(options: Options, path: str | None = None) -> Plan:
    source = path or options.plan
    try:
        return load_plan(source) if source else default_plan()
    except RoadmapError as error:
        fail(error)


@app.callback()
def _global(
    ctx: typer.Context,
    plan: Annotated[
        str | None,
        typer.Option(help="プランのファイルかフォルダ（既定: 組み込みの青森県DX推進プラン）"),
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="状況ストアのURL（既定: sqlite:///aomori-roadmap.db）")
    ] = None,
    lang: Annotated[str, typer.Option(help="表示言語 ja|en")] = "ja",
    as_of: Annotated[str | None, typer.Option("--as-of", help="基準日（YYYY-MM-DD）")] = None,
) -> None:
    """Global options shared by every command."""
    if lang not in _LABELS:
        err.print(f"--lang は ja か en です（'{lang}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    ctx.obj = Options(
        plan=plan or os.environ.get("AOMORI_ROADMAP_PLAN") or None,
        db=db or os.environ.get("AOMORI_ROADMAP_DB") or "sqlite:///aomori-roadmap.db",
        lang=lang,
        as_of=as_of,
    )


def as_of_date(options: Options) -> date:
    """The --as-of date, or today in Tokyo (the interface may read the clock; the engine not)."""
    if options.as_of is None:
        return pendulum.now("Asia/Tokyo").date()
    try:
        return date.fromisoformat(options.as_of)
    except ValueError:
        err.print(f"--as-of は YYYY-MM-DD の日付です（'{options.as_of}' は読めません）")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def existing_store(options: Options, plan: Plan) -> Store | None:
    """The store if it exists: reading views never create a database file."""
    url = options.db
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    try:
        return Store(url, plan=plan)
    except RoadmapError as error:
        fail(error)


def check_format(format: str, allowed: tuple[str, ...]) -> None:
    """Exit with status 2 unless ``format`` is one of ``allowed``."""
    if format not in allowed:
        err.print(f"--format は {' | '.join(allowed)} です（'{format}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)


def actor_of(actor: str | None) -> str:
    """--actor, else AOMORI_ROADMAP_ACTOR, else the login name: a record always has an author."""
    return actor or os.environ.get("AOMORI_ROADMAP_ACTOR") or getpass.getuser()


@contextmanager
def writing_store(options: Options, plan: Plan | None) -> Iterator[Store]:
    """The store at --db, created if missing, closed afterwards; library errors end the run."""
    try:
        store = Store(options.db, plan=plan)
    except RoadmapError as error:
        fail(error)
    try:
        yield store
    except RoadmapError as error:
        fail(error)
    finally:
        store.close()


@contextmanager
def reading_store(options: Options, plan: Plan) -> Iterator[Store | None]:
    """The store if it exists (reading never creates a database file); errors end the run."""
    store = existing_store(options, plan)
    try:
        yield store
    except RoadmapError as error:
        fail(error)
    finally:
        if store is not None:
            store.close()


def snapshot_for(
    options: Options, plan: Plan, baseline: str | None = None, known_at: date | None = None
) -> Snapshot:
    """The plan as of --as-of, with the states of the store at --db (none if it does not exist)."""
    store = existing_store(options, plan)
    try:
        return take_snapshot(
            plan, store, as_of=as_of_date(options), known_at=known_at, baseline=baseline
        )
    except RoadmapError as error:
        fail(error)
    finally:
        if store is not None:
            store.close()


def write_output(output: Path | None, payload: str | bytes) -> None:
    if output is None:
        if isinstance(payload, bytes):
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(payload)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(payload, bytes):
            output.write_bytes(payload)
        else:
            output.write_text(payload, encoding="utf-8")
    except OSError as error:
        err.print(f"書き出せません / cannot write: {error}", markup=False)
        raise typer.Exit(EXIT_FAILURE) from error


def schedule_for(plan: Plan) -> Schedule:
    try:
        return schedule(plan)
    except RoadmapError as error:
        fail(error)


def main() -> None:
    """Run the command line; the console script's entry point."""
    try:
        app()
    except PlanError as error:  # an error raised outside a command's own handling
        err.print(str(error), markup=False)
        sys.exit(EXIT_BAD_INPUT)
