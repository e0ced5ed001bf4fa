"""Our own fiscal-year Gantt chart: inline SVG, alone or in a self-contained HTML page.

The input is the Gantt view of :func:`aomori_roadmap.views.gantt.gantt_data` (typed rows,
``start`` and ``finish`` inclusive). The chart draws fiscal-year columns split into
上期/下期 and labelled in 西暦 and 和暦; rows grouped by field, item and initiative with summary
bars; task bars coloured by status with the progress inside, red or amber outlines for late
and at-risk work and a heavy outline on the critical path; ▲ milestones, ▽ due dates, thin
baseline bars, dependency arrows, the review-cycle dates, the as-of line, a legend and a title.

A dependency between rows far apart (more than :data:`FAR_ROWS` rows) is drawn as a short
arrow into its successor, tailed by a small circle and naming its predecessor in the tooltip:
hundreds of connectors running the height of a big chart would hide the bars. Links of the
critical path are always drawn in full.

Nothing is measured from a browser: text widths are estimated (see :mod:`.svg`) and every
number is written with at most one decimal, so the same data gives the same bytes. Every text
from the plan is cleaned of control characters and escaped. The page needs no JavaScript, no
network and no file other than itself; its Content-Security-Policy forbids all three.

>>> from aomori_roadmap.export.gantt import gantt_data
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> data = gantt_data(plan, schedule(plan), initiative="sangyo-dx-sales")
>>> svg = render_svg(data)
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.count('<g class="task"')
(True, 5)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from aomori_roadmap.calendar import format_wareki
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import check_language
from aomori_roadmap.export.svg import (
    DEFS,
    LEGEND_ROW,
    MILESTONE,
    PAGE_STYLE,
    STATUS_COLOURS,
    STUB,
    STYLE,
    clean,
    connector,
    ellipsize,
    esc,
    esc_label,
    legend,
    legend_layout,
    num,
    text_width,
    title_of,
    tooltip,
)
from aomori_roadmap.i18n import _, language, pgettext, using_language
from aomori_roadmap.views.gantt import (
    FiscalYearColumn,
    GanttData,
    HalfColumn,
    InitiativeRow,
    Row,
    Scale,
    TaskRow,
    short_half_label,
)

__all__ = ["FAR_ROWS", "render_html", "render_svg"]

FAR_ROWS = 24
"""Rows between a predecessor and its successor beyond which a link is drawn as a short stub."""

# Geometry, in pixels.
_PAD = 16
_NAME_W = 380  # the label column: field, item, initiative and task names
_INFO_W = 120  # department of an initiative; status of a task
_HALF_W = 112  # default width of a half-year column
_MIN_TIMELINE = 880
_ROW_H = {"field": 26, "item": 24, "initiative": 24}
_TASK_H = 22
_INDENT = 14
_TITLE_H = 52
_TAG_H = 22  # the band above the header holding the as-of tag
_FY_H = 36
_HALF_H = 20
_STRIP_H = 26  # the review-cycle lane
_FAR_RUN = 18  # length of the stub of a far link
_PAGE_MM = (404, 281)  # the printable area of A3 landscape inside the page's 8 mm margins


@lru_cache(maxsize=256)
def _status_label(code: str, lang: str) -> str:
    try:
        return Status(code).label(lang)
    except ValueError:
        return clean(code)


@lru_cache(maxsize=256)
def _lateness_label(code: str, lang: str) -> str:
    try:
        return Lateness(code).label(lang)
    except ValueError:
        return clean(code)


class _Words(NamedTuple):
    """The chart's words for each task, translated once per language."""

    span: str
    days: str
    critical: str
    slack: str
    due: str
    baseline: str
    lateness_separator: str


@lru_cache(maxsize=4)
def _words(lang: str) -> _Words:  # lang: the cache's key; the words come in the language now
    return _Words(
        span=_("{start} – {finish}"),
        days=_("{n} working days"),
        critical=_("Critical path"),
        slack=_("slack {n} working days"),
        due=_("Due"),
        baseline=pgettext("gantt", "Baseline"),
        lateness_separator=pgettext("separator of a status and its lateness", ", "),
    )


def _both(day: dt.date) -> str:
    """``2024-04-01``, in Japanese with its 和暦 ``2024-04-01（令和6年4月1日）``: for tooltips."""
    return _dated(day, language())


