"""Many plans in one PostgreSQL store, against a store that holds one plan alone.

The generated store holds 50 plans × 20,000 tasks × 200,000 status events each (1,000,000
refs and 10,000,000 events in all); a second store holds one of those plans alone, with the
same 200,000 events. Both are PostgreSQL schemas on the test server.

1. ``status_as_of`` of one plan in the 50-plan store against the same read in the store that
   holds that plan alone. Target: ratio ≤ 1.2.
2. The roll-up over the 50 plans (``views.rollup.rollup``: status, lateness, reviews and KPIs
   per plan, and the totals) against the sum of the 50 single-plan ``status_as_of`` reads.
   Target: ratio ≤ 1.5. Timed as the command runs it: a process that has read no plan
   before reads and schedules each one (the newest revision's plan, for lateness), with a
   process per core. Printed too: the same in one process, and a roll-up that finds the plans
   kept from a previous one, as a server's or a scheduled job's process would.

Generating 10,000,000 events row by row from Python would take most of an hour on a 2-core
machine; the events are made by the server instead, one ``INSERT … SELECT`` over
``generate_series`` per plan (the refs the same way), which takes minutes. The plans, their
revisions and the catalogue go through the store as usual. ``AOMORI_BENCH_PLANS`` and
``AOMORI_BENCH_TASKS`` shrink the store for a quick look (the printed numbers say the size);
the targets are for the full size.

Run with ``pytest tests/benchmarks/bench_many_plans.py -s``. It prints both ratios and
asserts that the work was complete and the answers agree, never a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from storetest import database
from timing import best_of

import aomori_roadmap.views.rollup as rollup_module
from aomori_roadmap.parallel import cores
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.rollup import Rollup, rollup

PLANS = int(os.environ.get("AOMORI_BENCH_PLANS", "50"))
TASKS = int(os.environ.get("AOMORI_BENCH_TASKS", "20000"))
PER_TASK = 10  # 200,000 events per plan of 20,000 tasks
PER_INITIATIVE = 20
AS_OF = date(2025, 9, 30)
RUNS = 5


def _plan(plan_id: str) -> Plan:
    """A plan of TASKS tasks in initiatives of PER_INITIATIVE, spread over FY2024–FY2026."""
    initiatives = []
    for n in range(TASKS // PER_INITIATIVE):
        start = f"FY{2024 + n % 3}"
        tasks = [
            {"id": f"t{j:02d}", "name": f"工程{j}", "start": start, "duration": "2mo"}
            for j in range(PER_INITIATIVE)
        ]
        initiatives.append({"id": f"i{n:04d}", "name": f"取組{n}", "tasks": tasks})
    return plan_from_data(
        {
            "id": plan_id,
            "name": f"{plan_id} DX推進計画",
            "period": {"start": 2024, "end": 2028},
            "initiatives": initiatives,
        }
    )


# Each ref gets PER_TASK events a week apart from a day of its own: a start, progress reports,
# and (one ref in three) a finish. Made by the server: refs and events for one plan at a time.
_REFS = """
INSERT INTO status_refs (plan_id, ref)
SELECT :plan, format('i%s/t%s', lpad((n / :per)::text, 4, '0'), lpad((n % :per)::text, 2, '0'))
FROM generate_series(0, :tasks - 1) AS n
"""
_EVENTS = """
INSERT INTO status_events (plan_id, ref_id, from_status, status, progress, effective, recorded,
                           actor, note, revision_id)
SELECT r.plan_id, r.id,
       CASE WHEN g = 1 THEN 'planned' ELSE 'in_progress' END,
       CASE WHEN g = :events AND r.id % 3 = 0 THEN 'done' ELSE 'in_progress' END,
       CASE WHEN g = :events AND r.id % 3 = 0 THEN 100 ELSE g * 9 END,
       timestamptz '2024-04-01 09:00+09' + (r.id % 500) * interval '1 day' + g * interval '7 days',
       timestamptz '2024-04-01 10:00+09' + (r.id % 500) * interval '1 day' + g * interval '7 days',
       'ベンチ課', '', :revision
