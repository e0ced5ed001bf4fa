"""The browser checker (``browser.py``) catches what it is there to catch.

Small hand-written pages, each with one known fault, are checked in one run of the browser; a
test then reads the report of its page. The clean pages prove the checker does not cry wolf.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from browser import PageReport, check_site, missing_tools, screenshot, with_problems

# A 1x1 transparent PNG: an image that loads without a file or the network.
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB"
    "0C8AAAAASUVORK5CYII="
)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
STRICT_CSP = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
    " style-src 'self'; img-src 'self' data:\">"
)


def html(body: str, *, head: str = VIEWPORT) -> str:
    """A complete page around ``body``: language, title and main landmark as axe wants them."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"{head}<title>A test page</title></head>\n"
        f"<body><main><h1>A test page</h1>\n{body}\n</main></body></html>\n"
    )


STYLED = '<link rel="stylesheet" href="style.css">'

PAGES = {
    "clean.html": html(
        f'<p>Plain text.</p><img src="{PIXEL}" alt="A dot">', head=VIEWPORT + STYLED
    ),
    "sub/clean-too.html": html("<p>A page in a folder.</p>"),
    # axe-core reads the style sheets too: it must not trip over the policy or over file: URLs
    "csp.html": html("<p>Strict policy.</p>", head=VIEWPORT + STRICT_CSP + STYLED),
    "csp-no-alt.html": html(f'<img src="{PIXEL}">', head=VIEWPORT + STRICT_CSP),
    "no-alt.html": html(f'<p>A picture:</p><img src="{PIXEL}">'),
    "low-contrast.html": html('<p style="color: #bbb; background: #fff">Pale grey text.</p>'),
    "console-error.html": html('<p>Logs.</p><script>console.error("boom from the page")</script>'),
    "console-warning.html": html('<p>Warns.</p><script>console.warn("careful now")</script>'),
    "script-error.html": html('<p>Throws.</p><script>throw new Error("oops in a script")</script>'),
    "missing-css.html": html(
        "<p>Unstyled.</p>", head=VIEWPORT + '<link rel="stylesheet" href="missing.css">'
    ),
    "off-machine.html": html('<img src="https://example.com/x.png" alt="From the web">'),
    "wide.html": html('<div style="width: 2000px">A very wide block.</div>'),
    "wide-in-a-scroller.html": html(
        '<div role="region" aria-label="A wide table" tabindex="0" style="overflow-x: auto">'
        '<table style="width: 2000px"><tr><th scope="col">Year</th></tr>'
        "<tr><td>2025</td></tr></table></div>"
    ),
    "no-viewport.html": html("<p>Laid out for a desktop.</p>", head=""),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    (folder / "style.css").write_text("p { color: #333; } @media (orientation: portrait) { }")
    for name, text in PAGES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reports(site: Path) -> dict[tuple[str, int], PageReport]:
    """Every page's report by (page, width), from one run of the checker."""
    if reason := missing_tools():
        pytest.skip(reason)
    return {(r.page, r.width): r for r in check_site(site)}


def problems(reports: dict[tuple[str, int], PageReport], page: str, width: int) -> str:
    return "\n".join(reports[page, width].problems)


def test_every_page_is_checked_at_both_widths(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    assert sorted(reports) == sorted((page, width) for page in PAGES for width in (1280, 390))


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", ["clean.html", "sub/clean-too.html", "csp.html"])
def test_a_clean_page_has_no_problems(
    reports: dict[tuple[str, int], PageReport], page: str, width: int
) -> None:
    assert reports[page, width].problems == []


def test_axe_runs_on_a_page_whose_policy_forbids_inline_scripts(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    found = reports["csp-no-alt.html", 1280].problems
    assert len(found) == 1, found
    assert found[0].startswith("axe image-alt [critical]")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_image_without_alt_is_an_axe_violation(
    reports: dict[tuple[str, int], PageReport], width: int
) -> None:
    found = reports["no-alt.html", width].problems
    assert len(found) == 1, found
    assert found[0].startswith("axe image-alt [critical]: Images must have alternative text")
    assert "at img: <img src=" in found[0]


def test_low_contrast_text_is_an_axe_violation_with_its_ratio(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    found = reports["low-contrast.html", 1280].problems
    assert len(found) == 1, found
    assert found[0].startswith("axe color-contrast [serious]")
    assert "insufficient color contrast of 1.91 (foreground color: #bbbbbb" in found[0]
    assert "Expected contrast ratio of 4.5:1" in found[0]


def test_a_console_error_is_reported(reports: dict[tuple[str, int], PageReport]) -> None:
    assert reports["console-error.html", 1280].problems == [
        "console error: boom from the page (console-error.html:4)"
    ]


def test_a_console_warning_is_reported(reports: dict[tuple[str, int], PageReport]) -> None:
    assert reports["console-warning.html", 390].problems == [
        "console warning: careful now (console-warning.html:4)"
    ]


def test_an_error_thrown_by_a_script_is_reported(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    assert reports["script-error.html", 1280].problems == [
        "uncaught error in a script: oops in a script (script-error.html:4:29)"
    ]


def test_a_missing_local_file_is_a_failed_request(
    site: Path, reports: dict[tuple[str, int], PageReport]
) -> None:
    found = problems(reports, "missing-css.html", 1280)
    assert f"request failed: {(site / 'missing.css').as_uri()} (net::ERR_FILE_NOT_FOUND)" in found


def test_a_request_leaving_the_machine_is_recorded_and_aborted(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    report = reports["off-machine.html", 390]
    assert report.problems == ["request leaves the machine (aborted): https://example.com/x.png"]
    assert report.seconds < 5  # aborted at once, not waiting on the network


def test_a_page_wider_than_a_phone_scrolls_sideways_at_390(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    assert reports["wide.html", 1280].problems == []  # measured at phone width only
    assert reports["wide.html", 390].problems == [
        "page scrolls sideways at 390 px: 2008 px of content in 390 px (WCAG 1.4.10 reflow);"
        " sticking out: div (8..2008 px)"
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_wide_table_in_a_focusable_scroller_is_fine(
    reports: dict[tuple[str, int], PageReport], width: int
) -> None:
    assert reports["wide-in-a-scroller.html", width].problems == []


def test_a_page_without_a_viewport_is_laid_out_for_a_desktop_on_a_phone(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    assert reports["no-viewport.html", 1280].problems == []
    assert reports["no-viewport.html", 390].problems == [
        'page is laid out 980 px wide on a 390 px phone: no <meta name="viewport"'
        ' content="width=device-width, initial-scale=1">?'
    ]


def test_a_report_reads_as_a_block_in_a_failing_assert(
    reports: dict[tuple[str, int], PageReport],
) -> None:
    failing = with_problems([reports["wide.html", 390], reports["clean.html", 390]])
    assert repr(failing) == (
        "[\nwide.html at 390 px: 1 problem(s)\n"
        "  - page scrolls sideways at 390 px: 2008 px of content in 390 px (WCAG 1.4.10 reflow);"
        " sticking out: div (8..2008 px)\n]"
    )


def test_an_empty_folder_has_no_pages(tmp_path: Path) -> None:
    assert check_site(tmp_path) == []


def test_a_screenshot_at_phone_width_is_twice_as_many_pixels(site: Path, tmp_path: Path) -> None:
    if reason := missing_tools():
        pytest.skip(reason)
    out = screenshot(site / "clean.html", tmp_path / "shots" / "clean.png", width=390)
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (780, 2 * 844)  # full page: at least the screen
