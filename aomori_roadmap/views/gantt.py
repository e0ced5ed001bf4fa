"""The Gantt view: the roadmaps as rows, links, review markers and a fiscal-year scale, typed.

:func:`gantt_data` assembles, from a plan and its computed schedule, one :class:`GanttData`
of frozen dataclasses. It is the single source of every Gantt output: the Gantt JSON
(:meth:`GanttData.to_json`), the adapters for Frappe Gantt, DHTMLX Gantt, Mermaid and MS
Project, our own chart and the Excel 工程表 read its attributes, never the plan. The JSON Schema
of the Gantt JSON (``schemas/gantt.schema.json``) is generated from these types
(:func:`gantt_json_schema`): each field's ``metadata`` holds its meaning and the constraints
of its JSON form.

Rows come depth-first, field 分野 → item 項目 → initiative 取組 → task 工程; their ``kind``
tells the four row types apart (:data:`Row`). Dates are :class:`~datetime.date` values with
``start`` and ``finish`` both inclusive, as a 工程表 reads (ISO text in the JSON). A task's
dates are the schedule's early dates; a milestone has ``start == finish``, the day it is
reached.

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> data = gantt_data(plan, schedule(plan), department="kikikanri")
>>> [row.id for row in data.rows[:4]]
['field:living', 'item:disaster-management', 'initiative:bousai-dx-alerts', 'bousai-dx-alerts/study']
>>> task = data.rows[3]
>>> task.kind, task.start, task.finish
('task', datetime.date(2024, 4, 1), datetime.date(2024, 9, 30))
>>> data.to_json()["rows"][3]["start"]
'2024-04-01'
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal, TypeAlias, get_args

from aomori_roadmap.calendar import Duration, FiscalYear, WorkCalendar
from aomori_roadmap.engine.reviews import ReviewCycle
from aomori_roadmap.engine.schedule import Schedule, ScheduledTask, paused_gc
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _, pgettext, using_language
from aomori_roadmap.plan.model import Initiative, Plan, TaskPath, TaskRef

__all__ = [
    "LATENESS",
    "LINK_TYPES",
    "MARKER_KINDS",
    "NO_FIELD",
    "STATUSES",
    "TASK_KINDS",
    "FieldRow",
    "Filter",
    "FiscalYearColumn",
    "GanttData",
    "GanttPlan",
    "HalfColumn",
    "InitiativeRow",
    "InitiativeViews",
    "ItemRow",
    "Link",
    "LinkTypeCode",
    "Marker",
    "MarkerKind",
    "Row",
    "Scale",
    "TaskKind",
    "TaskRow",
    "gantt_data",
    "gantt_json_schema",
    "paused_gc",
    "short_half_label",
]

STATUSES = tuple(status.value for status in Status)
"""Status codes of a task (未着手, 実施中, 保留, 完了, 中止)."""

LATENESS = tuple(late.value for late in Lateness)
"""Lateness codes, computed from the schedule and the status, never typed in."""

LinkTypeCode: TypeAlias = Literal["FS", "SS", "FF", "SF"]
"""A link type of the Gantt data (MS Project's names)."""

LINK_TYPES: tuple[LinkTypeCode, ...] = get_args(LinkTypeCode)
"""Link types of the Gantt data, in :data:`LinkTypeCode` order."""

MarkerKind: TypeAlias = Literal["snapshot", "submission", "meeting", "publication", "annual_report"]
"""A dated step of a review cycle."""

MARKER_KINDS: tuple[MarkerKind, ...] = get_args(MarkerKind)
"""Kinds of review-cycle markers, in the order a cycle runs through them."""

TaskKind: TypeAlias = Literal["task", "milestone"]
"""The kind of a task row: a milestone is a task of no length."""

TASK_KINDS: tuple[TaskKind, ...] = get_args(TaskKind)
"""The kinds of :class:`TaskRow`."""

NO_FIELD = "_none"
"""Id of the synthetic field and item rows of initiatives without an item."""


def _meaning(description: str, **constraints: Any) -> dict[str, Any]:
    """A field's metadata: what it means and, for its JSON Schema, constraints by the names of
    pydantic's ``Field`` (``pattern``, ``ge``, ``le``, ``alias``, ``json_schema_extra``)."""
    return {"description": description, **constraints}


# --- the types ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GanttPlan:
    """The plan's id and name."""

    id: str = field(metadata=_meaning("The plan's id."))
    name: str = field(metadata=_meaning("The plan's name, as written in plan.yaml."))


@dataclass(frozen=True, slots=True)
class FiscalYearColumn:
    """A fiscal year: FY2024, 2024年度（令和6年度）."""

    code: str = field(metadata=_meaning("FY and the year it starts in.", pattern=r"^FY\d{4}$"))
    start: date = field(metadata=_meaning("April 1, its first day."))
    end: date = field(metadata=_meaning("March 31, its last day."))
    label_ja: str = field(metadata=_meaning("Its name in Japanese: 2024年度（令和6年度）."))
    label_en: str = field(metadata=_meaning("Its name in English: FY2024."))
    wareki: str = field(metadata=_meaning("Its name in the Japanese era: 令和6年度."))


@dataclass(frozen=True, slots=True)
class HalfColumn:
    """A half: 上期 Apr–Sep, 下期 Oct–Mar."""

    code: str = field(
        metadata=_meaning("The fiscal year's code and H1 or H2.", pattern=r"^FY\d{4}-H[12]$")
    )
    start: date = field(metadata=_meaning("Its first day."))
    end: date = field(metadata=_meaning("Its last day."))
    label_ja: str = field(metadata=_meaning("Its name in Japanese: 令和6年度上期."))
    label_en: str = field(metadata=_meaning("Its name in English: FY2024 H1."))
    short_ja: Literal["上期", "下期"] = field(
        metadata=_meaning("上期 or 下期, for a narrow column.")
    )


@dataclass(frozen=True, slots=True)
class Scale:
    """Whole fiscal years covering the plan period, every bar, baseline bar, due date and marker."""

    start: date = field(metadata=_meaning("The first day of the first fiscal year."))
    finish: date = field(metadata=_meaning("The last day of the last fiscal year."))
    fiscal_years: tuple[FiscalYearColumn, ...] = field(
        metadata=_meaning("The fiscal years, in order.", min_length=1)
    )
    halves: tuple[HalfColumn, ...] = field(
        metadata=_meaning("The halves of those years, in order.", min_length=2)
    )


@dataclass(frozen=True, slots=True)
class FieldRow:
    """A field 分野: first start and last finish of the tasks shown under it."""

    id: str = field(metadata=_meaning("field: and the field's id.", pattern="^field:"))
    kind: Literal["field"] = field(metadata=_meaning("What the row is."))
    parent: None = field(metadata=_meaning("A field is at the top: no parent."))
    level: Literal[0] = field(metadata=_meaning("Depth in the tree: 0."))
    name: str = field(metadata=_meaning("The field's name."))
    start: date | None = field(metadata=_meaning("The first start of the tasks shown under it."))
    finish: date | None = field(metadata=_meaning("The last finish of the tasks shown under it."))


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item 項目: first start and last finish of the tasks shown under it."""

    id: str = field(metadata=_meaning("item: and the item's id.", pattern="^item:"))
    kind: Literal["item"] = field(metadata=_meaning("What the row is."))
    parent: str = field(metadata=_meaning("The id of its field's row.", pattern="^field:"))
    level: Literal[1] = field(metadata=_meaning("Depth in the tree: 1."))
    name: str = field(metadata=_meaning("The item's name."))
    start: date | None = field(metadata=_meaning("The first start of the tasks shown under it."))
    finish: date | None = field(metadata=_meaning("The last finish of the tasks shown under it."))


@dataclass(frozen=True, slots=True)
class InitiativeRow:
    """An initiative 取組, the unit with a roadmap."""

    id: str = field(
        metadata=_meaning("initiative: and the initiative's id.", pattern="^initiative:")
    )
    kind: Literal["initiative"] = field(metadata=_meaning("What the row is."))
    parent: str = field(metadata=_meaning("The id of its item's row.", pattern="^item:"))
    level: Literal[2] = field(metadata=_meaning("Depth in the tree: 2."))
    name: str = field(metadata=_meaning("The initiative's name."))
    start: date = field(metadata=_meaning("The first start of its tasks."))
    finish: date = field(metadata=_meaning("The last finish of its tasks."))
    department: str | None = field(metadata=_meaning("The id of its department 担当課."))
    department_name: str | None = field(metadata=_meaning("The name of its department."))
    priority: tuple[str, ...] = field(
        metadata=_meaning("The ids of the priority areas 重点 it serves.")
    )
    illustrative: bool = field(
        metadata=_meaning("An example made up for illustration, not the plan's text (例示).")
    )


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task 工程 or a milestone (start == finish), at its early dates."""

    id: TaskRef = field(metadata=_meaning("The task's ref: initiative/task."))
    kind: TaskKind = field(metadata=_meaning("A task, or a milestone (a task of no length)."))
    parent: str = field(
        metadata=_meaning("The id of its initiative's row.", pattern="^initiative:")
    )
    level: Literal[3] = field(metadata=_meaning("Depth in the tree: 3."))
    name: str = field(metadata=_meaning("The task's name."))
    start: date = field(metadata=_meaning("The early start: its first working day."))
    finish: date = field(
        metadata=_meaning("The early finish: its last working day (a milestone's day).")
    )
    duration_days: int = field(metadata=_meaning("Its length in working days.", ge=0))
    milestone: bool = field(metadata=_meaning("A milestone: no length, reached on its day."))
    status: str = field(
        metadata=_meaning(
            "Its status on the as-of date.", json_schema_extra={"enum": list(STATUSES)}
        )
    )
    progress: int = field(metadata=_meaning("Its progress in percent.", ge=0, le=100))
    lateness: str | None = field(
        metadata=_meaning(
            "Late or at risk against the yardstick schedule; null when not measured.",
            json_schema_extra={"enum": [*LATENESS, None]},
        )
    )
    critical: bool = field(metadata=_meaning("On a critical path: no total slack."))
    total_slack: int = field(
        metadata=_meaning("Working days it can slip without moving the plan's finish.")
    )
    free_slack: int = field(
        metadata=_meaning("Working days it can slip without moving a successor.", ge=0)
    )
    due: date | None = field(metadata=_meaning("Its deadline, if it has one."))
    baseline_start: date | None = field(
        metadata=_meaning("Its start in the baseline; null without one, or not in it.")
    )
    baseline_finish: date | None = field(
        metadata=_meaning("Its finish in the baseline; null without one, or not in it.")
    )


_Date: TypeAlias = date  # for a field named ``date``

Row: TypeAlias = TaskRow | InitiativeRow | ItemRow | FieldRow
"""A row of the chart; its ``kind`` tells which."""

_ROW_KINDS = (TASK_KINDS, ("initiative",), ("item",), ("field",))  # in the order of Row


def _rows_schema(schema: dict[str, Any]) -> None:
    """The rows in the JSON Schema: one of the four row types, told apart by ``kind``."""
    choices = schema["items"].pop("anyOf")
    mapping = {
        kind: choice["$ref"]
        for choice, kinds in zip(choices, _ROW_KINDS, strict=True)
        for kind in kinds
    }
    schema["items"].update(
        oneOf=choices, discriminator={"propertyName": "kind", "mapping": mapping}
    )


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency: 'to' depends on 'from'."""

    from_: TaskRef = field(metadata=_meaning("The predecessor's ref.", alias="from"))
    to: TaskRef = field(metadata=_meaning("The successor's ref."))
    type: LinkTypeCode = field(
        metadata=_meaning("Finish-to-start, start-to-start, finish-to-finish or start-to-finish.")
    )
    lag: str = field(metadata=_meaning("As written: 10bd, 1mo, -5bd …"))
    lag_days: int = field(
        metadata=_meaning("Working days; calendar units converted at the early dates.")
    )


@dataclass(frozen=True, slots=True)
class Marker:
    """A dated step of a half-year review cycle."""

    kind: MarkerKind = field(metadata=_meaning("Which step."))
    date: _Date = field(metadata=_meaning("Its day."))
    cycle: str = field(
        metadata=_meaning("The code of the cycle's half.", pattern=r"^FY\d{4}-H[12]$")
    )
    label_ja: str = field(metadata=_meaning("Its name in Japanese."))
    label_en: str = field(metadata=_meaning("Its name in English."))

    def label(self, lang: str) -> str:
        """Its name in ``lang`` (the data holds both); Japanese for any other language."""
        label: str | None = getattr(self, f"label_{lang}", None)
        return label or self.label_ja


def short_half_label(code: str) -> str:
    """The half of a fiscal year by the end of its code (``FY2024-H1``), in the language chosen
    now: H1, H2 (上期, 下期)."""
    half = code[-2:]
    if half == "H1":
        return pgettext("half of a fiscal year", "H1")
    if half == "H2":
        return pgettext("half of a fiscal year", "H2")
    return half


@dataclass(frozen=True, slots=True)
class GanttData:
    """The Gantt data of a plan."""

    plan: GanttPlan = field(metadata=_meaning("The plan's id and name."))
    as_of: date | None = field(
        metadata=_meaning("The date that status, progress and lateness describe (the today line).")
    )
    baseline: str | None = field(metadata=_meaning("The name of the baseline compared with."))
    scale: Scale = field(metadata=_meaning("The time axis."))
    rows: tuple[Row, ...] = field(
        metadata=_meaning(
            "Field → item → initiative → task, depth-first; each row after its parent.",
            json_schema_extra=_rows_schema,
        )
    )
    links: tuple[Link, ...] = field(
        metadata=_meaning("The links between the tasks shown, in plan order of the successors.")
    )
    markers: tuple[Marker, ...] = field(metadata=_meaning("The steps of the review cycles."))
    critical_paths: tuple[TaskPath, ...] = field(
        metadata=_meaning("The critical paths, cut into runs of the tasks shown.")
    )

    def task_rows(self) -> list[TaskRow]:
        """The task and milestone rows, in row order."""
        return [row for row in self.rows if isinstance(row, TaskRow)]

    def to_json(self) -> dict[str, Any]:
        """The Gantt JSON: JSON-ready data described by ``schemas/gantt.schema.json``.

        Keys come in field order, ``from`` for :attr:`Link.from_`; dates are ISO text.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.engine.schedule import schedule
        >>> plan = default_plan()
        >>> data = gantt_data(plan, schedule(plan), priority="防災").to_json()
        >>> list(data)
        ['plan', 'as_of', 'baseline', 'scale', 'rows', 'links', 'markers', 'critical_paths']
        >>> data["links"][0]
        {'from': 'bousai-dx-alerts/study', 'to': 'bousai-dx-alerts/design', 'type': 'FS', 'lag': '0bd', 'lag_days': 0}
        """
        iso = _IsoDates()
        rows: list[dict[str, Any]] = []
        append = rows.append
        for row in self.rows:
            if isinstance(row, TaskRow):
                due, before, after = row.due, row.baseline_start, row.baseline_finish
                append(
                    {
                        "id": row.id,
                        "kind": row.kind,
                        "parent": row.parent,
                        "level": row.level,
                        "name": row.name,
                        "start": iso[row.start],
                        "finish": iso[row.finish],
                        "duration_days": row.duration_days,
                        "milestone": row.milestone,
                        "status": row.status,
                        "progress": row.progress,
                        "lateness": row.lateness,
                        "critical": row.critical,
                        "total_slack": row.total_slack,
                        "free_slack": row.free_slack,
                        "due": None if due is None else iso[due],
                        "baseline_start": None if before is None else iso[before],
                        "baseline_finish": None if after is None else iso[after],
                    }
                )
            elif isinstance(row, InitiativeRow):
                append(
                    {
                        "id": row.id,
                        "kind": row.kind,
                        "parent": row.parent,
                        "level": row.level,
                        "name": row.name,
                        "start": iso[row.start],
                        "finish": iso[row.finish],
                        "department": row.department,
                        "department_name": row.department_name,
                        "priority": list(row.priority),
                        "illustrative": row.illustrative,
                    }
                )
            else:
                start, finish = row.start, row.finish
                append(
                    {
                        "id": row.id,
                        "kind": row.kind,
                        "parent": row.parent,
                        "level": row.level,
                        "name": row.name,
                        "start": None if start is None else iso[start],
                        "finish": None if finish is None else iso[finish],
                    }
                )
        scale = self.scale
        return {
            "plan": {"id": self.plan.id, "name": self.plan.name},
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "baseline": self.baseline,
            "scale": {
                "start": scale.start.isoformat(),
                "finish": scale.finish.isoformat(),
                "fiscal_years": [
                    {
                        "code": fy.code,
                        "start": fy.start.isoformat(),
                        "end": fy.end.isoformat(),
                        "label_ja": fy.label_ja,
                        "label_en": fy.label_en,
                        "wareki": fy.wareki,
                    }
                    for fy in scale.fiscal_years
                ],
                "halves": [
                    {
                        "code": half.code,
                        "start": half.start.isoformat(),
                        "end": half.end.isoformat(),
                        "label_ja": half.label_ja,
                        "label_en": half.label_en,
                        "short_ja": half.short_ja,
                    }
                    for half in scale.halves
                ],
            },
            "rows": rows,
            "links": [
                {
                    "from": link.from_,
                    "to": link.to,
                    "type": link.type,
                    "lag": link.lag,
                    "lag_days": link.lag_days,
                }
                for link in self.links
            ],
            "markers": [
                {
                    "kind": marker.kind,
                    "date": marker.date.isoformat(),
                    "cycle": marker.cycle,
                    "label_ja": marker.label_ja,
                    "label_en": marker.label_en,
                }
                for marker in self.markers
            ],
            "critical_paths": [list(path) for path in self.critical_paths],
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> GanttData:
        """The Gantt data of a Gantt JSON document (:meth:`to_json` read back).

        Raises:
            KeyError, TypeError, ValueError: ``value`` is not Gantt JSON.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.engine.schedule import schedule
        >>> plan = default_plan()
        >>> data = gantt_data(plan, schedule(plan))
        >>> GanttData.from_json(data.to_json()) == data
        True
        """
        day = _day
        rows: list[Row] = []
        for row in value["rows"]:
            kind = row["kind"]
            name, start, finish = row["name"], _maybe_day(row["start"]), _maybe_day(row["finish"])
            if kind in TASK_KINDS:
                rows.append(
                    TaskRow(
                        row["id"], kind, row["parent"], 3, name, day(row["start"]),
                        day(row["finish"]), row["duration_days"], row["milestone"],
                        row["status"], row["progress"], row["lateness"], row["critical"],
                        row["total_slack"], row["free_slack"], _maybe_day(row["due"]),
                        _maybe_day(row["baseline_start"]), _maybe_day(row["baseline_finish"]),
                    )
                )  # fmt: skip
            elif kind == "initiative":
                rows.append(
                    InitiativeRow(
                        row["id"], "initiative", row["parent"], 2, name, day(row["start"]),
                        day(row["finish"]), row["department"], row["department_name"],
                        tuple(row["priority"]), row["illustrative"],
                    )
                )  # fmt: skip
            elif kind == "item":
                rows.append(ItemRow(row["id"], "item", row["parent"], 1, name, start, finish))
            elif kind == "field":
                rows.append(FieldRow(row["id"], "field", None, 0, name, start, finish))
            else:
                raise ValueError(f"row {row['id']!r}: unknown kind {kind!r}")
        scale = value["scale"]
        return cls(
            GanttPlan(value["plan"]["id"], value["plan"]["name"]),
            _maybe_day(value["as_of"]),
            value["baseline"],
            Scale(
                day(scale["start"]),
                day(scale["finish"]),
                tuple(
                    FiscalYearColumn(
                        fy["code"],
                        day(fy["start"]),
                        day(fy["end"]),
                        fy["label_ja"],
                        fy["label_en"],
                        fy["wareki"],
                    )
                    for fy in scale["fiscal_years"]
                ),
                tuple(
                    HalfColumn(
                        half["code"],
                        day(half["start"]),
                        day(half["end"]),
                        half["label_ja"],
                        half["label_en"],
                        half["short_ja"],
                    )
                    for half in scale["halves"]
                ),
            ),
            tuple(rows),
            tuple(
                Link(link["from"], link["to"], link["type"], link["lag"], link["lag_days"])
                for link in value["links"]
            ),
            tuple(
                Marker(m["kind"], day(m["date"]), m["cycle"], m["label_ja"], m["label_en"])
                for m in value["markers"]
            ),
            tuple(tuple(path) for path in value["critical_paths"]),
        )


@lru_cache(maxsize=8192)
def _day(text: str) -> date:
    return date.fromisoformat(text)  # a big plan repeats the same few hundred days


def _maybe_day(text: str | None) -> date | None:
    return None if text is None else _day(text)


class _IsoDates(dict[date, str]):
    """ISO text of dates, each formatted once: a big plan repeats the same few hundred days."""

    def __missing__(self, key: date) -> str:
        text = self[key] = key.isoformat()
        return text


def gantt_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the Gantt JSON, generated from :class:`GanttData`
    (``schemas/gantt.schema.json``); a fresh copy.

    >>> schema = gantt_json_schema()
    >>> schema["title"], schema["$defs"]["Link"]["required"]
    ('Aomori roadmap Gantt data', ['from', 'to', 'type', 'lag', 'lag_days'])
    """
    from aomori_roadmap.plan.schema import json_schema_of

    return json_schema_of(
        GanttData,
        name="gantt.schema.json",
        title="Aomori roadmap Gantt data",
        description="The Gantt data of a plan.",
    )


# --- assembly: fast construction ----------------------------------------------------------------


def _twin(cls: type) -> Any:
    """A mutable twin of the frozen dataclass ``cls``: the same slots, in a plain dataclass.

    The view of a big plan is hundreds of thousands of rows and links. A frozen dataclass's
    ``__init__`` stores each field through ``object.__setattr__``, a lookup by name three times
    slower than the plain store into a slot that the twin's ``__init__`` makes; with it, the view
    took half as long again to build as the plain dicts it replaced. So the hot loops make a twin
    and turn it into a ``cls`` by assigning its ``__class__``, which Python allows (and checks)
    between classes whose instances are laid out alike. The result is an ordinary, frozen
    ``cls``: equal to, and indistinguishable from, one made by ``cls(...)``.
    """
    return make_dataclass(cls.__name__, [(f.name, f.type) for f in fields(cls)], slots=True)


_TaskRowTwin = _twin(TaskRow)
_InitiativeRowTwin = _twin(InitiativeRow)
_LinkTwin = _twin(Link)


# --- assembly: filters --------------------------------------------------------------------------

# The Gantt JSON's ``short_ja`` field: Japanese by definition, whatever the language.
_SHORT_HALF: dict[int, Literal["上期", "下期"]] = {1: "上期", 2: "下期"}
_PLANNED = ("planned", 0)
_NO_LAG = "0bd"

Filter: TypeAlias = str | Collection[str] | None
"""One id, several (any of them matches), or none (no filter)."""


def _wanted(value: Filter) -> set[str] | None:
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
        hint = (
            _("Those there are: {ids}").format(ids=", ".join(known))
            if len(known) <= 12
            else _("Check the ids.")
        )
        raise PlanError(
            _("{kind} {names} not in the plan. {hint}").format(kind=kind, names=names, hint=hint)
        )


def _priority_ids(plan: Plan) -> dict[str, str]:
    """Priority id or name → id."""
    found = {p.name: p.id for p in plan.priorities}
    found.update({p.id: p.id for p in plan.priorities})
    return found


def _select(
    plan: Plan,
    field: Filter,
    item: Filter,
    initiative: Filter,
    department: Filter,
    priority: Filter,
) -> list[Initiative]:
    """The initiatives that pass every filter given (values of one filter: any of them)."""
    fields, items, initiatives = _wanted(field), _wanted(item), _wanted(initiative)
    departments, priorities = _wanted(department), _wanted(priority)
    by_priority = _priority_ids(plan)
    _check_known(pgettext("plan part", "field"), fields, [f.id for f in plan.fields])
    _check_known(pgettext("plan part", "item"), items, [i.id for i in plan.items])
    _check_known(pgettext("plan part", "initiative"), initiatives, [i.id for i in plan.initiatives])
    _check_known(pgettext("plan part", "department"), departments, [d.id for d in plan.departments])
    _check_known(pgettext("plan part", "priority"), priorities, by_priority)
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
                _(
                    "Task {ref} has a wrong state ({status!r}, {progress!r}): the status is one "
                    "of {statuses} and the progress 0 to 100."
                ).format(ref=ref, status=status, progress=progress, statuses=", ".join(STATUSES))
            )
        found[ref] = (code, int(progress))
    return found


