"""A department's half-year progress workbook (進捗管理シート), written for it to fill in.

:func:`department_workbook` writes one department's workbook for one review cycle;
:func:`department_workbooks` writes every department's, each with its file name
(:func:`workbook_file_name`). The sheets, rows and columns are those of :mod:`.layout`:

1. **Cover** (表紙): plan, cycle, department, snapshot date and submission deadline (西暦 and
   和暦), how to fill it in, and the lists the drop-downs offer.
2. **Tasks** (工程): one row per task of the department's initiatives that the cycle covers,
   planned and baseline dates, the current state, and the cells to fill: status (drop-down),
   progress (whole number 0–100), actual start and finish (dates inside the plan), note.
3. **Initiatives** (取組評価): self-assessment (drop-down of the plan's rating scale), 成果,
   課題, 今後の取組, pre-filled with the department's last submission for the cycle.
4. **KPI**: the department's KPIs (its own and those of its initiatives): baseline, target,
   the recorded actual of each fiscal year, and the cells for this year's actual and source.
5. **_origin**: very hidden and protected, the :class:`~.layout.Origin` record as rows.

Input cells are pre-filled with the current values, unlocked, yellow and validated; every
other cell is locked and every sheet protected without a password. Headers are frozen and
repeated on each printed page (A4 landscape, one page wide). The document's custom
properties name the format, its version, plan, cycle, department and the origin's fingerprint.

Text from the plan or the store is always written as plain text: control characters are
dropped and a text starting with ``=`` stays text, never a formula.

**Mode:** openpyxl's *write-only* mode (``Workbook(write_only=True)``) for every sheet: rows
are streamed to the file as they are made, so that a plan of 100,000 tasks needs no sheet in
memory. On the task sheet read-only values go in as plain values, input cells reuse a few
styled cells and an empty input cell is not written at all: its column is unlocked and one
conditional format boxes the input cells of the data rows in yellow (the benchmark
``tests/benchmarks/bench_workbook_out.py`` measures about 1.4× openpyxl write-only writing
the same values). The bytes are saved with :func:`aomori_roadmap.export.excel.save_workbook`:
the same snapshot gives the same bytes.

>>> from datetime import date
>>> from io import BytesIO
>>> from openpyxl import load_workbook
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 9, 30))
>>> book = load_workbook(BytesIO(department_workbook(snap, "R7上期", "kikikanri", lang="en")))
>>> book.sheetnames
['Cover', 'Tasks', 'Initiatives', 'KPI', '_origin']
>>> book["Tasks"]["A5"].value, book["_origin"].sheet_state
('bousai-dx-alerts/study', 'veryHidden')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.formatting.rule import Rule
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from aomori_roadmap.calendar import fiscal_year_era, format_wareki, wareki
from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.engine.reviews import ReviewCycle, find_cycle
from aomori_roadmap.engine.status import Status
from aomori_roadmap.errors import PlanError, check_language, shown
from aomori_roadmap.export.excel import save_workbook
from aomori_roadmap.export.svg import clean
from aomori_roadmap.i18n import _, pgettext, using_language
from aomori_roadmap.plan.model import Department, Initiative, Kpi, Plan
from aomori_roadmap.views.gantt import short_half_label
from aomori_roadmap.views.snapshot import Snapshot
from aomori_roadmap.workbook.layout import (
    COVER,
    DOCUMENT_FORMAT,
    FORMAT_VERSION,
    INITIATIVES,
    SHEET_KEYS,
    TASKS,
    Column,
    InitiativeOrigin,
    KpiOrigin,
    Origin,
    SheetLayout,
    TaskOrigin,
    department_kpis,
    kpi_layout,
    plan_years,
    rating_choice,
    sheet_name,
)

if TYPE_CHECKING:
    from aomori_roadmap.store import Store
    from aomori_roadmap.store.review_log import KpiActual, ReviewRecord

__all__ = [
    "CycleRef",
    "DepartmentBook",
    "department_book",
    "department_books",
    "department_workbook",
    "department_workbooks",
    "workbook_file_name",
]

# A review cycle of the plan, or its name as people write it (R7上期, FY2025-H1).
CycleRef = ReviewCycle | str

# --- cells ---------------------------------------------------------------------------------

_CELL_LIMIT = 32_767  # the most characters a cell holds
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's (1900) date serial numbers
_DATE_FORMAT = "yyyy-mm-dd"

_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_INPUT_MARK = PatternFill("solid", bgColor="FFF2CC")  # a conditional format's fill: its bgColor
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
# A named font: without one LibreOffice shows bold text in a serif face.
_FONT_NAME = "Calibri"
_FONT = Font(name=_FONT_NAME, size=11)
_TITLE_FONT = Font(name=_FONT_NAME, bold=True, size=14)
_BOLD = Font(name=_FONT_NAME, bold=True, size=11)

_LINE_BREAKS = re.compile(r"\r\n?")


def _one_line(value: object) -> str:
    """Read-only text as one printable line, cut to what a cell holds."""
    return clean(value)[:_CELL_LIMIT]


def _lines(value: object) -> str:
    """Input text as the department will edit it: its line breaks kept, nothing unprintable."""
    text = _LINE_BREAKS.sub("\n", str(value))
    return "\n".join(clean(line) for line in text.split("\n"))[:_CELL_LIMIT]


def _safe(text: str) -> bool:
    """Whether openpyxl keeps ``text`` as text (not a formula, not an error code)."""
    return not (text.startswith("=") and len(text) > 1) and text not in ERROR_CODES


def _set_text(cell: Cell, text: str | None) -> None:
    """Put ``text`` in ``cell`` as plain text: never a formula or an error value."""
    cell.value = text or None
    if text:
        cell.data_type = "s"


def _text_cell(ws: Worksheet, text: str) -> str | Cell:
    """``text`` to append as it is when openpyxl keeps it text, else in a plain-text cell."""
    if _safe(text):
        return text
    cell = _Cell(ws, 1, 1)
    _set_text(cell, text)
    return cell


def _styled(
    ws: Worksheet,
    value: Any = None,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    border: Border | None = None,
    protection: Protection | None = None,
) -> Cell:
    cell = _Cell(ws, 1, 1)
    if isinstance(value, str):
        _set_text(cell, value)
    else:
        cell.value = value
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if protection is not None:
        cell.protection = protection
    return cell


class _Cell(Cell):
    """A cell handed to a write-only sheet's ``append``.

    openpyxl first tries a given cell as a value, formats it into the message of an
    exception it then drops, and writes the cell itself: a short ``repr`` keeps that cheap.
    Its row and column are set by the sheet when it is written (``_Cell(ws, 1, 1)``).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<cell>"


