from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aomori_roadmap.errors import PlanError, PlanValidationError
from aomori_roadmap.plan.loader import (
    DEFAULT_PLAN_ID,
    default_plan,
    dump_plan,
    load_plan,
    plan_from_data,
)
from aomori_roadmap.plan.model import LinkType

WritePlan = Callable[[dict[str, str]], Path]

HEADER = """\
id: test-plan
name: テストプラン
period: {start: FY2024, end: FY2028}
departments:
  - {id: somu, name: 総務部}
"""

BASED = """\
base: aomori-dx-2024-2028
departments:
  - {id: hachinohe, name: 八戸市DX推進室, contact: dx@example.jp}
"""


def test_a_single_file_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(
        HEADER + "initiatives:\n  - {id: a, name: A, tasks: [{id: x, name: X, duration: 1mo}]}\n",
        encoding="utf-8",
    )
    plan = load_plan(path)
    assert plan.id == "test-plan"
    assert [ref for ref, _, _ in plan.iter_tasks()] == ["a/x"]


def test_a_json_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps({"id": "j", "name": "J", "period": {"start": "FY2024", "end": "FY2025"}}),
        encoding="utf-8",
    )
    assert load_plan(path).name == "J"


def test_a_folder_of_initiative_files(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": HEADER,
            "a.yaml": "initiatives:\n  - {id: a, name: A, department: somu}\n",
            "sub/b.yml": "id: b\nname: B\ntasks: [{id: x, name: X, duration: 3w}]\n",
        }
    )
    plan = load_plan(folder)
    assert [i.id for i in plan.initiatives] == ["a", "b"]


def test_dependency_key_on_needs_no_quotes(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": HEADER,
            "a.yaml": """\
initiatives:
  - id: a
    name: A
    tasks:
      - {id: x, name: X, duration: 1mo}
      - id: y
        name: Y
        duration: 1mo
        depends:
          - on: x
            type: SS
            lag: 10bd
""",
        }
    )
    (dependency,) = load_plan(folder).task("a/y").depends
    assert dependency.on == "x" and dependency.type is LinkType.SS


def test_yaml_yes_and_no_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(HEADER.replace("name: テストプラン", "name: no"), encoding="utf-8")
    assert load_plan(path).name == "no"


def test_a_base_header_takes_the_embedded_structure(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": BASED,
            "mine.yaml": """\
initiatives:
  - id: hachinohe-portal
    name: 市民ポータル
    item: resident-convenience
    policies: [resident-convenience-1]
    department: hachinohe
    priority: [防災]
    tasks: [{id: x, name: 検討, start: R7上期, duration: 1half}]
""",
        }
    )
    plan = load_plan(folder)
    counts = plan.counts()
    assert (counts["items"], counts["policies"], counts["kpis"]) == (14, 53, 19)
    assert [i.id for i in plan.initiatives] == ["hachinohe-portal"]  # base roadmaps not included
    assert plan.departments[-1].id == "hachinohe"
    assert len(plan.departments) == len(default_plan().departments) + 1
    assert plan.base == DEFAULT_PLAN_ID


def test_a_base_header_replaces_structure_entries_with_the_same_id(write_plan: WritePlan) -> None:
    folder = write_plan(
        {"plan.yaml": BASED + "  - {id: somu, name: 総務部, contact: somu@example.jp}\n"}
    )
    somu = next(d for d in load_plan(folder).departments if d.id == "somu")
    assert somu.contact == "somu@example.jp"


def test_an_unknown_base_is_a_located_problem(write_plan: WritePlan) -> None:
    with pytest.raises(PlanValidationError) as error:
        load_plan(write_plan({"plan.yaml": "base: tokyo-dx\n"}))
    assert any("tokyo-dx" in p.message for p in error.value.problems)


def test_every_mistake_of_a_folder_is_reported_with_its_line(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": BASED,
            "a.yaml": """\
initiatives:
  - id: alpha
    name: 取組A
    item: disaster-managment
    tasks:
      - {id: t1, name: 検討, start: FY20244, duration: 1half}
      - {id: t2, name: 設計, after: t9, duration: 4mo}
      - {id: t2, name: 重複, after: t1, duration: 5xx}
""",
            "b.yaml": "initiatives:\n  - id: beta\n    name: [unclosed\n",
        }
    )
    with pytest.raises(PlanValidationError) as error:
        load_plan(folder)
    found = {(Path(p.path or "").name, p.line, p.code) for p in error.value.problems}
    assert found == {
        ("a.yaml", 4, "unknown-reference"),  # item
        ("a.yaml", 6, "value_error"),  # period FY20244
        ("a.yaml", 7, "unknown-reference"),  # after t9
        ("a.yaml", 8, "duplicate-id"),  # t2 again
        ("a.yaml", 8, "value_error"),  # duration 5xx
        ("b.yaml", 4, "syntax"),  # malformed YAML
    }
    hint = next(
        p.hint for p in error.value.problems if p.line == 4 and p.path and "a.yaml" in p.path
    )
    assert hint == "もしかして 'disaster-management'?"


