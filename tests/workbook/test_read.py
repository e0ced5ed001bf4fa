"""Filled department workbooks back into the store: bad cells located, nothing half-written.

Every test runs on SQLite and on PostgreSQL (``AOMORI_ROADMAP_TEST_PG``). A workbook is
exported by the exporter, filled with openpyxl as a department would, and imported. After a
refused import the store is unchanged: the same row counts and the same last ids.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from filling import AS_OF, CYCLE, Filler, export, footprint, make_plan
from openpyxl import Workbook
from storetest import Clock, jst

from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.engine.status import Status
from aomori_roadmap.errors import ConflictError
from aomori_roadmap.i18n import using_language
from aomori_roadmap.store import Store
from aomori_roadmap.workbook.changes import (
    WorkbookChanges,
    WorkbookConflictError,
    WorkbookError,
    strip_provenance,
)
from aomori_roadmap.workbook.layout import ORIGIN_SHEET, TASKS, KpiOrigin, Origin
from aomori_roadmap.workbook.read import read_department_workbook

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = jst(2025, 10, 6)


def filler(store: Store, department: str = "kiki", lang: str = "ja", as_of: date = AS_OF) -> Filler:
    assert store.plan is not None
    return Filler(export(store, department, lang=lang, as_of=as_of), store.plan)


def refused(data: bytes, store: Store, **options: object) -> WorkbookError:
    with pytest.raises(WorkbookError) as caught:
        read_department_workbook(data, store, name="r7.xlsx", **options)  # type: ignore[arg-type]
    return caught.value


def located(error: WorkbookError) -> list[str]:
    return [p.location for p in error.problems]


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), TOKYO).astimezone(UTC)


# --- nothing to write ---------------------------------------------------------------------------


def test_a_workbook_sent_back_as_it_was_writes_nothing(store: Store, db_url: str) -> None:
    before = footprint(db_url)
    changes = read_department_workbook(export(store), store, name="r7.xlsx")
    assert changes.empty
    assert changes.apply().events == 0
    assert footprint(db_url) == before


def test_reading_is_a_dry_run_and_shows_each_change(store: Store, db_url: str) -> None:
    data = (
        filler(store)
        .fill({
            ("tasks", "status", "alerts/study"): "完了",
            ("tasks", "finished", "alerts/study"): "R7.9.30",
            ("initiatives", "rating", "alerts"): "○ 予定どおり",
            ("kpis", "actual", "sns"): "１,２３４",
        })
        .bytes()
    )  # fmt: skip
    before = footprint(db_url)
    changes = read_department_workbook(data, store, name="r7.xlsx")
    assert footprint(db_url) == before  # read only: nothing written
    assert [t.ref for t in changes.tasks] == ["alerts/study"]
    assert changes.submissions[0].after.rating == "○"
    assert changes.kpis[0].after.value == 1234.0
    text = "\n".join(changes.lines("en"))
    assert "alerts/study" in text and "In progress → Done" in text and "2025-09-30" in text
    assert "- → 1234" in text
    with using_language("ja"):
        assert "実施中 → 完了" in str(changes)


def test_apply_writes_everything_in_one_go_with_the_department_as_actor(
    store: Store, db_url: str, clock: Clock
) -> None:
    data = (
        filler(store)
        .fill({
            ("tasks", "status", "alerts/study"): "完了",
            ("tasks", "finished", "alerts/study"): date(2025, 9, 30),
            ("tasks", "note", "alerts/study"): "予定どおり完了",
            ("tasks", "status", "portal/plan"): "実施中",
            ("tasks", "progress", "portal/plan"): "４０％",
            ("tasks", "started", "portal/plan"): "令和7年5月1日",
            ("initiatives", "rating", "alerts"): "◎",
            ("initiatives", "achievements", "alerts"): "実証を完了",
            ("kpis", "actual", "sns"): 150,
            ("kpis", "source", "sns"): "県危機管理局調べ",
        })
        .bytes()
    )  # fmt: skip
    changes = read_department_workbook(data, store, name="r7_kiki.xlsx")
    recorded = changes.apply()
    assert (recorded.events, len(recorded.submissions), len(recorded.kpi_actuals)) == (2, 1, 1)
    states = store.status_as_of()
    study, plan = states["alerts/study"], states["portal/plan"]
    assert (study.status, study.progress, study.finished) == (
        Status.DONE, 100, start_of(date(2025, 9, 30))
    )  # fmt: skip
    assert (plan.status, plan.progress, plan.started) == (
        Status.IN_PROGRESS, 40, start_of(date(2025, 5, 1))
    )  # fmt: skip
    assert study.actor == plan.actor == "危機管理局"
    assert strip_provenance(study.note) == "予定どおり完了"
    assert study.note.endswith(f"[workbook r7_kiki.xlsx sha256:{changes.fingerprint}]")
    submission = store.reviews.state(CYCLE, "alerts").submission
    assert submission is not None and (submission.rating, submission.achievements) == (
        "◎", "実証を完了"
    )  # fmt: skip
    assert changes.fingerprint in submission.comment
    (actual,) = store.kpis.actuals("sns")
    assert (actual.fy, actual.value, actual.source, actual.actor) == (
        2025, 150.0, "県危機管理局調べ", "危機管理局"
    )  # fmt: skip
    assert {e.recorded for e in store.history("portal/plan")} == {clock.now}


def test_importing_the_same_workbook_twice_writes_nothing_the_second_time(
    store: Store, db_url: str
) -> None:
    data = (
        filler(store)
        .fill({
            ("tasks", "status", "portal/plan"): "完了",
            ("tasks", "started", "portal/plan"): "2025/4/10",
            ("tasks", "finished", "portal/plan"): "2025/6/30",
            ("tasks", "progress", "alerts/study"): 70,
            ("initiatives", "rating", "portal"): "△",
            ("kpis", "actual", "sns"): 120.5,
        })
        .bytes()
    )  # fmt: skip
    read_department_workbook(data, store, name="r7.xlsx").apply()
    after_first = footprint(db_url)
    again = read_department_workbook(data, store, name="r7.xlsx")
    assert again.empty, again.lines("en")
    again.apply()
    assert footprint(db_url) == after_first
    fresh = read_department_workbook(export(store), store, name="r7-new.xlsx")
    assert fresh.empty, fresh.lines("en")


def test_planned_to_done_with_a_start_is_recorded_as_started_then_done(store: Store) -> None:
    data = (
        filler(store)
        .fill({
            ("tasks", "status", "portal/plan"): "完了",
            ("tasks", "started", "portal/plan"): "2025-04-10",
            ("tasks", "finished", "portal/plan"): "2025-06-30",
        })
        .bytes()
    )  # fmt: skip
    read_department_workbook(data, store).apply()
    history = store.history("portal/plan")
    assert [(e.status, e.effective) for e in history] == [
        (Status.IN_PROGRESS, start_of(date(2025, 4, 10))),
        (Status.DONE, start_of(date(2025, 6, 30))),
    ]


def test_a_changed_start_date_is_recorded_as_a_correction(store: Store) -> None:
    data = filler(store).set("tasks", "started", "alerts/study", "R7.4.1").bytes()
    read_department_workbook(data, store).apply()
    first, fixed = sorted(store.history("alerts/study"), key=lambda e: e.id)
    assert (first.corrected_by, fixed.corrects) == (fixed.id, first.id)
    assert store.status_as_of()["alerts/study"].started == start_of(date(2025, 4, 1))
    assert read_department_workbook(data, store).empty


def test_the_actor_may_be_given(store: Store) -> None:
    data = filler(store).set("tasks", "progress", "alerts/study", 50).bytes()
    read_department_workbook(data, store, actor="DX推進課（代理入力）").apply()
    assert store.status_as_of()["alerts/study"].actor == "DX推進課（代理入力）"


def test_an_english_workbook_is_read_the_same(store: Store) -> None:
    data = (
        filler(store, lang="en")
        .fill({
            ("tasks", "status", "portal/plan"): "In progress",
            ("tasks", "started", "portal/plan"): "2025-05-01",
            ("initiatives", "rating", "alerts"): "○ 予定どおり",
        })
        .bytes()
    )  # fmt: skip
    changes = read_department_workbook(data, store)
    assert [t.after.status for t in changes.tasks] == [Status.IN_PROGRESS]


def test_a_path_or_a_file_object_is_read_too(store: Store, tmp_path: Path) -> None:
    data = filler(store).set("tasks", "progress", "alerts/study", 30).bytes()
    path = tmp_path / "令和7年度上期_危機管理局.xlsx"
    path.write_bytes(data)
    from_path = read_department_workbook(path, store)
    assert from_path.file == path.name
    from_file = read_department_workbook(io.BytesIO(data), store)
    assert [t.after for t in from_file.tasks] == [t.after for t in from_path.tasks]


# --- conflicts ----------------------------------------------------------------------------------


def conflicting(store: Store, clock: Clock) -> bytes:
    """A workbook whose alerts/study row changed, made before the store's row changed too."""
    data = filler(store).set("tasks", "progress", "alerts/study", 60).bytes()
    clock.advance(hours=1)
    store.record_status("alerts/study", "in_progress", actor="危機管理局", progress=45)
    return data


