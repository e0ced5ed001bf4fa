"""Gantt JSON (``GanttData.to_json``, ``gantt_json``): shape, dates, grouping, filters, links,
markers, scale, and its schema generated from the types of the Gantt view."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.schedule import Schedule, schedule
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.gantt import (
    GANTT_JSON_SCHEMA,
    gantt_json,
    gantt_json_schema,
)
from aomori_roadmap.export.gantt import gantt_data as gantt_view
from aomori_roadmap.plan.loader import default_plan, load_plan, plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.plan.schema import schema_text
from aomori_roadmap.views.gantt import GanttData

ROOT = Path(__file__).resolve().parents[2]
AWKWARD = ROOT / "tests" / "js" / "awkward-plan.json"


def gantt_data(plan: Plan, computed: Schedule, **options: Any) -> dict[str, Any]:
    """The Gantt JSON: the view's ``to_json``, checked to read back into the same view."""
    view = gantt_view(plan, computed, **options)
    document = view.to_json()
    assert GanttData.from_json(document) == view
    return document


@pytest.fixture(scope="module")
def data(plan: Plan, computed: Schedule) -> dict[str, Any]:
    return gantt_data(plan, computed, cycles=review_cycles(plan, computed))


def _tasks(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in data["rows"] if row["kind"] in ("task", "milestone")]


def _small(tasks: list[dict[str, Any]], **initiative: Any) -> Plan:
    return plan_from_data(
        {
            "id": "small",
            "name": "小さな計画",
            "period": {"start": "FY2024", "end": "FY2025"},
            "initiatives": [{"id": "a", "name": "取組A", **initiative, "tasks": tasks}],
        }
    )


