"""KPI marks: an actual value may be 未把握 (unknown) or 調査中 (surveying) instead of a number.

``kpi_actuals.value`` becomes nullable and ``kpi_actuals.mark`` holds the mark's code;
exactly one of the two is set (CHECK). Rows written before keep their value and get no mark.

PostgreSQL alters the table in place; its append-only triggers stay. SQLite cannot change a
column's nullability in place, so the table is rebuilt. Not the way Alembic's batch mode does it
(a copy, then the old table dropped, then the copy renamed): with foreign keys on, dropping the
old table breaks the copy's ``corrects`` references into it, and the pragma cannot be switched
off inside the upgrade's transaction. Here the old table is renamed first — its
self-reference follows it — so the new table only ever refers to itself. Dropping the old table
drops its triggers and index; both are made again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aomori_roadmap.store.schema import make_append_only

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "kpi_actuals"
OLD = "kpi_actuals_0004"
CHECKS = (
    ("ck_kpi_actuals_value_or_mark", "(value IS NULL) <> (mark IS NULL)"),
    ("ck_kpi_actuals_mark", "mark IN ('unknown', 'surveying')"),
)
COLUMNS = "id, kpi, fy, value, source, note, actor, recorded, corrects"
"""The columns of revision 0004, copied as they are."""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(TABLE, "value", existing_type=sa.Float, nullable=True)
        op.add_column(TABLE, sa.Column("mark", sa.String(20), nullable=True))
        for name, condition in CHECKS:
            op.create_check_constraint(op.f(name), TABLE, condition)
        return
    op.rename_table(TABLE, OLD)
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kpi", sa.String(200), nullable=False),
        sa.Column("fy", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("mark", sa.String(20), nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kpi_actuals"),
        sa.CheckConstraint("actor <> ''", name="ck_kpi_actuals_actor"),  # named as by 0003
        *(sa.CheckConstraint(condition, name=op.f(name)) for name, condition in CHECKS),
        sa.UniqueConstraint("corrects", name="uq_kpi_actuals_corrects"),
        sa.ForeignKeyConstraint(
            ["corrects"], ["kpi_actuals.id"], name="fk_kpi_actuals_corrects_kpi_actuals"
        ),
    )
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD} ORDER BY id")
    op.drop_table(OLD)
    op.create_index("ix_kpi_actuals_kpi", TABLE, ["kpi", "fy", "id"])
    make_append_only((TABLE,), correction="entry")


def downgrade() -> None:
    # A mark has no place in a NOT NULL value, and the history cannot be deleted.
    raise NotImplementedError("revision 0005 cannot be downgraded: the marks would be lost")
