"""Half-year review records and KPI actuals in the store: append-only, corrections point back.

:class:`ReviewLog` keeps the two steps of every half-year review (半期見直し) of an initiative:

1. the department's **submission** (提出): its self-assessment on the plan's rating scale
   (◎ 予定以上 / ○ 予定どおり / △ やや遅れ / × 遅れ by default), its achievements (成果), issues
   (課題) and next steps (今後の取組);
2. the plan office's **review** (評価): its rating, a comment and, when the review decided a
   change of the roadmap, the plan revision that holds it.

An initiative is ``not_submitted`` in a cycle until a submission is recorded, then
``submitted``, then ``reviewed`` once the office has rated it. :class:`KpiLog` keeps KPI
actual values (成果指標の実績) per fiscal year, with their source and a note; the same for the
plan's intermediate indicators (中間指標). A value is a number, or a mark where no number can be
given (未把握 not known, 調査中 being surveyed: :class:`~aomori_roadmap.engine.kpi.KpiMark`).

Nothing is updated or deleted (the database refuses it): a mistake is fixed by a new record
that ``corrects`` the wrong one, of the same cycle, initiative and stage (or KPI and fiscal
year); a record is corrected at most once. Bad input — an unknown cycle, an initiative the
cycle does not cover, a rating outside the plan's scale, an unknown KPI, a year outside the
plan, an empty actor — raises :class:`~aomori_roadmap.errors.PlanError` and writes nothing.

>>> from datetime import datetime, timezone
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.store import Store
>>> store = Store("sqlite://", plan=default_plan(),
...     clock=lambda: datetime(2025, 10, 6, tzinfo=timezone.utc))
>>> log = ReviewLog(store)
>>> _ = log.submit("R7上期", "bousai-dx-alerts", rating="○", actor="危機管理局",
...     achievements="実証地域を選定")
>>> log.state("FY2025-H1", "bousai-dx-alerts").stage
'submitted'
>>> log.submit("FY2025-H1", "bousai-dx-alerts", rating="☆", actor="危機管理局")
Traceback (most recent call last):
...
aomori_roadmap.errors.PlanError: 評価 '☆' は評価の尺度にありません。使えるのは: ◎ 予定以上, ○ 予定どおり, ...
>>> store.close()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, Table, exists, insert, select
from sqlalchemy.exc import IntegrityError

from aomori_roadmap.calendar import FiscalYear, parse_period
from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.engine.reviews import ReviewCycle, find_cycle, ongoing_spans, review_cycles
from aomori_roadmap.errors import ConflictError, PlanError
from aomori_roadmap.i18n import (
    N_,
    _,
    language,
    pgettext,
    using_language_or_default,
)
from aomori_roadmap.plan.model import Indicator, Kpi, Plan
from aomori_roadmap.store.tables import kpi_actuals, review_records
from aomori_roadmap.store.writer import lock_refs

if TYPE_CHECKING:  # the store attaches these logs to itself: no import of it at run time
    from aomori_roadmap.store.database import Database
    from aomori_roadmap.store.store import Store

__all__ = [
    "REVIEW_STATES",
    "KpiActual",
    "KpiEntry",
    "KpiLog",
    "ReviewLog",
    "ReviewRecord",
    "ReviewState",
    "Submission",
    "kpi_lock_key",
    "review_lock_key",
    "review_writing",
    "standing_kpi_actuals",
    "standing_submissions",
    "state_label",
    "write_kpi_actuals",
    "write_reviews",
]

#: Where an initiative stands in a cycle: 未提出 → 提出済 → 評価済.
REVIEW_STATES = ("not_submitted", "submitted", "reviewed")

# The name of each state, translated where it is shown.
_STATE_LABELS = {
    "not_submitted": N_("not submitted"),
    "submitted": N_("submitted"),
    "reviewed": N_("reviewed"),
}

# The widths of the columns (see tables.py): checked here for a clear message.
_RATING_MAX, _ACTOR_MAX = 16, 200

# Circles people type for ○: the kanji zero 〇 and the large circle ◯.
_CIRCLES = ("〇", "◯")


def state_label(stage: str, lang: str = "ja") -> str:
    """``未提出`` / ``提出済`` / ``評価済`` (or the English words) for a state code.

    >>> state_label("submitted"), state_label("reviewed", "en")
    ('提出済', 'reviewed')
    """
    label = _STATE_LABELS.get(stage)
    if label is None:
        return stage
    with using_language_or_default(lang):
        return _(label)


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One stored review step: a submission (``stage='submitted'``) or a review (``'reviewed'``).

    ``rating`` is the symbol of the plan's scale; ``revision`` is the plan revision the review
    decided (``None``: no roadmap change); ``corrected_by`` is the id of the record that
    corrects this one (``None``: it stands).
    """

    id: int
    cycle: str
    initiative: str
    stage: str
    rating: str
    achievements: str
    issues: str
    next_steps: str
    comment: str
    revision: int | None
    actor: str
    recorded: datetime
    corrects: int | None = None
    corrected_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (ISO 8601 UTC date-time), keys in field order."""
        return _json_of(self)


@dataclass(frozen=True, slots=True)
class ReviewState:
    """An initiative in one cycle: its latest standing submission and review, if any."""

    cycle: str
    initiative: str
    submission: ReviewRecord | None = None
    review: ReviewRecord | None = None

    @property
    def stage(self) -> str:
        """``not_submitted``, ``submitted`` or ``reviewed``."""
        if self.review is not None:
            return "reviewed"
        return "submitted" if self.submission is not None else "not_submitted"


@dataclass(frozen=True, slots=True)
class KpiActual:
    """A stored actual value of a KPI or an indicator in a fiscal year, with its source and
    note: ``value`` the number, or ``mark`` a :class:`~aomori_roadmap.engine.kpi.KpiMark`
    (未把握, 調査中); exactly one of the two is set."""

    id: int
    kpi: str
    fy: int
    value: float | None
    mark: str | None
    source: str
    note: str
    actor: str
    recorded: datetime
    corrects: int | None = None
    corrected_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The value as JSON-ready data (ISO 8601 UTC date-time), keys in field order."""
        return _json_of(self)

    @property
    def measured(self) -> float | KpiMark | None:
        """The value as the engine takes it (:data:`~aomori_roadmap.engine.kpi.Measured`):
        the number, or the mark."""
        return self.value if self.mark is None else KpiMark(self.mark)


