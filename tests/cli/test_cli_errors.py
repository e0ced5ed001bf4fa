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
        ["reviews", "record", "R7上期", "bousai-dx-alerts", "--rating", "○", "--actor", " "],
        ["kpi", "record", "kpi-nosuch", "2025", "10", "--actor", ""],
        ["baseline", "set", ""],
        ["baseline", "set", "当初計画", "--actor", ""],
        ["revisions", "save", "--actor", "  "],
        ["tokens", "create", "--name", " ", "--actor", "DX推進課"],
        ["tokens", "create", "--feed", "nosuch", "--actor", "DX推進課"],
        ["tokens", "create", "--actor", ""],
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


@pytest.mark.parametrize("option", ["--plan", "--db"])
def test_an_empty_global_option_is_refused_not_taken_for_the_default(option: str) -> None:
    # `validate --plan "$UNSET"` must not pass the embedded plan in its place.
    done = run(option, "", "validate")
    assert done.returncode == 2
    assert done.stderr.strip() == f"{option} が空です（既定を使うなら省いてください）"
    assert done.stdout == ""


def test_the_language_comes_from_the_environment() -> None:
    import os

    done = run("--plan", str(EXAMPLE), "validate", env={**os.environ, "AOMORI_ROADMAP_LANG": "en"})
    assert done.returncode == 0 and done.stdout.startswith("No problems found")


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["revisions", "list"], 0),
        (["revisions", "diff", "1", "2"], 2),
        (["baseline", "list"], 0),
        (["tokens", "list"], 0),
        (["status", "show"], 0),
        (["kpi", "show"], 0),
        (["reviews", "list"], 0),
    ],
)
def test_reading_never_creates_a_database(tmp_path: Path, argv: list[str], status: int) -> None:
    done = run("--db", f"sqlite:///{tmp_path / 'store.db'}", *argv, cwd=tmp_path)
    assert done.returncode == status, (done.stdout, done.stderr)
    assert not list(tmp_path.iterdir())


def test_a_blank_baseline_name_saves_no_revision_first(tmp_path: Path) -> None:
    from aomori_roadmap.store import Store

    db = f"sqlite:///{tmp_path / 'store.db'}"
    made = run("--db", db, "status", "set", "bousai-dx-alerts/study", "in_progress",
               "--actor", "危機管理局", "--at", "2024-06-01")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert run("--db", db, "baseline", "set", "  ", "--actor", "DX推進課").returncode == 2
    with Store(db) as store:
        assert store.revisions() == [] and store.baselines() == []


def test_a_store_that_cannot_be_opened_is_status_3(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'no' / 'such' / 'store.db'}"
    done = run("--db", db, "status", "set", "bousai-dx-alerts/study", "in_progress",
               "--actor", "危機管理局")  # fmt: skip
    assert done.returncode == 3
    (line,) = done.stderr.strip().splitlines()
    assert "データベースを開けません" in line and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("error", "status"),
    [("PlanError('悪い入力')", 2), ("StoreError('壊れたストア')", 3), ("ValueError('x')", 3)],
)
def test_an_error_no_command_caught_is_still_one_line(error: str, status: int) -> None:
    # Raised past the command's own handling, straight into main().
    patch = (
        "import aomori_roadmap.cli.plan as commands\n"
        "from aomori_roadmap.errors import PlanError, StoreError\n"
        "def broken(*args, **kwargs):\n"
        f"    raise {error}\n"
        "commands.load = broken\n"
    )
    done = run("validate", patch=patch)
    assert done.returncode == status
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_interrupt_is_quiet_with_status_130() -> None:
    patch = BREAK_LOADER.replace("RuntimeError('the disk went away')", "KeyboardInterrupt")
    done = run("validate", patch=patch)
    assert done.returncode == 130
    assert done.stderr.strip() == "" and done.stdout == ""
