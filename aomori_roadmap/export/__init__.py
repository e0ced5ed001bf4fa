"""Exports: pure functions from the plan, its schedule and its status to bytes or text.

- :mod:`~aomori_roadmap.export.render`: a snapshot as a Gantt chart in any format, or a feed;
- :mod:`~aomori_roadmap.export.gantt`: the Gantt JSON (``schemas/gantt.schema.json``) of the
  Gantt view (:mod:`aomori_roadmap.views.gantt`);
- :mod:`~aomori_roadmap.export.adapters`: Frappe Gantt, DHTMLX Gantt and Mermaid;
- :mod:`~aomori_roadmap.export.mspdi`: MS Project XML;
- :mod:`~aomori_roadmap.export.chart`: our fiscal-year chart as HTML or SVG;
- :mod:`~aomori_roadmap.export.excel`: the Excel 工程表;
- :mod:`~aomori_roadmap.export.ical`: iCalendar feeds;
- :mod:`~aomori_roadmap.export.report`: the annual progress report;
- :mod:`~aomori_roadmap.export.schemas`: every JSON Schema, and their export to ``schemas/``.

See ``docs/gantt.md`` and ``docs/feeds.md``.
"""

from typing import Any

from aomori_roadmap.export.adapters import dhtmlx_data, frappe_tasks, mermaid_gantt
from aomori_roadmap.export.chart import render_html, render_svg
from aomori_roadmap.export.excel import gantt_xlsx, report_xlsx
from aomori_roadmap.export.gantt import gantt_data, gantt_json, gantt_json_schema
from aomori_roadmap.export.ical import FEEDS, feed_events, ical_feed, track_changes
from aomori_roadmap.export.mspdi import mspdi_xml
from aomori_roadmap.export.render import render_feed, render_gantt
from aomori_roadmap.export.report import annual_report, report_html, report_markdown
from aomori_roadmap.export.schemas import export_schemas, json_schemas

__all__ = [
    "FEEDS",
    "GANTT_JSON_SCHEMA",
    "annual_report",
    "dhtmlx_data",
    "export_schemas",
    "feed_events",
    "frappe_tasks",
    "gantt_data",
    "gantt_json",
    "gantt_json_schema",
    "gantt_xlsx",
    "ical_feed",
    "json_schemas",
    "mermaid_gantt",
    "mspdi_xml",
    "render_feed",
    "render_gantt",
    "render_html",
    "render_svg",
    "report_html",
    "report_markdown",
    "report_xlsx",
    "track_changes",
]

GANTT_JSON_SCHEMA: dict[str, Any]
"""JSON Schema of the Gantt JSON, generated at its first use (see ``export.gantt``)."""


def __getattr__(name: str) -> Any:
    """``GANTT_JSON_SCHEMA``, generated at its first use rather than at every import."""
    if name == "GANTT_JSON_SCHEMA":
        from aomori_roadmap.export import gantt

        return gantt.GANTT_JSON_SCHEMA
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
