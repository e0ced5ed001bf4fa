"""Many plans in one store: a catalogue of plans, and every row belongs to one plan.

A ``plans`` table lists the plans the store holds; ``plan_roles`` names the PostgreSQL roles
that may read and write each plan's rows where row-level security is on (``--with-rls``).
``plan_id`` joins the keys of every other table: ``status_refs`` is unique per
``(plan_id, ref)`` (two plans may use the same ids), ``status_events``, ``baselines``,
``review_records``, ``kpi_actuals`` and ``feed_tokens`` carry it too (``plan_revisions``
always had it), and the indexes the store reads by start with it.

The rows already stored belong to one plan; which one is decided in this order:

1. the plan id given to the upgrade (``aomori-roadmap db upgrade --plan-id ID``,
   ``upgrade_database(url, plan_id=ID)``, or ``-x plan=ID`` for the ``alembic`` command);
2. the plan id of the stored revisions, when they are all of one plan;
3. otherwise, when there are rows, the upgrade stops with an error saying to give the id
   (and changes nothing); an empty database needs none.

No row is rewritten: the new column is added with the plan id as its default, which both
databases store once in the table's definition rather than in each row, so the append-only
triggers never fire and every event keeps its id, times, actor and note. PostgreSQL then drops
the default (the library always writes ``plan_id``); SQLite cannot drop a column's default in
place, so there it stays as the id of the plan the database was made for.

``status_refs`` changes its unique key; PostgreSQL does that in place (and adds
``status_events.plan_id`` as it adds the other columns). SQLite cannot change a unique key in
place, so it rebuilds ``status_refs`` as migration 0005 rebuilt ``kpi_actuals``: the old table
is renamed first, the new one made and the rows copied with their ids. With foreign keys on,
the rename carries ``status_events``' reference along to the old table (and SQLite cannot drop
a table that rows refer to), so ``status_events`` is rebuilt the same way, with its
``plan_id``, referring to the new ``status_refs``; then both old tables are dropped, which
drops their triggers and index, and these are made again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

from aomori_roadmap.store.schema import make_append_only, plan_id_needed

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PLAN_ID = sa.String(200)
TABLES = ("baselines", "review_records", "kpi_actuals", "feed_tokens")
"""The tables that get a ``plan_id`` column in place on both databases."""
INDEXES = (
    ("baselines", "ix_baselines_name", "ix_baselines_plan", ["plan_id", "name", "id"]),
    (
        "review_records",
        "ix_review_records_cycle",
        "ix_review_records_plan",
        ["plan_id", "cycle", "initiative", "id"],
    ),
    ("kpi_actuals", "ix_kpi_actuals_kpi", "ix_kpi_actuals_plan", ["plan_id", "kpi", "fy", "id"]),
)
DATA_TABLES = (
    "plan_revisions",
    "baselines",
    "status_refs",
    "status_events",
    "review_records",
    "kpi_actuals",
    "feed_tokens",
)


def given_plan_id() -> str | None:
    """The plan id the upgrade was given (``upgrade_database(plan_id=...)`` or ``-x plan=``)."""
    given = context.config.attributes.get("plan_id")
    if given is None:
        given = context.get_x_argument(as_dictionary=True).get("plan")
    return None if given is None else str(given)


def _has_rows(bind: sa.Connection) -> bool:
    return any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in DATA_TABLES
    )


def _plan_of_rows(bind: sa.Connection) -> str:
    """The plan the stored rows belong to (see the module docstring); '' for an empty store."""
    stored = sorted(bind.execute(sa.text("SELECT DISTINCT plan_id FROM plan_revisions")).scalars())
    given = given_plan_id()
    if given is not None:
        if stored and stored != [given]:
            raise plan_id_needed(stored, given)
        return given
    if len(stored) == 1:
        return str(stored[0])
    if not _has_rows(bind):
        return ""
    raise plan_id_needed(stored, None)


def _catalogue_entry(bind: sa.Connection, plan_id: str) -> dict[str, object]:
    """The catalogue row of the migrated plan, from its newest revision where there is one."""
    query = sa.text(
        "SELECT content, author, recorded FROM plan_revisions WHERE plan_id = :plan "
        "ORDER BY id DESC LIMIT 1"
    ).columns(content=sa.Text, author=sa.String, recorded=sa.DateTime(timezone=True))
    newest = bind.execute(query, {"plan": plan_id}).first()
    name, start, end, actor = plan_id, None, None, "aomori-roadmap db upgrade"
    recorded: object = datetime.now(UTC)
    if newest is not None:
        content = json.loads(newest.content)
        name = str(content.get("name") or plan_id)
        period = content.get("period") or {}
        start, end = _fy(period.get("start")), _fy(period.get("end"))
        actor, recorded = newest.author, newest.recorded
    return {
        "id": plan_id,
        "name": name,
        "owner": "",
        "start_fy": start,
        "end_fy": end,
        "actor": actor,
        "recorded": recorded,
    }


def _fy(value: object) -> int | None:
    """A fiscal year out of a period bound as canonical JSON writes it (``2024``, ``FY2024``…)."""
    text = str(value or "")
    digits = "".join(ch for ch in text[:6] if ch.isdigit())
    return int(digits[:4]) if len(digits) >= 4 else None


def upgrade() -> None:
    bind = op.get_bind()
    plan_id = _plan_of_rows(bind)
    plans = op.create_table(
        "plans",
        sa.Column("id", PLAN_ID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("start_fy", sa.Integer, nullable=True),
        sa.Column("end_fy", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )
    op.create_table(
        "plan_roles",
        sa.Column("plan_id", PLAN_ID, nullable=False),
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "role_name", name="pk_plan_roles"),
    )
    if plan_id:
        entry = _catalogue_entry(bind, plan_id)
        op.execute(plans.insert().values(**entry))
    postgresql = bind.dialect.name == "postgresql"
    default = sa.text("'" + plan_id.replace("'", "''") + "'")
    added = (*TABLES, "status_refs", "status_events") if postgresql else TABLES
    for table in added:
        op.add_column(table, sa.Column("plan_id", PLAN_ID, nullable=False, server_default=default))
        if postgresql:
            op.alter_column(table, "plan_id", server_default=None, existing_type=PLAN_ID)
    if postgresql:
        op.drop_constraint("uq_status_refs_ref", "status_refs", type_="unique")
        op.create_unique_constraint("uq_status_refs_plan_id", "status_refs", ["plan_id", "ref"])
    else:
        _rebuild_sqlite(plan_id)
    for table, old, new, columns in INDEXES:
        op.drop_index(old, table_name=table)
        op.create_index(new, table, columns)
    op.create_index("ix_plan_revisions_plan", "plan_revisions", ["plan_id", "id"])
    op.create_index("ix_status_events_plan", "status_events", ["plan_id", "id"])


EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STATUS_LIST = "'planned', 'in_progress', 'on_hold', 'done', 'cancelled'"
EVENT_COLUMNS = (
    "id, ref_id, from_status, status, progress, effective, recorded, actor, note, "
    "revision_id, corrects"
)
"""The columns of ``status_events`` at revision 0005, copied as they are."""


def _rebuild_sqlite(plan_id: str) -> None:
    """SQLite: ``status_refs`` and ``status_events`` rebuilt with the same rows and ids."""
    default = sa.text("'" + plan_id.replace("'", "''") + "'")
    op.rename_table("status_refs", "status_refs_0005")  # the events' references follow
    op.create_table(
        "status_refs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("ref", sa.String(401), nullable=False),
        sa.Column("plan_id", PLAN_ID, nullable=False, server_default=default),
        sa.PrimaryKeyConstraint("id", name="pk_status_refs"),
        sa.UniqueConstraint("plan_id", "ref", name="uq_status_refs_plan_id"),
    )
    op.execute("INSERT INTO status_refs (id, ref) SELECT id, ref FROM status_refs_0005 ORDER BY id")
    op.rename_table("status_events", "status_events_0005")  # its self-reference follows
    op.create_table(
        "status_events",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("ref_id", sa.Integer, nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.SmallInteger, nullable=False),
        sa.Column("effective", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("revision_id", sa.Integer, nullable=True),
        sa.Column("corrects", EVENT_ID, nullable=True),
        sa.Column("plan_id", PLAN_ID, nullable=False, server_default=default),
        sa.PrimaryKeyConstraint("id", name="pk_status_events"),
        sa.CheckConstraint(f"status IN ({STATUS_LIST})", name="ck_status_events_status"),
        sa.CheckConstraint(f"from_status IN ({STATUS_LIST})", name="ck_status_events_from_status"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_status_events_progress"),
        sa.CheckConstraint("actor <> ''", name="ck_status_events_actor"),
        sa.UniqueConstraint("corrects", name="uq_status_events_corrects"),
        sa.ForeignKeyConstraint(
            ["ref_id"], ["status_refs.id"], name="fk_status_events_ref_id_status_refs"
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["plan_revisions.id"],
            name="fk_status_events_revision_id_plan_revisions",
        ),
        sa.ForeignKeyConstraint(
            ["corrects"], ["status_events.id"], name="fk_status_events_corrects_status_events"
        ),
    )
    # A correction has a larger id than the event it corrects: in id order, every
    # reference finds its row already copied.
    op.execute(
        f"INSERT INTO status_events ({EVENT_COLUMNS}) "
        f"SELECT {EVENT_COLUMNS} FROM status_events_0005 ORDER BY id"
    )
    op.drop_table("status_events_0005")  # its triggers and index go with it
    op.drop_table("status_refs_0005")  # nothing refers to it any more
    op.create_index(
        "ix_status_events_ref_effective", "status_events", ["ref_id", "effective", "id"]
    )
    make_append_only(("status_refs", "status_events"), correction="event")


def downgrade() -> None:
    # Two plans' rows could not be told apart in the single-plan schema.
    raise NotImplementedError("revision 0006 cannot be downgraded: plans would be mixed up")
