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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Unpack

from ics.grammar.parse import Container, ContentLine

from aomori_roadmap.calendar import FiscalYear
from aomori_roadmap.engine.reviews import ReviewCycle
from aomori_roadmap.engine.schedule import Schedule
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import Plan

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

# The feeds' names live in the registry, their events in the views (both re-exported here).
from aomori_roadmap.formats import FEEDS, FeedName
from aomori_roadmap.views.events import (
    DEFAULT_RETENTION,
    FeedEvent,
    FeedFilters,
    clean_text,
    feed_events,
    feed_name,
    track_changes,
)

PRODID = "-//aomori_roadmap//Aomori DX roadmap feeds//JA"
DEFAULT_REFRESH = timedelta(hours=12)


# --- text ---------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11) after :func:`clean_text`.

    >>> escape_text("a;b,c\\d\ne")
    'a\\;b\\,c\\\\d\\ne'
    """
    text = clean_text(value)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


# --- serialisation ------------------------------------------------------------------------------


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise PlanError(
            _("A date-time without a time zone cannot be written into a feed (pass it in UTC).")
        )
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds <= 0:
        raise PlanError(_("The refresh interval must be a positive length of time."))
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
        raise PlanError(_("The alarm must be 0 or more days before the event."))
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
    stamp: datetime | None = None,
    versions: Sequence[tuple[datetime, Sequence[FeedEvent]]] | None = None,
    cycles: Sequence[ReviewCycle] | None = None,
    states: Mapping[str, str] | None = None,
    alarm_days: int | None = None,
    base_url: str | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
    retention: timedelta = DEFAULT_RETENTION,
    lang: str = "ja",
    **filters: Unpack[FeedFilters],
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
        plan, computed, feed=feed, cycles=cycles, states=states, base_url=base_url, lang=lang,
        **filters,
    )  # fmt: skip
    default_stamp = datetime.combine(
        FiscalYear(plan.period.start.year).start, datetime.min.time(), UTC
    )
    when = stamp or default_stamp
    if versions:
        events = track_changes([*versions, (when, events)], retention=retention)
    return serialize_feed(
        events,
        name=feed_name(plan, feed, department=filters.get("department"), lang=lang),
        stamp=when,
        timezone=plan.timezone,
        refresh=refresh,
        alarm_days=alarm_days,
        description=plan.subtitle,
    )
