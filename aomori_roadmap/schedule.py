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

>>> from aomori_roadmap.loader import plan_from_data
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

import gc
import itertools
import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple, TypeVar

from aomori_roadmap.duration import Duration
from aomori_roadmap.errors import CycleError, PlanError
from aomori_roadmap.fiscal import WorkCalendar
from aomori_roadmap.model import Plan, Task

__all__ = [
    "MAX_CRITICAL_PATHS",
    "SCHEDULE_JSON_SCHEMA",
    "Actual",
    "Schedule",
    "ScheduledTask",
    "Span",
    "Violation",
    "plan_calendar",
    "schedule",
]

MAX_CRITICAL_PATHS = 100
"""At most this many critical paths are listed; ``ScheduledTask.critical`` is always complete."""

# Link types by code. A link constrains the successor's start (FS, SS) or finish (FF, SF),
# from the predecessor's finish (FS, FF) or start (SS, SF).
_CODES = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
_NAMES = ("FS", "SS", "FF", "SF")
_FROM_FINISH, _FROM_START, _TO_FINISH = (1, 0, 1, 0), (0, 1, 0, 1), (0, 0, 1, 1)
_NO_LAG = Duration(0, "bd")
_PLAIN, _FIXED, _DONE = 0, 1, 2  # how the backward pass treats a task
_FAR = 10**9  # farther than any boundary
_ID = operator.attrgetter("id")
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

    def to_json(self) -> dict[str, Any]:
        """The task as JSON-ready data (ISO dates), keys in field order.

        >>> from aomori_roadmap.loader import default_plan
        >>> task = schedule(default_plan()).tasks["bousai-dx-alerts/study"].to_json()
        >>> task["early_start"], task["early_finish"], task["duration_days"]
        ('2024-04-01', '2024-09-30', 124)
        """
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in self._asdict().items()}


