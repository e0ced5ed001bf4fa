"""The plan's evaluation scale (評価) and intermediate indicators (中間指標): read, and checked
with each problem at its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aomori_roadmap.errors import PlanValidationError
from aomori_roadmap.plan.loader import load_plan, plan_from_data
from aomori_roadmap.plan.model import EvaluationScale

HEADER = """\
id: p
name: P
period: {start: FY2024, end: FY2028}
departments:
  - {id: somu, name: 総務課}
kpis:
  - id: k
    name: K
    baseline: {fy: 2023, value: 1}
    target: {fy: 2028, value: 9}
initiatives:
  - {id: a, name: A, kpis: [k]}
"""  # 12 lines: what a test adds starts at line 13

WritePlan = Callable[[dict[str, str]], Path]


def problems(write_plan: WritePlan, extra: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(PlanValidationError) as caught:
        load_plan(write_plan({"plan.yaml": HEADER + extra}))
    return [(p.line, p.code, p.message) for p in caught.value.problems]


def test_the_default_scale_is_the_status_scale() -> None:
    plan = plan_from_data({"id": "p", "name": "P", "period": {"start": 2024, "end": 2028}})
    assert plan.evaluation == EvaluationScale(scale="status")
    assert plan.indicators == []


def test_a_rate_scale_and_indicators_are_read(write_plan: WritePlan) -> None:
    plan = load_plan(
        write_plan(
            {
                "plan.yaml": HEADER
                + """\
evaluation:
  scale: rate
  basis: year
  grades:
    - {code: S, label: 達成, min_rate: 100}
    - {code: A, label: 順調, min_rate: 80}
    - {code: C, label: 遅れ}
indicators:
  - {id: ind-1, name: 相談件数, unit: 件, kpi: k, department: somu,
     values: [{fy: 2024, value: 12}]}
  - {id: ind-2, name: 研修回数, initiative: a, direction: down,
     baseline: {fy: 2023, value: 10}, target: {fy: 2028, value: 5},
     targets: [{fy: 2026, value: 7}]}
"""
            }
        )
    )
    assert (plan.evaluation.scale, plan.evaluation.basis) == ("rate", "year")
    assert [(g.code, g.min_rate) for g in plan.evaluation.grades] == [
        ("S", 100.0),
        ("A", 80.0),
        ("C", None),
    ]
    first, second = plan.indicators
    assert (first.kpi, first.initiative, first.values[0].value) == ("k", None, 12.0)
    assert (second.kpi, second.initiative, second.direction) == (None, "a", "down")
    assert second.baseline is not None and second.baseline.value == 10.0


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (  # one grade only
            "evaluation:\n  scale: rate\n  grades:\n    - {code: A, label: A}\n",
            [(17, "bad-evaluation")],
        ),
        (  # no grades at all: at the scale
            "evaluation:\n  scale: rate\n",
            [(15, "bad-evaluation")],
        ),
        (  # thresholds not falling, a grade without one, the last with one, a code twice
            "evaluation:\n  scale: rate\n  grades:\n"
            "    - {code: S, label: S, min_rate: 80}\n"
            "    - {code: A, label: A, min_rate: 80}\n"
            "    - {code: B, label: B}\n"
            "    - {code: S, label: C, min_rate: 10}\n",
            [
                (18, "bad-evaluation"),
                (19, "bad-evaluation"),
                (20, "bad-evaluation"),
                (20, "bad-evaluation"),
            ],  # not falling; no min_rate; S twice; the last has one
        ),
        (  # unset is the code of a missing value
            "evaluation:\n  scale: rate\n  grades:\n"
            "    - {code: unset, label: S, min_rate: 80}\n    - {code: B, label: B}\n",
            [(17, "bad-evaluation")],
        ),
        (  # the status scale takes neither grades nor a basis
            "evaluation:\n  basis: year\n  grades:\n    - {code: A, label: A}\n",
            [(15, "bad-evaluation"), (17, "bad-evaluation")],  # basis; grades
        ),
    ],
    ids=["one-grade", "no-grades", "bad-grades", "reserved-code", "status-with-grades"],
)
def test_a_bad_scale_is_located(
    write_plan: WritePlan, extra: str, expected: list[tuple[int, str]]
) -> None:
    found = problems(write_plan, "\n" + extra)  # a blank line 13: the scale starts at 14
    assert [(line, code) for line, code, _ in found] == expected


def test_bad_scale_messages_in_english(write_plan: WritePlan) -> None:
    from aomori_roadmap.i18n import using_language

    with using_language("en"):
        found = problems(
            write_plan,
            "evaluation:\n  scale: rate\n  grades:\n"
            "    - {code: S, label: S, min_rate: 50}\n"
            "    - {code: A, label: A, min_rate: 80}\n"
            "    - {code: C, label: C}\n",
        )
    assert found == [
        (
            17,
            "bad-evaluation",
            "the min_rate 80 of grade 'A' is not below the one before it (50).",
        )
    ]


def test_indicator_problems_are_located(write_plan: WritePlan) -> None:
    found = problems(
        write_plan,
        """\
