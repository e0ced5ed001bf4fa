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
import sys
import types
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
    from aomori_roadmap.feeds import FeedBuilder, FeedCache, FeedRequest, feed_urls
    from aomori_roadmap.kpi import KpiProgress, KpiStatus, progress
    from aomori_roadmap.loader import default_plan, dump_plan, load_plan, plan_from_data
    from aomori_roadmap.model import (
        Department,
        Dependency,
        Initiative,
        Item,
        Kpi,
        LinkType,
        Plan,
        Policy,
        Task,
        check_plan,
    )
    from aomori_roadmap.notify import DeliveryError
    from aomori_roadmap.reminders import (
        DepartmentReminders,
        Reminder,
        ReminderKind,
        reminders,
        reminders_json,
        reminders_markdown,
        reminders_text,
    )
    from aomori_roadmap.reviews import ReviewCycle, find_cycle, review_cycles
    from aomori_roadmap.schedule import (
        Actual,
        Schedule,
        ScheduledTask,
        Violation,
        plan_calendar,
        schedule,
    )
    from aomori_roadmap.schemas import export_schemas, json_schemas
    from aomori_roadmap.snapshot import Snapshot, take_snapshot
    from aomori_roadmap.status import (
        Lateness,
        Status,
        StatusChange,
        StatusEvent,
        StatusState,
        lateness,
        parse_status,
    )
    from aomori_roadmap.store import (
        Baseline,
        FeedTokens,
        KpiLog,
        ReviewLog,
        Revision,
        Store,
        upgrade_database,
    )

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
    "FeedBuilder",
    "FeedCache",
    "FeedRequest",
    "FeedTokens",
    "FiscalYear",
    "Half",
    "Initiative",
    "Item",
    "Kpi",
    "KpiLog",
    "KpiProgress",
    "KpiStatus",
    "Lateness",
    "LinkType",
    "PeriodError",
    "Plan",
    "PlanError",
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
    "review_cycles",
    "schedule",
    "take_snapshot",
    "upgrade_database",
    "wareki",
    "wareki_year",
]

# Where each public name lives. Names are imported at their first use (PEP 562), so that
# ``import aomori_roadmap`` costs almost nothing: a script that wants the calendar does not
# pay for the store, the exporters or the server, and every cron job starts fast.
_WHERE = {
    "Actual": "aomori_roadmap.schedule",
    "Baseline": "aomori_roadmap.store",
    "ConflictError": "aomori_roadmap.errors",
    "CycleError": "aomori_roadmap.errors",
    "Day": "aomori_roadmap.calendar",
    "DeliveryError": "aomori_roadmap.notify",
    "Department": "aomori_roadmap.model",
    "DepartmentReminders": "aomori_roadmap.reminders",
    "Dependency": "aomori_roadmap.model",
    "Duration": "aomori_roadmap.calendar",
    "DurationError": "aomori_roadmap.errors",
    "FeedBuilder": "aomori_roadmap.feeds",
    "FeedCache": "aomori_roadmap.feeds",
    "FeedRequest": "aomori_roadmap.feeds",
    "FeedTokens": "aomori_roadmap.store",
    "FiscalYear": "aomori_roadmap.calendar",
    "Half": "aomori_roadmap.calendar",
    "Initiative": "aomori_roadmap.model",
    "Item": "aomori_roadmap.model",
    "Kpi": "aomori_roadmap.model",
    "KpiLog": "aomori_roadmap.store",
    "KpiProgress": "aomori_roadmap.kpi",
    "KpiStatus": "aomori_roadmap.kpi",
    "Lateness": "aomori_roadmap.status",
    "LinkType": "aomori_roadmap.model",
    "PeriodError": "aomori_roadmap.errors",
    "Plan": "aomori_roadmap.model",
    "PlanError": "aomori_roadmap.errors",
    "PlanValidationError": "aomori_roadmap.errors",
    "Policy": "aomori_roadmap.model",
    "Problem": "aomori_roadmap.errors",
    "Quarter": "aomori_roadmap.calendar",
    "Reminder": "aomori_roadmap.reminders",
    "ReminderKind": "aomori_roadmap.reminders",
    "ReviewCycle": "aomori_roadmap.reviews",
    "ReviewLog": "aomori_roadmap.store",
    "Revision": "aomori_roadmap.store",
    "RoadmapError": "aomori_roadmap.errors",
    "Schedule": "aomori_roadmap.schedule",
    "ScheduleError": "aomori_roadmap.errors",
    "ScheduledTask": "aomori_roadmap.schedule",
    "Snapshot": "aomori_roadmap.snapshot",
    "Status": "aomori_roadmap.status",
    "StatusChange": "aomori_roadmap.status",
    "StatusEvent": "aomori_roadmap.status",
    "StatusState": "aomori_roadmap.status",
    "Store": "aomori_roadmap.store",
    "StoreError": "aomori_roadmap.errors",
    "Task": "aomori_roadmap.model",
    "TransitionError": "aomori_roadmap.errors",
    "Violation": "aomori_roadmap.schedule",
    "WorkCalendar": "aomori_roadmap.calendar",
    "check_plan": "aomori_roadmap.model",
    "default_plan": "aomori_roadmap.loader",
    "dump_plan": "aomori_roadmap.loader",
    "export_schemas": "aomori_roadmap.schemas",
    "feed_urls": "aomori_roadmap.feeds",
    "find_cycle": "aomori_roadmap.reviews",
    "format_wareki": "aomori_roadmap.calendar",
    "json_schemas": "aomori_roadmap.schemas",
    "lateness": "aomori_roadmap.status",
    "load_plan": "aomori_roadmap.loader",
    "parse_duration": "aomori_roadmap.calendar",
    "parse_period": "aomori_roadmap.calendar",
    "parse_status": "aomori_roadmap.status",
    "plan_calendar": "aomori_roadmap.schedule",
    "plan_from_data": "aomori_roadmap.loader",
    "progress": "aomori_roadmap.kpi",
    "reminders": "aomori_roadmap.reminders",
    "reminders_json": "aomori_roadmap.reminders",
    "reminders_markdown": "aomori_roadmap.reminders",
    "reminders_text": "aomori_roadmap.reminders",
    "review_cycles": "aomori_roadmap.reviews",
    "schedule": "aomori_roadmap.schedule",
    "take_snapshot": "aomori_roadmap.snapshot",
    "upgrade_database": "aomori_roadmap.store",
    "wareki": "aomori_roadmap.calendar",
    "wareki_year": "aomori_roadmap.calendar",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'aomori_roadmap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package, keeping its public functions named like their modules.

    ``schedule`` and ``reminders`` are functions of the front door and also modules. Importing
    the module sets the package's attribute to the module; this keeps the function there, as
    the front door promises, however the modules are imported and in whatever order.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


_SHADOWED = frozenset(name for name, module in _WHERE.items() if module == f"{__name__}.{name}")
sys.modules[__name__].__class__ = _Package