@dataclass(frozen=True, slots=True)
class Span:
    """The first start and the last finish of a group of tasks (inclusive dates)."""

    start: date
    finish: date


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
    tasks: dict[str, ScheduledTask]
    initiatives: dict[str, Span]
    critical_paths: list[list[str]]
    violations: list[Violation]
    calendar: WorkCalendar

    def to_json(self) -> dict[str, Any]:
        """The schedule as JSON-ready data, described by :data:`SCHEDULE_JSON_SCHEMA`.

        >>> from aomori_roadmap.loader import default_plan
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


def _object(description: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_REF = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"}
_INT, _BOOL, _TEXT = {"type": "integer"}, {"type": "boolean"}, {"type": "string"}
_NATURAL = {"type": "integer", "minimum": 0}

SCHEDULE_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://aomori-roadmap.example/schemas/schedule.schema.json",
    "title": "Aomori roadmap schedule",
    **_object(
        "Schedule.to_json(): ISO dates, both ends inclusive; lengths and slack in working days.",
        plan=_TEXT,
        start=_DATE,
        finish=_DATE,
        tasks={"type": "array", "items": {"$ref": "#/$defs/ScheduledTask"}},
        initiatives={"type": "array", "items": {"$ref": "#/$defs/Span"}},
        critical_paths={"type": "array", "items": {"type": "array", "items": _REF, "minItems": 1}},
        violations={"type": "array", "items": {"$ref": "#/$defs/Violation"}},
    ),
    "$defs": {
        "ScheduledTask": _object(
            "One task: early and late dates, length, slack and flags.",
            ref=_REF,
            initiative=_TEXT,
            milestone=_BOOL,
            early_start=_DATE,
            early_finish=_DATE,
            late_start=_DATE,
            late_finish=_DATE,
            duration_days=_NATURAL,
            total_slack=_INT,
            free_slack=_NATURAL,
            critical=_BOOL,
            actual=_BOOL,
            due={"anyOf": [_DATE, {"type": "null"}]},
            predicted_holidays=_BOOL,
        ),
        "Span": _object(
            "The first start and last finish of an initiative's tasks.",
            id=_TEXT,
            start=_DATE,
            finish=_DATE,
        ),
        "Violation": _object(
            "A missed deadline, or a fixed task its predecessors cannot meet.",
            kind={"enum": ["deadline", "fixed"]},
            ref=_REF,
            on={"anyOf": [_REF, {"type": "null"}]},
            days={"type": "integer", "minimum": 1},
            message=_TEXT,
        ),
    },
}
"""JSON Schema (draft 2020-12) of :meth:`Schedule.to_json`."""


# --- calendar arithmetic ------------------------------------------------------------------------


def plan_calendar(plan: Plan) -> WorkCalendar:
    """The working calendar of ``plan``: its fiscal years and its calendar settings.

    >>> from aomori_roadmap.loader import default_plan
    >>> plan_calendar(default_plan()).is_working_day(date(2024, 12, 30))
    False
    """
    settings = plan.calendar
    return WorkCalendar(
        plan.period.start.year,
        plan.period.end.year,
        closed_days=settings.closed_days,
        open_days=settings.open_days,
        year_end_closure=settings.year_end_closure,
    )


class _Days:
    """Boundaries ⇄ dates: working day ``b`` counted from the plan's first working day."""

    __slots__ = ("_after", "_before", "_dates", "calendar", "origin")

    def __init__(self, calendar: WorkCalendar, origin: date) -> None:
        self.calendar, self.origin = calendar, origin
        self._dates: dict[int, date] = {0: origin}
        # Many tasks share a start or due period, so date lookups are cached.
        self._after: dict[date, int] = {}
        self._before: dict[date, int] = {}

    def day(self, b: int) -> date:
        """The date of working day ``b``."""
        found = self._dates.get(b)
        if found is None:
            found = self._dates[b] = self.calendar.add_working_days(self.origin, b)
        return found

    def on_or_after(self, d: date) -> int:
        """The number of the first working day on or after ``d``."""
        found = self._after.get(d)
        if found is None:
            day = self.calendar.next_working_day(d)
            found = self._after[d] = self.calendar.working_days_between(self.origin, day)
        return found

    def on_or_before(self, d: date) -> int:
        """The number of the last working day on or before ``d``."""
        found = self._before.get(d)
        if found is None:
            day = self.calendar.previous_working_day(d)
            found = self._before[d] = self.calendar.working_days_between(self.origin, day)
        return found

    def shift(self, b: int, lag: Duration) -> int:
        """Boundary ``b`` moved by a calendar-unit lag, rounded forward to a working boundary."""
        return self.on_or_after(lag.shift(self.day(b), self.calendar))

    def finish(self, s: int, duration: Duration) -> int:
        """The finish boundary of a calendar-unit duration that starts at boundary ``s``."""
        if duration.amount == 0:
            return s
        last = duration.shift(self.day(s), self.calendar) - timedelta(days=1)
        return max(s + 1, self.on_or_before(last) + 1)

    def earliest(self, duration: Duration, s: int, finish_at_least: int) -> int:
        """The first start from ``s`` on whose finish reaches ``finish_at_least``."""
        if self.finish(s, duration) >= finish_at_least:
            return s
        # The finish grows with the start, though not one for one: gallop, then bisect.
        low, step = s, max(1, finish_at_least - self.finish(s, duration))
        high = low + step
        while self.finish(high, duration) < finish_at_least:
            low, step = high, step * 2
            high = low + step
        while high - low > 1:
            middle = (low + high) // 2
            if self.finish(middle, duration) >= finish_at_least:
                high = middle
            else:
                low = middle
        return high

    def table(self, low: int, high: int) -> tuple[list[date], list[int]]:
        """Dates of working days ``low..high``, and how many gaps with predicted holidays lie
        at or before each (gap ``k`` is the time between working days ``k - 1`` and ``k``)."""
        dates = [self.day(low)]
        step = self.calendar.add_working_days
        for _ in range(high - low):
            dates.append(step(dates[-1], 1))
        gaps = [0] * len(dates)
        relies = self.calendar.relies_on_predictions
        if relies(dates[0], dates[-1]):
            for k in range(1, len(dates)):
                hole = (dates[k] - dates[k - 1]).days > 1 and relies(dates[k - 1], dates[k])
                gaps[k] = gaps[k - 1] + hole
        return dates, gaps


