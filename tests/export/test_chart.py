"""Our fiscal-year Gantt chart (``export/chart.py``): what it draws, that it is safe and stable,
and that a real browser opens it without a single console message.

The golden input ``golden/small-plan.json`` is Gantt JSON of a small fixed plan (every status,
lateness, link type, a baseline, review markers, an initiative without an item), frozen so
that the golden SVG changes only when the chart does. ``AOMORI_UPDATE_GOLDEN=1`` rewrites it.
The tests shape their inputs as Gantt JSON and draw the view it reads back into
(``GanttData.from_json``).
"""

from __future__ import annotations

import copy
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from aomori_roadmap.engine.reviews import review_cycles
from aomori_roadmap.engine.schedule import schedule
from aomori_roadmap.export import chart
from aomori_roadmap.export.chart import FAR_ROWS
from aomori_roadmap.export.gantt import gantt_data
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.views.gantt import GanttData

GOLDEN = Path(__file__).parent / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"
NASTY = ["<script>alert(1)</script>", "A & B", "\"double\" and 'single'", "=1+1 ]]> <!-- x"]


def small() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / "small-plan.json").read_text(encoding="utf-8"))
    return data


def default_data(**options: Any) -> dict[str, Any]:
    plan = default_plan()
    computed = schedule(plan)
    return gantt_data(plan, computed, cycles=review_cycles(plan, computed), **options).to_json()


def render_svg(data: dict[str, Any], **options: Any) -> str:
    return chart.render_svg(GanttData.from_json(data), **options)


def render_html(data: dict[str, Any], **options: Any) -> str:
    return chart.render_html(GanttData.from_json(data), **options)


def tasks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data["rows"] if r["kind"] not in ("field", "item", "initiative")]


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == cls]


def text_of(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG_NS}text")]


