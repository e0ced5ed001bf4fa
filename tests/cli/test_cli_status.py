"""The status, revisions, baseline and db commands, end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aomori_roadmap.cli import app

runner = CliRunner()
REF = "bousai-dx-alerts/study"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "roadmap.db"
    monkeypatch.setenv("AOMORI_ROADMAP_DB", f"sqlite:///{path}")
    monkeypatch.setenv("AOMORI_ROADMAP_ACTOR", "危機管理局")
    return path


def test_set_then_show_and_history(db: Path) -> None:
    assert runner.invoke(app, ["status", "set", REF, "実施中", "--at", "2024-04-03"]).exit_code == 0
    done = runner.invoke(app, ["status", "set", REF, "done", "--at", "2024-10-02"])
    assert done.exit_code == 0, done.output
    assert "実施中 → 完了 (100%)" in done.output
    shown = runner.invoke(app, ["--as-of", "2024-06-30", "status", "show", "--format", "json"])
    rows = {row["ref"]: row for row in json.loads(shown.stdout)["tasks"]}
    assert rows[REF]["status"] == "in_progress"
    history = runner.invoke(app, ["status", "history", REF, "--format", "json"])
    assert [e["status"] for e in json.loads(history.stdout)] == ["in_progress", "done"]


def test_history_csv_has_a_bom_for_excel(db: Path) -> None:
    runner.invoke(app, ["status", "set", REF, "in_progress", "--at", "2024-04-03"])
    result = runner.invoke(app, ["status", "history", REF, "--format", "csv"])
    assert result.stdout.startswith("\ufeffid,ref,")


def test_an_illegal_transition_exits_2_and_writes_nothing(db: Path) -> None:
    runner.invoke(app, ["status", "set", REF, "done", "--at", "2024-10-02"])
    result = runner.invoke(app, ["status", "set", REF, "in_progress"])
    assert result.exit_code == 2
    assert "再開" in result.stderr
    history = runner.invoke(app, ["status", "history", REF, "--format", "json"])
    assert len(json.loads(history.stdout)) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["status", "set", "nope/nothing", "done"],
        ["status", "set", REF, "finished"],
        ["status", "set", REF, "in_progress", "--progress", "101"],
        ["status", "set", REF, "in_progress", "--at", "yesterday-ish"],
        ["status", "set", REF, "in_progress", "--at", "2035-01-01"],
    ],
)
def test_bad_input_exits_2(db: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output


def test_a_conflict_exits_3(db: Path) -> None:
    runner.invoke(app, ["status", "set", REF, "in_progress", "--at", "2024-04-03"])
    result = runner.invoke(app, ["status", "set", REF, "done", "--expected-from", "planned"])
    assert result.exit_code == 3


def test_baseline_revisions_and_diff(db: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["baseline", "set", "当初計画"]).exit_code == 0
    listed = runner.invoke(app, ["revisions", "list"])
    assert "基準線 当初計画" in listed.output
    diff = runner.invoke(app, ["revisions", "diff", "当初計画", "1", "--format", "json"])
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout)["added"] == []
    assert "当初計画 → #1" in runner.invoke(app, ["baseline", "list"]).output


def test_gantt_against_a_baseline(db: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["baseline", "set", "当初計画"])
    result = runner.invoke(app, ["gantt", "--baseline", "当初計画", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["baseline"] == "当初計画"
    tasks = [r for r in data["rows"] if r["kind"] in ("task", "milestone")]
    assert tasks and all(r["baseline_start"] == r["start"] for r in tasks)


def test_an_unknown_baseline_exits_2(db: Path) -> None:
    runner.invoke(app, ["baseline", "set", "当初計画"])
    assert runner.invoke(app, ["gantt", "--baseline", "nope"]).exit_code == 2


def test_db_upgrade_is_idempotent(db: Path) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and "0006" in first.output
    assert "最新です" in runner.invoke(app, ["db", "upgrade"]).output
