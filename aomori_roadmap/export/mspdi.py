"""MS Project XML (MSPDI): the Gantt JSON as a project that MS Project and MPXJ open.

The project has one base calendar, the prefectural office's: Monday to Friday, 09:00–17:00
(one 480-minute block, MS Project's default day, so that "1 day" is one working day), with
every national holiday, 振替休日, 国民の休日, the year-end closure 12/29–1/3 and the plan's
閉庁日 as non-working exceptions, and the plan's extra 開庁日 as working ones, over the fiscal
years of the chart. Holidays that rest on a predicted equinox say ``（予測）`` in their name.

Fields, items and initiatives are summary tasks (outline levels 1–3) and tasks are level 4,
in the JSON's depth-first order. A task starts at 09:00 on its first day and finishes at 17:00
on its last; a milestone (any zero-length task, as MS Project has it) is at 17:00 on its day,
when it is reached. Progress is ``PercentComplete``, with the actual and remaining durations
split accordingly. Each task is pinned with
"start no earlier than" its date, so that MS Project, rescheduling on open, keeps our dates.
Links are ``PredecessorLink`` elements with MSPDI's type codes (0 FF, 1 FS, 2 SF, 3 SS) and
``LinkLag`` in tenths of a minute (4800 per working day), shown in days (``LagFormat`` 7).
The fiscal year starts in April (``FYStartDate`` 4), named by its starting year.

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.export.gantt import gantt_data
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> computed = schedule(plan)
>>> xml = mspdi_xml(gantt_data(plan, computed, initiative="bousai-dx-alerts"), computed.calendar)
>>> xml.splitlines()[1]
'<Project xmlns="http://schemas.microsoft.com/project">'
>>> "<PredecessorLink><PredecessorUID>5</PredecessorUID><Type>1</Type>" in xml
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.export.adapters import one_line
from aomori_roadmap.i18n import _
from aomori_roadmap.views.gantt import GanttData, Link, Row, TaskRow

__all__ = ["DAY_FINISH", "DAY_START", "MSPDI_LINK_TYPES", "TENTHS_PER_DAY", "mspdi_xml"]

DAY_START = "09:00:00"
"""When a working day starts in the MSPDI calendar."""

DAY_FINISH = "17:00:00"
"""When a working day ends: 8 hours, 480 minutes."""

TENTHS_PER_DAY = 480 * 10
"""A working day in MSPDI duration units (tenths of a minute)."""

MSPDI_LINK_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
"""MSPDI's ``PredecessorLink/Type`` codes."""

_NAMESPACE = "http://schemas.microsoft.com/project"
_LAG_IN_DAYS = 7  # LagFormat and DurationFormat: days
_SNET = 4  # ConstraintType: start no earlier than
_FIXED_DURATION = 1  # Task/Type
_WORKING_DAYS = (2, 3, 4, 5, 6)  # DayType: 1 Sunday … 7 Saturday


def _text(value: str) -> str:
    """Element text: one line, XML 1.0 characters only, ``& < >`` escaped."""
    return one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _duration(minutes: int) -> str:
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def _exceptions(
    calendar: WorkCalendar, first: date, last: date
) -> Iterator[tuple[date, date, str, bool]]:
    """Runs of days whose working status differs from the week's: (from, to, name, working).

    The names are in the language chosen now, as the calendar gives them
    (:meth:`WorkCalendar.holiday_name_here`).
    """
    predicted = set(calendar.predicted_holidays(first, last))
    days: list[tuple[date, str, bool]] = []
    day = first
    while day <= last:
        working = calendar.is_working_day(day)
        if working != (day.weekday() < 5):
            name = calendar.holiday_name_here(day)
            if name is None:
                name = _("Open day") if working else _("Closed day")
            if day in predicted:
                name = _("{name} (predicted)").format(name=name)
            days.append((day, name, working))
        day += timedelta(days=1)
    k = 0
    while k < len(days):
        start, name, working = days[k]
        end = start
        while k + 1 < len(days) and days[k + 1][1:] == (name, working):
            if days[k + 1][0] != end + timedelta(days=1):
                break
            k += 1
            end = days[k][0]
        yield start, end, name, working
        k += 1


