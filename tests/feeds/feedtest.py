"""A small plan with awkward text, shared by the feed tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan

STAMP = datetime(2025, 1, 6, 0, 30, tzinfo=UTC)
NASTY = "A\r\nB;C,D\\E 🎌 " + "青森県の取組" * 50  # CR/LF, separators, backslash, emoji, 300+ chars


def nasty_plan(
    task_name: str = NASTY, *, extra_tasks: Sequence[dict[str, Any]] = (), **task: Any
) -> Plan:
    """A plan whose milestone ``a/m`` is named ``task_name``; ``task`` adds keys to it."""
    return plan_from_data(
        {
            "id": "test-plan",
            "name": "テスト;プラン",
            "period": {"start": "FY2024", "end": "FY2026"},
            "departments": [{"id": "somu", "name": "総務部"}],
            "initiatives": [
                {
                    "id": "a",
                    "name": "取組,A",
                    "department": "somu",
                    "tasks": [
                        {"id": "study", "name": "検討", "start": "R6下期", "duration": "3mo"},
                        {
                            "id": "m",
                            "name": task_name,
                            "milestone": True,
                            "after": "study",
                            "due": "FY2025-H1",
                            **task,
                        },
                        *extra_tasks,
                    ],
                }
            ],
        }
    )
