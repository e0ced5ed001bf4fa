"""The review commands: reviews list/due/record, reminders, kpi show/record, report."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

import aomori_roadmap.cli.reviews  # noqa: F401  (registers the commands until cli/__init__ does)
from aomori_roadmap.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
MINIMAL = str(ROOT / "examples" / "minimal-roadmap")


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'roadmap.db'}"


def invoke(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, *args])


def count(db: str, table: str) -> int:
    engine = create_engine(db)
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(found)


def test_reviews_list_gives_the_ten_cycles_with_their_dates(db: str, tmp_path: Path) -> None:
    result = invoke(db, "reviews", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    cycles = json.loads(result.stdout)
    assert [c["cycle"] for c in cycles][::9] == ["FY2024-H1", "FY2028-H2"]
    assert cycles[0] | {"label": None} == cycles[0] | {
        "snapshot": "2024-09-30", "submission_due": "2024-10-15", "meeting_by": "2024-10-31",
        "publication": "2024-11-06", "annual_report_due": None, "label": None,
    }  # fmt: skip
    assert not (tmp_path / "roadmap.db").exists()  # reading never creates the database
    table = invoke(db, "--lang", "en", "reviews", "list")
    assert table.exit_code == 0 and table.stdout.startswith("青森県DX推進プラン\n")


def test_record_a_submission_and_a_review_then_see_them(db: str) -> None:
    submitted = invoke(
        db, "reviews", "record", "R7上期", "bousai-dx-alerts", "--rating", "〇",
        "--achievements", "実証地域を選定", "--actor", "危機管理局",
    )  # fmt: skip
    assert submitted.exit_code == 0, submitted.output
    assert submitted.stdout.strip() == "#1 FY2025-H1 bousai-dx-alerts: 提出 ○"
    reviewed = invoke(
        db, "reviews", "record", "FY2025-H1", "bousai-dx-alerts", "--stage", "reviewed",
        "--rating", "やや遅れ", "--comment", "市町村との調整を急ぐこと", "--actor", "DX推進課",
    )  # fmt: skip
    assert reviewed.exit_code == 0, reviewed.output
    listed = invoke(db, "--as-of", "2025-10-06", "reviews", "list", "--cycle", "R7上期",
                    "--format", "json")  # fmt: skip
    rows = {row["initiative"]: row for row in json.loads(listed.stdout)["initiatives"]}
    alerts = rows["bousai-dx-alerts"]
    assert (alerts["state"], alerts["self"], alerts["office"]) == ("reviewed", "○", "△")
    assert rows["sangyo-dx-sales"]["state"] == "not_submitted"
    table = invoke(db, "--as-of", "2025-10-06", "reviews", "list", "--cycle", "R7上期")
    assert "評価済" in table.stdout and "危機管理局" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["R7上期", "bousai-dx-alerts", "--rating", "☆"], "評価の尺度にありません"),
        (["FY2031-H1", "bousai-dx-alerts", "--rating", "○"], "プランの期間外"),
        (["R7上期", "nope", "--rating", "○"], "取組 'nope' はプランにありません"),
        (["R7上期", "bousai-dx-alerts", "--rating", "○", "--stage", "x"], "--stage"),
        (["R7上期", "bousai-dx-alerts", "--rating", "○", "--comment", "c"], "--comment"),
        (["R7上期", "bousai-dx-alerts", "--rating", "○", "--corrects", "9"], "#9 がありません"),
    ],
)
def test_bad_review_input_exits_2_and_writes_nothing(
    db: str, args: list[str], message: str
) -> None:
    invoke(db, "reviews", "record", "R7上期", "sangyo-dx-sales", "--rating", "○", "--actor", "課")
    result = invoke(db, "reviews", "record", *args, "--actor", "課")
    assert result.exit_code == 2
    assert message in result.stderr
    assert count(db, "review_records") == 1


def test_reviews_due_lists_missing_submissions_by_department(db: str) -> None:
    invoke(db, "reviews", "record", "R7上期", "bousai-dx-alerts", "--rating", "○", "--actor", "課")
    result = invoke(db, "--as-of", "2025-10-06", "reviews", "due", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    names = [d["name"] for d in found["departments"]]
    assert names == ["商工労働部", "教育庁", "県土整備部"]  # 危機管理局 has submitted
    kinds = {item["kind"] for d in found["departments"] for item in d["items"]}
    assert kinds == {"submission"}
    text = invoke(db, "--as-of", "2025-10-06", "reviews", "due", "--department", "教育庁")
    assert "教育庁（宛先未設定）" in text.stdout and "締切 2025-10-15" in text.stdout


def test_kpi_record_and_show(db: str) -> None:
    recorded = invoke(db, "kpi", "record", "kpi-business-dx-support", "令和7年度", "1,250",
                      "--note", "速報値", "--actor", "商工労働部")  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout.strip() == "#1 kpi-business-dx-support FY2025: 1250"
    shown = invoke(db, "kpi", "show", "--fy", "2025", "--format", "json")
    rows = {row["kpi"]: row for row in json.loads(shown.stdout)}
    support = rows["kpi-business-dx-support"]
    assert support["actuals"]["2025"] == 1250.0 and support["status"] == "unset"
    assert len(rows) == 19
    table = invoke(db, "kpi", "show", "--fy", "FY2025")
    assert table.exit_code == 0 and "2025年度（令和7年度）" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "2025", "1"], "成果指標 'nope' はプランにありません"),
        (["kpi-business-dx-support", "2035", "1"], "プランの期間"),
        (["kpi-business-dx-support", "2025", "たくさん"], "数値"),
    ],
)
def test_bad_kpi_input_exits_2_and_writes_nothing(db: str, args: list[str], message: str) -> None:
    invoke(db, "kpi", "record", "kpi-business-dx-support", "2024", "1", "--actor", "課")
    result = invoke(db, "kpi", "record", *args, "--actor", "課")
    assert result.exit_code == 2
    assert message in result.stderr
    assert count(db, "kpi_actuals") == 1


@pytest.mark.parametrize("format", ["text", "markdown", "json"])
def test_reminders_in_every_format(db: str, format: str) -> None:
    result = invoke(db, "--plan", MINIMAL, "--as-of", "2025-10-06", "reminders",
                    "--within", "2w", "--format", format)  # fmt: skip
    assert result.exit_code == 0, result.output
    if format == "json":
        data = json.loads(result.stdout)
        assert (data["as_of"], data["until"]) == ("2025-10-06", "2025-10-20")
        assert [d["name"] for d in data["departments"]] == ["DX推進課", "防災危機管理課"]
    elif format == "markdown":
        assert result.stdout.startswith("# リマインダー（2025-10-06時点、今後14日間）")
    else:
        assert "【DX推進プラン】DX推進課: " in result.stdout


def test_reminders_in_english_for_one_department(db: str) -> None:
    result = invoke(db, "--plan", MINIMAL, "--lang", "en", "--as-of", "2025-10-06",
                    "reminders", "--department", "dx-suishin")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "[DX plan] DX推進課: " in result.stdout and "防災危機管理課" not in result.stdout


def test_reminders_with_nothing_due(db: str) -> None:
    result = invoke(db, "--plan", MINIMAL, "--as-of", "2025-03-01", "reminders")
    assert result.exit_code == 0
    assert result.stdout == "期限切れの事項も、今後14日間（2025-03-15まで）の予定もありません。\n"


def test_reminders_with_a_bad_window_or_department_exit_2(db: str) -> None:
    assert invoke(db, "reminders", "--within", "soon").exit_code == 2
    result = invoke(db, "reminders", "--department", "nope")
    assert result.exit_code == 2 and "担当課 'nope'" in result.stderr


def test_report_in_every_format(db: str, tmp_path: Path) -> None:
    invoke(db, "reviews", "record", "R7上期", "bousai-dx-alerts", "--rating", "○", "--actor", "課")
    invoke(db, "kpi", "record", "kpi-business-dx-support", "2025", "120", "--actor", "課")
    base = ["--as-of", "2026-04-10", "report", "--fy", "2025"]
    markdown = invoke(db, *base)
    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith("# 青森県DX推進プラン 2025年度（令和7年度） 進捗状況報告")
    assert "| ○ / － |" in markdown.stdout
    saved = tmp_path / "report.json"
    assert invoke(db, *base, "--format", "json", "-o", str(saved)).exit_code == 0
    report = json.loads(saved.read_text(encoding="utf-8"))
    assert report["previous"] == {"fy": 2024, "as_of": "2025-03-31"}  # made from the store
    assert report["changes"] == []
    assert {k["id"]: k["actual"] for k in report["kpis"]}["kpi-business-dx-support"] == 120.0
    page = tmp_path / "report.html"
    assert invoke(db, "--lang", "en", *base, "--format", "html", "-o", str(page)).exit_code == 0
    assert "progress report FY2025" in page.read_text(encoding="utf-8")
    book = tmp_path / "report.xlsx"
    assert invoke(db, *base, "--format", "xlsx", "-o", str(book)).exit_code == 0
    assert load_workbook(BytesIO(book.read_bytes())).sheetnames[0] == "産業・しごと"
    again = invoke(db, "--as-of", "2027-04-10", "report", "--fy", "2026", "--format", "json",
                   "--previous", str(saved))  # fmt: skip
    assert json.loads(again.stdout)["previous"] == {"fy": 2025, "as_of": "2026-03-31"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fy", "2030"], "プランの期間"),
        (["--fy", "R7上期"], "年度"),
        (["--fy", "2025", "--format", "pdf"], "--format"),
        (["--fy", "2025", "--previous", "/nonexistent.json"], "前回の報告"),
    ],
)
def test_bad_report_options_exit_2(db: str, args: list[str], message: str) -> None:
    result = invoke(db, "report", *args)
    assert result.exit_code == 2
    assert message in result.stderr
