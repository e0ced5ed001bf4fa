"""The ``aomori-roadmap`` application: global options, output and error handling.

Command groups live in the sibling modules and register themselves on :data:`app`.

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure.
"""

import getpass
import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast
from zoneinfo import ZoneInfo

import typer

from aomori_roadmap.errors import PlanError, PlanValidationError, RoadmapError, StoreError, visible

if TYPE_CHECKING:
    from rich.console import Console

    from aomori_roadmap.calendar import FiscalYear
    from aomori_roadmap.model import Plan
    from aomori_roadmap.schedule import Schedule
    from aomori_roadmap.snapshot import Snapshot
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
    # Plain help and usage errors: the rich renderer alone doubles the start-up of --help.
    rich_markup_mode=None,
)


class _Console:
    """A rich console made at its first use: ``--help`` and ``--version`` never need one."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def print(self, *objects: Any, markup: bool | None = None, **options: Any) -> None:
        """Plain text without markup goes straight to the stream; anything else through rich."""
        if markup is False and not options and all(isinstance(o, str) for o in objects):
            stream = sys.stderr if self._stderr else sys.stdout
            stream.write(" ".join(objects) + "\n")
            return
        self.__getattr__("print")(*objects, markup=markup, **options)

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
        return getattr(self._console, name)


out = cast("Console", _Console(stderr=False))
err = cast("Console", _Console(stderr=True))


def options_of(ctx: typer.Context) -> Options:
    options = ctx.find_object(Options)
    return options if options is not None else Options()


def fail(error: RoadmapError) -> NoReturn:
    if isinstance(error, PlanValidationError):
        for problem in error.problems:
            err.print(str(problem), markup=False)
        from aomori_roadmap.i18n import text

        count = len(error.problems)
        err.print(text(f"{count}件の問題があります", f"{count} problem(s) found"), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    err.print(visible(str(error)), markup=False)
    # Bad input (an illegal transition included) is 2; a store that failed or refused is 3.
    bad_input = isinstance(error, ValueError) or not isinstance(error, StoreError)
    raise typer.Exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILURE)


def load(options: Options, path: str | None = None) -> "Plan":
    from aomori_roadmap.loader import default_plan, load_plan

    source = path or options.plan
    try:
        return load_plan(source) if source else default_plan()
    except RoadmapError as error:
        fail(error)


def _print_version(value: bool) -> None:
    if value:
        from aomori_roadmap import __version__

        sys.stdout.write(f"aomori-roadmap {__version__}\n")
        raise typer.Exit()


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
    debug: Annotated[
        bool, typer.Option("--debug", help="予期しないエラーのトレースバックを表示（報告用）")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="バージョンを表示して終了", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Global options shared by every command."""
    if lang not in _LABELS:
        err.print(f"--lang は ja か en です（'{lang}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    from aomori_roadmap.i18n import set_language

    set_language(lang)
    if debug:
        os.environ["AOMORI_ROADMAP_DEBUG"] = "1"
    ctx.obj = Options(
        plan=plan or os.environ.get("AOMORI_ROADMAP_PLAN") or None,
        db=db or os.environ.get("AOMORI_ROADMAP_DB") or "sqlite:///aomori-roadmap.db",
        lang=lang,
        as_of=as_of,
    )


def as_of_date(options: Options) -> date:
    """The --as-of date, or today in Tokyo (the interface may read the clock; the engine not)."""
    if options.as_of is None:
        return datetime.now(ZoneInfo("Asia/Tokyo")).date()
    try:
        return date.fromisoformat(options.as_of)
    except ValueError:
        err.print(f"--as-of は YYYY-MM-DD の日付です（'{options.as_of}' は読めません）")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def existing_store(options: Options, plan: "Plan") -> "Store | None":
    """The store if it exists: reading views never create a database file."""
    from aomori_roadmap.store import Store

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
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        err.print("作成者を --actor で指定してください / give --actor")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextmanager
def writing_store(options: Options, plan: "Plan | None") -> "Iterator[Store]":
    """The store at --db, created if missing, closed afterwards; library errors end the run.

    A SQLite file that this run created is removed again when the run fails: bad input never
    leaves a database behind.
    """
    from aomori_roadmap.store import Store

    new_file = _new_sqlite_file(options.db)
    try:
        store = Store(options.db, plan=plan)
    except RoadmapError as error:
        _remove(new_file)
        fail(error)
    done = False
    try:
        yield store
        done = True
    except RoadmapError as error:
        fail(error)
    finally:
        store.close()
        if not done:
            _remove(new_file)


def _new_sqlite_file(url: str) -> Path | None:
    """The SQLite file of ``url`` if it does not exist yet (so this run would create it)."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return None if path.exists() else path


def _remove(path: Path | None) -> None:
    if path is not None:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)


@contextmanager
def reading_store(options: Options, plan: "Plan") -> "Iterator[Store | None]":
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
    options: Options, plan: "Plan", baseline: str | None = None, known_at: date | None = None
) -> "Snapshot":
    """The plan as of --as-of, with the states of the store at --db (none if it does not exist)."""
    from aomori_roadmap.snapshot import take_snapshot

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


def schedule_for(plan: "Plan") -> "Schedule":
    from aomori_roadmap.schedule import schedule

    try:
        return schedule(plan)
    except RoadmapError as error:
        fail(error)


def main() -> None:
    """Run the command line; the console script's entry point.

    No traceback ever reaches the user: an error of the library ends the run with its message
    and status 2 (bad input) or 3 (store or server); anything unexpected with a one-line
    message asking for a report and status 3. ``--debug`` (or ``AOMORI_ROADMAP_DEBUG=1``)
    shows the traceback of the unexpected.
    """
    debug = "--debug" in sys.argv[1:] or os.environ.get("AOMORI_ROADMAP_DEBUG", "") not in ("", "0")
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (``| head``): nothing more to say, and nowhere to say it.
        _silence_stdout()
        sys.exit(0)
    except RoadmapError as error:  # raised outside a command's own handling
        if debug or os.environ.get("AOMORI_ROADMAP_DEBUG", "") not in ("", "0"):
            traceback.print_exc()
        first = visible(str(error).splitlines()[0]) if str(error) else type(error).__name__
        sys.stderr.write(first + "\n")
        bad_input = isinstance(error, ValueError) or not isinstance(error, StoreError)
        sys.exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILURE)
    except Exception as error:
        if debug or os.environ.get("AOMORI_ROADMAP_DEBUG", "") not in ("", "0"):
            traceback.print_exc()
        from aomori_roadmap.i18n import text

        what = visible(f"{type(error).__name__}: {error}".splitlines()[0][:200])
        sys.stderr.write(
            text(
                f"予期しないエラーです（{what}）。--debug を付けて再実行し、その出力を添えて報告してください。",
                f"unexpected error ({what}). Run again with --debug and report what it prints.",
            )
            + "\n"
        )
        sys.exit(EXIT_FAILURE)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --- shared by the command groups ------------------------------------------------------


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


def print_json(data: Any, output: Path | None = None) -> None:
    """``data`` as indented JSON, to ``output`` or standard output."""
    write_output(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def snapshot_at(plan: "Plan", store: "Store | None", as_of: date, **options: Any) -> "Snapshot":
    """The snapshot of ``plan`` on ``as_of`` (options as :func:`take_snapshot` takes them)."""
    from aomori_roadmap.snapshot import take_snapshot

    return take_snapshot(plan, store, as_of=as_of, **options)


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


TOKYO = ZoneInfo("Asia/Tokyo")


FormatOption = Annotated[str, typer.Option("--format", help="table | json")]


def tokyo_time(moment: datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


def revision_ref(text: str) -> int | str:
    return int(text) if text.isdigit() else text