@dataclass(frozen=True, slots=True)
class Submission:
    """A department's submission to record (the input of ``Store.record_together``).

    The arguments of :meth:`ReviewLog.submit`: ``cycle`` as people write a half, ``rating`` a
    symbol or label of the plan's scale. ``comment`` is kept with the record (a submission
    made from a workbook keeps the workbook's name and fingerprint there).

    >>> Submission("R7上期", "bousai-dx-alerts", "○", actor="危機管理局").corrects is None
    True
    """

    cycle: str
    initiative: str
    rating: str
    actor: str
    achievements: str = ""
    issues: str = ""
    next_steps: str = ""
    comment: str = ""
    corrects: int | None = None


@dataclass(frozen=True, slots=True)
class KpiEntry:
    """A KPI actual value to record (the input of ``Store.record_together``).

    The arguments of :meth:`KpiLog.record`: ``kpi`` the id of a KPI or an indicator, ``value``
    a number or a mark (未把握, 調査中, ``unknown``, ``surveying``); ``source`` defaults to the
    KPI's source.

    >>> KpiEntry("kpi-business-dx-support", 2025, 130, actor="商工労働部").source
    ''
    """

    kpi: str
    fy: int | str
    value: float | str
    actor: str
    source: str = ""
    note: str = ""
    corrects: int | None = None


# --- shared plumbing ------------------------------------------------------------------------


def _json_of(record: ReviewRecord | KpiActual) -> dict[str, Any]:
    """Every field of a stored record, date-times as ISO 8601 text."""
    values = ((f.name, getattr(record, f.name)) for f in fields(record))
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values}


def _plan_of(store: Store, plan: Plan | None, what: str) -> Plan:
    """``plan`` or the store's; ``what`` (marked with ``N_``) names what needs it."""
    found = plan if plan is not None else store.plan
    if found is None:
        raise PlanError(
            _("The {what} need a plan: open the store with Store(url, plan=...).").format(
                what=_(what)
            )
        )
    return found


