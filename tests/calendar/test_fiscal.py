"""Tests of the Japanese calendar: periods, wareki, period expressions and working days."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable

import holidays
import jpholiday
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_roadmap.calendar import (
    ACCEPTED_PERIOD_FORMS,
    ERAS,
    OFFICIAL_EQUINOX_THROUGH,
    Day,
    FiscalYear,
    Half,
    Quarter,
    WorkCalendar,
    fiscal_year_era,
    format_wareki,
    parse_period,
    wareki,
    wareki_year,
)
from aomori_roadmap.errors import PeriodError, PlanError

D = dt.date
CAL = WorkCalendar()

years = st.integers(min_value=1868, max_value=9997)
dates = st.dates(min_value=D(1868, 4, 1), max_value=D(9999, 3, 31))
plan_dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))
periods = st.one_of(
    st.builds(FiscalYear, years),
    st.builds(Half, years, st.integers(1, 2)),
    st.builds(Quarter, years, st.integers(1, 4)),
    st.builds(Day, dates),
)


# --- wareki -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(1868, 1, 25), "明治元年1月25日"),
        (D(1912, 7, 29), "明治45年7月29日"),
        (D(1912, 7, 30), "大正元年7月30日"),
        (D(1926, 12, 24), "大正15年12月24日"),
        (D(1926, 12, 25), "昭和元年12月25日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2024, 4, 1), "令和6年4月1日"),
    ],
)
def test_format_wareki_switches_era_on_its_first_day(day: dt.date, expected: str) -> None:
    assert format_wareki(day) == expected


def test_wareki_returns_era_and_year() -> None:
    assert wareki(D(2019, 4, 30)) == (ERAS[3], 31)
    assert wareki(D(2019, 5, 1)) == (ERAS[4], 1)


def test_wareki_year_writes_first_year_as_gannen() -> None:
    assert wareki_year(D(2019, 5, 1)) == "令和元年"
    assert wareki_year(D(2019, 4, 30)) == "平成31年"


def test_eras_have_names_initials_and_start_days() -> None:
    assert [(e.name, e.initial) for e in ERAS] == [
        ("明治", "M"),
        ("大正", "T"),
        ("昭和", "S"),
        ("平成", "H"),
        ("令和", "R"),
    ]
    assert ERAS[0].start == D(1868, 1, 25)


def test_wareki_before_meiji_raises_period_error() -> None:
    with pytest.raises(PeriodError) as info:
        wareki(D(1868, 1, 24))
    assert info.value.text == "1868-01-24"


@pytest.mark.parametrize(
    ("fy", "name", "year"),
    [
        (2019, "令和", 1),
        (2018, "平成", 30),
        (1988, "昭和", 63),
        (1989, "平成", 1),
        (1926, "昭和", 1),
    ],
)
def test_fiscal_year_takes_the_era_of_december_31(fy: int, name: str, year: int) -> None:
    era, era_year = fiscal_year_era(fy)
    assert (era.name, era_year) == (name, year)


# --- labels -----------------------------------------------------------------------------------


def test_fiscal_year_2019_is_reiwa_gannendo() -> None:
    assert FiscalYear(2019).wareki_label() == "令和元年度"


def test_fiscal_year_japanese_label_has_gregorian_and_wareki() -> None:
    assert FiscalYear(2024).label() == "2024年度（令和6年度）"


def test_half_and_quarter_japanese_labels() -> None:
    assert Half(2024, 1).label("ja") == "令和6年度上期"
    assert Half(2024, 2).label("ja") == "令和6年度下期"
    assert Quarter(2024, 3).label("ja") == "令和6年度第3四半期"


def test_day_japanese_label_has_weekday() -> None:
    assert Day(D(2024, 4, 1)).label() == "2024年4月1日（月）"


def test_english_labels() -> None:
    assert FiscalYear(2024).label("en") == "FY2024"
    assert Half(2024, 1).label("en") == "FY2024 H1"
    assert Quarter(2024, 3).label("en") == "FY2024 Q3"
    assert Day(D(2024, 4, 1)).label("en") == "2024-04-01 (Mon)"


def test_label_with_unknown_language_raises_value_error() -> None:
    with pytest.raises(ValueError, match="fr"):
        FiscalYear(2024).label("fr")


# --- periods ----------------------------------------------------------------------------------


def test_fiscal_year_runs_april_to_march() -> None:
    fy = FiscalYear(2024)
    assert (fy.start, fy.end) == (D(2024, 4, 1), D(2025, 3, 31))


def test_fiscal_year_of_splits_at_april_first() -> None:
    assert FiscalYear.of(D(2025, 3, 31)) == FiscalYear(2024)
    assert FiscalYear.of(D(2025, 4, 1)) == FiscalYear(2025)


def test_half_of_splits_at_october_first() -> None:
    assert Half.of(D(2024, 9, 30)) == Half(2024, 1)
    assert Half.of(D(2024, 10, 1)) == Half(2024, 2)
    assert Half.of(D(2025, 3, 31)) == Half(2024, 2)


def test_half_bounds() -> None:
    assert (Half(2024, 1).start, Half(2024, 1).end) == (D(2024, 4, 1), D(2024, 9, 30))
    assert (Half(2024, 2).start, Half(2024, 2).end) == (D(2024, 10, 1), D(2025, 3, 31))


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (1, D(2024, 4, 1), D(2024, 6, 30)),
        (2, D(2024, 7, 1), D(2024, 9, 30)),
        (3, D(2024, 10, 1), D(2024, 12, 31)),
        (4, D(2025, 1, 1), D(2025, 3, 31)),
    ],
)
def test_quarter_bounds(quarter: int, start: dt.date, end: dt.date) -> None:
    q = Quarter(2024, quarter)
    assert (q.start, q.end) == (start, end)


def test_quarter_of_splits_at_new_year() -> None:
    assert Quarter.of(D(2024, 12, 31)) == Quarter(2024, 3)
    assert Quarter.of(D(2025, 1, 1)) == Quarter(2024, 4)


def test_contains_includes_both_ends() -> None:
    q = Quarter(2024, 2)
    assert q.contains(D(2024, 7, 1))
    assert q.contains(D(2024, 9, 30))
    assert not q.contains(D(2024, 10, 1))
    assert not q.contains(D(2024, 6, 30))


def test_next_and_previous_cross_fiscal_years() -> None:
    assert FiscalYear(2024).next() == FiscalYear(2025)
    assert Half(2024, 2).next() == Half(2025, 1)
    assert Half(2025, 1).previous() == Half(2024, 2)
    assert Quarter(2024, 4).next() == Quarter(2025, 1)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Day(D(2025, 3, 31)).next() == Day(D(2025, 4, 1))


def test_range_includes_both_ends() -> None:
    halves = list(Half.range(Half(2024, 2), Half(2026, 1)))
    assert halves == [Half(2024, 2), Half(2025, 1), Half(2025, 2), Half(2026, 1)]


def test_range_is_empty_when_last_precedes_first() -> None:
    assert list(FiscalYear.range(FiscalYear(2025), FiscalYear(2024))) == []


def test_day_range_counts_every_date() -> None:
    assert len(list(Day.range(Day(D(2024, 4, 1)), Day(D(2025, 3, 31))))) == 365


def test_fiscal_year_splits_into_halves_and_quarters() -> None:
    fy = FiscalYear(2024)
    assert fy.halves() == (Half(2024, 1), Half(2024, 2))
    assert fy.quarters() == tuple(Quarter(2024, q) for q in (1, 2, 3, 4))
    assert Half(2024, 2).fiscal_year == fy
    assert Quarter(2024, 4).fiscal_year == fy


def test_periods_are_ordered_and_hashable() -> None:
    assert Quarter(2024, 4) < Quarter(2025, 1)
    assert len({Half(2024, 1), Half(2024, 1), Half(2024, 2)}) == 2


def test_periods_are_frozen() -> None:
    with pytest.raises(AttributeError):
        FiscalYear(2024).year = 2025  # type: ignore[misc]


def test_periods_survive_pickling() -> None:
    assert pickle.loads(pickle.dumps(Quarter(2024, 3))) == Quarter(2024, 3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Half(2024, 3),
        lambda: Quarter(2024, 0),
        lambda: FiscalYear(1867),
        lambda: FiscalYear(9999),
        lambda: Day(D(1868, 3, 31)),
    ],
)
def test_invalid_fields_raise_period_error(make: Callable[[], object]) -> None:
    with pytest.raises(PeriodError):
        make()


def test_day_of_is_the_day_itself() -> None:
    assert Day.of(D(2024, 4, 1)) == Day(D(2024, 4, 1))


def test_day_converts_pendulum_date_to_plain_date() -> None:
    day = Day(pendulum.date(2024, 4, 1))
    assert type(day.date) is dt.date
    assert day == Day(D(2024, 4, 1))


def test_day_rejects_datetime_as_bad_input() -> None:
    with pytest.raises(PeriodError):
        Day(dt.datetime(2024, 4, 1, 9, 0))


def test_day_rejects_non_dates() -> None:
    with pytest.raises(TypeError):
        Day("2024-04-01")  # type: ignore[arg-type]


def test_periods_accept_pendulum_dates() -> None:
    assert FiscalYear.of(pendulum.date(2025, 3, 31)) == FiscalYear(2024)
    assert Quarter(2024, 4).contains(pendulum.date(2025, 2, 1))


def test_str_is_code() -> None:
    assert [str(p) for p in (FiscalYear(2024), Half(2024, 1), Quarter(2024, 3))] == [
        "FY2024",
        "FY2024-H1",
        "FY2024-Q3",
    ]
    assert str(Day(D(2024, 4, 1))) == "2024-04-01"


@given(periods)
def test_of_start_and_end_give_back_the_period(period: FiscalYear | Half | Quarter | Day) -> None:
    kind = type(period)
    assert kind.of(period.start) == period
    assert kind.of(period.end) == period


@given(
    st.one_of(
        st.builds(Half, years, st.integers(1, 2)), st.builds(Quarter, years, st.integers(1, 4))
    )
)
def test_next_starts_the_day_after_end(period: Half | Quarter) -> None:
    following = period.next()
    assert following.start == period.end + dt.timedelta(days=1)
    assert following.previous() == period


# --- parse_period -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FY2024", FiscalYear(2024)),
        ("FY2024-H1", Half(2024, 1)),
        ("FY2024H2", Half(2024, 2)),
        ("FY2024-Q3", Quarter(2024, 3)),
        ("FY2024Q4", Quarter(2024, 4)),
        ("FY2024 H1", Half(2024, 1)),
        ("2024年度", FiscalYear(2024)),
        ("2024年度上期", Half(2024, 1)),
        ("2024年度下期", Half(2024, 2)),
        ("2024年度上半期", Half(2024, 1)),
        ("2024年度第2四半期", Quarter(2024, 2)),
        ("令和6年度", FiscalYear(2024)),
        ("令和元年度", FiscalYear(2019)),
        ("令和6年度上期", Half(2024, 1)),
        ("令和6年度下期", Half(2024, 2)),
        ("令和6年度上半期", Half(2024, 1)),
        ("令和6年度下半期", Half(2024, 2)),
        ("令和6年度第3四半期", Quarter(2024, 3)),
        ("平成31年度", FiscalYear(2019)),
        ("昭和64年度", FiscalYear(1989)),
        ("R6", FiscalYear(2024)),
        ("R6上期", Half(2024, 1)),
        ("R6下期", Half(2024, 2)),
        ("R6-H1", Half(2024, 1)),
        ("R6Q3", Quarter(2024, 3)),
        ("H31", FiscalYear(2019)),
        ("H1", FiscalYear(1989)),
        ("S64", FiscalYear(1989)),
        ("T15", FiscalYear(1926)),
        ("M45", FiscalYear(1912)),
        ("2024-04-01", Day(D(2024, 4, 1))),
    ],
)
def test_parse_period_accepts_form(text: str, expected: object) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＦＹ２０２４－Ｈ１", Half(2024, 1)),
        ("２０２４年度", FiscalYear(2024)),
        ("令和６年度第３四半期", Quarter(2024, 3)),
        ("Ｒ６上期", Half(2024, 1)),
        ("２０２４－０４－０１", Day(D(2024, 4, 1))),
    ],
)
def test_parse_period_accepts_full_width_input(text: str, expected: object) -> None:
    assert parse_period(text) == expected


def test_parse_period_ignores_case_and_surrounding_space() -> None:
    assert parse_period("  fy2024-h2\n") == Half(2024, 2)
    assert parse_period("r6q1") == Quarter(2024, 1)


def test_parse_period_is_cached() -> None:
    assert parse_period("FY2031-Q2") is parse_period("FY2031-Q2")


def test_every_accepted_form_example_parses() -> None:
    for text in ACCEPTED_PERIOD_FORMS:
        parse_period(text)


@pytest.mark.parametrize(
    "text",
    [
        "FY20244",
        "FY2024-H3",
        "FY2024-Q5",
        "FY2024-",
        "2024",
        "平成32年度",
        "令和0年度",
        "R0",
        "T16",
        "X6",
        "2024-02-30",
        "20240401",
        "1800-01-01",
        "FY1867",
        "",
        "来年度",
    ],
)
def test_parse_period_rejects_bad_expression(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert info.value.text == text


def test_parse_error_quotes_the_text_and_lists_the_forms() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("FY20244")
    assert str(info.value) == (
        "期間の表記 'FY20244' を読めません。使える形: FY2024, FY2024-H1, FY2024-Q3, 2024年度, "
        "令和6年度, 令和元年度, 令和6年度上期, R6上期, R6下期, H31, 2024-04-01"
    )


def test_parse_error_says_why_an_era_year_is_out_of_range() -> None:
    with pytest.raises(PeriodError, match="平成は元年から31年まで"):
        parse_period("平成32年度")


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_period("nonsense")
    assert issubclass(PeriodError, PlanError)


@given(periods)
def test_code_round_trips_through_parse_period(period: FiscalYear | Half | Quarter | Day) -> None:
    assert parse_period(period.code) == period


@given(periods.filter(lambda p: not isinstance(p, Day)))
def test_english_label_round_trips_through_parse_period(
    period: FiscalYear | Half | Quarter,
) -> None:
    assert parse_period(period.label("en")) == period


# --- working days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2024, 2, 12), "振替休日"),
        (D(2024, 5, 6), "振替休日"),
        (D(2026, 9, 22), "国民の休日"),
        (D(2024, 3, 20), "春分の日"),
    ],
)
def test_substitute_and_citizens_holidays_are_closed(day: dt.date, name: str) -> None:
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day) == name


@pytest.mark.parametrize(
    "day",
    [D(2020, 7, 23), D(2020, 7, 24), D(2020, 8, 10), D(2021, 7, 22), D(2021, 7, 23), D(2021, 8, 9)],
)
def test_olympic_moved_holidays_are_closed(day: dt.date) -> None:
    assert not CAL.is_working_day(day)


def test_olympic_2021_mountain_day_fell_on_sunday() -> None:
    assert CAL.holiday_name(D(2021, 8, 8)) == "山の日"
    assert CAL.holiday_name(D(2021, 8, 9)) == "振替休日"


@pytest.mark.parametrize("day", [D(2020, 10, 12), D(2021, 10, 11), D(2020, 7, 20), D(2021, 7, 19)])
def test_original_dates_of_olympic_holidays_are_working_days(day: dt.date) -> None:
    assert CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day", [D(2024, 12, 30), D(2024, 12, 31), D(2025, 1, 2), D(2025, 1, 3), D(2025, 12, 29)]
)
def test_year_end_closure_is_closed(day: dt.date) -> None:
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day) == "年末年始休暇"


def test_new_years_day_keeps_its_national_name() -> None:
    assert CAL.holiday_name(D(2025, 1, 1)) == "元日"


def test_weekday_december_28_is_a_working_day() -> None:
    assert CAL.is_working_day(D(2026, 12, 28))  # a Monday
    assert CAL.holiday_name(D(2026, 12, 28)) is None


def test_year_end_closure_can_be_turned_off() -> None:
    cal = WorkCalendar(year_end_closure=False)
    assert cal.is_working_day(D(2024, 12, 30))
    assert not cal.is_working_day(D(2025, 1, 1))


def test_weekends_are_closed_without_a_name() -> None:
    assert not CAL.is_working_day(D(2024, 4, 6))
    assert CAL.holiday_name(D(2024, 4, 6)) is None


def test_closed_days_are_closed() -> None:
    cal = WorkCalendar(closed_days=[D(2024, 8, 13)])
    assert not cal.is_working_day(D(2024, 8, 13))
    assert cal.holiday_name(D(2024, 8, 13)) == "閉庁日"
    assert cal.closed_days == frozenset({D(2024, 8, 13)})


def test_open_days_override_holidays_and_weekends() -> None:
    cal = WorkCalendar(open_days=[D(2024, 7, 6), D(2024, 12, 30)])
    assert cal.is_working_day(D(2024, 7, 6))
    assert cal.is_working_day(D(2024, 12, 30))
    assert cal.holiday_name(D(2024, 12, 30)) == "年末年始休暇"


def test_day_both_closed_and_open_is_rejected() -> None:
    with pytest.raises(PlanError, match="2024-08-13"):
        WorkCalendar(closed_days=[D(2024, 8, 13)], open_days=[D(2024, 8, 13)])


def test_calendar_remembers_its_fiscal_years() -> None:
    cal = WorkCalendar(2025, 2026)
    assert (cal.first_year, cal.last_year) == (2025, 2026)


def test_next_and_previous_working_day() -> None:
    assert CAL.next_working_day(D(2024, 12, 27)) == D(2024, 12, 27)
    assert CAL.next_working_day(D(2024, 12, 28)) == D(2025, 1, 6)
    assert CAL.previous_working_day(D(2025, 1, 5)) == D(2024, 12, 27)
    assert CAL.previous_working_day(D(2025, 1, 6)) == D(2025, 1, 6)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2024, 5, 2), 1, D(2024, 5, 7)),  # over Golden Week and its 振替休日
        (D(2024, 5, 7), -1, D(2024, 5, 2)),
        (D(2024, 12, 27), 1, D(2025, 1, 6)),  # over the year-end closure
        (D(2025, 1, 6), -1, D(2024, 12, 27)),
        (D(2024, 12, 26), 2, D(2025, 1, 6)),
        (D(2024, 12, 30), 1, D(2025, 1, 6)),  # a closed start day is not counted
        (D(2024, 12, 30), -1, D(2024, 12, 27)),
        (D(2024, 4, 1), 5, D(2024, 4, 8)),
        (D(2024, 3, 22), -2, D(2024, 3, 19)),  # 2024-03-20 was 春分の日
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_add_zero_working_days_returns_the_day_unchanged() -> None:
    assert CAL.add_working_days(D(2024, 12, 29), 0) == D(2024, 12, 29)
    assert CAL.add_working_days(D(2024, 4, 1), 0) == D(2024, 4, 1)


def test_add_working_days_accepts_pendulum_dates() -> None:
    assert CAL.add_working_days(pendulum.date(2024, 12, 27), 1) == D(2025, 1, 6)


@given(plan_dates, st.integers(min_value=-600, max_value=600))
def test_between_undoes_add_from_a_working_day(start: dt.date, n: int) -> None:
    a = CAL.next_working_day(start)
    assert CAL.working_days_between(a, CAL.add_working_days(a, n)) == n


@given(plan_dates, plan_dates)
def test_between_is_antisymmetric(a: dt.date, b: dt.date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)


@given(plan_dates, st.integers(min_value=1, max_value=400))
def test_add_lands_on_a_working_day(start: dt.date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n))
    assert CAL.is_working_day(CAL.add_working_days(start, -n))


def test_working_days_between_excludes_the_end() -> None:
    assert CAL.working_days_between(D(2024, 4, 1), D(2024, 4, 5)) == 4
    assert CAL.working_days_between(D(2024, 4, 5), D(2024, 4, 1)) == -4
    assert CAL.working_days_between(D(2024, 4, 1), D(2024, 4, 1)) == 0


def test_working_days_in_includes_both_ends() -> None:
    assert CAL.working_days_in(D(2024, 4, 1), D(2024, 4, 5)) == 5
    assert CAL.working_days_in(D(2024, 4, 1), D(2024, 4, 30)) == 21
    assert CAL.working_days_in(D(2024, 4, 5), D(2024, 4, 1)) == 0


def test_working_days_in_fiscal_year_2024() -> None:
    fy = FiscalYear(2024)
    # 365 days − 104 weekend days − 14 weekday holidays − 4 weekday closure days (12/30–1/3)
    assert CAL.working_days_in(fy.start, fy.end) == 243


def test_official_equinox_year_is_not_predicted() -> None:
    assert OFFICIAL_EQUINOX_THROUGH == 2027
    assert CAL.predicted_holidays(D(2027, 1, 1), D(2027, 12, 31)) == []
    assert not CAL.relies_on_predictions(D(2027, 1, 1), D(2027, 12, 31))


def test_equinoxes_after_the_official_year_are_predicted() -> None:
    assert CAL.predicted_holidays(D(2028, 1, 1), D(2028, 12, 31)) == [
        D(2028, 3, 20),
        D(2028, 9, 22),
    ]
    assert CAL.relies_on_predictions(D(2028, 4, 1), D(2028, 9, 30))


def test_substitute_holiday_of_a_predicted_equinox_is_predicted() -> None:
    assert CAL.predicted_holidays(D(2029, 9, 1), D(2029, 9, 30)) == [D(2029, 9, 23), D(2029, 9, 24)]


def test_citizens_holiday_next_to_a_predicted_equinox_is_predicted() -> None:
    cal = WorkCalendar(official_equinox_through=2025)
    assert cal.predicted_holidays(D(2026, 9, 1), D(2026, 9, 30)) == [D(2026, 9, 22), D(2026, 9, 23)]


def test_spans_past_2099_rely_on_predictions() -> None:
    assert CAL.relies_on_predictions(D(2099, 12, 1), D(2100, 1, 31))


def test_out_of_range_dates_extend_the_table() -> None:
    cal = WorkCalendar(2024, 2024)
    assert not cal.is_working_day(D(2040, 1, 1))
    assert cal.holiday_name(D(1990, 1, 15)) == "成人の日"
    assert cal.add_working_days(D(2024, 4, 1), 5000) > D(2043, 1, 1)
    assert cal.working_days_between(D(2024, 4, 1), D(1995, 4, 1)) < 0
    assert cal.next_working_day(D(2060, 1, 1)) == D(2060, 1, 5)


def test_extended_table_gives_the_same_answers() -> None:
    cal = WorkCalendar(2024, 2024)
    cal.is_working_day(D(1980, 1, 1))
    cal.is_working_day(D(2060, 1, 1))
    assert cal.working_days_in(D(2024, 4, 1), D(2025, 3, 31)) == 243
    assert cal.add_working_days(D(2024, 12, 27), 1) == D(2025, 1, 6)


def test_dates_outside_the_supported_range_raise_plan_error() -> None:
    with pytest.raises(PlanError):
        CAL.is_working_day(D(1800, 1, 1))


# --- cross-check ------------------------------------------------------------------------------


def test_holidays_package_agrees_with_jpholiday_for_2024_to_2030() -> None:
    ours = set(holidays.country_holidays("JP", years=range(2024, 2031)))
    theirs = {day for day, _ in jpholiday.between(D(2024, 1, 1), D(2030, 12, 31))}
    assert ours == theirs
