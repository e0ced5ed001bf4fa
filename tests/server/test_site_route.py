"""The progress site over HTTP: behind a read token unless public, with ETag and 304, made
again when the store changes, tokens never in the logs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import FeedTokens


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("site-server")


@pytest.fixture(scope="module")
def tokens(folder: Path) -> dict[str, str]:
    plan = default_plan()
    with Store(f"sqlite:///{folder / 'roadmap.db'}", plan=plan) as store:
        store.save_revision(plan, "DX推進課", "当初計画")
        made = FeedTokens(store)
        site, _ = made.create("site", actor="DX推進課", name="庁内閲覧")
        reviews, _ = made.create("reviews", actor="DX推進課")
        revoked, old = made.create("site", actor="DX推進課", name="旧")
        made.revoke(old.id)
    return {"site": site, "reviews": reviews, "revoked": revoked}


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as opened:
        yield opened


def test_the_site_needs_a_site_token_unless_public(
    folder: Path, tokens: dict[str, str], start_server: Any, client: httpx.Client
) -> None:
    db_url = f"sqlite:///{folder / 'roadmap.db'}"
    with start_server(folder, db_url) as server:
        base = server.url
        assert client.get(f"{base}/site/index.html").status_code == 404
        for bad in ("reviews", "revoked"):
            assert client.get(f"{base}/site/{tokens[bad]}/index.html").status_code == 404
        page = client.get(f"{base}/site/{tokens['site']}/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "private, no-cache"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert "青森県DX推進プラン" in page.text
        moved = client.get(f"{base}/site/{tokens['site']}")
        assert moved.status_code == 308 and moved.headers["location"].endswith("/")
        css = client.get(f"{base}/site/{tokens['site']}/assets/site.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        data = client.get(f"{base}/site/{tokens['site']}/data/kpis.csv")
        assert data.content.startswith(b"\xef\xbb\xbf")
        assert client.get(f"{base}/site/{tokens['site']}/../server.py").status_code == 404
        assert client.get(f"{base}/site/{tokens['site']}/nosuch.html").status_code == 404
        logs = server.logs()
    assert tokens["site"] not in logs and "/site/[token]/" in logs


def test_a_public_site_has_validators_and_follows_the_store(
    folder: Path, tokens: dict[str, str], start_server: Any, client: httpx.Client
) -> None:
    db_url = f"sqlite:///{folder / 'roadmap.db'}"
    with start_server(folder, db_url, public=["site"]) as server:
        url = f"{server.url}/site/initiatives/bousai-dx-alerts.html"
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["cache-control"] == "public, no-cache"
        etag = first.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        since = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert since.status_code == 304
        assert client.head(url).headers["etag"] == etag
        assert client.get(f"{server.url}/site").status_code == 308
        with Store(db_url, plan=default_plan()) as store:
            store.record_status("bousai-dx-alerts/study", "in_progress", actor="危機管理局",
                                effective=datetime(2024, 5, 1, tzinfo=UTC))  # fmt: skip
        changed = client.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
