"""Two plans in one store behind two servers: a token of plan A never reads plan B.

Every route of the application is visited: the routes behind a token are asked with each of
plan A's tokens (refused as an unknown token: 404, or 401 for uploads) and with plan B's own
(answered); the routes without a token answer with plan B's data only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.server import create_app
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import SITE, UPLOADS, FeedTokens
from aomori_roadmap.store.tables import feed_tokens

REF = "bousai-dx-alerts/study"
FEEDS = ("reviews", "milestones", "deadlines", "all")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _town_plan() -> Plan:
    """Plan B: the embedded plan's structure under another id, as a town would keep it."""
    return default_plan().model_copy(update={"id": "town-b", "name": "B町DX推進計画"})


def _tokens(store: Store) -> dict[str, str]:
    made = FeedTokens(store)
    found = {feed: made.create(feed, actor="DX推進課")[0] for feed in FEEDS}
    found[SITE] = made.create(SITE, actor="DX推進課")[0]
    found[UPLOADS] = made.create(UPLOADS, actor="DX推進課", department="kikikanri")[0]
    return found


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str], dict[str, str]]:
    """One store with plans A (the embedded plan) and B, each with a token of every kind."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('two-plans') / 'shared.db'}"
    a, b = default_plan(), _town_plan()
    with Store(db_url, plan=a) as store:
        store.save_revision(a, "DX推進課", "当初計画")
        store.record_status(
            REF, "done", actor="危機管理局", effective=datetime(2024, 5, 1, tzinfo=UTC)
        )
        tokens_a = _tokens(store)
    with Store(db_url, plan=b) as store:
        store.save_revision(b, "B町企画課", "当初計画")
        tokens_b = _tokens(store)
    return db_url, tokens_a, tokens_b


@pytest.fixture(scope="module")
def client(shared: tuple[str, dict[str, str], dict[str, str]]) -> Iterator[TestClient]:
    """Plan B's server on the shared store."""
    app = create_app(_town_plan(), shared[0], public_feeds=["deadlines"])
    with TestClient(app) as opened:
        yield opened


def _routes(client: TestClient) -> list[APIRoute]:
    return [route for route in client.app.routes if isinstance(route, APIRoute)]  # type: ignore[attr-defined]


def _token_urls(tokens: dict[str, str]) -> list[tuple[str, str]]:
    """Each route behind a token, with the URL that token reads."""
    urls = [("/feeds/{token}/{name}.ics", f"/feeds/{tokens[f]}/{f}.ics") for f in FEEDS]
    urls.append(("/site/{path:path}", f"/site/{tokens[SITE]}/index.html"))
    return urls


def test_the_token_routes_are_all_covered(client: TestClient) -> None:
    paths = {route.path for route in _routes(client)}
    behind = {"/feeds/{token}/{name}.ics", "/site/{path:path}", "/workbooks"}
    public = {
        "/feeds/public/{name}.ics", "/api/plan", "/api/schedule", "/api/gantt", "/api/reviews",
        "/api/status", "/site", "/healthz",
    }  # fmt: skip
    assert paths == behind | public, "a new route: add it to this test"


def test_plan_b_reads_with_its_own_tokens(
    client: TestClient, shared: tuple[str, dict[str, str], dict[str, str]]
) -> None:
    for _route, url in _token_urls(shared[2]):
        assert client.get(url).status_code == 200, url


def test_a_token_of_plan_a_reads_nothing_of_plan_b(
    client: TestClient, shared: tuple[str, dict[str, str], dict[str, str]]
) -> None:
    tokens_a = shared[1]
    for _route, url in _token_urls(tokens_a):
        assert client.get(url).status_code == 404, url
        assert client.head(url).status_code == 404, url
    # every token of plan A, whatever its kind, on every route behind a token
    for token in tokens_a.values():
        for feed in FEEDS:
            assert client.get(f"/feeds/{token}/{feed}.ics").status_code == 404
        assert client.get(f"/site/{token}/").status_code == 404
        upload = client.post(
            "/workbooks",
            content=b"PK\x03\x04",
            headers={"Authorization": f"Bearer {token}", "Content-Type": XLSX},
        )
        assert upload.status_code == 401


def test_an_upload_token_of_plan_b_is_taken(
    client: TestClient, shared: tuple[str, dict[str, str], dict[str, str]]
) -> None:
    upload = client.post(
        "/workbooks?dry_run=true",
        content=b"not a workbook",
        headers={"Authorization": f"Bearer {shared[2][UPLOADS]}", "Content-Type": XLSX},
    )
    assert upload.status_code not in (401, 404)  # past the token: the file itself is refused


def test_the_public_routes_show_plan_b_only(client: TestClient) -> None:
    status = client.get("/api/status").json()
    assert status["states"] == []  # plan A has REF done; plan B has no event
    assert status["lateness"][REF] != "on_track"
    assert "B町DX推進計画" in client.get("/api/plan").text
    for path in ("/api/schedule", "/api/gantt", "/api/reviews", "/healthz"):
        assert client.get(path).status_code == 200, path
    assert client.get("/feeds/public/deadlines.ics").status_code == 200
    assert client.get("/site/index.html").status_code == 404  # not public


def test_plan_a_tokens_are_stored_with_plan_a(
    shared: tuple[str, dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    from sqlalchemy import create_engine, select

    engine = create_engine(shared[0])
    with engine.connect() as conn:
        plans = conn.execute(select(feed_tokens.c.plan_id, feed_tokens.c.feed)).all()
    engine.dispose()
    assert sorted({p for p, _f in plans}) == ["aomori-dx-2024-2028", "town-b"]
    assert len(plans) == 2 * (len(FEEDS) + 2)
