"""The plan's graph (``network.Graph``): built once per plan, re-wired for actuals, and the
lazy ``TaskTable`` of a schedule.

The property tests check the shortcut the scheduler takes with actuals (``_rewire`` re-wires
only the links touching the tasks that started or finished) against wiring every task again
from scratch (``_wire`` over every task), and a schedule of a plan whose graph is cached
against one of a copy whose graph was never built.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aomori_roadmap.engine import network
from aomori_roadmap.engine.network import Days, Graph, Wiring, cached_graph, compile_net
from aomori_roadmap.engine.schedule import (
    Actual,
    Schedule,
    Span,
    TaskTable,
    plan_calendar,
    prepare,
    schedule,
)
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.loader import load_plan, plan_from_data
from aomori_roadmap.plan.model import Plan

D = date

# --- random plans ---------------------------------------------------------------------------------

# The plan period is FY2024–FY2026: 2024-04-01 to 2027-03-31.
_FIRST, _LAST = D(2024, 4, 1), D(2027, 3, 31)
_CALENDAR_DURATIONS = ("1mo", "2mo", "3w", "10d", "1half")
_LAGS = ("0bd", "2bd", "-3bd", "7bd", "1mo", "10d", "1w")
_TYPES = ("FS", "SS", "FF", "SF")


@st.composite
def plan_data(draw: st.DrawFn) -> dict[str, Any]:
    """A random acyclic plan over at most 20 tasks in two initiatives, in a random order.

    Broader than ``acyclic_plans`` of ``test_schedule_properties``: fixed tasks (start and
    finish), deadlines, calendar-unit lags, ``after`` links and refs written without the
    initiative all take the paths that wire links slowly.
    """
    size = draw(st.integers(1, 20))
    rank = draw(st.permutations(range(size)))  # the topological rank of each listed task
    kinds = [
        draw(st.sampled_from(["bd", "bd", "bd", "calendar", "milestone", "fixed"]))
        for _ in range(size)
    ]
    rows: list[dict[str, Any]] = []
    for k, kind in enumerate(kinds):
        row: dict[str, Any] = {"id": f"t{k}", "name": f"工程{k}"}
        if kind == "milestone":
            row["milestone"] = True
        elif kind == "calendar":
            row["duration"] = draw(st.sampled_from(_CALENDAR_DURATIONS))
        elif kind == "bd":
            row["duration"] = f"{draw(st.integers(0, 20))}bd"
        if kind == "fixed":
            first = draw(st.dates(_FIRST, D(2026, 3, 31)))
            row["start"] = first.isoformat()
            row["finish"] = (first + timedelta(days=draw(st.integers(0, 90)))).isoformat()
        elif draw(st.integers(0, 4)) == 0:
            row["start"] = draw(st.dates(_FIRST, D(2025, 3, 31))).isoformat()
        if draw(st.integers(0, 4)) == 0:
            row["due"] = draw(st.dates(D(2024, 6, 1), _LAST)).isoformat()
        earlier = [j for j in range(size) if rank[j] < rank[k]]
        chosen = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        )
        after: list[str] = []
        depends: list[dict[str, str]] = []
        for j in chosen:
            same = j % 2 == k % 2  # rows alternate between initiatives a and b
            on = f"t{j}" if same and draw(st.booleans()) else f"{'ab'[j % 2]}/t{j}"
            if draw(st.integers(0, 3)) == 0:
                after.append(on)
            else:
                kind_of_link = draw(st.sampled_from(_TYPES))
                depends.append(
                    {"on": on, "type": kind_of_link, "lag": draw(st.sampled_from(_LAGS))}
                )
        if after:
            row["after"] = after
        if depends:
            row["depends"] = depends
        rows.append(row)
    return {
        "id": "graph",
        "name": "グラフ",
        "period": {"start": "FY2024", "end": "FY2026"},
        "initiatives": [
            {"id": "a", "name": "A", "tasks": rows[0::2]},
            {"id": "b", "name": "B", "tasks": rows[1::2]},
        ],
    }


@st.composite
def some_actuals(draw: st.DrawFn, refs: list[str]) -> dict[str, Actual]:
    """Actuals for a random non-empty subset of ``refs``: start, finish, both, or neither."""
    chosen = draw(st.lists(st.sampled_from(refs), unique=True, min_size=1, max_size=len(refs)))
    actuals: dict[str, Actual] = {}
    for ref in chosen:
        which = draw(st.sampled_from(["start", "finish", "both", "both", "neither"]))
        first = draw(st.dates(_FIRST, D(2026, 9, 30)))
        last = first + timedelta(days=draw(st.integers(0, 120)))
        actuals[ref] = Actual(
            start=first if which in ("start", "both") else None,
            finish=last if which in ("finish", "both") else None,
        )
    return actuals


def _refs(plan: Plan) -> list[str]:
    return [ref for ref, _, _ in plan.iter_tasks()]


def _days(plan: Plan) -> Days:
    """The calendar boundaries as :func:`schedule` makes them."""
    calendar = plan_calendar(plan)
    return Days(calendar, calendar.next_working_day(plan.period.start.start))


def _snapshot(wiring: Wiring) -> tuple[Any, ...]:
    return copy.deepcopy(
        (wiring.out, wiring.special, wiring.slow, wiring.slow_in, wiring.slow_out, wiring.lag_days)
    )


_PROPERTY = settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


# --- 1. re-wiring with actuals equals wiring from scratch ---------------------------------------


@_PROPERTY
@given(st.data())
def test_rewired_wiring_equals_fresh(data: st.DataObject) -> None:
    plan = plan_from_data(data.draw(plan_data()))
    actuals = data.draw(some_actuals(_refs(plan)))
    graph = network._graph(plan)
    base = _snapshot(graph.wiring)

    net = compile_net(plan, _days(plan), actuals)

    n = len(graph.refs)
    started = {
        graph.index[ref]
        for ref, actual in actuals.items()
        if actual.start is not None or actual.finish is not None
    }
    assert set(net.actual) == started
    if started:
        assert net.wiring is not graph.wiring
    else:
        assert net.wiring is graph.wiring
    # Every task is wired with the plan's lengths (a fixed task's is unknown, -1), but for the
    # tasks that started or finished, whose actual lengths are known.
    wired = graph.length[:]
    for i in started:
        wired[i] = net.length[i]
    # A link into a task whose actual start is known binds nothing: it is wired inline.
    placed = {i for i in started if net.actual[i][0] is not None}
    fresh = Wiring([[] for _ in range(n)], [False] * n, [])
    network._wire(graph, fresh, wired, graph.inherent | started, range(n), placed)
    rewired = net.wiring
    assert rewired.out == fresh.out
    assert rewired.slow == fresh.slow  # both sorted by index_slow
    assert rewired.slow_in == fresh.slow_in
    assert rewired.slow_out == fresh.slow_out
    assert rewired.lag_days == fresh.lag_days
    assert net.lag_days == fresh.lag_days
    # The re-wired one may mark more tasks special (from the base wiring): that is harmless.
    assert [i for i in range(n) if fresh.special[i] and not rewired.special[i]] == []
    for i in started | graph.inherent:
        assert rewired.special[i]

    # Re-wiring and scheduling leave the plan's shared base wiring as it was.
    schedule(plan, actuals)
    assert _snapshot(graph.wiring) == base


@_PROPERTY
@given(st.data())
def test_links_into_started_tasks_wired_inline_schedule_as_slow_links(
    data: st.DataObject,
) -> None:
    """Wiring a link into a task that started inline, with an offset that never binds, gives
    the schedule that reading it on the slow path (which skips it) gives: every date, slack,
    critical path and violation."""
    plan = plan_from_data(data.draw(plan_data()))
    actuals = data.draw(some_actuals(_refs(plan)))
    inline = schedule(plan, actuals).to_json()
    rewire = network._rewire

    def all_slow(graph: Graph, lengths: list[int], started: list[int], placed: Any) -> Wiring:
        return rewire(graph, lengths, started, ())

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(network, "_rewire", all_slow)
        slow = schedule(plan, actuals).to_json()
    assert inline == slow


@_PROPERTY
@given(st.data())
def test_schedule_with_actuals_equals_schedule_of_fresh_graph(data: st.DataObject) -> None:
    plan = plan_from_data(data.draw(plan_data()))
    actuals = data.draw(some_actuals(_refs(plan)))
    cached = cached_graph(plan)
    assert isinstance(cached, Graph)

    result = schedule(plan, actuals).to_json()

    fresh = plan.model_copy(update={"initiatives": list(plan.initiatives)})
    expected = schedule(fresh, actuals).to_json()
    assert cached_graph(fresh) is not cached  # its own graph, built at its first schedule
    assert cached_graph(plan) is cached
    assert result == expected
    # And the actuals changed nothing for a later schedule without them.
    assert schedule(plan).to_json() == schedule(fresh).to_json()


# --- 2. the cache -----------------------------------------------------------------------------------


def _chain_data() -> dict[str, Any]:
    return {
        "id": "chain",
        "name": "連鎖",
        "period": {"start": "FY2024", "end": "FY2024"},
        "initiatives": [
            {
                "id": "a",
                "name": "取組A",
                "tasks": [
                    {"id": "x", "name": "検討", "duration": "5bd"},
                    {"id": "y", "name": "実証", "duration": "3bd", "after": "x"},
                    {"id": "z", "name": "完了", "milestone": True, "after": "y"},
                ],
            }
        ],
    }


def test_loaded_plan_carries_its_graph(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_chain_data(), ensure_ascii=False), encoding="utf-8")
    for plan in (load_plan(path), plan_from_data(_chain_data())):
        graph = cached_graph(plan)
        assert isinstance(graph, Graph)
        assert graph.source is plan.initiatives
        assert graph.refs == ["a/x", "a/y", "a/z"]


def test_scheduling_twice_reuses_the_graph() -> None:
    plan = plan_from_data(_chain_data())
    graph = cached_graph(plan)
    first = schedule(plan)
    assert cached_graph(plan) is graph
    second = schedule(plan, {"a/x": Actual(start=D(2024, 4, 3))})
    assert cached_graph(plan) is graph
    prepare(plan)
    assert cached_graph(plan) is graph
    assert schedule(plan).to_json() == first.to_json()
    assert second.tasks["a/y"].early_start == D(2024, 4, 10)  # x ran 4/3–4/9
    # A copy that keeps the initiatives list shares the graph.
    same = plan.model_copy(update={"name": "別名"})
    assert schedule(same).to_json() == first.to_json()
    assert cached_graph(same) is graph


def test_changed_copy_gets_a_new_graph_and_schedule() -> None:
    plan = plan_from_data(_chain_data())
    graph = cached_graph(plan)
    before = schedule(plan).to_json()
    initiative = plan.initiatives[0]
    longer = initiative.tasks[1].model_copy(
        update={"duration": plan.initiatives[0].tasks[0].duration}
    )
    changed = plan.model_copy(
        update={
            "initiatives": [
                initiative.model_copy(
                    update={"tasks": [initiative.tasks[0], longer, initiative.tasks[2]]}
                )
            ]
        }
    )
    result = schedule(changed)
    assert isinstance(cached_graph(changed), Graph)
    assert cached_graph(changed) is not graph
    assert cached_graph(changed).source is changed.initiatives
    assert cached_graph(plan) is graph
    # y now takes 5 working days (4/8–4/12) instead of 3 (4/8–4/10).
    y = result.tasks["a/y"]
    assert (y.early_start, y.early_finish, y.duration_days) == (D(2024, 4, 8), D(2024, 4, 12), 5)
    assert result.tasks["a/z"].early_start == D(2024, 4, 12)
    assert result.finish == D(2024, 4, 12)
    original = schedule(plan)
    assert original.to_json() == before
    assert original.tasks["a/y"].early_finish == D(2024, 4, 10)
    assert original.finish == D(2024, 4, 10)


# --- 3. TaskTable -----------------------------------------------------------------------------------


def _two_initiatives() -> Plan:
    return plan_from_data(
        {
            "id": "table",
            "name": "表",
            "period": {"start": "FY2024", "end": "FY2024"},
            "initiatives": [
                {
                    "id": "b",
                    "name": "取組B",
                    "tasks": [
                        {"id": "q", "name": "調達", "duration": "2bd"},
                        {"id": "p", "name": "導入", "duration": "4bd", "after": "q"},
                    ],
                },
                {
                    "id": "a",
                    "name": "取組A",
                    "tasks": [
                        {"id": "x", "name": "検討", "duration": "5bd", "after": "b/q"},
                        {"id": "m", "name": "完了", "milestone": True, "after": ["x", "b/p"]},
                    ],
                },
            ],
        }
    )


_PLAN_ORDER = ["b/q", "b/p", "a/x", "a/m"]


def test_task_table_reads_refs_without_making_records() -> None:
    result = schedule(_two_initiatives())
    tasks = result.tasks
    assert isinstance(tasks, TaskTable)
    assert isinstance(tasks, Mapping)
    assert not isinstance(tasks, dict)
    assert len(tasks) == 4
    assert "a/x" in tasks
    assert "b/x" not in tasks
    assert "a/x" in tasks.keys()  # noqa: SIM118  (the keys view, on purpose)
    assert list(tasks) == _PLAN_ORDER
    assert list(tasks.keys()) == _PLAN_ORDER
    assert repr(tasks) == "<TaskTable of 4 tasks>"
    # Nor do the schedule's other parts.
    # q 4/1–4/2; p 4/3–4/8 and x 4/3–4/9 after q; m after both, at the end of 4/9.
    assert result.finish == D(2024, 4, 9)
    assert result.initiatives == {
        "b": Span(D(2024, 4, 1), D(2024, 4, 8)),
        "a": Span(D(2024, 4, 3), D(2024, 4, 9)),
    }
    assert result.critical_paths == [["b/q", "a/x", "a/m"]]
    assert result.violations == []
    assert tasks._records is None


def test_task_table_makes_records_once() -> None:
    tasks = schedule(_two_initiatives()).tasks
    x = tasks["a/x"]
    records = tasks._records
    assert isinstance(records, dict)
    assert list(records) == _PLAN_ORDER
    assert (x.ref, x.initiative, x.early_start, x.early_finish) == (
        "a/x",
        "a",
        D(2024, 4, 3),
        D(2024, 4, 9),
    )
    assert tasks["a/x"] is x
    assert tasks.get("a/x") is x
    assert tasks.get("a/nope") is None
    assert tasks.get("a/nope", 0) == 0
    assert [t.ref for t in tasks.values()] == _PLAN_ORDER
    assert [ref for ref, _ in tasks.items()] == _PLAN_ORDER
    assert all(ref == t.ref for ref, t in tasks.items())
    assert tasks._records is records
    with pytest.raises(KeyError, match="a/nope"):
        tasks["a/nope"]
    assert tasks._records is records


@pytest.mark.parametrize("read", ["get", "values", "items", "getitem"])
def test_each_record_read_makes_the_records(read: str) -> None:
    tasks = schedule(_two_initiatives()).tasks
    assert tasks._records is None
    if read == "get":
        tasks.get("b/q")
    elif read == "values":
        list(tasks.values())
    elif read == "items":
        list(tasks.items())
    else:
        tasks["b/q"]
    assert tasks._records is not None
    assert list(tasks._records) == _PLAN_ORDER


def test_unknown_ref_is_a_key_error_before_records_exist() -> None:
    tasks = schedule(_two_initiatives()).tasks
    with pytest.raises(KeyError):
        tasks["x"]


def test_task_tables_compare_as_mappings() -> None:
    plan = _two_initiatives()
    one, two = schedule(plan).tasks, schedule(plan).tasks
    assert one == two
    assert one._records is not None
    assert two._records is not None
    assert one._records is not two._records
    late = schedule(plan, {"b/q": Actual(start=D(2024, 4, 2), finish=D(2024, 4, 5))}).tasks
    assert late != one
    as_dict = dict(late)
    assert as_dict == dict(late.items())
    assert list(as_dict) == _PLAN_ORDER
    assert all(as_dict[ref] is record for ref, record in late.items())
    assert late == as_dict
    assert as_dict["b/q"].actual
    assert as_dict["b/p"].early_start == D(2024, 4, 8)


# --- 4. plans not made by the loader ------------------------------------------------------------


def _validated(*tasks: dict[str, Any]) -> Plan:
    return Plan.model_validate(
        {
            "id": "direct",
            "name": "直接",
            "period": {"start": 2024, "end": 2024},
            "initiatives": [{"id": "a", "name": "取組A", "tasks": list(tasks)}],
        }
    )


def test_validated_plan_gets_its_graph_at_first_schedule() -> None:
    plan = Plan.model_validate(_chain_data())
    assert cached_graph(plan) is None
    result = schedule(plan)
    graph = cached_graph(plan)
    assert isinstance(graph, Graph)
    assert graph.source is plan.initiatives
    x, y, z = (result.tasks[ref] for ref in ("a/x", "a/y", "a/z"))
    assert (x.early_start, x.early_finish) == (D(2024, 4, 1), D(2024, 4, 5))
    assert (y.early_start, y.early_finish) == (D(2024, 4, 8), D(2024, 4, 10))
    assert (z.early_start, z.early_finish, z.milestone) == (D(2024, 4, 10), D(2024, 4, 10), True)
    assert result.to_json() == schedule(plan_from_data(_chain_data())).to_json()
    schedule(plan)
    assert cached_graph(plan) is graph


@pytest.mark.parametrize("on", ["nope", "b/zz", "a/nope"])
def test_link_to_unknown_task_is_a_plan_error(on: str) -> None:
    plan = _validated(
        {"id": "x", "name": "検討", "duration": "2bd"},
        {"id": "y", "name": "実証", "duration": "2bd", "depends": [{"on": on, "type": "SS"}]},
    )
    for _ in range(2):  # no graph is kept, and the next schedule fails alike
        with pytest.raises(PlanError) as caught:
            schedule(plan)
        assert f"'{on}'" in str(caught.value)
        assert "a/y 「実証」" in str(caught.value)
        assert cached_graph(plan) is None


def test_after_to_unknown_task_is_a_plan_error() -> None:
    plan = _validated({"id": "x", "name": "検討", "duration": "2bd", "after": ["ghost"]})
    with pytest.raises(PlanError, match="'ghost'"):
        schedule(plan)


def test_duplicate_task_id_is_a_plan_error() -> None:
    plan = _validated(
        {"id": "x", "name": "検討", "duration": "2bd"},
        {"id": "x", "name": "再検討", "duration": "3bd"},
    )
    with pytest.raises(PlanError, match="a/x") as caught:
        schedule(plan)
    assert "重複" in str(caught.value)
    assert cached_graph(plan) is None


# --- 5. prepare -------------------------------------------------------------------------------------


def test_prepare_raises_for_a_plan_that_cannot_be_scheduled() -> None:
    plan = _validated({"id": "x", "name": "検討", "duration": "2bd", "after": ["a/ghost"]})
    with pytest.raises(PlanError, match="'a/ghost'"):
        prepare(plan)
    assert cached_graph(plan) is None


def test_prepare_builds_the_graph_of_a_validated_plan() -> None:
    plan = _validated(
        {"id": "x", "name": "検討", "duration": "2bd"},
        {"id": "y", "name": "実証", "duration": "2bd", "after": "x"},
    )
    prepare(plan)
    graph = cached_graph(plan)
    assert isinstance(graph, Graph)
    assert graph.refs == ["a/x", "a/y"]
    schedule(plan)
    assert cached_graph(plan) is graph


@pytest.mark.parametrize("initiatives", [[], [{"id": "a", "name": "取組A"}]])
def test_prepare_and_schedule_an_empty_plan(initiatives: list[dict[str, Any]]) -> None:
    plan = Plan.model_validate(
        {
            "id": "empty",
            "name": "空",
            "period": {"start": 2024, "end": 2024},
            "initiatives": initiatives,
        }
    )
    prepare(plan)
    assert isinstance(cached_graph(plan), Graph)
    result = schedule(plan)
    assert isinstance(result, Schedule)
    assert len(result.tasks) == 0
    assert list(result.tasks) == []
    assert dict(result.tasks) == {}
    assert result.initiatives == {}
    assert result.critical_paths == []
    assert result.violations == []
    assert result.finish == result.start == D(2024, 4, 1)
    assert result.to_json()["tasks"] == []


# --- critical paths in plan order -----------------------------------------------------------------


def test_critical_paths_in_plan_order_whatever_the_actuals() -> None:
    plan = plan_from_data(
        {
            "id": "fixed",
            "name": "固定",
            "period": {"start": "FY2024", "end": "FY2024"},
            "initiatives": [
                {
                    "id": "a",
                    "name": "取組A",
                    "tasks": [
                        {"id": "f", "name": "固定", "start": "2024-05-07", "finish": "2024-05-10"},
                        {
                            "id": "x",
                            "name": "X",
                            "duration": "4bd",
                            "depends": [{"on": "f", "type": "SS"}],
                        },
                        {"id": "y", "name": "Y", "duration": "0bd", "after": "f"},
                        {
                            "id": "w",
                            "name": "W",
                            "duration": "1bd",
                            "depends": [{"on": "f", "type": "SS"}],
                        },
                    ],
                }
            ],
        }
    )
    touched = schedule(plan, {"a/w": Actual(start=D(2024, 5, 7))}).critical_paths
    assert touched == [["a/f", "a/x"], ["a/f", "a/y"]]  # plan order
    assert schedule(plan).critical_paths == touched


def test_unknown_link_in_a_plan_with_repeated_initiative_ids_is_a_plan_error() -> None:
    # Not through the loader, which rejects the repeated id first: the message must still be
    # built, though the task is in the second initiative of that id.
    plan = Plan.model_validate(
        {
            "id": "p",
            "name": "P",
            "period": {"start": "FY2024", "end": "FY2024"},
            "initiatives": [
                {"id": "a", "name": "A", "tasks": [{"id": "x", "name": "X", "duration": "1bd"}]},
                {
                    "id": "a",
                    "name": "A2",
                    "tasks": [{"id": "y", "name": "Y", "duration": "1bd", "after": ["zz"]}],
                },
            ],
        }
    )
    with pytest.raises(PlanError, match="'zz'"):
        schedule(plan)


def test_graph_is_dropped_with_its_plan() -> None:
    import gc

    plan = plan_from_data(_chain_data())
    schedule(plan)
    key = id(plan.initiatives)
    assert key in network._GRAPHS
    del plan
    gc.collect()
    assert key not in network._GRAPHS
