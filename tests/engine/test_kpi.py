from __future__ import annotations

from typing import Any

import pytest

from aomori_roadmap.engine.kpi import KpiStatus, achievement_rate, expected_value, progress
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Kpi


def _kpi(direction: str, base: float | None, goal: float | None) -> Kpi:
    return Kpi.model_validate(
        {
            "id": "k",
            "name": "K",
            "direction": direction,
            "baseline": {"fy": 2023, "value": base},
            "target": {"fy": 2028, "value": goal},
        }
    )


def test_rate_upwards() -> None:
    assert achievement_rate(_kpi("up", 100, 200), 150) == 50.0


def test_rate_downwards() -> None:
    assert achievement_rate(_kpi("down", 1000, 600), 900) == 25.0


def test_rate_beyond_the_target() -> None:
    assert achievement_rate(_kpi("down", 1000, 600), 500) == 125.0


def test_expected_value_on_the_straight_line() -> None:
    kpi = _kpi("down", 1000, 500)
    assert [expected_value(kpi, fy) for fy in (2022, 2023, 2024, 2026, 2028, 2030)] == [
        1000.0,
        1000.0,
        900.0,
        700.0,
        500.0,
        500.0,
    ]


@pytest.mark.parametrize(
    ("direction", "actual", "status"),
    [
        ("up", 160, KpiStatus.ON_TRACK),  # expected 2025: 140
        ("up", 130, KpiStatus.BEHIND),
        ("up", 200, KpiStatus.ACHIEVED),  # the target already reached
        ("up", None, KpiStatus.UNSET),
    ],
)
def test_status_upwards(direction: str, actual: float | None, status: KpiStatus) -> None:
    assert progress(_kpi(direction, 100, 200), 2025, actual).status is status


@pytest.mark.parametrize(
    ("actual", "status"),
    [(700, KpiStatus.ON_TRACK), (900, KpiStatus.BEHIND), (480, KpiStatus.ACHIEVED)],
)
def test_status_downwards(actual: float, status: KpiStatus) -> None:
    # expected in 2025: 1000 − 2/5 × 500 = 800
    assert progress(_kpi("down", 1000, 500), 2025, actual).status is status


@pytest.mark.parametrize(("base", "goal"), [(None, 200), (100, None), (None, None)])
def test_missing_baseline_or_target_is_unset(base: float | None, goal: float | None) -> None:
    result = progress(_kpi("up", base, goal), 2025, 150)
    assert result.status is KpiStatus.UNSET and result.rate is None


def test_flat_target() -> None:
    assert achievement_rate(_kpi("up", 100, 100), 100) == 100.0
    assert achievement_rate(_kpi("up", 100, 100), 90) == 0.0


def test_every_kpi_of_the_embedded_plan_is_unset() -> None:
    for kpi in default_plan().kpis:
        assert progress(kpi, 2025, None).status.label() == "未設定"


def test_labels() -> None:
    assert [s.label() for s in KpiStatus] == ["達成", "順調", "遅れ", "未設定"]
    assert KpiStatus.ON_TRACK.label("en") == "on track"


def _with_targets(direction: str, targets: list[tuple[int, float | None]]) -> Kpi:
    base, goal = (100, 200) if direction == "up" else (1000, 600)
    kpi = _kpi(direction, base, goal)
    points = [{"fy": fy, "value": value} for fy, value in targets]
    return Kpi.model_validate({**kpi.model_dump(), "targets": points})


def test_a_yearly_target_is_the_expected_value_of_its_year() -> None:
    # Upwards, 100 (FY2023) → 200 (FY2028), with a slow start: 110 in FY2025.
    kpi = _with_targets("up", [(2025, 110)])
    assert [expected_value(kpi, fy) for fy in range(2023, 2029)] == [
        100.0, 105.0, 110.0, 140.0, 170.0, 200.0,
    ]  # fmt: skip
    assert progress(kpi, 2025, 112).status is KpiStatus.ON_TRACK
    assert progress(kpi, 2026, 112).status is KpiStatus.BEHIND  # the line says 140 by then


def test_yearly_targets_downwards_and_a_year_without_a_value() -> None:
    # Downwards, 1000 → 600; FY2024's target is not set yet (None) and counts as missing.
    kpi = _with_targets("down", [(2024, None), (2026, 700)])
    assert expected_value(kpi, 2024) == 900.0  # on the line from 1000 (FY2023) to 700 (FY2026)
    assert expected_value(kpi, 2026) == 700.0
    assert expected_value(kpi, 2027) == 650.0
    assert progress(kpi, 2026, 690).status is KpiStatus.ON_TRACK
    assert progress(kpi, 2026, 720).status is KpiStatus.BEHIND
    assert progress(kpi, 2026, 600).status is KpiStatus.ACHIEVED


def test_yearly_targets_outside_the_span_or_twice_are_located(write_plan: Any) -> None:
    from aomori_roadmap.errors import PlanValidationError
    from aomori_roadmap.plan.loader import load_plan

    folder = write_plan(
        {
            "plan.yaml": """\
id: p
name: P
period: {start: FY2024, end: FY2028}
kpis:
  - id: k
    name: K
    baseline: {fy: 2023, value: 1}
    target: {fy: 2028, value: 9}
    targets:
      - {fy: 2025, value: 3}
      - {fy: 2025, value: 4}
      - {fy: 2030, value: 5}
"""
        }
    )
    with pytest.raises(PlanValidationError) as caught:
        load_plan(folder)
    found = [(p.line, p.code) for p in caught.value.problems]
    assert found == [(11, "bad-kpi"), (12, "bad-kpi")]
