"""The plan as integer-indexed lists: what the scheduler's passes read.

Two layers, so that scheduling a plan again costs only the passes:

- :class:`Graph`, built once per plan and kept on it: tasks, links resolved to indexes, the
  lengths known in working days, and the links *wired* for a schedule without actuals. It
  depends on neither the calendar nor the actuals. The loader builds it for every plan it
  loads (:func:`prepare`); a plan made another way gets it at its first schedule.
- :class:`Net`, built per call: the dates that depend on the calendar (starts, fixed dates,
  deadlines) and the actuals, which change the lengths of the tasks they name and re-wire the
  links touching them.

Time is counted in working-day boundaries (see :mod:`aomori_roadmap.engine.schedule`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from aomori_roadmap.calendar import Duration, WorkCalendar
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import Initiative, Plan, Task

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from aomori_roadmap.engine.schedule import Actual

    Ints = NDArray[np.int64]
else:
    Ints = Any

# Link types by code. A link constrains the successor's start (FS, SS) or finish (FF, SF),
# from the predecessor's finish (FS, FF) or start (SS, SF).
CODES = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
NAMES = ("FS", "SS", "FF", "SF")
FROM_FINISH, FROM_START, TO_FINISH = (1, 0, 1, 0), (0, 1, 0, 1), (0, 0, 1, 1)
PLAIN, FIXED, DONE = 0, 1, 2  # how the backward pass treats a task
FAR = 10**9  # farther than any boundary
NO_LAG = Duration(0, "bd")


# --- calendar arithmetic ------------------------------------------------------------------------


class Days:
    """Boundaries ⇄ dates: working day ``b`` counted from the plan's first working day."""

    __slots__ = ("_after", "_before", "_dates", "_shifted", "calendar", "origin")

    def __init__(self, calendar: WorkCalendar, origin: date) -> None:
        self.calendar, self.origin = calendar, origin
        self._dates: dict[int, date] = {0: origin}
        # Many tasks share a start, a due period or a calendar-unit length and its start, so
        # lookups are cached: calendar units are date arithmetic, slower than a pass per task.
        self._after: dict[date, int] = {}
        self._before: dict[date, int] = {}
        self._shifted: dict[tuple[int, Duration], date] = {}

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

    def _shift(self, b: int, amount: Duration) -> date:
        """The date of working day ``b`` moved by a calendar-unit amount."""
        found = self._shifted.get((b, amount))
        if found is None:
            found = self._shifted[b, amount] = amount.shift(self.day(b), self.calendar)
        return found

    def shift(self, b: int, lag: Duration) -> int:
        """Boundary ``b`` moved by a calendar-unit lag, rounded forward to a working boundary."""
        return self.on_or_after(self._shift(b, lag))

    def finish(self, s: int, duration: Duration) -> int:
        """The finish boundary of a calendar-unit duration that starts at boundary ``s``."""
        if duration.amount == 0:
            return s
        last = self._shift(s, duration) - timedelta(days=1)
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
        for _step in range(high - low):
            dates.append(step(dates[-1], 1))
        gaps = [0] * len(dates)
        relies = self.calendar.relies_on_predictions
        if relies(dates[0], dates[-1]):
            for k in range(1, len(dates)):
                hole = (dates[k] - dates[k - 1]).days > 1 and relies(dates[k - 1], dates[k])
                gaps[k] = gaps[k - 1] + hole
        return dates, gaps


# --- compiling the plan into lists --------------------------------------------------------------


# --- the plan's graph ---------------------------------------------------------------------------


class Link(NamedTuple):
    """A link on the slow path: a calendar-unit lag, or a successor that is not plain."""

    pred: int
    succ: int
    type: int
    lag: Duration
    rank: int  # the link's place in the plan: successors in plan order, ``after`` first