# --- compiling the plan into lists --------------------------------------------------------------


class _Link(NamedTuple):
    """A link on the slow path: a calendar-unit lag, or a successor that is not plain."""

    pred: int
    succ: int
    type: int
    lag: Duration


@dataclass(slots=True)
class _Net:
    """The plan as integer-indexed lists (task ``i`` is the ``i``-th task in plan order).

    A *plain* task has a length known in working days and no fixed or actual dates. A
    working-day link into a plain task is an entry ``(j, offset)`` in ``out[p]`` meaning
    ``start[j] >= finish[p] + offset``: the lengths of both ends are folded into the offset
    (an SS link from a 5-day task with lag 2 has offset -3). Every other link is a
    :class:`_Link`, read by the slow paths.
    """

    plan: Plan
    days: _Days
    refs: list[str]
    tasks: list[Task]
    initiatives: list[tuple[str, int, int]]  # id, first task, end task
    length: list[int]  # working days; -1 while it depends on the start (calendar units)
    floor: list[int]  # the earliest start boundary
    out: list[list[tuple[int, int]]]
    special: list[bool]  # placed by _place_special instead of the plain loop
    pin: list[int]  # _PLAIN, _FIXED or _DONE
    waiting: list[int] = field(default_factory=list)  # links into each task
    slow: list[_Link] = field(default_factory=list)
    lag_days: list[int] = field(default_factory=list)  # per slow link, at the early dates
    slow_in: dict[int, list[int]] = field(default_factory=dict)
    slow_out: dict[int, list[int]] = field(default_factory=dict)
    durations: dict[int, Duration] = field(default_factory=dict)  # calendar-unit durations
    fixed: dict[int, tuple[int, int]] = field(default_factory=dict)
    actual: dict[int, tuple[int | None, int]] = field(default_factory=dict)  # start?, finish
    due: dict[int, int] = field(default_factory=dict)  # deadline boundary
    unmet: list[tuple[int, int, int]] = field(default_factory=list)  # fixed task, link, days

    def named(self, i: int) -> str:
        """Task ``i`` for a message: ref, name, file:line."""
        ref = self.refs[i]
        return f"{ref} 「{self.tasks[i].name}」 ({self.plan.where(self.plan.task_loc(ref))})"


def _compile(plan: Plan, days: _Days, actuals: Mapping[str, Actual]) -> _Net:
    """Turn the plan into a :class:`_Net`; raise PlanError for what cannot be scheduled."""
    tasks = [task for initiative in plan.initiatives for task in initiative.tasks]
    n = len(tasks)
    refs: list[str] = []
    spans = []
    for initiative in plan.initiatives:
        spans.append((initiative.id, len(refs), len(refs) + len(initiative.tasks)))
        prefix = initiative.id + "/"
        refs += [prefix + task.id for task in initiative.tasks]
    length = list(map(_plain_length, tasks))
    floor = [int(x == 0) for x in length]  # a milestone happens at the end of a day
    out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    net = _Net(plan, days, refs, tasks, spans, length, floor, out, [False] * n, [_PLAIN] * n)
    index = dict(zip(refs, range(n), strict=True))
    if len(index) < n:
        twice = next(i for i, ref in enumerate(refs) if index[ref] != i)
        raise PlanError(f"工程 {net.named(twice)} のIDが重複しています。")
    for i in itertools.compress(range(n), map((0).__gt__, length)):
        _compile_task(net, i, None)
    for ref, actual in sorted(actuals.items()):
        if ref not in index:
            raise PlanError(f"実績の工程 '{ref}' が見つかりません。")
        _compile_task(net, index[ref], actual)
    _compile_links(net, index)
    return net


def _plain_length(task: Task) -> int:
    """The length of a task with only a working-day duration (or a bare milestone); else -1."""
    if task.start is not None or task.finish is not None or task.due is not None:
        return -1
    duration = task.duration
    if task.milestone:
        return -1 if duration is not None else 0
    if duration is not None and duration.unit == "bd" and duration.amount >= 0:
        return duration.amount
    return -1


