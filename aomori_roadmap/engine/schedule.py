"""The scheduling engine: early and late dates, slack and critical paths of a plan's roadmaps.

Time is counted in working-day *boundaries*: the working days of the calendar are numbered
0, 1, 2, … from the plan's first working day, and boundary ``b`` is the start of working day
``b``. A task runs from its start boundary ``s`` to its finish boundary ``e`` (exclusive), so it
lasts ``e - s`` working days; a milestone has ``s == e``. Dates shown to people are inclusive:
a task starts on working day ``s`` and finishes on working day ``e - 1``; a zero-length task
(a milestone) happens at the end of working day ``s - 1``. Links follow MS Project (FS, SS, FF,
SF, with lags in working days or calendar units); ``docs/scheduling.md`` has every rule and a
worked example of each.

The plan is compiled once into integer-indexed lists, so that working-day lags are integer
additions and the passes are plain loops. Calendar units (``4mo``, ``1half``) take a slower
path that only the tasks and links using them pay for. networkx is used for reporting only: the
cycle of a plan that has one, and the critical paths.

>>> from aomori_roadmap.plan.loader import plan_from_data
>>> plan = plan_from_data({"id": "p", "name": "P", "period": {"start": 2024, "end": 2024},
...     "initiatives": [{"id": "a", "name": "A", "tasks": [
...         {"id": "x", "name": "検討", "duration": "5bd"},
...         {"id": "y", "name": "完了", "milestone": True, "after": "x"}]}]})
>>> result = schedule(plan)
>>> result.tasks["a/x"].early_finish, result.tasks["a/y"].early_start
(datetime.date(2024, 4, 5), datetime.date(2024, 4, 5))
>>> result.critical_paths
[['a/x', 'a/y']]
"""

from __future__ import annotations

import functools
import gc
import itertools
import operator
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple, TypeVar, cast, overload

from typing_extensions import TypedDict

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.engine.network import (
    DONE,
    FAR,
    FROM_FINISH,
    FROM_START,
    NAMES,
    TO_FINISH,
    Days,
    Net,
    compile_net,
    prepare,
)
from aomori_roadmap.errors import CycleError
from aomori_roadmap.i18n import _, ngettext
from aomori_roadmap.plan.model import (
    IsoDate,
    NonNegativeInt,
    Plan,
    PositiveInt,
    TaskPath,
    TaskRef,
)

__all__ = [
    "MAX_CRITICAL_PATHS",
    "Actual",
    "Schedule",
    "ScheduleJson",
    "ScheduledTask",
    "Span",
    "TaskTable",
    "Violation",
    "plan_calendar",
    "prepare",
    "schedule",
]

MAX_CRITICAL_PATHS = 100
"""At most this many critical paths are listed; ``ScheduledTask.critical`` is always complete."""

_T = TypeVar("_T")


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Actual:
    """What really happened to a task: its actual start and finish dates, when known.

    >>> Actual(start=date(2024, 4, 1)).finish is None
    True
    """

    start: date | None = None
    finish: date | None = None


class ScheduledTask(NamedTuple):
    """One task's computed dates (inclusive), length and slack (working days), and flags.

    A named tuple rather than a dataclass: as immutable, and five times faster to build, which
    counts at one per task on big plans.
    """

    ref: str
    initiative: str
    milestone: bool
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    duration_days: int
    total_slack: int
    free_slack: int
    critical: bool
    actual: bool
    due: date | None
    predicted_holidays: bool

    def to_json(self) -> ScheduledTaskJson:
        """The task as JSON-ready data (ISO dates), keys in field order.

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> task = schedule(default_plan()).tasks["bousai-dx-alerts/study"].to_json()
        >>> task["early_start"], task["early_finish"], task["duration_days"]
        ('2024-04-01', '2024-09-30', 124)
        """
        data = {k: v.isoformat() if isinstance(v, date) else v for k, v in self._asdict().items()}
        return cast("ScheduledTaskJson", data)


class Span(NamedTuple):
    """The first start and the last finish of a group of tasks (inclusive dates)."""

    start: date
    finish: date


