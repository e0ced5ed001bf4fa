"""The annual progress report (年次進捗報告) to the 青森県DX推進本部 as Markdown and HTML.

The report's content is :func:`~aomori_roadmap.views.report.annual_report` (re-exported here);
this module gives it its words, in the language asked for, and renders it:
:func:`report_markdown` and :func:`report_html`; the Excel workbook is
:func:`aomori_roadmap.export.excel.report_xlsx`. The HTML page is self-contained (no script,
no network: its Content-Security-Policy forbids both), prints on A4 portrait and draws the
rating distribution and the KPI progress as inline SVG. Every text from the plan, the store or
the reviews is cleaned and escaped. The same input gives the same output.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
>>> report = annual_report(snap, [], [], fy=2024)
>>> report_markdown(report, lang="en").splitlines()[0]
'# 青森県DX推進プラン: progress report FY2024'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aomori_roadmap.calendar import format_wareki, parse_period
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.errors import check_language
from aomori_roadmap.export.svg import FONT_STACK, clean, esc, num
from aomori_roadmap.i18n import _, pgettext, using_language
from aomori_roadmap.views.report import (
    AnnualReport,
    InitiativeReview,
    ReportChange,
    ReportInitiative,
    annual_report,
)

__all__ = [
    "annual_report",
    "mark_label",
    "report_html",
    "report_markdown",
]


# --- words ----------------------------------------------------------------------------------


def mark_label(mark: str) -> str:
    """The mark of a change since the previous report, in the language chosen now.

    The marks are the prefecture's progress dashboard's: ``新規`` (new), ``変更`` (changed),
    ``完了`` (done).

    >>> mark_label("new")
    '新規'
    >>> with using_language("en"):
    ...     mark_label("changed")
    'Changed'

    Raises:
        KeyError: ``mark`` is none of ``new``, ``changed``, ``done``.
    """
    if mark == "new":
        return pgettext("change", "New")
    if mark == "changed":
        return pgettext("change", "Changed")
    if mark == "done":
        return pgettext("change", "Done")
    raise KeyError(mark)


_ARROWS = {"up": "↑", "down": "↓"}  # a KPI's direction, the same in every language


def _stage(stage: str) -> str:
    """A review step's name: the department's self-assessment or the office's rating."""
    return _("Self-assessment") if stage == "submitted" else _("Office rating")


def _missing(stage: str) -> str:
    """What an initiative without a record at ``stage`` is."""
    return _("not submitted") if stage == "submitted" else _("not rated")


def _unset() -> str:
    return pgettext("kpi", "not set")


def _no_item() -> str:
    return _("(no item)")


def _none() -> str:
    return _("None.")


def _what(part: str) -> str:
    """The name of what changed: a status, a start or a finish date."""
    if part == "status":
        return _("status")
    if part == "start":
        return _("start")
    return _("finish")


def _number(value: float | None, unset: str) -> str:
    if value is None:
        return unset
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _rate(value: float | None, unset: str) -> str:
    return unset if value is None else f"{value:.1f}%"


def _status(code: str | None, lang: str) -> str:
    return Status(code or "planned").label(lang)


def _lateness(lateness: Lateness | None, lang: str) -> str:
    return "" if lateness is None else lateness.label(lang)


def _cycle_label(code: str, lang: str) -> str:
    return parse_period(code).label(lang)


def _title(report: AnnualReport, lang: str) -> str:
    fy = report.fiscal_year.label(lang)
    return _("{plan}: progress report {fy}").format(plan=report.plan_name, fy=fy)


def _yardstick(report: AnnualReport) -> str:
    name = report.baseline
    which = _("baseline “{name}”").format(name=name) if name else _("the plan (no baseline)")
    return _("Slips measured against: {name}").format(name=which)


def _detail(change: ReportChange, lang: str) -> str:
    parts = []
    for d in change.details:
        before, after = d.before, d.after
        if d.what == "status":
            before, after = _status(before, lang), _status(after, lang)
        parts.append(f"{_what(d.what)} {before or '—'} → {after}")
    return pgettext("separator of the details of a change", "; ").join(parts)


def _next_fy(report: AnnualReport, lang: str) -> str:
    return report.fiscal_year.next().label(lang)


# --- one document, two renderings -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    """A table cell: its text, a change mark, notes under it (成果・課題…), a style class."""

    text: str
    mark: str | None = None
    notes: tuple[tuple[str, str], ...] = ()
    kind: str = ""