def _lateness(lateness: Mapping[str, str] | None) -> dict[str, str]:
    """Lateness as plain codes (a ``Lateness`` member becomes its code), each checked."""
    found = {ref: str(late) for ref, late in (lateness or {}).items()}
    wrong = sorted(ref for ref, late in found.items() if late not in LATENESS)
    if wrong:
        raise PlanError(
            _("Task {refs} has a wrong lateness; those there are: {codes}").format(
                refs=", ".join(wrong[:5]), codes=", ".join(LATENESS)
            )
        )
    return found


# --- assembly: grouping -------------------------------------------------------------------------


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


# --- assembly: links ----------------------------------------------------------------------------


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


def _links(chosen: list[Initiative], computed: Schedule, kept: Collection[str]) -> tuple[Link, ...]:
    """Every link whose two ends are both shown, in plan order of the successors."""
    links: list[Link] = []
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
                    link = _LinkTwin(source, ref, "FS", _NO_LAG, 0)
                    link.__class__ = Link
                    append(link)
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
                kind = str(dependency.type)  # StrEnum: the plain string, at C speed
                if unit == "bd":
                    days = amount
                else:
                    from_finish = kind in ("FS", "FF")
                    days = _lag_days(lag, tasks[source], from_finish, computed.calendar)
                link = _LinkTwin(source, ref, kind, text, days)
                link.__class__ = Link
                append(link)
    return tuple(links)


