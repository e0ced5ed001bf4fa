"""One write of status changes: checks and inserts inside the writer's transaction.

:func:`check_change` does what needs no database (ref, status, progress, actor, time zone),
before any lock is taken. :class:`Writer` then runs with the write lock held: it reads the
current state of every ref the batch touches (one query per 500 refs), walks the changes in
order and inserts them in chunks. A change that goes on after a ref's last event takes the
fast path: one dictionary lookup for its transition. A back-dated change or a correction
loads that ref's visible events and checks the whole sequence with the change in place, so
that it stays legal before and after it.

Any error raises out of the transaction, which rolls back: a batch is all or nothing.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from aomori_roadmap.engine.status import (
    NOTE_REQUIRED,
    TRANSITIONS,
    Status,
    StatusChange,
    StatusChangeError,
    check_transition,
    parse_status,
)
from aomori_roadmap.errors import ConflictError, PlanError, TransitionError
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import REF_PATTERN
from aomori_roadmap.store.queries import CORRECTION, EVENT, chunks, tails_query
from aomori_roadmap.store.schema import LOCK_NAMESPACE
from aomori_roadmap.store.tables import plan_revisions, status_events, status_refs

__all__ = ["Item", "Writer", "check_change", "lock_refs"]

REF_RE = re.compile(REF_PATTERN)
_STATUS: dict[str, Status] = {s.value: s for s in Status}  # a Status is its own code (StrEnum)
_PLANNED = Status.PLANNED
_CHUNK = 5000  # events per executemany: bounds memory on a million-change batch
_MANY_REFS = 64  # a PostgreSQL batch over more refs takes one exclusive lock instead
_NEW = 1 << 62  # orders this batch's events after every stored id (they get larger ids)

_COLUMNS = (
    "plan_id",
    "ref_id",
    "from_status",
    "status",
    "progress",
    "effective",
    "recorded",
    "actor",
    "note",
    "revision_id",
    "corrects",
)
_INSERT_RETURNING = insert(status_events).returning(status_events.c.id)

Tail = tuple[Status, int, datetime]
"""A ref's last event as the fast path needs it: status, progress, effective time."""


@dataclass(slots=True)
class Item:
    """A status change after the checks that need no database."""

    index: int | None
    ref: str
    status: Status
    progress: int | None
    effective: datetime | None
    actor: str
    note: str
    expected: Status | None
    corrects: int | None
    revision: int | None


# --- errors -------------------------------------------------------------------------------------


def _where(index: int | None, ref: str) -> str:
    if index is None:
        return f"({ref}): "
    return _("Change #{number} ({ref}): ").format(number=index + 1, ref=ref)


def bad(index: int | None, ref: str, field: str, message: str) -> StatusChangeError:
    """A bad-input error naming the change's place in the batch, its ref and the field."""
    return StatusChangeError(_where(index, ref) + message, field=field, ref=ref, index=index)


def _located(error: TransitionError, item: Item) -> TransitionError:
    return TransitionError(error.old, error.new, _where(item.index, item.ref) + str(error))


def _conflict(item: Item, found: Status) -> ConflictError:
    assert item.expected is not None
    return ConflictError(
        item.expected.value,
        found.value,
        _where(item.index, item.ref)
        + _(
            "The status was expected to be {expected} but has already changed to {found}. "
            "Check the latest status and try again."
        ).format(expected=item.expected.named, found=found.named),
    )


def _already_corrected(item: Item, by: int | None) -> ConflictError:
    who = f"#{by}" if by is not None else _("another change in the same batch")
    return ConflictError(
        f"#{item.corrects}",
        who,
        _where(item.index, item.ref)
        + _(
            "Change #{number} has already been corrected by {by}. To correct it, correct that "
            "latest correction."
        ).format(number=item.corrects, by=who),
    )


# --- checks without the database ----------------------------------------------------------------


def _parse(text: object) -> Status | None:
    """A status written as a label (完了, In progress), or ``None``."""
    try:
        return parse_status(text) if isinstance(text, str) else None
    except PlanError:
        return None


