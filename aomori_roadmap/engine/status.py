"""Status tracking as pure domain rules: status values, legal transitions, lateness, events.

A task or initiative is in one of five states (DESIGN.md §3). Every ref starts ``planned``
(未着手); status changes move it along the transition table, and a reopen (``done →
in_progress``) or a reinstatement (``cancelled → planned``) needs a note that says why.
Lateness is never typed in: :func:`lateness` computes it from the planned schedule, the
status and the "as of" date, which is always a parameter: nothing here reads the clock.

The result types (:class:`StatusEvent`, :class:`StatusState`) and the input type
(:class:`StatusChange`) are plain frozen dataclasses; :mod:`aomori_roadmap.store` stores them.

>>> check_transition(Status.PLANNED, Status.IN_PROGRESS)
>>> check_transition("done", "in_progress")
Traceback (most recent call last):
...
aomori_roadmap.errors.TransitionError: 完了 (done) → 実施中 (in_progress) は再開です。...
>>> Status.ON_HOLD.label(), Status.ON_HOLD.label("en")
('保留', 'On hold')
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aomori_roadmap.engine.schedule import Actual
from aomori_roadmap.errors import PlanError, TransitionError, check_language
from aomori_roadmap.i18n import NC_, _, pgettext, using_language

__all__ = [
    "DEFAULT_SLACK_THRESHOLD",
    "NOTE_REQUIRED",
    "TRANSITIONS",
    "Lateness",
    "PlannedTask",
    "Status",
    "StatusChange",
    "StatusChangeError",
    "StatusEvent",
    "StatusState",
    "actuals_of",
    "check_sequence",
    "check_transition",
    "lateness",
    "lateness_all",
    "parse_status",
]

TOKYO = ZoneInfo("Asia/Tokyo")
"""Where the plan's dates are read: a status change on 2025-03-31 23:30 JST belongs to FY2024."""


class Status(StrEnum):
    """The state of a task or initiative; the value is the stable code stored and exchanged.

    >>> Status("in_progress").label()
    '実施中'
    >>> Status.DONE.named
    '完了 (done)'
    """

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    DONE = "done"
    CANCELLED = "cancelled"

    def label(self, lang: str = "ja") -> str:
        """The name shown to people, in Japanese (``ja``) or English (``en``)."""
        check_language(lang)
        with using_language(lang):
            return _status_label(self)

    @property
    def named(self) -> str:
        """Label (in the language chosen now) and code together, as error messages name a state."""
        return f"{_status_label(self)} ({self.value})"


_STATUS_LABELS = {
    Status.PLANNED: NC_("status", "Planned"),
    Status.IN_PROGRESS: NC_("status", "In progress"),
    Status.ON_HOLD: NC_("status", "On hold"),
    Status.DONE: NC_("status", "Done"),
    Status.CANCELLED: NC_("status", "Cancelled"),
}


def _status_label(status: Status) -> str:
    """The label of ``status`` in the language chosen now."""
    return pgettext(*_STATUS_LABELS[status])


# Every way a person may write a status (input, not messages): the code, the Japanese label
# and the English label (lower case), and two spellings with a hyphen.
_STATUS_BY_TEXT: dict[str, Status] = {
    **{s.value: s for s in Status},
    "未着手": Status.PLANNED,
    "実施中": Status.IN_PROGRESS,
    "保留": Status.ON_HOLD,
    "完了": Status.DONE,
    "中止": Status.CANCELLED,
    "in progress": Status.IN_PROGRESS,
    "on hold": Status.ON_HOLD,
    "in-progress": Status.IN_PROGRESS,
    "on-hold": Status.ON_HOLD,
}


