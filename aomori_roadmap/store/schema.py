"""Opening a database: the engine and its connection settings, schema versions, upgrades.

SQLite connections get WAL (readers never wait for the writer), a busy timeout (a writer
waits for the lock instead of failing) and foreign keys on; pysqlite's own transaction
handling is switched off so that a write transaction can start with ``BEGIN IMMEDIATE`` and
hold the write lock from its first read (its transition checks then see what it writes
against). ``synchronous`` stays at SQLite's default (FULL): a commit survives a power cut.
PostgreSQL sessions switch JIT compilation off (it costs more than the store's queries).

The schema is versioned by the Alembic migrations shipped in ``migrations/`` (version table
``aomori_roadmap_version``). Opening a database:

- with none of the store's tables → it is created at the newest version;
- at the newest version → opened;
- at an older version → :class:`StoreError` telling to run ``aomori-roadmap db upgrade``
  (:func:`upgrade_database`); it is never upgraded behind the user's back;
- at a version this library does not know (made by a newer aomori_roadmap) → StoreError.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import SingletonThreadPool

from aomori_roadmap.errors import StoreError
from aomori_roadmap.i18n import _, pgettext
from aomori_roadmap.store.tables import HISTORY_TABLES, VERSION_TABLE, metadata

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic is imported where it is used: it costs a third of a second, which every command
# would pay on ``import aomori_roadmap`` even when it never opens a store.

__all__ = [
    "APPEND_ONLY_FUNCTION",
    "DEFAULT_BUSY_TIMEOUT",
    "DEFAULT_URL",
    "MIGRATIONS",
    "SchemaUpgrade",
    "check_schema",
    "connect",
    "head_revision",
    "make_append_only",
    "plan_id_needed",
    "schema_revision",
    "upgrade_database",
    "write_transaction",
]

DEFAULT_URL = "sqlite:///aomori-roadmap.db"
"""The store's default database: a SQLite file in the current folder."""

DEFAULT_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite writer waits for another writer's lock before giving up."""

MIGRATIONS = "aomori_roadmap.store:migrations"
"""Where Alembic finds the migrations: a folder inside the installed package."""

# Advisory lock keys (namespace, key) on PostgreSQL; 0x414F5244 spells "AORD".
LOCK_NAMESPACE = 0x414F5244
SCHEMA_LOCK = (LOCK_NAMESPACE + 1, 0)


APPEND_ONLY_FUNCTION = "aomori_roadmap_append_only"
"""The PostgreSQL trigger function that refuses changes to history (made by migration 0002)."""


def make_append_only(tables: Sequence[str], *, correction: str) -> None:
    """In a migration: refuse UPDATE and DELETE on ``tables`` (and TRUNCATE, on PostgreSQL),
    for anyone with SQL access; the message tells to record a correcting ``correction``."""
    from alembic import op

    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {APPEND_ONLY_FUNCTION}()"
            )
        return
    for table in tables:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'aomori_roadmap: {action} on {table} refused: "
                f"the history is append-only; record a correcting {correction} instead'); END"
            )


def plan_id_needed(stored: Sequence[str], given: str | None) -> StoreError:
    """The error of an upgrade to many plans that cannot tell which plan the rows are of.

    ``stored``: the plan ids of the stored revisions; ``given``: the id the upgrade was given.
    """
    if given is not None:
        return StoreError(
            _(
                "The stored revisions are of plan {stored}, not {given}. Give the id of the "
                "plan this database holds: aomori-roadmap db upgrade --plan-id ID"
            ).format(stored=", ".join(stored), given=given)
        )
    return StoreError(
        _(
            "This database holds the history of one plan but does not say which one "
            "(revisions: {stored}). Upgrade it with `aomori-roadmap db upgrade --plan-id ID`, "
            "ID being the id of the plan whose history it holds."
        ).format(stored=", ".join(stored) or pgettext("no choices", "none"))
    )