def test_a_row_changed_in_the_store_after_the_export_is_a_conflict(
    store: Store, db_url: str, clock: Clock
) -> None:
    data = conflicting(store, clock)
    before = footprint(db_url)
    changes = read_department_workbook(data, store, name="r7.xlsx")
    (conflict,) = changes.conflicts
    assert conflict.key == "alerts/study"
    assert (conflict.exported.progress, conflict.stored.progress, conflict.filled.progress) == (
        20, 45, 60
    )  # fmt: skip
    line = conflict.line("en")
    assert "20%" in line and "45%" in line and "60%" in line
    with pytest.raises(WorkbookConflictError) as caught:
        changes.apply()
    assert "alerts/study" in str(caught.value)
    assert footprint(db_url) == before


def test_force_writes_a_conflicting_row_and_says_so(store: Store, clock: Clock) -> None:
    data = conflicting(store, clock)
    changes = read_department_workbook(data, store, name="r7.xlsx", force=True)
    assert not changes.conflicts and [t.ref for t in changes.tasks] == ["alerts/study"]
    changes.apply()
    state = store.status_as_of()["alerts/study"]
    assert state.progress == 60
    assert state.note.endswith(f"sha256:{changes.fingerprint} forced]")


def test_a_row_the_store_already_holds_as_filled_is_no_conflict(store: Store, clock: Clock) -> None:
    data = filler(store).set("tasks", "progress", "alerts/study", 60).bytes()
    clock.advance(hours=1)
    store.record_status("alerts/study", "in_progress", actor="危機管理局", progress=60,
                        note="着手")  # fmt: skip
    changes = read_department_workbook(data, store)
    assert changes.empty