class _Cells:
    """One reusable styled cell per column: set the values of a row, append the cells.

    Input columns are unlocked, yellow and boxed; read-only ones boxed and locked. Text
    wraps, everything sits at the top of its cell. ``sparse``: an empty value is left out
    of the row, so that the cell takes the style of its column (see :func:`_input_columns`).
    """

    def __init__(self, ws: Worksheet, columns: Sequence[Column], *, sparse: bool = False) -> None:
        self.sparse = sparse
        self.cells: list[Cell] = []
        for column in columns:
            cell = _Cell(ws, 1, 1)
            if column.input:
                cell.protection = _UNLOCKED
                cell.fill = _INPUT_FILL
            cell.font = _FONT
            cell.border = _BOX
            cell.alignment = _WRAP if column.kind == "text" else _TOP
            if column.kind == "date":
                cell.number_format = _DATE_FORMAT
            elif column.kind == "percent":
                cell.number_format = "0"
            self.cells.append(cell)

    def fill(self, values: Sequence[Any]) -> list[Cell | None]:
        """The cells holding ``values`` (text stays text), to append before the next fill."""
        for cell, value in zip(self.cells, values, strict=True):
            if isinstance(value, str):
                _set_text(cell, value)
            else:
                cell.value = value
        if self.sparse:
            pairs = zip(self.cells, values, strict=True)
            return [None if v is None or v == "" else c for c, v in pairs]
        return list(self.cells)


# --- the words ------------------------------------------------------------------------------


def _serial(day: date) -> int:
    return (day - _EXCEL_EPOCH).days


@cache
def _short_wareki(day: date) -> str:
    """``R7.10.1``: the short wareki date offices write (Latin era initial)."""
    era, year = wareki(day)
    return f"{era.initial}{year}.{day.month}.{day.day}"


def _both(day: date) -> str:
    """A date in 西暦 and 和暦, in the language chosen now."""
    return pgettext("workbook date", "{date} ({short})").format(
        date=day.isoformat(), short=_short_wareki(day), wareki=format_wareki(day)
    )


def _span(start: date, finish: date) -> str:
    return pgettext("workbook dates", "{start} - {finish}").format(
        start=_short_wareki(start), finish=_short_wareki(finish)
    )


def _cycle_short(cycle: ReviewCycle) -> str:
    """``R7上期`` (``R7 H1`` in English): a cycle as a file name shows it."""
    era, year = fiscal_year_era(cycle.half.year)
    return f"{era.initial}{year}{short_half_label(cycle.code)}"


def _how_to() -> list[str]:
    return [
        _("Fill in the yellow cells only; the other cells are locked (no password is needed)."),
        _(
            "Tasks: choose the status from the list, enter the progress as a whole number from "
            "0 to 100, and the actual start and finish as dates such as 2025-10-01."
        ),
        _(
            "Initiatives: choose the self-assessment from the list and write the achievements, "
            "issues and next steps of this half year."
        ),
        _("KPI: enter this fiscal year's actual value and where it comes from."),
        _("Do not add, delete or move rows or sheets, and do not rename the sheets."),
        _("Save the file as .xlsx and send it back by the submission deadline."),
    ]


# --- what the sheets hold -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _StoreFacts:
    """What the store knows that the workbook shows: submissions, KPI actuals, revision."""

    revision: int | None = None
    submissions: Mapping[str, ReviewRecord] = field(default_factory=dict)
    stages: Mapping[str, str] = field(default_factory=dict)
    actuals: Mapping[str, Mapping[int, KpiActual]] = field(default_factory=dict)