@lru_cache(maxsize=8192)
def _dated(day: dt.date, lang: str) -> str:  # lang: the cache's key, with the day
    return pgettext("date with its wareki", "{date}").format(
        date=day.isoformat(), wareki=format_wareki(day)
    )


@lru_cache(maxsize=65536)
def _span_line(start: dt.date, finish: dt.date, lang: str) -> str:  # lang: the cache's key
    """A task's dates as its tooltip shows them, escaped."""
    return esc(_words(lang).span.format(start=_dated(start, lang), finish=_dated(finish, lang)))


@lru_cache(maxsize=4096)
def _count_line(words: str, n: int) -> str:  # words: the translated line, the cache's key
    """A line with a count of working days (a duration, a slack), escaped."""
    return esc(words.format(n=n))


def _title(name: str) -> str:
    return _("{name}: roadmap Gantt chart").format(name=name)


def _as_of(day: dt.date) -> str:
    # The Japanese adds the date's wareki: 基準日 2025-10-01（令和7年10月1日）.
    return _("As of {date}").format(date=day.isoformat(), wareki=format_wareki(day))


def _span(start: object, finish: object) -> str:
    return _("{start} – {finish}").format(start=start, finish=finish)


def _outline(row: TaskRow) -> str:
    """The outline classes of a task: critical, late or at risk; empty when none applies."""
    classes = ["crit"] if row.critical else []
    lateness = row.lateness
    if lateness in ("late", "at_risk"):
        classes.append("late" if lateness == "late" else "risk")
    return " ".join(classes)


