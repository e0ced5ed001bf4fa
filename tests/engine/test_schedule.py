"""Hand-checked schedules: each link type and lag, calendar units, constraints, actuals, errors.

The dates were worked out by hand on the office calendar of FY2024–FY2025:

- Golden Week 2024: 4/27 (Sat) – 4/29 (昭和の日) closed, 4/30 – 5/2 open, 5/3 – 5/6 closed.
- Year end: 12/27 (Fri) is the last working day of 2024, 2025-01-06 (Mon) the first of 2025.
- Fiscal years: 2025-03-31 (Mon) closes FY2024, 2025-04-01 (Tue) opens FY2025.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aomori_roadmap.engine.schedule import (
    Actual,
    Schedule,
    ScheduledTask,
    plan_calendar,
    schedule,
)
from aomori_roadmap.errors import CycleError, PlanError, PlanValidationError
from aomori_roadmap.plan.loader import default_plan, load_plan, plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.plan.schema import schedule_json_schema

SCHEDULE_JSON_SCHEMA = schedule_json_schema()


def task(ident: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "name": f"工程{ident}", **fields}


def link(on: str, kind: str = "FS", lag: str = "0bd") -> dict[str, Any]:
    return {"on": on, "type": kind, "lag": lag}


def make_plan(*tasks: dict[str, Any], start: str = "FY2024", end: str = "FY2025") -> Plan:
    return plan_from_data(
        {
            "id": "test",
            "name": "テスト",
            "period": {"start": start, "end": end},
            "initiatives": [{"id": "a", "name": "取組A", "tasks": list(tasks)}],
        }
    )


def run(
    *tasks: dict[str, Any], actuals: dict[str, Actual] | None = None, **period: str
) -> Schedule:
    return schedule(make_plan(*tasks, **period), actuals)


def span(result: Schedule, ident: str) -> tuple[date, date]:
    scheduled = result.tasks[f"a/{ident}"]
    return scheduled.early_start, scheduled.early_finish


D = date


# --- finish-to-start ------------------------------------------------------------------------------


def test_fs_without_lag_starts_after_golden_week() -> None:
    result = run(
        task("x", start="2024-04-30", duration="3bd"),
        task("y", duration="2bd", after="x"),
    )
    assert span(result, "x") == (D(2024, 4, 30), D(2024, 5, 2))
    assert span(result, "y") == (D(2024, 5, 7), D(2024, 5, 8))


def test_fs_positive_lag_counts_working_days_across_golden_week() -> None:
    # x: 4/25, 4/26, 4/30; the lag takes 5/1 and 5/2; y starts after 5/3–5/6.
    result = run(
        task("x", start="2024-04-25", duration="3bd"),
        task("y", duration="1bd", depends=[link("x", "FS", "2bd")]),
    )
    assert span(result, "x") == (D(2024, 4, 25), D(2024, 4, 30))
    assert span(result, "y") == (D(2024, 5, 7), D(2024, 5, 7))


def test_fs_positive_lag_crosses_year_end_closure() -> None:
    # x ends 12/26; the one-day lag is 12/27; y starts on the first day after the closure.
    result = run(
        task("x", start="2024-12-23", duration="4bd"),
        task("y", duration="2bd", depends=[link("x", "FS", "1bd")]),
    )
    assert span(result, "y") == (D(2025, 1, 6), D(2025, 1, 7))


def test_fs_negative_lag_overlaps_the_predecessor() -> None:
    # x: 12/23–12/27; a lead of 2 working days starts y on 12/26.
    result = run(
        task("x", start="2024-12-23", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "FS", "-2bd")]),
    )
    assert span(result, "y") == (D(2024, 12, 26), D(2025, 1, 6))


def test_fs_across_fiscal_year_boundary() -> None:
    result = run(
        task("x", start="2025-03-27", duration="3bd"),
        task("y", duration="1bd", after="x"),
    )
    assert span(result, "x") == (D(2025, 3, 27), D(2025, 3, 31))
    assert span(result, "y") == (D(2025, 4, 1), D(2025, 4, 1))


# --- start-to-start -------------------------------------------------------------------------------


def test_ss_without_lag_starts_together() -> None:
    result = run(
        task("x", start="2024-05-01", duration="10bd"),
        task("y", duration="2bd", depends=[link("x", "SS")]),
    )
    assert span(result, "y") == (D(2024, 5, 1), D(2024, 5, 2))


def test_ss_positive_lag_across_golden_week() -> None:
    # From x's start 5/1: 5/2 (+1), 5/7 (+2), 5/8 (+3).
    result = run(
        task("x", start="2024-05-01", duration="10bd"),
        task("y", duration="1bd", depends=[link("x", "SS", "3bd")]),
    )
    assert span(result, "y") == (D(2024, 5, 8), D(2024, 5, 8))


def test_ss_negative_lag_reaches_back_across_year_end_closure() -> None:
    # x starts 2025-01-06; two working days earlier is 2024-12-26.
    result = run(
        task("x", start="2025-01-06", duration="3bd"),
        task("y", duration="1bd", depends=[link("x", "SS", "-2bd")]),
    )
    assert span(result, "y") == (D(2024, 12, 26), D(2024, 12, 26))


def test_ss_across_fiscal_year_boundary() -> None:
    # x starts 3/31 (FY2024); one working day later is 4/1 (FY2025).
    result = run(
        task("x", start="2025-03-31", duration="2bd"),
        task("y", duration="1bd", depends=[link("x", "SS", "1bd")]),
    )
    assert span(result, "y") == (D(2025, 4, 1), D(2025, 4, 1))


# --- finish-to-finish -----------------------------------------------------------------------------


def test_ff_without_lag_finishes_together() -> None:
    # x: 4/1–4/5; y (3 days) finishes 4/5 too, so it starts 4/3.
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "FF")]),
    )
    assert span(result, "y") == (D(2024, 4, 3), D(2024, 4, 5))


def test_ff_positive_lag_across_weekend() -> None:
    # Two working days after x's finish 4/5: 4/8, 4/9.
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "FF", "2bd")]),
    )
    assert span(result, "y") == (D(2024, 4, 5), D(2024, 4, 9))


def test_ff_negative_lag_finishes_earlier() -> None:
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "FF", "-1bd")]),
    )
    assert span(result, "y") == (D(2024, 4, 2), D(2024, 4, 4))


def test_ff_lag_across_fiscal_year_boundary() -> None:
    # x finishes 3/31; y must finish one working day later, 4/1, so its 5 days start 3/26.
    result = run(
        task("x", start="2025-03-27", duration="3bd"),
        task("y", duration="5bd", depends=[link("x", "FF", "1bd")]),
    )
    assert span(result, "y") == (D(2025, 3, 26), D(2025, 4, 1))


def test_ff_across_golden_week() -> None:
    # x: 5/1, 5/2, 5/7; y (2 days) finishes with it: 5/2 and 5/7.
    result = run(
        task("x", start="2024-05-01", duration="3bd"),
        task("y", duration="2bd", depends=[link("x", "FF")]),
    )
    assert span(result, "y") == (D(2024, 5, 2), D(2024, 5, 7))


def test_ff_lag_across_year_end_closure() -> None:
    # x: 12/23–12/26; two working days after its finish boundary (12/27) is the end of 1/6.
    result = run(
        task("x", start="2024-12-23", duration="4bd"),
        task("y", duration="3bd", depends=[link("x", "FF", "2bd")]),
    )
    assert span(result, "y") == (D(2024, 12, 26), D(2025, 1, 6))


# --- start-to-finish ------------------------------------------------------------------------------


def test_sf_across_golden_week() -> None:
    # x starts 5/7, the first day after Golden Week; y (4 days) finishes 5/2: 4/26–5/2.
    result = run(
        task("x", start="2024-05-07", duration="2bd"),
        task("y", duration="4bd", depends=[link("x", "SF")]),
    )
    assert span(result, "y") == (D(2024, 4, 26), D(2024, 5, 2))


def test_sf_lag_across_fiscal_year_boundary() -> None:
    # x starts 2025-04-01; one working day later is the end of 4/1: y runs 3/31–4/1.
    result = run(
        task("x", start="2025-04-01", duration="2bd"),
        task("y", duration="2bd", depends=[link("x", "SF", "1bd")]),
    )
    assert span(result, "y") == (D(2025, 3, 31), D(2025, 4, 1))


def test_sf_without_lag_finishes_when_predecessor_starts() -> None:
    # y may not finish before x starts (4/8): it finishes 4/5, the day before.
    result = run(
        task("x", start="2024-04-08", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "SF")]),
    )
    assert span(result, "y") == (D(2024, 4, 3), D(2024, 4, 5))


def test_sf_positive_lag() -> None:
    result = run(
        task("x", start="2024-04-08", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "SF", "2bd")]),
    )
    assert span(result, "y") == (D(2024, 4, 5), D(2024, 4, 9))


def test_sf_negative_lag_never_starts_before_plan_start() -> None:
    # The link asks only that y finish by 4/2; ASAP starts y at the plan start, 4/1.
    result = run(
        task("x", start="2024-04-08", duration="5bd"),
        task("y", duration="3bd", depends=[link("x", "SF", "-3bd")]),
    )
    assert span(result, "y") == (D(2024, 4, 1), D(2024, 4, 3))


def test_sf_across_year_end_closure() -> None:
    # x starts 2025-01-06; one working day later is the end of 1/6: y is 12/27 and 1/6.
    result = run(
        task("x", start="2025-01-06", duration="5bd"),
        task("y", duration="2bd", depends=[link("x", "SF", "1bd")]),
    )
    assert span(result, "y") == (D(2024, 12, 27), D(2025, 1, 6))


# --- calendar units -------------------------------------------------------------------------------


def test_one_half_from_april_first_finishes_september_30() -> None:
    result = run(task("x", start="2024-04-01", duration="1half"))
    assert span(result, "x") == (D(2024, 4, 1), D(2024, 9, 30))


def test_four_months_from_october_first_finishes_january_31() -> None:
    result = run(task("x", start="2024-10-01", duration="4mo"))
    assert span(result, "x") == (D(2024, 10, 1), D(2025, 1, 31))


def test_calendar_duration_ending_in_closure_is_pulled_back() -> None:
    # 12/2 + 1 month - 1 day = 2025-01-01, closed: the last working day before is 12/27.
    result = run(task("x", start="2024-12-02", duration="1mo"))
    assert span(result, "x") == (D(2024, 12, 2), D(2024, 12, 27))
    assert result.tasks["a/x"].duration_days == 20


def test_calendar_lag_rounds_forward_to_a_working_day() -> None:
    # x: 4/22–4/26 and 4/30; its finish boundary is 5/1; + 3 days = 5/4 (Sat) -> 5/7.
    result = run(
        task("x", start="2024-04-22", duration="6bd"),
        task("y", duration="1bd", depends=[link("x", "FS", "3d")]),
    )
    assert span(result, "y") == (D(2024, 5, 7), D(2024, 5, 7))


def test_calendar_lag_of_one_month() -> None:
    # x finishes 4/5; one month after its finish boundary (4/8) is 5/8.
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("y", duration="1bd", depends=[link("x", "FS", "1mo")]),
    )
    assert span(result, "y") == (D(2024, 5, 8), D(2024, 5, 8))


def test_ff_into_calendar_duration_takes_the_earliest_start_that_finishes_late_enough() -> None:
    # x finishes 2024-09-30. y (1mo) must finish on or after 9/30: starting 9/2 it ends 10/1;
    # starting 8/30 it ends 9/29 (Sun) -> 9/27, too early.
    result = run(
        task("x", start="2024-04-01", duration="1half"),
        task("y", duration="1mo", depends=[link("x", "FF")]),
    )
    assert span(result, "y") == (D(2024, 9, 2), D(2024, 10, 1))


# --- milestones and constraints -------------------------------------------------------------------


def test_milestone_after_task_shows_the_task_finish_day() -> None:
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("m", milestone=True, after="x"),
        task("y", duration="1bd", after="m"),
    )
    milestone = result.tasks["a/m"]
    assert (milestone.early_start, milestone.early_finish) == (D(2024, 4, 5), D(2024, 4, 5))
    assert milestone.duration_days == 0
    assert span(result, "y") == (D(2024, 4, 8), D(2024, 4, 8))


def test_milestone_start_constraint_on_holiday_moves_to_next_working_day() -> None:
    result = run(
        task("m", milestone=True, start="2024-05-03"),
        task("y", duration="1bd", after="m"),
    )
    assert span(result, "m") == (D(2024, 5, 7), D(2024, 5, 7))
    assert span(result, "y") == (D(2024, 5, 8), D(2024, 5, 8))


def test_task_without_predecessor_or_start_starts_at_plan_start() -> None:
    result = run(task("x", duration="2bd"), task("m", milestone=True))
    assert span(result, "x") == (D(2024, 4, 1), D(2024, 4, 2))
    assert span(result, "m") == (D(2024, 4, 1), D(2024, 4, 1))
    assert result.start == D(2024, 4, 1)


def test_start_constraint_holds_back_a_task_its_links_would_start_earlier() -> None:
    result = run(
        task("x", start="2024-04-01", duration="2bd"),
        task("y", start="2024-05-03", duration="1bd", after="x"),
    )
    assert span(result, "y") == (D(2024, 5, 7), D(2024, 5, 7))


def test_links_win_over_an_earlier_start_constraint() -> None:
    result = run(
        task("x", start="2024-04-01", duration="10bd"),
        task("y", start="2024-04-01", duration="1bd", after="x"),
    )
    assert span(result, "y") == (D(2024, 4, 15), D(2024, 4, 15))


def test_start_period_means_its_first_working_day() -> None:
    # FY2028-H1 begins on Saturday 2028-04-01.
    result = run(task("x", start="FY2028-H1", duration="1bd"), end="FY2028")
    assert span(result, "x") == (D(2028, 4, 3), D(2028, 4, 3))


def test_fixed_task_met_by_its_predecessor_keeps_its_dates() -> None:
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("y", start="2024-04-15", finish="2024-04-26", after="x"),
    )
    assert span(result, "y") == (D(2024, 4, 15), D(2024, 4, 26))
    assert result.violations == []


def test_fixed_task_not_met_reports_the_link_and_keeps_its_dates() -> None:
    # x: 4/1–4/12. y is fixed from 4/10, three working days (4/10, 4/11, 4/12) too early.
    result = run(
        task("x", start="2024-04-01", duration="10bd"),
        task("y", start="2024-04-10", finish="2024-04-26", after="x"),
        task("z", duration="1bd", after="y"),
    )
    assert span(result, "y") == (D(2024, 4, 10), D(2024, 4, 26))
    assert span(result, "z") == (D(2024, 4, 30), D(2024, 4, 30))  # after 4/27–4/29
    [violation] = result.violations
    assert (violation.kind, violation.ref, violation.on, violation.days) == (
        "fixed",
        "a/y",
        "a/x",
        3,
    )
    assert "a/x" in violation.message and "3 勤務日" in violation.message


def test_fixed_task_finish_side_violation_from_ff_link() -> None:
    # x finishes 4/12; y is fixed to finish 4/10: its FF link is 2 working days short.
    result = run(
        task("x", start="2024-04-01", duration="10bd"),
        task("y", start="2024-04-08", finish="2024-04-10", depends=[link("x", "FF")]),
    )
    [violation] = result.violations
    assert (violation.kind, violation.days) == ("fixed", 2)
    assert "終了 2024-04-10" in violation.message


def test_deadline_missed_is_reported_in_working_days_and_dates_stay() -> None:
    # x: 4/1–4/12; due 4/10: finishes 2 working days late (4/11, 4/12).
    result = run(task("x", start="2024-04-01", duration="10bd", due="2024-04-10"))
    assert span(result, "x") == (D(2024, 4, 1), D(2024, 4, 12))
    [violation] = result.violations
    assert (violation.kind, violation.ref, violation.days) == ("deadline", "a/x", 2)
    assert result.tasks["a/x"].total_slack == -2
    assert result.tasks["a/x"].critical


def test_deadline_on_a_holiday_means_the_working_day_before() -> None:
    result = run(task("x", start="2024-04-01", duration="2bd", due="2024-05-05"))
    assert result.tasks["a/x"].due == D(2024, 5, 2)
    assert result.violations == []


def test_deadline_earlier_than_plan_finish_pulls_late_dates() -> None:
    result = run(
        task("x", start="2024-04-01", duration="5bd", due="2024-04-10"),
        task("y", start="2024-04-01", duration="20bd"),
    )
    x = result.tasks["a/x"]
    assert (x.late_start, x.late_finish) == (D(2024, 4, 4), D(2024, 4, 10))
    assert x.total_slack == 3


# --- actuals --------------------------------------------------------------------------------------


def test_done_task_keeps_actual_dates_and_moves_successors() -> None:
    actual = {"a/x": Actual(start=D(2024, 4, 3), finish=D(2024, 4, 16))}
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("y", duration="2bd", after="x"),
        actuals=actual,
    )
    x = result.tasks["a/x"]
    assert (x.early_start, x.early_finish, x.actual) == (D(2024, 4, 3), D(2024, 4, 16), True)
    assert (x.late_start, x.late_finish, x.total_slack, x.critical) == (
        D(2024, 4, 3),
        D(2024, 4, 16),
        0,
        False,
    )
    assert span(result, "y") == (D(2024, 4, 17), D(2024, 4, 18))


def test_started_task_keeps_planned_length_from_actual_start() -> None:
    # Started 4/26 with 5 working days: 4/26, 4/30, 5/1, 5/2, 5/7.
    actual = {"a/x": Actual(start=D(2024, 4, 26))}
    result = run(
        task("w", start="2024-04-01", duration="30bd"),
        task("x", duration="5bd", after="w"),
        task("y", duration="1bd", after="x"),
        actuals=actual,
    )
    assert span(result, "x") == (D(2024, 4, 26), D(2024, 5, 7))
    assert span(result, "y") == (D(2024, 5, 8), D(2024, 5, 8))


def test_reached_milestone_is_done_on_its_actual_day() -> None:
    actual = {"a/m": Actual(finish=D(2024, 4, 10))}
    result = run(
        task("x", start="2024-04-01", duration="5bd"),
        task("m", milestone=True, after="x"),
        task("y", duration="1bd", after="m"),
        actuals=actual,
    )
    assert span(result, "m") == (D(2024, 4, 10), D(2024, 4, 10))
    assert span(result, "y") == (D(2024, 4, 11), D(2024, 4, 11))


def test_actual_for_unknown_task_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="a/nope"):
        run(task("x", duration="1bd"), actuals={"a/nope": Actual(start=D(2024, 4, 1))})


# --- slack and critical paths ---------------------------------------------------------------------


def test_slack_of_a_diamond() -> None:
    # x (2d) -> y (5d) -> z, x -> w (2d) -> z: w has 3 days of slack, free and total.
    result = run(
        task("x", duration="2bd"),
        task("y", duration="5bd", after="x"),
        task("w", duration="2bd", after="x"),
        task("z", duration="1bd", after=["y", "w"]),
    )
    w = result.tasks["a/w"]
    assert (w.total_slack, w.free_slack, w.critical) == (3, 3, False)
    assert (w.late_start, w.late_finish) == (D(2024, 4, 8), D(2024, 4, 9))
    assert result.critical_paths == [["a/x", "a/y", "a/z"]]
    assert result.finish == D(2024, 4, 10)


def test_free_slack_is_zero_when_successor_waits_for_another_task() -> None:
    # t follows v at once: v has no free slack, though the plan finish allows it 5 days.
    result = run(
        task("y", duration="5bd"),
        task("v", duration="3bd"),
        task("u", duration="1bd", after=["y", "v"]),
        task("t", duration="1bd", after="v"),
        task("s", duration="9bd"),
    )
    v = result.tasks["a/v"]
    assert (v.free_slack, v.total_slack) == (0, 5)


def test_critical_paths_follow_ties() -> None:
    result = run(
        task("x", duration="2bd"),
        task("y", duration="2bd"),
        task("z", duration="1bd", after=["x", "y"]),
    )
    assert result.critical_paths == [["a/x", "a/z"], ["a/y", "a/z"]]


def test_critical_path_through_ss_link() -> None:
    result = run(
        task("x", duration="10bd"),
        task("y", duration="10bd", depends=[link("x", "SS", "5bd")]),
    )
    assert result.critical_paths == [["a/x", "a/y"]]
    assert result.tasks["a/x"].total_slack == 0


def test_predicted_equinox_holiday_is_flagged() -> None:
    result = run(
        task("x", start="2028-03-17", duration="3bd"),
        task("y", start="2025-03-17", duration="3bd"),
        end="FY2028",
    )
    assert span(result, "x") == (D(2028, 3, 17), D(2028, 3, 22))
    assert result.tasks["a/x"].predicted_holidays
    assert not result.tasks["a/y"].predicted_holidays


def test_initiative_span_covers_its_tasks() -> None:
    result = run(task("x", start="2024-05-01", duration="2bd"), task("y", duration="1bd"))
    span_a = result.initiatives["a"]
    assert (span_a.start, span_a.finish) == (D(2024, 4, 1), D(2024, 5, 2))


# --- errors ---------------------------------------------------------------------------------------


def test_cycle_error_names_every_task_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "id: cyc\nname: 循環\nperiod: {start: FY2024, end: FY2025}\n", encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text(
        textwrap.dedent(
            """\
            initiatives:
              - id: a
                name: 取組A
                tasks:
                  - {id: start, name: 開始, duration: 1bd}
                  - id: x
                    name: 検討
                    duration: 5bd
                    after: [start, z]
                  - id: y
                    name: 実証
                    duration: 5bd
                    after: x
                  - id: z
                    name: 評価
                    duration: 5bd
                    depends: [{"on": y, type: SS}]
            """
        ),
        encoding="utf-8",
    )
    # The loader refuses the plan: validation is the scheduler's judge.
    with pytest.raises(PlanValidationError) as caught:
        load_plan(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.path, problem.line) == ("cycle", str(tmp_path / "a.yaml"), 9)
    message = problem.message
    assert message.startswith("依存関係が循環しています: a/x 「検討」 (")
    for name, line in (("検討", 6), ("実証", 10), ("評価", 14)):
        assert f"「{name}」 ({tmp_path / 'a.yaml'}:{line}:" in message
    assert message.endswith("→ a/x")


def test_scheduler_names_the_cycle_of_a_plan_built_without_the_loader() -> None:
    plan = Plan.model_validate(
        {
            "id": "t",
            "name": "T",
            "period": {"start": "FY2024", "end": "FY2024"},
            "initiatives": [
                {
                    "id": "a",
                    "name": "A",
                    "tasks": [
                        task("w", duration="1bd", after="z"),  # behind the cycle, not on it
                        task("x", duration="1bd", after="z"),
                        task("y", duration="1bd", after="x"),
                        task("z", duration="1bd", after="y"),
                    ],
                }
            ],
        }
    )
    with pytest.raises(CycleError) as caught:
        schedule(plan)
    assert caught.value.cycle == ("a/x", "a/y", "a/z")
    assert str(caught.value).endswith("→ a/x")


def test_cycle_across_initiatives_is_reported() -> None:
    data = {
        "id": "t",
        "name": "T",
        "period": {"start": "FY2024", "end": "FY2024"},
        "initiatives": [
            {"id": "a", "name": "A", "tasks": [task("x", duration="1bd", after="b/y")]},
            {"id": "b", "name": "B", "tasks": [task("y", duration="1bd", after="a/x")]},
        ],
    }
    with pytest.raises(PlanValidationError, match=r"a/x 「工程x」 .* → b/y 「工程y」 .* → a/x"):
        plan_from_data(data)
    with pytest.raises(CycleError) as caught:
        schedule(Plan.model_validate(data))
    assert caught.value.cycle == ("a/x", "b/y")


def test_link_to_unknown_task_is_a_plan_error() -> None:
    # model_validate skips check_plan, which would normally catch it first.
    plan = Plan.model_validate(
        {
            "id": "t",
            "name": "T",
            "period": {"start": "FY2024", "end": "FY2024"},
            "initiatives": [
                {"id": "a", "name": "A", "tasks": [task("x", duration="1bd", after="ghost")]}
            ],
        }
    )
    with pytest.raises(PlanError, match="'ghost' が見つかりません"):
        schedule(plan)


def test_task_without_length_is_a_plan_error() -> None:
    plan = Plan.model_validate(
        {
            "id": "t",
            "name": "T",
            "period": {"start": "FY2024", "end": "FY2024"},
            "initiatives": [{"id": "a", "name": "A", "tasks": [task("x")]}],
        }
    )
    with pytest.raises(PlanError, match="a/x"):
        schedule(plan)


def test_long_chain_schedules_without_recursion() -> None:
    tasks = [task("t0", duration="1bd")]
    tasks += [task(f"t{k}", duration="0bd", after=f"t{k - 1}") for k in range(1, 5000)]
    result = run(*tasks)
    assert len(result.tasks) == 5000
    assert len(result.critical_paths) == 1


# --- the default plan, output, determinism --------------------------------------------------------


def test_default_plan_schedules_without_cycle_and_meets_deadlines() -> None:
    plan = default_plan()
    result = schedule(plan)
    assert len(result.tasks) == sum(len(i.tasks) for i in plan.initiatives)
    assert result.violations == []
    illustrative = [i for i in plan.initiatives if i.illustrative]
    assert illustrative
    for initiative in illustrative:
        for scheduled in result.tasks.values():
            if scheduled.initiative == initiative.id and scheduled.due is not None:
                assert scheduled.early_finish <= scheduled.due


def test_default_plan_roadmap_dates() -> None:
    # The example in DESIGN.md: study R6上期 1half, design 4mo after it, build 10bd later.
    result = schedule(default_plan())
    alerts = {ref.split("/")[1]: t for ref, t in result.tasks.items() if "alerts" in ref}
    assert (alerts["study"].early_start, alerts["study"].early_finish) == (
        D(2024, 4, 1),
        D(2024, 9, 30),
    )
    assert (alerts["design"].early_start, alerts["design"].early_finish) == (
        D(2024, 10, 1),
        D(2025, 1, 31),
    )
    # design ends 1/31 (Fri); 10 working days 2/3–2/17 (2/11 建国記念の日 closed) then build.
    assert alerts["build"].early_start == D(2025, 2, 18)


def test_schedule_is_deterministic() -> None:
    first = json.dumps(schedule(default_plan()).to_json(), ensure_ascii=False)
    second = json.dumps(schedule(default_plan()).to_json(), ensure_ascii=False)
    assert first == second


def test_tasks_are_in_plan_order() -> None:
    plan = default_plan()
    assert list(schedule(plan).tasks) == [ref for ref, _, _ in plan.iter_tasks()]


def test_explicit_calendar_is_used() -> None:
    plan = make_plan(task("x", start="2024-05-07", duration="2bd"))
    calendar = plan_calendar(plan)
    closed = type(calendar)(2024, 2025, closed_days=[D(2024, 5, 8)])
    assert span(schedule(plan, calendar=closed), "x") == (D(2024, 5, 7), D(2024, 5, 9))


def test_to_json_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(
        SCHEDULE_JSON_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    jsonschema.Draft202012Validator.check_schema(SCHEDULE_JSON_SCHEMA)
    data = schedule(default_plan()).to_json()
    json.dumps(data)  # JSON-ready
    assert list(validator.iter_errors(data)) == []


def test_to_json_with_violations_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    result = run(
        task("x", start="2024-04-01", duration="10bd", due="2024-04-10"),
        task("y", start="2024-04-10", finish="2024-04-26", after="x"),
    )
    assert len(result.violations) == 2
    jsonschema.validate(result.to_json(), SCHEDULE_JSON_SCHEMA)


def test_task_fields_in_json_follow_the_record() -> None:
    data = run(task("x", duration="1bd")).to_json()
    assert list(data["tasks"][0]) == list(ScheduledTask._fields)
