"""The store's tables, declared with sqlmodel; queries use their SQLAlchemy Core tables.

A store holds many plans (migration ``0006``): ``plans`` is their catalogue, and every other
row carries the ``plan_id`` of the plan it belongs to (in the keys and indexes it is read by),
so that each plan's part of the store is read and written on its own.

Six tables hold the history (all append-only: the database refuses UPDATE and DELETE, see
migrations ``0002`` and ``0003``):

- ``plan_revisions``: every stored plan as canonical JSON with its SHA-256 (unique);
- ``baselines``: named pointers to revisions; the newest row of a name is the baseline;
- ``status_refs``: one row per task or initiative ref that has events (a dense integer key,
  and the driving table of the one-query as-of replay);
- ``status_events``: the status changes themselves;
- ``review_records``: half-year review submissions and the plan office's ratings;
- ``kpi_actuals``: KPI and indicator values per fiscal year: a number, or a mark (未把握,
  調査中) where there is none (migration ``0005``).

``feed_tokens`` (migration ``0004``) is not history: a token is revoked and its last use noted
in place. The version table is ``aomori_roadmap_version``.
The migrations in ``migrations/versions`` are the schema's source of truth; these declarations
match them (a test compares the two).

Date-times are stored as UTC: ``timestamptz`` in PostgreSQL, fixed-width ISO text in SQLite
(so that comparisons as text are comparisons in time). :class:`UTCDateTime` refuses naive
values and gives back tz-aware UTC ones.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

__all__ = [
    "HISTORY_TABLES",
    "KPI_MARKS",
    "PLAN_TABLES",
    "REVIEW_STAGES",
    "STATUS_CODES",
    "VERSION_TABLE",
    "BaselineRow",
    "FeedTokenRow",
    "KpiActualRow",
    "PlanRevisionRow",
    "PlanRoleRow",
    "PlanRow",
    "ReviewRecordRow",
    "StatusEventRow",
    "StatusRefRow",
    "UTCDateTime",
    "baselines",
    "feed_tokens",
    "kpi_actuals",
    "metadata",
    "plan_revisions",
    "plan_roles",
    "plans",
    "review_records",
    "status_events",
    "status_refs",
]

VERSION_TABLE = "aomori_roadmap_version"
"""Alembic's version table, named for the library so that it can share a database."""

HISTORY_TABLES = (
    "plan_revisions",
    "baselines",
    "status_refs",
    "status_events",
    "review_records",
    "kpi_actuals",
)
"""The append-only tables: the database refuses UPDATE and DELETE on each."""

PLAN_TABLES = (*HISTORY_TABLES, "feed_tokens")
"""The tables whose every row belongs to one plan (its ``plan_id``)."""

PLAN_ID_LENGTH = 200

STATUS_CODES = ("planned", "in_progress", "on_hold", "done", "cancelled")

REVIEW_STAGES = ("submitted", "reviewed")
"""A department's submission (its self-assessment), then the plan office's rating."""
"""The codes of :class:`aomori_roadmap.engine.status.Status`, as the CHECK constraints list them."""

KPI_MARKS = ("unknown", "surveying")
"""The codes of :class:`aomori_roadmap.engine.kpi.KpiMark`, as the CHECK constraint lists them."""

# SQLite gives an autoincrement key only to a column declared exactly INTEGER PRIMARY KEY.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A tz-aware date-time stored in UTC; naive values are refused, results are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive date-time {value.isoformat()} cannot be stored")
        value = value.astimezone(UTC)
        # SQLite stores text: the same offset everywhere keeps text order equal to time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_STATUS_LIST = ", ".join(f"'{code}'" for code in STATUS_CODES)
_MARK_LIST = ", ".join(f"'{code}'" for code in KPI_MARKS)


# Deterministic constraint names, so that migrations can name what they create and alter.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _Table(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))):
    """The tables of the store, in their own MetaData (not sqlmodel's shared default)."""