Block = tuple[str, Any]
"""One piece of the document: ``(kind, content)``; kinds h1–h4, meta, p, cards, table, figure."""


def _rating_pair(review: InitiativeReview) -> str:
    none = pgettext("no rating", "-")
    return f"{review.own_rating or none} / {review.office or none}"


def _review_notes(review: InitiativeReview) -> tuple[tuple[str, str], ...]:
    """The words of a cycle's review, each with its name, those given only."""
    return tuple(
        (label, text)
        for label, text in (
            (_("Achievements"), review.achievements),
            (_("Issues"), review.issues),
            (_("Next steps"), review.next_steps),
            (_("Office comment"), review.comment),
        )
        if text
    )


def _initiative_row(i: ReportInitiative, lang: str) -> list[_Cell]:
    notes = tuple(
        (f"{_cycle_label(review.cycle, lang)} {label}", text)
        for review in i.reviews
        for label, text in _review_notes(review)
    )
    late = i.lateness.value if i.lateness is not None and i.lateness in _LATE_COLOURS else ""
    return [
        _Cell(i.name, i.change, notes), _Cell(i.department_name or "", kind="s"),
        _Cell(_status(i.status, lang), kind="s"), _Cell(f"{i.progress}%", kind="n"),
        _Cell(_lateness(i.lateness, lang), kind=f"s {late}".strip()),
        _Cell(f"{i.tasks_done}/{i.tasks}", kind="n"),
        *(_Cell(_rating_pair(r), kind="r") for r in i.reviews),
    ]  # fmt: skip


def _table(header: Iterable[str], rows: Iterable[Iterable[object]], kinds: str = "") -> Block:
    """A table block; ``kinds`` gives each column's class: ``n`` number, ``r`` centred."""
    cells = [
        [c if isinstance(c, _Cell) else _Cell(str(c), kind=kinds[n:n + 1].strip())
         for n, c in enumerate(row)]
        for row in rows
    ]  # fmt: skip
    return ("table", (list(header), cells))


def _section(
    title: str, rows: list[list[Any]], header: Iterable[str], kinds: str, none: str
) -> list[Block]:
    """A titled table, or the word for "none" when there are no rows."""
    return [("h2", title), _table(header, rows, kinds) if rows else ("p", none)]


