"""Reminders: what is due soon or overdue, grouped by department with its contact.

Staff scripts ask one question every week: *what reviews and deadlines are due in the next
14 days, and what is overdue?* :func:`reminders` answers it from one
:class:`~aomori_roadmap.views.snapshot.Snapshot` (states, schedules and review cycles computed once)
and the review states of the store, without reading the clock or anything else:

========================  ============================================================
kind                      reported when
========================  ============================================================
``submission`` 提出        a cycle's submission is due within the window, or overdue
                          (until the cycle's progress snapshot is published), for each
                          covered initiative that has not submitted
``meeting`` 会議           the review meeting falls within the window, for each department
                          that still has a submission missing in that cycle
``deadline`` 期限          a task's own ``due`` date is within the window, or has passed
                          and the task is not done
``milestone`` ▲           a milestone's planned date is within the window
``finish`` 完了予定        a task's planned finish is within the window
``not_started`` 未着手     a task's planned start has passed and it has not started
``past_finish`` 未完了     a task's planned finish (a milestone's date) has passed and it
                          is not done
========================  ============================================================

Dates are those of the plan as it stands (the snapshot's planned schedule), the yardstick
the plan office holds departments to. Done and cancelled tasks are never reported. A task
gives at most one overdue and one upcoming reminder (a passed deadline takes precedence).
Groups follow the plan's order of departments; initiatives without a department form a last
group; a department without a contact address is reported and flagged (``no_contact``),
never dropped.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> plan = default_plan()
>>> groups = reminders(plan, take_snapshot(plan, as_of=date(2025, 10, 1)), {}, within="14d")
>>> first = groups[0]
>>> first.name, first.no_contact, [item.kind.value for item in first.upcoming][:3]
('商工労働部', True, ['submission', 'submission', 'milestone'])
>>> print(first.subject())
【DX推進プラン】商工労働部: 期限切れ9件・今後14日間4件（2025-10-01時点）
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aomori_roadmap.calendar import (
    Duration,
    Half,
    format_wareki,
    parse_duration,
    parse_period,
    weekday_name,
)
from aomori_roadmap.engine.status import Status
from aomori_roadmap.errors import PlanError, check_language
from aomori_roadmap.i18n import (
    NC_,
    _,
    ngettext,
    pgettext,
    using_language,
    using_language_or_default,
)
from aomori_roadmap.plan.model import Plan

if TYPE_CHECKING:
    from aomori_roadmap.views.snapshot import Snapshot

__all__ = [
    "DepartmentReminders",
    "Reminder",
    "ReminderKind",
    "reminders",
    "reminders_json",
    "reminders_markdown",
    "reminders_text",
    "window_end",
]

UNASSIGNED = None
"""The ``department`` of the group of initiatives that name no department."""


class ReminderKind(StrEnum):
    """What a reminder is about."""

    SUBMISSION = "submission"
    MEETING = "meeting"
    DEADLINE = "deadline"
    MILESTONE = "milestone"
    FINISH = "finish"
    NOT_STARTED = "not_started"
    PAST_FINISH = "past_finish"

    def label(self, lang: str = "ja") -> str:
        """The short tag shown before a reminder: ``提出``, ``会議``, ``▲`` …

        A language other than ``ja`` and ``en`` gives the Japanese tag.
        """
        with using_language_or_default(lang):
            return pgettext(*_KIND_LABELS[self])


_KIND_LABELS = {
    ReminderKind.SUBMISSION: NC_("reminder", "Submission"),
    ReminderKind.MEETING: NC_("reminder", "Meeting"),
    ReminderKind.DEADLINE: NC_("reminder", "Deadline"),
    ReminderKind.MILESTONE: NC_("reminder", "Milestone"),
    ReminderKind.FINISH: NC_("reminder", "Finish"),
    ReminderKind.NOT_STARTED: NC_("reminder", "Not started"),
    ReminderKind.PAST_FINISH: NC_("reminder", "Not finished"),
}


def _description(kind: ReminderKind) -> str:
    """What a reminder of ``kind`` says, in the language chosen now, to be formatted."""
    if kind is ReminderKind.SUBMISSION:
        return _("{cycle} review, self-assessment due: {initiative} — due {date} ({when})")
    if kind is ReminderKind.MEETING:
        return _("{cycle} review meeting — by {date} ({when}); submissions are missing")
    if kind is ReminderKind.DEADLINE:
        return _("{initiative} / {task}: deadline {date} ({when})")
    if kind is ReminderKind.MILESTONE:
        return _("{initiative} / milestone {task}: {date} ({when})")
    if kind is ReminderKind.FINISH:
        return _("{initiative} / {task}: planned finish {date} ({when})")
    if kind is ReminderKind.NOT_STARTED:
        return _("{initiative} / {task}: planned start {date} passed, not started ({when})")
    return _("{initiative} / {task}: planned finish {date} passed, not done ({when}, {status})")


_KIND_ORDER = {kind: n for n, kind in enumerate(ReminderKind)}


def _day(d: date) -> str:
    return _("{date} ({weekday})").format(date=d.isoformat(), weekday=weekday_name(d.weekday()))


def _when(days: int) -> str:
    if days == 0:
        return pgettext("reminder", "today")
    if days > 0:
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    return ngettext("{n} day overdue", "{n} days overdue", -days).format(n=-days)


@dataclass(frozen=True, slots=True)
class Reminder:
    """One thing due or overdue: its kind, date, what it concerns and its state.

    ``days`` counts calendar days from the as-of date to ``date`` (negative: overdue).
    ``ref`` is the task (``None`` for reviews and meetings); ``cycle`` the review cycle code.
    """

    kind: ReminderKind
    date: date
    days: int
    overdue: bool
    initiative: str | None
    initiative_name: str | None
    ref: str | None = None
    name: str = ""
    cycle: str | None = None
    status: str | None = None
    progress: int | None = None

    def describe(self, lang: str = "ja") -> str:
        """What the reminder is about, in Japanese or English, without its tag."""
        check_language(lang)
        status = Status(self.status or "planned")
        state = status.label(lang)
        if self.progress and status is not Status.PLANNED:
            state += f" {self.progress}%"
        cycle = ""
        if self.cycle is not None:
            half = parse_period(self.cycle)
            cycle = half.label(lang) if isinstance(half, Half) else self.cycle
        with using_language(lang):
            return _description(self.kind).format(
                cycle=cycle,
                initiative=self.initiative_name or self.initiative or "",
                task=self.name,
                date=_day(self.date),
                when=_when(self.days),
                status=state,
            )

    def text(self, lang: str = "ja") -> str:
        """The reminder as one line of text: its tag, then what it is about.

        >>> r = Reminder(ReminderKind.MILESTONE, date(2025, 10, 10), 9, False, "a", "取組A",
        ...     "a/go", "運用開始")
        >>> r.text()
        '【▲】取組A / ▲運用開始: 2025-10-10（金）（あと9日）'
        >>> Reminder(ReminderKind.SUBMISSION, date(2025, 10, 15), -2, True, "a", "取組A",
        ...     cycle="FY2025-H1").text("en")
        '[Submission] FY2025 H1 review, self-assessment due: 取組A — due 2025-10-15 (Wed) (2 days overdue)'
        """
        tag = self.kind.label(lang)
        line = self.describe(lang)
        with using_language(lang):
            return _("[{tag}] {text}").format(tag=tag, text=line)

    def to_json(self) -> dict[str, Any]:
        """The reminder as JSON-ready data, keys in a stable order."""
        return {
            "kind": self.kind.value,
            "date": self.date.isoformat(),
            "days": self.days,
            "overdue": self.overdue,
            "initiative": self.initiative,
            "initiative_name": self.initiative_name,
            "ref": self.ref,
            "name": self.name,
            "cycle": self.cycle,
            "status": self.status,
            "progress": self.progress,
        }


@dataclass(frozen=True, slots=True)
class DepartmentReminders:
    """The reminders of one department, for one message: overdue first, then by date.

    ``department`` is the department's id (``None``: initiatives that name no department);
    ``contact`` its address (``None``: not set — see :attr:`no_contact`).
    """

    department: str | None
    name: str
    contact: str | None
    as_of: date
    until: date
    items: tuple[Reminder, ...] = field(default=())

    @property
    def no_contact(self) -> bool:
        """True when the department has no contact address: the message cannot be sent."""
        return not self.contact

    @property
    def overdue(self) -> tuple[Reminder, ...]:
        """The overdue reminders, oldest first."""
        return tuple(item for item in self.items if item.overdue)

    @property
    def upcoming(self) -> tuple[Reminder, ...]:
        """The reminders due within the window, soonest first."""
        return tuple(item for item in self.items if not item.overdue)

    @property
    def window_days(self) -> int:
        """The length of the window in calendar days."""
        return (self.until - self.as_of).days

    def subject(self, lang: str = "ja") -> str:
        """The subject of this department's message."""
        check_language(lang)
        days = self.window_days
        with using_language(lang):
            subject = ngettext(
                "[DX plan] {name}: {overdue} overdue, {upcoming} in the next {days} day "
                "(as of {as_of})",
                "[DX plan] {name}: {overdue} overdue, {upcoming} in the next {days} days "
                "(as of {as_of})",
                days,
            )
        return subject.format(
            name=self.name,
            overdue=len(self.overdue),
            upcoming=len(self.upcoming),
            days=days,
            as_of=self.as_of.isoformat(),
        )

    def body(self, lang: str = "ja") -> str:
        """This department's message as plain text (one line per reminder)."""
        check_language(lang)
        with using_language(lang):
            lines = [_("To: {name}").format(name=self.name), _contact_line(self)]
            lines += ["", self._intro(), ""]
            for heading, items in ((_overdue, self.overdue), (_upcoming, self.upcoming)):
                if items:
                    lines.append(heading(len(items), self.window_days))
                    lines += [_("- {reminder}").format(reminder=item.text(lang)) for item in items]
                    lines.append("")
            lines.append(_("Sent by aomori-roadmap reminders."))
        return "\n".join(lines) + "\n"

    def _intro(self) -> str:
        days = self.window_days
        return ngettext(
            "Overdue items, and what is due in the next {days} day (until {until}), as of {date}.",
            "Overdue items, and what is due in the next {days} days (until {until}), as of {date}.",
            days,
        ).format(
            date=self.as_of.isoformat(),
            wareki=format_wareki(self.as_of),
            days=days,
            until=self.until.isoformat(),
        )

    def to_json(self) -> dict[str, Any]:
        """The group as JSON-ready data."""
        return {
            "department": self.department,
            "name": self.name,
            "contact": self.contact,
            "no_contact": self.no_contact,
            "overdue": len(self.overdue),
            "upcoming": len(self.upcoming),
            "items": [item.to_json() for item in self.items],
        }