class TaskTable(Mapping[str, ScheduledTask]):
    """The scheduled tasks by ref, in plan order: a read-only mapping.

    The records (dates and all) are made together at the first read of one, so that a schedule
    asked only for its finish, spans, critical paths or violations does not make them.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> tasks = schedule(default_plan()).tasks
    >>> "bousai-dx-alerts/study" in tasks, len(tasks) > 0
    (True, True)
    >>> tasks["bousai-dx-alerts/study"].early_start
    datetime.date(2024, 4, 1)
    """

    __slots__ = ("_index", "_make", "_records")

    def __init__(
        self, index: Mapping[str, int], make: Callable[[], dict[str, ScheduledTask]]
    ) -> None:
        self._index = index
        self._make = make
        self._records: dict[str, ScheduledTask] | None = None

    def _all(self) -> dict[str, ScheduledTask]:
        records = self._records
        if records is None:
            records = self._records = self._make()
        return records

    def __getitem__(self, ref: str) -> ScheduledTask:
        return self._all()[ref]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, ref: object) -> bool:
        return ref in self._index

    @overload
    def get(self, ref: str, /) -> ScheduledTask | None: ...
    @overload
    def get(self, ref: str, /, default: ScheduledTask | _T) -> ScheduledTask | _T: ...
    def get(self, ref: str, /, default: object = None) -> object:
        # Mapping's own get goes through __getitem__ and a KeyError: a dict's is one C call.
        return self._all().get(ref, default)

    def values(self) -> ValuesView[ScheduledTask]:
        return self._all().values()

    def items(self) -> ItemsView[str, ScheduledTask]:
        return self._all().items()

    def __repr__(self) -> str:
        return f"<TaskTable of {len(self)} tasks>"


@dataclass(frozen=True, slots=True)
class Violation:
    """A deadline missed, or a fixed task its predecessors cannot meet, by ``days`` working days.

    ``on`` is the predecessor whose link is not met (``None`` for a deadline).
    """

    kind: Literal["deadline", "fixed"]
    ref: str
    message: str
    days: int
    on: str | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """A computed schedule: every task in plan order, spans, critical paths and violations."""

    plan_id: str
    start: date
    finish: date
    tasks: TaskTable
    initiatives: dict[str, Span]
    critical_paths: list[list[str]]
    violations: list[Violation]
    calendar: WorkCalendar

    def to_json(self) -> ScheduleJson:
        """The schedule as JSON-ready data (:class:`ScheduleJson`).

        >>> from aomori_roadmap.plan.loader import default_plan
        >>> list(schedule(default_plan()).to_json())
        ['plan', 'start', 'finish', 'tasks', 'initiatives', 'critical_paths', 'violations']
        """
        return {
            "plan": self.plan_id,
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat(),
            "tasks": [task.to_json() for task in self.tasks.values()],
            "initiatives": [
                {"id": key, "start": span.start.isoformat(), "finish": span.finish.isoformat()}
                for key, span in self.initiatives.items()
            ],
            "critical_paths": [list(path) for path in self.critical_paths],
            "violations": [
                {"kind": v.kind, "ref": v.ref, "on": v.on, "days": v.days, "message": v.message}
                for v in self.violations
            ],
        }


# --- the JSON form ----------------------------------------------------------------------------
# What Schedule.to_json gives, as types: ``schemas/schedule.schema.json`` is generated from them
# (plan/schema.py). From typing_extensions, whose TypedDict pydantic reads on Python 3.11 too.


class ScheduledTaskJson(TypedDict):
    """One task: early and late dates, length, slack and flags."""

    ref: TaskRef
    initiative: str
    milestone: bool
    early_start: IsoDate
    early_finish: IsoDate
    late_start: IsoDate
    late_finish: IsoDate
    duration_days: NonNegativeInt
    total_slack: int
    free_slack: NonNegativeInt
    critical: bool
    actual: bool
    due: IsoDate | None
    predicted_holidays: bool


class SpanJson(TypedDict):
    """The first start and last finish of an initiative's tasks."""

    id: str
    start: IsoDate
    finish: IsoDate


class ViolationJson(TypedDict):
    """A missed deadline, or a fixed task its predecessors cannot meet."""

    kind: Literal["deadline", "fixed"]
    ref: TaskRef
    on: TaskRef | None
    days: PositiveInt
    message: str


class ScheduleJson(TypedDict):
    """The schedule as JSON (:meth:`Schedule.to_json`)."""

    plan: str
    start: IsoDate
    finish: IsoDate
    tasks: list[ScheduledTaskJson]
    initiatives: list[SpanJson]
    critical_paths: list[TaskPath]
    violations: list[ViolationJson]


# --- calendar -------------------------------------------------------------------------------------


