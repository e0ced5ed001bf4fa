"""Invariants of the schedule on random acyclic plans (hypothesis).

Dates are checked in working-day boundaries recomputed from the shown dates with the public
calendar API, so the checks do not share the engine's arithmetic.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aomori_roadmap.calendar import parse_duration
from aomori_roadmap.engine.schedule import Schedule, ScheduledTask, schedule
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan

_CALENDAR_DURATIONS = ("1mo", "2mo", "3w", "10d", "1half", "1y")


@st.composite
def acyclic_plans(draw: st.DrawFn) -> Plan:
    """A random DAG over at most 40 tasks in two initiatives, listed in a random order."""
    size = draw(st.integers(1, 40))
    rank = draw(st.permutations(range(size)))  # the topological rank of each listed task
    rows: list[dict[str, Any]] = []
    for k in range(size):
        kind = draw(st.sampled_from(["bd", "bd", "bd", "calendar", "milestone"]))
        row: dict[str, Any] = {"id": f"t{k}", "name": f"工程{k}"}
        if kind == "milestone":
            row["milestone"] = True
        elif kind == "calendar":
            row["duration"] = draw(st.sampled_from(_CALENDAR_DURATIONS))
        else:
            row["duration"] = f"{draw(st.integers(0, 30))}bd"
        if draw(st.integers(0, 5)) == 0:
            row["start"] = draw(st.dates(date(2024, 4, 1), date(2025, 3, 31))).isoformat()
        earlier = [j for j in range(size) if rank[j] < rank[k]]
        chosen = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=4)) if earlier else []
        )
        row["depends"] = [
            {
                "on": f"{'a' if j % 2 == 0 else 'b'}/t{j}",
                "type": draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                "lag": f"{draw(st.integers(-5, 10))}bd",
            }
            for j in chosen
        ]
        rows.append(row)
    return plan_from_data(
        {
            "id": "prop",
            "name": "性質",
            "period": {"start": "FY2024", "end": "FY2026"},
            "initiatives": [
                {"id": "a", "name": "A", "tasks": rows[0::2]},
                {"id": "b", "name": "B", "tasks": rows[1::2]},
            ],
        }
    )


def _boundaries(result: Schedule, t: ScheduledTask, *, late: bool = False) -> tuple[int, int]:
    """Start and finish boundaries of a task, from its shown (inclusive) dates."""
    cal, origin = result.calendar, result.start
    first, last = (t.late_start, t.late_finish) if late else (t.early_start, t.early_finish)
    if t.duration_days == 0:  # shown at the end of its day
        b = cal.working_days_between(origin, last) + 1
        return b, b
    return cal.working_days_between(origin, first), cal.working_days_between(origin, last) + 1


_PROPERTY = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@_PROPERTY
@given(acyclic_plans())
def test_every_link_is_satisfied_by_early_dates(plan: Plan) -> None:
    result = schedule(plan)
    for ref, initiative, task in plan.iter_tasks():
        s, e = _boundaries(result, result.tasks[ref])
        assert e - s == result.tasks[ref].duration_days
        for dep in task.links:
            pred = result.tasks[plan.resolve(initiative, dep.on)]
            ps, pe = _boundaries(result, pred)
            lag = parse_duration(str(dep.lag)).amount
            source = pe if dep.type in ("FS", "FF") else ps
            target = s if dep.type in ("FS", "SS") else e
            assert target >= source + lag, (ref, dep)


@_PROPERTY
@given(acyclic_plans())
def test_late_dates_never_precede_early_dates(plan: Plan) -> None:
    for t in schedule(plan).tasks.values():
        assert t.late_start >= t.early_start
        assert t.late_finish >= t.early_finish


@_PROPERTY
@given(acyclic_plans())
def test_critical_tasks_have_zero_total_slack(plan: Plan) -> None:
    result = schedule(plan)
    for t in result.tasks.values():
        assert t.critical == (t.total_slack == 0)
    for path in result.critical_paths:
        assert all(result.tasks[ref].critical for ref in path)


@_PROPERTY
@given(acyclic_plans())
def test_total_slack_bounds_free_slack(plan: Plan) -> None:
    for t in schedule(plan).tasks.values():
        assert t.total_slack >= t.free_slack >= 0


@_PROPERTY
@given(acyclic_plans())
def test_scheduling_twice_gives_identical_results(plan: Plan) -> None:
    assert schedule(plan).to_json() == schedule(plan).to_json()