def _contact_line(group: DepartmentReminders) -> str:
    """Where the group's message goes, in the language chosen now."""
    if group.no_contact:
        return _("Contact: not set (add a contact address to the department in the plan)")
    return _("Contact: {contact}").format(contact=group.contact)


def _overdue(n: int, days: int) -> str:
    """The heading of the overdue reminders, in the language chosen now."""
    return _("■ Overdue ({n})").format(n=n)


def _upcoming(n: int, days: int) -> str:
    """The heading of the reminders within the window, in the language chosen now."""
    return ngettext("■ Next {days} day ({n})", "■ Next {days} days ({n})", days).format(
        n=n, days=days
    )


# --- computing them ---------------------------------------------------------------------------


def window_end(snapshot: Snapshot, within: timedelta | int | str | Duration) -> date:
    """The last day of the window that starts on the snapshot's date (both inclusive).

    >>> from datetime import date
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> snap = take_snapshot(default_plan(), as_of=date(2025, 12, 26))
    >>> window_end(snap, "14d"), window_end(snap, "2bd")  # over the 12/29–1/3 closure
    (datetime.date(2026, 1, 9), datetime.date(2026, 1, 6))
    """
    as_of = snapshot.as_of
    if isinstance(within, str):
        within = parse_duration(within)
    if isinstance(within, Duration):
        if within.amount < 0:
            raise PlanError(
                _("The duration '{duration}' is negative. For example: 14d, 2w, 10bd").format(
                    duration=within
                )
            )
        return within.shift(as_of, snapshot.planned.calendar)
    if isinstance(within, timedelta):
        days = within.days
    elif isinstance(within, int) and not isinstance(within, bool):
        days = within
    else:
        raise PlanError(
            _("Cannot read the duration {duration}. For example: 14d, 2w, 10bd").format(
                duration=repr(within)
            )
        )
    if days < 0:
        raise PlanError(_("The duration of {n} days is negative. Give 0 or more.").format(n=days))
    return as_of + timedelta(days=days)


