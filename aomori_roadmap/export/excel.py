"""The Excel 工程表: a drawn Gantt sheet and plain data sheets, from the Gantt JSON.

The only module that knows openpyxl. :func:`gantt_xlsx` reads the dict of
:func:`aomori_roadmap.export.gantt.gantt_data` and writes four sheets:

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
import zipfile
from collections.abc import Iterator, Mapping, Sequence
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
from aomori_roadmap.engine.kpi import KpiStatus
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.report import MARKS
from aomori_roadmap.export.svg import clean

__all__ = ["gantt_xlsx", "report_xlsx"]

_WORDS: dict[str, dict[str, Any]] = {
    "ja": {
        "sheets": ("工程表", "工程データ", "依存関係", "見直し日程"),
        "title": "{name} ロードマップ工程表",
        "as_of": "基準日 {date}（{wareki}）",
        "baseline": "ベースライン「{name}」",
        "labels": ("分野・項目・取組・工程", "担当課", "開始", "終了", "状況"),
        "reviews": "半期見直し（●見直し会議　◎年次報告）",
        "as_of_mark": "▼基準日",
        "month": "{m}月",
        "task": ("作業", "マイルストーン"),
        "data": (
            "分野", "項目", "取組", "担当課", "工程ID", "工程名", "種別", "開始日", "終了日",
            "開始（和暦）", "終了（和暦）", "勤務日数", "状況", "進捗", "遅延", "クリティカル",
            "余裕日数", "期限", "ベースライン開始", "ベースライン終了",
        ),
        "links": ("先行工程ID", "先行工程名", "後続工程ID", "後続工程名", "種類", "ラグ", "ラグ（勤務日）"),
        "markers": ("サイクル", "種類", "名称", "日付", "日付（和暦）"),
        "legend": ("未着手", "実施中", "完了", "保留", "中止", "進捗", "遅延", "要注意", "クリティカル"),
    },
    "en": {
        "sheets": ("Gantt", "Tasks", "Links", "Reviews"),
        "title": "{name}: roadmap Gantt chart",
        "as_of": "As of {date} ({wareki})",
        "baseline": "baseline “{name}”",
        "labels": ("Field / item / initiative / task", "Department", "Start", "Finish", "Status"),
        "reviews": "Half-year reviews (● review meeting, ◎ annual report)",
        "as_of_mark": "▼As of",
        "month": "{m}",
        "task": ("Task", "Milestone"),
        "data": (
            "Field", "Item", "Initiative", "Department", "Task ID", "Task", "Kind", "Start",
            "Finish", "Start (wareki)", "Finish (wareki)", "Working days", "Status", "Progress",
            "Lateness", "Critical", "Total slack", "Due", "Baseline start", "Baseline finish",
        ),
        "links": ("From ID", "From", "To ID", "To", "Type", "Lag", "Lag (working days)"),
        "markers": ("Cycle", "Kind", "Name", "Date", "Date (wareki)"),
        "legend": (
            "Planned", "In progress", "Done", "On hold", "Cancelled", "Progress", "Late",
            "At risk", "Critical",
        ),
    },
}  # fmt: skip

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


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


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


def _ancestors(
    rows: Sequence[Mapping[str, Any]],
) -> Iterator[tuple[Mapping[str, Any], dict[str, str]]]:
    """Each task row with the names of its field, item and initiative and its department."""
    by_id = {row.get("id"): row for row in rows}
    for row in rows:
        if row.get("kind") in ("field", "item", "initiative"):
            continue
        found: dict[str, str] = {}
        parent = by_id.get(row.get("parent"))
        while parent is not None:
            found[str(parent.get("kind"))] = str(parent.get("name") or "")
            if parent.get("kind") == "initiative":
                found["department"] = str(parent.get("department_name") or "")
            parent = by_id.get(parent.get("parent"))
        yield row, found


# --- the drawn sheet ------------------------------------------------------------------------


def _drawn_header(
    ws: Worksheet, data: Mapping[str, Any], lang: str, months: Sequence[dt.date]
) -> None:
    """Title, as-of, legend, the fiscal-year / half / month header and the review lane label."""
    w, plan = _WORDS[lang], data.get("plan") or {}
    _set(ws, 1, 1, w["title"].format(name=plan.get("name") or plan.get("id") or "")).font = Font(
        bold=True, size=14
    )
    as_of = _date(data.get("as_of"))
    notes = []
    if as_of is not None:
        notes.append(w["as_of"].format(date=as_of.isoformat(), wareki=format_wareki(as_of)))
    if data.get("baseline"):
        notes.append(w["baseline"].format(name=data["baseline"]))
    if notes:
        _set(ws, 2, 1, "　".join(notes))
    # The legend: a coloured cell, then its label spilling over the empty cells to its right.
    colours = [_FILLS[s][0] for s in _FILLS] + [
        _FILLS["in_progress"][1],
        "FFFFFF",
        "FFFFFF",
        "FFFFFF",
    ]
    edges = [None] * 6 + [_LATE, _RISK, _CRITICAL]
    for n, (label, colour, edge) in enumerate(zip(w["legend"], colours, edges, strict=True)):
        column = _LABEL_COLUMNS + 1 + n * 6
        cell = _set(ws, 3, column, None)
        cell.fill = _fill(colour)
        side = Side(style="medium", color=edge) if edge else _THIN
        cell.border = Border(left=side, right=side, top=side, bottom=side)
        _set(ws, 3, column + 1, label).font = Font(size=9)

    for column, label in enumerate(w["labels"], start=1):
        cell = _set(ws, 7, column, label)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
    _set(ws, 8, 1, w["reviews"]).font = Font(size=9, bold=True)
    first = _LABEL_COLUMNS + 1
    scale = data["scale"]
    for fy in scale.get("fiscal_years") or []:
        year, wareki = str(fy.get("code", "")).removeprefix("FY"), fy.get("wareki") or ""
        if lang == "ja":
            _merged(ws, 5, months, fy, f"{year}年度（{wareki}）")
        else:
            _merged(ws, 5, months, fy, f"{fy.get('label_en') or fy.get('code')} ({wareki})")
    for half in scale.get("halves") or []:
        label = half.get("short_ja") if lang == "ja" else str(half.get("code", ""))[-2:]
        _merged(ws, 6, months, half, str(label or ""))
    for n, month in enumerate(months):
        cell = _set(ws, 7, first + n, w["month"].format(m=month.month))
        cell.font, cell.fill, cell.alignment = Font(size=9), _HEAD_FILL, _CENTER
    if as_of is not None and months[0] <= as_of <= _month_end(months[-1]):
        column = first + _month_index(months, as_of)
        mark = _set(ws, 4, column, w["as_of_mark"])
        mark.font = Font(bold=True, color=_AS_OF, size=9)
        month_cell = ws.cell(row=7, column=column)
        month_cell.fill, month_cell.font = _fill(_AS_OF), Font(bold=True, color="FFFFFF", size=9)


def _month_end(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - dt.timedelta(days=1)


def _merged(
    ws: Worksheet, row: int, months: Sequence[dt.date], period: Mapping[str, Any], label: str
) -> None:
    """A header cell over the months of ``period`` (merged: this is the drawn sheet)."""
    start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    if end < months[0] or start > _month_end(months[-1]):
        return
    a = _LABEL_COLUMNS + 1 + _month_index(months, start)
    b = _LABEL_COLUMNS + 1 + _month_index(months, end)
    cell = _set(ws, row, a, label)
    cell.font, cell.fill, cell.alignment = _BOLD, _HEAD_FILL, _CENTER
    cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    if b > a:
        ws.merge_cells(start_row=row, start_column=a, end_row=row, end_column=b)


def _drawn_row(
    ws: Worksheet, r: int, row: Mapping[str, Any], months: Sequence[dt.date], lang: str
) -> None:
    kind = str(row.get("kind") or "task")
    level = int(row.get("level") or 0)
    name = _set(ws, r, 1, row.get("name") or row.get("id") or "")
    name.alignment = _indent(level * 2)
    start, finish = _date(row.get("start")), _date(row.get("finish"))
    first = _LABEL_COLUMNS + 1
    if kind in ("field", "item", "initiative"):
        name.font = _font(bold=kind != "initiative", size=12 if kind == "field" else 11)
        if kind in _BANDS:
            for column in range(1, first + len(months)):
                ws.cell(row=r, column=column).fill = _fill(_BANDS[kind])
        _set(ws, r, 2, row.get("department_name"))
        if start is not None and finish is not None and start <= _month_end(months[-1]):
            line = _border(bottom=_side("thick", _SUMMARY[kind]))
            for n in range(_month_index(months, start), _month_index(months, finish) + 1):
                ws.cell(row=r, column=first + n).border = line
        return
    status = str(row.get("status") or "planned")
    status = status if status in _FILLS else "planned"
    lateness = row.get("lateness")
    colour = {"late": _LATE, "at_risk": _RISK}.get(str(lateness))
    state = _label(Status, status, lang) or ""
    progress = max(0, min(100, int(row.get("progress") or 0)))
    if progress and status not in ("done", "cancelled"):
        state += f" {progress}%"
    if lateness:
        state += ("・" if lang == "ja" else ", ") + (_label(Lateness, lateness, lang) or "")
    if colour:
        name.font = _font(colour=colour)
    _set(ws, r, 3, start)
    _set(ws, r, 4, finish)
    _set(ws, r, 5, state).font = _font(colour=colour or "374151", bold=bool(colour))
    if start is None or finish is None or start > _month_end(months[-1]):
        return  # no dates, or beyond the months the sheet can draw
    a, b = _month_index(months, start), _month_index(months, finish)
    if row.get("milestone"):
        cell = _set(ws, r, first + b, "▲")
        cell.alignment = _CENTER
        cell.font = _font(bold=True, colour=colour or ("2F8A4B" if status == "done" else "2B4A75"))
        return
    edge_colour = colour or (_CRITICAL if row.get("critical") else None)
    style: Literal["medium", "thin"] = "medium" if row.get("critical") or colour else "thin"
    edge = _side(style, edge_colour or "8B9CB2")
    done = round((b - a + 1) * progress / 100) if status != "cancelled" else 0
    bar, filled = _fill(_FILLS[status][0]), _fill(_FILLS[status][1])
    for n in range(a, b + 1):
        cell = ws.cell(row=r, column=first + n)
        cell.fill = filled if n - a < done else bar
        cell.border = _border(edge, edge, edge if n == a else None, edge if n == b else None)


def _drawn_sheet(ws: Worksheet, data: Mapping[str, Any], lang: str) -> None:
    scale = data["scale"]
    months = _months(dt.date.fromisoformat(scale["start"]), dt.date.fromisoformat(scale["finish"]))
    del months[_MONTH_COLUMNS:]
    _drawn_header(ws, data, lang, months)
    first = _LABEL_COLUMNS + 1
    for marker in data.get("markers") or []:
        day = _date(marker.get("date"))
        glyph = {"meeting": "●", "annual_report": "◎"}.get(str(marker.get("kind")))
        if day is None or glyph is None or not months[0] <= day <= _month_end(months[-1]):
            continue
        cell = _set(ws, 8, first + _month_index(months, day), glyph)
        cell.alignment = _CENTER
        cell.font = _font(colour="7B4FC9" if glyph == "●" else "0F8A8A", size=9)
    for offset, row in enumerate(data.get("rows") or []):
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


def _task_rows(data: Mapping[str, Any], lang: str) -> list[list[Any]]:
    kinds = _WORDS[lang]["task"]
    out = []
    for row, up in _ancestors(data.get("rows") or []):
        start, finish = _date(row.get("start")), _date(row.get("finish"))
        status = row.get("status") or "planned"
        out.append(
            [
                up.get("field"),
                up.get("item"),
                up.get("initiative"),
                up.get("department") or None,
                row.get("id"),
                row.get("name"),
                kinds[1] if row.get("milestone") else kinds[0],
                start,
                finish,
                format_wareki(start) if start else None,
                format_wareki(finish) if finish else None,
                row.get("duration_days"),
                _label(Status, status, lang),
                max(0, min(100, int(row.get("progress") or 0))) / 100,
                _label(Lateness, row.get("lateness"), lang),
                bool(row.get("critical")),
                row.get("total_slack"),
                _date(row.get("due")),
                _date(row.get("baseline_start")),
                _date(row.get("baseline_finish")),
            ]
        )
    return out


def gantt_xlsx(data: Mapping[str, Any], *, lang: str = "ja") -> bytes:
    """Write the Gantt JSON ``data`` as an Excel 工程表 (xlsx bytes).

    Args:
        data: the dict of :func:`aomori_roadmap.export.gantt.gantt_data`.
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
    if lang not in _WORDS:
        raise PlanError(f"ラベルの言語 {lang!r} は使えません。使える言語: ja, en")
    w = _WORDS[lang]
    book = Workbook()
    drawn = book.active
    assert drawn is not None  # a new workbook always has its first sheet
    drawn.title = w["sheets"][0]
    _drawn_sheet(drawn, data, lang)

    tasks = book.create_sheet(w["sheets"][1])
    _table(tasks, w["data"], _task_rows(data, lang),
           (16, 18, 30, 12, 28, 30, 12, 11, 11, 15, 15, 9, 9, 7, 9, 9, 9, 11, 13, 13))  # fmt: skip
    for r in range(2, tasks.max_row + 1):
        tasks.cell(row=r, column=14).number_format = "0%"

    names = {row.get("id"): row.get("name") for row in data.get("rows") or []}
    links = [
        [link.get("from"), names.get(link.get("from")), link.get("to"), names.get(link.get("to")),
         link.get("type"), link.get("lag"), link.get("lag_days")]
        for link in data.get("links") or []
    ]  # fmt: skip
    _table(book.create_sheet(w["sheets"][2]), w["links"], links, (28, 30, 28, 30, 7, 9, 12))

    markers = []
    for marker in data.get("markers") or []:
        day = _date(marker.get("date"))
        label = marker.get("label_" + lang) or marker.get("label_ja")
        markers.append(
            [marker.get("cycle"), marker.get("kind"), label, day, day and format_wareki(day)]
        )
    _table(book.create_sheet(w["sheets"][3]), w["markers"], markers, (12, 14, 30, 11, 16))
    return _save(book, _date(data.get("as_of")))


