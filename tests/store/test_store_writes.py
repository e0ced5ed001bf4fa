"""Recording status changes: checks, conflicts, corrections, all-or-nothing batches."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from storetest import Clock, assert_legal, jst

from aomori_roadmap.engine.status import Status, StatusChange, StatusChangeError
from aomori_roadmap.errors import ConflictError, PlanError, StoreError, TransitionError
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store

REF = "alerts/study"


def count_events(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM status_events")).scalar_one()
    engine.dispose()
    return int(count)


def test_a_change_is_stored_with_both_times(store: Store, clock: Clock) -> None:
    event = store.record_status(REF, "in_progress", actor="危機管理課", effective=jst(2025, 4, 10))
    assert event.from_status is Status.PLANNED
    assert event.status is Status.IN_PROGRESS
    assert event.effective == jst(2025, 4, 10)
    assert event.recorded == clock.now
    assert event.effective.tzinfo is not None and event.recorded.utcoffset() == timedelta(0)
    assert store.history(REF) == [event]


def test_effective_defaults_to_the_recorded_time(store: Store, clock: Clock) -> None:
    event = store.record_status(REF, "in_progress", actor="危機管理課")
    assert event.effective == event.recorded == clock.now


def test_a_batch_applies_changes_in_order(store: Store) -> None:
    at = jst(2025, 5, 1)
    changes = [
        StatusChange(REF, "in_progress", "危機管理課", effective=at),
        StatusChange(REF, "in_progress", "危機管理課", progress=60, effective=at),
        StatusChange(REF, "done", "危機管理課", effective=at),
    ]
    assert store.record_batch(changes) == 3
    trail = store.history(REF)
    assert [(e.from_status, e.status, e.progress) for e in trail] == [
        (Status.PLANNED, Status.IN_PROGRESS, 0),
        (Status.IN_PROGRESS, Status.IN_PROGRESS, 60),
        (Status.IN_PROGRESS, Status.DONE, 100),
    ]


def test_progress_carries_over_when_not_given(store: Store) -> None:
    store.record_status(REF, "in_progress", actor="県", progress=40, effective=jst(2025, 5, 1))
    held = store.record_status(REF, "on_hold", actor="県", effective=jst(2025, 5, 2))
    assert held.progress == 40


def test_done_means_all_progress(store: Store) -> None:
    store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 5, 1))
    with pytest.raises(StatusChangeError, match="100") as error:
        store.record_status(REF, "done", actor="県", progress=90)
    assert error.value.field == "progress"


def test_labels_are_accepted_as_statuses(store: Store) -> None:
    assert store.record_status(REF, "実施中", actor="県").status is Status.IN_PROGRESS


def test_an_illegal_transition_names_both_states(store: Store) -> None:
    store.record_status(REF, "done", actor="県", effective=jst(2025, 5, 1))
    with pytest.raises(TransitionError) as error:
        store.record_status(REF, "on_hold", actor="県")
    assert (error.value.old, error.value.new) == ("done", "on_hold")
    assert "完了 (done)" in str(error.value) and "保留 (on_hold)" in str(error.value)


def test_a_reopen_needs_a_note(store: Store) -> None:
    store.record_status(REF, "done", actor="県", effective=jst(2025, 5, 1))
    with pytest.raises(TransitionError, match="再開"):
        store.record_status(REF, "in_progress", actor="県")
    reopened = store.record_status(REF, "in_progress", actor="県", note="検収で不具合")
    assert reopened.from_status is Status.DONE


def test_expected_from_turns_a_race_into_a_conflict(store: Store) -> None:
    store.record_status(REF, "in_progress", actor="A課", effective=jst(2025, 5, 1))
    with pytest.raises(ConflictError) as error:
        store.record_status(REF, "in_progress", actor="B課", expected_from="planned")
    assert (error.value.old, error.value.new) == ("planned", "in_progress")
    assert len(store.history(REF)) == 1


def test_expected_from_that_matches_is_accepted(store: Store) -> None:
    event = store.record_status(REF, "in_progress", actor="A課", expected_from=Status.PLANNED)
    assert event.from_status is Status.PLANNED


def test_changes_with_the_same_time_keep_their_batch_order(store: Store) -> None:
    changes = [StatusChange(REF, s, "県") for s in ("in_progress", "on_hold", "in_progress")]
    store.record_batch(changes)
    assert [e.status for e in store.history(REF)] == [
        Status.IN_PROGRESS,
        Status.ON_HOLD,
        Status.IN_PROGRESS,
    ]
    assert_legal(store.history(REF))


@pytest.mark.parametrize(
    ("change", "error_type", "field"),
    [
        (StatusChange("alerts/nosuch", "in_progress", "県"), StatusChangeError, "ref"),
        (StatusChange("alerts/study", "planned", "県"), TransitionError, None),
        (
            StatusChange("alerts/study", "in_progress", "県", progress=101),
            StatusChangeError,
            "progress",
        ),
        (
            StatusChange("alerts/study", "in_progress", "県", progress=-1),
            StatusChangeError,
            "progress",
        ),
        (
            StatusChange("alerts/study", "in_progress", "県", effective=datetime(2025, 5, 1, 9)),
            StatusChangeError,
            "effective",
        ),
        (
            StatusChange("alerts/study", "in_progress", "県", effective=jst(2024, 3, 29)),
            StatusChangeError,
            "effective",
        ),
        (
            StatusChange("alerts/study", "in_progress", "県", effective=jst(2025, 6, 3)),
            StatusChangeError,
            "effective",
        ),
        (StatusChange("alerts/study", "in_progress", "  "), StatusChangeError, "actor"),
        (StatusChange("alerts/study", "started", "県"), StatusChangeError, "status"),
    ],
    ids=[
        "unknown-ref",
        "illegal-transition",
        "progress-over-100",
        "progress-below-0",
        "naive-datetime",
        "before-the-plan",
        "in-the-future",
        "empty-actor",
        "unknown-status",
    ],
)
def test_bad_input_gives_one_clear_error_and_writes_nothing(
    store: Store,
    db_url: str,
    change: StatusChange,
    error_type: type[Exception],
    field: str | None,
) -> None:
    store.record_status(REF, "cancelled", actor="県", effective=jst(2025, 4, 1))
    store.record_status(REF, "planned", actor="県", effective=jst(2025, 4, 2), note="再開する")
    with pytest.raises(error_type) as error:
        store.record_batch([StatusChange("learning/model", "in_progress", "教育庁"), change])
    assert isinstance(error.value, ValueError)  # bad input, whatever its kind
    assert "変更 #2" in str(error.value)
    if field is not None:
        assert isinstance(error.value, StatusChangeError)
        assert (error.value.field, error.value.index) == (field, 1)
    assert count_events(db_url) == 2
    assert "learning/model" not in store.status_as_of()


def test_an_effective_time_after_the_plan_is_refused(db_url: str, plan: Plan) -> None:
    late = Clock(jst(2029, 4, 2))
    with Store(db_url, plan=plan, clock=late) as store:
        with pytest.raises(StatusChangeError, match="期間"):
            store.record_status(REF, "in_progress", actor="県")
        store.record_status(REF, "in_progress", actor="県", effective=jst(2029, 3, 31, 23))


def test_a_big_batch_with_one_bad_change_writes_nothing(store: Store, db_url: str) -> None:
    changes = [StatusChange(REF, "in_progress", "県", progress=n % 100) for n in range(6_000)]
    changes.append(StatusChange(REF, "planned", "県"))  # in_progress → planned: illegal
    with pytest.raises(TransitionError, match="変更 #6001"):
        store.record_batch(changes)
    assert count_events(db_url) == 0


def test_a_naive_clock_is_refused(db_url: str, plan: Plan) -> None:
    store = Store(db_url, plan=plan, clock=lambda: datetime(2025, 6, 1))
    with store, pytest.raises(PlanError, match="タイムゾーン"):
        store.record_status(REF, "in_progress", actor="県")


def test_without_a_plan_a_ref_is_checked_for_its_form(db_url: str, clock: Clock) -> None:
    with Store(db_url, clock=clock) as store:
        store.record_status("anything/goes", "in_progress", actor="県")
        store.record_status("initiative-only", "in_progress", actor="県")
        with pytest.raises(StatusChangeError):
            store.record_status("a/b/c", "in_progress", actor="県")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE status_events SET note = 'rewritten'",
        "DELETE FROM status_events",
        "UPDATE status_refs SET ref = 'x/y'",
        "DELETE FROM plan_revisions",
        "UPDATE baselines SET name = 'other'",
        "DELETE FROM baselines",
    ],
)
def test_the_database_refuses_to_rewrite_history(
    store: Store, db_url: str, plan: Plan, sql: str
) -> None:
    store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 5, 1))
    store.set_baseline("当初", actor="DX推進課")
    engine = create_engine(db_url)
    try:
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()
    assert store.history(REF)[0].note == ""
    assert store.baseline("当初").name == "当初"


# --- back-dated changes ------------------------------------------------------------------------


def test_a_back_dated_change_that_fits_is_accepted(store: Store) -> None:
    store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 1))
    store.record_status(REF, "done", actor="県", effective=jst(2025, 5, 31))
    late = store.record_status(
        REF, "in_progress", actor="県", progress=50, effective=jst(2025, 5, 1)
    )
    assert late.from_status is Status.IN_PROGRESS
    trail = store.history(REF)
    assert [e.progress for e in trail] == [0, 50, 100]
    assert_legal(trail)


def test_a_back_dated_change_must_fit_the_event_after_it(store: Store, db_url: str) -> None:
    store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 1))
    done = store.record_status(REF, "done", actor="県", effective=jst(2025, 5, 31))
    with pytest.raises(TransitionError, match=f"#{done.id}"):
        store.record_status(REF, "cancelled", actor="県", effective=jst(2025, 5, 1))
    assert count_events(db_url) == 2


def test_a_back_dated_change_is_checked_against_the_state_before_it(store: Store) -> None:
    store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 1))
    with pytest.raises(TransitionError) as error:
        store.record_status(REF, "done", actor="県", effective=jst(2025, 3, 1))
    assert error.value.new == "in_progress"  # done → in_progress (the later event) fails


def test_expected_from_is_the_state_at_the_effective_time(store: Store) -> None:
    store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 1))
    with pytest.raises(ConflictError):
        store.record_status(
            REF, "in_progress", actor="県", effective=jst(2025, 4, 2), expected_from="planned"
        )
    store.record_status(
        REF, "on_hold", actor="県", effective=jst(2025, 3, 1), expected_from="planned"
    )


# --- corrections -------------------------------------------------------------------------------


def test_a_correction_is_a_new_event_pointing_at_the_old(store: Store) -> None:
    wrong = store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 10))
    fixed = store.record_status(
        REF,
        "in_progress",
        actor="県",
        effective=jst(2025, 4, 20),
        corrects=wrong.id,
        note="開始日の誤り",
    )
    assert fixed.corrects == wrong.id
    trail = store.history(REF)
    assert [(e.id, e.corrected_by) for e in trail] == [(wrong.id, fixed.id), (fixed.id, None)]
    assert store.status_as_of()[REF].started == jst(2025, 4, 20)


def test_an_event_is_corrected_once(store: Store) -> None:
    wrong = store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 10))
    first = store.record_status(
        REF, "on_hold", actor="県", effective=jst(2025, 4, 10), corrects=wrong.id
    )
    with pytest.raises(ConflictError, match=f"#{first.id}"):
        store.record_status(
            REF, "cancelled", actor="県", effective=jst(2025, 4, 10), corrects=wrong.id
        )
    second = store.record_status(
        REF, "cancelled", actor="県", effective=jst(2025, 4, 10), corrects=first.id
    )
    assert store.status_as_of()[REF].event_id == second.id


def test_a_correction_must_be_of_the_same_ref(store: Store) -> None:
    other = store.record_status("learning/model", "in_progress", actor="県")
    with pytest.raises(StatusChangeError, match="learning/model") as error:
        store.record_status(REF, "in_progress", actor="県", corrects=other.id)
    assert error.value.field == "corrects"


def test_a_correction_of_a_missing_event_is_refused(store: Store) -> None:
    with pytest.raises(StatusChangeError, match="#999"):
        store.record_status(REF, "in_progress", actor="県", corrects=999)


def test_a_correction_must_keep_the_sequence_legal(store: Store) -> None:
    start = store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 1))
    store.record_status(REF, "done", actor="県", effective=jst(2025, 5, 1))
    with pytest.raises(TransitionError):  # cancelled → done is not a legal sequence
        store.record_status(
            REF, "cancelled", actor="県", effective=jst(2025, 4, 1), corrects=start.id
        )


def test_two_corrections_of_one_event_in_a_batch_conflict(store: Store, db_url: str) -> None:
    wrong = store.record_status(REF, "in_progress", actor="県", effective=jst(2025, 4, 10))
    changes = [
        StatusChange(REF, "in_progress", "県", effective=jst(2025, 4, 11), corrects=wrong.id),
        StatusChange(REF, "in_progress", "県", effective=jst(2025, 4, 12), corrects=wrong.id),
    ]
    with pytest.raises(ConflictError):
        store.record_batch(changes)
    assert count_events(db_url) == 1


def test_the_store_plan_revision_is_attached(store: Store, plan: Plan) -> None:
    revision = store.save_revision(plan, author="DX推進課")
    assert store.record_status(REF, "in_progress", actor="県").revision == revision.id


def test_an_unknown_revision_is_refused(store: Store) -> None:
    with pytest.raises(StatusChangeError, match="#42"):
        store.record_status(REF, "in_progress", actor="県", revision=42)


def test_a_lost_database_is_a_store_error_that_hides_the_password(plan: Plan) -> None:
    with pytest.raises(StoreError) as error:
        Store("postgresql+psycopg://nobody:s3cret@127.0.0.1:1/none", plan=plan)
    assert "127.0.0.1" in str(error.value) and "s3cret" not in str(error.value)
