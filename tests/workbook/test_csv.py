"""A department's task sheet as CSV: exported, filled as Excel leaves it, read back and checked.

Every test runs on SQLite and on PostgreSQL (``AOMORI_ROADMAP_TEST_PG``), as the workbook's
import tests do. A CSV is exported by :func:`department_csv`, filled by rewriting its records
(as a person in Excel would, and as Excel saves them), and imported. After a refused import
the store is unchanged: the same row counts and the same last ids.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from filling import AS_OF, CYCLE, export, footprint, make_plan
from storetest import Clock, jst

from aomori_roadmap.engine.status import Status
from aomori_roadmap.i18n import using_language
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import take_snapshot
from aomori_roadmap.workbook.changes import (
    TaskValues,
    WorkbookChanges,
    WorkbookConflictError,
    WorkbookError,
    column_letter,
    strip_provenance,
)
from aomori_roadmap.workbook.csv_sheet import (
    ORIGIN_COLUMN,
    csv_file_name,
    department_csv,
    read_department_csv,
)
from aomori_roadmap.workbook.layout import TASKS, sheet_name
from aomori_roadmap.workbook.out import department_book

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = jst(2025, 10, 6)
BOM = b"\xef\xbb\xbf"
KIKI = ["alerts/study", "alerts/build", "alerts/launch", "portal/plan", "portal/run"]


def export_csv(store: Store, department: str = "kiki", **options: Any) -> bytes:
    return export(store, department, writer=department_csv, **options)


class Sheet:
    """An exported CSV as records, filled in by ref and column key as a person would."""

    def __init__(self, data: bytes) -> None:
        text = data.decode("utf-8-sig")
        self.records = list(csv.reader(io.StringIO(text, newline="")))
        lang = next(c for c in self.records[0] if c.startswith("lang=")).removeprefix("lang=")
        self.title = sheet_name("tasks", lang)

    def number(self, ref: str) -> int:
        """The row of ``ref`` as Excel shows it (1-based)."""
        return next(n for n, r in enumerate(self.records, 1) if r and r[0] == ref)

    def record(self, ref: str) -> list[str]:
        return self.records[self.number(ref) - 1]

    def set(self, ref: str, key: str, value: str) -> Sheet:
        self.record(ref)[_index(key)] = value
        return self

    def fill(self, values: dict[tuple[str, str], str]) -> Sheet:
        for (ref, key), value in values.items():
            self.set(ref, key, value)
        return self

    def address(self, ref: str, key: str) -> str:
        """``工程!K5``: where the importer reports a problem of that cell."""
        return f"{self.title}!{column_letter(_index(key) + 1)}{self.number(ref)}"

    def text(self, *, quote_all: bool = False) -> str:
        out = io.StringIO(newline="")
        if quote_all:
            csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(self.records)
        else:
            csv.writer(out, lineterminator="\r\n").writerows(self.records)
        return out.getvalue()

    def bytes(self, encoding: str = "utf-8-sig") -> bytes:
        return self.text().encode(encoding)


def _index(key: str) -> int:
    return len(TASKS.columns) if key == "origin" else TASKS.index(key) - 1


def sheet(store: Store, department: str = "kiki", lang: str = "ja") -> Sheet:
    return Sheet(export_csv(store, department, lang=lang))


def refused(data: bytes, store: Store, **options: object) -> WorkbookError:
    with pytest.raises(WorkbookError) as caught:
        read_department_csv(data, store, name="r7.csv", **options)  # type: ignore[arg-type]
    return caught.value


def problems(error: WorkbookError) -> list[tuple[str, str]]:
    return [(p.location, p.code) for p in error.problems]


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), TOKYO).astimezone(UTC)


FILLED = {
    ("alerts/study", "status"): "完了",
    ("alerts/study", "finished"): "2025-09-30",
    ("alerts/study", "note"): "予定どおり完了",
    ("portal/plan", "status"): "実施中",
    ("portal/plan", "progress"): "40",
    ("portal/plan", "started"): "2025-05-01",
    ("portal/plan", "note"): "要件定義中\n外部委託を検討",
}


def after(changes: WorkbookChanges) -> list[tuple[str, object]]:
    return sorted((t.ref, t.after) for t in changes.tasks)


def assert_filled(store: Store) -> None:
    """The store holds the values of :data:`FILLED`."""
    states = store.status_as_of()
    study, plan = states["alerts/study"], states["portal/plan"]
    assert (study.status, study.progress, study.finished) == (
        Status.DONE, 100, start_of(date(2025, 9, 30))
    )  # fmt: skip
    assert strip_provenance(study.note) == "予定どおり完了"
    assert (plan.status, plan.progress, plan.started) == (
        Status.IN_PROGRESS, 40, start_of(date(2025, 5, 1))
    )  # fmt: skip
    assert strip_provenance(plan.note) == "要件定義中\n外部委託を検討"


# --- the file -----------------------------------------------------------------------------------


def test_the_csv_is_utf8_with_a_bom_and_crlf_lines(store: Store) -> None:
    data = export_csv(store)
    assert data.startswith(BOM)
    assert re.search(rb"(?<!\r)\n", data) is None
    data.decode("utf-8")


def test_the_csv_has_the_task_sheets_headings_and_rows(store: Store) -> None:
    fill = sheet(store)
    first, header, *rows = fill.records
    assert first[:2] == ["aomori_roadmap:department-csv:1", "plan=wb-test"]
    assert first[3:7] == ["cycle=FY2025-H1", "department=kiki", "as_of=2025-09-30", "lang=ja"]
    assert header == [c.heading("ja") for c in TASKS.columns] + [ORIGIN_COLUMN.heading("ja")]
    assert [r[0] for r in rows] == KIKI
    study = fill.record("alerts/study")
    assert study[_index("started")] == "2025-04-07"  # 西暦, as ISO
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", study[_index("planned_start")])
    assert (study[_index("status")], study[_index("progress")]) == ("実施中", "20")
    english = sheet(store, lang="en").records[1]
    assert english == [c.heading("en") for c in TASKS.columns] + [ORIGIN_COLUMN.heading("en")]


def test_the_fingerprint_is_the_workbooks_origin_of_the_tasks(store: Store) -> None:
    assert store.plan is not None
    snapshot = take_snapshot(store.plan, store, as_of=AS_OF)
    origin = department_book(snapshot, CYCLE, "kiki", store=store).origin()
    tasks_only = replace(origin, initiatives={}, kpis={})
    first = sheet(store).records[0]
    assert f"fingerprint=sha256:{tasks_only.fingerprint()}" in first


def test_the_same_snapshot_gives_the_same_bytes(store: Store) -> None:
    assert export_csv(store) == export_csv(store)


def test_text_that_looks_like_a_formula_is_written_as_text(store: Store, db_url: str) -> None:
    store.record_status("alerts/study", "in_progress", actor="危機管理局", progress=30,
                        effective=jst(2025, 9, 1), note="=HYPERLINK(\"http://example.com\")",
                        )  # fmt: skip
    data = export_csv(store)
    note = Sheet(data).record("alerts/study")[_index("note")]
    assert note == '\'=HYPERLINK("http://example.com")'
    before = footprint(db_url)
    assert read_department_csv(data, store).empty  # the apostrophe is taken off again
    assert footprint(db_url) == before
    for typed in ("+1+2", "-2", "@SUM(A1)", "'=x"):
        written = Sheet(data).set("alerts/study", "note", typed)
        (change,) = read_department_csv(written.bytes(), store).tasks
        assert change.after.note == (typed[1:] if typed.startswith("'") else typed)


def test_the_file_name_is_the_workbooks_with_csv(store: Store) -> None:
    plan = make_plan()
    assert csv_file_name(plan, CYCLE, "kiki", "en") == "FY2025-H1_progress_kiki.csv"
    assert csv_file_name(plan, "R7上期", "kiki").endswith(".csv")


# --- round trips --------------------------------------------------------------------------------


def test_a_csv_sent_back_as_it_was_writes_nothing(store: Store, db_url: str) -> None:
    before = footprint(db_url)
    changes = read_department_csv(export_csv(store), store, name="r7.csv")
    assert changes.empty
    assert changes.apply().events == 0
    assert footprint(db_url) == before


def test_a_filled_csv_is_recorded_and_the_store_then_holds_the_filled_values(
    store: Store,
) -> None:
    data = sheet(store).fill(FILLED).bytes()
    changes = read_department_csv(data, store, name="r7_kiki.csv")
    assert [t.ref for t in changes.tasks] == ["alerts/study", "portal/plan"]
    assert changes.tasks[0].line("en").startswith(f"{sheet_name('tasks', 'ja')}!3 alerts/study")
    recorded = changes.apply()
    assert recorded.events == 2
    assert_filled(store)
    state = store.status_as_of()["alerts/study"]
    assert state.actor == "危機管理局"
    assert state.note.endswith(f"[workbook r7_kiki.csv sha256:{changes.fingerprint}]")
    again = Sheet(export_csv(store))  # exported again, the CSV shows what was filled in
    assert again.record("portal/plan")[_index("status")] == "実施中"
    assert again.record("portal/plan")[_index("progress")] == "40"
    assert again.record("alerts/study")[_index("finished")] == "2025-09-30"
    assert read_department_csv(again.bytes(), store).empty


def test_the_same_csv_twice_writes_nothing_the_second_time(store: Store, db_url: str) -> None:
    data = sheet(store).fill(FILLED).bytes()
    read_department_csv(data, store).apply()
    after_first = footprint(db_url)
    again = read_department_csv(data, store)
    assert again.empty, again.lines("en")
    again.apply()
    assert footprint(db_url) == after_first


def test_a_csv_saved_in_shift_jis_is_read_the_same(store: Store) -> None:
    fill = sheet(store).fill(FILLED)
    as_utf8 = read_department_csv(fill.bytes(), store)
    as_cp932 = read_department_csv(fill.text().encode("cp932"), store)
    assert after(as_cp932) == after(as_utf8)
    as_cp932.apply()
    assert_filled(store)


def test_a_utf8_csv_without_a_bom_is_read_too(store: Store) -> None:
    fill = sheet(store).fill(FILLED)
    assert after(read_department_csv(fill.bytes("utf-8"), store)) == after(
        read_department_csv(fill.bytes(), store)
    )


def test_a_note_that_only_lost_characters_to_shift_jis_is_left_as_it_was(
    store: Store, db_url: str
) -> None:
    note = "4月〜6月 🙂 済"  # the wave dash comes back as ～, the emoji as ?
    store.record_status(
        "alerts/study", "in_progress", actor="危機管理局", progress=30, effective=jst(2025, 9, 1),
        note=note,
    )  # fmt: skip
    fill = sheet(store)
    saved = fill.text().encode("cp932", errors="replace")  # as Excel saves 「CSV (コンマ区切り)」
    assert "〜".encode("cp932") in saved and b"?" in saved
    before = footprint(db_url)
    changes = read_department_csv(saved, store)
    assert changes.empty, changes.lines("en")
    changes.apply()
    assert footprint(db_url) == before
    fill.set("alerts/study", "note", "5月に延期")  # a note really changed is recorded
    (change,) = read_department_csv(fill.text().encode("cp932", errors="replace"), store).tasks
    assert change.after.note == "5月に延期"


def test_what_excel_does_to_a_csv_is_read_as_meant(store: Store) -> None:
    plain = read_department_csv(sheet(store).fill(FILLED).bytes(), store)
    fill = sheet(store).fill({
        **FILLED,
        ("alerts/study", "finished"): "R7.9.30",
        ("portal/plan", "progress"): "４０%",
        ("portal/plan", "started"): "2025/5/1",
    })  # fmt: skip
    # Excel's own rewriting: dates as 2025/4/7, every field quoted, an empty column at the
    # end, and the person sorted the rows and left blank lines.
    for record in fill.records[2:]:
        for key in ("planned_start", "planned_finish", "started"):
            found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", record[_index(key)])
            if found:
                record[_index(key)] = f"{found[1]}/{int(found[2])}/{int(found[3])}"
    first, header, *rows = fill.records
    rows.sort(key=lambda r: r[_index("task")], reverse=True)
    fill.records = [first, [], header, *[x for r in rows for x in (r, [])], [], []]
    fill.records = [[*r, ""] if r else r for r in fill.records]
    data = fill.text(quote_all=True).encode("utf-8-sig")
    changes = read_department_csv(data, store)
    assert after(changes) == after(plain)
    changes.apply()
    assert_filled(store)


def test_an_english_csv_is_read_the_same(store: Store) -> None:
    fill = sheet(store, lang="en").fill({
        ("portal/plan", "status"): "In progress",
        ("portal/plan", "started"): "2025-05-01",
    })  # fmt: skip
    changes = read_department_csv(fill.bytes(), store)
    assert [t.after.status for t in changes.tasks] == [Status.IN_PROGRESS]


def test_a_path_or_a_file_object_is_read_too(store: Store, tmp_path: Path) -> None:
    data = sheet(store).set("alerts/study", "progress", "30").bytes()
    path = tmp_path / "令和7年度上期_危機管理局.csv"
    path.write_bytes(data)
    from_path = read_department_csv(path, store)
    assert from_path.file == path.name
    from_file = read_department_csv(io.BytesIO(data), store)
    assert after(from_file) == after(from_path)


# --- LibreOffice, as a department's office suite -----------------------------------------------

#: LibreOffice reads the CSV as UTF-8 in a Japanese locale (dates detected as 2025/4/1) and
#: saves it in Shift_JIS (MS-932), as a department's spreadsheet program saves 「CSV」.
_LO_IN = "CSV:44,34,76,1,,ja-JP,false,true"
_LO_OUT = "csv:Text - txt - csv (StarCalc):44,34,60"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes], bytes]:
    """Open a CSV in LibreOffice headless and save it again: the bytes it writes."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    profile = tmp_path_factory.mktemp("libreoffice-csv-profile").as_uri()

    def resave(data: bytes) -> bytes:
        folder = tmp_path_factory.mktemp("libreoffice-csv")
        source = folder / "sheet.csv"
        source.write_bytes(data)
        done = subprocess.run(
            [
                soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                "--nolockcheck", f"--infilter={_LO_IN}", "--convert-to", _LO_OUT,
                "--outdir", str(folder / "out"), str(source),
            ],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        made = folder / "out" / "sheet.csv"
        assert done.returncode == 0 and made.exists(), done.stderr
        return made.read_bytes()

    return resave


def test_a_csv_saved_again_by_libreoffice_in_shift_jis_writes_nothing(
    store: Store, db_url: str, office: Callable[[bytes], bytes]
) -> None:
    saved = office(export_csv(store))
    assert not saved.startswith(BOM)
    saved.decode("cp932")
    before = footprint(db_url)
    changes = read_department_csv(saved, store)
    assert changes.empty, changes.lines("en")
    assert footprint(db_url) == before


def test_a_csv_filled_and_saved_by_libreoffice_is_recorded(
    store: Store, office: Callable[[bytes], bytes]
) -> None:
    typed = sheet(store).fill({
        **FILLED,
        ("alerts/study", "finished"): "R7.9.30",
        ("portal/plan", "progress"): "４０%",
        ("portal/plan", "started"): "2025/5/1",
    })  # fmt: skip
    read_department_csv(office(typed.bytes()), store).apply()
    assert_filled(store)


# --- encodings ----------------------------------------------------------------------------------


def _latin1(data: bytes) -> bytes:
    text = data.decode("utf-8-sig").replace("実施中", "en cours é")
    return text.encode("latin-1", errors="replace")


ENCODINGS: dict[str, tuple[Callable[[bytes], bytes], int]] = {
    "UTF-16 with its BOM": (lambda d: d.decode("utf-8-sig").encode("utf-16"), 1),
    "UTF-16 without a BOM": (lambda d: d.decode("utf-8-sig").encode("utf-16-le"), 1),
    "Latin-1": (_latin1, 3),  # the first row with é is the first task's
    "binary": (lambda d: bytes(range(256)) * 4, 1),
}


@pytest.mark.parametrize("kind", list(ENCODINGS))
def test_a_file_in_another_encoding_is_a_located_problem(
    kind: str, store: Store, db_url: str
) -> None:
    make, line = ENCODINGS[kind]
    before = footprint(db_url)
    with using_language("en"):
        error = refused(make(export_csv(store)), store)
    assert problems(error) == [(f"r7.csv:{sheet_name('tasks', 'en')}!A{line}", "bad-encoding")]
    assert "CSV UTF-8" in error.problems[0].message
    assert footprint(db_url) == before


def test_a_workbook_given_as_a_csv_is_a_located_problem(store: Store) -> None:
    error = refused(export(store), store)
    assert [p.code for p in error.problems] == ["bad-encoding"]


def test_a_csv_that_is_not_ours_is_refused(store: Store) -> None:
    title = sheet_name("tasks")
    for data in ("ref,status\r\nalerts/study,完了\r\n".encode(), b"", b"\r\n\r\n"):
        assert problems(refused(data, store)) == [(f"r7.csv:{title}!A1", "not-ours")]
    newer = sheet(store)
    newer.records[0][0] = "aomori_roadmap:department-csv:2"
    (problem,) = refused(newer.bytes(), store).problems
    assert (problem.location, problem.code) == (f"r7.csv:{title}!A1", "not-ours")
    assert "2" in problem.message


# --- bad cells: one test per kind, each located exactly, nothing written ------------------------

BAD_CELLS = {
    "unknown status": ("portal/plan", "status", "済み", "unknown-status", {}),
    "empty status": ("portal/plan", "status", "", "unknown-status", {}),
    "progress over 100": ("alerts/study", "progress", "150", "bad-progress", {}),
    "progress not a number": ("alerts/study", "progress", "半分", "bad-progress", {}),
    "not a date": ("portal/plan", "started", "来月", "bad-date", {"status": "実施中"}),
    "no such day": ("alerts/study", "finished", "2025/2/30", "bad-date", {"status": "完了"}),
    "date in the future": ("alerts/study", "finished", "2025/12/1", "date-in-future",
                           {"status": "完了"}),
    "finish before start": ("alerts/study", "finished", "2025/4/1", "finish-before-start",
                            {"status": "完了"}),
    "illegal transition": ("alerts/study", "status", "未着手", "illegal-transition", {}),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(BAD_CELLS))
def test_each_bad_cell_is_located_and_nothing_is_written(
    kind: str, store: Store, db_url: str
) -> None:
    ref, key, value, code, companions = BAD_CELLS[kind]
    fill = sheet(store)
    for other, written in companions.items():
        fill.set(ref, other, written)
    fill.set(ref, key, value)
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert problems(error) == [(f"r7.csv:{fill.address(ref, key)}", code)]
    assert footprint(db_url) == before


def test_every_problem_is_reported_at_once_in_row_order(store: Store, db_url: str) -> None:
    fill = sheet(store).fill({
        ("portal/run", "progress"): "101",
        ("alerts/study", "started"): "R7.13.1",
        ("alerts/build", "status"): "済",
    })  # fmt: skip
    error = refused(fill.bytes(), store)
    assert [p.location for p in error.problems] == [
        f"r7.csv:{fill.address('alerts/study', 'started')}",
        f"r7.csv:{fill.address('alerts/build', 'status')}",
        f"r7.csv:{fill.address('portal/run', 'progress')}",
    ]


def test_a_ref_the_plan_no_longer_has_is_located(store: Store, db_url: str, clock: Clock) -> None:
    fill = sheet(store).set("alerts/study", "progress", "40")
    plan = make_plan()
    plan.initiatives[0].tasks.pop()  # alerts/launch is gone from the plan
    with Store(db_url, plan=plan, clock=clock) as revised:
        before = footprint(db_url)
        error = refused(fill.bytes(), revised)
        assert footprint(db_url) == before
    assert problems(error) == [(f"r7.csv:{fill.address('alerts/launch', 'ref')}", "unknown-ref")]


def test_a_row_added_is_located(store: Store, db_url: str) -> None:
    fill = sheet(store)
    added = [""] * len(fill.records[1])
    added[0], added[_index("status")] = "portal/extra", "実施中"
    fill.records.append(added)
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert problems(error) == [(f"r7.csv:{fill.title}!A{len(fill.records)}", "row-added")]
    assert footprint(db_url) == before


def test_a_row_deleted_is_named(store: Store, db_url: str) -> None:
    fill = sheet(store)
    fill.records.remove(fill.record("alerts/build"))
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    (problem,) = error.problems
    assert (problem.location, problem.code) == (f"r7.csv:{fill.title}", "row-deleted")
    assert "alerts/build" in problem.message
    assert footprint(db_url) == before


def test_a_repeated_row_is_located(store: Store) -> None:
    fill = sheet(store)
    fill.records.append(list(fill.record("portal/plan")))
    error = refused(fill.bytes(), store)
    assert problems(error) == [(f"r7.csv:{fill.title}!A{len(fill.records)}", "row-repeated")]


def test_moved_columns_are_located_at_the_header(store: Store) -> None:
    fill = sheet(store)
    for record in fill.records[1:]:
        record.insert(1, "")
    error = refused(fill.bytes(), store)
    assert {p.code for p in error.problems} == {"moved-columns"}
    assert error.problems[0].location.startswith(f"r7.csv:{fill.title}!")
    assert all(p.cell is not None and p.cell.endswith("2") for p in error.problems)


# --- the origin: line 1 and the last column -----------------------------------------------------


def _edit_origin(cell: str) -> str:
    values = json.loads(cell)
    values[1] = 99  # the exported progress
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


ORIGIN_EDITS: dict[str, Callable[[str], str]] = {
    "a value changed": _edit_origin,
    "emptied": lambda cell: "",
    "not JSON any more": lambda cell: cell[:-3],
}


@pytest.mark.parametrize("edit", list(ORIGIN_EDITS))
def test_an_edited_origin_cell_is_located(edit: str, store: Store, db_url: str) -> None:
    fill = sheet(store)
    record = fill.record("alerts/build")
    record[_index("origin")] = ORIGIN_EDITS[edit](record[_index("origin")])
    before = footprint(db_url)
    error = refused(fill.bytes(), store)
    assert problems(error) == [
        (f"r7.csv:{fill.address('alerts/build', 'origin')}", "origin-edited")
    ]
    assert footprint(db_url) == before


def test_a_changed_ref_is_located_at_the_ref(store: Store) -> None:
    fill = sheet(store)
    fill.record("portal/run")[0] = "portal/plan"  # now two rows say portal/plan
    error = refused(fill.bytes(), store)
    row = len(fill.records)
    assert problems(error) == [(f"r7.csv:{fill.title}!A{row}", "origin-edited")]


def test_an_edited_first_line_is_located(store: Store, db_url: str) -> None:
    fill = sheet(store)
    fill.records[0][5] = "as_of=2025-10-01"  # F1: every row's origin is still right
    before = footprint(db_url)
    assert problems(refused(fill.bytes(), store)) == [(f"r7.csv:{fill.title}!H1", "origin-edited")]
    fill.records[0][3] = ""  # D1: the cycle is gone
    assert problems(refused(fill.bytes(), store)) == [(f"r7.csv:{fill.title}!D1", "origin-edited")]
    assert footprint(db_url) == before


# --- whose file ---------------------------------------------------------------------------------


def test_a_csv_of_another_department_is_refused_when_one_is_expected(store: Store) -> None:
    data = export_csv(store, "kyoiku")
    error = refused(data, store, department="kiki")
    assert problems(error) == [(f"r7.csv:{sheet_name('tasks')}!E1", "other-department")]
    assert read_department_csv(data, store, department="kyoiku").empty


def test_a_csv_of_another_cycle_is_refused_when_one_is_expected(store: Store) -> None:
    error = refused(export_csv(store), store, cycle="R7下期")
    assert problems(error) == [(f"r7.csv:{sheet_name('tasks')}!D1", "other-cycle")]
    assert read_department_csv(export_csv(store), store, cycle="令和7年度上期").empty


def test_a_csv_of_another_plan_is_refused(store: Store, db_url: str, clock: Clock) -> None:
    data = export_csv(store)
    with Store(db_url, plan=make_plan(id="other-plan"), clock=clock) as other:
        before = footprint(db_url)
        error = refused(data, other)
        assert footprint(db_url) == before
    assert problems(error) == [(f"r7.csv:{sheet_name('tasks')}!B1", "other-plan")]


# --- conflicts ----------------------------------------------------------------------------------


def conflicting(store: Store, clock: Clock) -> bytes:
    """A CSV whose alerts/study row changed, made before the store's row changed too."""
    data = sheet(store).set("alerts/study", "progress", "60").bytes()
    clock.advance(hours=1)
    store.record_status("alerts/study", "in_progress", actor="危機管理局", progress=45)
    return data


def test_a_row_changed_in_the_store_after_the_export_is_a_conflict(
    store: Store, db_url: str, clock: Clock
) -> None:
    data = conflicting(store, clock)
    before = footprint(db_url)
    changes = read_department_csv(data, store, name="r7.csv")
    (conflict,) = changes.conflicts
    assert (conflict.key, conflict.sheet, conflict.row) == ("alerts/study", sheet_name("tasks"), 3)
    states = (conflict.exported, conflict.stored, conflict.filled)
    assert [s.progress for s in states if isinstance(s, TaskValues)] == [20, 45, 60]
    with pytest.raises(WorkbookConflictError):
        changes.apply()
    assert footprint(db_url) == before


def test_force_writes_a_conflicting_row_and_says_so(store: Store, clock: Clock) -> None:
    data = conflicting(store, clock)
    changes = read_department_csv(data, store, name="r7.csv", force=True)
    assert not changes.conflicts and [t.ref for t in changes.tasks] == ["alerts/study"]
    changes.apply()
    state = store.status_as_of()["alerts/study"]
    assert state.progress == 60
    assert state.note.endswith(f"sha256:{changes.fingerprint} forced]")
