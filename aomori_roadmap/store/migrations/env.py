"""Alembic's environment for the store's migrations, run through ``aomori_roadmap.store``.

The store hands Alembic an open connection inside its own transaction
(``config.attributes["connection"]``), so that creating or upgrading a database is one
transaction and the caller's locks cover it. There is no ``alembic.ini``: see
:func:`aomori_roadmap.store.schema.upgrade_database`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from aomori_roadmap.store.tables import VERSION_TABLE, metadata


def run_migrations() -> None:
    """Run the migrations on the connection the store passed in."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "aomori_roadmap migrations run through aomori_roadmap.store.upgrade_database(url) "
            "or `aomori-roadmap db upgrade`, which pass the connection."
        )
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


# Alembic sets up ``context`` before it runs this file; a doctest collector importing the
# package does not, and must not run anything.
if hasattr(context, "config"):
    run_migrations()
