"""Two plans in one --db: the plans catalogue, and each plan seeing only its own part."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from storetest import PLAN_DATA
from typer.testing import CliRunner

from aomori_roadmap.cli import app

runner = CliRunner()
REF = "alerts/study"


def _plan_file(folder: Path, plan_id: str, name: str) -> str:
    data = copy.deepcopy(PLAN_DATA)
    data["id"], data["name"] = plan_id, name
    path = folder / f"{plan_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("AOMORI_ROADMAP_DB", f"sqlite:///{tmp_path / 'shared.db'}")
    monkeypatch.setenv("AOMORI_ROADMAP_ACTOR", "企画課")
    return (
        _plan_file(tmp_path, "town-a", "A町DX推進計画"),
        _plan_file(tmp_path, "town-b", "B村DX推進計画"),
    )


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_plans_add_list_and_show(plans: tuple[str, str]) -> None:
    a, b = plans
    _run("plans", "add", a, "--owner", "A町企画課")
    _run("--plan", b, "plans", "add", "--owner", "B村総務課")
    listed = json.loads(_run("plans", "list", "--json"))
    assert [(p["id"], p["owner"], p["period"], p["revision"]) for p in listed] == [
        ("town-a", "A町企画課", "FY2024–FY2028", 1),
        ("town-b", "B村総務課", "FY2024–FY2028", 2),
    ]
    assert "B村DX推進計画" in _run("plans", "list")
    shown = json.loads(_run("plans", "show", "town-b", "--json"))
    assert (shown["name"], shown["revision"]) == ("B村DX推進計画", 2)


def test_plans_add_needs_an_owner(plans: tuple[str, str]) -> None:
    result = runner.invoke(app, ["plans", "add", plans[0]])
    assert result.exit_code == 2
    assert runner.invoke(app, ["plans", "show", "town-a"]).exit_code == 2


def test_two_plans_do_not_see_each_others_status(plans: tuple[str, str]) -> None:
    a, b = plans
    _run("--plan", a, "status", "set", REF, "in_progress", "--at", "2024-04-03")
    _run("--plan", b, "status", "set", REF, "done", "--at", "2024-05-01")
    history_a = json.loads(_run("--plan", a, "status", "history", REF, "--format", "json"))
    history_b = json.loads(_run("--plan", b, "status", "history", REF, "--format", "json"))
    assert [e["status"] for e in history_a] == ["in_progress"]
    assert [e["status"] for e in history_b] == ["done"]
    assert history_a[0]["id"] != history_b[0]["id"]
    shown = json.loads(_run("--plan", a, "status", "show", "--format", "json"))
    assert {r["ref"]: r["status"] for r in shown["tasks"]}[REF] == "in_progress"


def test_two_plans_keep_their_own_revisions_and_baselines(plans: tuple[str, str]) -> None:
    a, b = plans
    _run("--plan", a, "baseline", "set", "当初計画")
    assert "当初計画 → #1" in _run("--plan", a, "baseline", "list")
    assert _run("--plan", b, "baseline", "list").strip() == ""
    hashes_a = re.findall(r"\b[0-9a-f]{12}\b", _run("--plan", a, "revisions", "list"))
    assert len(hashes_a) == 1  # the baseline's revision, listed by its hash
    assert hashes_a[0] not in _run("--plan", b, "revisions", "list")  # it is plan A's alone
    result = runner.invoke(app, ["--plan", b, "revisions", "diff", "1", "1"])
    assert result.exit_code == 2  # plan A's revision is not there for plan B


def test_two_plans_keep_their_own_tokens(plans: tuple[str, str]) -> None:
    a, b = plans
    _run("--plan", a, "tokens", "create", "--name", "a-feed", "--actor", "A町")
    assert "a-feed" in _run("--plan", a, "tokens", "list")
    assert "a-feed" not in _run("--plan", b, "tokens", "list")
    assert runner.invoke(app, ["--plan", b, "tokens", "revoke", "a-feed"]).exit_code == 2


def test_db_upgrade_takes_the_plan_id(plans: tuple[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--plan-id", "town-a"])
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in json.loads(_run("plans", "list", "--json"))] == ["town-a"]


def test_row_level_security_needs_postgresql(plans: tuple[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--with-rls"])
    assert result.exit_code == 3
    assert "PostgreSQL" in result.stderr


def test_plans_grant_checks_the_role_name(plans: tuple[str, str]) -> None:
    result = runner.invoke(app, ["plans", "grant", "town-a", "Robert'); DROP TABLE plans;--"])
    assert result.exit_code == 2


def test_rollup_of_a_mistyped_db_makes_no_database(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    result = runner.invoke(app, ["--db", f"sqlite:///{typo}", "rollup", "--json"])
    assert result.exit_code == 2 and "ストア（--db）が必要です" in result.output  # not a crash
    assert not typo.exists()  # reading never makes a database
