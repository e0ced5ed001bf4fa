"""The Excel 工程表 (``export/excel.py``), read back with openpyxl the way Excel users get it.

The tests shape their inputs as Gantt JSON and write the view it reads back into
(``GanttData.from_json``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.export import excel
from aomori_roadmap.export.gantt import gantt_data
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.views.gantt import GanttData

GOLDEN = Path(__file__).parent / "golden"
NASTY = ["<script>alert(1)</script>", "A & B", "\"double\" and 'single'", "=1+1", '=HYPERLINK("x")']
HEADER = (
    "分野", "項目", "取組", "担当課", "工程ID", "工程名", "種別", "開始日", "終了日", "開始（和暦）",
    "終了（和暦）", "勤務日数", "状況", "進捗", "遅延", "クリティカル", "余裕日数", "期限",
    "ベースライン開始", "ベースライン終了",
)  # fmt: skip


def small() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / "small-plan.json").read_text(encoding="utf-8"))
    return data


def default_data() -> dict[str, Any]:
    plan = default_plan()
    computed = schedule(plan)
    return gantt_data(
        plan, computed, as_of=dt.date(2025, 10, 1), cycles=review_cycles(plan, computed)
    ).to_json()


def gantt_xlsx(data: dict[str, Any] | GanttData, lang: str = "ja") -> bytes:
    view = data if isinstance(data, GanttData) else GanttData.from_json(data)
    return excel.gantt_xlsx(view, lang=lang)


def tasks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data["rows"] if r["kind"] not in ("field", "item", "initiative")]


def book(data: dict[str, Any] | GanttData, lang: str = "ja") -> Workbook:
    return load_workbook(BytesIO(gantt_xlsx(data, lang=lang)))


def sheet(workbook: Workbook, name: str) -> Worksheet:
    ws = workbook[name]
    assert isinstance(ws, Worksheet)
    return ws


def records(ws: Worksheet) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = [str(value) for value in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def day(value: Any) -> dt.date | None:
    """A date cell as openpyxl reads it back (a datetime at midnight) as a date."""
    if value is None:
        return None
    assert isinstance(value, dt.datetime) and value.time() == dt.time(0)
    return value.date()


def iso(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@pytest.mark.parametrize("which", ["small", "default"])
def test_every_task_reads_back_with_its_dates(which: str) -> None:
    data = small() if which == "small" else default_data()
    read = records(sheet(book(data), "工程データ"))
    assert [r["工程ID"] for r in read] == [row["id"] for row in tasks_of(data)]
    for got, row in zip(read, tasks_of(data), strict=True):
        assert day(got["開始日"]) == iso(row["start"]) and day(got["終了日"]) == iso(row["finish"])
        assert day(got["期限"]) == iso(row["due"])
        assert day(got["ベースライン開始"]) == iso(row["baseline_start"])
        assert day(got["ベースライン終了"]) == iso(row["baseline_finish"])
        assert got["工程名"] == row["name"] and got["勤務日数"] == row["duration_days"]
        assert got["進捗"] == pytest.approx(row["progress"] / 100)
        assert got["クリティカル"] is row["critical"] and got["余裕日数"] == row["total_slack"]


def test_data_sheet_is_one_value_per_cell_with_a_frozen_bold_filtered_header() -> None:
    ws = sheet(book(small()), "工程データ")
    assert not ws.merged_cells.ranges
    assert tuple(c.value for c in ws[1]) == HEADER
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:T{ws.max_row}"
    start = ws.cell(row=2, column=HEADER.index("開始日") + 1)
    assert isinstance(start.value, dt.datetime) and start.number_format == "yyyy-mm-dd"
    assert ws.cell(row=2, column=HEADER.index("開始（和暦）") + 1).value == "令和6年4月1日"


def test_data_sheet_names_the_groups_of_each_task() -> None:
    first = records(sheet(book(small()), "工程データ"))[0]
    assert (first["分野"], first["項目"], first["担当課"]) == (
        "産業・しごと",
        "商工業・サービス業",
        "商工労働部",
    )
    assert first["取組"].startswith("事業者とDXを支える")
    assert (first["状況"], first["種別"]) == ("完了", "作業")
    last = records(sheet(book(small()), "工程データ"))[-1]
    assert (last["分野"], last["項目"]) == ("（分野なし）", "（項目なし）")


def test_links_and_review_dates_have_their_own_sheets() -> None:
    data = small()
    workbook = book(data)
    links = records(sheet(workbook, "依存関係"))
    assert [(r["先行工程ID"], r["後続工程ID"], r["種類"]) for r in links] == [
        (link["from"], link["to"], link["type"]) for link in data["links"]
    ]
    reviews = records(sheet(workbook, "見直し日程"))
    assert [day(r["日付"]) for r in reviews] == [iso(m["date"]) for m in data["markers"]]
    assert not any(sheet(workbook, n).merged_cells.ranges for n in ("依存関係", "見直し日程"))


def test_drawn_sheet_has_half_year_columns_bars_and_milestones() -> None:
    data = small()
    ws = sheet(book(data), "工程表")
    assert ws.cell(row=5, column=6).value == "2024年度（令和6年度）"
    assert [ws.cell(row=6, column=c).value for c in (6, 12)] == ["上期", "下期"]
    assert ws.cell(row=7, column=6).value == "4月"
    assert ws.freeze_panes == "F9"
    names = [ws.cell(row=r, column=1).value for r in range(9, ws.max_row + 1)]
    assert names == [row["name"] for row in data["rows"]]
    study = 9 + [row["id"] for row in data["rows"]].index("matching/study")
    filled = [
        c
        for c in range(6, ws.max_column + 1)
        if ws.cell(row=study, column=c).fill.fgColor.rgb != "00000000"
    ]
    assert filled == [6, 7, 8]  # April to June 2024
    launch = 9 + [row["id"] for row in data["rows"]].index("matching/launch")
    assert ws.cell(row=launch, column=6 + 7).value == "▲"  # November 2024
    assert "●" in [ws.cell(row=8, column=c).value for c in range(6, ws.max_column + 1)]


def test_drawn_sheet_prints_on_a3_landscape_one_page_wide() -> None:
    ws = sheet(book(small()), "工程表")
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape", 8, 1, 0,
    )  # fmt: skip
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$8" and ws.print_title_cols == "$A:$E"


def test_task_six_thousand_years_ahead_no_longer_overflows_the_drawn_sheet(
    one_initiative: Callable[..., Plan],
) -> None:
    # Found by the plan fuzzer: a start of R5958上期 passes validate, and the drawn sheet asked
    # openpyxl for a column past the last one Excel has (ValueError: Max value is 18278).
    far = {"id": "far", "name": "遠い", "start": "R5958上期", "duration": "1half"}
    now = {"id": "now", "name": "今", "start": "FY2024-H1", "duration": "1mo"}
    plan = one_initiative([now, far], end="FY2028")
    workbook = book(gantt_data(plan, schedule(plan)))
    drawn = sheet(workbook, "工程表")
    assert drawn.max_column == 5 + 100 * 12  # the first hundred fiscal years
    assert drawn.cell(row=5, column=6).value == "2024年度（令和6年度）"
    read = records(sheet(workbook, "工程データ"))
    assert [day(r["開始日"]) for r in read] == [dt.date(2024, 4, 1), dt.date(7976, 4, 1)]


def test_names_are_stored_as_plain_text_never_as_markup_or_formulas() -> None:
    data = copy.deepcopy(small())
    for row, name in zip(tasks_of(data), NASTY, strict=False):
        row["name"] = name
    ws = sheet(book(data), "工程データ")
    for r, name in enumerate(NASTY, start=2):
        cell = ws.cell(row=r, column=HEADER.index("工程名") + 1)
        assert cell.value == name and cell.data_type == "s"
    drawn = sheet(book(data), "工程表")
    shown = {
        drawn.cell(row=r, column=1).value: drawn.cell(row=r, column=1).data_type
        for r in range(9, drawn.max_row + 1)
    }
    assert all(shown[name] == "s" for name in NASTY)


def test_control_characters_are_dropped() -> None:
    data = copy.deepcopy(small())
    tasks_of(data)[0]["name"] = "検討\x00\x1b済"
    ws = sheet(book(data), "工程データ")
    assert ws.cell(row=2, column=HEADER.index("工程名") + 1).value == "検討済"


def test_same_data_gives_the_same_bytes_with_fixed_times() -> None:
    data = small()
    first = gantt_xlsx(data)
    assert gantt_xlsx(copy.deepcopy(data)) == first
    properties = load_workbook(BytesIO(first)).properties
    assert properties.created == properties.modified == dt.datetime(2025, 1, 15)
    with zipfile.ZipFile(BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 1, 15, 0, 0, 0)}


def test_as_of_after_2107_no_longer_breaks_the_zip_time_stamps() -> None:
    # Found by the plan fuzzer: --as-of 2200-06-30 stamped the zip entries with a year a zip
    # file cannot hold (struct.error: ushort format requires 0 <= number <= 65535).
    data = copy.deepcopy(small())
    data["as_of"] = "2200-06-30"
    written = gantt_xlsx(data)
    assert load_workbook(BytesIO(written)).properties.created == dt.datetime(2200, 6, 30)
    with zipfile.ZipFile(BytesIO(written)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2107, 6, 30, 0, 0, 0)}


def test_english_sheets_and_headers() -> None:
    workbook = book(small(), lang="en")
    assert workbook.sheetnames == ["Gantt", "Tasks", "Links", "Reviews"]
    assert sheet(workbook, "Tasks").cell(row=1, column=8).value == "Start"
    with pytest.raises(ValueError, match="fr"):
        gantt_xlsx(small(), lang="fr")
