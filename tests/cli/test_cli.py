from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aomori_roadmap.cli import app

runner = CliRunner()
WritePlan = Callable[[dict[str, str]], Path]


def _count(output: str, label: str) -> int:
    match = re.search(rf"{re.escape(label)}\s*│\s*(\d+)", output)
    assert match, f"{label} not in output"
    return int(match.group(1))


def test_demo_prints_the_summary_of_the_embedded_plan() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "青森県DX推進プラン" in result.output
    assert "2024年度（令和6年度） – 2028年度（令和10年度）" in result.output
    counts = {
        label: _count(result.output, label)
        for label in ("分野", "項目", "取組方針", "基盤", "重点的に取り組むDX", "成果指標（KPI）")
    }
    assert list(counts.values()) == [3, 14, 53, 4, 3, 19]
    assert "未設定" in result.output
    assert "（例示）" in result.output


def test_demo_in_english() -> None:
    result = runner.invoke(app, ["--lang", "en", "demo"])
    assert result.exit_code == 0
    assert _count(result.output, "Policies") == 53
    assert "FY2024 – FY2028" in result.output


def test_an_unknown_language_is_bad_usage() -> None:
    assert runner.invoke(app, ["--lang", "fr", "demo"]).exit_code == 2


def test_validate_the_embedded_plan() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0
    assert "問題はありません" in result.output


def test_validate_lists_every_mistake_and_exits_2(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": "base: aomori-dx-2024-2028\n",
            "a.yaml": "initiatives:\n  - {id: a, name: A, item: nope, tasks: "
            "[{id: x, name: X, duration: 1zz}, {id: x, name: Y, start: FY1, duration: 1mo}]}\n",
            "b.yaml": "initiatives: [\n",
        }
    )
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if re.search(r"\.yaml:\d+:\d+: ", line)]
    assert len(lines) == 5
    assert "5件の問題があります" in result.stderr


def test_plan_option_and_environment_variable(
    write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_plan(
        {"plan.yaml": "id: x\nname: 別のプラン\nperiod: {start: FY2025, end: FY2027}\n"}
    )
    assert "別のプラン" in runner.invoke(app, ["--plan", str(folder), "validate"]).output
    monkeypatch.setenv("AOMORI_ROADMAP_PLAN", str(folder))
    assert "別のプラン" in runner.invoke(app, ["demo"]).output


def test_a_missing_plan_exits_2() -> None:
    result = runner.invoke(app, ["validate", "/nonexistent/plan"])
    assert result.exit_code == 2
    assert "見つかりません" in result.stderr


def test_schema_export_writes_the_schemas(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "export", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert (tmp_path / "out" / "plan.schema.json").is_file()


def test_schedule_table_shows_fiscal_labels() -> None:
    result = runner.invoke(app, ["schedule"])
    assert result.exit_code == 0, result.output
    assert "令和6年度上期" in result.output
    assert "プランの完了日" in result.output


def test_schedule_json_is_the_schedule(tmp_path: Path) -> None:
    import json

    from aomori_roadmap.engine.schedule import schedule
    from aomori_roadmap.plan.loader import default_plan

    result = runner.invoke(app, ["schedule", "--format", "json", "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 0
    written = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert written == schedule(default_plan()).to_json()


def test_schedule_rejects_an_unknown_format() -> None:
    assert runner.invoke(app, ["schedule", "--format", "csv"]).exit_code == 2


def test_demo_writes_its_outputs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--as-of", "2026-11-26", "demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("schedule.json", "gantt.html", "gantt.json", "gantt.xlsx", "feed-reviews.ics"):
        assert (tmp_path / name).is_file(), name
    assert "クリティカルパス" in result.output
    assert "2025-03-31 時点の状況（令和6年度末）" in result.output
    assert "基準値・目標値が未設定の成果指標: 19件" in result.output


def test_demo_reuses_its_store_on_a_second_run(tmp_path: Path) -> None:
    first = runner.invoke(app, ["--as-of", "2026-11-26", "demo", "--out", str(tmp_path)])
    assert "履歴を" in first.output
    again = runner.invoke(app, ["--as-of", "2026-11-26", "demo", "--out", str(tmp_path)])
    assert again.exit_code == 0 and "履歴を" not in again.output