def _save(book: Workbook, as_of: dt.date | None) -> bytes:
    """The workbook's bytes, with fixed document times and zip time stamps."""
    moment = dt.datetime(as_of.year, as_of.month, as_of.day) if as_of else _EPOCH
    book.properties.creator = "aomori_roadmap"
    book.properties.lastModifiedBy = "aomori_roadmap"
    book.properties.created = book.properties.modified = moment
    raw = BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    # openpyxl stamps each zip entry with the clock: copy them with one fixed stamp, in the
    # years a zip file can hold (1980–2107).
    fixed = BytesIO()
    stamp = (min(max(moment.year, 1980), 2107), moment.month, moment.day, 0, 0, 0)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            out.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


# --- the annual progress report -------------------------------------------------------------

_REPORT_WORDS: dict[str, dict[str, Any]] = {
    "ja": {
        "initiatives": ("項目", "取組ID", "取組", "担当課", "状況", "進捗（%）", "遅延", "開始",
                        "終了", "工程数", "完了した工程", "遅延の工程", "要注意の工程", "変更"),
        "ratings": ("{cycle} 自己評価", "{cycle} 県の評価"),
        "kpi_sheet": "成果指標",
        "kpis": ("成果指標ID", "成果指標", "単位", "方向", "基準年度", "基準値", "目標年度",
                 "目標値", "実績", "見込み値", "達成率（%）", "状況", "出典"),
        "slipped_sheet": "遅れた工程",
        "slipped": ("取組", "工程ID", "工程", "基準の開始", "基準の終了", "現在の開始",
                    "現在の終了", "遅れ（勤務日）"),
        "changes_sheet": "前回からの変更",
        "changes": ("区分", "種類", "ID", "名称", "内容"),
        "milestones_sheet": "次年度マイルストーン",
        "milestones": ("日付", "取組", "工程ID", "マイルストーン", "状況"),
        "no_item": "項目未設定", "unset": "未設定", "up": "増やす", "down": "減らす",
        "kinds": {"initiative": "取組", "task": "工程"},
    },
    "en": {
        "initiatives": ("Item", "Initiative ID", "Initiative", "Department", "Status",
                        "Progress (%)", "Lateness", "Start", "Finish", "Tasks", "Tasks done",
                        "Tasks late", "Tasks at risk", "Change"),
        "ratings": ("{cycle} self-assessment", "{cycle} office rating"),
        "kpi_sheet": "KPIs",
        "kpis": ("KPI ID", "KPI", "Unit", "Direction", "Baseline FY", "Baseline", "Target FY",
                 "Target", "Actual", "Expected", "Rate (%)", "Status", "Source"),
        "slipped_sheet": "Slipped tasks",
        "slipped": ("Initiative", "Task ID", "Task", "Planned start", "Planned finish",
                    "Current start", "Current finish", "Slip (working days)"),
        "changes_sheet": "Changes",
        "changes": ("Mark", "Kind", "ID", "Name", "Details"),
        "milestones_sheet": "Next year's milestones",
        "milestones": ("Date", "Initiative", "Task ID", "Milestone", "Status"),
        "no_item": "No item", "unset": "not set", "up": "up", "down": "down",
        "kinds": {"initiative": "Initiative", "task": "Task"},
    },
}  # fmt: skip