def _actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise PlanError(_("Write who makes the record (actor)."))
    name = actor.strip()
    if len(name) > _ACTOR_MAX:
        raise PlanError(
            _("The person recording (actor) may have at most {limit} characters.").format(
                limit=_ACTOR_MAX
            )
        )
    return name


def _text(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PlanError(
            _("Write the {what} as text ({type} was given).").format(
                what=what, type=type(value).__name__
            )
        )
    return value.strip()


def _with_corrections(table: Table, *where: Any) -> Select[Any]:
    """Rows of ``table`` matching ``where``, each with the id of the row correcting it."""
    row, fix = table.alias("r"), table.alias("c")
    by = select(fix.c.id).where(fix.c.corrects == row.c.id).scalar_subquery()
    conditions = [row.c[name] == value for name, value in where]
    return select(row, by.label("corrected_by")).where(*conditions).order_by(row.c.id)


def _writing(store: Store, what: str) -> AbstractContextManager[Connection]:
    """One write transaction, with the store's error messages; a lost race is a conflict."""
    return review_writing(store.database, what)


@contextmanager
def review_writing(database: Database, what: str) -> Iterator[Connection]:
    """One write transaction of review records or KPI actuals on ``database``, with its
    error messages; a correction that lost the race to another is a ConflictError."""
    with database.errors(what), database.writing() as conn:
        try:
            yield conn
        except IntegrityError as error:
            if "corrects" not in str(error.orig):
                raise
            raise ConflictError(
                "corrects",
                "corrected",
                _(
                    "{what}: the record you meant to correct has just been corrected by someone "
                    "else. Check the latest records and try again."
                ).format(what=what),
            ) from error


def _check_target(
    conn: Connection, table: Table, corrects: int, same: dict[str, Any], what: str, plan: str
) -> None:
    """The corrected row exists in ``plan``, matches ``same`` and is not corrected yet."""
    query = _with_corrections(table, ("id", corrects), ("plan_id", plan))
    found = conn.execute(query).mappings().first()
    if found is None:
        raise PlanError(
            _("There is no {what} #{number} to correct.").format(what=what, number=corrects)
        )
    for name, value in same.items():
        if found[name] != value:
            shown = ", ".join(f"{k}={found[k]}" for k in same)
            raise PlanError(
                _(
                    "The {what} #{number} is a record of {target}; only a record of the same "
                    "target can be corrected."
                ).format(what=what, number=corrects, target=shown)
            )
    if found["corrected_by"] is not None:
        by = found["corrected_by"]
        raise ConflictError(
            f"#{corrects}",
            f"#{by}",
            _(
                "The {what} #{number} has already been corrected by #{by}. To correct it, "
                "correct that latest correction."
            ).format(what=what, number=corrects, by=by),
        )


def review_lock_key(cycle: str, initiative: str, stage: str = "submitted") -> str:
    """The name a writer of ``(cycle, initiative, stage)`` locks (PostgreSQL advisory lock).

    Writers of review records and KPI actuals lock what they write, as status writers lock
    their refs (:func:`~aomori_roadmap.store.writer.lock_refs`), so that a writer that checks
    what stands before it writes sees every other writer's record.

    >>> review_lock_key("FY2025-H1", "a")
    'review:submitted:FY2025-H1:a'
    """
    return f"review:{stage}:{cycle}:{initiative}"


def kpi_lock_key(kpi: str, fy: int) -> str:
    """The name a writer of the actual of ``kpi`` in ``fy`` locks (see :func:`review_lock_key`)."""
    return f"kpi:{kpi}:{fy}"


def write_reviews(
    conn: Connection, rows: Sequence[dict[str, Any]], recorded: datetime
) -> list[ReviewRecord]:
    """Insert checked review ``rows`` inside the open transaction ``conn``; return the records.

    Each row is what :meth:`ReviewLog.check` made; its correction target is checked here, with
    the write lock held. Any error leaves the transaction to roll back.
    """
    written = []
    for checked in rows:
        row = dict(checked)
        corrects = row["corrects"]
        if corrects is not None:
            same = {"cycle": row["cycle"], "initiative": row["initiative"], "stage": row["stage"]}
            what = _("review submission") if row["stage"] == "submitted" else _("review rating")
            _check_target(conn, review_records, corrects, same, what, row["plan_id"])
        row["recorded"] = recorded
        statement = insert(review_records).values(**row).returning(review_records.c.id)
        row["id"] = conn.execute(statement).scalar_one()
        written.append(_review(row))
    return written


def write_kpi_actuals(
    conn: Connection, rows: Sequence[dict[str, Any]], recorded: datetime
) -> list[KpiActual]:
    """Insert checked KPI ``rows`` inside the open transaction ``conn``; return the values.

    Each row is what :meth:`KpiLog.check` made (see :func:`write_reviews`).
    """
    written = []
    for checked in rows:
        row = dict(checked)
        corrects = row["corrects"]
        if corrects is not None:
            same = {"kpi": row["kpi"], "fy": row["fy"]}
            _check_target(conn, kpi_actuals, corrects, same, _("KPI actual"), row["plan_id"])
        row["recorded"] = recorded
        statement = insert(kpi_actuals).values(**row).returning(kpi_actuals.c.id)
        row["id"] = conn.execute(statement).scalar_one()
        written.append(_actual(row))
    return written


def _standing(conn: Connection, table: Table, keys: list[str], where: Any) -> dict[Any, int]:
    """The id of the newest uncorrected row of ``table`` per value of its ``keys`` columns."""
    row, fix = table.alias("r"), table.alias("c")
    corrected = exists().where(fix.c.corrects == row.c.id)
    query = select(*(row.c[k] for k in keys), row.c.id).where(~corrected, *where(row))
    found: dict[Any, int] = {}
    for *key, record_id in conn.execute(query.order_by(row.c.id)):
        found[tuple(key)] = record_id  # later rows replace earlier ones
    return found


def standing_submissions(
    conn: Connection, plan: str, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """``(cycle code, initiative) → id`` of the submission of ``plan`` that stands, for each
    of ``pairs`` that has one, as the open transaction ``conn`` sees it."""
    wanted = set(pairs)
    cycles = sorted({c for c, _i in wanted})
    if not cycles:
        return {}
    found = _standing(
        conn, review_records, ["cycle", "initiative"],
        lambda r: (r.c.plan_id == plan, r.c.stage == "submitted", r.c.cycle.in_(cycles)),
    )  # fmt: skip
    return {key: value for key, value in found.items() if key in wanted}


def standing_kpi_actuals(
    conn: Connection, plan: str, pairs: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """``(kpi, fiscal year) → id`` of the value of ``plan`` that stands, for each of
    ``pairs`` that has one, as the open transaction ``conn`` sees it."""
    wanted = set(pairs)
    kpis = sorted({k for k, _fy in wanted})
    if not kpis:
        return {}
    found = _standing(
        conn, kpi_actuals, ["kpi", "fy"], lambda r: (r.c.plan_id == plan, r.c.kpi.in_(kpis))
    )
    return {key: value for key, value in found.items() if key in wanted}


# --- reviews --------------------------------------------------------------------------------


class ReviewLog:
    """The half-year review records of a store's plan (see the module docstring).

    ``plan`` defaults to the store's plan; one of them is needed to check cycles,
    initiatives and ratings.
    """

    def __init__(self, store: Store, plan: Plan | None = None) -> None:
        self._store = store
        self._plan = plan
        self._planned: list[ReviewCycle] | None = None

    @property
    def plan(self) -> Plan:
        """The plan whose cycles and rating scale the records follow."""
        return _plan_of(self._store, self._plan, N_("review records"))

    def cycles(self) -> list[ReviewCycle]:
        """The plan's review cycles as planned (computed once)."""
        if self._planned is None:
            self._planned = review_cycles(self.plan)
        return self._planned

    def rating(self, text: str) -> str:
        """The symbol of the scale step written as ``text`` (its symbol or its label).

        Raises:
            PlanError: the scale has no such step.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.store import Store
        >>> with Store("sqlite://", plan=default_plan()) as store:
        ...     log = ReviewLog(store)
        ...     log.rating("やや遅れ"), log.rating("〇")
        ('△', '○')
        """
        scale = self.plan.review_policy.ratings
        written = text.strip() if isinstance(text, str) else ""
        symbols = {r.symbol: r.symbol for r in scale} | {r.label: r.symbol for r in scale}
        if written in _CIRCLES and "○" in symbols:
            written = "○"
        found = symbols.get(written)
        if found is None:
            accepted = ", ".join(f"{r.symbol} {r.label}" for r in scale)
            raise PlanError(
                _("Rating '{rating}' is not on the rating scale. Accepted: {accepted}").format(
                    rating=text, accepted=accepted
                )
            )
        if len(found) > _RATING_MAX:
            raise PlanError(
                _("The rating symbol '{symbol}' is too long (at most {limit} characters).").format(
                    symbol=found, limit=_RATING_MAX
                )
            )
        return found

    def _cycle_for(self, cycle: str, initiative: str) -> ReviewCycle:
        """The cycle named ``cycle``, checked to cover ``initiative``."""
        plan = self.plan
        if not isinstance(initiative, str) or initiative not in {i.id for i in plan.initiatives}:
            raise PlanError(
                _("Initiative '{initiative}' is not in the plan.").format(initiative=initiative)
            )
        found = find_cycle(self.cycles(), cycle)
        if initiative in found.initiatives:
            return found
        # Started and unfinished work stays covered, as in every view of the cycles.
        ongoing = ongoing_spans(self._store.actuals())
        if initiative in find_cycle(review_cycles(plan, ongoing=ongoing), cycle).initiatives:
            return found
        raise PlanError(
            _(
                "Initiative '{initiative}' is not reviewed in {cycle} ({code}): it has no task "
                "under way in that half."
            ).format(initiative=initiative, cycle=found.label(language()), code=found.code)
        )

    def submit(
        self,
        cycle: str,
        initiative: str,
        *,
        rating: str,
        actor: str,
        achievements: str = "",
        issues: str = "",
        next_steps: str = "",
        corrects: int | None = None,
    ) -> ReviewRecord:
        """Record a department's submission: its self-assessment, 成果, 課題 and 今後の取組.

        ``cycle`` is written as people write a half (``FY2025-H1``, ``R7上期`` …); ``rating``
        as a symbol or label of the plan's scale. ``corrects`` is the id of the submission
        this one corrects.

        Raises:
            PlanError: bad input (see the module docstring); nothing written.
            ConflictError: the corrected record has been corrected already.
        """
        return self._record(self._row(
            "submitted", cycle, initiative, rating, actor, corrects,
            achievements=achievements, issues=issues, next_steps=next_steps,
        ))  # fmt: skip

    def review(
        self,
        cycle: str,
        initiative: str,
        *,
        rating: str,
        actor: str,
        comment: str = "",
        revision: int | str | None = None,
        corrects: int | None = None,
    ) -> ReviewRecord:
        """Record the plan office's review: its rating, comment and the revision it decided.

        ``revision`` is a stored revision (id, baseline name or hash prefix) holding the
        roadmap change the review decided. The office may rate an initiative whose
        department has not submitted; it is then ``reviewed`` without a submission.

        Raises:
            PlanError: bad input, or no such revision; nothing written.
            ConflictError: the corrected record has been corrected already.

        >>> from datetime import datetime, timezone
        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.store import Store
        >>> store = Store("sqlite://", plan=default_plan())
        >>> log = ReviewLog(store)
        >>> first = log.review("FY2024-H2", "sangyo-dx-sales", rating="△", actor="DX推進課")
        >>> fixed = log.review("FY2024-H2", "sangyo-dx-sales", rating="○", actor="DX推進課",
        ...     comment="評価の訂正", corrects=first.id)
        >>> log.state("FY2024-H2", "sangyo-dx-sales").review.rating
        '○'
        >>> store.close()
        """
        revision_id = None
        if revision is not None:
            revision_id = self._store.revision_info(revision).id
        return self._record(self._row(
            "reviewed", cycle, initiative, rating, actor, corrects,
            comment=comment, revision=revision_id,
        ))  # fmt: skip

    def check(self, submission: Submission) -> dict[str, Any]:
        """The row a submission stores, after every check that needs no write lock.

        Raises:
            PlanError: bad input (see the module docstring).
        """
        return self._row(
            "submitted", submission.cycle, submission.initiative, submission.rating,
            submission.actor, submission.corrects, achievements=submission.achievements,
            issues=submission.issues, next_steps=submission.next_steps,
            comment=submission.comment,
        )  # fmt: skip

    def _row(
        self,
        stage: str,
        cycle: str,
        initiative: str,
        rating: str,
        actor: str,
        corrects: int | None,
        **texts: Any,
    ) -> dict[str, Any]:
        name = _actor(actor)
        symbol = self.rating(rating)
        found = self._cycle_for(cycle, initiative)
        if corrects is not None and (type(corrects) is not int or corrects < 1):
            raise PlanError(
                _(
                    "The number of the corrected record, {number}, must be a positive integer."
                ).format(number=repr(corrects))
            )
        return {
            "cycle": found.code,
            "initiative": initiative,
            "stage": stage,
            "rating": symbol,
            "achievements": _text(texts.get("achievements"), pgettext("record", "achievements")),
            "issues": _text(texts.get("issues"), pgettext("record", "issues")),
            "next_steps": _text(texts.get("next_steps"), pgettext("record", "next steps")),
            "comment": _text(texts.get("comment"), pgettext("record", "comment")),
            "revision_id": texts.get("revision"),
            "actor": name,
            "corrects": corrects,
            "plan_id": self._store.database.plan,
        }

    def _record(self, row: dict[str, Any]) -> ReviewRecord:
        """Write one checked row (:meth:`_row`) in a transaction of its own."""
        stage, initiative = row["stage"], row["initiative"]
        failure = (
            _("Cannot record the submission")
            if stage == "submitted"
            else _("Cannot record the review")
        )
        with _writing(self._store, failure) as conn:
            lock_refs(conn, row["plan_id"], [review_lock_key(row["cycle"], initiative, stage)])
            return write_reviews(conn, [row], self._store.database.now())[0]

    def records(
        self, cycle: str | None = None, initiative: str | None = None
    ) -> list[ReviewRecord]:
        """Every record (corrected ones included, see ``corrected_by``), oldest first.

        ``cycle`` may be written as people write a half; filters are optional.
        """
        where: list[tuple[str, Any]] = [("plan_id", self._store.database.plan)]
        if cycle is not None:
            where.append(("cycle", find_cycle(self.cycles(), cycle).code))
        if initiative is not None:
            where.append(("initiative", initiative))
        with (
            self._store.database.errors(_("Cannot read the review records")),
            self._store.database.reading() as conn,
        ):
            rows = conn.execute(_with_corrections(review_records, *where)).mappings().all()
        return [_review(row) for row in rows]

    def states(self, cycle: str | None = None) -> dict[tuple[str, str], ReviewState]:
        """The state of every ``(cycle, initiative)`` that has records; one query.

        Pairs without records are ``not_submitted`` and absent here.
        """
        latest: dict[tuple[str, str, str], ReviewRecord] = {}
        for record in self.records(cycle):
            if record.corrected_by is None:  # later records of a stage replace earlier ones
                latest[(record.cycle, record.initiative, record.stage)] = record
        states: dict[tuple[str, str], ReviewState] = {}
        for (code, initiative, _stage), record in sorted(latest.items()):
            key = (code, initiative)
            state = states.get(key, ReviewState(code, initiative))
            if record.stage == "submitted":
                state = ReviewState(code, initiative, record, state.review)
            else:
                state = ReviewState(code, initiative, state.submission, record)
            states[key] = state
        return states

    def stages(self, cycle: str | None = None) -> dict[tuple[str, str], str]:
        """``(cycle code, initiative) → state code``, as :func:`~aomori_roadmap.engine.reminders.reminders` takes it.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.store import Store
        >>> with Store("sqlite://", plan=default_plan()) as store:
        ...     ReviewLog(store).stages()
        {}
        """
        return {key: state.stage for key, state in self.states(cycle).items()}

    def state(self, cycle: str, initiative: str) -> ReviewState:
        """Where ``initiative`` stands in ``cycle``, with the latest record of each stage.

        Raises:
            PlanError: the cycle or the initiative is unknown.
        """
        code = find_cycle(self.cycles(), cycle).code
        if initiative not in {i.id for i in self.plan.initiatives}:
            raise PlanError(
                _("Initiative '{initiative}' is not in the plan.").format(initiative=initiative)
            )
        return self.states(code).get((code, initiative), ReviewState(code, initiative))


def _review(row: Any) -> ReviewRecord:
    return ReviewRecord(
        id=row["id"],
        cycle=row["cycle"],
        initiative=row["initiative"],
        stage=row["stage"],
        rating=row["rating"],
        achievements=row["achievements"],
        issues=row["issues"],
        next_steps=row["next_steps"],
        comment=row["comment"],
        revision=row["revision_id"],
        actor=row["actor"],
        recorded=row["recorded"],
        corrects=row["corrects"],
        corrected_by=row.get("corrected_by"),
    )


# --- KPI actuals ----------------------------------------------------------------------------


class KpiLog:
    """The actual values (実績) of a store's plan's KPIs (成果指標) and intermediate indicators
    (中間指標), per fiscal year.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.store import Store
    >>> store = Store("sqlite://", plan=default_plan())
    >>> kpis = KpiLog(store)
    >>> first = kpis.record("kpi-business-dx-support", "令和6年度", 120, actor="商工労働部")
    >>> _ = kpis.record("kpi-business-dx-support", 2024, 125, actor="商工労働部",
    ...     note="集計漏れの訂正", corrects=first.id)
    >>> _ = kpis.record("kpi-business-dx-support", 2025, "調査中", actor="商工労働部")
    >>> [(a.fy, a.value, a.mark, a.source) for a in kpis.actuals()]
    [(2024, 125.0, None, '県商工労働部調べ'), (2025, None, 'surveying', '県商工労働部調べ')]
    >>> kpis.values()
    {'kpi-business-dx-support': {2024: 125.0, 2025: <KpiMark.SURVEYING: 'surveying'>}}
    >>> kpis.record("kpi-business-dx-support", 2031, 1, actor="商工労働部")
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.PlanError: 年度 2031 はプランの期間（FY2024–FY2028）の外です。
    >>> store.close()
    """

    def __init__(self, store: Store, plan: Plan | None = None) -> None:
        self._store = store
        self._plan = plan

    @property
    def plan(self) -> Plan:
        """The plan whose KPIs, indicators and period the values follow."""
        return _plan_of(self._store, self._plan, N_("KPI actuals"))

    def _kpi(self, kpi: str) -> Kpi | Indicator:
        plan = self.plan
        known: dict[str, Kpi | Indicator] = {k.id: k for k in plan.kpis}
        known.update((i.id, i) for i in plan.indicators if i.id not in known)
        found = known.get(kpi) if isinstance(kpi, str) else None
        if found is None:
            names = ", ".join(known) if len(known) <= 8 else _("See the list with kpi show")
            raise PlanError(
                _("There is no KPI or indicator '{kpi}' in the plan. {known}").format(
                    kpi=kpi, known=names
                )
            )
        return found

    def _fy(self, fy: int | str) -> int:
        year: int | None = None
        if isinstance(fy, int) and not isinstance(fy, bool):
            year = fy
        elif isinstance(fy, str):
            text = fy.strip()
            period = FiscalYear(int(text)) if text.isdigit() else parse_period(text)
            if not isinstance(period, FiscalYear):
                raise PlanError(
                    _("'{text}' is not a fiscal year (e.g. 2025, FY2025).").format(text=fy)
                )
            year = period.year
        if year is None:
            raise PlanError(
                _("Cannot read the fiscal year {value} (e.g. 2025, FY2025).").format(value=repr(fy))
            )
        start, end = self.plan.period.start, self.plan.period.end
        if not start.year <= year <= end.year:
            raise PlanError(
                _("Fiscal year {year} is outside the plan's period ({start}–{end}).").format(
                    year=year, start=start.code, end=end.code
                )
            )
        return year

    def record(
        self,
        kpi: str,
        fy: int | str,
        value: float | str,
        source: str = "",
        note: str = "",
        *,
        actor: str,
        corrects: int | None = None,
    ) -> KpiActual:
        """Record the actual ``value`` of ``kpi`` (a KPI or an indicator) in fiscal year ``fy``
        (2025, FY2025, 令和7年度).

        ``value`` is a number, or a mark where there is none: 未把握 or 調査中 (also written
        ``unknown``, ``surveying``). ``source`` defaults to the KPI's source in the plan.
        ``corrects`` is the id of the value this one corrects (same KPI and year).

        Raises:
            PlanError: an unknown KPI or indicator, a year outside the plan, a value that is
                neither a finite number nor a mark, an empty actor; nothing written.
            ConflictError: the corrected value has been corrected already.
        """
        row = self.check(KpiEntry(kpi, fy, value, actor, source, note, corrects))
        with _writing(self._store, _("Cannot record the KPI actual")) as conn:
            lock_refs(conn, row["plan_id"], [kpi_lock_key(row["kpi"], row["fy"])])
            return write_kpi_actuals(conn, [row], self._store.database.now())[0]

    def check(self, entry: KpiEntry) -> dict[str, Any]:
        """The row a KPI value stores, after every check that needs no write lock.

        Raises:
            PlanError: bad input (see :meth:`record`).
        """
        name = _actor(entry.actor)
        known = self._kpi(entry.kpi)
        year = self._fy(entry.fy)
        number, mark = _measured(entry.value)
        corrects = entry.corrects
        if corrects is not None and (type(corrects) is not int or corrects < 1):
            raise PlanError(
                _(
                    "The number of the corrected record, {number}, must be a positive integer."
                ).format(number=repr(corrects))
            )
        return {
            "kpi": known.id,
            "fy": year,
            "value": number,
            "mark": None if mark is None else mark.value,
            "source": _text(entry.source, pgettext("record", "source")) or (known.source or ""),
            "note": _text(entry.note, pgettext("record", "note")),
            "actor": name,
            "corrects": corrects,
            "plan_id": self._store.database.plan,
        }

    def records(self, kpi: str | None = None) -> list[KpiActual]:
        """Every stored value (corrected ones included, see ``corrected_by``), oldest first."""
        where: list[tuple[str, Any]] = [("plan_id", self._store.database.plan)]
        if kpi is not None:
            where.append(("kpi", self._kpi(kpi).id))
        with (
            self._store.database.errors(_("Cannot read the KPI actuals")),
            self._store.database.reading() as conn,
        ):
            rows = conn.execute(_with_corrections(kpi_actuals, *where)).mappings().all()
        return [_actual(row) for row in rows]

    def actuals(self, kpi: str | None = None) -> list[KpiActual]:
        """The standing value of each KPI (or indicator) and fiscal year: corrections
        applied, newest wins.

        Sorted by KPI, then indicator (each in plan order), and fiscal year.
        """
        latest: dict[tuple[str, int], KpiActual] = {}
        for record in self.records(kpi):
            if record.corrected_by is None:
                latest[(record.kpi, record.fy)] = record
        plan = self.plan
        order: dict[str, int] = {}
        for ident in [k.id for k in plan.kpis] + [i.id for i in plan.indicators]:
            order.setdefault(ident, len(order))
        return sorted(latest.values(), key=lambda a: (order.get(a.kpi, len(order)), a.kpi, a.fy))

    def values(self) -> dict[str, dict[int, float | KpiMark]]:
        """``kpi → {fiscal year → value}`` of the standing values: a number or a mark."""
        found: dict[str, dict[int, float | KpiMark]] = {}
        for actual in self.actuals():
            measured = actual.measured
            if measured is not None:  # a stored row has one of the two
                found.setdefault(actual.kpi, {})[actual.fy] = measured
        return found


def _measured(value: object) -> tuple[float | None, KpiMark | None]:
    """``(number, None)`` or ``(None, mark)`` of a value to record.

    Raises:
        PlanError: neither a finite number nor a mark.
    """
    if isinstance(value, str):
        mark = KpiMark.read(value)
        if mark is not None:
            return None, mark
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value), None
    raise PlanError(
        _("The actual value {value} must be a finite number or one of: {marks}.").format(
            value=repr(value), marks=", ".join(KpiMark.forms(language()))
        )
    )


def _actual(row: Any) -> KpiActual:
    return KpiActual(
        id=row["id"],
        kpi=row["kpi"],
        fy=row["fy"],
        value=row["value"],
        mark=row["mark"],
        source=row["source"],
        note=row["note"],
        actor=row["actor"],
        recorded=row["recorded"],
        corrects=row["corrects"],
        corrected_by=row.get("corrected_by"),
    )
