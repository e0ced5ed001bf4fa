"""Export a plan to a TaskJuggler ``.tjp`` project and read its dates back, for comparisons.

TaskJuggler (``tj3``) is an independent scheduler; the test suite and the benchmarks run it on
the same project to check and time ``aomori_roadmap.engine.schedule``. The mapping:

- Working time is 9:00–17:00 Monday to Friday (``dailyworkinghours 8``, so ``1d`` is one
  working day); every weekday the office calendar closes (national holidays, the 12/29–1/3
  closure, closed days) becomes a global ``leaves holiday``.
- A task of ``n bd`` has ``length nd`` (working time); a milestone is a ``milestone``.
- FS and SS links are ``depends`` (``onstart`` for SS) with a ``gaplength`` for the lag.
  TaskJuggler's ``depends`` only moves a task's start, so an FF or SF link goes through two
  helper milestones: ``h`` at the predecessor's finish (or start) plus the lag, and ``k`` as
  late as possible a task-length before ``h`` (``precedes``); the task then depends on ``k``.
- The plan start, and a task's ``start``, are milestones the task depends on. A milestone
  depends on them with a one-day gap: our engine places it at the end of that working day.

Only what TaskJuggler can express is exported: working-day durations and lags of zero or
more; a plan with anything else raises ``ValueError``.

TaskJuggler's times are read back explicitly (``tj_dates``): a start at or after 17:00 means
the next working day, an end (exclusive) at 17:00 means that day, and a milestone happens at
the end of the day it shows, as in our engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from pathlib import Path

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.plan.model import Plan

__all__ = ["WORK_END", "plan_to_tjp", "read_report", "run_tj3", "tj_dates"]

WORK_START, WORK_END = dt.time(9, 0), dt.time(17, 0)
REPORT = "schedule"


def _quote(text: str) -> str:
    return '"' + re.sub(r'["\\]', "", text) + '"'


def _leaves(calendar: WorkCalendar, first: dt.date, last: dt.date) -> list[str]:
    """Closed weekdays as runs of global leaves; weekends are outside working hours already."""
    runs: list[tuple[dt.date, int]] = []
    day = first
    while day <= last:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            if runs and runs[-1][0] + dt.timedelta(days=runs[-1][1]) == day:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((day, 1))
        elif day.weekday() >= 5 and calendar.is_working_day(day):
            raise ValueError(f"an open weekend day cannot be exported: {day}")
        day += dt.timedelta(days=1)
    return [f'leaves holiday "closed" {start} +{days}d' for start, days in runs]


def plan_to_tjp(plan: Plan, calendar: WorkCalendar, *, years: int = 1) -> str:
    """The plan as a TaskJuggler project, task ``i`` (plan order) named ``t<i>``."""
    plan_start = plan.period.start.start
    first = plan_start - dt.timedelta(days=120)  # room for helpers placed before the start
    last = plan.period.end.end + dt.timedelta(days=365 * years)
    lines = [
        f"project aomori {_quote(plan.name)} {first} - {last} {{",
        '  timezone "Asia/Tokyo"',
        '  timeformat "%Y-%m-%d %H:%M"',
        "  timingresolution 60min",
        "  dailyworkinghours 8",
        "  workinghours mon - fri 9:00 - 17:00",
        "  workinghours sat, sun off",
        "}",
        *_leaves(calendar, first, last),
        f'task ps "plan start" {{ start {plan_start} milestone }}',
    ]
    ids = {ref: f"t{i}" for i, (ref, _, _) in enumerate(plan.iter_tasks())}
    points = {
        ids[ref]
        for ref, _, task in plan.iter_tasks()
        if task.milestone or (task.duration is not None and task.duration.amount == 0)
    }
    starts: dict[dt.date, str] = {}
    helpers = 0
    for ref, initiative, task in plan.iter_tasks():
        if task.finish is not None:  # a deadline (due) does not move dates: it is left out
            raise ValueError(f"{ref}: fixed tasks are not exported")
        duration = task.duration
        if duration is not None and (not duration.is_working_days or duration.amount < 0):
            raise ValueError(f"{ref}: only working-day durations are exported")
        length = 0 if duration is None else duration.amount
        point = length == 0
        body = ["milestone" if point else f"length {length}d"]
        floor = "ps"
        if task.start is not None:
            day = task.start.start
            if day not in starts:
                starts[day] = f"c{len(starts)}"
                lines.append(f'task {starts[day]} "start {day}" {{ start {day} milestone }}')
            floor = starts[day]
        # A milestone placed at a day happens at its end: one working day after 00:00.
        body.append(f"depends {floor}" + (" { gaplength 1d }" if point else ""))
        for dep in task.links:
            if not dep.lag.is_working_days or dep.lag.amount < 0:
                raise ValueError(f"{ref}: only working-day lags of zero or more are exported")
            pred = ids[plan.resolve(initiative, dep.on)]
            # A milestone starts where it ends; tj3 reports a false dependency loop for
            # ``onstart`` on a milestone reached by another path too, so it is left out.
            from_start = dep.type in ("SS", "SF") and pred not in points
            options = ["onstart"] if from_start else []
            if dep.lag.amount:
                options.append(f"gaplength {dep.lag.amount}d")
            target = pred + (" { " + " ".join(options) + " }" if options else "")
            if dep.type in ("FS", "SS"):
                body.append(f"depends {target}")
                continue
            # FF, SF: the finish must reach h; k is h less the task's length, as late as can be.
            h, k = f"h{helpers}", f"k{helpers}"
            helpers += 1
            gap = "" if point else f" {{ gaplength {length}d }}"
            lines.append(f'task {h} "" {{ depends {target} milestone }}')
            lines.append(f'task {k} "" {{ precedes {h}{gap} milestone }}')
            body.append(f"depends {k}")
        lines.append(f"task {ids[ref]} {_quote(task.name)} {{")
        lines += [f"  {line}" for line in body]
        lines.append("}")
    lines += [
        f'taskreport "{REPORT}" {{',
        "  formats csv",
        "  columns id, start, end",
        '  timeformat "%Y-%m-%d %H:%M"',
        "}",
    ]
    return "\n".join(lines) + "\n"


def read_report(path: Path) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Start and end time of each task id in a TaskJuggler CSV task report."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    found = {}
    for ident, start, end in rows[1:]:
        found[ident] = (
            dt.datetime.strptime(start, "%Y-%m-%d %H:%M"),
            dt.datetime.strptime(end, "%Y-%m-%d %H:%M"),
        )
    return found


def tj_dates(
    start: dt.datetime, end: dt.datetime, milestone: bool, calendar: WorkCalendar
) -> tuple[dt.date, dt.date]:
    """TaskJuggler's start and (exclusive) end times as our inclusive start and finish dates."""

    def finish_day(moment: dt.datetime) -> dt.date:
        # The last working day whose working hours are over at ``moment``.
        day = moment.date()
        if calendar.is_working_day(day) and moment.time() >= WORK_END:
            return day
        return calendar.previous_working_day(day - dt.timedelta(days=1))

    if milestone:  # it happens at the end of a working day, shown as that day
        return finish_day(end), finish_day(end)
    day = start.date()
    if not calendar.is_working_day(day) or start.time() >= WORK_END:
        day = calendar.next_working_day(day + dt.timedelta(days=1))
    return day, finish_day(end)


def run_tj3(plan: Plan, calendar: WorkCalendar, folder: Path) -> dict[str, tuple[dt.date, dt.date]]:
    """Schedule ``plan`` with tj3 in ``folder``; every task's dates by ref, our convention."""
    project = folder / "plan.tjp"
    project.write_text(plan_to_tjp(plan, calendar), encoding="utf-8")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    subprocess.run(
        ["tj3", "--silent", "--no-color", "--abort-on-warnings", str(project), "-o", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    times = read_report(out / f"{REPORT}.csv")
    dates = {}
    for i, (ref, _, task) in enumerate(plan.iter_tasks()):
        start, end = times[f"t{i}"]
        point = task.milestone or (task.duration is not None and task.duration.amount == 0)
        dates[ref] = tj_dates(start, end, point, calendar)
    return dates