def check_change(change: StatusChange, index: int | None, refs: frozenset[str] | None) -> Item:
    """Check what can be checked without the database; ``refs`` are the plan's refs, if any.

    >>> check_change(StatusChange("a/x", "完了", "県"), None, None).status
    <Status.DONE: 'done'>
    >>> check_change(StatusChange("a/x", "done", " "), 4, None)
    Traceback (most recent call last):
    ...
    aomori_roadmap.engine.status.StatusChangeError: 変更 #5 (a/x): 誰による変更か（actor）を書いてください。
    """
    ref = change.ref
    if refs is not None:
        if ref not in refs:
            message = _("Task or initiative '{ref}' is not in the plan.").format(ref=ref)
            raise bad(index, str(ref), "ref", message)
    elif not isinstance(ref, str) or not REF_RE.match(ref):
        message = _(
            "'{ref}' is not the id of a task (initiative/task) or of an initiative."
        ).format(ref=ref)
        raise bad(index, str(ref), "ref", message)
    status = _STATUS.get(change.status) or _parse(change.status)
    if status is None:
        accepted = ", ".join(s.named for s in Status)
        message = _("There is no status {status}. Accepted: {accepted}").format(
            status=repr(change.status), accepted=accepted
        )
        raise bad(index, ref, "status", message)
    progress = change.progress
    if progress is not None and (type(progress) is not int or not 0 <= progress <= 100):
        message = _("The progress {progress} must be an integer from 0 to 100.").format(
            progress=repr(progress)
        )
        raise bad(index, ref, "progress", message)
    actor = change.actor
    if not isinstance(actor, str) or not actor.strip():
        raise bad(index, ref, "actor", _("Write who makes the change (actor)."))
    effective = change.effective
    if effective is not None and (effective.tzinfo is None or effective.utcoffset() is None):
        raise bad(
            index,
            ref,
            "effective",
            _("The date-time {moment} has no time zone. Example: 2025-09-30T17:00+09:00").format(
                moment=effective.isoformat()
            ),
        )
    expected = None
    if change.expected_from is not None:
        expected = _STATUS.get(change.expected_from) or _parse(change.expected_from)
        if expected is None:
            message = _("There is no status {status}.").format(status=repr(change.expected_from))
            raise bad(index, ref, "expected_from", message)
    note = change.note or ""
    return Item(
        index, ref, status, progress, effective, actor.strip(), note, expected, change.corrects,
        change.revision,
    )  # fmt: skip


def _progress(item: Item, previous: int) -> int:
    if item.progress is not None:
        if item.status is Status.DONE and item.progress != 100:
            raise bad(
                item.index,
                item.ref,
                "progress",
                _("The progress of done is 100 ({progress} was given).").format(
                    progress=item.progress
                ),
            )
        return item.progress
    if item.status is Status.DONE:
        return 100
    return 0 if item.status is _PLANNED else previous


# --- locks --------------------------------------------------------------------------------------


def _lock_key(ref: str) -> int:
    return int.from_bytes(hashlib.blake2b(ref.encode(), digest_size=4).digest(), "big", signed=True)


def lock_refs(conn: Connection, plan: str, refs: Sequence[str]) -> None:
    """Serialise writers of the same refs of ``plan`` on PostgreSQL (SQLite's BEGIN IMMEDIATE
    already has).

    Writers of a few refs share the plan's advisory lock and take one exclusive lock per ref,
    in sorted key order (so never a deadlock); a batch of many refs takes the plan's lock
    exclusively instead, which keeps the server's lock table small. Writers of different
    plans never wait for each other (unless two keys collide, which only costs a wait).
    """
    if conn.dialect.name != "postgresql":
        return
    whole = _lock_key(plan)
    if len(refs) > _MANY_REFS:
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :plan)"),
            {"ns": LOCK_NAMESPACE, "plan": whole},
        )
        return
    # One statement, one round trip: PostgreSQL evaluates the select list left to right, so
    # the locks are taken in key order (and were it ever otherwise, its deadlock detector
    # would fail one writer with an error, never lose a write).
    keys = sorted({_lock_key(f"{plan}\0{ref}") for ref in refs})
    locks = ", ".join(f"pg_advisory_xact_lock(:ns, :k{n})" for n in range(len(keys)))
    params = {"global": LOCK_NAMESPACE, "plan": whole, "ns": LOCK_NAMESPACE + 2}
    params.update({f"k{n}": key for n, key in enumerate(keys)})
    conn.execute(text(f"SELECT pg_advisory_xact_lock_shared(:global, :plan), {locks}"), params)


# --- one ref's timeline -------------------------------------------------------------------------


