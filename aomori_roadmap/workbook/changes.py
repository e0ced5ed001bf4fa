"""What a filled department workbook changes: per-row diffs, conflicts, located problems.

The results of :func:`~aomori_roadmap.workbook.read.read_department_workbook`:
:class:`WorkbookChanges` holds each row that writes something (its values before and after,
and the records it makes), the conflicts, and :meth:`WorkbookChanges.apply`, the one write;
:class:`WorkbookError` holds every problem of a workbook that cannot be imported, each a
:class:`WorkbookProblem` located ``FILE:Sheet!C12``.

Every record made from a workbook names it: a status event's note is the note cell, then the
line ``[workbook FILE sha256:FINGERPRINT]`` (``forced`` added when the import was forced); a
submission keeps that line as its comment, a KPI value as its note. :func:`strip_provenance`
takes it off again, to compare a note with the cell it came from.

>>> tag = provenance("r7_kikikanri.xlsx", "0" * 64, forced=False)
>>> strip_provenance(with_provenance("着手した", tag))
'着手した'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.engine.status import Status, StatusChange
from aomori_roadmap.errors import ConflictError, PlanError, shown, visible
from aomori_roadmap.i18n import _, language, ngettext, using_language
from aomori_roadmap.store.review_log import KpiEntry, Submission
from aomori_roadmap.store.store import Recorded, Unchanged
from aomori_roadmap.workbook.layout import INITIATIVES, TASKS, Origin, SheetLayout, kpi_layout

if TYPE_CHECKING:
    from aomori_roadmap.store.store import Store

__all__ = [
    "Conflict",
    "KpiChange",
    "KpiValues",
    "SubmissionChange",
    "SubmissionValues",
    "TaskChange",
    "TaskValues",
    "WorkbookChanges",
    "WorkbookConflictError",
    "WorkbookError",
    "WorkbookProblem",
    "column_letter",
    "overlaps",
    "provenance",
    "strip_provenance",
    "values_json",
    "with_provenance",
]

_PROVENANCE = re.compile(r"(?:\A|\n)\[workbook [^\n]*? sha256:[0-9a-f]{64}(?: forced)?\]\Z")
_FILE_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\[\]]")


def strip_provenance(note: str) -> str:
    """``note`` without the line naming the workbook it came from (see the module docstring).

    >>> strip_provenance("着手した\\n[workbook a.xlsx sha256:" + "0" * 64 + "]")
    '着手した'
    """
    return _PROVENANCE.sub("", note)


def provenance(file: str, fingerprint: str, forced: bool) -> str:
    name = _FILE_NAME_UNSAFE.sub("_", file)
    return f"[workbook {name} sha256:{fingerprint}{' forced' if forced else ''}]"


def with_provenance(note: str, tag: str) -> str:
    return f"{note}\n{tag}" if note else tag


# --- problems -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkbookProblem:
    """One thing wrong with a workbook: where (file, sheet, cell), what, and a stable code.

    >>> print(WorkbookProblem("r7.xlsx", "進捗を0から100で書いてください。", "工程", "L12"))
    r7.xlsx:工程!L12: 進捗を0から100で書いてください。
    """

    file: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    code: str = "invalid"

    @property
    def location(self) -> str:
        """``FILE:Sheet!C12`` as far as it is known."""
        if self.sheet is None:
            return self.file
        if self.cell is None:
            return f"{self.file}:{self.sheet}"
        return f"{self.file}:{self.sheet}!{self.cell}"

    def __str__(self) -> str:
        return visible(f"{self.location}: {self.message}")

    def to_json(self) -> dict[str, str | None]:
        """The problem as JSON-ready data."""
        return {
            "location": self.location,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "code": self.code,
            "message": self.message,
        }


class WorkbookError(PlanError):
    """A workbook that cannot be imported; ``problems`` lists every problem found, located."""

    def __init__(self, problems: Sequence[WorkbookProblem]) -> None:
        self.problems: tuple[WorkbookProblem, ...] = tuple(problems)
        count = len(self.problems)
        heading = ngettext(
            "The workbook has {count} problem; nothing was recorded:",
            "The workbook has {count} problems; nothing was recorded:",
            count,
        ).format(count=count)
        super().__init__("\n".join([heading, *(f"  {p}" for p in self.problems)]))


class WorkbookConflictError(ConflictError):
    """Rows changed in the store after the workbook was made; ``conflicts`` lists them."""

    def __init__(self, conflicts: Sequence[Conflict], lang: str | None = None) -> None:
        self.conflicts: tuple[Conflict, ...] = tuple(conflicts)
        count = len(self.conflicts)
        heading = ngettext(
            "{count} row was changed in the store after the workbook was made; nothing was "
            "recorded (import with force to record the workbook's values anyway):",
            "{count} rows were changed in the store after the workbook was made; nothing was "
            "recorded (import with force to record the workbook's values anyway):",
            count,
        ).format(count=count)
        lines = [heading, *(f"  {c.line(lang)}" for c in self.conflicts)]
        first = self.conflicts[0] if self.conflicts else None
        super().__init__(
            "" if first is None else first.shown(first.exported, lang),
            "" if first is None else first.shown(first.stored, lang),
            "\n".join(lines),
        )


def column_letter(n: int) -> str:
    """``A`` for 1, ``AA`` for 27."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- values and changes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskValues:
    """A task's input cells: status, progress, actual start and finish, note."""

    status: Status
    progress: int
    started: date | None
    finished: date | None
    note: str

    def cells(self, lang: str | None = None) -> dict[str, str]:
        """Each value as shown, by column key."""
        return {
            "status": self.status.label(lang or language()),
            "progress": f"{self.progress}%",
            "started": _day(self.started),
            "finished": _day(self.finished),
            "note": _note(self.note),
        }