# --- a tiny JSON Schema checker: the keywords our schemas use ----------------------------------

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def schema_errors(
    value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$"
) -> list[str]:
    """Where ``value`` breaks ``schema`` (type, const, enum, pattern, bounds, properties,
    required, additionalProperties, items, minItems, anyOf, oneOf, $ref)."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return schema_errors(value, target, root, at)
    errors: list[str] = []
    options = schema.get("anyOf", [])
    if options and all(schema_errors(value, option, root, at) for option in options):
        errors.append(f"{at}: matches no anyOf option")
    choices = schema.get("oneOf", [])
    matching = sum(not schema_errors(value, choice, root, at) for choice in choices)
    if choices and matching != 1:
        errors.append(f"{at}: matches {matching} oneOf options, not one")
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, name) for name in names):
            return [f"{at}: {value!r} is not {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{at}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{at}: {value} < {schema['minimum']}")
    if isinstance(value, int) and "maximum" in schema and value > schema["maximum"]:
        errors.append(f"{at}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{at}: missing {key}" for key in schema.get("required", []) if key not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{at}: unexpected {key}" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], root, f"{at}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{at}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for n, item in enumerate(value):
                errors += schema_errors(item, schema["items"], root, f"{at}[{n}]")
    return errors


def test_the_checker_catches_what_it_should(data: dict[str, Any]) -> None:
    bad = {"plan": {"id": "p"}, "extra": 1}
    errors = schema_errors(bad, GANTT_JSON_SCHEMA, GANTT_JSON_SCHEMA)
    assert "$.plan: missing name" in errors
    assert "$: unexpected extra" in errors
    rows = [{**data["rows"][3], "kind": "initiative"}, {**data["rows"][0], "level": 1}]
    errors = schema_errors({**data, "rows": rows}, GANTT_JSON_SCHEMA, GANTT_JSON_SCHEMA)
    assert errors == [
        "$.rows[0]: matches 0 oneOf options, not one",
        "$.rows[1]: matches 0 oneOf options, not one",
    ]


# --- the schema --------------------------------------------------------------------------------


def test_default_plan_validates_against_the_schema(data: dict[str, Any]) -> None:
    assert schema_errors(data, GANTT_JSON_SCHEMA, GANTT_JSON_SCHEMA) == []


def test_awkward_plan_with_states_and_baseline_validates_against_the_schema() -> None:
    awkward = load_plan(AWKWARD)
    computed = schedule(awkward)
    refs = list(computed.tasks)
    data = gantt_data(
        awkward,
        computed,
        as_of=date(2024, 6, 1),
        states={refs[0]: ("done", 100), refs[1]: ("in_progress", 40)},
        lateness={refs[1]: "late"},
        baseline=computed,
        baseline_name="当初計画",
        cycles=review_cycles(awkward, computed),
    )
    assert schema_errors(data, GANTT_JSON_SCHEMA, GANTT_JSON_SCHEMA) == []


def test_default_plan_validates_with_jsonschema(data: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    jsonschema.Draft202012Validator.check_schema(GANTT_JSON_SCHEMA)
    jsonschema.Draft202012Validator(GANTT_JSON_SCHEMA).validate(data)


@pytest.mark.parametrize(
    "options",
    [{"department": department.id} for department in default_plan().departments]
    + [{"as_of": date(2025, 3, 31)}, {"priority": "防災"}],
    ids=str,
)
def test_every_gantt_json_of_the_default_plan_validates_with_jsonschema(
    plan: Plan, computed: Schedule, options: dict[str, Any]
) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    refs = list(computed.tasks)
    document = gantt_data(
        plan,
        computed,
        states={refs[0]: ("done", 100), refs[1]: ("in_progress", 30)},
        lateness={refs[1]: "at_risk"},
        baseline=computed,
        baseline_name="当初計画",
        cycles=review_cycles(plan, computed),
        **options,
    )
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    jsonschema.Draft202012Validator(GANTT_JSON_SCHEMA, format_checker=checker).validate(document)


def test_committed_schema_is_up_to_date() -> None:
    committed = ROOT / "schemas" / "gantt.schema.json"
    assert committed.read_text(encoding="utf-8") == schema_text(gantt_json_schema()), (
        "schemas/gantt.schema.json is stale: regenerate it from gantt_json_schema()"
    )


def test_schema_function_returns_a_fresh_copy() -> None:
    copy = gantt_json_schema()
    copy["$defs"].clear()
    assert GANTT_JSON_SCHEMA["$defs"]


# --- shape and dates ---------------------------------------------------------------------------


def test_keys_come_in_the_contract_order(data: dict[str, Any]) -> None:
    assert list(data) == [
        "plan",
        "as_of",
        "baseline",
        "scale",
        "rows",
        "links",
        "markers",
        "critical_paths",
    ]
    assert list(_tasks(data)[0]) == [
        "id",
        "kind",
        "parent",
        "level",
        "name",
        "start",
        "finish",
        "duration_days",
        "milestone",
        "status",
        "progress",
        "lateness",
        "critical",
        "total_slack",
        "free_slack",
        "due",
        "baseline_start",
        "baseline_finish",
    ]


def test_every_task_appears_once_with_its_early_dates(
    data: dict[str, Any], computed: Schedule
) -> None:
    rows = _tasks(data)
    assert [row["id"] for row in rows] == sorted(computed.tasks, key=[r["id"] for r in rows].index)
    assert {row["id"] for row in rows} == set(computed.tasks)
    for row in rows:
        task = computed.tasks[row["id"]]
        assert row["start"] == task.early_start.isoformat()
        assert row["finish"] == task.early_finish.isoformat()
        assert row["critical"] is task.critical
        assert (row["total_slack"], row["free_slack"]) == (task.total_slack, task.free_slack)


def test_milestones_have_one_date(data: dict[str, Any]) -> None:
    milestones = [row for row in data["rows"] if row["kind"] == "milestone"]
    assert milestones
    assert all(row["start"] == row["finish"] and row["milestone"] for row in milestones)


def test_rows_are_depth_first_with_parents_first(data: dict[str, Any]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for row in data["rows"]:
        if row["parent"] is None:
            assert row["kind"] == "field" and row["level"] == 0
        else:
            parent = seen[row["parent"]]
            assert row["level"] == parent["level"] + 1
        seen[row["id"]] = row
    kinds = [row["kind"] for row in data["rows"]]
    assert kinds[:4] == ["field", "item", "initiative", "task"]


def test_fields_and_items_follow_plan_order(data: dict[str, Any], plan: Plan) -> None:
    fields = [row["id"] for row in data["rows"] if row["kind"] == "field"]
    order = [f"field:{f.id}" for f in plan.fields]
    assert fields == [f for f in order if f in fields]
    items = [row["id"] for row in data["rows"] if row["kind"] == "item"]
    item_order = [f"item:{i.id}" for i in plan.items]
    within = [i for i in item_order if i in items]
    by_field = {f"item:{i.id}": f"field:{i.field}" for i in plan.items}
    assert sorted(items, key=lambda i: (fields.index(by_field[i]), within.index(i))) == items


def test_group_spans_cover_their_tasks(data: dict[str, Any]) -> None:
    rows = data["rows"]
    for group in (row for row in rows if row["kind"] in ("field", "item", "initiative")):
        under = _descendant_tasks(rows, group["id"])
        assert under
        assert group["start"] == min(row["start"] for row in under)
        assert group["finish"] == max(row["finish"] for row in under)


def _descendant_tasks(rows: list[dict[str, Any]], ident: str) -> list[dict[str, Any]]:
    children = {ident}
    found = []
    for row in rows:
        if row["parent"] in children:
            children.add(row["id"])
            if row["kind"] in ("task", "milestone"):
                found.append(row)
    return found


def test_initiative_rows_carry_department_and_priority_ids(data: dict[str, Any]) -> None:
    row = next(r for r in data["rows"] if r["id"] == "initiative:bousai-dx-alerts")
    assert row["department"] == "kikikanri"
    assert row["department_name"]
    assert row["priority"] == ["bousai"]
    assert row["illustrative"] is True


def test_initiatives_without_an_item_go_last_under_a_synthetic_group() -> None:
    awkward = load_plan(AWKWARD)
    data = gantt_data(awkward, schedule(awkward))
    rows = data["rows"]
    start = next(n for n, row in enumerate(rows) if row["id"] == "field:_none")
    assert [(row["id"], row["name"]) for row in rows[start : start + 3]] == [
        ("field:_none", "（分野なし）"),
        ("item:_none", "（項目なし）"),
        ("initiative:b", "No item & more\n(second line)"),
    ]
    assert all(row["parent"] != "field:_none" for row in rows[:start])


def test_an_initiative_without_tasks_is_left_out() -> None:
    plan = plan_from_data(
        {
            "id": "p",
            "name": "P",
            "period": {"start": 2024, "end": 2024},
            "initiatives": [
                {"id": "empty", "name": "空"},
                {"id": "a", "name": "A", "tasks": [{"id": "x", "name": "X", "duration": "5bd"}]},
            ],
        }
    )
    data = gantt_data(plan, schedule(plan))
    assert [row["id"] for row in data["rows"]] == [
        "field:_none",
        "item:_none",
        "initiative:a",
        "a/x",
    ]


def test_status_lateness_and_baseline_come_from_the_arguments(
    plan: Plan, computed: Schedule
) -> None:
    ref = "bousai-dx-alerts/design"
    moved = plan_from_data(
        {
            **plan.model_dump(mode="json", exclude_none=True),
            "initiatives": [
                i.model_dump(mode="json", exclude_none=True)
                for i in plan.initiatives
                if i.id == "bousai-dx-alerts"
            ],
        }
    )
    data = gantt_data(
        plan,
        computed,
        as_of=date(2025, 1, 10),
        states={ref: ("in_progress", 30)},
        lateness={ref: "at_risk"},
        baseline=schedule(moved),
        baseline_name="R6当初",
    )
    rows = {row["id"]: row for row in data["rows"]}
    assert (rows[ref]["status"], rows[ref]["progress"], rows[ref]["lateness"]) == (
        "in_progress",
        30,
        "at_risk",
    )
    other = rows["bousai-dx-alerts/study"]
    assert (other["status"], other["progress"], other["lateness"]) == ("planned", 0, None)
    assert rows[ref]["baseline_start"] == rows[ref]["start"]
    assert rows["sangyo-dx-sales/study"]["baseline_start"] is None
    assert (data["as_of"], data["baseline"]) == ("2025-01-10", "R6当初")


def test_status_and_lateness_members_become_plain_codes(plan: Plan, computed: Schedule) -> None:
    ref = "bousai-dx-alerts/design"
    data = gantt_data(
        plan,
        computed,
        states={ref: (Status.ON_HOLD, 10)},
        lateness={ref: Lateness.LATE},
    )
    row = next(r for r in data["rows"] if r["id"] == ref)
    assert (type(row["status"]), type(row["lateness"])) == (str, str)
    assert (row["status"], row["lateness"]) == ("on_hold", "late")


@pytest.mark.parametrize(
    ("states", "lateness"),
    [
        ({"bousai-dx-alerts/design": ("started", 10)}, None),
        ({"bousai-dx-alerts/design": ("done", 120)}, None),
        (None, {"bousai-dx-alerts/design": "behind"}),
    ],
)
def test_unknown_status_progress_or_lateness_is_an_error(
    plan: Plan, computed: Schedule, states: Any, lateness: Any
) -> None:
    with pytest.raises(PlanError, match="bousai-dx-alerts/design"):
        gantt_data(plan, computed, states=states, lateness=lateness)


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "initiatives"),
    [
        ("department", "kikikanri", {"bousai-dx-alerts"}),
        ("priority", "bousai", {"bousai-dx-alerts", "bousai-dx-drone-inspection"}),
        ("priority", "防災", {"bousai-dx-alerts", "bousai-dx-drone-inspection"}),
        ("item", "school-education", {"kyoiku-dx-ict-literacy", "kyoiku-dx-online-learning"}),
        ("field", "industry", {"sangyo-dx-matching", "sangyo-dx-sales"}),
        (
            "initiative",
            ["sangyo-dx-sales", "bousai-dx-alerts"],
            {"sangyo-dx-sales", "bousai-dx-alerts"},
        ),
    ],
)
def test_filters_keep_the_matching_initiatives(
    plan: Plan, computed: Schedule, option: str, value: Any, initiatives: set[str]
) -> None:
    data = gantt_data(plan, computed, **{option: value})
    shown = {
        row["id"].removeprefix("initiative:") for row in data["rows"] if row["kind"] == "initiative"
    }
    assert shown == initiatives
    assert {row["id"].split("/")[0] for row in _tasks(data)} == initiatives


def test_filters_combine_with_and(plan: Plan, computed: Schedule) -> None:
    data = gantt_data(plan, computed, priority="防災", department="kendo-seibi")
    assert {row["id"] for row in data["rows"] if row["kind"] == "initiative"} == {
        "initiative:bousai-dx-drone-inspection"
    }


def test_groups_left_empty_by_a_filter_are_omitted(plan: Plan, computed: Schedule) -> None:
    data = gantt_data(plan, computed, department="kikikanri")
    assert [row["id"] for row in data["rows"] if row["kind"] in ("field", "item")] == [
        "field:living",
        "item:disaster-management",
    ]


def test_a_filter_naming_nothing_in_the_plan_is_an_error(plan: Plan, computed: Schedule) -> None:
    with pytest.raises(PlanError, match="担当課 'nosuch' はプランにありません。使えるのは: "):
        gantt_data(plan, computed, department="nosuch")


def test_a_schedule_of_another_plan_is_an_error(plan: Plan) -> None:
    other = _small([{"id": "x", "name": "X", "duration": "5bd"}])
    with pytest.raises(PlanError, match="スケジュールに"):
        gantt_data(plan, schedule(other))


# --- links -------------------------------------------------------------------------------------


def test_links_carry_type_lag_and_working_day_lag(data: dict[str, Any]) -> None:
    link = next(
        x
        for x in data["links"]
        if (x["from"], x["to"]) == ("bousai-dx-alerts/design", "bousai-dx-alerts/build")
    )
    assert link == {
        "from": "bousai-dx-alerts/design",
        "to": "bousai-dx-alerts/build",
        "type": "FS",
        "lag": "10bd",
        "lag_days": 10,
    }


def test_every_link_of_the_plan_is_listed_once(data: dict[str, Any], plan: Plan) -> None:
    expected = [
        (plan.resolve(initiative, d.on), ref, d.type.value)
        for ref, initiative, task in plan.iter_tasks()
        for d in task.links
    ]
    assert sorted((x["from"], x["to"], x["type"]) for x in data["links"]) == sorted(expected)


def test_links_to_tasks_not_shown_are_dropped(plan: Plan, computed: Schedule) -> None:
    data = gantt_data(plan, computed, initiative="kyoiku-dx-online-learning")
    shown = {row["id"] for row in _tasks(data)}
    assert data["links"]
    assert all(x["from"] in shown and x["to"] in shown for x in data["links"])
    # model depends on kyoiku-dx-ict-literacy/design, which is filtered out.
    assert not any(x["from"].startswith("kyoiku-dx-ict-literacy/") for x in data["links"])


@pytest.mark.parametrize("kind", ["FS", "SS", "FF", "SF"])
@pytest.mark.parametrize("lag", ["1mo", "3w", "-10d", "1half"])
def test_calendar_lags_in_working_days_match_the_scheduler(kind: str, lag: str) -> None:
    plan = _small(
        [
            {"id": "x", "name": "X", "start": "2024-12-20", "duration": "7bd"},
            {
                "id": "y",
                "name": "Y",
                "duration": "15bd",
                "depends": [{"on": "x", "type": kind, "lag": lag}],
            },
        ]
    )
    computed = schedule(plan)
    link = gantt_data(plan, computed)["links"][0]
    x, y = computed.tasks["a/x"], computed.tasks["a/y"]
    cal = computed.calendar
    # The scheduler's boundaries: x's start or the working day after its finish, and y's
    # start or the working day after its finish; the lag spans the two (y is driven by it
    # unless it would start before the plan).
    source = x.early_start if kind in ("SS", "SF") else cal.add_working_days(x.early_finish, 1)
    target = y.early_start if kind in ("FS", "SS") else cal.add_working_days(y.early_finish, 1)
    if y.early_start > computed.start:
        assert cal.working_days_between(source, target) == link["lag_days"]
    assert link["lag"] == lag


def test_a_lag_from_a_zero_length_task_counts_from_the_day_after_it() -> None:
    plan = _small(
        [
            {"id": "x", "name": "X", "start": "2024-06-26", "duration": "0bd"},
            {
                "id": "y",
                "name": "Y",
                "duration": "3bd",
                "depends": [{"on": "x", "type": "SS", "lag": "1mo"}],
            },
        ]
    )
    computed = schedule(plan)
    x, y = computed.tasks["a/x"], computed.tasks["a/y"]
    assert (x.early_start, x.duration_days) == (date(2024, 6, 26), 0)
    # 6/27 + 1 month = 7/27, a Saturday: y starts Monday 7/29, 21 working days after 6/27.
    assert y.early_start == date(2024, 7, 29)
    assert gantt_data(plan, computed)["links"][0]["lag_days"] == 21


# --- markers, scale, critical paths ------------------------------------------------------------


def test_markers_list_every_step_of_every_cycle(data: dict[str, Any]) -> None:
    markers = data["markers"]
    halves = {m["cycle"] for m in markers}
    assert len(halves) == 10
    assert len(markers) == 10 * 4 + 5  # an annual report after each 下期
    first = markers[:4]
    assert [(m["kind"], m["date"]) for m in first] == [
        ("snapshot", "2024-09-30"),
        ("submission", "2024-10-15"),
        ("meeting", "2024-10-31"),
        ("publication", "2024-11-06"),
    ]
    assert first[1]["label_ja"] == "令和6年度上期 提出期限"
    assert first[1]["label_en"] == "FY2024 H1 submission"
    report = next(m for m in markers if m["kind"] == "annual_report")
    assert (report["label_ja"], report["label_en"]) == (
        "令和6年度 年次報告",
        "FY2024 annual report",
    )


def test_no_markers_without_cycles(plan: Plan, computed: Schedule) -> None:
    assert gantt_data(plan, computed)["markers"] == []


def test_scale_is_whole_fiscal_years_covering_everything(data: dict[str, Any]) -> None:
    scale = data["scale"]
    years = scale["fiscal_years"]
    assert years[0] == {
        "code": "FY2024",
        "start": "2024-04-01",
        "end": "2025-03-31",
        "label_ja": "2024年度（令和6年度）",
        "label_en": "FY2024",
        "wareki": "令和6年度",
    }
    # FY2028's annual report is due in June 2029: FY2029 is on the scale.
    assert [fy["code"] for fy in years] == [f"FY{y}" for y in range(2024, 2030)]
    assert (scale["start"], scale["finish"]) == ("2024-04-01", "2030-03-31")
    assert scale["halves"][:2] == [
        {
            "code": "FY2024-H1",
            "start": "2024-04-01",
            "end": "2024-09-30",
            "label_ja": "令和6年度上期",
            "label_en": "FY2024 H1",
            "short_ja": "上期",
        },
        {
            "code": "FY2024-H2",
            "start": "2024-10-01",
            "end": "2025-03-31",
            "label_ja": "令和6年度下期",
            "label_en": "FY2024 H2",
            "short_ja": "下期",
        },
    ]
    dates = [d for row in data["rows"] for d in (row["start"], row["finish"]) if d]
    dates += [m["date"] for m in data["markers"]]
    assert scale["start"] <= min(dates) and max(dates) <= scale["finish"]


def test_scale_covers_the_plan_period_when_bars_are_shorter() -> None:
    plan = _small([{"id": "x", "name": "X", "duration": "5bd"}])
    scale = gantt_data(plan, schedule(plan))["scale"]
    assert [fy["code"] for fy in scale["fiscal_years"]] == ["FY2024", "FY2025"]


def test_critical_paths_are_cut_to_the_tasks_shown() -> None:
    plan = plan_from_data(
        {
            "id": "p",
            "name": "P",
            "period": {"start": 2024, "end": 2024},
            "initiatives": [
                {"id": "a", "name": "A", "tasks": [{"id": "x", "name": "X", "duration": "5bd"}]},
                {
                    "id": "b",
                    "name": "B",
                    "tasks": [{"id": "y", "name": "Y", "duration": "5bd", "after": "a/x"}],
                },
                {
                    "id": "c",
                    "name": "C",
                    "tasks": [{"id": "z", "name": "Z", "duration": "5bd", "after": "b/y"}],
                },
            ],
        }
    )
    computed = schedule(plan)
    assert computed.critical_paths == [["a/x", "b/y", "c/z"]]
    assert gantt_data(plan, computed, initiative=["a", "c"])["critical_paths"] == [["a/x"], ["c/z"]]
    assert gantt_data(plan, computed)["critical_paths"] == [["a/x", "b/y", "c/z"]]


# --- text --------------------------------------------------------------------------------------


def test_the_text_of_the_view_is_the_text_of_its_json(plan: Plan, computed: Schedule) -> None:
    view = gantt_view(plan, computed, cycles=review_cycles(plan, computed))
    assert gantt_json(view) == gantt_json(view.to_json())


def test_gantt_json_round_trips_and_keeps_japanese(data: dict[str, Any]) -> None:
    text = gantt_json(data)
    assert json.loads(text) == data
    assert "令和6年度" in text and text.endswith("}\n")


def test_names_are_kept_as_written_in_our_own_json() -> None:
    awkward = load_plan(AWKWARD)
    data = gantt_data(awkward, schedule(awkward))
    names = {row["id"]: row["name"] for row in data["rows"]}
    assert names["a/t0"] == "<script>alert(1)</script>"
    assert names["a/t13"] == "line\nbreak\ttab\x01ctl\x1f"
    assert json.loads(gantt_json(data)) == data


# --- invariants on random plans ----------------------------------------------------------------


@st.composite
def _plans(draw: st.DrawFn) -> Plan:
    initiatives = []
    refs: list[str] = []
    for i in range(draw(st.integers(1, 4))):
        tasks = []
        for t in range(draw(st.integers(1, 5))):
            task: dict[str, Any] = {"id": f"t{t}", "name": f"工程{i}-{t}"}
            if draw(st.booleans()) and t < 4:
                task["milestone"] = True
            else:
                task["duration"] = draw(st.sampled_from(["3bd", "10bd", "1mo", "2w"]))
            earlier = refs + [f"i{i}/t{k}" for k in range(t)]
            if earlier and draw(st.booleans()):
                task["depends"] = [
                    {
                        "on": draw(st.sampled_from(earlier)),
                        "type": draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                        "lag": draw(st.sampled_from(["0bd", "5bd", "-2bd", "1mo"])),
                    }
                ]
            tasks.append(task)
        refs += [f"i{i}/t{k}" for k in range(len(tasks))]
        item = draw(st.sampled_from([None, "disaster-management", "commerce"]))
        initiatives.append(
            {"id": f"i{i}", "name": f"取組{i}", "tasks": tasks, **({"item": item} if item else {})}
        )
    return plan_from_data({"base": "aomori-dx-2024-2028", "initiatives": initiatives})


@settings(max_examples=40, deadline=None)
@given(_plans())
def test_rows_and_links_are_consistent_on_any_plan(plan: Plan) -> None:
    computed = schedule(plan)
    data = gantt_data(plan, computed)
    ids = [row["id"] for row in data["rows"]]
    assert len(ids) == len(set(ids))
    position = {ident: n for n, ident in enumerate(ids)}
    for row in data["rows"]:
        assert row["parent"] is None or position[row["parent"]] < position[row["id"]]
    assert {row["id"] for row in _tasks(data)} == set(computed.tasks)
    for link in data["links"]:
        assert link["from"] in position and link["to"] in position
    assert data["scale"]["start"] <= min(row["start"] for row in _tasks(data))
    assert max(row["finish"] for row in _tasks(data)) <= data["scale"]["finish"]
    assert schema_errors(data, GANTT_JSON_SCHEMA, GANTT_JSON_SCHEMA) == []