# --- assembly: markers and scale ----------------------------------------------------------------


def _marker_label(cycle: ReviewCycle, kind: MarkerKind, lang: str) -> str:
    """A marker's label in ``lang``: the cycle (the fiscal year for the annual report), then
    the step."""
    fy = cycle.half.fiscal_year
    with using_language(lang):
        if kind == "annual_report":
            return pgettext("gantt marker", "FY{year} annual report").format(
                year=fy.year, wareki=fy.wareki_label()
            )
        period = cycle.label(lang)
        if kind == "snapshot":
            return pgettext("gantt marker", "{period} snapshot").format(period=period)
        if kind == "submission":
            return pgettext("gantt marker", "{period} submission").format(period=period)
        if kind == "meeting":
            return pgettext("gantt marker", "{period} review meeting").format(period=period)
        return pgettext("gantt marker", "{period} publication").format(period=period)


def _markers(cycles: Sequence[ReviewCycle]) -> tuple[Marker, ...]:
    markers = []
    for cycle in cycles:
        for step, day in cycle.deadlines():
            kind: MarkerKind = step  # type: ignore[assignment]  # the cycles' step names
            label_ja, label_en = (_marker_label(cycle, kind, lang) for lang in ("ja", "en"))
            markers.append(Marker(kind, day, cycle.code, label_ja, label_en))
    return tuple(markers)


