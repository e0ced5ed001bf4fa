"""Calendar feeds from the store, with change tracking, built once per change of their inputs.

Between the store and the server: :class:`FeedBuilder` builds a feed the way subscribers need
it, and :class:`FeedCache` keeps each feed until its inputs change.

**Change tracking.** A feed's history is read from the store at these points in time, oldest
first:

- each stored revision of the plan (same plan id), with the status as known when it was saved;
- each status change (a start or finish moves a task and those after it; a cancellation, or
  taking one back, cancels or restores its events) and each correction, with the revision in
  force at the time;
- now: the served plan with the latest status, at the time of the latest input.

:func:`~aomori_roadmap.views.events.track_changes` turns that history into SEQUENCE and
LAST-MODIFIED; an event whose task was cancelled, or that disappeared from the plan, stays as
``STATUS:CANCELLED`` for ``retention`` after the change, counted in input time (the latest
revision or status change), never in wall-clock time, so that the same inputs always give the
same bytes. Each past point is computed once (the store is append-only, so a point never
changes) and kept in memory.

**Caching.** A built feed is kept under its request (feed and filters) together with the
:class:`FeedInputs` it was built from: the plan's fingerprint, the latest revision id and the
latest status event id, read in one query. A request whose inputs have not changed gets the
same bytes, the same strong ETag (the quoted SHA-256 of the bytes) and the same Last-Modified
(the time of the latest input).

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.store import Store
>>> store = Store("sqlite://", plan=default_plan())
>>> cache = FeedCache(FeedBuilder(default_plan(), store))
>>> first = cache.get(FeedRequest("reviews", department="kikikanri"))
>>> first.body.startswith(b"BEGIN:VCALENDAR\\r\\n"), first.etag[0] == first.etag[-1] == '"'
(True, True)
>>> cache.get(FeedRequest("reviews", department="kikikanri")) is first, cache.builds
(True, 1)
>>> store.close()
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Generic, TypeVar
from urllib.parse import SplitResult, quote, urlsplit
from zoneinfo import ZoneInfo

from aomori_roadmap.calendar import FiscalYear
from aomori_roadmap.engine.reviews import ReviewCycle, ongoing_spans, review_cycles
from aomori_roadmap.engine.schedule import Schedule, plan_calendar, schedule
from aomori_roadmap.engine.status import StatusState, actuals_of
from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.export.ical import DEFAULT_REFRESH, serialize_feed
from aomori_roadmap.formats import FeedFilters, check_feed
from aomori_roadmap.i18n import LANGUAGES, _
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Revision, Store, plan_hash
from aomori_roadmap.store.history import latest_inputs, status_changes
from aomori_roadmap.views.events import (
    DEFAULT_RETENTION,
    FeedEvent,
    feed_events,
    feed_name,
    track_changes,
)

__all__ = [
    "BuiltFeed",
    "FeedBuilder",
    "FeedCache",
    "FeedInputs",
    "FeedRequest",
    "default_stamp",
    "etag_of",
    "feed_urls",
    "http_date",
    "not_modified",
    "today_in",
    "upload_url",
]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """One feed and its filters: what a token (or a public URL) is scoped to."""

    feed: str
    department: str | None = None
    initiative: str | None = None
    field: str | None = None
    priority: str | None = None

    @classmethod
    def of(cls, feed: str, filters: Mapping[str, str | None]) -> FeedRequest:
        """A request from a feed name and a mapping of filters (unknown keys are refused).

        >>> FeedRequest.of("reviews", {"department": "kikikanri"}).department
        'kikikanri'
        """
        unknown = set(filters) - {"department", "initiative", "field", "priority"}
        if unknown:
            raise PlanError(
                _("There is no filter {filters}.").format(filters=", ".join(sorted(unknown)))
            )
        return cls(feed, **filters)

    def filters(self) -> FeedFilters:
        """The filters as keyword arguments of :func:`~aomori_roadmap.export.ical.feed_events`."""
        return {
            "department": self.department,
            "initiative": self.initiative,
            "field": self.field,
            "priority": self.priority,
        }


@dataclass(frozen=True, slots=True)
class FeedInputs:
    """What a feed is built from; a feed is rebuilt only when this changes.

    ``changed`` is the time of the latest input (revision or status change) in the store,
    ``None`` when the store holds neither.
    """

    plan: str
    revision: int | None
    status_event: int | None
    changed: datetime | None


@dataclass(frozen=True, slots=True)
class BuiltFeed:
    """A feed's bytes with its HTTP validators."""

    request: FeedRequest
    inputs: FeedInputs
    body: bytes
    etag: str
    last_modified: datetime
    events: int

    @property
    def last_modified_http(self) -> str:
        """Last-Modified as an HTTP date."""
        return http_date(self.last_modified)