def _sqlite_setup(dbapi_connection: Any, _record: Any, busy_ms: int) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" event below issues BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _postgresql_setup(dbapi_connection: Any, _record: Any) -> None:
    # The as-of snapshot is many cheap index seeks; PostgreSQL's JIT would spend more time
    # compiling it than running it once the estimated cost passes its threshold.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _begin_immediate(raw: sqlite3.Connection, busy_timeout: float) -> None:
    """Take SQLite's write lock, waiting up to ``busy_timeout`` seconds for other writers.

    SQLite's own busy handler sleeps 1, 2, 5, 10… up to 100 ms between tries, so under
    steady contention a waiting writer mostly sleeps while the lock is free; short randomised
    waits hand the lock over in about the time a write takes.
    """
    deadline = time.monotonic() + busy_timeout
    pause = 0.0005
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if time.monotonic() > deadline:
                    raise StoreError(
                        _(
                            "The database is still in use by another write after {seconds:g} "
                            "seconds. Try again in a while."
                        ).format(seconds=busy_timeout)
                    ) from error
            time.sleep(random.uniform(0, pause))
            pause = min(pause * 2, 0.02)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")


def _sqlite_begin(connection: Connection, busy_timeout: float) -> None:
    # A writer takes the write lock up front, so that its reads and checks cannot go stale
    # before it writes; readers start a deferred transaction and never block anyone in WAL.
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    if connection.get_execution_options().get("aomori_write"):
        _begin_immediate(raw, busy_timeout)
    else:
        raw.execute("BEGIN DEFERRED")


