"""What the plan's graph must satisfy for every schedule, export and feed to work.

The loader runs these on every plan it loads, so that a plan that passes validation also
schedules; the scheduler reports a cycle with the same code. Both checks are one pass over the
integer lists of :mod:`aomori_roadmap.engine.network`, no third-party graph library:

- :func:`cycles`: every group of tasks whose links go round in a circle (a strongly connected
  component), each shown as one cycle in link order;
- :func:`out_of_range`: an upper bound of every task's dates (every length and lag taken at its
  longest in calendar days) shows whether the schedule can leave the calendar's range
  (FY1868–FY9998); only when it might is the plan scheduled to find out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from aomori_roadmap.calendar import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Duration
from aomori_roadmap.errors import Problem
from aomori_roadmap.i18n import _

if TYPE_CHECKING:
    from aomori_roadmap.engine.network import Graph
    from aomori_roadmap.plan.model import Loc, Plan

__all__ = [
    "cycle_message",
    "cycle_problems",
    "cycles",
    "graph_problems",
    "out_of_range",
    "range_problems",
]

FIRST_DAY = date(MIN_FISCAL_YEAR, 4, 1)
LAST_DAY = date(MAX_FISCAL_YEAR + 1, 3, 31)
# Room kept inside the calendar's range, for the margins the scheduler looks past a date.
_ROOM = 400
# Calendar days at most in one unit of each duration; working days at most 2 per day plus a
# holiday run (Golden Week, the year-end closure) each.
_DAYS_PER_UNIT = {"d": 1, "w": 7, "mo": 31, "half": 184, "y": 366}
_PER_WORKING_DAY, _HOLIDAY_RUN = 2, 20


def _sorted_out(graph: Graph) -> list[int]:
    """The tasks in an order where each comes after its predecessors (Kahn), as far as the
    links allow: the tasks on or behind a cycle are left out."""
    waiting = graph.waiting[:]
    order = [i for i, w in enumerate(waiting) if not w]
    succ = graph.succ
    for p in order:  # the list grows while it is walked
        for link in succ[p]:
            j = link[0]
            w = waiting[j] - 1
            waiting[j] = w
            if not w:
                order.append(j)
    return order


def cycles(graph: Graph, order: list[int] | None = None) -> list[list[int]]:
    """Every circle of links, one per strongly connected group of tasks, in task order.

    Each circle is a list of task indexes ``[a, b, c]`` meaning ``b`` depends on ``a``, ``c``
    on ``b`` and ``a`` on ``c``; it starts at the group's first task in plan order and is a
    shortest way round through it. ``order`` is :func:`_sorted_out` of the graph, when the
    caller has it already.

    >>> from aomori_roadmap.engine.network import _graph
    >>> from aomori_roadmap.plan.model import Plan
    >>> plan = Plan.model_validate({"id": "p", "name": "P",
    ...     "period": {"start": 2024, "end": 2024}, "initiatives": [{"id": "a", "name": "A",
    ...     "tasks": [{"id": "x", "name": "X", "duration": 1, "after": "z"},
    ...               {"id": "y", "name": "Y", "duration": 1, "after": "x"},
    ...               {"id": "z", "name": "Z", "duration": 1, "after": "y"}]}]})
    >>> cycles(_graph(plan))
    [[0, 1, 2]]
    """
    n = len(graph.refs)
    placed = _sorted_out(graph) if order is None else order
    if len(placed) == n:
        return []
    left = [True] * n
    for i in placed:
        left[i] = False
    found = []
    for group in _components(graph, left):
        cycle = _shortest_cycle(graph, group)
        if cycle:
            found.append(cycle)
    found.sort()
    return found


def _components(graph: Graph, left: list[bool]) -> list[list[int]]:
    """The strongly connected components among the ``left`` tasks (Tarjan, without recursion:
    a chain of 100,000 tasks must not overflow the stack)."""
    succ = graph.succ
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    groups: list[list[int]] = []
    counter = 0
    for root in range(len(left)):
        if not left[root] or root in index:
            continue
        work = [(root, 0)]
        while work:
            v, k = work.pop()
            if k == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            links = succ[v]
            while k < len(links):
                w = links[k][0]
                k += 1
                if not left[w]:
                    continue
                if w not in index:
                    work.append((v, k))
                    work.append((w, 0))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    groups.append(sorted(group))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
    return groups


def _shortest_cycle(graph: Graph, group: Sequence[int]) -> list[int]:
    """A shortest circle through the group's first task, inside the group (empty if none)."""
    members = set(group)
    first = group[0]
    came_from: dict[int, int] = {}
    queue = deque([first])
    while queue:
        v = queue.popleft()
        for link in graph.succ[v]:
            w = link[0]
            if w == first:
                path = [v]
                while path[-1] != first:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if w in members and w not in came_from:
                came_from[w] = v
                queue.append(w)
    return []


