"""Review cycle dates, checked by hand against the office calendar."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from aomori_roadmap.calendar import Half, WorkCalendar
from aomori_roadmap.engine.reviews import cycle_dates, find_cycle, review_cycles
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import ReviewPolicy

D = date

# Half: (snapshot, submission +10wd, meeting by end of next month, publication +25wd, report)
DEFAULT_POLICY_DATES = {
    # 10/14 スポーツの日; 11/4 振替休日 (文化の日 on a Sunday)
    "FY2024-H1": (D(2024, 9, 30), D(2024, 10, 15), D(2024, 10, 31), D(2024, 11, 6), None),
    # 4/29 昭和の日; 5/5 こどもの日, 5/6 振替休日 (みどりの日 on a Sunday)
    "FY2024-H2": (D(2025, 3, 31), D(2025, 4, 14), D(2025, 4, 30), D(2025, 5, 8), D(2025, 6, 30)),
    # 10/13 スポーツの日; 11/3 文化の日 (Monday)
    "FY2025-H1": (D(2025, 9, 30), D(2025, 10, 15), D(2025, 10, 31), D(2025, 11, 6), None),
    # 4/29; 5/4–5/6 (憲法記念日 on a Sunday moves to 5/6)
    "FY2025-H2": (D(2026, 3, 31), D(2026, 4, 14), D(2026, 4, 30), D(2026, 5, 11), D(2026, 6, 30)),
    # 10/12 スポーツの日; 10/31 is a Saturday; 11/3 文化の日
    "FY2026-H1": (D(2026, 9, 30), D(2026, 10, 15), D(2026, 10, 30), D(2026, 11, 6), None),
    "FY2026-H2": (D(2027, 3, 31), D(2027, 4, 14), D(2027, 4, 30), D(2027, 5, 11), D(2027, 6, 30)),
    # 10/30–31 weekend: the meeting moves to Friday 10/29
    "FY2027-H1": (D(2027, 9, 30), D(2027, 10, 15), D(2027, 10, 29), D(2027, 11, 8), None),
    # 4/29–30 weekend: Friday 4/28
    "FY2027-H2": (D(2028, 3, 31), D(2028, 4, 14), D(2028, 4, 28), D(2028, 5, 10), D(2028, 6, 30)),
    # snapshot on a Saturday; 10/9 スポーツの日
    "FY2028-H1": (D(2028, 9, 30), D(2028, 10, 16), D(2028, 10, 31), D(2028, 11, 7), None),
    # 4/30/2029 is 振替休日 (昭和の日 on a Sunday); 6/30 a Saturday
    "FY2028-H2": (D(2029, 3, 31), D(2029, 4, 13), D(2029, 4, 27), D(2029, 5, 9), D(2029, 6, 29)),
}


def _dates(cycle: object) -> tuple[object, ...]:
    return tuple(
        getattr(cycle, name)
        for name in ("snapshot", "submission_due", "meeting_by", "publication", "annual_report_due")
    )


def test_ten_cycles_under_the_default_policy() -> None:
    cycles = review_cycles(default_plan())
    assert {c.code: _dates(c) for c in cycles} == DEFAULT_POLICY_DATES


def test_cycle_labels() -> None:
    cycles = review_cycles(default_plan())
    assert [c.label() for c in cycles[:2]] == ["令和6年度上期", "令和6年度下期"]
    assert cycles[-1].label("en") == "FY2028 H2"


def test_a_custom_policy() -> None:
    policy = ReviewPolicy(
        submission_working_days=5, publication_working_days=20, annual_report_month=7
    )
    # After Monday 2025-03-31: 4/1–4/4 and 4/7 are the five; 4/28 the twentieth (4/29 a holiday)
    assert cycle_dates(Half(2024, 2), policy, WorkCalendar()) == (
        D(2025, 3, 31),
        D(2025, 4, 7),
        D(2025, 4, 30),
        D(2025, 4, 28),
        D(2025, 7, 31),
    )


def test_a_deadline_in_the_year_end_closure_moves_to_january() -> None:
    policy = ReviewPolicy(publication_working_days=63)
    # 60 working days after 2024-09-30 is 12/25; 61 12/26, 62 12/27, then the closure
    # 12/29–1/3 and a weekend: the 63rd is Monday 2025-01-06.
    *_, publication, _ = cycle_dates(Half(2024, 1), policy, WorkCalendar())
    assert publication == D(2025, 1, 6)


def test_cycles_cover_the_initiatives_active_in_their_half() -> None:
    plan = default_plan()
    cycles = review_cycles(plan)
    from aomori_roadmap.engine.schedule import schedule

    spans = schedule(plan).initiatives
    for cycle in cycles:
        expected = {
            i
            for i, s in spans.items()
            if s.start <= cycle.half.end and s.finish >= cycle.half.start
        }
        assert set(cycle.initiatives) == expected
    assert set(cycles[0].initiatives) < {i.id for i in plan.initiatives}  # one starts in 下期


def test_deadlines_are_in_date_order() -> None:
    cycle = review_cycles(default_plan())[1]
    assert [kind for kind, _ in cycle.deadlines()] == [
        "snapshot",
        "submission",
        "meeting",
        "publication",
        "annual_report",
    ]


@pytest.mark.parametrize("text", ["FY2025-H1", "令和7年度上期", "R7上期", "2025年度上期"])
def test_find_a_cycle_by_any_half_expression(text: str) -> None:
    assert find_cycle(review_cycles(default_plan()), text).code == "FY2025-H1"


@pytest.mark.parametrize("text", ["FY2030-H1", "FY2025", "FY2025-Q1"])
def test_an_unknown_cycle_is_a_clear_error(text: str) -> None:
    with pytest.raises(PlanError, match=text):
        find_cycle(review_cycles(default_plan()), text)


def test_a_started_unfinished_initiative_stays_covered_after_its_planned_half() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from aomori_roadmap.plan.loader import plan_from_data
    from aomori_roadmap.store import Store
    from aomori_roadmap.views.snapshot import take_snapshot

    plan = plan_from_data(
        yaml.safe_load("""
        id: p
        name: P
        period: {start: FY2024, end: FY2026}
        initiatives:
          - {id: a, name: A, tasks: [{id: x, name: X, start: R6上期, duration: 1half}]}
          - {id: b, name: B, tasks: [{id: y, name: Y, start: R6上期, duration: 1half}]}
        """)
    )
    started = datetime(2024, 4, 5, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    with Store("sqlite://", plan=plan) as store:
        store.record_status("a/x", "in_progress", actor="県", effective=started)
        store.record_status("b/y", "in_progress", actor="県", effective=started)
        store.record_status("b/y", "done", actor="県", effective=started.replace(month=9))
        snap = take_snapshot(plan, store, as_of=D(2025, 10, 31))
    covered = {c.code: c.initiatives for c in snap.cycles}
    assert covered["FY2024-H1"] == ("a", "b")
    assert covered["FY2025-H1"] == ("a",)  # still running; b was done in 2024
    assert covered["FY2026-H2"] == ("a",)