@dataclass(frozen=True, slots=True)
class _Row:
    data: Row
    kind: str
    top: float
    height: float

    @property
    def mid(self) -> float:
        return self.top + self.height / 2


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where everything goes: the columns, the time axis and the horizontal bands."""

    width: float
    name_x: float
    info_x: float
    x0: float  # left edge of the timeline
    x1: float  # right edge of the timeline
    day0: int  # ordinal of the first day of the scale
    px: float  # pixels per day
    legend_top: float
    tag_top: float
    head_top: float
    strip_top: float
    body_top: float
    body_bottom: float
    height: float

    def x(self, d: dt.date) -> float:
        """The x of the start of day ``d``; the end of a day is the start of the next."""
        return self.x0 + (d.toordinal() - self.day0) * self.px

    def clamp(self, x: float) -> float:
        return min(max(x, self.x0), self.x1)


@lru_cache(maxsize=4096)
def _info_text(text: str) -> str:
    """The text of the info column, fitted and escaped (the same few states over and over)."""
    return esc(ellipsize(text, _INFO_W - 12, 11))


def _span_x(f: _Frame, period: FiscalYearColumn | HalfColumn) -> tuple[float, float]:
    return f.clamp(f.x(period.start)), f.clamp(f.x(period.end) + f.px)


@lru_cache(maxsize=64)
def _legend_rows(items: tuple[tuple[str, str], ...], room: float) -> int:
    """How many rows the legend takes."""
    return len(legend_layout(list(items), room))


@lru_cache(maxsize=64)
def _legend_svg(items: tuple[tuple[str, str], ...], room: float, x: float, y: float) -> str:
    return "\n".join(legend(legend_layout(list(items), room), x, y))


@lru_cache(maxsize=16)
def _legend_items(lang: str, has_baseline: bool, far: bool) -> tuple[tuple[str, str], ...]:
    """(kind, label) of each legend entry, in reading order (in the language now: ``lang`` is
    the cache's key)."""
    items = [("s-" + code, _status_label(code, lang)) for code in STATUS_COLOURS]
    items += [
        ("progress", _("Progress")),
        ("late", _lateness_label("late", lang)),
        ("risk", _lateness_label("at_risk", lang)),
        ("crit", _("Critical path")),
        ("milestone", _("Milestone")),
        ("due", _("Due")),
    ]
    if has_baseline:
        items.append(("baseline", pgettext("gantt", "Baseline")))
    items.append(("link", _("Dependency")))
    if far:
        items.append(("far", _("Dependency from a distant row")))
    items += [
        ("asof", _("As of")),
        ("meeting", _("Review meeting")),
        ("report", _("Annual report")),
    ]
    return tuple(items)


@lru_cache(maxsize=64)
def _header(f: _Frame, scale: Scale, lang: str) -> str:  # lang: the cache's key
    """The header: the fiscal years and halves over the timeline, the columns' names."""
    head_y = num(f.head_top + (_FY_H + _HALF_H) / 2 + 4)
    strip_y = num(f.strip_top + _STRIP_H / 2 + 4)
    head_name, head_info = _("Field / item / initiative / task"), _("Department / status")
    reviews = _("Half-year reviews")
    out = [
        '<g class="head">',
        f'<text class="hd" x="{f.name_x + 6}" y="{head_y}">{esc(head_name)}</text>',
        f'<text class="hd" x="{f.info_x + 6}" y="{head_y}">{esc(head_info)}</text>',
        f'<text class="hd" x="{f.name_x + 6}" y="{strip_y}">{esc(reviews)}</text>',
    ]
    for fy in scale.fiscal_years:
        x1, x2 = _span_x(f, fy)
        mid = num((x1 + x2) / 2)
        year = clean(fy.code).removeprefix("FY")
        # FY2024 on one line; in Japanese 2024年度, then its wareki 令和6年度 on a second.
        label = pgettext("chart header", "FY{year}").format(year=year, wareki=clean(fy.wareki))
        line1, _newline, wareki = label.partition("\n")
        if text_width(line1, 13) > x2 - x1 - 4:
            line1 = year
        out.append(f'<text class="fy" x="{mid}" y="{num(f.head_top + 16)}">{esc(line1)}</text>')
        if wareki and text_width(wareki, 11) <= x2 - x1 - 4:
            out.append(
                f'<text class="wk" x="{mid}" y="{num(f.head_top + 31)}">{esc(wareki)}</text>'
            )
    for half in scale.halves:
        x1, x2 = _span_x(f, half)
        label = short_half_label(clean(half.code))
        if label and text_width(label, 11) <= x2 - x1 - 2:
            y = num(f.head_top + _FY_H + 14)
            out.append(f'<text class="hf" x="{num((x1 + x2) / 2)}" y="{y}">{esc(label)}</text>')
    out.append("</g>")
    return "\n".join(out)


class _Chart:
    """One rendering: the document, its layout and the SVG parts drawn from them."""

    def __init__(self, data: GanttData, lang: str, width: float | None) -> None:
        self.data, self.lang = data, lang
        self.words = _words(lang)
        self.start, self.finish = data.scale.start, data.scale.finish
        self.as_of = data.as_of
        rows = data.rows
        self.has_baseline = any(
            r.baseline_start is not None for r in rows if isinstance(r, TaskRow)
        )
        self.links = self._classify_links(rows)
        self.legend_items = self._legend_items()
        self.frame, self.rows, self.legend_room = self._layout(rows, width)
        self.spans = [self._bar_span(row) for row in rows]

    def _classify_links(self, rows: tuple[Row, ...]) -> list[tuple[int, int, str, str]]:
        """(from row, to row, type, how) of each drawable link; how is plain, critical or far."""
        index = {r.id: n for n, r in enumerate(rows) if isinstance(r, TaskRow)}
        on_path = {pair for path in self.data.critical_paths for pair in pairwise(path)}
        links: list[tuple[int, int, str, str]] = []
        for link in self.data.links:
            a, b = index.get(link.from_), index.get(link.to)
            if a is None or b is None or a == b:
                continue
            critical = (link.from_, link.to) in on_path
            how = "critical" if critical else "far" if abs(a - b) > FAR_ROWS else "plain"
            links.append((a, b, link.type, how))
        return links

    def _layout(
        self, rows: tuple[Row, ...], width: float | None
    ) -> tuple[_Frame, list[_Row], float]:
        """The frame, the rows placed, and the width the legend is laid out in."""
        halves = len(self.data.scale.halves) or 2
        fixed = 2 * _PAD + _NAME_W + _INFO_W
        auto = float(max(_MIN_TIMELINE, halves * _HALF_W))
        timeline = auto if width is None else max(200.0, float(width) - fixed)
        room = fixed + timeline - 2 * _PAD
        legend_rows = _legend_rows(self.legend_items, room)
        legend_top = _PAD + _TITLE_H
        tag_top = legend_top + legend_rows * LEGEND_ROW + 6
        head_top = tag_top + _TAG_H
        strip_top = head_top + _FY_H + _HALF_H
        top = body_top = strip_top + _STRIP_H
        placed = []
        for row in rows:
            kind = row.kind
            height = _ROW_H.get(kind, _TASK_H)
            placed.append(_Row(row, kind, top, height))
            top += height
        body_bottom = top if placed else top + 40
        x0 = _PAD + _NAME_W + _INFO_W
        frame = _Frame(
            width=fixed + timeline,
            name_x=_PAD,
            info_x=_PAD + _NAME_W,
            x0=x0,
            x1=x0 + timeline,
            day0=self.start.toordinal(),
            px=timeline / max((self.finish - self.start).days + 1, 1),
            legend_top=legend_top,
            tag_top=tag_top,
            head_top=head_top,
            strip_top=strip_top,
            body_top=body_top,
            body_bottom=body_bottom,
            height=body_bottom + _PAD,
        )
        return frame, placed, room

    # --- title and legend ---------------------------------------------------------------------

    def _title(self) -> list[str]:
        plan, f = self.data.plan, self.frame
        title = _title(clean(plan.name or plan.id))
        tasks = [r.data for r in self.rows if isinstance(r.data, TaskRow)]
        milestones = sum(1 for r in tasks if r.milestone)
        as_of = self.as_of
        parts = [_as_of(as_of) if as_of else _("No as-of date")]
        if self.data.baseline:
            baseline = pgettext("gantt", "baseline “{name}”").format(name=clean(self.data.baseline))
            parts.append(baseline)
        counts = _("{tasks} tasks, {milestones} milestones")
        parts.append(counts.format(tasks=len(tasks) - milestones, milestones=milestones))
        if any(isinstance(r.data, InitiativeRow) and r.data.illustrative for r in self.rows):
            parts.append(_("Initiatives marked “example” are illustrations, not the plan's text"))
        room = f.x1 - f.name_x
        sub = ellipsize(pgettext("separator of notes", " · ").join(parts), room, 12)
        return [
            f'<text class="ttl" x="{f.name_x}" y="{_PAD + 20}">{esc(ellipsize(title, room, 20))}</text>',
            f'<text class="sub" x="{f.name_x}" y="{_PAD + 42}">{esc(sub)}</text>',
        ]

    def _legend_items(self) -> tuple[tuple[str, str], ...]:
        """(kind, label) of each legend entry, in reading order."""
        far = any(how == "far" for *_, how in self.links)
        return _legend_items(self.lang, self.has_baseline, far)

    # --- header, grid and bands -----------------------------------------------------------------

    def _header(self) -> list[str]:
        return [_header(self.frame, self.data.scale, self.lang)]

    def _backgrounds(self) -> list[str]:
        """Header shading and the bands of field and item rows."""
        f = self.frame
        full = num(f.x1 - f.name_x)
        out = [
            f'<rect class="hbg" x="{f.name_x}" y="{num(f.head_top)}" width="{full}" '
            f'height="{_FY_H + _HALF_H}"/>',
            f'<rect class="hbg2" x="{f.name_x}" y="{num(f.strip_top)}" width="{full}" '
            f'height="{_STRIP_H}"/>',
        ]
        for r in self.rows:
            if r.kind in ("field", "item"):
                cls = "band0" if r.kind == "field" else "band1"
                out.append(
                    f'<rect class="{cls}" x="{f.name_x}" y="{num(r.top)}" width="{full}" '
                    f'height="{r.height}"/>'
                )
        return out

    def _grid(self) -> list[str]:
        """Lines of halves and fiscal years, row separators and the frame of the table."""
        f, scale = self.frame, self.data.scale
        top, head, bottom = num(f.head_top + _FY_H), num(f.head_top), num(f.body_bottom)
        halves = "".join(f"M{num(_span_x(f, h)[0])} {top}V{bottom}" for h in scale.halves)
        years = "".join(f"M{num(_span_x(f, y)[0])} {head}V{bottom}" for y in scale.fiscal_years)
        seps = "".join(f"M{f.name_x} {num(r.top + r.height)}H{num(f.x1)}" for r in self.rows)
        out = [f'<path class="sep" d="{seps}"/>'] if seps else []
        if halves:
            out.append(f'<path class="grid" d="{halves}"/>')
        if years:
            out.append(f'<path class="grid fyl" d="{years}"/>')
        out.append(
            f'<path class="frame" d="M{num(f.info_x)} {head}V{bottom}M{num(f.x0)} {head}V{bottom}'
            f'M{f.name_x} {num(f.strip_top)}H{num(f.x1)}M{f.name_x} {num(f.body_top)}H{num(f.x1)}"/>'
        )
        out.append(
            f'<rect class="frame" x="{f.name_x}" y="{head}" width="{num(f.x1 - f.name_x)}" '
            f'height="{num(f.body_bottom - f.head_top)}"/>'
        )
        return out

    # --- review cycles and the as-of line -----------------------------------------------------

    def _markers(self) -> list[str]:
        f = self.frame
        lines: dict[str, list[str]] = {"meeting": [], "annual_report": []}
        out = ['<g class="reviews">']
        y = f.strip_top + _STRIP_H - 4
        for marker in self.data.markers:
            day = marker.date
            if not self.start <= day <= self.finish:
                continue
            kind = clean(marker.kind)
            x = f.x(day) + f.px / 2
            tip = tooltip(marker.label(self.lang), _both(day))
            if kind in lines:
                word = (
                    pgettext("review lane", "Review")
                    if kind == "meeting"
                    else pgettext("review lane", "Report")
                )
                lines[kind].append(f"M{num(x)} {num(f.body_top)}V{num(f.body_bottom)}")
                glyph = (
                    f'<path class="mk-{kind}" d="M{num(x - 3.5)} {num(y - 7)}H{num(x + 3.5)}'
                    f'L{num(x)} {num(y)}z"/><text class="{"ml" if kind == "meeting" else "rl"}" '
                    f'x="{num(x + 2)}" y="{num(f.strip_top + 11)}">{esc(word)}</text>'
                )
            else:
                glyph = (
                    f'<rect class="mk-{esc(kind)}" x="{num(x - 1)}" y="{num(y - 5)}" '
                    'width="2" height="5"/>'
                )
            out.append(f"<g>{tip}{glyph}</g>")
        out.append("</g>")
        drawn = [
            f'<path class="{cls}" d="{"".join(lines[kind])}"/>'
            for kind, cls in (("meeting", "mt"), ("annual_report", "rt"))
            if lines[kind]
        ]
        return drawn + out

    def _as_of_x(self) -> float | None:
        if self.as_of is None or not self.start <= self.as_of <= self.finish:
            return None
        return self.frame.x(self.as_of) + self.frame.px / 2

    def _as_of_tag(self) -> list[str]:
        """The as-of tag above the header and its line through the header, under the text."""
        f, x, as_of = self.frame, self._as_of_x(), self.as_of
        if x is None or as_of is None:
            return []
        word = _("As of")
        label = f"{word} {as_of.year}/{as_of.month}/{as_of.day}"
        tw = text_width(label, 11) + 10
        left = min(max(x - tw / 2, f.x0), f.x1 - tw)
        tip = tooltip(_as_of(as_of))
        return [
            f'<g class="asof-tag">{tip}',
            f'<path class="asof" d="M{num(x)} {num(f.tag_top + _TAG_H - 4)}V{num(f.body_top)}"/>',
            f'<rect class="asoft" x="{num(left)}" y="{num(f.tag_top + 1)}" width="{num(tw)}" '
            f'height="{_TAG_H - 5}" rx="3"/>',
            f'<text class="asofl" x="{num(left + 5)}" y="{num(f.tag_top + 14)}">{esc(label)}</text>',
            "</g>",
        ]

    def _as_of_line(self) -> list[str]:
        """The as-of line through the rows, drawn over the bars."""
        f, x = self.frame, self._as_of_x()
        if x is None:
            return []
        return [f'<path class="asof" d="M{num(x)} {num(f.body_top)}V{num(f.body_bottom)}"/>']

    # --- rows -----------------------------------------------------------------------------------

    def _bar_span(self, row: Row) -> tuple[float, float] | None:
        start, finish = row.start, row.finish
        if start is None or finish is None:
            return None
        f = self.frame
        x1, x2 = f.clamp(f.x(start)), f.clamp(f.x(finish) + f.px)
        return x1, max(x2, x1 + 2)

    def _anchor(self, index: int, at_finish: bool) -> float:
        """The x where a link leaves or reaches a task: its bar's edge, or a ▲'s side."""
        row = self.rows[index].data
        span = self.spans[index]
        if span is None:
            return self.frame.x0
        if isinstance(row, TaskRow) and row.milestone:
            return span[1] + (MILESTONE if at_finish else -MILESTONE)
        return span[1] if at_finish else span[0]

    def _label(self, r: _Row, extra: str = "") -> list[str]:
        """The name of a row, indented by level and ellipsized, with its 例示 badge."""
        f, row = self.frame, r.data
        size = 13 if r.kind == "field" else 12
        x = f.name_x + 6 + row.level * _INDENT
        room = f.info_x - x - 8
        out = []
        if isinstance(row, InitiativeRow) and row.illustrative:
            badge = _("example")
            bw = text_width(badge, 10) + 8
            room -= bw + 6
            bx = f.info_x - 6 - bw
            out.append(
                f'<rect class="badge" x="{num(bx)}" y="{num(r.mid - 7)}" width="{num(bw)}" '
                f'height="14" rx="3"/><text class="bt" x="{num(bx + 4)}" y="{num(r.mid + 3.5)}">'
                f"{esc(badge)}</text>"
            )
        name = ellipsize(clean(row.name or row.id), room, size)
        cls = " ".join(
            c
            for c in ({"field": "n0", "item": "n1", "initiative": "n2"}.get(r.kind, ""), extra)
            if c
        )
        attr = f' class="{cls}"' if cls else ""
        out.append(f'<text{attr} x="{num(x)}" y="{num(r.mid + size * 0.36)}">{esc(name)}</text>')
        return out

    def _info(self, r: _Row, text: str, cls: str = "info") -> str:
        x, y = num(self.frame.info_x + 6), num(r.mid + 4)
        return f'<text class="{cls}" x="{x}" y="{y}">{_info_text(text)}</text>'

    def _group(self, r: _Row, span: tuple[float, float] | None) -> list[str]:
        row = r.data
        lines = [row.name or row.id]
        if row.start is not None and row.finish is not None:
            lines.append(_span(_both(row.start), _both(row.finish)))
        department = ""
        if isinstance(row, InitiativeRow):
            department = clean(row.department_name or "")
        if department:
            lines.append(department)
        out = [f'<g class="{r.kind}">{tooltip(*lines)}', *self._label(r)]
        if department:
            out.append(self._info(r, department))
        if span is not None:
            x1, x2 = span
            y0, y1 = r.mid - 4, r.mid + 1
            cap = min(4.0, (x2 - x1) / 2)
            level = {"field": 0, "item": 1}.get(r.kind, 2)
            out.append(
                f'<path class="sum{level}" d="M{num(x1)} {num(y0)}H{num(x2)}V{num(y1 + 4)}'
                f'L{num(x2 - cap)} {num(y1)}H{num(x1 + cap)}L{num(x1)} {num(y1 + 4)}z"/>'
            )
        out.append("</g>")
        return out

    def _tooltip(self, row: TaskRow, state: str) -> str:
        """The task's ``<title>``: what :func:`tooltip` makes of its lines, the lines of our
        own words (dates, counts, states) escaped once each from a cache."""
        words, lang = self.words, self.lang
        lines = [esc(row.name or row.id)]
        start, finish = row.start, row.finish
        if row.milestone:
            lines.append(esc_label(_dated(start, lang)))
        else:
            lines.append(_span_line(start, finish, lang))
            lines.append(_count_line(words.days, row.duration_days))
        lines.append(esc_label(state))
        if row.critical:
            lines.append(esc_label(words.critical))
        lines.append(_count_line(words.slack, row.total_slack))
        if row.due is not None:
            lines.append(esc_label(f"{words.due} {_dated(row.due, lang)}"))
        if row.baseline_start is not None and row.baseline_finish is not None:
            span = words.span.format(start=row.baseline_start, finish=row.baseline_finish)
            lines.append(esc(f"{words.baseline} {span}"))
        return title_of(lines)

    def _task(self, r: _Row, row: TaskRow, span: tuple[float, float] | None) -> list[str]:
        lang = self.lang
        status = row.status or "planned"
        status = status if status in STATUS_COLOURS else "planned"
        progress = max(0, min(100, row.progress))
        lateness = row.lateness or ""
        state = _status_label(status, lang)
        if progress and status not in ("done", "cancelled"):
            state += f" {progress}%"
        if lateness:
            state += self.words.lateness_separator + _lateness_label(lateness, lang)
        name_cls = {"late": "nlate", "at_risk": "nrisk"}.get(lateness, "")
        if status == "cancelled":
            name_cls = "ncan"
        ref = esc(row.id)
        return [
            f'<g class="task" data-ref="{ref}">{self._tooltip(row, state)}',
            *self._label(r, name_cls),
            self._info(
                r, state, {"late": "info ilate", "at_risk": "info irisk"}.get(lateness, "info")
            ),
            *self._shapes(r, row, span, status, progress),
            "</g>",
        ]

    def _shapes(
        self, r: _Row, row: TaskRow, span: tuple[float, float] | None, status: str, progress: int
    ) -> list[str]:
        """The bar or ▲ of a task, with progress, outline, baseline bar and due marker."""
        f = self.frame
        if span is None:
            return []
        x1, x2 = span
        out: list[str] = []
        bar_y, bar_h = (r.top + 3, 11.0) if self.has_baseline else (r.top + 5, 12.0)
        b1, b2 = row.baseline_start, row.baseline_finish
        if self.has_baseline and b1 is not None and b2 is not None:
            bx1, bx2 = f.clamp(f.x(b1)), f.clamp(f.x(b2) + f.px)
            out.append(
                f'<rect class="bl" x="{num(bx1)}" y="{num(r.top + 16)}" '
                f'width="{num(max(bx2 - bx1, 2))}" height="3.5"/>'
            )
        outline = _outline(row)
        if row.milestone:
            x, y, s = x2, bar_y + bar_h / 2, MILESTONE
            tri = f"M{num(x)} {num(y - s)}L{num(x + s)} {num(y + s - 1)}H{num(x - s)}z"
            out.append(f'<path class="m-{status}" d="{tri}"/>')
            if outline:
                out.append(f'<path class="o {outline}" d="{tri}"/>')
            day = row.start
            if day is not None:
                text = pgettext("date of a milestone on the chart", "{date}").format(
                    date=day.isoformat(), month=day.month, day=day.day
                )
                tx = num(x + s + STUB + 3)
                out.append(f'<text class="ms" x="{tx}" y="{num(y + 3.5)}">{esc(text)}</text>')
        else:
            geo = f'x="{num(x1)}" y="{num(bar_y)}" width="{num(x2 - x1)}" height="{num(bar_h)}" rx="2"'
            out.append(f'<rect class="s-{status}" {geo}/>')
            if progress and status != "cancelled":
                done = f'width="{num(max((x2 - x1) * progress / 100, 1))}" height="{num(bar_h)}"'
                out.append(
                    f'<rect class="p-{status}" x="{num(x1)}" y="{num(bar_y)}" {done} rx="2"/>'
                )
            if outline:
                out.append(f'<rect class="o {outline}" {geo}/>')
            if 0 < progress < 100:
                pct = f"{progress}%"
                inside = x2 - x1 >= text_width(pct, 10) + 8
                px, cls = (x2 - 3, "pc in") if inside else (x2 + 3, "pc")
                py = num(bar_y + bar_h - 2.5)
                out.append(f'<text class="{cls}" x="{num(px)}" y="{py}">{pct}</text>')
        due = row.due
        if due is not None and self.start <= due <= self.finish:
            dx = f.x(due) + f.px
            out.append(
                f'<path class="due" d="M{num(dx - 4)} {num(r.top + 1)}H{num(dx + 4)}'
                f'L{num(dx)} {num(r.top + 7)}z"/>'
            )
        return out

    # --- links ----------------------------------------------------------------------------------

    def _links(self) -> list[str]:
        f = self.frame
        drawn: dict[str, list[str]] = {"plain": [], "critical": [], "far": []}
        for a, b, kind, how in self.links:
            from_finish, to_finish = kind in ("FS", "FF"), kind in ("FF", "SF")
            ra, rb = self.rows[a], self.rows[b]
            xb, into = self._anchor(b, to_finish), -1 if to_finish else 1
            if how == "far":
                tail = max(xb - into * _FAR_RUN, f.x0 + 3)
                name = clean(ra.data.name or ra.data.id)
                tip = _("Predecessor: {name} ({type})").format(name=name, type=kind)
                drawn["far"].append(
                    f"<g>{tooltip(tip)}"
                    f'<path d="M{num(tail)} {num(rb.mid)}H{num(xb)}" marker-end="url(#ar-ah)"/>'
                    f'<circle class="far" cx="{num(tail)}" cy="{num(rb.mid)}" r="2.5"/></g>'
                )
                continue
            turn = rb.top if rb.top > ra.top else rb.top + rb.height
            d = connector(
                self._anchor(a, from_finish), ra.mid, 1 if from_finish else -1,
                xb, rb.mid, into, turn, f.x0 + 2,
            )  # fmt: skip
            head = "ar-ahc" if how == "critical" else "ar-ah"
            drawn[how].append(f'<path d="{d}" marker-end="url(#{head})"/>')
        out = []
        for how, cls in (("plain", "ln"), ("far", "ln"), ("critical", "ln c")):
            if drawn[how]:
                out += [f'<g class="{cls}">', *drawn[how], "</g>"]
        return out

    # --- the whole ------------------------------------------------------------------------------

    def svg(self) -> str:
        f = self.frame
        size = f'width="{num(f.width)}" height="{num(f.height)}"'
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" {size} '
            f'viewBox="0 0 {num(f.width)} {num(f.height)}" xml:lang="{esc(self.lang)}">',
            f"<style>{STYLE}</style>",
            DEFS,
            f'<rect {size} fill="#fff"/>',
            *self._title(),
            _legend_svg(self.legend_items, self.legend_room, f.name_x, f.legend_top),
            *self._backgrounds(),
            *self._grid(),
            *self._as_of_tag(),
            *self._header(),
            *self._markers(),
            *self._links(),
        ]
        for r, span in zip(self.rows, self.spans, strict=True):
            row = r.data
            parts += self._task(r, row, span) if isinstance(row, TaskRow) else self._group(r, span)
        if not self.rows:
            empty = _("No tasks to show")
            parts.append(
                f'<text class="empty" x="{num(f.x0 + 12)}" y="{num(f.body_top + 24)}">'
                f"{esc(empty)}</text>"
            )
        parts += self._as_of_line()
        parts.append("</svg>")
        return "\n".join(parts) + "\n"


