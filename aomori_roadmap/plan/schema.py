"""JSON Schemas, generated from types: the plan file's, the schedule's, and their generator.

Every schema is generated with pydantic, so that it cannot drift from the code: the plan file's
from the models (:func:`plan_file_schema`), the schedule's from the types of its JSON form
(:func:`schedule_json_schema`), and the Gantt JSON's from the Gantt view's types
(:func:`aomori_roadmap.views.gantt.gantt_json_schema`), the last two with
:func:`json_schema_of`. The copies committed under ``schemas/`` (written by
:func:`aomori_roadmap.export.schemas.export_schemas`) are checked against these by the test
suite.

>>> plan_file_schema()["title"]
'Aomori roadmap plan file'
>>> schedule_json_schema()["$defs"]["SpanJson"]["required"]
['id', 'start', 'finish']
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from aomori_roadmap.engine.schedule import ScheduleJson
from aomori_roadmap.plan.model import ISO_DATE_PATTERN, Initiative, Plan

__all__ = [
    "SCHEMA_BASE",
    "json_schema_of",
    "plan_file_schema",
    "schedule_json_schema",
    "schema_text",
]

SCHEMA_BASE = "https://aomori-roadmap.example/schemas/"
"""Where the schemas' ``$id`` point: ``SCHEMA_BASE`` and the file name."""

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


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
        "$schema": _DRAFT,
        "$id": SCHEMA_BASE + "plan.schema.json",
        "title": "Aomori roadmap plan file",
        "description": "A plan header (plan.yaml) or an initiative file of a plan folder.",
        "anyOf": [{"$ref": "#/$defs/InitiativeFile"}, {"$ref": "#/$defs/PlanHeader"}],
        "$defs": dict(sorted(defs.items())),
    }


class _Document(GenerateJsonSchema):
    """The schema of a document we write: every object closed and every key described once.

    Objects (dataclasses, typed dicts) allow no other key; properties carry no title (the
    name says it); a date is ISO text, ``YYYY-MM-DD``.
    """

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        return {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        return {**super().dataclass_schema(schema), "additionalProperties": False}

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        return {**super().typed_dict_schema(schema), "additionalProperties": False}


def json_schema_of(kind: Any, *, name: str, title: str, description: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the JSON form of ``kind``, a dataclass or a typed dict.

    The fields' ``description`` and constraints come from the type (dataclass field metadata
    or ``Annotated`` types); the document gets ``$schema``, its ``$id`` (``SCHEMA_BASE`` and
    ``name``), ``title`` and ``description``, then the rest in pydantic's order, ``$defs``
    last.

    >>> from typing_extensions import TypedDict
    >>> class Point(TypedDict):
    ...     x: int
    >>> json_schema_of(Point, name="point.json", title="P", description="A point.")["required"]
    ['x']
    """
    generated = TypeAdapter(kind).json_schema(mode="serialization", schema_generator=_Document)
    generated.pop("title", None)
    generated.pop("description", None)
    defs = generated.pop("$defs", {})
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_BASE + name,
        "title": title,
        "description": description,
        **generated,
        **({"$defs": defs} if defs else {}),
    }


def schedule_json_schema() -> dict[str, Any]:
    """The schema of :meth:`~aomori_roadmap.engine.schedule.Schedule.to_json`, generated from
    :class:`~aomori_roadmap.engine.schedule.ScheduleJson` (a fresh copy)."""
    return json_schema_of(
        ScheduleJson,
        name="schedule.schema.json",
        title="Aomori roadmap schedule",
        description="Schedule.to_json(): ISO dates, both ends inclusive; lengths and slack in "
        "working days.",
    )


def schema_text(schema: dict[str, Any]) -> str:
    """The schema as it is written to disk: stable, indented, UTF-8, trailing newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