def parse_status(text: str | Status) -> Status:
    """Read a status written as its code, its Japanese label or its English label.

    Raises:
        PlanError: the text names no status; the message lists the accepted ones.

    >>> parse_status("完了"), parse_status("In progress"), parse_status("on_hold")
    (<Status.DONE: 'done'>, <Status.IN_PROGRESS: 'in_progress'>, <Status.ON_HOLD: 'on_hold'>)
    """
    if isinstance(text, Status):
        return text
    found = _STATUS_BY_TEXT.get(text.strip().lower())
    if found is None:
        accepted = ", ".join(s.named for s in Status)
        raise PlanError(
            _("There is no status {text}. The statuses are: {accepted}").format(
                text=repr(text), accepted=accepted
            )
        )
    return found


TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.DONE, Status.CANCELLED}),
    # in_progress → in_progress is a progress report (進捗の更新).
    Status.IN_PROGRESS: frozenset(
        {Status.IN_PROGRESS, Status.ON_HOLD, Status.DONE, Status.CANCELLED}
    ),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.PLANNED, Status.CANCELLED}),
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset({Status.PLANNED}),
}
"""The legal transitions: ``TRANSITIONS[old]`` is every state that may follow ``old``."""

NOTE_REQUIRED: frozenset[tuple[Status, Status]] = frozenset(
    {(Status.DONE, Status.IN_PROGRESS), (Status.CANCELLED, Status.PLANNED)}
)
"""Transitions that undo a decision (reopen, reinstate): they are legal only with a note."""


def check_transition(old: Status | str, new: Status | str, note: str | None = "") -> None:
    """Refuse a status change that the transition table does not allow.

    Raises:
        TransitionError: ``old → new`` is not in :data:`TRANSITIONS`, or it is in
            :data:`NOTE_REQUIRED` and ``note`` is empty. ``.old`` and ``.new`` are the codes.

    >>> check_transition("done", "in_progress", note="監査で不備が見つかったため")
    >>> check_transition("planned", "planned")
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.TransitionError: 未着手 (planned) → 未着手 (planned) には変更できません。...
    """
    a, b = parse_status(old), parse_status(new)
    if b not in TRANSITIONS[a]:
        allowed = ", ".join(s.named for s in Status if s in TRANSITIONS[a])
        message = _("{old} → {new} is not allowed. From {old} the status can change to: {allowed}")
        raise TransitionError(
            a.value, b.value, message.format(old=a.named, new=b.named, allowed=allowed)
        )
    if (a, b) in NOTE_REQUIRED and not (note or "").strip():
        if a is Status.DONE:
            message = _("{old} → {new} is a reopening. Write the reason in the note.")
        else:
            message = _("{old} → {new} is a reinstatement. Write the reason in the note.")
        raise TransitionError(a.value, b.value, message.format(old=a.named, new=b.named))


def check_sequence(steps: Iterable[tuple[Status | str, str | None]]) -> None:
    """Check that a ref's states, in effective order, form a legal sequence from ``planned``.

    ``steps`` are ``(status, note)`` pairs, as a replay gives them.

    >>> check_sequence([("in_progress", ""), ("done", ""), ("in_progress", "手戻り")])
    >>> check_sequence([("done", ""), ("on_hold", "")])
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.TransitionError: 完了 (done) → 保留 (on_hold) には変更できません。...
    """
    state: Status | str = Status.PLANNED
    for status, note in steps:
        check_transition(state, status, note)
        state = status