def _scale(first: date, last: date) -> Scale:
    """Whole fiscal years from the one holding ``first`` to the one holding ``last``."""
    return _fiscal_scale(FiscalYear.of(first).year, FiscalYear.of(last).year)


@lru_cache(maxsize=64)
def _fiscal_scale(first: int, last: int) -> Scale:
    years = list(FiscalYear.range(FiscalYear(first), FiscalYear(last)))
    return Scale(
        years[0].start,
        years[-1].end,
        tuple(
            FiscalYearColumn(
                fy.code, fy.start, fy.end, fy.label("ja"), fy.label("en"), fy.wareki_label()
            )
            for fy in years
        ),
        tuple(
            HalfColumn(
                half.code,
                half.start,
                half.end,
                half.label("ja"),
                half.label("en"),
                _SHORT_HALF[half.half],
            )
            for fy in years
            for half in fy.halves()
        ),
    )


def _critical_runs(paths: list[list[str]], kept: Collection[str]) -> tuple[tuple[str, ...], ...]:
    """The critical paths cut to the shown tasks: each unbroken run of shown tasks."""
    runs: list[tuple[str, ...]] = []
    for path in paths:
        run: list[str] = []
        for ref in path:
            if ref in kept:
                run.append(ref)
            elif run:
                runs.append(tuple(run))
                run = []
        if run:
            runs.append(tuple(run))
    return tuple(runs)


