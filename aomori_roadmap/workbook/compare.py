"""The rows of a filled workbook compared with what was exported and what the store holds.

:class:`Comparison` takes the rows read from each sheet (:class:`SheetRow`) and decides, row
by row, what to write (see :mod:`.read` for the rules): nothing for a row left as exported or
already recorded, a conflict for a row changed in the store after the export, and otherwise
the status changes, submission or KPI value that take the store to the filled values.
Whatever cannot be recorded is a problem located at its cell (:class:`Reading`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aomori_roadmap.calendar import last_instant
from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.engine.reviews import ReviewCycle
from aomori_roadmap.engine.status import (
    Status,
    StatusChange,
    StatusEvent,
    StatusState,
    check_sequence,
    check_transition,
)
from aomori_roadmap.errors import PlanError, TransitionError
from aomori_roadmap.i18n import _, language
from aomori_roadmap.plan.model import Kpi, Plan
from aomori_roadmap.store.review_log import KpiEntry, Submission
from aomori_roadmap.workbook.cells import read_text
from aomori_roadmap.workbook.changes import (
    Conflict,
    KpiChange,
    KpiValues,
    SubmissionChange,
    SubmissionValues,
    TaskChange,
    TaskValues,
    WorkbookProblem,
    column_letter,
    strip_provenance,
    with_provenance,
)
from aomori_roadmap.workbook.layout import (
    INITIATIVES,
    ORIGIN_SHEET,
    TASKS,
    InitiativeOrigin,
    KpiOrigin,
    Origin,
    SheetLayout,
    TaskOrigin,
    department_kpis,
    table_layout,
)

if TYPE_CHECKING:
    from aomori_roadmap.store.review_log import KpiActual, ReviewState
    from aomori_roadmap.store.store import Store

__all__ = ["Comparison", "Reading", "SheetRow"]


class Reading:
    """The state of one import while it is read: the file's name, the plan, the problems."""

    def __init__(self, file: str, plan: Plan, lang: str) -> None:
        self.file = file
        self.plan = plan
        self.lang = lang
        self.problems: list[WorkbookProblem] = []

    def problem(
        self, message: str, code: str, sheet: str | None = None, cell: str | None = None
    ) -> None:
        self.problems.append(WorkbookProblem(self.file, message, sheet, cell, code))


@dataclass(slots=True)
class SheetRow:
    """One data row of a sheet: its number, its key and the cells read by column key."""

    number: int
    key: str | None
    values: dict[str, Any]
    bad: bool = False


# --- comparing with the store -------------------------------------------------------------------

_LATEST = datetime.max.replace(tzinfo=UTC)  # "when recorded": after every stored event


