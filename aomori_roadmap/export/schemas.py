"""The JSON Schemas of every document the library reads and writes, and their export.

Each schema is generated from the types of its document, where they live: the plan file's from
the models (:func:`aomori_roadmap.plan.schema.plan_file_schema`), the schedule's from the types
of :meth:`~aomori_roadmap.engine.schedule.Schedule.to_json`
(:func:`aomori_roadmap.plan.schema.schedule_json_schema`) and the Gantt JSON's from the Gantt
view (:func:`~aomori_roadmap.views.gantt.gantt_json_schema`). The copies committed under
``schemas/`` are written by :func:`export_schemas` (``aomori-roadmap schema export``), and the
test suite checks that they are up to date.

>>> sorted(json_schemas())
['gantt.schema.json', 'plan.schema.json', 'schedule.schema.json']
>>> json_schemas()["plan.schema.json"]["title"]
'Aomori roadmap plan file'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aomori_roadmap.plan.schema import plan_file_schema, schedule_json_schema, schema_text
from aomori_roadmap.views.gantt import gantt_json_schema

__all__ = ["export_schemas", "json_schemas"]


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file name (fresh copies)."""
    return {
        "gantt.schema.json": gantt_json_schema(),
        "plan.schema.json": plan_file_schema(),
        "schedule.schema.json": schedule_json_schema(),
    }


def export_schemas(folder: str | Path) -> list[Path]:
    """Write every schema into ``folder``; return the files written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in export_schemas(tmp)]
    ['gantt.schema.json', 'plan.schema.json', 'schedule.schema.json']
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = target / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
