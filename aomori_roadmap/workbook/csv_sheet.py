"""A department's task sheet as CSV, out and back: the xlsx round trip for offices that use CSV.

:func:`department_csv` writes the task sheet (工程) of a department's workbook as CSV, and
:func:`read_department_csv` reads it back filled in, with the same checks, the same messages
and the same rules as :func:`~aomori_roadmap.workbook.read.read_department_workbook`: the
rows are read and compared by the reader's own code (:mod:`.read`, :mod:`.compare`).

**The file** is UTF-8 with a BOM (what Excel on Japanese Windows opens without mojibake),
lines ended by CRLF, fields quoted only where needed:

- Line 1 says what the file was made from, one fact a cell, ``key=value`` so that Excel
  never turns a value into a date or a number: ``aomori_roadmap:department-csv:1``,
  ``plan=…``, ``revision=…`` (empty: none stored), ``cycle=FY2025-H1``, ``department=…``,
  ``as_of=2025-09-30``, ``lang=ja``, ``fingerprint=sha256:…``, then a line for people (do
  not change this line or the last column; save as CSV UTF-8).
- Line 2 is the header: the task sheet's headings (:data:`~.layout.TASKS`, in the file's
  language), then ``Exported values (do not edit)``.
- One line per task, as the xlsx task sheet has them: dates 西暦 ``YYYY-MM-DD``, plain
  values. The last cell of each line holds the row's input values as exported and the event
  that set them, as a JSON array ``[status, progress, start, finish, note, event, check]``;
  ``check`` is the first 12 hex digits of the sha256 of the ref and the values, so that an
  edited cell is found where it is. Characters that Shift_JIS cannot hold are written
  ``\\uXXXX`` there, so that the cell survives a file saved back in Shift_JIS unchanged.
- The fingerprint is :meth:`Origin.fingerprint` of the tasks' origin (no initiative or KPI
  rows): the importer rebuilds the origin from the last column and line 1 and compares.

**No formulas:** a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (or with apostrophes before one of those) is written with an apostrophe in front, so
that Excel shows it as text (OWASP's advice against CSV injection); the reader takes one
apostrophe off such a cell, whether Excel kept it or not.

**Reading.** UTF-8 with or without a BOM, and Shift_JIS (cp932, what Excel writes for
「CSV (コンマ区切り)」) are read; anything else (UTF-16, other encodings, a binary file) is one
problem at the line where reading stops, saying to save as CSV UTF-8. Excel's changes are read
as meant: dates rewritten (``2025/10/1``, ``R7.10.1``), numbers as text, full-width digits,
``40%``, every field quoted, trailing empty columns, rows in another order (they are matched
by ref), blank lines. In a Shift_JIS file a note that lost the characters Shift_JIS has not
(Excel writes ``?`` or a look-alike) counts as left as it was. Read-only columns (names,
planned dates, current state) are not read.

**Where problems are.** As in a workbook, ``FILE:Sheet!C12``: the sheet is the task sheet's
name in the file's language (工程, ``Tasks``), as the CSV holds that sheet alone; the cell is
where Excel shows it (the line of the file counting a blank line, a quoted line break staying
in its cell; the column by its letter). So line 1 holds the facts (a CSV for another
department is refused at ``工程!E1``), the header is row 2, the first task row 3. Codes are
the workbook's, and ``bad-encoding`` (not UTF-8 or Shift_JIS), ``origin-edited`` (line 1 or a
``do not edit`` cell changed) and ``not-ours`` (no line 1 of ours).

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 9, 30))
>>> data = department_csv(snap, "R7上期", "kikikanri", lang="en")
>>> data[:3] == b"\\xef\\xbb\\xbf", data.count(b"\\r\\n") == data.count(b"\\n")
(True, True)
>>> print(data.decode("utf-8-sig").splitlines()[1])  # doctest: +ELLIPSIS
Ref,Initiative,Task,Planned start,...,Note,Exported values (do not edit)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Unpack

from aomori_roadmap.engine.reviews import ReviewCycle
from aomori_roadmap.engine.status import Status
from aomori_roadmap.errors import check_language, shown
from aomori_roadmap.i18n import LANGUAGES, NC_, _, using_language
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store.store import Unchanged
from aomori_roadmap.workbook.cells import read_date, read_percent, read_status, read_text
from aomori_roadmap.workbook.changes import (
    WorkbookChanges,
    WorkbookError,
    WorkbookProblem,
    column_letter,
    provenance,
)
from aomori_roadmap.workbook.compare import Comparison, Reading, SheetRow
from aomori_roadmap.workbook.layout import (
    TASKS,
    Column,
    Origin,
    SheetLayout,
    TaskOrigin,
    sheet_name,
)
from aomori_roadmap.workbook.read import (
    DEFAULT_MAX_BYTES,
    ReadOptions,
    check_origin,
    check_rows,
    in_sheet_order,
    read_sheet,
    source_bytes,
)

if TYPE_CHECKING:
    from aomori_roadmap.store.store import Store
    from aomori_roadmap.views.snapshot import Snapshot
    from aomori_roadmap.workbook.out import CycleRef, DepartmentBook

__all__ = [
    "CSV_FORMAT",
    "CSV_VERSION",
    "ORIGIN_COLUMN",
    "book_csv",
    "csv_file_name",
    "department_csv",
    "read_department_csv",
]

#: What the first cell of a department CSV names (after ``aomori_roadmap:``).
CSV_FORMAT = "department-csv"
#: The version of the CSV layout (the first cell ends with it).
CSV_VERSION = 1
_MARKER = f"aomori_roadmap:{CSV_FORMAT}:{CSV_VERSION}"
_MARKER_PREFIX = f"aomori_roadmap:{CSV_FORMAT}:"

_ORIGIN_HEADER = NC_("workbook column", "Exported values (do not edit)")
#: The last column: each row's input values as exported, and the event that set them.
ORIGIN_COLUMN = Column("origin", _ORIGIN_HEADER[1], 40, False, "text")
#: The task sheet as a CSV holds it: the workbook's columns, then the origin column. The header
#: is found where it is (line 2 unless blank lines came before): see :func:`_layout_at`.
_LAYOUT = SheetLayout("tasks", 2, 3, (*TASKS.columns, ORIGIN_COLUMN))

# The facts of line 1, in the order written (columns B to H).
_FACTS = ("plan", "revision", "cycle", "department", "as_of", "lang", "fingerprint")
_FACT = re.compile(r"(?P<key>[a-z_]+)=(?P<value>.*)", re.DOTALL)
_FINGERPRINT = re.compile(r"sha256:(?P<hex>[0-9a-f]{64})")
_CHECK_DIGITS = 12

# A cell Excel would take for a formula (or a DDE command): written with an apostrophe.
_FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# --- writing ------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """``text`` as a cell Excel shows as text: an apostrophe before a formula-like start.

    >>> _escape("=1+1"), _escape("'=x"), _escape("'ok"), _escape("着手")
    ("'=1+1", "''=x", "'ok", '着手')
    """
    return f"'{text}" if _FORMULA_LIKE.match(text) else text


def _unescape(text: str) -> str:
    """The text written by :func:`_escape` (one apostrophe off a formula-like cell).

    >>> _unescape("'=1+1"), _unescape("''=x"), _unescape("'ok")
    ('=1+1', "'=x", "'ok")
    """
    return text[1:] if _ESCAPED.match(text) else text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _escape(value)
    return str(value)


@cache
def _survives_cp932(char: str) -> bool:
    """Whether ``char`` comes back unchanged from a file saved in Shift_JIS (cp932)."""
    try:
        return char.encode("cp932").decode("cp932") == char
    except UnicodeError:
        return False


def _cp932_safe(text: str) -> str:
    """JSON ``text`` with every character Shift_JIS cannot hold written as ``\\uXXXX``."""
    return "".join(c if c.isascii() or _survives_cp932(c) else json.dumps(c)[1:-1] for c in text)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _origin_values(task: TaskOrigin) -> list[object]:
    return [task.status, task.progress, _iso(task.started), _iso(task.finished), task.note,
            task.event]  # fmt: skip


def _check(ref: str, values: Sequence[object]) -> str:
    text = json.dumps([ref, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_CHECK_DIGITS]


def _origin_cell(ref: str, task: TaskOrigin) -> str:
    """The last cell of a task's row (see the module docstring).

    >>> _origin_cell("a/t", TaskOrigin("in_progress", 20, date(2025, 4, 7), None, "着手〜", 7))
    '["in_progress",20,"2025-04-07",null,"着手\\\\u301c",7,"..."]'
    """
    values = _origin_values(task)
    text = json.dumps([*values, _check(ref, values)], ensure_ascii=False, separators=(",", ":"))
    return _cp932_safe(text)


def _first_line(origin: Origin, inputs: Sequence[str]) -> list[str]:
    revision = "" if origin.revision is None else str(origin.revision)
    return [
        _MARKER,
        f"plan={origin.plan}",
        f"revision={revision}",
        f"cycle={origin.cycle}",
        f"department={origin.department}",
        f"as_of={origin.as_of.isoformat()}",
        f"lang={origin.lang}",
        f"fingerprint=sha256:{origin.fingerprint()}",
        _escape(
            _(
                "Do not change this line or the last column. Fill in {columns}, and save the "
                "file as CSV UTF-8."
            ).format(columns=", ".join(inputs))
        ),
    ]


def department_csv(
    snapshot: Snapshot,
    cycle: CycleRef,
    department: str,
    *,
    store: Store | None = None,
    lang: str = "ja",
) -> bytes:
    """The task sheet of ``department``'s workbook for ``cycle``, as CSV bytes (UTF-8, BOM).

    The rows, their values and their origin are those of
    :func:`~aomori_roadmap.workbook.out.department_workbook`'s task sheet for the same
    arguments; the same snapshot gives the same bytes.

    Args:
        snapshot: the plan as of the snapshot date; its states pre-fill the input columns.
        cycle: a review cycle of the plan, or its name (``R7上期``, ``FY2025-H1`` …).
        department: the id of a department of the plan.
        store: where the plan's revision is read (none: no revision).
        lang: the language of the headings and labels (``ja``, ``en``).

    Raises:
        PlanError: an unknown department, cycle or language.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> snap = take_snapshot(default_plan(), as_of=date(2025, 9, 30))
    >>> lines = department_csv(snap, "FY2025-H1", "kikikanri").decode("utf-8-sig").splitlines()
    >>> lines[0].split(",")[:4]
    ['aomori_roadmap:department-csv:1', 'plan=aomori-dx-2024-2028', 'revision=', 'cycle=FY2025-H1']
    >>> lines[2].split(",")[0]
    'bousai-dx-alerts/study'
    """
    from aomori_roadmap.workbook.out import department_book

    check_language(lang)
    return book_csv(department_book(snapshot, cycle, department, store=store, lang=lang))


def book_csv(book: DepartmentBook) -> bytes:
    """The task sheet of a department's workbook being made, as CSV bytes (UTF-8, BOM)."""
    with using_language(book.lang):
        rows: list[list[str]] = []
        tasks: dict[str, TaskOrigin] = {}
        for fixed, inputs, exported, ref in book.task_rows():
            rows.append([*(_cell(v) for v in fixed), *(_cell(v) for v in inputs),
                         _origin_cell(ref, exported)])  # fmt: skip
            tasks[ref] = exported
        origin = Origin(
            book.plan.id, book.facts.revision, book.cycle.code, book.department.id,
            book.snapshot.as_of, book.lang, tasks,
        )  # fmt: skip
        headings = [c.heading() for c in _LAYOUT.columns]
        first = _first_line(origin, [c.heading() for c in TASKS.inputs()])
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(first)
    writer.writerow([_escape(h) for h in headings])
    writer.writerows(rows)
    return _BOM + out.getvalue().encode("utf-8")


