"""The Excel 工程表: a drawn Gantt sheet and plain data sheets, from the Gantt JSON.

The only module that knows openpyxl. :func:`gantt_xlsx` reads the Gantt view of
:func:`aomori_roadmap.views.gantt.gantt_data` and writes four sheets:

- **工程表**: the drawn chart, one column per month grouped under its half (上期/下期) and fiscal
  year (西暦 and 和暦); bars as filled cells coloured by status with the progress darker, late
  and at-risk bars outlined red or amber, the critical path outlined dark; ▲ on a milestone's
  month; the half-year review meetings (●) and annual reports (◎) in a lane of their own; the
  as-of month marked. Header rows and label columns are frozen; it prints on A3 landscape, one
  page wide, with the header repeated on every page.
- **工程データ**: one row per task, one value per cell, no merged cells: real dates (shown
  ``yyyy-mm-dd``) next to their 和暦, numbers as numbers, a bold frozen header and a filter.
- **依存関係** and **見直し日程**: the links and the review-cycle dates, the same way.

Text from the plan is written as plain text: control characters are dropped and a name that
starts with ``=`` stays text, never a formula. The same data gives the same bytes: the
workbook's created and modified times are the as-of date (or 2000-01-01) and so are the
time stamps inside the zip.

>>> from io import BytesIO
>>> from openpyxl import load_workbook
>>> from aomori_roadmap.export.gantt import gantt_data
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> book = load_workbook(BytesIO(gantt_xlsx(gantt_data(plan, schedule(plan)))))
>>> book.sheetnames
['工程表', '工程データ', '依存関係', '見直し日程']
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from functools import cache
from io import BytesIO
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from aomori_roadmap.calendar import format_wareki, parse_period
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import check_language
from aomori_roadmap.export.report import mark_label
from aomori_roadmap.export.svg import clean
from aomori_roadmap.i18n import _, pgettext, using_language
from aomori_roadmap.views.gantt import (
    FiscalYearColumn,
    GanttData,
    HalfColumn,
    InitiativeRow,
    Row,
    TaskRow,
    short_half_label,
)
from aomori_roadmap.views.report import AnnualReport
from aomori_roadmap.views.rollup import Rollup, rollup_tables

__all__ = ["gantt_xlsx", "report_xlsx", "rollup_xlsx", "save_workbook"]


# The words of the Gantt workbook, made in the language chosen now.


def _sheet_names() -> tuple[str, str, str, str]:
    return (
        pgettext("sheet", "Gantt"),
        pgettext("sheet", "Tasks"),
        pgettext("sheet", "Links"),
        pgettext("sheet", "Reviews"),
    )


def _drawn_labels() -> tuple[str, ...]:
    return (_("Field / item / initiative / task"), _("Department"), _("Start"), _("Finish"),
            _("Status"))  # fmt: skip


def _task_header() -> tuple[str, ...]:
    return (
        _("Field"), _("Item"), _("Initiative"), _("Department"), _("Task ID"),
        pgettext("task name column", "Task"), pgettext("task kind column", "Kind"),
        pgettext("date column", "Start"), pgettext("date column", "Finish"),
        _("Start (wareki)"), _("Finish (wareki)"), _("Working days"), _("Status"),
        _("Progress"), _("Lateness"), _("Critical"), _("Total slack"), _("Due"),
        _("Baseline start"), _("Baseline finish"),
    )  # fmt: skip


def _link_header() -> tuple[str, ...]:
    return (_("From ID"), _("From"), _("To ID"), _("To"), _("Type"), _("Lag"),
            _("Lag (working days)"))  # fmt: skip


def _marker_header() -> tuple[str, ...]:
    return (_("Cycle"), _("Kind"), pgettext("name column", "Name"), _("Date"),
            _("Date (wareki)"))  # fmt: skip


def _legend(lang: str) -> list[str]:
    """The legend's labels: the statuses, progress, late, at risk, critical."""
    return [*(Status(code).label(lang) for code in _FILLS), _("Progress"),
            Lateness("late").label(lang), Lateness("at_risk").label(lang), _("Critical")]  # fmt: skip


