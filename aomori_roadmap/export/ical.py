"""Calendar feeds (RFC 5545) that subscribers can trust: the only module importing ``ics``.

Four feeds are built from the plan, its schedule and its review cycles:

- ``reviews``: per half-year cycle the snapshot, the submission deadline, the review meeting,
  the publication of the progress snapshot, and the annual report deadline;
- ``milestones``: roadmap milestones (▲) and task due dates;
- ``deadlines``: every date a department must meet (submissions, due dates, fixed finishes);
- ``tasks``: task bars as all-day spans (opt-in: they crowd a calendar);

and ``all``, the reviews and the milestones together.

Events are built on ``ics``'s content-line model (``ContentLine`` and ``Container``); our own
code guarantees what subscribers' clients need and ``ics``'s event API gets wrong: CRLF on
every line including the last, folding at 75 octets that never splits a UTF-8 character,
calendar properties before the first event, stable UIDs derived from the plan and the ref,
DTSTAMP on every event, ``VALUE=DATE`` all-day events with an exclusive DTEND on the right
Tokyo date, escaped text with control characters removed, and the same bytes for the same
inputs. Change tracking (SEQUENCE, LAST-MODIFIED, cancelled events kept for a while) comes
from :func:`track_changes` over the plan's stored revisions.

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> data = ical_feed(plan, schedule(plan), feed="reviews")
>>> data.startswith(b"BEGIN:VCALENDAR\\r\\n") and data.endswith(b"END:VCALENDAR\\r\\n")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlsplit

from ics.grammar.parse import Container, ContentLine

from aomori_roadmap.calendar import FiscalYear, Half
from aomori_roadmap.engine.reviews import ReviewCycle, review_cycles
from aomori_roadmap.engine.schedule import Schedule
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.model import Initiative, Plan

__all__ = [
    "FEEDS",
    "FeedEvent",
    "FeedName",
    "feed_events",
    "feed_name",
    "fold",
    "ical_feed",
    "serialize_feed",
    "track_changes",
]

# The feeds' names live in a light module, for the command line's help (re-exported here).
from aomori_roadmap.formats import FEEDS, FeedName, check_feed

PRODID = "-//aomori_roadmap//Aomori DX roadmap feeds//JA"
DEFAULT_REFRESH = timedelta(hours=12)
DEFAULT_RETENTION = timedelta(days=90)

_STEP_LABELS = {
    "snapshot": ("進捗の基準日", "progress snapshot"),
    "submission": ("自己評価の提出期限", "self-assessment due"),
    "meeting": ("見直し会議（期限）", "review meeting (by)"),
    "publication": ("進捗状況の公表", "progress publication"),
    "annual_report": ("推進本部への年次報告期限", "annual report to the DX headquarters due"),
}
_FEED_TITLES = {
    "reviews": ("見直し日程", "review cycles"),
    "milestones": ("マイルストーン", "milestones"),
    "deadlines": ("期限", "deadlines"),
    "tasks": ("工程", "tasks"),
    "all": ("見直し日程とマイルストーン", "reviews and milestones"),
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


def escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11) after :func:`clean_text`.

    >>> escape_text("a;b,c\\d\ne")
    'a\\;b\\,c\\\\d\\ne'
    """
    text = clean_text(value)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


def fold(line: str) -> bytes:
    """One content line as UTF-8 with CRLF, folded at 75 octets between characters.

    >>> fold("SUMMARY:" + "あ" * 30).split(b"\\r\\n")[1][:4]
    b' \\xe3\\x81\\x82'
    """
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    chunks: list[bytes] = []
    current = bytearray()
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            chunks.append(bytes(current))
            current = bytearray(b" ")  # the leading space counts towards the next 75
            limit = 75
        current += encoded
    chunks.append(bytes(current))
    return b"\r\n".join(chunks) + b"\r\n"


# --- events -------------------------------------------------------------------------------------


def _department_of(plan: Plan, initiative: Initiative) -> str:
    if initiative.department is None:
        return ""
    names = {d.id: d.name for d in plan.departments}
    return names.get(initiative.department, initiative.department)


