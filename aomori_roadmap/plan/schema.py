"""JSON Schemas of the files and documents the library reads and writes (an export layer).

The schemas are generated from the pydantic models, so they cannot drift from the code; the
copies committed under ``schemas/`` are checked against these by the test suite.

>>> sorted(json_schemas())
['gantt.schema.json', 'plan.schema.json', 'schedule.schema.json']
>>> json_schemas()["plan.schema.json"]["title"]
'Aomori roadmap plan file'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aomori_roadmap.engine.schedule import SCHEDULE_JSON_SCHEMA
from aomori_roadmap.export.gantt import gantt_json_schema
from aomori_roadmap.plan.model import Initiative, Plan

__all__ = ["export_schemas", "json_schemas", "plan_file_schema"]

_SCHEMA_BASE = "https://aomori-roadmap.example/schemas/"


def plan_file_schema() -> dict[str, Any]:
    """The schema of a plan file: a header (whole plan, or ``base:`` plus its own parts), or
    an initiative file holding only ``initiatives:``."""
    header = Plan.model_json_schema(mode="validation")
    defs = header.pop("$defs", {})
    required = header.pop("required", [])
    # A header that builds on a base plan takes its id, name and period from the base.
    header["if"] = {"not": {"required": ["base"]}}
    header["then"] = {"required": required}
    defs["PlanHeader"] = header
    defs["InitiativeFile"] = {
        "type": "object",
        "title": "Initiative file",
        "description": "One file of a plan folder holding initiatives only.",
        "properties": {"initiatives": {"type": "array", "items": {"$ref": "#/$defs/Initiative"}}},
        "required": ["initiatives"],
        "additionalProperties": False,
    }
    if "Initiative" not in defs:  # pragma: no cover - pydantic always emits it via Plan
        defs["Initiative"] = Initiative.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _SCHEMA_BASE + "plan.schema.json",
        "title": "Aomori roadmap plan file",
        "description": "A plan header (plan.yaml) or an initiative file of a plan folder.",
        "anyOf": [{"$ref": "#/$defs/InitiativeFile"}, {"$ref": "#/$defs/PlanHeader"}],
        "$defs": dict(sorted(defs.items())),
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file name."""
    return {
        "gantt.schema.json": gantt_json_schema(),
        "plan.schema.json": plan_file_schema(),
        "schedule.schema.json": SCHEDULE_JSON_SCHEMA,
    }


def schema_text(schema: dict[str, Any]) -> str:
    """The schema as it is written to disk: stable, indented, UTF-8, trailing newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


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
