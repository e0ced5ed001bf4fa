"""aomori_roadmap: the roadmaps of the Aomori Prefecture DX Promotion Plan 2024–2028.

The public API is what this module exports; everything else may change between versions.

>>> import aomori_roadmap as ar
>>> plan = ar.default_plan()
>>> plan.period.start.label()
'2024年度（令和6年度）'
>>> ar.parse_period("R6下期").label("en")
'FY2024 H2'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aomori_roadmap.calendar import (
        Day,
        Duration,
        FiscalYear,
        Half,
        Quarter,
        WorkCalendar,
        format_wareki,
        parse_duration,
        parse_period,
        wareki,
        wareki_year,
    )
    from aomori_roadmap.engine.kpi import (
        Evaluation,
        KpiMark,
        KpiProgress,
        KpiStatus,
        evaluate,
        progress,
    )
    from aomori_roadmap.engine.reminders import (
        DepartmentReminders,
        Reminder,
        ReminderKind,
        reminders,
        reminders_json,
        reminders_markdown,
        reminders_text,
    )
    from aomori_roadmap.engine.reviews import ReviewCycle, find_cycle, review_cycles
    from aomori_roadmap.engine.schedule import (
        Actual,
        Schedule,
        ScheduledTask,
        Violation,
        plan_calendar,
        schedule,
    )
    from aomori_roadmap.engine.status import (
        Lateness,
        Status,
        StatusChange,
        StatusEvent,
        StatusState,
        lateness,
        parse_status,
    )
    from aomori_roadmap.errors import (
        ConflictError,
        CycleError,
        DurationError,
        PeriodError,
        PlanError,
        PlanValidationError,
        Problem,
        RoadmapError,
        ScheduleError,
        StoreError,
        TransitionError,
    )
    from aomori_roadmap.export.feeds import FeedBuilder, FeedCache, FeedRequest, feed_urls
    from aomori_roadmap.export.render import render_feed, render_gantt
    from aomori_roadmap.export.schemas import export_schemas, json_schemas
    from aomori_roadmap.notify import DeliveryError
    from aomori_roadmap.plan.loader import default_plan, dump_plan, load_plan, plan_from_data
    from aomori_roadmap.plan.model import (
        Department,
        Dependency,
        Indicator,
        Initiative,
        Item,
        Kpi,
        LinkType,
        Plan,
        Policy,
        Task,
        check_plan,
    )
    from aomori_roadmap.site import write_site
    from aomori_roadmap.store import (
        Baseline,
        FeedTokens,
        KpiLog,
        PlanInfo,
        ReviewLog,
        Revision,
        Store,
        upgrade_database,
    )
    from aomori_roadmap.views.rollup import Rollup, rollup
    from aomori_roadmap.views.snapshot import Snapshot, take_snapshot

__version__ = "0.1.0"

__all__ = [
    "Actual",
    "Baseline",
    "ConflictError",
    "CycleError",
    "Day",
    "DeliveryError",
    "Department",
    "DepartmentReminders",
    "Dependency",
    "Duration",
    "DurationError",
    "Evaluation",
    "FeedBuilder",
    "FeedCache",
    "FeedRequest",
    "FeedTokens",
    "FiscalYear",
    "Half",
    "Indicator",
    "Initiative",
    "Item",
    "Kpi",
    "KpiLog",
    "KpiMark",
    "KpiProgress",
    "KpiStatus",
    "Lateness",
    "LinkType",
    "PeriodError",
    "Plan",
    "PlanError",
    "PlanInfo",
    "PlanValidationError",
    "Policy",
    "Problem",
    "Quarter",
    "Reminder",
    "ReminderKind",
    "ReviewCycle",
    "ReviewLog",
    "Revision",
    "RoadmapError",
    "Rollup",
    "Schedule",
    "ScheduleError",
    "ScheduledTask",
    "Snapshot",
    "Status",
    "StatusChange",
    "StatusEvent",
    "StatusState",
    "Store",
    "StoreError",
    "Task",
    "TransitionError",
    "Violation",
    "WorkCalendar",
    "__version__",
    "check_plan",
    "default_plan",
    "dump_plan",
    "evaluate",
    "export_schemas",
    "feed_urls",
    "find_cycle",
    "format_wareki",
    "json_schemas",
    "lateness",
    "load_plan",
    "parse_duration",
    "parse_period",
    "parse_status",
    "plan_calendar",
    "plan_from_data",
    "progress",
    "reminders",
    "reminders_json",
    "reminders_markdown",
    "reminders_text",
    "render_feed",
    "render_gantt",
    "review_cycles",
    "rollup",
    "schedule",
    "take_snapshot",
    "upgrade_database",
    "wareki",
    "wareki_year",
    "write_site",
]

# Where each public name lives. Names are imported at their first use (PEP 562), so that
# ``import aomori_roadmap`` costs almost nothing: a script that wants the calendar does not
# pay for the store, the exporters or the server, and every cron job starts fast.
_WHERE = {
    "Actual": "aomori_roadmap.engine.schedule",
    "Baseline": "aomori_roadmap.store",
    "ConflictError": "aomori_roadmap.errors",
    "CycleError": "aomori_roadmap.errors",
    "Day": "aomori_roadmap.calendar",
    "DeliveryError": "aomori_roadmap.notify",
    "Department": "aomori_roadmap.plan.model",
    "DepartmentReminders": "aomori_roadmap.engine.reminders",
    "Dependency": "aomori_roadmap.plan.model",
    "Duration": "aomori_roadmap.calendar",
    "DurationError": "aomori_roadmap.errors",
    "FeedBuilder": "aomori_roadmap.export.feeds",
    "FeedCache": "aomori_roadmap.export.feeds",
    "FeedRequest": "aomori_roadmap.export.feeds",
    "FeedTokens": "aomori_roadmap.store",
    "FiscalYear": "aomori_roadmap.calendar",
    "Half": "aomori_roadmap.calendar",
    "Initiative": "aomori_roadmap.plan.model",
    "Item": "aomori_roadmap.plan.model",
    "Kpi": "aomori_roadmap.plan.model",
    "KpiMark": "aomori_roadmap.engine.kpi",
    "Evaluation": "aomori_roadmap.engine.kpi",
    "evaluate": "aomori_roadmap.engine.kpi",
    "Indicator": "aomori_roadmap.plan.model",
    "write_site": "aomori_roadmap.site",
    "KpiLog": "aomori_roadmap.store",
    "KpiProgress": "aomori_roadmap.engine.kpi",
    "KpiStatus": "aomori_roadmap.engine.kpi",
    "Lateness": "aomori_roadmap.engine.status",
    "LinkType": "aomori_roadmap.plan.model",
    "PeriodError": "aomori_roadmap.errors",
    "Plan": "aomori_roadmap.plan.model",
    "PlanInfo": "aomori_roadmap.store",
    "PlanError": "aomori_roadmap.errors",
    "PlanValidationError": "aomori_roadmap.errors",
    "Policy": "aomori_roadmap.plan.model",
    "Problem": "aomori_roadmap.errors",
    "Quarter": "aomori_roadmap.calendar",
    "Reminder": "aomori_roadmap.engine.reminders",
    "ReminderKind": "aomori_roadmap.engine.reminders",
    "ReviewCycle": "aomori_roadmap.engine.reviews",
    "ReviewLog": "aomori_roadmap.store",
    "Revision": "aomori_roadmap.store",
    "RoadmapError": "aomori_roadmap.errors",
    "Rollup": "aomori_roadmap.views.rollup",
    "Schedule": "aomori_roadmap.engine.schedule",
    "ScheduleError": "aomori_roadmap.errors",
    "ScheduledTask": "aomori_roadmap.engine.schedule",
    "Snapshot": "aomori_roadmap.views.snapshot",
    "Status": "aomori_roadmap.engine.status",
    "StatusChange": "aomori_roadmap.engine.status",
    "StatusEvent": "aomori_roadmap.engine.status",
    "StatusState": "aomori_roadmap.engine.status",
    "Store": "aomori_roadmap.store",
    "StoreError": "aomori_roadmap.errors",
    "Task": "aomori_roadmap.plan.model",
    "TransitionError": "aomori_roadmap.errors",
    "Violation": "aomori_roadmap.engine.schedule",
    "WorkCalendar": "aomori_roadmap.calendar",
    "check_plan": "aomori_roadmap.plan.model",
    "default_plan": "aomori_roadmap.plan.loader",
    "dump_plan": "aomori_roadmap.plan.loader",
    "export_schemas": "aomori_roadmap.export.schemas",
    "feed_urls": "aomori_roadmap.export.feeds",
    "find_cycle": "aomori_roadmap.engine.reviews",
    "format_wareki": "aomori_roadmap.calendar",
    "json_schemas": "aomori_roadmap.export.schemas",
    "lateness": "aomori_roadmap.engine.status",
    "load_plan": "aomori_roadmap.plan.loader",
    "parse_duration": "aomori_roadmap.calendar",
    "parse_period": "aomori_roadmap.calendar",
    "parse_status": "aomori_roadmap.engine.status",
    "plan_calendar": "aomori_roadmap.engine.schedule",
    "plan_from_data": "aomori_roadmap.plan.loader",
    "progress": "aomori_roadmap.engine.kpi",
    "reminders": "aomori_roadmap.engine.reminders",
    "reminders_json": "aomori_roadmap.engine.reminders",
    "reminders_markdown": "aomori_roadmap.engine.reminders",
    "reminders_text": "aomori_roadmap.engine.reminders",
    "render_feed": "aomori_roadmap.export.render",
    "render_gantt": "aomori_roadmap.export.render",
    "review_cycles": "aomori_roadmap.engine.reviews",
    "rollup": "aomori_roadmap.views.rollup",
    "schedule": "aomori_roadmap.engine.schedule",
    "take_snapshot": "aomori_roadmap.views.snapshot",
    "upgrade_database": "aomori_roadmap.store",
    "wareki": "aomori_roadmap.calendar",
    "wareki_year": "aomori_roadmap.calendar",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module at its first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'aomori_roadmap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    """The names of the module, the public ones included before their first use."""
    return sorted(set(globals()) | set(__all__))
