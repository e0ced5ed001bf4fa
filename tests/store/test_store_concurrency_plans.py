"""Writers of 8 different plans at once, in one database: nothing lost, nothing mixed up.

Every writer uses the same refs in its own plan; none of them may see another's events (it
acts on the state it believes, guarded by ``expected_from``, so a single foreign event would
give a ConflictError), and every accepted change must be stored once, in its own plan.
"""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import create_engine, text
from storetest import assert_legal
from test_store_concurrency import SPAWN

from aomori_roadmap.engine.status import TRANSITIONS, Status, StatusChange
from aomori_roadmap.store import Store

PLANS = 8
CHANGES = 300
REFS = [f"shared/t{n}" for n in range(5)]


def _plan(worker: int) -> str:
    return f"town-{worker}"


def _writer(url: str, worker: int) -> list[str]:
    """Write CHANGES changes to plan ``town-{worker}``, one by one and in small batches."""
    rng = random.Random(worker)
    believed: dict[str, Status] = {}
    accepted: list[str] = []
    with Store(url, plan_id=_plan(worker)) as store:
        for n in range(CHANGES):
            ref = rng.choice(REFS)
            before = believed.get(ref, Status.PLANNED)
            target = rng.choice(sorted(TRANSITIONS[before]))
            note = f"{_plan(worker)}:{n}"
            if rng.random() < 0.2:  # the same change, as a batch of one
                changes = [
                    StatusChange(ref, target, f"課{worker}", note=note, expected_from=before)
                ]
                store.record_batch(changes)
            else:
                store.record_status(
                    ref, target, actor=f"課{worker}", note=note, expected_from=before
                )
            believed[ref] = target
            accepted.append(note)
    return accepted


def test_writers_of_eight_plans_lose_nothing(db_url: str) -> None:
    Store(db_url).close()  # created once, so that the writers race on writes, not on DDL
    with SPAWN.Pool(PLANS) as pool:
        results = pool.starmap(_writer, [(db_url, w) for w in range(PLANS)])
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.plan_id, r.plan_id, e.note FROM status_events e "
                "JOIN status_refs r ON r.id = e.ref_id"
            )
        ).all()
    engine.dispose()
    notes = Counter(note for _e, _r, note in rows)
    assert all(notes[note] == 1 for accepted in results for note in accepted)
    assert len(rows) == PLANS * CHANGES
    assert all(e == r == note.split(":")[0] for e, r, note in rows)  # each in its own plan
    with Store(db_url) as store:
        assert [p.id for p in store.plans()] == sorted(_plan(w) for w in range(PLANS))
    for worker in range(PLANS):
        with Store(db_url, plan_id=_plan(worker)) as store:
            trails = [store.history(ref) for ref in REFS]
            assert sum(len(trail) for trail in trails) == CHANGES
            for trail in trails:
                assert_legal(trail)
                assert [e.from_status for e in trail[1:]] == [e.status for e in trail[:-1]]
                assert all(e.note.startswith(f"{_plan(worker)}:") for e in trail)