# --- HTTP helpers (no web framework here) ----------------------------------------------------


def etag_of(body: bytes) -> str:
    """A strong ETag: the quoted SHA-256 (hex) of the bytes.

    >>> etag_of(b"")
    '"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'
    """
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def http_date(moment: datetime) -> str:
    """An HTTP date (RFC 9110 IMF-fixdate) of a tz-aware time.

    >>> http_date(datetime(2025, 4, 1, 0, 30, 15, 900, tzinfo=UTC))
    'Tue, 01 Apr 2025 00:30:15 GMT'
    """
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def not_modified(
    etag: str, last_modified: datetime, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """Whether a GET with these conditional headers gets ``304 Not Modified`` (RFC 9110 §13).

    If-None-Match wins when present (weak comparison, ``*`` matches anything); otherwise an
    If-Modified-Since at or after Last-Modified (to the second) means unchanged. An
    unreadable date is ignored.

    >>> lm = datetime(2025, 4, 1, 9, 0, 0, 500000, tzinfo=UTC)
    >>> not_modified('"a"', lm, 'W/"a", "b"', None), not_modified('"a"', lm, '"b"', None)
    (True, False)
    >>> not_modified('"a"', lm, None, "Tue, 01 Apr 2025 09:00:00 GMT")
    True
    >>> not_modified('"a"', lm, None, "Tue, 01 Apr 2025 08:59:59 GMT")
    False
    >>> not_modified('"a"', lm, '"b"', "Tue, 01 Apr 2025 09:00:00 GMT")  # If-None-Match wins
    False
    """
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False  # not a valid HTTP date (those are always GMT)
    return last_modified.astimezone(UTC).replace(microsecond=0) <= since


def feed_urls(base_url: str, token: str, feed: str) -> tuple[str, str]:
    """The feed's URL and its ``webcal://`` twin (calendar apps open that one to subscribe).

    ``token`` is a token, or ``public`` for a public feed.

    >>> feed_urls("https://dx.example.jp/roadmap/", "abc", "reviews")
    ('https://dx.example.jp/roadmap/feeds/abc/reviews.ics', 'webcal://dx.example.jp/roadmap/feeds/abc/reviews.ics')
    >>> feed_urls("ftp://x", "abc", "reviews")
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.PlanError: 基点URL 'ftp://x' は https://HOST[/PATH] の形にしてください。
    """
    parts = _base(base_url)
    check_feed(feed)
    path = parts.path.rstrip("/") + f"/feeds/{quote(token, safe='')}/{feed}.ics"
    return f"{parts.scheme}://{parts.netloc}{path}", f"webcal://{parts.netloc}{path}"


def upload_url(base_url: str) -> str:
    """Where departments send their filled workbooks (``POST``, with their upload token).

    >>> upload_url("https://dx.example.jp/roadmap/")
    'https://dx.example.jp/roadmap/workbooks'
    """
    parts = _base(base_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/workbooks"


def _base(base_url: str) -> SplitResult:
    """``base_url`` taken apart, when it is ``http(s)://HOST[/PATH]``."""
    parts = urlsplit(base_url.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or any(ch.isspace() for ch in base_url.strip())
    ):
        raise PlanError(
            _("Write the base URL '{url}' as https://HOST[/PATH].").format(url=base_url)
        )
    return parts


# --- building -----------------------------------------------------------------------------------


class _Lru(Generic[K, V]):
    """A small least-recently-used map (not thread-safe: used under the builder's lock)."""

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return value


@dataclass(frozen=True, slots=True)
class _View:
    """A plan at one point in time: its schedule with actuals, cycles and task states."""

    plan: Plan
    current: Schedule
    cycles: list[ReviewCycle]
    states: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Point:
    """A point of a feed's history: when, and which plan and status were in force."""

    when: datetime
    order: tuple[int, int]  # revisions before status changes at the same time, then by id
    key: tuple[object, ...]
    revision: int | None  # the revision in force (None: the served plan)


def _view(plan: Plan, states: Mapping[str, StatusState]) -> _View:
    calendar = plan_calendar(plan)
    tasks = {ref for ref, _, _ in plan.iter_tasks()}
    actuals = actuals_of(states, ZoneInfo(plan.timezone), tasks)
    planned = schedule(plan, calendar=calendar)
    current = schedule(plan, actuals, calendar=calendar) if actuals else planned
    # The same coverage as every other view: active by the plan, or started and not done.
    cycles = review_cycles(plan, planned, calendar=calendar, ongoing=ongoing_spans(actuals))
    return _View(
        plan=plan,
        current=current,
        cycles=cycles,
        states={ref: state.status.value for ref, state in states.items()},
    )


def default_stamp(plan: Plan) -> datetime:
    """The time of a feed with no stored input: the first day of the plan, as ``ical_feed``.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> default_stamp(default_plan()).isoformat()
    '2024-04-01T00:00:00+00:00'
    """
    return datetime.combine(FiscalYear(plan.period.start.year).start, time(), UTC)


class FeedBuilder:
    """Builds the feeds of ``plan`` with their history from ``store`` (none without a store).

    Args:
        plan: the served plan (its current version).
        store: where revisions and status live; ``None``: the plan alone, no history.
        base_url: the link put in event descriptions (``None``: no link).
        lang: ``ja`` or ``en``.
        alarm_days: a VALARM this many days before each event (``None``: no alarm).
        refresh: the refresh hint (REFRESH-INTERVAL, X-PUBLISHED-TTL).
        retention: how long a cancelled or removed event stays in the feed as cancelled.
        loaded: when the served plan was loaded; used as Last-Modified when the plan is not
            a stored revision (so that a changed plan file is never answered with 304).
        cache_size: how many past points (and their events per request) are kept.
    """

    def __init__(
        self,
        plan: Plan,
        store: Store | None = None,
        *,
        base_url: str | None = None,
        lang: str = "ja",
        alarm_days: int | None = None,
        refresh: timedelta = DEFAULT_REFRESH,
        retention: timedelta = DEFAULT_RETENTION,
        loaded: datetime | None = None,
        cache_size: int = 512,
    ) -> None:
        if retention < timedelta(0):
            raise PlanError(
                _("The time cancelled events are kept (retention) must not be negative.")
            )
        if lang not in LANGUAGES:
            raise PlanError(
                _("The language is ja or en ('{lang}' cannot be used).").format(lang=lang)
            )
        self.plan = plan
        self.store = store
        self.base_url = base_url
        self.lang = lang
        self.alarm_days = alarm_days
        self.refresh = refresh
        self.retention = retention
        self.loaded = loaded
        self.fingerprint = plan_hash(plan)
        self._lock = threading.RLock()
        self._plans: _Lru[int, Plan] = _Lru(cache_size)
        self._views: _Lru[tuple[object, ...], _View] = _Lru(cache_size)
        self._events: _Lru[tuple[object, ...], list[FeedEvent]] = _Lru(cache_size * 4)
        self._now: tuple[FeedInputs, _View, dict[str, StatusState]] | None = None

    def inputs(self) -> FeedInputs:
        """The inputs as the store has them now: one query.

        Raises:
            StoreError: the database failed.
        """
        if self.store is None:
            return FeedInputs(self.fingerprint, None, None, None)
        event, event_time, revision, revision_time = latest_inputs(self.store.database)
        times = [t for t in (event_time, revision_time) if t is not None]
        return FeedInputs(self.fingerprint, revision, event, max(times) if times else None)

    def build(self, request: FeedRequest, inputs: FeedInputs | None = None) -> BuiltFeed:
        """Build ``request``'s feed now (no cache of the result; past points are cached).

        Raises:
            PlanError: an unknown feed, or a filter naming nothing in the served plan.
            ScheduleError: the served plan cannot be scheduled.
            StoreError: the database failed.
        """
        check_feed(request.feed)
        with self._lock:
            seen = inputs if inputs is not None else self.inputs()
            stamp = seen.changed or default_stamp(self.plan)
            now = self._current_view(seen)
            current = self._events_of(now, request, strict=True)
            revisions = self._revisions()
            stored = any(r.hash == self.fingerprint for r in revisions)
            versions = [
                (point.when, self._point_events(point, request, (now, current)))
                for point in self._points(revisions)
            ]
            # Without history every event comes back as it is, stamped with ``stamp``.
            events = track_changes([*versions, (stamp, current)], retention=self.retention)
            body = serialize_feed(
                events,
                name=feed_name(
                    self.plan, request.feed, department=request.department, lang=self.lang
                ),
                stamp=stamp,
                timezone=self.plan.timezone,
                refresh=self.refresh,
                alarm_days=self.alarm_days,
                description=self.plan.subtitle,
            )
        modified = stamp
        if not stored and self.loaded is not None and self.store is not None:
            modified = max(modified, self.loaded.astimezone(UTC))
        return BuiltFeed(
            request=request,
            inputs=seen,
            body=body,
            etag=etag_of(body),
            last_modified=modified.astimezone(UTC).replace(microsecond=0),
            events=len(events),
        )

    # --- history ----------------------------------------------------------------------------

    def _revisions(self) -> list[Revision]:
        if self.store is None:
            return []
        found = [r for r in self.store.revisions() if r.plan_id == self.plan.id]
        for revision in found:
            if revision.hash == self.fingerprint:  # the served plan itself: no need to parse it
                self._plans.put(revision.id, self.plan)
        return found

    def _status_changes(self) -> list[tuple[int, datetime]]:
        """Status events that may change what the feed shows: ``(id, recorded)``."""
        if self.store is None:
            return []
        return status_changes(self.store.database)

    def _points(self, revisions: Sequence[Revision]) -> list[_Point]:
        points = [_Point(r.recorded, (0, r.id), ("revision", r.id), r.id) for r in revisions]
        for ident, recorded in self._status_changes():
            before = [r for r in revisions if r.recorded <= recorded]
            in_force = before[-1] if before else (revisions[0] if revisions else None)
            revision = None if in_force is None else in_force.id
            points.append(_Point(recorded, (1, ident), ("status", ident, revision), revision))
        return sorted(points, key=lambda p: (p.when, p.order))

    def _plan_of(self, revision: int | None) -> Plan:
        if revision is None or self.store is None:
            return self.plan
        found = self._plans.get(revision)
        if found is None:
            found = self._plans.put(revision, self.store.revision(revision))
        return found

    def _point_view(self, point: _Point) -> _View | None:
        view = self._views.get(point.key)
        if view is not None:
            return view
        assert self.store is not None
        plan = self._plan_of(point.revision)
        states = self.store.status_as_of(None, known_at=point.when)
        if plan is self.plan and self._now is not None and self._now[2] == states:
            return self._views.put(point.key, self._now[1])  # the same as now: shared
        try:
            view = _view(plan, states)
        except RoadmapError:
            return None  # a stored revision that cannot be scheduled any more: no history
        return self._views.put(point.key, view)

    def _point_events(
        self, point: _Point, request: FeedRequest, now: tuple[_View, list[FeedEvent]]
    ) -> list[FeedEvent]:
        key = (*point.key, request)
        found = self._events.get(key)
        if found is not None:
            return found
        view = self._point_view(point)
        if view is None:
            events = []
        elif view is now[0]:
            events = now[1]  # the point looks exactly like now: the same events
        else:
            events = self._events_of(view, request, strict=False)
        return self._events.put(key, events)

    def _current_view(self, inputs: FeedInputs) -> _View:
        if self._now is not None and self._now[0] == inputs:
            return self._now[1]
        states = {} if self.store is None else self.store.status_as_of()
        view = _view(self.plan, states)
        self._now = (inputs, view, states)
        return view

    def _events_of(self, view: _View, request: FeedRequest, *, strict: bool) -> list[FeedEvent]:
        try:
            return feed_events(
                view.plan,
                view.current,
                feed=request.feed,
                cycles=view.cycles,
                states=view.states,
                base_url=self.base_url,
                lang=self.lang,
                **request.filters(),
            )
        except PlanError:
            if strict:
                raise
            return []  # an earlier revision without that department, initiative or field


class FeedCache:
    """Feeds kept until their inputs change: one build per change, however many requests.

    Thread-safe: concurrent requests for a feed whose inputs changed wait for one build.
    ``size`` bounds how many (feed, filters) requests are kept.
    """

    def __init__(self, builder: FeedBuilder, *, size: int = 256) -> None:
        self.builder = builder
        self.builds = 0
        self._size = max(1, size)
        self._entries: OrderedDict[FeedRequest, BuiltFeed] = OrderedDict()
        self._lock = threading.Lock()
        self._building = threading.Lock()

    def get(self, request: FeedRequest, *, inputs: FeedInputs | None = None) -> BuiltFeed:
        """The feed for ``request``, built only if its inputs changed since the last build.

        Raises:
            PlanError, ScheduleError, StoreError: as :meth:`FeedBuilder.build`.
        """
        seen = inputs if inputs is not None else self.builder.inputs()
        hit = self._lookup(request, seen)
        if hit is not None:
            return hit
        with self._building:
            hit = self._lookup(request, seen)
            if hit is not None:
                return hit
            built = self.builder.build(request, seen)
            with self._lock:
                self._entries[request] = built
                self._entries.move_to_end(request)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
                self.builds += 1
        return built

    def _lookup(self, request: FeedRequest, inputs: FeedInputs) -> BuiltFeed | None:
        with self._lock:
            hit = self._entries.get(request)
            if hit is None or hit.inputs != inputs:
                return None
            self._entries.move_to_end(request)
            return hit


def today_in(plan: Plan, clock: Callable[[], datetime] | None = None) -> date:
    """Today where the plan is (from ``clock``, default the real clock).

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> today_in(default_plan(), lambda: datetime(2025, 3, 31, 15, 30, tzinfo=UTC))
    datetime.date(2025, 4, 1)
    """
    now = clock() if clock is not None else datetime.now(UTC)
    return now.astimezone(ZoneInfo(plan.timezone)).date()