def csv_file_name(plan: Plan, cycle: ReviewCycle | str, department: str, lang: str = "ja") -> str:
    """The file name of a department's task CSV: the workbook's name, ending in ``.csv``.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> csv_file_name(default_plan(), "R7上期", "kikikanri", "en")
    'FY2025-H1_progress_kikikanri.csv'
    """
    from aomori_roadmap.workbook.out import workbook_file_name

    name = workbook_file_name(plan, cycle, department, lang)
    return f"{name.removesuffix('.xlsx')}.csv"


# --- reading: the file --------------------------------------------------------------------------


def _layout_at(header_row: int) -> SheetLayout:
    return replace(_LAYOUT, header_row=header_row, first_data_row=header_row + 1)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes) -> tuple[str, str] | int:
    """``(text, encoding)`` of a CSV file, or the line where it stops being readable text."""
    if data.startswith(_UTF16_BOMS):
        return 1
    nul = data.find(b"\0")  # UTF-16 without its BOM, or a binary file
    if nul >= 0:
        return _line_of(data, nul)
    if data.startswith(_BOM):
        try:
            return data[len(_BOM) :].decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            return _line_of(data, error.start + len(_BOM))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        as_utf8 = error.start
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as error:
        return _line_of(data, max(as_utf8, error.start))


