"""Fixtures for the store tests: every test runs on SQLite and on a real PostgreSQL server.

PostgreSQL is found at ``AOMORI_ROADMAP_TEST_PG`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets a schema of its own
(``search_path`` in the URL), dropped afterwards. When the server cannot be reached, the
PostgreSQL half of the tests is skipped with the reason — or fails, when
``AOMORI_ROADMAP_REQUIRE_PG`` is set (as CI does).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from storetest import PG_URL, PLAN_DATA, Clock, jst, pg_unreachable

from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store

_admin_engine: list[Engine] = []


def _admin(sql: str) -> None:
    if not _admin_engine:
        _admin_engine.append(create_engine(PG_URL, isolation_level="AUTOCOMMIT"))
    with _admin_engine[0].connect() as conn:
        conn.execute(text(sql))


# These tests check the store's logic, not the disk: a SQLite file in memory-backed /dev/shm
# and PostgreSQL sessions with synchronous_commit off keep thousands of commits fast.
# (The library itself keeps SQLite's synchronous=FULL and the server's settings.)
_SHM = Path("/dev/shm")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        if _SHM.is_dir() and os.access(_SHM, os.W_OK):
            with tempfile.TemporaryDirectory(dir=_SHM, prefix="aomori-test-") as folder:
                yield f"sqlite:///{Path(folder) / 'roadmap.db'}"
        else:
            yield f"sqlite:///{tmp_path / 'roadmap.db'}"
        return
    reason = pg_unreachable()
    if reason and os.environ.get("AOMORI_ROADMAP_REQUIRE_PG"):
        pytest.fail(reason)  # CI: a missing server must not pass as skipped tests
    if reason:
        pytest.skip(reason)
    schema = f"aomori_test_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE SCHEMA {schema}")
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    url = make_url(PG_URL).update_query_dict({"options": options})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def plan() -> Plan:
    """A small plan: two initiatives, five tasks, FY2024–FY2028."""
    return plan_from_data(PLAN_DATA)


@pytest.fixture
def clock() -> Clock:
    """Recorded times start on 2025-06-02 09:00 JST and move only when the test says."""
    return Clock(jst(2025, 6, 2))


@pytest.fixture
def store(db_url: str, plan: Plan, clock: Clock) -> Iterator[Store]:
    """A store on an empty database, with the test plan and the test clock."""
    with Store(db_url, plan=plan, clock=clock) as opened:
        yield opened