def test_a_change_between_reading_and_applying_is_a_conflict(
    store: Store, db_url: str, clock: Clock
) -> None:
    data = filler(store).set("tasks", "progress", "alerts/study", 60).bytes()
    changes = read_department_workbook(data, store)
    clock.advance(hours=1)
    store.record_status("alerts/study", "in_progress", actor="他の人", progress=45)
    before = footprint(db_url)
    with pytest.raises(ConflictError, match="alerts/study"):
        changes.apply()
    assert footprint(db_url) == before


# --- bad cells: one test per kind, each located exactly, nothing written -----------------------

BAD_CELLS = {
    "unknown status": ("tasks", "status", "portal/plan", "済み", "unknown-status"),
    "empty status": ("tasks", "status", "portal/plan", None, "unknown-status"),
    "progress over 100": ("tasks", "progress", "alerts/study", 150, "bad-progress"),
    "progress below 0": ("tasks", "progress", "alerts/study", "-5", "bad-progress"),
    "progress not whole": ("tasks", "progress", "alerts/study", 12.5, "bad-progress"),
    "progress not a number": ("tasks", "progress", "alerts/study", "半分", "bad-progress"),
    "not a date": ("tasks", "started", "portal/plan", "来月", "bad-date"),
    "ambiguous date": ("tasks", "started", "portal/plan", "10/1", "bad-date"),
    "no such day": ("tasks", "finished", "alerts/study", "2025/2/30", "bad-date"),
    "date in the future": ("tasks", "finished", "alerts/study", "2025/12/1", "date-in-future"),
    "date before the plan": ("tasks", "started", "alerts/study", "2020/4/1", "date-outside-plan"),
    "finish before start": ("tasks", "finished", "alerts/study", "2025/4/1", "finish-before-start"),
    "rating outside the scale": ("initiatives", "rating", "alerts", "☆", "bad-rating"),
    "kpi value not a number": ("kpis", "actual", "sns", "約100", "bad-number"),
}  # fmt: skip
# What else the row needs for the bad cell to be the only problem.
COMPANIONS = {
    "date in the future": [("tasks", "status", "alerts/study", "完了")],
    "finish before start": [("tasks", "status", "alerts/study", "完了")],
    "no such day": [("tasks", "status", "alerts/study", "完了")],
    "not a date": [("tasks", "status", "portal/plan", "実施中")],
    "ambiguous date": [("tasks", "status", "portal/plan", "実施中")],
}