def _store_facts(store: Store | None, plan: Plan, cycle: ReviewCycle) -> _StoreFacts:
    if store is None:
        return _StoreFacts()
    from aomori_roadmap.store.revisions import plan_hash

    wanted = plan_hash(plan)
    revision = next((r.id for r in reversed(store.revisions()) if r.hash == wanted), None)
    states = store.reviews.states(cycle.code)
    submissions = {
        initiative: state.submission
        for (_code, initiative), state in states.items()
        if state.submission is not None
    }
    actuals: dict[str, dict[int, KpiActual]] = {}
    for actual in store.kpis.actuals():
        actuals.setdefault(actual.kpi, {})[actual.fy] = actual
    return _StoreFacts(
        revision,
        submissions,
        {initiative: state.stage for (_code, initiative), state in states.items()},
        actuals,
    )


@dataclass(frozen=True, slots=True)
class _Index:
    """The plan looked up once for every department's workbook."""

    departments: Mapping[str, Department]
    initiatives: Mapping[str, list[Initiative]]  # by department id, in plan order
    kpis: Mapping[str, list[Kpi]]  # by department id, in plan order

    @classmethod
    def of(cls, plan: Plan) -> _Index:
        by_department: dict[str, list[Initiative]] = {}
        for initiative in plan.initiatives:
            if initiative.department is not None:
                by_department.setdefault(initiative.department, []).append(initiative)
        kpis = {d.id: department_kpis(plan, d.id) for d in plan.departments}
        return cls({d.id: d for d in plan.departments}, by_department, kpis)


def _department(index: _Index, department: str) -> Department:
    found = index.departments.get(department) if isinstance(department, str) else None
    if found is None:
        raise PlanError(
            _("There is no department '{department}' in the plan. Departments: {known}").format(
                department=shown(department),
                known=", ".join(f"{d.id} ({d.name})" for d in index.departments.values()),
            )
        )
    return found


def _cycle(cycles: Sequence[ReviewCycle], cycle: ReviewCycle | str) -> ReviewCycle:
    """The cycle named by ``cycle`` among ``cycles`` (a snapshot's cover what is under way)."""
    codes = ", ".join(c.code for c in cycles)
    text = cycle.code if isinstance(cycle, ReviewCycle) else cycle
    try:
        found = find_cycle(cycles, text) if isinstance(text, str) else None
    except PlanError:
        found = None
    if found is None:
        raise PlanError(
            _("There is no review cycle '{cycle}' in the plan. Review cycles: {codes}").format(
                cycle=shown(text), codes=codes
            )
        )
    return cycle if isinstance(cycle, ReviewCycle) else found


