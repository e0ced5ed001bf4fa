"""The status store against baselines measured in the same run (SQLite files).

1. Ingest: 1,000,000 status changes on 10,000 task refs (100 each: a start, progress reports,
   a finish) through ``Store.record_batch`` — every change checked (ref in the plan, plan
   period, progress, transition against the state at write time) — against a raw SQLAlchemy
   Core ``executemany`` insert of the same rows into the same table, in one transaction.
   Target: at least half the raw throughput (ratio ≥ 0.5).
2. As-of: ``Store.status_as_of`` over those 10,000 refs and 1,000,000 events (1% of them
   corrected), mid-history and latest, against selecting the whole history into Python and
   folding it there (corrections, effective order, first start). Target: ≥ 5× faster.

Run with ``pytest tests/benchmarks/bench_store.py -s``. These print numbers; they assert
that the work was complete and the answers agree, never a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, func, insert, select

from aomori_roadmap.engine.status import Status, StatusChange, StatusState
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.tables import status_events, status_refs

INITIATIVES, TASKS, ROUNDS = 1_000, 10, 100  # 10,000 refs × 100 changes = 1,000,000
START = datetime(2024, 4, 1, tzinfo=UTC)
RECORDED = datetime(2025, 1, 6, 9, tzinfo=UTC)
T = TypeVar("T")


def big_plan() -> Plan:
    tasks = [{"id": f"t{j}", "name": f"工程{j}", "duration": "10bd"} for j in range(TASKS)]
    initiatives = [
        {"id": f"i{n:04d}", "name": f"取組{n}", "tasks": tasks} for n in range(INITIATIVES)
    ]
    return plan_from_data(
        {
            "id": "bench",
            "name": "ベンチ",
            "period": {"start": 2024, "end": 2028},
            "initiatives": initiatives,
        }
    )


def changes(refs: list[str]) -> list[StatusChange]:
    """Round by round over every ref: start, 98 progress reports, finish; time moves forward."""
    out = []
    for r in range(ROUNDS):
        effective = START + timedelta(hours=r)
        status = Status.DONE if r == ROUNDS - 1 else Status.IN_PROGRESS
        progress = 100 if status is Status.DONE else r
        out += [StatusChange(ref, status, "ベンチ課", progress, effective) for ref in refs]
    return out


def raw_rows(items: list[StatusChange], ref_ids: dict[str, int]) -> list[dict[str, Any]]:
    """The rows the store writes for ``items``, built outside any timing."""
    rows = []
    for n, item in enumerate(items):
        rows.append(
            {
                "plan_id": "bench",
                "ref_id": ref_ids[item.ref],
                "from_status": "planned" if n < len(ref_ids) else "in_progress",
                "status": Status(item.status).value,
                "progress": item.progress,
                "effective": item.effective,
                "recorded": RECORDED,
                "actor": item.actor,
                "note": "",
                "revision_id": None,
                "corrects": None,
            }
        )
    return rows


def timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def best_of(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    results = [timed(work) for _ in range(runs)]
    return min(r[0] for r in results), results[-1][1]


def fold(url: str, t: datetime | None) -> dict[str, tuple[str, int, int, datetime | None]]:
    """The baseline: every event into Python, then the replay done there."""
    engine = create_engine(url)
    e, r = status_events, status_refs
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.c.ref, e.c.id, e.c.status, e.c.progress, e.c.effective, e.c.corrects).join(
                r, r.c.id == e.c.ref_id
            )
        ).all()
    engine.dispose()
    corrected = {row.corrects for row in rows if row.corrects is not None}
    latest: dict[str, Any] = {}
    started: dict[str, tuple[datetime, int]] = {}
    for row in rows:
        if row.id in corrected or (t is not None and row.effective > t):
            continue
        key = (row.effective, row.id)
        best = latest.get(row.ref)
        if best is None or key > (best.effective, best.id):
            latest[row.ref] = row
        if row.status == "in_progress" and (row.ref not in started or key < started[row.ref]):
            started[row.ref] = key
    return {
        ref: (row.status, row.progress, row.id, started[ref][0] if ref in started else None)
        for ref, row in latest.items()
    }


def as_tuples(states: dict[str, StatusState]) -> dict[str, tuple[str, int, int, datetime | None]]:
    return {ref: (s.status.value, s.progress, s.event_id, s.started) for ref, s in states.items()}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both ingests, timed; the store's database is kept for the as-of benchmark."""
    folder = tmp_path_factory.mktemp("store")
    plan = big_plan()
    refs = [ref for ref, _, _ in plan.iter_tasks()]
    items = changes(refs)

    ours_url = f"sqlite:///{folder / 'ours.db'}"
    store = Store(ours_url, plan=plan, clock=lambda: RECORDED)
    ours, count = timed(lambda: store.record_batch(items))
    assert count == len(items) == len(refs) * ROUNDS

    raw_url = f"sqlite:///{folder / 'raw.db'}"
    Store(raw_url).close()  # the same schema, indexes and triggers
    engine = create_engine(raw_url)
    with engine.begin() as conn:
        conn.execute(insert(status_refs), [{"plan_id": "bench", "ref": ref} for ref in refs])
        ref_ids = {
            ref: ref_id for ref, ref_id in conn.execute(select(status_refs.c.ref, status_refs.c.id))
        }
    rows = raw_rows(items, ref_ids)

    def raw_insert() -> None:
        with engine.begin() as conn:
            conn.execute(insert(status_events), rows)

    raw, _ = timed(raw_insert)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(status_events)).scalar() == len(rows)
    engine.dispose()
    return {"store": store, "url": ours_url, "ours": ours, "raw": raw, "count": count, "refs": refs}


def test_ingest_against_a_raw_executemany(loaded: dict[str, Any]) -> None:
    count, ours, raw = loaded["count"], loaded["ours"], loaded["raw"]
    print(
        f"\ningest {count:,} changes: record_batch {ours:.2f} s ({count / ours:,.0f}/s), raw Core "
        f"executemany {raw:.2f} s ({count / raw:,.0f}/s); throughput ratio {raw / ours:.2f} "
        "(target ≥ 0.5)"
    )


def test_status_as_of_against_a_python_fold(loaded: dict[str, Any]) -> None:
    store: Store = loaded["store"]
    refs: list[str] = loaded["refs"]
    # 1% of the refs get their 50th change corrected (a later progress figure).
    corrections = []
    for ref in refs[::100]:
        target = store.history(ref)[49]
        corrections.append(
            StatusChange(
                ref, "in_progress", "ベンチ課", 55, target.effective, "訂正", corrects=target.id
            )
        )
    store.record_batch(corrections)
    moments: list[tuple[str, datetime | None]] = [
        ("mid-history", START + timedelta(hours=49, minutes=30)),
        ("latest", None),
    ]
    for label, t in moments:
        ours, states = best_of(3, partial(store.status_as_of, t))
        baseline, folded = best_of(3, partial(fold, loaded["url"], t))
        assert len(states) == len(refs)
        assert as_tuples(states) == folded
        print(
            f"\nstatus_as_of ({label}) over {len(refs):,} refs / "
            f"{loaded['count'] + len(corrections):,} events: {ours * 1000:.0f} ms; "
            f"select all + fold in Python {baseline * 1000:.0f} ms; {baseline / ours:.1f}× faster "
            "(target ≥ 5×)"
        )
    store.close()