indicators:
  - {id: k, name: same id as the KPI, kpi: k}
  - {id: i1, name: both, kpi: k, initiative: a}
  - {id: i2, name: neither}
  - {id: i3, name: unknown KPI, kpi: kk}
  - {id: i4, name: unknown initiative, initiative: b, department: jinji}
  - id: i5
    name: years
    initiative: a
    targets:
      - {fy: 2025, value: 1}
      - {fy: 2025, value: 2}
      - {fy: 2030, value: 3}
    values:
      - {fy: 2023, value: 1}
      - {fy: 2024, value: 1}
      - {fy: 2024, value: 2}
  - {id: i1, name: twice, initiative: a}
""",
    )
    assert [(line, code) for line, code, _ in found] == [
        (14, "duplicate-id"),  # k: the KPI's id
        (15, "bad-kpi"),  # both a KPI and an initiative
        (16, "bad-kpi"),  # neither
        (17, "unknown-reference"),  # kk
        (18, "unknown-reference"),  # initiative b
        (18, "unknown-reference"),  # department jinji
        (24, "bad-kpi"),  # a second yearly target for FY2025
        (25, "bad-kpi"),  # FY2030 is after the plan
        (27, "bad-kpi"),  # a value for FY2023 is before the plan
        (29, "bad-kpi"),  # a second value for FY2024
        (30, "duplicate-id"),  # i1 again
    ]


def test_indicators_of_a_based_header_merge_by_id(write_plan: WritePlan) -> None:
    plan = load_plan(
        write_plan(
            {
                "plan.yaml": """\
base: aomori-dx-2024-2028
indicators:
  - {id: ind-x, name: X, kpi: kpi-sme-dx-rate}
"""
            }
        )
    )
    assert [i.id for i in plan.indicators] == ["ind-x"]


def test_the_examples_of_the_docs_load_on_the_embedded_plan(write_plan: WritePlan) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "plan-files.md").read_text(encoding="utf-8")
    blocks = [
        block.split("```", 1)[0]
        for block in docs.split("```yaml\n")[1:]
        if block.startswith(("evaluation:", "indicators:"))
    ]
    assert len(blocks) == 2
    header = "base: aomori-dx-2024-2028\n" + "".join(blocks)
    initiatives = "initiatives:\n  - {id: sangyo-dx-matching, name: マッチング}\n"
    plan = load_plan(write_plan({"plan.yaml": header, "sangyo.yaml": initiatives}))
    assert plan.evaluation.scale == "rate"
    assert [i.id for i in plan.indicators] == ["ind-dx-consultations", "ind-seminars"]


def test_an_indicator_s_yearly_targets_lie_between_its_baseline_and_its_target(
    write_plan: WritePlan,
) -> None:
    from aomori_roadmap.i18n import using_language

    with using_language("en"):
        found = problems(
            write_plan,
            """\
indicators:
  - id: i1
    name: a yearly target after the target, and one in the target's year
    kpi: k
    baseline: {fy: 2024, value: 0}
    target: {fy: 2026, value: 100}
    targets:
      - {fy: 2025, value: 50}
      - {fy: 2028, value: 1000}
      - {fy: 2026, value: 100}
  - id: i2
    name: before the baseline; outside the plan and twice, each reported once
    initiative: a
    baseline: {fy: 2025, value: 0}
    target: {fy: 2028, value: 30}
    targets:
      - {fy: 2024, value: 60}
      - {fy: 2030, value: 60}
      - {fy: 2024, value: 61}
  - {id: i3, name: no baseline so no span, initiative: a, target: {fy: 2026, value: 9},
     targets: [{fy: 2028, value: 1}]}