class _Timeline:
    """One ref's visible events in replay order, for back-dated changes and corrections."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.keys: list[tuple[datetime, int]] = [(r.effective, r.id) for r in rows]
        self.events: list[tuple[Status, int, str, int | None]] = [
            (Status(r.status), r.progress, r.note, r.id) for r in rows
        ]

    def place(self, item: Item, effective: datetime, order: int) -> tuple[Status, int]:
        """Insert the change; check the whole sequence; return the state before it."""
        if item.corrects is not None:
            at = next((i for i, e in enumerate(self.events) if e[3] == item.corrects), None)
            if at is None:  # corrected already, earlier in this batch
                raise _already_corrected(item, None)
            del self.keys[at], self.events[at]
        key = (effective, _NEW + order)
        at = bisect.bisect_right(self.keys, key)
        before, progress = (self.events[at - 1][0], self.events[at - 1][1]) if at else (_PLANNED, 0)
        if item.expected is not None and item.expected is not before:
            raise _conflict(item, before)
        resolved = _progress(item, progress)
        self.keys.insert(at, key)
        self.events.insert(at, (item.status, resolved, item.note, None))
        self._check(item, at, effective)
        return before, resolved

    def _check(self, item: Item, at: int, effective: datetime) -> None:
        state = _PLANNED
        for i, (status, _percent, note, event_id) in enumerate(self.events):
            try:
                check_transition(state, status, note)
            except TransitionError as error:
                if i == at:
                    raise _located(error, item) from None
                raise TransitionError(
                    error.old,
                    error.new,
                    _where(item.index, item.ref)
                    + _(
                        "Putting this change at {moment} contradicts the recorded change "
                        "#{number}: {error}"
                    ).format(moment=effective.isoformat(), number=event_id, error=error),
                ) from None
            state = status


# --- the write ----------------------------------------------------------------------------------


class Writer:
    """Checks and inserts one batch inside its transaction (the write lock held)."""

    def __init__(
        self,
        conn: Connection,
        items: list[Item],
        recorded: datetime,
        *,
        plan_id: str,
        period: tuple[datetime, datetime] | None,
        default_revision: Callable[[Connection], int | None],
        returning: bool,
    ) -> None:
        self.conn, self.items, self.recorded, self.period = conn, items, recorded, period
        self.plan_id = plan_id
        self.default_revision, self.returning = default_revision, returning
        self.rows: list[dict[str, Any]] = []
        self.pending: list[tuple[Any, ...]] = []
        self.timelines: dict[str, _Timeline] = {}
        self.ready: dict[datetime, Any] = {}  # date-times as the driver takes them
        self.bulk_sql: str | None = None
        self.convert: Callable[[Any], Any] | None = None

    def run(self) -> list[dict[str, Any]]:
        """Check and insert every change in order; with ``returning``, return the rows and ids."""
        ref_ids, tails = self._read_refs()
        self._check_targets()
        revision = self._check_revisions()
        recorded, period, pending = self.recorded, self.period, self.pending
        plan_id = self.plan_id
        allowed, need_note = TRANSITIONS, NOTE_REQUIRED
        for order, item in enumerate(self.items):
            effective = item.effective or recorded
            if effective > recorded:
                raise bad(
                    item.index,
                    item.ref,
                    "effective",
                    _(
                        "The date-time {moment} is after the time of recording {recorded} (in "
                        "the future). Record what has happened (started, finished)."
                    ).format(moment=effective.isoformat(), recorded=recorded.isoformat()),
                )
            if period is not None and not period[0] <= effective < period[1]:
                raise bad(
                    item.index,
                    item.ref,
                    "effective",
                    _("The date-time {moment} is outside the plan's period (from {start}).").format(
                        moment=effective.isoformat(), start=period[0].date()
                    ),
                )
            ref = item.ref
            tail = tails.get(ref)
            if (
                item.corrects is not None
                or ref in self.timelines
                or (tail is not None and effective < tail[2])
            ):
                before, progress = self._place(item, effective, order, ref_ids[ref])
            else:
                before = _PLANNED if tail is None else tail[0]
                if item.expected is not None and item.expected is not before:
                    raise _conflict(item, before)
                if item.status not in allowed[before] or (before, item.status) in need_note:
                    try:
                        check_transition(before, item.status, item.note)
                    except TransitionError as error:
                        raise _located(error, item) from None
                progress = _progress(item, 0 if tail is None else tail[1])
                tails[ref] = (item.status, progress, effective)
            pending.append(
                (
                    plan_id,
                    ref_ids[ref],
                    before.value,
                    item.status.value,
                    progress,
                    effective,
                    recorded,
                    item.actor,
                    item.note,
                    revision if item.revision is None else item.revision,
                    item.corrects,
                )
            )
            if len(pending) >= _CHUNK:
                self._flush()
        self._flush()
        return self.rows

    def _flush(self) -> None:
        if not self.pending:
            return
        if self.returning:  # one change: its id is wanted back
            for values in self.pending:
                row = dict(zip(_COLUMNS, values, strict=True))
                row["id"] = self.conn.execute(_INSERT_RETURNING, row).scalar_one()
                self.rows.append(row)
        else:
            self._bulk_insert()
        self.pending.clear()

    def _bulk_insert(self) -> None:
        """Insert the pending rows with the driver's executemany and values made ready here.

        Core's executemany runs the date-time type's conversion for every value of every
        row, which costs more than all the checks; here each distinct date-time is converted
        once (a batch shares its recorded time, and mostly a few effective times).
        """
        conn, ready = self.conn, self.ready
        if self.bulk_sql is None:
            dialect = conn.dialect
            mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
            columns = ", ".join(_COLUMNS)
            marks = ", ".join([mark] * len(_COLUMNS))
            self.bulk_sql = f"INSERT INTO {status_events.name} ({columns}) VALUES ({marks})"
            self.convert = status_events.c.effective.type.dialect_impl(dialect).bind_processor(
                dialect
            )
        convert = self.convert
        rows = []
        for values in self.pending:
            effective, recorded = values[5], values[6]
            e = ready.get(effective)
            if e is None:
                e = ready[effective] = convert(effective) if convert else effective
            r = ready.get(recorded)
            if r is None:
                r = ready[recorded] = convert(recorded) if convert else recorded
            rows.append((*values[:5], e, r, *values[7:]))
        conn.exec_driver_sql(self.bulk_sql, rows)

    def _read_refs(self) -> tuple[dict[str, int], dict[str, Tail]]:
        """Each ref's id (stored now if new) and the latest event of those that have one."""
        conn, refs = self.conn, sorted({item.ref for item in self.items})
        ids: dict[str, int] = {}
        tails: dict[str, Tail] = {}
        plan_id = self.plan_id
        for chunk in chunks(refs):
            for row in conn.execute(tails_query(), {"plan": plan_id, "refs": list(chunk)}):
                ids[row.ref] = row.ref_id
                if row.status is not None:
                    tails[row.ref] = (Status(row.status), row.progress, row.effective)
        missing = [ref for ref in refs if ref not in ids]
        if missing:
            table = status_refs
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(table).on_conflict_do_nothing(
                index_elements=["plan_id", "ref"]
            )
            conn.execute(statement, [{"plan_id": plan_id, "ref": ref} for ref in missing])
            for chunk in chunks(missing):
                query = select(table.c.ref, table.c.id).where(
                    table.c.plan_id == plan_id, table.c.ref.in_(chunk)
                )
                ids.update((ref, ref_id) for ref, ref_id in conn.execute(query))
        return ids, tails

    def _check_targets(self) -> None:
        """Each corrected event exists in this plan, is of the same ref and is not corrected yet."""
        ids = sorted({item.corrects for item in self.items if item.corrects is not None})
        e, c = EVENT, CORRECTION
        by = select(c.c.id).where(c.c.corrects == e.c.id).scalar_subquery()
        found: dict[int, tuple[str, int | None]] = {}
        for chunk in chunks(ids):
            query = (
                select(e.c.id, status_refs.c.ref, by)
                .join(status_refs, status_refs.c.id == e.c.ref_id)
                .where(status_refs.c.plan_id == self.plan_id, e.c.id.in_(chunk))
            )
            found.update({row[0]: (row[1], row[2]) for row in self.conn.execute(query)})
        for item in self.items:
            if item.corrects is None:
                continue
            target = found.get(item.corrects)
            if target is None:
                message = _("There is no change #{number} to correct.").format(number=item.corrects)
                raise bad(item.index, item.ref, "corrects", message)
            if target[0] != item.ref:
                message = _(
                    "Change #{number} is a change of {ref}; only a change of the same task or "
                    "initiative can be corrected."
                ).format(number=item.corrects, ref=target[0])
                raise bad(item.index, item.ref, "corrects", message)
            if target[1] is not None:
                raise _already_corrected(item, target[1])

    def _check_revisions(self) -> int | None:
        """Each given revision exists in this plan; returns the revision of changes that name
        none."""
        ids = sorted({item.revision for item in self.items if item.revision is not None})
        if ids:
            r = plan_revisions.c
            query = select(r.id).where(r.plan_id == self.plan_id, r.id.in_(ids))
            known = set(self.conn.execute(query).scalars())
            for item in self.items:
                if item.revision is not None and item.revision not in known:
                    message = _("There is no revision #{number}.").format(number=item.revision)
                    raise bad(item.index, item.ref, "revision", message)
        return self.default_revision(self.conn)

    def _place(
        self, item: Item, effective: datetime, order: int, ref_id: int
    ) -> tuple[Status, int]:
        timeline = self.timelines.get(item.ref)
        if timeline is None:
            self._flush()  # read back with this batch's earlier events in it
            e, c = EVENT, CORRECTION
            query = (
                select(e.c.id, e.c.status, e.c.progress, e.c.effective, e.c.note)
                .where(e.c.ref_id == ref_id, ~exists().where(c.c.corrects == e.c.id))
                .order_by(e.c.effective, e.c.id)
            )
            timeline = self.timelines[item.ref] = _Timeline(self.conn.execute(query).all())
        return timeline.place(item, effective, order)
