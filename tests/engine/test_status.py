"""Status values, the transition table, lateness and the result types (pure, no store)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from aomori_roadmap.engine.status import (
    NOTE_REQUIRED,
    TRANSITIONS,
    Lateness,
    Status,
    StatusEvent,
    StatusState,
    check_sequence,
    check_transition,
    lateness,
    lateness_all,
    parse_status,
)
from aomori_roadmap.errors import PlanError, TransitionError


@dataclass(frozen=True)
class Planned:
    """The planned dates of a task, as ``schedule.ScheduledTask`` has them."""

    early_start: date = date(2025, 4, 1)
    early_finish: date = date(2025, 9, 30)
    total_slack: int = 20


def state(status: str, started: datetime | None = None) -> StatusState:
    at = datetime(2025, 4, 1, tzinfo=UTC)
    return StatusState("a/x", Status(status), 0, at, 1, "県", "", started=started)


def test_every_status_has_japanese_and_english_labels() -> None:
    assert [s.label() for s in Status] == ["未着手", "実施中", "保留", "完了", "中止"]
    assert Status.CANCELLED.label("en") == "Cancelled"
    with pytest.raises(PlanError):
        Status.DONE.label("fr")


@pytest.mark.parametrize("text", ["done", "完了", "Done", " DONE "])
def test_a_status_is_read_from_its_code_or_labels(text: str) -> None:
    assert parse_status(text) is Status.DONE


def test_an_unknown_status_lists_the_accepted_ones() -> None:
    with pytest.raises(PlanError, match="未着手 \\(planned\\)"):
        parse_status("started")


@pytest.mark.parametrize(("old", "new"), list(itertools.product(Status, Status)))
def test_the_transition_table_decides_every_pair(old: Status, new: Status) -> None:
    if new in TRANSITIONS[old]:
        check_transition(old, new, note="理由")
    else:
        with pytest.raises(TransitionError) as error:
            check_transition(old, new, note="理由")
        assert (error.value.old, error.value.new) == (old.value, new.value)
        assert old.named in str(error.value) and new.named in str(error.value)


@pytest.mark.parametrize(("old", "new"), sorted(NOTE_REQUIRED))
def test_undoing_a_decision_needs_a_note(old: Status, new: Status) -> None:
    with pytest.raises(TransitionError, match="note"):
        check_transition(old, new, note="  ")
    check_transition(old, new, note="監査で不備が見つかったため")


def test_a_progress_report_keeps_a_task_in_progress() -> None:
    check_transition("in_progress", "in_progress")


def test_a_sequence_starts_from_planned() -> None:
    check_sequence([("in_progress", ""), ("on_hold", ""), ("in_progress", ""), ("done", "")])
    with pytest.raises(TransitionError):
        check_sequence([("planned", "")])


def test_a_transition_error_is_bad_input() -> None:
    with pytest.raises(ValueError):
        check_transition("cancelled", "done")


# --- lateness ----------------------------------------------------------------------------------


def test_lateness_labels() -> None:
    assert [x.label() for x in Lateness] == ["順調", "要注意", "遅延"]
    assert Lateness.LATE.label("en") == "Late"


def test_a_task_not_yet_due_to_start_is_on_track() -> None:
    assert lateness(Planned(), None, date(2025, 3, 31)) is Lateness.ON_TRACK


def test_a_task_not_started_after_its_planned_start_is_at_risk() -> None:
    assert lateness(Planned(), None, date(2025, 4, 2)) is Lateness.AT_RISK


def test_a_task_started_after_its_planned_start_is_at_risk() -> None:
    started = datetime(2025, 4, 10, tzinfo=UTC)
    assert lateness(Planned(), state("in_progress", started), date(2025, 5, 1)) is Lateness.AT_RISK


def test_a_task_started_on_time_is_on_track() -> None:
    started = datetime(2025, 3, 31, 16, tzinfo=UTC)  # 2025-04-01 01:00 in Japan
    assert lateness(Planned(), state("in_progress", started), date(2025, 5, 1)) is Lateness.ON_TRACK


def test_a_task_on_hold_in_its_window_is_at_risk() -> None:
    started = datetime(2025, 4, 1, tzinfo=UTC)
    assert lateness(Planned(), state("on_hold", started), date(2025, 5, 1)) is Lateness.AT_RISK


def test_low_slack_is_at_risk() -> None:
    planned = Planned(total_slack=3)
    started = datetime(2025, 4, 1, tzinfo=UTC)
    running = state("in_progress", started)
    assert lateness(planned, running, date(2025, 5, 1)) is Lateness.ON_TRACK
    assert lateness(planned, running, date(2025, 5, 1), slack_threshold=5) is Lateness.AT_RISK
    assert lateness(Planned(total_slack=-2), running, date(2025, 5, 1)) is Lateness.AT_RISK


def test_past_its_planned_finish_and_not_done_is_late() -> None:
    started = datetime(2025, 4, 1, tzinfo=UTC)
    assert lateness(Planned(), state("in_progress", started), date(2025, 10, 1)) is Lateness.LATE
    assert lateness(Planned(), None, date(2025, 10, 1)) is Lateness.LATE


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_a_closed_task_is_never_late(status: str) -> None:
    assert lateness(Planned(), state(status), date(2026, 1, 1)) is Lateness.ON_TRACK


def test_lateness_of_every_task() -> None:
    @dataclass(frozen=True)
    class Plan:
        tasks: dict[str, Planned]

    plan = Plan({"a/x": Planned(), "a/y": Planned(early_start=date(2025, 10, 1))})
    assert lateness_all(plan, {}, date(2025, 6, 1)) == {
        "a/x": Lateness.AT_RISK,
        "a/y": Lateness.ON_TRACK,
    }


# --- result types ------------------------------------------------------------------------------


def test_an_event_as_json() -> None:
    at = datetime(2025, 4, 1, tzinfo=UTC)
    event = StatusEvent(7, "a/x", Status.PLANNED, Status.IN_PROGRESS, 10, at, at, "県", "開始")
    data = event.to_json()
    assert data["from"] == "planned" and data["status"] == "in_progress"
    assert data["effective"] == "2025-04-01T00:00:00+00:00"
    assert data["corrects"] is None


def test_a_state_as_json() -> None:
    data = state("in_progress", datetime(2025, 4, 2, tzinfo=UTC)).to_json()
    assert (data["status"], data["started"], data["finished"]) == (
        "in_progress",
        "2025-04-02T00:00:00+00:00",
        None,
    )