def _blocks(report: AnnualReport, lang: str) -> list[Block]:
    """The document, its words in the language chosen now (``lang``, for the labels)."""
    as_of = report.as_of
    s = report.summary
    cards = [
        (s.initiatives, _("Initiatives")), (s.tasks, _("Tasks")), (s.done, _("Tasks done")),
        (s.in_progress, _("Tasks in progress")), (s.late, _("Late")), (s.at_risk, _("At risk")),
        (s.slipped, _("Tasks slipped")), (s.kpis_unset, _("KPIs not set")),
    ]  # fmt: skip
    blocks: list[Block] = [
        ("h1", _title(report, lang)),
        ("meta", _("As of {date}").format(
            date=as_of.isoformat(), wareki=format_wareki(as_of))),
        ("meta", _yardstick(report)),
        ("h2", _("Summary")),
        ("cards", cards),
        ("h2", _("Initiatives by field and item")),
    ]  # fmt: skip
    header = [
        _("Initiative"), _("Department"), _("Status"), _("Progress"), _("Lateness"),
        _("Tasks (done/all)"),
        *(_("{cycle} Self-assessment/Office rating").format(cycle=_cycle_label(c, lang))
          for c in report.cycles),
    ]  # fmt: skip
    for f in report.fields:
        blocks.append(("h3", f.name or _no_item()))
        empty = [item.name or _no_item() for item in f.items if not item.initiatives]
        for item in f.items:
            if item.initiatives:
                rows = [_initiative_row(i, lang) for i in item.initiatives]
                blocks += [("h4", item.name or _no_item()), _table(header, rows)]
        if empty:
            names = pgettext("separator of a list", ", ").join(empty)
            blocks.append(
                ("p", _("Items without an initiative with a roadmap: {names}").format(names=names))
            )
    scale = report.scale
    distribution = [
        [_cycle_label(d.cycle, lang), _stage(d.stage),
         *(d.counts[level.symbol] for level in scale), d.missing]
        for d in report.distribution
    ]  # fmt: skip
    labels = [f"{level.symbol} {level.label}" for level in scale]
    fallback = _table(
        ["", "", *labels, pgettext("no rating", "-")], distribution, "  " + "n" * (len(scale) + 1)
    )
    blocks += [
        ("h2", _("Rating distribution")),
        ("figure", (_distribution_svg(report, lang), fallback)),
    ]
    unset = _unset()
    kpis = [
        [_("{name} ({unit})").format(name=k.name, unit=k.unit) + _ARROWS[k.direction] if k.unit
         else f"{k.name} {_ARROWS[k.direction]}",
         _number(k.baseline, unset), _number(k.target, unset),
         k.mark.label(lang) if k.mark is not None else _number(k.actual, unset),
         _number(k.expected, unset), _rate(k.rate, unset), k.status.label(lang)]
        for k in report.kpis
    ]  # fmt: skip
    kpi_columns = [
        _("KPI"), pgettext("kpi", "Baseline"), _("Target"), _("Actual"), _("Expected"),
        _("Rate"), _("Status"),
    ]  # fmt: skip
    blocks += [("h2", _("KPIs")), ("figure", (_kpi_svg(report), None))]
    blocks.append(_table(kpi_columns, kpis, " nnnnn"))
    slipped = [
        [s.initiative_name, s.name, s.planned_finish.isoformat(), s.finish.isoformat(), s.days]
        for s in report.slipped
    ]
    slipped_columns = [
        _("Initiative"), _("Task"), _("Planned finish"), _("Current finish"),
        _("Slip (working days)"),
    ]  # fmt: skip
    blocks += _section(
        _("Tasks slipped against the yardstick"), slipped, slipped_columns, "  nnn", _none()
    )
    changes_title = _("Changes since the previous report")
    if report.changes is None:
        blocks += [("h2", changes_title), ("p", _("No previous report: changes are not shown."))]
    else:
        kinds = {"initiative": _("Initiative"), "task": _("Task")}
        changes = [[_Cell(kinds[c.kind], c.mark), c.name, _detail(c, lang)] for c in report.changes]
        change_columns = [_("Kind"), _("Initiative / task"), _("Details")]
        blocks += _section(changes_title, changes, change_columns, "", _none())
    milestones = [
        [m.date.isoformat(), m.initiative_name, m.name, _status(m.status, lang)]
        for m in report.next_milestones
    ]
    milestone_columns = [_("Date"), _("Initiative"), _("Milestone"), _("Status")]
    title = _("Milestones in {fy}").format(fy=_next_fy(report, lang))
    blocks += _section(title, milestones, milestone_columns, "n", _none())
    return blocks


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def _md(value: object) -> str:
    """Any text as one line of Markdown, its special characters escaped."""
    return clean(" ".join(str(value).split())).translate(_MD_SPECIAL)


def _md_cell(cell: _Cell) -> str:
    text = f"【{mark_label(cell.mark)}】{cell.text}" if cell.mark else cell.text
    notes = "; ".join(f"{label}: {note}" for label, note in cell.notes)
    return _md(f"{text} — {notes}" if notes else text)


def report_markdown(report: AnnualReport, *, lang: str = "ja") -> str:
    """The report as Markdown (GitHub-flavoured tables), for a wiki or a mail.

    >>> from datetime import date
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
    >>> report_markdown(annual_report(snap, [], [], fy=2024)).splitlines()[0]
    '# 青森県DX推進プラン 2024年度（令和6年度） 進捗状況報告'

    Raises:
        PlanError: ``lang`` is neither ``ja`` nor ``en``.
    """
    lines: list[str] = []
    with using_language(check_language(lang)):
        for kind, content in _blocks(report, lang):
            if kind.startswith("h"):
                lines += ["#" * int(kind[1]) + " " + _md(content), ""]
            elif kind in ("meta", "p"):
                lines += [_md(content), ""]
            elif kind == "cards":
                lines += _md_lines(("table", ([label for _, label in content],
                                              [[_Cell(str(n)) for n, _ in content]])))  # fmt: skip
            elif kind == "figure" and content[1] is not None:
                lines += _md_lines(content[1])
            elif kind == "table":
                lines += _md_lines((kind, content))
    return "\n".join(lines)


def _md_lines(block: Block) -> list[str]:
    header, rows = block[1]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


# --- HTML -----------------------------------------------------------------------------------

