"""The status store: append-only status history with two-axis as-of replay, revisions, baselines.

A :class:`Store` keeps every status change forever. Nothing is updated or deleted: a mistake
is fixed by a new event that ``corrects`` the wrong one. Each event has two times:
``effective`` (when it happened; may be back-dated) and ``recorded`` (when the store was told;
set by the store's clock). :meth:`Store.status_as_of` replays the history on both axes — what
was true at T as known now, or as known at K — in one SQL query per snapshot.

Every write is one transaction: a batch is all or nothing. Transitions are checked inside that
transaction against the state the writer sees, which no other writer can change before it
commits: on SQLite the write lock is taken up front (``BEGIN IMMEDIATE``); on PostgreSQL the
writer takes transaction-scoped advisory locks on the refs it writes, in sorted order (one
exclusive lock for a batch of many refs). See ``docs/status-history.md``.

>>> from datetime import datetime, timezone
>>> from aomori_roadmap.plan.loader import default_plan
>>> clock = lambda: datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)
>>> store = Store("sqlite://", plan=default_plan(), clock=clock)
>>> ref = "bousai-dx-alerts/build"
>>> event = store.record_status(ref, "in_progress", actor="危機管理局",
...     effective=datetime(2025, 5, 7, tzinfo=timezone.utc))
>>> store.status_as_of()[ref].status.label()
'実施中'
>>> store.actuals()[ref]
Actual(start=datetime.date(2025, 5, 7), finish=None)
>>> store.close()
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from aomori_roadmap.calendar import last_instant
from aomori_roadmap.engine.schedule import Actual, schedule
from aomori_roadmap.engine.status import Status, StatusChange, StatusEvent, StatusState, actuals_of
from aomori_roadmap.errors import ConflictError, PlanError
from aomori_roadmap.i18n import _, pgettext
from aomori_roadmap.plan.model import ID_PATTERN, Plan
from aomori_roadmap.store.database import Database, aware
from aomori_roadmap.store.feed_tokens import FeedTokens
from aomori_roadmap.store.queries import history_query, latest_events, snapshot_query
from aomori_roadmap.store.review_log import (
    KpiActual,
    KpiEntry,
    KpiLog,
    ReviewLog,
    ReviewRecord,
    Submission,
    kpi_lock_key,
    review_lock_key,
    review_writing,
    standing_kpi_actuals,
    standing_submissions,
    write_kpi_actuals,
    write_reviews,
)
from aomori_roadmap.store.revisions import (
    PlanDiff,
    Variance,
    canonical_json,
    compare_plans,
    plan_from_json,
    plan_hash,
    variance_of,
)
from aomori_roadmap.store.schema import (
    DEFAULT_BUSY_TIMEOUT,
    DEFAULT_URL,
    SchemaUpgrade,
    check_schema,
    upgrade_database,
)
from aomori_roadmap.store.tables import PLAN_ID_LENGTH, baselines, plan_revisions, plans
from aomori_roadmap.store.writer import Item, Writer, check_change, lock_refs

__all__ = ["UNNAMED_PLAN_ID", "Baseline", "PlanInfo", "Recorded", "Revision", "Store", "Unchanged"]

UNNAMED_PLAN_ID = "default"
"""The plan of a store opened without one on a database that holds no plan yet."""

_PLAN_ID_RE = re.compile(ID_PATTERN)


def _utc_now() -> datetime:
    return datetime.now(UTC)


_aware = aware


@dataclass(frozen=True, slots=True)
class Revision:
    """A stored plan revision: its id, content hash, plan id, who saved it, why and when."""

    id: int
    hash: str
    plan_id: str
    author: str
    note: str
    recorded: datetime


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A plan of the store's catalogue: id, name, owning office, period, newest revision.

    ``start_fy`` and ``end_fy`` are the fiscal years of its period (``None``: not known, for a
    plan that was only ever written without its plan file); ``revision`` is the id of its
    newest stored revision (``None``: none).
    """

    id: str
    name: str
    owner: str
    start_fy: int | None
    end_fy: int | None
    revision: int | None
    recorded: datetime

    @property
    def period(self) -> str:
        """The period as ``FY2024–FY2028`` (empty when not known).

        >>> PlanInfo("p", "P", "", 2024, 2028, None, datetime(2025, 1, 1)).period
        'FY2024–FY2028'
        """
        if self.start_fy is None or self.end_fy is None:
            return ""
        return f"FY{self.start_fy}–FY{self.end_fy}"


