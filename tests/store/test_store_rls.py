"""Row-level security on PostgreSQL: two offices' roles that cannot read or write each other's
rows, through the store or by hand-written SQL; the tables' owner still sees every plan."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from storetest import PLAN_DATA, Clock, database, jst

from aomori_roadmap.errors import PlanError, StoreError
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.feed_tokens import FeedTokens
from aomori_roadmap.store.security import enable_row_security, grant_plan
from aomori_roadmap.store.tables import PLAN_TABLES

REF = "alerts/study"


def _plan(plan_id: str) -> Plan:
    data = copy.deepcopy(PLAN_DATA)
    data["id"] = plan_id
    return plan_from_data(data)


@dataclass
class Offices:
    owner: str  # the URL of the tables' owner
    a: str  # the URL of town A's role
    b: str  # the URL of town B's role


def _admin(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _fill(url: str, plan: Plan) -> None:
    with Store(url, plan=plan, clock=Clock(jst(2025, 6, 2))) as store:
        store.save_revision(plan, "企画課", "当初")
        store.set_baseline("当初計画", actor="企画課")
        store.record_status(REF, "in_progress", actor="企画課", effective=jst(2025, 4, 3))
        store.reviews.submit("FY2024-H2", "alerts", rating="○", actor="企画課")
        FeedTokens(store).create("reviews", actor="企画課")


@pytest.fixture
def offices(tmp_path: Path) -> Iterator[Offices]:
    with database("postgresql", tmp_path) as owner:
        _fill(owner, _plan("town-a"))
        _fill(owner, _plan("town-b"))
        enable_row_security(owner)
        enable_row_security(owner)  # a second run changes nothing
        suffix = uuid.uuid4().hex[:8]
        roles = {"a": f"town_a_{suffix}", "b": f"town_b_{suffix}"}
        for role in roles.values():
            _admin(owner, f"CREATE ROLE {role} LOGIN")
        try:
            grant_plan(owner, "town-a", roles["a"], actor="県DX推進課")
            grant_plan(owner, "town-b", roles["b"], actor="県DX推進課")
            urls = {
                key: make_url(owner).set(username=role).render_as_string(hide_password=False)
                for key, role in roles.items()
            }
            yield Offices(owner, urls["a"], urls["b"])
        finally:
            for role in roles.values():
                _admin(owner, f"DROP OWNED BY {role}")
                _admin(owner, f"DROP ROLE {role}")


def _all(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql)).all()]
    finally:
        engine.dispose()


def test_each_role_reads_only_its_plan_by_hand_written_sql(offices: Offices) -> None:
    for url, own in ((offices.a, "town-a"), (offices.b, "town-b")):
        for table in PLAN_TABLES:
            found = _all(url, f"SELECT DISTINCT plan_id FROM {table}")
            empty = table == "kpi_actuals"  # the test plan has no KPI
            assert found == ([] if empty else [(own,)]), table
        assert _all(url, "SELECT id FROM plans") == [(own,)]
        assert [row[0] for row in _all(url, "SELECT plan_id FROM plan_roles")] == [own]
        other = "town-b" if own == "town-a" else "town-a"
        count = f"SELECT COUNT(*) FROM status_events WHERE plan_id = '{other}'"
        assert _all(url, count) == [(0,)]


def test_the_owner_sees_every_plan(offices: Offices) -> None:
    found = _all(offices.owner, "SELECT DISTINCT plan_id FROM status_events ORDER BY 1")
    assert found == [("town-a",), ("town-b",)]


def test_a_role_cannot_write_into_another_plan(offices: Offices) -> None:
    with pytest.raises(Exception, match="row-level security"):
        _all(offices.a, "INSERT INTO status_refs (plan_id, ref) VALUES ('town-b', 'x/y')")
    with pytest.raises(Exception, match=r"permission denied|row-level security"):
        _all(offices.a, "INSERT INTO plan_roles VALUES ('town-b', current_user, 'x', now())")
    engine = create_engine(offices.a)
    with engine.begin() as conn:
        changed = conn.execute(
            text("UPDATE feed_tokens SET revoked = now() WHERE plan_id = 'town-b'")
        ).rowcount
    engine.dispose()
    assert changed == 0
    assert _all(offices.owner, "SELECT COUNT(*) FROM feed_tokens WHERE revoked IS NOT NULL") == [
        (0,)
    ]


def test_through_the_store_a_role_sees_its_plan_only(offices: Offices) -> None:
    with Store(offices.a, plan_id="town-b") as store:
        assert store.status_as_of() == {}
        assert store.revisions() == [] and store.baselines() == []
        assert FeedTokens(store).list() == []
    with Store(offices.a) as store:  # without a plan: the only one it can see
        assert [p.id for p in store.plans()] == ["town-a"]
        assert store.plan_id == "town-a"
    plan = _plan("town-a")
    with Store(offices.a, plan=plan, clock=Clock(jst(2025, 7, 1))) as store:
        store.record_status(REF, "done", actor="A町企画課", effective=jst(2025, 6, 30))
        assert store.status_as_of()[REF].status == "done"
        assert len(store.reviews.records()) == 1
    with Store(offices.b, plan_id="town-b") as store:
        assert store.status_as_of()[REF].status == "in_progress"


def test_role_names_are_checked_before_any_sql(offices: Offices) -> None:
    with pytest.raises(PlanError, match="ロール名"):
        grant_plan(offices.owner, "town-a", 'x"; DROP TABLE plans; --', actor="県")
    with pytest.raises(StoreError):
        grant_plan(offices.owner, "town-a", f"nobody_{uuid.uuid4().hex[:8]}", actor="県")
    assert _all(offices.owner, "SELECT COUNT(*) FROM plans") == [(2,)]


def test_row_level_security_is_refused_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    Store(url).close()
    with pytest.raises(StoreError, match="PostgreSQL"):
        enable_row_security(url)
