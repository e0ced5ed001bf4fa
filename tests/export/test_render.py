"""Rendering a snapshot (``export/render.py``): one renderer per format of the registry, the
filters, and the calendar feeds."""

from __future__ import annotations

from datetime import date

import pytest

from aomori_roadmap.errors import PlanError
from aomori_roadmap.export.gantt import gantt_json
from aomori_roadmap.export.ical import ical_feed
from aomori_roadmap.export.render import RENDERERS, render_feed, render_gantt
from aomori_roadmap.formats import GANTT, GANTT_FORMATS
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.views.snapshot import Snapshot, take_snapshot


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return take_snapshot(default_plan(), as_of=date(2025, 9, 30))


def test_every_format_of_the_registry_has_its_renderer_and_no_other() -> None:
    assert list(RENDERERS) == list(GANTT_FORMATS)


@pytest.mark.parametrize("name", GANTT_FORMATS)
def test_each_format_renders_the_snapshots_view(snapshot: Snapshot, name: str) -> None:
    payload = render_gantt(snapshot, name, lang="en", department="kikikanri")
    view = snapshot.gantt_view(department="kikikanri")
    assert payload == RENDERERS[name](view, "en", snapshot.current.calendar)
    assert isinstance(payload, bytes) == GANTT[name].binary


def test_json_is_the_default_and_writes_the_gantt_json(snapshot: Snapshot) -> None:
    assert render_gantt(snapshot) == gantt_json(snapshot.gantt_view())


def test_an_unknown_format_or_filter_is_an_error(snapshot: Snapshot) -> None:
    with pytest.raises(PlanError, match="png"):
        render_gantt(snapshot, "png")
    with pytest.raises(PlanError, match="nosuch"):
        render_gantt(snapshot, "json", department="nosuch")


def test_a_feed_is_the_calendar_of_the_snapshot(snapshot: Snapshot) -> None:
    expected = ical_feed(
        snapshot.plan,
        snapshot.current,
        feed="milestones",
        cycles=snapshot.cycles,
        states=snapshot.status_codes(),
        department="kikikanri",
    )
    assert render_feed(snapshot, "milestones", department="kikikanri") == expected
    assert render_feed(snapshot).startswith(b"BEGIN:VCALENDAR")
