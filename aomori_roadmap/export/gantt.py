"""Gantt JSON: the text of the Gantt view, one row, link or task per line.

The Gantt view itself (:func:`gantt_data`, :class:`~aomori_roadmap.views.gantt.GanttData`) is
assembled in :mod:`aomori_roadmap.views.gantt`; its JSON form is
:meth:`~aomori_roadmap.views.gantt.GanttData.to_json`, described by the schema generated
from its types (:func:`gantt_json_schema`, ``schemas/gantt.schema.json``). This module writes
that JSON, and the JSON of the adapters (:mod:`aomori_roadmap.export.adapters`), as text.

>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.engine.schedule import schedule
>>> plan = default_plan()
>>> text = gantt_json(gantt_data(plan, schedule(plan), department="kikikanri"))
>>> print("\\n".join(text.splitlines()[:3]))
{
  "plan": {"id": "aomori-dx-2024-2028", "name": "青森県DX推進プラン"},
  "as_of": null,
"""

from __future__ import annotations

import json
from typing import Any

from aomori_roadmap.views.gantt import (
    LATENESS,
    LINK_TYPES,
    MARKER_KINDS,
    STATUSES,
    GanttData,
    gantt_data,
    gantt_json_schema,
    paused_gc,
)

__all__ = [
    "GANTT_JSON_SCHEMA",
    "LATENESS",
    "LINK_TYPES",
    "MARKER_KINDS",
    "STATUSES",
    "gantt_data",
    "gantt_json",
    "gantt_json_schema",
]

GANTT_JSON_SCHEMA: dict[str, Any]
"""JSON Schema (draft 2020-12) of the Gantt JSON, generated at its first use
(:func:`gantt_json_schema` gives a fresh copy)."""

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _block(value: Any, indent: str) -> str:
    """Lists one element per line, dicts holding lists one key per line, the rest compact."""
    inner = indent + "  "
    if isinstance(value, list) and value:
        return "[\n" + inner + (",\n" + inner).join(map(_ENCODE, value)) + "\n" + indent + "]"
    if isinstance(value, dict) and any(isinstance(v, list) and v for v in value.values()):
        lines = [f"{inner}{_ENCODE(key)}: {_block(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(lines) + "\n" + indent + "}"
    return _ENCODE(value)


def gantt_json(value: GanttData | Any) -> str:
    """JSON text of Gantt data (its :meth:`~GanttData.to_json`) or of an adapter's output:
    a row, link or task per line.

    UTF-8 characters are kept. A document is written key by key with its lists one element per
    line, which reads and diffs well and stays fast: ``json.dumps(indent=...)`` runs in pure
    Python, several times slower on a big plan.

    >>> print(gantt_json({"name": "工程表", "rows": [{"id": 1}, {"id": 2}], "links": []}), end="")
    {
      "name": "工程表",
      "rows": [
        {"id": 1},
        {"id": 2}
      ],
      "links": []
    }
    >>> print(gantt_json([{"id": "a"}]), end="")
    [
      {"id": "a"}
    ]
    """
    if isinstance(value, GanttData):
        with paused_gc():  # the view and its JSON make no cycles: no collection in between
            return _block(value.to_json(), "") + "\n"
    return _block(value, "") + "\n"


def __getattr__(name: str) -> Any:
    """``GANTT_JSON_SCHEMA``: the schema of the Gantt JSON, generated at its first use."""
    if name == "GANTT_JSON_SCHEMA":
        schema = globals()["GANTT_JSON_SCHEMA"] = gantt_json_schema()
        return schema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
