"""As-of replay on both axes, the trail of a ref, and the scheduler's actuals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event
from storetest import Clock, assert_legal, jst

from aomori_roadmap.engine.schedule import Actual, schedule
from aomori_roadmap.engine.status import Lateness, Status, StatusChange, lateness_all
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store

REF = "alerts/study"


@pytest.fixture
def told(store: Store, clock: Clock) -> Iterator[dict[str, Any]]:
    """A history told over time: a start, a finish, then a back-dated update and a correction.

    - 2025-06-02: "started on 4/10" (event ``start``);
    - 2025-07-01: "done on 6/30";
    - 2025-08-01: "the start was really 4/20" (a correction of ``start``);
    - 2025-08-02: "progress was 50% on 5/15" (back-dated).
    """
    start = store.record_status(REF, "in_progress", actor="危機管理課", effective=jst(2025, 4, 10))
    clock.now = jst(2025, 7, 1)
    done = store.record_status(REF, "done", actor="危機管理課", effective=jst(2025, 6, 30))
    clock.now = jst(2025, 8, 1)
    fixed = store.record_status(
        REF,
        "in_progress",
        actor="DX推進課",
        effective=jst(2025, 4, 20),
        corrects=start.id,
        note="開始日を訂正",
    )
    clock.now = jst(2025, 8, 2)
    update = store.record_status(
        REF, "in_progress", actor="危機管理課", progress=50, effective=jst(2025, 5, 15)
    )
    yield {"start": start, "done": done, "fixed": fixed, "update": update}


def test_what_was_true_as_known_now(store: Store, told: dict[str, Any]) -> None:
    assert REF not in store.status_as_of(jst(2025, 4, 15))  # the start moved to 4/20
    state = store.status_as_of(jst(2025, 5, 20))[REF]
    assert (state.status, state.progress, state.event_id) == (
        Status.IN_PROGRESS,
        50,
        told["update"].id,
    )
    assert state.started == jst(2025, 4, 20)
    latest = store.status_as_of()[REF]
    assert (latest.status, latest.finished) == (Status.DONE, jst(2025, 6, 30))


def test_what_we_believed_back_then(store: Store, told: dict[str, Any]) -> None:
    before_fix = jst(2025, 7, 15)
    state = store.status_as_of(jst(2025, 4, 15), known_at=before_fix)[REF]
    assert (state.status, state.event_id) == (Status.IN_PROGRESS, told["start"].id)
    assert state.started == jst(2025, 4, 10)
    in_may = store.status_as_of(jst(2025, 5, 20), known_at=before_fix)[REF]
    assert in_may.progress == 0  # the 5/15 update was not known yet
    assert store.status_as_of(known_at=jst(2025, 6, 3))[REF].status is Status.IN_PROGRESS
    assert store.status_as_of(known_at=jst(2025, 6, 1)) == {}


def test_the_trail_keeps_every_event(store: Store, told: dict[str, Any]) -> None:
    trail = store.history(REF)
    assert [e.id for e in trail] == [
        told["start"].id,
        told["fixed"].id,
        told["update"].id,
        told["done"].id,
    ]
    assert trail[0].corrected_by == told["fixed"].id
    assert_legal(trail)


def test_the_trail_as_known_back_then(store: Store, told: dict[str, Any]) -> None:
    trail = store.history(REF, known_at=jst(2025, 7, 15))
    assert [(e.id, e.corrected_by) for e in trail] == [
        (told["start"].id, None),
        (told["done"].id, None),
    ]


def test_actuals_follow_both_axes(store: Store, told: dict[str, Any]) -> None:
    assert store.actuals() == {REF: Actual(date(2025, 4, 20), date(2025, 6, 30))}
    assert store.actuals(known_at=jst(2025, 7, 15)) == {
        REF: Actual(date(2025, 4, 10), date(2025, 6, 30))
    }
    assert store.actuals(effective=jst(2025, 6, 1)) == {REF: Actual(date(2025, 4, 20), None)}


def test_actuals_are_dates_in_japan(store: Store) -> None:
    store.record_status(
        REF, "in_progress", actor="県", effective=datetime.fromisoformat("2025-04-30T23:30+09:00")
    )
    assert store.actuals()[REF] == Actual(date(2025, 4, 30), None)


def test_actuals_feed_the_scheduler(store: Store, plan: Plan) -> None:
    store.record_status(REF, "done", actor="県", effective=jst(2024, 10, 31))
    store.record_status("alerts", "in_progress", actor="県", effective=jst(2024, 5, 1))
    actuals = store.actuals()
    assert list(actuals) == [REF]  # the initiative-level status is not a task's actual
    assert schedule(plan, actuals).tasks[REF].early_finish == date(2024, 10, 31)


def test_a_date_means_the_end_of_that_day_in_japan(store: Store) -> None:
    store.record_status(
        REF, "in_progress", actor="県", effective=datetime.fromisoformat("2025-03-31T23:30+09:00")
    )
    assert REF in store.status_as_of(date(2025, 3, 31))
    assert REF not in store.status_as_of(date(2025, 3, 30))


def test_a_naive_query_time_is_refused(store: Store) -> None:
    with pytest.raises(PlanError, match="タイムゾーン"):
        store.status_as_of(datetime(2025, 5, 1))


def test_a_snapshot_is_one_query(store: Store) -> None:
    refs = ["alerts/study", "alerts/build", "learning/model", "learning/expand"]
    store.record_batch(
        [StatusChange(ref, "in_progress", "県", effective=jst(2025, 5, 1)) for ref in refs]
    )
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        snapshot = store.status_as_of(jst(2025, 5, 2), known_at=jst(2025, 6, 30))
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert sorted(snapshot) == sorted(refs)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_lateness_from_the_store_and_the_schedule(store: Store, plan: Plan) -> None:
    planned = schedule(plan)
    store.record_status("alerts/study", "done", actor="県", effective=jst(2024, 9, 30))
    store.record_status("alerts/build", "in_progress", actor="県", effective=jst(2024, 11, 15))
    result = lateness_all(planned, store.status_as_of(), date(2025, 6, 2))
    assert result["alerts/study"] is Lateness.ON_TRACK  # done
    assert result["alerts/build"] is Lateness.LATE  # planned to finish by 2025-03-31
    assert result["learning/model"] is Lateness.AT_RISK  # should have started 2025-04-01
    assert result["learning/expand"] is Lateness.ON_TRACK