# --- assembly: the whole ------------------------------------------------------------------------


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
    field: Filter = None,
    item: Filter = None,
    initiative: Filter = None,
    department: Filter = None,
    priority: Filter = None,
) -> GanttData:
    """The Gantt view of ``plan`` scheduled as ``computed``: rows, links, markers, scale.

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
        baseline_name: the baseline's name, echoed in ``baseline``.
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
    >>> data.links[0]
    Link(from_='bousai-dx-alerts/study', to='bousai-dx-alerts/design', type='FS', lag='0bd', lag_days=0)
    >>> [fy.label_ja for fy in data.scale.fiscal_years][:2]
    ['2024年度（令和6年度）', '2025年度（令和7年度）']
    """
    with paused_gc():
        chosen = _select(plan, field, item, initiative, department, priority)
        try:
            given = _inputs(plan, computed, states, lateness, baseline)
            rows, kept, lows, highs = _rows(given, chosen)
        except KeyError as error:
            raise PlanError(
                _("The schedule has no {ref}: pass a schedule computed from this plan.").format(
                    ref=error.args[0]
                )
            ) from None
        runs = _critical_runs(computed.critical_paths, kept)
        shown = (rows, kept, lows, highs)
        return _view(
            plan, computed, chosen, shown, _markers(cycles or ()), runs, as_of, baseline_name
        )


