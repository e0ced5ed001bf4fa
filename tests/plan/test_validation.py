"""Validation never lies: what passes schedules, what fails is located, in the user's words.

Each case of the first round of breaking the loader from outside is a test here, made from
``examples/minimal-roadmap`` as a new user's folder would be.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.errors import CycleError, PlanValidationError, Problem
from aomori_roadmap.i18n import using_language
from aomori_roadmap.plan.loader import load_plan, plan_from_data

EXAMPLE = Path(__file__).parents[2] / "examples" / "minimal-roadmap"
ONLINE = Path("initiatives") / "online-procedures.yaml"
ALERTS = Path("initiatives") / "disaster-alerts.yaml"

# What must never reach a user: pydantic's own wording and the library's class names.
FOREIGN = re.compile(
    r"Input should|Field required|pydantic|Duration\b|FiscalYear|Half\(|Day\(|NoneType|"
    r"Traceback|Exceeds the limit|day is out of range"
)


def folder(tmp_path: Path, **edits: Callable[[str], str]) -> Path:
    """A copy of the minimal roadmap folder with each named file's text edited."""
    target = tmp_path / "plan"
    shutil.copytree(EXAMPLE, target)
    files = {"online": target / ONLINE, "alerts": target / ALERTS, "header": target / "plan.yaml"}
    for name, edit in edits.items():
        path = files[name]
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def problems_of(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(PlanValidationError) as caught:
        load_plan(path)
    for problem in caught.value.problems:
        assert not FOREIGN.search(str(problem)), str(problem)
    return caught.value.problems


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line holding ``needle``."""
    hits = [
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    ]
    return hits[occurrence - 1]


def chain(n: int, duration: str, *, loop: bool = False) -> list[dict[str, object]]:
    """``n`` tasks, each after the one before (and the first after the last with ``loop``)."""
    tasks: list[dict[str, object]] = [
        {"id": f"t{i}", "name": f"工程{i}", "duration": duration, "after": f"t{i - 1}"}
        for i in range(n)
    ]
    if loop:
        tasks[0]["after"] = f"t{n - 1}"
    else:
        del tasks[0]["after"]
    return tasks


def one_initiative(tasks: list[dict[str, object]], end: int = 2028) -> dict[str, object]:
    """A plan of FY2024 to ``end`` holding one initiative with ``tasks``."""
    return {
        "id": "p",
        "name": "P",
        "period": {"start": 2024, "end": end},
        "initiatives": [{"id": "a", "name": "A", "tasks": tasks}],
    }


def refused(data: dict[str, object]) -> tuple[Problem, ...]:
    with pytest.raises(PlanValidationError) as caught:
        plan_from_data(data)
    return caught.value.problems


def test_every_example_and_the_embedded_plan_still_pass() -> None:
    plan = load_plan(EXAMPLE)
    assert schedule(plan).finish is not None


# --- cycles --------------------------------------------------------------------------------------


def test_cycle_is_reported_with_every_task_in_order_and_its_line(tmp_path: Path) -> None:
    # inventory → design → build → manual, and now inventory waits for manual: a circle of 4.
    path = folder(
        tmp_path,
        online=lambda t: t.replace(
            "start: 令和7年度上期, duration: 1half}",
            "start: 令和7年度上期, duration: 1half, after: manual}",
        ),
    )
    (problem,) = problems_of(path)
    file = path / ONLINE
    assert problem.code == "cycle"
    assert (problem.path, problem.line) == (str(file), line_of(file, "id: inventory"))
    steps = problem.message.split(": ", 1)[1].split(" → ")
    assert [step.split(" ")[0] for step in steps] == [
        "online-procedures/inventory",
        "online-procedures/design",
        "online-procedures/build",
        "online-procedures/manual",
        "online-procedures/inventory",
    ]
    for step, needle in zip(
        steps, ("id: inventory", "id: design", "id: build", "id: manual"), strict=False
    ):
        assert f"({file}:{line_of(file, needle)}:" in step


def test_every_separate_cycle_is_reported(tmp_path: Path) -> None:
    def two_circles(text: str) -> str:
        text = text.replace("after: [inventory]", "after: [inventory, design]")  # a self loop
        return text.replace("after: [build, manual]", "after: [build, manual, review]")

    path = folder(
        tmp_path,
        online=two_circles,
        alerts=lambda t: t.replace(
            "after: [study], duration: 3mo", "after: [study, trial], duration: 3mo"
        ),
    )
    codes = [p.code for p in problems_of(path)]
    assert codes.count("cycle") == 3  # design on itself, launch ↔ review, trial on itself


def test_cycle_across_files_names_both_files(tmp_path: Path) -> None:
    path = folder(
        tmp_path,
        online=lambda t: t.replace(
            "after: [inventory]", "after: [inventory, disaster-alerts/launch]"
        ),
    )
    (problem,) = [p for p in problems_of(path) if p.code == "cycle"]
    assert str(path / ONLINE) in problem.message and str(path / ALERTS) in problem.message


def test_long_cycle_through_every_task_of_a_chain() -> None:
    n = 2_000
    (problem,) = refused(one_initiative(chain(n, "1bd", loop=True), end=2025))
    assert problem.message.count(" → ") == n


def test_schedule_names_a_cycle_whatever_task_comes_first() -> None:
    # A task behind the circle comes first in plan order: the old report looked for the
    # circle from there, found none and crashed.
    from aomori_roadmap.plan.model import Plan

    tasks = [
        {"id": "after-it", "name": "後", "duration": "1bd", "after": "c"},
        {"id": "a", "name": "A", "duration": "1bd", "after": "c"},
        {"id": "b", "name": "B", "duration": "1bd", "after": "a"},
        {"id": "c", "name": "C", "duration": "1bd", "after": "b"},
    ]
    plan = Plan.model_validate(
        {
            "id": "p",
            "name": "P",
            "period": {"start": 2024, "end": 2024},
            "initiatives": [{"id": "i", "name": "I", "tasks": tasks}],
        }
    )
    with pytest.raises(CycleError) as caught:
        schedule(plan)
    assert caught.value.cycle == ("i/a", "i/b", "i/c")


# --- strict YAML ---------------------------------------------------------------------------------


def test_date_that_does_not_exist_is_located(tmp_path: Path) -> None:
    path = folder(tmp_path, online=lambda t: t.replace("start: 令和7年度上期", "start: 2025-02-30"))
    (problem,) = problems_of(path)
    file = path / ONLINE
    assert (problem.path, problem.line) == (str(file), line_of(file, "2025-02-30"))
    assert "2025-02-30" in problem.message and "存在しない日付" in problem.message


def test_closed_day_that_does_not_exist_is_located(tmp_path: Path) -> None:
    path = folder(tmp_path, header=lambda t: t + "calendar:\n  closed_days: [2025-13-01]\n")
    (problem,) = problems_of(path)
    assert problem.line == line_of(path / "plan.yaml", "2025-13-01")
    assert "YYYY-MM-DD" in problem.message


def test_key_written_twice_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    path = folder(
        tmp_path, online=lambda t: t.replace("duration: 1half}", "duration: 1half, duration: 2mo}")
    )
    (problem,) = problems_of(path)
    file = path / ONLINE
    line = line_of(file, "duration: 2mo")
    column = file.read_text(encoding="utf-8").splitlines()[line - 1].index("duration: 2mo") + 1
    assert (problem.code, problem.line, problem.column) == ("duplicate-key", line, column)
    assert "'duration'" in problem.message


def test_key_written_twice_in_a_block_mapping(tmp_path: Path) -> None:
    path = folder(
        tmp_path,
        header=lambda t: t.replace(
            "name: サンプル県DX推進プラン\n", "name: サンプル県DX推進プラン\nname: 別の名前\n"
        ),
    )
    (problem,) = problems_of(path)
    assert (problem.code, problem.line) == (
        "duplicate-key",
        line_of(path / "plan.yaml", "別の名前"),
    )


def test_key_written_twice_in_json(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text(
        '{"id": "p", "name": "P",\n "period": {"start": 2024, "end": 2025},\n "name": "Q"}\n',
        encoding="utf-8",
    )
    (problem,) = problems_of(target)
    assert (problem.code, problem.line, problem.column) == ("duplicate-key", 3, 2)


def test_merge_keys_may_be_overridden_without_a_duplicate(tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    target.write_text(
        "defaults: &d {start: FY2024, end: FY2025}\n"
        "id: p\nname: P\nperiod: {<<: *d, end: FY2026}\n",
        encoding="utf-8",
    )
    (problem,) = problems_of(target)  # only the unknown key 'defaults'
    assert problem.code == "extra_forbidden"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0b_", "期間の長さ"),
        ("!!int abc", "期間の長さ"),
        ("!!bool maybe", "期間の長さ"),
        ("!!timestamp junk", "期間の長さ"),
        ("9" * 5000, "大きすぎ"),
        ("1e400", "期間の長さ"),
        (".nan", "期間の長さ"),
        ("{a: 1}", "期間の長さ"),
        ("[1, 2]", "期間の長さ"),
        ("true", "期間の長さ"),
    ],
)
def test_values_yaml_cannot_or_should_not_read_are_located(
    tmp_path: Path, value: str, words: str
) -> None:
    path = folder(tmp_path, online=lambda t: t.replace("lag: 10bd", f"lag: {value}"))
    (problem,) = problems_of(path)
    assert problem.line == line_of(path / ONLINE, "id: build") + 2
    assert "'lag'" in problem.message and words in problem.message


@pytest.mark.parametrize(
    ("lag", "limit"),
    [("99999y", "100y"), ("-99999bd", "25000bd"), ("P9999Y", "100y"), ("5000half", "200half")],
)
def test_lag_far_outside_the_calendar_quotes_the_number_in_the_file(
    tmp_path: Path, lag: str, limit: str
) -> None:
    path = folder(tmp_path, online=lambda t: t.replace("lag: 10bd", f"lag: {lag}"))
    (problem,) = problems_of(path)
    assert f"'{lag}'" in problem.message and limit in problem.message


def test_duration_far_outside_the_calendar_quotes_the_number_in_the_file(tmp_path: Path) -> None:
    path = folder(tmp_path, online=lambda t: t.replace("duration: 6mo", "duration: 50000mo"))
    (problem,) = problems_of(path)
    assert "'50000mo'" in problem.message and problem.line == line_of(path / ONLINE, "50000mo")


def test_chain_that_leaves_the_calendar_is_located_at_its_task() -> None:
    (problem,) = refused(one_initiative(chain(90, "100y")))
    assert problem.code == "out-of-range" and problem.loc[:2] == ("initiatives", 0)


def test_deadline_long_before_a_chain_is_located() -> None:
    tasks = chain(3, "100y")
    tasks.append({"id": "m", "name": "完了", "milestone": True, "after": "t2", "due": "FY1870"})
    assert [p.code for p in refused(one_initiative(tasks))] == ["out-of-range"]


def test_long_but_possible_chain_passes_and_schedules() -> None:
    plan = plan_from_data(one_initiative(chain(5, "100y")))
    assert schedule(plan).finish.year == 2524


# --- the user's words ----------------------------------------------------------------------------


def test_wrong_type_gets_japanese_words_naming_no_class(tmp_path: Path) -> None:
    path = folder(tmp_path, online=lambda t: t.replace("duration: 1half}", "duration: {a: 1}}"))
    (problem,) = problems_of(path)
    assert (
        problem.message
        == "'duration': 期間の長さを文字列か整数で書いてください（例: 10bd, 4mo, 1half）"
    )


def test_english_on_request(tmp_path: Path) -> None:
    path = folder(tmp_path, online=lambda t: t.replace("duration: 1half}", "duration: {a: 1}}"))
    with using_language("en"):
        (problem,) = problems_of(path)
    assert (
        problem.message == "'duration': write a duration as a text or a whole number "
        "(e.g. 10bd, 4mo, 1half)"
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("name: サンプル県DX推進プラン", "name: [a, b]"),
            "文字列を書いてください",
        ),
        (lambda t: t.replace("id: sample-dx-2025-2027", "id: サンプル"), "英数字"),
        (lambda t: t + "timezone: Mars/Olympus\n", "タイムゾーン"),
        (lambda t: t.replace("direction: up", "direction: sideways", 1), "使える値ではありません"),
        (
            lambda t: t.replace("{fy: 2024, value: null}", "{fy: 2024, value: many}", 1),
            "数値を書いてください",
        ),
        (lambda t: t + "extra_key: 1\n", "この項目は使えません"),
    ],
)
def test_header_problems_are_japanese_and_located(
    tmp_path: Path, edit: Callable[[str], str], expected: str
) -> None:
    path = folder(tmp_path, header=edit)
    problems = problems_of(path)
    assert any(expected in p.message and p.line is not None for p in problems), problems


# --- files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("initiatives: []\n".encode("utf-16"), "UTF-16"),
        ("initiatives: []\n# 日本語の注記\n".encode("cp932"), "UTF-8"),
        (b"initiatives: [\n" * 1 + b"[" * 100_000, "YAML"),
        (b"- a\n- b\n", "initiatives"),
        (b"\x00\x01", "U+0000"),
    ],
)
def test_unreadable_files_are_located(tmp_path: Path, content: bytes, words: str) -> None:
    path = folder(tmp_path)
    (path / ONLINE).write_bytes(content)
    problems = [p for p in problems_of(path) if p.path == str(path / ONLINE)]
    assert problems and words in problems[0].message and problems[0].line is not None


def test_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = folder(tmp_path)
    text = (path / ONLINE).read_text(encoding="utf-8")
    (path / ONLINE).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_plan(path).counts()["tasks"] == 11


def test_json_number_too_long_to_read_is_located(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text(json.dumps({"id": "p", "name": "P"})[:-1] + ', "x": ' + "9" * 5000 + "}")
    problems = problems_of(target)
    assert any(p.path == str(target) and "'x'" in p.message for p in problems), problems


def test_reference_problems_in_english_hold_no_japanese_program_text() -> None:
    data = {
        "id": "p",
        "name": "Plan",
        "period": {"start": 2024, "end": 2025},
        "departments": [{"id": "ict", "name": "ICT"}],
        "initiatives": [
            {
                "id": "a",
                "name": "A",
                "department": "itc",
                "tasks": [
                    {"id": "x", "name": "X", "milestone": True, "duration": "1bd", "after": "nope"},
                    {
                        "id": "x",
                        "name": "X2",
                        "duration": "-1bd",
                        "start": "FY2025",
                        "finish": "FY2024",
                    },
                ],
            },
        ],
    }
    with using_language("en"), pytest.raises(PlanValidationError) as caught:
        plan_from_data(data)
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    assert len(caught.value.problems) >= 5
    for problem in caught.value.problems:
        assert not japanese.search(str(problem)), str(problem)
    assert any("did you mean 'ict'?" in str(p) for p in caught.value.problems)


def test_a_header_that_cannot_be_read_is_one_problem_not_two(tmp_path: Path) -> None:
    path = folder(tmp_path, header=lambda t: t.replace("id: sample-dx-2025-2027", "id: [unclosed"))
    problems = [p for p in problems_of(path) if p.path == str(path / "plan.yaml")]
    assert [p.code for p in problems] == ["syntax"]