@pytest.mark.parametrize("kind", list(BAD_CELLS))
def test_each_bad_cell_is_located_and_nothing_is_written(
    kind: str, store: Store, db_url: str
) -> None:
    sheet, column, row, value, code = BAD_CELLS[kind]
    fill = filler(store)
    for companion in COMPANIONS.get(kind, []):
        fill.set(*companion)
    fill.set(sheet, column, row, value)
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{fill.address(sheet, column, row)}", code)
    ]
    assert footprint(db_url) == before


@pytest.mark.parametrize(
    ("fills", "column", "code"),
    [
        # in progress → planned is not a legal transition
        ([("status", "未着手")], "status", "illegal-transition"),
        # done needs its finish date
        ([("status", "完了")], "finished", "missing-date"),
        # only a done task has a finish
        ([("finished", "2025/9/1")], "finished", "finish-not-done"),
        # a recorded start cannot be removed
        ([("started", None)], "started", "missing-date"),
    ],
)
def test_illegal_transitions_and_inconsistent_dates_are_located(
    fills: list[tuple[str, object]], column: str, code: str, store: Store, db_url: str
) -> None:
    fill = filler(store)
    for key, value in fills:
        fill.set("tasks", key, "alerts/study", value)
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{fill.address('tasks', column, 'alerts/study')}", code)
    ]
    assert footprint(db_url) == before


def test_a_note_alone_on_a_task_not_in_progress_is_located(store: Store) -> None:
    fill = filler(store).set("tasks", "note", "portal/plan", "準備中")
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{fill.address('tasks', 'note', 'portal/plan')}", "illegal-transition")
    ]
    fill.set("tasks", "status", "portal/plan", "保留")  # with a change of status it is recorded
    assert [t.after.note for t in read_department_workbook(fill.bytes(), store).tasks] == ["準備中"]


def test_a_progress_report_on_a_task_not_started_needs_a_status(store: Store) -> None:
    fill = filler(store).set("tasks", "progress", "portal/plan", 30)
    error = refused(fill.bytes(), store)
    assert located(error) == [f"r7.xlsx:{fill.address('tasks', 'progress', 'portal/plan')}"]


def test_a_reopening_needs_a_note(store: Store, db_url: str, clock: Clock) -> None:
    store.record_status("alerts/study", "done", actor="危機管理局", effective=jst(2025, 9, 1, 0))
    fill = filler(store).fill({
        ("tasks", "status", "alerts/study"): "実施中",
        ("tasks", "finished", "alerts/study"): None,
        ("tasks", "note", "alerts/study"): "",
    })  # fmt: skip
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{fill.address('tasks', 'status', 'alerts/study')}", "illegal-transition")
    ]
    fill.set("tasks", "note", "alerts/study", "不具合が見つかったため再開")
    read_department_workbook(fill.bytes(), store).apply()
    assert store.status_as_of()["alerts/study"].status is Status.IN_PROGRESS


def test_every_problem_is_reported_at_once_in_sheet_order(store: Store, db_url: str) -> None:
    fill = filler(store).fill({
        ("kpis", "actual", "sns"): "たくさん",
        ("tasks", "started", "portal/plan"): "R7.13.1",
        ("tasks", "progress", "alerts/study"): 101,
        ("initiatives", "rating", "portal"): "A",
    })  # fmt: skip
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert located(error) == [
        f"r7.xlsx:{fill.address('tasks', 'progress', 'alerts/study')}",
        f"r7.xlsx:{fill.address('tasks', 'started', 'portal/plan')}",
        f"r7.xlsx:{fill.address('initiatives', 'rating', 'portal')}",
        f"r7.xlsx:{fill.address('kpis', 'actual', 'sns')}",
    ]
    assert str(error).count("r7.xlsx:") == 4
    assert footprint(db_url) == before