def test_problems_point_at_the_offending_value_column(write_plan: WritePlan) -> None:
    folder = write_plan(
        {"plan.yaml": HEADER, "a.yaml": "initiatives:\n  - {id: a, name: A, department: ghost}\n"}
    )
    with pytest.raises(PlanValidationError) as error:
        load_plan(folder)
    (problem,) = error.value.problems
    assert (problem.line, problem.column) == (2, 34)
    assert str(problem).endswith(
        "a.yaml:2:34: 担当課 'ghost' が見つかりません。 (使えるのは: somu)"
    )


def test_a_json_syntax_error_has_its_line(write_plan: WritePlan) -> None:
    folder = write_plan({"plan.yaml": HEADER, "a.json": '{"initiatives": [\n  {"id": "a",, }]}'})
    with pytest.raises(PlanValidationError) as error:
        load_plan(folder)
    (problem,) = error.value.problems
    assert problem.code == "syntax" and problem.line == 2


def test_a_file_that_is_not_an_initiative_file(write_plan: WritePlan) -> None:
    folder = write_plan({"plan.yaml": HEADER, "notes.yaml": "- just\n- a list\n"})
    with pytest.raises(PlanValidationError) as error:
        load_plan(folder)
    assert error.value.problems[0].code == "bad-file"


def test_a_folder_without_a_header_is_refused(write_plan: WritePlan) -> None:
    with pytest.raises(PlanError, match=r"plan\.yaml"):
        load_plan(write_plan({"a.yaml": "initiatives: []\n"}))


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="見つかりません"):
        load_plan(tmp_path / "nothing")


def test_an_invalid_header_does_not_hide_initiative_problems(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": "id: p\nname: P\nperiod: {start: FY2024}\n",
            "a.yaml": "initiatives:\n  - {id: a, name: A, tasks: [{id: x, name: X, duration: 2zz}]}\n",
        }
    )
    with pytest.raises(PlanValidationError) as error:
        load_plan(folder)
    assert sorted(p.code for p in error.value.problems) == ["missing", "value_error"]


def test_where_finds_a_task_line(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": HEADER,
            "a.yaml": "initiatives:\n  - id: a\n    name: A\n    tasks:\n"
            "      - {id: x, name: X, duration: 1mo}\n",
        }
    )
    plan = load_plan(folder)
    assert plan.where(plan.task_loc("a/x")).endswith("a.yaml:5:9")


def test_plan_from_data_reports_problems_without_files() -> None:
    with pytest.raises(PlanValidationError) as error:
        plan_from_data(
            {
                "id": "p",
                "name": "P",
                "period": {"start": "FY2024", "end": "FY2024"},
                "initiatives": [{"id": "a", "name": "A", "item": "x"}],
            }
        )
    assert str(error.value.problems[0]).startswith("<plan>: 項目 'x'")


@pytest.mark.parametrize("target", ["out", "out.yaml", "out.json"])
def test_dump_then_load_gives_the_same_plan(tmp_path: Path, target: str) -> None:
    plan = default_plan()
    dump_plan(plan, tmp_path / target)
    assert load_plan(tmp_path / target) == plan


def test_the_default_plan_is_loaded_once() -> None:
    assert default_plan() is default_plan()


def test_hidden_folders_are_not_part_of_the_plan(write_plan: WritePlan) -> None:
    folder = write_plan({"plan.yaml": HEADER, ".github/workflows/ci.yml": "on: push\njobs: {}\n"})
    assert load_plan(folder).initiatives == []


def test_a_file_with_one_initiative_and_no_tasks(write_plan: WritePlan) -> None:
    folder = write_plan({"plan.yaml": HEADER, "a.yaml": "id: a\nname: A\n"})
    assert [i.id for i in load_plan(folder).initiatives] == ["a"]


def test_booleans_must_be_true_or_false(write_plan: WritePlan) -> None:
    folder = write_plan(
        {
            "plan.yaml": HEADER,
            "a.yaml": "id: a\nname: A\ntasks: [{id: x, name: X, milestone: yes}]\n",
        }
    )
    with pytest.raises(PlanValidationError) as error:
        load_plan(folder)
    assert [p.code for p in error.value.problems] == ["bool_type"]


def test_an_unknown_base_is_reported_once(write_plan: WritePlan) -> None:
    with pytest.raises(PlanValidationError) as error:
        load_plan(write_plan({"plan.yaml": "base: tokyo-dx\n"}))
    assert len(error.value.problems) == 1
