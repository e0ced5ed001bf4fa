"""The KPI chart of the public site (``site/charts.py``): what it draws, that it reads well to
assistive technology, that it is safe and stable, and that any series stays inside its plot."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aomori_roadmap.site.charts import ChartPoint, KpiChartData, kpi_chart

NS = "{http://www.w3.org/2000/svg}"
YEARS = (2023, 2024, 2025, 2026, 2027, 2028)


def sample(**changes: object) -> KpiChartData:
    """A KPI from 100 (FY2023) to 300 (FY2028) with three actuals and 未把握 in FY2025."""
    fields: dict[str, object] = {
        "title": "オンライン申請の件数",
        "unit": "件",
        "direction": "up",
        "years": YEARS,
        "actuals": (
            ChartPoint(2023, 100),
            ChartPoint(2024, 130),
            ChartPoint(2025, None, "未把握"),
            ChartPoint(2026, 180),
        ),
        "targets": (ChartPoint(2023, 100), ChartPoint(2026, 200), ChartPoint(2028, 300)),
        "expected": tuple(ChartPoint(fy, 100 + (fy - 2023) * 40) for fy in YEARS),
    }
    fields.update(changes)
    return KpiChartData(**fields)  # type: ignore[arg-type]


def draw(data: KpiChartData, *, ident: str = "kpi-x", lang: str = "ja") -> ET.Element:
    return ET.fromstring(kpi_chart(data, ident=ident, lang=lang))


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in e.get("class", "").split()]


def texts(root: ET.Element, name: str) -> list[str]:
    return ["".join(e.itertext()) for e in by_class(root, name)]


def plot_area(root: ET.Element) -> tuple[float, float, float, float]:
    (plot,) = by_class(root, "plot")
    x, y = float(plot.get("x", "")), float(plot.get("y", ""))
    return x, y, x + float(plot.get("width", "")), y + float(plot.get("height", ""))


def diamond_centre(element: ET.Element) -> tuple[float, float]:
    numbers = [float(n) for n in re.findall(r"-?[0-9.]+", element.get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def circle_centre(element: ET.Element) -> tuple[float, float]:
    return float(element.get("cx", "")), float(element.get("cy", ""))


def year_x(root: ET.Element, label: str) -> float:
    (tick,) = [e for e in by_class(root, "xtick") if e.text == label]
    return float(tick.get("x", ""))


# --- what it draws ---------------------------------------------------------------------------


def test_the_chart_is_an_svg_element_that_scales_to_its_container() -> None:
    root = draw(sample())
    assert root.tag == f"{NS}svg"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 480 ")


def test_each_series_has_its_own_markers() -> None:
    root = draw(sample())
    assert len(by_class(root, "actual-point")) == 3  # 未把握 has no point
    assert len(by_class(root, "plan-point")) == 3
    assert len(by_class(root, "expected-line")) == 1


def test_series_differ_in_shape_and_dash_not_only_in_colour() -> None:
    root = draw(sample())
    assert all(e.tag == f"{NS}circle" for e in by_class(root, "actual-point"))
    assert all(e.get("fill") == "#fff" for e in by_class(root, "plan-point"))  # hollow diamonds
    assert all(e.get("stroke-dasharray") for e in by_class(root, "expected-line"))
    assert not any(e.get("stroke-dasharray") for e in by_class(root, "actual-line"))


def test_a_mark_is_labelled_under_the_axis_and_never_drawn_as_zero() -> None:
    data = sample(
        actuals=(ChartPoint(2023, -50), ChartPoint(2024, None, "未把握"), ChartPoint(2025, 50))
    )
    root = draw(data)
    x = year_x(root, "2024")
    assert all(abs(circle_centre(c)[0] - x) > 1 for c in by_class(root, "actual-point"))
    (mark,) = by_class(root, "mark")
    label = mark.find(f"{NS}text")
    assert label is not None and label.text == "未把握"
    assert float(label.get("x", "")) == x
    assert float(label.get("y", "")) > plot_area(root)[3]  # below the plot, not on a value
    assert by_class(root, "actual-line") == []  # the line breaks at the mark


def test_missing_years_between_actuals_are_joined() -> None:
    data = sample(actuals=(ChartPoint(2023, 100), ChartPoint(2026, 180)))
    assert len(by_class(draw(data), "actual-line")) == 1


def test_the_x_axis_names_each_year_in_seireki_and_wareki_in_japanese() -> None:
    root = draw(sample())
    assert texts(root, "xtick") == ["2023", "2024", "2025", "2026", "2027", "2028"]
    assert texts(root, "xtick2") == ["R5", "R6", "R7", "R8", "R9", "R10"]


def test_the_x_axis_says_fy_in_english() -> None:
    root = draw(sample(), lang="en")
    assert texts(root, "xtick")[2] == "FY2025"
    assert texts(root, "xtick2") == []


def test_the_y_axis_has_nice_ticks_and_the_unit() -> None:
    root = draw(sample())
    assert texts(root, "ytick") == ["100", "150", "200", "250", "300"]
    assert texts(root, "unit") == ["単位：件"]


def test_a_legend_inside_the_chart_names_the_series() -> None:
    root = draw(sample(), lang="en")
    (legend,) = by_class(root, "legend")
    assert [t.text for t in legend.iter(f"{NS}text")] == [
        "actual",
        "plan's figures (baseline, targets)",
        "expected trajectory",
    ]


def test_a_chart_without_values_says_so() -> None:
    data = sample(actuals=(), targets=(), expected=())
    root = draw(data)
    assert texts(root, "empty") == ["値はまだありません"]
    assert by_class(root, "actual-point") == by_class(root, "ytick") == []
    assert by_class(root, "legend") == []


def test_a_chart_without_years_or_values_is_still_drawn() -> None:
    data = KpiChartData("x", None, "up", (), (), (), ())
    assert texts(draw(data, lang="en"), "empty") == ["No values yet"]


def test_a_single_point_sits_inside_the_plot() -> None:
    data = sample(years=(2025,), actuals=(ChartPoint(2025, 7),), targets=(), expected=())
    root = draw(data)
    left, top, right, bottom = plot_area(root)
    (point,) = by_class(root, "actual-point")
    x, y = circle_centre(point)
    assert left < x < right and top <= y <= bottom


@pytest.mark.parametrize("value", [0.0, 5.0, -3.0, 1e12])
def test_identical_values_give_a_flat_line_inside_the_plot(value: float) -> None:
    data = sample(
        actuals=tuple(ChartPoint(fy, value) for fy in YEARS),
        targets=(ChartPoint(2023, value),),
        expected=tuple(ChartPoint(fy, value) for fy in YEARS),
    )
    root = draw(data)
    _left, top, _right, bottom = plot_area(root)
    ys = {circle_centre(p)[1] for p in by_class(root, "actual-point")}
    assert len(ys) == 1 and top <= ys.pop() <= bottom
    assert len(texts(root, "ytick")) >= 2


def test_negative_values_are_drawn_below_zero() -> None:
    data = sample(actuals=(ChartPoint(2023, -20), ChartPoint(2024, 10)), targets=(), expected=())
    root = draw(data)
    (low, high) = [circle_centre(p)[1] for p in by_class(root, "actual-point")]
    assert low > high  # further down the screen
    assert "-20" in texts(root, "ytick") and "0" in texts(root, "ytick")


@pytest.mark.parametrize(("lang", "label"), [("ja", "1兆"), ("en", "1T")])
def test_huge_values_get_a_unit_word_on_the_axis(lang: str, label: str) -> None:
    data = sample(actuals=(ChartPoint(2023, 1e12), ChartPoint(2024, 2e12)), targets=(), expected=())
    ticks = texts(draw(data, lang=lang), "ytick")
    assert label in ticks
    assert all(len(t) <= 8 for t in ticks)


def test_small_steps_are_labelled_without_float_noise() -> None:
    data = sample(actuals=(ChartPoint(2023, 0.1), ChartPoint(2024, 0.3)), targets=(), expected=())
    assert texts(draw(data), "ytick") == ["0.1", "0.15", "0.2", "0.25", "0.3"]


def test_years_of_points_outside_the_axis_are_added() -> None:
    data = sample(years=(2024,), actuals=(ChartPoint(2026, 5),), targets=(), expected=())
    assert texts(draw(data), "xtick") == ["2024", "2026"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_value_that_is_not_finite_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        kpi_chart(sample(actuals=(ChartPoint(2023, bad),)), ident="k")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        kpi_chart(sample(), ident="k", lang="fr")


# --- accessibility ---------------------------------------------------------------------------


def test_the_chart_is_labelled_by_its_title_and_description() -> None:
    root = draw(sample(), ident="kpi-online")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "kpi-online-title kpi-online-desc"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.get("id") == "kpi-online-title"
    assert desc is not None and desc.get("id") == "kpi-online-desc"
    assert title.text == "オンライン申請の件数"


def test_the_ids_are_made_safe_from_the_ident() -> None:
    root = draw(sample(), ident='kpi/a b"<x>')
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids == ["kpi_a_b_x_-title", "kpi_a_b_x_-desc"]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i or "") for i in ids)


def test_the_description_says_baseline_target_and_latest_actual_in_japanese() -> None:
    desc = draw(sample()).find(f"{NS}desc")
    assert desc is not None
    assert desc.text == (
        "2023年度から2028年度までの年度別の値。値が大きいほど良い指標です。"
        "基準値 100件（2023年度）、目標値 300件（2028年度）。最新の実績値：180件（2026年度）。"
    )


def test_the_description_in_english_and_a_falling_kpi() -> None:
    data = sample(direction="down", actuals=(ChartPoint(2024, None, "not known"),))
    desc = draw(data, lang="en").find(f"{NS}desc")
    assert desc is not None
    assert desc.text == (
        "Values by fiscal year, FY2023 to FY2028. Lower is better. "
        "Baseline 100 件 (FY2023); target 300 件 (FY2028). Latest actual (FY2024): not known."
    )


def test_the_description_without_figures_or_actuals() -> None:
    desc = draw(sample(actuals=(), targets=()), lang="en").find(f"{NS}desc")
    assert desc is not None and desc.text is not None
    assert "The plan sets no figures. No actual value yet." in desc.text


def relative_luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_on_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def test_text_and_series_colours_have_enough_contrast_on_white() -> None:
    root = draw(sample())
    for text in root.iter(f"{NS}text"):
        assert contrast_on_white(text.get("fill", "")) >= 4.5, text.text
    for name in ("actual-point", "actual-line", "plan-point", "expected-line"):
        for element in by_class(root, name):
            hollow = element.get("fill") in ("#fff", "none")
            colour = element.get("stroke" if hollow else "fill", "")
            assert contrast_on_white(colour) >= 3, name


# --- safety and stability --------------------------------------------------------------------


def test_user_text_is_escaped() -> None:
    nasty = '<script>alert(1)</script> & "q"'
    data = sample(title=nasty, unit="<b>", actuals=(ChartPoint(2024, None, "<i>x</i>"),))
    svg = kpi_chart(data, ident="k")
    root = ET.fromstring(svg)
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert not any(e.tag in (f"{NS}script", "script") for e in root.iter())
    title = root.find(f"{NS}title")
    assert title is not None and title.text == nasty


def test_nothing_loads_or_runs() -> None:
    svg = kpi_chart(sample(), ident="k")
    for word in ("<script", "href", "url(", "<style", "style=", "<foreignObject", "on"):
        if word == "on":
            assert not re.search(r"\son[a-z]+=", svg)
        else:
            assert word not in svg


def test_the_same_data_gives_the_same_bytes() -> None:
    first = kpi_chart(sample(), ident="k")
    kpi_chart(sample(title="other"), ident="k", lang="en")
    assert kpi_chart(sample(), ident="k") == first


# --- any series ------------------------------------------------------------------------------

values = st.one_of(
    st.none(),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-1000, max_value=1000).map(float),
)
points = st.builds(
    ChartPoint,
    fy=st.integers(min_value=2019, max_value=2040),
    value=values,
    mark=st.one_of(st.none(), st.sampled_from(["未把握", "調査中", "<x>&"])),
)
charts = st.builds(
    KpiChartData,
    title=st.text(max_size=40),
    unit=st.one_of(st.none(), st.text(max_size=5)),
    direction=st.sampled_from(["up", "down"]),
    years=st.lists(st.integers(min_value=2019, max_value=2040), max_size=12, unique=True)
    .map(sorted)
    .map(tuple),
    actuals=st.lists(points, max_size=10).map(tuple),
    targets=st.lists(points, max_size=5).map(tuple),
    expected=st.lists(points, max_size=10).map(tuple),
)
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@settings(max_examples=150, deadline=None)
@given(data=charts, lang=st.sampled_from(["ja", "en"]))
def test_any_series_gives_well_formed_svg_with_every_point_in_the_plot(
    data: KpiChartData, lang: str
) -> None:
    svg = kpi_chart(data, ident="k", lang=lang)
    root = ET.fromstring(svg)
    for element in root.iter():
        for name in ("x", "y", "cx", "cy", "width", "height", "d"):
            value = element.get(name, "")
            assert "nan" not in value.lower() and "inf" not in value.lower()
    left, top, right, bottom = plot_area(root)
    tolerance = 0.11  # coordinates are written to one decimal
    centres = [circle_centre(e) for e in by_class(root, "actual-point")]
    centres += [diamond_centre(e) for e in by_class(root, "plan-point")]
    for x, y in centres:
        assert left - tolerance <= x <= right + tolerance
        assert top - tolerance <= y <= bottom + tolerance
    assert len(centres) == sum(p.value is not None for p in (*data.actuals, *data.targets))
    for line in by_class(root, "actual-line") + by_class(root, "expected-line"):
        for x, y in re.findall(r"(-?[0-9.]+) (-?[0-9.]+)", line.get("d", "")):
            assert NUMBER.fullmatch(x) and NUMBER.fullmatch(y)
            assert top - tolerance <= float(y) <= bottom + tolerance