def plan_calendar(plan: Plan) -> WorkCalendar:
    """The working calendar of ``plan``: its fiscal years and its calendar settings.

    Plans with the same years and settings share one calendar, which is immutable.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> plan_calendar(default_plan()).is_working_day(date(2024, 12, 30))
    False
    """
    settings = plan.calendar
    return _calendar(
        plan.period.start.year,
        plan.period.end.year,
        tuple(settings.closed_days),
        tuple(settings.open_days),
        settings.year_end_closure,
    )


@functools.lru_cache(maxsize=32)
def _calendar(
    first: int, last: int, closed: tuple[date, ...], opened: tuple[date, ...], closure: bool
) -> WorkCalendar:
    return WorkCalendar(first, last, closed_days=closed, open_days=opened, year_end_closure=closure)


# --- the passes ---------------------------------------------------------------------------------


def _forward(net: Net) -> tuple[list[int], list[int], list[int]]:
    """Topological order (Kahn) and early start and finish boundaries, in one pass.

    A task is placed when its last predecessor is, then pushes its bounds to its successors.
    """
    n = len(net.refs)
    start = net.floor[:]  # the earliest start the placed predecessors allow, then the start
    finish = [0] * n
    waiting, out, special = net.graph.waiting[:], net.wiring.out, net.wiring.special
    length = net.length
    order = list(itertools.compress(range(n), map(operator.not_, waiting)))
    ready = order.append
    for p in order:  # the list grows while it is walked
        if special[p]:
            start[p], e = _place_special(net, p, start, finish)
        else:
            e = start[p] + length[p]
        finish[p] = e
        for j, offset in out[p]:
            v = e + offset
            if v > start[j]:
                start[j] = v
            w = waiting[j] - 1
            waiting[j] = w
            if not w:
                ready(j)
    if len(order) < n:
        raise _cycle_error(net, order)
    return order, start, finish


def _place_special(net: Net, j: int, start: list[int], finish: list[int]) -> tuple[int, int]:
    """Place a task with calendar units, fixed or actual dates, or a slow link."""
    actual = net.actual.get(j)
    if actual is not None and actual[0] is not None:
        return actual[0], actual[1]  # it started: its links no longer matter
    s, finish_at_least = start[j], -FAR
    slow = net.wiring.slow
    for k in net.wiring.slow_in.get(j, ()):
        p, _, t, lag, _ = slow[k]
        source = finish[p] if FROM_FINISH[t] else start[p]
        if lag.is_working_days:
            required = source + lag.amount
        else:
            required = net.days.shift(source, lag)
            net.lag_days[k] = required - source
        if TO_FINISH[t]:
            finish_at_least = max(finish_at_least, required)
        else:
            s = max(s, required)
    if actual is not None:  # done, its start not reported: as planned, but not after its end
        return min(s, actual[1]), actual[1]
    if j in net.fixed:
        return _check_fixed(net, j, start, finish)
    duration = net.graph.durations.get(j)
    if duration is None:
        s = max(s, finish_at_least - net.length[j])
        return s, s + net.length[j]
    s = net.days.earliest(duration, s, finish_at_least)
    return s, net.days.finish(s, duration)


def _check_fixed(net: Net, j: int, start: list[int], finish: list[int]) -> tuple[int, int]:
    """A fixed task keeps its dates; every link it does not meet is recorded."""
    s, e = net.fixed[j]
    slow = net.wiring.slow
    for k in net.wiring.slow_in.get(j, ()):
        p, _, t, _, _ = slow[k]
        required = (finish[p] if FROM_FINISH[t] else start[p]) + net.lag_days[k]
        short = required - (e if TO_FINISH[t] else s)
        if short > 0:
            net.unmet.append((j, k, short))
    return s, e


def _cycle_error(net: Net, order: list[int]) -> CycleError:
    """The first circle of links, named task by task; whatever the shape of the graph."""
    from aomori_roadmap.plan.checks import cycle_message, cycles

    found = cycles(net.graph)
    if not found:  # cannot happen: the forward pass stops only at a circle
        unplaced = sorted(set(range(len(net.refs))) - set(order))
        return CycleError([net.refs[i] for i in unplaced], _("The dependencies form a cycle."))
    cycle = found[0]
    return CycleError([net.refs[i] for i in cycle], cycle_message(net.plan, net.graph, cycle))


class _Late(NamedTuple):
    end: int  # the plan's finish boundary
    start: list[int]
    finish: list[int]
    free: list[int]  # free slack, before it is clamped to [0, total slack]


