"""The server at its edges, in process: a page's Last-Modified follows its bytes, tokens of
other scopes on the feed route, dates the store cannot read, an unexpected failure's headers,
and the redirect of /site behind a proxy's path prefix."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.server import create_app
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import FeedTokens
from aomori_roadmap.store.review_log import KpiLog

KPI_PAGE = "/site/kpis/kpi-copy-paper.html"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'roadmap.db'}"
    plan = default_plan()
    with Store(url, plan=plan) as store:
        store.save_revision(plan, "DX推進課", "当初計画")
    return url


def _client(db: str, clock: Clock) -> Iterator[TestClient]:
    app = create_app(default_plan(), db, public_site=True, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 10, 1, 3, tzinfo=UTC))


@pytest.fixture
def client(db: str, clock: Clock) -> Iterator[TestClient]:
    yield from _client(db, clock)


def _stamp(response: object) -> datetime:
    return parsedate_to_datetime(response.headers["last-modified"])  # type: ignore[attr-defined]


def test_a_page_changed_by_a_kpi_value_is_not_kept_by_an_older_date(
    client: TestClient, clock: Clock, db: str
) -> None:
    first = client.get(KPI_PAGE)
    assert first.status_code == 200 and _stamp(first) <= clock.now
    same = client.get(KPI_PAGE, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert same.status_code == 304
    clock.now += timedelta(minutes=5)
    with Store(db, plan=default_plan(), clock=clock) as store:  # known before the site's day
        KpiLog(store).record("kpi-copy-paper", 2024, 12345, actor="総務部")
    second = client.get(KPI_PAGE, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert second.status_code == 200 and "12,345" in second.text
    assert second.headers["etag"] != first.headers["etag"]
    assert _stamp(first) < _stamp(second) <= clock.now
    untouched = client.get("/site/assets/site.css")  # the same bytes keep their date
    assert _stamp(untouched) == _stamp(first)


def test_a_new_day_that_changes_a_page_moves_its_date(client: TestClient, clock: Clock) -> None:
    first = client.get("/site/index.html")
    clock.now += timedelta(days=120)
    later = client.get(
        "/site/index.html", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert later.status_code == 200 and later.headers["etag"] != first.headers["etag"]
    assert _stamp(later) > _stamp(first)


def test_a_page_is_never_dated_after_now(db: str, tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 4, 1, 15, 30, tzinfo=UTC))  # 00:30 on 2 April in Tokyo
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    for url in (db, empty):
        for opened in _client(url, clock):
            assert _stamp(opened.get("/site/index.html")) <= clock.now


def test_site_and_upload_tokens_on_the_feed_route_are_not_found(db: str, clock: Clock) -> None:
    with Store(db, plan=default_plan()) as store:
        made = FeedTokens(store)
        site, _ = made.create("site", actor="DX推進課")
        upload, _ = made.create("workbooks", actor="DX推進課", department="kikikanri")
    for client in _client(db, clock):
        for token, name in ((site, "site"), (upload, "workbooks"), ("A" * 43, "site")):
            answer = client.get(f"/feeds/{token}/{name}.ics")
            assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize("route", ["status", "schedule", "gantt", "reviews"])
def test_a_date_the_store_cannot_read_is_bad_input(client: TestClient, route: str) -> None:
    answer = client.get(f"/api/{route}", params={"as_of": "9999-12-31"})
    assert answer.status_code == 422 and "9999-12-31" in answer.json()["detail"]


def test_an_unexpected_failure_carries_the_headers_of_every_response(
    db: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aomori_roadmap.store.store import Store as StoreClass

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    for client in _client(db, clock):
        monkeypatch.setattr(StoreClass, "status_as_of", broken)
        answer = client.get("/api/status")
        assert answer.status_code == 500 and answer.text == "Internal Server Error"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-robots-tag"] == "noindex"


def test_site_is_redirected_relatively(client: TestClient) -> None:
    moved = client.get("/site", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "site/"
    assert client.get("/site").url.path == "/site/"  # followed: the site's top page


def test_a_slow_token_lookup_holds_up_no_other_request(
    db: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token routes look the token up in a worker thread: while one waits on a slow
    database, the event loop answers the others."""
    import asyncio
    import threading
    import time

    import httpx

    release = threading.Event()
    found = FeedTokens.find

    def slow(self: FeedTokens, token: str) -> object:
        release.wait(5)  # the database is slow until the other request has been answered
        return found(self, token)

    monkeypatch.setattr(FeedTokens, "find", slow)
    app = create_app(default_plan(), db, clock=clock)

    async def both() -> tuple[int, float, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://roadmap") as client:
            start = time.perf_counter()
            waiting = asyncio.create_task(client.get("/site/" + "A" * 43 + "/index.html"))
            await asyncio.sleep(0.05)  # the site request is in its lookup now
            health = await client.get("/healthz")
            took = time.perf_counter() - start
            release.set()
            return health.status_code, took, (await waiting).status_code

    health, took, site = asyncio.run(both())
    assert (health, site) == (200, 404) and took < 2
