"""A snapshot as an output: the Gantt chart in any format, or a calendar feed.

The snapshot (:mod:`aomori_roadmap.views.snapshot`) is data only; this is where it is rendered.
:data:`RENDERERS` holds one renderer per Gantt format of the registry
(:data:`aomori_roadmap.formats.GANTT`, which holds the names, media types and suffixes, and
imports no exporter): a function of the Gantt view, the language of the output's own words and
the plan's working calendar. :func:`render_gantt` checks the format, assembles the view with
the filters given and renders it; :func:`render_feed` writes a calendar feed.

>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.views.snapshot import take_snapshot
>>> snap = take_snapshot(default_plan(), as_of=date(2025, 9, 30))
>>> render_gantt(snap, "mermaid", department="kikikanri").splitlines()[0]
'gantt'
>>> render_feed(snap, "milestones").startswith(b"BEGIN:VCALENDAR")
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.export.adapters import dhtmlx_data, frappe_tasks, mermaid_gantt
from aomori_roadmap.export.chart import render_html, render_svg
from aomori_roadmap.export.excel import gantt_xlsx
from aomori_roadmap.export.gantt import gantt_json
from aomori_roadmap.export.ical import ical_feed
from aomori_roadmap.export.mspdi import mspdi_xml
from aomori_roadmap.formats import gantt_format
from aomori_roadmap.views.gantt import Filter, GanttData, paused_gc

if TYPE_CHECKING:
    from aomori_roadmap.views.snapshot import Snapshot

__all__ = ["RENDERERS", "Renderer", "render_feed", "render_gantt"]

Renderer: TypeAlias = Callable[[GanttData, str, WorkCalendar], str | bytes]
"""A Gantt format's renderer: the view, the output's language (ja, en) and the calendar."""


def _json(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return gantt_json(data)


def _frappe(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return gantt_json(frappe_tasks(data))


def _dhtmlx(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return gantt_json(dhtmlx_data(data))


def _mermaid(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return mermaid_gantt(data)


def _html(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return render_html(data, lang=lang)


def _svg(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return render_svg(data, lang=lang)


def _xlsx(data: GanttData, lang: str, calendar: WorkCalendar) -> bytes:
    return gantt_xlsx(data, lang=lang)


def _mspdi(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    return mspdi_xml(data, calendar)


RENDERERS: dict[str, Renderer] = {
    "json": _json,
    "frappe": _frappe,
    "dhtmlx": _dhtmlx,
    "mermaid": _mermaid,
    "html": _html,
    "svg": _svg,
    "xlsx": _xlsx,
    "mspdi": _mspdi,
}
"""The renderer of each format of :data:`aomori_roadmap.formats.GANTT`, by its name."""


def render_gantt(
    snapshot: Snapshot, format: str = "json", *, lang: str = "ja", **filters: Filter
) -> str | bytes:
    """The Gantt chart of ``snapshot`` in ``format`` (one of
    :data:`~aomori_roadmap.formats.GANTT_FORMATS`), filtered.

    Filters: ``field``, ``item``, ``initiative``, ``department``, ``priority`` (see
    :func:`~aomori_roadmap.views.gantt.gantt_data`); ``lang`` is the language of the chart's own
    words (the plan's text is shown as written). Bytes for ``xlsx``, text for the others.

    Raises:
        PlanError: no such format, or a filter names an id that the plan does not have.
    """
    chosen = gantt_format(format)
    calendar = snapshot.current.calendar
    with paused_gc():  # the view is made, written and freed before the collector walks it
        return RENDERERS[chosen.name](snapshot.gantt_view(**filters), lang, calendar)


def render_feed(snapshot: Snapshot, feed: str = "reviews", **options: Any) -> bytes:
    """The calendar feed ``feed`` of ``snapshot`` (see :func:`~aomori_roadmap.export.ical.ical_feed`
    for the feeds and the options)."""
    return ical_feed(
        snapshot.plan,
        snapshot.current,
        feed=feed,
        cycles=snapshot.cycles,
        states=snapshot.status_codes(),
        **options,
    )
