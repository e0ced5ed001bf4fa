from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from aomori_roadmap.calendar import Day, Duration, FiscalYear, Half, Quarter
from aomori_roadmap.plan.model import (
    Dependency,
    Initiative,
    Kpi,
    LinkType,
    Plan,
    Task,
    check_plan,
)

# --- strategies: plan data as people write it ------------------------------------------------

ids = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
texts = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
    .map(str.strip)
    .filter(bool)
)
years = st.integers(2000, 2040)
periods = st.one_of(
    years.map(lambda y: f"FY{y}"),
    st.tuples(years, st.integers(1, 2)).map(lambda t: f"FY{t[0]}-H{t[1]}"),
    st.tuples(years, st.integers(1, 4)).map(lambda t: f"FY{t[0]}-Q{t[1]}"),
    st.dates(date(2000, 1, 1), date(2040, 12, 31)).map(date.isoformat),
    st.integers(1, 20).map(lambda n: f"令和{n}年度上期"),
)
# Up to 100: 100y is the longest duration a plan may hold.
durations = st.tuples(
    st.integers(-50, 100), st.sampled_from(["bd", "d", "w", "mo", "half", "y"])
).map(lambda t: f"{t[0]}{t[1]}")
dependencies = st.fixed_dictionaries(
    {"on": ids},
    optional={"type": st.sampled_from(["FS", "SS", "FF", "SF"]), "lag": durations},
)
tasks = st.fixed_dictionaries(
    {"id": ids, "name": texts},
    optional={
        "start": periods,
        "finish": periods,
        "duration": durations,
        "milestone": st.booleans(),
        "after": st.one_of(ids, st.lists(ids, max_size=3)),
        "depends": st.lists(dependencies, max_size=3),
        "due": periods,
        "note": texts,
    },
)
initiatives = st.fixed_dictionaries(
    {"id": ids, "name": texts},
    optional={
        "description": texts,
        "illustrative": st.booleans(),
        "item": ids,
        "policies": st.lists(ids, max_size=3),
        "priority": st.lists(texts, max_size=2),
        "department": ids,
        "kpis": st.lists(ids, max_size=2),
        "tasks": st.lists(tasks, max_size=4),
    },
)
kpi_points = st.fixed_dictionaries(
    {"fy": years},
    optional={"value": st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32)},
)
kpis = st.fixed_dictionaries(
    {"id": ids, "name": texts, "baseline": kpi_points, "target": kpi_points},
    optional={
        "category": st.sampled_from(["basic", "field"]),
        "direction": st.sampled_from(["up", "down"]),
        "unit": texts,
        "source": texts,
    },
)
plans = st.fixed_dictionaries(
    {
        "id": ids,
        "name": texts,
        "period": st.fixed_dictionaries({"start": years.map(str), "end": years.map(str)}),
    },
    optional={
        "subtitle": texts,
        "fields": st.lists(st.fixed_dictionaries({"id": ids, "name": texts}), max_size=2),
        "items": st.lists(
            st.fixed_dictionaries(
                {"id": ids, "field": ids, "name": texts},
                optional={
                    "vision_2040": st.lists(texts, max_size=2),
                    "policies": st.lists(
                        st.fixed_dictionaries({"id": ids, "text": texts}), max_size=3
                    ),
                },
            ),
            max_size=2,
        ),
        "departments": st.lists(
            st.fixed_dictionaries({"id": ids, "name": texts}, optional={"contact": texts}),
            max_size=2,
        ),
        "kpis": st.lists(kpis, max_size=2),
        "calendar": st.fixed_dictionaries(
            {},
            optional={
                "year_end_closure": st.booleans(),
                "closed_days": st.lists(st.dates(date(2024, 1, 1), date(2029, 12, 31)), max_size=3),
            },
        ),
        "initiatives": st.lists(initiatives, max_size=3),
    },
)


def assert_round_trip(model: BaseModel) -> None:
    again = type(model).model_validate_json(model.model_dump_json())
    assert again == model
    assert type(model).model_validate(model.model_dump(mode="json")) == model


@settings(max_examples=60, deadline=None)
@given(plans)
def test_plan_round_trips_through_json(data: dict[str, Any]) -> None:
    assert_round_trip(Plan.model_validate(data))


@settings(max_examples=80, deadline=None)
@given(initiatives)
def test_initiative_round_trips_through_json(data: dict[str, Any]) -> None:
    assert_round_trip(Initiative.model_validate(data))


