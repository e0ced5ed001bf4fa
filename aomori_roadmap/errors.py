"""The exceptions raised by aomori_roadmap.

Every error the library raises on purpose derives from :class:`RoadmapError`. Errors caused by
bad input also derive from :class:`ValueError`, so callers that only care about "the input was
wrong" can catch that.

::

    RoadmapError
     ├── PlanError (+ ValueError)            bad input: a plan file, an expression, an argument
     │    ├── PeriodError                    a period expression that cannot be read (.text)
     │    ├── DurationError                  a duration expression that cannot be read (.text)
     │    ├── PlanValidationError            every problem of a plan at once (.problems)
     │    └── StatusChangeError              a bad status change (.field, .ref, .index);
     │                                       defined in status.py
     ├── ScheduleError                       the plan cannot be scheduled
     │    └── CycleError (+ ValueError)      the dependencies form a cycle (.cycle)
     ├── StoreError                          the status store failed or refused a write
     │    ├── TransitionError (+ ValueError) an illegal status change (.old, .new)
     │    └── ConflictError                  someone else changed the state first (.old, .new)
     └── DeliveryError                       mail could not be sent (.sent, .unsent, .failed);
                                             defined in notify.py

Each error carries structured fields, so that a tool can act on it without parsing messages.

>>> try:
...     raise PeriodError("FY20244", "期間の表記 'FY20244' を読めません。")
... except ValueError as error:
...     print(error.text)
FY20244
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from aomori_roadmap.i18n import LANGUAGES, _, ngettext

__all__ = [
    "ConflictError",
    "CycleError",
    "DurationError",
    "PeriodError",
    "PlanError",
    "PlanValidationError",
    "Problem",
    "RoadmapError",
    "ScheduleError",
    "StoreError",
    "TransitionError",
    "check_language",
    "shown",
    "visible",
]


class RoadmapError(Exception):
    """The root of every error raised by aomori_roadmap on purpose."""


class PlanError(RoadmapError, ValueError):
    """The input (a plan, an expression, an argument) is not valid."""


class PeriodError(PlanError):
    """A period expression such as ``FY2024-H1`` or ``令和6年度上期`` could not be read."""

    def __init__(self, text: str, message: str) -> None:
        super().__init__(message)
        self.text = text


class DurationError(PlanError):
    """A duration expression such as ``10bd`` or ``4mo`` could not be read."""

    def __init__(self, text: str, message: str) -> None:
        super().__init__(message)
        self.text = text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a plan, with where it is and how to fix it.

    ``path`` is the file (``None`` for a plan built in memory), ``line`` and ``column`` are
    1-based (``None`` when unknown), ``loc`` is the location inside the document as keys and
    indexes, ``code`` is a stable machine-readable kind such as ``unknown-reference``.

    >>> print(Problem("参照先 'x' がありません。", path="plan.yaml", line=3, column=7))
    plan.yaml:3:7: 参照先 'x' がありません。
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    code: str = "invalid"
    loc: tuple[str | int, ...] = field(default=())

    @property
    def location(self) -> str:
        """``file:line:column`` as far as it is known."""
        parts = [self.path or "<plan>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return visible(text)


# Characters that would break the one line a problem is printed on, or hide its text: control
# characters, line and paragraph separators, and the bidirectional overrides.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with the characters that would break or hide a one-line message escaped.

    >>> print(visible("FY2025" + chr(20) + "-H2"))
    FY2025\\x14-H2
    """
    return _HIDDEN.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", text
    )


def shown(value: object, limit: int = 60) -> str:
    """``value`` quoted in a message: cut to ``limit`` characters, hidden characters escaped.

    >>> print(shown("a" + chr(0) + "b"), shown("x" * 70)[-3:])
    a\\x00b xx…
    """
    written = str(value)
    if len(written) > limit:
        written = written[: limit - 1] + "…"
    return visible(written)


class PlanValidationError(PlanError):
    """A plan has one or more problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        heading = ngettext(
            "The plan has {count} problem:", "The plan has {count} problems:", count
        ).format(count=count)
        lines = [heading] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ScheduleError(RoadmapError):
    """The plan cannot be scheduled."""


class CycleError(ScheduleError, ValueError):
    """The dependencies form a cycle; ``cycle`` lists the task refs in order."""

    def __init__(self, cycle: Sequence[str], message: str) -> None:
        super().__init__(message)
        self.cycle: tuple[str, ...] = tuple(cycle)


class StoreError(RoadmapError):
    """The status store failed, or refused a write."""


class TransitionError(StoreError, ValueError):
    """A status change that the rules do not allow (``old`` → ``new``)."""

    def __init__(self, old: str, new: str, message: str) -> None:
        super().__init__(message)
        self.old = old
        self.new = new


class ConflictError(StoreError):
    """The state changed under the writer: it expected ``old`` but found ``new``."""

    def __init__(self, old: str, new: str, message: str) -> None:
        super().__init__(message)
        self.old = old
        self.new = new


def check_language(lang: str) -> str:
    """``lang`` when there is a catalog for it (``ja``, ``en``).

    Raises:
        PlanError: any other language; the message names those there are.
    """
    if lang not in LANGUAGES:
        raise PlanError(
            _("Labels cannot be made in the language {lang}. Languages: ja, en").format(
                lang=repr(lang)
            )
        )
    return lang
