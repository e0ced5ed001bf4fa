"""The public progress site (進捗状況の公表ページ): what it shows, as typed data.

:func:`site_data` gathers, for one :class:`Moment`, everything the site's pages and open data
say: the initiatives with their tasks, status, span and review history (the ratings and the
department's words of every cycle so far), the KPIs and intermediate indicators (中間指標)
with their values, expected values, rates and evaluations per fiscal year, and **what changed
since the previous review cycle** (new entries, status, dates, ratings, KPI values).

A moment is two dates: the status is **as of** one (the end of a half, for a cycle's site) and
every record counts **as known** at the end of the other (the cycle's publication date), so
that the site of a past cycle can be made again, byte for byte, from a store that has since
received more: status events, review records and KPI values recorded later are left out, and
so are corrections made later.

The pages and files are rendered in :mod:`aomori_roadmap.site`.

>>> from aomori_roadmap.plan.loader import default_plan
>>> plan = default_plan()
>>> moment = site_moment(plan, cycle="R7上期", today=date(2026, 6, 1))
>>> moment.cycle, moment.as_of.isoformat(), moment.known > moment.as_of
('FY2025-H1', '2025-09-30', True)
>>> previous_moment(plan, moment).cycle
'FY2024-H2'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from aomori_roadmap.calendar import FiscalYear, last_instant
from aomori_roadmap.engine.kpi import (
    Evaluation,
    KpiMark,
    decimal_text,
    entries_of,
    evaluate,
    evaluation_rate,
    expected_value,
    indicators_of,
    kpi_initiatives,
)
from aomori_roadmap.engine.reviews import (
    ReviewCycle,
    cycle_dates,
    find_cycle,
    ongoing_spans,
    plan_halves,
    review_cycles,
)
from aomori_roadmap.engine.schedule import Schedule, paused_gc, plan_calendar, schedule
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _
from aomori_roadmap.parallel import Beside, can_fork
from aomori_roadmap.plan.model import UNSET_CODE, Indicator, Kpi, Plan
from aomori_roadmap.views.report import ReportField, roadmap_rows
from aomori_roadmap.views.snapshot import Snapshot, take_snapshot

if TYPE_CHECKING:  # type-only: the site reads what the store gives it
    from aomori_roadmap.store import Store
    from aomori_roadmap.store.review_log import KpiActual, ReviewRecord

__all__ = [
    "Change",
    "ChangeKind",
    "CycleReview",
    "KpiYear",
    "Moment",
    "SiteCycle",
    "SiteData",
    "SiteInitiative",
    "SiteKpi",
    "SiteTask",
    "known_standing",
    "plan_then",
    "previous_moment",
    "site_data",
    "site_moment",
]

ChangeKind = Literal["new", "status", "dates", "rating", "value"]
"""What changed: a new entry, a status, a date, a review rating, a KPI value or evaluation."""
Subject = Literal["initiative", "task", "kpi"]


@dataclass(frozen=True, slots=True)
class Moment:
    """What a site is about: the status **as of** ``as_of``, every record as **known** at the
    end of ``known`` (in the plan's time zone); ``cycle`` is the review cycle's code when the
    moment is a cycle's (its half's last day, as known on its publication date)."""

    as_of: date
    known: date
    cycle: str | None = None

    @property
    def fy(self) -> int:
        """The fiscal year of ``as_of``."""
        return FiscalYear.of(self.as_of).year


def _cycles(plan: Plan) -> list[ReviewCycle]:
    return review_cycles(plan, schedule(plan, calendar=plan_calendar(plan)))


def site_moment(
    plan: Plan,
    *,
    as_of: date | None = None,
    cycle: str | None = None,
    today: date,
    cycles: Sequence[ReviewCycle] | None = None,
) -> Moment:
    """The moment a site is made for: ``as_of`` (known on that date too), or a ``cycle``
    (``R7上期``, ``FY2025-H1``): its half's last day, as known on its publication date, or
    ``today`` when that is still to come.

    Raises:
        PlanError: both or neither of ``as_of`` and ``cycle``; an unknown cycle.
    """
    if (as_of is None) == (cycle is None):
        raise PlanError(_("Give either the date the site is as of or a review cycle."))
    if as_of is not None:
        return Moment(as_of, as_of)
    found = find_cycle(list(cycles if cycles is not None else _cycles(plan)), str(cycle))
    return Moment(found.snapshot, max(found.snapshot, min(found.publication, today)), found.code)


def previous_moment(
    plan: Plan, moment: Moment, cycles: Sequence[ReviewCycle] | None = None
) -> Moment | None:
    """The moment changes are counted from: the latest review cycle published before
    ``moment`` (before its own cycle, for a cycle's site), as it was published.

    ``None`` before the first cycle's publication.
    """
    found = None
    dated = (
        [(c.code, c.snapshot, c.publication) for c in cycles]
        if cycles is not None
        else _cycle_dates(plan)
    )
    for code, snapshot, publication in dated:
        if moment.cycle is not None and code >= moment.cycle:
            continue
        if publication < moment.known and snapshot < moment.as_of:
            found = (code, snapshot, publication)
    if found is None:
        return None
    return Moment(found[1], found[2], found[0])


def _cycle_dates(plan: Plan) -> list[tuple[str, date, date]]:
    """Every review cycle's code, snapshot date and publication date: the plan's calendar
    alone gives them, no schedule."""
    calendar = plan_calendar(plan)
    found = []
    for half in plan_halves(plan):
        dates = cycle_dates(half, plan.review_policy, calendar)
        found.append((half.code, dates[0], dates[3]))
    return found


# --- records as known ------------------------------------------------------------------------


class _Record(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def recorded(self) -> datetime: ...
    @property
    def corrects(self) -> int | None: ...


R = TypeVar("R", bound=_Record)


def known_standing(records: Iterable[R], cutoff: datetime) -> list[R]:
    """The records that stood at ``cutoff``: recorded by then and not corrected by then.

    Records and corrections made later do not count, so a past site is made again from a
    store that has received more since.

    >>> from collections import namedtuple
    >>> from datetime import UTC
    >>> Rec = namedtuple("Rec", "id recorded corrects")
    >>> day = lambda d: datetime(2025, 10, d, tzinfo=UTC)
    >>> records = [Rec(1, day(1), None), Rec(2, day(5), 1), Rec(3, day(2), None)]
    >>> [r.id for r in known_standing(records, day(3))], [r.id for r in known_standing(records, day(9))]
    ([1, 3], [2, 3])
    """
    known = [r for r in records if r.recorded <= cutoff]
    corrected = {r.corrects for r in known if r.corrects is not None}
    return sorted((r for r in known if r.id not in corrected), key=lambda r: r.id)


def _cutoff(plan: Plan, known: date) -> datetime:
    """The last instant of ``known`` where the plan is."""
    return last_instant(known, ZoneInfo(plan.timezone))


# --- the data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that changed since the previous cycle.

    ``what`` names the fact: ``status``, ``start``, ``finish``, ``self:<cycle>`` or
    ``office:<cycle>`` (a rating), ``FY<year>`` (a KPI value), ``evaluation``; ``before`` and
    ``after`` are as the open data has them (codes, ISO dates, numbers as text), ``before``
    ``None`` for a new entry.
    """

    kind: ChangeKind
    subject: Subject
    ref: str
    name: str
    what: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class SiteTask:
    """A task of an initiative's roadmap as of the moment."""

    ref: str
    name: str
    milestone: bool
    status: Status
    progress: int
    lateness: Lateness | None
    start: date
    finish: date


@dataclass(frozen=True, slots=True)
class CycleReview:
    """An initiative in one review cycle: the department's self-assessment (``own``) with its
    words, and the office's rating with its comment; ``None`` while a step is not recorded."""

    cycle: str
    own: str | None
    office: str | None
    achievements: str
    issues: str
    next_steps: str
    comment: str


@dataclass(frozen=True, slots=True)
class SiteInitiative:
    """An initiative as the site shows it."""

    id: str
    name: str
    description: str | None
    field: str | None
    item: str | None
    department: str | None
    status: Status
    progress: int
    lateness: Lateness | None
    start: date | None
    finish: date | None
    tasks: tuple[SiteTask, ...]
    reviews: tuple[CycleReview, ...]
    kpis: tuple[str, ...]
    indicators: tuple[str, ...]
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class KpiYear:
    """A KPI (or an indicator) in one fiscal year.

    ``actual`` is the standing value (``None`` when there is none or when the entry is a
    ``mark`` such as 未把握); ``planned`` the plan's own figure for the year (the baseline,
    a yearly target or the final target); ``expected`` the trajectory's value; ``rate`` the
    rate the plan's scale grades; ``evaluation`` the grade.
    """

    fy: int
    actual: float | None
    mark: KpiMark | None
    planned: float | None
    expected: float | None
    rate: float | None
    evaluation: Evaluation

    @property
    def entered(self) -> bool:
        """Whether the year has an entry: a number or a mark."""
        return self.actual is not None or self.mark is not None


@dataclass(frozen=True, slots=True)
class SiteKpi:
    """A KPI or an intermediate indicator (``kind``) with its years.

    ``latest`` is the latest year up to the moment's with an entry (``None``: none yet);
    ``initiatives`` the initiatives that drive it; ``indicators`` its intermediate
    indicators; ``parent`` the KPI or initiative an indicator belongs to.
    """

    id: str
    kind: Literal["kpi", "indicator"]
    name: str
    unit: str | None
    direction: Literal["up", "down"]
    field: str | None
    department: str | None
    source: str | None
    note: str | None
    baseline_fy: int | None
    baseline: float | None
    target_fy: int | None
    target: float | None
    years: tuple[KpiYear, ...]
    latest: KpiYear | None
    initiatives: tuple[str, ...]
    indicators: tuple[str, ...]
    parent: str | None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteCycle:
    """A review cycle that has begun by the moment, with the initiatives it covers."""

    code: str
    snapshot: date
    publication: date
    initiatives: tuple[str, ...]
    published: bool


@dataclass(frozen=True)
class SiteData:
    """Everything the site says (see the module's description).

    ``fields`` is the structure fields → items → initiatives of the annual report;
    ``initiatives`` and ``kpis`` are keyed by id, in plan order; ``changes`` lists every
    change since ``previous`` (empty without one).
    """

    plan: Plan
    moment: Moment
    previous: Moment | None
    snapshot: Snapshot
    fields: tuple[ReportField, ...]
    initiatives: Mapping[str, SiteInitiative]
    kpis: Mapping[str, SiteKpi]
    cycles: tuple[SiteCycle, ...]
    changes: tuple[Change, ...] = field(default=())
    lang: str = "ja"

    @property
    def scale(self) -> list[tuple[str, str]]:
        """The review rating scale as ``(symbol, label)``."""
        return [(r.symbol, r.label) for r in self.plan.review_policy.ratings]


# --- gathering -------------------------------------------------------------------------------


def _reviews(
    plan: Plan, records: Sequence[ReviewRecord], cycles: Sequence[SiteCycle]
) -> dict[str, tuple[CycleReview, ...]]:
    standing = {(r.cycle, r.initiative, r.stage): r for r in records}
    found: dict[str, list[CycleReview]] = {i.id: [] for i in plan.initiatives}
    for cycle in cycles:
        for initiative in cycle.initiatives:
            if initiative not in found:
                continue
            own = standing.get((cycle.code, initiative, "submitted"))
            office = standing.get((cycle.code, initiative, "reviewed"))
            found[initiative].append(
                CycleReview(
                    cycle=cycle.code,
                    own=None if own is None else own.rating,
                    office=None if office is None else office.rating,
                    achievements="" if own is None else own.achievements,
                    issues="" if own is None else own.issues,
                    next_steps="" if own is None else own.next_steps,
                    comment="" if office is None else office.comment,
                )
            )
    return {key: tuple(value) for key, value in found.items()}


def _years(
    plan: Plan, kpi: Kpi | Indicator, entries: Mapping[int, float | KpiMark], fy: int, lang: str
) -> tuple[tuple[KpiYear, ...], KpiYear | None]:
    scale = plan.evaluation
    planned: dict[int, float | None] = {}
    if kpi.baseline is not None:
        planned[kpi.baseline.fy] = kpi.baseline.value
    for point in kpi.targets:
        planned[point.fy] = point.value
    if kpi.target is not None:
        planned[kpi.target.fy] = kpi.target.value
    measured = entries_of(kpi, entries)
    first = min([plan.period.start.year - 1, *planned, *measured])
    last = max([plan.period.end.year, *planned, *measured])
    years = []
    for year in range(first, last + 1):
        entry = measured.get(year)
        mark = entry if isinstance(entry, KpiMark) else None
        actual = None if entry is None or mark is not None else float(entry)
        years.append(
            KpiYear(
                fy=year,
                actual=actual,
                mark=mark,
                planned=planned.get(year),
                expected=expected_value(kpi, year),
                rate=evaluation_rate(kpi, year, entry, scale),
                evaluation=evaluate(kpi, year, entry, scale, lang=lang),
            )
        )
    latest = next((y for y in reversed(years) if y.fy <= fy and y.entered), None)
    return tuple(years), latest


def _kpis(plan: Plan, actuals: Sequence[KpiActual], fy: int, lang: str) -> dict[str, SiteKpi]:
    entries: dict[str, dict[int, float | KpiMark]] = {}
    for actual in actuals:
        mark = KpiMark(actual.mark) if actual.mark else None
        value = mark if mark is not None else actual.value
        if value is not None:
            entries.setdefault(actual.kpi, {})[actual.fy] = value
    drivers = kpi_initiatives(plan)
    departments = {d.id: d.name for d in plan.departments}
    found: dict[str, SiteKpi] = {}
    subjects: list[Kpi | Indicator] = [*plan.kpis, *plan.indicators]
    for kpi in subjects:
        is_kpi = isinstance(kpi, Kpi)
        years, latest = _years(plan, kpi, entries.get(kpi.id, {}), fy, lang)
        owner = kpi.kpi or kpi.initiative if isinstance(kpi, Indicator) else None
        found[kpi.id] = SiteKpi(
            id=kpi.id,
            kind="kpi" if is_kpi else "indicator",
            name=kpi.name,
            unit=kpi.unit,
            direction=kpi.direction,
            field=kpi.field if isinstance(kpi, Kpi) else None,
            department=departments.get(kpi.department or ""),
            source=kpi.source,
            note=kpi.note,
            baseline_fy=None if kpi.baseline is None else kpi.baseline.fy,
            baseline=None if kpi.baseline is None else kpi.baseline.value,
            target_fy=None if kpi.target is None else kpi.target.fy,
            target=None if kpi.target is None else kpi.target.value,
            years=years,
            latest=latest,
            initiatives=drivers.get(kpi.id, ()) if is_kpi else (),
            indicators=tuple(i.id for i in indicators_of(plan, kpi=kpi.id)) if is_kpi else (),
            parent=owner,
        )
    return found


def plan_then(plan: Plan, store: Store | None, moment: Moment) -> Plan:
    """The plan as it stood at ``moment``: the newest revision the store had recorded by the
    end of its known day, so that what was added since is new (✚) on the site; ``plan``
    itself when no revision had been recorded by then, when that revision is ``plan``, or
    when it no longer loads (its changes are then compared with ``plan``'s subjects).
    """
    if store is None:
        return plan
    from aomori_roadmap.store.revisions import plan_hash

    cutoff = _cutoff(plan, moment.known)
    standing = [r for r in store.revisions() if r.recorded <= cutoff]
    if not standing:
        return plan
    newest = max(standing, key=lambda r: (r.recorded, r.id))
    if newest.hash == plan_hash(plan):
        return plan
    try:
        return store.revision(newest.id)
    except PlanError:  # stored by an older version under rules it no longer passes
        return plan


def _earlier_snapshot(
    plan: Plan, store: Store | None, moment: Moment, planned: Schedule | None
) -> Snapshot:
    """The plan at an earlier moment, for comparing: its states, schedules and review cycles
    as they stood then; no lateness (it is not compared). ``planned``: the plan's schedule
    without actuals when it was made already (it is the same at every moment)."""
    calendar = plan_calendar(plan)
    states = store.status_as_of(moment.as_of, known_at=moment.known) if store is not None else {}
    actuals = store.actuals_of(states) if store is not None else {}
    if planned is None:
        planned = schedule(plan, calendar=calendar)
    cycles = review_cycles(plan, planned, calendar=calendar, ongoing=ongoing_spans(actuals))
    return Snapshot(plan, moment.as_of, states, planned, {}, cycles, actuals=actuals)


def _facts_at(
    plan: Plan, store: Store | None, moment: Moment, lang: str, planned: Schedule | None = None
) -> Facts:
    """The comparable facts of ``plan`` at an earlier ``moment``."""
    snap = _earlier_snapshot(plan, store, moment, planned)
    return _facts(_state(plan, store, moment, snap, lang=lang))


def _facts_in_own_store(url: str, plan: Plan, moment: Moment, lang: str) -> Facts:
    """:func:`_facts_at` through connections of this process's own (a forked child's: it
    never touches those it inherited)."""
    from aomori_roadmap.store import Store

    with Store(url, plan=plan) as own:
        return _facts_at(plan, own, moment, lang)


def _state(
    plan: Plan,
    store: Store | None,
    moment: Moment,
    snap: Snapshot,
    *,
    lang: str,
) -> SiteData:
    cutoff = _cutoff(plan, moment.known)
    records: list[ReviewRecord] = []
    actuals: list[KpiActual] = []
    if store is not None:
        from aomori_roadmap.store.review_log import KpiLog, ReviewLog

        records = known_standing(ReviewLog(store, plan).records(), cutoff)
        actuals = known_standing(KpiLog(store, plan).records(), cutoff)
    site_cycles = tuple(
        SiteCycle(
            code=c.code,
            snapshot=c.snapshot,
            publication=c.publication,
            initiatives=c.initiatives,
            published=c.publication <= moment.known,
        )
        for c in snap.cycles
        if c.half.start <= moment.as_of and (moment.cycle is None or c.code <= moment.cycle)
    )
    fields, tasks = roadmap_rows(snap)
    tasks_of: dict[str, list[SiteTask]] = {}
    for t in tasks:  # positional, in the order of the fields: 100,000 of them
        tasks_of.setdefault(t.initiative, []).append(
            SiteTask(
                t.ref, t.name, t.milestone, t.status, t.progress, t.lateness, t.start, t.finish
            )
        )
    reviews = _reviews(plan, records, site_cycles)
    kpis = _kpis(plan, actuals, moment.fy, lang)
    drivers = {i.id: i for i in plan.initiatives}
    own_indicators: dict[str, list[str]] = {}
    for indicator in plan.indicators:
        if indicator.initiative:
            own_indicators.setdefault(indicator.initiative, []).append(indicator.id)
    items = {item.id: item.field for item in plan.items}
    initiatives = {}
    for row in (i for f in fields for item in f.items for i in item.initiatives):
        source = drivers[row.id]
        initiatives[row.id] = SiteInitiative(
            id=row.id,
            name=row.name,
            description=source.description,
            field=items.get(source.item or ""),
            item=source.item if source.item in items else None,
            department=row.department_name,
            status=row.status,
            progress=row.progress,
            lateness=row.lateness,
            start=row.start,
            finish=row.finish,
            tasks=tuple(tasks_of.get(row.id, ())),
            reviews=reviews.get(row.id, ()),
            kpis=tuple(k for k in source.kpis if k in kpis),
            indicators=tuple(own_indicators.get(row.id, ())),
        )
    return SiteData(
        plan=plan,
        moment=moment,
        previous=None,
        snapshot=snap,
        fields=fields,
        initiatives=initiatives,
        kpis=kpis,
        cycles=site_cycles,
        lang=lang,
    )


def _number(value: float | None) -> str | None:
    """A KPI value as the facts and the changes hold it: as the open data writes it."""
    return None if value is None else decimal_text(value)


_TASK_FACTS = ("status", "start", "finish")
"""What a task's facts are, in order."""

Facts = dict[tuple[Subject, str], tuple[str, "dict[str, str | None] | tuple[Status, date, date]"]]


def _task_fact(value: object) -> str:
    """A task's fact as the open data has it: a status code or an ISO date."""
    return value.isoformat() if isinstance(value, date) else str(value)


def _facts(data: SiteData) -> Facts:
    """Every subject's comparable facts: ``(subject, ref) → (name, {what: value})``; a task's
    are ``(status, start, finish)`` (:data:`_TASK_FACTS`)."""
    facts: Facts = {}
    for i in data.initiatives.values():
        found: dict[str, str | None] = {
            "status": str(i.status),
            "start": None if i.start is None else i.start.isoformat(),
            "finish": None if i.finish is None else i.finish.isoformat(),
        }
        for review in i.reviews:
            found[f"self:{review.cycle}"] = review.own
            found[f"office:{review.cycle}"] = review.office
        facts[("initiative", i.id)] = (i.name, found)
        for t in i.tasks:  # a task's facts are always these three: a tuple, compared at once
            facts[("task", t.ref)] = (t.name, (t.status, t.start, t.finish))
    for k in data.kpis.values():
        values: dict[str, str | None] = {
            f"FY{y.fy}": y.mark.value if y.mark is not None else _number(y.actual) for y in k.years
        }
        # No entry yet counts as not evaluated: a first value that cannot be graded is no change.
        values["evaluation"] = UNSET_CODE if k.latest is None else k.latest.evaluation.code
        facts[("kpi", k.id)] = (k.name, values)
    return facts


_KIND_OF: dict[str, ChangeKind] = {"status": "status", "start": "dates", "finish": "dates"}


def _kind(what: str) -> ChangeKind:
    if what in _KIND_OF:
        return _KIND_OF[what]
    if what.startswith(("self:", "office:")):
        return "rating"
    return "value"


def compare(now: SiteData, then: SiteData) -> list[Change]:
    """What changed from ``then`` to ``now``: every new subject, every fact that differs.

    A fact missing before counts as ``None`` (a rating not yet given, a year not yet entered),
    so a first rating or a first value is a change; a subject missing now is not listed.
    """
    return _compare(_facts(now), _facts(then))


def _compare(now: Facts, before: Facts) -> list[Change]:
    changes = []
    for (subject, ref), (name, facts) in now.items():
        earlier = before.get((subject, ref))
        if earlier is None:
            changes.append(Change("new", subject, ref, name, "", None, None))
            continue
        if isinstance(facts, tuple):  # a task
            old_facts = earlier[1]
            if facts == old_facts:
                continue
            was_facts = cast("tuple[Status, date, date]", old_facts)
            for what, value, old_value in zip(_TASK_FACTS, facts, was_facts, strict=True):
                if value != old_value:
                    after, was = _task_fact(value), _task_fact(old_value)
                    changes.append(Change(_kind(what), subject, ref, name, what, was, after))
            continue
        assert isinstance(earlier[1], dict)
        for what, value in facts.items():
            old = earlier[1].get(what)
            if old != value:
                changes.append(Change(_kind(what), subject, ref, name, what, old, value))
    return changes


def site_data(
    plan: Plan,
    store: Store | None,
    moment: Moment,
    *,
    lang: str = "ja",
    baseline: str | None = None,
    compare_with: Moment | Literal["previous"] | None = "previous",
    jobs: int = 1,
) -> SiteData:
    """Everything the site for ``moment`` says, with the changes since the previous cycle.

    Args:
        plan: the plan.
        store: the status history, review records and KPI values (``None``: nothing yet).
        moment: what the site is about (:func:`site_moment`).
        lang: the language of the KPI evaluations' labels.
        baseline: a stored baseline's name, for lateness (default: the plan).
        compare_with: the moment changes are counted from; ``"previous"``: the previous
            cycle's (:func:`previous_moment`); ``None``: no changes.
        jobs: with 2 or more, the earlier moment is read and scheduled in a forked process
            beside this one, where the system forks and the store is not an in-memory
            SQLite database (:mod:`aomori_roadmap.parallel`); the answer is the same.
    """
    with paused_gc():  # a few million objects, no cycles: no collection walks them meanwhile
        return _site_data(plan, store, moment, lang, baseline, compare_with, jobs)


def _site_data(
    plan: Plan,
    store: Store | None,
    moment: Moment,
    lang: str,
    baseline: str | None,
    compare_with: Moment | Literal["previous"] | None,
    jobs: int,
) -> SiteData:
    earlier = (
        previous_moment(plan, moment) if isinstance(compare_with, str) else compare_with
    )  # "previous": the cycles' dates need no status, so the earlier moment is known first

    def now_state() -> SiteData:
        snap = take_snapshot(
            plan, store, as_of=moment.as_of, known_at=moment.known, baseline=baseline
        )
        return _state(plan, store, moment, snap, lang=lang)

    if earlier is None:
        return now_state()
    then = plan_then(plan, store, earlier)
    if jobs > 1 and store is not None and store.database.shareable and can_fork():
        work = partial(_facts_in_own_store, store.url, then, earlier, lang)
        with Beside(work) as child:  # the earlier moment on a second core
            now = now_state()
            before = child.result()
    else:
        now = now_state()
        planned = now.snapshot.planned if then is plan else None  # the same plan: reused
        before = _facts_at(then, store, earlier, lang, planned)
    changes = _compare(_facts(now), before)
    by_subject: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        by_subject.setdefault((change.subject, change.ref), []).append(change)
    initiatives = {}
    for key, initiative in now.initiatives.items():
        own = list(by_subject.get(("initiative", key), []))
        for task in initiative.tasks:
            own += by_subject.get(("task", task.ref), [])
        initiatives[key] = _with_changes(initiative, own)
    kpis = {key: _with_changes(k, by_subject.get(("kpi", key), [])) for key, k in now.kpis.items()}
    return SiteData(
        plan=plan,
        moment=moment,
        previous=earlier,
        snapshot=now.snapshot,
        fields=now.fields,
        initiatives=initiatives,
        kpis=kpis,
        cycles=now.cycles,
        changes=tuple(changes),
        lang=lang,
    )


T = TypeVar("T", SiteInitiative, SiteKpi)


def _with_changes(subject: T, changes: list[Change]) -> T:
    return replace(subject, changes=tuple(changes)) if changes else subject