def _encoding_problem(file: str, title: str, line: int) -> WorkbookProblem:
    message = _(
        "This file is not a CSV file in UTF-8 or Shift_JIS (it may be UTF-16, in another "
        "encoding, or not text at all). Open it in Excel, save it as “CSV UTF-8 (Comma "
        "delimited) (*.csv)” and send it again."
    )
    return WorkbookProblem(file, message, title, f"A{line}", "bad-encoding")


def _records(text: str, file: str, title: str) -> list[list[str | None]]:
    """The records of the file as Excel shows its rows: cells unescaped, empty ones ``None``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str | None]] = []
    try:
        for record in reader:
            records.append([_unescape(v) if v else None for v in record])
    except csv.Error as error:
        message = _("The CSV file cannot be read ({detail}). Save it again as CSV UTF-8.")
        problem = WorkbookProblem(
            file, message.format(detail=shown(error)), title, f"A{len(records) + 1}", "damaged"
        )
        raise WorkbookError([problem]) from error
    return records


@dataclass(frozen=True, slots=True)
class _CsvCell:
    """A cell as :func:`~aomori_roadmap.workbook.read.read_sheet` reads it."""

    value: str | None
    number_format: str | None = None


class _CsvSheet:
    """The records of a CSV file as the rows of a worksheet, for the workbook's reader."""

    def __init__(self, records: Sequence[Sequence[str | None]]) -> None:
        self.records = records

    def reset_dimensions(self) -> None:
        """Nothing to reset: every record is read."""

    def iter_rows(self, min_row: int, max_col: int) -> Iterator[tuple[_CsvCell, ...]]:
        for record in self.records[min_row - 1 :]:
            yield tuple(_CsvCell(v) for v in record[:max_col])