@dataclass(slots=True)
class DepartmentBook:
    """One department's workbook being made: its inputs, rows and origin."""

    snapshot: Snapshot
    cycle: ReviewCycle
    department: Department
    index: _Index
    facts: _StoreFacts
    lang: str
    years: list[int] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        return self.snapshot.plan

    def file_name(self) -> str:
        """The workbook's file name (see :func:`workbook_file_name`)."""
        return workbook_file_name(self.plan, self.cycle, self.department.id, self.lang)

    def workbook(self) -> bytes:
        """The workbook's xlsx bytes."""
        with using_language(self.lang):
            return _make(self)

    def origin(self) -> Origin:
        """The origin record the workbook carries (its hidden sheet) for these rows.

        >>> from datetime import date
        >>> from aomori_roadmap.plan.loader import default_plan
        >>> from aomori_roadmap.views.snapshot import take_snapshot
        >>> snap = take_snapshot(default_plan(), as_of=date(2025, 9, 30))
        >>> origin = department_book(snap, "FY2025-H1", "kikikanri").origin()
        >>> origin.cycle, origin.tasks["bousai-dx-alerts/study"].status
        ('FY2025-H1', 'planned')
        """
        with using_language(self.lang):
            return _origin_of(self)

    def initiatives(self) -> list[Initiative]:
        covered = set(self.cycle.initiatives)
        mine = self.index.initiatives.get(self.department.id, [])
        return [i for i in mine if i.id in covered]

    def task_rows(self) -> Iterator[tuple[list[Any], list[Any], TaskOrigin, str]]:
        """Per task: its read-only values, its input values, its origin and ref."""
        snap = self.snapshot
        planned, baseline = snap.planned.tasks, snap.baseline.tasks if snap.baseline else {}
        states, actuals = snap.states, snap.actuals
        labels = {s: s.label(self.lang) for s in Status}
        for initiative in self.initiatives():
            initiative_name = _one_line(initiative.name)
            for task in initiative.tasks:
                ref = f"{initiative.id}/{task.id}"
                plan_dates = planned.get(ref)
                base = baseline.get(ref)
                state = states.get(ref)
                status = state.status if state is not None else Status.PLANNED
                progress = state.progress if state is not None else 0
                note = _lines(state.note) if state is not None else ""
                actual = actuals.get(ref)
                started = actual.start if actual is not None else None
                finished = actual.finish if actual is not None else None
                fixed = [
                    ref,
                    initiative_name,
                    _one_line(task.name),
                    plan_dates.early_start if plan_dates else None,
                    plan_dates.early_finish if plan_dates else None,
                    _span(plan_dates.early_start, plan_dates.early_finish) if plan_dates else None,
                    base.early_start if base else None,
                    base.early_finish if base else None,
                    labels[status],
                    progress,
                ]
                inputs = [labels[status], progress, started, finished, note]
                origin = TaskOrigin(
                    status.value,
                    progress,
                    started,
                    finished,
                    note,
                    state.event_id if state is not None else None,
                )
                yield fixed, inputs, origin, ref

    def initiative_rows(
        self, ratings: Mapping[str, str]
    ) -> Iterator[tuple[list[Any], list[Any], InitiativeOrigin, str]]:
        from aomori_roadmap.store.review_log import state_label

        for initiative in self.initiatives():
            record = self.facts.submissions.get(initiative.id)
            stage = state_label(self.facts.stages.get(initiative.id, "not_submitted"), self.lang)
            rating = record.rating if record is not None else ""
            exported = InitiativeOrigin(
                rating,
                _lines(record.achievements) if record else "",
                _lines(record.issues) if record else "",
                _lines(record.next_steps) if record else "",
                record.id if record is not None else None,
            )
            fixed = [initiative.id, _one_line(initiative.name), stage]
            shown_rating = ratings.get(rating, rating)
            inputs = [
                shown_rating,
                exported.achievements,
                exported.issues,
                exported.next_steps,
            ]
            yield fixed, inputs, exported, initiative.id

    def kpi_rows(self) -> Iterator[tuple[list[Any], list[Any], KpiOrigin, str]]:
        fy = self.cycle.half.year
        for kpi in self.index.kpis.get(self.department.id, []):
            recorded = self.facts.actuals.get(kpi.id, {})
            this_year = recorded.get(fy)
            exported = KpiOrigin(
                fy,
                this_year.measured if this_year is not None else None,
                _lines(this_year.source) if this_year is not None else "",
                this_year.id if this_year is not None else None,
            )
            per_year = [self._shown(recorded[y].measured) if y in recorded else None
                        for y in self.years]  # fmt: skip
            fixed = [
                kpi.id,
                _one_line(kpi.name),
                _one_line(kpi.unit or ""),
                kpi.baseline.fy,
                kpi.baseline.value,
                kpi.target.fy,
                kpi.target.value,
                *per_year,
                fy,
            ]
            yield fixed, [self._shown(exported.value), exported.source], exported, kpi.id

    def _shown(self, value: float | KpiMark | None) -> float | str | None:
        """A KPI value as its cell holds it: the number, or the mark's label (未把握)."""
        return value.label(self.lang) if isinstance(value, KpiMark) else value


# --- the sheets ----------------------------------------------------------------------------


def _prepare(ws: Worksheet, layout: SheetLayout, *, freeze: str | None) -> None:
    """Widths, frozen panes and print set-up: what openpyxl writes before the first row."""
    for n, column in enumerate(layout.columns, 1):
        ws.column_dimensions[get_column_letter(n)].width = column.width
    if freeze is not None:
        ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if layout.header_row != layout.first_data_row:
        ws.print_title_rows = f"{layout.header_row}:{layout.header_row}"


def _protect(ws: Worksheet) -> None:
    """Protect the sheet without a password; widening columns and rows stays allowed."""
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _heading_rows(
    ws: Worksheet, book: DepartmentBook, layout: SheetLayout, title: str, *, guard: bool = False
) -> None:
    """Rows 1 to the header: title, whose and which cycle, the legend, the header.

    ``guard``: lock the input columns' cells of these rows explicitly (their columns are
    unlocked, see :func:`_input_columns`).
    """

    def guarded(first: Cell) -> list[Cell | None]:
        row: list[Cell | None] = [first]
        if guard:
            for n, column in enumerate(layout.columns[1:], 2):
                row += [None] * (n - len(row) - 1)
                if column.input:
                    row.append(_styled(ws, None, font=_FONT, protection=_LOCKED))
        return row

    ws.append(guarded(_styled(ws, title, font=_TITLE_FONT)))
    ws.append(
        guarded(
            _styled(
                ws,
                pgettext("workbook", "{plan} / {cycle} / {department} / as of {date}").format(
                    plan=_one_line(book.plan.name),
                    cycle=book.cycle.label(book.lang),
                    department=_one_line(book.department.name),
                    date=_both(book.snapshot.as_of),
                ),
                font=_BOLD,
            )
        )
    )
    ws.append(guarded(_styled(ws, _("Yellow cells are to fill in."), fill=_INPUT_FILL)))
    for _row in range(4, layout.header_row):
        ws.append(guarded(_styled(ws, None, font=_FONT)))
    ws.row_dimensions[layout.header_row].height = 30
    ws.append(
        [
            _styled(
                ws,
                c.heading(),
                font=_BOLD,
                fill=_HEAD_FILL,
                alignment=_HEAD_ALIGN,
                border=_BOX,
            )
            for c in layout.columns
        ]
    )