def _compile_task(net: _Net, i: int, actual: Actual | None) -> None:
    """Read what a task that is not plain says about its length, start, finish, deadline."""
    task, days = net.tasks[i], net.days
    duration = task.duration
    fixed = task.start is not None and task.finish is not None
    if task.milestone:
        valid = duration is None and task.finish is None
    else:
        valid = (duration is not None and task.finish is None) or (fixed and duration is None)
    if not valid or (duration is not None and duration.amount < 0):
        raise PlanError(
            f"工程 {net.named(i)} の長さが決まりません（duration（0以上）、start と finish、"
            "milestone のどれか一つにしてください）。"
        )
    calendar = duration if duration and duration.amount and not duration.is_working_days else None
    length = -1 if calendar else (duration.amount if duration is not None else 0)
    net.floor[i] = (0 if task.start is None else days.on_or_after(task.start.start)) + (not length)
    if task.start is not None and task.finish is not None:
        s = days.on_or_after(task.start.start)
        net.fixed[i] = (s, max(s, days.on_or_before(task.finish.end) + 1))
        length = net.fixed[i][1] - s
        net.pin[i] = _FIXED
    if calendar is not None:
        net.durations[i] = calendar
    if task.due is not None:
        net.due[i] = days.on_or_before(task.due.end) + 1
    if actual is not None and (actual.start is not None or actual.finish is not None):
        # What happened wins over what was fixed; a milestone that happened is done.
        net.fixed.pop(i, None)
        length = _compile_actual(net, i, actual, length, calendar)
        net.pin[i] = _DONE if actual.finish is not None or not length else _PLAIN
    net.length[i] = length
    net.special[i] = bool(calendar or i in net.fixed or i in net.actual)


def _compile_actual(
    net: _Net, i: int, actual: Actual, length: int, calendar: Duration | None
) -> int:
    """Record the actual boundaries of task ``i``; return its length (-1: not known yet)."""
    days = net.days
    if length == 0:  # a milestone happens at the end of its day
        b = days.on_or_before(actual.finish or actual.start or days.origin) + 1
        net.actual[i] = (b, b)
        return 0
    e = None if actual.finish is None else days.on_or_before(actual.finish) + 1
    if actual.start is None:
        net.actual[i] = (None, e or 0)
        return -1
    s = days.on_or_after(actual.start)
    if e is None:  # started: the planned length runs from the actual start
        e = s + length if calendar is None else days.finish(s, calendar)
    net.actual[i] = (s, max(s, e))
    return max(s, e) - s


def _compile_links(net: _Net, index: dict[str, int]) -> None:
    """Add every link: inline into ``out`` when it can be, else as a :class:`_Link`."""
    out, length, find = net.out, net.length, index.get
    codes, to_finish, from_start = _CODES, _TO_FINISH, _FROM_START  # locals: read per link
    # Read ``after`` and ``depends`` directly: ``Task.links`` builds a pydantic model per
    # ``after`` entry, which costs more than a whole pass on a big plan.
    net.waiting = [len(task.after) + len(task.depends) for task in net.tasks]
    plain = [not special for special in net.special]
    j = -1
    for initiative in net.plan.initiatives:
        ids = range(j + 1, j + 1 + len(initiative.tasks))
        local = dict(zip(map(_ID, initiative.tasks), ids, strict=True)).get
        for task in initiative.tasks:
            j += 1
            if not net.waiting[j]:
                continue
            if not plain[j]:
                for on in task.after:
                    _slow_link(net, _ref(net, local, find, j, on), j, 0, _NO_LAG)
                for link in task.depends:
                    p = _ref(net, local, find, j, link.on)
                    _slow_link(net, p, j, _CODES[link.type], link.lag)
                continue
            for on in task.after:  # finish-to-start without lag, the most common link
                found = local(on)
                out[_ref(net, local, find, j, on) if found is None else found].append((j, 0))
            length_j = length[j]
            for link in task.depends:
                found = local(link.on)
                p = _ref(net, local, find, j, link.on) if found is None else found
                t, lag = codes[link.type], link.lag
                # Every inline link reads "start[j] >= finish[p] + offset": the lengths of
                # both ends are folded into the offset, so the passes need no link types.
                if lag.unit != "bd" or (length[p] < 0 and from_start[t]):
                    _slow_link(net, p, j, t, lag)
                elif not t:
                    out[p].append((j, lag.amount))
                else:
                    offset = lag.amount - length_j * to_finish[t] - length[p] * from_start[t]
                    out[p].append((j, offset))


