from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_roadmap.calendar import Duration, WorkCalendar, parse_duration
from aomori_roadmap.errors import DurationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10bd", Duration(10, "bd")),
        ("10d", Duration(10, "d")),
        ("3w", Duration(3, "w")),
        ("4mo", Duration(4, "mo")),
        ("1half", Duration(1, "half")),
        ("1y", Duration(1, "y")),
        ("-5bd", Duration(-5, "bd")),
        ("10営業日", Duration(10, "bd")),
        ("4か月", Duration(4, "mo")),
        ("4ヶ月", Duration(4, "mo")),
        ("3週間", Duration(3, "w")),
        ("１半期", Duration(1, "half")),
        ("2年", Duration(2, "y")),
        ("P10D", Duration(10, "d")),
        ("P3W", Duration(3, "w")),
        ("P4M", Duration(4, "mo")),
        ("P1Y", Duration(1, "y")),
        ("P1Y6M", Duration(18, "mo")),
        ("P1W2D", Duration(9, "d")),
        ("-P5D", Duration(-5, "d")),
        (" 4MO ", Duration(4, "mo")),
    ],
)
def test_accepted_forms(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "bd", "10", "10 days", "P", "P1M2D", "PT5H", "1.5mo", "4mon"])
def test_bad_duration_quotes_the_text_and_lists_the_forms(text: str) -> None:
    with pytest.raises(DurationError) as error:
        parse_duration(text)
    assert f"'{text}'" in str(error.value)
    assert "10bd" in str(error.value) and "P1Y6M" in str(error.value)
    assert error.value.text == text
    assert isinstance(error.value, ValueError)


@given(st.integers(-999, 999), st.sampled_from(["bd", "d", "w", "mo", "half", "y"]))
def test_canonical_text_reads_back(amount: int, unit: str) -> None:
    duration = parse_duration(f"{amount}{unit}")
    assert parse_duration(str(duration)) == duration


def test_months_and_days() -> None:
    assert Duration(1, "half").months == 6
    assert Duration(2, "y").months == 24
    assert Duration(2, "w").days == 14
    assert Duration(5, "bd").days is None and Duration(5, "bd").months is None


def test_shift_by_months_clamps_to_month_end() -> None:
    calendar = WorkCalendar()
    assert Duration(1, "mo").shift(date(2025, 1, 31), calendar) == date(2025, 2, 28)
    assert Duration(1, "half").shift(date(2024, 4, 1), calendar) == date(2024, 10, 1)
    assert Duration(-1, "y").shift(date(2024, 2, 29), calendar) == date(2023, 2, 28)


def test_shift_by_working_days_skips_the_year_end_closure() -> None:
    assert Duration(1, "bd").shift(date(2024, 12, 27), WorkCalendar()) == date(2025, 1, 6)