def _input_columns(ws: Worksheet, layout: SheetLayout) -> None:
    """Unlock the input columns as a whole: an empty input cell need not be written.

    A big sheet is written faster without its empty cells; such a cell takes its column's
    style (unlocked, the input's number format). The rows above the data lock these columns'
    cells again (:func:`_heading_rows` with ``guard``), and :func:`_mark_inputs` colours the
    input cells of the data rows only.
    """
    for n, column in enumerate(layout.columns, 1):
        if not column.input:
            continue
        dimension = ws.column_dimensions[get_column_letter(n)]
        dimension.protection = _UNLOCKED
        dimension.alignment = _WRAP if column.kind == "text" else _TOP
        if column.kind == "date":
            dimension.number_format = _DATE_FORMAT
        elif column.kind == "percent":
            dimension.number_format = "0"


def _mark_inputs(ws: Worksheet, layout: SheetLayout, rows: int) -> None:
    """Box every input cell of the data rows in yellow, written or not (one conditional format)."""
    if rows == 0:
        return
    first, last = layout.first_data_row, layout.first_data_row + rows - 1
    ranges = [
        f"{get_column_letter(n)}{first}:{get_column_letter(n)}{last}"
        for n, column in enumerate(layout.columns, 1)
        if column.input
    ]
    ws.conditional_formatting.add(
        " ".join(ranges),
        Rule(
            type="expression",
            formula=["TRUE"],
            dxf=DifferentialStyle(fill=_INPUT_MARK, border=_BOX),
        ),
    )


def _validate(
    ws: Worksheet,
    layout: SheetLayout,
    key: str,
    rows: int,
    validation: DataValidation,
) -> None:
    """Apply ``validation`` to every data cell of column ``key`` (none when there is no row)."""
    if rows == 0:
        return
    letter = get_column_letter(layout.index(key))
    first = layout.first_data_row
    validation.add(f"{letter}{first}:{letter}{first + rows - 1}")
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorStyle = "stop"
    ws.data_validations.append(validation)


def _validation(title: str, error: str, prompt: str | None = None, **rule: Any) -> DataValidation:
    """A validation of ``rule`` (type, operator, formulas) with its messages cut to Excel's
    limits (a title of 32 characters, a text of 255); a blank cell is always allowed."""
    return DataValidation(
        allow_blank=True,
        errorTitle=title[:32],
        error=error[:255],
        promptTitle=None if prompt is None else title[:32],
        prompt=None if prompt is None else prompt[:255],
        **rule,
    )


def _list_validation(choices: Sequence[str], cells: str, title: str) -> DataValidation:
    """A drop-down of ``choices``: written out when Excel allows it, else the cover's ``cells``."""
    inline = ",".join(choices)
    plain = all("," not in c and '"' not in c for c in choices) and len(inline) <= 255
    formula = f'"{inline}"' if plain else cells
    error, prompt = _("Choose one of the list."), _("Choose from the list.")
    return _validation(title, error, prompt, type="list", formula1=formula)


def _whole_validation(title: str) -> DataValidation:
    error, prompt = _("Enter a whole number from 0 to 100."), _("A whole number from 0 to 100.")
    between = {"operator": "between", "formula1": "0", "formula2": "100"}
    return _validation(title, error, prompt, type="whole", **between)


def _date_validation(title: str, first: date, last: date) -> DataValidation:
    span = {"first": first.isoformat(), "last": last.isoformat()}
    error = _("Enter a date from {first} to {last}.").format(**span)
    prompt = _("A date from {first} to {last}, such as {first}.").format(**span)
    between = {
        "operator": "between",
        "formula1": str(_serial(first)),
        "formula2": str(_serial(last)),
    }
    return _validation(title, error, prompt, type="date", **between)


def _text_validation(title: str) -> DataValidation:
    limit = str(_CELL_LIMIT)
    error = _("The text is too long (at most {limit} characters).").format(limit=limit)
    return _validation(title, error, type="textLength", operator="lessThanOrEqual", formula1=limit)


def _number_validation(title: str) -> DataValidation:
    error, prompt = _("Enter a number."), _("A number, without its unit.")
    between = {"operator": "between", "formula1": "-1E+15", "formula2": "1E+15"}
    return _validation(title, error, prompt, type="decimal", **between)


def _measured_validation(title: str, first: str, lang: str) -> DataValidation:
    """A number, or one of the marks (未把握, 調査中) as the book's language labels them or by
    their codes; ``first`` is the first cell of the range, which the rule's formula names."""
    forms = KpiMark.forms(lang)
    texts = ",".join(f'{first}="{form}"' for form in forms)
    marks = ", ".join(forms)
    error = _("Enter a number, or one of {marks}.").format(marks=marks)
    prompt = _("A number without its unit, or one of {marks}.").format(marks=marks)
    return _validation(
        title, error, prompt, type="custom", formula1=f"OR(ISNUMBER({first}),{texts})"
    )


