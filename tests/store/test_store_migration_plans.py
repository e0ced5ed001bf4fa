"""Migration 0006 (many plans in one store) moves the demo's single-plan store over intact.

The demo writes its history through the store; its rows are copied, ids and all, into a
database made by the migrations up to 0005 (as an older aomori_roadmap left it). The upgrade
must then keep every event as it was (id, ref, status, progress, effective, recorded, actor,
note) and the store must answer as it did: the states as of several dates, on both time axes,
the review records and the KPI values.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from test_store_schema import execute, migrate_to

from aomori_roadmap.demo import run_demo
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store, schema_revision
from aomori_roadmap.store.tables import HISTORY_TABLES

TODAY = date(2026, 11, 20)
AS_OF = (date(2024, 9, 30), date(2025, 3, 31), date(2025, 9, 30), date(2026, 3, 31), TODAY)
KNOWN_AT = (date(2025, 4, 15), date(2025, 10, 15))

TABLES = (*HISTORY_TABLES, "feed_tokens")  # in the order their references need
EVENTS = (
    "SELECT e.id, r.ref, e.from_status, e.status, e.progress, e.effective, e.recorded, "
    "e.actor, e.note, e.revision_id, e.corrects FROM status_events e "
    "JOIN status_refs r ON r.id = e.ref_id ORDER BY e.id"
)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo's store (a SQLite file at the newest schema), made once."""
    result = run_demo(default_plan(), tmp_path_factory.mktemp("demo"), today=TODAY)
    return result.store_url


def _answers(url: str) -> dict[str, Any]:
    """What the store says: states as of dates (both axes), every trail, reviews, KPIs."""
    with Store(url, plan=default_plan()) as store:
        found: dict[str, Any] = {}
        for day in AS_OF:
            found[f"as of {day}"] = store.status_as_of(day)
            for known in KNOWN_AT:
                found[f"as of {day} known {known}"] = store.status_as_of(day, known_at=known)
        found["latest"] = store.status_as_of()
        found["histories"] = {ref: store.history(ref) for ref in sorted(found["latest"])}
        found["reviews"] = store.reviews.records()
        found["kpi records"] = store.kpis.records()
        found["kpi values"] = store.kpis.values()
        found["revisions"] = store.revisions()
        found["baselines"] = store.baselines()
    return found


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql)).all()]
    engine.dispose()
    return rows


def _copy_into_0005(source: str, target: str) -> None:
    """Every row of ``source`` into ``target`` (at revision 0005), with its ids."""
    migrate_to(target, "0005")
    read, write = create_engine(source), create_engine(target)
    with read.connect() as src, write.begin() as dst:
        for table in TABLES:
            columns = [c["name"] for c in inspect(dst).get_columns(table)]
            names = ", ".join(columns)
            rows = src.execute(text(f"SELECT {names} FROM {table} ORDER BY id")).all()
            if rows:
                marks = ", ".join(f":{c}" for c in columns)
                insert = text(f"INSERT INTO {table} ({names}) VALUES ({marks})")
                dst.execute(insert, [dict(row._mapping) for row in rows])
            if dst.dialect.name == "postgresql":
                dst.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
                )
    read.dispose()
    write.dispose()


@pytest.fixture
def old_store(db_url: str, demo_url: str) -> Iterator[str]:
    """The demo's history in a database at revision 0005."""
    _copy_into_0005(demo_url, db_url)
    assert schema_revision(db_url) == "0005"
    yield db_url


def test_the_demo_store_is_upgraded_event_by_event(old_store: str, demo_url: str) -> None:
    before = _rows(old_store, EVENTS)
    assert len(before) > 50  # the demo's history, not an empty store
    started = time.perf_counter()
    result = Store.upgrade(old_store)
    seconds = time.perf_counter() - started
    print(f"\nmigration 0005 → 0006 of {len(before)} events: {seconds:.2f} s")
    assert (result.before, result.after) == ("0005", "0006")
    after = _rows(old_store, EVENTS)
    assert after == before  # ids, refs, times, actors, notes: nothing rewritten
    plans = _rows(old_store, "SELECT DISTINCT plan_id FROM status_events")
    assert plans == [("aomori-dx-2024-2028",)]


def test_the_upgraded_store_answers_as_before(old_store: str, demo_url: str) -> None:
    Store.upgrade(old_store)
    assert _answers(old_store) == _answers(demo_url)


def test_the_upgraded_store_catalogues_its_plan(old_store: str) -> None:
    Store.upgrade(old_store)
    with Store(old_store) as store:  # without a plan: the database's only one
        (info,) = store.plans()
        assert store.plan_id == info.id == "aomori-dx-2024-2028"
    assert (info.name, info.period) == (default_plan().name, "FY2024–FY2028")
    assert info.revision == 1


def test_the_upgraded_history_stays_append_only(old_store: str) -> None:
    Store.upgrade(old_store)
    for table in ("plan_revisions", "baselines", "status_refs", "status_events", "review_records"):
        assert _rows(old_store, f"SELECT COUNT(*) FROM {table}")[0][0] > 0
        for sql in (f"UPDATE {table} SET plan_id = 'x'", f"DELETE FROM {table}"):
            with pytest.raises(Exception, match="append-only"):
                execute(old_store, sql)


def test_a_store_without_revisions_needs_the_plan_id(db_url: str) -> None:
    migrate_to(db_url, "0005")
    execute(db_url, "INSERT INTO status_refs (ref) VALUES ('a/x')")
    with pytest.raises(Exception, match="--plan-id"):
        Store.upgrade(db_url)
    assert schema_revision(db_url) == "0005"  # nothing changed
    Store.upgrade(db_url, plan_id="town-plan")
    assert _rows(db_url, "SELECT plan_id, ref FROM status_refs") == [("town-plan", "a/x")]


def test_a_plan_id_other_than_the_revisions_is_refused(old_store: str) -> None:
    with pytest.raises(Exception, match="aomori-dx-2024-2028"):
        Store.upgrade(old_store, plan_id="another")
    assert schema_revision(old_store) == "0005"


@pytest.mark.parametrize("bad", ["town-a\n", "town a", "", "x" * 201, "町"])
def test_a_plan_id_that_is_not_one_is_refused(bad: str) -> None:
    with pytest.raises(PlanError, match="プランID"):
        Store("sqlite://", plan_id=bad)