class Comparison:
    """Rows compared with their origin and the store; the changes to write, or problems."""

    def __init__(
        self,
        reading: Reading,
        store: Store,
        origin: Origin,
        cycle: ReviewCycle,
        actor: str,
        force: bool,
        tag: str,
    ) -> None:
        self.reading, self.store, self.origin, self.cycle = reading, store, origin, cycle
        self.actor, self.force, self.tag = actor, force, tag
        plan = reading.plan
        self.tz = ZoneInfo(plan.timezone)
        self.first_day, self.last_day = plan.period.start.start, plan.period.end.end
        self.now = store.database.now()
        self.today = self.now.astimezone(self.tz).date()
        # Changes without a date of their own describe the row as of the workbook's date.
        self.as_of_end = last_instant(origin.as_of, self.tz).astimezone(UTC)
        self.task_changes: list[TaskChange] = []
        self.submission_changes: list[SubmissionChange] = []
        self.kpi_changes: list[KpiChange] = []
        self.conflicts: list[Conflict] = []
        self.seen_events: dict[str, int | None] = {}
        self.seen_submissions: dict[tuple[str, str], int | None] = {}
        self.seen_kpis: dict[tuple[str, int], int | None] = {}

    def _cell(self, layout: SheetLayout, key: str, row: SheetRow) -> str:
        return f"{column_letter(layout.index(key))}{row.number}"

    def _belongs(self, department: str | None) -> bool:
        return department == self.origin.department

    # --- tasks ----------------------------------------------------------------------------------

    def tasks(self, rows: list[tuple[str, SheetRow, str]]) -> None:
        if not rows:
            return
        plan_tasks = {ref: initiative for ref, initiative, _task in self.reading.plan.iter_tasks()}
        changed: list[tuple[str, SheetRow, str, TaskOrigin]] = []
        for ref, row, title in rows:
            exported = self.origin.tasks[ref]
            if row.bad:
                continue
            initiative = plan_tasks.get(ref)
            if initiative is None:
                self.reading.problem(
                    _("The plan has no task {ref}: it was removed from the plan after the "
                      "workbook was made. Ask the plan office for a new workbook.").format(ref=ref),
                    "unknown-ref", title, self._cell(TASKS, "ref", row),
                )  # fmt: skip
                continue
            if not self._belongs(initiative.department):
                self.reading.problem(
                    _("The task {ref} belongs to another department's initiative.").format(
                        ref=ref
                    ),
                    "other-department", title, self._cell(TASKS, "ref", row),
                )  # fmt: skip
                continue
            if row.values["status"] is None:
                self.reading.problem(
                    _("Choose the status of the task (the cell is empty)."), "unknown-status",
                    title, self._cell(TASKS, "status", row),
                )  # fmt: skip
                continue
            before = _exported_task(exported)
            if before is None:
                self.reading.problem(
                    _("The origin record of {ref} is not one this program wrote.").format(ref=ref),
                    "not-ours", ORIGIN_SHEET,
                )  # fmt: skip
                continue
            if row.values["progress"] == before.progress:
                # Left as exported: the progress its status implies (完了 is 100).
                row.values["progress"] = None
            if self._filled_task(row, before) != before:
                changed.append((ref, row, title, exported))
        if not changed:
            return
        states = self.store.status_as_of()
        for ref, row, title, exported in changed:
            self._task(ref, row, title, exported, states.get(ref))

    @staticmethod
    def _filled_task(row: SheetRow, base: TaskValues) -> TaskValues:
        v = row.values
        status = v["status"] if v["status"] is not None else base.status
        progress = v["progress"]  # None: empty, or left as exported
        if progress is None:
            progress = _default_progress(status, base.progress)
        started = v["started"]
        if started is None and status is Status.PLANNED:
            started = base.started  # put back to planned: the recorded start stays
        note = strip_provenance(v["note"] or "")  # the line a workbook import added
        return TaskValues(status, progress, started, v["finished"], note)

    def _stored_task(self, state: StatusState | None) -> TaskValues:
        if state is None:
            return TaskValues(Status.PLANNED, 0, None, None, "")
        tz = self.tz
        return TaskValues(
            state.status,
            state.progress,
            None if state.started is None else state.started.astimezone(tz).date(),
            None if state.finished is None else state.finished.astimezone(tz).date(),
            strip_provenance(state.note),
        )

    def _task(
        self,
        ref: str,
        row: SheetRow,
        title: str,
        exported: TaskOrigin,
        state: StatusState | None,
    ) -> None:
        """Compare a row the department changed with the store; note what to write."""
        stored = self._stored_task(state)
        filled = self._filled_task(row, stored)  # empty cells read against the store
        event = None if state is None else state.event_id
        if event != exported.event:
            if filled == stored:
                return  # recorded already: nothing to write
            if not self.force:
                before = _exported_task(exported)
                assert before is not None
                self.conflicts.append(Conflict(ref, title, row.number, before, stored, filled))
                return
        elif filled == stored:
            return
        changes = self._task_events(ref, row, title, stored, filled, state)
        if changes is None:
            return
        self.seen_events[ref] = event
        self.task_changes.append(TaskChange(ref, title, row.number, stored, filled, tuple(changes)))

    def _problem(self, row: SheetRow, title: str, key: str, message: str, code: str) -> None:
        self.reading.problem(message, code, title, self._cell(TASKS, key, row))

    def _check_dates(
        self, row: SheetRow, title: str, stored: TaskValues, filled: TaskValues
    ) -> bool:
        """The actual dates make sense with the status; problems are reported at the cells."""
        ok = True
        s1 = filled.status
        for key, value, old in (
            ("started", filled.started, stored.started),
            ("finished", filled.finished, stored.finished),
        ):
            if value is None or value == old:
                continue
            if not self.first_day <= value <= self.last_day:
                self._problem(row, title, key, _(
                    "Write a date within the plan ({first} to {last}); {date} is outside it."
                ).format(first=self.first_day, last=self.last_day, date=value),
                    "date-outside-plan")  # fmt: skip
                ok = False
            elif value > self.today:
                self._problem(row, title, key, _(
                    "Write the date it really happened: {date} is in the future (today is "
                    "{today})."
                ).format(date=value, today=self.today), "date-in-future")  # fmt: skip
                ok = False
        if s1 is Status.DONE and filled.finished is None:
            self._problem(row, title, "finished", _(
                "Write the actual finish date of a done task."
            ), "missing-date")  # fmt: skip
            ok = False
        if s1 is not Status.DONE and filled.finished is not None:
            self._problem(row, title, "finished", _(
                "Only a done task has an actual finish date: choose {done} as its status, or "
                "clear the date."
            ).format(done=Status.DONE.label(self.reading.lang)), "finish-not-done")  # fmt: skip
            ok = False
        if s1 is Status.IN_PROGRESS and filled.started is None and stored.started is None:
            self._problem(row, title, "started", _(
                "Write the actual start date of a task in progress."
            ), "missing-date")  # fmt: skip
            ok = False
        if s1 is Status.PLANNED and filled.started not in (None, stored.started):
            self._problem(row, title, "started", _(
                "A task that has not started has no actual start date: choose {started} as "
                "its status, or clear the date."
            ).format(started=Status.IN_PROGRESS.label(self.reading.lang)),
                "start-not-started")  # fmt: skip
            ok = False
        if stored.started is not None and filled.started is None and s1 is not Status.PLANNED:
            self._problem(row, title, "started", _(
                "The actual start {date} is recorded: it cannot be removed, only corrected. "
                "Write the right date."
            ).format(date=stored.started), "missing-date")  # fmt: skip
            ok = False
        if (
            filled.started is not None
            and filled.finished is not None
            and filled.finished < filled.started
        ):
            self._problem(row, title, "finished", _(
                "The actual finish {finish} is before the actual start {start}."
            ).format(finish=filled.finished, start=filled.started),
                "finish-before-start")  # fmt: skip
            ok = False
        if s1 is Status.DONE and row.values["progress"] not in (None, 100):
            self._problem(row, title, "progress", _(
                "The progress of a done task is 100 ({progress} was written)."
            ).format(progress=row.values["progress"]), "bad-progress")  # fmt: skip
            ok = False
        return ok

    def _at(self, day: date, state: StatusState | None = None) -> datetime:
        """The start of ``day`` where the plan is; after the ref's latest event of that day,
        so that a finish on the day of a progress report follows it."""
        start = datetime.combine(day, time(), self.tz).astimezone(UTC)
        if state is not None and start < state.updated < start + timedelta(days=1):
            return state.updated
        return start

    def _undated(self, state: StatusState | None, changes: list[StatusChange]) -> datetime | None:
        """When a change without a date takes effect: as of the workbook's date, after the
        ref's latest event and the row's dated changes; ``None`` (when recorded) if that is
        not in the past."""
        moments = [self.as_of_end]
        if state is not None:
            moments.append(state.updated)
        moments += [c.effective for c in changes if c.effective is not None]
        moment = max(moments)
        return None if moment >= self.now else moment

    def _task_events(
        self,
        ref: str,
        row: SheetRow,
        title: str,
        stored: TaskValues,
        filled: TaskValues,
        state: StatusState | None,
    ) -> list[StatusChange] | None:
        """The status changes that take the store from ``stored`` to ``filled``."""
        if not self._check_dates(row, title, stored, filled):
            return None
        s0, s1 = stored.status, filled.status
        note = with_provenance(filled.note, self.tag)
        actor = self.actor
        progress = row.values["progress"]
        changes: list[StatusChange] = []
        history: list[StatusEvent] | None = None
        if stored.started is not None and filled.started not in (None, stored.started):
            history = self.store.history(ref)
            first = next(
                (e for e in history if e.corrected_by is None and e.status is Status.IN_PROGRESS),
                None,
            )
            if first is not None:
                changes.append(StatusChange(
                    ref, Status.IN_PROGRESS, actor, first.progress, self._at(filled.started),
                    note, corrects=first.id,
                ))  # fmt: skip
        starting = stored.started is None and filled.started is not None
        if starting and s1 is not Status.PLANNED:
            assert filled.started is not None
            start_progress = filled.progress if s1 is Status.IN_PROGRESS else None
            changes.append(StatusChange(
                ref, Status.IN_PROGRESS, actor, start_progress, self._at(filled.started, state),
                note,
            ))  # fmt: skip
        reported = (filled.progress, filled.note) != (stored.progress, stored.note)
        if s1 is Status.IN_PROGRESS:
            if not starting and (s0 is not s1 or reported):
                changes.append(StatusChange(
                    ref, s1, actor, filled.progress, self._undated(state, changes), note
                ))  # fmt: skip
        elif s1 is Status.DONE:
            assert filled.finished is not None
            if s0 is not Status.DONE:
                changes.append(StatusChange(
                    ref, s1, actor, 100, self._at(filled.finished, state), note
                ))  # fmt: skip
            elif filled.finished != stored.finished and state is not None:
                changes.append(StatusChange(
                    ref, s1, actor, 100, self._at(filled.finished), note, corrects=state.event_id
                ))  # fmt: skip
                reported = False  # the correction is the latest event: it carries the note
        elif s0 is not s1:
            changes.append(
                StatusChange(ref, s1, actor, progress, self._undated(state, changes), note)
            )
        if s0 is s1 and s1 is not Status.IN_PROGRESS and reported:
            key = "progress" if filled.progress != stored.progress else "note"
            self._problem(row, title, key, _(
                "The {what} of a task that is {status} is recorded only with a change of its "
                "status: change the status too, or write it back as it was."
            ).format(what=TASKS.column(key).heading(), status=s1.label(self.reading.lang)),
                "illegal-transition")  # fmt: skip
            return None
        if not self._legal(ref, row, title, changes, state, history, filled.note):
            return None
        return changes

    def _legal(
        self,
        ref: str,
        row: SheetRow,
        title: str,
        changes: list[StatusChange],
        state: StatusState | None,
        history: list[StatusEvent] | None,
        note: str,
    ) -> bool:
        """The changes, in place in the ref's history, make a legal sequence.

        A reopening or a reinstatement needs the department's ``note`` (the line naming the
        workbook, which every change carries, says nothing of why).
        """
        latest = None if state is None else state.updated
        back_dated = any(
            c.corrects is not None or (c.effective is not None and latest is not None
                                       and c.effective < latest)
            for c in changes
        )  # fmt: skip
        try:
            if not back_dated:
                _check_from(state.status if state else Status.PLANNED, changes, note)
            else:
                events = history if history is not None else self.store.history(ref)
                check_sequence(_placed(events, changes, note))
        except TransitionError as error:
            self._problem(row, title, "status", str(error), "illegal-transition")
            return False
        return True

    # --- initiatives ----------------------------------------------------------------------------

    def initiatives(self, rows: list[tuple[str, SheetRow, str]]) -> None:
        if not rows:
            return
        known = {i.id: i for i in self.reading.plan.initiatives}
        changed = []
        for key, row, title in rows:
            if row.bad:
                continue
            initiative = known.get(key)
            cell = f"{column_letter(INITIATIVES.index('id'))}{row.number}"
            if initiative is None:
                self.reading.problem(
                    _("The plan has no initiative {id}.").format(id=key), "unknown-ref", title, cell
                )
                continue
            if not self._belongs(initiative.department):
                self.reading.problem(
                    _("The initiative {id} belongs to another department.").format(id=key),
                    "other-department", title, cell,
                )  # fmt: skip
                continue
            exported = _exported_submission(self.origin.initiatives[key])
            filled = _filled_submission(row)
            if filled != exported:
                changed.append((key, row, title, filled))
        if not changed:
            return
        states = self.store.reviews.states(self.cycle.code)
        for key, row, title, filled in changed:
            self._initiative(key, row, title, filled, states.get((self.cycle.code, key)))

    def _initiative(
        self,
        key: str,
        row: SheetRow,
        title: str,
        filled: SubmissionValues,
        state: ReviewState | None,
    ) -> None:
        record = None if state is None else state.submission
        stored = (
            SubmissionValues("", "", "", "")
            if record is None
            else SubmissionValues(record.rating, record.achievements, record.issues,
                                  record.next_steps)
        )  # fmt: skip
        record_id = None if record is None else record.id
        exported = self.origin.initiatives[key]
        if record_id != exported.record:
            if filled == stored:
                return
            if not self.force:
                self.conflicts.append(Conflict(
                    key, title, row.number, _exported_submission(exported), stored, filled
                ))  # fmt: skip
                return
        elif filled == stored:
            return
        cell = f"{column_letter(INITIATIVES.index('rating'))}{row.number}"
        if not filled.rating:
            scale = ", ".join(
                f"{r.symbol} {r.label}" for r in self.reading.plan.review_policy.ratings
            )
            self.reading.problem(
                _("Choose the self-assessment: a submission needs one of {scale}.").format(
                    scale=scale
                ),
                "bad-rating", title, cell,
            )  # fmt: skip
            return
        submission = Submission(
            self.cycle.code, key, filled.rating, self.actor, filled.achievements,
            filled.issues, filled.next_steps, comment=self.tag,
        )  # fmt: skip
        try:
            self.store.reviews.check(submission)
        except PlanError as error:
            self.reading.problem(str(error), "not-reviewed", title, cell)
            return
        self.seen_submissions[(self.cycle.code, key)] = record_id
        self.submission_changes.append(
            SubmissionChange(key, title, row.number, stored, filled, submission)
        )

    # --- KPIs -----------------------------------------------------------------------------------

    def kpis(self, rows: list[tuple[str, SheetRow, str]]) -> None:
        if not rows:
            return
        plan = self.reading.plan
        known = {k.id: k for k in plan.kpis}
        # The rows and the year the writer gives this department's workbook for this cycle:
        # the origin sheet's fingerprint is no signature, so it is not trusted for either.
        mine = {k.id for k in department_kpis(plan, self.origin.department)}
        fy = self.cycle.half.year
        layout = table_layout("kpis", plan)
        changed = []
        for key, row, title in rows:
            if row.bad:
                continue
            kpi = known.get(key)
            cell = f"{column_letter(layout.index('id'))}{row.number}"
            if kpi is None:
                self.reading.problem(
                    _("The plan has no KPI {id}.").format(id=key), "unknown-ref", title, cell
                )
                continue
            if kpi.id not in mine:
                self.reading.problem(
                    _("The KPI {id} belongs to another department.").format(id=key),
                    "other-department", title, cell,
                )  # fmt: skip
                continue
            exported = self.origin.kpis[key]
            if exported.fy != fy:
                self.reading.problem(
                    _("A workbook for {cycle} records the actual of FY{fy}, not of FY{found}.")
                    .format(cycle=self.cycle.label(language()), fy=fy, found=exported.fy),
                    "other-cycle", title, f"{column_letter(layout.index('fy'))}{row.number}",
                )  # fmt: skip
                continue
            filled = KpiValues(row.values["actual"], row.values["source"] or "")
            if not _same_kpi(filled, _exported_kpi(exported), kpi):
                changed.append((kpi, row, title, filled, exported))
        if not changed:
            return
        standing = {(a.kpi, a.fy): a for a in self.store.kpis.actuals()}
        for kpi, row, title, filled, exported in changed:
            self._kpi(kpi, row, title, filled, exported, standing.get((kpi.id, exported.fy)),
                      layout)  # fmt: skip

    def _kpi(
        self,
        kpi: Kpi,
        row: SheetRow,
        title: str,
        filled: KpiValues,
        exported: KpiOrigin,
        actual: KpiActual | None,
        layout: SheetLayout,
    ) -> None:
        stored = (
            KpiValues(None, "") if actual is None else KpiValues(actual.measured, actual.source)
        )
        record_id = None if actual is None else actual.id
        if record_id != exported.record:
            if _same_kpi(filled, stored, kpi):
                return
            if not self.force:
                self.conflicts.append(
                    Conflict(kpi.id, title, row.number, _exported_kpi(exported), stored, filled)
                )
                return
        elif _same_kpi(filled, stored, kpi):
            return
        cell = f"{column_letter(layout.index('actual'))}{row.number}"
        if filled.value is None:
            self.reading.problem(
                _("Write this year's actual value as a number or one of {marks} (a recorded "
                  "value cannot be removed, only replaced).").format(
                    marks=", ".join(KpiMark.forms(language()))),
                "bad-number", title, cell,
            )  # fmt: skip
            return
        entry = KpiEntry(kpi.id, exported.fy, filled.value, self.actor, filled.source, self.tag)
        try:
            self.store.kpis.check(entry)
        except PlanError as error:
            self.reading.problem(str(error), "bad-number", title, cell)
            return
        self.seen_kpis[(kpi.id, exported.fy)] = record_id
        self.kpi_changes.append(
            KpiChange(kpi.id, title, row.number, stored, filled, exported.fy, entry)
        )


