"""Fixtures for the store tests: every test runs on SQLite and on a real PostgreSQL server.

PostgreSQL is found at ``AOMORI_ROADMAP_TEST_PG`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets a schema of its own
(``search_path`` in the URL), dropped afterwards. When the server cannot be reached, the
PostgreSQL half of the tests is skipped with the reason — or fails, when
``AOMORI_ROADMAP_REQUIRE_PG`` is set (as CI does).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from storetest import PLAN_DATA, Clock, jst

from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store


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
