"""The roadmap as of a date: plan, status, schedules, lateness and review cycles together.

Every view of the roadmap (the Gantt chart, the feeds, the server's JSON, the reminders, the
annual report) needs the same inputs assembled the same way:

- the **states** of every ref as of the date (as known now, or as known at ``known_at``);
- the **planned** schedule (no actuals): the yardstick that lateness is measured against;
- the **current** schedule, rescheduled from the actual starts and finishes;
- **lateness** of every task, computed from the planned schedule and the states;
- the **baseline** schedule, when a baseline is named;
- the **review cycles** of the plan, covering what the current schedule has active.

:func:`take_snapshot` builds that once, with one status query, so that each view reuses it
instead of recomputing per task.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
>>> snap.lateness["bousai-dx-alerts/study"].value
'late'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from functools import cached_property

from aomori_roadmap.engine.reviews import ReviewCycle, ongoing_spans, review_cycles
from aomori_roadmap.engine.schedule import Actual, Schedule, paused_gc, plan_calendar, schedule
from aomori_roadmap.engine.status import Lateness, StatusState, lateness_all
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.gantt import Filter, GanttData, gantt_data

__all__ = ["Snapshot", "take_snapshot"]


@dataclass(eq=False)
class Snapshot:
    """Everything the views need about a plan on one date.

    The schedule rescheduled from actual dates (``current``) is computed when first used:
    reminders and lateness need only the planned schedule.
    """

    plan: Plan
    as_of: date
    states: Mapping[str, StatusState]
    planned: Schedule
    lateness: Mapping[str, Lateness]
    cycles: list[ReviewCycle]
    _: KW_ONLY
    actuals: Mapping[str, Actual] = field(default_factory=dict)
    baseline: Schedule | None = None
    baseline_name: str | None = None

    @cached_property
    def current(self) -> Schedule:
        """The schedule rescheduled from the actual starts and finishes."""
        if not self.actuals:
            return self.planned
        return schedule(self.plan, self.actuals, calendar=self.planned.calendar)

    def status_pairs(self) -> dict[str, tuple[str, int]]:
        """``ref → (status, progress)`` as the Gantt exports take them."""
        return {ref: (s.status.value, s.progress) for ref, s in self.states.items()}

    def status_codes(self) -> dict[str, str]:
        """``ref → status`` as the calendar feeds take them."""
        return {ref: s.status.value for ref, s in self.states.items()}

    def gantt_view(self, **filters: Filter) -> GanttData:
        """The Gantt view of the plan on this date (:func:`~aomori_roadmap.views.gantt.gantt_data`):
        the current schedule with the states, lateness, baseline and review cycles, filtered.

        Filters: ``field``, ``item``, ``initiative``, ``department``, ``priority``. The outputs
        render it in :mod:`aomori_roadmap.export.render`.

        >>> from datetime import date
        >>> from aomori_roadmap.plan.loader import default_plan
        >>> snap = take_snapshot(default_plan(), as_of=date(2025, 9, 30))
        >>> view = snap.gantt_view(department="kikikanri")
        >>> view.as_of, [row.kind for row in view.rows[:3]]
        (datetime.date(2025, 9, 30), ['field', 'item', 'initiative'])
        """
        return gantt_data(
            self.plan,
            self.current,
            as_of=self.as_of,
            states=self.status_pairs(),
            lateness={ref: value.value for ref, value in self.lateness.items()},
            baseline=self.baseline,
            baseline_name=self.baseline_name,
            cycles=self.cycles,
            **filters,
        )


def take_snapshot(
    plan: Plan,
    store: Store | None = None,
    *,
    as_of: date,
    known_at: date | None = None,
    baseline: str | None = None,
) -> Snapshot:
    """The plan as of ``as_of``: states from ``store`` (none without one) and all schedules.

    Args:
        plan: the plan (its current revision).
        store: where the status history lives; ``None`` means nothing was reported yet.
        as_of: the date the views are for (the end of that day in the plan's time zone).
        known_at: replay the history as it was known on this date (default: as known now).
        baseline: the name of a stored baseline to compare with.

    Raises:
        PlanError: ``baseline`` names no stored baseline.
    """
    with paused_gc():  # a state per ref and the schedules' records: no cycles among them
        return _take_snapshot(plan, store, as_of, known_at, baseline)


def _take_snapshot(
    plan: Plan, store: Store | None, as_of: date, known_at: date | None, baseline: str | None
) -> Snapshot:
    calendar = plan_calendar(plan)
    states: Mapping[str, StatusState] = {}
    actuals: dict[str, Actual] = {}
    if store is not None:
        states = store.status_as_of(as_of, known_at=known_at)
        actuals = store.actuals_of(states)
    planned = schedule(plan, calendar=calendar)
    base = None
    if baseline is not None and store is not None:
        base = schedule(store.revision(store.baseline(baseline).revision.id), calendar=calendar)
    elif baseline is not None:
        raise PlanError(
            _("The baseline '{name}' needs the status store (--db).").format(name=baseline)
        )
    yardstick = base or planned
    return Snapshot(
        plan,
        as_of,
        states,
        planned,
        lateness_all(yardstick, states, as_of),
        review_cycles(plan, planned, calendar=calendar, ongoing=ongoing_spans(actuals)),
        actuals=actuals,
        baseline=base,
        baseline_name=baseline if base is not None else None,
    )
