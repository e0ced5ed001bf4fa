"""The ``aomori-roadmap`` application: global options, the typer app and the entry point.

Command groups live in the sibling modules and register themselves on :data:`app`; what they
share is in :mod:`.console` (output and errors), :mod:`.inputs` (reading the options) and
:mod:`.stores` (opening the store and the snapshot).

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure.
"""

import os
import sys
import traceback
from dataclasses import dataclass
from datetime import date
from typing import Annotated

import typer

from aomori_roadmap.cli.console import EXIT_BAD_INPUT, EXIT_FAILURE, err
from aomori_roadmap.errors import RoadmapError, StoreError, visible

__all__ = ["Options", "app", "main", "options_of"]

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


def options_of(ctx: typer.Context) -> Options:
    options = ctx.find_object(Options)
    return options if options is not None else Options()


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
    lang: Annotated[
        str | None, typer.Option(help="表示言語 ja|en（既定: AOMORI_ROADMAP_LANG か ja）")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="基準日（YYYY-MM-DD）")] = None,
    debug: Annotated[  # read by main() from the command line itself, before parsing
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
    from aomori_roadmap.i18n import set_language, text

    if lang is None:  # AOMORI_ROADMAP_LANG, read as the library reads it, else Japanese
        chosen = os.environ.get("AOMORI_ROADMAP_LANG", "").strip().lower()
        lang = chosen if chosen in _LABELS else "ja"
    elif lang not in _LABELS:
        err.print(f"--lang は ja か en です（'{lang}' は使えません）", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    set_language(lang)
    for option, given in (("--plan", plan), ("--db", db)):
        # An empty value (an unset variable in a script) must not mean the default silently:
        # `validate --plan ""` would pass the embedded plan, and a write would go elsewhere.
        if given is not None and not given.strip():
            err.print(
                text(
                    f"{option} が空です（既定を使うなら省いてください）",
                    f"{option} is empty (leave it out for the default)",
                ),
                markup=False,
            )
            raise typer.Exit(EXIT_BAD_INPUT)
    if as_of is not None:  # checked for every command, whether it reads the date or not
        try:
            date.fromisoformat(as_of)
        except ValueError:
            err.print(f"--as-of は YYYY-MM-DD の日付です（'{as_of}' は読めません）", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    ctx.obj = Options(
        plan=plan or os.environ.get("AOMORI_ROADMAP_PLAN") or None,
        db=db or os.environ.get("AOMORI_ROADMAP_DB") or "sqlite:///aomori-roadmap.db",
        lang=lang,
        as_of=as_of,
    )


def main() -> None:
    """Run the command line; the console script's entry point.

    No traceback ever reaches the user: an error of the library ends the run with its message
    and status 2 (bad input) or 3 (store or server); anything unexpected with a one-line
    message asking for a report and status 3. ``--debug`` (or ``AOMORI_ROADMAP_DEBUG=1``)
    shows the traceback of the unexpected.
    """
    # Read here, not from the parsed option: an error may come before or during parsing.
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
        if debug:
            traceback.print_exc()
        first = visible(str(error).splitlines()[0]) if str(error) else type(error).__name__
        sys.stderr.write(first + "\n")
        bad_input = isinstance(error, ValueError) or not isinstance(error, StoreError)
        sys.exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILURE)
    except Exception as error:
        if debug:
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
