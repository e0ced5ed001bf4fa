"""The plan as data: pydantic models for everything a plan file holds.

A :class:`Plan` has the plan's structure (fields 分野, items 項目 with their policies 取組方針,
foundations 基盤, priorities 重点的に取り組むDX, departments 担当課, KPIs 成果指標 with their
intermediate indicators 中間指標 and evaluation scale 評価) and its initiatives 取組, each with
the tasks 工程 of its roadmap.

Models are immutable and round-trip through JSON unchanged. Period and duration fields accept
the expressions people write (``令和6年度上期``, ``10bd``) and store them as typed values
(:mod:`aomori_roadmap.calendar`, :mod:`aomori_roadmap.calendar`) that serialise back to their
canonical text.

:func:`check_plan` finds what a single field cannot know: duplicate ids, references to things
that do not exist (with a "did you mean"), and tasks whose dates cannot be worked out.

>>> plan = Plan.model_validate({
...     "id": "demo", "name": "デモ", "period": {"start": "FY2024", "end": "FY2025"},
...     "initiatives": [{"id": "a", "name": "取組A", "tasks": [
...         {"id": "t1", "name": "検討", "start": "R6上期", "duration": "1half"},
...         {"id": "t2", "name": "完了", "milestone": True, "after": "t1"}]}]})
>>> [ref for ref, _, _ in plan.iter_tasks()]
['a/t1', 'a/t2']
>>> str(plan.task("a/t1").start)
'FY2024-H1'
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)

from aomori_roadmap.calendar import (
    ZERO,
    Day,
    Duration,
    FiscalYear,
    Period,
    parse_duration,
    parse_period,
)
from aomori_roadmap.errors import Problem
from aomori_roadmap.i18n import _, pgettext
from aomori_roadmap.plan.sources import where as place_of

__all__ = [
    "BasicIdea",
    "CalendarSettings",
    "Department",
    "Dependency",
    "EvaluationScale",
    "Field_",
    "Foundation",
    "Governance",
    "Grade",
    "Indicator",
    "Initiative",
    "Item",
    "Kpi",
    "KpiPoint",
    "LinkType",
    "Plan",
    "PlanPeriod",
    "Policy",
    "Priority",
    "Rating",
    "ReviewPolicy",
    "Stance",
    "Task",
    "check_plan",
]

# --- field types --------------------------------------------------------------------------------

Loc = tuple[str | int, ...]
"""A place inside a plan document, as keys and list indexes."""

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # an id: the only place it is written
ID_PATTERN = rf"^{_NAME}$"
REF_PATTERN = rf"^{_NAME}(/{_NAME})?$"
TASK_REF_PATTERN = rf"^{_NAME}/{_NAME}$"
"""A task's full reference, ``initiative/task``, as schedules and their views name a task."""
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
"""A date as the JSON outputs write it."""

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=200)]
"""An identifier: ASCII letters, digits, ``.``, ``_`` and ``-``; no ``/``."""

Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN, min_length=1, max_length=401)]
"""A task reference: ``task`` within the same initiative, or ``initiative/task``."""

# Field types of the JSON documents made from a plan (the schedule, the Gantt JSON).
TaskRef = Annotated[str, StringConstraints(pattern=TASK_REF_PATTERN)]
"""A task's full reference ``initiative/task``."""

TaskPath = Annotated[Sequence[TaskRef], Field(min_length=1)]
"""Tasks each driving the next (a critical path, or a run of one): one task at least."""

