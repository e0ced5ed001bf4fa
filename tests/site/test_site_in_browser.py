"""The public site in a real browser: every page opens cleanly and passes axe-core.

The demo's history (as ``aomori-roadmap demo`` records it) fills the store; the site is
written for 2025-11-05 in Japanese and in English, side by side, and every page of both is
opened in one run of headless Chromium at 1280 px and at 390 px (see ``browser.py``): no
console error or warning, no failed request, nothing loaded from the network, no WCAG 2.1
A/AA violation found by axe-core, and no sideways scrolling on a phone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from browser import PageReport, check_site, describe, missing_tools, with_problems

from aomori_roadmap.demo import run_demo
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store

AS_OF = date(2025, 11, 5)
LANGUAGES = ("ja", "en")
WIDTHS = (1280, 390)
KPI_VALUES: list[tuple[str, int, float | str]] = [
    # The demo records no KPI values: a few, so that charts and tables show numbers and marks.
    ("kpi-online-procedures", 2024, 41.5),
    ("kpi-online-procedures", 2025, 52.0),
    ("kpi-copy-paper", 2024, 1_250_000),
    ("kpi-copy-paper", 2025, "unknown"),
    ("kpi-sme-dx-rate", 2025, "surveying"),
]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """The site for ``AS_OF`` in each language, in ``<folder>/<lang>/``, from the store the
    demo leaves behind on that day (status history, reviews) with a few KPI values; and the
    pages of each language as ``write_site`` reports them."""
    if reason := missing_tools():
        pytest.skip(reason)
    from aomori_roadmap.export.report import report_html
    from aomori_roadmap.site import write_site
    from aomori_roadmap.views.report import annual_report
    from aomori_roadmap.views.rollup import rollup

    plan = default_plan()
    demo = run_demo(plan, tmp_path_factory.mktemp("demo"), today=AS_OF)
    folder = tmp_path_factory.mktemp("sites")
    pages: dict[str, list[str]] = {}
    # The values are recorded the day before: the site shows what was known on AS_OF.
    recorded = datetime.combine(AS_OF - timedelta(days=1), time(12), ZoneInfo(plan.timezone))
    with Store(demo.store_url, plan=plan, clock=lambda: recorded) as store:
        for kpi, fy, value in KPI_VALUES:
            store.kpis.record(kpi, fy, value, actor="plan office")
        for lang in LANGUAGES:  # with the roll-up page, so that it is checked too
            found = rollup(demo.store_url, as_of=AS_OF, lang=lang)
            written = write_site(
                folder / lang, plan, store, as_of=AS_OF, lang=lang, today=AS_OF, rollup=found
            )
            assert "rollup.html" in written.pages
            # The annual report's page too: the same checks hold for it.
            report = annual_report(
                demo.end_of_fy2024, store.reviews.records(), store.kpis.actuals(), fy=2024
            )
            (folder / lang / "report-FY2024.html").write_text(
                report_html(report, lang=lang), encoding="utf-8"
            )
            pages[lang] = sorted(
                f"{lang}/{page}" for page in [*written.pages, "report-FY2024.html"]
            )
    return folder, pages


@pytest.fixture(scope="module")
def reports(sites: tuple[Path, dict[str, list[str]]]) -> list[PageReport]:
    """Every page of both sites at both widths, from one run of the browser."""
    folder, _pages = sites
    return check_site(folder, widths=WIDTHS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_is_clean_in_a_browser_at_desktop_and_phone_width(
    reports: list[PageReport], lang: str
) -> None:
    mine = [r for r in reports if r.page.startswith(f"{lang}/")]
    assert not with_problems(mine), "\n" + describe(mine)


def test_every_page_was_opened_at_both_widths(
    sites: tuple[Path, dict[str, list[str]]], reports: list[PageReport]
) -> None:
    _folder, pages = sites
    assert {"ja/index.html", "en/index.html"} <= {*pages["ja"], *pages["en"]}
    expected = [(page, width) for lang in LANGUAGES for page in pages[lang] for width in WIDTHS]
    assert sorted((r.page, r.width) for r in reports) == sorted(expected)
