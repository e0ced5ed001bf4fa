"""Plan revisions, baselines, diffs between revisions and variance against a baseline."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from storetest import PLAN_DATA, Clock, jst

from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store, plan_hash


def revised(change: Any) -> Plan:
    """The test plan with ``change(data)`` applied to a copy of its data."""
    data = copy.deepcopy(PLAN_DATA)
    change(data)
    return plan_from_data(data)


def longer_study(data: dict[str, Any]) -> None:
    tasks = data["initiatives"][0]["tasks"]
    tasks[0]["duration"] = "2half"  # 検討 takes a year instead of a half
    tasks.append({"id": "review", "name": "評価", "after": "launch", "duration": "20bd"})
    data["initiatives"][1]["tasks"].pop()  # 全県展開 is dropped


def test_the_same_content_is_the_same_revision(store: Store, plan: Plan) -> None:
    first = store.save_revision(plan, "DX推進課", "当初")
    again = store.save_revision(plan_from_data(copy.deepcopy(PLAN_DATA)), "別の人")
    assert again == first
    assert first.hash == plan_hash(plan)
    assert (first.author, first.note, first.plan_id) == ("DX推進課", "当初", "test-plan")


def test_revisions_are_listed_and_read_back(store: Store, plan: Plan) -> None:
    first = store.save_revision(plan, "DX推進課")
    second = store.save_revision(revised(longer_study), "DX推進課", "検討を延長")
    assert [r.id for r in store.revisions()] == [first.id, second.id]
    assert store.revision(first.id) == plan
    assert store.revision(str(second.id)) == revised(longer_study)
    assert store.revision(second.hash[:8]) == revised(longer_study)


def test_an_unknown_revision_is_a_clear_error(store: Store) -> None:
    with pytest.raises(PlanError, match="改訂 'nosuch'"):
        store.revision("nosuch")


def test_an_author_is_required(store: Store, plan: Plan) -> None:
    with pytest.raises(PlanError, match="author"):
        store.save_revision(plan, " ")


def test_a_baseline_defaults_to_the_store_plan(store: Store, plan: Plan) -> None:
    baseline = store.set_baseline("当初計画", actor="DX推進課")
    assert store.revision("当初計画") == plan
    assert store.baseline("当初計画") == baseline


def test_the_newest_setting_of_a_baseline_wins(store: Store, plan: Plan, clock: Clock) -> None:
    first = store.save_revision(plan, "DX推進課")
    second = store.save_revision(revised(longer_study), "DX推進課")
    store.set_baseline("R7見直し", first.id, actor="DX推進課")
    clock.advance(days=1)
    store.set_baseline("R7見直し", second.id, actor="DX推進課", note="見直し後")
    store.set_baseline("当初計画", first.id, actor="DX推進課")
    assert store.baseline("R7見直し").revision == second
    assert [(b.name, b.revision.id) for b in store.baselines()] == [
        ("R7見直し", second.id),
        ("当初計画", first.id),
    ]


def test_an_unknown_baseline_lists_the_known_ones(store: Store) -> None:
    store.set_baseline("当初計画", actor="DX推進課")
    with pytest.raises(PlanError, match="当初計画"):
        store.baseline("nosuch")


def test_a_diff_lists_tasks_and_their_shifts(store: Store, plan: Plan) -> None:
    first = store.save_revision(plan, "DX推進課")
    second = store.save_revision(revised(longer_study), "DX推進課")
    diff = store.diff(first.id, second.id)
    assert (diff.old, diff.new) == (first.id, second.id)
    assert diff.added == ["alerts/review"]
    assert diff.removed == ["learning/expand"]
    assert diff.changed == {"alerts/study": ["duration"]}
    calendar = schedule(plan).calendar
    before, after = schedule(plan).tasks, schedule(revised(longer_study)).tasks
    expected = calendar.working_days_between(
        before["alerts/build"].early_start, after["alerts/build"].early_start
    )
    assert expected > 100  # half a year later
    assert diff.shifts["alerts/build"].start_days == expected
    assert diff.shifts["learning/model"].moved is False
    assert set(diff.moved) == {"alerts/study", "alerts/build", "alerts/launch"}


def test_a_diff_against_a_plan_in_memory(store: Store, plan: Plan) -> None:
    store.set_baseline("当初計画", actor="DX推進課")
    diff = store.diff("当初計画", revised(longer_study))
    assert diff.new is None and diff.added == ["alerts/review"]


def test_variance_against_a_baseline(store: Store, plan: Plan) -> None:
    store.set_baseline("当初計画", actor="DX推進課")
    # 検討 started 2024-04-15 (10 working days late) and is still running.
    store.record_status("alerts/study", "in_progress", actor="県", effective=jst(2024, 4, 15))
    variance = store.variance(plan, "当初計画")
    study = variance.tasks["alerts/study"]
    assert study.start_days == 10
    assert variance.tasks["learning/model"].moved is False
    assert variance.initiatives["alerts"].start_days == 10
    assert variance.baseline == "当初計画" and not variance.added and not variance.removed


def test_variance_lists_tasks_added_since_the_baseline(store: Store, plan: Plan) -> None:
    store.set_baseline("当初計画", actor="DX推進課")
    variance = store.variance(revised(longer_study), "当初計画", actuals={})
    assert variance.added == ["alerts/review"]
    assert variance.removed == ["learning/expand"]
    assert variance.to_json()["tasks"][0]["ref"] == "alerts/study"