IsoDate = Annotated[
    str, WithJsonSchema({"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN})
]
"""A date written ``YYYY-MM-DD``."""

NonNegativeInt = Annotated[int, Field(ge=0)]
"""A whole number, zero or more (a length or a slack in working days)."""

PositiveInt = Annotated[int, Field(ge=1)]
"""A whole number, one or more."""

Text = Annotated[str, StringConstraints(min_length=1)]
"""A name or a sentence: not empty. Control characters are kept here; every export drops
them (a name pasted from another program often carries one)."""


# Examples of what people write, quoted in messages (input forms: data, not words).
PERIOD_EXAMPLES = "FY2024, 令和6年度上期, 2024-04-01"
FISCAL_YEAR_EXAMPLES = "FY2024, 令和6年度"


def _read_period(value: Any) -> Any:
    if isinstance(value, str):
        return parse_period(value)
    if isinstance(value, datetime):
        raise ValueError(_("a date of a period has no time of day: {value}").format(value=value))
    if isinstance(value, date):
        return Day(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return FiscalYear(value)
    if isinstance(value, Period):
        return value
    raise ValueError(_("write a period (e.g. {examples})").format(examples=PERIOD_EXAMPLES))


def _read_fiscal_year(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value) if len(value.strip()) <= 4 else value  # longer: parse_period says so
    period = _read_period(value)
    if isinstance(period, FiscalYear):
        return period
    raise ValueError(
        _("'{value}' is not a fiscal year (e.g. {examples})").format(
            value=value, examples=FISCAL_YEAR_EXAMPLES
        )
    )


# The longest duration or lag a roadmap may hold, per unit: about a century. Longer ones are
# typing mistakes, and dates far past the plan slow every calendar built for it.
MAX_DURATION = {"bd": 25_000, "d": 36_525, "w": 5_218, "mo": 1_200, "half": 200, "y": 100}


def _read_duration(value: Any) -> Any:
    if isinstance(value, str):
        duration = parse_duration(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        duration = Duration(value, "bd")
    elif isinstance(value, Duration):
        duration = value
    else:
        raise ValueError(_("write a duration as a text or a whole number (e.g. 10bd, 4mo, 1half)"))
    if abs(duration.amount) > MAX_DURATION[duration.unit]:
        raise ValueError(
            _("the duration '{value}' is too long (at most {most}{unit}, about a century).").format(
                value=value, most=MAX_DURATION[duration.unit], unit=duration.unit
            )
        )
    return duration


def _read_timezone(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # pydantic says what type is wanted
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):  # not found is a KeyError; a bad key ValueError
        pass
    else:
        return value
    raise ValueError(_("there is no time zone '{value}' (e.g. Asia/Tokyo)").format(value=value))


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_PERIOD_SCHEMA = {
    "type": "string",
    "description": "A period: FY2024, FY2024-H1, FY2024-Q3, 2024年度, 令和6年度, 令和6年度上期, "
    "R6上期, R6下期, H31, or an ISO date 2024-04-01.",
    "examples": ["FY2024-H1", "令和6年度上期", "2024-04-01"],
}
_FY_SCHEMA = {
    "anyOf": [{"type": "string"}, {"type": "integer"}],
    "description": "A fiscal year: FY2024, 2024年度, 令和6年度, or 2024.",
    "examples": ["FY2024", "令和6年度"],
}
_DURATION_SCHEMA = {
    "anyOf": [{"type": "string"}, {"type": "integer"}],
    "description": "A duration: 10bd (working days), 10d, 3w, 4mo, 1half, 1y, or ISO 8601 "
    "(P10D, P3W, P1Y6M). A bare integer means working days. Negative for a lead.",
    "examples": ["10bd", "4mo", "1half", "-5bd"],
}

PeriodValue = Annotated[
    Period,
    BeforeValidator(_read_period),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_PERIOD_SCHEMA),
]
FiscalYearValue = Annotated[
    FiscalYear,
    BeforeValidator(_read_fiscal_year),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_FY_SCHEMA),
]
DurationValue = Annotated[
    Duration,
    BeforeValidator(_read_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_DURATION_SCHEMA),
]


def _one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [item, {"type": "array", "items": item}]}


_ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN}
_REF_SCHEMA = {"type": "string", "pattern": REF_PATTERN}
_TEXT_SCHEMA = {"type": "string", "minLength": 1}

# A single value where a list is expected is read as a list of one (``after: study``).
IdList = Annotated[list[Id], BeforeValidator(_as_list), WithJsonSchema(_one_or_many(_ID_SCHEMA))]
RefList = Annotated[list[Ref], BeforeValidator(_as_list), WithJsonSchema(_one_or_many(_REF_SCHEMA))]
TextList = Annotated[
    list[Text], BeforeValidator(_as_list), WithJsonSchema(_one_or_many(_TEXT_SCHEMA))
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, str_strip_whitespace=True
    )


# --- the plan's structure -----------------------------------------------------------------------


class LinkType(StrEnum):
    """How a task depends on another: finish-to-start and the three others."""

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class PlanPeriod(_Model):
    """The fiscal years the plan covers, both inclusive."""

    start: FiscalYearValue
    end: FiscalYearValue


class BasicIdea(_Model):
    """基本理念: the plan's slogan and what it means."""

    slogan: Text
    statements: TextList = []
    text: str | None = None


class Stance(_Model):
    """A basic stance for promoting DX (DXを進める際の基本姿勢)."""

    name: Text
    title: str | None = None
    text: str | None = None


class Governance(_Model):
    """推進体制: who steers the plan, how roadmaps are reviewed and progress reported."""

    headquarters: Text
    structure: str | None = None
    cooperation: str | None = None
    roadmap_review: str | None = None
    annual_report: str | None = None


class Field_(_Model):
    """分野: one of the plan's fields, with its purpose and 2040 vision."""

    id: Id
    name: Text
    title: str | None = None
    purpose: str | None = None
    vision_2040: TextList = []


class Policy(_Model):
    """取組方針: one policy bullet under an item."""

    id: Id
    text: Text


class Item(_Model):
    """項目: an item of a field, with its 2040 vision and policies."""

    id: Id
    field: Id
    name: Text
    vision_2040: TextList = []
    policies: list[Policy] = []


class Foundation(_Model):
    """基盤: a foundation area that supports every field."""

    id: Id
    name: Text
    text: TextList = []


class Priority(_Model):
    """重点的に取り組むDX: a priority, used as a tag on initiatives (by id or name)."""

    id: Id
    name: Text
    title: str | None = None
    bullets: TextList = []


class Department(_Model):
    """担当課: an owner of initiatives, with an optional contact address for reminders."""

    id: Id
    name: Text
    parent: Id | None = None
    contact: str | None = None


class KpiPoint(_Model):
    """A KPI value in one fiscal year; ``value`` is ``None`` while not set (未設定)."""

    fy: int
    value: Annotated[float, Field(allow_inf_nan=False)] | None = None