@dataclass(frozen=True, slots=True)
class _Lists:
    """The drop-down choices and where the cover shows them (for a list Excel cannot inline)."""

    statuses: list[str]
    statuses_at: str
    ratings: list[str]
    ratings_at: str


def _cover_facts(book: DepartmentBook, fingerprint: str) -> list[tuple[str, str]]:
    plan, cycle, department = book.plan, book.cycle, book.department
    revision = book.facts.revision
    return [
        (_("Plan"), f"{_one_line(plan.name)} ({plan.id})"),
        (_("Review cycle"), f"{cycle.label(book.lang)} ({cycle.code})"),
        (_("Department"), f"{_one_line(department.name)} ({department.id})"),
        (_("Snapshot date"), _both(book.snapshot.as_of)),
        (_("Submission deadline"), _both(cycle.submission_due)),
        (_("Plan revision"), str(revision) if revision is not None else "-"),
        (_("Baseline"), _one_line(book.snapshot.baseline_name or "-")),
        (_("Fingerprint"), fingerprint[:16]),
    ]


def _choices(book: DepartmentBook) -> list[tuple[str, list[str]]]:
    """The drop-down lists, as the cover shows them: status labels and the rating scale."""
    statuses = [s.label(book.lang) for s in Status]
    ratings = [
        rating_choice(_one_line(r.symbol), _one_line(r.label))
        for r in book.plan.review_policy.ratings
    ]
    return [(_("Status choices"), statuses), (_("Rating scale"), ratings)]


def _lists(book: DepartmentBook, cover: str) -> _Lists:
    """The drop-down lists and their cells on the cover (see :func:`_cover` for the rows)."""
    row = 2 + len(_cover_facts(book, "")) + 2 + len(_how_to()) + 1  # the last row before
    at = []
    for _title, choices in _choices(book):
        row += 1  # the list's title
        at.append(f"{quote_sheetname(cover)}!$B${row + 1}:$B${row + len(choices)}")
        row += len(choices) + 1  # the list and a blank row
    (_t, statuses), (_r, ratings) = _choices(book)
    return _Lists(statuses, at[0], ratings, at[1])


def _cover(ws: Worksheet, book: DepartmentBook, fingerprint: str) -> None:
    """Title, the facts, how to fill it in, the lists (rows as :func:`_lists` counts them)."""
    _prepare(ws, COVER, freeze=None)
    ws.page_setup.fitToHeight = 1
    ws.append([_styled(ws, _("Department progress workbook"), font=_TITLE_FONT)])
    ws.append([])
    for label, value in _cover_facts(book, fingerprint):
        ws.append([_styled(ws, label, font=_BOLD, border=_BOX), _styled(ws, value, border=_BOX)])
    ws.append([])
    ws.append([_styled(ws, _("How to fill it in"), font=_BOLD)])
    first = 2 + len(_cover_facts(book, fingerprint)) + 3
    for n, line in enumerate(_how_to(), 1):
        ws.row_dimensions[first + n - 1].height = 30
        ws.append([_styled(ws, f"{n}.", alignment=_TOP), _styled(ws, line, alignment=_WRAP)])
    ws.append([])
    for title, choices in _choices(book):
        ws.append([_styled(ws, title, font=_BOLD)])
        for choice in choices:
            ws.append([None, _styled(ws, choice, border=_BOX)])
        ws.append([])
    _protect(ws)


def _validate_inputs(
    ws: Worksheet, book: DepartmentBook, layout: SheetLayout, lists: _Lists, rows: int
) -> None:
    """A validation on every input column of the sheet, by what its cells hold."""
    period = book.plan.period
    first, last = period.start.start, period.end.end
    for column in layout.inputs():
        title, kind = column.heading(), column.kind
        if kind == "status":
            rule = _list_validation(lists.statuses, lists.statuses_at, title)
        elif kind == "rating":
            rule = _list_validation(lists.ratings, lists.ratings_at, title)
        elif kind == "percent":
            rule = _whole_validation(title)
        elif kind == "date":
            rule = _date_validation(title, first, last)
        elif kind == "number":
            rule = _number_validation(title)
        elif kind == "measured":
            top = f"{get_column_letter(layout.index(column.key))}{layout.first_data_row}"
            rule = _measured_validation(title, top, book.lang)
        else:
            rule = _text_validation(title)
        _validate(ws, layout, column.key, rows, rule)


def _tasks(
    ws: Worksheet, book: DepartmentBook, lists: _Lists, origin: dict[str, TaskOrigin]
) -> None:
    layout = TASKS
    _prepare(ws, layout, freeze=f"D{layout.first_data_row}")
    _input_columns(ws, layout)
    _heading_rows(ws, book, layout, _("Tasks of the half year"), guard=True)
    inputs = _Cells(ws, layout.inputs(), sparse=True)
    rows = 0
    for fixed, values, exported, ref in book.task_rows():
        fixed[0:3] = [_text_cell(ws, text) for text in fixed[0:3]]
        ws.append([*fixed, *inputs.fill(values)])
        origin[ref] = exported
        rows += 1
    _validate_inputs(ws, book, layout, lists, rows)
    _mark_inputs(ws, layout, rows)
    _protect(ws)


