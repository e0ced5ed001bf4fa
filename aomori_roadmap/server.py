"""The HTTP server: calendar feeds, read-only JSON and the departments' workbook uploads (the
only module importing FastAPI/uvicorn).

Routes (see ``docs/feeds.md``):

- ``GET /feeds/{token}/{name}.ics`` — a private feed; the token must be active and scoped to
  ``name``, else 404 (the same answer for a bad, revoked or mismatched token);
- ``GET /feeds/public/{name}.ics`` — only for the feeds named in ``public_feeds``;
- ``GET /api/plan``, ``/api/schedule``, ``/api/gantt?format=json|frappe|dhtmlx|mermaid``,
  ``/api/reviews``, ``/api/status?as_of=YYYY-MM-DD`` — read-only JSON;
- ``POST /workbooks`` — a department's filled progress workbook (xlsx, or its task sheet as
  CSV), with that department's upload token as ``Authorization: Bearer``: 422 with every
  problem located, 409 on rows changed meanwhile, else 200 with the changes recorded
  (``?dry_run=true``: read only); 401, 413 and 415 for a bad token, size or type;
- ``GET /site/{token}/{path}`` — the progress site as of today, behind a read token of the
  scope ``site``; ``GET /site/{path}`` without one when the server was started with
  ``public_site`` (``serve --public site``); the same ETag/304 rules as the feeds;
- ``GET /healthz``; ``/openapi.json`` and ``/docs`` (FastAPI's).

Feeds are built once per change of their inputs (:class:`~aomori_roadmap.export.feeds.FeedCache`)
and answered with ``Content-Type: text/calendar; charset=utf-8``, a strong ETag,
Last-Modified, ``304 Not Modified`` on a matching If-None-Match or an unchanged
If-Modified-Since, ``Cache-Control: private``, ``Referrer-Policy: no-referrer`` and
``X-Robots-Tag: noindex``. Tokens never reach the logs: the access log's paths are redacted.

>>> import tempfile
>>> folder = tempfile.TemporaryDirectory()
>>> app = create_app(db_url=f"sqlite:///{folder.name}/roadmap.db", public_feeds=["reviews"])
>>> [route.path for route in app.routes if route.path.startswith("/feeds")]
['/feeds/public/{name}.ics', '/feeds/{token}/{name}.ics']
>>> app.state.store.close(); folder.cleanup()
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import BackgroundTasks, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aomori_roadmap.errors import PlanError, RoadmapError, StoreError
from aomori_roadmap.export.feeds import (
    BuiltFeed,
    FeedBuilder,
    FeedCache,
    FeedInputs,
    FeedRequest,
    feed_urls,
    not_modified,
    today_in,
)
from aomori_roadmap.export.ical import DEFAULT_REFRESH
from aomori_roadmap.export.render import render_gantt
from aomori_roadmap.formats import CSV_MEDIA_TYPE, FEEDS, GANTT, XLSX_MEDIA_TYPE, gantt_format
from aomori_roadmap.i18n import _, using_language
from aomori_roadmap.plan.loader import default_plan, load_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import DEFAULT_URL, Store
from aomori_roadmap.store.feed_tokens import SITE, FeedTokens
from aomori_roadmap.views.events import DEFAULT_RETENTION
from aomori_roadmap.views.snapshot import Snapshot, take_snapshot

__all__ = [
    "API_GANTT_FORMATS",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_UPLOAD",
    "RedactTokens",
    "create_app",
    "log_config",
    "redact",
    "run",
    "serve",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_UPLOAD = 20 * 1024 * 1024
"""The largest workbook the server takes (20 MiB), as the importer's own limit."""
API_GANTT_FORMATS = tuple(f.name for f in GANTT.values() if f.served)
"""The Gantt formats ``/api/gantt`` serves (the text ones; files come from the CLI)."""

_CALENDAR = "text/calendar; charset=utf-8"
_NOT_FOUND = b'{"detail":"Not Found"}'  # the body of FastAPI's own 404: nothing to tell apart
_FEED_HEADERS = {"Cache-Control": "private"}
_EVERY_RESPONSE = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-robots-tag", b"noindex"),
    (b"x-content-type-options", b"nosniff"),
)
log = logging.getLogger("aomori_roadmap.server")

