"""The events of the calendar feeds: what each feed holds, as data, and how it changed.

:func:`feed_events` turns a plan, its schedule and its review cycles into :class:`FeedEvent`
records (one all-day event each, with its summary, dates, department and link), filtered by
department, initiative, field or priority; :func:`track_changes` gives each event its SEQUENCE
and LAST-MODIFIED from the events at earlier points of the plan's history, and keeps cancelled
events for a while. The bytes subscribers read are made from these records by
:mod:`aomori_roadmap.export.ical`.

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> events = feed_events(plan, schedule(plan), feed="milestones", department="kikikanri")
>>> all(e.start < e.end for e in events)
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Unpack
from urllib.parse import quote, urlsplit

from aomori_roadmap.calendar import Half
from aomori_roadmap.engine.reviews import ReviewCycle, review_cycles
from aomori_roadmap.engine.schedule import Schedule
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import (
    N_,
    _,
    pgettext,
    using_language_or_default,
)
from aomori_roadmap.plan.model import Initiative, Plan

__all__ = [
    "DEFAULT_RETENTION",
    "FEEDS",
    "FeedEvent",
    "FeedFilters",
    "FeedName",
    "clean_text",
    "feed_events",
    "feed_name",
    "safe_uid",
    "safe_url",
    "track_changes",
]

from aomori_roadmap.formats import FEEDS, FeedFilters, FeedName, check_feed

DEFAULT_RETENTION = timedelta(days=90)

# The words of each review step and each feed's title, translated where they are used.
_STEP_LABELS = {
    "snapshot": N_("progress snapshot"),
    "submission": N_("self-assessment due"),
    "meeting": N_("review meeting (by)"),
    "publication": N_("progress publication"),
    "annual_report": N_("annual report to the DX headquarters due"),
}
_FEED_TITLES = {
    "reviews": N_("review cycles"),
    "milestones": N_("milestones"),
    "deadlines": N_("deadlines"),
    "tasks": N_("tasks"),
    "all": N_("reviews and milestones"),
}

# Control characters other than TAB and LF are not allowed in iCalendar text; CR goes too, so
# that a CR LF from a Windows editor ends up as one line break.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_UID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One all-day event of a feed. ``end`` is exclusive, as iCalendar's DTEND is."""

    uid: str
    summary: str
    start: date
    end: date
    description: str = ""
    categories: tuple[str, ...] = ()
    url: str | None = None
    department: str | None = None
    initiative: str | None = None
    cancelled: bool = False
    sequence: int = 0
    last_modified: datetime | None = None

    def fingerprint(self) -> tuple[object, ...]:
        """What a subscriber sees of the event; a change here raises SEQUENCE."""
        return (self.summary, self.start, self.end, self.description, self.url, self.cancelled)