class Kpi(_Model):
    """成果指標: a KPI with its baseline, target, direction and source.

    ``targets`` are the yearly targets (年度別目標値) between the baseline and the final
    target, each ``{fy, value}``; a year without one expects the straight line between the
    points around it.
    """

    id: Id
    name: Text
    category: Literal["basic", "field"] = "field"
    field: Id | None = None
    unit: str | None = None
    direction: Literal["up", "down"] = "up"
    baseline: KpiPoint
    target: KpiPoint
    targets: list[KpiPoint] = []
    source: str | None = None
    department: Id | None = None
    note: str | None = None


class Indicator(_Model):
    """中間指標: an intermediate indicator, attached to exactly one KPI or one initiative.

    Like a KPI it has a direction and, when the plan gives them, a baseline, a target and
    yearly targets (年度別目標値); ``values`` are actual values the plan itself publishes.
    Without a baseline or a target it has no achievement rate (its values are shown as they
    are).

    >>> Indicator.model_validate({"id": "ind-visits", "name": "相談件数", "unit": "件",
    ...     "initiative": "a", "values": [{"fy": 2024, "value": 35}]}).values[0].value
    35.0
    """

    id: Id
    name: Text
    unit: str | None = None
    direction: Literal["up", "down"] = "up"
    kpi: Id | None = None
    initiative: Id | None = None
    baseline: KpiPoint | None = None
    target: KpiPoint | None = None
    targets: list[KpiPoint] = []
    values: list[KpiPoint] = []
    department: Id | None = None
    source: str | None = None
    note: str | None = None


GradeCode = Annotated[str, StringConstraints(min_length=1, max_length=20)]
"""The short code of a grade (S, A, B, C): at most 20 characters."""

UNSET_CODE = "unset"
"""The code of an evaluation without a rate or status (not set); no grade may use it."""


class Grade(_Model):
    """One grade of a rate scale: ``code`` (S), ``label`` (達成) and the lowest achievement
    rate in percent that earns it; the last grade has no ``min_rate`` (it takes the rest)."""

    code: GradeCode
    label: Text
    min_rate: Annotated[float, Field(allow_inf_nan=False)] | None = None


class EvaluationScale(_Model):
    """How KPI values are evaluated (評価): the four statuses, or grades of a rate.

    - ``scale: status`` (the default): 達成 / 順調 / 遅れ / 未設定, see
      :class:`aomori_roadmap.engine.kpi.KpiStatus`; it takes no grades.
    - ``scale: rate``: the achievement rate is graded by ``grades``, best first, each down
      to its ``min_rate``; ``basis`` says which rate: ``final`` (towards the final target) or
      ``year`` (towards the value expected in that fiscal year).

    >>> scale = EvaluationScale.model_validate({"scale": "rate", "grades": [
    ...     {"code": "A", "label": "順調", "min_rate": 80}, {"code": "B", "label": "遅れ"}]})
    >>> scale.basis, [g.code for g in scale.grades]
    ('final', ['A', 'B'])
    """

    scale: Literal["status", "rate"] = "status"
    basis: Literal["final", "year"] = "final"
    grades: list[Grade] = []


class CalendarSettings(_Model):
    """The working calendar: the year-end closure and extra closed or open days."""

    year_end_closure: StrictBool = True
    closed_days: list[date] = []
    open_days: list[date] = []


class Rating(_Model):
    """One step of the review rating scale, e.g. ◎ 予定以上."""

    symbol: Text
    label: Text


def _default_ratings() -> list[Rating]:
    return [
        Rating(symbol="◎", label="予定以上"),
        Rating(symbol="○", label="予定どおり"),
        Rating(symbol="△", label="やや遅れ"),
        Rating(symbol="×", label="遅れ"),
    ]


class ReviewPolicy(_Model):
    """How the half-year reviews run; every value has a documented default.

    - ``submission_working_days``: department submissions are due this many working days after
      the half's snapshot date (9/30, 3/31).
    - ``meeting``: the review meeting is held by the last working day of the month after the
      snapshot (``next-month-end``).
    - ``publication_working_days``: the progress snapshot is published this many working days
      after the snapshot date.
    - ``annual_report_month``: the annual report to the 推進本部 is due by the last working day
      of this month after the fiscal year ends (6 = June).
    """

    submission_working_days: int = Field(default=10, ge=0, le=120)
    meeting: Literal["next-month-end"] = "next-month-end"
    publication_working_days: int = Field(default=25, ge=0, le=250)
    annual_report_month: int = Field(default=6, ge=4, le=12)
    ratings: list[Rating] = Field(default_factory=_default_ratings)


# --- roadmaps -----------------------------------------------------------------------------------


class Dependency(_Model):
    """依存関係: this task depends on ``on`` by ``type`` with ``lag`` (negative = lead)."""

    on: Ref
    type: LinkType = LinkType.FS
    lag: DurationValue = ZERO