def connect(url: str, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """An engine for ``url``: ``sqlite:///file.db``, ``sqlite://`` (in memory) or PostgreSQL.

    ``postgresql://`` without a driver uses psycopg (version 3).

    Raises:
        StoreError: the URL is not a SQLite or PostgreSQL URL, or its driver is missing.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            _(
                "Cannot read the database URL. Examples: sqlite:///roadmap.db, "
                "postgresql+psycopg://USER@HOST/DB"
            )
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            _(
                "The database {backend} is not supported. Give sqlite:///FILE.db or "
                "postgresql+psycopg://USER@HOST/DB."
            ).format(backend=repr(backend))
        )
    try:
        if backend == "sqlite":
            # An in-memory database named as a file URI (mode=memory) keeps the pool SQLAlchemy
            # gives to sqlite:// (one connection per thread), said outright: it warns that it
            # will stop choosing it from the URL.
            memory = (
                {"poolclass": SingletonThreadPool} if parsed.query.get("mode") == "memory" else {}
            )
            engine = create_engine(parsed, connect_args={"timeout": busy_timeout}, **memory)
            busy_ms = int(busy_timeout * 1000)
            event.listen(engine, "connect", lambda conn, rec: _sqlite_setup(conn, rec, busy_ms))
            event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, busy_timeout))
        else:
            engine = create_engine(parsed)
            event.listen(engine, "connect", _postgresql_setup)
    except ImportError as error:
        raise StoreError(
            _(
                "The database driver is missing ({driver}). For PostgreSQL run "
                "pip install 'aomori-roadmap[postgres]'."
            ).format(driver=error.name)
        ) from None
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it holds the write lock from its start."""
    with engine.connect() as connection:
        connection.execution_options(aomori_write=True)
        with connection.begin():
            yield connection


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


@cache
def _script() -> ScriptDirectory:
    # Read once: Alembic would otherwise load every migration file again on each opening.
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _migrate(
    connection: Connection, destination: str = "head", *, plan_id: str | None = None
) -> None:
    """Run the migrations up to ``destination`` on ``connection``, inside its transaction.

    This is what ``migrations/env.py`` does for the ``alembic`` command, without reading
    the files again each time.
    """
    from alembic.runtime.environment import EnvironmentContext

    script = _script()

    def steps(revision: Any, _context: Any) -> Any:
        return script._upgrade_revs(destination, revision)

    config = _config()
    if plan_id is not None:
        config.attributes["plan_id"] = plan_id  # read by migration 0006
    with EnvironmentContext(config, script, fn=steps, destination_rev=destination) as env:
        env.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
        with env.begin_transaction():
            env.run_migrations()


def head_revision() -> str:
    """The newest schema version this library knows.

    >>> head_revision()
    '0006'
    """
    head = _script().get_current_head()
    assert head is not None, "the package ships its migrations"
    return head


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def _has_store_tables(connection: Connection) -> bool:
    names = set(inspect(connection).get_table_names())
    return bool(names & {*HISTORY_TABLES, VERSION_TABLE})


def _known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return _script().get_revision(revision) is not None
    except CommandError:
        return False


def _refuse_newer(current: str) -> StoreError:
    return StoreError(
        _(
            "The schema of this database (version {current}) was made by an aomori_roadmap "
            "newer than this one, whose newest version is {head}. Upgrade aomori_roadmap "
            "(pip install -U aomori-roadmap)."
        ).format(current=current, head=head_revision())
    )


def _refuse_foreign() -> StoreError:
    return StoreError(
        _(
            "This database has aomori_roadmap's tables but no record of its schema version "
            "({table}). Give another database."
        ).format(table=VERSION_TABLE)
    )


def _lock_schema(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two first openings of an empty database must not both create the tables.
        ns, key = SCHEMA_LOCK
        connection.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": ns, "key": key})


def check_schema(engine: Engine) -> str:
    """Make sure the database is at the library's schema version; create it when empty.

    Returns the schema version.

    Raises:
        StoreError: the database is older (run ``aomori-roadmap db upgrade``), newer (upgrade
            aomori_roadmap), or not one of the store's; or it cannot be reached.
    """
    head = head_revision()
    with engine.connect() as connection:
        current = _current(connection)
    if current == head:
        return head
    if current is None:
        with write_transaction(engine) as connection:
            _lock_schema(connection)
            current = _current(connection)
            if current is None:
                if _has_store_tables(connection):
                    raise _refuse_foreign()
                _migrate(connection)
                return head
    if current == head:
        return head
    if not _known(current):
        raise _refuse_newer(current)
    raise StoreError(
        _(
            "The schema of this database is an old version ({current}; the newest is {head}). "
            "Upgrade it with `aomori-roadmap --db URL db upgrade`, then open it."
        ).format(current=current, head=head)
    )


def schema_revision(url: str) -> str | None:
    """The schema version of the database at ``url`` (``None``: no store there yet).

    >>> schema_revision("sqlite://") is None
    True
    """
    engine = connect(url)
    try:
        with engine.connect() as connection:
            return _current(connection)
    except SQLAlchemyError as error:
        raise StoreError(_("Cannot read the database: {error}").format(error=error)) from error
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    """What :func:`upgrade_database` did: the version before (``None``: empty) and after."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        """Whether the database was changed."""
        return self.before != self.after


def upgrade_database(
    url: str,
    *,
    plan_id: str | None = None,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> SchemaUpgrade:
    """Bring the database at ``url`` to the newest schema version (``aomori-roadmap db upgrade``).

    Every step runs in one transaction: a failed upgrade leaves the database as it was.
    ``plan_id`` names the plan whose rows a single-plan database (before version 0006) holds,
    where its stored revisions do not say it (see migration 0006).

    Raises:
        StoreError: the database is newer than this library, or it cannot be reached.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     url = f"sqlite:///{pathlib.Path(tmp) / 'roadmap.db'}"
    ...     upgrade_database(url)
    SchemaUpgrade(before=None, after='0006')
    """
    engine = connect(url, busy_timeout=busy_timeout)
    try:
        with write_transaction(engine) as connection:
            _lock_schema(connection)
            before = _current(connection)
            if before is None and _has_store_tables(connection):
                raise _refuse_foreign()
            if before is not None and not _known(before):
                raise _refuse_newer(before)
            _migrate(connection, plan_id=plan_id)
            return SchemaUpgrade(before, head_revision())
    except SQLAlchemyError as error:
        raise StoreError(_("Cannot upgrade the database: {error}").format(error=error)) from error
    finally:
        engine.dispose()
