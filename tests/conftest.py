"""Shared fixtures and domain asserts for the test suite."""

from __future__ import annotations

import os
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


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the benchmarks out of the default run; they run when named: pytest tests/benchmarks."""
    if "benchmarks" in collection_path.parts and not any(
        "benchmarks" in str(arg) for arg in config.args
    ):
        return True
    return None


# In CI every tool is installed, so a skipped check means a missing install step: fail the run
# instead of letting a skip pass for a check that ran.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and os.environ.get("AOMORI_ROADMAP_REQUIRE_ALL") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped:
        print("\nskipped although AOMORI_ROADMAP_REQUIRE_ALL=1 (a missing install step?):")
        for line in _skipped:
            print(f"  {line}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
