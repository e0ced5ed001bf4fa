from __future__ import annotations

from pathlib import Path

import pytest

from aomori_roadmap.export.schemas import json_schemas
from aomori_roadmap.plan.schema import schema_text

SCHEMAS = Path(__file__).parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(json_schemas()))
def test_committed_schema_is_up_to_date(name: str) -> None:
    committed = SCHEMAS / name
    assert committed.is_file(), f"run: aomori-roadmap schema export schemas ({name} is missing)"
    assert committed.read_text(encoding="utf-8") == schema_text(json_schemas()[name]), (
        f"schemas/{name} is stale: run `aomori-roadmap schema export schemas`"
    )


def test_plan_schema_accepts_a_based_header_and_an_initiative_file() -> None:
    schema = json_schemas()["plan.schema.json"]
    header = schema["$defs"]["PlanHeader"]
    assert header["then"]["required"] == ["id", "name", "period"]
    assert header["if"] == {"not": {"required": ["base"]}}
    assert schema["$defs"]["InitiativeFile"]["required"] == ["initiatives"]
