"""`kpi record` takes a mark (未把握, 調査中) instead of a number; `kpi show` prints it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aomori_roadmap.cli import app

runner = CliRunner()
KPI = "kpi-business-dx-support"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'roadmap.db'}"


def invoke(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, *args], env={"COLUMNS": "400"})  # no folding


@pytest.mark.parametrize(("written", "shown"), [("調査中", "調査中"), ("unknown", "未把握")])
def test_kpi_record_takes_a_mark(db: str, written: str, shown: str) -> None:
    recorded = invoke(db, "kpi", "record", KPI, "2025", written, "--actor", "商工労働部")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout.strip() == f"#1 {KPI} FY2025: {shown}"


def test_kpi_show_prints_a_mark_in_the_table_and_its_code_in_json(db: str) -> None:
    invoke(db, "kpi", "record", KPI, "2024", "120", "--actor", "課")
    invoke(db, "kpi", "record", KPI, "2025", "未把握", "--actor", "課")
    shown = invoke(db, "kpi", "show", "--fy", "2025", "--format", "json")
    row = {r["kpi"]: r for r in json.loads(shown.stdout)}[KPI]
    assert row["actuals"]["2024"] == 120.0 and row["actuals"]["2025"] == "unknown"
    assert (row["mark"], row["rate"], row["status"]) == ("unknown", None, "unset")
    table = invoke(db, "kpi", "show", "--fy", "2025")
    assert table.exit_code == 0 and "未把握" in table.stdout
    english = invoke(db, "--lang", "en", "kpi", "show", "--fy", "2025")
    assert "not known" in english.stdout


def test_kpi_record_refuses_other_text_naming_the_marks(db: str) -> None:
    result = invoke(db, "kpi", "record", KPI, "2025", "不明", "--actor", "課")
    assert result.exit_code == 2
    assert "未把握, 調査中, unknown, surveying" in result.stderr


def test_kpi_show_lists_the_intermediate_indicators_after_the_kpis(tmp_path: Path) -> None:
    import yaml
    from sitetest import SITE_PLAN

    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump(SITE_PLAN, allow_unicode=True), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'site.db'}"
    args = ["--db", db, "--plan", str(plan_file)]
    recorded = runner.invoke(app, [*args, "kpi", "record", "ind1", "2025", "7", "--actor", "d1"])
    assert recorded.exit_code == 0, recorded.output
    shown = runner.invoke(app, [*args, "kpi", "show", "--fy", "2025", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    kinds = [(r["kpi"], r["kind"], r["of"]) for r in rows]
    kpis = [k["id"] for k in SITE_PLAN["kpis"]]
    indicators = [(i["id"], i.get("kpi") or i.get("initiative")) for i in SITE_PLAN["indicators"]]
    assert kinds == [(k, "kpi", None) for k in kpis] + [
        (i, "indicator", of) for i, of in indicators
    ]
    assert next(r for r in rows if r["kpi"] == "ind1")["actuals"]["2025"] == 7
    table = runner.invoke(app, [*args, "kpi", "show", "--fy", "2025"], env={"COLUMNS": "400"})
    assert table.exit_code == 0, table.output
    first = SITE_PLAN["indicators"][0]
    assert (
        f"{first['name']}（{first.get('kpi') or first.get('initiative')} の中間指標）"
        in table.stdout
    )


def test_kpi_show_gives_an_indicators_published_values_as_the_site_does(tmp_path: Path) -> None:
    """The plan's own values of an indicator count where the store has none for the year."""
    import copy

    import yaml
    from sitetest import SITE_PLAN

    data = copy.deepcopy(SITE_PLAN)
    data["indicators"][1]["values"] = [{"fy": 2024, "value": 3}, {"fy": 2025, "value": 4}]
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = ["--db", f"sqlite:///{tmp_path / 'site.db'}", "--plan", str(plan_file)]
    recorded = runner.invoke(app, [*args, "kpi", "record", "ind2", "2025", "6", "--actor", "d1"])
    assert recorded.exit_code == 0, recorded.output
    shown = runner.invoke(app, [*args, "kpi", "show", "--fy", "2025", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    row = next(r for r in json.loads(shown.stdout) if r["kpi"] == "ind2")
    assert (row["actuals"]["2024"], row["actuals"]["2025"]) == (3, 6)  # the store's 6 wins
    table = runner.invoke(app, [*args, "kpi", "show", "--fy", "2024"], env={"COLUMNS": "400"})
    line = next(x for x in table.stdout.splitlines() if "研修回数" in x)
    assert [cell.strip() for cell in line.split("│")][4:6] == ["3", "6"]
