"""MS Project XML: well-formed, outline, dates, links with lags, and the working calendar."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aomori_roadmap.engine.schedule import Schedule, schedule
from aomori_roadmap.export.adapters import one_line
from aomori_roadmap.export.gantt import gantt_data
from aomori_roadmap.export.mspdi import MSPDI_LINK_TYPES, TENTHS_PER_DAY, mspdi_xml
from aomori_roadmap.plan.loader import default_plan, load_plan

AWKWARD = Path(__file__).resolve().parents[2] / "tests" / "js" / "awkward-plan.json"
NS = {"p": "http://schemas.microsoft.com/project"}


def _build(path: Path | None) -> tuple[dict[str, Any], Schedule, ET.Element]:
    """The Gantt JSON of a plan (what the checks read), its schedule and its MSPDI."""
    plan = default_plan() if path is None else load_plan(path)
    computed = schedule(plan)
    view = gantt_data(plan, computed)
    return view.to_json(), computed, ET.fromstring(mspdi_xml(view, computed.calendar))


@pytest.fixture(scope="module", params=[None, AWKWARD], ids=["default", "awkward"])
def built(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Schedule, ET.Element]:
    return _build(request.param)


def _text(element: ET.Element, path: str) -> str:
    found = element.findtext(path, namespaces=NS)
    assert found is not None, path
    return found


def test_every_row_is_a_task_in_order_with_its_outline_level(
    built: tuple[dict[str, Any], Schedule, ET.Element],
) -> None:
    data, _, root = built
    tasks = root.findall("p:Tasks/p:Task", NS)
    assert len(tasks) == len(data["rows"])
    for n, (task, row) in enumerate(zip(tasks, data["rows"], strict=True), start=1):
        assert _text(task, "p:UID") == str(n)
        assert _text(task, "p:OutlineLevel") == str(row["level"] + 1)
        assert _text(task, "p:Name") == one_line(row["name"])
        assert _text(task, "p:Summary") == str(int(row["kind"] in ("field", "item", "initiative")))
        # MS Project makes any zero-length task a milestone.
        assert _text(task, "p:Milestone") == str(int(row.get("duration_days") == 0))


def test_outline_numbers_follow_the_hierarchy(
    built: tuple[dict[str, Any], Schedule, ET.Element],
) -> None:
    _, _, root = built
    numbers = [_text(t, "p:OutlineNumber") for t in root.findall("p:Tasks/p:Task", NS)]
    levels = [int(_text(t, "p:OutlineLevel")) for t in root.findall("p:Tasks/p:Task", NS)]
    assert numbers[:4] == ["1", "1.1", "1.1.1", "1.1.1.1"]
    assert all(
        number.count(".") + 1 == level for number, level in zip(numbers, levels, strict=True)
    )
    assert len(set(numbers)) == len(numbers)


def test_task_dates_run_from_nine_to_five_and_milestones_at_five(
    built: tuple[dict[str, Any], Schedule, ET.Element],
) -> None:
    data, _, root = built
    for task, row in zip(root.findall("p:Tasks/p:Task", NS), data["rows"], strict=True):
        if row["kind"] == "milestone" or row.get("duration_days") == 0:
            # Reached at the end of its day.
            assert _text(task, "p:Start") == f"{row['start']}T17:00:00"
            assert _text(task, "p:Duration") == "PT0H0M0S"
        else:
            assert _text(task, "p:Start") == f"{row['start']}T09:00:00"
        assert _text(task, "p:Finish") == f"{row['finish']}T17:00:00"
        if row["kind"] == "task":
            assert _text(task, "p:Duration") == f"PT{row['duration_days'] * 8}H0M0S"
            assert _text(task, "p:ConstraintType") == "4"
            assert _text(task, "p:ConstraintDate") == _text(task, "p:Start")


def test_predecessor_links_carry_type_codes_and_lags_in_tenths_of_minutes(
    built: tuple[dict[str, Any], Schedule, ET.Element],
) -> None:
    data, _, root = built
    uid = {row["id"]: n for n, row in enumerate(data["rows"], start=1)}
    found = []
    for task in root.findall("p:Tasks/p:Task", NS):
        for link in task.findall("p:PredecessorLink", NS):
            found.append(
                (
                    int(_text(link, "p:PredecessorUID")),
                    int(_text(task, "p:UID")),
                    int(_text(link, "p:Type")),
                    int(_text(link, "p:LinkLag")),
                    _text(link, "p:LagFormat"),
                )
            )
    expected = [
        (
            uid[x["from"]],
            uid[x["to"]],
            MSPDI_LINK_TYPES[x["type"]],
            x["lag_days"] * TENTHS_PER_DAY,
            "7",
        )
        for x in data["links"]
    ]
    assert sorted(found) == sorted(expected)


def test_link_type_codes_are_msprojects() -> None:
    assert MSPDI_LINK_TYPES == {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
    assert TENTHS_PER_DAY == 4800


def _exception_days(root: ET.Element) -> dict[date, tuple[str, bool]]:
    days = {}
    for exception in root.findall("p:Calendars/p:Calendar/p:Exceptions/p:Exception", NS):
        start = date.fromisoformat(_text(exception, "p:TimePeriod/p:FromDate")[:10])
        end = date.fromisoformat(_text(exception, "p:TimePeriod/p:ToDate")[:10])
        working = _text(exception, "p:DayWorking") == "1"
        while start <= end:
            assert start not in days
            days[start] = (_text(exception, "p:Name"), working)
            start += timedelta(days=1)
    return days


def test_calendar_exceptions_are_exactly_the_days_off_the_weekly_pattern(
    built: tuple[dict[str, Any], Schedule, ET.Element],
) -> None:
    data, computed, root = built
    days = _exception_days(root)
    cal = computed.calendar
    day = date.fromisoformat(data["scale"]["start"])
    last = date.fromisoformat(data["scale"]["finish"])
    while day <= last:
        working = cal.is_working_day(day)
        if working == (day.weekday() < 5):
            assert day not in days, day
        else:
            assert days[day][1] is working, day
        day += timedelta(days=1)
    assert min(days) >= date.fromisoformat(data["scale"]["start"])
    assert max(days) <= last


def test_calendar_names_holidays_and_the_closure() -> None:
    _, _, root = _build(None)
    days = _exception_days(root)
    assert days[date(2024, 5, 6)] == ("振替休日", False)
    assert days[date(2024, 12, 30)] == ("年末年始休暇", False)
    assert days[date(2025, 1, 1)] == ("元日", False)
    # 2028's autumnal equinox is not yet official.
    assert days[date(2028, 9, 22)] == ("秋分の日（予測）", False)


def test_calendar_has_the_plans_closed_and_open_days() -> None:
    _, _, root = _build(AWKWARD)
    days = _exception_days(root)
    assert days[date(2024, 8, 14)] == ("閉庁日", False)
    assert days[date(2024, 11, 30)] == ("開庁日", True)
    weekdays = root.findall("p:Calendars/p:Calendar/p:WeekDays/p:WeekDay", NS)
    working = {_text(w, "p:DayType"): _text(w, "p:DayWorking") for w in weekdays}
    assert working == {"1": "0", "2": "1", "3": "1", "4": "1", "5": "1", "6": "1", "7": "0"}


def test_project_header_says_april_fiscal_years_and_eight_hour_days() -> None:
    data, _, root = _build(None)
    assert _text(root, "p:FYStartDate") == "4"
    assert _text(root, "p:MinutesPerDay") == "480"
    assert _text(root, "p:Title") == data["plan"]["name"]
    assert _text(root, "p:CalendarUID") == "1"


def test_awkward_text_stays_text_and_the_xml_well_formed() -> None:
    plan = load_plan(AWKWARD)
    computed = schedule(plan)
    xml = mspdi_xml(gantt_data(plan, computed), computed.calendar)
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert "\x01" not in xml and "\x1f" not in xml
    root = ET.fromstring(xml)
    names = [_text(t, "p:Name") for t in root.findall("p:Tasks/p:Task", NS)]
    assert "<script>alert(1)</script>" in names
    assert "line break tabctl" in names
    assert _text(root, "p:Title") == '計画: <b>A & B</b> #1; "q"'


def test_progress_splits_the_duration_into_actual_and_remaining() -> None:
    plan = default_plan()
    computed = schedule(plan)
    ref = "bousai-dx-alerts/study"  # 124 working days
    data = gantt_data(plan, computed, states={ref: ("in_progress", 25)})
    root = ET.fromstring(mspdi_xml(data, computed.calendar))
    task = root.findall("p:Tasks/p:Task", NS)[[r.id for r in data.rows].index(ref)]
    assert _text(task, "p:PercentComplete") == "25"
    assert _text(task, "p:ActualDuration") == "PT248H0M0S"
    assert _text(task, "p:RemainingDuration") == "PT744H0M0S"


def test_baseline_dates_are_written_when_there_is_a_baseline() -> None:
    plan = default_plan()
    computed = schedule(plan)
    data = gantt_data(plan, computed, baseline=computed)
    root = ET.fromstring(mspdi_xml(data, computed.calendar))
    task = root.findall("p:Tasks/p:Task", NS)[3]
    assert _text(task, "p:Baseline/p:Number") == "0"
    assert _text(task, "p:Baseline/p:Start") == _text(task, "p:Start")
    assert _text(task, "p:Baseline/p:Finish") == _text(task, "p:Finish")
