"""The annual progress report (年次進捗報告) to the 青森県DX推進本部: what it says.

:func:`annual_report` gathers, from one :class:`~aomori_roadmap.views.snapshot.Snapshot` (as of
the end of the fiscal year, or an earlier date for an interim report), the review records and
the KPI actual values, everything the report says, as one :class:`AnnualReport`:

- **per field and item** (分野・項目), the initiatives with their status, progress, lateness,
  planned span and the latest ratings of the year's two reviews (self-assessment and the
  office's rating, with the department's 成果・課題・今後の取組);
- the **rating distribution** of each review of the year;
- the **KPI table**: baseline, target, the year's actual (a number, or a mark: 未把握,
  調査中), the expected value (to two decimals), the achievement rate and the status
  (``unset`` when a value is missing or a mark);
- the **tasks slipped** against the baseline (or the plan, without one), in working days;
- **what changed since the previous report**, marked as the prefecture's progress dashboard
  marks it: ``new``, ``changed`` (dates or status), ``done``;
- the **next fiscal year's milestones**.

The report holds data only: its words and its Markdown, HTML and Excel renderings are in
:mod:`aomori_roadmap.export.report` and :mod:`aomori_roadmap.export.excel`.
:meth:`AnnualReport.to_json` gives it as JSON-ready data (the ``report --format json`` file),
and such a file, read back, serves as the ``previous`` report of the next year.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
>>> report = annual_report(snap, [], [], fy=2024)
>>> report.fy_label, [f.name for f in report.fields]
('2024年度（令和6年度）', ['産業・しごと', '暮らし・まち', '行政経営'])
>>> report.kpis[0].status.value
'unset'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from aomori_roadmap.calendar import FiscalYear, parse_period
from aomori_roadmap.engine.kpi import KpiMark, KpiStatus, progress
from aomori_roadmap.engine.status import Lateness, Status, StatusState
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _

if TYPE_CHECKING:  # type-only: the report reads what the store and the snapshot give it
    from aomori_roadmap.store.review_log import KpiActual, ReviewRecord
    from aomori_roadmap.views.snapshot import Snapshot

__all__ = [
    "AnnualReport",
    "ChangeDetail",
    "InitiativeReview",
    "KpiRow",
    "KpiValue",
    "NextMilestone",
    "PreviousReport",
    "RatingDistribution",
    "RatingLevel",
    "ReportChange",
    "ReportField",
    "ReportInitiative",
    "ReportItem",
    "ReportSummary",
    "ReportTask",
    "SlippedTask",
    "annual_report",
    "roadmap_rows",
]

Stage = Literal["submitted", "reviewed"]
"""A review step: the department's self-assessment (``submitted``), the office's rating."""
Mark = Literal["new", "changed", "done"]
"""How an initiative or a task changed since the previous report."""

_STAGES: tuple[Stage, ...] = ("submitted", "reviewed")
_SEVERITY = (Lateness.ON_TRACK, Lateness.AT_RISK, Lateness.LATE)  # least to most late


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _code(value: Status | Lateness | None) -> str | None:
    return None if value is None else value.value


# --- the data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InitiativeReview:
    """An initiative in one review cycle: the standing ratings and the words of both steps.

    ``own_rating`` is the department's self-assessment (``self`` in the JSON), ``office`` the
    office's rating; ``None`` while a step is not recorded. The texts are ``""`` then.
    """

    cycle: str
    own_rating: str | None
    office: str | None
    achievements: str
    issues: str
    next_steps: str
    comment: str

    def to_json(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle, "self": self.own_rating, "office": self.office,
            "achievements": self.achievements, "issues": self.issues,
            "next_steps": self.next_steps, "comment": self.comment,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReportInitiative:
    """An initiative as the report shows it, with the counts of its tasks and its reviews.

    ``status`` and ``progress`` are the initiative's own when recorded, else what its tasks
    add up to; ``lateness`` is its worst task's (``None`` without tasks); ``start`` and
    ``finish`` its current span; ``change`` its mark since the previous report.
    """

    id: str
    name: str
    department: str | None
    department_name: str | None
    status: Status
    progress: int
    lateness: Lateness | None
    start: date | None
    finish: date | None
    tasks: int
    tasks_done: int
    late: int
    at_risk: int
    reviews: tuple[InitiativeReview, ...]
    change: Mark | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "department": self.department,
            "department_name": self.department_name, "status": self.status.value,
            "progress": self.progress, "lateness": _code(self.lateness),
            "start": _iso(self.start), "finish": _iso(self.finish),
            "tasks": self.tasks, "tasks_done": self.tasks_done, "late": self.late,
            "at_risk": self.at_risk, "reviews": [r.to_json() for r in self.reviews],
            "change": self.change,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReportItem:
    """An item (項目) with its initiatives; ``id`` and ``name`` ``None``: those without one."""

    id: str | None
    name: str | None
    initiatives: tuple[ReportInitiative, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "initiatives": [i.to_json() for i in self.initiatives],
        }


@dataclass(frozen=True, slots=True)
class ReportField:
    """A field (分野) with its items; ``id`` and ``name`` ``None``: initiatives without an item."""

    id: str | None
    name: str | None
    items: tuple[ReportItem, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "items": [i.to_json() for i in self.items]}


@dataclass(frozen=True, slots=True)
class RatingLevel:
    """One step of the plan's rating scale, e.g. ◎ 予定以上."""

    symbol: str
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "label": self.label}