def with_names(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """``data`` with its first tasks renamed, in order."""
    data = copy.deepcopy(data)
    for row, name in zip(tasks_of(data), names, strict=False):
        row["name"] = name
    return data


# --- golden file and stability ------------------------------------------------------------


def test_small_plan_matches_the_golden_svg() -> None:
    svg = render_svg(small())
    golden = GOLDEN / "small-plan.svg"
    if os.environ.get("AOMORI_UPDATE_GOLDEN") == "1":
        golden.write_bytes(svg.encode("utf-8"))
    assert svg.encode("utf-8") == golden.read_bytes(), (
        "the chart changed: look at it, then AOMORI_UPDATE_GOLDEN=1 to accept"
    )


def test_the_view_draws_as_its_json_reads_back() -> None:
    plan = default_plan()
    computed = schedule(plan)
    view = gantt_data(plan, computed, cycles=review_cycles(plan, computed))
    assert chart.render_svg(view, lang="en") == render_svg(view.to_json(), lang="en")


def test_same_data_gives_the_same_bytes() -> None:
    data = default_data(as_of=date(2025, 10, 1))
    assert render_html(data) == render_html(copy.deepcopy(data))
    assert render_svg(data, lang="en") == render_svg(data, lang="en")


# --- well-formed and complete --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_svg_is_well_formed_standalone_svg(lang: str) -> None:
    for data in (small(), default_data(), {**small(), "rows": [], "links": [], "markers": []}):
        root = ET.fromstring(render_svg(data, lang=lang))
        assert root.tag == f"{SVG_NS}svg"
        assert float(root.get("width", "0")) > 0 and float(root.get("height", "0")) > 0


def test_every_task_gets_a_bar_or_a_milestone_with_a_tooltip() -> None:
    data = small()
    root = ET.fromstring(render_svg(data))
    drawn = {g.get("data-ref"): g for g in groups(root, "task")}
    assert list(drawn) == [row["id"] for row in tasks_of(data)]
    for row in tasks_of(data):
        g = drawn[row["id"]]
        shapes = g.findall(f"{SVG_NS}path") if row["milestone"] else g.findall(f"{SVG_NS}rect")
        assert any(f"-{row['status']}" in (s.get("class") or "") for s in shapes), row["id"]
        lines = (g.findtext(f"{SVG_NS}title") or "").splitlines()
        assert lines[0] == row["name"] and row["start"] in lines[1]
        assert "令和" in lines[1]  # the dates in 和暦 too


def test_groups_are_drawn_as_header_rows_with_summary_bars() -> None:
    root = ET.fromstring(render_svg(small()))
    for kind, level in (("field", 0), ("item", 1), ("initiative", 2)):
        drawn = groups(root, kind)
        assert drawn and all(
            g.find(f"{SVG_NS}path[@class='sum{level}']") is not None for g in drawn
        )
    assert "商工労働部" in text_of(groups(root, "initiative")[0])


def test_header_names_fiscal_years_in_seireki_and_wareki_and_halves() -> None:
    root = ET.fromstring(render_svg(small()))
    head = text_of(groups(root, "head")[0])
    assert {"2024年度", "令和6年度", "2025年度", "令和7年度", "上期", "下期"} <= set(head)
    head_en = text_of(groups(ET.fromstring(render_svg(small(), lang="en")), "head")[0])
    assert {"FY2024", "H1", "H2"} <= set(head_en)
    assert not {"令和6年度", "上期", "下期"} & set(head_en)  # no Japanese in English


def test_links_critical_path_baseline_and_as_of_are_drawn() -> None:
    data = small()
    svg = render_svg(data)
    root = ET.fromstring(svg)
    plain = sum(len(g) for g in groups(root, "ln"))
    critical = sum(len(g) for g in groups(root, "ln c"))
    assert plain + critical == len(data["links"])
    on_path = {(a, b) for p in data["critical_paths"] for a, b in pairwise(p)}
    assert critical == sum((link["from"], link["to"]) in on_path for link in data["links"])
    outlined = [
        g.get("data-ref") for g in groups(root, "task") if "crit" in ET.tostring(g, "unicode")
    ]
    assert outlined == [r["id"] for r in tasks_of(data) if r["critical"]]
    baselines = [r for r in tasks_of(data) if r["baseline_start"]]
    assert svg.count('class="bl"') == len(baselines) + 1  # + the legend's swatch
    assert "基準日 2025/1/15" in text_of(groups(root, "asof-tag")[0])


def test_lateness_colours_the_outline_and_the_status_text() -> None:
    root = ET.fromstring(render_svg(small()))
    by_ref = {g.get("data-ref"): ET.tostring(g, "unicode") for g in groups(root, "task")}
    assert 'class="o late"' in by_ref["matching/partners"]
    assert "遅延" in by_ref["matching/partners"]
    assert 'class="o risk"' in by_ref["matching/pilot"]
    assert "要注意" in by_ref["matching/pilot"]


def test_review_markers_each_get_a_tick_and_meetings_a_line() -> None:
    data = small()
    root = ET.fromstring(render_svg(data))
    reviews = groups(root, "reviews")[0]
    assert len(reviews) == len(data["markers"])
    lines = [p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "mt"]
    meetings = sum(m["kind"] == "meeting" for m in data["markers"])
    assert lines[-1].get("d", "").count("M") == meetings  # the first one is the legend's


def test_long_names_are_cut_with_an_ellipsis_and_kept_whole_in_the_tooltip() -> None:
    long_name = "とても長い工程名" * 12
    root = ET.fromstring(render_svg(with_names(small(), [long_name])))
    first = groups(root, "task")[0]
    shown = text_of(first)[0]
    assert shown.endswith("…") and len(shown) < len(long_name)
    assert long_name in (first.findtext(f"{SVG_NS}title") or "")


def test_far_links_are_short_stubs_naming_their_predecessor() -> None:
    data = small()
    rows = data["rows"]
    extra = copy.deepcopy(tasks_of(data)[-1])
    filler = []
    for n in range(FAR_ROWS + 2):
        row = copy.deepcopy(extra)
        row.update(id=f"misc/fill{n}", name=f"埋め{n}", critical=False)
        filler.append(row)
    data["rows"] = rows + filler
    data["links"] = [
        {"from": "matching/study", "to": "misc/fill25", "type": "FS", "lag": "0bd", "lag_days": 0}
    ]
    data["critical_paths"] = []
    root = ET.fromstring(render_svg(data))
    (group,) = groups(root, "ln")
    (stub,) = list(group)
    assert "先行: 支援方法の検討（FS）" in (stub.findtext(f"{SVG_NS}title") or "")
    assert stub.find(f"{SVG_NS}circle") is not None


def test_links_to_rows_not_shown_are_skipped() -> None:
    data = small()
    stray = {
        "from": "nosuch/task",
        "to": "matching/study",
        "type": "FS",
        "lag": "0bd",
        "lag_days": 0,
    }
    data["links"] = data["links"] + [stray]
    root = ET.fromstring(render_svg(data))
    drawn = sum(len(g) for g in groups(root, "ln")) + sum(len(g) for g in groups(root, "ln c"))
    assert drawn == len(data["links"]) - 1


def test_width_is_honoured_and_lang_is_checked() -> None:
    assert 'width="1400"' in render_svg(small(), width=1400)
    with pytest.raises(ValueError, match="fr"):
        render_svg(small(), lang="fr")


# --- the page -------------------------------------------------------------------------------


def test_page_is_self_contained_and_print_ready() -> None:
    page = render_html(default_data())
    assert "default-src 'none'" in page and "@page{size:A3 landscape" in page
    assert "IPAexGothic" in page and "Noto Sans CJK JP" in page
    assert not re.search(r"<script|\bsrc=|\bhref=|@import|url\((?!#)", page, re.I)
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]