# Parameter types of the JSON routes (at module level: FastAPI resolves annotations here).
AsOf = Annotated[date | None, Query(description="YYYY-MM-DD (default: today where the plan is)")]
Filter = Annotated[str | None, Query()]


# --- logs without tokens ------------------------------------------------------------------------

_TOKEN_PATH = re.compile(
    r"(/feeds/+)(?!public(?:/|$|\s))[^/\s?#\"']+"
    r"|(/site/+)(?!(?:index\.html|changes\.html|fields|items|initiatives|kpis|cycles|data|assets)"
    r"(?:/|$|\s|\?))[^/\s?#\"']+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with the token of every feed path replaced.

    >>> redact('GET /feeds/Zx9_secret-TOKEN/reviews.ics HTTP/1.1')
    'GET /feeds/[token]/reviews.ics HTTP/1.1'
    >>> redact("/feeds/public/reviews.ics")
    '/feeds/public/reviews.ics'
    >>> redact("GET /site/abcdefghijklmnopqrstuvwxyz/kpis/index.html"), redact("/site/kpis/a.html")
    ('GET /site/[token]/kpis/index.html', '/site/kpis/a.html')
    """
    return _TOKEN_PATH.sub(lambda m: f"{m.group(1) or m.group(2)}[token]", text)


class RedactTokens(logging.Filter):
    """A logging filter that removes feed tokens from messages, arguments and tracebacks.

    Attached to uvicorn's handlers by :func:`log_config`, so it sees the access log (whose
    arguments are ``(client, method, path, version, status)``) and the error log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration with :class:`RedactTokens` on every handler."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact_tokens": {"()": f"{__name__}.RedactTokens"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_tokens"]
    config["loggers"][__name__] = {"handlers": ["default"], "level": level.upper()}
    for name in ("uvicorn", "uvicorn.access"):
        config["loggers"][name]["level"] = level.upper()
    return config


# --- headers on every response ------------------------------------------------------------------


class _SecurityHeaders:
    """Adds Referrer-Policy, X-Robots-Tag and X-Content-Type-Options to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in _EVERY_RESPONSE if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- the application ----------------------------------------------------------------------------


def _load(plan_source: str | Path | Plan | None) -> Plan:
    if isinstance(plan_source, Plan):
        return plan_source
    return default_plan() if plan_source is None else load_plan(plan_source)


class _Snapshots:
    """Snapshots for the JSON routes, kept per (date, inputs) while the inputs stay the same."""

    def __init__(self, plan: Plan, store: Store, size: int = 16) -> None:
        self._plan, self._store, self._size = plan, store, size
        self._items: OrderedDict[tuple[date, FeedInputs], Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, as_of: date, inputs: FeedInputs) -> Snapshot:
        key = (as_of, inputs)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        snapshot = take_snapshot(self._plan, self._store, as_of=as_of)
        with self._lock:
            self._items[key] = snapshot
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return snapshot


_SITE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}


@dataclass(frozen=True, slots=True)
class _BuiltSite:
    """The site's files with their ETags and the time each last changed, and what they were
    made from."""

    key: tuple[object, ...]
    files: Mapping[str, bytes]
    etags: Mapping[str, str]
    last_modified: Mapping[str, datetime]


class _Sites:
    """The progress site as of today, made again only when the day or the store's inputs
    (status events, revisions, review records, KPI values) change."""

    def __init__(
        self, plan: Plan, store: Store, builder: FeedBuilder, lang: str, now: Callable[[], datetime]
    ) -> None:
        self._plan, self._store, self._builder, self._lang = plan, store, builder, lang
        self._now = now
        self._built: _BuiltSite | None = None
        self._lock = threading.Lock()

    def get(self, today: date) -> _BuiltSite:
        from aomori_roadmap.store.history import latest_records

        inputs = self._builder.inputs()
        key = (today, inputs, latest_records(self._store.database))
        with self._lock:  # one build at a time; the others wait for it
            if self._built is None or self._built.key != key:
                self._built = self._build(key, today, self._built)
            return self._built

    def _build(self, key: tuple[object, ...], today: date, before: _BuiltSite | None) -> _BuiltSite:
        """The site as of ``today``. A file keeps the Last-Modified of the ``before`` build
        when its bytes are the same; any other is stamped now: a page changes with a new day,
        a KPI value or a review record as well as with the status, and a revalidation with an
        older date must not keep a stale copy."""
        import hashlib

        from aomori_roadmap.site.build import build_site
        from aomori_roadmap.views.site import Moment, site_data

        data = site_data(self._plan, self._store, Moment(today, today), lang=self._lang)
        files = build_site(data).files
        etags = {
            path: '"' + hashlib.sha256(body).hexdigest()[:32] + '"' for path, body in files.items()
        }
        now = self._now().astimezone(UTC).replace(microsecond=0)
        stamps = {
            path: before.last_modified[path]
            if before is not None and before.etags.get(path) == etag
            else now
            for path, etag in etags.items()
        }
        return _BuiltSite(key, files, etags, stamps)


def _site_response(request: Request, built: _BuiltSite, path: str, public: bool) -> Response:
    if path == "" or path.endswith("/"):
        path += "index.html"
    body = built.files.get(path)
    if body is None:
        return _not_found()
    headers = {
        "ETag": built.etags[path],
        "Last-Modified": format_datetime(built.last_modified[path], usegmt=True),
        "Cache-Control": "public, no-cache" if public else "private, no-cache",
        "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:",
    }
    conditional = not_modified(
        built.etags[path],
        built.last_modified[path],
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
    )
    if conditional:
        return Response(status_code=304, headers=headers)
    media = next(
        (kind for suffix, kind in _SITE_TYPES.items() if path.endswith(suffix)),
        "application/octet-stream",
    )
    return Response(body, media_type=media, headers=headers)


def _feed_response(request: Request, built: BuiltFeed) -> Response:
    headers = {
        "ETag": built.etag,
        "Last-Modified": built.last_modified_http,
        **_FEED_HEADERS,
    }
    conditional = not_modified(
        built.etag,
        built.last_modified,
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
    )
    if conditional:
        return Response(status_code=304, headers=headers)
    return Response(built.body, media_type=_CALENDAR, headers=headers)


@dataclass(frozen=True, slots=True)
class _Upload:
    """A department's upload as received: the file, its type, and what was asked of it."""

    data: bytes
    media: str
    department: str
    name: str
    force: bool
    dry_run: bool
    lang: str
    max_bytes: int


def _take_workbook(store: Store, upload: _Upload) -> tuple[int, dict[str, Any]]:
    """Read a department's upload and record it: ``(HTTP status, JSON answer)``."""
    from aomori_roadmap.workbook.changes import WorkbookConflictError, WorkbookError
    from aomori_roadmap.workbook.read import read_department_workbook

    read = read_department_workbook
    if upload.media == CSV_MEDIA_TYPE:
        from aomori_roadmap.workbook.csv_sheet import read_department_csv as read
    try:
        with using_language(upload.lang):
            changes = read(
                upload.data,
                store,
                force=upload.force,
                department=upload.department,
                name=upload.name,
                max_bytes=upload.max_bytes,
            )
    except WorkbookError as error:
        return 422, {"problems": [p.to_json() for p in error.problems]}
    answer = changes.to_json(upload.lang)
    if changes.conflicts:
        return 409, answer
    if upload.dry_run:
        return 200, {**answer, "dry_run": True}
    try:
        done = changes.apply(store)
    except WorkbookConflictError as error:  # a writer came in between: read again
        return 409, {**answer, "detail": str(error)}
    recorded = {"events": done.events, "submissions": len(done.submissions)}
    return 200, {**answer, "recorded": {**recorded, "kpi_actuals": len(done.kpi_actuals)}}


def _not_found() -> Response:
    return Response(_NOT_FOUND, status_code=404, media_type="application/json")


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def create_app(
    plan_source: str | Path | Plan | None = None,
    db_url: str = DEFAULT_URL,
    *,
    base_url: str | None = None,
    public_feeds: Iterable[str] = (),
    public_site: bool = False,
    lang: str = "ja",
    alarm_days: int | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
    retention: timedelta = DEFAULT_RETENTION,
    clock: Callable[[], datetime] | None = None,
    max_upload: int = MAX_UPLOAD,
) -> FastAPI:
    """The server's application for the plan at ``plan_source`` and the store at ``db_url``.

    Args:
        plan_source: a plan file or folder, a loaded plan, or ``None`` for the embedded plan.
        db_url: the store (SQLite or PostgreSQL); it holds the tokens, revisions and status.
        base_url: the server's public address, for links in event descriptions.
        public_feeds: feeds served without a token at ``/feeds/public/{name}.ics``.
        public_site: serve the progress site at ``/site/`` without a token (otherwise at
            ``/site/{token}/`` with a read token of the scope ``site``).
        lang: the feeds' language (``ja`` or ``en``).
        alarm_days: a VALARM this many days before each event (``None``: none).
        refresh: the refresh hint written into the feeds.
        retention: how long cancelled and removed events stay in the feeds.
        clock: the time source (tz-aware; default the real clock) for "today" and last use.
        max_upload: the largest workbook ``POST /workbooks`` takes, in bytes.

    Raises:
        PlanError: the plan cannot be loaded, an unknown public feed, a bad base URL.
        StoreError: the store cannot be opened.
    """
    now = clock or (lambda: datetime.now(UTC))
    plan = _load(plan_source)
    public = tuple(dict.fromkeys(public_feeds))
    unknown = [name for name in public if name not in FEEDS]
    if unknown:
        raise PlanError(
            _("There is no public feed {feeds}. Accepted: {accepted}").format(
                feeds=", ".join(unknown), accepted=", ".join(FEEDS)
            )
        )
    if base_url is not None:
        feed_urls(base_url, "public", "reviews")  # checks the form of the address
    store = Store(db_url, plan=plan)
    if not store.database.shareable:  # each server thread would get an empty one of its own
        store.close()
        raise PlanError(
            _("An in-memory SQLite database (sqlite://) cannot serve feeds. Give a file.")
        )
    tokens = FeedTokens(store, plan)
    builder = FeedBuilder(
        plan,
        store,
        base_url=base_url,
        lang=lang,
        alarm_days=alarm_days,
        refresh=refresh,
        retention=retention,
        loaded=now(),
    )
    cache = FeedCache(builder)
    snapshots = _Snapshots(plan, store)
    plan_json = json.dumps(plan.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="aomori_roadmap",
        summary=f"{plan.name}: calendar feeds and read-only roadmap data",
        description=(
            "Calendar feeds (iCalendar) behind private token URLs, optional public feeds, "
            "and read-only JSON of the plan, its schedule, Gantt data, review cycles and "
            "status. See docs/feeds.md."
        ),
        version="1",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.tokens = tokens
    app.state.feeds = cache

    def snapshot_for(as_of: date | None) -> Snapshot:
        return snapshots.get(as_of or today_in(plan, now), builder.inputs())

    @app.exception_handler(StoreError)
    async def store_failed(_request: Request, error: StoreError) -> Response:
        log.error("store failure: %s", error)
        return _problem(503, _("The store is unavailable"))

    @app.exception_handler(PlanError)
    async def bad_input(_request: Request, error: PlanError) -> Response:
        return _problem(422, str(error))

    @app.exception_handler(RoadmapError)
    async def cannot_answer(_request: Request, error: RoadmapError) -> Response:
        log.error("cannot answer: %s", error)
        return _problem(500, str(error))

    @app.exception_handler(Exception)
    async def failed(_request: Request, error: Exception) -> Response:
        # Answered outside the middleware (Starlette's error handler is the outermost layer):
        # the headers every response carries are added here.
        response = PlainTextResponse("Internal Server Error", status_code=500)
        response.headers.update({n.decode(): v.decode() for n, v in _EVERY_RESPONSE})
        return response

    feed_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/calendar": {}}, "description": "The feed (iCalendar)."},
        304: {"description": "Not modified since the ETag or date the client sent."},
        404: {"description": "No such feed (or a bad, revoked or mismatched token)."},
    }

    @app.api_route(
        "/feeds/public/{name}.ics",
        methods=["GET", "HEAD"],
        response_class=Response,
        responses=feed_responses,
        tags=["feeds"],
        summary="A public feed (only those the server was started with)",
    )
    def public_feed(name: str, request: Request) -> Response:
        if name not in public:
            return _not_found()
        return _feed_response(request, cache.get(FeedRequest(name)))

    @app.api_route(
        "/feeds/{token}/{name}.ics",
        methods=["GET", "HEAD"],
        response_class=Response,
        responses=feed_responses,
        tags=["feeds"],
        summary="A private feed: the token is scoped to one feed and its filters",
    )
    def private_feed(
        token: str, name: str, request: Request, background: BackgroundTasks
    ) -> Response:
        if name not in FEEDS:  # a site or upload token's scope is no feed: the same 404
            return _not_found()
        info = tokens.find(token)
        if info is None or info.feed != name:
            return _not_found()
        built = cache.get(FeedRequest.of(info.feed, info.filters))
        background.add_task(note_use, info.id, now())  # after the response: never delays it
        return _feed_response(request, built)

    def note_use(ident: int, when: datetime) -> None:
        try:
            tokens.touch(ident, when)
        except StoreError as error:  # last use is a courtesy: never fail anything for it
            log.warning("cannot note the last use of token #%d: %s", ident, error)

    def json_text(payload: str | bytes, media_type: str = "application/json") -> Response:
        return Response(payload, media_type=media_type)

    @app.get("/api/plan", tags=["api"], summary="The plan (its full data as JSON)")
    def api_plan() -> Response:
        return json_text(plan_json)

    @app.get("/api/schedule", tags=["api"], summary="The schedule with actuals as of a date")
    def api_schedule(as_of: AsOf = None) -> Response:
        data = snapshot_for(as_of).current.to_json()
        return json_text(json.dumps(data, ensure_ascii=False))

    @app.get(
        "/api/gantt",
        tags=["api"],
        summary="Gantt data: our JSON, Frappe, DHTMLX or Mermaid",
        responses={200: {"content": {"application/json": {}, "text/plain": {}}}},
    )
    def api_gantt(
        format: Annotated[str, Query(description=" | ".join(API_GANTT_FORMATS))] = "json",
        field: Filter = None,
        item: Filter = None,
        initiative: Filter = None,
        department: Filter = None,
        priority: Filter = None,
        as_of: AsOf = None,
    ) -> Response:
        chosen = gantt_format(format, served=True)
        filters = {"field": field, "item": item, "initiative": initiative}
        filters |= {"department": department, "priority": priority}
        payload = render_gantt(snapshot_for(as_of), format, lang=lang, **filters)
        return json_text(payload, chosen.media_type)

    @app.get("/api/reviews", tags=["api"], summary="The half-year review cycles")
    def api_reviews(as_of: AsOf = None) -> Response:
        cycles = [
            {
                "code": c.code,
                "label": c.label(lang),
                "snapshot": c.snapshot.isoformat(),
                "submission_due": c.submission_due.isoformat(),
                "meeting_by": c.meeting_by.isoformat(),
                "publication": c.publication.isoformat(),
                "annual_report_due": None
                if c.annual_report_due is None
                else c.annual_report_due.isoformat(),
                "initiatives": list(c.initiatives),
                "predicted_holidays": c.predicted_holidays,
            }
            for c in snapshot_for(as_of).cycles
        ]
        return json_text(json.dumps({"cycles": cycles}, ensure_ascii=False))

    @app.get("/api/status", tags=["api"], summary="Every task's status and lateness on a date")
    def api_status(as_of: AsOf = None) -> Response:
        snapshot = snapshot_for(as_of)
        data = {
            "as_of": snapshot.as_of.isoformat(),
            "states": [state.to_json() for state in snapshot.states.values()],
            "lateness": {ref: value.value for ref, value in sorted(snapshot.lateness.items())},
        }
        return json_text(json.dumps(data, ensure_ascii=False))

    upload_responses: dict[int | str, dict[str, Any]] = {
        200: {"description": "The changes, recorded (or only read, with dry_run)."},
        401: {"description": "No upload token, or a bad or revoked one."},
        409: {"description": "Rows changed in the store after the workbook was made."},
        413: {"description": "The file is larger than the server takes."},
        415: {"description": "Not an xlsx workbook (or a CSV task sheet)."},
        422: {"description": "Problems in the workbook, each with its sheet and cell."},
    }

    @app.post(
        "/workbooks",
        tags=["workbooks"],
        responses=upload_responses,
        summary="A department's filled progress workbook, checked and recorded",
    )
    async def upload_workbook(
        request: Request,
        dry_run: Annotated[bool, Query(description="Read and check only")] = False,
        force: Annotated[bool, Query(description="Record rows changed meanwhile anyway")] = False,
        name: Annotated[str | None, Query(description="The file's name, for notes")] = None,
    ) -> Response:
        scheme, _space, secret = request.headers.get("authorization", "").partition(" ")
        # The lookup is a query: in a worker thread, so that a slow database never holds up
        # the event loop and every other request with it.
        info = (
            await run_in_threadpool(tokens.find, secret.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if info is None or not info.uploads:
            return JSONResponse(
                {"detail": "An active upload token is needed (Authorization: Bearer TOKEN)."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in (XLSX_MEDIA_TYPE, CSV_MEDIA_TYPE):
            accepted = f"{XLSX_MEDIA_TYPE}, {CSV_MEDIA_TYPE}"
            return _problem(415, f"Send the workbook as {accepted}.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_upload:
            return _problem(413, f"The file is larger than {max_upload} bytes.")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_upload:
                return _problem(413, f"The file is larger than {max_upload} bytes.")
        department = info.filters["department"]
        shown = name or ("workbook.csv" if media == CSV_MEDIA_TYPE else "workbook.xlsx")
        upload = _Upload(bytes(body), media, department, shown, force, dry_run, lang, max_upload)
        status, payload = await run_in_threadpool(_take_workbook, store, upload)
        background = BackgroundTasks()
        background.add_task(note_use, info.id, now())
        return JSONResponse(payload, status_code=status, background=background)

    sites = _Sites(plan, store, builder, lang, now)
    site_responses: dict[int | str, dict[str, Any]] = {
        200: {"description": "A page, a style sheet or an open data file of the site."},
        304: {"description": "Not modified since the ETag or date the client sent."},
        404: {"description": "No such file (or a bad or revoked token)."},
    }

    @app.api_route("/site", methods=["GET", "HEAD"], include_in_schema=False)
    def site_root() -> Response:
        # Relative, as for /site/{token}: behind a proxy's path prefix it stays under it.
        return Response(status_code=308, headers={"Location": "site/"})

    @app.api_route(
        "/site/{path:path}",
        methods=["GET", "HEAD"],
        response_class=Response,
        responses=site_responses,
        tags=["site"],
        summary="The progress site as of today (public, or behind /site/{token}/)",
    )
    async def site_file(path: str, request: Request) -> Response:
        rest = path
        background = BackgroundTasks()
        if not public_site:
            token, slash, rest = path.partition("/")
            info = await run_in_threadpool(tokens.find, token) if token else None  # a query
            if info is None or info.feed != SITE:
                return _not_found()
            if not slash:  # /site/{token}: the pages' relative links need the slash
                return Response(status_code=308, headers={"Location": f"{token}/"})
            background.add_task(note_use, info.id, now())
        built = await run_in_threadpool(sites.get, today_in(plan, now))
        response = _site_response(request, built, rest, public_site)
        response.background = background
        return response

    @app.get("/healthz", tags=["server"], summary="Liveness: the store answers")
    def healthz() -> Response:
        builder.inputs()  # one query: a failing store answers 503
        return json_text(b'{"status":"ok"}')

    app.add_middleware(_SecurityHeaders)
    return app


def run(
    app: FastAPI, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, log_level: str = "info"
) -> None:
    """Run ``app`` with uvicorn until interrupted, with token-free logs (:func:`log_config`)."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=log_config(log_level),
        log_level=log_level,
        server_header=False,
    )


def serve(
    plan_source: str | Path | Plan | None = None,
    db_url: str = DEFAULT_URL,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    base_url: str | None = None,
    public_feeds: Iterable[str] = (),
    log_level: str = "info",
    **options: Any,
) -> None:
    """Run the server with uvicorn until interrupted (``aomori-roadmap serve``).

    Listens on 127.0.0.1 unless ``host`` says otherwise; put a TLS-terminating proxy in
    front for https. ``options`` go to :func:`create_app`.

    Raises:
        PlanError, StoreError: as :func:`create_app`.
    """
    app = create_app(plan_source, db_url, base_url=base_url, public_feeds=public_feeds, **options)
    run(app, host=host, port=port, log_level=log_level)