def _filled(record: Sequence[str | None]) -> bool:
    return any(v is not None and v.strip() for v in record)


# --- reading: line 1 ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Head:
    """Line 1 read: the origin's facts (no rows yet), the stated fingerprint, each fact's cell."""

    row: int
    origin: Origin
    fingerprint: str
    cells: Mapping[str, str]


def _not_ours(file: str, title: str, row: int) -> WorkbookError:
    message = _(
        "This is not a department CSV file of aomori_roadmap: its first line must start with "
        "{marker}. Send the CSV file as it was made."
    ).format(marker=_MARKER)
    return WorkbookError([WorkbookProblem(file, message, title, f"A{row}", "not-ours")])


def _edited_fact(file: str, title: str, cell: str, fact: str) -> WorkbookProblem:
    message = _(
        "The first line must hold {fact}=… as it was made: it is missing or was changed. Copy "
        "the first line back from the CSV file as it was sent."
    ).format(fact=fact)
    return WorkbookProblem(file, message, title, cell, "origin-edited")


def _head(records: Sequence[Sequence[str | None]], file: str) -> _Head:
    """Line 1 (the first line that is not blank): what the file was made from."""
    title = sheet_name("tasks")
    number = next((n for n, r in enumerate(records, 1) if _filled(r)), None)
    if number is None:
        raise _not_ours(file, title, 1)
    cells = records[number - 1]
    marker = (cells[0] or "").strip()
    if marker != _MARKER:
        if not marker.startswith(_MARKER_PREFIX):
            raise _not_ours(file, title, number)
        message = _(
            "This CSV file is of format version {found}; this program reads version {version}. "
            "Ask the plan office for a new CSV file."
        ).format(found=shown(marker.removeprefix(_MARKER_PREFIX)), version=CSV_VERSION)
        raise WorkbookError([WorkbookProblem(file, message, title, f"A{number}", "not-ours")])
    found: dict[str, tuple[str, str]] = {}
    repeated: list[str] = []
    for at, value in enumerate(cells[1:], 2):
        match = _FACT.fullmatch((value or "").strip())
        if match is None or match["key"] not in _FACTS:
            continue
        if match["key"] in found:
            repeated.append(match["key"])
        found[match["key"]] = (match["value"], f"{column_letter(at)}{number}")
    fact_cells = {
        key: found[key][1] if key in found else f"{column_letter(n)}{number}"
        for n, key in enumerate(_FACTS, 2)
    }
    values = {key: value for key, (value, _where) in found.items()}
    lang = values.get("lang", "")
    if lang in LANGUAGES:
        title = sheet_name("tasks", lang)
    bad = [key for key in _FACTS if key in repeated or not _fact_ok(key, values.get(key))]
    if bad:
        raise WorkbookError([_edited_fact(file, title, fact_cells[key], key) for key in bad])
    revision = values["revision"]
    origin = Origin(
        plan=values["plan"],
        revision=int(revision) if revision else None,
        cycle=values["cycle"],
        department=values["department"],
        as_of=date.fromisoformat(values["as_of"]),
        lang=lang,
    )
    return _Head(number, origin, values["fingerprint"].removeprefix("sha256:"), fact_cells)


