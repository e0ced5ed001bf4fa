"""The workbook commands: out to the departments, and back in, as a person runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from filling import Filler, footprint
from typer.testing import CliRunner, Result

from aomori_roadmap.cli import app
from aomori_roadmap.plan.loader import default_plan

runner = CliRunner()
TASK = "bousai-dx-alerts/design"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'roadmap.db'}"


def invoke(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, "--as-of", "2025-09-30", *args])


def sent(db: str, folder: Path, *options: str) -> Path:
    result = invoke(db, "workbook", "out", "--cycle", "R7上期", "--department", "kikikanri",
                    "-o", str(folder), *options)  # fmt: skip
    assert result.exit_code == 0, result.output
    [path] = folder.glob("*.xlsx")
    return path


def test_out_writes_one_named_workbook_per_department_with_progress(
    db: str, tmp_path: Path
) -> None:
    result = invoke(db, "workbook", "out", "--cycle", "R7上期", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert "R7上期_進捗管理シート_危機管理局.xlsx" in names
    assert len(names) == len(result.stdout.splitlines())
    assert f"[1/{len(names)}]" in result.stderr


def test_out_with_csv_writes_the_task_sheet_beside_the_workbook(db: str, tmp_path: Path) -> None:
    sent(db, tmp_path, "--csv")
    [csv] = tmp_path.glob("*.csv")
    assert csv.name == "R7上期_進捗管理シート_危機管理局.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_unknown_department_or_cycle_is_bad_input_and_writes_nothing(
    db: str, tmp_path: Path
) -> None:
    for args in (("--department", "ghost"), ("--cycle", "R20上期")):
        result = invoke(db, "workbook", "out", *args, "-o", str(tmp_path / "x"))
        assert result.exit_code == 2, result.output
    assert not (tmp_path / "x").exists()


def test_in_shows_then_records_once(db: str, tmp_path: Path) -> None:
    path = sent(db, tmp_path)
    filled = Filler(path.read_bytes(), default_plan())
    filled.set("tasks", "status", TASK, "実施中").set("tasks", "progress", TASK, "40%")
    path.write_bytes(filled.set("tasks", "started", TASK, "R7.8.1").bytes())

    tried = invoke(db, "workbook", "in", "--dry-run", str(path))
    assert tried.exit_code == 0, tried.output
    assert f"工程!{filled.row_of('tasks', TASK)} {TASK}: 状態: 未着手 → 実施中" in tried.stdout
    assert "ドライラン" in tried.stderr
    before = footprint(db)

    done = invoke(db, "workbook", "in", str(path))
    assert done.exit_code == 0, done.output
    assert footprint(db) != before
    again = invoke(db, "workbook", "in", str(path))
    assert again.exit_code == 0 and "変更はありません" in again.stdout
    history = invoke(db, "status", "history", TASK, "--format", "json")
    assert history.stdout.count('"status": "in_progress"') == 1


def test_in_reports_every_problem_located_and_writes_nothing(db: str, tmp_path: Path) -> None:
    path = sent(db, tmp_path)
    filled = Filler(path.read_bytes(), default_plan()).set("tasks", "progress", TASK, "abc")
    path.write_bytes(filled.set("tasks", "started", TASK, "R7.13.1").bytes())
    other = tmp_path / "note.txt"
    other.write_text("not a workbook", encoding="utf-8")
    assert invoke(db, "db", "upgrade").exit_code == 0  # a store, to see that nothing is written
    before = footprint(db)
    result = invoke(db, "workbook", "in", str(path), str(other))
    assert result.exit_code == 2
    assert footprint(db) == before
    assert f"{path.name}:{filled.address('tasks', 'progress', TASK)}:" in result.stderr
    assert f"{path.name}:{filled.address('tasks', 'started', TASK)}:" in result.stderr
    assert "note.txt:" in result.stderr
    assert "\\x0a" not in result.stderr  # the lines of the message stay lines


def test_a_csv_task_sheet_comes_back_the_same_way(db: str, tmp_path: Path) -> None:
    sent(db, tmp_path, "--csv")
    [csv] = tmp_path.glob("*.csv")
    result = invoke(db, "workbook", "in", str(csv))
    assert result.exit_code == 0, result.output
    assert "変更はありません" in result.stdout


def test_in_refuses_the_same_file_given_twice_and_writes_nothing(db: str, tmp_path: Path) -> None:
    path = sent(db, tmp_path)
    filled = Filler(path.read_bytes(), default_plan()).set("tasks", "status", TASK, "実施中")
    path.write_bytes(filled.set("tasks", "started", TASK, "R7.8.1").bytes())
    assert invoke(db, "db", "upgrade").exit_code == 0
    before = footprint(db)
    again = tmp_path / "sub" / ".." / path.name  # the same file by another path
    result = invoke(db, "workbook", "in", str(path), str(again))
    assert result.exit_code == 2, result.output
    assert footprint(db) == before
    assert f"{again}:" in result.stderr and f"{path}" in result.stderr
    assert result.stdout == ""


def test_in_refuses_two_workbooks_changing_the_same_row_and_writes_nothing(
    db: str, tmp_path: Path
) -> None:
    path = sent(db, tmp_path)
    filled = Filler(path.read_bytes(), default_plan()).set("tasks", "status", TASK, "実施中")
    filled.set("tasks", "started", TASK, "R7.8.1")
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    first.write_bytes(filled.set("tasks", "progress", TASK, 30).bytes())
    second.write_bytes(filled.set("tasks", "progress", TASK, 50).bytes())
    assert invoke(db, "db", "upgrade").exit_code == 0
    before = footprint(db)
    for dry_run in ((), ("--dry-run",)):
        result = invoke(db, "workbook", "in", *dry_run, str(first), str(second))
        assert result.exit_code == 2, result.output
        assert footprint(db) == before
        # Located at the row in the later file, naming the earlier one.
        [line] = [x for x in result.stderr.splitlines() if "b.xlsx:" in x]
        assert f"b.xlsx:{filled.address('tasks', 'ref', TASK)}: {TASK}" in line
        assert "a.xlsx" in line
    # One at a time, the later one is compared with what the earlier one recorded.
    assert invoke(db, "workbook", "in", str(first)).exit_code == 0
    later = invoke(db, "workbook", "in", str(second))
    assert later.exit_code != 0 and TASK in later.stderr