@dataclass(frozen=True, slots=True)
class Unchanged:
    """What must still stand when :meth:`Store.record_together` writes, else ConflictError.

    ``events``: ref → id of its latest event (``None``: it has none); ``submissions``:
    ``(cycle code, initiative)`` → id of the submission that stands (``None``: none);
    ``kpi_actuals``: ``(kpi, fiscal year)`` → id of the value that stands (``None``: none).
    """

    events: Mapping[str, int | None] = field(default_factory=dict)
    submissions: Mapping[tuple[str, str], int | None] = field(default_factory=dict)
    kpi_actuals: Mapping[tuple[str, int], int | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What :meth:`Store.record_together` wrote: how many status events, and the records."""

    events: int
    submissions: tuple[ReviewRecord, ...]
    kpi_actuals: tuple[KpiActual, ...]


@dataclass(frozen=True, slots=True)
class Baseline:
    """A named baseline: the revision it points at, who set it, why and when."""

    name: str
    revision: Revision
    actor: str
    note: str
    recorded: datetime


class Store:
    """The status-history store on SQLite (default) or PostgreSQL (``postgresql+psycopg://``).

    A database holds many plans; a store reads and writes one plan's part of it
    (:attr:`plan_id`). ``plan`` names that plan and validates refs and the plan period of
    status changes; ``plan_id`` names it without a plan file (refs are then only checked for
    their form). Without either, the store uses the database's only plan, or
    :data:`UNNAMED_PLAN_ID` while it holds none; in a database of several plans it can then
    only list them (:meth:`plans`). ``clock`` gives the ``recorded`` time (tz-aware;
    default: the real UTC clock). An empty database gets the store's tables; an older one
    must be upgraded first (``aomori-roadmap db upgrade``); a newer one is refused.

    Raises:
        StoreError: the database cannot be reached, or its schema version does not fit.
        PlanError: ``plan_id`` is not a plan id, or differs from ``plan``'s.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> with Store("sqlite://", plan=default_plan()) as store:
    ...     store.plan_id
    'aomori-dx-2024-2028'
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        plan: Plan | None = None,
        plan_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        _sharing: Store | None = None,
    ) -> None:
        if plan_id is not None and (
            not isinstance(plan_id, str)
            or not _PLAN_ID_RE.fullmatch(plan_id)
            or len(plan_id) > PLAN_ID_LENGTH
        ):
            raise PlanError(
                _("'{plan}' is not a plan id (letters, digits, '.', '_', '-').").format(
                    plan=plan_id
                )
            )
        if plan is not None and plan_id is not None and plan.id != plan_id:
            raise PlanError(
                _("The plan is {plan}, not {plan_id}.").format(plan=plan.id, plan_id=plan_id)
            )
        self.url = url
        self.plan = plan
        self._tz = ZoneInfo(plan.timezone if plan is not None else "Asia/Tokyo")
        self._refs: frozenset[str] | None = None
        self._period: tuple[datetime, datetime] | None = None
        if plan is not None:
            tasks = [ref for ref, _, _ in plan.iter_tasks()]
            self._refs = frozenset([*tasks, *(i.id for i in plan.initiatives)])
            first, last = plan.period.start.start, plan.period.end.end + timedelta(days=1)
            self._period = (
                datetime.combine(first, time(), self._tz).astimezone(UTC),
                datetime.combine(last, time(), self._tz).astimezone(UTC),
            )
        self._plan_revision: int | None = None
        shared = None if _sharing is None else _sharing.database.engine
        self.database: Database = Database(
            url, clock=clock, busy_timeout=busy_timeout, engine=shared
        )
        """The connection that the store and its parts share (:class:`Database`)."""
        self._engine = self.database.engine
        self._shown = self.database.shown  # messages name the database, never its password
        try:
            with self._errors(_("Cannot open the database")):
                self.schema: str = (
                    check_schema(self._engine) if _sharing is None else _sharing.schema
                )
                self._choose_plan(plan, plan_id)
        except BaseException:
            self.database.close()
            raise
        self.reviews = ReviewLog(self)
        """Half-year review submissions and ratings (:class:`ReviewLog`)."""
        self.kpis = KpiLog(self)
        """KPI actuals per fiscal year (:class:`KpiLog`)."""
        self.tokens = FeedTokens(self)
        """Private feed tokens (:class:`FeedTokens`)."""

    def __repr__(self) -> str:
        return f"Store({self._shown!r}, schema={self.schema!r}, plan={self.plan_id!r})"

    def _choose_plan(self, plan: Plan | None, plan_id: str | None) -> None:
        database = self.database
        if plan is not None:
            database.plan_id = plan.id
            database.entry = {
                "name": plan.name,
                "start_fy": plan.period.start.year,
                "end_fy": plan.period.end.year,
            }
            return
        if plan_id is not None:
            database.plan_id = plan_id
            return
        with self._reading() as conn:
            held = tuple(conn.execute(select(plans.c.id).order_by(plans.c.id)).scalars())
        if len(held) > 1:
            database.choices = held
        else:
            database.plan_id = held[0] if held else UNNAMED_PLAN_ID

    def for_plan(self, plan: Plan | None = None, *, plan_id: str | None = None) -> Store:
        """A store of another plan of the same database, on this store's connections.

        Cheaper than opening the database again (a roll-up reads many plans): its schema is
        known and its pool is this one's. Closing it leaves the connections to this store.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> with Store("sqlite://", plan_id="town-a") as store:
        ...     store.for_plan(default_plan()).plan_id
        'aomori-dx-2024-2028'
        """
        clock = self.database.clock
        return Store(self.url, plan=plan, plan_id=plan_id, clock=clock, _sharing=self)

    @property
    def plan_id(self) -> str | None:
        """The id of the plan this store reads and writes (``None``: the database holds several
        plans and none was named; only :meth:`plans` answers)."""
        return self.database.plan_id

    # --- the catalogue of plans -------------------------------------------------------------

    def plans(self) -> list[PlanInfo]:
        """Every plan the database holds, by id, with its newest revision.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> with Store("sqlite://", plan=default_plan()) as store:
        ...     _ = store.save_revision(default_plan(), "DX推進課")
        ...     [(p.id, p.period, p.revision) for p in store.plans()]
        [('aomori-dx-2024-2028', 'FY2024–FY2028', 1)]
        """
        p, r = plans.c, plan_revisions.c
        newest = select(func.max(r.id)).where(r.plan_id == p.id).scalar_subquery()
        query = select(
            p.id, p.name, p.owner, p.start_fy, p.end_fy, newest.label("revision"), p.recorded
        ).order_by(p.id)
        with self._errors(_("Cannot read the plans")), self._reading() as conn:
            return [PlanInfo(*row) for row in conn.execute(query).all()]

    def add_plan(self, plan: Plan, *, owner: str, actor: str, note: str = "") -> PlanInfo:
        """Enter ``plan`` into the catalogue with its ``owner`` (the office that keeps it) and
        save it as a revision; adding it again updates its name, owner and period.

        Raises:
            PlanError: the store is scoped to another plan, or ``owner`` or ``actor`` is empty.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> with Store("sqlite://", plan=default_plan()) as store:
        ...     info = store.add_plan(default_plan(), owner="青森県", actor="DX推進課")
        ...     info.owner, info.revision
        ('青森県', 1)
        """
        if not owner.strip() or not actor.strip():
            raise PlanError(_("Write the plan's owner (the office that keeps it) and who adds it."))
        self._own_plan(plan)
        values = {
            "name": plan.name,
            "owner": owner.strip(),
            "start_fy": plan.period.start.year,
            "end_fy": plan.period.end.year,
            "actor": actor.strip(),
        }
        with self._errors(_("Cannot save the plan")), self.database.writing() as conn:
            conn.execute(update(plans).where(plans.c.id == plan.id).values(**values))
        self.save_revision(plan, actor, note)
        return next(info for info in self.plans() if info.id == plan.id)

    def _own_plan(self, plan: Plan) -> None:
        """Refuse to write ``plan`` (its revision, its catalogue row) into another plan's part."""
        if plan.id != self.database.plan:
            raise PlanError(
                _(
                    "This store holds the part of plan {store}; plan {plan} is written through "
                    "a store of its own: Store(url, plan=...)."
                ).format(store=self.database.plan, plan=plan.id)
            )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store's connections."""
        self.database.close()

    @staticmethod
    def upgrade(url: str = DEFAULT_URL, *, plan_id: str | None = None) -> SchemaUpgrade:
        """Upgrade the database at ``url`` to this library's schema (``aomori-roadmap db upgrade``).

        ``plan_id``: the plan whose history an older single-plan database holds, where its
        revisions do not say it (see :func:`~aomori_roadmap.store.schema.upgrade_database`).

        >>> Store.upgrade("sqlite://").after
        '0006'
        """
        return upgrade_database(url, plan_id=plan_id)

    # --- plumbing ---------------------------------------------------------------------------

    def _errors(self, what: str) -> AbstractContextManager[None]:
        return self.database.errors(what)

    def _reading(self) -> AbstractContextManager[Connection]:
        return self.database.reading()

    def _now(self) -> datetime:
        return self.database.now()

    def _instant(self, value: datetime | date | None, what: str) -> datetime | None:
        """A query time in UTC; a date means the end of that day where the plan is."""
        if value is None or isinstance(value, datetime):
            return None if value is None else _aware(value, what)
        return last_instant(value, self._tz).astimezone(UTC)

    # --- writing ----------------------------------------------------------------------------

    def record_status(
        self,
        ref: str,
        status: Status | str,
        *,
        actor: str,
        progress: int | None = None,
        effective: datetime | None = None,
        note: str = "",
        expected_from: Status | str | None = None,
        corrects: int | None = None,
        revision: int | None = None,
    ) -> StatusEvent:
        """Record one status change of ``ref`` and return the stored event.

        See :class:`~aomori_roadmap.engine.status.StatusChange` for the arguments.

        Raises:
            StatusChangeError: bad input (unknown ref, progress outside 0–100, a naive or
                future date-time, outside the plan period, empty actor); nothing written.
            TransitionError: the change is not allowed from the state it applies to.
            ConflictError: ``expected_from`` does not match, or the corrected event has
                been corrected already.
        """
        change = StatusChange(
            ref, status, actor, progress, effective, note, expected_from, corrects, revision
        )
        rows = self._record([change], single=True)
        return self._event(rows[0], ref)

    def record_batch(self, changes: Iterable[StatusChange]) -> int:
        """Record many status changes in one transaction, in order: all of them or none.

        Returns how many were recorded. Changes to the same ref apply one after the other,
        so a batch may move a task ``planned → in_progress → done``.

        Raises:
            StatusChangeError, TransitionError, ConflictError: as :meth:`record_status`, for
                the first bad change (its place is ``.index`` and in the message).

        >>> from datetime import datetime, timezone
        >>> store = Store("sqlite://")
        >>> at = datetime(2025, 4, 1, tzinfo=timezone.utc)
        >>> store.record_batch([StatusChange("a/x", "in_progress", "県", effective=at),
        ...                     StatusChange("a/x", "done", "県", effective=at)])
        2
        >>> store.record_batch([StatusChange("a/y", "done", "県"),
        ...                     StatusChange("a/y", "on_hold", "県")])
        Traceback (most recent call last):
        ...
        aomori_roadmap.errors.TransitionError: 変更 #2 (a/y): 完了 (done) → 保留 (on_hold) には...
        >>> len(store.history("a/y"))
        0
        """
        items = changes if isinstance(changes, Sequence) else list(changes)
        if items:
            self._record(items, single=False)
        return len(items)  # all of them, or an error

    def _record(self, changes: Sequence[StatusChange], *, single: bool) -> list[dict[str, Any]]:
        refs = self._refs
        items = [check_change(c, None if single else i, refs) for i, c in enumerate(changes)]
        with self._errors(_("Cannot record the status")), self.database.writing() as conn:
            lock_refs(conn, self.database.plan, sorted({item.ref for item in items}))
            # After the locks: recorded times follow the order of writes.
            return self._write_status(conn, items, self._now(), returning=single)

    def _write_status(
        self, conn: Connection, items: list[Item], recorded: datetime, *, returning: bool
    ) -> list[dict[str, Any]]:
        """Check and insert status changes inside the open transaction ``conn`` (locks held)."""
        writer = Writer(
            conn,
            items,
            recorded,
            plan_id=self.database.plan,
            period=self._period,
            default_revision=self._default_revision,
            returning=returning,
        )
        return writer.run()

    def record_together(
        self,
        status: Iterable[StatusChange] = (),
        submissions: Iterable[Submission] = (),
        kpi_actuals: Iterable[KpiEntry] = (),
        *,
        unchanged: Unchanged | None = None,
    ) -> Recorded:
        """Record status changes, review submissions and KPI actuals in one transaction.

        All of them or none: what a department sends back at the end of a half (its
        workbook) is one write. Each part is checked as :meth:`record_batch`,
        :meth:`ReviewLog.submit <aomori_roadmap.store.review_log.ReviewLog.submit>` and
        :meth:`KpiLog.record <aomori_roadmap.store.review_log.KpiLog.record>` check it, and
        every record shares one recorded time. ``unchanged`` names what must still stand
        when the write runs (the state a reader saw before deciding what to write); the
        check runs with the write locks held, so another writer in between gives a
        ConflictError, never a lost update.

        Raises:
            PlanError, StatusChangeError, TransitionError: bad input, as the single writes
                raise it (a status change's place is its index in ``status``).
            ConflictError: something in ``unchanged`` has changed, or a corrected record
                has been corrected already.

        >>> from datetime import datetime, timezone
        >>> from aomori_roadmap.plan.loader import default_plan
        >>> store = Store("sqlite://", plan=default_plan(),
        ...     clock=lambda: datetime(2025, 10, 6, tzinfo=timezone.utc))
        >>> done = store.record_together(
        ...     status=[StatusChange("bousai-dx-alerts/build", "in_progress", "危機管理局")],
        ...     submissions=[Submission("R7上期", "bousai-dx-alerts", "○", "危機管理局")],
        ...     kpi_actuals=[KpiEntry("kpi-business-dx-support", 2025, 130, "商工労働部")])
        >>> done.events, done.submissions[0].rating, done.kpi_actuals[0].value
        (1, '○', 130.0)
        >>> store.record_together(
        ...     status=[StatusChange("bousai-dx-alerts/study", "done", "危機管理局")],
        ...     kpi_actuals=[KpiEntry("kpi-business-dx-support", 2031, 1, "商工労働部")])
        Traceback (most recent call last):
        ...
        aomori_roadmap.errors.PlanError: 年度 2031 はプランの期間（FY2024–FY2028）の外です。
        >>> "bousai-dx-alerts/study" in store.status_as_of()
        False
        """
        changes = status if isinstance(status, Sequence) else list(status)
        items = [check_change(c, i, self._refs) for i, c in enumerate(changes)]
        review_rows = [self.reviews.check(s) for s in submissions]
        kpi_rows = [self.kpis.check(k) for k in kpi_actuals]
        keys = {item.ref for item in items}
        keys.update(review_lock_key(r["cycle"], r["initiative"]) for r in review_rows)
        keys.update(kpi_lock_key(r["kpi"], r["fy"]) for r in kpi_rows)
        guard = unchanged or Unchanged()
        keys.update(guard.events)
        keys.update(review_lock_key(cycle, initiative) for cycle, initiative in guard.submissions)
        keys.update(kpi_lock_key(kpi, fy) for kpi, fy in guard.kpi_actuals)
        if not keys:
            return Recorded(0, (), ())
        with review_writing(self.database, _("Cannot record the changes")) as conn:
            lock_refs(conn, self.database.plan, sorted(keys))
            self._check_unchanged(conn, guard)
            recorded = self._now()
            if items:
                self._write_status(conn, items, recorded, returning=False)
            reviews = write_reviews(conn, review_rows, recorded)
            values = write_kpi_actuals(conn, kpi_rows, recorded)
        return Recorded(len(items), tuple(reviews), tuple(values))

    def _check_unchanged(self, conn: Connection, guard: Unchanged) -> None:
        """Raise ConflictError when what ``guard`` names no longer stands."""
        found: list[tuple[str, int | None, int | None]] = []
        if guard.events:
            latest = latest_events(conn, self.database.plan, sorted(guard.events))
            for ref, expected in sorted(guard.events.items()):
                if latest.get(ref) != expected:
                    found.append((ref, expected, latest.get(ref)))
        if guard.submissions:
            standing = standing_submissions(conn, self.database.plan, guard.submissions)
            for (cycle, initiative), expected in sorted(guard.submissions.items()):
                if standing.get((cycle, initiative)) != expected:
                    where = f"{cycle} {initiative}"
                    found.append((where, expected, standing.get((cycle, initiative))))
        if guard.kpi_actuals:
            values = standing_kpi_actuals(conn, self.database.plan, guard.kpi_actuals)
            for (kpi, fy), expected in sorted(guard.kpi_actuals.items()):
                if values.get((kpi, fy)) != expected:
                    found.append((f"{kpi} FY{fy}", expected, values.get((kpi, fy))))
        if found:
            first = found[0]
            changed = ", ".join(
                _("{what} (#{expected} → #{found})").format(
                    what=what, expected=old or "-", found=new or "-"
                )
                for what, old, new in found
            )
            raise ConflictError(
                f"#{first[1]}",
                f"#{first[2]}",
                _(
                    "Someone recorded a change after the state you started from: {changed}. "
                    "Read the latest state and try again."
                ).format(changed=changed),
            )

    def _default_revision(self, conn: Connection) -> int | None:
        if self._plan_revision is None and self.plan is not None:
            found = conn.execute(
                select(plan_revisions.c.id).where(plan_revisions.c.hash == plan_hash(self.plan))
            ).scalar()
            self._plan_revision = found  # revisions are never deleted: safe to keep
        return self._plan_revision

    def _event(self, row: dict[str, Any], ref: str) -> StatusEvent:
        return StatusEvent(
            id=row["id"],
            ref=ref,
            from_status=Status(row["from_status"]),
            status=Status(row["status"]),
            progress=row["progress"],
            effective=row["effective"],
            recorded=row["recorded"],
            actor=row["actor"],
            note=row["note"],
            revision=row["revision_id"],
            corrects=row["corrects"],
        )

    # --- reading ----------------------------------------------------------------------------

    def status_as_of(
        self, effective: datetime | date | None = None, known_at: datetime | date | None = None
    ) -> dict[str, StatusState]:
        """Every ref's state at ``effective``, as the store knew it at ``known_at``.

        ``effective=None`` is the latest state; ``known_at=None`` is everything known now; a
        date means the end of that day in the plan's time zone. Corrections recorded by
        ``known_at`` replace what they correct. Refs without events are absent: they are
        ``planned`` (未着手). One SQL query, keyed by ref in ref order.

        >>> from datetime import date, datetime, timezone
        >>> told = iter([datetime(2025, 6, 2, tzinfo=timezone.utc),
        ...              datetime(2025, 8, 1, tzinfo=timezone.utc)])
        >>> store = Store("sqlite://", clock=lambda: next(told))
        >>> first = store.record_status("a/x", "in_progress", actor="県",
        ...     effective=datetime(2025, 4, 10, tzinfo=timezone.utc))
        >>> fixed = store.record_status("a/x", "in_progress", actor="県", corrects=first.id,
        ...     effective=datetime(2025, 4, 20, tzinfo=timezone.utc), note="開始日の訂正")
        >>> "a/x" in store.status_as_of(date(2025, 4, 15))   # as known now: not started yet
        False
        >>> "a/x" in store.status_as_of(date(2025, 4, 15), known_at=date(2025, 7, 1))
        True
        """
        t = self._instant(effective, "effective")
        k = self._instant(known_at, "known_at")
        query = snapshot_query(by_t=t is not None, by_k=k is not None)
        with self._errors(_("Cannot read the status")), self._reading() as conn:
            rows = conn.execute(query, {"plan": self.database.plan, "t": t, "k": k}).all()
        return {
            row.ref: StatusState(
                ref=row.ref,
                status=Status(row.status),
                progress=row.progress,
                updated=row.effective,
                event_id=row.id,
                actor=row.actor,
                note=row.note,
                started=row.started,
                finished=row.effective if row.status == Status.DONE else None,
            )
            for row in rows
        }

    def history(self, ref: str, *, known_at: datetime | date | None = None) -> list[StatusEvent]:
        """The full trail of ``ref`` in replay order, corrected events included.

        ``corrected_by`` tells which events were corrected (as known at ``known_at``).

        >>> store = Store("sqlite://")
        >>> _ = store.record_status("a/x", "done", actor="県")
        >>> [(e.from_status.value, e.status.value, e.progress) for e in store.history("a/x")]
        [('planned', 'done', 100)]
        """
        k = self._instant(known_at, "known_at")
        query = history_query(by_k=k is not None)
        with self._errors(_("Cannot read the history")), self._reading() as conn:
            rows = conn.execute(query, {"plan": self.database.plan, "ref": ref, "k": k}).all()
        return [
            StatusEvent(
                id=row.id,
                ref=ref,
                from_status=Status(row.from_status),
                status=Status(row.status),
                progress=row.progress,
                effective=row.effective,
                recorded=row.recorded,
                actor=row.actor,
                note=row.note,
                revision=row.revision_id,
                corrects=row.corrects,
                corrected_by=row.corrected_by,
            )
            for row in rows
        ]

    def actuals(
        self, effective: datetime | date | None = None, known_at: datetime | date | None = None
    ) -> dict[str, Actual]:
        """The scheduler's actuals: first ``in_progress`` = start, ``done`` = finish (plan dates).

        Only task refs (``initiative/task``) that have started or finished, and with a plan,
        only its tasks; dates are in the plan's time zone.
        """
        return self.actuals_of(self.status_as_of(effective, known_at))

    def actuals_of(self, states: Mapping[str, StatusState]) -> dict[str, Actual]:
        """:meth:`actuals` from states already read (a snapshot reads the store once)."""
        return actuals_of(states, self._tz, self._refs)

    # --- revisions and baselines ------------------------------------------------------------

    def save_revision(self, plan: Plan, author: str, note: str = "") -> Revision:
        """Store ``plan`` as a revision; the same content gives back the same revision.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> store = Store("sqlite://", plan=default_plan())
        >>> first = store.save_revision(default_plan(), "DX推進課", "当初計画")
        >>> store.save_revision(default_plan(), "DX推進課").id == first.id
        True
        """
        if not author.strip():
            raise PlanError(_("Write who saves the revision (author)."))
        self._own_plan(plan)
        content = canonical_json(plan)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        with self._errors(_("Cannot save the revision")), self.database.writing() as conn:
            found = self._revision_row(conn, plan_revisions.c.hash == digest)
            if found is not None:
                return found
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            conn.execute(
                dialect.insert(plan_revisions)
                .values(
                    hash=digest,
                    plan_id=plan.id,
                    content=content,
                    author=author.strip(),
                    note=note,
                    recorded=self._now(),
                )
                .on_conflict_do_nothing(index_elements=["hash"])
            )
            saved = self._revision_row(conn, plan_revisions.c.hash == digest)
            assert saved is not None
            return saved

    def _revision_row(self, conn: Connection, where: ColumnElement[bool]) -> Revision | None:
        r = plan_revisions.c
        row = conn.execute(
            select(r.id, r.hash, r.plan_id, r.author, r.note, r.recorded).where(
                r.plan_id == self.database.plan, where
            )
        ).first()
        return None if row is None else Revision(*row)

    def revisions(self) -> list[Revision]:
        """Every stored revision, oldest first.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> store = Store("sqlite://", plan=default_plan())
        >>> _ = store.save_revision(default_plan(), "DX推進課", "当初計画")
        >>> [(r.id, r.plan_id, r.note) for r in store.revisions()]
        [(1, 'aomori-dx-2024-2028', '当初計画')]
        """
        r = plan_revisions.c
        with self._errors(_("Cannot read the revisions")), self._reading() as conn:
            rows = conn.execute(
                select(r.id, r.hash, r.plan_id, r.author, r.note, r.recorded)
                .where(r.plan_id == self.database.plan)
                .order_by(r.id)
            ).all()
        return [Revision(*row) for row in rows]

    def revision_info(self, ref: int | str) -> Revision:
        """The revision named by ``ref``: its id, a baseline name, or a hash prefix (≥ 6).

        Raises:
            PlanError: no revision, or more than one, answers to ``ref``.
        """
        with self._errors(_("Cannot read the revisions")), self._reading() as conn:
            return self._resolve(conn, ref)

    def _resolve(self, conn: Connection, ref: int | str) -> Revision:
        c = plan_revisions.c
        text_ref = str(ref).strip()
        if isinstance(ref, int) or text_ref.isdigit():
            found = self._revision_row(conn, c.id == int(text_ref))
            if found is not None:
                return found
        named = self._baseline_row(conn, text_ref)
        if named is not None:
            return named.revision
        if len(text_ref) >= 6 and re.fullmatch(r"[0-9a-f]+", text_ref):
            ids = conn.execute(
                select(c.id)
                .where(c.plan_id == self.database.plan, c.hash.startswith(text_ref))
                .limit(2)
            ).all()
            if len(ids) > 1:
                raise PlanError(
                    _("More than one revision matches the hash '{hash}'. Write more of it.").format(
                        hash=text_ref
                    )
                )
            if ids:
                found = self._revision_row(conn, c.id == ids[0][0])
                assert found is not None
                return found
        raise PlanError(
            _(
                "There is no revision '{revision}'. Name it by its number, a baseline's name, or "
                "at least the first 6 characters of its hash."
            ).format(revision=ref)
        )

    def revision(self, ref: int | str) -> Plan:
        """The plan stored as revision ``ref`` (see :meth:`revision_info` for ``ref``)."""
        with self._errors(_("Cannot read the revisions")), self._reading() as conn:
            found = self._resolve(conn, ref)
            content = conn.execute(
                select(plan_revisions.c.content).where(plan_revisions.c.id == found.id)
            ).scalar_one()
        return plan_from_json(content)

    def set_baseline(
        self, name: str, revision: int | str | None = None, *, actor: str, note: str = ""
    ) -> Baseline:
        """Point baseline ``name`` at a revision (default: the store's plan, saved if needed).

        Setting a name again moves it; the earlier settings stay in the table.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> store = Store("sqlite://", plan=default_plan())
        >>> store.set_baseline("当初計画", actor="DX推進課").revision.id
        1
        """
        if not name.strip() or not actor.strip():
            raise PlanError(_("Write the baseline's name and who sets it (actor)."))
        if revision is None and self.plan is not None:
            revision = self.save_revision(
                self.plan, actor, _("Baseline {name}").format(name=name)
            ).id
        with self._errors(_("Cannot save the baseline")), self.database.writing() as conn:
            if revision is None:
                newest = conn.execute(
                    select(plan_revisions.c.id)
                    .where(plan_revisions.c.plan_id == self.database.plan)
                    .order_by(plan_revisions.c.id.desc())
                    .limit(1)
                ).scalar()
                if newest is None:
                    raise PlanError(
                        _("There is no revision yet. Save one with save_revision first.")
                    )
                revision = newest
            target = self._resolve(conn, revision)
            recorded = self._now()
            conn.execute(
                insert(baselines).values(
                    plan_id=self.database.plan,
                    name=name.strip(),
                    revision_id=target.id,
                    actor=actor.strip(),
                    note=note,
                    recorded=recorded,
                )
            )
        return Baseline(name.strip(), target, actor.strip(), note, recorded)

    def _baseline_query(self) -> Select[Any]:
        b, r = baselines.c, plan_revisions.c
        return (
            select(
                b.id,
                b.name,
                b.actor,
                b.note,
                b.recorded,
                r.id,
                r.hash,
                r.plan_id,
                r.author,
                r.note,
                r.recorded,
            )
            .join(plan_revisions, r.id == b.revision_id)
            .where(b.plan_id == self.database.plan)
        )

    @staticmethod
    def _to_baseline(row: Sequence[Any]) -> Baseline:
        return Baseline(row[1], Revision(*row[5:]), row[2], row[3], row[4])

    def _baseline_row(self, conn: Connection, name: str) -> Baseline | None:
        query = self._baseline_query().where(baselines.c.name == name)
        row = conn.execute(query.order_by(baselines.c.id.desc()).limit(1)).first()
        return None if row is None else self._to_baseline(row)

    def baseline(self, name: str) -> Baseline:
        """The baseline ``name`` as last set.

        Raises:
            PlanError: there is no baseline of that name.
        """
        with self._errors(_("Cannot read the baselines")), self._reading() as conn:
            found = self._baseline_row(conn, name)
            if found is None:
                names = sorted({b.name for b in self._all_baselines(conn)})
                raise PlanError(
                    _("There is no baseline '{name}'. There are: {names}").format(
                        name=name, names=", ".join(names) or pgettext("no choices", "none")
                    )
                )
        return found

    def _all_baselines(self, conn: Connection) -> list[Baseline]:
        rows = conn.execute(self._baseline_query().order_by(baselines.c.id)).all()
        newest: dict[str, Baseline] = {}
        for row in rows:  # later rows of a name replace earlier ones
            newest[row[1]] = self._to_baseline(row)
        return sorted(newest.values(), key=lambda b: b.name)

    def baselines(self) -> list[Baseline]:
        """Every baseline as last set, by name."""
        with self._errors(_("Cannot read the baselines")), self._reading() as conn:
            return self._all_baselines(conn)

    def diff(self, old: int | str | Plan, new: int | str | Plan) -> PlanDiff:
        """Tasks added, removed and changed from ``old`` to ``new``, and each task's shift.

        Each side is a revision (id, baseline name, hash prefix) or a plan; both are scheduled
        as planned (without actuals). Shifts are in working days, positive = later.

        >>> from aomori_roadmap.plan.loader import plan_from_data
        >>> def plan(days):
        ...     return plan_from_data({"id": "p", "name": "P", "period": {"start": 2024,
        ...         "end": 2024}, "initiatives": [{"id": "a", "name": "A", "tasks": [
        ...         {"id": "x", "name": "検討", "duration": days}]}]})
        >>> store = Store("sqlite://", plan_id="p")
        >>> first = store.save_revision(plan("10bd"), "DX推進課")
        >>> result = store.diff(first.id, plan("15bd"))
        >>> result.changed, result.shifts["a/x"].finish_days
        ({'a/x': ['duration']}, 5)
        """
        old_plan, old_id = self._plan_of(old)
        new_plan, new_id = self._plan_of(new)
        return compare_plans(old_plan, new_plan, old_id=old_id, new_id=new_id)

    def _plan_of(self, ref: int | str | Plan) -> tuple[Plan, int | None]:
        if isinstance(ref, Plan):
            return ref, None
        return self.revision(ref), self.revision_info(ref).id

    def variance(
        self,
        plan: Plan,
        baseline_name: str,
        *,
        actuals: Mapping[str, Actual] | None = None,
    ) -> Variance:
        """The current schedule of ``plan`` against baseline ``baseline_name``.

        The current schedule uses ``actuals`` (default: this store's actuals of the plan's
        tasks); the baseline's plan is scheduled as planned. Positive days = later than the
        baseline, per task and per initiative.
        """
        base = self.baseline(baseline_name)
        known = self.actuals() if actuals is None else actuals
        tasks = {ref for ref, _, _ in plan.iter_tasks()}
        current = schedule(plan, {ref: a for ref, a in known.items() if ref in tasks})
        return variance_of(
            base.name, base.revision.id, self.revision(base.revision.id), current, current.tasks
        )
