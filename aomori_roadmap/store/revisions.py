"""Plan revisions as values: canonical JSON and its hash, and comparing two versions of a plan.

Pure functions over plans and schedules (no SQL); the store calls them to save revisions and
for ``diff`` and ``variance`` after loading the revisions. The canonical JSON of a plan is its
JSON without default values, keys sorted, no spaces: the same content always gives the same
bytes, so the same SHA-256 and the same revision. Shifts are counted in working days of the newer
plan's calendar, positive when the newer date is later.

>>> from aomori_roadmap.plan.loader import plan_from_data
>>> def plan(days):
...     return plan_from_data({"id": "p", "name": "P", "period": {"start": 2024, "end": 2024},
...         "initiatives": [{"id": "a", "name": "A", "tasks": [
...             {"id": "x", "name": "検討", "duration": days},
...             {"id": "y", "name": "完了", "milestone": True, "after": "x"}]}]})
>>> result = compare_plans(plan("5bd"), plan("8bd"))
>>> result.changed, result.shifts["a/y"].finish_days
({'a/x': ['duration']}, 3)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.engine.schedule import Schedule, Span, schedule
from aomori_roadmap.plan.model import Plan

__all__ = [
    "PlanDiff",
    "Shift",
    "Variance",
    "canonical_json",
    "compare_plans",
    "compare_schedules",
    "plan_from_json",
    "plan_hash",
    "variance_of",
]


def canonical_json(plan: Plan) -> str:
    """The plan as canonical JSON: no defaults, keys sorted, compact, Japanese kept as is.

    >>> canonical_json(Plan.model_validate({"name": "試行", "id": "p",
    ...     "period": {"start": "令和6年度", "end": 2025}}))
    '{"id":"p","name":"試行","period":{"end":"FY2025","start":"FY2024"}}'
    """
    data = plan.model_dump(mode="json", exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def plan_hash(plan: Plan) -> str:
    """The SHA-256 (hex) of the plan's canonical JSON: equal content, equal hash.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> len(plan_hash(default_plan()))
    64
    """
    return hashlib.sha256(canonical_json(plan).encode("utf-8")).hexdigest()


def plan_from_json(content: str) -> Plan:
    """The plan stored as canonical JSON (the inverse of :func:`canonical_json`).

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> plan_from_json(canonical_json(default_plan())) == default_plan()
    True
    """
    return Plan.model_validate_json(content)


@dataclass(frozen=True, slots=True)
class Shift:
    """How a task (or an initiative's span) moved: dates before and after, in working days."""

    ref: str
    before_start: date
    before_finish: date
    after_start: date
    after_finish: date
    start_days: int
    finish_days: int

    @property
    def moved(self) -> bool:
        """Whether the start or the finish moved."""
        return bool(self.start_days or self.finish_days)

    def to_json(self) -> dict[str, Any]:
        """The shift as JSON-ready data (ISO dates)."""
        return {
            "ref": self.ref,
            "before": {
                "start": self.before_start.isoformat(),
                "finish": self.before_finish.isoformat(),
            },
            "after": {
                "start": self.after_start.isoformat(),
                "finish": self.after_finish.isoformat(),
            },
            "start_days": self.start_days,
            "finish_days": self.finish_days,
        }


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Tasks added, removed and changed (with the changed fields) and every common task's shift.

    ``old`` and ``new`` are the revision ids compared (``None`` for a plan not stored).
    """

    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]
    shifts: dict[str, Shift]
    old: int | None = None
    new: int | None = None

    @property
    def moved(self) -> dict[str, Shift]:
        """The shifts of tasks whose start or finish moved."""
        return {ref: shift for ref, shift in self.shifts.items() if shift.moved}

    def to_json(self) -> dict[str, Any]:
        """The diff as JSON-ready data."""
        return {
            "old": self.old,
            "new": self.new,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "shifts": [shift.to_json() for shift in self.shifts.values()],
        }


@dataclass(frozen=True, slots=True)
class Variance:
    """The current schedule against a baseline, per task and per initiative (working days)."""

    baseline: str
    revision: int
    tasks: dict[str, Shift]
    initiatives: dict[str, Shift]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The variance as JSON-ready data."""
        return {
            "baseline": self.baseline,
            "revision": self.revision,
            "tasks": [shift.to_json() for shift in self.tasks.values()],
            "initiatives": [shift.to_json() for shift in self.initiatives.values()],
            "added": self.added,
            "removed": self.removed,
        }


def _shift(ref: str, before: Span, after: Span, calendar: WorkCalendar) -> Shift:
    return Shift(
        ref,
        before.start,
        before.finish,
        after.start,
        after.finish,
        calendar.working_days_between(before.start, after.start),
        calendar.working_days_between(before.finish, after.finish),
    )


def _task_fields(plan: Plan) -> dict[str, dict[str, Any]]:
    return {
        ref: task.model_dump(mode="json", exclude_defaults=True)
        for ref, _, task in plan.iter_tasks()
    }


def compare_schedules(
    before: Schedule, after: Schedule
) -> tuple[dict[str, Shift], dict[str, Shift]]:
    """Shifts of the tasks and of the initiatives that both schedules have, in ``after``'s order.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> sched = schedule(default_plan())
    >>> tasks, initiatives = compare_schedules(sched, sched)
    >>> any(shift.moved for shift in tasks.values())
    False
    """
    calendar = after.calendar
    tasks = {
        ref: _shift(
            ref,
            Span(before.tasks[ref].early_start, before.tasks[ref].early_finish),
            Span(task.early_start, task.early_finish),
            calendar,
        )
        for ref, task in after.tasks.items()
        if ref in before.tasks
    }
    initiatives = {
        key: _shift(key, before.initiatives[key], span, calendar)
        for key, span in after.initiatives.items()
        if key in before.initiatives
    }
    return tasks, initiatives


def compare_plans(
    old: Plan,
    new: Plan,
    *,
    old_schedule: Schedule | None = None,
    new_schedule: Schedule | None = None,
    old_id: int | None = None,
    new_id: int | None = None,
) -> PlanDiff:
    """What changed from ``old`` to ``new``: tasks added, removed, changed, and their shifts.

    Both plans are scheduled (without actuals) unless their schedules are given.
    """
    before, after = _task_fields(old), _task_fields(new)
    changed: dict[str, list[str]] = {}
    for ref, fields in after.items():
        if ref in before and fields != before[ref]:
            keys = set(fields) | set(before[ref])
            changed[ref] = sorted(k for k in keys if fields.get(k) != before[ref].get(k))
    tasks, _ = compare_schedules(old_schedule or schedule(old), new_schedule or schedule(new))
    return PlanDiff(
        added=[ref for ref in after if ref not in before],
        removed=[ref for ref in before if ref not in after],
        changed=changed,
        shifts=tasks,
        old=old_id,
        new=new_id,
    )


def variance_of(
    baseline_name: str,
    revision: int,
    baseline_plan: Plan,
    current: Schedule,
    current_refs: Mapping[str, object],
) -> Variance:
    """The variance of ``current`` against the baseline's plan, scheduled as planned."""
    base = schedule(baseline_plan)
    tasks, initiatives = compare_schedules(base, current)
    return Variance(
        baseline=baseline_name,
        revision=revision,
        tasks=tasks,
        initiatives=initiatives,
        added=[ref for ref in current_refs if ref not in base.tasks],
        removed=[ref for ref in base.tasks if ref not in current_refs],
    )