def _task_place(plan: Plan, ref: str) -> str:
    return plan.where(plan.task_loc(ref))


def cycle_message(plan: Plan, graph: Graph, cycle: Sequence[int]) -> str:
    """The circle in words, every task with its name and ``file:line``, back to the first."""
    refs, tasks = graph.refs, graph.tasks
    steps = [f"{refs[i]} 「{tasks[i].name}」 ({_task_place(plan, refs[i])})" for i in cycle]
    steps.append(refs[cycle[0]])
    return _("the dependencies go round in a circle: {steps}").format(steps=" → ".join(steps))


def _link_loc(plan: Plan, graph: Graph, task: int, on: int) -> Loc:
    """The place of the link by which task ``task`` depends on task ``on``."""
    where = plan.task_loc(graph.refs[task])
    owner = graph.refs[task].split("/", 1)[0]
    target = graph.refs[on]
    subject = graph.tasks[task]
    for k, ref in enumerate(subject.after):
        if (ref if "/" in ref else f"{owner}/{ref}") == target:
            return (*where, "after", k)
    for k, link in enumerate(subject.depends):
        if (link.on if "/" in link.on else f"{owner}/{link.on}") == target:
            return (*where, "depends", k, "on")
    return where


def cycle_problems(
    plan: Plan, graph: Graph, order: list[int] | None = None, *, shortest: int = 1
) -> list[Problem]:
    """A problem for each circle of at least ``shortest`` tasks, placed at the link that
    closes it."""
    problems = []
    for cycle in cycles(graph, order):
        if len(cycle) < shortest:
            continue
        problems.append(
            Problem(
                cycle_message(plan, graph, cycle),
                hint=_("remove one of the links (after / depends)"),
                code="cycle",
                loc=_link_loc(plan, graph, cycle[0], cycle[-1]),
            )
        )
    return problems


def graph_problems(
    plan: Plan,
    graph: Graph,
    *,
    dates: bool = True,
    schedules: Callable[[Plan], bool] | None = None,
) -> list[Problem]:
    """Circles of two tasks or more (a task on itself is a problem of the task, found
    before), then, when there are none and ``dates``, dates beyond the calendar (see
    :func:`range_problems` for ``schedules``). The tasks are put in link order once, for
    both."""
    order = _sorted_out(graph)
    problems = cycle_problems(plan, graph, order, shortest=2)
    if problems or not dates:
        return problems
    return range_problems(plan, graph, order, schedules=schedules)


def _longest_days(duration: Duration) -> int:
    """The most calendar days a duration or lag can take, forwards; 0 for a lead."""
    if duration.amount <= 0:
        return 0
    if duration.unit == "bd":
        return duration.amount * _PER_WORKING_DAY + _HOLIDAY_RUN
    return duration.amount * _DAYS_PER_UNIT[duration.unit]