@settings(max_examples=80, deadline=None)
@given(tasks)
def test_task_round_trips_through_json(data: dict[str, Any]) -> None:
    assert_round_trip(Task.model_validate(data))


@given(dependencies)
def test_dependency_round_trips_through_json(data: dict[str, Any]) -> None:
    assert_round_trip(Dependency.model_validate(data))


@given(kpis)
def test_kpi_round_trips_through_json(data: dict[str, Any]) -> None:
    assert_round_trip(Kpi.model_validate(data))


def test_every_model_of_the_default_plan_round_trips() -> None:
    from aomori_roadmap.plan.loader import default_plan

    plan = default_plan()
    assert_round_trip(plan)
    for part in [*plan.fields, *plan.items, *plan.kpis, *plan.departments, *plan.initiatives]:
        assert_round_trip(part)


# --- field parsing ---------------------------------------------------------------------------


def test_period_fields_take_expressions_and_serialise_canonically() -> None:
    task = Task.model_validate(
        {"id": "t", "name": "T", "start": "令和6年度上期", "due": "R8下期", "finish": "2025-03-31"}
    )
    assert task.start == Half(2024, 1)
    assert task.due == Half(2026, 2)
    assert task.finish == Day(date(2025, 3, 31))
    assert task.model_dump(mode="json")["start"] == "FY2024-H1"


def test_yaml_dates_and_integers_are_periods() -> None:
    task = Task.model_validate({"id": "t", "name": "T", "start": date(2024, 4, 1), "due": 2026})
    assert task.start == Day(date(2024, 4, 1))
    assert task.due == FiscalYear(2026)


def test_quarter_period() -> None:
    assert Task.model_validate({"id": "t", "name": "T", "start": "FY2024-Q3"}).start == Quarter(
        2024, 3
    )


def test_after_accepts_one_ref_or_a_list() -> None:
    assert Task.model_validate({"id": "t", "name": "T", "after": "a"}).after == ["a"]
    assert Task.model_validate({"id": "t", "name": "T", "after": ["a", "b/c"]}).after == [
        "a",
        "b/c",
    ]


def test_links_list_after_as_finish_to_start_then_depends() -> None:
    task = Task.model_validate(
        {
            "id": "t",
            "name": "T",
            "after": "a",
            "depends": [{"on": "b", "type": "SS", "lag": "-3bd"}],
        }
    )
    assert task.links == [
        Dependency(on="a"),
        Dependency(on="b", type=LinkType.SS, lag=Duration(-3, "bd")),
    ]


def test_a_bare_integer_duration_is_working_days() -> None:
    assert Task.model_validate({"id": "t", "name": "T", "duration": 15}).duration == Duration(
        15, "bd"
    )


def test_plan_period_must_be_fiscal_years() -> None:
    with pytest.raises(PydanticValidationError, match="年度ではありません"):
        Plan.model_validate({"id": "p", "name": "P", "period": {"start": "FY2024-H1", "end": 2028}})


@pytest.mark.parametrize("bad", ["a/b/c", "has space", "/x", "日本語"])
def test_ids_and_refs_are_ascii_slugs(bad: str) -> None:
    with pytest.raises(PydanticValidationError):
        Task.model_validate({"id": "t", "name": "T", "after": bad})


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(PydanticValidationError, match="extra"):
        Task.model_validate({"id": "t", "name": "T", "duraton": "1mo"})


def test_models_are_immutable() -> None:
    task = Task.model_validate({"id": "t", "name": "T"})
    with pytest.raises(PydanticValidationError):
        task.name = "U"  # type: ignore[misc]


# --- checks across the plan ------------------------------------------------------------------


def _plan(**extra: Any) -> Plan:
    data: dict[str, Any] = {
        "id": "p",
        "name": "P",
        "period": {"start": "FY2024", "end": "FY2028"},
        "fields": [{"id": "f", "name": "分野"}],
        "items": [
            {"id": "i", "field": "f", "name": "項目", "policies": [{"id": "i-1", "text": "方針"}]}
        ],
        "departments": [{"id": "somu", "name": "総務部"}],
        "priorities": [{"id": "bousai", "name": "防災"}],
    }
    data.update(extra)
    return Plan.model_validate(data)


def _messages(plan: Plan) -> list[str]:
    return [p.message for p in check_plan(plan)]