class Task(_Model):
    """工程: a bar on a roadmap, or a milestone (▲) when ``milestone`` is true.

    ``start`` means "not earlier than the start of this period"; ``start`` with ``finish`` fixes
    both ends; ``due`` is a deadline (the end of that period) that is reported, never enforced.
    ``after`` is shorthand for finish-to-start links without lag.
    """

    id: Id
    name: Text
    start: PeriodValue | None = None
    finish: PeriodValue | None = None
    duration: DurationValue | None = None
    milestone: StrictBool = False
    after: RefList = []
    depends: list[Dependency] = []
    due: PeriodValue | None = None
    note: str | None = None

    @property
    def links(self) -> list[Dependency]:
        """Every dependency of the task: ``after`` entries as FS links, then ``depends``."""
        return [Dependency(on=ref) for ref in self.after] + list(self.depends)


class Initiative(_Model):
    """取組: the unit with a roadmap, owned by a department."""

    id: Id
    name: Text
    description: str | None = None
    illustrative: StrictBool = False
    item: Id | None = None
    policies: IdList = []
    priority: TextList = []
    foundations: IdList = []
    department: Id | None = None
    kpis: IdList = []
    tasks: list[Task] = []


class Plan(_Model):
    """プラン: a whole plan, its structure and its initiatives."""

    id: Id
    name: Text
    subtitle: str | None = None
    status_note: str | None = None
    base: Id | None = None
    period: PlanPeriod
    timezone: Annotated[str, BeforeValidator(_read_timezone)] = "Asia/Tokyo"
    basic_idea: BasicIdea | None = None
    positioning: TextList = []
    definition: str | None = None
    relation_to_basic_plan: str | None = None
    stances: list[Stance] = []
    governance: Governance | None = None
    fields: list[Field_] = []
    items: list[Item] = []
    foundations: list[Foundation] = []
    priorities: list[Priority] = []
    departments: list[Department] = []
    kpis: list[Kpi] = []
    kpi_note: str | None = None
    evaluation: EvaluationScale = EvaluationScale()
    indicators: list[Indicator] = []
    calendar: CalendarSettings = CalendarSettings()
    review_policy: ReviewPolicy = ReviewPolicy()
    initiatives: list[Initiative] = []

    def __eq__(self, other: object) -> bool:
        # Equal plans have equal fields; where they were read from and cached lookups differ.
        if not isinstance(other, Plan):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in Plan.model_fields)

    __hash__ = None  # type: ignore[assignment]  # lists inside: a plan is not hashable

    def where(self, loc: Loc) -> str:
        """``file:line:column`` of a place in the plan, as far as it is known.

        >>> Plan.model_validate({"id": "p", "name": "P",
        ...     "period": {"start": 2024, "end": 2028}}).where(("name",))
        '<plan>'
        """
        return place_of(self, loc)  # kept beside the model by the loader, not on it

    def task_loc(self, ref: str) -> Loc:
        """The place of a task in the plan, for :meth:`where`."""
        initiative_id, task_id = ref.split("/", 1)
        for i, initiative in enumerate(self.initiatives):  # ids may repeat in a bad plan
            if initiative.id == initiative_id:
                for j, task in enumerate(initiative.tasks):
                    if task.id == task_id:
                        return ("initiatives", i, "tasks", j)
        return ()

    # Lookups are built once per (immutable) plan.
    @cached_property
    def _initiatives_by_id(self) -> dict[str, Initiative]:
        return {i.id: i for i in self.initiatives}

    @cached_property
    def _tasks_by_ref(self) -> dict[str, tuple[Initiative, Task]]:
        return {f"{i.id}/{t.id}": (i, t) for i in self.initiatives for t in i.tasks}

    @property
    def policies(self) -> list[Policy]:
        """Every policy of every item, in order."""
        return [p for item in self.items for p in item.policies]

    def initiative(self, initiative_id: str) -> Initiative:
        """The initiative with this id; ``KeyError`` when there is none."""
        return self._initiatives_by_id[initiative_id]

    def task(self, ref: str) -> Task:
        """The task with this ``initiative/task`` ref; ``KeyError`` when there is none."""
        return self._tasks_by_ref[ref][1]

    def iter_tasks(self) -> Iterator[tuple[str, Initiative, Task]]:
        """Every task as ``(ref, initiative, task)``, in plan order."""
        for initiative in self.initiatives:
            for task in initiative.tasks:
                yield f"{initiative.id}/{task.id}", initiative, task

    def resolve(self, initiative: Initiative, ref: str) -> str:
        """The full ``initiative/task`` ref of ``ref`` written inside ``initiative``."""
        return ref if "/" in ref else f"{initiative.id}/{ref}"

    def counts(self) -> dict[str, int]:
        """How many of each part the plan has (for summaries).

        >>> Plan.model_validate({"id": "p", "name": "P",
        ...     "period": {"start": 2024, "end": 2028}}).counts()["initiatives"]
        0
        """
        return {
            "fields": len(self.fields),
            "items": len(self.items),
            "policies": len(self.policies),
            "foundations": len(self.foundations),
            "priorities": len(self.priorities),
            "kpis": len(self.kpis),
            "departments": len(self.departments),
            "initiatives": len(self.initiatives),
            "tasks": sum(len(i.tasks) for i in self.initiatives),
        }


# --- checks across the plan ---------------------------------------------------------------------


