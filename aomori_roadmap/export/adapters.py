"""Adapters from our Gantt JSON to the data that Frappe Gantt, DHTMLX Gantt and Mermaid load.

Each adapter reads the Gantt view (:class:`~aomori_roadmap.views.gantt.GanttData`) and converts
our conventions (inclusive ISO dates, FS/SS/FF/SF links with working-day lags) to its tool's
explicitly (DESIGN.md §7):

============== ===================== ========================= ==============================
tool           end date              links                     text
============== ===================== ========================= ==============================
Frappe 1.x     inclusive YYYY-MM-DD  ``dependencies`` id list  HTML-escaped (drawn as HTML)
DHTMLX         exclusive (finish+1)  "0" FS "1" SS "2" FF      HTML-escaped (drawn as HTML)
                                     "3" SF, lag in work days
Mermaid gantt  exclusive (finish+1)  ``after id`` where it     ``# : ; % < > &`` as Mermaid
                                     gives our very date       entities (``#58;``)
============== ===================== ========================= ==============================

Text from plan files never reaches a tool as markup: both browser libraries insert names with
``innerHTML``, so names are HTML-escaped for them; line breaks become spaces and the control
characters that XML 1.0 forbids are removed everywhere (:func:`one_line`). Ids are made safe
for CSS selectors and Mermaid (:func:`safe_id`), since Frappe looks bars up with
``querySelector(".highlight-" + id)``.

>>> from aomori_roadmap.export.gantt import gantt_data
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> data = gantt_data(plan, schedule(plan), initiative="bousai-dx-alerts")
>>> frappe_tasks(data)[1]["dependencies"]
'bousai-dx-alerts_2fstudy'
>>> dhtmlx_data(data)["links"][0]
{'id': 1, 'source': 'bousai-dx-alerts/study', 'target': 'bousai-dx-alerts/design', 'type': '0', 'lag': 0}
>>> print(mermaid_gantt(data).splitlines()[7])
    仕様策定 :bousai-dx-alerts_2fdesign, after bousai-dx-alerts_2fstudy, 2025-02-01
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from aomori_roadmap.views.gantt import GanttData, Link, TaskRow

__all__ = [
    "DHTMLX_LINK_TYPES",
    "dhtmlx_data",
    "frappe_tasks",
    "mermaid_gantt",
    "one_line",
    "safe_id",
]

DHTMLX_LINK_TYPES = {"FS": "0", "SS": "1", "FF": "2", "SF": "3"}
"""DHTMLX Gantt's link type codes (``gantt.config.links``)."""

# Line breaks of any kind become one space; then what XML 1.0 cannot hold is dropped
# (C0 controls but tab/LF/CR, DEL, lone surrogates, U+FFFE/U+FFFF).
_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SAFE_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")

# Mermaid's gantt lexer ends a task name at ':', reads '#…;' as an entity, '%%' as a comment,
# and takes a line that starts with a keyword (title, section, a date …) as that statement.
_MERMAID_ESCAPES = {ord(c): f"#{ord(c)};" for c in "#:;%<>&"}
_MERMAID_KEYWORD = re.compile(
    r"(?:gantt\b|dateformat\s|inclusiveenddates\b|topaxis\b|axisformat\s|tickinterval\s"
    r"|includes\s|excludes\s|todaymarker\s|weekday\s|weekend\s|\d{4}-\d\d-\d\d\b|title\s"
    r"|accdescription\s|acctitle\s*:|accdescr\s*[:{]|section\s|click\s|href\s|call\s)",
    re.IGNORECASE,
)


def one_line(text: str) -> str:
    """``text`` on one line, without the control characters that XML 1.0 forbids.

    >>> one_line("検討\\r\\n（第1期）\\x00")
    '検討 （第1期）'
    """
    return _FORBIDDEN.sub("", _BREAKS.sub(" ", text)).strip()


def _escape_id_char(c: str) -> str:
    code = ord(c)
    return f"_{code:02x}" if code < 0x80 else f"_u{code:06x}"


