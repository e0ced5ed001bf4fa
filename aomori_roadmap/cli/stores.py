"""Opening the status store for a command, and the snapshot of the plan it reads."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aomori_roadmap.cli.application import Options
from aomori_roadmap.cli.console import fail
from aomori_roadmap.cli.inputs import as_of_date
from aomori_roadmap.errors import RoadmapError

if TYPE_CHECKING:
    from aomori_roadmap.plan.model import Plan
    from aomori_roadmap.store import Store
    from aomori_roadmap.views.snapshot import Snapshot


def existing_store(options: Options, plan: "Plan | None") -> "Store | None":
    """The store if it exists: reading views never create a database file."""
    from aomori_roadmap.store import Store

    url = options.db
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    try:
        return Store(url, plan=plan)
    except RoadmapError as error:
        fail(error)


@contextmanager
def writing_store(options: Options, plan: "Plan | None") -> "Iterator[Store]":
    """The store at --db, created if missing, closed afterwards; library errors end the run.

    A SQLite file that this run created is removed again when the run fails: bad input never
    leaves a database behind.
    """
    from aomori_roadmap.store import Store

    new_file = new_sqlite_file(options.db)
    try:
        store = Store(options.db, plan=plan)
    except RoadmapError as error:
        _remove(new_file)
        fail(error)
    done = False
    try:
        yield store
        done = True
    except RoadmapError as error:
        fail(error)
    finally:
        store.close()
        if not done:
            _remove(new_file)


def new_sqlite_file(url: str) -> Path | None:
    """The SQLite file of ``url`` if it does not exist yet (so this run would create it)."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return None if path.exists() else path


def _remove(path: Path | None) -> None:
    if path is not None:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)


@contextmanager
def reading_store(options: Options, plan: "Plan | None") -> "Iterator[Store | None]":
    """The store if it exists (reading never creates a database file); errors end the run."""
    store = existing_store(options, plan)
    try:
        yield store
    except RoadmapError as error:
        fail(error)
    finally:
        if store is not None:
            store.close()


def snapshot_for(
    options: Options, plan: "Plan", baseline: str | None = None, known_at: date | None = None
) -> "Snapshot":
    """The plan as of --as-of, with the states of the store at --db (none if it does not exist)."""
    from aomori_roadmap.views.snapshot import take_snapshot

    store = existing_store(options, plan)
    try:
        return take_snapshot(
            plan, store, as_of=as_of_date(options), known_at=known_at, baseline=baseline
        )
    except RoadmapError as error:
        fail(error)
    finally:
        if store is not None:
            store.close()


def snapshot_at(plan: "Plan", store: "Store | None", as_of: date, **options: Any) -> "Snapshot":
    """The snapshot of ``plan`` on ``as_of`` (options as :func:`take_snapshot` takes them)."""
    from aomori_roadmap.views.snapshot import take_snapshot

    return take_snapshot(plan, store, as_of=as_of, **options)
