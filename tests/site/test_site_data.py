"""What the site says: the moment, the records as known, the KPI years and every kind of change."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from forking import count_forks
from sitetest import R6_END, R7_H1_END, record_history, record_later
from storetest import Clock, jst

from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views import site as views_site
from aomori_roadmap.views.site import (
    Moment,
    compare,
    previous_moment,
    site_data,
    site_moment,
)

TODAY = date(2026, 6, 1)


def test_a_cycle_is_its_half_end_as_known_on_its_publication(plan: Plan) -> None:
    moment = site_moment(plan, cycle="R7上期", today=TODAY)
    assert moment == Moment(R7_H1_END, date(2025, 11, 6), "FY2025-H1")
    assert previous_moment(plan, moment) == Moment(R6_END, date(2025, 5, 8), "FY2024-H2")
    # Not yet published: known today.
    early = site_moment(plan, cycle="R7上期", today=date(2025, 10, 20))
    assert early.known == date(2025, 10, 20)


def test_a_date_compares_with_the_last_cycle_published_before_it(plan: Plan) -> None:
    assert previous_moment(plan, Moment(date(2025, 11, 5), date(2025, 11, 5))) == Moment(
        R6_END, date(2025, 5, 8), "FY2024-H2"
    )
    after = previous_moment(plan, Moment(date(2025, 11, 7), date(2025, 11, 7)))
    assert after is not None and after.cycle == "FY2025-H1"
    assert previous_moment(plan, Moment(date(2024, 6, 1), date(2024, 6, 1))) is None


@pytest.mark.parametrize(
    ("as_of", "cycle"), [(None, None), (date(2025, 1, 1), "R7上期")], ids=["neither", "both"]
)
def test_a_moment_needs_a_date_or_a_cycle(
    plan: Plan, as_of: date | None, cycle: str | None
) -> None:
    with pytest.raises(PlanError):
        site_moment(plan, as_of=as_of, cycle=cycle, today=TODAY)
    with pytest.raises(PlanError):
        site_moment(plan, cycle="R7第三期", today=TODAY)


def test_the_records_are_those_known_at_the_moment(plan: Plan, store: Store) -> None:
    then = site_data(plan, store, site_moment(plan, cycle="R6下期", today=TODAY))
    a = then.initiatives["a"]
    # The R6下期 submission as first recorded (its correction came in October).
    assert [(r.cycle, r.own, r.office) for r in a.reviews] == [
        ("FY2024-H1", None, None), ("FY2024-H2", "○", None),
    ]  # fmt: skip
    assert then.kpis["k1"].latest is not None and then.kpis["k1"].latest.actual == 120.0
    now = site_data(plan, store, site_moment(plan, cycle="R7上期", today=TODAY))
    a = now.initiatives["a"]
    assert [(r.cycle, r.own, r.office) for r in a.reviews][1:] == [
        ("FY2024-H2", "△", None), ("FY2025-H1", "◎", "○"),
    ]  # fmt: skip
    assert {t.ref: t.status.value for t in a.tasks} == {"a/t1": "done", "a/t2": "in_progress"}


def test_kpi_years_by_hand(plan: Plan, store: Store) -> None:
    data = site_data(plan, store, site_moment(plan, cycle="R7上期", today=TODAY))
    k1 = {y.fy: y for y in data.kpis["k1"].years}
    # Baseline 100 (2023), yearly target 130 (2025), target 200 (2028).
    assert (k1[2023].planned, k1[2025].planned, k1[2028].planned, k1[2026].planned) == (
        100, 130, 200, None,
    )  # fmt: skip
    assert k1[2024].expected == 115.0 and k1[2026].expected == pytest.approx(153.333, abs=1e-3)
    assert (k1[2024].actual, k1[2024].rate, k1[2024].evaluation.code) == (120.0, 20.0, "on_track")
    assert (k1[2025].actual, k1[2025].rate, k1[2025].evaluation.code) == (140.0, 40.0, "on_track")
    assert data.kpis["k1"].latest is not None and data.kpis["k1"].latest.fy == 2025
    k2 = {y.fy: y for y in data.kpis["k2"].years}
    # Not a number: kept as a mark, no rate, not evaluated, never zero.
    assert (k2[2024].actual, k2[2024].mark, k2[2024].rate) == (None, KpiMark.UNKNOWN, None)
    assert k2[2024].evaluation.code == "unset" and k2[2024].entered
    assert data.kpis["k1"].initiatives == ("a",) and data.kpis["k1"].indicators == ("ind1",)
    assert data.kpis["ind2"].parent == "a" and data.initiatives["a"].indicators == ("ind2",)


def test_every_kind_of_change_since_the_previous_cycle(plan: Plan, store: Store) -> None:
    data = site_data(plan, store, site_moment(plan, cycle="R7上期", today=TODAY))
    found = {(c.subject, c.ref, c.kind, c.what, c.before, c.after) for c in data.changes}
    assert ("task", "a/t1", "status", "status", "in_progress", "done") in found
    assert ("task", "a/t2", "status", "status", "planned", "in_progress") in found
    assert any(c[1] == "a/t1" and c[2] == "dates" and c[3] == "finish" for c in found)
    assert ("initiative", "a", "rating", "self:FY2024-H2", "○", "△") in found  # a correction
    assert ("initiative", "a", "rating", "self:FY2025-H1", None, "◎") in found  # a first rating
    assert ("initiative", "a", "rating", "office:FY2025-H1", None, "○") in found
    assert ("kpi", "k1", "value", "FY2025", None, "140") in found  # as the open data writes it
    assert ("kpi", "k2", "value", "FY2024", None, "unknown") in found
    # Nothing else changed: b and its task, k1's 2024 value, the indicators.
    assert not {c for c in found if c[1] in ("b", "b/s1", "ind1", "ind2")}
    assert not {c for c in found if c[1] == "k1" and c[3] == "FY2024"}
    # Each subject carries its own changes (an initiative, its tasks' too).
    assert {c.ref for c in data.initiatives["a"].changes} == {"a", "a/t1", "a/t2"}
    assert data.initiatives["b"].changes == ()


@pytest.mark.parametrize("in_memory", [False, True])
def test_the_earlier_moment_read_beside_gives_the_same_changes(
    plan: Plan, store: Store, in_memory: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = site_moment(plan, cycle="R7上期", today=TODAY)
    if in_memory:  # lives in this process alone: read here, not in a forked one
        clock = Clock(jst(2024, 4, 1))
        store = Store("sqlite://", plan=plan, clock=clock)
        record_history(store, clock)
    assert store.database.shareable is not in_memory
    forked = count_forks(monkeypatch, views_site)
    alone = site_data(plan, store, moment)
    beside = site_data(plan, store, moment, jobs=2)
    assert forked == ([] if in_memory else ["_facts_in_own_store"])
    assert beside.changes == alone.changes and beside.changes
    assert beside.initiatives == alone.initiatives and beside.kpis == alone.kpis


def test_a_new_subject_and_an_evaluation_change(plan: Plan, store: Store) -> None:
    now = site_data(plan, store, site_moment(plan, cycle="R7上期", today=TODAY),
                    compare_with=None)  # fmt: skip
    assert now.changes == () and now.previous is None
    then = dataclasses.replace(
        now,
        initiatives={k: v for k, v in now.initiatives.items() if k != "b"},
        kpis={**now.kpis, "k1": dataclasses.replace(
            now.kpis["k1"], latest=dataclasses.replace(
                now.kpis["k1"].latest, evaluation=dataclasses.replace(
                    now.kpis["k1"].latest.evaluation, code="behind")))},  # type: ignore[arg-type]
    )  # fmt: skip
    found = {(c.subject, c.ref, c.kind, c.what) for c in compare(now, then)}
    assert ("initiative", "b", "new", "") in found and ("task", "b/s1", "new", "") in found
    assert ("kpi", "k1", "value", "evaluation") in found


def _grown(plan: Plan) -> Plan:
    """``plan`` with an initiative, a task and a KPI more."""
    import copy

    from sitetest import SITE_PLAN

    from aomori_roadmap.plan.loader import plan_from_data

    data = copy.deepcopy(SITE_PLAN)
    data["initiatives"].append(
        {
            "id": "c",
            "name": "新しい取組",
            "item": "i1",
            "department": "d1",
            "tasks": [{"id": "u1", "name": "新タスク", "start": "FY2025-H1", "duration": "1half"}],
        }
    )
    data["initiatives"][0]["tasks"].append(
        {"id": "t3", "name": "追加タスク", "after": "t2", "duration": "1half"}
    )
    data["kpis"].append(
        {
            "id": "k3",
            "name": "新KPI",
            "field": "f1",
            "baseline": {"fy": 2024, "value": 0},
            "target": {"fy": 2028, "value": 10},
        }
    )
    grown = plan_from_data(data)
    assert grown.id == plan.id
    return grown


@pytest.mark.parametrize("jobs", [1, 2])
def test_what_the_plan_gained_since_the_previous_cycle_is_new(
    plan: Plan, store: Store, clock: Clock, jobs: int
) -> None:
    """The earlier moment is read with the plan as it stood then: its newest revision known
    by the previous cycle's publication (2025-05-08)."""
    grown = _grown(plan)
    clock.now = jst(2025, 8, 1)  # after the previous cycle's publication
    store.save_revision(grown, "企画調整課", "取組cを追加")
    moment = site_moment(grown, cycle="R7上期", today=TODAY)
    assert views_site.plan_then(grown, store, views_site.previous_moment(grown, moment)) == plan
    found = site_data(grown, store, moment, jobs=jobs).changes
    new = {(c.subject, c.ref) for c in found if c.kind == "new"}
    assert new == {("initiative", "c"), ("task", "c/u1"), ("task", "a/t3"), ("kpi", "k3")}
    assert not [c for c in found if c.ref == "a/t3" and c.kind != "new"]  # not a date change
    unchanged = site_data(plan, store, site_moment(plan, cycle="R7上期", today=TODAY)).changes
    assert [c for c in unchanged if c.kind == "new"] == []  # the plan as it stood: none new


