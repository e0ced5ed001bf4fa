"""All reminders of a 100,000-task plan with 1,000,000 status changes, against its inputs.

The plan comes from ``plangen.generate`` (100,000 tasks, ~300,000 links of all four types);
the store gets 1,000,000 status changes through ``Store.record_batch`` (ten per task: a start
near the planned start, eight progress reports, a finish; a tenth of the tasks start late and
a twentieth never finish), in a SQLite file. Measured in the same run, best of three:

- the baseline: one ``Store.status_as_of`` snapshot plus one ``schedule`` run of the plan —
  the least that any answer to "what is due, what is overdue" must compute;
- ours: everything a reminders run computes: ``take_snapshot`` (states, planned and current
  schedules, lateness, review cycles), the review states (``ReviewLog.stages``) and
  ``reminders`` over every department.

Target: ours ≤ 2× the baseline. Run with ``pytest tests/benchmarks/bench_reminders.py -s``.
This reports numbers; it asserts only that the work was complete, never a time.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from plangen import generate
from timing import best_of

from aomori_roadmap.engine.reminders import reminders
from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.engine.status import StatusChange
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.review_log import ReviewLog
from aomori_roadmap.views.snapshot import take_snapshot

TASKS, LINKS, PER_TASK = 100_000, 300_000, 10
AS_OF = date(2026, 10, 1)
JST = ZoneInfo("Asia/Tokyo")
RECORDED = datetime(2031, 4, 1, tzinfo=UTC)  # after every effective time of the plan
DEPARTMENTS = 40


def _plan() -> Plan:
    """The generated plan, its initiatives spread over departments (a tenth without contact)."""
    data = generate(TASKS, LINKS)
    data["departments"] = [
        {"id": f"d{n:02d}", "name": f"課{n}", **({"contact": f"d{n}@pref.example.jp"} if n % 10 else {})}
        for n in range(DEPARTMENTS)
    ]  # fmt: skip
    for n, initiative in enumerate(data["initiatives"]):
        initiative["department"] = f"d{n % DEPARTMENTS:02d}"
    return plan_from_data(data)


def _changes(plan: Plan) -> list[StatusChange]:
    """Ten changes per task from its planned dates, inside the plan's period."""
    rng = random.Random(7)
    first = datetime(plan.period.start.year, 4, 1, 9, tzinfo=JST)
    last = datetime(plan.period.end.year + 1, 3, 31, 9, tzinfo=JST)
    out = []
    for ref, task in schedule(plan).tasks.items():
        late = rng.random() < 0.1
        start = datetime.combine(task.early_start, datetime.min.time(), JST) + timedelta(
            hours=9, days=rng.randint(20, 60) if late else rng.randint(-2, 3)
        )
        start = min(max(start, first), last - timedelta(days=PER_TASK))
        for k in range(PER_TASK - 1):
            out.append(
                StatusChange(ref, "in_progress", "ベンチ課", k * 10, start + timedelta(hours=k))
            )
        if rng.random() < 0.95:
            finish = start + timedelta(days=max(task.duration_days, 1) + rng.randint(0, 5))
            out.append(StatusChange(ref, "done", "ベンチ課", 100, min(finish, last)))
        else:
            out.append(
                StatusChange(ref, "in_progress", "ベンチ課", 95, start + timedelta(hours=10))
            )
    return out


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    plan = _plan()
    changes = _changes(plan)
    assert len(changes) == TASKS * PER_TASK
    url = f"sqlite:///{tmp_path_factory.mktemp('reminders') / 'bench.db'}"
    store = Store(url, plan=plan, clock=lambda: RECORDED)
    started = time.perf_counter()
    store.record_batch(changes)
    ingest = time.perf_counter() - started
    return {"plan": plan, "store": store, "ingest": ingest, "count": len(changes)}


def test_reminders_against_one_snapshot_and_one_schedule(loaded: dict[str, Any]) -> None:
    plan: Plan = loaded["plan"]
    store: Store = loaded["store"]

    status_time, states = best_of(3, lambda: store.status_as_of(AS_OF))
    schedule_time, planned = best_of(3, lambda: schedule(plan))
    baseline = status_time + schedule_time

    def everything() -> Any:
        snap = take_snapshot(plan, store, as_of=AS_OF)
        stages = ReviewLog(store, plan).stages()
        return snap, reminders(plan, snap, stages, within="14d")

    ours, (snap, groups) = best_of(3, everything)
    alone, _ = best_of(3, lambda: reminders(plan, snap, {}, within="14d"))
    # For the record: where take_snapshot spends its time (it reads the states twice: once
    # for the states, once more inside Store.actuals for the actual dates).
    snapshot_time, _ = best_of(3, lambda: take_snapshot(plan, store, as_of=AS_OF))
    second_query, _ = best_of(3, lambda: store.actuals(AS_OF))

    assert 0 < len(states) < TASKS and len(planned.tasks) == TASKS
    assert snap.states.keys() == states.keys()
    items = sum(len(g.items) for g in groups)
    assert items > 0 and any(g.no_contact for g in groups)
    overdue = sum(len(g.overdue) for g in groups)
    print(
        f"\nreminders of {TASKS:,} tasks / {loaded['count']:,} status changes as of {AS_OF} "
        f"(ingest {loaded['ingest']:.1f} s): {len(groups)} departments, {items:,} reminders "
        f"({overdue:,} overdue)\n"
        f"  baseline: status_as_of {status_time:.2f} s + schedule {schedule_time:.2f} s "
        f"= {baseline:.2f} s\n"
        f"  ours: take_snapshot + review states + reminders {ours:.2f} s "
        f"(take_snapshot {snapshot_time:.2f} s, of which Store.actuals {second_query:.2f} s; "
        f"reminders alone on the snapshot {alone:.2f} s)\n"
        f"  ratio {ours / baseline:.2f} (target ≤ 2)"
    )
    store.close()
