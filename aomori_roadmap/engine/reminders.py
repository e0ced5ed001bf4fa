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

from aomori_roadmap.calendar import Duration, Half, format_wareki, parse_duration, parse_period
from aomori_roadmap.engine.status import Status
from aomori_roadmap.errors import PlanError
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
        """The short tag shown before a reminder: ``提出``, ``会議``, ``▲`` …"""
        return _KIND_LABELS["en" if lang == "en" else "ja"][self]


_KIND_LABELS = {
    "ja": {
        ReminderKind.SUBMISSION: "提出",
        ReminderKind.MEETING: "会議",
        ReminderKind.DEADLINE: "期限",
        ReminderKind.MILESTONE: "▲",
        ReminderKind.FINISH: "完了予定",
        ReminderKind.NOT_STARTED: "未着手",
        ReminderKind.PAST_FINISH: "未完了",
    },
    "en": {
        ReminderKind.SUBMISSION: "Submission",
        ReminderKind.MEETING: "Meeting",
        ReminderKind.DEADLINE: "Deadline",
        ReminderKind.MILESTONE: "Milestone",
        ReminderKind.FINISH: "Finish",
        ReminderKind.NOT_STARTED: "Not started",
        ReminderKind.PAST_FINISH: "Not finished",
    },
}
_KIND_ORDER = {kind: n for n, kind in enumerate(ReminderKind)}
_WEEKDAYS = {"ja": "月火水木金土日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}

_WORDS = {
    "ja": {
        "unassigned": "担当課未設定",
        "subject": "【DX推進プラン】{name}: 期限切れ{overdue}件・今後{days}日間{upcoming}件（{as_of}時点）",
        "to": "{name} 御中",
        "contact": "宛先: {contact}",
        "no_contact": "宛先: 未設定（プランの departments の contact にメールアドレスを書いてください）",
        "intro": "{date}（{wareki}）時点の、期限切れの事項と今後{days}日間（{until}まで）の予定です。",
        "overdue": "■ 期限切れ（{n}件）",
        "upcoming": "■ 今後{days}日間（{n}件）",
        "none": "期限切れの事項も、今後{days}日間（{until}まで）の予定もありません。",
        "footer": "このお知らせは aomori-roadmap reminders が作成しました。",
        "today": "本日",
        "in": "あと{n}日",
        "ago": "{n}日超過",
        "submission": "{cycle}の見直し（自己評価）の提出: {initiative} — 締切 {date}（{when}）",
        "meeting": "{cycle}の見直し会議 — {date}まで（{when}）。未提出の取組があります",
        "deadline": "{initiative} / {task}: 期限 {date}（{when}）",
        "milestone": "{initiative} / ▲{task}: {date}（{when}）",
        "finish": "{initiative} / {task}: 完了予定 {date}（{when}）",
        "not_started": "{initiative} / {task}: 開始予定 {date} を過ぎても未着手（{when}）",
        "past_finish": "{initiative} / {task}: 完了予定 {date} を過ぎても未完了（{when}、{status}）",
        "title": "リマインダー（{date}時点、今後{days}日間）",
    },
    "en": {
        "unassigned": "No department",
        "subject": "[DX plan] {name}: {overdue} overdue, {upcoming} in the next {days} days "
        "(as of {as_of})",
        "to": "To: {name}",
        "contact": "Contact: {contact}",
        "no_contact": "Contact: not set (add a contact address to the department in the plan)",
        "intro": "Overdue items, and what is due in the next {days} days (until {until}), "
        "as of {date} ({wareki}).",
        "overdue": "■ Overdue ({n})",
        "upcoming": "■ Next {days} days ({n})",
        "none": "Nothing is overdue, and nothing is due in the next {days} days (until {until}).",
        "footer": "Sent by aomori-roadmap reminders.",
        "today": "today",
        "in": "in {n} days",
        "ago": "{n} days overdue",
        "submission": "{cycle} review, self-assessment due: {initiative} — due {date} ({when})",
        "meeting": "{cycle} review meeting — by {date} ({when}); submissions are missing",
        "deadline": "{initiative} / {task}: deadline {date} ({when})",
        "milestone": "{initiative} / milestone {task}: {date} ({when})",
        "finish": "{initiative} / {task}: planned finish {date} ({when})",
        "not_started": "{initiative} / {task}: planned start {date} passed, not started ({when})",
        "past_finish": "{initiative} / {task}: planned finish {date} passed, not done "
        "({when}, {status})",
        "title": "Reminders (as of {date}, next {days} days)",
    },
}


def _words(lang: str) -> dict[str, str]:
    if lang not in _WORDS:
        raise PlanError(f"ラベルの言語 {lang!r} は使えません。使える言語: ja, en")
    return _WORDS[lang]


def _day(d: date, lang: str) -> str:
    weekday = _WEEKDAYS[lang][d.weekday()]
    return f"{d.isoformat()}（{weekday}）" if lang == "ja" else f"{d.isoformat()} ({weekday})"


def _when(days: int, lang: str) -> str:
    w = _words(lang)
    if days == 0:
        return w["today"]
    return w["in"].format(n=days) if days > 0 else w["ago"].format(n=-days)


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
        w = _words(lang)
        status = Status(self.status or "planned")
        state = status.label(lang)
        if self.progress and status is not Status.PLANNED:
            state += f" {self.progress}%"
        cycle = ""
        if self.cycle is not None:
            half = parse_period(self.cycle)
            cycle = half.label(lang) if isinstance(half, Half) else self.cycle
        return w[self.kind.value].format(
            cycle=cycle,
            initiative=self.initiative_name or self.initiative or "",
            task=self.name,
            date=_day(self.date, lang),
            when=_when(self.days, lang),
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
        return f"【{tag}】{line}" if lang == "ja" else f"[{tag}] {line}"

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
        return _words(lang)["subject"].format(
            name=self.name,
            overdue=len(self.overdue),
            upcoming=len(self.upcoming),
            days=self.window_days,
            as_of=self.as_of.isoformat(),
        )

    def body(self, lang: str = "ja") -> str:
        """This department's message as plain text (one line per reminder)."""
        w = _words(lang)
        lines = [w["to"].format(name=self.name)]
        lines.append(
            w["no_contact"] if self.no_contact else w["contact"].format(contact=self.contact)
        )
        lines += ["", self._intro(lang), ""]
        for heading, items in (("overdue", self.overdue), ("upcoming", self.upcoming)):
            if items:
                lines.append(w[heading].format(n=len(items), days=self.window_days))
                lines += [f"・{item.text(lang)}" for item in items]
                lines.append("")
        lines.append(w["footer"])
        return "\n".join(lines) + "\n"

    def _intro(self, lang: str) -> str:
        return _words(lang)["intro"].format(
            date=self.as_of.isoformat(),
            wareki=format_wareki(self.as_of),
            days=self.window_days,
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
            raise PlanError(f"期間 '{within}' が負です。例: 14d, 2w, 10bd")
        return within.shift(as_of, snapshot.planned.calendar)
    if isinstance(within, timedelta):
        days = within.days
    elif isinstance(within, int) and not isinstance(within, bool):
        days = within
    else:
        raise PlanError(f"期間 {within!r} を読めません。例: 14d, 2w, 10bd")
    if days < 0:
        raise PlanError(f"期間 {days}日 が負です。0以上にしてください。")
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
            known = ", ".join(f"{d.id}（{d.name}）" for d in plan.departments) or "なし"
            raise PlanError(f"担当課 '{text}' はプランにありません。あるのは: {known}")
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
    _words(lang)
    if as_of is None:
        as_of = snapshot.as_of
    elif as_of != snapshot.as_of:
        raise PlanError(
            f"基準日 {as_of} がスナップショットの基準日 {snapshot.as_of} と違います。"
            "同じ日のスナップショットを渡してください。"
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
        name = info.name if info is not None else _words(lang)["unassigned"]
        contact = info.contact if info is not None else None
        groups.append(
            DepartmentReminders(
                department_id, name, contact, as_of, until, tuple(sorted(found, key=_sort_key))
            )
        )
    return groups


# --- rendering --------------------------------------------------------------------------------


def _nothing(lang: str, as_of: date | None, until: date | None) -> str:
    w = _words(lang)
    if as_of is None or until is None:
        return ("期限切れの事項も、期限の近い事項もありません。" if lang == "ja" else
                "Nothing is overdue or due.") + "\n"  # fmt: skip
    return w["none"].format(days=(until - as_of).days, until=until.isoformat()) + "\n"


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
    w = _words(lang)
    if not found:
        return _nothing(lang, as_of, until)
    first = found[0]
    lines = [f"# {w['title'].format(date=first.as_of.isoformat(), days=first.window_days)}", ""]
    for group in found:
        lines += [f"## {_md(group.name)}", ""]
        contact = (
            w["no_contact"] if group.no_contact else w["contact"].format(contact=group.contact)
        )
        lines += [f"{_md(contact)}", ""]
        for heading, items in (("overdue", group.overdue), ("upcoming", group.upcoming)):
            if items:
                title = w[heading].format(n=len(items), days=group.window_days).lstrip("■ ")
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