def test_problems_say_what_the_cell_must_hold(store: Store) -> None:
    fill = filler(store).set("tasks", "progress", "alerts/study", 150)
    with using_language("en"):
        error = refused(fill.bytes(), store)
    assert "whole number from 0 to 100" in error.problems[0].message


# --- rows ---------------------------------------------------------------------------------------


def test_a_row_added_is_located(store: Store, db_url: str) -> None:
    fill = filler(store)
    ws = fill.sheet("tasks")
    last = fill.row_of("tasks", "portal/run")
    ws.cell(last + 1, 1).value = "portal/extra"
    ws.cell(last + 1, 11).value = "実施中"
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{ws.title}!A{last + 1}", "row-added")
    ]
    assert footprint(db_url) == before


def test_a_row_deleted_is_named(store: Store, db_url: str) -> None:
    fill = filler(store)
    ws = fill.sheet("tasks")
    ws.delete_rows(fill.row_of("tasks", "alerts/build"))
    error = refused(fill.bytes(), store)
    (problem,) = error.problems
    assert (problem.location, problem.code) == (f"r7.xlsx:{ws.title}", "row-deleted")
    assert "alerts/build" in problem.message


def test_a_ref_the_plan_no_longer_has_is_located(store: Store, db_url: str, clock: Clock) -> None:
    fill = filler(store).set("tasks", "progress", "alerts/study", 40)
    data = fill.bytes()
    plan = make_plan()
    plan.initiatives[0].tasks.pop()  # alerts/launch is gone from the plan
    with Store(db_url, plan=plan, clock=clock) as revised:
        error = refused(data, revised)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{fill.address('tasks', 'ref', 'alerts/launch')}", "unknown-ref")
    ]


def test_moved_columns_are_located_at_the_header(store: Store) -> None:
    fill = filler(store)
    ws = fill.sheet("tasks")
    ws.insert_cols(2)
    error = refused(fill.bytes(), store)
    assert all(p.code == "moved-columns" for p in error.problems)
    assert error.problems[0].location.startswith(f"r7.xlsx:{ws.title}!")


# --- whose workbook -----------------------------------------------------------------------------


def test_a_workbook_of_another_department_is_refused_when_one_is_expected(
    store: Store,
) -> None:
    data = export(store, "kyoiku")
    error = refused(data, store, department="kiki")
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{ORIGIN_SHEET}", "other-department")
    ]
    assert read_department_workbook(data, store, department="kyoiku").empty


def test_a_workbook_of_another_cycle_is_refused_when_one_is_expected(store: Store) -> None:
    error = refused(export(store), store, cycle="R7下期")
    assert [p.code for p in error.problems] == ["other-cycle"]
    assert read_department_workbook(export(store), store, cycle="令和7年度上期").empty


def test_a_workbook_of_another_plan_is_refused(store: Store, db_url: str, clock: Clock) -> None:
    data = export(store)
    with Store(db_url, plan=make_plan(id="other-plan"), clock=clock) as other:
        error = refused(data, other)
    assert [p.code for p in error.problems] == ["other-plan"]


