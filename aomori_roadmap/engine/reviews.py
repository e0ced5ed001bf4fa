"""The half-year review cycles (半期見直し) and the annual report, on the office's calendar.

The plan reviews every roadmap about every half-year and reports progress to the
青森県DX推進本部 every fiscal year. Each half (上期 Apr–Sep, 下期 Oct–Mar) gives one
:class:`ReviewCycle`:

- the **snapshot** at the end of the half (9/30, 3/31): the state that is reviewed;
- department **submissions** due N working days after it (default 10);
- the **review meeting** by the last working day of the following month;
- **publication** of the progress snapshot N working days after it (default 25);
- after a 下期, the **annual report** to the 推進本部 by the last working day of June.

Deadlines fall on working days of the prefectural office: holidays and the 12/29–1/3 closure
move them. A cycle covers the initiatives whose roadmap is active in its half.

>>> from aomori_roadmap.plan.loader import default_plan
>>> first = review_cycles(default_plan())[0]
>>> first.label(), first.snapshot, first.submission_due, first.meeting_by
('令和6年度上期', datetime.date(2024, 9, 30), datetime.date(2024, 10, 15), datetime.date(2024, 10, 31))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from aomori_roadmap.calendar import Half, WorkCalendar, parse_period
from aomori_roadmap.engine.schedule import Actual, Schedule, plan_calendar, schedule
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import Plan, ReviewPolicy

__all__ = [
    "ReviewCycle",
    "cycle_dates",
    "cycle_to_submit",
    "find_cycle",
    "ongoing_spans",
    "plan_halves",
    "review_cycles",
]


@dataclass(frozen=True, slots=True)
class ReviewCycle:
    """One half-year review: its dates and the initiatives it covers."""

    half: Half
    snapshot: date
    submission_due: date
    meeting_by: date
    publication: date
    annual_report_due: date | None
    initiatives: tuple[str, ...]
    predicted_holidays: bool

    @property
    def code(self) -> str:
        """``FY2024-H1``: the cycle's id, as :func:`find_cycle` reads it."""
        return self.half.code

    def label(self, lang: str = "ja") -> str:
        """``令和6年度上期`` or ``FY2024 H1``."""
        return self.half.label(lang)

    def deadlines(self) -> list[tuple[str, date]]:
        """Every dated step of the cycle as ``(kind, date)``, in date order."""
        steps = [
            ("snapshot", self.snapshot),
            ("submission", self.submission_due),
            ("meeting", self.meeting_by),
            ("publication", self.publication),
        ]
        if self.annual_report_due is not None:
            steps.append(("annual_report", self.annual_report_due))
        return sorted(steps, key=lambda step: step[1])


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _last_working_day_of_month(calendar: WorkCalendar, year: int, month: int) -> date:
    return calendar.previous_working_day(_month_end(year, month))


def cycle_dates(
    half: Half, policy: ReviewPolicy, calendar: WorkCalendar
) -> tuple[date, date, date, date, date | None]:
    """The snapshot, submission, meeting, publication and annual-report dates of ``half``.

    >>> from aomori_roadmap.plan.model import ReviewPolicy
    >>> [d.isoformat() for d in cycle_dates(Half(2024, 2), ReviewPolicy(), WorkCalendar())]
    ['2025-03-31', '2025-04-14', '2025-04-30', '2025-05-08', '2025-06-30']
    """
    snapshot = half.end
    submission = calendar.add_working_days(snapshot, policy.submission_working_days)
    following = snapshot + timedelta(days=1)
    meeting = _last_working_day_of_month(calendar, following.year, following.month)
    publication = calendar.add_working_days(snapshot, policy.publication_working_days)
    report = None
    if half.half == 2:
        report = _last_working_day_of_month(
            calendar, half.fiscal_year.end.year, policy.annual_report_month
        )
    return snapshot, submission, meeting, publication, report


def _covered(
    half: Half, computed: Schedule, ongoing: Mapping[str, tuple[date, date | None]]
) -> tuple[str, ...]:
    """Initiatives active in ``half``: scheduled in it, or started and not done by then."""
    covered = []
    for initiative, span in computed.initiatives.items():
        started = ongoing.get(initiative)
        scheduled = span.start <= half.end and span.finish >= half.start
        running = (
            started is not None
            and started[0] <= half.end
            and (started[1] is None or started[1] >= half.start)
        )
        if scheduled or running:
            covered.append(initiative)
    return tuple(covered)