@dataclass(frozen=True, slots=True)
class SubmissionValues:
    """An initiative's input cells: the rating's symbol (``""``: none) and three texts."""

    rating: str
    achievements: str
    issues: str
    next_steps: str

    def cells(self, lang: str | None = None) -> dict[str, str]:
        """Each value as shown, by column key."""
        return {
            "rating": self.rating or "-",
            "achievements": _note(self.achievements),
            "issues": _note(self.issues),
            "next_steps": _note(self.next_steps),
        }


@dataclass(frozen=True, slots=True)
class KpiValues:
    """A KPI row's input cells: this year's actual (a number, a mark such as 未把握, or
    ``None``: none) and its source."""

    value: float | KpiMark | None
    source: str

    def cells(self, lang: str | None = None) -> dict[str, str]:
        """Each value as shown, by column key."""
        actual = self.value
        shown_actual = (
            actual.label(lang or language()) if isinstance(actual, KpiMark) else _number(actual)
        )
        return {"actual": shown_actual, "source": _note(self.source)}


def _day(value: date | None) -> str:
    return "-" if value is None else value.isoformat()


def _note(text: str) -> str:
    return shown(text.replace("\n", " / "), 40) if text else "-"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


Values = TaskValues | SubmissionValues | KpiValues


@dataclass(frozen=True, slots=True)
class RowChange:
    """A row that changes the store: its key (a task's ref, an initiative's or KPI's id), its
    place, and its input values before (as the store holds them) and after (as filled in)."""

    key: str
    sheet: str
    row: int
    before: Values
    after: Values

    def layout(self) -> SheetLayout:
        """The table the row is in."""
        return TASKS

    def label(self) -> str:
        """How the line names the row."""
        return self.key

    def line(self, lang: str | None = None) -> str:
        """``工程!12 a/t: 状態: 未着手 → 実施中, …``: each changed cell, before → after."""
        before, after = self.before.cells(lang), self.after.cells(lang)
        layout = self.layout()
        parts = [
            f"{layout.column(key).heading(lang)}: {before.get(key, '-')} → {new}"
            for key, new in after.items()
            if before.get(key, "-") != new
        ]
        return f"{self.sheet}!{self.row} {self.label()}: {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class TaskChange(RowChange):
    """A task row, with the status changes that record it."""

    changes: tuple[StatusChange, ...]

    @property
    def ref(self) -> str:
        """The task's ref."""
        return self.key