# --- text ---------------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Normalise user text for a calendar: NFC, line breaks as LF, no control characters.

    >>> clean_text("a\\r\\nb\\x00c\\u2028d")
    'a\\nbcd'
    """
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def safe_uid(*parts: str) -> str:
    """A UID from ``parts``: only ASCII letters, digits, ``.``, ``_`` and ``-``.

    Plan ids and refs are already such slugs; anything else is replaced, so no text can break
    out of the UID line.

    >>> safe_uid("milestone", "a/b\\r\\nX-EVIL:1")
    'milestone-a.b-X-EVIL.1'
    """
    return "-".join(_UID_UNSAFE.sub(".", clean_text(p).replace("\n", "-")) for p in parts)


def safe_url(value: str) -> str | None:
    """An http(s) URL made safe for a URI value, or ``None`` when it is not one.

    >>> safe_url("https://example.jp/取組 1"), safe_url("javascript:alert(1)")
    ('https://example.jp/%E5%8F%96%E7%B5%84%201', None)
    """
    text = clean_text(value).replace("\n", "")
    if urlsplit(text).scheme not in ("http", "https"):
        return None
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~-._")


# --- events -------------------------------------------------------------------------------------


def _annual_period(half: Half, lang: str) -> str:
    """The fiscal year an annual report belongs to, as a feed heading names it: ``FY2025``,
    and in Japanese by its era alone (``令和7年度``)."""
    fiscal_year = half.fiscal_year
    with using_language_or_default(lang):
        return pgettext("annual report heading", "FY{year}").format(
            year=fiscal_year.year, wareki=fiscal_year.wareki_label()
        )


def _department_of(plan: Plan, initiative: Initiative) -> str:
    if initiative.department is None:
        return ""
    names = {d.id: d.name for d in plan.departments}
    return names.get(initiative.department, initiative.department)


def _keep(plan: Plan, initiative: Initiative, filters: FeedFilters) -> bool:
    department, initiative_id = filters.get("department"), filters.get("initiative")
    field, priority = filters.get("field"), filters.get("priority")
    if department is not None and initiative.department != department:
        return False
    if initiative_id is not None and initiative.id != initiative_id:
        return False
    if field is not None:
        fields = {i.id: i.field for i in plan.items}
        if fields.get(initiative.item or "") != field:
            return False
    if priority is not None:
        names = {p.id: p.name for p in plan.priorities}
        tags = set(initiative.priority) | {names.get(t, t) for t in initiative.priority}
        if priority not in tags and names.get(priority, priority) not in tags:
            return False
    return True


def _link(base_url: str | None, initiative: str) -> str | None:
    if not base_url:
        return None
    return safe_url(f"{base_url.rstrip('/')}/initiatives/{initiative}")


def _review_events(
    plan: Plan,
    cycles: Sequence[ReviewCycle],
    kept: Mapping[str, Initiative],
    filtered: bool,
    lang: str,
    base_url: str | None,
) -> Iterator[FeedEvent]:
    for cycle in cycles:
        covered = [kept[i] for i in cycle.initiatives if i in kept]
        if filtered and not covered:
            continue
        with using_language_or_default(lang):
            line = _("- {initiative} ({department})")
        listing = "\n".join(
            line.format(initiative=i.name, department=_department_of(plan, i)) for i in covered
        )
        for kind, day in cycle.deadlines():
            annual = kind == "annual_report"
            period = _annual_period(cycle.half, lang) if annual else cycle.label(lang)
            with using_language_or_default(lang):
                title = _(_STEP_LABELS[kind])
                heading = _("[{period}] {title}").format(period=period, title=title)
                intro = _("Initiatives in this cycle:")
                category = pgettext("calendar category", "review")
            yield FeedEvent(
                uid=safe_uid("review", cycle.code, kind) + f"@{safe_uid(plan.id)}",
                summary=heading,
                start=day,
                end=day + timedelta(days=1),
                description=f"{plan.name}\n{intro}\n{listing}" if covered else plan.name,
                categories=(category,),
                url=_link(base_url, covered[0].id) if len(covered) == 1 else None,
            )


def _task_events(
    plan: Plan,
    computed: Schedule,
    kept: Mapping[str, Initiative],
    feed: str,
    lang: str,
    states: Mapping[str, str],
    base_url: str | None,
) -> Iterator[FeedEvent]:
    with using_language_or_default(lang):
        words = {
            "department": pgettext("calendar feed", "Department: {department}"),
            "task": _("[{period}] {title}"),
            "milestone": _("[{period}] ▲ {title}"),
            "due": _("[{period}] due: {title}"),
            "task category": pgettext("calendar category", "task"),
            "milestone category": pgettext("calendar category", "milestone"),
            "due category": pgettext("calendar category", "deadline"),
        }
    for initiative in kept.values():
        department = _department_of(plan, initiative)
        context = f"{initiative.name}\n" + words["department"].format(department=department)
        for task in initiative.tasks:
            ref = f"{initiative.id}/{task.id}"
            done = computed.tasks.get(ref)
            if done is None:
                continue
            cancelled = states.get(ref) == "cancelled"
            common = {
                "description": context,
                "department": initiative.department,
                "initiative": initiative.id,
                "url": _link(base_url, initiative.id),
                "cancelled": cancelled,
            }
            # What the feed shows of the task: (kind, the day naming its half, first, last day).
            shown: list[tuple[str, date, date, date]] = []
            if feed == "tasks":
                shown.append(("task", done.early_start, done.early_start, done.early_finish))
            else:
                if task.milestone and feed in ("milestones", "deadlines"):
                    day = done.early_finish
                    shown.append(("milestone", done.early_start, day, day))
                deadline = done.due
                if deadline is None and feed == "deadlines" and task.finish is not None:
                    deadline = done.early_finish  # a fixed finish is a date to meet
                if deadline is not None:
                    shown.append(("due", deadline, deadline, deadline))
            for kind, named_by, first, last in shown:
                yield FeedEvent(
                    uid=safe_uid(kind, ref) + f"@{safe_uid(plan.id)}",
                    summary=words[kind].format(
                        period=Half.of(named_by).label(lang), title=task.name
                    ),
                    start=first,
                    end=last + timedelta(days=1),
                    categories=(words[f"{kind} category"],),
                    **common,  # type: ignore[arg-type]
                )


def feed_events(
    plan: Plan,
    computed: Schedule,
    *,
    feed: str = "reviews",
    cycles: Sequence[ReviewCycle] | None = None,
    states: Mapping[str, str] | None = None,
    base_url: str | None = None,
    lang: str = "ja",
    **filters: Unpack[FeedFilters],
) -> list[FeedEvent]:
    """The events of one feed, filtered, in date order (without change tracking).

    ``states`` maps task refs to their status (a ``cancelled`` task's events are cancelled).

    Raises:
        PlanError: an unknown feed name, or a filter naming nothing in the plan.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> events = feed_events(plan, schedule(plan), feed="milestones", department="kikikanri")
    >>> events[0].summary
    '【令和7年度下期】▲ 運用開始'
    """
    check_feed(feed)
    _check_filters(plan, filters)
    kept = {i.id: i for i in plan.initiatives if _keep(plan, i, filters)}
    filtered = any(v is not None for v in filters.values())
    wanted = ("reviews", "milestones") if feed == "all" else (feed,)
    events: dict[str, FeedEvent] = {}
    for name in wanted:
        if name == "reviews" or name == "deadlines":
            found = review_cycles(plan, computed) if cycles is None else cycles
            for event in _review_events(plan, found, kept, filtered, lang, base_url):
                if name == "reviews" or "-submission@" in event.uid or "annual_report" in event.uid:
                    events.setdefault(event.uid, event)
        if name != "reviews":
            for event in _task_events(plan, computed, kept, name, lang, states or {}, base_url):
                events.setdefault(event.uid, event)
    return sorted(events.values(), key=lambda e: (e.start, e.uid))


def _check_filters(plan: Plan, filters: FeedFilters) -> None:
    unknown = sorted(set(filters) - FeedFilters.__optional_keys__)
    if unknown:  # a caller's mistake, as an unknown keyword argument would be
        raise TypeError(f"feed_events() got unexpected filters: {', '.join(unknown)}")
    for value, known, kind in (
        (
            filters.get("department"),
            [d.id for d in plan.departments],
            pgettext("filter", "Department"),
        ),
        (
            filters.get("initiative"),
            [i.id for i in plan.initiatives],
            pgettext("filter", "Initiative"),
        ),
        (filters.get("field"), [f.id for f in plan.fields], pgettext("filter", "Field")),
    ):
        if value is not None and value not in known:
            raise PlanError(
                _("{kind} '{value}' is not in the plan.").format(kind=kind, value=value)
            )


def feed_name(plan: Plan, feed: str, *, department: str | None = None, lang: str = "ja") -> str:
    """The calendar's display name, e.g. ``青森県DX推進プラン 見直し日程（危機管理局）``.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> feed_name(default_plan(), "reviews", department="kikikanri")
    '青森県DX推進プラン 見直し日程（危機管理局）'
    """
    title = feed
    if feed in _FEED_TITLES:
        with using_language_or_default(lang):
            title = _(_FEED_TITLES[feed])
    name = f"{plan.name} {title}"
    if department is not None:
        names = {d.id: d.name for d in plan.departments}
        with using_language_or_default(lang):
            name += _(" ({department})").format(department=names.get(department, department))
    return name


# --- change tracking ----------------------------------------------------------------------------


def track_changes(
    versions: Sequence[tuple[datetime, Sequence[FeedEvent]]],
    *,
    retention: timedelta = DEFAULT_RETENTION,
) -> list[FeedEvent]:
    """The latest events with SEQUENCE and LAST-MODIFIED from their history across versions.

    ``versions`` are the feed's events as of each stored plan revision, oldest first, with the
    revision's time. An event's SEQUENCE counts the versions in which what subscribers see of
    it changed; LAST-MODIFIED is the time of the last such change. An event that disappeared
    (its task was removed) stays as cancelled for ``retention`` after it went, so that
    subscribed calendars drop it; so does an event whose task was cancelled.

    >>> from datetime import date, datetime, UTC
    >>> a = FeedEvent("m@p", "▲", date(2025, 3, 3), date(2025, 3, 4))
    >>> moved = replace(a, start=date(2025, 4, 1), end=date(2025, 4, 2))
    >>> t1, t2 = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    >>> [(e.sequence, e.last_modified.month) for e in track_changes([(t1, [a]), (t2, [moved])])]
    [(1, 2)]
    """
    if not versions:
        return []
    history: dict[str, tuple[FeedEvent, int, datetime]] = {}
    gone: dict[str, datetime] = {}
    for when, events in versions:
        present = set()
        for event in events:
            present.add(event.uid)
            seen = history.get(event.uid)
            if seen is None:
                history[event.uid] = (event, 0, when)
            elif seen[0].fingerprint() != event.fingerprint() or event.uid in gone:
                history[event.uid] = (event, seen[1] + 1, when)
            else:
                history[event.uid] = (event, seen[1], seen[2])
            gone.pop(event.uid, None)
        for uid, (event, sequence, _changed) in list(history.items()):
            if uid not in present and uid not in gone:
                gone[uid] = when
                history[uid] = (replace(event, cancelled=True), sequence + 1, when)
    latest = versions[-1][0]
    result = []
    for uid, (event, sequence, changed) in history.items():
        went = gone.get(uid, changed if event.cancelled else None)
        if went is not None and latest - went > retention:
            continue
        result.append(replace(event, sequence=sequence, last_modified=changed))
    return sorted(result, key=lambda e: (e.start, e.uid))