def _calendar_xml(calendar: WorkCalendar, name: str, first: date, last: date) -> list[str]:
    hours = (
        "<WorkingTimes><WorkingTime>"
        f"<FromTime>{DAY_START}</FromTime><ToTime>{DAY_FINISH}</ToTime>"
        "</WorkingTime></WorkingTimes>"
    )
    out = [
        "  <Calendars>",
        "    <Calendar>",
        "      <UID>1</UID>",
        f"      <Name>{_text(name)}</Name>",
        "      <IsBaseCalendar>1</IsBaseCalendar>",
        "      <BaseCalendarUID>-1</BaseCalendarUID>",
        "      <WeekDays>",
    ]
    for day_type in range(1, 8):
        if day_type in _WORKING_DAYS:
            out.append(
                f"        <WeekDay><DayType>{day_type}</DayType><DayWorking>1</DayWorking>"
                f"{hours}</WeekDay>"
            )
        else:
            out.append(
                f"        <WeekDay><DayType>{day_type}</DayType><DayWorking>0</DayWorking></WeekDay>"
            )
    out += ["      </WeekDays>", "      <Exceptions>"]
    for start, end, label, working in _exceptions(calendar, first, last):
        out.append(
            "        <Exception><EnteredByOccurrences>0</EnteredByOccurrences>"
            f"<TimePeriod><FromDate>{start}T00:00:00</FromDate>"
            f"<ToDate>{end}T23:59:00</ToDate></TimePeriod>"
            f"<Occurrences>1</Occurrences><Name>{_text(label)}</Name><Type>1</Type>"
            f"<DayWorking>{int(working)}</DayWorking>{hours if working else ''}</Exception>"
        )
    out += ["      </Exceptions>", "    </Calendar>", "  </Calendars>"]
    return out


def _outline_numbers(rows: Sequence[Row]) -> list[str]:
    """``1``, ``1.1``, ``1.1.1`` … of each row, from its level in depth-first order."""
    counters: list[int] = []
    numbers = []
    for row in rows:
        level = row.level
        del counters[level + 1 :]
        if len(counters) <= level:
            counters += [0] * (level + 1 - len(counters))
        counters[level] += 1
        numbers.append(".".join(str(n) for n in counters[: level + 1]))
    return numbers


def mspdi_xml(data: GanttData, calendar: WorkCalendar) -> str:
    """MS Project XML of Gantt data, with ``calendar``'s holidays as calendar exceptions.

    Args:
        data: the Gantt view (:func:`~aomori_roadmap.views.gantt.gantt_data`).
        calendar: the plan's working calendar (``Schedule.calendar``).

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> computed = schedule(plan)
    >>> xml = mspdi_xml(gantt_data(plan, computed), computed.calendar)
    >>> "<Name>振替休日</Name>" in xml, xml.count("<OutlineLevel>4</OutlineLevel>")
    (True, 38)
    """
    rows = data.rows
    scale = data.scale
    uid = {row.id: n for n, row in enumerate(rows, start=1)}
    into: dict[str, list[Link]] = {}
    for link in data.links:
        if link.from_ in uid and link.to in uid:
            into.setdefault(link.to, []).append(link)
    first = min((row.start for row in rows if row.start is not None), default=scale.start)
    last = max((row.finish for row in rows if row.finish is not None), default=scale.finish)
    name = data.plan.name
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<Project xmlns="{_NAMESPACE}">',
        "  <SaveVersion>14</SaveVersion>",
        f"  <Name>{_text(data.plan.id)}.xml</Name>",
        f"  <Title>{_text(name)}</Title>",
        "  <ScheduleFromStart>1</ScheduleFromStart>",
        f"  <StartDate>{first}T{DAY_START}</StartDate>",
        f"  <FinishDate>{last}T{DAY_FINISH}</FinishDate>",
        "  <FYStartDate>4</FYStartDate>",
        "  <CriticalSlackLimit>0</CriticalSlackLimit>",
        "  <CalendarUID>1</CalendarUID>",
        f"  <DefaultStartTime>{DAY_START}</DefaultStartTime>",
        f"  <DefaultFinishTime>{DAY_FINISH}</DefaultFinishTime>",
        "  <MinutesPerDay>480</MinutesPerDay>",
        "  <MinutesPerWeek>2400</MinutesPerWeek>",
        "  <DaysPerMonth>20</DaysPerMonth>",
        f"  <DefaultTaskType>{_FIXED_DURATION}</DefaultTaskType>",
        f"  <DurationFormat>{_LAG_IN_DAYS}</DurationFormat>",
        "  <FiscalYearStart>1</FiscalYearStart>",
        "  <WeekStartDay>1</WeekStartDay>",
    ]
    calendar_name = _("Working days ({name})").format(name=name)
    out += _calendar_xml(calendar, calendar_name, scale.start, scale.finish)
    out.append("  <Tasks>")
    for row, number in zip(rows, _outline_numbers(rows), strict=True):
        out += _task_xml(row, uid[row.id], number, into.get(row.id, ()), uid, calendar)
    out += ["  </Tasks>", "</Project>"]
    return "\n".join(out) + "\n"