def _initiatives(
    ws: Worksheet, book: DepartmentBook, lists: _Lists, origin: dict[str, InitiativeOrigin]
) -> None:
    layout = INITIATIVES
    _prepare(ws, layout, freeze=f"C{layout.first_data_row}")
    _heading_rows(ws, book, layout, _("Self-assessment of the initiatives"))
    scale = book.plan.review_policy.ratings
    shown_as = {r.symbol: rating_choice(_one_line(r.symbol), _one_line(r.label)) for r in scale}
    cells = _Cells(ws, layout.columns)
    rows = 0
    for fixed, values, exported, key in book.initiative_rows(shown_as):
        ws.row_dimensions[layout.first_data_row + rows].height = 75
        ws.append(cells.fill([*fixed, *values]))
        origin[key] = exported
        rows += 1
    _validate_inputs(ws, book, layout, lists, rows)
    _protect(ws)


def _kpis(ws: Worksheet, book: DepartmentBook, lists: _Lists, origin: dict[str, KpiOrigin]) -> None:
    layout = kpi_layout(book.years)
    _prepare(ws, layout, freeze=f"C{layout.first_data_row}")
    _heading_rows(ws, book, layout, _("KPI actuals"))
    cells = _Cells(ws, layout.columns)
    rows = 0
    for fixed, values, exported, key in book.kpi_rows():
        ws.row_dimensions[layout.first_data_row + rows].height = 30
        ws.append(cells.fill([*fixed, *values]))
        origin[key] = exported
        rows += 1
    _validate_inputs(ws, book, layout, lists, rows)
    _protect(ws)


def _origin_sheet(ws: Worksheet, origin: Origin) -> None:
    ws.sheet_state = "veryHidden"
    for row in origin.to_rows():
        ws.append([_text_cell(ws, v) if isinstance(v, str) else v for v in row])
    _protect(ws)


# --- the workbook ---------------------------------------------------------------------------


def _make(book: DepartmentBook) -> bytes:
    """Write the workbook of ``book`` (in the language chosen now).

    Every sheet is made first, in order, and filled as its rows come: the cover, which names
    the origin's fingerprint, and the origin sheet are filled last.
    """
    book.years = plan_years(book.plan)
    wb = Workbook(write_only=True)
    # A write-only sheet has the attributes of a worksheet that these functions use.
    cover, tasks_sheet, initiatives_sheet, kpis_sheet, origin_sheet = (
        cast(Worksheet, wb.create_sheet(sheet_name(key))) for key in SHEET_KEYS
    )
    lists = _lists(book, cover.title)
    tasks: dict[str, TaskOrigin] = {}
    initiatives: dict[str, InitiativeOrigin] = {}
    kpis: dict[str, KpiOrigin] = {}
    _tasks(tasks_sheet, book, lists, tasks)
    _initiatives(initiatives_sheet, book, lists, initiatives)
    _kpis(kpis_sheet, book, lists, kpis)
    origin = Origin(
        book.plan.id, book.facts.revision, book.cycle.code, book.department.id,
        book.snapshot.as_of, book.lang, tasks, initiatives, kpis,
    )  # fmt: skip
    fingerprint = origin.fingerprint()
    _cover(cover, book, fingerprint)
    _origin_sheet(origin_sheet, origin)
    props = cast(Any, wb).custom_doc_props  # not in openpyxl's type stubs
    props.append(StringProperty(name="aomori_roadmap_format", value=DOCUMENT_FORMAT))
    props.append(IntProperty(name="version", value=FORMAT_VERSION))
    props.append(StringProperty(name="plan", value=book.plan.id))
    props.append(StringProperty(name="cycle", value=book.cycle.code))
    props.append(StringProperty(name="department", value=book.department.id))
    props.append(StringProperty(name="fingerprint", value=fingerprint))
    wb.properties.title = _one_line(
        _("{cycle} progress workbook: {department}").format(
            cycle=book.cycle.label(book.lang), department=book.department.name
        )
    )
    wb.properties.subject = _one_line(book.plan.name)
    wb.properties.keywords = DOCUMENT_FORMAT
    return save_workbook(wb, book.snapshot.as_of)


def _origin_of(book: DepartmentBook) -> Origin:
    """The origin record of ``book``'s rows (the input cells as they will be written)."""
    if not book.years:
        book.years = plan_years(book.plan)
    scale = book.plan.review_policy.ratings
    shown_as = {r.symbol: rating_choice(r.symbol, r.label) for r in scale}
    return Origin(
        plan=book.plan.id,
        revision=book.facts.revision,
        cycle=book.cycle.code,
        department=book.department.id,
        as_of=book.snapshot.as_of,
        lang=book.lang,
        tasks={ref: o for _f, _i, o, ref in book.task_rows()},
        initiatives={key: o for _f, _i, o, key in book.initiative_rows(shown_as)},
        kpis={key: o for _f, _i, o, key in book.kpi_rows()},
    )