# Bar fill and progress fill of each status, as on the chart.
_FILLS = {
    "planned": ("E3E9F0", "7D90AA"),
    "in_progress": ("CFE0F7", "3F76C6"),
    "done": ("CBE8D3", "2F8A4B"),
    "on_hold": ("E5E7EB", "8A9099"),
    "cancelled": ("F4F4F5", "C4C4C8"),
}
_LATE, _RISK, _CRITICAL, _AS_OF = "D62828", "E08600", "10243E", "E8590C"
_BANDS = {"field": "E9EEF5", "item": "F4F6F9"}
_SUMMARY = {"field": "3B4758", "item": "6B7788", "initiative": "8C97A7"}
_LABEL_COLUMNS = 5  # name, department, start, finish, status
# The drawn sheet shows at most 100 fiscal years from its first month: wider is unreadable,
# passes Excel's last column (XFD) at ~1,360 years, and openpyxl merges header cells in
# quadratic time. The data sheet keeps every date.
_MONTH_COLUMNS = 100 * 12
_FIRST_ROW = 9  # rows 1–4 title and legend, 5–7 fiscal year / half / month, 8 the review lane
_EPOCH = dt.datetime(2000, 1, 1)

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="EEF2F7")
_THIN = Side(style="thin", color="B8C2CF")
_CENTER = Alignment(horizontal="center", vertical="center")


# openpyxl hashes every style object it is given: the same objects, reused, keep a big sheet fast.
@cache
def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


@cache
def _font(*, bold: bool = False, colour: str | None = None, size: float | None = None) -> Font:
    return Font(bold=bold, color=colour, size=size)


@cache
def _side(style: Literal["thin", "medium", "thick"], colour: str) -> Side:
    return Side(style=style, color=colour)


@cache
def _border(
    top: Side | None = None,
    bottom: Side | None = None,
    left: Side | None = None,
    right: Side | None = None,
) -> Border:
    return Border(top=top, bottom=bottom, left=left, right=right)


@cache
def _indent(level: int) -> Alignment:
    return Alignment(indent=level, vertical="center")