def test_a_workbook_that_is_not_ours_is_refused(store: Store) -> None:
    book = Workbook()
    book.active["A1"] = "工程"
    out = io.BytesIO()
    book.save(out)
    error = refused(out.getvalue(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{ORIGIN_SHEET}", "not-ours")
    ]


def test_a_changed_origin_sheet_is_refused(store: Store) -> None:
    fill = filler(store)
    origin = fill.book[ORIGIN_SHEET]
    for row in origin.iter_rows():
        if row[0].value == "task":
            row[3].value = 99  # the exported progress
            break
    error = refused(fill.bytes(), store)
    assert [p.code for p in error.problems] == ["not-ours"]


def forged(fill: Filler, kpis: dict[str, KpiOrigin]) -> Filler:
    """``fill`` with its origin sheet rewritten to hold ``kpis``, the fingerprint made anew:
    anyone can, as the fingerprint is a plain hash."""
    ws = fill.book[ORIGIN_SHEET]
    origin = Origin.from_rows(ws.iter_rows(values_only=True))
    for row in ws.iter_rows():
        for cell in row:
            cell.value = None
    for r, values in enumerate(replace(origin, kpis=kpis).to_rows(), 1):
        for c, value in enumerate(values, 1):
            ws.cell(r, c, value)
    return fill


def test_a_forged_origin_cannot_record_another_departments_kpi(store: Store, db_url: str) -> None:
    fill = filler(store)
    sheet = fill.sheet("kpis")
    sheet.append(["schools", "実施校数", "校", 2023, 10, 2028, 50, *[None] * 5, 2025, 999])
    forged(
        fill, {"sns": KpiOrigin(2025, None, "", None), "schools": KpiOrigin(2025, None, "", None)}
    )
    before = footprint(db_url)
    error = refused(fill.bytes(), store, department="kiki")
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{sheet.title}!A{sheet.max_row}", "other-department")
    ]
    assert "schools" in error.problems[0].message
    assert footprint(db_url) == before


def test_a_forged_origin_cannot_record_another_year(store: Store, db_url: str) -> None:
    fill = forged(filler(store), {"sns": KpiOrigin(2024, None, "", None)})
    fill.set("kpis", "fy", "sns", 2024).set("kpis", "actual", "sns", 999)
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{fill.address('kpis', 'fy', 'sns')}", "other-cycle")
    ]
    assert footprint(db_url) == before
    assert store.kpis.actuals() == []


# --- files --------------------------------------------------------------------------------------


def test_a_damaged_file_is_refused(store: Store, db_url: str) -> None:
    data = export(store)
    before = footprint(db_url)
    for damaged in (data[: len(data) // 2], data[:30] + b"\0" * 200 + data[230:]):
        error = refused(damaged, store)
        assert [(p.location, p.code) for p in error.problems] == [("r7.xlsx", "damaged")]
    assert footprint(db_url) == before


def test_a_password_protected_workbook_is_refused_saying_so(store: Store) -> None:
    # An encrypted workbook is an OLE compound file with an EncryptionInfo stream.
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
    entry = "EncryptionInfo".encode("utf-16-le").ljust(64, b"\0")
    error = refused(header + entry + b"\0" * 448, store)
    assert [p.code for p in error.problems] == ["encrypted"]
    with using_language("en"):
        assert "password" in refused(header + entry, store).problems[0].message


def test_an_old_xls_and_a_text_file_are_not_xlsx(store: Store) -> None:
    xls = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024
    assert [p.code for p in refused(xls, store).problems] == ["not-xlsx"]
    csv = "ref,status\nalerts/study,完了\n".encode()
    assert [p.code for p in refused(csv, store).problems] == ["not-xlsx"]


def test_a_file_over_20_mb_is_refused_before_it_is_read(store: Store, tmp_path: Path) -> None:
    big = b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)
    assert [p.code for p in refused(big, store).problems] == ["too-large"]
    path = tmp_path / "big.xlsx"
    path.write_bytes(big)
    assert [p.code for p in refused(path.read_bytes(), store).problems] == ["too-large"]
    with pytest.raises(WorkbookError) as caught:
        read_department_workbook(path, store)
    assert caught.value.problems[0].location == "big.xlsx"
    with pytest.raises(WorkbookError):
        read_department_workbook(io.BytesIO(big), store)
    small = export(store)
    assert [p.code for p in refused(small, store, max_bytes=len(small) - 1).problems] == [
        "too-large"
    ]


def test_a_small_file_that_unpacks_to_far_more_is_refused_unread(store: Store) -> None:
    data = export(store)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        bomb.writestr("xl/padding.xml", b" " * (5 * 1024 * 1024))  # 5 MB in 5 kB
    assert len(out.getvalue()) < len(data) + 20_000
    error = refused(out.getvalue(), store)
    assert [(p.location, p.code) for p in error.problems] == [("r7.xlsx", "damaged")]
    assert "MB" in error.problems[0].message


def test_a_sheet_that_goes_on_far_below_its_table_is_refused_unread(store: Store) -> None:
    last = TASKS.first_data_row + 5 + 1000 - 1  # 5 tasks exported, and 1,000 rows more
    fill = filler(store)
    ws = fill.sheet("tasks")
    ws.cell(1_000_000, 30, 1)  # far below, and right of every column read
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{ws.title}!A{last + 1}", "too-many-rows")
    ]
    assert str(last + 1) in error.problems[0].message
    # Up to there, the rows added are reported one by one.
    fill = filler(store)
    fill.sheet("tasks").cell(last, 1, "alerts/extra")
    error = refused(fill.bytes(), store)
    assert [(p.location, p.code) for p in error.problems] == [
        (f"r7.xlsx:{ws.title}!A{last}", "row-added")
    ]