_SHEET_FORBIDDEN = str.maketrans({c: "・" for c in "[]:*?/\\"})


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = (clean(name).translate(_SHEET_FORBIDDEN).strip("'") or "Sheet")[:31]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def report_xlsx(report: Mapping[str, Any], *, lang: str = "ja") -> bytes:
    """Write the annual report (:func:`~aomori_roadmap.export.report.annual_report`) as xlsx.

    One sheet per field (分野) with a row per initiative, then the KPI table, the slipped
    tasks, the changes since the previous report and the next year's milestones: plain
    tables, one value per cell, numbers as numbers and dates as dates. A value that is not
    set is written as the text ``未設定``.

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
    if lang not in _REPORT_WORDS:
        raise PlanError(f"ラベルの言語 {lang!r} は使えません。使える言語: ja, en")
    w = _REPORT_WORDS[lang]
    unset = w["unset"]
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    taken: set[str] = set()
    ratings = [
        label.format(cycle=parse_period(code).label(lang))
        for code in report["cycles"]
        for label in w["ratings"]
    ]
    for field in report["fields"]:
        rows = []
        for item in field["items"]:
            item_name = item["name"] or w["no_item"]
            if not item["initiatives"]:
                rows.append([item_name])
            for i in item["initiatives"]:
                reviews = [r[key] for r in i["reviews"] for key in ("self", "office")]
                rows.append(
                    [item_name, i["id"], i["name"], i["department_name"],
                     _label(Status, i["status"], lang), i["progress"],
                     _label(Lateness, i["lateness"], lang), _date(i["start"]), _date(i["finish"]),
                     i["tasks"], i["tasks_done"], i["late"], i["at_risk"],
                     MARKS[lang][i["change"]] if i["change"] else None, *reviews]
                )  # fmt: skip
        sheet = book.create_sheet(_sheet_name(field["name"] or w["no_item"], taken))
        widths = (20, 22, 48, 14, 9, 9, 9, 11, 11, 7, 9, 9, 9, 7, *(12 for _ in ratings))
        _table(sheet, [*w["initiatives"], *ratings], rows, widths)

    def value(number: Any) -> Any:
        return unset if number is None else number

    kpis = [
        [k["id"], k["name"], k["unit"], w[k["direction"]], k["baseline_fy"], value(k["baseline"]),
         k["target_fy"], value(k["target"]), value(k["actual"]), value(k["expected"]),
         value(k["rate"]), KpiStatus(k["status"]).label(lang), k["source"]]
        for k in report["kpis"]
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(w["kpi_sheet"], taken))
    _table(sheet, w["kpis"], kpis, (26, 48, 8, 8, 10, 10, 10, 10, 10, 10, 11, 9, 24))
    slipped = [
        [s["initiative_name"], s["ref"], s["name"], _date(s["planned_start"]),
         _date(s["planned_finish"]), _date(s["start"]), _date(s["finish"]), s["days"]]
        for s in report["slipped"]
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(w["slipped_sheet"], taken))
    _table(sheet, w["slipped"], slipped, (40, 28, 30, 11, 11, 11, 11, 12))
    changes = [
        [MARKS[lang][c["mark"]], w["kinds"][c["kind"]], c["ref"], c["name"],
         "; ".join(f"{d['what']}: {d['before']} → {d['after']}" for d in c["details"]) or None]
        for c in report["changes"] or []
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(w["changes_sheet"], taken))
    _table(sheet, w["changes"], changes, (8, 8, 28, 40, 50))
    milestones = [
        [_date(m["date"]), m["initiative_name"], m["ref"], m["name"],
         _label(Status, m["status"], lang)]
        for m in report["next_milestones"]
    ]  # fmt: skip
    sheet = book.create_sheet(_sheet_name(w["milestones_sheet"], taken))
    _table(sheet, w["milestones"], milestones, (11, 40, 28, 30, 9))
    return _save(book, _date(report.get("as_of")))