def _set(ws: Worksheet, row: int, column: int, value: Any) -> Cell | MergedCell:
    """Write one value; text is cleaned and always stays text (never a formula)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        value = clean(value)
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _label(kind: type[Status] | type[Lateness], code: Any, lang: str) -> str | None:
    if not code:
        return None
    try:
        return kind(code).label(lang)
    except ValueError:
        return clean(code)


def _months(start: dt.date, finish: dt.date) -> list[dt.date]:
    """The first day of every month from ``start`` to ``finish``."""
    months, month = [], dt.date(start.year, start.month, 1)
    while month <= finish:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _month_index(months: Sequence[dt.date], day: dt.date) -> int:
    """The column offset of the month holding ``day``, clamped into the scale."""
    first = months[0]
    offset = (day.year - first.year) * 12 + day.month - first.month
    return min(max(offset, 0), len(months) - 1)


def _ancestors(rows: Sequence[Row]) -> Iterator[tuple[TaskRow, dict[str, str]]]:
    """Each task row with the names of its field, item and initiative and its department."""
    by_id: dict[str | None, Row] = {row.id: row for row in rows}
    for row in rows:
        if not isinstance(row, TaskRow):
            continue
        found: dict[str, str] = {}
        parent = by_id.get(row.parent)
        while parent is not None:
            found[parent.kind] = parent.name or ""
            if isinstance(parent, InitiativeRow):
                found["department"] = parent.department_name or ""
            parent = by_id.get(parent.parent)
        yield row, found


# --- the drawn sheet ------------------------------------------------------------------------


def _drawn_header(ws: Worksheet, data: GanttData, lang: str, months: Sequence[dt.date]) -> None:
    """Title, as-of, legend, the fiscal-year / half / month header and the review lane label."""
    plan = data.plan
    title = _("{name}: roadmap Gantt chart").format(name=plan.name or plan.id)
    _set(ws, 1, 1, title).font = Font(bold=True, size=14)
    as_of = data.as_of
    notes = []
    if as_of is not None:
        # The Japanese adds the date's wareki: 基準日 2025-10-01（令和7年10月1日）.
        notes.append(_("As of {date}").format(date=as_of.isoformat(), wareki=format_wareki(as_of)))
    if data.baseline:
        notes.append(pgettext("gantt", "baseline “{name}”").format(name=data.baseline))
    if notes:
        _set(ws, 2, 1, pgettext("separator of notes", " · ").join(notes))
    # The legend: a coloured cell, then its label spilling over the empty cells to its right.
    colours = [_FILLS[s][0] for s in _FILLS] + [
        _FILLS["in_progress"][1],
        "FFFFFF",
        "FFFFFF",
        "FFFFFF",
    ]
    edges = [None] * 6 + [_LATE, _RISK, _CRITICAL]
    for n, (label, colour, edge) in enumerate(zip(_legend(lang), colours, edges, strict=True)):
        column = _LABEL_COLUMNS + 1 + n * 6
        cell = _set(ws, 3, column, None)
        cell.fill = _fill(colour)
        side = Side(style="medium", color=edge) if edge else _THIN
        cell.border = Border(left=side, right=side, top=side, bottom=side)
        _set(ws, 3, column + 1, label).font = Font(size=9)

    for column, label in enumerate(_drawn_labels(), start=1):
        cell = _set(ws, 7, column, label)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    reviews = _("Half-year reviews (● review meeting, ◎ annual report)")
    _set(ws, 8, 1, reviews).font = Font(size=9, bold=True)
    first = _LABEL_COLUMNS + 1
    scale = data.scale
    for fy in scale.fiscal_years:
        # FY2024, and in Japanese 2024年度（令和6年度）.
        label = pgettext("period label", "FY{year}").format(
            year=fy.code.removeprefix("FY"), wareki=fy.wareki
        )
        _merged(ws, 5, months, fy, label)
    for half in scale.halves:
        _merged(ws, 6, months, half, short_half_label(half.code))
    for n, month in enumerate(months):
        cell = _set(ws, 7, first + n, pgettext("month in a header", "{m}").format(m=month.month))
        cell.font, cell.fill, cell.alignment = Font(size=9), _HEAD_FILL, _CENTER
    if as_of is not None and months[0] <= as_of <= _month_end(months[-1]):
        column = first + _month_index(months, as_of)
        mark = _set(ws, 4, column, _("▼As of"))
        mark.font = Font(bold=True, color=_AS_OF, size=9)
        month_cell = ws.cell(row=7, column=column)
        month_cell.fill, month_cell.font = _fill(_AS_OF), Font(bold=True, color="FFFFFF", size=9)


def _month_end(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - dt.timedelta(days=1)


def _merged(
    ws: Worksheet,
    row: int,
    months: Sequence[dt.date],
    period: FiscalYearColumn | HalfColumn,
    label: str,
) -> None:
    """A header cell over the months of ``period`` (merged: this is the drawn sheet)."""
    start, end = period.start, period.end
    if end < months[0] or start > _month_end(months[-1]):
        return
    a = _LABEL_COLUMNS + 1 + _month_index(months, start)
    b = _LABEL_COLUMNS + 1 + _month_index(months, end)
    cell = _set(ws, row, a, label)
    cell.font, cell.fill, cell.alignment = _BOLD, _HEAD_FILL, _CENTER
    cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    if b > a:
        ws.merge_cells(start_row=row, start_column=a, end_row=row, end_column=b)


def _drawn_row(ws: Worksheet, r: int, row: Row, months: Sequence[dt.date], lang: str) -> None:
    kind = row.kind
    name = _set(ws, r, 1, row.name or row.id)
    name.alignment = _indent(row.level * 2)
    start, finish = row.start, row.finish
    first = _LABEL_COLUMNS + 1
    if not isinstance(row, TaskRow):
        name.font = _font(bold=kind != "initiative", size=12 if kind == "field" else 11)
        if kind in _BANDS:
            for column in range(1, first + len(months)):
                ws.cell(row=r, column=column).fill = _fill(_BANDS[kind])
        _set(ws, r, 2, row.department_name if isinstance(row, InitiativeRow) else None)
        if start is not None and finish is not None and start <= _month_end(months[-1]):
            line = _border(bottom=_side("thick", _SUMMARY[kind]))
            for n in range(_month_index(months, start), _month_index(months, finish) + 1):
                ws.cell(row=r, column=first + n).border = line
        return
    status = row.status or "planned"
    status = status if status in _FILLS else "planned"
    lateness = row.lateness
    colour = {"late": _LATE, "at_risk": _RISK}.get(str(lateness))
    state = _label(Status, status, lang) or ""
    progress = max(0, min(100, row.progress))
    if progress and status not in ("done", "cancelled"):
        state += f" {progress}%"
    if lateness:
        separator = pgettext("separator of a status and its lateness", ", ")
        state += separator + (_label(Lateness, lateness, lang) or "")
    if colour:
        name.font = _font(colour=colour)
    _set(ws, r, 3, start)
    _set(ws, r, 4, finish)
    _set(ws, r, 5, state).font = _font(colour=colour or "374151", bold=bool(colour))
    if start is None or finish is None or start > _month_end(months[-1]):
        return  # no dates, or beyond the months the sheet can draw
    a, b = _month_index(months, start), _month_index(months, finish)
    if row.milestone:
        cell = _set(ws, r, first + b, "▲")
        cell.alignment = _CENTER
        cell.font = _font(bold=True, colour=colour or ("2F8A4B" if status == "done" else "2B4A75"))
        return
    edge_colour = colour or (_CRITICAL if row.critical else None)
    style: Literal["medium", "thin"] = "medium" if row.critical or colour else "thin"
    edge = _side(style, edge_colour or "8B9CB2")
    done = round((b - a + 1) * progress / 100) if status != "cancelled" else 0
    bar, filled = _fill(_FILLS[status][0]), _fill(_FILLS[status][1])
    for n in range(a, b + 1):
        cell = ws.cell(row=r, column=first + n)
        cell.fill = filled if n - a < done else bar
        cell.border = _border(edge, edge, edge if n == a else None, edge if n == b else None)


def _drawn_sheet(ws: Worksheet, data: GanttData, lang: str) -> None:
    months = _months(data.scale.start, data.scale.finish)
    del months[_MONTH_COLUMNS:]
    _drawn_header(ws, data, lang, months)
    first = _LABEL_COLUMNS + 1
    for marker in data.markers:
        day = marker.date
        glyph = {"meeting": "●", "annual_report": "◎"}.get(marker.kind)
        if glyph is None or not months[0] <= day <= _month_end(months[-1]):
            continue
        cell = _set(ws, 8, first + _month_index(months, day), glyph)
        cell.alignment = _CENTER
        cell.font = _font(colour="7B4FC9" if glyph == "●" else "0F8A8A", size=9)
    for offset, row in enumerate(data.rows):
        _drawn_row(ws, _FIRST_ROW + offset, row, months, lang)

    for column, width in zip("ABCDE", (46, 14, 11, 11, 16), strict=True):
        ws.column_dimensions[column].width = width
    for n in range(len(months)):
        ws.column_dimensions[get_column_letter(first + n)].width = 3.6
    ws.freeze_panes = f"{get_column_letter(first)}{_FIRST_ROW}"
    ws.print_title_rows = f"5:{_FIRST_ROW - 1}"
    ws.print_title_cols = "A:E"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if ws.oddFooter is not None:
        ws.oddFooter.center.text = "&P / &N"
    ws.sheet_view.zoomScale = 90


# --- the data sheets ------------------------------------------------------------------------


def _table(
    ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]
) -> None:
    """A plain table: bold frozen header, one value per cell, a filter over all of it.

    Dates get openpyxl's ``yyyy-mm-dd`` format; text is cleaned and stays text.
    """
    ws.append(list(header))
    for cell in ws[1]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    for r, values in enumerate(rows, start=2):
        cleaned = [clean(v) if isinstance(v, str) else v for v in values]
        ws.append(cleaned)
        for column, value in enumerate(cleaned, start=1):
            if isinstance(value, str) and value.startswith("="):
                ws.cell(row=r, column=column).data_type = "s"
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def _in_era(day: dt.date) -> str:
    """The text of a wareki column: the date in its era (令和7年4月1日); ISO in English."""
    return pgettext("wareki column", "{date}").format(
        date=day.isoformat(), wareki=format_wareki(day)
    )


def _task_rows(data: GanttData, lang: str) -> list[list[Any]]:
    task, milestone = pgettext("kind of task", "Task"), _("Milestone")
    out = []
    for row, up in _ancestors(data.rows):
        start, finish = row.start, row.finish
        status = row.status or "planned"
        out.append(
            [
                up.get("field"),
                up.get("item"),
                up.get("initiative"),
                up.get("department") or None,
                row.id,
                row.name,
                milestone if row.milestone else task,
                start,
                finish,
                _in_era(start),
                _in_era(finish),
                row.duration_days,
                _label(Status, status, lang),
                max(0, min(100, row.progress)) / 100,
                _label(Lateness, row.lateness, lang),
                row.critical,
                row.total_slack,
                row.due,
                row.baseline_start,
                row.baseline_finish,
            ]
        )
    return out


def gantt_xlsx(data: GanttData, *, lang: str = "ja") -> bytes:
    """Write the Gantt view ``data`` as an Excel 工程表 (xlsx bytes).

    Args:
        data: the Gantt view (:func:`aomori_roadmap.views.gantt.gantt_data`).
        lang: ``ja`` or ``en`` for sheet names, headers and labels; plan text stays as written.

    Raises:
        PlanError: an unknown ``lang`` (a ``ValueError``).

    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> data = gantt_data(plan, schedule(plan))
    >>> gantt_xlsx(data)[:2], gantt_xlsx(data) == gantt_xlsx(data)
    (b'PK', True)
    """
    with using_language(check_language(lang)):
        return _gantt_book(data, lang)


def _gantt_book(data: GanttData, lang: str) -> bytes:
    sheets = _sheet_names()
    book = Workbook()
    drawn = book.active
    assert drawn is not None  # a new workbook always has its first sheet
    drawn.title = sheets[0]
    _drawn_sheet(drawn, data, lang)

    tasks = book.create_sheet(sheets[1])
    _table(tasks, _task_header(), _task_rows(data, lang),
           (16, 18, 30, 12, 28, 30, 12, 11, 11, 15, 15, 9, 9, 7, 9, 9, 9, 11, 13, 13))  # fmt: skip
    for r in range(2, tasks.max_row + 1):
        tasks.cell(row=r, column=14).number_format = "0%"

    names = {row.id: row.name for row in data.rows}
    links = [
        [link.from_, names.get(link.from_), link.to, names.get(link.to), link.type, link.lag,
         link.lag_days]
        for link in data.links
    ]  # fmt: skip
    _table(book.create_sheet(sheets[2]), _link_header(), links, (28, 30, 28, 30, 7, 9, 12))

    markers = [
        [marker.cycle, marker.kind, marker.label(lang), marker.date, _in_era(marker.date)]
        for marker in data.markers
    ]
    _table(book.create_sheet(sheets[3]), _marker_header(), markers, (12, 14, 30, 11, 16))
    return save_workbook(book, data.as_of)


class _StampedZip(zipfile.ZipFile):
    """A zip file whose every entry gets one fixed time stamp and mode, in the order written.

    openpyxl stamps each entry with the clock (``writestr``) or a temporary file's time
    (``write``, for write-only sheets): both are given the fixed stamp instead, in one pass.
    """

    def __init__(self, file: BytesIO, stamp: tuple[int, int, int, int, int, int]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.stamp = stamp

    def _entry(self, name: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o600 << 16
        return entry

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = (
            zinfo_or_arcname.filename
            if isinstance(zinfo_or_arcname, zipfile.ZipInfo)
            else zinfo_or_arcname
        )
        super().writestr(self._entry(name), data)

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = str(arcname if arcname is not None else filename)
        with open(filename, "rb") as source, self.open(self._entry(name), "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def save_workbook(book: Workbook, as_of: dt.date | None) -> bytes:
    """The bytes of ``book`` (normal or write-only), the same for the same content.

    The document's creator is ``aomori_roadmap`` and its created and modified times are
    ``as_of`` (or 2000-01-01); every zip entry is stamped with that day too, in the years a
    zip file can hold (1980–2107). A write-only workbook can be saved only once.

    >>> book = Workbook()
    >>> save_workbook(book, dt.date(2025, 4, 1)) == save_workbook(book, dt.date(2025, 4, 1))
    True
    """
    moment = dt.datetime(as_of.year, as_of.month, as_of.day) if as_of else _EPOCH
    book.properties.creator = "aomori_roadmap"
    book.properties.lastModifiedBy = "aomori_roadmap"
    book.properties.created = book.properties.modified = moment
    stamp = (min(max(moment.year, 1980), 2107), moment.month, moment.day, 0, 0, 0)
    raw = BytesIO()
    with _StampedZip(raw, stamp) as archive:
        ExcelWriter(book, archive).save()
    return raw.getvalue()


# --- the annual progress report -------------------------------------------------------------
# Its words, made in the language chosen now.


def _initiative_header() -> tuple[str, ...]:
    return (
        _("Item"), _("Initiative ID"), _("Initiative"), _("Department"), _("Status"),
        _("Progress (%)"), _("Lateness"), _("Start"), _("Finish"),
        pgettext("count column", "Tasks"), _("Tasks done"), _("Tasks late"), _("Tasks at risk"),
        _("Change"),
    )  # fmt: skip


def _rating_header(cycle: str) -> tuple[str, str]:
    return (
        _("{cycle} self-assessment").format(cycle=cycle),
        _("{cycle} office rating").format(cycle=cycle),
    )


def _kpi_header() -> tuple[str, ...]:
    return (
        _("KPI ID"), _("KPI"), _("Unit"), _("Direction"), _("Baseline FY"),
        pgettext("kpi", "Baseline"), _("Target FY"), _("Target"), _("Actual"), _("Expected"),
        _("Rate (%)"), _("Status"), _("Source"),
    )  # fmt: skip


def _slipped_header() -> tuple[str, ...]:
    return (_("Initiative"), _("Task ID"), _("Task"), _("Planned start"), _("Planned finish"),
            _("Current start"), _("Current finish"), _("Slip (working days)"))  # fmt: skip


def _change_header() -> tuple[str, ...]:
    return (_("Mark"), _("Kind"), "ID", pgettext("name column", "Name"), _("Details"))


def _milestone_header() -> tuple[str, ...]:
    return (_("Date"), _("Initiative"), _("Task ID"), _("Milestone"), _("Status"))


def _direction(direction: str) -> str:
    """Which way a KPI should go: up or down (増やす, 減らす)."""
    if direction == "up":
        return pgettext("KPI direction", "up")
    return pgettext("KPI direction", "down")


def _kind(kind: str) -> str:
    """What changed: an initiative or a task."""
    return _("Initiative") if kind == "initiative" else _("Task")


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters."""
    # What stands for a character a sheet name cannot hold: ・ in Japanese.
    forbidden = str.maketrans(dict.fromkeys("[]:*?/\\", pgettext("in a sheet name", "-")))
    base = (clean(name).translate(forbidden).strip("'") or "Sheet")[:31]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def report_xlsx(report: AnnualReport, *, lang: str = "ja") -> bytes:
    """Write the annual report (:func:`~aomori_roadmap.export.report.annual_report`) as xlsx.

    One sheet per field (分野) with a row per initiative, then the KPI table, the slipped
    tasks, the changes since the previous report and the next year's milestones: plain
    tables, one value per cell, numbers as numbers and dates as dates. A value that is not
    set is written as the text ``未設定`` (``not set``).

    >>> from datetime import date
    >>> from io import BytesIO
    >>> from openpyxl import load_workbook
    >>> from aomori_roadmap.export.report import annual_report
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> report = annual_report(take_snapshot(default_plan(), as_of=date(2025, 3, 31)), [], [],
    ...     fy=2024)
    >>> load_workbook(BytesIO(report_xlsx(report))).sheetnames[:4]
    ['産業・しごと', '暮らし・まち', '行政経営', '成果指標']
    """
    with using_language(check_language(lang)):
        return _report_book(report, lang)