@dataclass(slots=True)
class Wiring:
    """The links as the passes read them, for given task lengths.

    An *inline* link is an entry ``(j, offset)`` in ``out[p]`` meaning
    ``start[j] >= finish[p] + offset``: the lengths of both ends are folded into the offset
    (an SS link from a 5-day task with lag 2 has offset -3), so the passes need no link types.
    A link that cannot be inlined (a calendar-unit lag, a successor whose length or dates are
    not plain, a start-based link from a task of unknown length) is a :class:`Link` in
    ``slow``, read by the slow paths; it is also in ``out[p]``, with an offset that never
    binds, so that the forward pass counts every link down in one loop. ``special`` marks
    the tasks that the slow paths place.
    """

    out: list[list[tuple[int, int]]]
    special: list[bool]
    slow: list[Link]
    slow_in: dict[int, list[int]] = field(default_factory=dict)  # successor -> slow links
    slow_out: dict[int, list[int]] = field(default_factory=dict)  # predecessor -> slow links
    lag_days: list[int] = field(default_factory=list)  # per slow link, when in working days
    _columns: tuple[Ints, Ints, Ints] | None = None

    def columns(self) -> tuple[Ints, Ints, Ints]:
        """``out`` as numpy columns: successors, offsets, and where each task's links begin.

        Each task's links end with one to the plan's finish (successor ``n``, offset 0), so
        that no task has none. A computation that reads only finished early dates (free slack)
        runs over the columns in C instead of looping over the links in Python.
        """
        if self._columns is None:
            import numpy as np  # only scheduling pays for the import

            n = len(self.out)
            rows = list(chain.from_iterable(map(chain, self.out, repeat(((n, 0),)))))
            sizes = np.fromiter(map(len, self.out), dtype=np.int64, count=n) + 1
            firsts = np.zeros(n, dtype=np.int64)
            np.cumsum(sizes[:-1], out=firsts[1:])
            targets = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows))
            offsets = np.fromiter(map(itemgetter(1), rows), dtype=np.int64, count=len(rows))
            self._columns = (targets, offsets, firsts)
        return self._columns

    def index_slow(self) -> None:
        """Order the slow links (by predecessor, then place in the plan) and index them."""
        self.slow.sort(key=lambda link: (link.pred, link.rank))
        self.slow_in, self.slow_out = {}, {}
        for k, link in enumerate(self.slow):
            self.slow_in.setdefault(link.succ, []).append(k)
            self.slow_out.setdefault(link.pred, []).append(k)
        self.lag_days = [link.lag.amount if link.lag.is_working_days else 0 for link in self.slow]


@dataclass(slots=True)
class Graph:
    """A plan's tasks and links as integer-indexed lists, free of calendar and actuals.

    Task ``i`` is the ``i``-th task in plan order. ``succ[p]`` lists the links out of ``p`` as
    ``(successor, type code, lag, rank)``; ``preds[j]`` the predecessors of ``j``, one per link.
    """

    source: list[Initiative]  # the plan's list it was built from: a changed copy has another
    refs: list[str]
    tasks: list[Task]
    initiatives: list[tuple[str, int, int]]  # id, first task, end task
    index: dict[str, int]
    length: list[int]  # working days; -1 when the calendar decides (calendar units, fixed)
    floor: list[int]  # the earliest start boundary before dates: 1 for a milestone, else 0
    dated: list[int]  # tasks with a start, finish or deadline, or a calendar-unit duration
    zero: list[int]  # tasks of length 0 in working days (milestones, mostly)
    groups: tuple[list[str], list[slice]]  # each initiative with tasks, and its tasks' slice
    owners: list[str]  # each task's initiative
    milestones: list[bool]
    durations: dict[int, Duration]  # calendar-unit durations
    inherent: frozenset[int]  # tasks placed by the slow path whatever their links
    succ: list[list[tuple[int, int, Duration, int]]]
    preds: list[list[int]]
    waiting: list[int]  # links into each task
    wiring: Wiring  # for a schedule without actuals


def prepare(plan: Plan) -> Graph:
    """Build the plan's graph now (the loader does, for every plan it loads), not at its first
    schedule; a plan that cannot be scheduled raises here as :func:`schedule` would.

    >>> from aomori_roadmap.plan.loader import plan_from_data
    >>> plan = plan_from_data({"id": "p", "name": "P", "period": {"start": 2024, "end": 2024}})
    >>> len(prepare(plan).refs)
    0
    """
    return _graph(plan)


