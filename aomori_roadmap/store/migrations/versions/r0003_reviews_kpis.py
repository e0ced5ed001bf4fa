"""Review records and KPI actuals, append-only like the status history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aomori_roadmap.store.schema import make_append_only

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("review_records", "kpi_actuals")


def upgrade() -> None:
    op.create_table(
        "review_records",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("cycle", sa.String(16), nullable=False),
        sa.Column("initiative", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("rating", sa.String(16), nullable=False),
        sa.Column("achievements", sa.Text, nullable=False),
        sa.Column("issues", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("revision_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_records"),
        sa.CheckConstraint("stage IN ('submitted', 'reviewed')", name="ck_review_records_stage"),
        sa.CheckConstraint("actor <> ''", name="ck_review_records_actor"),
        sa.UniqueConstraint("corrects", name="uq_review_records_corrects"),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["plan_revisions.id"],
            name="fk_review_records_revision_id_plan_revisions",
        ),
        sa.ForeignKeyConstraint(
            ["corrects"],
            ["review_records.id"],
            name="fk_review_records_corrects_review_records",
        ),
    )
    op.create_index("ix_review_records_cycle", "review_records", ["cycle", "initiative", "id"])
    op.create_table(
        "kpi_actuals",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kpi", sa.String(200), nullable=False),
        sa.Column("fy", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kpi_actuals"),
        sa.CheckConstraint("actor <> ''", name="ck_kpi_actuals_actor"),
        sa.UniqueConstraint("corrects", name="uq_kpi_actuals_corrects"),
        sa.ForeignKeyConstraint(
            ["corrects"], ["kpi_actuals.id"], name="fk_kpi_actuals_corrects_kpi_actuals"
        ),
    )
    op.create_index("ix_kpi_actuals_kpi", "kpi_actuals", ["kpi", "fy", "id"])
    make_append_only(TABLES, correction="entry")


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)  # the table's triggers go with it