def ongoing_spans(actuals: Mapping[str, Actual]) -> dict[str, tuple[date, date | None]]:
    """Per initiative, its first actual start and, once every started task is done, its last
    actual finish (``None`` while any is still running): the ``ongoing`` of review_cycles.

    >>> ongoing_spans({"a/x": Actual(date(2024, 4, 5)), "a/y": Actual(date(2024, 4, 1),
    ...     date(2024, 6, 30))})
    {'a': (datetime.date(2024, 4, 1), None)}
    """
    spans: dict[str, tuple[date, date | None]] = {}
    for ref, actual in actuals.items():
        if actual.start is None:
            continue
        initiative = ref.split("/", 1)[0]
        first, last = spans.get(initiative, (actual.start, actual.finish))
        first = min(first, actual.start)
        if last is None or actual.finish is None:
            spans[initiative] = (first, None)
        else:
            spans[initiative] = (first, max(last, actual.finish))
    return spans


def plan_halves(plan: Plan) -> list[Half]:
    """The halves of the plan's period, a review cycle each, first to last.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> [h.code for h in plan_halves(default_plan())][::9]
    ['FY2024-H1', 'FY2028-H2']
    """
    return list(Half.range(plan.period.start.halves()[0], plan.period.end.halves()[1]))


def review_cycles(
    plan: Plan,
    computed: Schedule | None = None,
    *,
    calendar: WorkCalendar | None = None,
    ongoing: Mapping[str, tuple[date, date | None]] | None = None,
) -> list[ReviewCycle]:
    """Every review cycle of the plan, FY-first-H1 to FY-last-H2, with its dates and coverage.

    Args:
        plan: the plan; its ``review_policy`` gives the rules.
        computed: the schedule whose spans decide which initiatives a cycle covers (computed
            from the plan when not given).
        calendar: the working calendar (default: the plan's).
        ongoing: per initiative, when its work really started and finished (``None``: not
            done); a cycle also covers an initiative that had started and was not done.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> [c.code for c in review_cycles(default_plan())][:3]
    ['FY2024-H1', 'FY2024-H2', 'FY2025-H1']
    """
    calendar = calendar or plan_calendar(plan)
    computed = computed or schedule(plan, calendar=calendar)
    cycles = []
    for half in plan_halves(plan):
        dates = cycle_dates(half, plan.review_policy, calendar)
        snapshot, publication, report = dates[0], dates[3], dates[4]
        cycles.append(
            ReviewCycle(
                half,  # then its dates, in the order of the fields
                *dates,
                initiatives=_covered(half, computed, ongoing or {}),
                predicted_holidays=calendar.relies_on_predictions(snapshot, report or publication),
            )
        )
    return cycles


# Ways of writing a half year, as the input accepts them (era names included).
_HALF_EXAMPLES = "FY2025-H1, 令和7年度上期, R7下期"


def find_cycle(cycles: Iterable[ReviewCycle], text: str) -> ReviewCycle:
    """The cycle named by ``text`` (``FY2025-H1``, ``令和7年度上期``, ``R7上期`` …).

    Raises:
        PlanError: the text is not a half, or the plan has no such cycle.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> find_cycle(review_cycles(default_plan()), "R7下期").code
    'FY2025-H2'
    """
    period = parse_period(text)
    known = list(cycles)
    if not isinstance(period, Half):
        raise PlanError(
            _("'{text}' is not a half year. For example: {examples}").format(
                text=text, examples=_HALF_EXAMPLES
            )
        )
    for cycle in known:
        if cycle.half == period:
            return cycle
    codes = ", ".join(c.code for c in known)
    raise PlanError(
        _("The review cycle '{text}' is outside the plan's period. The cycles are: {codes}").format(
            text=text, codes=codes
        )
    )


def cycle_to_submit(cycles: Sequence[ReviewCycle], as_of: date) -> ReviewCycle:
    """The cycle whose submission is due next on ``as_of`` (after the last one: the last).

    Departments work towards it: its workbooks are the ones to send and to collect.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> cycles = review_cycles(default_plan())
    >>> cycle_to_submit(cycles, date(2025, 10, 6)).code, cycle_to_submit(cycles, date(2040, 1, 1)).code
    ('FY2025-H1', 'FY2028-H2')
    """
    if not cycles:
        raise PlanError(_("The plan has no review cycles."))
    coming = [c for c in cycles if c.submission_due >= as_of]
    return coming[0] if coming else cycles[-1]