_RATING_COLOURS = ("#2f8a4b", "#3f76c6", "#a35f00", "#d62828", "#7b4fc9", "#0f8a8a")
_MISSING_COLOUR = "#cfd5dd"
_MARK_COLOURS = {"new": "#287a41", "changed": "#a35f00", "done": "#3f76c6"}
_LATE_COLOURS = {"late": "#d62828", "at_risk": "#a35f00"}
_KPI_COLOURS = {"achieved": "#2f8a4b", "on_track": "#3f76c6", "behind": "#d62828"}

_CSS = (
    "@page{size:A4 portrait;margin:14mm 12mm}"
    f"body{{font-family:{FONT_STACK};color:#1f2937;margin:0;font-size:10pt;line-height:1.5}}"
    "main{max-width:186mm;margin:0 auto;padding:8mm 0}"
    "h1{font-size:16pt;margin:0 0 2mm}h2{font-size:13pt;border-bottom:2px solid #3b4758;"
    "margin:7mm 0 3mm;break-after:avoid}h3{font-size:11.5pt;margin:5mm 0 2mm;break-after:avoid}"
    "h4{font-size:10.5pt;margin:3mm 0 1.5mm;color:#3b4758;break-after:avoid}"
    "p.meta{margin:0;color:#4b5563}"
    "table{width:100%;border-collapse:collapse;margin:0 0 3mm;font-size:9pt}"
    "thead{display:table-header-group}tr{break-inside:avoid}"
    "th,td{border:1px solid #c8d0da;padding:1mm 1.5mm;text-align:left;vertical-align:top}"
    "th{background:#eef2f7;font-weight:bold}td.n{text-align:right;white-space:nowrap}"
    "td.r{text-align:center;white-space:nowrap}td.s{white-space:nowrap}"
    ".mark{display:inline-block;color:#fff;border-radius:2px;padding:0 1.2mm;margin-right:1mm;"
    "font-size:8pt}.mark.new{background:#287a41}.mark.changed{background:#a35f00}"
    ".mark.done{background:#3f76c6}"
    ".note{color:#374151;font-size:8.5pt}.note b{color:#111827}"
    "td.late{color:#d62828;font-weight:bold}td.at_risk{color:#a35f00;font-weight:bold}"
    ".cards{display:flex;flex-wrap:wrap;gap:2mm;margin:0 0 2mm}"
    ".card{border:1px solid #c8d0da;border-radius:2px;padding:1.5mm 2.5mm;min-width:26mm}"
    ".card b{display:block;font-size:14pt}.card span{font-size:8pt;color:#4b5563}"
    "figure{margin:0 0 3mm;break-inside:avoid}svg{display:block;max-width:100%;height:auto}"
    "footer{margin-top:8mm;font-size:8pt;color:#6b7280}"
    "@media print{main{padding:0}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
    # On a phone the tables reflow instead of scrolling sideways (WCAG 1.4.10): words break
    # where they must, numbers wrap too.
    "@media (max-width:600px){table{font-size:8pt}th,td{overflow-wrap:anywhere;"
    "padding:.6mm .8mm}td.n,td.r,td.s{white-space:normal}}"
)


def _html_cell(cell: _Cell) -> str:
    inner = esc(cell.text)
    if cell.mark:
        inner = f'<span class="mark {cell.mark}">{esc(mark_label(cell.mark))}</span>{inner}'
    if cell.notes:
        notes = (
            f"<b>{esc(label)}</b>: " + "<br>".join(esc(x) for x in note.splitlines() if x.strip())
            for label, note in cell.notes
        )
        inner += '<div class="note">' + "<br>".join(notes) + "</div>"
    return f'<td class="{cell.kind}">{inner}</td>' if cell.kind else f"<td>{inner}</td>"


def _html_table(block: Block) -> str:
    header, rows = block[1]
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _svg_open(width: int, height: int, label: str, size: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}" '
        f'font-family="{esc(FONT_STACK)}" font-size="{size}">'
    )