def _backward(net: Net, order: list[int], start: list[int], finish: list[int]) -> _Late:
    """Late dates, from the plan finish or a task's deadline, back through the same links.

    Calendar units count as the working days they took at the early dates. Free slack (how far
    a task's finish can move before it moves a successor's start) is found on the way for slow
    links, and beforehand for the others (:func:`_free_to`).
    """
    n, end = len(net.refs), max(finish, default=1)
    late_start = [0] * n
    cap = [end] * n
    for j, due in net.due.items():
        cap[j] = min(end, due)
    free_to = _free_to(net, start, end)
    out, pin, slow_out = net.wiring.out, net.pin, net.wiring.slow_out
    length = list(map(operator.sub, finish, start))  # as placed: calendar units are known now
    for p in reversed(order):
        lf = cap[p]
        for j, offset in out[p]:
            v = late_start[j] - offset  # a plain comparison, not min(): once per link
            if v < lf:
                lf = v
        if p in slow_out:
            lf, free_to[p] = _slow_bounds(net, p, lf, free_to[p], (start, finish, late_start))
        if pin[p]:  # a done task stays put; a fixed task's late dates are its dates at most
            lf = finish[p] if pin[p] == DONE else min(lf, finish[p])
        late_start[p] = lf - length[p]
    late_finish = list(map(operator.add, late_start, length))
    return _Late(end, late_start, late_finish, list(map(operator.sub, free_to, finish)))


def _free_to(net: Net, start: list[int], end: int) -> list[int]:
    """How far each task's finish can move before it moves a successor's start along an
    inline link, or the plan's finish; slow links are read by :func:`_slow_bounds`.

    It reads early dates only, so it is computed a column at a time over every link at once.
    """
    import numpy as np  # kept off the import of the module, as networkx is

    targets, offsets, firsts = net.wiring.columns()
    early = np.array([*start, end], dtype=np.int64)
    reach = np.minimum.reduceat(early[targets] - offsets, firsts) if len(start) else early[:0]
    found: list[int] = reach.tolist()
    return found


def _slow_bounds(
    net: Net, p: int, lf: int, free: int, lists: tuple[list[int], list[int], list[int]]
) -> tuple[int, int]:
    """Bounds on ``p``'s late finish and on the finish its free slack allows, from its slow
    links, with lags as they fell early."""
    start, finish, late_start = lists
    length_p = finish[p] - start[p]
    slow = net.wiring.slow
    for k in net.wiring.slow_out[p]:
        _, j, t, _, _ = slow[k]
        if j in net.actual:  # a started or finished task no longer waits for p
            continue
        shift = net.lag_days[k] - length_p * FROM_START[t] - (finish[j] - start[j]) * TO_FINISH[t]
        lf, free = min(lf, late_start[j] - shift), min(free, start[j] - shift)
    return lf, free


def _driving(
    net: Net, critical: list[bool], start: list[int], finish: list[int]
) -> Iterator[tuple[int, int]]:
    """Links between critical tasks that have no slack: each sets its successor's date."""
    out, slow, slow_out = net.wiring.out, net.wiring.slow, net.wiring.slow_out
    for p in itertools.compress(range(len(critical)), critical):
        for j, offset in out[p]:
            if critical[j] and start[j] - offset == finish[p]:
                yield p, j
        for k in slow_out.get(p, ()):
            _, j, t, _, _ = slow[k]
            side = finish[j] if TO_FINISH[t] else start[j]
            source = finish[p] if FROM_FINISH[t] else start[p]
            if critical[j] and j not in net.actual and side - net.lag_days[k] == source:
                yield p, j


def _critical_paths(
    net: Net, critical: list[bool], start: list[int], finish: list[int]
) -> list[list[str]]:
    """Chains of critical tasks along driving links, from a start to an end, in plan order."""
    import networkx as nx  # reporting only; kept off the import of the module

    graph = nx.DiGraph()
    graph.add_nodes_from(itertools.compress(range(len(critical)), critical))
    graph.add_edges_from(sorted(_driving(net, critical, start, finish)))  # paths in plan order
    ends = {v for v in graph if not graph.out_degree(v)}
    starts = sorted(v for v in graph if not graph.in_degree(v))
    paths = itertools.chain.from_iterable(nx.all_simple_paths(graph, v, ends) for v in starts)
    return [[net.refs[i] for i in path] for path in itertools.islice(paths, MAX_CRITICAL_PATHS)]


