"""Row-level security on PostgreSQL: each office's database role reads and writes only the rows
of the plans it is granted, whatever SQL it sends.

For a deployment where the offices share one database but each connects with its own role
(a town's staff with ``town_a``, the prefecture's roll-up with the tables' owner):

- :func:`enable_row_security` (``aomori-roadmap db upgrade --with-rls``) switches row-level
  security on for every table that holds a plan's rows, with one policy each: a row is
  visible, and may be written, only when its plan is granted to ``current_user`` in
  ``plan_roles``. The tables' owner (the role that runs the upgrade) is not bound by the
  policies (PostgreSQL's rule for owners), so it keeps seeing every plan: the roll-up.
- :func:`grant_plan` (``aomori-roadmap plans grant ID ROLE``) grants a plan to a role, and
  gives the role the privileges the store needs (SELECT and INSERT on the tables, UPDATE on
  the two that are not history, the sequences, the schema version).

Role names are checked against a strict pattern before they are quoted into a statement;
everything else is a bound parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError

from aomori_roadmap.errors import PlanError, StoreError
from aomori_roadmap.i18n import _
from aomori_roadmap.store.schema import connect, write_transaction
from aomori_roadmap.store.tables import PLAN_TABLES, VERSION_TABLE, plan_roles

__all__ = [
    "POLICY",
    "ROLE_PATTERN",
    "apply_row_security",
    "check_role",
    "enable_row_security",
    "grant_plan",
    "row_security_sql",
]

POLICY = "aomori_roadmap_plan_rows"
"""The name of the policy on each table."""

ROLE_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""The role names accepted: lower-case letters, digits and ``_``, at most 63 (unquoted SQL
identifiers as PostgreSQL folds them)."""

_GRANTED = "SELECT r.plan_id FROM plan_roles r WHERE r.role_name = current_user"
_WRITABLE = ("feed_tokens", "plans")  # not history: a token is revoked, a plan renamed


def row_security_sql() -> list[str]:
    """The statements that switch row-level security on (each may run again).

    >>> row_security_sql()[1]
    'ALTER TABLE plan_revisions ENABLE ROW LEVEL SECURITY'
    """
    statements = []
    for table, column in [*((t, "plan_id") for t in PLAN_TABLES), ("plans", "id")]:
        statements += [
            f"DROP POLICY IF EXISTS {POLICY} ON {table}",
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY {POLICY} ON {table} USING ({column} IN ({_GRANTED})) "
            f"WITH CHECK ({column} IN ({_GRANTED}))",
        ]
    statements += [
        f"DROP POLICY IF EXISTS {POLICY} ON plan_roles",
        "ALTER TABLE plan_roles ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY} ON plan_roles FOR SELECT USING (role_name = current_user)",
    ]
    return statements


def enable_row_security(url: str) -> None:
    """Switch row-level security on in the store at ``url`` (``db upgrade --with-rls``; run it
    as the tables' owner, after the upgrade; running it again changes nothing).

    Raises:
        StoreError: the database is not PostgreSQL, or it failed.
    """
    with _owner_write(url, _("Cannot switch row-level security on: {error}")) as conn:
        apply_row_security(conn)


@contextmanager
def _owner_write(url: str, failure: str) -> Iterator[Connection]:
    """One write transaction on ``url`` through an engine of its own, disposed after: these
    run once, as the tables' owner. A database error is a StoreError, ``failure`` with its
    ``{error}``."""
    engine = connect(url)
    try:
        with write_transaction(engine) as conn:
            yield conn
    except SQLAlchemyError as error:
        raise StoreError(failure.format(error=getattr(error, "orig", error))) from error
    finally:
        engine.dispose()


def apply_row_security(conn: Connection) -> None:
    """Switch row-level security on, inside the open transaction ``conn`` (PostgreSQL only).

    Raises:
        StoreError: the database is not PostgreSQL.
    """
    if conn.dialect.name != "postgresql":
        raise StoreError(
            _(
                "Row-level security (--with-rls) is PostgreSQL's; a SQLite store is one "
                "office's file."
            )
        )
    for statement in row_security_sql():
        conn.execute(text(statement))


def check_role(role: str) -> str:
    """``role`` when it is an acceptable role name, else PlanError.

    >>> check_role("town_a")
    'town_a'
    >>> check_role('x"; DROP TABLE plans; --')
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.PlanError: ...
    """
    if not isinstance(role, str) or not ROLE_PATTERN.fullmatch(role):
        raise PlanError(
            _(
                "'{role}' cannot be used as a role name: lower-case letters, digits and '_', "
                "at most 63, not starting with a digit."
            ).format(role=role)
        )
    return role


def grant_plan(url: str, plan_id: str, role: str, *, actor: str) -> None:
    """Let the PostgreSQL ``role`` (which must exist) read and write the rows of ``plan_id``.

    Run it as the tables' owner. Granting again changes nothing.

    Raises:
        PlanError: a role name that is not accepted (:data:`ROLE_PATTERN`), an empty actor.
        StoreError: not PostgreSQL, or the database failed (an unknown role, for one).
    """
    name = check_role(role)
    if not actor.strip():
        raise PlanError(_("Write who grants the plan (actor)."))
    with _owner_write(url, _("Cannot grant the plan: {error}")) as conn:
        if conn.dialect.name != "postgresql":
            raise StoreError(_("Roles and their plans are PostgreSQL's."))
        quoted = conn.dialect.identifier_preparer.quote(name)
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        schema_name = conn.dialect.identifier_preparer.quote(schema)
        conn.execute(
            postgresql.insert(plan_roles)
            .values(
                plan_id=plan_id,
                role_name=name,
                actor=actor.strip(),
                recorded=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
        )
        tables = ", ".join([*PLAN_TABLES, "plans"])
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema_name} TO {quoted}"))
        conn.execute(text(f"GRANT SELECT, INSERT ON {tables} TO {quoted}"))
        # Its own grants only (the policy), and never a grant it could give itself.
        conn.execute(text(f"GRANT SELECT ON plan_roles TO {quoted}"))
        conn.execute(text(f"GRANT UPDATE ON {', '.join(_WRITABLE)} TO {quoted}"))
        conn.execute(text(f"GRANT SELECT ON {VERSION_TABLE} TO {quoted}"))
        conn.execute(
            text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_name} TO {quoted}")
        )