def _task_xml(
    row: Row,
    n: int,
    number: str,
    links: Iterable[Link],
    uid: Mapping[str, int],
    calendar: WorkCalendar,
) -> list[str]:
    task = row if isinstance(row, TaskRow) else None
    summary = task is None
    parts = [
        f"<UID>{n}</UID><ID>{n}</ID><Name>{_text(row.name)}</Name>",
        f"<Type>{_FIXED_DURATION}</Type><IsNull>0</IsNull>",
        f"<WBS>{number}</WBS><OutlineNumber>{number}</OutlineNumber>",
        f"<OutlineLevel>{row.level + 1}</OutlineLevel>",
    ]
    start, finish = row.start, row.finish
    days = 0 if task is None else task.duration_days
    if task is None and start is not None and finish is not None:
        days = calendar.working_days_in(start, finish)
    # A zero-length task is reached at the end of its day, like a milestone.
    begin = f"{start}T{DAY_START if days else DAY_FINISH}"
    if start is not None:
        parts.append(
            f"<Start>{begin}</Start><Finish>{finish}T{DAY_FINISH}</Finish>"
            f"<Duration>{_duration(days * 480)}</Duration><DurationFormat>{_LAG_IN_DAYS}</DurationFormat>"
        )
    # MS Project makes any zero-length task a milestone, reached at the end of its day.
    milestone = task is not None and days == 0
    parts.append(f"<Milestone>{int(milestone)}</Milestone><Summary>{int(summary)}</Summary>")
    if task is not None:
        done = days * 480 * task.progress // 100
        parts.append(
            f"<Critical>{int(task.critical)}</Critical>"
            f"<FreeSlack>{task.free_slack * TENTHS_PER_DAY}</FreeSlack>"
            f"<TotalSlack>{task.total_slack * TENTHS_PER_DAY}</TotalSlack>"
            f"<PercentComplete>{task.progress}</PercentComplete>"
            # MS Project's % complete is the share of the duration done.
            f"<ActualDuration>{_duration(done)}</ActualDuration>"
            f"<RemainingDuration>{_duration(days * 480 - done)}</RemainingDuration>"
            f"<ConstraintType>{_SNET}</ConstraintType><ConstraintDate>{begin}</ConstraintDate>"
        )
        if task.due is not None:
            parts.append(f"<Deadline>{task.due}T{DAY_FINISH}</Deadline>")
    for link in links:
        parts.append(
            f"<PredecessorLink><PredecessorUID>{uid[link.from_]}</PredecessorUID>"
            f"<Type>{MSPDI_LINK_TYPES[link.type]}</Type><CrossProject>0</CrossProject>"
            f"<LinkLag>{link.lag_days * TENTHS_PER_DAY}</LinkLag>"
            f"<LagFormat>{_LAG_IN_DAYS}</LagFormat></PredecessorLink>"
        )
    if task is not None and task.baseline_start is not None:
        base_begin = DAY_FINISH if milestone else DAY_START
        parts.append(
            f"<Baseline><Number>0</Number><Start>{task.baseline_start}T{base_begin}</Start>"
            f"<Finish>{task.baseline_finish}T{DAY_FINISH}</Finish></Baseline>"
        )
    return ["    <Task>", *("      " + part for part in parts), "    </Task>"]