def department_book(
    snapshot: Snapshot,
    cycle: CycleRef,
    department: str,
    *,
    store: Store | None = None,
    lang: str = "ja",
    index: _Index | None = None,
    facts: _StoreFacts | None = None,
) -> DepartmentBook:
    """What a department's workbook for ``cycle`` is made of: its rows, values and origin,
    before any sheet is written (the CSV task sheet is made from the same).

    Raises:
        PlanError: an unknown department or cycle.
    """
    index = index or _Index.of(snapshot.plan)
    chosen = _cycle(snapshot.cycles, cycle)
    found = _department(index, department)
    if facts is None:
        facts = _store_facts(store, snapshot.plan, chosen)
    return DepartmentBook(snapshot, chosen, found, index, facts, lang)


def department_workbook(
    snapshot: Snapshot,
    cycle: CycleRef,
    department: str,
    *,
    store: Store | None = None,
    lang: str = "ja",
) -> bytes:
    """The xlsx bytes of ``department``'s progress workbook for ``cycle``.

    Args:
        snapshot: the plan as of the snapshot date (:func:`~aomori_roadmap.views.snapshot.take_snapshot`):
            its states pre-fill the task sheet.
        cycle: a review cycle of the plan, or its name (``R7上期``, ``FY2025-H1`` …).
        department: the id of a department of the plan.
        store: where the department's submissions and the KPI actuals are read (none: empty).
        lang: the language of the workbook's words (``ja``, ``en``); plan text stays as it is.

    Raises:
        PlanError: an unknown department, cycle or language; the message lists the valid ones.
    """
    check_language(lang)
    with using_language(lang):
        return _make(department_book(snapshot, cycle, department, store=store, lang=lang))


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def _file_safe(text: str) -> str:
    """``text`` fit for a file name on Windows: no reserved characters or names, not too long."""
    name = _UNSAFE_NAME.sub("_", clean(text)).strip(" .")
    name = name[:120].rstrip(" .")
    if not name or _RESERVED.match(name):
        name = f"_{name}"
    return name


def workbook_file_name(
    plan: Plan, cycle: ReviewCycle | str, department: str, lang: str = "ja"
) -> str:
    """The file name of a department's workbook: whose it is and for which cycle.

    ``R7上期_進捗管理シート_危機管理局.xlsx`` in Japanese, ``FY2025-H1_progress_kikikanri.xlsx``
    in English; safe as a file name on Windows.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> workbook_file_name(default_plan(), "R7上期", "kikikanri", "en")
    'FY2025-H1_progress_kikikanri.xlsx'
    """
    check_language(lang)
    index = _Index.of(plan)
    found = _department(index, department)
    if isinstance(cycle, ReviewCycle):
        chosen = cycle
    else:
        from aomori_roadmap.engine.reviews import review_cycles

        chosen = _cycle(review_cycles(plan), cycle)
    with using_language(lang):
        name = pgettext("workbook file", "{cycle}_progress_{department}").format(
            cycle=chosen.code,
            short=_cycle_short(chosen),
            department=found.id,
            name=found.name,
        )
    return f"{_file_safe(name)}.xlsx"


def _has_work(book: DepartmentBook) -> bool:
    return bool(book.initiatives() or book.index.kpis.get(book.department.id))


def department_books(
    snapshot: Snapshot,
    cycle: ReviewCycle | str,
    departments: Iterable[str] | None = None,
    *,
    store: Store | None = None,
    lang: str = "ja",
) -> list[DepartmentBook]:
    """Each department's workbook for ``cycle`` as data, in plan order, before any sheet is
    written (:meth:`DepartmentBook.workbook`, and the CSV of its task sheet, make the files).

    ``departments`` are department ids (``None``: every department of the plan that has an
    initiative in the cycle or a KPI). The store is read once for all of them.

    Raises:
        PlanError: an unknown department, cycle or language, before anything is made.
    """
    check_language(lang)
    plan = snapshot.plan
    index = _Index.of(plan)
    with using_language(lang):
        chosen = _cycle(snapshot.cycles, cycle)
        wanted = list(index.departments) if departments is None else list(departments)
        for department in wanted:
            _department(index, department)
        facts = _store_facts(store, plan, chosen)
    books = [
        department_book(snapshot, chosen, d, store=store, lang=lang, index=index, facts=facts)
        for d in wanted
    ]
    return [book for book in books if departments is not None or _has_work(book)]


def department_workbooks(
    snapshot: Snapshot,
    cycle: ReviewCycle | str,
    departments: Iterable[str] | None = None,
    *,
    store: Store | None = None,
    lang: str = "ja",
) -> Iterator[tuple[str, bytes]]:
    """``(file name, xlsx bytes)`` of each department's workbook for ``cycle``, in plan order
    (the departments as :func:`department_books` chooses them).

    Raises:
        PlanError: an unknown department, cycle or language, before anything is written.
    """
    for book in department_books(snapshot, cycle, departments, store=store, lang=lang):
        yield book.file_name(), book.workbook()
