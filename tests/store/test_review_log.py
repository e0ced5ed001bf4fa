"""Review records and KPI actuals: states, corrections, bad input that writes nothing.

Every test runs on SQLite and on PostgreSQL (see ``conftest.py``). The test plan's
initiative ``alerts`` runs from FY2024-H1 to FY2024-H2, ``learning`` from FY2025-H1.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from storetest import PLAN_DATA, Clock, jst

from aomori_roadmap.engine.kpi import KpiMark
from aomori_roadmap.errors import ConflictError, PlanError
from aomori_roadmap.plan.loader import plan_from_data
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.store.review_log import KpiLog, ReviewLog

KPIS = [
    {"id": "support", "name": "支援件数", "direction": "up", "source": "県調べ",
     "baseline": {"fy": 2023, "value": 100}, "target": {"fy": 2028, "value": 200}},
    {"id": "paper", "name": "コピー用紙使用量", "direction": "down",
     "baseline": {"fy": 2023, "value": 1000}, "target": {"fy": 2028, "value": 500}},
]  # fmt: skip
INDICATORS = [{"id": "consults", "name": "相談件数", "kpi": "support", "source": "窓口調べ"}]


def rows(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(count)


@pytest.fixture
def log(store: Store) -> ReviewLog:
    return ReviewLog(store)


@pytest.fixture
def kpi_store(db_url: str, clock: Clock) -> Iterator[Store]:
    """A store whose plan has two KPIs, one of each direction."""
    plan = plan_from_data({**PLAN_DATA, "kpis": KPIS, "indicators": INDICATORS})
    with Store(db_url, plan=plan, clock=clock) as opened:
        yield opened


# --- review records -------------------------------------------------------------------------


def test_an_initiative_moves_from_not_submitted_to_reviewed(log: ReviewLog) -> None:
    assert log.state("FY2024-H2", "alerts").stage == "not_submitted"
    submitted = log.submit(
        "R6下期", "alerts", rating="○", actor="危機管理課",
        achievements="仕様を策定", issues="予算", next_steps="構築に着手",
    )  # fmt: skip
    state = log.state("FY2024-H2", "alerts")
    assert state.stage == "submitted"
    assert state.submission == submitted
    assert (submitted.cycle, submitted.achievements, submitted.next_steps) == (
        "FY2024-H2", "仕様を策定", "構築に着手",
    )  # fmt: skip
    reviewed = log.review("FY2024-H2", "alerts", rating="△", actor="DX推進課", comment="要注意")
    state = log.state("令和6年度下期", "alerts")
    assert state.stage == "reviewed"
    assert (state.submission, state.review) == (submitted, reviewed)


def test_the_recorded_time_comes_from_the_store_clock(log: ReviewLog, clock: Clock) -> None:
    assert log.submit("FY2024-H1", "alerts", rating="◎", actor="課").recorded == clock.now


def test_a_rating_may_be_written_as_its_label_or_a_look_alike_circle(log: ReviewLog) -> None:
    assert log.submit("FY2024-H1", "alerts", rating="予定どおり", actor="課").rating == "○"
    assert log.submit("FY2024-H1", "alerts", rating="〇", actor="課").rating == "○"


def test_a_later_submission_replaces_the_earlier_one(log: ReviewLog) -> None:
    log.submit("FY2024-H1", "alerts", rating="△", actor="課")
    second = log.submit("FY2024-H1", "alerts", rating="○", actor="課")
    assert log.state("FY2024-H1", "alerts").submission == second


def test_a_correction_replaces_what_it_corrects_and_both_stay(log: ReviewLog) -> None:
    wrong = log.submit("FY2024-H1", "alerts", rating="×", actor="課")
    fixed = log.submit("FY2024-H1", "alerts", rating="○", actor="課", corrects=wrong.id)
    trail = log.records("FY2024-H1", "alerts")
    assert [(r.id, r.corrected_by) for r in trail] == [(wrong.id, fixed.id), (fixed.id, None)]
    assert trail[1].corrects == wrong.id
    assert log.state("FY2024-H1", "alerts").submission == trail[1]


def test_a_record_is_corrected_at_most_once(store: Store, db_url: str, log: ReviewLog) -> None:
    wrong = log.submit("FY2024-H1", "alerts", rating="×", actor="課")
    log.submit("FY2024-H1", "alerts", rating="○", actor="課", corrects=wrong.id)
    with pytest.raises(ConflictError, match="すでに"):
        log.submit("FY2024-H1", "alerts", rating="△", actor="課", corrects=wrong.id)
    assert rows(db_url, "review_records") == 2


@pytest.mark.parametrize(
    ("stage", "cycle", "initiative"),
    [("reviewed", "FY2024-H1", "alerts"), ("submitted", "FY2024-H2", "alerts")],
)
def test_a_correction_must_be_of_the_same_cycle_initiative_and_stage(
    log: ReviewLog, db_url: str, stage: str, cycle: str, initiative: str
) -> None:
    first = log.submit("FY2024-H1", "alerts", rating="×", actor="課")
    record = log.review if stage == "reviewed" else log.submit
    with pytest.raises(PlanError, match="同じ対象"):
        record(cycle, initiative, rating="○", actor="課", corrects=first.id)
    assert rows(db_url, "review_records") == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cycle": "FY2031-H1"}, "プランの期間外"),
        ({"cycle": "FY2025"}, "半期ではありません"),
        ({"initiative": "learning"}, "見直しの対象ではありません"),
        ({"initiative": "nope"}, "プランにありません"),
        ({"rating": "☆"}, "評価の尺度にありません"),
        ({"rating": ""}, "評価の尺度にありません"),
        ({"actor": "  "}, "actor"),
        ({"corrects": 999}, "訂正する見直しの提出 #999 がありません"),
        ({"corrects": 0}, "正の整数"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    log: ReviewLog, db_url: str, change: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "cycle": "FY2024-H1", "initiative": "alerts", "rating": "○", "actor": "課",
    }  # fmt: skip
    arguments.update(change)
    with pytest.raises(PlanError, match=message):
        log.submit(**arguments)  # type: ignore[arg-type]
    assert rows(db_url, "review_records") == 0


def test_a_review_may_name_the_revision_it_decided(
    store: Store, log: ReviewLog, plan: Plan, db_url: str
) -> None:
    revision = store.save_revision(plan, "DX推進課", "FY2024-H2 の見直し")
    reviewed = log.review("FY2024-H2", "alerts", rating="△", actor="DX推進課", revision=revision.id)
    assert reviewed.revision == revision.id
    with pytest.raises(PlanError, match="改訂 '99'"):
        log.review("FY2024-H2", "alerts", rating="△", actor="DX推進課", revision=99)
    assert rows(db_url, "review_records") == 1


def test_started_unfinished_work_stays_covered(store: Store, log: ReviewLog) -> None:
    # Planned, "alerts" ends in FY2024-H2; started late and not done, it is reviewed later.
    with pytest.raises(PlanError, match="対象ではありません"):
        log.submit("FY2025-H2", "alerts", rating="△", actor="課")
    store.record_status("alerts/study", "in_progress", actor="課", effective=jst(2025, 5, 1))
    assert log.submit("FY2025-H2", "alerts", rating="△", actor="課").cycle == "FY2025-H2"


def test_a_plan_may_have_its_own_rating_scale(db_url: str, clock: Clock) -> None:
    scale = [{"symbol": "A", "label": "順調"}, {"symbol": "B", "label": "遅れ"}]
    plan = plan_from_data({**PLAN_DATA, "review_policy": {"ratings": scale}})
    with Store(db_url, plan=plan, clock=clock) as store:
        log = ReviewLog(store)
        assert log.submit("FY2024-H1", "alerts", rating="遅れ", actor="課").rating == "B"
        with pytest.raises(PlanError, match="A 順調, B 遅れ"):
            log.submit("FY2024-H1", "alerts", rating="○", actor="課")


def test_states_and_stages_of_every_pair_in_one_go(log: ReviewLog) -> None:
    log.submit("FY2024-H2", "alerts", rating="○", actor="課")
    log.submit("FY2025-H1", "learning", rating="◎", actor="課")
    log.review("FY2025-H1", "learning", rating="◎", actor="DX推進課")
    assert log.stages() == {
        ("FY2024-H2", "alerts"): "submitted",
        ("FY2025-H1", "learning"): "reviewed",
    }
    assert log.stages("FY2024-H1") == {}


def test_the_database_refuses_to_rewrite_a_record(log: ReviewLog, db_url: str) -> None:
    log.submit("FY2024-H1", "alerts", rating="○", actor="課")
    engine = create_engine(db_url)
    try:
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("UPDATE review_records SET rating = '◎'"))
    finally:
        engine.dispose()


def test_a_store_without_a_plan_cannot_check_reviews(db_url: str) -> None:
    with Store(db_url) as store, pytest.raises(PlanError, match="プランが必要"):
        ReviewLog(store).submit("FY2024-H1", "alerts", rating="○", actor="課")


# --- KPI actuals ----------------------------------------------------------------------------


def test_actual_values_per_year_with_the_plan_source_by_default(kpi_store: Store) -> None:
    kpis = KpiLog(kpi_store)
    kpis.record("support", 2024, 120, actor="商工労働部")
    kpis.record("support", "FY2025", 150, "独自集計", "速報値", actor="商工労働部")
    kpis.record("paper", "令和6年度", 900, actor="総務部")
    found = [(a.kpi, a.fy, a.value, a.source, a.note) for a in kpis.actuals()]
    assert found == [
        ("support", 2024, 120.0, "県調べ", ""),
        ("support", 2025, 150.0, "独自集計", "速報値"),
        ("paper", 2024, 900.0, "", ""),
    ]
    assert kpis.values() == {"support": {2024: 120.0, 2025: 150.0}, "paper": {2024: 900.0}}
    assert [a.fy for a in kpis.actuals("paper")] == [2024]


def test_a_kpi_correction_applies_and_the_trail_stays(kpi_store: Store, db_url: str) -> None:
    kpis = KpiLog(kpi_store)
    first = kpis.record("support", 2024, 120, actor="課")
    fixed = kpis.record("support", 2024, 125, note="集計漏れ", actor="課", corrects=first.id)
    assert [(a.id, a.value) for a in kpis.actuals()] == [(fixed.id, 125.0)]
    assert [r.corrected_by for r in kpis.records()] == [fixed.id, None]
    with pytest.raises(ConflictError):
        kpis.record("support", 2024, 130, actor="課", corrects=first.id)
    with pytest.raises(PlanError, match="同じ対象"):
        kpis.record("support", 2025, 130, actor="課", corrects=fixed.id)
    assert rows(db_url, "kpi_actuals") == 2


@pytest.mark.parametrize(
    ("kpi", "fy", "value", "message"),
    [
        ("nope", 2024, 1.0, "成果指標 'nope' はプランにありません"),
        ("support", 2023, 1.0, "プランの期間（FY2024–FY2028）の外"),
        ("support", 2029, 1.0, "プランの期間"),
        ("support", "FY2025-H1", 1.0, "年度ではありません"),
        ("support", 2025, float("nan"), "有限の数値"),
        ("support", 2025, True, "有限の数値"),
    ],
)
def test_a_bad_kpi_value_is_refused_and_writes_nothing(
    kpi_store: Store, db_url: str, kpi: str, fy: object, value: object, message: str
) -> None:
    with pytest.raises(PlanError, match=message):
        KpiLog(kpi_store).record(kpi, fy, value, actor="課")  # type: ignore[arg-type]
    assert rows(db_url, "kpi_actuals") == 0


@pytest.mark.parametrize(
    ("written", "mark"),
    [("未把握", KpiMark.UNKNOWN), (" 調査中", KpiMark.SURVEYING), ("unknown", KpiMark.UNKNOWN),
     ("surveying", KpiMark.SURVEYING), (KpiMark.SURVEYING, KpiMark.SURVEYING)],
)  # fmt: skip
def test_a_mark_is_recorded_instead_of_a_number(
    kpi_store: Store, written: str, mark: KpiMark
) -> None:
    kpis = KpiLog(kpi_store)
    actual = kpis.record("support", 2025, written, actor="課")
    assert (actual.value, actual.mark, actual.measured) == (None, mark.value, mark)
    assert kpis.values() == {"support": {2025: mark}}


def test_values_hold_numbers_and_marks_and_a_mark_corrects_a_number(kpi_store: Store) -> None:
    kpis = KpiLog(kpi_store)
    first = kpis.record("support", 2025, 130, actor="課")
    kpis.record("support", 2025, "調査中", actor="課", corrects=first.id)
    kpis.record("support", 2024, 120.5, actor="課")
    kpis.record("paper", 2024, "未把握", actor="課")
    values = kpis.values()
    assert values == {
        "support": {2024: 120.5, 2025: KpiMark.SURVEYING},
        "paper": {2024: KpiMark.UNKNOWN},
    }
    assert type(values["support"][2024]) is float
    assert [(a.kpi, a.fy, a.to_json()["mark"]) for a in kpis.actuals()] == [
        ("support", 2024, None), ("support", 2025, "surveying"), ("paper", 2024, "unknown"),
    ]  # fmt: skip


def test_an_indicator_takes_values_like_a_kpi(kpi_store: Store) -> None:
    kpis = KpiLog(kpi_store)
    kpis.record("paper", 2025, 900, actor="課")
    actual = kpis.record("consults", 2025, 42, actor="課")
    assert (actual.kpi, actual.value, actual.source) == ("consults", 42.0, "窓口調べ")
    kpis.record("consults", 2024, "unknown", actor="課")
    assert [(a.kpi, a.fy) for a in kpis.actuals()] == [
        ("paper", 2025), ("consults", 2024), ("consults", 2025),
    ]  # fmt: skip  # KPIs first, then indicators, each in plan order
    assert [a.fy for a in kpis.actuals("consults")] == [2024, 2025]


@pytest.mark.parametrize("value", ["不明", "", "12", "n/a"])
def test_a_text_that_is_not_a_mark_is_refused_naming_what_is_accepted(
    kpi_store: Store, db_url: str, value: str
) -> None:
    with pytest.raises(PlanError) as caught:
        KpiLog(kpi_store).record("support", 2025, value, actor="課")
    assert "未把握, 調査中, unknown, surveying" in str(caught.value)
    assert rows(db_url, "kpi_actuals") == 0


def test_a_kpi_value_needs_an_actor(kpi_store: Store, db_url: str) -> None:
    with pytest.raises(PlanError, match="actor"):
        KpiLog(kpi_store).record("support", 2025, 1, actor="")
    assert rows(db_url, "kpi_actuals") == 0