def test_a_page_sized_chart_prints_on_one_a3_page_and_a_long_one_runs_on() -> None:
    assert "@media print{main svg{max-height:280mm}}" in render_html(default_data())
    data = small()
    filler = copy.deepcopy(tasks_of(data)[-1])
    data["rows"] += [{**filler, "id": f"misc/fill{n}"} for n in range(100)]
    assert "max-height" not in render_html(data)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_names_from_plan_files_are_shown_as_text_in_html_and_svg() -> None:
    data = with_names(small(), NASTY)
    data["plan"]["name"] = "<b>計画</b>"
    page = render_html(data)
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    shown = "".join(parser.text)
    for name in NASTY:
        assert name in shown
    root = ET.fromstring(render_svg(data))
    assert {el.tag for el in root.iter()} <= {
        f"{SVG_NS}{tag}"
        for tag in (
            "svg",
            "style",
            "defs",
            "pattern",
            "marker",
            "rect",
            "path",
            "circle",
            "g",
            "title",
            "text",
        )
    }
    titles = [g.findtext(f"{SVG_NS}title") or "" for g in groups(root, "task")]
    for name, title in zip(NASTY, titles, strict=False):
        assert title.startswith(name)


def test_control_characters_and_bidi_overrides_are_dropped() -> None:
    data = with_names(small(), ["検討\x00\x07\u202e\ud800\ufffe済"])
    svg = render_svg(data)
    ET.fromstring(svg)
    assert "検討済" in svg
    svg.encode("utf-8")


# --- in a real browser ------------------------------------------------------------------------


def test_the_console_check_catches_a_broken_page(
    console: Callable[[Path], tuple[list[str], str]], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.html"
    page = render_html(small()).replace("</main>", '<img src="missing.png"></main>')
    bad.write_text(page.replace('d="M', 'd="X', 1), encoding="utf-8")
    messages, _ = console(bad)
    assert any("missing.png" in m for m in messages)  # blocked by our own CSP, and said so
    assert any("attribute d" in m for m in messages)  # a malformed path


@pytest.mark.parametrize("name", ["default", "nasty"])
def test_the_page_opens_in_chromium_without_console_messages(
    console: Callable[[Path], tuple[list[str], str]], tmp_path: Path, name: str
) -> None:
    data = (
        default_data(as_of=date(2025, 10, 1)) if name == "default" else with_names(small(), NASTY)
    )
    page = tmp_path / "chart.html"
    page.write_text(render_html(data), encoding="utf-8")
    messages, dom = console(page)
    assert messages == []
    assert dom.count('class="task"') == len(tasks_of(data))
    assert "<script" not in dom
    if name == "nasty":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_the_standalone_svg_opens_in_chromium_without_console_messages(
    console: Callable[[Path], tuple[list[str], str]], tmp_path: Path
) -> None:
    path = tmp_path / "chart.svg"
    path.write_text(render_svg(with_names(small(), NASTY)), encoding="utf-8")
    messages, dom = console(path)
    assert messages == []
    assert dom.count('class="task"') == len(tasks_of(small()))