# --- putting it together ------------------------------------------------------------------------


def schedule(
    plan: Plan,
    actuals: Mapping[str, Actual] | None = None,
    *,
    calendar: WorkCalendar | None = None,
) -> Schedule:
    """Schedule ``plan``: early dates (ASAP), late dates, slack, critical paths, violations.

    ``actuals`` maps task refs to what really happened; ``calendar`` defaults to
    :func:`plan_calendar`. The same input always gives the same schedule.

    Raises:
        CycleError: the links form a cycle; the message names every task with file:line.
        PlanError: a link to an unknown task, or a task whose length cannot be known.

    >>> from aomori_roadmap.plan.loader import plan_from_data
    >>> plan = plan_from_data({"id": "p", "name": "P", "period": {"start": 2024, "end": 2024},
    ...     "initiatives": [{"id": "a", "name": "A", "tasks": [
    ...         {"id": "x", "name": "検討", "start": "2024-04-25", "duration": "5bd"},
    ...         {"id": "y", "name": "実証", "duration": "1mo",
    ...          "depends": [{"on": "x", "type": "FS", "lag": "2bd"}]}]}]})
    >>> y = schedule(plan).tasks["a/y"]  # 5 working days across Golden Week, then 2 more
    >>> y.early_start, y.early_finish, y.duration_days
    (datetime.date(2024, 5, 9), datetime.date(2024, 6, 7), 22)
    """
    cal = calendar if calendar is not None else plan_calendar(plan)
    days = Days(cal, cal.next_working_day(plan.period.start.start))
    with paused_gc():
        net = compile_net(plan, days, actuals or {})
        order, start, finish = _forward(net)
        return _result(net, start, finish, _backward(net, order, start, finish))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the engine (or a view) allocates its objects.

    The engine and the views make no reference cycles, but each of their allocations can
    trigger a collection that walks every object of the plan: on a 100,000-task plan that took
    longer than the scheduling itself. What is built while paused is freed before the collector
    ever looks at it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _by_boundary(values: list[_T], first: int) -> list[_T]:
    """``values`` (for boundaries ``first``, ``first + 1``, …) indexed by boundary directly.

    A rotation: with ``first <= 0``, boundaries below 0 land on Python's negative indexes.
    Every boundary looked up lies in the table's range, so none wraps around.
    """
    return values[-first:] + values[:-first] if first else values


def _result(net: Net, start: list[int], finish: list[int], late: _Late) -> Schedule:
    """Critical flags and paths, spans and violations; the task records at first read."""
    end, dues = late.end, net.due.values()
    # A fixed, actual or dated task may start before the plan's first working day.
    low = min(min(start, default=0), min(dues, default=1), 1) - 1
    high = max(max(dues, default=0), end)
    table, _ = net.days.table(low, high)
    day = _by_boundary(table, low).__getitem__  # the date of working day b
    before = _by_boundary(table, low + 1).__getitem__  # the date of working day b - 1
    critical = list(map(operator.ge, start, late.start))  # no total slack left
    for i in net.actual:
        if net.pin[i] == DONE:  # done: nothing left to slip, nothing critical
            critical[i] = False
    # A task shows working days start to finish - 1; a zero-length one the day it ends.
    shown = start[:]
    for i in _zero_length(net, start, finish):
        shown[i] -= 1
    ids, parts = net.graph.groups
    firsts = map(day, map(min, map(shown.__getitem__, parts)))
    lasts = map(before, map(max, map(finish.__getitem__, parts)))
    spans = dict(zip(ids, map(Span, firsts, lasts), strict=True))
    columns = _Columns(start, finish, shown, late, critical)
    return Schedule(
        plan_id=net.plan.id,
        start=net.days.origin,
        finish=before(end),
        tasks=TaskTable(net.graph.index, functools.partial(_records, net, columns)),
        initiatives=spans,
        critical_paths=_critical_paths(net, critical, start, finish),
        violations=_violations(net, finish, before),
        calendar=net.days.calendar,
    )


def _zero_length(net: Net, start: list[int], finish: list[int]) -> list[int]:
    """The tasks that take no time: a plain task's length is the plan's; others are looked at."""
    varied = {*net.graph.dated, *net.actual}
    same = [i for i in net.graph.zero if i not in varied]
    return same + [i for i in varied if start[i] == finish[i]]