FROM status_refs r CROSS JOIN generate_series(1, :events) AS g
WHERE r.plan_id = :plan
ORDER BY r.id, g
"""


def _fill(url: str, plan_ids: list[str]) -> float:
    """Every plan of ``plan_ids`` with its revision and its generated history; seconds taken."""
    started = time.perf_counter()
    template = _plan("template")
    engine = create_engine(url)
    try:
        for plan_id in plan_ids:
            plan = template.model_copy(update={"id": plan_id, "name": f"{plan_id} DX推進計画"})
            with Store(url, plan=plan) as store:
                info = store.add_plan(plan, owner=f"{plan_id} 企画課", actor="ベンチ")
            with engine.begin() as conn:
                params = {"plan": plan_id, "per": PER_INITIATIVE, "tasks": TASKS}
                conn.execute(text(_REFS), params)
                params = {"plan": plan_id, "events": PER_TASK, "revision": info.revision}
                conn.execute(text(_EVENTS), params)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The 50-plan store and the store of one plan alone (fresh PostgreSQL schemas)."""
    folder = Path(tmp_path_factory.mktemp("many-plans"))
    ids = [f"city-{n:02d}" for n in range(PLANS)]
    with database("postgresql", folder) as many, database("postgresql", folder) as alone:
        many_s = _fill(many, ids)
        alone_s = _fill(alone, ids[:1])
        print(
            f"\ngenerated {PLANS} plans × {TASKS:,} tasks × {TASKS * PER_TASK:,} events in "
            f"{many_s:.0f} s; the plan alone in {alone_s:.0f} s"
        )
        yield {"many": many, "alone": alone, "ids": ids}


def test_many_plans_against_one_plan_alone(stores: dict[str, Any]) -> None:
    many, alone, ids = stores["many"], stores["alone"], stores["ids"]
    with Store(many, plan_id=ids[0]) as shared, Store(alone, plan_id=ids[0]) as single:
        in_many_s, in_many = best_of(RUNS, lambda: shared.status_as_of(AS_OF))
        in_alone_s, in_alone = best_of(RUNS, lambda: single.status_as_of(AS_OF))
    assert len(in_many) == TASKS
    assert in_many == in_alone  # the same plan, the same answer

    readers = [Store(many, plan_id=plan_id) for plan_id in ids]
    try:

        def each_read() -> tuple[int, int]:
            states = [reader.status_as_of(AS_OF) for reader in readers]
            done = sum(s.status == "done" for one in states for s in one.values())
            return sum(len(one) for one in states), done

        reads_s, (read, done) = best_of(3, each_read)
    finally:
        for reader in readers:
            reader.close()
    assert read == PLANS * TASKS

    # As the command runs it: a fresh process reads and schedules every plan, a process per
    # core. Then as a server or a scheduled job runs it: the plans read before are kept.
    def command() -> Rollup:
        rollup_module._by_revision.clear()
        return rollup(many, as_of=AS_OF, jobs=cores())

    command_s, by_command = best_of(2, command)

    def one_process() -> Rollup:
        rollup_module._by_revision.clear()
        return rollup(many, as_of=AS_OF)

    alone_s, by_one = best_of(1, one_process)
    rollup(many, as_of=AS_OF)  # each revision's plan and schedule, kept by this process
    rollup_s, found = best_of(3, lambda: rollup(many, as_of=AS_OF))
    assert by_command == by_one == found  # the same roll-up by two processes, one, and kept
    assert [p.plan_id for p in found.plans] == ids
    assert found.tasks == PLANS * TASKS
    assert sum(found.status.values()) == found.tasks
    assert found.status["done"] == done  # the same states as the plans' own reads

    one_ratio = in_many_s / in_alone_s
    rollup_ratio = command_s / reads_s
    print(
        f"\nstatus_as_of of one plan: {in_many_s * 1000:.0f} ms among {PLANS} plans, "
        f"{in_alone_s * 1000:.0f} ms alone: ratio {one_ratio:.2f} (target ≤ 1.2)"
        f"\nroll-up of {PLANS} plans as the command runs it (every plan read and scheduled, "
        f"jobs={cores()}): {command_s:.2f} s; the {PLANS} status reads: {reads_s:.2f} s: "
        f"ratio {rollup_ratio:.2f} (target ≤ 1.5)"
        f"\n  in one process: {alone_s:.2f} s, ratio {alone_s / reads_s:.2f}; with the plans "
        f"kept from a previous roll-up (a server): {rollup_s:.2f} s, ratio {rollup_s / reads_s:.2f}"
    )