def _fact_ok(key: str, value: str | None) -> bool:
    if value is None:
        return False
    if key == "revision":
        return value == "" or (value.isascii() and value.isdigit())
    if key == "as_of":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if key == "lang":
        return value in LANGUAGES
    if key == "fingerprint":
        return _FINGERPRINT.fullmatch(value) is not None
    return bool(value)


# --- reading: the rows --------------------------------------------------------------------------


def _task_origin(ref: str, cell: str) -> TaskOrigin | None:
    """The task's origin from its last cell, or ``None`` when the cell was changed."""
    try:
        found = json.loads(cell)
    except ValueError:
        return None
    if not isinstance(found, list) or len(found) != 7:
        return None
    status, progress, started, finished, note, event, check = found
    if check != _check(ref, found[:6]):
        return None
    try:
        Status(status)
        task = TaskOrigin(
            status,
            progress,
            None if started is None else date.fromisoformat(started),
            None if finished is None else date.fromisoformat(finished),
            note,
            event,
        )
    except (TypeError, ValueError):
        return None
    kinds_ok = (
        isinstance(progress, int) and not isinstance(progress, bool) and isinstance(note, str)
        and (event is None or (isinstance(event, int) and not isinstance(event, bool)))
    )  # fmt: skip
    return task if kinds_ok else None


def _expected_refs(plan: Plan, cycle: ReviewCycle, department: str) -> list[str]:
    """The refs a CSV of ``department`` for ``cycle`` has, as the plan is now."""
    covered = set(cycle.initiatives)
    return [
        f"{initiative.id}/{task.id}"
        for initiative in plan.initiatives
        if initiative.department == department and initiative.id in covered
        for task in initiative.tasks
    ]


def _lost_in_cp932(written: str, exported: str) -> bool:
    """Whether ``written`` is ``exported`` as Excel saves it in Shift_JIS: the characters
    Shift_JIS has not each replaced by one other (``?`` or a look-alike)."""
    if len(written) != len(exported):
        return False
    return all(w == e or not _survives_cp932(e) for w, e in zip(written, exported, strict=True))