@dataclass(frozen=True, slots=True)
class RatingDistribution:
    """How many initiatives of a cycle got each rating at one step, and how many none yet.

    ``counts`` has a key for every symbol of the scale, in the scale's order.
    """

    cycle: str
    stage: Stage
    counts: Mapping[str, int]
    missing: int

    def to_json(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle, "stage": self.stage, "counts": dict(self.counts),
            "missing": self.missing,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class KpiValue:
    """A KPI's standing actual value in one fiscal year: a number, or a mark (未把握, 調査中)
    with ``value`` ``None``."""

    fy: int
    value: float | None
    mark: KpiMark | None = None

    def to_json(self) -> dict[str, Any]:
        return {"fy": self.fy, "value": self.value, "mark": self.mark}


@dataclass(frozen=True, slots=True)
class KpiRow:
    """A KPI in the report's year: baseline, target, actual, expected value, rate and status.

    ``mark`` is the year's non-numeric entry (未把握, 調査中), given instead of ``actual``.
    """

    id: str
    name: str
    unit: str | None
    direction: Literal["up", "down"]
    field: str | None
    source: str | None
    baseline: float | None
    baseline_fy: int
    target: float | None
    target_fy: int
    actual: float | None
    rate: float | None
    expected: float | None
    status: KpiStatus
    actuals: tuple[KpiValue, ...]
    mark: KpiMark | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "unit": self.unit, "direction": self.direction,
            "field": self.field, "source": self.source,
            "baseline": self.baseline, "baseline_fy": self.baseline_fy,
            "target": self.target, "target_fy": self.target_fy,
            "actual": self.actual, "mark": self.mark, "rate": self.rate,
            "expected": self.expected, "status": self.status.value,
            "actuals": [a.to_json() for a in self.actuals],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReportTask:
    """A task of the current schedule with its status, progress, lateness and span."""

    ref: str
    initiative: str
    initiative_name: str
    name: str
    milestone: bool
    status: Status
    progress: int
    lateness: Lateness | None
    start: date
    finish: date
    duration_days: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "initiative": self.initiative,
            "initiative_name": self.initiative_name, "name": self.name,
            "milestone": self.milestone, "status": self.status.value, "progress": self.progress,
            "lateness": _code(self.lateness), "start": self.start.isoformat(),
            "finish": self.finish.isoformat(), "duration_days": self.duration_days,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class SlippedTask:
    """A task that now finishes later than the yardstick says, by ``days`` working days."""

    ref: str
    initiative: str
    initiative_name: str
    name: str
    planned_start: date
    planned_finish: date
    start: date
    finish: date
    days: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "initiative": self.initiative,
            "initiative_name": self.initiative_name, "name": self.name,
            "planned_start": self.planned_start.isoformat(),
            "planned_finish": self.planned_finish.isoformat(),
            "start": self.start.isoformat(), "finish": self.finish.isoformat(),
            "days": self.days,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class NextMilestone:
    """A milestone (▲) that falls in the fiscal year after the report's."""

    ref: str
    initiative: str
    initiative_name: str
    name: str
    status: Status
    date: date

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "initiative": self.initiative,
            "initiative_name": self.initiative_name, "name": self.name,
            "status": self.status.value, "date": self.date.isoformat(),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChangeDetail:
    """One thing that changed: ``what`` (``status``, ``start`` or ``finish``) before → after.

    The values are as the JSON has them (status codes, ISO dates); ``before`` is ``None``
    when the previous report did not say.
    """

    what: str
    before: Any
    after: str | None

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class ReportChange:
    """An initiative or a task that is new, changed or done since the previous report."""

    mark: Mark
    kind: Literal["initiative", "task"]
    ref: str
    name: str
    initiative_name: str
    details: tuple[ChangeDetail, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "mark": self.mark, "kind": self.kind, "ref": self.ref, "name": self.name,
            "initiative_name": self.initiative_name,
            "details": [d.to_json() for d in self.details],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class PreviousReport:
    """Which report the changes are counted from: its fiscal year and date, as it says them."""

    fy: Any
    as_of: Any

    def to_json(self) -> dict[str, Any]:
        return {"fy": self.fy, "as_of": self.as_of}


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """The report's headline counts."""

    initiatives: int
    tasks: int
    done: int
    in_progress: int
    late: int
    at_risk: int
    slipped: int
    kpis: int
    kpis_unset: int

    def to_json(self) -> dict[str, Any]:
        return {
            "initiatives": self.initiatives, "tasks": self.tasks, "done": self.done,
            "in_progress": self.in_progress, "late": self.late, "at_risk": self.at_risk,
            "slipped": self.slipped, "kpis": self.kpis, "kpis_unset": self.kpis_unset,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class AnnualReport:
    """The annual progress report of one fiscal year (see the module's description).

    ``fy_label`` is the year's Japanese label (the JSON's, whatever the language chosen),
    ``start`` and ``end`` its first and last days, ``as_of`` the date the report is about;
    ``baseline`` the name of the baseline slips are measured against (``None``: the plan);
    ``changes`` and ``previous`` are ``None`` when no previous report was given.
    """

    plan_id: str
    plan_name: str
    fy: int
    fy_label: str
    start: date
    end: date
    as_of: date
    baseline: str | None
    cycles: tuple[str, ...]
    scale: tuple[RatingLevel, ...]
    distribution: tuple[RatingDistribution, ...]
    fields: tuple[ReportField, ...]
    kpis: tuple[KpiRow, ...]
    slipped: tuple[SlippedTask, ...]
    next_milestones: tuple[NextMilestone, ...]
    tasks: tuple[ReportTask, ...]
    changes: tuple[ReportChange, ...] | None
    previous: PreviousReport | None
    summary: ReportSummary

    @property
    def fiscal_year(self) -> FiscalYear:
        """The fiscal year reported."""
        return FiscalYear(self.fy)

    def initiatives(self) -> list[ReportInitiative]:
        """Every initiative of the report, in its order (fields, items, then the rest)."""
        return [i for f in self.fields for item in f.items for i in item.initiatives]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data: what ``report --format json`` writes.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.views.snapshot import take_snapshot
        >>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
        >>> data = annual_report(snap, [], [], fy=2024).to_json()
        >>> data["report"], data["fy"], data["period"], data["changes"]
        ('annual-progress', 2024, {'start': '2024-04-01', 'end': '2025-03-31'}, None)
        """
        return {
            "report": "annual-progress", "plan": {"id": self.plan_id, "name": self.plan_name},
            "fy": self.fy, "fy_label": self.fy_label,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "as_of": self.as_of.isoformat(), "baseline": self.baseline,
            "cycles": list(self.cycles), "scale": [s.to_json() for s in self.scale],
            "distribution": [d.to_json() for d in self.distribution],
            "fields": [f.to_json() for f in self.fields],
            "kpis": [k.to_json() for k in self.kpis],
            "slipped": [s.to_json() for s in self.slipped],
            "next_milestones": [m.to_json() for m in self.next_milestones],
            "tasks": [t.to_json() for t in self.tasks],
            "changes": None if self.changes is None else [c.to_json() for c in self.changes],
            "previous": None if self.previous is None else self.previous.to_json(),
            "summary": self.summary.to_json(),
        }  # fmt: skip


# --- gathering ------------------------------------------------------------------------------


def _fiscal_year(fy: int | str | FiscalYear) -> FiscalYear:
    if isinstance(fy, FiscalYear):
        return fy
    if isinstance(fy, int) and not isinstance(fy, bool):
        return FiscalYear(fy)
    if isinstance(fy, str):
        text = fy.strip()
        period = FiscalYear(int(text)) if text.isdigit() else parse_period(text)
        if isinstance(period, FiscalYear):
            return period
    example = FiscalYear(2025)  # the forms a fiscal year is written in, by example
    raise PlanError(
        _("'{fy}' is not a fiscal year (for example {year}, {code}, {wareki}).").format(
            fy=fy, year=example.year, code=example.code, wareki=example.wareki_label()
        )
    )


Reviews: TypeAlias = "dict[tuple[str, str, str], ReviewRecord]"
"""The standing record of each ``(cycle, initiative, stage)`` of the year's cycles."""


def _standing(records: Iterable[ReviewRecord], cycles: list[str]) -> Reviews:
    latest: Reviews = {}
    for record in sorted(records, key=lambda r: r.id):  # later records replace earlier ones
        if record.corrected_by is None and record.cycle in cycles:
            latest[(record.cycle, record.initiative, record.stage)] = record
    return latest


def _review_entry(reviews: Reviews, cycle: str, initiative: str) -> InitiativeReview:
    own = reviews.get((cycle, initiative, "submitted"))
    office = reviews.get((cycle, initiative, "reviewed"))
    return InitiativeReview(
        cycle=cycle,
        own_rating=None if own is None else own.rating,
        office=None if office is None else office.rating,
        achievements="" if own is None else own.achievements,
        issues="" if own is None else own.issues,
        next_steps="" if own is None else own.next_steps,
        comment="" if office is None else office.comment,
    )


def _task_rows(snapshot: Snapshot) -> list[ReportTask]:
    rows = []
    scheduled, states, lateness = snapshot.current.tasks, snapshot.states, snapshot.lateness
    planned = Status.PLANNED
    for ref, initiative, task in snapshot.plan.iter_tasks():  # a 100,000-task plan: lean
        current = scheduled.get(ref)
        if current is None:
            continue
        state = states.get(ref)
        rows.append(
            ReportTask(  # positional, in the order of the fields
                ref, initiative.id, initiative.name, task.name, task.milestone,
                planned if state is None else state.status, 0 if state is None else state.progress,
                lateness.get(ref), current.early_start, current.early_finish,
                current.duration_days,
            )
        )  # fmt: skip
    return rows


def _initiative_status(own: StatusState | None, tasks: list[ReportTask]) -> tuple[Status, int]:
    """An initiative's status and progress: its own state, else what its tasks add up to."""
    if own is not None:
        return own.status, own.progress
    live = [t for t in tasks if t.status is not Status.CANCELLED]
    if not tasks:
        return Status.PLANNED, 0
    if not live:
        return Status.CANCELLED, 0
    weights = [max(t.duration_days, 1) for t in live]
    share = sum(w * t.progress for w, t in zip(weights, live, strict=True)) / sum(weights)
    statuses = {t.status for t in live}
    if statuses == {Status.DONE}:
        return Status.DONE, 100
    if statuses & {Status.IN_PROGRESS, Status.DONE}:
        return Status.IN_PROGRESS, round(share)
    if Status.ON_HOLD in statuses:
        return Status.ON_HOLD, round(share)
    return Status.PLANNED, round(share)


def _initiatives(
    snapshot: Snapshot, tasks: list[ReportTask], reviews: Reviews, cycles: list[str]
) -> dict[str, ReportInitiative]:
    plan = snapshot.plan
    departments = {d.id: d.name for d in plan.departments}
    by_initiative: dict[str, list[ReportTask]] = {}
    for task in tasks:
        by_initiative.setdefault(task.initiative, []).append(task)
    found = {}
    for initiative in plan.initiatives:
        own = by_initiative.get(initiative.id, [])
        status, share = _initiative_status(snapshot.states.get(initiative.id), own)
        worst = max((_SEVERITY.index(t.lateness) for t in own if t.lateness), default=0)
        span = snapshot.current.initiatives.get(initiative.id)
        found[initiative.id] = ReportInitiative(
            id=initiative.id, name=initiative.name, department=initiative.department,
            department_name=departments.get(initiative.department or ""),
            status=status, progress=share,
            lateness=_SEVERITY[worst] if own else None,
            start=None if span is None else span.start,
            finish=None if span is None else span.finish,
            tasks=len(own), tasks_done=sum(t.status is Status.DONE for t in own),
            late=sum(t.lateness is Lateness.LATE for t in own),
            at_risk=sum(t.lateness is Lateness.AT_RISK for t in own),
            reviews=tuple(_review_entry(reviews, code, initiative.id) for code in cycles),
        )  # fmt: skip
    return found


def _structure(
    snapshot: Snapshot, initiatives: Mapping[str, ReportInitiative]
) -> tuple[ReportField, ...]:
    """Fields → items → initiatives, in plan order; initiatives without an item come last."""
    plan = snapshot.plan
    per_item: dict[str | None, list[ReportInitiative]] = {}
    known_items = {item.id for item in plan.items}
    for initiative in plan.initiatives:
        key = initiative.item if initiative.item in known_items else None
        per_item.setdefault(key, []).append(initiatives[initiative.id])
    fields = [
        ReportField(
            id=f.id,
            name=f.name,
            items=tuple(
                ReportItem(id=item.id, name=item.name, initiatives=tuple(per_item.get(item.id, [])))
                for item in plan.items
                if item.field == f.id
            ),
        )
        for f in plan.fields
    ]
    if per_item.get(None):
        rest = ReportItem(id=None, name=None, initiatives=tuple(per_item[None]))
        fields.append(ReportField(id=None, name=None, items=(rest,)))
    return tuple(fields)


def _distribution(
    snapshot: Snapshot, reviews: Reviews, cycles: list[str]
) -> tuple[RatingDistribution, ...]:
    scale = [r.symbol for r in snapshot.plan.review_policy.ratings]
    covered = {c.code: c.initiatives for c in snapshot.cycles}
    rows = []
    for code in cycles:
        for stage in _STAGES:
            counts = dict.fromkeys(scale, 0)
            missing = 0
            for initiative in covered.get(code, ()):
                record = reviews.get((code, initiative, stage))
                if record is None or record.rating not in counts:
                    missing += 1
                else:
                    counts[record.rating] += 1
            rows.append(RatingDistribution(cycle=code, stage=stage, counts=counts, missing=missing))
    return tuple(rows)


def _kpis(snapshot: Snapshot, values: Iterable[KpiActual], fy: int) -> tuple[KpiRow, ...]:
    by_kpi: dict[str, dict[int, float | KpiMark]] = {}
    for value in values:
        measured = value.measured
        if measured is not None:
            by_kpi.setdefault(value.kpi, {})[value.fy] = measured
    rows = []
    for kpi in snapshot.plan.kpis:
        actuals = by_kpi.get(kpi.id, {})
        standing = progress(kpi, fy, actuals.get(fy))
        rows.append(
            KpiRow(
                id=kpi.id, name=kpi.name, unit=kpi.unit, direction=kpi.direction,
                field=kpi.field, source=kpi.source,
                baseline=kpi.baseline.value, baseline_fy=kpi.baseline.fy,
                target=kpi.target.value, target_fy=kpi.target.fy,
                actual=standing.actual, rate=standing.rate,
                expected=None if standing.expected is None else round(standing.expected, 2),
                status=standing.status, mark=standing.mark,
                actuals=tuple(_value(y, v) for y, v in sorted(actuals.items())),
            )
        )  # fmt: skip
    return tuple(rows)


def _value(fy: int, measured: float | KpiMark) -> KpiValue:
    if isinstance(measured, KpiMark):
        return KpiValue(fy=fy, value=None, mark=measured)
    return KpiValue(fy=fy, value=measured)


def _slipped(snapshot: Snapshot, tasks: list[ReportTask]) -> tuple[SlippedTask, ...]:
    """Tasks whose current finish is later than the baseline's (the plan's, without one)."""
    yardstick = snapshot.baseline or snapshot.planned
    calendar = snapshot.current.calendar
    rows = []
    for task in tasks:
        now, then = snapshot.current.tasks[task.ref], yardstick.tasks.get(task.ref)
        if then is None or now.early_finish <= then.early_finish:
            continue
        rows.append(
            SlippedTask(
                ref=task.ref, initiative=task.initiative,
                initiative_name=task.initiative_name, name=task.name,
                planned_start=then.early_start, planned_finish=then.early_finish,
                start=task.start, finish=task.finish,
                days=calendar.working_days_between(then.early_finish, now.early_finish),
            )
        )  # fmt: skip
    return tuple(sorted(rows, key=lambda r: (-r.days, r.ref)))


def _milestones(tasks: list[ReportTask], fy: FiscalYear) -> tuple[NextMilestone, ...]:
    following = fy.next()
    return tuple(
        NextMilestone(
            ref=task.ref,
            initiative=task.initiative,
            initiative_name=task.initiative_name,
            name=task.name,
            status=task.status,
            date=task.finish,
        )
        for task in sorted(tasks, key=lambda t: (t.finish, t.ref))
        if task.milestone and following.contains(task.finish)
    )


def _changes(
    fields: tuple[ReportField, ...], tasks: list[ReportTask], previous: Mapping[str, Any]
) -> tuple[ReportChange, ...]:
    """New, changed and done initiatives and tasks since ``previous`` (an earlier report's JSON)."""
    changes = []
    before_initiatives = {
        i["id"]: i
        for f in previous.get("fields") or []
        for item in f.get("items") or []
        for i in item.get("initiatives") or []
    }
    before_tasks = {t["ref"]: t for t in previous.get("tasks") or []}
    # (kind, key, name, initiative's name, what it is now as the JSON says it, what it was)
    pairs: list[tuple[Literal["initiative", "task"], str, str, str, dict[str, Any], Any]] = [
        ("initiative", i.id, i.name, i.name, i.to_json(), before_initiatives.get(i.id))
        for f in fields
        for item in f.items
        for i in item.initiatives
    ]
    pairs += [
        ("task", t.ref, t.name, t.initiative_name, t.to_json(), before_tasks.get(t.ref))
        for t in tasks
    ]
    for kind, key, name, initiative_name, now, then in pairs:
        details = []
        mark: Mark
        if then is None:
            mark = "new"
        elif now["status"] == Status.DONE.value and then.get("status") != Status.DONE.value:
            mark = "done"
        else:
            for part in ("status", "start", "finish"):
                if then.get(part) != now[part]:
                    details.append(ChangeDetail(what=part, before=then.get(part), after=now[part]))
            if not details:
                continue
            mark = "changed"
        changes.append(
            ReportChange(
                mark=mark, kind=kind, ref=key, name=name, initiative_name=initiative_name,
                details=tuple(details),
            )
        )  # fmt: skip
    return tuple(changes)


def _previous_json(previous: AnnualReport | Mapping[str, Any]) -> Mapping[str, Any]:
    return previous.to_json() if isinstance(previous, AnnualReport) else previous


def roadmap_rows(snapshot: Snapshot) -> tuple[tuple[ReportField, ...], tuple[ReportTask, ...]]:
    """The report's fields → items → initiatives (status, progress, lateness, span, task
    counts; no reviews) and every task of the current schedule: what the progress site shares
    with the report, without the rest of the report's work.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> fields, tasks = roadmap_rows(take_snapshot(default_plan(), as_of=date(2025, 3, 31)))
    >>> [f.name for f in fields], tasks[0].ref
    (['産業・しごと', '暮らし・まち', '行政経営'], 'bousai-dx-alerts/study')
    """
    tasks = _task_rows(snapshot)
    return _structure(snapshot, _initiatives(snapshot, tasks, {}, [])), tuple(tasks)


def annual_report(
    snapshot: Snapshot,
    review_log_records: Iterable[ReviewRecord],
    kpi_actuals: Iterable[KpiActual],
    *,
    fy: int | str | FiscalYear,
    previous: AnnualReport | Mapping[str, Any] | None = None,
) -> AnnualReport:
    """The annual progress report of fiscal year ``fy``.

    Args:
        snapshot: the plan as of the report's date (normally the last day of ``fy``).
        review_log_records: review records (``ReviewLog.records()``); corrected ones and
            those of other years are left out here.
        kpi_actuals: the standing KPI values (``KpiLog.actuals()``).
        fy: the fiscal year reported (2025, ``FY2025``, ``令和7年度``).
        previous: the previous report (this function's result for the year before, or its
            JSON as saved then, :meth:`AnnualReport.to_json`); ``None``: no changes section
            (``changes`` is ``None``).

    Raises:
        PlanError: ``fy`` is not a fiscal year, or lies outside the plan.
    """
    year = _fiscal_year(fy)
    plan = snapshot.plan
    if not plan.period.start <= year <= plan.period.end:
        raise PlanError(
            _("{year} is outside the period of the plan ({start}–{end}).").format(
                year=year.code, start=plan.period.start.code, end=plan.period.end.code
            )
        )
    cycles = [half.code for half in year.halves()]
    reviews = _standing(review_log_records, cycles)
    tasks = _task_rows(snapshot)
    initiatives = _initiatives(snapshot, tasks, reviews, cycles)
    fields = _structure(snapshot, initiatives)
    slipped = _slipped(snapshot, tasks)
    kpis = _kpis(snapshot, kpi_actuals, year.year)
    changes = None
    before = None
    if previous is not None:
        earlier = _previous_json(previous)
        changes = _changes(fields, tasks, earlier)
        before = PreviousReport(fy=earlier.get("fy"), as_of=earlier.get("as_of"))
        marks = {c.ref: c.mark for c in changes if c.kind == "initiative"}
        if marks:
            initiatives = {key: replace(i, change=marks.get(key)) for key, i in initiatives.items()}
            fields = _structure(snapshot, initiatives)
    return AnnualReport(
        plan_id=plan.id, plan_name=plan.name, fy=year.year,
        fy_label=year.label("ja"),  # the JSON's label is the Japanese one, as it always was
        start=year.start, end=year.end, as_of=snapshot.as_of,
        baseline=snapshot.baseline_name, cycles=tuple(cycles),
        scale=tuple(RatingLevel(symbol=r.symbol, label=r.label)
                    for r in plan.review_policy.ratings),
        distribution=_distribution(snapshot, reviews, cycles), fields=fields, kpis=kpis,
        slipped=slipped, next_milestones=_milestones(tasks, year), tasks=tuple(tasks),
        changes=changes, previous=before,
        summary=ReportSummary(
            initiatives=len(initiatives), tasks=len(tasks),
            done=sum(t.status is Status.DONE for t in tasks),
            in_progress=sum(t.status is Status.IN_PROGRESS for t in tasks),
            late=sum(t.lateness is Lateness.LATE for t in tasks),
            at_risk=sum(t.lateness is Lateness.AT_RISK for t in tasks),
            slipped=len(slipped), kpis=len(kpis),
            kpis_unset=sum(k.status is KpiStatus.UNSET for k in kpis),
        ),
    )  # fmt: skip
