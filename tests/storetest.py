"""Helpers shared by the tests of the store and of what reads it (the fixtures are in the
folders' ``conftest.py``)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from aomori_roadmap.engine.status import StatusEvent, check_sequence

PG_URL = os.environ.get(
    "AOMORI_ROADMAP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_pg_problem: list[str] = []  # cached: why PostgreSQL cannot be used ("" when it can)


def pg_unreachable() -> str | None:
    """Why the test PostgreSQL server cannot be used, or ``None`` when it can."""
    if not _pg_problem:
        try:
            engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_problem.append("")
        except Exception as error:  # any failure to connect means: skip, saying why
            first_line = str(error).splitlines()[0] if str(error) else ""
            _pg_problem.append(
                f"PostgreSQL at {PG_URL} cannot be reached ({type(error).__name__}: "
                f"{first_line}); set AOMORI_ROADMAP_TEST_PG or start the server "
                "(pg_ctlcluster --skip-systemctl-redirect <version> main start)"
            )
    return _pg_problem[0] or None


class Clock:
    """A clock the test moves by hand; the store reads ``recorded`` times from it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def jst(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """A time of day in Japan, as a UTC date-time."""
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=9)


# The store tests' plan, written as a department writes a plan file.
PLAN_DATA: dict[str, Any] = yaml.safe_load("""
id: test-plan
name: テストプラン
period: {start: FY2024, end: FY2028}
initiatives:
  - id: alerts
    name: 防災アラート
    tasks:
      - {id: study, name: 検討, start: FY2024-H1, duration: 1half}
      - {id: build, name: 構築, after: study, duration: 6mo}
      - {id: launch, name: 運用開始, milestone: true, after: build}
  - id: learning
    name: オンライン学習
    tasks:
      - {id: model, name: モデル校, start: FY2025, duration: 1y}
      - {id: expand, name: 全県展開, after: model, duration: 1y}
""")


def assert_legal(events: list[StatusEvent]) -> None:
    """The events that stand (not corrected) form a legal sequence from ``planned``."""
    check_sequence((e.status, e.note) for e in events if e.corrected_by is None)


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


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema (dropped
    afterwards). Without a server the test is skipped with the reason, or fails when
    ``AOMORI_ROADMAP_REQUIRE_PG`` is set (as CI does)."""
    if backend == "sqlite":
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
