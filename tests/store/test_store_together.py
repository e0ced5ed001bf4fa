"""Status changes, review submissions and KPI actuals written in one transaction.

Every test runs on SQLite and on PostgreSQL (see ``conftest.py``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from storetest import PLAN_DATA, Clock, jst

from aomori_roadmap.engine.status import StatusChange
from aomori_roadmap.errors import ConflictError, PlanError, TransitionError
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.store import Store
from aomori_roadmap.store.review_log import KpiEntry, Submission
from aomori_roadmap.store.store import Unchanged

KPIS = [
    {"id": "support", "name": "支援件数", "source": "県調べ",
     "baseline": {"fy": 2023, "value": 100}, "target": {"fy": 2028, "value": 200}},
]  # fmt: skip
PLAN = {**PLAN_DATA, "kpis": KPIS}
TABLES = ("status_events", "review_records", "kpi_actuals")


def counts(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = tuple(
            int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
        )
    engine.dispose()
    return found


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[Store]:
    with Store(db_url, plan=plan_from_data(PLAN), clock=clock) as opened:
        yield opened


def test_all_three_kinds_are_written_with_one_recorded_time(store: Store, clock: Clock) -> None:
    done = store.record_together(
        status=[StatusChange("learning/model", "in_progress", "教育庁", 10, jst(2025, 4, 1))],
        submissions=[Submission("FY2025-H1", "learning", "○", "教育庁", achievements="選定")],
        kpi_actuals=[KpiEntry("support", 2025, 150, "教育庁", note="workbook")],
    )
    assert done.events == 1
    assert done.submissions[0].recorded == done.kpi_actuals[0].recorded == clock.now
    assert store.history("learning/model")[0].recorded == clock.now
    assert store.reviews.state("FY2025-H1", "learning").submission == done.submissions[0]
    assert store.kpis.values() == {"support": {2025: 150.0}}


@pytest.mark.parametrize(
    ("status", "submissions", "kpis", "error"),
    [
        ([StatusChange("learning/model", "done", "課"), StatusChange("learning/model", "on_hold",
          "課")], [], [], TransitionError),
        ([StatusChange("learning/model", "done", "課")],
         [Submission("FY2025-H1", "learning", "☆", "課")], [], PlanError),
        ([StatusChange("learning/model", "done", "課")], [],
         [KpiEntry("support", 2025, float("nan"), "課")], PlanError),
        ([], [Submission("FY2025-H1", "learning", "○", "課")],
         [KpiEntry("nothing", 2025, 1, "課")], PlanError),
    ],
)  # fmt: skip
def test_one_bad_part_writes_nothing_at_all(
    store: Store,
    db_url: str,
    status: list[StatusChange],
    submissions: list[Submission],
    kpis: list[KpiEntry],
    error: type[Exception],
) -> None:
    before = counts(db_url)
    with pytest.raises(error):
        store.record_together(status, submissions, kpis)
    assert counts(db_url) == before


def test_a_transition_found_illegal_inside_the_transaction_rolls_back_the_records(
    store: Store, db_url: str
) -> None:
    store.record_status("learning/model", "done", actor="課", effective=jst(2025, 5, 1))
    before = counts(db_url)
    with pytest.raises(TransitionError):
        store.record_together(
            status=[StatusChange("learning/model", "on_hold", "課")],
            submissions=[Submission("FY2025-H1", "learning", "○", "課")],
            kpi_actuals=[KpiEntry("support", 2025, 1, "課")],
        )
    assert counts(db_url) == before


def test_what_changed_since_it_was_read_is_a_conflict(store: Store, db_url: str) -> None:
    first = store.record_status("learning/model", "in_progress", actor="課")
    seen = Unchanged(
        events={"learning/model": first.id, "learning/expand": None},
        submissions={("FY2025-H1", "learning"): None},
        kpi_actuals={("support", 2025): None},
    )
    store.reviews.submit("FY2025-H1", "learning", rating="△", actor="他の人")
    before = counts(db_url)
    with pytest.raises(ConflictError, match="learning"):
        store.record_together(
            status=[StatusChange("learning/model", "in_progress", "課", 50)],
            submissions=[Submission("FY2025-H1", "learning", "○", "課")],
            unchanged=seen,
        )
    assert counts(db_url) == before
    fresh = Unchanged(
        events={"learning/model": first.id},
        submissions={("FY2025-H1", "learning"): store.reviews.state(
            "FY2025-H1", "learning").submission.id},  # type: ignore[union-attr]
    )  # fmt: skip
    assert (
        store.record_together(
            status=[StatusChange("learning/model", "in_progress", "課", 50)], unchanged=fresh
        ).events
        == 1
    )


def test_a_later_status_event_or_kpi_value_is_a_conflict_too(store: Store) -> None:
    kpi = store.kpis.record("support", 2025, 1, actor="課")
    with pytest.raises(ConflictError):
        store.record_together(
            kpi_actuals=[KpiEntry("support", 2025, 2, "課")],
            unchanged=Unchanged(kpi_actuals={("support", 2025): None}),
        )
    assert (
        store.record_together(
            kpi_actuals=[KpiEntry("support", 2025, 2, "課")],
            unchanged=Unchanged(kpi_actuals={("support", 2025): kpi.id}),
        )
        .kpi_actuals[0]
        .value
        == 2.0
    )
    with pytest.raises(ConflictError):
        store.record_together(
            status=[StatusChange("alerts/study", "in_progress", "課")],
            unchanged=Unchanged(events={"alerts/study": 12345}),
        )


def test_nothing_to_write_writes_nothing(store: Store, db_url: str) -> None:
    assert store.record_together().events == 0
    assert counts(db_url) == (0, 0, 0)


# --- two writers at once ------------------------------------------------------------------------

SPAWN = multiprocessing.get_context("forkserver")
ROUNDS = 40


def _department(url: str, worker: int) -> int:
    """Send ROUNDS returns, each guarded by what the writer read just before; retry conflicts."""
    written = 0
    with Store(url, plan=plan_from_data(PLAN), clock=lambda: jst(2025, 6, 2)) as store:
        for n in range(ROUNDS):
            while True:
                standing = {a.fy: a.id for a in store.kpis.actuals("support")}
                try:
                    store.record_together(
                        kpi_actuals=[
                            KpiEntry(
                                "support",
                                2025,
                                worker * 1000 + n,
                                f"課{worker}",
                                note=str(standing.get(2025)),
                            )
                        ],
                        unchanged=Unchanged(kpi_actuals={("support", 2025): standing.get(2025)}),
                    )
                    written += 1
                    break
                except ConflictError:
                    continue
    return written


def test_two_writers_of_the_same_kpi_each_see_the_other(db_url: str) -> None:
    # Each value names the value it replaced: with the guard checked under the write lock,
    # the values form one chain, none written over one its writer never saw.
    Store(db_url).close()
    with SPAWN.Pool(2) as pool:
        results = pool.starmap(_department, [(db_url, 1), (db_url, 2)])
    assert results == [ROUNDS, ROUNDS]
    with Store(db_url, plan=plan_from_data(PLAN)) as store:
        records = store.kpis.records("support")
    assert len(records) == 2 * ROUNDS
    assert [r.note for r in records] == ["None", *(str(r.id) for r in records[:-1])]
