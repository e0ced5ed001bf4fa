"""Adapters: each tool's date and link conventions, safe ids and escaped text."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.export.adapters import (
    DHTMLX_LINK_TYPES,
    dhtmlx_data,
    frappe_tasks,
    mermaid_gantt,
    one_line,
    safe_id,
)
from aomori_roadmap.export.gantt import gantt_data
from aomori_roadmap.plan.loader import default_plan, load_plan, plan_from_data
from aomori_roadmap.views.gantt import GanttData, TaskRow

AWKWARD = Path(__file__).resolve().parents[2] / "tests" / "js" / "awkward-plan.json"


def _data(path: Path | None = None, **options: Any) -> GanttData:
    plan = default_plan() if path is None else load_plan(path)
    return gantt_data(plan, schedule(plan), **options)


@pytest.fixture(scope="module")
def data() -> GanttData:
    return _data()


@pytest.fixture(scope="module")
def awkward() -> GanttData:
    return _data(AWKWARD)


def _tasks(data: GanttData) -> list[TaskRow]:
    return data.task_rows()


def _next_day(day: date) -> str:
    return (day + timedelta(days=1)).isoformat()


# --- shared helpers ----------------------------------------------------------------------------


@given(st.text(), st.text())
def test_safe_id_is_one_to_one_and_safe(a: str, b: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]*", safe_id(a))
    assert (safe_id(a) == safe_id(b)) == (a == b)


def test_safe_id_of_a_long_code_is_not_a_short_code_and_a_digit() -> None:
    assert safe_id("\u3042") != safe_id("\u0304" + "2")


def test_safe_id_keeps_plain_ids() -> None:
    assert safe_id("sangyo-dx") == "sangyo-dx"
    assert safe_id("a/b") == "a_2fb"


@given(st.text())
def test_one_line_holds_only_xml_characters_on_one_line(text: str) -> None:
    line = one_line(text)
    assert not re.search("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff\u2028\u2029\x85]", line)


def test_one_line_turns_breaks_into_spaces() -> None:
    assert one_line("line\nbreak\ttab\x01ctl\x1f") == "line break tabctl"


# --- Frappe Gantt ------------------------------------------------------------------------------


def test_frappe_has_one_bar_per_task_with_inclusive_dates(data: GanttData) -> None:
    tasks = frappe_tasks(data)
    rows = _tasks(data)
    assert [t["id"] for t in tasks] == [safe_id(r.id) for r in rows]
    for task, row in zip(tasks, rows, strict=True):
        assert (task["start"], task["end"]) == (row.start.isoformat(), row.finish.isoformat())
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", task["end"])


def test_frappe_dependencies_are_a_comma_list_of_distinct_ids() -> None:
    plan = plan_from_data(
        {
            "id": "p",
            "name": "P",
            "period": {"start": 2024, "end": 2024},
            "initiatives": [
                {
                    "id": "a",
                    "name": "A",
                    "tasks": [
                        {"id": "x", "name": "X", "duration": "5bd"},
                        {"id": "w", "name": "W", "duration": "5bd"},
                        {
                            "id": "y",
                            "name": "Y",
                            "duration": "5bd",
                            "after": ["x", "w"],
                            "depends": [{"on": "x", "type": "FF", "lag": "2bd"}],
                        },
                    ],
                }
            ],
        }
    )
    tasks = frappe_tasks(gantt_data(plan, schedule(plan)))
    assert tasks[2]["dependencies"] == "a_2fx, a_2fw"
    assert tasks[0]["dependencies"] == ""


def test_frappe_custom_class_is_one_token(awkward: GanttData) -> None:
    states = {"a/t0": ("in_progress", 50)}
    plan = load_plan(AWKWARD)
    data = gantt_data(plan, schedule(plan), states=states, lateness={"a/t0": "late"})
    tasks = {t["id"]: t for t in frappe_tasks(data)}
    assert tasks["a_2ft0"]["custom_class"] == "aomori-task-critical-in_progress-late"
    assert tasks["a_2fdone"]["custom_class"].startswith("aomori-milestone")
    assert tasks["a_2ft0"]["progress"] == 50
    assert all(" " not in t["custom_class"] for t in tasks.values())


def test_frappe_names_are_html_escaped(awkward: GanttData) -> None:
    tasks = frappe_tasks(awkward)
    names = {row.id: row.name for row in _tasks(awkward)}
    for task in tasks:
        assert "<" not in task["name"] and '"' not in task["name"]
        ref = next(ref for ref in names if safe_id(ref) == task["id"])
        assert html.unescape(task["name"]) == one_line(names[ref])


# --- DHTMLX Gantt ------------------------------------------------------------------------------


def test_dhtmlx_ends_are_exclusive_and_milestones_have_one_date(data: GanttData) -> None:
    rows = {row.id: row for row in data.rows}
    entries = dhtmlx_data(data)["data"]
    assert [e["id"] for e in entries] == list(rows)
    for entry in entries:
        row = rows[entry["id"]]
        assert row.start is not None and row.finish is not None
        assert entry["start_date"] == row.start.isoformat()
        if row.kind == "milestone":
            assert (entry["type"], entry["end_date"]) == ("milestone", row.start.isoformat())
        else:
            assert entry["end_date"] == _next_day(row.finish)


def test_dhtmlx_hierarchy_uses_project_rows_and_parent_ids(data: GanttData) -> None:
    entries = dhtmlx_data(data)["data"]
    ids = {e["id"] for e in entries}
    for entry in entries:
        assert entry["parent"] == 0 or entry["parent"] in ids
    kinds = {row.id: row.kind for row in data.rows}
    assert {e["type"] for e in entries if kinds[e["id"]] in ("field", "item", "initiative")} == {
        "project"
    }


def test_dhtmlx_link_codes_and_lags(awkward: GanttData) -> None:
    links = dhtmlx_data(awkward)["links"]
    assert len(links) == len(awkward.links)
    for link, ours in zip(links, awkward.links, strict=True):
        assert (link["source"], link["target"]) == (ours.from_, ours.to)
        assert link["type"] == {"FS": "0", "SS": "1", "FF": "2", "SF": "3"}[ours.type]
        assert link["lag"] == ours.lag_days
    assert {link["type"] for link in links} == set(DHTMLX_LINK_TYPES.values())
    assert [link["id"] for link in links] == list(range(1, len(links) + 1))


def test_dhtmlx_progress_is_a_fraction() -> None:
    plan = load_plan(AWKWARD)
    data = gantt_data(plan, schedule(plan), states={"a/t1": ("in_progress", 40)})
    entry = next(e for e in dhtmlx_data(data)["data"] if e["id"] == "a/t1")
    assert entry["progress"] == pytest.approx(0.4)
    assert entry["status"] == "in_progress"


def test_dhtmlx_text_is_html_escaped(awkward: GanttData) -> None:
    rows = {row.id: row for row in awkward.rows}
    for entry in dhtmlx_data(awkward)["data"]:
        assert "<" not in entry["text"] and '"' not in entry["text"]
        assert html.unescape(entry["text"]) == one_line(rows[entry["id"]].name)


# --- Mermaid -----------------------------------------------------------------------------------

_LINE = re.compile(r"^    (?P<name>[^:\n]+) :(?P<spec>[^#\n;]+)$")


def _task_lines(text: str) -> list[re.Match[str]]:
    lines = [line for line in text.splitlines() if line.startswith("    ") and " :" in line]
    return [m for m in (_LINE.match(line) for line in lines) if m is not None]


def test_mermaid_header_and_a_section_per_initiative(data: GanttData) -> None:
    text = mermaid_gantt(data)
    lines = text.splitlines()
    assert lines[:4] == [
        "gantt",
        "    title 青森県DX推進プラン",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y-%m",
    ]
    sections = [
        line.removeprefix("    section ") for line in lines if line.startswith("    section ")
    ]
    assert sections == [row.name for row in data.rows if row.kind == "initiative"]
    assert text.endswith("\n")


def test_mermaid_every_task_line_parses_with_exclusive_ends(data: GanttData) -> None:
    matches = _task_lines(mermaid_gantt(data))
    rows = _tasks(data)
    assert len(matches) == len(rows)
    for match, row in zip(matches, rows, strict=True):
        parts = [p.strip() for p in match["spec"].split(",")]
        if row.milestone:
            assert parts[-3:] == [safe_id(row.id), row.start.isoformat(), "0d"]
            assert "milestone" in parts
        else:
            assert parts[-3] == safe_id(row.id)
            assert parts[-1] == _next_day(row.finish)
            assert parts[-2] == row.start.isoformat() or parts[-2].startswith("after ")


def test_mermaid_after_only_where_it_gives_our_start(data: GanttData) -> None:
    rows = {safe_id(row.id): row for row in _tasks(data)}
    used = 0
    for match in _task_lines(mermaid_gantt(data)):
        parts = [p.strip() for p in match["spec"].split(",")]
        if parts[-2].startswith("after "):
            used += 1
            before = parts[-2].removeprefix("after ").split()
            ends = [_next_day(rows[ident].finish) for ident in before]
            assert max(ends) == rows[parts[-3]].start.isoformat()
    assert used


def test_mermaid_tags(awkward: GanttData) -> None:
    plan = load_plan(AWKWARD)
    data = gantt_data(
        plan, schedule(plan), states={"a/t0": ("done", 100), "a/t1": ("in_progress", 5)}
    )
    specs = {m["spec"].split(",")[-3].strip(): m["spec"] for m in _task_lines(mermaid_gantt(data))}
    assert specs["a_2ft0"].startswith("crit, done, ")
    assert specs["a_2ft1"].startswith("crit, active, ")
    assert specs["a_2fdone"].startswith("crit, milestone, ")


def test_mermaid_escapes_what_would_break_a_line(awkward: GanttData) -> None:
    text = mermaid_gantt(awkward)
    matches = _task_lines(text)
    assert len(matches) == len(_tasks(awkward))
    names = [m["name"] for m in matches]
    assert "項目#58; 計画#35;1#59; 続き" in names
    assert "#60;script#62;alert(1)#60;/script#62;" in names
    # A leading keyword or date would start another statement; its first letter is escaped.
    assert "#116;itle of the plan" in names
    assert "#50;024-04-01 kickoff" in names
    assert "#99;lick here" in names
    assert "#37;#37; not a comment" in names
    assert "line break tabctl" in names
    assert "    section No item #38; more (second line)" in text.splitlines()


def _mermaid_decoded(text: str) -> str:
    return html.unescape(re.sub(r"#(\d+);", r"&#\1;", text))


def test_mermaid_entities_decode_to_the_names(awkward: GanttData) -> None:
    matches = _task_lines(mermaid_gantt(awkward))
    # A name of control characters only is a no-break space, so that the line parses.
    assert [_mermaid_decoded(m["name"]).strip() for m in matches] == [
        one_line(row.name) for row in _tasks(awkward)
    ]
