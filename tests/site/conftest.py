"""The site tests' fixtures: the plan and a store with three cycles of history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sitetest import record_history, site_plan
from storetest import Clock, jst

from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store


@pytest.fixture
def clock() -> Clock:
    return Clock(jst(2024, 4, 1))


@pytest.fixture
def plan() -> Plan:
    return site_plan()


@pytest.fixture
def store(tmp_path: Path, plan: Plan, clock: Clock) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'site.db'}", plan=plan, clock=clock) as opened:
        opened.save_revision(plan, "企画調整課", "当初計画")
        record_history(opened, clock)
        yield opened