def test_a_revision_recorded_after_the_previous_cycle_is_not_its_plan(
    plan: Plan, store: Store, clock: Clock
) -> None:
    grown = _grown(plan)
    clock.now = jst(2025, 5, 1)  # before the previous cycle's publication: it stood then
    store.save_revision(grown, "企画調整課", "取組cを追加")
    moment = site_moment(grown, cycle="R7上期", today=TODAY)
    earlier = views_site.previous_moment(grown, moment)
    assert earlier is not None and views_site.plan_then(grown, store, earlier) is grown
    assert not [c for c in site_data(grown, store, moment).changes if c.kind == "new"]


def test_later_records_do_not_reach_a_past_cycle(plan: Plan, store: Store, clock: Clock) -> None:
    moment = site_moment(plan, cycle="R7上期", today=TODAY)
    before = site_data(plan, store, moment)
    record_later(store, clock)
    after = site_data(plan, store, moment)
    assert after.changes == before.changes
    assert after.initiatives == before.initiatives and after.kpis == before.kpis
    later = site_data(plan, store, Moment(date(2025, 12, 2), date(2025, 12, 2)))
    assert later.initiatives["a"].reviews[-1].own == "×"
    assert later.kpis["k1"].latest is not None and later.kpis["k1"].latest.actual == 150.0