_Lookup = Callable[[str], int | None]


def _ref(net: _Net, local: _Lookup, find: _Lookup, j: int, on: str) -> int:
    """The index of the task a link of task ``j`` names (``task`` or ``initiative/task``)."""
    p = local(on)
    if p is None:
        p = find(on)
    if p is None:
        raise PlanError(f"工程 {net.named(j)} の依存先 '{on}' が見つかりません。")
    return p


def _slow_link(net: _Net, p: int, j: int, t: int, lag: Duration) -> None:
    net.special[j] = True  # placed by _place_special, which reads its slow links
    k = len(net.slow)
    net.slow.append(_Link(p, j, t, lag))
    net.lag_days.append(lag.amount if lag.is_working_days else 0)
    net.slow_in.setdefault(j, []).append(k)
    net.slow_out.setdefault(p, []).append(k)


# --- the passes ---------------------------------------------------------------------------------


def _forward(net: _Net) -> tuple[list[int], list[int], list[int]]:
    """Topological order (Kahn) and early start and finish boundaries, in one pass.

    A task is placed when its last predecessor is, then pushes its bounds to its successors.
    """
    n = len(net.refs)
    start = net.floor[:]  # the earliest start the placed predecessors allow, then the start
    finish = [0] * n
    waiting, out, length, special = net.waiting[:], net.out, net.length, net.special
    slow_out, slow = net.slow_out, net.slow
    order = [j for j in range(n) if not waiting[j]]
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
        for k in slow_out.get(p, ()):
            j = slow[k].succ
            waiting[j] -= 1
            if not waiting[j]:
                ready(j)
    if len(order) < n:
        raise _cycle_error(net, order)
    return order, start, finish


def _place_special(net: _Net, j: int, start: list[int], finish: list[int]) -> tuple[int, int]:
    """Place a task with calendar units, fixed or actual dates, or a slow link."""
    actual = net.actual.get(j)
    if actual is not None and actual[0] is not None:
        return actual[0], actual[1]  # it started: its links no longer matter
    s, finish_at_least = start[j], -_FAR
    for k in net.slow_in.get(j, ()):
        p, _, t, lag = net.slow[k]
        source = finish[p] if _FROM_FINISH[t] else start[p]
        if lag.is_working_days:
            required = source + lag.amount
        else:
            required = net.days.shift(source, lag)
            net.lag_days[k] = required - source
        if _TO_FINISH[t]:
            finish_at_least = max(finish_at_least, required)
        else:
            s = max(s, required)
    if actual is not None:  # done, its start not reported: as planned, but not after its end
        return min(s, actual[1]), actual[1]
    if j in net.fixed:
        return _check_fixed(net, j, start, finish)
    duration = net.durations.get(j)
    if duration is None:
        s = max(s, finish_at_least - net.length[j])
        return s, s + net.length[j]
    s = net.days.earliest(duration, s, finish_at_least)
    return s, net.days.finish(s, duration)


def _check_fixed(net: _Net, j: int, start: list[int], finish: list[int]) -> tuple[int, int]:
    """A fixed task keeps its dates; every link it does not meet is recorded."""
    s, e = net.fixed[j]
    for k in net.slow_in.get(j, ()):
        p, _, t, _ = net.slow[k]
        required = (finish[p] if _FROM_FINISH[t] else start[p]) + net.lag_days[k]
        short = required - (e if _TO_FINISH[t] else s)
        if short > 0:
            net.unmet.append((j, k, short))
    return s, e