def safe_id(ref: str) -> str:
    """An id made of ``A-Z a-z 0-9 - _`` only, one-to-one: other characters become ``_hh``
    (ASCII) or ``_uhhhhhh``.

    >>> safe_id("bousai-dx-alerts/study"), safe_id("a_b.c"), safe_id("工程")
    ('bousai-dx-alerts_2fstudy', 'a_5fb_2ec', '_u005de5_u007a0b')
    """
    if all(c in _SAFE_ID_CHARS for c in ref):
        return ref
    return "".join(c if c in _SAFE_ID_CHARS else _escape_id_char(c) for c in ref)


def _predecessors(links: Iterable[Link], shown: Iterable[str]) -> dict[str, list[str]]:
    """Successor → its distinct predecessors among the shown tasks, in link order."""
    known = set(shown)
    found: dict[str, list[str]] = {}
    for link in links:
        if link.from_ in known and link.to in known:
            before = found.setdefault(link.to, [])
            if link.from_ not in before:
                before.append(link.from_)
    return found


_ONE_DAY = timedelta(days=1)


def _day_after(day: date) -> str:
    return (day + _ONE_DAY).isoformat()


# --- Frappe Gantt 1.x ---------------------------------------------------------------------------


def _frappe_class(row: TaskRow) -> str:
    # One token: Frappe adds it with classList.add, which throws on a space and stops the chart.
    parts = ["aomori", row.kind]
    if row.critical:
        parts.append("critical")
    if row.status != "planned":
        parts.append(row.status)
    if row.lateness:
        parts.append(row.lateness)
    return "-".join(parts)


def frappe_tasks(data: GanttData) -> list[dict[str, Any]]:
    """Frappe Gantt 1.x tasks: inclusive ``YYYY-MM-DD`` dates, dependencies as an id list.

    Frappe has no hierarchy and no milestone type: tasks and milestones are bars in row
    order, a milestone being a one-day bar whose ``custom_class`` starts with
    ``aomori-milestone``. ``custom_class`` is one token, ``aomori-<kind>[-critical]
    [-<status>][-<lateness>]``. Frappe draws one arrow per predecessor, so several links
    between the same two tasks become one dependency.

    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> task = frappe_tasks(gantt_data(plan, schedule(plan)))[0]
    >>> task["id"], task["start"], task["end"], task["custom_class"]
    ('sangyo-dx-matching_2fstudy', '2024-04-01', '2024-09-30', 'aomori-task')
    """
    tasks = data.task_rows()
    before = _predecessors(data.links, (row.id for row in tasks))
    return [
        {
            "id": safe_id(row.id),
            "name": html.escape(one_line(row.name)),
            "start": row.start.isoformat(),
            "end": row.finish.isoformat(),
            "progress": row.progress,
            "dependencies": ", ".join(safe_id(ref) for ref in before.get(row.id, ())),
            "custom_class": _frappe_class(row),
        }
        for row in tasks
    ]


# --- DHTMLX Gantt -------------------------------------------------------------------------------


def dhtmlx_data(data: GanttData) -> dict[str, list[dict[str, Any]]]:
    """DHTMLX Gantt data and links: exclusive end dates, link codes "0"–"3", progress 0–1.

    Fields, items and initiatives are ``project`` rows holding their children through
    ``parent`` (0 at the root). A task ends at ``end_date`` = finish + 1 day, midnight; a
    milestone has ``start_date == end_date``, its day. ``lag`` is in working days: it matches
    the chart when ``gantt.config.work_time`` is on with our holidays. Dates are ISO, which
    DHTMLX parses without a ``date_format``; ``critical`` and ``status`` are carried along for
    templates.

    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> rows = dhtmlx_data(gantt_data(plan, schedule(plan)))["data"]
    >>> [(r["type"], r["start_date"], r["end_date"]) for r in rows[3:5]]
    [('task', '2024-04-01', '2024-10-01'), ('task', '2024-10-01', '2025-02-01')]
    """
    rows = []
    for row in data.rows:
        kind = row.kind
        entry: dict[str, Any] = {
            "id": row.id,
            "text": html.escape(one_line(row.name)),
            "type": "project" if not isinstance(row, TaskRow) else kind,
            "parent": row.parent or 0,
            "open": True,
        }
        start, finish = row.start, row.finish
        if start is not None and finish is not None:
            entry["start_date"] = start.isoformat()
            entry["end_date"] = start.isoformat() if kind == "milestone" else _day_after(finish)
        if isinstance(row, TaskRow):
            entry["progress"] = row.progress / 100
            entry["critical"] = row.critical
            entry["status"] = row.status
        rows.append(entry)
    links = [
        {
            "id": n,
            "source": link.from_,
            "target": link.to,
            "type": DHTMLX_LINK_TYPES[link.type],
            "lag": link.lag_days,
        }
        for n, link in enumerate(data.links, start=1)
    ]
    return {"data": rows, "links": links}