def _selected(plan: Plan, departments: Collection[str] | str | None) -> set[str | None] | None:
    if departments is None:
        return None
    wanted = [departments] if isinstance(departments, str) else list(departments)
    by_text: dict[str, str | None] = {}
    for d in plan.departments:
        by_text[d.id] = by_text[d.name] = d.id
    chosen: set[str | None] = set()
    for text in wanted:
        if text not in by_text:
            known = ", ".join(
                _("{department} ({name})").format(department=d.id, name=d.name)
                for d in plan.departments
            )
            raise PlanError(
                _("The department '{department}' is not in the plan. The plan has: {known}").format(
                    department=text, known=known or _("none")
                )
            )
        chosen.add(by_text[text])
    return chosen


def _task_items(
    plan: Plan, snapshot: Snapshot, as_of: date, until: date
) -> Iterable[tuple[str | None, Reminder]]:
    """The task reminders, with the initiative whose department receives each."""
    states = snapshot.states
    initiatives = {i.id: i for i in plan.initiatives}
    done = (Status.DONE, Status.CANCELLED)
    for ref, task in snapshot.planned.tasks.items():
        state = states.get(ref)
        status = Status.PLANNED if state is None else state.status
        if status in done:
            continue
        due, start, finish = task.due, task.early_start, task.early_finish
        found: list[tuple[ReminderKind, date]] = []
        if due is not None and due < as_of:
            found.append((ReminderKind.DEADLINE, due))
        elif finish < as_of:
            found.append((ReminderKind.PAST_FINISH, finish))
        else:
            if not task.milestone and start < as_of and (state is None or state.started is None):
                found.append((ReminderKind.NOT_STARTED, start))
            if due is not None and due <= until:
                found.append((ReminderKind.DEADLINE, due))
            elif finish <= until:
                found.append(
                    (ReminderKind.MILESTONE if task.milestone else ReminderKind.FINISH, finish)
                )
        if not found:
            continue
        initiative = initiatives[task.initiative]
        name = plan.task(ref).name
        progress = None if state is None else state.progress
        for kind, when in found:
            days = (when - as_of).days
            yield task.initiative, Reminder(
                kind, when, days, days < 0, initiative.id, initiative.name, ref, name,
                status=status.value, progress=progress,
            )  # fmt: skip


def _review_items(
    plan: Plan,
    snapshot: Snapshot,
    review_states: Mapping[tuple[str, str], str],
    as_of: date,
    until: date,
) -> Iterable[tuple[str | None, Reminder]]:
    """The submission and meeting reminders, with the initiative (or department) each is for."""
    initiatives = {i.id: i for i in plan.initiatives}
    for cycle in snapshot.cycles:
        if cycle.snapshot > until:
            break  # cycles are in order: the rest lie beyond the window
        if as_of > cycle.publication:
            continue  # the cycle is closed: its progress snapshot is published
        missing = [
            i
            for i in cycle.initiatives
            if review_states.get((cycle.code, i), "not_submitted") == "not_submitted"
        ]
        due = cycle.submission_due
        if due <= until:
            days = (due - as_of).days
            for initiative_id in missing:
                initiative = initiatives[initiative_id]
                yield initiative_id, Reminder(
                    ReminderKind.SUBMISSION, due, days, days < 0, initiative.id, initiative.name,
                    name=cycle.code, cycle=cycle.code,
                )  # fmt: skip
        meeting = cycle.meeting_by
        if as_of <= meeting <= until:
            days = (meeting - as_of).days
            seen: set[str | None] = set()
            for initiative_id in missing:
                department = initiatives[initiative_id].department
                if department in seen:
                    continue
                seen.add(department)
                yield initiative_id, Reminder(
                    ReminderKind.MEETING, meeting, days, False, None, None,
                    name=cycle.code, cycle=cycle.code,
                )  # fmt: skip


def _sort_key(item: Reminder) -> tuple[Any, ...]:
    return (
        not item.overdue,
        item.date,
        _KIND_ORDER[item.kind],
        item.initiative or "",
        item.ref or "",
        item.cycle or "",
    )


def reminders(
    plan: Plan,
    snapshot: Snapshot,
    review_states: Mapping[tuple[str, str], str] | None = None,
    *,
    as_of: date | None = None,
    within: timedelta | int | str | Duration = 14,
    departments: Collection[str] | str | None = None,
    lang: str = "ja",
) -> list[DepartmentReminders]:
    """What is due within ``within`` of ``as_of``, or overdue, grouped by department.

    Args:
        plan: the plan (departments, initiatives, task names).
        snapshot: the plan as of the date (:func:`~aomori_roadmap.views.snapshot.take_snapshot`):
            its states, planned schedule and review cycles are used as they are.
        review_states: ``(cycle code, initiative) → not_submitted | submitted | reviewed``
            (``ReviewLog.stages()``); a missing pair is ``not_submitted``.
        as_of: the date of the reminders; the snapshot's date (the default) or equal to it.
        within: the window ahead: days (``14``), a ``timedelta``, or a duration such as
            ``"14d"``, ``"2w"`` or ``"10bd"`` (working days).
        departments: only these departments (ids or names).
        lang: the language of the group names (``ja`` or ``en``).

    Raises:
        PlanError: a negative window, an unknown department, or ``as_of`` other than the
            snapshot's date.
    """
    check_language(lang)
    if as_of is None:
        as_of = snapshot.as_of
    elif as_of != snapshot.as_of:
        raise PlanError(
            _(
                "The date {as_of} is not the date of the snapshot, {snapshot}. "
                "Pass a snapshot of the same day."
            ).format(as_of=as_of, snapshot=snapshot.as_of)
        )
    until = window_end(snapshot, within)
    chosen = _selected(plan, departments)
    owner = {i.id: i.department for i in plan.initiatives}
    grouped: dict[str | None, list[Reminder]] = {}
    items = [
        *_review_items(plan, snapshot, review_states or {}, as_of, until),
        *_task_items(plan, snapshot, as_of, until),
    ]
    for initiative_id, item in items:
        department = owner.get(initiative_id) if initiative_id is not None else None
        if chosen is not None and department not in chosen:
            continue
        grouped.setdefault(department, []).append(item)
    groups = []
    known = {d.id: d for d in plan.departments}
    for department_id in [*(d.id for d in plan.departments), UNASSIGNED]:
        found = grouped.get(department_id)
        if not found:
            continue
        info = known.get(department_id) if department_id is not None else None
        if info is not None:
            name = info.name
        else:
            with using_language(lang):
                name = _("No department")
        contact = info.contact if info is not None else None
        groups.append(
            DepartmentReminders(
                department_id, name, contact, as_of, until, tuple(sorted(found, key=_sort_key))
            )
        )
    return groups


# --- rendering --------------------------------------------------------------------------------


def _nothing(lang: str, as_of: date | None, until: date | None) -> str:
    check_language(lang)
    with using_language(lang):
        if as_of is None or until is None:
            return _("Nothing is overdue or due.") + "\n"
        days = (until - as_of).days
        return (
            ngettext(
                "Nothing is overdue, and nothing is due in the next {days} day (until {until}).",
                "Nothing is overdue, and nothing is due in the next {days} days (until {until}).",
                days,
            ).format(days=days, until=until.isoformat())
            + "\n"
        )


def reminders_text(
    groups: Iterable[DepartmentReminders],
    *,
    lang: str = "ja",
    as_of: date | None = None,
    until: date | None = None,
) -> str:
    """Every department's message as text, one after the other (subject line first).

    ``as_of`` and ``until`` (the window) word the message when there is nothing to remind.

    >>> print(reminders_text([], as_of=date(2025, 10, 1), until=date(2025, 10, 15)), end="")
    期限切れの事項も、今後14日間（2025-10-15まで）の予定もありません。
    """
    found = list(groups)
    if not found:
        return _nothing(lang, as_of, until)
    rule = "─" * 60
    parts = [f"{rule}\n{group.subject(lang)}\n{rule}\n{group.body(lang)}" for group in found]
    return "\n".join(parts)


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def _md(text: str) -> str:
    """Plan text made safe inside Markdown: one line, special characters escaped."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def reminders_markdown(
    groups: Iterable[DepartmentReminders],
    *,
    lang: str = "ja",
    as_of: date | None = None,
    until: date | None = None,
) -> str:
    """The reminders as Markdown: a section per department, a list item per reminder."""
    found = list(groups)
    check_language(lang)
    if not found:
        return _nothing(lang, as_of, until)
    first = found[0]
    with using_language(lang):
        days = first.window_days
        title = ngettext(
            "Reminders (as of {date}, next {days} day)",
            "Reminders (as of {date}, next {days} days)",
            days,
        ).format(date=first.as_of.isoformat(), days=days)
        lines = [f"# {title}", ""]
        for group in found:
            lines += [f"## {_md(group.name)}", ""]
            lines += [f"{_md(_contact_line(group))}", ""]
            for heading, items in ((_overdue, group.overdue), (_upcoming, group.upcoming)):
                if items:
                    title = heading(len(items), group.window_days).lstrip("■ ")
                    lines += [f"### {title}", ""]
                    lines += [
                        f"- **{_md(item.kind.label(lang))}** {_md(item.describe(lang))}"
                        for item in items
                    ]
                    lines.append("")
    return "\n".join(lines)


def reminders_json(
    groups: Iterable[DepartmentReminders],
    *,
    as_of: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    """The reminders as JSON-ready data: the window, then one entry per department.

    >>> reminders_json([], as_of=date(2025, 10, 1), until=date(2025, 10, 15))
    {'as_of': '2025-10-01', 'until': '2025-10-15', 'departments': []}
    """
    found = list(groups)
    if found:
        as_of, until = found[0].as_of, found[0].until
    return {
        "as_of": None if as_of is None else as_of.isoformat(),
        "until": None if until is None else until.isoformat(),
        "departments": [group.to_json() for group in found],
    }