def _keep(
    plan: Plan,
    initiative: Initiative,
    department: str | None,
    initiative_id: str | None,
    field: str | None,
    priority: str | None,
) -> bool:
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
    en = lang == "en"
    for cycle in cycles:
        covered = [kept[i] for i in cycle.initiatives if i in kept]
        if filtered and not covered:
            continue
        listing = "\n".join(f"・{i.name}（{_department_of(plan, i)}）" for i in covered)
        for kind, day in cycle.deadlines():
            if kind == "annual_report":
                period = (
                    cycle.half.fiscal_year.label(lang)
                    if en
                    else cycle.half.fiscal_year.wareki_label()
                )
            else:
                period = cycle.label(lang)
            words = _STEP_LABELS[kind][1 if en else 0]
            heading = f"[{period}] {words}" if en else f"【{period}】{words}"
            intro = "Initiatives in this cycle:" if en else "対象の取組:"
            yield FeedEvent(
                uid=safe_uid("review", cycle.code, kind) + f"@{safe_uid(plan.id)}",
                summary=heading,
                start=day,
                end=day + timedelta(days=1),
                description=f"{plan.name}\n{intro}\n{listing}" if covered else plan.name,
                categories=("見直し" if not en else "review",),
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
    en = lang == "en"
    for initiative in kept.values():
        department = _department_of(plan, initiative)
        context = f"{initiative.name}\n{'Department' if en else '担当'}: {department}"
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
            half = Half.of(done.early_start).label(lang)
            if feed == "tasks":
                yield FeedEvent(
                    uid=safe_uid("task", ref) + f"@{safe_uid(plan.id)}",
                    summary=f"【{half}】{task.name}" if not en else f"[{half}] {task.name}",
                    start=done.early_start,
                    end=done.early_finish + timedelta(days=1),
                    categories=("工程" if not en else "task",),
                    **common,  # type: ignore[arg-type]
                )
                continue
            if task.milestone and feed in ("milestones", "deadlines"):
                yield FeedEvent(
                    uid=safe_uid("milestone", ref) + f"@{safe_uid(plan.id)}",
                    summary=f"【{half}】▲ {task.name}" if not en else f"[{half}] ▲ {task.name}",
                    start=done.early_finish,
                    end=done.early_finish + timedelta(days=1),
                    categories=("マイルストーン" if not en else "milestone",),
                    **common,  # type: ignore[arg-type]
                )
            deadline = done.due
            if deadline is None and feed == "deadlines" and task.finish is not None:
                deadline = done.early_finish  # a fixed finish is a date to meet
            if deadline is not None:
                label = Half.of(deadline).label(lang)
                yield FeedEvent(
                    uid=safe_uid("due", ref) + f"@{safe_uid(plan.id)}",
                    summary=f"【{label}】期限: {task.name}"
                    if not en
                    else f"[{label}] due: {task.name}",
                    start=deadline,
                    end=deadline + timedelta(days=1),
                    categories=("期限" if not en else "deadline",),
                    **common,  # type: ignore[arg-type]
                )


def feed_events(
    plan: Plan,
    computed: Schedule,
    *,
    feed: str = "reviews",
    cycles: Sequence[ReviewCycle] | None = None,
    states: Mapping[str, str] | None = None,
    department: str | None = None,
    initiative: str | None = None,
    field: str | None = None,
    priority: str | None = None,
    base_url: str | None = None,
    lang: str = "ja",
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
    _check_filters(plan, department, initiative, field)
    kept = {
        i.id: i for i in plan.initiatives if _keep(plan, i, department, initiative, field, priority)
    }
    filtered = any(v is not None for v in (department, initiative, field, priority))
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


def _check_filters(
    plan: Plan, department: str | None, initiative: str | None, field: str | None
) -> None:
    for value, known, kind in (
        (department, [d.id for d in plan.departments], "担当課"),
        (initiative, [i.id for i in plan.initiatives], "取組"),
        (field, [f.id for f in plan.fields], "分野"),
    ):
        if value is not None and value not in known:
            raise PlanError(f"{kind} '{value}' はプランにありません。")


def feed_name(plan: Plan, feed: str, *, department: str | None = None, lang: str = "ja") -> str:
    """The calendar's display name, e.g. ``青森県DX推進プラン 見直し日程（危機管理局）``.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> feed_name(default_plan(), "reviews", department="kikikanri")
    '青森県DX推進プラン 見直し日程（危機管理局）'
    """
    title = _FEED_TITLES.get(feed, (feed, feed))[1 if lang == "en" else 0]
    name = f"{plan.name} {title}"
    if department is not None:
        names = {d.id: d.name for d in plan.departments}
        name += f"（{names.get(department, department)}）"
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
        for uid, (event, sequence, _) in list(history.items()):
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


# --- serialisation ------------------------------------------------------------------------------


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise PlanError("タイムゾーンのない日時はフィードに書けません（UTCで渡してください）。")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds <= 0:
        raise PlanError("更新間隔は正の長さにしてください。")
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return f"PT{hours}H{minutes}M" if minutes else f"PT{hours}H"


def _event_container(event: FeedEvent, stamp: datetime, alarm_days: int | None) -> Container:
    modified = event.last_modified or stamp
    lines = [
        ContentLine("UID", {}, event.uid),
        ContentLine("DTSTAMP", {}, _utc(modified)),
        ContentLine("DTSTART", {"VALUE": ["DATE"]}, event.start.strftime("%Y%m%d")),
        ContentLine("DTEND", {"VALUE": ["DATE"]}, event.end.strftime("%Y%m%d")),
        ContentLine("SUMMARY", {}, escape_text(event.summary)),
    ]
    if event.description:
        lines.append(ContentLine("DESCRIPTION", {}, escape_text(event.description)))
    if event.categories:
        lines.append(
            ContentLine("CATEGORIES", {}, ",".join(escape_text(c) for c in event.categories))
        )
    if event.url:
        lines.append(ContentLine("URL", {"VALUE": ["URI"]}, event.url))
    lines += [
        ContentLine("STATUS", {}, "CANCELLED" if event.cancelled else "CONFIRMED"),
        ContentLine("SEQUENCE", {}, str(event.sequence)),
        ContentLine("LAST-MODIFIED", {}, _utc(modified)),
        ContentLine("TRANSP", {}, "TRANSPARENT"),
    ]
    container = Container("VEVENT", *lines)
    if alarm_days is not None and not event.cancelled:
        container.append(
            Container(
                "VALARM",
                ContentLine("ACTION", {}, "DISPLAY"),
                ContentLine("DESCRIPTION", {}, escape_text(event.summary)),
                ContentLine("TRIGGER", {}, f"-P{alarm_days}D"),
            )
        )
    return container


def _emit(container: Container) -> Iterator[bytes]:
    yield fold(f"BEGIN:{container.name}")
    for item in container:
        if isinstance(item, Container):
            yield from _emit(item)
        else:
            yield fold(str(item))
    yield fold(f"END:{container.name}")


def serialize_feed(
    events: Iterable[FeedEvent],
    *,
    name: str,
    stamp: datetime,
    timezone: str = "Asia/Tokyo",
    refresh: timedelta = DEFAULT_REFRESH,
    alarm_days: int | None = None,
    description: str | None = None,
) -> bytes:
    """The feed as bytes: calendar properties first, then the events in date order.

    ``stamp`` is DTSTAMP/LAST-MODIFIED of events that carry no history; pass the time of the
    inputs (a stored revision), never "now", so that the same inputs give the same bytes.

    >>> from datetime import date, datetime, UTC
    >>> e = FeedEvent("x@p", "提出期限", date(2025, 4, 14), date(2025, 4, 15))
    >>> body = serialize_feed([e], name="テスト", stamp=datetime(2025, 1, 1, tzinfo=UTC))
    >>> b"DTSTART;VALUE=DATE:20250414\\r\\n" in body, b"DTEND;VALUE=DATE:20250415\\r\\n" in body
    (True, True)
    """
    if alarm_days is not None and alarm_days < 0:
        raise PlanError("通知は0日前以上にしてください。")
    _utc(stamp)  # refuse a naive stamp even when there is no event to stamp
    calendar = Container(
        "VCALENDAR",
        ContentLine("VERSION", {}, "2.0"),
        ContentLine("PRODID", {}, PRODID),
        ContentLine("CALSCALE", {}, "GREGORIAN"),
        ContentLine("METHOD", {}, "PUBLISH"),
        ContentLine("X-WR-CALNAME", {}, escape_text(name)),
        ContentLine("X-WR-TIMEZONE", {}, escape_text(timezone)),
        ContentLine("REFRESH-INTERVAL", {"VALUE": ["DURATION"]}, _duration(refresh)),
        ContentLine("X-PUBLISHED-TTL", {}, _duration(refresh)),
    )
    if description:
        calendar.append(ContentLine("X-WR-CALDESC", {}, escape_text(description)))
    for event in sorted(events, key=lambda e: (e.start, e.uid)):
        calendar.append(_event_container(event, stamp, alarm_days))
    return b"".join(_emit(calendar))


def ical_feed(
    plan: Plan,
    computed: Schedule,
    *,
    feed: str = "reviews",
    cycles: Sequence[ReviewCycle] | None = None,
    states: Mapping[str, str] | None = None,
    department: str | None = None,
    initiative: str | None = None,
    field: str | None = None,
    priority: str | None = None,
    base_url: str | None = None,
    alarm_days: int | None = None,
    stamp: datetime | None = None,
    versions: Sequence[tuple[datetime, Sequence[FeedEvent]]] | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
    retention: timedelta = DEFAULT_RETENTION,
    lang: str = "ja",
) -> bytes:
    """A whole feed of ``plan`` as iCalendar bytes.

    Without ``versions`` every event has SEQUENCE 0 and is stamped with ``stamp`` (default: the
    first day of the plan, so the bytes depend on the inputs only). With ``versions`` (the
    feed's events at each earlier revision, oldest first) the events carry their history.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> feed = ical_feed(plan, schedule(plan), feed="all", department="kikikanri")
    >>> feed.count(b"BEGIN:VEVENT") > 0
    True
    """
    events = feed_events(
        plan,
        computed,
        feed=feed,
        cycles=cycles,
        states=states,
        department=department,
        initiative=initiative,
        field=field,
        priority=priority,
        base_url=base_url,
        lang=lang,
    )
    default_stamp = datetime.combine(
        FiscalYear(plan.period.start.year).start, datetime.min.time(), UTC
    )
    when = stamp or default_stamp
    if versions:
        events = track_changes([*versions, (when, events)], retention=retention)
    return serialize_feed(
        events,
        name=feed_name(plan, feed, department=department, lang=lang),
        stamp=when,
        timezone=plan.timezone,
        refresh=refresh,
        alarm_days=alarm_days,
        description=plan.subtitle,
    )
