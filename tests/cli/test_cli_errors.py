"""No traceback, ever: each failure is one line and an exit status; bad input writes nothing.

Run as the console script runs, in a new process through ``main()``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "minimal-roadmap"


def run(
    *argv: str, patch: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``aomori-roadmap ARGV`` through ``main()``, after ``patch`` (Python) has run."""
    code = (
        "import sys\n"
        f"{patch}\n"
        "from aomori_roadmap.cli import main\n"
        f"sys.argv = ['aomori-roadmap', *{list(argv)!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd,
        timeout=120, check=False,
    )  # fmt: skip


BREAK_LOADER = (
    "import aomori_roadmap.plan.loader as loader\n"
    "def broken(*args, **kwargs):\n"
    "    raise RuntimeError('the disk went away')\n"
    "loader.default_plan = broken\n"
)


def test_unexpected_error_is_one_line_and_status_3() -> None:
    done = run("validate", patch=BREAK_LOADER)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "RuntimeError: the disk went away" in line and "--debug" in line


def test_unexpected_error_in_english() -> None:
    done = run("--lang", "en", "validate", patch=BREAK_LOADER)
    assert done.stderr.startswith("unexpected error (RuntimeError: the disk went away)")


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_shows_the_traceback(how: str) -> None:
    import os

    env = {**os.environ, "AOMORI_ROADMAP_DEBUG": "1"} if how == "environment" else None
    argv = ("validate",) if how == "environment" else ("--debug", "validate")
    done = run(*argv, patch=BREAK_LOADER, env=env)
    assert done.returncode == 3
    assert "Traceback (most recent call last)" in done.stderr
    assert "RuntimeError: the disk went away" in done.stderr


def test_schedule_of_a_plan_with_a_cycle_is_status_2_without_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    file = folder / "initiatives" / "online-procedures.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("after: [inventory]", "after: [manual]"),
        encoding="utf-8",
    )
    for command in (["validate", str(folder)], ["--plan", str(folder), "schedule"]):
        done = run(*command)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "依存関係が循環しています" in done.stderr


@pytest.mark.parametrize("actor", ["", "   "])
def test_empty_actor_is_refused_and_nothing_is_created(tmp_path: Path, actor: str) -> None:
    db = tmp_path / "store.db"
    done = run("--db", f"sqlite:///{db}", "status", "set", "bousai-dx-alerts/study",
               "in_progress", "--actor", actor)  # fmt: skip
    assert done.returncode == 2
    assert "--actor" in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "set", "nosuch/task", "in_progress", "--actor", "危機管理局"],
        ["status", "set", "bousai-dx-alerts/study", "sleeping", "--actor", "危機管理局"],
        ["status", "set", "bousai-dx-alerts/study", "in_progress", "--at", "2025-13-01"],
        ["status", "set", "bousai-dx-alerts/study", "done", "--progress", "500"],
        ["kpi", "record", "kpi-nosuch", "2025", "10", "--actor", "DX推進課"],
        ["kpi", "record", "kpi-nosuch", "2025", "ten", "--actor", "DX推進課"],
        ["reviews", "record", "R99上期", "nosuch", "--rating", "○", "--actor", "DX推進課"],
        ["baseline", "set", ""],
    ],
)
def test_bad_input_never_creates_a_database(tmp_path: Path, argv: list[str]) -> None:
    db = tmp_path / "store.db"
    done = run("--db", f"sqlite:///{db}", *argv, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir()), list(tmp_path.iterdir())


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    code = (
        f'{sys.executable} -c "from aomori_roadmap.cli import main; import sys; '
        "sys.argv = ['aomori-roadmap', 'schedule', '--format', 'json']; main()\" | head -c 10"
    )
    done = subprocess.run(code, shell=True, capture_output=True, text=True, check=False)
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


def test_a_bad_as_of_is_refused_by_every_command() -> None:
    done = run("--as-of", "garbage", "schedule")
    assert done.returncode == 2 and "--as-of" in done.stderr


def test_history_of_a_ref_the_plan_lacks_is_bad_input_and_creates_nothing(tmp_path: Path) -> None:
    done = run("--db", f"sqlite:///{tmp_path / 's.db'}", "status", "history", "nosuch/ref")
    assert done.returncode == 2 and "nosuch/ref" in done.stderr
    assert not list(tmp_path.iterdir())
    shown = run(
        "--db", f"sqlite:///{tmp_path / 's.db'}", "status", "history", "bousai-dx-alerts/study"
    )
    assert shown.returncode == 0 and not list(tmp_path.iterdir())  # reading creates no file