def test_a_consistent_plan_has_no_problems() -> None:
    plan = _plan(
        initiatives=[
            {
                "id": "a",
                "name": "A",
                "item": "i",
                "policies": ["i-1"],
                "priority": ["防災", "bousai"],
                "department": "somu",
                "tasks": [
                    {"id": "x", "name": "X", "duration": "1mo"},
                    {"id": "y", "name": "Y", "milestone": True, "after": ["x"]},
                ],
            }
        ]
    )
    assert check_plan(plan) == []


def test_unknown_reference_suggests_the_closest_id() -> None:
    (problem,) = check_plan(_plan(initiatives=[{"id": "a", "name": "A", "department": "somuu"}]))
    assert problem.code == "unknown-reference"
    assert problem.loc == ("initiatives", 0, "department")
    assert problem.hint == "もしかして 'somu'?"


def test_unknown_task_reference_in_another_initiative() -> None:
    plan = _plan(
        initiatives=[
            {"id": "a", "name": "A", "tasks": [{"id": "x", "name": "X", "duration": "1mo"}]},
            {
                "id": "b",
                "name": "B",
                "tasks": [{"id": "y", "name": "Y", "duration": "1mo", "depends": [{"on": "a/z"}]}],
            },
        ]
    )
    (problem,) = check_plan(plan)
    assert problem.loc == ("initiatives", 1, "tasks", 0, "depends", 0, "on")
    assert "'a/z'" in problem.message


def test_duplicate_ids_are_reported_at_the_second_one() -> None:
    plan = _plan(
        initiatives=[
            {"id": "a", "name": "A"},
            {
                "id": "a",
                "name": "A2",
                "tasks": [
                    {"id": "x", "name": "X", "duration": "1mo"},
                    {"id": "x", "name": "X2", "duration": "1mo"},
                ],
            },
        ]
    )
    locs = [p.loc for p in check_plan(plan)]
    assert ("initiatives", 1, "id") in locs
    assert ("initiatives", 1, "tasks", 1, "id") in locs


@pytest.mark.parametrize(
    ("task", "fragment"),
    [
        ({"milestone": True, "duration": "1mo"}, "マイルストーン"),
        ({"finish": "FY2025"}, "start が必要"),
        ({"start": "FY2025", "finish": "FY2025", "duration": "1mo"}, "両方"),
        ({}, "長さが決まりません"),
        ({"start": "FY2026", "finish": "FY2025"}, "より前"),
        ({"duration": "-3bd"}, "負"),
        ({"duration": "1mo", "after": "x"}, "自分自身"),
    ],
)
def test_task_shape_problems(task: dict[str, Any], fragment: str) -> None:
    plan = _plan(
        initiatives=[{"id": "a", "name": "A", "tasks": [{"id": "x", "name": "X", **task}]}]
    )
    assert any(fragment in m for m in _messages(plan))


def test_unknown_priority_policy_item_kpi_foundation() -> None:
    plan = _plan(
        initiatives=[
            {
                "id": "a",
                "name": "A",
                "item": "j",
                "policies": ["i-9"],
                "priority": ["教育"],
                "kpis": ["k"],
                "foundations": ["data"],
            }
        ]
    )
    kinds = sorted(m.split(" ")[0] for m in _messages(plan))
    assert kinds == sorted(["基盤", "成果指標", "取組方針", "重点", "項目"])


def test_structure_references_are_checked() -> None:
    plan = _plan(
        items=[{"id": "i", "field": "nope", "name": "項目"}],
        kpis=[
            {
                "id": "k",
                "name": "K",
                "field": "f2",
                "department": "x",
                "baseline": {"fy": 2023},
                "target": {"fy": 2028},
            }
        ],
        departments=[{"id": "somu", "name": "総務部", "parent": "ghost"}],
        period={"start": "FY2028", "end": "FY2024"},
    )
    assert len(check_plan(plan)) == 5


def test_lookups() -> None:
    plan = _plan(initiatives=[{"id": "a", "name": "A", "tasks": [{"id": "x", "name": "X"}]}])
    assert plan.task("a/x").name == "X"
    assert plan.initiative("a").name == "A"
    assert plan.resolve(plan.initiatives[0], "x") == "a/x"
    assert plan.resolve(plan.initiatives[0], "b/y") == "b/y"
    assert plan.task_loc("a/x") == ("initiatives", 0, "tasks", 0)
    with pytest.raises(KeyError):
        plan.task("a/nope")