def _kind_name(kind: str) -> str:
    """The name of a kind of plan part (``field``, ``task``, ...) in the chosen language."""
    names = {
        "field": pgettext("plan part", "field"),
        "item": pgettext("plan part", "item"),
        "policy": pgettext("plan part", "policy"),
        "foundation": pgettext("plan part", "foundation"),
        "priority": pgettext("plan part", "priority"),
        "department": pgettext("plan part", "department"),
        "KPI": pgettext("plan part", "KPI"),
        "indicator": pgettext("plan part", "indicator"),
        "initiative": pgettext("plan part", "initiative"),
        "task": pgettext("plan part", "task"),
    }
    return names[kind]


def _did_you_mean(name: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return _("did you mean '{name}'?").format(name=close[0]) if close else None


def _known_list(kind: str, known: Sequence[str]) -> str:
    if not known:
        return _("no {kind} is defined yet").format(kind=_kind_name(kind))
    if len(known) <= 8:
        return _("the ones defined: {names}").format(names=", ".join(known))
    return _("write the id of a defined {kind}").format(kind=_kind_name(kind))


def _unknown(kind: str, name: str, known: Sequence[str], loc: Loc) -> Problem:
    return Problem(
        _("there is no {kind} '{name}'.").format(kind=_kind_name(kind), name=name),
        hint=_did_you_mean(name, known) or _known_list(kind, known),
        code="unknown-reference",
        loc=loc,
    )


def _twice(kind: str, ident: str) -> str:
    return _("the {kind} id '{ident}' is used twice.").format(kind=_kind_name(kind), ident=ident)


def _duplicates(kind: str, ids: Sequence[str], prefix: Loc, suffix: Loc = ("id",)) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    counts = Counter(ids)
    for index, ident in enumerate(ids):
        if counts[ident] > 1 and ident in seen:
            problems.append(
                Problem(
                    _twice(kind, ident),
                    hint=_("each id must be unique"),
                    code="duplicate-id",
                    loc=(*prefix, index, *suffix),
                )
            )
        seen.add(ident)
    return problems


def _check_structure(plan: Plan) -> list[Problem]:
    problems = []
    field_ids = [f.id for f in plan.fields]
    item_ids = [i.id for i in plan.items]
    department_ids = [d.id for d in plan.departments]
    problems += _duplicates("field", field_ids, ("fields",))
    problems += _duplicates("item", item_ids, ("items",))
    problems += _duplicates("foundation", [f.id for f in plan.foundations], ("foundations",))
    problems += _duplicates("priority", [p.id for p in plan.priorities], ("priorities",))
    problems += _duplicates("department", department_ids, ("departments",))
    problems += _duplicates("KPI", [k.id for k in plan.kpis], ("kpis",))
    policy_ids = [p.id for p in plan.policies]
    if len(set(policy_ids)) != len(policy_ids):
        seen: set[str] = set()
        for i, item in enumerate(plan.items):
            for j, policy in enumerate(item.policies):
                if policy.id in seen:
                    problems.append(
                        Problem(
                            _twice("policy", policy.id),
                            code="duplicate-id",
                            loc=("items", i, "policies", j, "id"),
                        )
                    )
                seen.add(policy.id)
    fields = set(field_ids)
    for i, item in enumerate(plan.items):
        if item.field not in fields:
            problems.append(_unknown("field", item.field, field_ids, ("items", i, "field")))
    departments = set(department_ids)
    for i, department in enumerate(plan.departments):
        if department.parent is not None and department.parent not in departments:
            problems.append(
                _unknown(
                    "department", department.parent, department_ids, ("departments", i, "parent")
                )
            )
    for i, kpi in enumerate(plan.kpis):
        if kpi.field is not None and kpi.field not in fields:
            problems.append(_unknown("field", kpi.field, field_ids, ("kpis", i, "field")))
        if kpi.department is not None and kpi.department not in departments:
            problems.append(
                _unknown("department", kpi.department, department_ids, ("kpis", i, "department"))
            )
        problems += _check_yearly_targets(kpi, ("kpis", i, "targets"))
        problems += _check_direction(kpi, ("kpis", i))
    both = set(plan.calendar.closed_days) & set(plan.calendar.open_days)
    for k, day in enumerate(plan.calendar.open_days):
        if day in both:
            problems.append(
                Problem(
                    _(
                        "{day} is both a closed day (closed_days) and an open day (open_days)."
                    ).format(day=day),
                    hint=_("keep one of them"),
                    code="bad-calendar",
                    loc=("calendar", "open_days", k),
                )
            )
    if plan.period.end < plan.period.start:
        problems.append(
            Problem(
                _("the period ends ({end}) before it starts ({start}).").format(
                    end=plan.period.end, start=plan.period.start
                ),
                code="bad-period",
                loc=("period", "end"),
            )
        )
    return problems


def _check_yearly_targets(kpi: Kpi | Indicator, where: Loc) -> list[Problem]:
    """Each yearly target lies strictly between the baseline and the final target's years,
    once per year.

    An indicator without a baseline or a target has no such span: nothing to check here (its
    years are checked against the plan's period, by :func:`_check_indicator_years`).
    """
    problems: list[Problem] = []
    if kpi.baseline is None or kpi.target is None:
        return problems
    seen: set[int] = set()
    first, last = kpi.baseline.fy, kpi.target.fy
    for k, point in enumerate(kpi.targets):
        if not first < point.fy < last:
            if isinstance(kpi, Indicator):
                message = _(
                    "the yearly target of indicator '{ident}' for FY{fy} is not between its"
                    " baseline (FY{first}) and its target (FY{last})."
                ).format(ident=kpi.id, fy=point.fy, first=first, last=last)
            else:
                message = _(
                    "the yearly target of KPI '{kpi}' for FY{fy} is not between its baseline"
                    " (FY{first}) and its target (FY{last})."
                ).format(kpi=kpi.id, fy=point.fy, first=first, last=last)
            problems.append(Problem(message, code="bad-kpi", loc=(*where, k, "fy")))
        elif point.fy in seen:
            message = _("KPI '{kpi}' has two yearly targets for FY{fy}.")
            problems.append(
                Problem(
                    message.format(kpi=kpi.id, fy=point.fy), code="bad-kpi", loc=(*where, k, "fy")
                )
            )
        seen.add(point.fy)
    return problems


def _figure(value: float) -> str:
    """A plan's value as a message quotes it: ``500`` rather than ``500.0``, ``0.5``, ``1e+20``."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _check_direction(kpi: Kpi | Indicator, where: Loc) -> list[Problem]:
    """The target lies on the side of the baseline its direction says is better (or equals
    it): not below the baseline going up, not above it going down. Checked only when both
    values are set."""
    if kpi.baseline is None or kpi.target is None:
        return []
    base, goal = kpi.baseline.value, kpi.target.value
    if base is None or goal is None:
        return []
    if kpi.direction == "up" and goal < base:
        message = _(
            "the target of {kind} '{ident}' ({target}) is below its baseline ({baseline}),"
            " but its direction is up (higher is better)."
        )
    elif kpi.direction == "down" and goal > base:
        message = _(
            "the target of {kind} '{ident}' ({target}) is above its baseline ({baseline}),"
            " but its direction is down (lower is better)."
        )
    else:
        return []
    return [
        Problem(
            message.format(
                kind=_kind_name("indicator" if isinstance(kpi, Indicator) else "KPI"),
                ident=kpi.id,
                target=_figure(goal),
                baseline=_figure(base),
            ),
            hint=_("correct the direction, the baseline or the target"),
            code="bad-kpi",
            loc=(*where, "target", "value"),
        )
    ]


def _check_evaluation(scale: EvaluationScale) -> list[Problem]:
    """A rate scale has two grades at least, best first with strictly falling thresholds, the
    last without one; a status scale has no grades and no basis but the default."""
    where: Loc = ("evaluation",)

    def bad(message: str, loc: Loc, hint: str | None = None) -> Problem:
        return Problem(message, hint=hint, code="bad-evaluation", loc=(*where, *loc))

    grades = scale.grades
    if scale.scale == "status":
        problems = []
        if grades:
            problems.append(
                bad(
                    _("the status scale takes no grades."),
                    ("grades",),
                    _("write scale: rate to grade the achievement rate, or remove grades"),
                )
            )
        if scale.basis != "final":  # the default, which a dumped plan writes out
            problems.append(
                bad(_("the status scale takes no basis."), ("basis",), _("remove basis"))
            )
        return problems
    if len(grades) < 2:
        return [
            bad(
                _("a rate scale needs two grades at least."),
                ("grades",) if "grades" in scale.model_fields_set else ("scale",),
                _("list the grades best first, each with min_rate; the last without one"),
            )
        ]
    problems = []
    seen: set[str] = set()
    previous: float | None = None
    for k, grade in enumerate(grades):
        at: Loc = ("grades", k)
        if grade.code in seen:
            message = _("the grade code '{code}' is used twice.")
            problems.append(bad(message.format(code=grade.code), (*at, "code")))
        elif grade.code == UNSET_CODE:
            message = _("the grade code '{code}' is kept for a missing value (not set).")
            problems.append(bad(message.format(code=grade.code), (*at, "code")))
        seen.add(grade.code)
        last = k == len(grades) - 1
        if last and grade.min_rate is not None:
            problems.append(
                bad(
                    _("the last grade '{code}' takes no min_rate.").format(code=grade.code),
                    (*at, "min_rate"),
                    _("it holds every rate below the grade before it"),
                )
            )
        elif not last and grade.min_rate is None:
            message = _("grade '{code}' has no min_rate.").format(code=grade.code)
            problems.append(bad(message, at, _("only the last grade goes without one")))
        elif grade.min_rate is not None and previous is not None and grade.min_rate >= previous:
            problems.append(
                bad(
                    _(
                        "the min_rate {rate:g} of grade '{code}' is not below the one before"
                        " it ({previous:g})."
                    ).format(rate=grade.min_rate, code=grade.code, previous=previous),
                    (*at, "min_rate"),
                    _("list the grades best first"),
                )
            )
        if grade.min_rate is not None:
            previous = grade.min_rate
    return problems


def _check_indicators(plan: Plan) -> list[Problem]:
    """Each indicator belongs to one known KPI or initiative, its id is unique among the
    KPIs and indicators, its yearly targets and values lie in the plan's period, one per
    year, and, when it has a baseline and a target, its yearly targets lie between them and
    its target on the side of the baseline its direction says is better (as a KPI's)."""
    kpi_ids = [k.id for k in plan.kpis]
    indicator_ids = [i.id for i in plan.indicators]
    kpis = set(kpi_ids)
    problems = [
        Problem(
            _twice("indicator", ident)
            if ident not in kpis
            else _("the indicator id '{ident}' is the id of a KPI.").format(ident=ident),
            hint=_("each id must be unique among the KPIs and indicators"),
            code="duplicate-id",
            loc=("indicators", k, "id"),
        )
        for k, ident in enumerate(indicator_ids)
        if ident in kpis or ident in indicator_ids[:k]
    ]
    initiative_ids = [i.id for i in plan.initiatives]
    department_ids = [d.id for d in plan.departments]
    first, last = plan.period.start.year, plan.period.end.year
    for k, indicator in enumerate(plan.indicators):
        at: Loc = ("indicators", k)
        if (indicator.kpi is None) == (indicator.initiative is None):
            problems.append(
                Problem(
                    _("indicator '{ident}' must belong to one KPI or one initiative.").format(
                        ident=indicator.id
                    ),
                    hint=_("write either kpi: or initiative:"),
                    code="bad-kpi",
                    loc=(*at, "initiative" if indicator.initiative is not None else "id"),
                )
            )
        if indicator.kpi is not None and indicator.kpi not in kpis:
            problems.append(_unknown("KPI", indicator.kpi, kpi_ids, (*at, "kpi")))
        if indicator.initiative is not None and indicator.initiative not in initiative_ids:
            problems.append(
                _unknown("initiative", indicator.initiative, initiative_ids, (*at, "initiative"))
            )
        if indicator.department is not None and indicator.department not in department_ids:
            problems.append(
                _unknown("department", indicator.department, department_ids, (*at, "department"))
            )
        found: list[Problem] = []
        for key in ("targets", "values"):
            found += _check_indicator_years(indicator, key, first, last, (*at, key))
        # With a baseline and a target, the yearly targets lie between them, as a KPI's do;
        # a year already reported (outside the plan's period, or twice) is not reported again.
        reported = {p.loc for p in found}
        found += [
            p for p in _check_yearly_targets(indicator, (*at, "targets")) if p.loc not in reported
        ]
        problems += found
        problems += _check_direction(indicator, at)
    return problems


def _check_indicator_years(
    indicator: Indicator, key: Literal["targets", "values"], first: int, last: int, where: Loc
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[int] = set()
    for k, point in enumerate(getattr(indicator, key)):
        if not first <= point.fy <= last:
            if key == "targets":
                message = _(
                    "the yearly target of indicator '{ident}' for FY{fy} is outside the plan's"
                    " period (FY{first}–FY{last})."
                )
            else:
                message = _(
                    "the value of indicator '{ident}' for FY{fy} is outside the plan's period"
                    " (FY{first}–FY{last})."
                )
            problems.append(
                Problem(
                    message.format(ident=indicator.id, fy=point.fy, first=first, last=last),
                    code="bad-kpi",
                    loc=(*where, k, "fy"),
                )
            )
        elif point.fy in seen:
            message = (
                _("indicator '{ident}' has two yearly targets for FY{fy}.")
                if key == "targets"
                else _("indicator '{ident}' has two values for FY{fy}.")
            )
            problems.append(
                Problem(
                    message.format(ident=indicator.id, fy=point.fy),
                    code="bad-kpi",
                    loc=(*where, k, "fy"),
                )
            )
        seen.add(point.fy)
    return problems


def _check_task(plan: Plan, where: Loc, task: Task, initiative: Initiative) -> list[Problem]:
    problems: list[Problem] = []

    def bad(message: str, key: str, hint: str | None = None) -> None:
        problems.append(Problem(message, hint=hint, code="bad-task", loc=(*where, key)))

    if task.milestone and (task.duration is not None or task.finish is not None):
        bad(
            _("the milestone '{task}' cannot have a duration or finish.").format(task=task.id),
            "duration" if task.duration is not None else "finish",
            _("remove duration and finish, or write milestone: false"),
        )
    if task.finish is not None and task.start is None:
        bad(
            _("the finish of task '{task}' needs a start.").format(task=task.id),
            "finish",
            _("to fix both ends write start too; otherwise use duration"),
        )
    if task.finish is not None and task.duration is not None:
        bad(
            _("task '{task}' has both a finish and a duration.").format(task=task.id),
            "duration",
            _("keep one of them"),
        )
    if not task.milestone and task.duration is None and task.finish is None:
        bad(
            _("the length of task '{task}' is not given.").format(task=task.id),
            "id",
            _("write a duration (e.g. 4mo, 20bd) or a start and a finish"),
        )
    if task.duration is not None and task.duration.amount < 0:
        bad(
            _("the duration '{duration}' of task '{task}' is negative.").format(
                duration=task.duration, task=task.id
            ),
            "duration",
        )
    if task.start is not None and task.finish is not None and task.finish.end < task.start.start:
        bad(
            _("the finish {finish} of task '{task}' is before its start {start}.").format(
                finish=task.finish, task=task.id, start=task.start
            ),
            "finish",
        )
    links: list[tuple[str, Loc]] = [(r, (*where, "after", k)) for k, r in enumerate(task.after)]
    links += [(d.on, (*where, "depends", k, "on")) for k, d in enumerate(task.depends)]
    for ref, loc in links:
        full = plan.resolve(initiative, ref)
        if full not in plan._tasks_by_ref:
            scope = [t.id for t in initiative.tasks] if "/" not in ref else list(plan._tasks_by_ref)
            problems.append(_unknown("task", ref, scope, loc))
        elif full == f"{initiative.id}/{task.id}":
            problems.append(
                Problem(
                    _("task '{task}' depends on itself.").format(task=task.id),
                    code="cycle",
                    loc=loc,
                )
            )
    return problems


def _check_initiatives(plan: Plan) -> list[Problem]:
    problems = _duplicates("initiative", [i.id for i in plan.initiatives], ("initiatives",))
    item_ids = [i.id for i in plan.items]
    policy_ids = [p.id for p in plan.policies]
    department_ids = [d.id for d in plan.departments]
    foundation_ids = [f.id for f in plan.foundations]
    kpi_ids = [k.id for k in plan.kpis]
    priority_names = [p.id for p in plan.priorities] + [p.name for p in plan.priorities]
    items, policies, departments = set(item_ids), set(policy_ids), set(department_ids)
    foundations, kpis, priorities = set(foundation_ids), set(kpi_ids), set(priority_names)
    for i, initiative in enumerate(plan.initiatives):
        at: Loc = ("initiatives", i)
        if initiative.item is not None and initiative.item not in items:
            problems.append(_unknown("item", initiative.item, item_ids, (*at, "item")))
        for k, policy in enumerate(initiative.policies):
            if policy not in policies:
                problems.append(_unknown("policy", policy, policy_ids, (*at, "policies", k)))
        for k, name in enumerate(initiative.priority):
            if name not in priorities:
                problems.append(_unknown("priority", name, priority_names, (*at, "priority", k)))
        for k, foundation in enumerate(initiative.foundations):
            if foundation not in foundations:
                problems.append(
                    _unknown("foundation", foundation, foundation_ids, (*at, "foundations", k))
                )
        if initiative.department is not None and initiative.department not in departments:
            problems.append(
                _unknown("department", initiative.department, department_ids, (*at, "department"))
            )
        for k, kpi in enumerate(initiative.kpis):
            if kpi not in kpis:
                problems.append(_unknown("KPI", kpi, kpi_ids, (*at, "kpis", k)))
        problems += _duplicates("task", [t.id for t in initiative.tasks], (*at, "tasks"))
        for j, task in enumerate(initiative.tasks):
            problems += _check_task(plan, (*at, "tasks", j), task, initiative)
    return problems


def check_plan(plan: Plan) -> list[Problem]:
    """Every problem that the models alone cannot see, each with its ``loc`` in the plan.

    Cycles in the dependencies are found by the scheduler, which knows the whole graph.

    >>> plan = Plan.model_validate({"id": "p", "name": "P",
    ...     "period": {"start": "FY2024", "end": "FY2028"},
    ...     "initiatives": [{"id": "a", "name": "A", "department": "somu"}]})
    >>> [p.message for p in check_plan(plan)]
    ["担当課 'somu' が見つかりません。"]
    """
    return (
        _check_structure(plan)
        + _check_evaluation(plan.evaluation)
        + _check_indicators(plan)
        + _check_initiatives(plan)
        + _check_page_names(plan)
    )


_LIST_PAGE = "index"
"""The name of the progress site's list of KPIs (``kpis/index.html``): no KPI's id."""


def _check_page_names(plan: Plan) -> list[Problem]:
    """The ids that name pages of the progress site (``fields/``, ``items/``,
    ``initiatives/``, ``kpis/`` for the KPIs and indicators) are file names: two that differ
    only in case are one file on Windows and macOS, and a KPI named ``index`` would be the
    KPIs' list page. Exact repeats are reported by the other checks."""
    problems = []

    def named(where: str, ids: Iterable[str]) -> list[tuple[str, Loc]]:
        return [(ident, (where, n, "id")) for n, ident in enumerate(ids)]

    groups = [
        ("field", named("fields", (f.id for f in plan.fields))),
        ("item", named("items", (i.id for i in plan.items))),
        ("initiative", named("initiatives", (i.id for i in plan.initiatives))),
        (
            "KPI",
            named("kpis", (k.id for k in plan.kpis))
            + named("indicators", (i.id for i in plan.indicators)),
        ),
    ]
    for kind, ids in groups:
        first: dict[str, str] = {}
        for ident, loc in ids:
            folded = ident.casefold()
            other = first.setdefault(folded, ident)
            if other != ident:
                problems.append(
                    Problem(
                        _("the {kind} id '{ident}' differs from '{other}' only in case.").format(
                            kind=_kind_name(kind), ident=ident, other=other
                        ),
                        hint=_("their pages of the progress site would be one file on Windows"),
                        code="duplicate-id",
                        loc=loc,
                    )
                )
            if kind == "KPI" and folded == _LIST_PAGE:
                problems.append(
                    Problem(
                        _("'{ident}' cannot be the id of a KPI or an indicator.").format(
                            ident=ident
                        ),
                        hint=_("the progress site's list of KPIs is kpis/index.html"),
                        code="reserved-id",
                        loc=loc,
                    )
                )
    return problems
