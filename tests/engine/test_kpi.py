from __future__ import annotations

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
