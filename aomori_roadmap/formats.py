"""The output formats and calendar feeds: one registry, used by the library, CLI and server.

Each Gantt format is one entry: its name, its media type, the file suffix a person would give
it, whether the server answers it as data, and its renderer, imported at the first render so
that listing or checking formats (the command line's help) imports no exporter. Adding a
format is one entry here and its renderer in ``export/``.

>>> GANTT_FORMATS[:3], FEEDS[0]
(('json', 'frappe', 'dhtmlx'), 'reviews')
>>> gantt_format("svg").media_type
'image/svg+xml'
>>> gantt_format("png")
Traceback (most recent call last):
...
aomori_roadmap.errors.PlanError: 形式 'png' はありません。使えるのは: json, frappe, ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import text

if TYPE_CHECKING:
    from aomori_roadmap.calendar import WorkCalendar

__all__ = [
    "FEEDS",
    "GANTT",
    "GANTT_FORMATS",
    "FeedName",
    "GanttFormat",
    "check_feed",
    "gantt_format",
]

GanttData = Mapping[str, Any]
Renderer = Callable[[GanttData, str, "WorkCalendar"], str | bytes]


def _json(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.gantt import gantt_json

    return gantt_json(data)


def _frappe(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.adapters import frappe_tasks
    from aomori_roadmap.export.gantt import gantt_json

    return gantt_json(frappe_tasks(data))


def _dhtmlx(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.adapters import dhtmlx_data
    from aomori_roadmap.export.gantt import gantt_json

    return gantt_json(dhtmlx_data(data))


def _mermaid(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.adapters import mermaid_gantt

    return mermaid_gantt(data)


def _html(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.chart import render_html

    return render_html(data, lang=lang)


def _svg(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.chart import render_svg

    return render_svg(data, lang=lang)


def _xlsx(data: GanttData, lang: str, calendar: WorkCalendar) -> bytes:
    from aomori_roadmap.export.excel import gantt_xlsx

    return gantt_xlsx(data, lang=lang)


def _mspdi(data: GanttData, lang: str, calendar: WorkCalendar) -> str:
    from aomori_roadmap.export.mspdi import mspdi_xml

    return mspdi_xml(data, calendar)


@dataclass(frozen=True, slots=True)
class GanttFormat:
    """One Gantt output: what it is called, how it is served and saved, how it is made."""

    name: str
    media_type: str
    suffix: str
    served: bool  # the server's /api/gantt answers it
    renderer: Renderer

    @property
    def binary(self) -> bool:
        """True when the output is bytes (a workbook), not text."""
        return self.name == "xlsx"

    def render(self, data: GanttData, *, lang: str, calendar: WorkCalendar) -> str | bytes:
        """The output for the Gantt data of a snapshot (see ``export.gantt.gantt_data``)."""
        return self.renderer(data, lang, calendar)


_JSON = "application/json"
GANTT: dict[str, GanttFormat] = {
    f.name: f
    for f in (
        GanttFormat("json", _JSON, ".json", True, _json),
        GanttFormat("frappe", _JSON, ".json", True, _frappe),
        GanttFormat("dhtmlx", _JSON, ".json", True, _dhtmlx),
        GanttFormat("mermaid", "text/plain; charset=utf-8", ".mmd", True, _mermaid),
        GanttFormat("html", "text/html; charset=utf-8", ".html", False, _html),
        GanttFormat("svg", "image/svg+xml", ".svg", False, _svg),
        GanttFormat(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
            False,
            _xlsx,
        ),
        GanttFormat("mspdi", "application/xml", ".xml", False, _mspdi),
    )
}
"""Every Gantt output, in the order the help lists them."""

GANTT_FORMATS = tuple(GANTT)
"""The names of :data:`GANTT`."""

FeedName = Literal["reviews", "milestones", "deadlines", "tasks", "all"]
"""The calendar feeds."""

FEEDS: tuple[str, ...] = get_args(FeedName)


def gantt_format(name: str, *, served: bool = False) -> GanttFormat:
    """The Gantt format called ``name``; with ``served``, only those the server answers.

    Raises:
        PlanError: no such format; the message lists those there are.
    """
    found = GANTT.get(name)
    if found is None or (served and not found.served):
        names = [f.name for f in GANTT.values() if f.served or not served]
        raise PlanError(
            text(
                f"形式 '{name}' はありません。使えるのは: {', '.join(names)}",
                f"there is no format '{name}'; the formats are: {', '.join(names)}",
            )
        )
    return found


def check_feed(name: str) -> str:
    """``name`` when it is a feed.

    Raises:
        PlanError: no such feed; the message lists those there are.
    """
    if name not in FEEDS:
        raise PlanError(
            text(
                f"フィード '{name}' はありません。使えるのは: {', '.join(FEEDS)}",
                f"there is no feed '{name}'; the feeds are: {', '.join(FEEDS)}",
            )
        )
    return name
