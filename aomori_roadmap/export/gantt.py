"""Gantt JSON: the roadmaps as rows, links, review markers and a fiscal-year scale.

:func:`gantt_data` turns a plan and its computed schedule into one JSON-ready dict, described
by :data:`GANTT_JSON_SCHEMA` (``schemas/gantt.schema.json``). It is the single source of every
Gantt output: the adapters for Frappe Gantt, DHTMLX Gantt, Mermaid and MS Project
(:mod:`aomori_roadmap.export.adapters`, :mod:`aomori_roadmap.export.mspdi`) and our own chart
read this dict, never the plan.

Rows come depth-first, field 分野 → item 項目 → initiative 取組 → task 工程, and every date is an
ISO date with ``start`` and ``finish`` both inclusive, as a 工程表 reads. A task's dates are the
schedule's early dates; a milestone has ``start == finish``, the day it is reached.

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> data = gantt_data(plan, schedule(plan), department="kikikanri")
>>> [row["id"] for row in data["rows"][:4]]
['field:living', 'item:disaster-management', 'initiative:bousai-dx-alerts', 'bousai-dx-alerts/study']
>>> data["rows"][3]["start"], data["rows"][3]["finish"]
('2024-04-01', '2024-09-30')
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from aomori_roadmap.calendar import Duration, FiscalYear, Half, WorkCalendar
from aomori_roadmap.engine.reviews import ReviewCycle
from aomori_roadmap.engine.schedule import Schedule, ScheduledTask
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.model import Initiative, Plan

__all__ = [
    "GANTT_JSON_SCHEMA",
    "LATENESS",
    "LINK_TYPES",
    "MARKER_KINDS",
    "STATUSES",
    "gantt_data",
    "gantt_json",
    "gantt_json_schema",
]

STATUSES = tuple(status.value for status in Status)
"""Status codes of a task (未着手, 実施中, 保留, 完了, 中止)."""

LATENESS = tuple(late.value for late in Lateness)
"""Lateness codes, computed from the schedule and the status, never typed in."""

LINK_TYPES = ("FS", "SS", "FF", "SF")
"""Link types of the Gantt JSON (MS Project's names)."""

MARKER_KINDS = ("snapshot", "submission", "meeting", "publication", "annual_report")
"""Kinds of review-cycle markers, in the order a cycle runs through them."""

NO_FIELD = "_none"
"""Id of the synthetic field and item rows of initiatives without an item."""

_MARKER_WORDS = {
    "snapshot": ("基準日", "snapshot"),
    "submission": ("提出期限", "submission"),
    "meeting": ("見直し会議", "review meeting"),
    "publication": ("進捗公表", "publication"),
    "annual_report": ("年次報告", "annual report"),
}
_PLANNED = ("planned", 0)
_NO_LAG = "0bd"
_NONE_FIELD_NAME = "（分野なし）"
_NONE_ITEM_NAME = "（項目なし）"


class _IsoDates(dict[date, str]):
    """ISO text of dates, each formatted once: a big plan repeats the same few hundred days."""

    def __missing__(self, key: date) -> str:
        text = self[key] = key.isoformat()
        return text


# --- filters ------------------------------------------------------------------------------------


def _wanted(value: str | Collection[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _check_known(kind: str, wanted: set[str] | None, known: Iterable[str]) -> None:
    if wanted is None:
        return
    known = sorted(set(known))
    missing = sorted(wanted - set(known))
    if missing:
        names = ", ".join(repr(m) for m in missing)
        hint = f"使えるのは: {', '.join(known)}" if len(known) <= 12 else "IDを確かめてください"
        raise PlanError(f"{kind} {names} はプランにありません。{hint}")


def _priority_ids(plan: Plan) -> dict[str, str]:
    """Priority id or name → id."""
    found = {p.name: p.id for p in plan.priorities}
    found.update({p.id: p.id for p in plan.priorities})
    return found


def _select(
    plan: Plan,
    field: str | Collection[str] | None,
    item: str | Collection[str] | None,
    initiative: str | Collection[str] | None,
    department: str | Collection[str] | None,
    priority: str | Collection[str] | None,
) -> list[Initiative]:
    """The initiatives that pass every filter given (values of one filter: any of them)."""
    fields, items, initiatives = _wanted(field), _wanted(item), _wanted(initiative)
    departments, priorities = _wanted(department), _wanted(priority)
    by_priority = _priority_ids(plan)
    _check_known("分野", fields, [f.id for f in plan.fields])
    _check_known("項目", items, [i.id for i in plan.items])
    _check_known("取組", initiatives, [i.id for i in plan.initiatives])
    _check_known("担当課", departments, [d.id for d in plan.departments])
    _check_known("重点", priorities, by_priority)
    wanted_priorities = None if priorities is None else {by_priority[p] for p in priorities}
    field_of = {i.id: i.field for i in plan.items}
    chosen = []
    for candidate in plan.initiatives:
        if initiatives is not None and candidate.id not in initiatives:
            continue
        if items is not None and candidate.item not in items:
            continue
        if fields is not None and field_of.get(candidate.item or "") not in fields:
            continue
        if departments is not None and candidate.department not in departments:
            continue
        if wanted_priorities is not None and not wanted_priorities & {
            by_priority.get(p, p) for p in candidate.priority
        }:
            continue
        chosen.append(candidate)
    return chosen


def _states(states: Mapping[str, tuple[str, int]] | None) -> dict[str, tuple[str, int]]:
    """The states as plain codes (a ``Status`` member becomes its code), each checked."""
    found = {}
    for ref, (status, progress) in (states or {}).items():
        code = str(status)
        if code not in STATUSES or not 0 <= progress <= 100:
            raise PlanError(
                f"工程 {ref} の状況 ({status!r}, {progress!r}) が不正です。"
                f"状況は {', '.join(STATUSES)}、進捗は 0〜100 です。"
            )
        found[ref] = (code, int(progress))
    return found


def _lateness(lateness: Mapping[str, str] | None) -> dict[str, str]:
    """Lateness as plain codes (a ``Lateness`` member becomes its code), each checked."""
    found = {ref: str(late) for ref, late in (lateness or {}).items()}
    wrong = sorted(ref for ref, late in found.items() if late not in LATENESS)
    if wrong:
        raise PlanError(
            f"工程 {', '.join(wrong[:5])} の遅れの区分が不正です。使えるのは: {', '.join(LATENESS)}"
        )
    return found


# --- grouping -----------------------------------------------------------------------------------


def _groups(
    plan: Plan, chosen: list[Initiative]
) -> list[tuple[str, list[tuple[str, list[Initiative]]]]]:
    """``[(field id, [(item id, [initiatives])])]`` in plan order, the synthetic group last."""
    item_ids = {i.id for i in plan.items}
    field_ids = {f.id for f in plan.fields}
    by_item: dict[str, list[Initiative]] = {}
    for initiative in chosen:
        key = initiative.item if initiative.item in item_ids else NO_FIELD
        by_item.setdefault(key, []).append(initiative)
    by_field: dict[str, list[tuple[str, list[Initiative]]]] = {}
    for item in plan.items:
        if item.id in by_item:
            key = item.field if item.field in field_ids else NO_FIELD
            by_field.setdefault(key, []).append((item.id, by_item[item.id]))
    if NO_FIELD in by_item:
        by_field.setdefault(NO_FIELD, []).append((NO_FIELD, by_item[NO_FIELD]))
    order = [f.id for f in plan.fields if f.id in by_field]
    if NO_FIELD in by_field:
        order.append(NO_FIELD)
    return [(key, by_field[key]) for key in order]


# --- links --------------------------------------------------------------------------------------


def _lag_days(
    lag: Duration, predecessor: ScheduledTask, from_finish: bool, calendar: WorkCalendar
) -> int:
    """A calendar-unit lag in working days, where the scheduler applied it (early dates).

    The scheduler measures a lag from a working-day boundary: the working day after the
    predecessor's finish (FS, FF), or its first working day (SS, SF); a zero-length task (a
    milestone) is reached at the end of its date, so both its boundaries are the day after.
    """
    if from_finish or predecessor.duration_days == 0:
        source = calendar.add_working_days(predecessor.early_finish, 1)
    else:
        source = predecessor.early_start
    target = calendar.next_working_day(lag.shift(source, calendar))
    return calendar.working_days_between(source, target)


def _links(
    plan: Plan, chosen: list[Initiative], computed: Schedule, kept: Collection[str]
) -> list[dict[str, Any]]:
    """Every link whose two ends are both shown, in plan order of the successors."""
    links: list[dict[str, Any]] = []
    append = links.append
    lag_text: dict[tuple[int, str], str] = {}
    tasks = computed.tasks
    for initiative in chosen:
        prefix = initiative.id + "/"
        for task in initiative.tasks:
            ref = prefix + task.id
            for on in task.after:
                source = on if "/" in on else prefix + on
                if source in kept:
                    append({"from": source, "to": ref, "type": "FS", "lag": _NO_LAG, "lag_days": 0})
            for dependency in task.depends:
                on = dependency.on
                source = on if "/" in on else prefix + on
                if source not in kept:
                    continue
                lag = dependency.lag
                amount, unit = lag.amount, lag.unit
                # Keyed by a plain tuple: hashing the Duration dataclass costs a Python call.
                text = lag_text.get((amount, unit))
                if text is None:
                    text = lag_text[amount, unit] = str(lag)
                kind = str(dependency.type)  # StrEnum: the plain "FS" string, at C speed
                if unit == "bd":
                    days = amount
                else:
                    from_finish = kind in ("FS", "FF")
                    days = _lag_days(lag, tasks[source], from_finish, computed.calendar)
                append({"from": source, "to": ref, "type": kind, "lag": text, "lag_days": days})
    return links


# --- markers and scale --------------------------------------------------------------------------


def _markers(cycles: Sequence[ReviewCycle]) -> list[dict[str, Any]]:
    markers = []
    for cycle in cycles:
        for kind, day in cycle.deadlines():
            ja, en = _MARKER_WORDS[kind]
            if kind == "annual_report":
                fy = cycle.half.fiscal_year
                label_ja, label_en = f"{fy.wareki_label()} {ja}", f"{fy.code} {en}"
            else:
                label_ja, label_en = f"{cycle.label('ja')} {ja}", f"{cycle.label('en')} {en}"
            markers.append(
                {
                    "kind": kind,
                    "date": day.isoformat(),
                    "cycle": cycle.code,
                    "label_ja": label_ja,
                    "label_en": label_en,
                }
            )
    return markers


def _scale(first: date, last: date) -> dict[str, Any]:
    """Whole fiscal years from the one holding ``first`` to the one holding ``last``."""
    years = list(FiscalYear.range(FiscalYear.of(first), FiscalYear.of(last)))
    halves: list[Half] = [half for fy in years for half in fy.halves()]
    return {
        "start": years[0].start.isoformat(),
        "finish": years[-1].end.isoformat(),
        "fiscal_years": [
            {
                "code": fy.code,
                "start": fy.start.isoformat(),
                "end": fy.end.isoformat(),
                "label_ja": fy.label("ja"),
                "label_en": fy.label("en"),
                "wareki": fy.wareki_label(),
            }
            for fy in years
        ],
        "halves": [
            {
                "code": half.code,
                "start": half.start.isoformat(),
                "end": half.end.isoformat(),
                "label_ja": half.label("ja"),
                "label_en": half.label("en"),
                "short_ja": "上期" if half.half == 1 else "下期",
            }
            for half in halves
        ],
    }


def _critical_runs(paths: list[list[str]], kept: Collection[str]) -> list[list[str]]:
    """The critical paths cut to the shown tasks: each unbroken run of shown tasks."""
    runs: list[list[str]] = []
    for path in paths:
        run: list[str] = []
        for ref in path:
            if ref in kept:
                run.append(ref)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


# --- the document -------------------------------------------------------------------------------


def gantt_data(
    plan: Plan,
    computed: Schedule,
    *,
    as_of: date | None = None,
    states: Mapping[str, tuple[str, int]] | None = None,
    lateness: Mapping[str, str] | None = None,
    baseline: Schedule | None = None,
    baseline_name: str | None = None,
    cycles: Sequence[ReviewCycle] | None = None,
    field: str | Collection[str] | None = None,
    item: str | Collection[str] | None = None,
    initiative: str | Collection[str] | None = None,
    department: str | Collection[str] | None = None,
    priority: str | Collection[str] | None = None,
) -> dict[str, Any]:
    """The Gantt JSON of ``plan`` scheduled as ``computed``: rows, links, markers, scale.

    Args:
        plan: the plan.
        computed: its schedule (:func:`aomori_roadmap.engine.schedule.schedule`); task dates are the
            early dates.
        as_of: the date that status, progress and lateness describe (shown as the today line).
        states: status code and progress 0–100 per task ref; a missing ref is
            ``("planned", 0)``.
        lateness: ``on_track`` / ``at_risk`` / ``late`` per task ref; a missing ref is null.
        baseline: the schedule of a baseline revision: its dates become ``baseline_start`` and
            ``baseline_finish`` (null for tasks the baseline does not have).
        baseline_name: the baseline's name, echoed in ``"baseline"``.
        cycles: review cycles (:func:`aomori_roadmap.engine.reviews.review_cycles`) drawn as markers.
        field, item, initiative, department, priority: keep the initiatives that match every
            filter given; a filter takes one id or several (any of them matches); a priority
            may be given by id or by name. Groups with no task left are omitted, and so are
            links and critical-path steps to tasks that are not shown.

    Raises:
        PlanError: a filter names an id that the plan does not have, or the schedule lacks a
            task of the plan (it was computed from another plan).

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> data = gantt_data(plan, schedule(plan), priority="防災")
    >>> list(data)
    ['plan', 'as_of', 'baseline', 'scale', 'rows', 'links', 'markers', 'critical_paths']
    >>> data["links"][0]
    {'from': 'bousai-dx-alerts/study', 'to': 'bousai-dx-alerts/design', 'type': 'FS', 'lag': '0bd', 'lag_days': 0}
    >>> [fy["label_ja"] for fy in data["scale"]["fiscal_years"]][:2]
    ['2024年度（令和6年度）', '2025年度（令和7年度）']
    """
    chosen = _select(plan, field, item, initiative, department, priority)
    try:
        rows, kept, lows, highs = _rows(plan, chosen, computed, states, lateness, baseline)
    except KeyError as error:
        raise PlanError(
            f"スケジュールに {error.args[0]} がありません。"
            "このプランから計算したスケジュールを渡してください。"
        ) from None
    markers = _markers(cycles or ())
    if markers:
        lows.append(date.fromisoformat(min(m["date"] for m in markers)))
        highs.append(date.fromisoformat(max(m["date"] for m in markers)))
    return {
        "plan": {"id": plan.id, "name": plan.name},
        "as_of": None if as_of is None else as_of.isoformat(),
        "baseline": baseline_name,
        "scale": _scale(min(lows), max(highs)),
        "rows": rows,
        "links": _links(plan, chosen, computed, kept),
        "markers": markers,
        "critical_paths": _critical_runs(computed.critical_paths, kept),
    }


def _rows(
    plan: Plan,
    chosen: list[Initiative],
    computed: Schedule,
    states: Mapping[str, tuple[str, int]] | None,
    lateness: Mapping[str, str] | None,
    baseline: Schedule | None,
) -> tuple[list[dict[str, Any]], set[str], list[date], list[date]]:
    """The rows, the refs of the tasks shown, and the dates the scale must cover."""
    iso = _IsoDates()
    tasks = computed.tasks
    spans = computed.initiatives
    state_of = _states(states)
    late_of = _lateness(lateness)
    before = baseline.tasks if baseline is not None else {}
    names = {f.id: f.name for f in plan.fields}
    item_names = {i.id: i.name for i in plan.items}
    department_names = {d.id: d.name for d in plan.departments}
    by_priority = _priority_ids(plan)

    rows: list[dict[str, Any]] = []
    append = rows.append
    kept: set[str] = set()
    lows: list[date] = [plan.period.start.start]
    highs: list[date] = [plan.period.end.end]
    for field_id, items in _groups(plan, chosen):
        field_row: dict[str, Any] = {
            "id": "field:" + field_id,
            "kind": "field",
            "parent": None,
            "level": 0,
            "name": names.get(field_id, _NONE_FIELD_NAME),
            "start": None,
            "finish": None,
        }
        append(field_row)
        field_spans = []
        for item_id, initiatives in items:
            item_row: dict[str, Any] = {
                "id": "item:" + item_id,
                "kind": "item",
                "parent": field_row["id"],
                "level": 1,
                "name": item_names.get(item_id, _NONE_ITEM_NAME),
                "start": None,
                "finish": None,
            }
            append(item_row)
            item_spans = []
            for chosen_initiative in initiatives:
                if not chosen_initiative.tasks:  # nothing to draw
                    continue
                span = spans[chosen_initiative.id]
                item_spans.append(span)
                parent = "initiative:" + chosen_initiative.id
                append(
                    {
                        "id": parent,
                        "kind": "initiative",
                        "parent": item_row["id"],
                        "level": 2,
                        "name": chosen_initiative.name,
                        "start": iso[span.start],
                        "finish": iso[span.finish],
                        "department": chosen_initiative.department,
                        "department_name": department_names.get(chosen_initiative.department or ""),
                        "priority": [by_priority.get(p, p) for p in chosen_initiative.priority],
                        "illustrative": chosen_initiative.illustrative,
                    }
                )
                prefix = chosen_initiative.id + "/"
                for task in chosen_initiative.tasks:
                    ref = prefix + task.id
                    kept.add(ref)
                    st = tasks[ref]
                    status, progress = state_of.get(ref, _PLANNED)
                    due = st.due
                    was = before.get(ref)
                    append(
                        {
                            "id": ref,
                            "kind": "milestone" if st.milestone else "task",
                            "parent": parent,
                            "level": 3,
                            "name": task.name,
                            "start": iso[st.early_start],
                            "finish": iso[st.early_finish],
                            "duration_days": st.duration_days,
                            "milestone": st.milestone,
                            "status": status,
                            "progress": progress,
                            "lateness": late_of.get(ref),
                            "critical": st.critical,
                            "total_slack": st.total_slack,
                            "free_slack": st.free_slack,
                            "due": None if due is None else iso[due],
                            "baseline_start": None if was is None else iso[was.early_start],
                            "baseline_finish": None if was is None else iso[was.early_finish],
                        }
                    )
            if item_spans:
                low = min(s.start for s in item_spans)
                high = max(s.finish for s in item_spans)
                item_row["start"], item_row["finish"] = iso[low], iso[high]
                field_spans.append((low, high))
            else:
                rows.pop()
        if field_spans:
            low, high = min(s[0] for s in field_spans), max(s[1] for s in field_spans)
            field_row["start"], field_row["finish"] = iso[low], iso[high]
            lows.append(low)
            highs.append(high)
        else:
            rows.pop()

    dues = [st.due for ref, st in tasks.items() if st.due is not None and ref in kept]
    lows += dues
    highs += dues
    if baseline is not None:
        shown = [was for ref, was in before.items() if ref in kept]
        lows += [was.early_start for was in shown]
        highs += [was.early_finish for was in shown]
    return rows, kept, lows, highs


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _block(value: Any, indent: str) -> str:
    """Lists one element per line, dicts holding lists one key per line, the rest compact."""
    inner = indent + "  "
    if isinstance(value, list) and value:
        return "[\n" + inner + (",\n" + inner).join(map(_ENCODE, value)) + "\n" + indent + "]"
    if isinstance(value, dict) and any(isinstance(v, list) and v for v in value.values()):
        lines = [f"{inner}{_ENCODE(key)}: {_block(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(lines) + "\n" + indent + "}"
    return _ENCODE(value)


def gantt_json(value: Any) -> str:
    """JSON text of Gantt data or of an adapter's output: a row, link or task per line.

    UTF-8 characters are kept. A document is written key by key with its lists one element per
    line, which reads and diffs well and stays fast: ``json.dumps(indent=...)`` runs in pure
    Python, several times slower on a big plan.

    >>> print(gantt_json({"name": "工程表", "rows": [{"id": 1}, {"id": 2}], "links": []}), end="")
    {
      "name": "工程表",
      "rows": [
        {"id": 1},
        {"id": 2}
      ],
      "links": []
    }
    >>> print(gantt_json([{"id": "a"}]), end="")
    [
      {"id": "a"}
    ]
    """
    return _block(value, "") + "\n"


# --- the schema ---------------------------------------------------------------------------------

_DATE: dict[str, Any] = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_NULL_DATE: dict[str, Any] = {"anyOf": [_DATE, {"type": "null"}]}
_STR: dict[str, Any] = {"type": "string"}
_NULL_STR: dict[str, Any] = {"type": ["string", "null"]}
_REF: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$",
}


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _group_row(kind: str, level: int, parent: dict[str, Any], what: str) -> dict[str, Any]:
    return _object(
        {
            "id": {"type": "string", "pattern": f"^{kind}:"},
            "kind": {"const": kind},
            "parent": parent,
            "level": {"const": level},
            "name": _STR,
            "start": _NULL_DATE,
            "finish": _NULL_DATE,
        },
        f"{what}: first start and last finish of the tasks shown under it.",
    )


GANTT_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://aomori-roadmap.example/schemas/gantt.schema.json",
    "title": "Aomori roadmap Gantt data",
    "description": "gantt_data(): rows field → item → initiative → task, depth-first; dates are "
    "ISO and both start and finish inclusive; slack and lags in working days.",
    **_object(
        {
            "plan": _object({"id": _STR, "name": _STR}, "The plan's id and name."),
            "as_of": _NULL_DATE,
            "baseline": _NULL_STR,
            "scale": {"$ref": "#/$defs/Scale"},
            "rows": {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"$ref": "#/$defs/TaskRow"},
                        {"$ref": "#/$defs/InitiativeRow"},
                        {"$ref": "#/$defs/ItemRow"},
                        {"$ref": "#/$defs/FieldRow"},
                    ]
                },
            },
            "links": {"type": "array", "items": {"$ref": "#/$defs/Link"}},
            "markers": {"type": "array", "items": {"$ref": "#/$defs/Marker"}},
            "critical_paths": {
                "type": "array",
                "items": {"type": "array", "items": _REF, "minItems": 1},
            },
        },
        "The Gantt data of a plan.",
    ),
    "$defs": {
        "Scale": _object(
            {
                "start": _DATE,
                "finish": _DATE,
                "fiscal_years": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object(
                        {
                            "code": {"type": "string", "pattern": r"^FY\d{4}$"},
                            "start": _DATE,
                            "end": _DATE,
                            "label_ja": _STR,
                            "label_en": _STR,
                            "wareki": _STR,
                        },
                        "A fiscal year: FY2024, 2024年度（令和6年度）.",
                    ),
                },
                "halves": {
                    "type": "array",
                    "minItems": 2,
                    "items": _object(
                        {
                            "code": {"type": "string", "pattern": r"^FY\d{4}-H[12]$"},
                            "start": _DATE,
                            "end": _DATE,
                            "label_ja": _STR,
                            "label_en": _STR,
                            "short_ja": {"enum": ["上期", "下期"]},
                        },
                        "A half: 上期 Apr–Sep, 下期 Oct–Mar.",
                    ),
                },
            },
            "Whole fiscal years covering the plan period, every bar, baseline bar, due date "
            "and marker.",
        ),
        "FieldRow": _group_row("field", 0, {"type": "null"}, "A field 分野"),
        "ItemRow": _group_row("item", 1, {"type": "string", "pattern": "^field:"}, "An item 項目"),
        "InitiativeRow": _object(
            {
                "id": {"type": "string", "pattern": "^initiative:"},
                "kind": {"const": "initiative"},
                "parent": {"type": "string", "pattern": "^item:"},
                "level": {"const": 2},
                "name": _STR,
                "start": _DATE,
                "finish": _DATE,
                "department": _NULL_STR,
                "department_name": _NULL_STR,
                "priority": {"type": "array", "items": _STR},
                "illustrative": {"type": "boolean"},
            },
            "An initiative 取組, the unit with a roadmap.",
        ),
        "TaskRow": _object(
            {
                "id": _REF,
                "kind": {"enum": ["task", "milestone"]},
                "parent": {"type": "string", "pattern": "^initiative:"},
                "level": {"const": 3},
                "name": _STR,
                "start": _DATE,
                "finish": _DATE,
                "duration_days": {"type": "integer", "minimum": 0},
                "milestone": {"type": "boolean"},
                "status": {"enum": list(STATUSES)},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "lateness": {"enum": [*LATENESS, None]},
                "critical": {"type": "boolean"},
                "total_slack": {"type": "integer"},
                "free_slack": {"type": "integer", "minimum": 0},
                "due": _NULL_DATE,
                "baseline_start": _NULL_DATE,
                "baseline_finish": _NULL_DATE,
            },
            "A task 工程 or a milestone (start == finish), at its early dates.",
        ),
        "Link": _object(
            {
                "from": _REF,
                "to": _REF,
                "type": {"enum": list(LINK_TYPES)},
                "lag": {"type": "string", "description": "As written: 10bd, 1mo, -5bd …"},
                "lag_days": {
                    "type": "integer",
                    "description": "Working days; calendar units converted at the early dates.",
                },
            },
            "A dependency: 'to' depends on 'from'.",
        ),
        "Marker": _object(
            {
                "kind": {"enum": list(MARKER_KINDS)},
                "date": _DATE,
                "cycle": {"type": "string", "pattern": r"^FY\d{4}-H[12]$"},
                "label_ja": _STR,
                "label_en": _STR,
            },
            "A dated step of a half-year review cycle.",
        ),
    },
}
"""JSON Schema (draft 2020-12) of :func:`gantt_data`."""


def gantt_json_schema() -> dict[str, Any]:
    """The schema of the Gantt JSON, for ``schemas/gantt.schema.json`` (a fresh copy).

    >>> gantt_json_schema()["$defs"]["Link"]["required"]
    ['from', 'to', 'type', 'lag', 'lag_days']
    """
    return copy.deepcopy(GANTT_JSON_SCHEMA)
