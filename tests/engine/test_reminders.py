"""Reminders at frozen dates: due soon, overdue, nothing due, a department without a contact.

The plan: 防災危機管理課 (with a contact) owns ``alerts`` (検討 4/1–6/30, 構築 7/1–10/10 with
a deadline on 10/10, ▲運用開始 after it); 教育庁 (no contact) owns ``learning`` (モデル校
9/1–12/26); ``orphan`` names no department (調査 10/1–10/31). The FY2025-H1 review: snapshot
9/30, submissions due 10/15, meeting by 10/31, publication 11/6.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aomori_roadmap.engine.reminders import (
    DepartmentReminders,
    ReminderKind,
    reminders,
    reminders_json,
    reminders_markdown,
    reminders_text,
)
from aomori_roadmap.errors import PlanError
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import take_snapshot

ROOT = Path(__file__).resolve().parents[2]
K = ReminderKind

PLAN = {
    "id": "reminder-test",
    "name": "リマインダーのテスト",
    "period": {"start": "FY2025", "end": "FY2026"},
    "departments": [
        {"id": "bousai", "name": "防災危機管理課", "contact": "bousai@pref.example.jp"},
        {"id": "kyoiku", "name": "教育庁"},
    ],
    "initiatives": [
        {"id": "alerts", "name": "防災アラート", "department": "bousai", "tasks": [
            {"id": "study", "name": "検討", "start": "2025-04-01", "finish": "2025-06-30"},
            {"id": "build", "name": "構築", "start": "2025-07-01", "finish": "2025-10-10",
             "due": "2025-10-10"},
            {"id": "launch", "name": "運用開始", "milestone": True, "after": "build"},
        ]},
        {"id": "learning", "name": "オンライン学習", "department": "kyoiku", "tasks": [
            {"id": "model", "name": "モデル校", "start": "2025-09-01", "finish": "2025-12-26"},
        ]},
        {"id": "orphan", "name": "担当未定の取組", "tasks": [
            {"id": "survey", "name": "調査", "start": "2025-10-01", "finish": "2025-10-31"},
        ]},
    ],
}  # fmt: skip


def morning(day: date) -> datetime:
    """10:00 in Japan on ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=1)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_from_data(PLAN)


@pytest.fixture
def store(plan: Plan) -> Any:
    """A store where 検討 is done and 構築 is under way (since 7/1)."""
    with Store("sqlite://", plan=plan, clock=lambda: datetime(2026, 4, 1, tzinfo=UTC)) as opened:
        opened.record_status(
            "alerts/study", "in_progress", actor="課", effective=morning(date(2025, 4, 1))
        )
        opened.record_status(
            "alerts/study", "done", actor="課", effective=morning(date(2025, 6, 30))
        )
        opened.record_status(
            "alerts/build",
            "in_progress",
            actor="課",
            progress=60,
            effective=morning(date(2025, 7, 1)),
        )
        yield opened


def run(
    plan: Plan,
    store: Store | None,
    day: date,
    stages: dict[Any, str] | None = None,
    **options: Any,
) -> list[DepartmentReminders]:
    return reminders(plan, take_snapshot(plan, store, as_of=day), stages or {}, **options)


def kinds(group: DepartmentReminders) -> list[tuple[str, str | None, bool]]:
    return [(item.kind.value, item.ref or item.initiative, item.overdue) for item in group.items]


def by_name(groups: list[DepartmentReminders]) -> dict[str, DepartmentReminders]:
    return {group.name: group for group in groups}


def test_due_soon(plan: Plan, store: Store) -> None:
    groups = by_name(run(plan, store, date(2025, 10, 6), within="14d"))
    assert list(groups) == ["防災危機管理課", "教育庁", "担当課未設定"]
    bousai = groups["防災危機管理課"]
    assert (bousai.as_of, bousai.until, bousai.contact) == (
        date(2025, 10, 6), date(2025, 10, 20), "bousai@pref.example.jp",
    )  # fmt: skip
    assert kinds(bousai) == [
        ("deadline", "alerts/build", False),  # its own deadline, not also its planned finish
        ("milestone", "alerts/launch", False),
        ("submission", "alerts", False),
    ]
    submission = bousai.items[2]
    assert (submission.date, submission.days, submission.cycle) == (
        date(2025, 10, 15),
        9,
        "FY2025-H1",
    )


