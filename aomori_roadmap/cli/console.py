"""Output of the command line: the consoles, files and JSON, and errors ending a run."""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import typer

from aomori_roadmap.errors import PlanValidationError, RoadmapError, StoreError, visible
from aomori_roadmap.i18n import _

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rich.console import Console


EXIT_BAD_INPUT = 2


EXIT_FAILURE = 3


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


def fail(error: RoadmapError) -> NoReturn:
    if isinstance(error, PlanValidationError):
        for problem in error.problems:
            err.print(str(problem), markup=False)
        err.print(_("{n} problem(s) found").format(n=len(error.problems)), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    # Control characters are shown escaped; the lines of a message stay lines.
    err.print("\n".join(visible(line) for line in str(error).split("\n")), markup=False)
    # Bad input (an illegal transition included) is 2; a store that failed or refused is 3.
    bad_input = isinstance(error, ValueError) or not isinstance(error, StoreError)
    raise typer.Exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILURE)


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
        err.print(_("cannot write: {error}").format(error=error), markup=False)
        raise typer.Exit(EXIT_FAILURE) from error


def print_json(data: Any, output: Path | None = None) -> None:
    """``data`` as indented JSON, to ``output`` or standard output."""
    write_output(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def tokyo() -> "ZoneInfo":
    """Asia/Tokyo, where the command line shows times (zoneinfo is loaded when one is shown)."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Tokyo")  # ZoneInfo keeps each zone it made: no cache needed here


def tokyo_time(moment: datetime) -> str:
    return moment.astimezone(tokyo()).strftime("%Y-%m-%d %H:%M")
