"""Shared fixtures and domain asserts for the test suite."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aomori_roadmap.errors import PlanValidationError, Problem
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan


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


@pytest.fixture
def one_initiative() -> Callable[..., Plan]:
    """A plan ``p`` of one initiative ``a`` holding the given tasks, validated by the loader.

    ``one_initiative(tasks, start="FY2024", end="FY2025")``; a task is a dict as in a plan file.
    """

    def make(tasks: list[dict[str, Any]], *, start: str = "FY2024", end: str = "FY2025") -> Plan:
        return plan_from_data(
            {
                "id": "p",
                "name": "計画",
                "period": {"start": start, "end": end},
                "initiatives": [{"id": "a", "name": "取組", "tasks": tasks}],
            }
        )

    return make


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def console() -> Callable[[Path], tuple[list[str], str]]:
    """Open a file in headless Chromium; return its console messages and the DOM it built.

    Chromium logs every console message (errors, failed CSP checks, bad SVG attributes) as a
    ``CONSOLE`` line; our pages log nothing at all, so any such line is a failure.
    """
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")

    def run(path: Path) -> tuple[list[str], str]:
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                [
                    str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                    "--allow-file-access-from-files", "--virtual-time-budget=5000",
                    "--enable-logging=stderr", "--v=0", "--dump-dom", path.as_uri(),
                ],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
        return [line for line in done.stderr.splitlines() if ":CONSOLE" in line], done.stdout

    return run


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


# --- shared helpers, handed to the tests as fixtures ------------------------------------------
# The helpers live in modules of their own (``serving.py``, ``tjp_export.py``, ``feeds/
# feedtest.py``) so that the benchmarks can use them too; the tests take them from here.


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function giving a TCP port free on 127.0.0.1 now."""
    from serving import free_port as find

    return find


@pytest.fixture(scope="session")
def start_server() -> Callable[..., Any]:
    """``start_server(folder, db_url, plan=, public=, base_url=)``: the library's server in a
    process of its own for a ``with`` block (see ``serving.start_server``)."""
    from serving import start_server as start

    return start


@pytest.fixture(scope="session")
def server_process() -> Any:
    """``answers(url, process, timeout)`` and ``stop_process(process)`` for a server process
    a test starts itself."""
    import serving

    return serving


@pytest.fixture(scope="session")
def run_tj3() -> Callable[..., Any]:
    """TaskJuggler's schedule of a plan: ``run_tj3(plan, calendar, folder)``."""
    from tjp_export import run_tj3 as run

    return run


@pytest.fixture(scope="session")
def plan() -> Plan:
    """The embedded plan (immutable, so one for the whole run); a module may define its own."""
    from aomori_roadmap.plan.loader import default_plan

    return default_plan()


@pytest.fixture(scope="session")
def computed(plan: Plan) -> Any:
    """The schedule of the ``plan`` fixture."""
    from aomori_roadmap.engine.schedule import schedule

    return schedule(plan)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema (see
    ``storetest.database``); every test that takes it runs on both."""
    from storetest import database

    with database(request.param, tmp_path) as url:
        yield url
