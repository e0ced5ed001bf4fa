"""A filled department workbook back into the store: every cell checked, nothing half-written.

:func:`read_department_workbook` reads a workbook that :mod:`.out` made and a department
filled in, checks every input cell and the workbook as a whole, and compares each row with
what was exported (the origin record on the very hidden sheet) and with what the store holds
now. It writes nothing: it returns :class:`WorkbookChanges`, the diff per row (readable in
Japanese by default) and the conflicts; :meth:`WorkbookChanges.apply` writes them, all in one
transaction (``Store.record_together``), or nothing.

What is refused, each problem located as ``FILE:Sheet!C12`` with what the cell must hold, all
at once in one :class:`WorkbookError`: a file over the size limit, one that is not an xlsx
workbook (an old .xls, a password-protected workbook, a damaged file, one that unpacks to far
more than its size), a sheet that goes on far below its table, a workbook that is not
ours (no origin sheet, or one that was changed), one made for another plan, cycle or
department, columns moved, rows added or deleted, refs the plan does not have, a KPI of
another department or a year other than the cycle's (an origin sheet rebuilt), and every bad
cell: an unknown status, progress that is not a whole number from 0 to 100, a date that is
not a date (or before the plan, or in the future), a finish before the start, an illegal
status transition, a rating outside the plan's scale, a KPI value that is not a number.

How rows become records:

- A row left as it was exported writes nothing. A row changed in the workbook whose store
  state is no longer the exported one (its event or record id differs from the origin's) is
  a **conflict**, unless the store already holds exactly the filled values: then there is
  nothing to write (importing the same workbook twice writes nothing the second time).
  ``force=True`` writes a conflicting row anyway, from the store's current state, and says
  so in the note.
- A task's status change takes effect when the department says it did: a start at the
  beginning of the actual start day, a finish at the beginning of the actual finish day (in
  the plan's time zone), after any event of the task recorded earlier that day; other
  changes (on hold, cancelled, resumed, a progress report) as of the end of the workbook's
  date (its snapshot: the state the cycle reviews), or after the task's latest event when
  that is later, or when recorded when that is not in the past. Exported again for the same
  date, the workbook then shows what was imported.
- A task that went from 未着手 to 完了 within the half, with an actual start, is recorded as
  two events: 実施中 at its start, then 完了 at its finish, so that its actual
  dates stand in the history as they do in the workbook. A changed actual start or finish
  of a task that already has one is recorded as a correction of the event that set it.
- A progress cell left as exported takes the progress the new status implies (完了 100,
  未着手 0, otherwise the recorded one). A task in progress needs its actual start and a done
  task its actual finish; only a done task has a finish; a recorded start may be corrected,
  not removed. A progress or note alone is recorded on a task in progress (a progress
  report); on a task in any other state it needs a change of its status.
- Each event's note is the note cell, then a line naming the workbook's file and
  fingerprint (``[workbook FILE sha256:…]``, ``forced`` added when forced). A submission
  keeps that line as its comment; a KPI value as its note.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypedDict

from aomori_roadmap.engine.reviews import ReviewCycle, find_cycle
from aomori_roadmap.errors import PlanError, shown
from aomori_roadmap.i18n import _
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store.store import Unchanged
from aomori_roadmap.workbook import cells
from aomori_roadmap.workbook.cells import EPOCH_1900, CellProblem
from aomori_roadmap.workbook.changes import (
    WorkbookChanges,
    WorkbookError,
    WorkbookProblem,
    column_letter,
    provenance,
)
from aomori_roadmap.workbook.compare import Comparison, Reading, SheetRow
from aomori_roadmap.workbook.layout import (
    INITIATIVES,
    ORIGIN_SHEET,
    TASKS,
    Origin,
    SheetLayout,
    sheet_key,
    sheet_name,
    table_layout,
)

if TYPE_CHECKING:
    from aomori_roadmap.store.store import Store

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ReadOptions",
    "check_origin",
    "check_rows",
    "in_sheet_order",
    "read_department_workbook",
    "read_sheet",
    "source_bytes",
]

_MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * _MB
"""The largest workbook read (20 MB): a department's sheet is far smaller."""