def test_a_changes_object_can_apply_to_the_store_given(store: Store, db_url: str) -> None:
    data = filler(store).set("tasks", "progress", "alerts/study", 55).bytes()
    changes: WorkbookChanges = read_department_workbook(data, store)
    with Store(db_url, plan=make_plan(), clock=lambda: NOW + timedelta(hours=2)) as other:
        changes.apply(other)
    assert store.status_as_of()["alerts/study"].progress == 55
    assert NOW.date() > AS_OF


def test_a_finish_on_the_day_of_a_progress_report_follows_it(store: Store, clock: Clock) -> None:
    # A report recorded this morning (effective when recorded), then the workbook says the
    # task finished today: the finish goes after the report, not before it at midnight.
    store.record_status("alerts/study", "in_progress", actor="危機管理局", progress=90)
    clock.advance(hours=2)
    fill = filler(store, as_of=NOW.astimezone(TOKYO).date())
    fill.fill({
        ("tasks", "status", "alerts/study"): "完了",
        ("tasks", "finished", "alerts/study"): NOW.astimezone(TOKYO).date(),
    })  # fmt: skip
    read_department_workbook(fill.bytes(), store).apply()
    state = store.status_as_of()["alerts/study"]
    assert (state.status, state.finished) == (Status.DONE, NOW)


def test_undated_changes_take_effect_as_of_the_workbooks_date(store: Store) -> None:
    data = filler(store).set("tasks", "progress", "alerts/study", 65).bytes()
    read_department_workbook(data, store).apply()
    latest = store.history("alerts/study")[-1]
    snapshot_end = datetime.combine(AS_OF + timedelta(days=1), time(), TOKYO).astimezone(UTC)
    assert latest.effective == snapshot_end - timedelta(microseconds=1)
    assert latest.recorded == NOW
    # Exported again for the same date, the workbook shows what was imported.
    assert read_department_workbook(export(store), store).empty
    states = store.status_as_of(AS_OF)
    assert states["alerts/study"].progress == 65


@pytest.mark.parametrize("number_format", ['0.0"%"', "0.0\\%"])
def test_a_kpi_cell_showing_a_literal_percent_sign_is_not_scaled(
    store: Store, number_format: str
) -> None:
    fill = filler(store).set("kpis", "actual", "sns", 45.5, number_format)
    read_department_workbook(fill.bytes(), store, name="r7.xlsx").apply()
    assert store.kpis.values() == {"sns": {2025: 45.5}}


@pytest.mark.parametrize(("lang", "written"), [("ja", " 調査中 "), ("en", "being surveyed")])
def test_a_kpi_cell_may_hold_a_mark_instead_of_a_number(
    store: Store, db_url: str, lang: str, written: str
) -> None:
    data = filler(store, lang=lang).fill({("kpis", "actual", "sns"): written}).bytes()
    changes = read_department_workbook(data, store, name="r7.xlsx")
    assert changes.kpis[0].after.value is KpiMark.SURVEYING
    assert changes.kpis[0].after.cells("ja")["actual"] == "調査中"
    changes.apply()
    (actual,) = store.kpis.actuals("sns")
    assert (actual.value, actual.mark) == (None, "surveying")
    # Exported again, the mark is shown as the book's language labels it and reads back as
    # the same value: nothing to import.
    again = export(store, lang=lang)
    assert read_department_workbook(again, store, name="r7-new.xlsx").empty
    after = footprint(db_url)
    replaced = filler(store, lang=lang).fill({("kpis", "actual", "sns"): 130}).bytes()
    read_department_workbook(replaced, store, name="r7-fix.xlsx").apply()
    assert footprint(db_url) != after
    assert store.kpis.values() == {"sns": {2025: 130.0}}
