"""KPIs and indicators: rates, expected values, statuses and evaluations, worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_roadmap.engine.kpi import (
    Evaluation,
    KpiMark,
    KpiStatus,
    Measured,
    achievement_rate,
    evaluate,
    evaluation_rate,
    expected_value,
    indicators_of,
    kpi_initiatives,
    progress,
)
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import EvaluationScale, Indicator, Kpi, KpiPoint, Plan


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


# --- marks (未把握, 調査中) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("未把握", KpiMark.UNKNOWN),
        (" 調査中 ", KpiMark.SURVEYING),
        ("unknown", KpiMark.UNKNOWN),
        ("Surveying ", KpiMark.SURVEYING),
        ("不明", None),
        ("", None),
        ("12", None),
        (12, None),
    ],
)
def test_a_mark_is_read_from_its_japanese_label_or_its_code(text: object, mark: object) -> None:
    assert KpiMark.read(text) is mark


def test_mark_labels() -> None:
    assert [m.label() for m in KpiMark] == ["未把握", "調査中"]
    assert [m.label("en") for m in KpiMark] == ["not known", "being surveyed"]


def test_a_mark_has_no_number_rate_or_status() -> None:
    result = progress(_kpi("up", 100, 200), 2025, KpiMark.SURVEYING)
    assert (result.actual, result.expected, result.rate) == (None, 140.0, None)
    assert (result.status, result.mark) == (KpiStatus.UNSET, KpiMark.SURVEYING)
    assert progress(_kpi("up", 100, 200), 2025, 150).mark is None


# --- evaluation ---------------------------------------------------------------------------------

GRADES = [
    {"code": "S", "label": "達成", "min_rate": 100},
    {"code": "A", "label": "順調", "min_rate": 80},
    {"code": "B", "label": "やや遅れ", "min_rate": 50},
    {"code": "C", "label": "遅れ"},
]
STATUS = EvaluationScale()
FINAL = EvaluationScale.model_validate({"scale": "rate", "basis": "final", "grades": GRADES})
YEAR = EvaluationScale.model_validate({"scale": "rate", "basis": "year", "grades": GRADES})


def _code(kpi: Kpi | Indicator, fy: int, actual: Measured, scale: EvaluationScale) -> str:
    return evaluate(kpi, fy, actual, scale).code


@pytest.mark.parametrize(
    ("actual", "code"),
    [
        (200, "achieved"),
        (160, "on_track"),  # expected in FY2025: 140
        (140, "on_track"),  # exactly the expected value
        (139, "behind"),
        (None, "unset"),
        (KpiMark.UNKNOWN, "unset"),
    ],
)
def test_the_status_scale_grades_by_status(actual: Measured, code: str) -> None:
    assert _code(_kpi("up", 100, 200), 2025, actual, STATUS) == code


def test_status_evaluation_labels() -> None:
    kpi = _kpi("down", 1000, 500)
    assert evaluate(kpi, 2025, 800, STATUS) == Evaluation("on_track", "順調", False)
    assert evaluate(kpi, 2025, 900, STATUS, lang="en") == Evaluation("behind", "behind", False)
    assert evaluate(kpi, 2025, None, STATUS) == Evaluation("unset", "未設定", True)


@pytest.mark.parametrize(
    ("actual", "rate", "code"),
    [
        (220, 120.0, "S"),
        (200, 100.0, "S"),  # exactly at the threshold of S
        (199.9, 99.9, "A"),
        (180, 80.0, "A"),  # exactly at the threshold of A
        (179.9, 79.9, "B"),
        (150, 50.0, "B"),
        (149.9, 49.9, "C"),
        (90, -10.0, "C"),
    ],
)
def test_rate_towards_the_final_target_upwards(actual: float, rate: float, code: str) -> None:
    kpi = _kpi("up", 100, 200)  # the same in every year: towards the final target
    assert evaluation_rate(kpi, 2025, actual, FINAL) == rate
    assert _code(kpi, 2025, actual, FINAL) == code
    assert _code(kpi, 2027, actual, FINAL) == code


@pytest.mark.parametrize(
    ("actual", "rate", "code"),
    [
        (400, 120.0, "S"),
        (500, 100.0, "S"),
        (600, 80.0, "A"),  # (600 − 1000) / (500 − 1000)
        (750, 50.0, "B"),
        (760, 48.0, "C"),
        (1100, -20.0, "C"),
    ],
)
def test_rate_towards_the_final_target_downwards(actual: float, rate: float, code: str) -> None:
    kpi = _kpi("down", 1000, 500)
    assert evaluation_rate(kpi, 2026, actual, FINAL) == rate
    assert _code(kpi, 2026, actual, FINAL) == code


@pytest.mark.parametrize(
    ("actual", "rate", "code"),
    [
        (140, 100.0, "S"),  # expected in FY2025: 140; (140 − 100) / (140 − 100)
        (132, 80.0, "A"),
        (120, 50.0, "B"),
        (110, 25.0, "C"),
        (160, 150.0, "S"),
    ],
)
def test_rate_towards_the_year_upwards(actual: float, rate: float, code: str) -> None:
    kpi = _kpi("up", 100, 200)
    assert evaluation_rate(kpi, 2025, actual, YEAR) == rate
    assert _code(kpi, 2025, actual, YEAR) == code


@pytest.mark.parametrize(
    ("actual", "rate", "code"),
    [
        (700, 100.0, "S"),  # expected in FY2026: 700
        (760, 80.0, "A"),  # (760 − 1000) / (700 − 1000) = 0.8
        (850, 50.0, "B"),
        (900, 33.3, "C"),
        (600, 133.3, "S"),
    ],
)
def test_rate_towards_the_year_downwards(actual: float, rate: float, code: str) -> None:
    kpi = _kpi("down", 1000, 500)
    assert evaluation_rate(kpi, 2026, actual, YEAR) == rate
    assert _code(kpi, 2026, actual, YEAR) == code


def test_rate_towards_the_year_follows_the_yearly_targets() -> None:
    kpi = _with_targets("up", [(2025, 110)])  # FY2025: 110; FY2026: 110 + 90/3 = 140
    assert [evaluation_rate(kpi, 2025, v, YEAR) for v in (110, 108, 104)] == [100.0, 80.0, 40.0]
    assert [_code(kpi, 2025, v, YEAR) for v in (110, 108, 104)] == ["S", "A", "C"]
    assert evaluation_rate(kpi, 2026, 128, YEAR) == 70.0
    assert _code(kpi, 2026, 128, YEAR) == "B"
    assert evaluation_rate(kpi, 2026, 128, FINAL) == 28.0  # the final basis ignores them


def test_rate_towards_the_year_at_and_after_the_target_year_is_the_final_rate() -> None:
    kpi = _kpi("up", 100, 200)
    assert evaluation_rate(kpi, 2028, 180, YEAR) == evaluation_rate(kpi, 2030, 180, YEAR) == 80.0


def test_rate_towards_the_year_in_the_baseline_year_is_all_or_nothing() -> None:
    # In FY2023 the expected value is the baseline: reaching it is 100 %, else 0 %.
    kpi = _kpi("up", 100, 200)
    assert [evaluation_rate(kpi, 2023, v, YEAR) for v in (100, 120, 99)] == [100.0, 100.0, 0.0]


@pytest.mark.parametrize(
    ("direction", "actual", "code"),
    [("up", 100, "S"), ("up", 101, "S"), ("up", 99, "C"), ("down", 100, "S"), ("down", 101, "C")],
)
def test_a_target_equal_to_the_baseline_is_met_or_not(
    direction: str, actual: float, code: str
) -> None:
    kpi = _kpi(direction, 100, 100)
    assert _code(kpi, 2025, actual, FINAL) == code
    assert _code(kpi, 2025, actual, YEAR) == code


@pytest.mark.parametrize("scale", [FINAL, YEAR], ids=["final", "year"])
@pytest.mark.parametrize("actual", [None, KpiMark.UNKNOWN, KpiMark.SURVEYING])
def test_a_missing_value_or_a_mark_is_unset_on_a_rate_scale(
    scale: EvaluationScale, actual: Measured
) -> None:
    assert evaluation_rate(_kpi("up", 100, 200), 2025, actual, scale) is None
    assert evaluate(_kpi("up", 100, 200), 2025, actual, scale) == Evaluation(
        "unset", "未設定", True
    )
    assert evaluate(_kpi("up", 100, 200), 2025, actual, scale, lang="en").label == "not set"


@pytest.mark.parametrize("scale", [FINAL, YEAR], ids=["final", "year"])
def test_a_missing_baseline_or_target_is_unset_on_a_rate_scale(scale: EvaluationScale) -> None:
    assert evaluate(_kpi("up", None, 200), 2025, 150, scale).unset
    assert evaluate(_kpi("up", 100, None), 2025, 150, scale).unset


# --- intermediate indicators (中間指標) -------------------------------------------------------


def _indicator(**fields: Any) -> Indicator:
    return Indicator.model_validate({"id": "ind", "name": "I", "initiative": "a", **fields})


def test_an_indicator_without_a_baseline_or_a_target_has_no_rate() -> None:
    bare = _indicator(values=[{"fy": 2024, "value": 35}])
    only_target = _indicator(target={"fy": 2028, "value": 50})
    for indicator in (bare, only_target):
        assert expected_value(indicator, 2025) is None
        assert achievement_rate(indicator, 35) is None
        assert progress(indicator, 2025, 35).status is KpiStatus.UNSET
        assert evaluate(indicator, 2025, 35, FINAL).unset
        assert evaluate(indicator, 2025, 35, STATUS).code == "unset"


def test_an_indicator_with_a_baseline_and_a_target_is_measured_like_a_kpi() -> None:
    # Downwards 40 (FY2023) → 20 (FY2028), 30 expected in FY2025 (yearly target).
    indicator = _indicator(
        direction="down",
        baseline={"fy": 2023, "value": 40},
        target={"fy": 2028, "value": 20},
        targets=[{"fy": 2025, "value": 30}],
    )
    assert expected_value(indicator, 2024) == 35.0
    assert expected_value(indicator, 2025) == 30.0
    assert achievement_rate(indicator, 30) == 50.0  # (30 − 40) / (20 − 40)
    assert evaluation_rate(indicator, 2025, 32, YEAR) == 80.0  # (32 − 40) / (30 − 40)
    assert _code(indicator, 2025, 32, YEAR) == "A"
    assert _code(indicator, 2025, 32, FINAL) == "C"  # 40 %
    assert _code(indicator, 2025, 29, STATUS) == "on_track"
    assert progress(indicator, 2025, 29).kpi == "ind"


def test_yearly_targets_outside_the_span_do_not_bend_the_expected_line() -> None:
    # check_plan refuses them; a plan built without it must still get the straight line.
    after = _indicator(
        baseline={"fy": 2024, "value": 0},
        target={"fy": 2026, "value": 100},
        targets=[{"fy": 2028, "value": 1000}],
    )
    before = _indicator(
        baseline={"fy": 2025, "value": 0},
        target={"fy": 2028, "value": 30},
        targets=[{"fy": 2024, "value": 60}],
    )
    assert [expected_value(after, fy) for fy in (2024, 2025, 2026, 2028)] == [0, 50, 100, 100]
    assert [expected_value(before, fy) for fy in (2024, 2025, 2026, 2027)] == [0, 0, 10, 20]
    # In the baseline's or the target's own year a yearly target is not between them either.
    kpi = _with_targets("up", [(2023, 500), (2025, 110), (2028, 900)])
    assert [expected_value(kpi, fy) for fy in range(2023, 2029)] == [
        100.0, 105.0, 110.0, 140.0, 170.0, 200.0,
    ]  # fmt: skip
    assert progress(after, 2025, 60).status is KpiStatus.ON_TRACK
    assert evaluation_rate(after, 2025, 25, YEAR) == 50.0  # (25 − 0) / (50 − 0)


def test_kpi_initiatives_and_indicators_of() -> None:
    plan = Plan.model_validate(
        {
            "id": "p",
            "name": "P",
            "period": {"start": 2024, "end": 2028},
            "kpis": [
                {"id": k, "name": k, "baseline": {"fy": 2023}, "target": {"fy": 2028}}
                for k in ("k1", "k2", "k3")
            ],
            "initiatives": [
                {"id": "a", "name": "A", "kpis": ["k2", "k1"]},
                {"id": "b", "name": "B", "kpis": ["k2"]},
            ],
            "indicators": [
                {"id": "i1", "name": "I1", "kpi": "k2"},
                {"id": "i2", "name": "I2", "initiative": "a"},
                {"id": "i3", "name": "I3", "kpi": "k1"},
            ],
        }
    )
    assert kpi_initiatives(plan) == {"k1": ("a",), "k2": ("a", "b"), "k3": ()}
    assert [i.id for i in indicators_of(plan, kpi="k2")] == ["i1"]
    assert [i.id for i in indicators_of(plan, initiative="a")] == ["i2"]
    assert [i.id for i in indicators_of(plan, kpi="k1", initiative="a")] == ["i2", "i3"]
    assert [i.id for i in indicators_of(plan)] == ["i1", "i2", "i3"]
    assert indicators_of(plan, kpi="k3") == []


# --- properties ---------------------------------------------------------------------------------

_numbers = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
_years = st.integers(min_value=2018, max_value=2034)
_scales = st.sampled_from([STATUS, FINAL, YEAR])
_measured = st.one_of(st.none(), st.sampled_from(list(KpiMark)), _numbers)


@given(
    direction=st.sampled_from(["up", "down"]),
    base=st.one_of(st.none(), _numbers),
    goal=st.one_of(st.none(), _numbers),
    targets=st.lists(st.tuples(_years, st.one_of(st.none(), _numbers)), max_size=4),
    fy=_years,
    actual=_measured,
    scale=_scales,
)
def test_evaluate_never_raises(
    direction: str,
    base: float | None,
    goal: float | None,
    targets: list[tuple[int, float | None]],
    fy: int,
    actual: Measured,
    scale: EvaluationScale,
) -> None:
    kpi = _kpi(direction, base, goal)
    kpi = kpi.model_copy(update={"targets": [KpiPoint(fy=y, value=v) for y, v in targets]})
    result = evaluate(kpi, fy, actual, scale)
    assert result.unset == (result.code == "unset")
    if actual is None or isinstance(actual, KpiMark):
        assert result.unset


_ORDER = {"achieved": 0, "on_track": 1, "behind": 2, "S": 0, "A": 1, "B": 2, "C": 3}


@given(
    direction=st.sampled_from(["up", "down"]),
    base=_numbers,
    span=st.floats(min_value=0, max_value=1e9),
    shares=st.lists(st.floats(min_value=0, max_value=1), max_size=4),
    fy=_years,
    one=_numbers,
    other=_numbers,
    scale=_scales,
)
def test_a_better_value_never_gets_a_worse_grade(
    direction: str,
    base: float,
    span: float,
    shares: list[float],
    fy: int,
    one: float,
    other: float,
    scale: EvaluationScale,
) -> None:
    # The target and the yearly targets lie on the side of the baseline the direction says.
    sign = 1 if direction == "up" else -1
    goal = base + sign * span
    targets = [KpiPoint(fy=2024 + k, value=base + sign * span * s) for k, s in enumerate(shares)]
    kpi = _kpi(direction, base, goal).model_copy(update={"targets": targets})
    better, worse = sorted((one, other), reverse=direction == "up")
    graded = [evaluate(kpi, fy, value, scale) for value in (better, worse)]
    assert not any(g.unset for g in graded)
    assert _ORDER[graded[0].code] <= _ORDER[graded[1].code]