# What the parts of a workbook may add up to once unpacked, for each byte of the file and at
# most: a zip bomb stops here. A workbook as it is made unpacks to about four times its size
# (3.2 to 3.8 for the departments of the default plan), filled in or saved again by Excel or
# LibreOffice to a little more; pictures, the largest files, do not shrink at all.
_UNPACKED_PER_BYTE = 100
_UNPACKED_PER_MAX_BYTE = 5
# The rows a table sheet may have below the rows it was made with (rows added are refused
# one by one up to there); the reading stops there, however many rows the file has.
_EXTRA_ROWS = 1000
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or encrypted xlsx
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream an encrypted workbook has
_ZIP_MAGIC = b"PK\x03\x04"

# --- the file -----------------------------------------------------------------------------------


def source_bytes(
    source: Path | str | bytes | IO[bytes], file: str, max_bytes: int
) -> tuple[bytes | None, list[WorkbookProblem]]:
    """The file's bytes, read up to ``max_bytes`` (a path, bytes or a binary file), or the
    problem that stopped the reading (``None`` then)."""

    def too_large(size: int | None) -> list[WorkbookProblem]:
        limit = f"{max_bytes / _MB:g}"
        if size is None:
            written = _("more than {limit} MB").format(limit=limit)
        else:
            written = _("{size} MB").format(size=f"{size / _MB:.1f}")
        message = _(
            "The file is too large ({size}); a department workbook may be at most {limit} MB. "
            "Send the workbook as it was made, without pictures or extra sheets."
        ).format(size=written, limit=limit)
        return [WorkbookProblem(file, message, code="too-large")]

    if isinstance(source, bytes | bytearray):
        if len(source) > max_bytes:
            return None, too_large(len(source))
        return bytes(source), []
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                return None, too_large(size)
            return path.read_bytes(), []
        except OSError as error:
            message = _("The file cannot be read: {error}").format(error=error.strerror or error)
            return None, [WorkbookProblem(file, message, code="unreadable")]
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None, too_large(None)
    return bytes(data), []


