"""The annual progress report: its content, Markdown, HTML in Chromium, and the xlsx read back.

The plan runs FY2024–FY2026. ``matching`` (商工業) started a month late and is done by
2025-08; ``alerts`` (防災) is under way since 2025-04 and its ▲運用開始 falls in FY2026;
``loose`` names no item and is new since the previous report. Four KPIs: one up, one down,
one already past its target, one not set.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from aomori_roadmap.engine.kpi import KpiMark, KpiStatus
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.excel import report_xlsx
from aomori_roadmap.export.report import (
    annual_report,
    mark_label,
    report_html,
    report_markdown,
)
from aomori_roadmap.i18n import using_language
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.review_log import KpiLog, ReviewLog
from aomori_roadmap.views.report import (
    AnnualReport,
    ChangeDetail,
    KpiValue,
    PreviousReport,
    ReportInitiative,
)
from aomori_roadmap.views.snapshot import take_snapshot

NASTY = "<script>alert(1)</script> & \"q\" 'x' | *y*"

PLAN: dict[str, Any] = {
    "id": "report-test",
    "name": "報告テストプラン",
    "period": {"start": "FY2024", "end": "FY2026"},
    "fields": [{"id": "industry", "name": "産業・しごと"}, {"id": "living", "name": "暮らし・まち"}],
    "items": [
        {"id": "commerce", "field": "industry", "name": "商工業"},
        {"id": "disaster", "field": "living", "name": "防災・危機管理"},
        {"id": "care", "field": "living", "name": "医療・福祉"},
    ],
    "departments": [{"id": "shoko", "name": "商工労働部"}, {"id": "bousai", "name": "危機管理局"}],
    "kpis": [
        {"id": "support", "name": "支援件数", "unit": "件", "direction": "up",
         "baseline": {"fy": 2023, "value": 100}, "target": {"fy": 2026, "value": 400}},
        {"id": "paper", "name": "コピー用紙使用量", "unit": "万枚", "direction": "down",
         "baseline": {"fy": 2023, "value": 1000}, "target": {"fy": 2026, "value": 400}},
        {"id": "reached", "name": "達成済みの指標", "direction": "up",
         "baseline": {"fy": 2023, "value": 10}, "target": {"fy": 2026, "value": 20}},
        {"id": "unset", "name": "未設定の指標",
         "baseline": {"fy": 2023, "value": None}, "target": {"fy": 2026, "value": None}},
    ],
    "initiatives": [
        {"id": "matching", "name": "マッチング支援", "item": "commerce", "department": "shoko",
         "tasks": [
             {"id": "study", "name": "検討", "start": "FY2024-H1", "duration": "1half"},
             {"id": "pilot", "name": "実証", "after": "study", "duration": "6mo"},
             {"id": "launch", "name": "本格実施", "milestone": True, "after": "pilot"},
         ]},
        {"id": "alerts", "name": "防災アラート", "item": "disaster", "department": "bousai",
         "tasks": [
             {"id": "build", "name": "構築", "start": "FY2025-H1", "duration": "1y"},
             {"id": "go", "name": "運用開始", "milestone": True, "after": "build"},
         ]},
        {"id": "loose", "name": "項目のない取組", "tasks": [
            {"id": "work", "name": "作業", "start": "FY2025", "duration": "3mo"}]},
    ],
}  # fmt: skip


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 1, tzinfo=UTC)  # 10:00 in Japan


def earlier_plan(plan_data: dict[str, Any]) -> Plan:
    """The plan as it was a year before: without ``loose``, ``alerts`` half as long."""
    data = copy.deepcopy(plan_data)
    data["initiatives"] = [i for i in data["initiatives"] if i["id"] != "loose"]
    data["initiatives"][1]["tasks"][0]["duration"] = "6mo"
    return plan_from_data(data)


def build(plan_data: dict[str, Any]) -> tuple[AnnualReport, Plan, Store]:
    plan = plan_from_data(plan_data)
    store = Store("sqlite://", plan=plan, clock=lambda: at(2026, 5, 1))
    for ref, status, when in [
        ("matching/study", "in_progress", at(2024, 5, 1)),  # a month late
        ("matching/study", "done", at(2024, 11, 15)),
        ("matching/pilot", "in_progress", at(2024, 12, 2)),
        ("matching/pilot", "done", at(2025, 8, 1)),
        ("matching/launch", "done", at(2025, 8, 1)),
        ("alerts/build", "in_progress", at(2025, 4, 10)),
    ]:
        store.record_status(ref, status, actor="課", effective=when)
    log = ReviewLog(store)
    wrong = log.submit("FY2025-H1", "matching", rating="○", actor="商工労働部")
    log.submit(
        "FY2025-H1", "matching", rating="◎", actor="商工労働部", corrects=wrong.id,
        achievements="実証を完了\n参加 12 社", issues="人材の確保", next_steps="横展開",
    )  # fmt: skip
    log.review("FY2025-H1", "matching", rating="○", actor="DX推進課", comment="順調")
    log.submit("FY2025-H2", "alerts", rating="×", actor="危機管理局")
    kpis = KpiLog(store)
    kpis.record("support", 2025, 250, actor="商工労働部")
    kpis.record("paper", 2025, 650, actor="総務部")
    fixed = kpis.record("paper", 2025, 999, actor="総務部")
    kpis.record("paper", 2025, 600, actor="総務部", note="訂正", corrects=fixed.id)
    kpis.record("reached", 2025, 25, actor="課")
    previous = annual_report(
        take_snapshot(earlier_plan(plan_data), None, as_of=date(2025, 3, 31)), [], [], fy=2024
    )
    snap = take_snapshot(plan, store, as_of=date(2026, 3, 31))
    report = annual_report(snap, log.records(), kpis.actuals(), fy="令和7年度", previous=previous)
    return report, plan, store


@pytest.fixture(scope="module")
def made() -> Iterator[tuple[AnnualReport, Plan, Store]]:
    report, plan, store = build(PLAN)
    yield report, plan, store
    store.close()


@pytest.fixture(scope="module")
def report(made: tuple[AnnualReport, Plan, Store]) -> AnnualReport:
    return made[0]


def day(cell: object) -> date:
    """A date cell as openpyxl reads it back (a datetime at midnight)."""
    assert isinstance(cell, datetime)
    return cell.date()


def initiatives(report: AnnualReport) -> dict[str, ReportInitiative]:
    return {i.id: i for i in report.initiatives()}


def test_fields_items_and_initiatives_in_plan_order(report: AnnualReport) -> None:
    layout = [(f.name, [(i.name, len(i.initiatives)) for i in f.items]) for f in report.fields]
    assert layout == [
        ("産業・しごと", [("商工業", 1)]),
        ("暮らし・まち", [("防災・危機管理", 1), ("医療・福祉", 0)]),
        (None, [(None, 1)]),  # initiatives without an item come last
    ]
    assert (report.fy, report.as_of, report.cycles) == (
        2025, date(2026, 3, 31), ("FY2025-H1", "FY2025-H2"),
    )  # fmt: skip


def test_each_initiative_with_status_lateness_and_latest_ratings(report: AnnualReport) -> None:
    found = initiatives(report)
    matching, alerts = found["matching"], found["alerts"]
    assert (matching.status, matching.progress, matching.tasks_done) == (Status.DONE, 100, 3)
    assert matching.department_name == "商工労働部"
    first, second = matching.reviews
    assert (first.own_rating, first.office, first.comment) == ("◎", "○", "順調")  # corrected
    assert first.achievements == "実証を完了\n参加 12 社"
    assert (second.own_rating, second.office) == (None, None)
    assert alerts.status is Status.IN_PROGRESS
    assert alerts.lateness is Lateness.AT_RISK  # 構築 started on 4/10, after its planned start
    assert [r.own_rating for r in alerts.reviews] == [None, "×"]


def test_the_rating_distribution_of_both_reviews(report: AnnualReport) -> None:
    rows = {(d.cycle, d.stage): d for d in report.distribution}
    assert rows[("FY2025-H1", "submitted")].counts == {"◎": 1, "○": 0, "△": 0, "×": 0}
    assert rows[("FY2025-H1", "reviewed")].counts["○"] == 1
    assert rows[("FY2025-H2", "submitted")].counts["×"] == 1
    # The × submission of FY2025-H2 is not rated yet: one more missing among the ratings.
    assert rows[("FY2025-H2", "reviewed")].missing == rows[("FY2025-H2", "submitted")].missing + 1


def test_the_kpi_table(report: AnnualReport) -> None:
    kpis = {k.id: k for k in report.kpis}
    support, paper, reached, unset = (kpis[k] for k in ("support", "paper", "reached", "unset"))
    assert (support.actual, support.expected, support.rate, support.status) == (
        250.0, 300.0, 50.0, KpiStatus.BEHIND,
    )  # fmt: skip
    assert (paper.actual, paper.expected, paper.rate, paper.status) == (
        600.0, 600.0, 66.7, KpiStatus.ON_TRACK,
    )  # fmt: skip
    assert paper.actuals == (KpiValue(fy=2025, value=600.0),)  # the correction applied
    assert (reached.rate, reached.status) == (150.0, KpiStatus.ACHIEVED)
    assert (unset.actual, unset.rate, unset.status) == (None, None, KpiStatus.UNSET)
    assert report.summary.kpis_unset == 1


def test_tasks_slipped_against_the_plan(
    report: AnnualReport, made: tuple[AnnualReport, Plan, Store]
) -> None:
    slipped = {s.ref: s for s in report.slipped}
    assert {"matching/study", "matching/pilot", "alerts/build", "alerts/go"} <= set(slipped)
    study, build = slipped["matching/study"], slipped["alerts/build"]
    calendar = take_snapshot(made[1], as_of=date(2026, 3, 31)).current.calendar
    assert (study.planned_finish, study.finish) == (date(2024, 9, 30), date(2024, 11, 15))
    assert study.days == calendar.working_days_between(date(2024, 9, 30), date(2024, 11, 15))
    # Started on 4/10 instead of 4/1: a year of work ends seven working days later.
    assert (build.planned_finish, build.days) == (date(2026, 3, 31), 7)
    assert report.slipped[0].days >= report.slipped[-1].days
    assert report.baseline is None


def test_tasks_slipped_against_a_baseline(made: tuple[AnnualReport, Plan, Store]) -> None:
    _, plan, store = made
    revision = store.save_revision(earlier_plan(PLAN), "DX推進課", "当初計画")
    store.set_baseline("当初計画", revision.id, actor="DX推進課")
    snap = take_snapshot(plan, store, as_of=date(2026, 3, 31), baseline="当初計画")
    found = annual_report(snap, [], [], fy=2025)
    assert found.baseline == "当初計画"
    assert {"alerts/build", "alerts/go"} <= {s.ref for s in found.slipped}


def test_changes_since_the_previous_report_are_marked(report: AnnualReport) -> None:
    assert report.changes is not None
    marks = {(c.kind, c.ref): c for c in report.changes}
    assert marks[("initiative", "loose")].mark == "new"
    assert marks[("initiative", "matching")].mark == "done"
    alerts = marks[("initiative", "alerts")]
    assert alerts.mark == "changed"
    assert ChangeDetail(what="status", before="planned", after="in_progress") in alerts.details
    assert marks[("task", "matching/launch")].mark == "done"
    assert initiatives(report)["loose"].change == "new"
    assert report.previous == PreviousReport(fy=2024, as_of="2025-03-31")


def test_the_previous_report_may_be_its_json_read_back(
    made: tuple[AnnualReport, Plan, Store],
) -> None:
    _, plan, store = made
    earlier = annual_report(
        take_snapshot(earlier_plan(PLAN), None, as_of=date(2025, 3, 31)), [], [], fy=2024
    )
    saved = json.loads(json.dumps(earlier.to_json(), ensure_ascii=False))
    snap = take_snapshot(plan, store, as_of=date(2026, 3, 31))
    records, values = ReviewLog(store).records(), KpiLog(store).actuals()
    from_json = annual_report(snap, records, values, fy=2025, previous=saved)
    assert from_json == annual_report(snap, records, values, fy=2025, previous=earlier)


def test_the_json_has_the_keys_and_values_of_the_report(report: AnnualReport) -> None:
    data = report.to_json()
    assert list(data) == [
        "report", "plan", "fy", "fy_label", "period", "as_of", "baseline", "cycles", "scale",
        "distribution", "fields", "kpis", "slipped", "next_milestones", "tasks", "changes",
        "previous", "summary",
    ]  # fmt: skip
    assert (data["fy_label"], data["period"]) == (
        "2025年度（令和7年度）", {"start": "2025-04-01", "end": "2026-03-31"},
    )  # fmt: skip
    alerts = next(c for c in data["changes"] if c["ref"] == "alerts")
    assert {"what": "status", "before": "planned", "after": "in_progress"} in alerts["details"]
    assert data["previous"] == {"fy": 2024, "as_of": "2025-03-31"}
    assert json.loads(json.dumps(data)) == data  # JSON-ready: plain values only
    with using_language("en"):  # the data does not depend on the language chosen
        assert report.to_json() == data


def test_next_years_milestones(report: AnnualReport) -> None:
    assert [(m.ref, m.status) for m in report.next_milestones] == [("alerts/go", Status.PLANNED)]
    assert report.next_milestones[0].date.isoformat().startswith("2026-0")


def test_without_a_previous_report_there_is_no_changes_section(
    made: tuple[AnnualReport, Plan, Store],
) -> None:
    _, plan, store = made
    found = annual_report(take_snapshot(plan, store, as_of=date(2025, 3, 31)), [], [], fy=2024)
    assert found.changes is None
    assert "前回の報告がないため" in report_markdown(found)


@pytest.mark.parametrize("fy", [2023, 2027, "FY2025-H1", "two"])
def test_a_year_outside_the_plan_is_refused(
    made: tuple[AnnualReport, Plan, Store], fy: object
) -> None:
    snap = take_snapshot(made[1], as_of=date(2026, 3, 31))
    with pytest.raises(PlanError):
        annual_report(snap, [], [], fy=fy)  # type: ignore[arg-type]


def test_markdown(report: AnnualReport) -> None:
    text = report_markdown(report)
    assert text.startswith("# 報告テストプラン 2025年度（令和7年度） 進捗状況報告\n")
    assert "| 【完了】マッチング支援 — 令和7年度上期 成果: 実証を完了 参加 12 社;" in text
    assert "| 支援件数（件）↑ | 100 | 400 | 250 | 300 | 50.0% | 遅れ |" in text
    assert "| 未設定の指標 ↑ | 未設定 | 未設定 | 未設定 | 未設定 | 未設定 | 未設定 |" in text
    assert "ロードマップのある取組がない項目: 医療・福祉" in text
    assert "## 2026年度（令和8年度）のマイルストーン" in text
    english = report_markdown(report, lang="en")
    assert "# 報告テストプラン: progress report FY2025" in english
    assert "| FY2025 H2 | Self-assessment | 0 | 0 | 0 | 1 |" in english
    assert "## Changes since the previous report" in english
    assert "| 【Done】マッチング支援 — FY2025 H1 Achievements: 実証を完了 参加 12 社;" in english


def test_a_language_other_than_ja_or_en_is_refused(report: AnnualReport) -> None:
    for render in (report_markdown, report_html):
        with pytest.raises(PlanError, match="'fr'"):
            render(report, lang="fr")


def test_the_marks_of_the_changes_in_both_languages() -> None:
    assert [mark_label(m) for m in ("new", "changed", "done")] == ["新規", "変更", "完了"]
    with using_language("en"):
        assert mark_label("new") == "New"


def test_html_is_self_contained_and_prints_on_a4(report: AnnualReport) -> None:
    page = report_html(report)
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "@page{size:A4 portrait" in page
    assert page.count("<svg") == 2
    assert page == report_html(report)  # the same data gives the same page


def test_plan_text_is_escaped_everywhere() -> None:
    data = copy.deepcopy(PLAN)
    data["initiatives"][0]["name"] = NASTY
    data["kpis"][0]["name"] = NASTY
    found, _, store = build(data)
    store.close()
    page = report_html(found)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\\<script\\>alert(1)\\</script\\> & \"q\" 'x' \\| \\*y\\*" in report_markdown(found)


def test_the_html_report_opens_in_chromium_without_console_messages(
    console: Any, tmp_path: Path
) -> None:
    data = copy.deepcopy(PLAN)
    data["initiatives"][1]["name"] = NASTY
    found, _, store = build(data)
    store.close()
    page = tmp_path / "report.html"
    page.write_text(report_html(found), encoding="utf-8")
    messages, dom = console(page)
    assert messages == []
    assert dom.count("<svg") == 2 and dom.count("<table") >= 6
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_the_console_check_catches_a_broken_report(console: Any, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    broken = report_html(build(PLAN)[0]).replace("</main>", '<img src="missing.png"></main>')
    page.write_text(broken.replace('d="M', 'd="X', 1), encoding="utf-8")
    messages, _ = console(page)
    assert any("missing.png" in m for m in messages)


def test_the_xlsx_reads_back_to_the_same_numbers(report: AnnualReport) -> None:
    book = load_workbook(BytesIO(report_xlsx(report)))
    assert book.sheetnames == [
        "産業・しごと", "暮らし・まち", "項目未設定", "成果指標", "遅れた工程",
        "前回からの変更", "次年度マイルストーン",
    ]  # fmt: skip
    living = list(book["暮らし・まち"].iter_rows(values_only=True))
    header = living[0]
    alerts = dict(zip(header, living[1], strict=True))
    expected = initiatives(report)["alerts"]
    assert (alerts["取組ID"], alerts["状況"], alerts["進捗（%）"], alerts["工程数"]) == (
        "alerts", "実施中", expected.progress, expected.tasks,
    )  # fmt: skip
    assert alerts["令和7年度下期 自己評価"] == "×"
    assert day(alerts["開始"]) == expected.start
    assert living[2][0] == "医療・福祉" and all(v is None for v in living[2][1:])
    kpi_rows = list(book["成果指標"].iter_rows(values_only=True))
    columns = kpi_rows[0]
    for row, kpi in zip(kpi_rows[1:], report.kpis, strict=True):
        cells = dict(zip(columns, row, strict=True))
        for column, value in (("基準値", kpi.baseline), ("目標値", kpi.target),
                              ("実績", kpi.actual), ("見込み値", kpi.expected),
                              ("達成率（%）", kpi.rate)):  # fmt: skip
            assert cells[column] == (value if value is not None else "未設定")
    slipped = list(book["遅れた工程"].iter_rows(values_only=True))[1:]
    assert [(r[1], r[7]) for r in slipped] == [(s.ref, s.days) for s in report.slipped]
    changes = list(book["前回からの変更"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[2]) for r in changes][:3] == [("完了", "matching"), ("変更", "alerts"),
                                                   ("新規", "loose")]  # fmt: skip
    milestones = list(book["次年度マイルストーン"].iter_rows(values_only=True))[1:]
    assert [(day(r[0]), r[2]) for r in milestones] == [
        (m.date, m.ref) for m in report.next_milestones
    ]


def test_the_xlsx_in_english_and_the_same_bytes_every_time(report: AnnualReport) -> None:
    assert report_xlsx(report) == report_xlsx(report)
    book = load_workbook(BytesIO(report_xlsx(report, lang="en")))
    assert book.sheetnames[-4:] == ["KPIs", "Slipped tasks", "Changes", "Next year's milestones"]


def test_a_mark_is_shown_as_its_label_not_a_number() -> None:
    plan = plan_from_data(PLAN)
    store = Store("sqlite://", plan=plan, clock=lambda: at(2026, 5, 1))
    kpis = KpiLog(store)
    kpis.record("support", 2024, 180, actor="課")
    kpis.record("support", 2025, "調査中", actor="課")
    snap = take_snapshot(plan, store, as_of=date(2026, 3, 31))
    report = annual_report(snap, [], kpis.actuals(), fy=2025)
    support = next(k for k in report.kpis if k.id == "support")
    assert (support.actual, support.mark, support.rate) == (None, KpiMark.SURVEYING, None)
    assert support.status is KpiStatus.UNSET
    assert support.actuals == (
        KpiValue(fy=2024, value=180.0), KpiValue(fy=2025, value=None, mark=KpiMark.SURVEYING),
    )  # fmt: skip
    data = json.loads(json.dumps(report.to_json()))
    row = next(k for k in data["kpis"] if k["id"] == "support")
    assert (row["actual"], row["mark"]) == (None, "surveying")
    assert row["actuals"][1] == {"fy": 2025, "value": None, "mark": "surveying"}
    assert "| 支援件数（件）↑ | 100 | 400 | 調査中 | 300 | 未設定 | 未設定 |" in report_markdown(
        report
    )
    assert "| 400 | being surveyed | 300 |" in report_markdown(report, lang="en")
    sheet = list(
        load_workbook(BytesIO(report_xlsx(report)))["成果指標"].iter_rows(values_only=True)
    )
    cells = dict(zip(sheet[0], next(r for r in sheet[1:] if r[0] == "support"), strict=True))
    assert cells["実績"] == "調査中"
    store.close()