@dataclass(frozen=True, slots=True)
class SubmissionChange(RowChange):
    """An initiative row that records a submission for the cycle."""

    submission: Submission

    @property
    def initiative(self) -> str:
        """The initiative's id."""
        return self.key

    def layout(self) -> SheetLayout:
        return INITIATIVES


@dataclass(frozen=True, slots=True)
class KpiChange(RowChange):
    """A KPI row that records this fiscal year's actual value."""

    fy: int
    entry: KpiEntry

    @property
    def kpi(self) -> str:
        """The KPI's id."""
        return self.key

    def layout(self) -> SheetLayout:
        return kpi_layout(())

    def label(self) -> str:
        return f"{self.key} (FY{self.fy})"


def values_json(values: Values) -> dict[str, Any]:
    """A row's input values as JSON-ready data: codes, numbers and ISO dates, by field."""
    found = {f.name: getattr(values, f.name) for f in fields(values)}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in found.items()}


def _row_json(key: str, change: TaskChange | SubmissionChange | KpiChange, lang: str) -> Any:
    return {
        key: getattr(change, key),
        "sheet": change.sheet,
        "row": change.row,
        "before": values_json(change.before),
        "after": values_json(change.after),
        "line": change.line(lang),
    }


@dataclass(frozen=True, slots=True)
class Conflict:
    """A row the department changed whose store state changed too after the export.

    ``exported`` is the row as the workbook was made, ``stored`` as the store holds it now,
    ``filled`` as the department filled it in.
    """

    key: str
    sheet: str
    row: int
    exported: Values
    stored: Values
    filled: Values

    def shown(self, values: Values, lang: str | None = None) -> str:
        """``values`` as one line of cells."""
        return ", ".join(v for v in values.cells(lang).values())

    def line(self, lang: str | None = None) -> str:
        """The conflict with the three states of the row."""
        return _(
            "{sheet}!{row} {key}: exported {exported}; now in the store {stored}; "
            "in the workbook {filled}"
        ).format(
            sheet=self.sheet,
            row=self.row,
            key=self.key,
            exported=self.shown(self.exported, lang),
            stored=self.shown(self.stored, lang),
            filled=self.shown(self.filled, lang),
        )