def _file_problem(data: bytes, file: str, max_bytes: int) -> WorkbookProblem | None:
    """Why ``data`` is not an xlsx workbook that can be opened, or ``None``."""
    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTED in data[:65536] or _ENCRYPTED in data:
            message = _(
                "The workbook is protected with a password. Remove the password (File → Info "
                "→ Protect Workbook) and send it again."
            )
            return WorkbookProblem(file, message, code="encrypted")
        message = _(
            "This is an Excel 97–2003 (.xls) file. Send the workbook as it was made (.xlsx)."
        )
        return WorkbookProblem(file, message, code="not-xlsx")
    if not data.startswith(_ZIP_MAGIC):
        message = _("This is not an Excel workbook (.xlsx). Send the department workbook.")
        return WorkbookProblem(file, message, code="not-xlsx")
    damaged = _("The workbook is damaged and cannot be read ({detail}). Send it again.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            limit = min(len(data) * _UNPACKED_PER_BYTE, max_bytes * _UNPACKED_PER_MAX_BYTE)
            if unpacked > limit:
                detail = _("it unpacks to {size} MB").format(size=f"{unpacked / _MB:.0f}")
                return WorkbookProblem(file, damaged.format(detail=detail), code="damaged")
            if "xl/workbook.xml" not in archive.namelist():
                detail = _("it has no workbook part")
                return WorkbookProblem(file, damaged.format(detail=detail), code="damaged")
            broken = archive.testzip()
            if broken is not None:
                return WorkbookProblem(file, damaged.format(detail=broken), code="damaged")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        return WorkbookProblem(file, damaged.format(detail=shown(error)), code="damaged")
    return None


# --- sheets -------------------------------------------------------------------------------------


_CELL_CODES = {
    "status": "unknown-status",
    "percent": "bad-progress",
    "date": "bad-date",
    "rating": "bad-rating",
    "number": "bad-number",
    "measured": "bad-number",
    "text": "bad-text",
}


def read_sheet(
    reading: Reading,
    worksheet: Any,
    title: str,
    layout: SheetLayout,
    key_column: str,
    readers: Mapping[str, Callable[[Any, str | None], Any]],
    max_rows: int | None = None,
) -> list[SheetRow] | None:
    """The rows of a table sheet, after checking its header; bad cells become problems.

    ``None`` when the header is not the layout's (the columns were moved): no cell can be
    found then. A sheet that goes on below ``max_rows`` data rows is a problem, and the rest
    of it is not read (a small file may hold a million rows).
    """
    wanted = [key_column, *readers]
    width = max(layout.index(k) for k in wanted)
    columns = {k: layout.index(k) - 1 for k in wanted}
    worksheet.reset_dimensions()  # read every row, whatever the file says its size is
    rows = worksheet.iter_rows(min_row=layout.header_row, max_col=width)
    header = next(rows, None)
    header_values = [] if header is None else [c.value for c in header]
    moved = False
    for wanted_key in wanted:
        column = layout.column(wanted_key)
        at = columns[wanted_key]
        found = header_values[at] if at < len(header_values) else None
        if found not in {column.heading("ja"), column.heading("en")}:
            letter = column_letter(at + 1)
            moved = True
            reading.problem(
                _(
                    "This column must be headed '{heading}' ({found} was found): the columns "
                    "were moved. Fill in the workbook as it was sent."
                ).format(heading=column.heading(), found=shown(found if found is not None else "")),
                "moved-columns",
                title,
                f"{letter}{layout.header_row}",
            )
    if moved:
        return None
    found_rows: list[SheetRow] = []
    key_at = columns[key_column]
    inputs = [(k, columns[k], readers[k], layout.column(k)) for k in readers]
    last = None if max_rows is None else layout.first_data_row + max_rows - 1
    for number, line in enumerate(rows, layout.header_row + 1):
        if number < layout.first_data_row:
            continue
        if last is not None and number > last:
            reading.problem(
                _("The sheet goes on far below its table (row {row} and below): delete those "
                  "rows and send the workbook again.").format(row=number),
                "too-many-rows", title, f"{column_letter(key_at + 1)}{number}",
            )  # fmt: skip
            break
        key_cell = line[key_at] if key_at < len(line) else None
        key_value = None if key_cell is None else key_cell.value
        key: str | None = cells.read_text(key_value)
        values: dict[str, Any] = {}
        row = SheetRow(number, key, values)
        empty = key is None
        for name, at, reader, column in inputs:
            cell = line[at] if at < len(line) else None
            raw = None if cell is None else cell.value
            if raw is None:
                values[name] = None
                continue
            try:
                values[name] = reader(raw, getattr(cell, "number_format", None))
            except CellProblem as problem:
                reading.problem(
                    str(problem), _CELL_CODES[column.kind], title,
                    f"{column_letter(at + 1)}{number}",
                )  # fmt: skip
                values[name] = None
                row.bad = True
                empty = False
                continue
            if values[name] is not None:
                empty = False
        if not empty:
            found_rows.append(row)
    return found_rows


def check_rows(
    reading: Reading,
    title: str,
    layout: SheetLayout,
    key_column: str,
    rows: list[SheetRow],
    exported: Iterable[str],
) -> dict[str, SheetRow]:
    """Rows keyed by their key; rows added, deleted or repeated become problems."""
    letter = column_letter(layout.index(key_column))
    by_key: dict[str, SheetRow] = {}
    expected = list(exported)
    known = set(expected)
    for row in rows:
        cell = f"{letter}{row.number}"
        if row.key is None or row.key not in known:
            message = _(
                "This row was added ({key}): rows cannot be added to the workbook. Delete it; "
                "to add a task or initiative, ask the plan office."
            ).format(key=shown(row.key or ""))
            reading.problem(message, "row-added", title, cell)
        elif row.key in by_key:
            message = _("The row of {key} is repeated (first in row {row}). Delete this one.")
            reading.problem(
                message.format(key=row.key, row=by_key[row.key].number), "row-repeated",
                title, cell,
            )  # fmt: skip
        else:
            by_key[row.key] = row
    for key in expected:
        if key not in by_key:
            message = _(
                "The row of {key} was deleted: every row sent must be sent back. Copy it back "
                "from the workbook as it was sent."
            ).format(key=key)
            reading.problem(message, "row-deleted", title)
    return by_key


# --- the import ---------------------------------------------------------------------------------


class ReadOptions(TypedDict, total=False):
    """What a reader of a department's file takes beside the file and the store (see
    :func:`read_department_workbook` for each)."""

    plan: Plan | None
    actor: str | None
    force: bool
    name: str | None
    cycle: str | None
    department: str | None
    max_bytes: int


def read_department_workbook(
    source: Path | str | bytes | IO[bytes],
    store: Store,
    *,
    plan: Plan | None = None,
    actor: str | None = None,
    force: bool = False,
    name: str | None = None,
    cycle: str | None = None,
    department: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> WorkbookChanges:
    """Read and check a filled department workbook against ``store``; write nothing.

    Args:
        source: the workbook: a path, its bytes or a binary file.
        store: the store it goes into (opened with the plan).
        plan: the plan the workbook must be made for (default: the store's).
        actor: who records the changes (default: the department's name).
        force: record rows changed in the store after the export anyway (noted on them).
        name: the file name shown in problems and notes (default: the path's name).
        cycle: the review cycle the workbook must be for (``R7上期``, ``FY2025-H1``…).
        department: the department the workbook must be from (its id).
        max_bytes: the largest file read.

    Returns:
        The changes, to show (``lines()``) and to write (``apply()``).

    Raises:
        WorkbookError: every problem of the workbook, located; nothing was written.
        PlanError: the store has no plan, or not ``plan``.

    >>> from datetime import date, datetime, timezone
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.store import Store
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> from aomori_roadmap.workbook.out import department_workbook
    >>> store = Store("sqlite://", plan=default_plan(),
    ...     clock=lambda: datetime(2025, 10, 6, tzinfo=timezone.utc))
    >>> snapshot = take_snapshot(store.plan, store, as_of=date(2025, 9, 30))
    >>> sent = department_workbook(snapshot, "R7上期", "kikikanri", store=store)
    >>> read_department_workbook(sent, store, name="r7.xlsx").empty
    True
    >>> read_department_workbook(sent[:1000], store, name="r7.xlsx")
    Traceback (most recent call last):
    ...
    aomori_roadmap.workbook.changes.WorkbookError: ...
      r7.xlsx: ...
    >>> store.close()
    """
    file = name or (Path(source).name if isinstance(source, str | Path) else "workbook.xlsx")
    data, problems = source_bytes(source, file, max_bytes)
    if data is None:
        raise WorkbookError(problems)
    found = _file_problem(data, file, max_bytes)
    if found is not None:
        raise WorkbookError([found])
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        message = _("The workbook is damaged and cannot be read ({detail}). Send it again.")
        raise WorkbookError(
            [WorkbookProblem(file, message.format(detail=shown(error)), code="damaged")]
        ) from error
    try:
        return _read(book, file, store, plan, actor, force, cycle, department)
    finally:
        book.close()


def _not_ours(file: str, reason: str) -> WorkbookError:
    return WorkbookError([WorkbookProblem(file, reason, ORIGIN_SHEET, code="not-ours")])


def _read(
    book: Any,
    file: str,
    store: Store,
    plan: Plan | None,
    actor: str | None,
    force: bool,
    cycle: str | None,
    department: str | None,
) -> WorkbookChanges:
    sheets: dict[str, str] = {}
    for title in book.sheetnames:
        key = sheet_key(title)
        if key is not None and key not in sheets:
            sheets[key] = title
    if "origin" not in sheets:
        raise _not_ours(
            file,
            _(
                "This is not a department workbook of aomori_roadmap: it has no origin sheet "
                "({sheet}). Fill in the workbook that was sent."
            ).format(sheet=ORIGIN_SHEET),
        )
    origin_rows = book[sheets["origin"]].iter_rows(values_only=True)
    if store.plan is not None:
        # A row per fact, task, initiative and KPI: an origin sheet longer than the plan can
        # make is cut there, and then its fingerprint does not match.
        plan_rows = sum(1 for _ref in store.plan.iter_tasks())
        plan_rows += len(store.plan.initiatives) + len(store.plan.kpis)
        origin_rows = islice(origin_rows, plan_rows + _EXTRA_ROWS)
    try:
        origin = Origin.from_rows(origin_rows)
    except PlanError as error:
        raise _not_ours(file, str(error)) from error
    the_plan, found_cycle = check_origin(file, origin, store, plan, cycle, department)
    reading = Reading(file, the_plan, origin.lang)
    epoch = getattr(book, "epoch", EPOCH_1900)
    tables = _tables(reading, origin, epoch)
    tasks, initiatives, kpis = (_read_table(reading, (book, sheets), t) for t in tables)
    fingerprint = origin.fingerprint()
    names = {d.id: d.name for d in the_plan.departments}
    who = (actor or "").strip() or names.get(origin.department, origin.department)
    tag = provenance(file, fingerprint, force)
    diff = Comparison(reading, store, origin, found_cycle, who, force, tag)
    diff.tasks(tasks)
    diff.initiatives(initiatives)
    diff.kpis(kpis)
    if reading.problems:
        raise WorkbookError(in_sheet_order(reading.problems, sheets))
    return WorkbookChanges(
        file=file,
        origin=origin,
        fingerprint=fingerprint,
        actor=who,
        forced=force,
        tasks=tuple(diff.task_changes),
        submissions=tuple(diff.submission_changes),
        kpis=tuple(diff.kpi_changes),
        conflicts=tuple(diff.conflicts),
        unchanged=Unchanged(diff.seen_events, diff.seen_submissions, diff.seen_kpis),
        store=store,
    )


def in_sheet_order(
    problems: list[WorkbookProblem], sheets: Mapping[str, str]
) -> list[WorkbookProblem]:
    """``problems`` in the order a person reads the file: by sheet, row, then column."""
    order = {title: n for n, title in enumerate(sheets.values())}

    def key(p: WorkbookProblem) -> tuple[int, int, int, str]:
        if p.cell is None:
            return (order.get(p.sheet or "", -1), 1 << 30, 0, p.message)
        letters = p.cell.rstrip("0123456789")
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        return (order.get(p.sheet or "", -1), int(p.cell[len(letters) :]), column, p.message)

    return sorted(problems, key=key)


def check_origin(
    file: str,
    origin: Origin,
    store: Store,
    plan: Plan | None,
    cycle: str | None,
    department: str | None,
) -> tuple[Plan, ReviewCycle]:
    """The plan and cycle the workbook is for, after checking that it is for them."""
    problems: list[WorkbookProblem] = []

    def wrong(message: str, code: str) -> None:
        problems.append(WorkbookProblem(file, message, ORIGIN_SHEET, code=code))

    the_plan = store.plan
    if the_plan is None:
        raise PlanError(_("Importing a workbook needs the plan: open the store with the plan."))
    if plan is not None and plan.id != the_plan.id:
        raise PlanError(
            _("The store holds plan {store}, not plan {plan}.").format(
                store=the_plan.id, plan=plan.id
            )
        )
    if origin.plan != the_plan.id:
        wrong(
            _("This workbook was made for plan {found}, not for plan {plan}.").format(
                found=shown(origin.plan), plan=the_plan.id
            ),
            "other-plan",
        )
    cycles = store.reviews.cycles()  # computed once per store, as the checks of records use them
    found_cycle: ReviewCycle | None = None
    try:
        found_cycle = find_cycle(cycles, origin.cycle)
    except PlanError:
        wrong(
            _("This workbook was made for the review cycle {found}, which the plan does not "
              "have.").format(found=shown(origin.cycle)),
            "other-cycle",
        )  # fmt: skip
    if cycle is not None and found_cycle is not None:
        expected = find_cycle(cycles, cycle)
        if expected.code != found_cycle.code:
            wrong(
                _("This workbook is for {found}, not for {expected}.").format(
                    found=found_cycle.label(), expected=expected.label()
                ),
                "other-cycle",
            )
    names = {d.id: d.name for d in the_plan.departments}
    if origin.department not in names:
        wrong(
            _("This workbook was made for the department {found}, which the plan does not "
              "have.").format(found=shown(origin.department)),
            "other-department",
        )  # fmt: skip
    if department is not None and department != origin.department:
        wrong(
            _("This workbook is from {found}, not from {expected}.").format(
                found=names.get(origin.department, shown(origin.department)),
                expected=names.get(department, department),
            ),
            "other-department",
        )
    if problems or found_cycle is None:
        raise WorkbookError(problems)
    return the_plan, found_cycle


def _sheet(
    reading: Reading, book: Any, sheets: Mapping[str, str], key: str, needed: bool
) -> tuple[Any, str] | None:
    title = sheets.get(key)
    if title is None:
        if needed:
            reading.problem(
                _("The sheet {sheet} is missing. Fill in the workbook as it was sent.").format(
                    sheet=sheet_name(key, reading.lang)
                ),
                "missing-sheet",
            )
        return None
    return book[title], title


Readers = dict[str, Callable[[Any, str | None], Any]]
"""How each input column of a sheet is read: ``reader(value, number_format)``."""

Rows = list[tuple[str, SheetRow, str]]
"""The rows of a sheet: ``(key, row, sheet title)``."""

_Opened = tuple[Any, Mapping[str, str]]  # the workbook, and its sheets' titles by key
_Table = tuple[SheetLayout, Readers, Mapping[str, object]]  # layout, readers, exported rows


def _read_table(reading: Reading, opened: _Opened, table: _Table) -> Rows:
    """The rows of one table sheet by key, checked against the rows it was exported with."""
    book, sheets = opened
    layout, readers, exported = table
    found = _sheet(reading, book, sheets, layout.key, bool(exported))
    if found is None:
        return []
    worksheet, title = found
    key_column = "ref" if layout.key == "tasks" else "id"
    limit = len(exported) + _EXTRA_ROWS
    rows = read_sheet(reading, worksheet, title, layout, key_column, readers, limit)
    if rows is None:
        return []
    by_key = check_rows(reading, title, layout, key_column, rows, exported)
    return [(key, row, title) for key, row in by_key.items()]


def _tables(reading: Reading, origin: Origin, epoch: datetime) -> list[_Table]:
    """The task, initiative and KPI sheets, each with how its inputs are read."""

    def text(value: Any, _format: str | None) -> str | None:
        return cells.read_text(value)

    scale = reading.plan.review_policy.ratings
    task_readers: Readers = {
        "status": lambda v, _f: cells.read_status(v),
        "progress": cells.read_percent,
        "started": lambda v, _f: cells.read_date(v, epoch),
        "finished": lambda v, _f: cells.read_date(v, epoch),
        "note": text,
    }
    initiative_readers: Readers = {
        "rating": lambda v, _f: cells.read_rating(v, scale),
        **dict.fromkeys(("achievements", "issues", "next_steps"), text),
    }
    kpi_readers: Readers = {"actual": cells.read_measured, "source": text}
    return [
        (TASKS, task_readers, origin.tasks),
        (INITIATIVES, initiative_readers, origin.initiatives),
        (table_layout("kpis", reading.plan), kpi_readers, origin.kpis),
    ]