def _cycle_error(net: _Net, order: list[int]) -> CycleError:
    import networkx as nx  # only a plan with a cycle pays for the import here

    placed = set(order)
    graph = nx.DiGraph()
    for p, entries in enumerate(net.out):
        if p not in placed:
            graph.add_edges_from((p, j) for j, _ in entries)
    graph.add_edges_from((p, j) for p, j, _, _ in net.slow if p not in placed)
    edges = nx.find_cycle(graph, source=min(v for v in graph if v not in placed))
    cycle = [int(u) for u, _ in edges]
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    names = " → ".join([*(net.named(i) for i in cycle), net.refs[cycle[0]]])
    return CycleError([net.refs[i] for i in cycle], f"依存関係が循環しています: {names}")


class _Late(NamedTuple):
    start: list[int]
    finish: list[int]
    free: list[int]  # free slack, before it is clamped to [0, total slack]


def _backward(net: _Net, order: list[int], start: list[int], finish: list[int]) -> _Late:
    """Late dates, from the plan finish or a task's deadline, back through the same links.

    Calendar units count as the working days they took at the early dates. Free slack is
    found on the way: how far a task's finish can move before it moves a successor's start.
    """
    n, end = len(net.refs), max(finish, default=1)
    late_start = [0] * n
    free_to = [end] * n  # the finish each task may reach without moving a successor
    cap = [end] * n
    for j, due in net.due.items():
        cap[j] = min(end, due)
    out, pin, slow_out = net.out, net.pin, net.slow_out
    for p in reversed(order):
        lf, free = cap[p], end
        for j, offset in out[p]:
            # Plain comparisons, not min(): this loop runs once per link.
            v = late_start[j] - offset
            if v < lf:
                lf = v
            v = start[j] - offset
            if v < free:
                free = v
        if p in slow_out:
            lf, free = _slow_bounds(net, p, lf, free, (start, finish, late_start))
        if pin[p]:  # a done task stays put; a fixed task's late dates are its dates at most
            lf = finish[p] if pin[p] == _DONE else min(lf, finish[p])
        late_start[p] = lf - finish[p] + start[p]
        free_to[p] = free
    late_finish = [ls + e - s for ls, s, e in zip(late_start, start, finish, strict=True)]
    return _Late(late_start, late_finish, list(map(operator.sub, free_to, finish)))


def _slow_bounds(
    net: _Net, p: int, lf: int, free: int, lists: tuple[list[int], list[int], list[int]]
) -> tuple[int, int]:
    """Bounds on ``p``'s finish from its slow links, with lags as they fell early."""
    start, finish, late_start = lists
    length_p = finish[p] - start[p]
    for k in net.slow_out[p]:
        _, j, t, _ = net.slow[k]
        if j in net.actual:  # a started or finished task no longer waits for p
            continue
        shift = net.lag_days[k] - length_p * _FROM_START[t] - (finish[j] - start[j]) * _TO_FINISH[t]
        lf, free = min(lf, late_start[j] - shift), min(free, start[j] - shift)
    return lf, free


def _driving(
    net: _Net, critical: list[bool], start: list[int], finish: list[int]
) -> Iterator[tuple[int, int]]:
    """Links between critical tasks that have no slack: each sets its successor's date."""
    for p in itertools.compress(range(len(critical)), critical):
        for j, offset in net.out[p]:
            if critical[j] and start[j] - offset == finish[p]:
                yield p, j
        for k in net.slow_out.get(p, ()):
            _, j, t, _ = net.slow[k]
            side = finish[j] if _TO_FINISH[t] else start[j]
            source = finish[p] if _FROM_FINISH[t] else start[p]
            if critical[j] and j not in net.actual and side - net.lag_days[k] == source:
                yield p, j


def _critical_paths(
    net: _Net, critical: list[bool], start: list[int], finish: list[int]
) -> list[list[str]]:
    """Chains of critical tasks along driving links, from a start to an end, in plan order."""
    import networkx as nx  # reporting only; kept off the import of the module

    graph = nx.DiGraph()
    graph.add_nodes_from(itertools.compress(range(len(critical)), critical))
    graph.add_edges_from(_driving(net, critical, start, finish))
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

    >>> from aomori_roadmap.loader import plan_from_data
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
    days = _Days(cal, cal.next_working_day(plan.period.start.start))
    with _no_gc():
        net = _compile(plan, days, actuals or {})
        order, start, finish = _forward(net)
        return _result(net, start, finish, _backward(net, order, start, finish))


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the engine allocates its lists.

    The engine makes no reference cycles, but each of its allocations can trigger a collection
    that walks every object of the plan: on a 100,000-task plan that took longer than the
    scheduling itself.
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