class StatusChangeError(PlanError):
    """A status change with bad input (unknown ref, progress, time, actor…); nothing written.

    ``field`` names the input at fault, ``ref`` the change's ref and ``index`` its place in a
    batch (0-based; ``None`` for a single change).
    """

    def __init__(
        self, message: str, *, field: str, ref: str | None = None, index: int | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.ref = ref
        self.index = index


# --- events and states --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status change to record (the input of ``Store.record_batch``).

    ``effective`` is when it happened (tz-aware; ``None``: when the store records it);
    ``progress`` is 0–100 (``None``: 0 for planned, 100 for done, else unchanged);
    ``expected_from`` makes the write fail with ConflictError unless the state before it is
    that one; ``corrects`` is the id of the event this one corrects; ``revision`` the plan
    revision id it was made against (``None``: the store's plan, when saved).

    >>> StatusChange("kyoiku-dx/pilot", "in_progress", actor="教育庁").progress is None
    True
    """

    ref: str
    status: Status | str
    actor: str
    progress: int | None = None
    effective: datetime | None = None
    note: str = ""
    expected_from: Status | str | None = None
    corrects: int | None = None
    revision: int | None = None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A recorded status change: append-only, never updated; corrections point at it.

    ``effective`` is when it happened, ``recorded`` when the store was told (both UTC);
    ``from_status`` is the state it was applied to; ``corrected_by`` is the id of the event
    that corrects it, as known to the query that returned it (``None``: stands).
    """

    id: int
    ref: str
    from_status: Status
    status: Status
    progress: int
    effective: datetime
    recorded: datetime
    actor: str
    note: str
    revision: int | None = None
    corrects: int | None = None
    corrected_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as JSON-ready data (ISO 8601 date-times in UTC), keys in a stable order."""
        return {
            "id": self.id,
            "ref": self.ref,
            "from": self.from_status.value,
            "status": self.status.value,
            "progress": self.progress,
            "effective": self.effective.isoformat(),
            "recorded": self.recorded.isoformat(),
            "actor": self.actor,
            "note": self.note,
            "revision": self.revision,
            "corrects": self.corrects,
            "corrected_by": self.corrected_by,
        }


@dataclass(frozen=True, slots=True)
class StatusState:
    """Where a ref stands at some time: its status and progress, and what set them.

    ``updated`` is the effective time of the event that set the state (``event_id``),
    ``started`` the effective time of its first ``in_progress``, ``finished`` the effective
    time of its ``done`` when it is done. A ref with no event is ``planned`` and has no state.
    """

    ref: str
    status: Status
    progress: int
    updated: datetime
    event_id: int
    actor: str
    note: str
    started: datetime | None = None
    finished: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The state as JSON-ready data (ISO 8601 date-times in UTC), keys in a stable order."""
        return {
            "ref": self.ref,
            "status": self.status.value,
            "progress": self.progress,
            "updated": self.updated.isoformat(),
            "event": self.event_id,
            "actor": self.actor,
            "note": self.note,
            "started": _iso(self.started),
            "finished": _iso(self.finished),
        }


# --- lateness -----------------------------------------------------------------------------------


class Lateness(StrEnum):
    """How a task stands against its planned schedule: computed, never typed in.

    >>> Lateness.AT_RISK.label(), Lateness.AT_RISK.label("en")
    ('要注意', 'At risk')
    """

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"

    def label(self, lang: str = "ja") -> str:
        """The name shown to people, in Japanese (``ja``) or English (``en``)."""
        check_language(lang)
        with using_language(lang):
            return pgettext(*_LATENESS_LABELS[self])


_LATENESS_LABELS = {
    Lateness.ON_TRACK: NC_("lateness", "On track"),
    Lateness.AT_RISK: NC_("lateness", "At risk"),
    Lateness.LATE: NC_("lateness", "Late"),
}


DEFAULT_SLACK_THRESHOLD = 0
"""Working days of total slack below which a task is at risk: 0 flags only negative slack,
that is a deadline the schedule already misses. Raise it to flag tasks with little buffer."""


class PlannedTask(Protocol):
    """The planned dates lateness is measured against (``schedule.ScheduledTask`` has them)."""

    @property
    def early_start(self) -> date: ...

    @property
    def early_finish(self) -> date: ...

    @property
    def total_slack(self) -> int: ...


class _HasTasks(Protocol):
    @property
    def tasks(self) -> Mapping[str, PlannedTask]: ...


def lateness(
    task: PlannedTask,
    state: StatusState | None,
    as_of: date,
    *,
    slack_threshold: int = DEFAULT_SLACK_THRESHOLD,
    timezone: ZoneInfo = TOKYO,
) -> Lateness:
    """How ``task`` stands on ``as_of``, given its ``state`` (``None``: never reported).

    Pass the *planned* schedule (without actuals, or a baseline's): its early dates are the
    yardstick. In order:

    1. done or cancelled → ``on_track`` (nothing left to be late for);
    2. ``as_of`` after the planned finish → ``late``;
    3. total slack below ``slack_threshold`` → ``at_risk``;
    4. started after its planned start, or not started (or on hold) once the planned start
       has passed → ``at_risk``;
    5. otherwise ``on_track``.

    >>> from types import SimpleNamespace as Planned
    >>> task = Planned(early_start=date(2025, 4, 1), early_finish=date(2025, 9, 30), total_slack=3)
    >>> lateness(task, None, date(2025, 3, 1)), lateness(task, None, date(2025, 5, 1))
    (<Lateness.ON_TRACK: 'on_track'>, <Lateness.AT_RISK: 'at_risk'>)
    >>> lateness(task, None, date(2025, 10, 1))
    <Lateness.LATE: 'late'>
    """
    status = Status.PLANNED if state is None else state.status
    if status in (Status.DONE, Status.CANCELLED):
        return Lateness.ON_TRACK
    if as_of > task.early_finish:
        return Lateness.LATE
    if task.total_slack < slack_threshold:
        return Lateness.AT_RISK
    started = None if state is None or state.started is None else state.started
    if started is not None and started.astimezone(timezone).date() > task.early_start:
        return Lateness.AT_RISK
    waiting = started is None or status == Status.ON_HOLD
    if waiting and as_of > task.early_start:
        return Lateness.AT_RISK
    return Lateness.ON_TRACK


def lateness_all(
    planned: _HasTasks,
    states: Mapping[str, StatusState],
    as_of: date,
    *,
    slack_threshold: int = DEFAULT_SLACK_THRESHOLD,
    timezone: ZoneInfo = TOKYO,
) -> dict[str, Lateness]:
    """:func:`lateness` of every task of a planned schedule, in the schedule's order.

    >>> from types import SimpleNamespace as Planned
    >>> plan = Planned(tasks={"a/x": Planned(early_start=date(2025, 4, 1),
    ...     early_finish=date(2025, 4, 30), total_slack=0)})
    >>> lateness_all(plan, {}, date(2025, 5, 7))
    {'a/x': <Lateness.LATE: 'late'>}
    """
    return {
        ref: lateness(
            task, states.get(ref), as_of, slack_threshold=slack_threshold, timezone=timezone
        )
        for ref, task in planned.tasks.items()
    }


def actuals_of(
    states: Mapping[str, StatusState],
    timezone: ZoneInfo = TOKYO,
    refs: Collection[str] | None = None,
) -> dict[str, Actual]:
    """The scheduler's actuals from states: first ``in_progress`` = start, ``done`` = finish.

    Only task refs (``initiative/task``, and only those in ``refs`` when given) that have
    started or finished; dates are in ``timezone``.

    >>> from datetime import UTC, datetime
    >>> when = datetime(2025, 3, 31, 16, tzinfo=UTC)  # 2025-04-01 01:00 in Tokyo
    >>> state = StatusState("a/x", Status.IN_PROGRESS, 10, when, 1, "県", "", started=when)
    >>> actuals_of({"a/x": state, "a": state})
    {'a/x': Actual(start=datetime.date(2025, 4, 1), finish=None)}
    """
    found: dict[str, Actual] = {}
    for ref, state in states.items():
        if "/" not in ref or (refs is not None and ref not in refs):
            continue
        start = None if state.started is None else state.started.astimezone(timezone).date()
        finish = None if state.finished is None else state.finished.astimezone(timezone).date()
        if start is not None or finish is not None:
            found[ref] = Actual(start, finish)
    return found
