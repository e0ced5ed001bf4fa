"""Fixtures of the feed tests: a plan with awkward text, and a fixed feed time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from feedtest import STAMP
from feedtest import nasty_plan as make_nasty_plan

from aomori_roadmap.plan.model import Plan


@pytest.fixture
def nasty_plan() -> Callable[..., Plan]:
    """``nasty_plan(task_name=..., extra_tasks=..., **task)``: a small plan whose milestone
    ``a/m`` has a name full of what breaks calendars (see ``feedtest.nasty_plan``)."""
    return make_nasty_plan


@pytest.fixture
def stamp() -> datetime:
    """The fixed DTSTAMP of the feeds under test."""
    return STAMP