def _view(
    plan: Plan,
    computed: Schedule,
    chosen: list[Initiative],
    shown: tuple[tuple[Row, ...], set[str], list[date], list[date]],
    markers: tuple[Marker, ...],
    runs: tuple[tuple[str, ...], ...],
    as_of: date | None,
    baseline_name: str | None,
) -> GanttData:
    """The view of the ``chosen`` initiatives from their rows (:func:`_rows`): the scale covers
    the rows and the markers; the links are those between shown tasks."""
    rows, kept, lows, highs = shown
    if markers:
        days = [m.date for m in markers]
        lows.append(min(days))
        highs.append(max(days))
    return GanttData(
        GanttPlan(plan.id, plan.name),
        as_of,
        baseline_name,
        _scale(min(lows), max(highs)),
        rows,
        _links(chosen, computed, kept),
        markers,
        runs,
    )


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What every selection's rows are made from, checked and made plain once."""

    plan: Plan
    tasks: dict[str, ScheduledTask]
    spans: Mapping[str, Any]
    state_of: dict[str, tuple[str, int]]
    late_of: dict[str, str]
    before: dict[str, ScheduledTask]
    names: dict[str, str]
    item_names: dict[str, str]
    department_names: dict[str, str]
    by_priority: dict[str, str]


def _inputs(
    plan: Plan,
    computed: Schedule,
    states: Mapping[str, tuple[str, int]] | None,
    lateness: Mapping[str, str] | None,
    baseline: Schedule | None,
) -> _Inputs:
    # Plain dicts of the records: a lookup in the schedule's read-only mapping is a Python call.
    return _Inputs(
        plan,
        dict(computed.tasks.items()),
        computed.initiatives,
        _states(states),
        _lateness(lateness),
        dict(baseline.tasks.items()) if baseline is not None else {},
        {f.id: f.name for f in plan.fields},
        {i.id: i.name for i in plan.items},
        {d.id: d.name for d in plan.departments},
        _priority_ids(plan),
    )