def _check_from(start: Status, changes: Sequence[StatusChange], note: str) -> None:
    """Check ``changes`` (noted ``note``) in order from the state ``start``."""
    state = start
    for change in changes:
        new = Status(change.status)
        check_transition(state, new, note)
        state = new


def _placed(
    events: list[StatusEvent], changes: Sequence[StatusChange], note: str
) -> list[tuple[Status, str]]:
    """The ref's standing events with ``changes`` (noted ``note``) placed as the store's
    writer places them."""
    keys = [(e.effective, e.id) for e in events if e.corrected_by is None]
    steps: list[tuple[Status, str, int | None]] = [
        (e.status, e.note, e.id) for e in events if e.corrected_by is None
    ]
    for order, change in enumerate(changes):
        if change.corrects is not None:
            at = next((i for i, s in enumerate(steps) if s[2] == change.corrects), None)
            if at is not None:
                del keys[at], steps[at]
        key = (change.effective or _LATEST, (1 << 62) + order)
        at = bisect.bisect_right(keys, key)
        keys.insert(at, key)
        steps.insert(at, (Status(change.status), note, None))
    return [(status, note) for status, note, _id in steps]


def _default_progress(status: Status, previous: int) -> int:
    if status is Status.DONE:
        return 100
    return 0 if status is Status.PLANNED else previous