def _report_book(report: AnnualReport, lang: str) -> bytes:
    unset, no_item = _("not set"), _("No item")
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    taken: set[str] = set()
    ratings = [
        label for code in report.cycles for label in _rating_header(parse_period(code).label(lang))
    ]
    for field in report.fields:
        rows: list[list[Any]] = []
        for item in field.items:
            item_name = item.name or no_item
            if not item.initiatives:
                rows.append([item_name])
            for i in item.initiatives:
                reviews = [rating for r in i.reviews for rating in (r.own_rating, r.office)]
                rows.append(
                    [item_name, i.id, i.name, i.department_name, _label(Status, i.status, lang),
                     i.progress, _label(Lateness, i.lateness, lang), i.start, i.finish, i.tasks,
                     i.tasks_done, i.late, i.at_risk, mark_label(i.change) if i.change else None,
                     *reviews]
                )  # fmt: skip
        sheet = book.create_sheet(_sheet_name(field.name or no_item, taken))
        widths = (20, 22, 48, 14, 9, 9, 9, 11, 11, 7, 9, 9, 9, 7, *(12 for _ in ratings))
        _table(sheet, [*_initiative_header(), *ratings], rows, widths)

    def value(number: float | None) -> float | str:
        return unset if number is None else number

    kpis = [
        [k.id, k.name, k.unit, _direction(k.direction), k.baseline_fy, value(k.baseline),
         k.target_fy, value(k.target),
         k.mark.label(lang) if k.mark is not None else value(k.actual),
         value(k.expected), value(k.rate),
         k.status.label(lang), k.source]
        for k in report.kpis
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(pgettext("sheet", "KPIs"), taken))
    _table(sheet, _kpi_header(), kpis, (26, 48, 8, 8, 10, 10, 10, 10, 10, 10, 11, 9, 24))
    slipped = [
        [s.initiative_name, s.ref, s.name, s.planned_start, s.planned_finish, s.start, s.finish,
         s.days]
        for s in report.slipped
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(_("Slipped tasks"), taken))
    _table(sheet, _slipped_header(), slipped, (40, 28, 30, 11, 11, 11, 11, 12))
    changes = [
        [mark_label(c.mark), _kind(c.kind), c.ref, c.name,
         "; ".join(f"{d.what}: {d.before} → {d.after}" for d in c.details) or None]
        for c in report.changes or ()
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(pgettext("sheet", "Changes"), taken))
    _table(sheet, _change_header(), changes, (8, 8, 28, 40, 50))
    milestones = [
        [m.date, m.initiative_name, m.ref, m.name, _label(Status, m.status, lang)]
        for m in report.next_milestones
    ]
    sheet = book.create_sheet(_sheet_name(_("Next year's milestones"), taken))
    _table(sheet, _milestone_header(), milestones, (11, 40, 28, 30, 9))
    return save_workbook(book, report.as_of)


# --- the roll-up of many plans --------------------------------------------------------------


def rollup_xlsx(found: Rollup, *, lang: str = "ja") -> bytes:
    """Write the roll-up of many plans (:func:`~aomori_roadmap.views.rollup.rollup`) as xlsx:
    a sheet with a row per plan and the totals, and one with the review submissions per cycle.

    >>> from io import BytesIO
    >>> from openpyxl import load_workbook
    >>> from aomori_roadmap.views.rollup import Rollup
    >>> empty = Rollup(dt.date(2025, 3, 31), [], {}, {}, {}, {}, [])
    >>> load_workbook(BytesIO(rollup_xlsx(empty))).sheetnames
    ['プラン別', '見直しの提出']
    """
    with using_language(check_language(lang)):
        tables = rollup_tables(found, lang)
        book = Workbook()
        first = book.active
        assert first is not None
        first.title = pgettext("sheet", "Plans")
        # Through _table: plan names and owners are user text, kept text (never a formula).
        _table(first, tables.plan_header, tables.plans, [18] * len(tables.plan_header))
        reviews = book.create_sheet(pgettext("sheet", "Review submissions"))
        _table(reviews, tables.review_header, tables.reviews, [18] * len(tables.review_header))
        return save_workbook(book, found.as_of)
