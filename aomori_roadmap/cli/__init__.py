"""The ``aomori-roadmap`` command: parse input, call the library, print. No logic of its own.

Exit status: 0 success, 2 bad input or usage (one clear message per problem on stderr, nothing
written), 3 store or server failure. typer and rich are imported here and nowhere else.
"""

from aomori_roadmap.cli import (  # noqa: F401  (they register their commands)
    baseline,
    db,
    kpi,
    plan,
    reminders,
    report,
    reviews,
    revisions,
    serve,
    status,
    tokens,
)
from aomori_roadmap.cli.app import app, main

__all__ = ["app", "main"]
