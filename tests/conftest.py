"""Shared fixtures and domain asserts for the test suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from aomori_roadmap.errors import PlanValidationError, Problem


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a plan folder from ``{relative name: YAML text}``; return the folder."""

    def write(files: dict[str, str]) -> Path:
        folder = tmp_path / "plan"
        for name, text in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return folder

    return write


def problems_of(error: pytest.ExceptionInfo[PlanValidationError]) -> list[Problem]:
    """The problems of a raised PlanValidationError."""
    return list(error.value.problems)


def yaml_text(data: object) -> str:
    """YAML for test data, Japanese kept readable."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
