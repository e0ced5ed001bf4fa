"""The history tables: plan revisions, baselines, status refs and status events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUS_LIST = "'planned', 'in_progress', 'on_hold', 'done', 'cancelled'"
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("plan_id", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plan_revisions"),
        sa.UniqueConstraint("hash", name="uq_plan_revisions_hash"),
    )
    op.create_table(
        "baselines",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("revision_id", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_baselines"),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["plan_revisions.id"],
            name="fk_baselines_revision_id_plan_revisions",
        ),
    )
    op.create_index("ix_baselines_name", "baselines", ["name", "id"])
    op.create_table(
        "status_refs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("ref", sa.String(401), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_refs"),
        sa.UniqueConstraint("ref", name="uq_status_refs_ref"),
    )
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
    op.create_index(
        "ix_status_events_ref_effective", "status_events", ["ref_id", "effective", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_status_events_ref_effective", table_name="status_events")
    op.drop_table("status_events")
    op.drop_table("status_refs")
    op.drop_index("ix_baselines_name", table_name="baselines")
    op.drop_table("baselines")
    op.drop_table("plan_revisions")
