"""Concurrent writers and a writer killed mid-batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from storetest import assert_legal

from aomori_roadmap.engine.status import TRANSITIONS, Status, StatusChange
from aomori_roadmap.errors import ConflictError, TransitionError
from aomori_roadmap.store import Store

WRITERS = 8
CHANGES = 500
SHARED = [f"shared/t{n}" for n in range(5)]

# Not plain fork: the test process may already run other threads (a JVM for the MS Project
# checks, a server), and a child forked from it can inherit a lock no thread will release.
# A fork server is a fresh process, so its children are safe, and it imports the store once.
SPAWN = multiprocessing.get_context("forkserver")
SPAWN.set_forkserver_preload(["aomori_roadmap.store", "aomori_roadmap.engine.status"])


def _writer(url: str, worker: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Make CHANGES status changes, 60% on refs shared with every other writer.

    Like a department's client, the writer acts on the state it last saw: mostly a legal
    next state guarded by ``expected_from`` (another writer's change first gives a
    ConflictError, which tells the state found); sometimes any status without a guard
    (which may give a TransitionError).
    """
    rng = random.Random(worker)
    own = [f"own{worker}/t{n}" for n in range(3)]
    seen: dict[str, Status] = {}
    accepted: list[str] = []
    refused: list[tuple[str, str]] = []
    with Store(url) as store:
        for n in range(CHANGES):
            ref = rng.choice(SHARED) if rng.random() < 0.6 else rng.choice(own)
            note = f"w{worker}-{n}"
            believed = seen.get(ref, Status.PLANNED)
            expected: Status | None = believed
            target = rng.choice(sorted(TRANSITIONS[believed]))
            if rng.random() < 0.15:
                target, expected = rng.choice(list(Status)), None
            try:
                store.record_status(
                    ref, target, actor=f"課{worker}", note=note, expected_from=expected
                )
                accepted.append(note)
                seen[ref] = target
            except ConflictError as error:
                refused.append((note, "ConflictError"))
                seen[ref] = Status(error.new)
            except TransitionError as error:
                refused.append((note, "TransitionError"))
                seen[ref] = Status(error.old)
    return accepted, refused


def _notes(url: str) -> Counter[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        notes = Counter(str(row[0]) for row in conn.execute(text("SELECT note FROM status_events")))
    engine.dispose()
    return notes


def test_concurrent_writers_lose_nothing_and_stay_legal(db_url: str) -> None:
    Store(db_url).close()  # created once, so that the writers race on writes, not on DDL
    with SPAWN.Pool(WRITERS) as pool:
        results = pool.starmap(_writer, [(db_url, w) for w in range(WRITERS)])
    accepted = [note for ok, _ in results for note in ok]
    refused = [item for _, bad in results for item in bad]
    assert len(accepted) + len(refused) == WRITERS * CHANGES
    stored = _notes(db_url)
    assert all(stored[note] == 1 for note in accepted)
    assert not any(stored[note] for note, _ in refused)
    assert sum(stored.values()) == len(accepted)
    kinds = Counter(kind for _, kind in refused)
    assert set(kinds) <= {"ConflictError", "TransitionError"}
    assert kinds["TransitionError"] > 0 and kinds["ConflictError"] > 0
    with Store(db_url) as store:
        refs = SHARED + [f"own{w}/t{n}" for w in range(WRITERS) for n in range(3)]
        for ref in refs:
            trail = store.history(ref)
            assert_legal(trail)
            # Each change was checked against the state it was written over.
            assert [e.from_status for e in trail[1:]] == [e.status for e in trail[:-1]]


# --- a writer killed mid-batch -----------------------------------------------------------------


def _crashing_writer(url: str, marker: str) -> None:
    """Start a 10,000-change batch and stop dead once its first rows are inserted."""

    def hold(*args: Any) -> None:
        statement, executemany = args[2], args[5]
        if executemany and statement.startswith("INSERT INTO status_events"):
            Path(marker).write_text("inserted", encoding="utf-8")
            time.sleep(120)  # the test kills this process here, mid-transaction

    event.listen(Engine, "after_cursor_execute", hold)
    changes = [StatusChange(f"batch/t{n % 100}", "in_progress", "県") for n in range(10_000)]
    with Store(url) as store:
        store.record_batch(changes)


def test_a_writer_killed_mid_batch_leaves_no_trace(db_url: str, tmp_path: Path) -> None:
    with Store(db_url) as store:
        store.record_batch([StatusChange("kept/t1", "in_progress", "県")] * 3)
    marker = tmp_path / "marker"
    child = SPAWN.Process(target=_crashing_writer, args=(db_url, str(marker)))
    child.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the writer never reached its insert"
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with Store(db_url) as store:
        assert store.history("batch/t0") == []
        assert sorted(store.status_as_of()) == ["kept/t1"]
        assert len(store.history("kept/t1")) == 3
        store.record_status("batch/t0", "in_progress", actor="県")  # the store writes again
    assert sum(_notes(db_url).values()) == 4