class InitiativeViews:
    """The Gantt view of any initiative of a plan, by id, in any order: what
    ``gantt_data(..., initiative=id)`` gives, with the states, lateness, markers and critical
    paths made plain once for all of them (a site draws thousands).

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> computed = schedule(plan)
    >>> views = InitiativeViews(plan, computed)
    >>> views.view("bousai-dx-alerts") == gantt_data(plan, computed, initiative="bousai-dx-alerts")
    True
    """

    def __init__(
        self,
        plan: Plan,
        computed: Schedule,
        *,
        as_of: date | None = None,
        states: Mapping[str, tuple[str, int]] | None = None,
        lateness: Mapping[str, str] | None = None,
        baseline: Schedule | None = None,
        baseline_name: str | None = None,
        cycles: Sequence[ReviewCycle] | None = None,
    ) -> None:
        with paused_gc():
            self._plan, self._computed = plan, computed
            self._as_of, self._baseline_name = as_of, baseline_name
            self._given = _inputs(plan, computed, states, lateness, baseline)
            self._markers = _markers(cycles or ())
            self._runs: dict[str, list[tuple[str, ...]]] = {}
            for path in computed.critical_paths:
                for owner, steps in itertools.groupby(path, key=lambda ref: ref.split("/", 1)[0]):
                    self._runs.setdefault(owner, []).append(tuple(steps))
            self._initiatives = {i.id: i for i in plan.initiatives}

    def view(self, initiative: str) -> GanttData | None:
        """The view of ``initiative`` (``None``: it has no task, or there is no such one)."""
        found = self._initiatives.get(initiative)
        if found is None or not found.tasks:
            return None
        with paused_gc():
            chosen = [found]
            own = tuple(self._runs.get(initiative, ()))
            return _view(self._plan, self._computed, chosen, _rows(self._given, chosen),
                         self._markers, own, self._as_of, self._baseline_name)  # fmt: skip