def render_svg(data: GanttData, *, lang: str = "ja", width: float | None = None) -> str:
    """Draw the Gantt view ``data`` as a standalone SVG document (text, no XML declaration).

    Args:
        data: the Gantt view (:func:`aomori_roadmap.views.gantt.gantt_data`).
        lang: ``ja`` or ``en`` for the chart's own words; plan text is shown as written.
        width: the total width in pixels; by default 112 px per half-year (at least 880 px of
            timeline) next to the 500 px of label columns.

    Raises:
        PlanError: an unknown ``lang`` (a ``ValueError``).

    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> svg = render_svg(gantt_data(plan, schedule(plan)), width=1600)
    >>> 'width="1600"' in svg, "2024年度" in svg, "令和6年度" in svg, "上期" in svg
    (True, True, True, True)
    """
    with using_language(check_language(lang)):
        return _Chart(data, lang, width).svg()


def render_html(data: GanttData, *, lang: str = "ja", title: str | None = None) -> str:
    """Wrap :func:`render_svg` in a self-contained HTML page (A3 landscape when printed).

    The page loads nothing and runs nothing: its Content-Security-Policy allows only its own
    inline styles, so a browser refuses (and reports) anything else.

    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> page = render_html(gantt_data(plan, schedule(plan)), title="工程表 <案>")
    >>> "<title>工程表 &lt;案&gt;</title>" in page, "<script" in page
    (True, False)
    """
    with using_language(check_language(lang)):
        if title is None:
            title = _title(data.plan.name or data.plan.id)
        chart = _Chart(data, lang, None)
        svg = chart.svg()
    style = PAGE_STYLE
    # A chart a little taller than one page at full width is shrunk onto it; a long one runs
    # on over the following pages at full width, where it stays readable.
    if chart.frame.height / chart.frame.width * _PAGE_MM[0] <= _PAGE_MM[1] * 1.25:
        style += f"@media print{{main svg{{max-height:{_PAGE_MM[1] - 1}mm}}}}"
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # The chart scrolls inside <main>: focusable, so that a keyboard can scroll it too.
        f"<title>{esc(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f'<main tabindex="0" aria-label="{esc(title)}">\n'
        f"{svg}</main>\n</body>\n</html>\n"
    )
