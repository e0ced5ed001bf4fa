"""Counting the forked children a piece of code starts (``parallel.Beside``), by the name of
the work each one was given."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import ModuleType

import pytest

from aomori_roadmap.parallel import Beside


def count_forks(monkeypatch: pytest.MonkeyPatch, *modules: ModuleType) -> list[str]:
    """Make each module's ``Beside`` note its work's name in the list returned, then fork."""
    forked: list[str] = []

    class Counted(Beside[object]):
        def __init__(self, work: Callable[[], object]) -> None:
            named = work.func if isinstance(work, partial) else work
            forked.append(named.__name__)
            super().__init__(work)

    for module in modules:
        monkeypatch.setattr(module, "Beside", Counted)
    return forked
