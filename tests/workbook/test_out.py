"""The department workbook as written: sheets, cells, validation, protection and origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.status import Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import using_language
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import Snapshot, take_snapshot
from aomori_roadmap.workbook import department_workbook, department_workbooks, workbook_file_name
from aomori_roadmap.workbook.layout import (
    INITIATIVES,
    TASKS,
    Origin,
    SheetLayout,
    TaskOrigin,
    kpi_layout,
    rating_choice,
    sheet_name,
    sheet_names,
)
from aomori_roadmap.workbook.out import department_book

AS_OF = date(2025, 9, 30)
CYCLE = "FY2025-H1"
DEPARTMENT = "kikikanri"  # 危機管理局: one initiative in the cycle, and KPIs
# Hiragana, katakana, CJK ideographs and full-width forms: Japanese text.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def snapshot(plan: Plan) -> Snapshot:
    return take_snapshot(plan, as_of=AS_OF)


@pytest.fixture(scope="module")
def ja_book(snapshot: Snapshot) -> Workbook:
    return load(department_workbook(snapshot, CYCLE, DEPARTMENT))


@pytest.fixture
def store(plan: Plan) -> Iterator[Store]:
    clock = lambda: datetime(2025, 9, 30, 3, tzinfo=UTC)  # noqa: E731
    with Store("sqlite://", plan=plan, clock=clock) as opened:
        yield opened


def load(content: bytes) -> Workbook:
    return load_workbook(BytesIO(content))


def data_rows(ws: Worksheet, layout: SheetLayout) -> list[tuple[Any, ...]]:
    return [
        row
        for row in ws.iter_rows(min_row=layout.first_data_row, values_only=True)
        if any(v is not None for v in row)
    ]


def header(ws: Worksheet, layout: SheetLayout) -> list[Any]:
    return [c.value for c in ws[layout.header_row]][: len(layout.columns)]


def expected_refs(plan: Plan, department: str, cycle: str) -> list[str]:
    covered = next(c for c in review_cycles(plan) if c.code == cycle).initiatives
    return [
        f"{i.id}/{t.id}"
        for i in plan.initiatives
        if i.department == department and i.id in covered
        for t in i.tasks
    ]


def years(plan: Plan) -> list[int]:
    return list(range(plan.period.start.year, plan.period.end.year + 1))


# --- sheets, headers, rows ---------------------------------------------------------------


def test_sheets_come_in_order_with_the_origin_last(ja_book: Workbook) -> None:
    assert ja_book.sheetnames == list(sheet_names("ja").values())
    assert ja_book.sheetnames[-1] == "_origin"


def test_an_english_workbook_names_its_sheets_in_english(snapshot: Snapshot) -> None:
    book = load(department_workbook(snapshot, CYCLE, DEPARTMENT, lang="en"))
    assert book.sheetnames == ["Cover", "Tasks", "Initiatives", "KPI", "_origin"]


def test_each_table_has_the_headers_of_its_layout(ja_book: Workbook, plan: Plan) -> None:
    kpis = kpi_layout(years(plan))
    for key, layout in (("tasks", TASKS), ("initiatives", INITIATIVES), ("kpis", kpis)):
        ws = ja_book[sheet_name(key, "ja")]
        assert header(ws, layout) == [c.heading("ja") for c in layout.columns]


def test_the_task_sheet_lists_the_departments_tasks_of_the_cycle(
    ja_book: Workbook, plan: Plan
) -> None:
    rows = data_rows(ja_book[sheet_name("tasks", "ja")], TASKS)
    refs = [row[TASKS.index("ref") - 1] for row in rows]
    assert refs == expected_refs(plan, DEPARTMENT, CYCLE)
    assert refs  # the department has work in the cycle


def test_task_rows_show_planned_dates_and_prefill_the_current_state(
    ja_book: Workbook, snapshot: Snapshot
) -> None:
    row = data_rows(ja_book[sheet_name("tasks", "ja")], TASKS)[0]
    value = {c.key: row[n] for n, c in enumerate(TASKS.columns)}
    planned = snapshot.planned.tasks[value["ref"]]
    assert value["planned_start"].date() == planned.early_start
    assert value["planned_finish"].date() == planned.early_finish
    assert value["status"] == value["current_status"] == Status.PLANNED.label("ja")
    assert value["progress"] == value["current_progress"] == 0
    assert value["started"] is value["finished"] is None


def test_the_initiative_and_kpi_sheets_list_the_departments_own(
    ja_book: Workbook, plan: Plan
) -> None:
    initiatives = data_rows(ja_book[sheet_name("initiatives", "ja")], INITIATIVES)
    assert [r[0] for r in initiatives] == ["bousai-dx-alerts"]
    kpis = data_rows(ja_book[sheet_name("kpis", "ja")], kpi_layout(years(plan)))
    linked = {k for i in plan.initiatives if i.department == DEPARTMENT for k in i.kpis}
    wanted = [k.id for k in plan.kpis if k.department == DEPARTMENT or k.id in linked]
    assert [r[0] for r in kpis] == wanted


def test_the_cover_names_plan_cycle_department_and_dates_in_both_calendars(
    snapshot: Snapshot,
) -> None:
    book = load(department_workbook(snapshot, "R7上期", DEPARTMENT, lang="en"))
    text = "\n".join(str(v) for row in book["Cover"].iter_rows(values_only=True) for v in row if v)
    assert "aomori-dx-2024-2028" in text and "FY2025 H1 (FY2025-H1)" in text
    assert "(kikikanri)" in text
    assert "2025-09-30 (R7.9.30)" in text  # snapshot date, 西暦 and 和暦
    assert "2025-10-15 (R7.10.15)" in text  # the cycle's submission deadline


# --- validation -----------------------------------------------------------------------------


def validations(ws: Worksheet) -> dict[str, Any]:
    """Each validation by the column letter of the range it covers."""
    found = {}
    for validation in ws.data_validations.dataValidation:
        ranges = str(validation.sqref).split()
        assert len(ranges) == 1
        found[re.sub(r"\d", "", ranges[0].split(":")[0])] = validation
    return found


def column_range(layout: SheetLayout, key: str, rows: int) -> str:
    letter = chr(ord("A") + layout.index(key) - 1)
    first = layout.first_data_row
    return f"{letter}{first}:{letter}{first + rows - 1}" if rows > 1 else f"{letter}{first}"


def test_every_input_cell_of_the_task_sheet_is_validated(ja_book: Workbook, plan: Plan) -> None:
    ws = ja_book[sheet_name("tasks", "ja")]
    rows = len(data_rows(ws, TASKS))
    found = validations(ws)
    assert len(found) == len(TASKS.inputs())
    for column in TASKS.inputs():
        v = found[chr(ord("A") + TASKS.index(column.key) - 1)]
        assert str(v.sqref) == column_range(TASKS, column.key, rows)
        assert v.showErrorMessage and v.allow_blank
    status = found[chr(ord("A") + TASKS.index("status") - 1)]
    assert status.type == "list"
    assert status.formula1 == '"' + ",".join(s.label("ja") for s in Status) + '"'
    progress = found[chr(ord("A") + TASKS.index("progress") - 1)]
    assert (progress.type, progress.operator, progress.formula1, progress.formula2) == (
        "whole", "between", "0", "100",
    )  # fmt: skip
    first, last = plan.period.start.start, plan.period.end.end
    serial = lambda d: str((d - date(1899, 12, 30)).days)  # noqa: E731
    for key in ("started", "finished"):
        v = found[chr(ord("A") + TASKS.index(key) - 1)]
        assert (v.type, v.formula1, v.formula2) == ("date", serial(first), serial(last))


def test_the_rating_drop_down_offers_the_plans_scale(ja_book: Workbook, plan: Plan) -> None:
    ws = ja_book[sheet_name("initiatives", "ja")]
    found = validations(ws)
    assert len(found) == len(INITIATIVES.inputs())
    rating = found[chr(ord("A") + INITIATIVES.index("rating") - 1)]
    choices = [rating_choice(r.symbol, r.label) for r in plan.review_policy.ratings]
    assert rating.type == "list" and rating.formula1 == '"' + ",".join(choices) + '"'
    assert choices[0] == "◎ 予定以上"


def test_kpi_inputs_are_validated_as_a_number_or_a_mark_and_a_text(
    ja_book: Workbook, plan: Plan
) -> None:
    layout = kpi_layout(years(plan))
    found = validations(ja_book[sheet_name("kpis", "ja")])
    letter = chr(ord("A") + layout.index("actual") - 1)
    actual = found[letter]
    first = f"{letter}{layout.first_data_row}"
    assert actual.type == "custom"
    assert actual.formula1 == (
        f'OR(ISNUMBER({first}),{first}="未把握",{first}="調査中",{first}="unknown",'
        f'{first}="surveying")'
    )
    assert found[chr(ord("A") + layout.index("source") - 1)].type == "textLength"


def test_a_rating_scale_excel_cannot_inline_is_listed_from_the_cover(plan: Plan) -> None:
    data = plan.model_dump(mode="json", exclude_none=True)
    data["review_policy"]["ratings"] = [
        {"symbol": "A", "label": "ahead, well"},
        {"symbol": "B", "label": "on time"},
    ]
    snap = take_snapshot(plan_from_data(data), as_of=AS_OF)
    book = load(department_workbook(snap, CYCLE, DEPARTMENT, lang="en"))
    rating = validations(book["Initiatives"])["D"]
    match = re.fullmatch(r"'?Cover'?!\$B\$(\d+):\$B\$(\d+)", rating.formula1)
    assert match, rating.formula1
    cells = [book["Cover"][f"B{n}"].value for n in range(int(match[1]), int(match[2]) + 1)]
    assert cells == ["A ahead, well", "B on time"]


# --- protection -----------------------------------------------------------------------------


def test_every_sheet_is_protected_without_a_password(ja_book: Workbook) -> None:
    for ws in ja_book.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title


def locked(ws: Worksheet, row: int, column: int) -> bool:
    """Whether a cell is locked as Excel sees it: an empty cell not written takes the style
    of its column."""
    cell = ws.cell(row, column)
    if cell.value is None and not cell.has_style:
        return bool(ws.column_dimensions[cell.column_letter].protection.locked)
    return bool(cell.protection.locked)


def test_input_cells_are_unlocked_and_every_other_cell_locked(
    ja_book: Workbook, plan: Plan
) -> None:
    layouts = {"tasks": TASKS, "initiatives": INITIATIVES, "kpis": kpi_layout(years(plan))}
    for key, layout in layouts.items():
        ws = ja_book[sheet_name(key, "ja")]
        rows = len(data_rows(ws, layout))
        assert rows > 0
        for r in range(layout.first_data_row, layout.first_data_row + rows):
            for n, column in enumerate(layout.columns, 1):
                assert locked(ws, r, n) is (not column.input), (key, r, column.key)
        for r in range(1, layout.first_data_row):  # title rows and header
            for n in range(1, len(layout.columns) + 1):
                assert locked(ws, r, n), (key, r, n)


def test_input_cells_of_the_task_sheet_are_marked_yellow_even_when_empty(
    ja_book: Workbook,
) -> None:
    ws = ja_book[sheet_name("tasks", "ja")]
    rows = len(data_rows(ws, TASKS))
    [(ranges, [rule])] = [(str(cf.sqref), cf.rules) for cf in ws.conditional_formatting]
    assert ranges.split() == [column_range(TASKS, c.key, rows) for c in TASKS.inputs()]
    assert rule.formula == ["TRUE"] and rule.dxf.fill.bgColor.rgb.endswith("FFF2CC")


def test_the_origin_sheet_is_very_hidden(ja_book: Workbook) -> None:
    hidden = [ws.title for ws in ja_book.worksheets if ws.sheet_state != "visible"]
    assert hidden == ["_origin"]
    assert ja_book["_origin"].sheet_state == "veryHidden"


def test_headers_are_frozen_and_pages_print_a4_landscape(ja_book: Workbook) -> None:
    tasks = ja_book[sheet_name("tasks", "ja")]
    assert tasks.freeze_panes == f"D{TASKS.first_data_row}"
    assert ja_book[sheet_name("initiatives", "ja")].freeze_panes == "C5"
    for ws in ja_book.worksheets[:4]:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert tasks.print_title_rows == f"${TASKS.header_row}:${TASKS.header_row}"
    assert tasks.column_dimensions["C"].width == TASKS.column("task").width


# --- origin and properties -------------------------------------------------------------------


def origin_of(book: Workbook) -> Origin:
    return Origin.from_rows(book["_origin"].iter_rows(values_only=True))


def test_the_origin_round_trips_and_matches_the_custom_properties(
    ja_book: Workbook, snapshot: Snapshot
) -> None:
    origin = origin_of(ja_book)
    assert origin == department_book(snapshot, CYCLE, DEPARTMENT).origin()
    assert (origin.plan, origin.cycle, origin.department, origin.as_of, origin.lang) == (
        "aomori-dx-2024-2028", CYCLE, DEPARTMENT, AS_OF, "ja",
    )  # fmt: skip
    assert list(origin.tasks) == expected_refs(snapshot.plan, DEPARTMENT, CYCLE)
    props = {p.name: p.value for p in ja_book.custom_doc_props.props}
    assert props == {
        "aomori_roadmap_format": "department-workbook",
        "version": 1,
        "plan": "aomori-dx-2024-2028",
        "cycle": CYCLE,
        "department": DEPARTMENT,
        "fingerprint": origin.fingerprint(),
    }


def test_an_origin_sheet_that_was_changed_is_not_ours(ja_book: Workbook) -> None:
    rows = [list(r) for r in ja_book["_origin"].iter_rows(values_only=True)]
    task = next(r for r in rows if r[0] == "task")
    task[3] = 50  # the exported progress, edited
    with using_language("en"), pytest.raises(PlanError, match="fingerprint"):
        Origin.from_rows(rows)
    with pytest.raises(PlanError):
        Origin.from_rows([["something", "else"]])


def test_the_fingerprint_is_stable_and_changes_with_a_state(
    plan: Plan, store: Store, snapshot: Snapshot
) -> None:
    before = department_book(snapshot, CYCLE, DEPARTMENT).origin().fingerprint()
    assert before == department_book(snapshot, CYCLE, DEPARTMENT).origin().fingerprint()
    ref = expected_refs(plan, DEPARTMENT, CYCLE)[0]
    store.record_status(ref, "in_progress", actor="危機管理局", progress=20,
                        effective=datetime(2025, 6, 2, tzinfo=UTC))  # fmt: skip
    after = department_book(take_snapshot(plan, store, as_of=AS_OF), CYCLE, DEPARTMENT).origin()
    assert after.fingerprint() != before
    assert after.tasks[ref].progress == 20


def test_the_store_prefills_the_inputs_and_its_ids_go_into_the_origin(
    plan: Plan, store: Store
) -> None:
    ref = expected_refs(plan, DEPARTMENT, CYCLE)[0]
    event = store.record_status(ref, "in_progress", actor="危機管理局", progress=40,
                                effective=datetime(2025, 5, 1, tzinfo=UTC), note="順調")  # fmt: skip
    revision = store.save_revision(plan, "DX推進課", "当初計画")
    submission = store.reviews.submit(CYCLE, "bousai-dx-alerts", rating="△", actor="危機管理局",
                                      achievements="実証地域を選定\n2市で実施", issues="予算")  # fmt: skip
    kpi = next(k for k in plan.kpis if k.department == DEPARTMENT)
    actual = store.kpis.record(kpi.id, 2025, 42.5, "県調べ", actor="危機管理局")
    snap = take_snapshot(plan, store, as_of=AS_OF)
    book = load(department_workbook(snap, CYCLE, DEPARTMENT, store=store))

    task = data_rows(book[sheet_name("tasks", "ja")], TASKS)[0]
    value = {c.key: task[n] for n, c in enumerate(TASKS.columns)}
    assert value["status"] == Status.IN_PROGRESS.label("ja")
    assert (value["progress"], value["started"].date(), value["note"]) == (
        40,
        date(2025, 5, 1),
        "順調",
    )
    initiative = data_rows(book[sheet_name("initiatives", "ja")], INITIATIVES)[0]
    assert initiative[3:6] == ("△ やや遅れ", "実証地域を選定\n2市で実施", "予算")
    layout = kpi_layout(years(plan))
    row = next(r for r in data_rows(book[sheet_name("kpis", "ja")], layout) if r[0] == kpi.id)
    assert (row[layout.index("actual") - 1], row[layout.index("source") - 1]) == (42.5, "県調べ")
    assert row[layout.index("fy2025") - 1] == 42.5

    origin = origin_of(book)
    assert origin.revision == revision.id
    assert origin.tasks[ref] == TaskOrigin(
        "in_progress", 40, date(2025, 5, 1), None, "順調", event.id
    )
    assert origin.initiatives["bousai-dx-alerts"].record == submission.id
    assert origin.initiatives["bousai-dx-alerts"].rating == "△"
    assert (origin.kpis[kpi.id].fy, origin.kpis[kpi.id].value) == (2025, 42.5)
    assert origin.kpis[kpi.id].record == actual.id


# --- bytes, language, errors, plain text -------------------------------------------------------


def test_the_same_snapshot_gives_the_same_bytes(snapshot: Snapshot) -> None:
    first = department_workbook(snapshot, CYCLE, DEPARTMENT)
    assert department_workbook(snapshot, "R7上期", DEPARTMENT) == first
    assert dict(department_workbooks(snapshot, CYCLE)) == dict(
        department_workbooks(snapshot, CYCLE)
    )


def english_plan(plan: Plan) -> Plan:
    """The plan with every Japanese text replaced by a numbered English word."""
    count = iter(range(1_000_000))

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and JAPANESE.search(value):
            return f"text{next(count)}"
        return value

    return plan_from_data(walk(plan.model_dump(mode="json", exclude_none=True)))


def test_an_english_workbook_has_no_japanese_program_text(plan: Plan) -> None:
    snap = take_snapshot(english_plan(plan), as_of=AS_OF)
    for _name, content in department_workbooks(snap, CYCLE, lang="en"):
        book = load(content)
        for ws in book.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    assert not JAPANESE.search(str(value or "")), (ws.title, value)
        props = book.properties
        assert not JAPANESE.search(f"{props.title}{props.subject}")


def test_an_unknown_department_is_refused_with_the_valid_ones(snapshot: Snapshot) -> None:
    with pytest.raises(PlanError, match="kikikanri") as error:
        department_workbook(snapshot, CYCLE, "nowhere", lang="en")
    assert "nowhere" in str(error.value) and "somu" in str(error.value)
    with pytest.raises(PlanError, match="somu"):
        list(department_workbooks(snapshot, CYCLE, ["somu", "nowhere"]))


@pytest.mark.parametrize("cycle", ["FY2040-H1", "R7", "nonsense", ""])
def test_an_unknown_cycle_is_refused_with_the_valid_ones(snapshot: Snapshot, cycle: str) -> None:
    with pytest.raises(PlanError, match="FY2024-H1, FY2024-H2") as error:
        department_workbook(snapshot, cycle, DEPARTMENT)
    assert repr(cycle)[1:-1] in str(error.value)


def test_an_unknown_language_is_refused(snapshot: Snapshot) -> None:
    with pytest.raises(PlanError, match="ja, en"):
        department_workbook(snapshot, CYCLE, DEPARTMENT, lang="fr")


def test_text_that_looks_like_a_formula_stays_text(plan: Plan, store: Store) -> None:
    data = plan.model_dump(mode="json", exclude_none=True)
    data["name"] = "=cmd|' /C calc'!A0"
    initiative = next(i for i in data["initiatives"] if i["department"] == DEPARTMENT)
    initiative["name"] = "#N/A"
    initiative["tasks"][0]["name"] = "=1+1\x07"
    hostile = plan_from_data(data)
    ref = f"{initiative['id']}/{initiative['tasks'][0]['id']}"
    with Store("sqlite://", plan=hostile) as own:
        own.record_status(ref, "in_progress", actor="x", note="=HYPERLINK(\"http://x\")",
                          effective=datetime(2025, 5, 1, tzinfo=UTC))  # fmt: skip
        snap = take_snapshot(hostile, own, as_of=AS_OF)
        book = load(department_workbook(snap, CYCLE, DEPARTMENT, store=own, lang="en"))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert any(str(v).startswith("=cmd|' /C calc'!A0 / FY2025 H1") for v in values)
    assert "#N/A" in values
    assert "=1+1" in values  # the control character dropped
    assert '=HYPERLINK("http://x")' in values
    assert origin_of(book).tasks[ref].note == '=HYPERLINK("http://x")'


# --- file names and the set of workbooks -------------------------------------------------------


def test_file_names_say_whose_and_which_cycle(plan: Plan) -> None:
    assert workbook_file_name(plan, "R7上期", "somu", "en") == "FY2025-H1_progress_somu.xlsx"
    ja = workbook_file_name(plan, "R7上期", "somu")
    assert ja.endswith(".xlsx") and ("somu" in ja or "総務部" in ja)


def test_file_names_are_safe_on_windows(plan: Plan) -> None:
    data = plan.model_dump(mode="json", exclude_none=True)
    data["departments"][0]["name"] = 'a/b:c*d?"e"<f>|g. '
    named = plan_from_data(data)
    department = data["departments"][0]["id"]
    for lang in ("ja", "en"):
        name = workbook_file_name(named, CYCLE, department, lang)
        assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', name), name
        assert name.endswith(".xlsx") and not name[:-5].endswith((" ", "."))


def test_every_department_with_work_gets_a_workbook(snapshot: Snapshot, plan: Plan) -> None:
    files = dict(department_workbooks(snapshot, CYCLE, lang="en"))
    covered = next(c for c in snapshot.cycles if c.code == CYCLE).initiatives
    busy = {i.department for i in plan.initiatives if i.id in covered}
    busy |= {k.department for k in plan.kpis if k.department}
    assert set(files) == {workbook_file_name(plan, CYCLE, d, "en") for d in busy if d}
    for name, content in files.items():
        department = name.removeprefix("FY2025-H1_progress_").removesuffix(".xlsx")
        assert origin_of(load(content)).department == department


def test_a_department_without_work_still_gets_its_workbook_when_named(
    snapshot: Snapshot,
) -> None:
    [(name, content)] = department_workbooks(snapshot, CYCLE, ["somu"], lang="en")
    book = load(content)
    assert name == "FY2025-H1_progress_somu.xlsx"
    assert data_rows(book["Tasks"], TASKS) == []
    assert book["Tasks"].data_validations.dataValidation == []
    assert origin_of(book).tasks == {}
