"""The names of the output formats and calendar feeds, apart from the code that makes them.

The command line lists them in its help and checks them before anything heavy is imported;
the exporters import them from here.

>>> GANTT_FORMATS[:3], FEEDS[0]
(('json', 'frappe', 'dhtmlx'), 'reviews')
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["FEEDS", "GANTT_FORMATS", "FeedName"]

GANTT_FORMATS = ("json", "frappe", "dhtmlx", "mermaid", "html", "svg", "xlsx", "mspdi")
"""Every Gantt output a snapshot renders."""

FeedName = Literal["reviews", "milestones", "deadlines", "tasks", "all"]
"""The calendar feeds."""

FEEDS: tuple[str, ...] = get_args(FeedName)