def test_overdue(plan: Plan, store: Store) -> None:
    groups = by_name(run(plan, store, date(2025, 10, 20), within=7))
    bousai = groups["防災危機管理課"]
    assert kinds(bousai) == [
        ("deadline", "alerts/build", True),
        ("past_finish", "alerts/launch", True),
        ("submission", "alerts", True),
    ]
    assert [item.days for item in bousai.items] == [-10, -10, -5]
    assert kinds(groups["教育庁"]) == [
        ("not_started", "learning/model", True),
        ("submission", "learning", True),
    ]
    assert bousai.items[0].status == "in_progress" and bousai.items[0].progress == 60


def test_a_missing_submission_brings_the_meeting_into_the_window(plan: Plan, store: Store) -> None:
    groups = by_name(run(plan, store, date(2025, 10, 20), within="14d"))
    meeting = [item for item in groups["教育庁"].items if item.kind is K.MEETING]
    assert [(m.date, m.days, m.overdue) for m in meeting] == [(date(2025, 10, 31), 11, False)]


def test_submitted_and_reviewed_initiatives_are_not_reminded(plan: Plan, store: Store) -> None:
    stages = {("FY2025-H1", "alerts"): "submitted", ("FY2025-H1", "learning"): "reviewed"}
    groups = run(plan, store, date(2025, 10, 20), stages, within="14d")
    assert not [item for g in groups for item in g.items if item.kind in (K.SUBMISSION, K.MEETING)]


def test_a_closed_cycle_is_not_reminded(plan: Plan, store: Store) -> None:
    groups = run(plan, store, date(2025, 11, 7), within="14d")  # published on 11/6
    assert not [item for g in groups for item in g.items if item.kind is K.SUBMISSION]


def test_nothing_due(plan: Plan) -> None:
    groups = run(plan, None, date(2025, 4, 1), within="14d")
    assert groups == []
    text = reminders_text(groups, as_of=date(2025, 4, 1), until=date(2025, 4, 15))
    assert text == "期限切れの事項も、今後14日間（2025-04-15まで）の予定もありません。\n"
    assert reminders_json(groups, as_of=date(2025, 4, 1), until=date(2025, 4, 15)) == {
        "as_of": "2025-04-01", "until": "2025-04-15", "departments": [],
    }  # fmt: skip


def test_done_and_cancelled_tasks_are_never_reminded(plan: Plan, store: Store) -> None:
    store.record_status("alerts/build", "done", actor="課", effective=morning(date(2025, 10, 9)))
    store.record_status(
        "alerts/launch", "cancelled", actor="課", effective=morning(date(2025, 10, 9))
    )
    groups = by_name(run(plan, store, date(2025, 10, 20), within=7))
    assert kinds(groups["防災危機管理課"]) == [("submission", "alerts", True)]


def test_a_department_without_a_contact_is_reported_and_flagged(plan: Plan, store: Store) -> None:
    groups = by_name(run(plan, store, date(2025, 10, 6)))
    kyoiku = groups["教育庁"]
    assert kyoiku.no_contact and kyoiku.contact is None
    assert "宛先: 未設定" in kyoiku.body()
    assert groups["担当課未設定"].department is None and groups["担当課未設定"].no_contact
    assert kinds(groups["担当課未設定"]) == [("not_started", "orphan/survey", True)]
    assert not groups["防災危機管理課"].no_contact
    data = reminders_json(groups.values())
    assert [(d["name"], d["no_contact"]) for d in data["departments"]] == [
        ("防災危機管理課", False), ("教育庁", True), ("担当課未設定", True),
    ]  # fmt: skip


