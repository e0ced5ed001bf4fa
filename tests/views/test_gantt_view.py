"""The typed Gantt view (``views/gantt.py``): frozen rows told apart by their kind, the JSON
they read from and write to, the schema generated from them, and the snapshot's view."""

from __future__ import annotations

import ast
import dataclasses
import gc
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.schedule import Schedule, schedule
from aomori_roadmap.plan.loader import default_plan, load_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.views.gantt import (
    FieldRow,
    GanttData,
    InitiativeRow,
    ItemRow,
    Link,
    Row,
    TaskRow,
    gantt_data,
    gantt_json_schema,
    paused_gc,
)
from aomori_roadmap.views.snapshot import take_snapshot

PACKAGE = Path(__file__).resolve().parents[2] / "aomori_roadmap"
AWKWARD = PACKAGE.parent / "tests" / "js" / "awkward-plan.json"
KINDS = {TaskRow: {"task", "milestone"}, InitiativeRow: {"initiative"}, ItemRow: {"item"}}
KINDS[FieldRow] = {"field"}


@pytest.fixture(scope="module")
def view(plan: Plan, computed: Schedule) -> GanttData:
    refs = list(computed.tasks)
    return gantt_data(
        plan,
        computed,
        as_of=date(2025, 3, 31),
        states={refs[0]: ("done", 100), refs[1]: ("in_progress", 40)},
        lateness={refs[1]: "late"},
        baseline=computed,
        baseline_name="当初計画",
        cycles=review_cycles(plan, computed),
    )


# --- the types ----------------------------------------------------------------------------------


def test_each_row_is_of_the_type_its_kind_names(view: GanttData) -> None:
    assert {type(row) for row in view.rows} == set(get_args(Row))
    for row in view.rows:
        assert row.kind in KINDS[type(row)]
    assert view.task_rows() == [row for row in view.rows if isinstance(row, TaskRow)]


def test_rows_and_links_are_frozen_and_slotted(view: GanttData) -> None:
    task, link = view.task_rows()[0], view.links[0]
    for value in (task, link, view.rows[0], view.rows[2], view):
        assert not hasattr(value, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, "x")
    assert type(task) is TaskRow and type(link) is Link
    hash(task), hash(link)


def test_built_rows_equal_rows_made_by_their_constructor(view: GanttData) -> None:
    # The builder makes its rows and links through mutable twins (see views/gantt.py).
    for value in (*view.rows, *view.links):
        made = type(value)(*(getattr(value, f.name) for f in dataclasses.fields(value)))
        assert made == value and repr(made) == repr(value)
    task = view.task_rows()[0]
    moved = dataclasses.replace(task, progress=55)
    assert (moved.progress, moved.id, type(moved)) == (55, task.id, TaskRow)


def test_dates_are_dates_and_the_json_writes_them_iso(view: GanttData) -> None:
    task = view.task_rows()[0]
    assert isinstance(task.start, date) and isinstance(view.scale.halves[0].end, date)
    assert view.to_json()["rows"][3]["start"] == task.start.isoformat()
    assert view.as_of == date(2025, 3, 31) and view.to_json()["as_of"] == "2025-03-31"


@pytest.mark.parametrize("path", [None, AWKWARD], ids=["default", "awkward"])
def test_the_json_reads_back_into_the_same_view(path: Path | None) -> None:
    plan = default_plan() if path is None else load_plan(path)
    computed = schedule(plan)
    data = gantt_data(plan, computed, baseline=computed, cycles=review_cycles(plan, computed))
    assert GanttData.from_json(data.to_json()) == data
    assert GanttData.from_json(data.to_json()).to_json() == data.to_json()


def test_reading_json_of_an_unknown_row_kind_is_an_error(view: GanttData) -> None:
    document = view.to_json()
    document["rows"][0]["kind"] = "section"
    with pytest.raises(ValueError, match="section"):
        GanttData.from_json(document)


def test_the_collector_is_paused_and_then_restored() -> None:
    was = gc.isenabled()
    try:
        with paused_gc():
            assert not gc.isenabled()
            with paused_gc():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


# --- the schema generated from the types -------------------------------------------------------


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = schema["properties"]
    return properties


def test_every_field_of_the_view_is_described_in_the_schema() -> None:
    schema = gantt_json_schema()
    types = [FieldRow, ItemRow, InitiativeRow, TaskRow, Link]
    for kind in types:
        described = _properties(schema["$defs"][kind.__name__])
        for field in dataclasses.fields(kind):
            name = field.metadata.get("alias", field.name)
            assert field.metadata["description"], (kind.__name__, field.name)
            assert described[name]["description"] == field.metadata["description"]
        assert schema["$defs"][kind.__name__]["additionalProperties"] is False
        assert schema["$defs"][kind.__name__]["required"] == [
            f.metadata.get("alias", f.name) for f in dataclasses.fields(kind)
        ]


def test_the_rows_are_a_union_told_apart_by_kind() -> None:
    schema = gantt_json_schema()
    items = _properties(schema)["rows"]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert items["discriminator"]["mapping"] == {
        "task": "#/$defs/TaskRow",
        "milestone": "#/$defs/TaskRow",
        "initiative": "#/$defs/InitiativeRow",
        "item": "#/$defs/ItemRow",
        "field": "#/$defs/FieldRow",
    }
    assert [choice["$ref"] for choice in items["oneOf"]] == [
        f"#/$defs/{kind.__name__}" for kind in get_args(Row)
    ]
    rows = schema["$defs"]
    assert _properties(rows["FieldRow"])["kind"]["const"] == "field"
    assert _properties(rows["TaskRow"])["kind"]["enum"] == ["task", "milestone"]
    assert _properties(rows["TaskRow"])["level"]["const"] == 3


def test_the_schema_keeps_the_documents_title_and_id() -> None:
    schema = gantt_json_schema()
    assert list(schema)[:4] == ["$schema", "$id", "title", "description"]
    assert schema["$id"] == "https://aomori-roadmap.example/schemas/gantt.schema.json"
    assert (schema["title"], schema["description"]) == (
        "Aomori roadmap Gantt data",
        "The Gantt data of a plan.",
    )
    assert list(schema)[-1] == "$defs"


# --- the snapshot's view ------------------------------------------------------------------------


def test_the_snapshot_gives_its_view(plan: Plan) -> None:
    snapshot = take_snapshot(plan, as_of=date(2025, 9, 30))
    view = snapshot.gantt_view(department="kikikanri")
    expected = gantt_data(
        plan,
        snapshot.current,
        as_of=date(2025, 9, 30),
        lateness={ref: late.value for ref, late in snapshot.lateness.items()},
        cycles=snapshot.cycles,
        department="kikikanri",
    )
    assert view == expected


def test_the_snapshot_is_data_only() -> None:
    # Rendering is the export layer's (export/render.py): the snapshot imports no exporter and
    # not the format registry, not even inside a function.
    tree = ast.parse((PACKAGE / "views" / "snapshot.py").read_text(encoding="utf-8"))
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ]
    imported += [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [
        name
        for name in imported
        if name.startswith(("aomori_roadmap.export", "aomori_roadmap.formats"))
    ]


def test_the_task_ref_pattern_is_written_once() -> None:
    # plan/model.py writes what an id is made of once; every pattern of ids and refs uses it.
    written = [
        f"{path.relative_to(PACKAGE)}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "[A-Za-z0-9._-]*" in path.read_text(encoding="utf-8")
    ]
    assert written == ["plan/model.py"]
