"""The output formats and calendar feeds: one registry, used by the library, CLI and server.

Each Gantt format is one entry: its name, its media type, the file suffix a person would give
it and whether the server answers it as data. The renderers are in the export layer
(``aomori_roadmap.export.render``): this module imports no exporter, so that listing or
checking formats (the command line's help) stays light. Adding a format is one entry here and
its renderer there.

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

from dataclasses import dataclass
from typing import Literal, TypedDict, get_args

from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _

__all__ = [
    "CSV_MEDIA_TYPE",
    "FEEDS",
    "GANTT",
    "GANTT_FORMATS",
    "XLSX_MEDIA_TYPE",
    "FeedFilters",
    "FeedName",
    "GanttFormat",
    "check_feed",
    "gantt_format",
]


class FeedFilters(TypedDict, total=False):
    """Which initiatives a feed keeps: those of a department, one initiative, the items of a
    field, or those tagged with a priority (by id or name). Absent or ``None``: no filter."""

    department: str | None
    initiative: str | None
    field: str | None
    priority: str | None


@dataclass(frozen=True, slots=True)
class GanttFormat:
    """One Gantt output: what it is called, how it is served and saved."""

    name: str
    media_type: str
    suffix: str
    served: bool  # the server's /api/gantt answers it

    @property
    def binary(self) -> bool:
        """True when the output is bytes (a workbook), not text."""
        return self.name == "xlsx"


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""The media type of an Excel workbook (the Gantt sheet, a department's workbook)."""

CSV_MEDIA_TYPE = "text/csv"
"""The media type of a CSV file (a department's task sheet as CSV)."""

_JSON = "application/json"
GANTT: dict[str, GanttFormat] = {
    f.name: f
    for f in (
        GanttFormat("json", _JSON, ".json", True),
        GanttFormat("frappe", _JSON, ".json", True),
        GanttFormat("dhtmlx", _JSON, ".json", True),
        GanttFormat("mermaid", "text/plain; charset=utf-8", ".mmd", True),
        GanttFormat("html", "text/html; charset=utf-8", ".html", False),
        GanttFormat("svg", "image/svg+xml", ".svg", False),
        GanttFormat("xlsx", XLSX_MEDIA_TYPE, ".xlsx", False),
        GanttFormat("mspdi", "application/xml", ".xml", False),
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
            _("there is no format '{name}'; the formats are: {names}").format(
                name=name, names=", ".join(names)
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
            _("there is no feed '{name}'; the feeds are: {names}").format(
                name=name, names=", ".join(FEEDS)
            )
        )
    return name