def _distribution_svg(report: AnnualReport, lang: str) -> str:
    """Stacked horizontal bars: one per cycle and stage, a segment per rating."""
    scale, rows = report.scale, report.distribution
    label_w, bar_w, row_h, top = 210, 440, 24, 30
    title = _("Rating distribution")
    parts = [_svg_open(label_w + bar_w + 20, top + row_h * len(rows) + 10, title, 11)]
    colours = [_RATING_COLOURS[n % len(_RATING_COLOURS)] for n in range(len(scale))]
    legend = [f"{level.symbol} {level.label}" for level in scale]
    legend.append(f"{_missing('submitted')}/{_missing('reviewed')}")
    for n, (text, colour) in enumerate(zip(legend, [*colours, _MISSING_COLOUR], strict=True)):
        x = label_w + n * 90
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15">{esc(text)}</text>')
    for r, row in enumerate(rows):
        y = top + r * row_h
        label = f"{_cycle_label(row.cycle, lang)} {_stage(row.stage)}"
        parts.append(f'<text x="0" y="{y + 15}">{esc(label)}</text>')
        counts = [row.counts.get(level.symbol, 0) for level in scale] + [row.missing]
        names = [level.symbol for level in scale] + [_missing(row.stage)]
        total, x0 = sum(counts), float(label_w)
        if total == 0:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="none" '
                'stroke="#c8d0da"/>'
            )
        for count, colour, name in zip(counts, [*colours, _MISSING_COLOUR], names, strict=True):
            if not count:
                continue
            width = bar_w * count / total
            parts.append(
                f'<rect x="{num(x0)}" y="{y + 3}" width="{num(width)}" height="16" '
                f'fill="{colour}"><title>{esc(name)}: {count}</title></rect>'
            )
            if width >= 18:
                parts.append(
                    f'<text x="{num(x0 + width / 2)}" y="{y + 15}" text-anchor="middle" '
                    f'fill="#fff">{count}</text>'
                )
            x0 += width
    return "".join(parts) + "</svg>"


def _kpi_svg(report: AnnualReport) -> str:
    """One progress bar per KPI: the achievement rate up to 100 %, the expected value marked."""
    kpis = report.kpis
    label_w, bar_w, row_h = 300, 300, 20
    parts = [_svg_open(label_w + bar_w + 70, row_h * len(kpis) + 8, _("KPIs"), 10)]
    for n, k in enumerate(kpis):
        y = 4 + n * row_h
        name = k.name if len(k.name) <= 28 else k.name[:27] + "…"
        parts.append(f'<text x="0" y="{y + 12}"><title>{esc(k.name)}</title>{esc(name)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="12" fill="#eef2f7" '
            'stroke="#c8d0da"/>'
        )
        rate = k.rate
        if rate is None:
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 12}" fill="#6b7280">{esc(_unset())}</text>'
            )
            continue
        share = min(max(rate, 0.0), 100.0) / 100
        colour = _KPI_COLOURS.get(k.status.value, "#8b9cb2")
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{num(bar_w * share)}" height="12" '
            f'fill="{colour}"/>'
        )
        base, target, expected = k.baseline, k.target, k.expected
        if base is not None and target is not None and expected is not None and target != base:
            mark = min(max((expected - base) / (target - base), 0.0), 1.0)
            x = num(label_w + bar_w * mark)
            parts.append(f'<path d="M{x} {y}V{y + 16}" stroke="#111827" stroke-width="1.5"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 12}">{esc(_rate(rate, ""))}</text>')
    return "".join(parts) + "</svg>"


def report_html(report: AnnualReport, *, lang: str = "ja") -> str:
    """The report as one self-contained HTML page that prints on A4 portrait.

    >>> from datetime import date
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.views.snapshot import take_snapshot
    >>> snap = take_snapshot(default_plan(), as_of=date(2025, 3, 31))
    >>> page = report_html(annual_report(snap, [], [], fy=2024))
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page, page.count("<svg")
    (True, False, 2)

    Raises:
        PlanError: ``lang`` is neither ``ja`` nor ``en``.
    """
    body = []
    with using_language(check_language(lang)):
        for kind, content in _blocks(report, lang):
            if kind.startswith("h"):
                body.append(f"<{kind}>{esc(content)}</{kind}>")
            elif kind == "meta":
                body.append(f'<p class="meta">{esc(content)}</p>')
            elif kind == "p":
                body.append(f"<p>{esc(content)}</p>")
            elif kind == "cards":
                cards = (f'<div class="card"><b>{n}</b><span>{esc(label)}</span></div>'
                         for n, label in content)  # fmt: skip
                body.append('<div class="cards">' + "".join(cards) + "</div>")
            elif kind == "figure":
                body.append(f"<figure>{content[0]}</figure>")
            elif kind == "table":
                body.append(_html_table((kind, content)))
        footer = _("Made with aomori-roadmap report")
        body.append(f"<footer>{esc(footer)}</footer>")
        title = _title(report, lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        "<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )
