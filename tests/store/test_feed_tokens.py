"""Feed tokens on SQLite and PostgreSQL: random, hashed at rest, scoped, revocable."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from storetest import Clock

from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import TOKEN_BYTES, FeedTokens, hash_token
from aomori_roadmap.store.tables import feed_tokens


@pytest.fixture(scope="module")
def aomori() -> Plan:
    return default_plan()


@pytest.fixture
def tokens_store(db_url: str, aomori: Plan, clock: Clock) -> Iterator[Store]:
    with Store(db_url, plan=aomori, clock=clock) as opened:
        yield opened


@pytest.fixture
def tokens(tokens_store: Store) -> FeedTokens:
    return FeedTokens(tokens_store)


def _database_text(store: Store) -> str:
    """Everything the database holds, as text: every row of every table (and SQLite's files)."""
    parts: list[str] = []
    with store._engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(repr(tuple(row)))
    url = make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database:
        for path in Path(url.database).parent.glob(Path(url.database).name + "*"):
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_a_token_carries_at_least_128_random_bits(tokens: FeedTokens) -> None:
    made = {tokens.create("reviews", actor="DX推進課")[0] for _ in range(50)}
    assert len(made) == 50
    for token in made:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
    assert TOKEN_BYTES * 8 >= 128


def test_tokens_are_hashed_at_rest(tokens: FeedTokens, tokens_store: Store) -> None:
    secret, info = tokens.create("milestones", actor="DX推進課", name="全庁")
    other, _ = tokens.create("reviews", actor="DX推進課", department="kikikanri")
    tokens.touch(info.id, tokens_store._now())
    tokens.revoke(info.id)
    dump = _database_text(tokens_store)
    for token in (secret, other):
        assert token not in dump
        assert token[:16] not in dump  # not even a prefix
        assert hash_token(token) in dump
    with tokens_store._engine.connect() as conn:
        stored = conn.execute(select(feed_tokens.c.token_hash).order_by(feed_tokens.c.id)).all()
    assert [row[0] for row in stored] == [
        hashlib.sha256(t.encode()).hexdigest() for t in (secret, other)
    ]


def test_find_answers_only_to_the_exact_token(tokens: FeedTokens) -> None:
    secret, info = tokens.create("reviews", actor="DX推進課", department="kikikanri")
    found = tokens.find(secret)
    assert found is not None and found.id == info.id
    assert found.feed == "reviews" and dict(found.filters) == {"department": "kikikanri"}
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for wrong in (flipped, secret[:-1], secret + "x", "", "public", "../" + secret, secret.upper()):
        if wrong != secret:
            assert tokens.find(wrong) is None


def test_revoked_tokens_stop_working_by_id_or_name(tokens: FeedTokens, clock: Clock) -> None:
    first, one = tokens.create("reviews", actor="DX推進課", name="危機管理局")
    second, two = tokens.create("milestones", actor="DX推進課")
    clock.advance(hours=1)
    revoked = tokens.revoke("危機管理局")
    assert revoked.id == one.id and revoked.revoked == clock.now
    assert tokens.find(first) is None
    assert tokens.find(second) is not None
    assert tokens.revoke(two.id).active is False
    assert tokens.find(second) is None
    again = tokens.revoke(str(two.id))  # already revoked: nothing changes
    assert again.revoked == tokens.get(two.id).revoked
    assert [t.active for t in tokens.list()] == [False, False]
    assert tokens.list(include_revoked=False) == []


def test_a_revoked_name_can_be_used_again(tokens: FeedTokens) -> None:
    tokens.create("reviews", actor="DX推進課", name="会議用")
    with pytest.raises(PlanError, match="既にあります"):
        tokens.create("reviews", actor="DX推進課", name="会議用")
    tokens.revoke("会議用")
    _, fresh = tokens.create("reviews", actor="DX推進課", name="会議用")
    assert tokens.get("会議用").id == fresh.id  # the active one wins


def test_unknown_tokens_are_clear_errors(tokens: FeedTokens) -> None:
    with pytest.raises(PlanError, match="ありません"):
        tokens.revoke("nobody")
    with pytest.raises(PlanError, match="ありません"):
        tokens.revoke(99)


@pytest.mark.parametrize(
    ("feed", "filters", "message"),
    [
        ("nope", {}, "フィード 'nope'"),
        ("reviews", {"department": "ghost"}, "担当課 'ghost'"),
        ("reviews", {"initiative": "ghost"}, "取組 'ghost'"),
        ("milestones", {"field": "ghost"}, "分野 'ghost'"),
        ("deadlines", {"priority": "観光"}, "重点 '観光'"),
    ],
)
def test_scope_is_checked_against_the_plan_and_nothing_is_written(
    tokens: FeedTokens, feed: str, filters: dict[str, str], message: str
) -> None:
    with pytest.raises(PlanError, match=message):
        tokens.create(feed, actor="DX推進課", **filters)
    assert tokens.list() == []


def test_scope_keeps_the_feed_and_its_filters(tokens: FeedTokens, aomori: Plan) -> None:
    field = aomori.fields[0].id
    secret, _ = tokens.create(
        "deadlines", actor="DX推進課", department="kikikanri", field=field, priority="防災"
    )
    found = tokens.find(secret)
    assert found is not None
    assert found.options() == {
        "department": "kikikanri",
        "initiative": None,
        "field": field,
        "priority": "防災",
    }


@pytest.mark.parametrize(
    ("actor", "name", "message"),
    [
        ("", "", "作成者"),
        ("DX推進課", "12", "数字だけ"),
        ("DX推進課", "a\nb", "改行"),
        ("DX推進課", "x" * 201, "200文字"),
    ],
)
def test_bad_labels_are_refused(tokens: FeedTokens, actor: str, name: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        tokens.create("reviews", actor=actor, name=name)
    assert tokens.list() == []


def test_last_use_is_written_at_most_once_a_minute(
    tokens: FeedTokens, tokens_store: Store, clock: Clock
) -> None:
    _, info = tokens.create("reviews", actor="DX推進課")
    start = clock.now
    assert tokens.touch(info.id, start)
    assert not tokens.touch(info.id, start + timedelta(seconds=30))
    assert tokens.get(info.id).last_used == start
    # Another server process (its own memory) is held back by the database.
    assert not FeedTokens(tokens_store).touch(info.id, start + timedelta(seconds=40))
    later = start + timedelta(seconds=61)
    assert tokens.touch(info.id, later)
    assert [t.last_used for t in tokens.list()] == [later]


def test_a_store_without_a_plan_cannot_check_a_scope(db_url: str) -> None:
    with Store(db_url) as bare, pytest.raises(PlanError, match="プラン"):
        FeedTokens(bare).create("reviews", actor="DX推進課")