# Each plan's graph, kept while the plan that built it lives: a plan is immutable, and every
# schedule of it (planned, current, baselines, the server's views) shares the one graph, as do
# its copies that keep its list of initiatives. Keyed by the identity of that list (a plan is
# not hashable); the graph holds the list, so the key cannot be reused while the entry stands.
_GRAPHS: dict[int, tuple[weakref.ref[Plan], Graph]] = {}


def cached_graph(plan: Plan) -> Graph | None:
    """The graph built for ``plan`` (or a copy with its initiatives), else ``None``."""
    found = _GRAPHS.get(id(plan.initiatives))
    if found is None or found[1].source is not plan.initiatives:
        return None
    return found[1]


def _forget(key: int) -> Callable[[object], None]:
    def forget(_: object) -> None:
        _GRAPHS.pop(key, None)

    return forget


def _graph(plan: Plan) -> Graph:
    """The plan's graph, built at the first call and kept while the plan lives."""
    built = cached_graph(plan)
    if built is None:
        built = _build_graph(plan)
        key = id(plan.initiatives)
        _GRAPHS[key] = (weakref.ref(plan, _forget(key)), built)
    return built


def _named(plan: Plan, ref: str, task: Task) -> str:
    """A task for a message: ref, name, file:line."""
    return _('{ref} "{name}" ({where})').format(
        ref=ref, name=task.name, where=plan.where(plan.task_loc(ref))
    )


def _build_graph(plan: Plan) -> Graph:
    """Index the tasks, resolve every link, and wire the links for a schedule without actuals."""
    refs: list[str] = []
    tasks: list[Task] = []
    spans = []
    for initiative in plan.initiatives:
        spans.append((initiative.id, len(refs), len(refs) + len(initiative.tasks)))
        prefix = initiative.id + "/"
        refs += [prefix + task.id for task in initiative.tasks]
        tasks += initiative.tasks
    n = len(tasks)
    index = dict(zip(refs, range(n), strict=True))
    if len(index) < n:
        twice = next(i for i, ref in enumerate(refs) if index[ref] != i)
        raise PlanError(
            _("The id of task {task} is used twice.").format(
                task=_named(plan, refs[twice], tasks[twice])
            )
        )
    length = list(map(_plain_length, tasks))
    dated = [i for i, x in enumerate(length) if x < 0]
    durations: dict[int, Duration] = {}
    for i in dated:
        length[i], calendar = _dated_length(plan, refs[i], tasks[i])
        if calendar is not None:
            durations[i] = calendar
    fixed = [i for i in dated if tasks[i].finish is not None]
    succ, preds = _resolve_links(plan, refs, tasks, spans, index)
    graph = Graph(
        source=plan.initiatives,
        refs=refs,
        tasks=tasks,
        initiatives=spans,
        index=index,
        length=length,
        floor=[int(x == 0) for x in length],
        dated=dated,
        zero=[i for i, x in enumerate(length) if x == 0],
        owners=[ident for ident, first, stop in spans for _ in range(first, stop)],
        milestones=[task.milestone for task in tasks],
        groups=(
            [ident for ident, first, stop in spans if stop > first],
            [slice(first, stop) for _, first, stop in spans if stop > first],
        ),
        durations=durations,
        inherent=frozenset((*durations, *fixed)),
        succ=succ,
        preds=preds,
        waiting=list(map(len, preds)),
        wiring=Wiring([[] for _ in range(n)], [False] * n, []),
    )
    # The numpy columns come at the first schedule: loading or validating never imports numpy.
    _wire(graph, graph.wiring, length, graph.inherent, range(n))
    return graph


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


def _dated_length(plan: Plan, ref: str, task: Task) -> tuple[int, Duration | None]:
    """The length of a task that is not plain (-1: the calendar decides), and its calendar-unit
    duration; PlanError when its length cannot be known."""
    duration = task.duration
    fixed = task.start is not None and task.finish is not None
    if task.milestone:
        valid = duration is None and task.finish is None
    else:
        valid = (duration is not None and task.finish is None) or (fixed and duration is None)
    if not valid or (duration is not None and duration.amount < 0):
        raise PlanError(
            _(
                "The length of task {task} is not determined (give exactly one of: a duration "
                "(0 or more), start and finish, or milestone)."
            ).format(task=_named(plan, ref, task))
        )
    if duration is not None and duration.amount and not duration.is_working_days:
        return -1, duration
    if fixed:
        return -1, None
    return (duration.amount if duration is not None else 0), None


