"""Where each part of a loaded plan was written: the file, line and column, for messages.

The loader registers how to find them for every plan it builds; anything that names a place
in a plan (a problem, a cycle, a task in a message) asks here. The plan itself carries
nothing of it: it is kept beside the plan, keyed by its identity, while the plan lives.

>>> from aomori_roadmap.plan.model import Plan
>>> plan = Plan.model_validate({"id": "p", "name": "P", "period": {"start": 2024, "end": 2024}})
>>> where(plan, ("name",))
'<plan>'
>>> register(plan, lambda loc: ("plan.yaml", 2, 7))
>>> where(plan, ("name",))
'plan.yaml:2:7'
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from aomori_roadmap.errors import Problem

if TYPE_CHECKING:
    from aomori_roadmap.plan.model import Loc, Plan

__all__ = ["Locator", "register", "where"]

Locator = Callable[["Loc"], tuple[str | None, int | None, int | None]]
"""Finds the file, line and column (1-based, or ``None``) of a place in a plan."""

_LOCATORS: dict[int, tuple[weakref.ref[Plan], Locator]] = {}


def _forget(key: int) -> Callable[[object], None]:
    def forget(_: object) -> None:
        _LOCATORS.pop(key, None)

    return forget


def register(plan: Plan, locator: Locator) -> None:
    """Remember how to find the places of ``plan`` (the loader does, for each plan it reads)."""
    key = id(plan)
    _LOCATORS[key] = (weakref.ref(plan, _forget(key)), locator)


def locator_of(plan: Plan) -> Locator | None:
    """How to find the places of ``plan``, if it was read from files."""
    found = _LOCATORS.get(id(plan))
    if found is None or found[0]() is not plan:
        return None
    return found[1]


def where(plan: Plan, loc: Loc) -> str:
    """``file:line:column`` of a place in ``plan``, as far as it is known; ``<plan>`` else."""
    locator = locator_of(plan)
    if locator is None:
        return "<plan>"
    return Problem("", *locator(loc)).location
