"""The server against a real uvicorn on 127.0.0.1: feeds, validators, tokens, logs, JSON."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import yaml

from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import FeedTokens, hash_token

if TYPE_CHECKING:
    from serving import Running


@dataclass
class Setup:
    server: Running
    store: Store
    reviews: str  # a token for the reviews feed of 危機管理局
    milestones: str  # a token for the milestones feed
    revoked: str  # a revoked token for the reviews feed

    def url(self, path: str) -> str:
        return self.server.url + path


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, start_server: Any) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("server")
    db_url = f"sqlite:///{folder / 'roadmap.db'}"
    plan = default_plan()
    with Store(db_url, plan=plan) as store:
        store.save_revision(plan, "DX推進課", "当初計画")
        store.record_status(
            "bousai-dx-alerts/study",
            "in_progress",
            actor="危機管理局",
            effective=datetime(2024, 5, 1, tzinfo=UTC),
        )
        tokens = FeedTokens(store)
        reviews, _ = tokens.create("reviews", actor="DX推進課", department="kikikanri")
        milestones, _ = tokens.create("milestones", actor="DX推進課", name="全庁の節目")
        revoked, old = tokens.create("reviews", actor="DX推進課", name="旧URL")
        tokens.revoke(old.id)
        with start_server(folder, db_url, public=["deadlines"]) as server:
            yield Setup(server, store, reviews, milestones, revoked)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as opened:
        yield opened


def test_a_feed_is_served_with_the_right_headers(setup: Setup, client: httpx.Client) -> None:
    response = client.get(setup.url(f"/feeds/{setup.reviews}/reviews.ics"))
    assert response.status_code == 200
    headers = response.headers
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["cache-control"] == "private"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-robots-tag"] == "noindex"
    assert headers["etag"] == '"' + hashlib.sha256(response.content).hexdigest() + '"'
    modified = parsedate_to_datetime(headers["last-modified"])
    assert modified.tzinfo is not None and modified <= datetime.now(UTC)
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert "危機管理局".encode() in body
    assert b"SEQUENCE:" in body and b"LAST-MODIFIED:" in body


def test_no_accept_header_is_needed(setup: Setup, client: httpx.Client) -> None:
    url = setup.url(f"/feeds/{setup.milestones}/milestones.ics")
    plain = client.get(url, headers={"Accept": ""})
    html = client.get(url, headers={"Accept": "text/html"})
    assert plain.status_code == html.status_code == 200
    assert plain.content == html.content


def test_head_answers_like_get_without_a_body(setup: Setup, client: httpx.Client) -> None:
    url = setup.url(f"/feeds/{setup.milestones}/milestones.ics")
    got, head = client.get(url), client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]


def test_a_matching_etag_gets_304(setup: Setup, client: httpx.Client) -> None:
    url = setup.url(f"/feeds/{setup.reviews}/reviews.ics")
    first = client.get(url)
    etag = first.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "private"
    listed = client.get(url, headers={"If-None-Match": f'"nope", W/{etag}'})
    assert listed.status_code == 304
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_an_unchanged_if_modified_since_gets_304(setup: Setup, client: httpx.Client) -> None:
    url = setup.url(f"/feeds/{setup.reviews}/reviews.ics")
    modified = client.get(url).headers["last-modified"]
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = parsedate_to_datetime(modified) - timedelta(seconds=1)
    stale = earlier.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(url, headers={"If-Modified-Since": stale}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_bad_revoked_and_wrong_feed_tokens_get_the_same_404(
    setup: Setup, client: httpx.Client
) -> None:
    flipped = setup.reviews[:-1] + ("A" if setup.reviews[-1] != "A" else "B")
    answers = [
        client.get(setup.url(path))
        for path in (
            f"/feeds/{flipped}/reviews.ics",  # bad
            f"/feeds/{setup.revoked}/reviews.ics",  # revoked
            f"/feeds/{setup.reviews}/milestones.ics",  # scoped to another feed
            f"/feeds/{setup.milestones}/reviews.ics",
            "/feeds/short/reviews.ics",
            f"/feeds/{setup.reviews}/nope.ics",
            "/feeds/public/reviews.ics",  # not a public feed on this server
        )
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert {a.content for a in answers} == {b'{"detail":"Not Found"}'}
    assert all("etag" not in a.headers for a in answers)


def test_a_listed_public_feed_needs_no_token(setup: Setup, client: httpx.Client) -> None:
    response = client.get(setup.url("/feeds/public/deadlines.ics"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


def test_a_change_in_the_store_changes_the_feed(setup: Setup, client: httpx.Client) -> None:
    url = setup.url(f"/feeds/{setup.milestones}/milestones.ics")
    before = client.get(url)
    setup.store.record_status("bousai-dx-alerts/launch", "cancelled", actor="危機管理局")
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert b"STATUS:CANCELLED" in after.content
    assert parsedate_to_datetime(after.headers["last-modified"]) >= parsedate_to_datetime(
        before.headers["last-modified"]
    )


def test_json_endpoints(setup: Setup, client: httpx.Client) -> None:
    plan = client.get(setup.url("/api/plan")).json()
    assert plan["id"] == "aomori-dx-2024-2028" and plan["name"] == "青森県DX推進プラン"
    schedule = client.get(setup.url("/api/schedule")).json()
    assert any(t["ref"] == "bousai-dx-alerts/study" for t in schedule["tasks"])
    for fmt in ("json", "frappe", "dhtmlx"):
        response = client.get(setup.url("/api/gantt"), params={"format": fmt})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        response.json()
    mermaid = client.get(setup.url("/api/gantt"), params={"format": "mermaid"})
    assert mermaid.text.startswith("gantt") and mermaid.headers["content-type"].startswith(
        "text/plain"
    )
    filtered = client.get(setup.url("/api/gantt"), params={"department": "kikikanri"}).json()
    assert json.dumps(filtered, ensure_ascii=False).count("bousai-dx") > 0
    reviews = client.get(setup.url("/api/reviews")).json()["cycles"]
    assert reviews[0]["code"] == "FY2024-H1" and reviews[0]["label"] == "令和6年度上期"
    status = client.get(setup.url("/api/status"), params={"as_of": "2024-09-30"}).json()
    assert status["as_of"] == "2024-09-30"
    assert [s["ref"] for s in status["states"]] == ["bousai-dx-alerts/study"]
    early = client.get(setup.url("/api/status"), params={"as_of": "2024-04-30"}).json()
    assert early["states"] == []
    assert client.get(setup.url("/healthz")).json() == {"status": "ok"}


def test_json_endpoints_refuse_bad_input_clearly(setup: Setup, client: httpx.Client) -> None:
    bad_format = client.get(setup.url("/api/gantt"), params={"format": "xlsx"})
    assert bad_format.status_code == 422 and "xlsx" in bad_format.json()["detail"]
    bad_date = client.get(setup.url("/api/status"), params={"as_of": "2024-13-45"})
    assert bad_date.status_code == 422
    bad_filter = client.get(setup.url("/api/gantt"), params={"department": "ghost"})
    assert bad_filter.status_code == 422 and "ghost" in bad_filter.text


def test_openapi_is_served(setup: Setup, client: httpx.Client) -> None:
    spec = client.get(setup.url("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/feeds/{token}/{name}.ics",
        "/feeds/public/{name}.ics",
        "/api/plan",
        "/api/schedule",
        "/api/gantt",
        "/api/reviews",
        "/api/status",
        "/healthz",
    ):
        assert path in spec["paths"]
    assert client.get(setup.url("/docs")).status_code == 200


def test_no_token_material_in_the_logs(setup: Setup, client: httpx.Client) -> None:
    secrets = (setup.reviews, setup.milestones, setup.revoked)
    for token in secrets:
        client.get(setup.url(f"/feeds/{token}/reviews.ics"))
        client.get(setup.url(f"//feeds/{token}/x.ics"))
    logs = setup.server.wait_for_log("/feeds/[token]/", count=6)
    assert logs.count("/feeds/[token]/") >= 6
    for token in secrets:
        assert token not in logs
        assert token[:12] not in logs
        assert hash_token(token) not in logs


def test_plan_text_never_injects(start_server: Any, tmp_path: Path, client: httpx.Client) -> None:
    evil = 'x"}],"injected":true,"y":[{"\r\nX-EVIL:1 </script><script>alert(1)</script>'
    folder = tmp_path / "plan"
    folder.mkdir()
    plan_data = {
        "id": "evil-plan",
        "name": evil,
        "period": {"start": "FY2024", "end": "FY2025"},
        "initiatives": [
            {"id": "a", "name": evil, "tasks": [{"id": "t", "name": evil, "milestone": True}]}
        ],
    }
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan_data, allow_unicode=True), "utf-8")
    db_url = f"sqlite:///{tmp_path / 'evil.db'}"
    with start_server(tmp_path, db_url, plan=str(folder), public=["milestones"]) as server:
        plan = client.get(server.url + "/api/plan").json()
        assert "injected" not in plan and plan["name"] == evil
        gantt = client.get(server.url + "/api/gantt").json()
        assert "injected" not in gantt
        feed = client.get(server.url + "/feeds/public/milestones.ics").content
        lines = feed.decode("utf-8").replace("\r\n ", "").split("\r\n")
        assert not any(line.startswith("X-EVIL") for line in lines)


def test_last_use_is_noted_after_the_response(setup: Setup, client: httpx.Client) -> None:
    tokens = FeedTokens(setup.store)
    ident = next(t.id for t in tokens.list() if t.name == "全庁の節目")
    assert client.get(setup.url(f"/feeds/{setup.milestones}/milestones.ics")).status_code == 200
    deadline = time.monotonic() + 10
    while tokens.get(ident).last_used is None and time.monotonic() < deadline:
        time.sleep(0.05)
    used = tokens.get(ident).last_used
    assert used is not None and used <= datetime.now(UTC)