def test_working_days_and_departments_narrow_the_window(plan: Plan, store: Store) -> None:
    # Five working days after Monday 10/6, over スポーツの日 (10/13): Tuesday 10/14.
    groups = run(plan, store, date(2025, 10, 6), within="5bd", departments=["教育庁", "bousai"])
    assert [g.name for g in groups] == ["防災危機管理課", "教育庁"]
    assert groups[0].until == date(2025, 10, 14)
    assert kinds(groups[0]) == [
        ("deadline", "alerts/build", False),
        ("milestone", "alerts/launch", False),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"within": "-3d"}, "負"),
        ({"within": -1}, "負"),
        ({"within": "3x"}, "読めません"),
        ({"departments": ["somu"]}, "担当課 'somu' はプランにありません"),
        ({"as_of": date(2025, 10, 7)}, "スナップショットの基準日"),
        ({"lang": "fr"}, "言語"),
    ],
)
def test_bad_options_are_refused(plan: Plan, options: dict[str, Any], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        run(plan, None, date(2025, 10, 6), **options)


def test_the_message_of_a_department(plan: Plan, store: Store) -> None:
    bousai = by_name(run(plan, store, date(2025, 10, 6)))["防災危機管理課"]
    assert (
        bousai.subject()
        == "【DX推進プラン】防災危機管理課: 期限切れ0件・今後14日間3件（2025-10-06時点）"
    )
    body = bousai.body()
    assert body.startswith("防災危機管理課 御中\n宛先: bousai@pref.example.jp\n")
    assert "2025-10-06（令和7年10月6日）時点" in body
    assert "・【期限】防災アラート / 構築: 期限 2025-10-10（金）（あと4日）" in body
    assert (
        "・【提出】令和7年度上期の見直し（自己評価）の提出: 防災アラート — 締切 2025-10-15（水）（あと9日）"
        in body
    )
    assert "■ 期限切れ" not in body


def test_english_messages(plan: Plan, store: Store) -> None:
    groups = run(plan, store, date(2025, 10, 20), within=7, lang="en")
    text = reminders_text(groups, lang="en")
    assert "[Deadline] 防災アラート / 構築: deadline 2025-10-10 (Fri) (10 days overdue)" in text
    assert "[Submission] FY2025 H1 review" in text
    assert groups[-1].name == "No department"


def test_markdown_escapes_plan_text(store: Store) -> None:
    data = json.loads(json.dumps(PLAN))
    data["initiatives"][0]["name"] = "防災 | *アラート* <b>"
    plan = plan_from_data(data)
    text = reminders_markdown(run(plan, None, date(2025, 10, 6)))
    assert text.startswith("# リマインダー（2025-10-06時点、今後14日間）\n")
    assert "## 防災危機管理課" in text
    assert "防災 \\| \\*アラート\\* \\<b\\>" in text
    assert "- **期限** " in text


def test_the_cron_example_prints_the_reminders(tmp_path: Path) -> None:
    script = ROOT / "examples" / "weekly_reminders.py"
    plan = ROOT / "examples" / "minimal-roadmap"
    result = subprocess.run(
        [sys.executable, str(script), "--plan", str(plan), "--as-of", "2025-10-06",
         "--db", f"sqlite:///{tmp_path / 'none.db'}"],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "【DX推進プラン】DX推進課: " in result.stdout
    assert not (tmp_path / "none.db").exists()  # reading never creates a database


def test_the_cron_example_needs_a_server_to_send(tmp_path: Path) -> None:
    script = ROOT / "examples" / "weekly_reminders.py"
    result = subprocess.run(
        [sys.executable, str(script), "--plan", str(ROOT / "examples" / "minimal-roadmap"),
         "--as-of", "2025-10-06", "--send", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        capture_output=True, text=True, encoding="utf-8", check=False,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "AOMORI_ROADMAP_SMTP_HOST" in result.stderr