class PlanRow(_Table, table=True):
    """A plan of the store's catalogue: its id, name, the office that owns it, its period.

    Not history: ``aomori-roadmap plans add`` may change a plan's name, owner or period.
    """

    __tablename__ = "plans"

    id: str = Field(sa_column=Column(String(PLAN_ID_LENGTH), primary_key=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(sa_column=Column(String(200), nullable=False))
    start_fy: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    end_fy: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PlanRoleRow(_Table, table=True):
    """A PostgreSQL role that may read and write a plan's rows, where row-level security is on
    (``aomori-roadmap db upgrade --with-rls``, ``plans grant``)."""

    __tablename__ = "plan_roles"

    plan_id: str = Field(sa_column=Column(String(PLAN_ID_LENGTH), primary_key=True))
    role_name: str = Field(sa_column=Column(String(63), primary_key=True))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


def _plan_id() -> Any:
    return Field(sa_column=Column(String(PLAN_ID_LENGTH), nullable=False))


class PlanRevisionRow(_Table, table=True):
    """A stored plan: its canonical JSON, the JSON's SHA-256, who saved it and when."""

    __tablename__ = "plan_revisions"
    __table_args__ = (Index("ix_plan_revisions_plan", "plan_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    plan_id: str = Field(sa_column=Column(String(200), nullable=False))
    content: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(sa_column=Column(String(200), nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class BaselineRow(_Table, table=True):
    """A baseline set: ``name`` points at a revision; the newest row of a name wins."""

    __tablename__ = "baselines"
    __table_args__ = (Index("ix_baselines_plan", "plan_id", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = _plan_id()
    name: str = Field(sa_column=Column(String(200), nullable=False))
    revision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("plan_revisions.id"), nullable=False)
    )
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class StatusRefRow(_Table, table=True):
    """A ref (``initiative`` or ``initiative/task``) that has status events."""

    __tablename__ = "status_refs"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = _plan_id()
    ref: str = Field(sa_column=Column(String(401), nullable=False))


class StatusEventRow(_Table, table=True):
    """A status change: from → to, progress, effective and recorded times, actor, note."""

    __tablename__ = "status_events"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="status"),
        CheckConstraint(f"from_status IN ({_STATUS_LIST})", name="from_status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("actor <> ''", name="actor"),
        UniqueConstraint("corrects"),
        # The as-of replay seeks, per ref, the last event at or before T on this index.
        Index("ix_status_events_ref_effective", "ref_id", "effective", "id"),
        # A plan's newest event (what the feeds are made from) without a scan of the others'.
        Index("ix_status_events_plan", "plan_id", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(EventId, primary_key=True))
    plan_id: str = _plan_id()
    ref_id: int = Field(sa_column=Column(Integer, ForeignKey("status_refs.id"), nullable=False))
    from_status: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    progress: int = Field(sa_column=Column(SmallInteger, nullable=False))
    effective: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    revision_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("plan_revisions.id"), nullable=True)
    )
    corrects: int | None = Field(
        default=None, sa_column=Column(EventId, ForeignKey("status_events.id"), nullable=True)
    )


class ReviewRecordRow(_Table, table=True):
    """A half-year review step of an initiative: a submission or the office's rating."""

    __tablename__ = "review_records"
    __table_args__ = (
        CheckConstraint("stage IN ('submitted', 'reviewed')", name="stage"),
        CheckConstraint("actor <> ''", name="actor"),
        UniqueConstraint("corrects"),
        Index("ix_review_records_plan", "plan_id", "cycle", "initiative", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = _plan_id()
    cycle: str = Field(sa_column=Column(String(16), nullable=False))
    initiative: str = Field(sa_column=Column(String(200), nullable=False))
    stage: str = Field(sa_column=Column(String(16), nullable=False))
    rating: str = Field(sa_column=Column(String(16), nullable=False))
    achievements: str = Field(sa_column=Column(Text, nullable=False))
    issues: str = Field(sa_column=Column(Text, nullable=False))
    next_steps: str = Field(sa_column=Column(Text, nullable=False))
    comment: str = Field(sa_column=Column(Text, nullable=False))
    revision_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("plan_revisions.id"), nullable=True)
    )
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    corrects: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("review_records.id"), nullable=True)
    )


class KpiActualRow(_Table, table=True):
    """A KPI's (or an indicator's) actual value in a fiscal year, with its source; a
    correction points back. ``value`` is the number; ``mark`` the code of a non-numeric entry
    (``unknown`` 未把握, ``surveying`` 調査中): exactly one of the two is set."""

    __tablename__ = "kpi_actuals"
    __table_args__ = (
        CheckConstraint("actor <> ''", name="actor"),
        CheckConstraint("(value IS NULL) <> (mark IS NULL)", name="value_or_mark"),
        CheckConstraint(f"mark IN ({_MARK_LIST})", name="mark"),
        UniqueConstraint("corrects"),
        Index("ix_kpi_actuals_plan", "plan_id", "kpi", "fy", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = _plan_id()
    kpi: str = Field(sa_column=Column(String(200), nullable=False))
    fy: int = Field(sa_column=Column(Integer, nullable=False))
    value: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    mark: str | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    source: str = Field(sa_column=Column(Text, nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    recorded: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    corrects: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("kpi_actuals.id"), nullable=True)
    )


class FeedTokenRow(_Table, table=True):
    """A private feed URL's token, stored as its SHA-256 only, scoped to one feed and filters."""

    __tablename__ = "feed_tokens"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = _plan_id()
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    feed: str = Field(sa_column=Column(String(32), nullable=False))
    filters: str = Field(sa_column=Column(Text, nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    created: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    last_used: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


def _table(model: Any) -> Table:
    return cast(Table, sa_inspect(model).local_table)


metadata: MetaData = _Table.metadata
plans = _table(PlanRow)
plan_roles = _table(PlanRoleRow)
plan_revisions = _table(PlanRevisionRow)
baselines = _table(BaselineRow)
status_refs = _table(StatusRefRow)
status_events = _table(StatusEventRow)
review_records = _table(ReviewRecordRow)
kpi_actuals = _table(KpiActualRow)
feed_tokens = _table(FeedTokenRow)