def out_of_range(plan: Plan, graph: Graph, order: list[int] | None = None) -> int | None:
    """The first task (in link order) whose dates might leave the calendar's range, or
    ``None`` when none can: every date of every schedule then lies well inside it.

    The bound takes every length and lag at its longest in calendar days, from the latest
    date any task is pinned to; backwards, from the earliest deadline, leads included.
    """
    order = _sorted_out(graph) if order is None else order
    n = len(order)
    tasks, succ = graph.tasks, graph.succ
    # A plan repeats a few durations and lags many times, as the same (cached) objects: the
    # days of each are looked up by identity, cheaper than hashing the value.
    forward: dict[int, int] = {}

    def ahead(d: Duration) -> int:
        found = forward.get(id(d))
        if found is None:
            found = forward[id(d)] = _longest_days(d)
        return found

    plan_start = plan.period.start.start.toordinal()
    plan_end = plan.period.end.end.toordinal()
    longest = [0] * n
    finish = [plan_start] * n
    for i in graph.dated:  # the others have a plain length in working days, or none
        task = tasks[i]
        pinned = plan_start if task.start is None else task.start.start.toordinal()
        if task.finish is not None:
            pinned = max(pinned, task.finish.end.toordinal())
        if task.due is not None:
            pinned = max(pinned, task.due.end.toordinal())
        finish[i] = max(plan_start, pinned)
        if task.duration is not None:
            longest[i] = ahead(task.duration)
    for i, length in enumerate(graph.length):
        if length > 0:
            longest[i] = length * _PER_WORKING_DAY + _HOLIDAY_RUN
    finish = [f + w for f, w in zip(finish, longest, strict=True)]
    get = forward.get
    for p in order:
        reach = finish[p]
        for j, _kind, lag, _rank in succ[p]:
            days = get(id(lag))
            bound = reach + (ahead(lag) if days is None else days) + longest[j]
            if bound > finish[j]:
                finish[j] = bound
    high = max(plan_end, max(finish, default=plan_end))
    # Backwards, a late start lies before a deadline by at most the links' own lengths and
    # lags (leads move it later), which the forward bound already counts from the plan's start.
    dues = [due.end.toordinal() for i in graph.dated if (due := tasks[i].due) is not None]
    starts = [s.start.toordinal() for i in graph.dated if (s := tasks[i].start) is not None]
    lowest = min(min([high, *dues]) - (high - plan_start), plan_start, *starts)
    first, last = FIRST_DAY.toordinal() + _ROOM, LAST_DAY.toordinal() - _ROOM
    if high <= last and lowest >= first:
        return None
    early = [high] * n  # how early each task's late start can be, to name the first too early
    for i in graph.dated:
        due = tasks[i].due
        if due is not None:
            early[i] = min(high, due.end.toordinal())
    for p in reversed(order):
        bound = early[p]
        for j, _kind, lag, _rank in succ[p]:
            bound = min(bound, early[j] - ahead(lag))
        early[p] = bound - longest[p]
    return next((i for i in order if finish[i] > last or early[i] < first), order[0])


def range_problems(
    plan: Plan,
    graph: Graph,
    order: list[int] | None = None,
    *,
    schedules: Callable[[Plan], bool] | None = None,
) -> list[Problem]:
    """A problem when the schedule of ``plan`` may leave the calendar's range.

    Cheap for every plan whose bound (:func:`out_of_range`) stays inside the range. For the
    others, ``schedules(plan)`` (the loader passes the scheduler) tells whether the schedule
    can in fact be computed; without it the bound alone decides.
    """
    suspect = out_of_range(plan, graph, order)
    if suspect is None or (schedules is not None and schedules(plan)):
        return []
    ref = graph.refs[suspect]
    return [
        Problem(
            _(
                "the dates of task {ref} 「{name}」 go beyond the range that can be computed "
                "({first} to {last})."
            ).format(ref=ref, name=graph.tasks[suspect].name, first=FIRST_DAY, last=LAST_DAY),
            hint=_("check the durations, lags and deadlines (due) leading to it"),
            code="out-of-range",
            loc=plan.task_loc(ref),
        )
    ]