def _rows(
    given: _Inputs, chosen: list[Initiative]
) -> tuple[tuple[Row, ...], set[str], list[date], list[date]]:
    """The rows, the refs of the tasks shown, and the dates the scale must cover."""
    plan, tasks, spans = given.plan, given.tasks, given.spans
    state_of, late_of, before = given.state_of, given.late_of, given.before
    names, item_names = given.names, given.item_names
    department_names, by_priority = given.department_names, given.by_priority

    rows: list[Row] = []
    kept: set[str] = set()
    lows: list[date] = [plan.period.start.start]
    highs: list[date] = [plan.period.end.end]
    for field_id, items in _groups(plan, chosen):
        field_ref = "field:" + field_id
        under_field: list[Row] = []
        field_spans = []
        for item_id, initiatives in items:
            item_ref = "item:" + item_id
            under_item: list[Row] = []
            append = under_item.append
            item_spans = []
            for chosen_initiative in initiatives:
                if not chosen_initiative.tasks:  # nothing to draw
                    continue
                span = spans[chosen_initiative.id]
                item_spans.append(span)
                parent = "initiative:" + chosen_initiative.id
                row = _InitiativeRowTwin(
                    parent,
                    "initiative",
                    item_ref,
                    2,
                    chosen_initiative.name,
                    span.start,
                    span.finish,
                    chosen_initiative.department,
                    department_names.get(chosen_initiative.department or ""),
                    tuple(by_priority.get(p, p) for p in chosen_initiative.priority),
                    chosen_initiative.illustrative,
                )
                row.__class__ = InitiativeRow
                append(row)
                prefix = chosen_initiative.id + "/"
                for task in chosen_initiative.tasks:
                    ref = prefix + task.id
                    kept.add(ref)
                    st = tasks[ref]
                    status, progress = state_of.get(ref, _PLANNED)
                    was = before.get(ref)
                    row = _TaskRowTwin(
                        ref,
                        "milestone" if st.milestone else "task",
                        parent,
                        3,
                        task.name,
                        st.early_start,
                        st.early_finish,
                        st.duration_days,
                        st.milestone,
                        status,
                        progress,
                        late_of.get(ref),
                        st.critical,
                        st.total_slack,
                        st.free_slack,
                        st.due,
                        None if was is None else was.early_start,
                        None if was is None else was.early_finish,
                    )
                    row.__class__ = TaskRow
                    append(row)
            if item_spans:
                low = min(s.start for s in item_spans)
                high = max(s.finish for s in item_spans)
                name = item_names.get(item_id) or pgettext("gantt row", "(no item)")
                under_field.append(ItemRow(item_ref, "item", field_ref, 1, name, low, high))
                under_field += under_item
                field_spans.append((low, high))
        if field_spans:
            low, high = min(s[0] for s in field_spans), max(s[1] for s in field_spans)
            name = names.get(field_id) or pgettext("gantt row", "(no field)")
            rows.append(FieldRow(field_ref, "field", None, 0, name, low, high))
            rows += under_field
            lows.append(low)
            highs.append(high)

    if len(kept) * 4 < len(tasks):  # a few initiatives: look up what is shown
        dues = [due for ref in kept if (due := tasks[ref].due) is not None]
    else:
        dues = [st.due for ref, st in tasks.items() if st.due is not None and ref in kept]
    lows += dues
    highs += dues
    if before:
        shown = [was for ref in kept if (was := before.get(ref)) is not None]
        lows += [was.early_start for was in shown]
        highs += [was.early_finish for was in shown]
    return tuple(rows), kept, lows, highs