class _Columns(NamedTuple):
    """A schedule's results in working-day boundaries, a list per column, task by task."""

    start: list[int]
    finish: list[int]
    shown: list[int]  # the first working day shown: start, or start - 1 for a zero-length task
    late: _Late
    critical: list[bool]


def _records(net: Net, columns: _Columns) -> dict[str, ScheduledTask]:
    """Every task's record, a column at a time (each column one C-level loop)."""
    start, finish, shown, late, critical = columns
    n = len(start)
    slack = list(map(operator.sub, late.start, start))
    for i in net.actual:
        if net.pin[i] == DONE:  # done: nothing left to slip
            slack[i] = 0
    dues = net.due.values()
    low = min(min(shown, default=0), min(late.start, default=0), min(dues, default=1), 1) - 1
    table, gaps = net.days.table(low, max(max(dues, default=0), late.end))
    day = _by_boundary(table, low).__getitem__
    before = _by_boundary(table, low + 1).__getitem__
    early_start, late_start = list(map(day, shown)), list(map(day, late.start))
    for i in itertools.compress(range(n), map(operator.ne, start, shown)):
        late_start[i] = before(late.start[i])
    actual = [False] * n
    for i in net.actual:
        actual[i] = True
    due: list[date | None] = [None] * n
    for i, b in net.due.items():
        due[i] = before(b)
    predicted = [False] * n
    if gaps[-1]:  # a gap in the schedule's range holds a predicted holiday
        to, since = _by_boundary(gaps, low + 1).__getitem__, _by_boundary(gaps, low).__getitem__
        predicted = list(map(operator.gt, map(to, finish), map(since, shown)))
    records = zip(
        net.refs,
        net.graph.owners,
        net.graph.milestones,
        early_start,
        list(map(before, finish)),
        late_start,
        list(map(before, late.finish)),
        list(map(operator.sub, finish, start)),
        slack,
        list(map(max, itertools.repeat(0), map(min, late.free, slack))),
        critical,
        actual,
        due,
        predicted,
        strict=True,
    )
    made = map(tuple.__new__, itertools.repeat(ScheduledTask), records)  # no Python call
    return dict(zip(net.refs, made, strict=True))


def _violations(net: Net, finish: list[int], before: Callable[[int], date]) -> list[Violation]:
    """Missed deadlines and unmet links of fixed tasks, in plan order, with messages in the
    language chosen now."""
    found: list[tuple[int, int, Violation]] = []
    for j, due in net.due.items():
        late_by = finish[j] - due
        if late_by > 0:
            message = ngettext(
                'Task {ref} "{name}" misses its deadline {due} by {n} working day '
                "(earliest finish {finish}).",
                'Task {ref} "{name}" misses its deadline {due} by {n} working days '
                "(earliest finish {finish}).",
                late_by,
            ).format(
                ref=net.refs[j],
                name=net.tasks[j].name,
                due=before(due),
                n=late_by,
                finish=before(finish[j]),
            )
            found.append((j, -1, Violation("deadline", net.refs[j], message, late_by)))
    for j, k, short in net.unmet:
        p, _succ, t, lag, rank = net.wiring.slow[k]
        if TO_FINISH[t]:
            when = before(net.fixed[j][1])
            text = ngettext(
                'The finish {date} of fixed task {ref} "{name}" misses the {link} link '
                'from predecessor {pred} "{pred_name}" (lag {lag}) by {n} working day.',
                'The finish {date} of fixed task {ref} "{name}" misses the {link} link '
                'from predecessor {pred} "{pred_name}" (lag {lag}) by {n} working days.',
                short,
            )
        else:
            when = before(net.fixed[j][0] + 1)
            text = ngettext(
                'The start {date} of fixed task {ref} "{name}" misses the {link} link '
                'from predecessor {pred} "{pred_name}" (lag {lag}) by {n} working day.',
                'The start {date} of fixed task {ref} "{name}" misses the {link} link '
                'from predecessor {pred} "{pred_name}" (lag {lag}) by {n} working days.',
                short,
            )
        message = text.format(
            date=when,
            ref=net.refs[j],
            name=net.tasks[j].name,
            link=NAMES[t],
            pred=net.refs[p],
            pred_name=net.tasks[p].name,
            lag=lag,
            n=short,
        )
        found.append((j, rank, Violation("fixed", net.refs[j], message, short, net.refs[p])))
    found.sort(key=lambda item: item[:2])
    return [violation for _, _, violation in found]