""",
        )
    assert sorted(found) == [
        (
            21,
            "bad-kpi",
            "the yearly target of indicator 'i1' for FY2028 is not between its baseline"
            " (FY2024) and its target (FY2026).",
        ),
        (
            22,
            "bad-kpi",
            "the yearly target of indicator 'i1' for FY2026 is not between its baseline"
            " (FY2024) and its target (FY2026).",
        ),
        (
            29,
            "bad-kpi",
            "the yearly target of indicator 'i2' for FY2024 is not between its baseline"
            " (FY2025) and its target (FY2028).",
        ),
        (
            30,
            "bad-kpi",
            "the yearly target of indicator 'i2' for FY2030 is outside the plan's period"
            " (FY2024–FY2028).",
        ),
        (31, "bad-kpi", "indicator 'i2' has two yearly targets for FY2024."),
    ]


def test_a_target_on_the_wrong_side_of_the_baseline_is_refused(write_plan: WritePlan) -> None:
    from aomori_roadmap.i18n import using_language

    folder = write_plan(
        {
            "plan.yaml": """\
id: p
name: P
period: {start: FY2024, end: FY2028}
kpis:
  - {id: flat, name: equal is fine, baseline: {fy: 2023, value: 5}, target: {fy: 2028, value: 5}}
  - {id: paper, name: down but rising, direction: down,
     baseline: {fy: 2023, value: 500}, target: {fy: 2028, value: 1000}}
  - {id: share, name: up but falling, baseline: {fy: 2023, value: 0.5},
     target: {fy: 2028, value: 0.25}}
  - {id: unset, name: no baseline value yet, direction: down, baseline: {fy: 2023},
     target: {fy: 2028, value: 9}}
  - {id: flat-down, name: equal going down, direction: down,
     baseline: {fy: 2023, value: 5}, target: {fy: 2028, value: 5}}
indicators:
  - {id: i-bad, name: down but rising, kpi: flat, direction: down,
     baseline: {fy: 2024, value: 10}, target: {fy: 2026, value: 20}}
  - {id: i-ok, name: down and falling, kpi: flat, direction: down,
     baseline: {fy: 2024, value: 20}, target: {fy: 2026, value: 10}}
  - {id: i-up, name: up but falling, kpi: flat, baseline: {fy: 2024, value: 3},
     target: {fy: 2026, value: 2}}
  - {id: i-half, name: no baseline, kpi: flat, direction: down, target: {fy: 2026, value: 1}}
"""
        }
    )
    with using_language("en"), pytest.raises(PlanValidationError) as caught:
        load_plan(folder)
    found = [(p.line, p.code, p.message, p.hint) for p in caught.value.problems]
    hint = "correct the direction, the baseline or the target"
    assert found == [
        (
            7,
            "bad-kpi",
            "the target of KPI 'paper' (1000) is above its baseline (500), but its direction"
            " is down (lower is better).",
            hint,
        ),
        (
            9,
            "bad-kpi",
            "the target of KPI 'share' (0.25) is below its baseline (0.5), but its direction"
            " is up (higher is better).",
            hint,
        ),
        (
            16,
            "bad-kpi",
            "the target of indicator 'i-bad' (20) is above its baseline (10), but its"
            " direction is down (lower is better).",
            hint,
        ),
        (
            20,
            "bad-kpi",
            "the target of indicator 'i-up' (2) is below its baseline (3), but its direction"
            " is up (higher is better).",
            hint,
        ),
    ]


def test_ids_that_name_site_pages_differ_in_more_than_case(write_plan: WritePlan) -> None:
    found = problems(
        write_plan,
        """\
  - {id: A, name: A again}
indicators:
  - {id: K, name: K again, kpi: k}
  - {id: Index, name: the list page, kpi: k}
fields:
  - {id: f, name: F}
  - {id: F, name: F again}
""",
    )
    assert sorted((line, code) for line, code, _message in found) == [
        (13, "duplicate-id"),  # initiative A beside a
        (15, "duplicate-id"),  # indicator K beside KPI k: one kpis/ folder
        (16, "reserved-id"),  # indicator Index: kpis/index.html is the list
        (19, "duplicate-id"),  # field F beside f
    ]
    messages = " ".join(message for _line, _code, message in found)
    assert "'A'" in messages and "'a'" in messages and "'Index'" in messages


def test_a_task_id_may_differ_only_in_case(write_plan: WritePlan) -> None:
    """Tasks have no page of their own: their ids stay case-sensitive and free."""
    folder = write_plan({"plan.yaml": HEADER.replace(
        "  - {id: a, name: A, kpis: [k]}",
        "  - {id: a, name: A, kpis: [k], tasks: [{id: t, name: T, start: FY2024-H1,"
        " duration: 1half}, {id: T, name: T2, after: t, duration: 1half}]}",
    )})  # fmt: skip
    assert len(load_plan(folder).initiatives[0].tasks) == 2