def _origin_problem(reading: Reading, title: str, row: SheetRow, key: str) -> None:
    """The ref (``key`` ``ref``) or the origin cell (``origin``) of ``row`` was changed."""
    message = _(
        "The ref or the exported values of this row were changed: the columns {ref} and "
        "{origin} must stay as they were made. Copy the row back from the CSV file as it was "
        "sent."
    ).format(ref=TASKS.column("ref").heading(), origin=ORIGIN_COLUMN.heading())
    cell = f"{column_letter(_LAYOUT.index(key))}{row.number}"
    reading.problem(message, "origin-edited", title, cell)


_SEARCHED = 100  # the most refs tried for a changed ref: each try is a sha256


def _exported_ref(cell: str, refs: Sequence[str]) -> str | None:
    """The ref among ``refs`` that an unchanged origin ``cell`` was made for, if any."""
    if len(refs) > _SEARCHED:
        return None
    return next((ref for ref in refs if _task_origin(ref, cell) is not None), None)


def _readers() -> dict[str, Any]:
    """The cells read, by column key, as the workbook's task sheet reads them."""
    return {
        "status": lambda v, _f: read_status(v),
        "progress": read_percent,
        "started": lambda v, _f: read_date(v),
        "finished": lambda v, _f: read_date(v),
        "note": lambda v, _f: read_text(v),
        "origin": lambda v, _f: v,
    }


@dataclass(slots=True)
class _Rows:
    """The task rows matched with their origin."""

    checked: list[SheetRow]  # the rows the workbook's row check sees
    origins: dict[str, TaskOrigin]  # by ref, the origins read from the last column
    exported: list[str]  # the refs a row was exported for, in row order
    edited: bool  # some origin cell was changed
    refs: set[str]  # every ref written in a row


def _match_origins(
    reading: Reading, title: str, rows: list[SheetRow], expected: Sequence[str]
) -> _Rows:
    found = _Rows([], {}, [], False, set())
    known = set(expected)
    written = {row.key for row in rows if row.key is not None}
    missing = [ref for ref in expected if ref not in written]  # what a changed ref was
    for row in rows:
        cell = row.values.pop("origin", None)
        if row.key is not None:
            found.refs.add(row.key)
        if cell is None and (row.key is None or row.key not in known):
            found.checked.append(row)  # a row added: the workbook's check says so
            continue
        task = None if cell is None or row.key is None else _task_origin(row.key, cell)
        if task is None or row.key is None:
            # A ref changed under its origin cell is found at the ref, and not taken as deleted.
            was = None if cell is None else _exported_ref(cell, missing)
            if was is not None:
                found.refs.add(was)
            _origin_problem(reading, title, row, "origin" if was is None else "ref")
            found.edited = True
            continue
        if row.key not in found.origins:
            found.origins[row.key] = task
            found.exported.append(row.key)
        found.checked.append(row)
    return found


def _keep_lost_notes(rows: Mapping[str, SheetRow], origins: Mapping[str, TaskOrigin]) -> None:
    """Notes that only lost characters to Shift_JIS are left as exported."""
    for ref, row in rows.items():
        written, exported = row.values.get("note"), read_text(origins[ref].note)
        if written and exported and written != exported and _lost_in_cp932(written, exported):
            row.values["note"] = exported


def _known_headings() -> set[str]:
    return {c.heading(lang) for c in _LAYOUT.columns for lang in LANGUAGES}


# --- the import ---------------------------------------------------------------------------------