# --- Mermaid gantt ------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text as Mermaid shows it unchanged: specials as entities, a leading keyword broken."""
    text = one_line(text).translate(_MERMAID_ESCAPES)
    if _MERMAID_KEYWORD.match(text):
        text = f"#{ord(text[0])};{text[1:]}"
    return text or "#160;"  # a name of control characters only: Mermaid needs some text


def _mermaid_after(row: TaskRow, links: list[Link], end_of: Mapping[str, str]) -> str:
    """``after a b`` when Mermaid's start (the latest end of a, b) is exactly ours, else ``""``."""
    before = [
        link.from_
        for link in links
        if link.type == "FS" and link.lag_days == 0 and link.from_ in end_of
    ]
    if not before:
        return ""
    if max(end_of[ref] for ref in before) != row.start.isoformat():
        return ""
    return "after " + " ".join(safe_id(ref) for ref in dict.fromkeys(before))


def mermaid_gantt(data: GanttData) -> str:
    """Mermaid ``gantt`` text: a section per initiative, exclusive end dates, ``after`` links.

    Every task gets its own dates so that Mermaid computes exactly ours: a task that starts
    the very day its plain finish-to-start predecessors end (in Mermaid's exclusive terms) is
    written ``after id …``; any other gets its start date, since Mermaid knows neither lags,
    working days nor the other link types. Tags: ``crit``
    (critical), ``done``, ``active`` (in progress) and ``milestone`` (``0d`` on its day).
    Names keep ``: # ; % < > &`` as Mermaid entities (``#58;``), which Mermaid draws as the
    characters.

    >>> from aomori_roadmap.export.gantt import gantt_data
    >>> from aomori_roadmap.plan.loader import default_plan
    >>> from aomori_roadmap.engine.schedule import schedule
    >>> plan = default_plan()
    >>> text = mermaid_gantt(gantt_data(plan, schedule(plan), initiative="sangyo-dx-matching"))
    >>> print("\\n".join(text.splitlines()[:8]))
    gantt
        title 青森県DX推進プラン
        dateFormat YYYY-MM-DD
        axisFormat %Y-%m
    <BLANKLINE>
        section 事業者とDXを支えるパートナーとのマッチングによる新たなビジネスモデルの創出
        マッチング支援の方法の検討 :sangyo-dx-matching_2fstudy, 2024-04-01, 2024-10-01
        マッチング支援の仕組みの仕様策定 :sangyo-dx-matching_2fdesign, after sangyo-dx-matching_2fstudy, 2025-02-01
    """
    into: dict[str, list[Link]] = {}
    for link in data.links:
        into.setdefault(link.to, []).append(link)
    # Where Mermaid ends each task: the day after (exclusive), a milestone on its day.
    end_of = {
        row.id: row.start.isoformat() if row.milestone else _day_after(row.finish)
        for row in data.task_rows()
    }
    lines = [
        "gantt",
        f"    title {_mermaid_text(data.plan.name)}",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y-%m",
    ]
    for row in data.rows:
        if row.kind == "initiative":
            lines += ["", f"    section {_mermaid_text(row.name)}"]
            continue
        if not isinstance(row, TaskRow):
            continue
        tags = []
        if row.critical:
            tags.append("crit")
        if row.status == "done":
            tags.append("done")
        elif row.status == "in_progress":
            tags.append("active")
        if row.milestone:
            when = f"{row.start}, 0d"
            tags.append("milestone")
        else:
            after = _mermaid_after(row, into.get(row.id, []), end_of)
            when = f"{after or row.start}, {end_of[row.id]}"
        spec = ", ".join([*tags, safe_id(row.id), when])
        lines.append(f"    {_mermaid_text(row.name)} :{spec}")
    return "\n".join(lines) + "\n"