@dataclass(frozen=True)
class WorkbookChanges:
    """What a filled workbook changes, read and checked but not written (see :meth:`apply`).

    ``tasks``, ``submissions`` and ``kpis`` are the rows that write something; rows left as
    exported (or already recorded) are absent. ``conflicts`` are rows changed in the store
    after the workbook was made (empty when ``forced``: they are in the other lists then).
    """

    file: str
    origin: Origin
    fingerprint: str
    actor: str
    forced: bool
    tasks: tuple[TaskChange, ...]
    submissions: tuple[SubmissionChange, ...]
    kpis: tuple[KpiChange, ...]
    conflicts: tuple[Conflict, ...]
    unchanged: Unchanged = field(repr=False)
    store: Store | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        """Nothing to write and no conflict."""
        return not (self.tasks or self.submissions or self.kpis or self.conflicts)

    def status_changes(self) -> list[StatusChange]:
        """Every status change to record, in order."""
        return [change for task in self.tasks for change in task.changes]

    def lines(self, lang: str = "ja") -> list[str]:
        """The changes per row, then the conflicts, in ``lang`` (Japanese by default)."""
        with using_language(lang):
            head = _("{file} ({department}, {cycle}):").format(
                file=self.file, department=self.origin.department, cycle=self.origin.cycle
            )
            rows = [
                *(t.line(lang) for t in self.tasks),
                *(s.line(lang) for s in self.submissions),
                *(k.line(lang) for k in self.kpis),
            ]
            lines = [head, *(f"  {row}" for row in rows)]
            if not rows:
                lines.append("  " + _("No changes."))
            if self.forced and rows:
                lines.append("  " + _("Forced: rows changed in the store are overwritten."))
            if self.conflicts:
                lines.append(
                    "  "
                    + ngettext(
                        "{count} conflict (changed in the store after the workbook was made):",
                        "{count} conflicts (changed in the store after the workbook was made):",
                        len(self.conflicts),
                    ).format(count=len(self.conflicts))
                )
                lines += [f"    {c.line(lang)}" for c in self.conflicts]
            return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        """The changes as JSON-ready data (values as codes and ISO dates; ``line`` in ``lang``)."""
        with using_language(lang):
            return {
                "file": self.file,
                "plan": self.origin.plan,
                "cycle": self.origin.cycle,
                "department": self.origin.department,
                "fingerprint": self.fingerprint,
                "actor": self.actor,
                "forced": self.forced,
                "tasks": [_row_json("ref", t, lang) for t in self.tasks],
                "submissions": [_row_json("initiative", s, lang) for s in self.submissions],
                "kpis": [{**_row_json("kpi", k, lang), "fy": k.fy} for k in self.kpis],
                "conflicts": [
                    {
                        "key": c.key,
                        "sheet": c.sheet,
                        "row": c.row,
                        "exported": values_json(c.exported),
                        "stored": values_json(c.stored),
                        "filled": values_json(c.filled),
                        "line": c.line(lang),
                    }
                    for c in self.conflicts
                ],
            }

    def apply(self, store: Store | None = None) -> Recorded:
        """Write every change in one transaction (all or nothing) and return what was written.

        Nothing is written when there is nothing to write.

        Raises:
            WorkbookConflictError: there are conflicts (read again with ``force=True`` to
                write anyway).
            ConflictError: the store changed between reading and applying.
            StoreError: the database failed; nothing written.
        """
        target = store or self.store
        if target is None:
            raise PlanError(_("Give the store to write the workbook's changes to."))
        if self.conflicts:
            raise WorkbookConflictError(self.conflicts)
        return target.record_together(
            status=self.status_changes(),
            submissions=[s.submission for s in self.submissions],
            kpi_actuals=[k.entry for k in self.kpis],
            unchanged=self.unchanged,
        )


def overlaps(read: Sequence[WorkbookChanges]) -> list[WorkbookProblem]:
    """Rows that two of the workbooks ``read`` (against the same store) both change.

    Each workbook is compared with the store as it was read, not with what another one
    records before it: of two that change the same task, initiative's submission or KPI
    value, the second would then be refused after the first was written. Such rows are
    problems of the later workbook, naming the earlier one, so that nothing is written.
    """
    first: dict[tuple[object, ...], tuple[int, str]] = {}  # the workbook changing it first
    problems: list[WorkbookProblem] = []
    for n, changes in enumerate(read):
        rows: list[tuple[tuple[object, ...], RowChange, str]] = [
            *((("task", t.ref), t, "ref") for t in changes.tasks),
            *((("submission", s.submission.cycle, s.initiative), s, "id")
              for s in changes.submissions),
            *((("kpi", k.kpi, k.fy), k, "id") for k in changes.kpis),
        ]  # fmt: skip
        for key, row, key_column in rows:
            by, other = first.setdefault(key, (n, changes.file))
            if by == n:
                continue
            message = _(
                "{key} is changed in {other} too: import these workbooks one at a time, so "
                "that the later one is compared with what the earlier one recorded."
            ).format(key=row.label(), other=other)
            cell = f"{column_letter(row.layout().index(key_column))}{row.row}"
            problems.append(WorkbookProblem(changes.file, message, row.sheet, cell, "overlap"))
    return problems
