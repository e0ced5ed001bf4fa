"""The ``aomori-roadmap`` application: global options, the typer app and the run of a command.

Command groups live in the sibling modules and register themselves on :data:`app`; what they
share is in :mod:`.console` (output and errors), :mod:`.inputs` (reading the options) and
:mod:`.stores` (opening the store and the snapshot). The entry point, which chooses the language
before any help text is made, is :func:`aomori_roadmap.cli.main`.

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
from aomori_roadmap.i18n import _

__all__ = ["Options", "app", "options_of", "run"]


@dataclass
class Options:
    plan: str | None = None
    db: str = "sqlite:///aomori-roadmap.db"
    lang: str = "ja"
    as_of: str | None = None


app = typer.Typer(
    name="aomori-roadmap",
    help=_(
        "Roadmap of the Aomori Prefecture DX Promotion Plan: validation, schedules, reviews,"
        " Gantt charts and calendar feeds"
    ),
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
        typer.Option(
            help=_(
                "The plan's file or folder (default: the embedded Aomori Prefecture DX"
                " Promotion Plan)"
            )
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help=_("URL of the status store (default: sqlite:///aomori-roadmap.db)")),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help=_("Language of the output, ja|en (default: AOMORI_ROADMAP_LANG, the locale or ja)")
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=_("Reference date (YYYY-MM-DD)"))
    ] = None,
    debug: Annotated[  # read by run() from the command line itself, before parsing
        bool,
        typer.Option("--debug", help=_("Show the traceback of an unexpected error (for a report)")),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help=_("Show the version and exit"),
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    """Global options shared by every command."""
    from aomori_roadmap.i18n import LANGUAGES, language, using_language

    if lang is None:  # as the entry point or the environment chose it
        lang = language()
    elif lang not in LANGUAGES:
        err.print(_("--lang is ja or en ('{lang}' cannot be used)").format(lang=lang), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    # For this run only: the language goes back to what it was when the run ends.
    ctx.with_resource(using_language(lang))
    for option, given in (("--plan", plan), ("--db", db)):
        # An empty value (an unset variable in a script) must not mean the default silently:
        # `validate --plan ""` would pass the embedded plan, and a write would go elsewhere.
        if given is not None and not given.strip():
            err.print(
                _("{option} is empty (leave it out for the default)").format(option=option),
                markup=False,
            )
            raise typer.Exit(EXIT_BAD_INPUT)
    if as_of is not None:  # checked for every command, whether it reads the date or not
        try:
            date.fromisoformat(as_of)
        except ValueError:
            err.print(bad_date("--as-of", as_of), markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    ctx.obj = Options(
        plan=plan or os.environ.get("AOMORI_ROADMAP_PLAN") or None,
        db=db or os.environ.get("AOMORI_ROADMAP_DB") or "sqlite:///aomori-roadmap.db",
        lang=lang,
        as_of=as_of,
    )


def bad_date(option: str, given: str) -> str:
    """The message for a date ``option`` that ``given`` is not."""
    return _("{option} is a date, YYYY-MM-DD (cannot read '{given}')").format(
        option=option, given=given
    )


def run(application: typer.Typer) -> None:
    """Run ``application`` on the command line of the process.

    No traceback ever reaches the user: an error of the library ends the run with its message
    and status 2 (bad input) or 3 (store or server); anything unexpected with a one-line
    message asking for a report and status 3. ``--debug`` (or ``AOMORI_ROADMAP_DEBUG=1``)
    shows the traceback of the unexpected.
    """
    # Read here, not from the parsed option: an error may come before or during parsing.
    debug = "--debug" in sys.argv[1:] or os.environ.get("AOMORI_ROADMAP_DEBUG", "") not in ("", "0")
    try:
        application(standalone_mode=True)
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
        what = visible(f"{type(error).__name__}: {error}".splitlines()[0][:200])
        message = _("unexpected error ({what}). Run again with --debug and report what it prints.")
        sys.stderr.write(message.format(what=what) + "\n")
        sys.exit(EXIT_FAILURE)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
