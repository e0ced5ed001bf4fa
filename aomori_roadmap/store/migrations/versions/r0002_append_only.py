"""Append-only history: the database itself refuses UPDATE and DELETE on the history tables.

The library never updates or deletes history (a correction is a new event); these triggers
make that hold for anyone with SQL access too. PostgreSQL also refuses TRUNCATE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from aomori_roadmap.store.schema import APPEND_ONLY_FUNCTION, make_append_only

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("plan_revisions", "baselines", "status_refs", "status_events")
FUNCTION = APPEND_ONLY_FUNCTION


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'aomori_roadmap: % on % refused: the history is append-only',
                    TG_OP, TG_TABLE_NAME
                    USING HINT = 'Record a correcting event instead.';
            END
            $$
            """
        )
    make_append_only(TABLES, correction="event")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        return
    for table in TABLES:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
