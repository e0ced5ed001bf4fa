"""Exports: pure functions from the plan, its schedule and its status to bytes or text.

- :mod:`~aomori_roadmap.export.gantt`: the Gantt JSON (``schemas/gantt.schema.json``);
- :mod:`~aomori_roadmap.export.adapters`: Frappe Gantt, DHTMLX Gantt and Mermaid;
- :mod:`~aomori_roadmap.export.mspdi`: MS Project XML;
- :mod:`~aomori_roadmap.export.chart`: our fiscal-year chart as HTML or SVG;
- :mod:`~aomori_roadmap.export.excel`: the Excel 工程表;
- :mod:`~aomori_roadmap.export.ical`: iCalendar feeds;
- :mod:`~aomori_roadmap.export.report`: the annual progress report.

See ``docs/gantt.md`` and ``docs/feeds.md``.
"""

from aomori_roadmap.export.adapters import dhtmlx_data, frappe_tasks, mermaid_gantt
from aomori_roadmap.export.chart import render_html, render_svg
from aomori_roadmap.export.excel import gantt_xlsx, report_xlsx
from aomori_roadmap.export.gantt import GANTT_JSON_SCHEMA, gantt_data, gantt_json, gantt_json_schema
from aomori_roadmap.export.ical import FEEDS, feed_events, ical_feed, track_changes
from aomori_roadmap.export.mspdi import mspdi_xml
from aomori_roadmap.export.report import annual_report, report_html, report_markdown

__all__ = [
    "FEEDS",
    "GANTT_JSON_SCHEMA",
    "annual_report",
    "dhtmlx_data",
    "feed_events",
    "frappe_tasks",
    "gantt_data",
    "gantt_json",
    "gantt_json_schema",
    "gantt_xlsx",
    "ical_feed",
    "mermaid_gantt",
    "mspdi_xml",
    "render_html",
    "render_svg",
    "report_html",
    "report_markdown",
    "report_xlsx",
    "track_changes",
]
