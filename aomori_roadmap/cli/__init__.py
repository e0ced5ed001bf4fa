"""The ``aomori-roadmap`` command: parse input, call the library, print. No logic of its own.

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure. typer and rich are imported in this package and nowhere
else.

The help of the commands is translated when their modules are imported, so :func:`main`
chooses the language (``--lang``, else ``AOMORI_ROADMAP_LANG`` or the locale) before it imports
them; :data:`app`, the typer application with every command, is made on its first use.
"""

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    from aomori_roadmap.cli.application import app

__all__ = ["app", "main"]


def _application() -> "typer.Typer":
    """The typer application, with the commands of every module registered on it."""
    from aomori_roadmap.cli import (  # noqa: F401  (they register their commands)
        baseline,
        db,
        kpi,
        plan,
        plans,
        reminders,
        report,
        reviews,
        revisions,
        rollup,
        serve,
        site,
        status,
        tokens,
        workbook,
    )
    from aomori_roadmap.cli.application import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return _application()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _lang_option(argv: list[str]) -> str | None:
    """The value of the last ``--lang X`` or ``--lang=X`` in ``argv`` (before ``--``), if any.

    >>> _lang_option(["--lang", "en", "validate"]), _lang_option(["--lang=ja", "--lang=en"])
    ('en', 'en')
    >>> _lang_option(["validate", "--", "--lang", "en"]) is None
    True
    """
    found = None
    for n, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and n + 1 < len(argv):
            found = argv[n + 1]
        elif word.startswith("--lang="):
            found = word.removeprefix("--lang=")
    return found


def main() -> None:
    """Run the command line; the console script's entry point.

    The language is chosen first, from ``--lang`` (a wrong value is reported by the option
    itself), else from the environment as :mod:`aomori_roadmap.i18n` reads it; then the
    commands are imported, their help in that language. See :func:`.application.run` for the
    exit status and the errors.
    """
    from aomori_roadmap.i18n import LANGUAGES, set_language

    chosen = _lang_option(sys.argv[1:])
    if chosen in LANGUAGES:
        set_language(chosen)
    app = _application()
    from aomori_roadmap.cli.application import run

    run(app)