def _resolve_links(
    plan: Plan,
    refs: list[str],
    tasks: list[Task],
    spans: list[tuple[str, int, int]],
    index: dict[str, int],
) -> tuple[list[list[tuple[int, int, Duration, int]]], list[list[int]]]:
    """Every link as ``succ[p]`` entries and ``preds[j]`` entries, in plan order."""
    n = len(tasks)
    succ: list[list[tuple[int, int, Duration, int]]] = [[] for _ in range(n)]
    preds: list[list[int]] = [[] for _ in range(n)]
    find, codes, no_lag, rank = index.get, CODES, NO_LAG, 0
    for _initiative, first, stop in spans:
        ids = [task.id for task in tasks[first:stop]]
        local = dict(zip(ids, range(first, stop), strict=True)).get
        for j in range(first, stop):
            task = tasks[j]
            if not task.after and not task.depends:
                continue
            into = preds[j]
            # Read ``after`` and ``depends`` directly: ``Task.links`` builds a pydantic model
            # per ``after`` entry, which costs more than a whole pass on a big plan.
            for on in task.after:
                p = local(on)
                if p is None:
                    p = _find(plan, find, refs[j], task, on)
                succ[p].append((j, 0, no_lag, rank))
                into.append(p)
                rank += 1
            for link in task.depends:
                p = local(link.on)
                if p is None:
                    p = _find(plan, find, refs[j], task, link.on)
                succ[p].append((j, codes[link.type], link.lag, rank))
                into.append(p)
                rank += 1
    return succ, preds


def _find(plan: Plan, find: Callable[[str], int | None], ref: str, task: Task, on: str) -> int:
    """The index of a task named ``initiative/task`` by a link of ``task``."""
    p = find(on)
    if p is None:
        raise PlanError(
            _("Task {task} depends on '{on}', which does not exist.").format(
                task=_named(plan, ref, task), on=on
            )
        )
    return p


def _wire(
    graph: Graph,
    wiring: Wiring,
    length: list[int],
    inherent: Collection[int],
    sources: Iterable[int],
    placed: Collection[int] = (),
) -> None:
    """Wire the links out of each task of ``sources`` into ``wiring``, then index its slow links.

    A link into a task of ``placed`` (one that started: its actual dates place it, and it no
    longer waits for its predecessors) binds nothing either way: it is wired inline with an
    offset that never binds, not as a slow link that every pass would skip.
    """
    out, special, slow, succ = wiring.out, wiring.special, wiring.slow, graph.succ
    to_finish, from_start, far = TO_FINISH, FROM_START, -FAR
    for j in inherent:
        special[j] = True
    for p in sources:
        entries: list[tuple[int, int]] = []
        length_p = length[p]
        for j, t, lag, rank in succ[p]:
            if j in placed:
                entries.append((j, far))
            elif j in inherent or lag.unit != "bd" or (length_p < 0 and from_start[t]):
                special[j] = True
                slow.append(Link(p, j, t, lag, rank))
                entries.append((j, far))
            elif not t:
                entries.append((j, lag.amount))
            else:
                offset = lag.amount - length[j] * to_finish[t] - length_p * from_start[t]
                entries.append((j, offset))
        out[p] = entries
    wiring.index_slow()


# --- one schedule's lists -----------------------------------------------------------------------


@dataclass(slots=True)
class Net:
    """What one schedule reads: the plan's graph, with the calendar's dates and the actuals."""

    plan: Plan
    days: Days
    graph: Graph
    wiring: Wiring
    length: list[int]  # working days; -1 while it depends on the start (calendar units)
    floor: list[int]  # the earliest start boundary
    pin: list[int]  # PLAIN, FIXED or DONE
    lag_days: list[int]  # per slow link, at the early dates
    fixed: dict[int, tuple[int, int]] = field(default_factory=dict)
    actual: dict[int, tuple[int | None, int]] = field(default_factory=dict)  # start?, finish
    due: dict[int, int] = field(default_factory=dict)  # deadline boundary
    unmet: list[tuple[int, int, int]] = field(default_factory=list)  # fixed task, link, days

    @property
    def refs(self) -> list[str]:
        return self.graph.refs

    @property
    def tasks(self) -> list[Task]:
        return self.graph.tasks

    def named(self, i: int) -> str:
        """Task ``i`` for a message: ref, name, file:line."""
        return _named(self.plan, self.graph.refs[i], self.graph.tasks[i])