def read_department_csv(
    source: Path | str | bytes | IO[bytes], store: Store, **options: Unpack[ReadOptions]
) -> WorkbookChanges:
    """Read and check a filled task CSV against ``store``; write nothing.

    The arguments, the result and the errors are those of
    :func:`~aomori_roadmap.workbook.read.read_department_workbook` (``source`` is the CSV
    file), and so are the checks, messages and rules of its task sheet.

    A file in another encoding is refused where the reading stops:

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.store import Store
    >>> with Store("sqlite://", plan=default_plan()) as store:
    ...     read_department_csv("参照,取組\\r\\n".encode("utf-16"), store, name="r7.csv")
    Traceback (most recent call last):
    ...
    aomori_roadmap.workbook.changes.WorkbookError: ...
      r7.csv:工程!A1: ...
    """
    unknown = sorted(set(options) - ReadOptions.__optional_keys__)
    if unknown:  # a caller's mistake, as an unknown keyword argument would be
        raise TypeError(f"read_department_csv() got unexpected options: {', '.join(unknown)}")
    file = options.get("name") or (
        Path(source).name if isinstance(source, str | Path) else "tasks.csv"
    )
    data, problems = source_bytes(source, file, options.get("max_bytes", DEFAULT_MAX_BYTES))
    if data is None:
        raise WorkbookError(problems)
    decoded = _decode(data)
    if isinstance(decoded, int):
        raise WorkbookError([_encoding_problem(file, sheet_name("tasks"), decoded)])
    text, encoding = decoded
    records = _records(text, file, sheet_name("tasks"))
    head = _head(records, file)
    title = sheet_name("tasks", head.origin.lang)
    try:
        the_plan, found_cycle = check_origin(
            file,
            head.origin,
            store,
            options.get("plan"),
            options.get("cycle"),
            options.get("department"),
        )
    except WorkbookError as error:
        cell_of = {"other-plan": "plan", "other-cycle": "cycle", "other-department": "department"}
        raise WorkbookError([
            replace(p, sheet=title, cell=head.cells[cell_of.get(p.code, "fingerprint")])
            for p in error.problems
        ]) from None  # fmt: skip
    header_row = next(
        (n for n, r in enumerate(records[head.row :], head.row + 1) if _filled(r)), head.row + 1
    )
    header = records[header_row - 1] if header_row <= len(records) else []
    if encoding == "cp932" and not _known_headings() & set(header):
        # Not one heading came out right: some other Japanese encoding read as Shift_JIS.
        raise WorkbookError([_encoding_problem(file, title, header_row)])
    return _compare(
        Reading(file, the_plan, head.origin.lang), store, head, title, found_cycle,
        _CsvSheet(records), header_row, encoding, options.get("actor"), options.get("force", False),
    )  # fmt: skip


def _compare(
    reading: Reading,
    store: Store,
    head: _Head,
    title: str,
    cycle: ReviewCycle,
    sheet: _CsvSheet,
    header_row: int,
    encoding: str,
    actor: str | None,
    force: bool,
) -> WorkbookChanges:
    """The rows read and compared as the workbook's task sheet is (:mod:`.read`)."""
    layout = _layout_at(header_row)
    rows = read_sheet(reading, sheet, title, layout, "ref", _readers())
    plan, department = reading.plan, head.origin.department
    expected = _expected_refs(plan, cycle, department)
    found = _match_origins(reading, title, rows or [], expected)
    origin = replace(head.origin, tasks=found.origins)
    if rows is not None and origin.fingerprint() != head.fingerprint:
        missing = [ref for ref in expected if ref not in found.refs]
        found.exported += missing  # the row check names them as deleted
        if not missing and not found.edited:
            message = _(
                "The first line or the last column was changed (the fingerprint does not "
                "match). Send the CSV file as it was made, with only the input columns filled in."
            )
            reading.problem(message, "origin-edited", title, head.cells["fingerprint"])
    by_key = check_rows(reading, title, layout, "ref", found.checked, found.exported)
    tasks = {ref: row for ref, row in by_key.items() if ref in found.origins}
    if encoding == "cp932":
        _keep_lost_notes(tasks, found.origins)
    names = {d.id: d.name for d in plan.departments}
    who = (actor or "").strip() or names.get(department, department)
    fingerprint = head.fingerprint
    diff = Comparison(
        reading, store, origin, cycle, who, force, provenance(reading.file, fingerprint, force)
    )
    diff.tasks([(ref, row, title) for ref, row in tasks.items()])
    if reading.problems:
        raise WorkbookError(in_sheet_order(reading.problems, {"tasks": title}))
    return WorkbookChanges(
        file=reading.file,
        origin=origin,
        fingerprint=fingerprint,
        actor=who,
        forced=force,
        tasks=tuple(diff.task_changes),
        submissions=(),
        kpis=(),
        conflicts=tuple(diff.conflicts),
        unchanged=Unchanged(diff.seen_events, {}, {}),
        store=store,
    )