def _exported_task(exported: TaskOrigin) -> TaskValues | None:
    try:
        status = Status(exported.status)
    except ValueError:
        return None
    return TaskValues(
        status, exported.progress, exported.started, exported.finished,
        strip_provenance(read_text(exported.note) or ""),
    )  # fmt: skip


def _exported_submission(exported: InitiativeOrigin) -> SubmissionValues:
    return SubmissionValues(
        exported.rating, read_text(exported.achievements) or "",
        read_text(exported.issues) or "", read_text(exported.next_steps) or "",
    )  # fmt: skip


def _filled_submission(row: SheetRow) -> SubmissionValues:
    v = row.values
    return SubmissionValues(
        v["rating"] or "", v["achievements"] or "", v["issues"] or "", v["next_steps"] or ""
    )


def _exported_kpi(exported: KpiOrigin) -> KpiValues:
    return KpiValues(exported.value, read_text(exported.source) or "")


def _same_kpi(a: KpiValues, b: KpiValues, kpi: Kpi) -> bool:
    """The same value (to the last digits a spreadsheet keeps) and the same source."""
    default = kpi.source or ""
    if (a.source or default) != (b.source or default):
        return False
    if not isinstance(a.value, float | int) or not isinstance(b.value, float | int):
        return a.value == b.value  # a mark or nothing: the same only when equal
    return math.isclose(a.value, b.value, rel_tol=1e-12, abs_tol=0.0)