def compile_net(plan: Plan, days: Days, actuals: Mapping[str, Actual]) -> Net:
    """The lists of one schedule; PlanError for what cannot be scheduled."""
    graph = _graph(plan)
    n = len(graph.refs)
    wiring = graph.wiring
    net = Net(plan, days, graph, wiring, graph.length[:], graph.floor[:], [PLAIN] * n, [])
    for i in graph.dated:
        _date_task(net, i)
    started = [
        i for ref, actual in sorted(actuals.items()) if (i := _apply_actual(net, ref, actual)) >= 0
    ]
    if started:
        placed = {i for i in started if net.actual[i][0] is not None}
        net.wiring = _rewire(graph, [net.length[i] for i in started], started, placed)
    net.lag_days = net.wiring.lag_days[:]
    return net


def _date_task(net: Net, i: int) -> None:
    """Read a task's start (not earlier than), fixed dates and deadline on the calendar."""
    task, days = net.graph.tasks[i], net.days
    if task.start is not None:
        s = days.on_or_after(task.start.start)
        net.floor[i] = s + (net.length[i] == 0)  # a milestone happens at the end of a day
        if task.finish is not None:
            net.fixed[i] = (s, max(s, days.on_or_before(task.finish.end) + 1))
            net.length[i] = net.fixed[i][1] - s
            net.pin[i] = FIXED
    if task.due is not None:
        net.due[i] = days.on_or_before(task.due.end) + 1


def _apply_actual(net: Net, ref: str, actual: Actual) -> int:
    """Record what happened to a task; its index when it started or finished, else -1."""
    i = net.graph.index.get(ref)
    if i is None:
        raise PlanError(_("The task '{ref}' of an actual does not exist.").format(ref=ref))
    if actual.start is None and actual.finish is None:
        return -1
    # What happened wins over what was fixed; a milestone that happened is done.
    net.fixed.pop(i, None)
    days, length = net.days, net.length[i]
    if length == 0:  # a milestone happens at the end of its day
        b = days.on_or_before(actual.finish or actual.start or days.origin) + 1
        net.actual[i] = (b, b)
    else:
        e = None if actual.finish is None else days.on_or_before(actual.finish) + 1
        if actual.start is None:
            net.actual[i] = (None, e or 0)
        else:
            s = days.on_or_after(actual.start)
            if e is None:  # started: the planned length runs from the actual start
                calendar = net.graph.durations.get(i)
                e = s + length if calendar is None else days.finish(s, calendar)
            net.actual[i] = (s, max(s, e))
    begin, end = net.actual[i]
    length = -1 if begin is None else end - begin
    net.length[i] = length
    net.pin[i] = DONE if actual.finish is not None or not length else PLAIN
    return i


def _rewire(
    graph: Graph, lengths: list[int], started: list[int], placed: Collection[int]
) -> Wiring:
    """The graph's wiring with the links into and out of ``started`` tasks wired again.

    Their lengths changed (to ``lengths``). A link into a task of ``placed`` (its actual start
    is known) binds nothing; a link into another started task (done, its start not reported)
    is read by the slow path, which knows actuals. Every other task keeps the length it was
    wired with (a fixed task's is the calendar's, -1), so that a link is wired the same way
    whatever the actuals of others.
    """
    base = graph.wiring
    length = graph.length[:]
    for i, known in zip(started, lengths, strict=True):
        length[i] = known
    sources = set(started)
    for j in started:
        sources.update(graph.preds[j])
    wiring = Wiring(
        base.out[:], base.special[:], [link for link in base.slow if link.pred not in sources]
    )
    _wire(graph, wiring, length, graph.inherent.union(started), sorted(sources), placed)
    return wiring
