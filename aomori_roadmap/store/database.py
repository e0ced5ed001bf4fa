"""The database connection every part of the store shares: reads, writes, errors and the clock.

:class:`~aomori_roadmap.store.Store` opens one :class:`Database` and hands it to its parts (the
review log, the KPI log, the feed tokens, the feed history queries), so that none of them
reaches into another's private members.

>>> from datetime import UTC, datetime
>>> db = Database("sqlite://", clock=lambda: datetime(2025, 4, 1, tzinfo=UTC))
>>> with db.reading() as conn:
...     conn.exec_driver_sql("SELECT 1").scalar()
1
>>> db.now().isoformat()
'2025-04-01T00:00:00+00:00'
>>> db.close()
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from aomori_roadmap.errors import PlanError, StoreError
from aomori_roadmap.i18n import _
from aomori_roadmap.store.schema import DEFAULT_BUSY_TIMEOUT, connect, write_transaction
from aomori_roadmap.store.tables import plans

__all__ = ["Database", "aware"]


def aware(value: datetime, what: str) -> datetime:
    """``value`` in UTC; a naive datetime is bad input (the store keeps tz-aware times only)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise PlanError(
            _(
                "{what} {value} has no time zone. Example: "
                "datetime(2025, 9, 30, 17, 0, tzinfo=ZoneInfo('Asia/Tokyo'))"
            ).format(what=what, value=value.isoformat())
        )
    return value.astimezone(UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Database:
    """One database: an engine, its name as shown in messages (never its password), a clock,
    and the plan whose part of the store is read and written (:attr:`plan`)."""

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        engine: Engine | None = None,
    ) -> None:
        self._owns_engine = engine is None
        self.engine: Engine = engine or connect(url, busy_timeout=busy_timeout)
        """The engine (its pool of connections); given, it is another's and stays open."""
        self.shown = self.engine.url.render_as_string(hide_password=True)
        """The database's URL for messages, with its password hidden."""
        self._clock = clock or _utc_now
        self.plan_id: str | None = None
        """The plan whose rows are read and written; ``None``: not decided (see :attr:`plan`)."""
        self.choices: tuple[str, ...] = ()
        """The plans of the store, when :attr:`plan_id` could not be decided among them."""
        self.entry: dict[str, object] = {}
        """The plan's catalogue row (name, period) as written when the plan's first row is."""
        self._registered = False

    @property
    def plan(self) -> str:
        """The id of the plan whose part of the store is read and written.

        Raises:
            StoreError: the store holds several plans and none was named.
        """
        if self.plan_id is None:
            raise StoreError(
                _(
                    "The database {database} holds several plans ({plans}). Name the one to "
                    "use: Store(url, plan=...) or plan_id=..., or --plan on the command line."
                ).format(database=self.shown, plans=", ".join(self.choices))
            )
        return self.plan_id

    @property
    def shareable(self) -> bool:
        """Whether another process can open the same data: any database but an in-memory
        SQLite one (which lives in this process alone)."""
        url = self.engine.url
        if url.get_backend_name() != "sqlite":
            return True
        return url.database not in (None, "", ":memory:") and url.query.get("mode") != "memory"

    @contextmanager
    def errors(self, what: str) -> Iterator[None]:
        """Turn a database failure inside the block into a :class:`StoreError` saying ``what``."""
        try:
            yield
        except SQLAlchemyError as error:
            detail = getattr(error, "orig", None) or error
            raise StoreError(
                _("{what} ({database}): {detail}").format(
                    what=what, database=self.shown, detail=detail
                )
            ) from error

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for one read; on PostgreSQL without BEGIN and ROLLBACK round trips."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction: committed at the end of the block, rolled back on an error."""
        with write_transaction(self.engine) as conn:
            self.register(conn)
            yield conn
        self._registered = True  # only once committed: plans never leave the catalogue

    def register(self, conn: Connection) -> None:
        """Enter the plan into the store's catalogue (``plans``) inside a write, unless known
        to be there."""
        if self._registered:
            return
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        row = {
            "name": self.plan,
            "owner": "",
            "start_fy": None,
            "end_fy": None,
            "actor": "aomori_roadmap",
            **self.entry,
            "id": self.plan,
            # The real time, not the clock's: entering the catalogue is not history, and a
            # clock handed in for the history's times gives those only.
            "recorded": _utc_now(),
        }
        conn.execute(dialect.insert(plans).values(**row).on_conflict_do_nothing())

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock the recorded times come from."""
        return self._clock

    def now(self) -> datetime:
        """The time a write is recorded at, from the clock, in UTC."""
        return aware(self._clock(), _("The time of the clock"))

    def close(self) -> None:
        """Close every connection (of an engine given by another: left to its owner)."""
        if self._owns_engine:
            self.engine.dispose()
