"""Calendar feeds: our own conformance checks, then what real parsers read back."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from feedtest import STAMP  # a constant; the helpers come as fixtures (conftest.py)

from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.ical import escape_text, fold, ical_feed, serialize_feed
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.views.events import FeedEvent, feed_events, track_changes


def _feed(plan: Plan, **options: Any) -> bytes:
    return ical_feed(plan, schedule(plan), stamp=STAMP, **options)


def _lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def _unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


# --- our own conformance checks ---------------------------------------------------------------


def test_every_line_ends_with_crlf_including_the_last(nasty_plan: Any) -> None:
    data = _feed(nasty_plan(), feed="all")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")


def test_lines_are_folded_at_75_octets_without_splitting_a_character(nasty_plan: Any) -> None:
    data = _feed(nasty_plan(), feed="all")
    for line in _lines(data):
        assert len(line) <= 75
        line.decode("utf-8")  # every physical line is whole UTF-8: no character split
    summary = next(line for line in _unfold(data) if line.startswith("SUMMARY") and "取組" in line)
    assert "青森県の取組" * 50 in summary


def test_fold_keeps_short_lines_and_continues_with_one_space() -> None:
    assert fold("A:b") == b"A:b\r\n"
    folded = fold("X:" + "é" * 100)
    parts = folded[:-2].split(b"\r\n")
    assert all(p.startswith(b" ") for p in parts[1:])
    assert b"".join([parts[0], *(p[1:] for p in parts[1:])]) == ("X:" + "é" * 100).encode()


def test_calendar_properties_come_before_the_first_component(nasty_plan: Any) -> None:
    lines = _unfold(_feed(nasty_plan(), feed="reviews"))
    first_event = lines.index("BEGIN:VEVENT")
    head = [line.split(":")[0].split(";")[0] for line in lines[:first_event]]
    assert head == [
        "BEGIN",
        "VERSION",
        "PRODID",
        "CALSCALE",
        "METHOD",
        "X-WR-CALNAME",
        "X-WR-TIMEZONE",
        "REFRESH-INTERVAL",
        "X-PUBLISHED-TTL",
    ]
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in lines
    assert "X-WR-TIMEZONE:Asia/Tokyo" in lines


def test_every_event_has_a_dtstamp_and_a_stable_uid(nasty_plan: Any) -> None:
    lines = _unfold(_feed(nasty_plan(), feed="all"))
    events = " ".join(lines).split("BEGIN:VEVENT")[1:]
    assert events
    for event in events:
        assert " DTSTAMP:" in f" {event}"
        assert re.search(r" UID:[A-Za-z0-9._-]+@test-plan ", f" {event} ")
    assert "UID:milestone-a.m@test-plan" in lines


def test_same_inputs_give_the_same_bytes(nasty_plan: Any) -> None:
    assert _feed(nasty_plan(), feed="all") == _feed(nasty_plan(), feed="all")


def test_all_day_events_use_value_date_with_an_exclusive_end_on_the_tokyo_date(
    nasty_plan: Any,
) -> None:
    plan = nasty_plan()
    milestone = schedule(plan).tasks["a/m"].early_finish
    lines = _unfold(_feed(plan, feed="milestones"))
    start = lines.index(f"DTSTART;VALUE=DATE:{milestone:%Y%m%d}")
    assert lines[start + 1] == f"DTEND;VALUE=DATE:{milestone + timedelta(days=1):%Y%m%d}"


def test_text_is_escaped_and_control_characters_removed(nasty_plan: Any) -> None:
    assert escape_text("a\r\nb;c,d\\e\x07") == "a\\nb\\;c\\,d\\\\e"
    lines = _unfold(_feed(nasty_plan(), feed="milestones"))
    summary = next(line for line in lines if line.startswith("SUMMARY") and "▲" in line)
    assert "A\\nB\\;C\\,D\\\\E 🎌" in summary
    assert "X-WR-CALNAME:テスト\\;プラン マイルストーン" in lines


def test_user_text_cannot_add_a_property(nasty_plan: Any) -> None:
    evil = "x\r\nATTENDEE:mailto:evil@example.com\r\nX-INJECTED:1"
    lines = _unfold(_feed(nasty_plan(evil), feed="all"))
    assert not any(line.startswith(("ATTENDEE", "X-INJECTED")) for line in lines)


def test_a_uid_injection_attempt_stays_inside_the_uid() -> None:
    event = FeedEvent("x\r\nX-EVIL:1@p", "s", date(2025, 1, 1), date(2025, 1, 2))
    # Events from the plan get safe UIDs; a hand-made one is still one line after folding.
    from aomori_roadmap.views.events import safe_uid

    assert "\n" not in safe_uid(event.uid) and ":" not in safe_uid(event.uid)


def test_url_is_a_uri_not_text(nasty_plan: Any) -> None:
    lines = _unfold(_feed(nasty_plan(), feed="milestones", base_url="https://dx.example.jp/r;x,y"))
    assert "URL;VALUE=URI:https://dx.example.jp/r;x,y/initiatives/a" in lines


def test_alarms_are_opt_in(nasty_plan: Any) -> None:
    assert b"BEGIN:VALARM" not in _feed(nasty_plan(), feed="milestones")
    with_alarm = _unfold(_feed(nasty_plan(), feed="milestones", alarm_days=3))
    assert "TRIGGER:-P3D" in with_alarm and "ACTION:DISPLAY" in with_alarm


def test_cancelled_task_appears_as_cancelled(nasty_plan: Any) -> None:
    plan = nasty_plan()
    lines = _unfold(_feed(plan, feed="milestones", states={"a/m": "cancelled"}))
    assert "STATUS:CANCELLED" in lines


def test_unknown_feed_and_filters_are_clear_errors(nasty_plan: Any) -> None:
    plan = nasty_plan()
    with pytest.raises(PlanError, match="nope"):
        _feed(plan, feed="nope")
    with pytest.raises(PlanError, match="ghost"):
        _feed(plan, feed="reviews", department="ghost")


# --- change tracking ----------------------------------------------------------------------------


def test_a_moved_milestone_keeps_its_uid_and_raises_sequence(nasty_plan: Any) -> None:
    before, after = nasty_plan(), nasty_plan(start="FY2025-H1")
    t1 = datetime(2025, 1, 1, tzinfo=UTC)
    old = feed_events(before, schedule(before), feed="milestones")
    data = ical_feed(after, schedule(after), feed="milestones", stamp=STAMP, versions=[(t1, old)])
    lines = _unfold(data)
    at = lines.index("UID:milestone-a.m@test-plan")
    block = lines[at : lines.index("END:VEVENT", at)]
    assert "SEQUENCE:1" in block
    assert "LAST-MODIFIED:20250106T003000Z" in block


def test_an_unchanged_event_keeps_sequence_and_last_modified(nasty_plan: Any) -> None:
    plan = nasty_plan()
    t1 = datetime(2025, 1, 1, tzinfo=UTC)
    old = feed_events(plan, schedule(plan), feed="milestones")
    lines = _unfold(
        ical_feed(plan, schedule(plan), feed="milestones", stamp=STAMP, versions=[(t1, old)])
    )
    assert "SEQUENCE:1" not in lines
    assert "LAST-MODIFIED:20250101T000000Z" in lines


def test_a_removed_event_stays_cancelled_for_the_retention_time() -> None:
    gone = FeedEvent("old@p", "消えた▲", date(2025, 5, 1), date(2025, 5, 2))
    kept = FeedEvent("keep@p", "残る", date(2025, 6, 1), date(2025, 6, 2))
    t1, t2 = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    result = {e.uid: e for e in track_changes([(t1, [gone, kept]), (t2, [kept])])}
    assert result["old@p"].cancelled and result["old@p"].sequence == 1
    assert not result["keep@p"].cancelled
    later = datetime(2025, 6, 1, tzinfo=UTC)
    pruned = track_changes([(t1, [gone, kept]), (t2, [kept]), (later, [kept])])
    assert [e.uid for e in pruned] == ["keep@p"]


def test_a_naive_stamp_is_refused() -> None:
    with pytest.raises(PlanError):
        serialize_feed([], name="x", stamp=datetime(2025, 1, 1))


# --- what real parsers read back ----------------------------------------------------------------


def _expected(plan: Plan, feed: str) -> dict[str, tuple[str, date, date]]:
    return {
        e.uid: (e.summary.replace("\r\n", "\n").replace("\r", "\n"), e.start, e.end)
        for e in feed_events(plan, schedule(plan), feed=feed)
    }


@pytest.mark.parametrize("feed", ["reviews", "milestones", "deadlines", "tasks", "all"])
def test_icalendar_reads_back_summaries_dates_and_uids(feed: str) -> None:
    icalendar = pytest.importorskip("icalendar")
    plan = default_plan()
    calendar = icalendar.Calendar.from_ical(_feed(plan, feed=feed))
    read = {
        str(e["UID"]): (str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND"))
        for e in calendar.walk("VEVENT")
    }
    assert read == _expected(plan, feed)


def test_icalendar_reads_nasty_text_intact(nasty_plan: Any) -> None:
    icalendar = pytest.importorskip("icalendar")
    plan = nasty_plan()
    calendar = icalendar.Calendar.from_ical(_feed(plan, feed="milestones"))
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any("A\nB;C,D\\E 🎌 " + "青森県の取組" * 50 in s for s in summaries)


def test_strict_ical_parser_accepts_the_feed() -> None:
    stream = pytest.importorskip("ical.calendar_stream")
    plan = default_plan()
    calendar = stream.IcsCalendarStream.calendar_from_ics(_feed(plan, feed="all").decode("utf-8"))
    read = {e.uid: (e.summary, e.dtstart, e.dtend) for e in calendar.events}
    assert read == _expected(plan, "all")


def test_vobject_validates_the_feed(nasty_plan: Any) -> None:
    vobject = pytest.importorskip("vobject")
    plan = nasty_plan()
    calendar = vobject.readOne(_feed(plan, feed="all", alarm_days=2).decode("utf-8"), validate=True)
    uids = sorted(e.uid.value for e in calendar.vevent_list)
    assert uids == sorted(_expected(plan, "all"))


def test_a_misspelt_filter_is_a_callers_mistake_not_an_empty_filter() -> None:
    plan = default_plan()
    with pytest.raises(TypeError, match="depatment"):
        feed_events(plan, schedule(plan), depatment="kikikanri")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="depatment"):
        ical_feed(plan, schedule(plan), depatment="kikikanri")  # type: ignore[call-arg]