def _result(net: _Net, start: list[int], finish: list[int], late: _Late) -> Schedule:
    """Dates, slack and flags per task, a column at a time (each column one C-level loop)."""
    n, end, dues = len(net.refs), max(finish, default=1), net.due.values()
    low = min(min(start, default=0), min(late.start, default=0), min(dues, default=1), 1) - 1
    high = max(max(finish, default=0), max(late.finish, default=0), max(dues, default=0), end)
    table, gaps = net.days.table(low, high)
    day = _by_boundary(table, low).__getitem__  # the date of working day b
    before = _by_boundary(table, low + 1).__getitem__  # the date of working day b - 1
    # A task shows working days start to finish - 1; a zero-length one the day it ends.
    early_start, late_start = list(map(day, start)), list(map(day, late.start))
    for i in itertools.compress(range(n), map(operator.eq, start, finish)):
        early_start[i], late_start[i] = before(start[i]), before(late.start[i])
    slack = list(map(operator.sub, late.start, start))
    critical = list(map((0).__ge__, slack))
    actual = [False] * n
    for i in net.actual:
        actual[i] = True
        if net.pin[i] == _DONE:  # done: nothing left to slip, nothing critical
            slack[i], critical[i] = 0, False
    due: list[date | None] = [None] * n
    for i, b in net.due.items():
        due[i] = before(b)
    predicted = [False] * n
    if gaps[-1]:  # a gap in the schedule's range holds a predicted holiday
        shown = [s - (s == e) for s, e in zip(start, finish, strict=True)]
        to, since = _by_boundary(gaps, low + 1).__getitem__, _by_boundary(gaps, low).__getitem__
        predicted = list(map(operator.gt, map(to, finish), map(since, shown)))
    columns = zip(
        net.refs,
        [ident for ident, first, stop in net.initiatives for _ in range(first, stop)],
        list(map(operator.attrgetter("milestone"), net.tasks)),
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
    records = map(tuple.__new__, itertools.repeat(ScheduledTask), columns)  # no Python call
    spans = {
        ident: Span(min(early_start[first:stop]), max(map(before, finish[first:stop])))
        for ident, first, stop in net.initiatives
        if stop > first
    }
    return Schedule(
        plan_id=net.plan.id,
        start=net.days.origin,
        finish=before(end),
        tasks=dict(zip(net.refs, records, strict=True)),
        initiatives=spans,
        critical_paths=_critical_paths(net, critical, start, finish),
        violations=_violations(net, finish, before),
        calendar=net.days.calendar,
    )


def _violations(net: _Net, finish: list[int], before: Callable[[int], date]) -> list[Violation]:
    """Missed deadlines and unmet links of fixed tasks, in plan order, with Japanese messages."""
    found: list[tuple[int, int, Violation]] = []
    for j, due in net.due.items():
        late_by = finish[j] - due
        if late_by > 0:
            message = (
                f"工程 {net.refs[j]} 「{net.tasks[j].name}」 は期限 {before(due)} に "
                f"{late_by} 勤務日遅れます（最早の終了 {before(finish[j])}）。"
            )
            found.append((j, -1, Violation("deadline", net.refs[j], message, late_by)))
    for j, k, short in net.unmet:
        p, _, t, lag = net.slow[k]
        end = "終了" if _TO_FINISH[t] else "開始"
        when = before(net.fixed[j][1]) if _TO_FINISH[t] else before(net.fixed[j][0] + 1)
        message = (
            f"固定された工程 {net.refs[j]} 「{net.tasks[j].name}」 の{end} {when} は、"
            f"先行工程 {net.refs[p]} 「{net.tasks[p].name}」 からの {_NAMES[t]} リンク"
            f"（ラグ {lag}）を {short} 勤務日満たしていません。"
        )
        found.append((j, k, Violation("fixed", net.refs[j], message, short, net.refs[p])))
    found.sort(key=lambda item: item[:2])
    return [violation for _, _, violation in found]
