"""Pages opened the way readers open them: headless Chromium, at desktop and at phone width.

``check_site(directory)`` opens every ``*.html`` under a folder from ``file://`` URLs in one
browser (Playwright driving the system Chromium: a test never downloads a browser) and lists,
page by page and width by width, everything a reader or an accessibility audit would trip on:

- console messages of type error or warning, and errors thrown by the page's scripts;
- requests that failed (a missing stylesheet) and answers with a status of 400 or more;
- every request that would leave the machine (a URL other than ``file:``, ``data:``, ``blob:``,
  ``about:``): it is aborted, so that a check never waits on the network, and recorded;
- the violations axe-core finds among the WCAG 2.1 level A and AA rules (JIS X 8341-3 level AA
  follows WCAG 2.x AA), with the selector, HTML and axe's message of the first nodes;
- at phone width (480 px or less): a page wider than the screen. Content must reflow down to
  320 CSS px without scrolling sideways (WCAG 1.4.10), and a page without
  ``<meta name="viewport" content="width=device-width">`` is laid out 980 px wide and shrunk.

A clean page has no problems: ``assert not with_problems(reports), describe(reports)`` shows
each failing :class:`PageReport` as a readable block. The widths are checked side by side, one
tab each, pages reused one after the other.

axe-core is installed as a script that runs before the page's own (an init script, given
through the DevTools protocol): a page whose Content-Security-Policy forbids inline scripts, as
a static site's should, is checked all the same, and the policy still governs the page. Chromium
runs with ``--allow-file-access-from-files`` so that axe can read the page's style sheets (it
fetches them otherwise, and a ``file:`` page may not: axe's own failure would look like the
page's).

Needs the Python package ``playwright``, Chromium at ``/usr/bin/chromium`` and
``tests/js/node_modules/axe-core`` (``npm ci --prefix tests/js``); :func:`missing_tools` says
what is absent, for a test to skip on.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        ConsoleMessage,
        Error,
        Page,
        Request,
        Response,
        Route,
    )

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
WIDTHS = (1280, 390)
"""A laptop screen and a common phone (iPhone 12 to 15), in CSS px."""
HEIGHTS = {1280: 900, 390: 844}
PHONE_WIDTH = 480
"""At this width or narrower the browser acts as a phone and a page must not scroll sideways."""
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
MAX_NODES = 3
"""How many nodes of an axe violation (or elements sticking out of a page) a report shows."""
TABS = 1
"""Tabs per width; the widths are checked side by side (more tabs did not help on 2 cores)."""
TIMEOUT_MS = 20_000

_BLOCKED = "net::ERR_BLOCKED_BY_CLIENT"  # how Chromium reports a request we aborted

_AXE_RUN = """
async ({tags, max}) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  const message = (node) =>
    [...node.any, ...node.all, ...node.none].map((check) => check.message).find(Boolean) || '';
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    count: v.nodes.length,
    nodes: v.nodes.slice(0, max).map((n) => ({
      target: n.target.map(String).join(' '),
      html: n.html,
      message: message(n),
    })),
  }));
}
"""

# The page's width, and the outermost elements sticking out past its right edge (those inside a
# box that scrolls or clips do not make the page scroll).
_OVERFLOW = """
(max) => {
  const root = document.documentElement;
  const limit = root.clientWidth + 1;
  const wide = [];
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== root; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = (el) =>
    el.localName + (el.id ? '#' + el.id : '') +
    [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
  if (root.scrollWidth > limit && document.body) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      const up = el.parentElement.getBoundingClientRect();
      if (box.right > limit && up.right <= limit && !clipped(el)) {
        wide.push(`${name(el)} (${Math.round(box.left)}..${Math.round(box.right)} px)`);
        if (wide.length >= max) break;
      }
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}
"""


@dataclass(slots=True)
class PageReport:
    """What one page showed at one width; ``problems`` is empty for a clean page."""

    page: str
    """The page's path relative to the folder checked, in POSIX form."""
    width: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """How long opening and checking the page took (pages are checked a few at a time)."""

    def __str__(self) -> str:
        head = f"{self.page} at {self.width} px"
        if not self.problems:
            return f"{head}: clean"
        lines = [f"{head}: {len(self.problems)} problem(s)"]
        for problem in self.problems:
            first, *rest = problem.splitlines()
            lines.append(f"  - {first}")
            lines += [f"    {line}" for line in rest]
        return "\n".join(lines)

    def __repr__(self) -> str:  # a failing assert shows reprs: make them readable blocks
        return "\n" + str(self) + "\n"


def with_problems(reports: Sequence[PageReport]) -> list[PageReport]:
    """The reports that have problems: ``assert not with_problems(check_site(folder))``."""
    return [report for report in reports if report.problems]


def describe(reports: Sequence[PageReport]) -> str:
    """The reports with problems as one text, for an assert's message; a count of the clean."""
    failing = with_problems(reports)
    lines = [str(report) for report in failing]
    lines.append(f"{len(failing)} of {len(reports)} page views with problems")
    return "\n".join(lines)


def missing_tools() -> str | None:
    """Why the browser checks cannot run here, or None when everything they need is present."""
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"axe-core is not installed at {AXE} (npm ci --prefix tests/js)"
    return None


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _is_local(url: str) -> bool:
    return url.startswith(LOCAL_SCHEMES)


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@asynccontextmanager
async def _chromium() -> AsyncIterator[Browser]:
    """The system Chromium, headless, driven by Playwright."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                # axe-core reads the style sheets (for css-orientation-lock) with XMLHttpRequest
                "--allow-file-access-from-files",
            ],
        )
        try:
            yield browser
        finally:
            await browser.close()


class _Tab:
    """One browser tab, reused page after page, and what the page it shows has reported."""

    def __init__(self, page: Page, width: int) -> None:
        self.page = page
        self.width = width
        self.problems: list[str] = []
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    @classmethod
    async def open(cls, browser: Browser, width: int) -> _Tab:
        phone = width <= PHONE_WIDTH
        context = await browser.new_context(
            viewport={"width": width, "height": HEIGHTS.get(width, 900)},
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
            service_workers="block",
        )
        await context.add_init_script(script=_axe_source())
        tab = cls(await context.new_page(), width)
        await context.route("**/*", tab._route)
        return tab

    async def close(self) -> None:
        await self.page.context.close()

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems

    def _console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "warning") or _BLOCKED in message.text:
            return  # a request we aborted is reported once, by _route
        where = message.location.get("url", "")
        line = int(message.location.get("lineNumber", 0)) + 1  # Playwright counts from 0
        at = f" ({Path(where).name}:{line})" if where else ""
        self.problems.append(f"console {message.type}: {_short(message.text)}{at}")

    def _page_error(self, error: Error) -> None:
        frames = [line.strip() for line in (error.stack or "").splitlines()]
        at = next((f" ({Path(line).name})" for line in frames if line.startswith("at ")), "")
        self.problems.append(f"uncaught error in a script: {_short(error.message)}{at}")

    def _request_failed(self, request: Request) -> None:
        if not (request.failure or "").startswith(_BLOCKED):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if not response.url.startswith("file:") and response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    async def _route(self, route: Route) -> None:
        url = route.request.url
        if _is_local(url):
            await route.continue_()
        else:
            self.problems.append(f"request leaves the machine (aborted): {_short(url, 200)}")
            await route.abort("blockedbyclient")

    async def check(self, path: Path, name: str) -> PageReport:
        started = time.perf_counter()
        try:
            await self.page.goto(path.resolve().as_uri(), wait_until="load")
            problems = self.take()
            problems += await self._sideways()
            problems += await self._violations()
            problems += self.take()  # anything reported while the checks ran
        except Exception as error:  # a page that cannot be checked is one more problem
            problems = [*self.take(), f"could not check the page: {_short(str(error))}"]
        return PageReport(name, self.width, problems, time.perf_counter() - started)

    async def _violations(self) -> list[str]:
        args = {"tags": list(WCAG_TAGS), "max": MAX_NODES}
        found: list[dict[str, Any]] = await self.page.evaluate(_AXE_RUN, args)
        problems = []
        for violation in found:
            lines = [
                f"axe {violation['id']} [{violation['impact']}]: {violation['help']}"
                f" ({violation['count']} node(s))"
            ]
            for node in violation["nodes"]:
                lines.append(f"at {node['target']}: {_short(node['html'], 160)}")
                if node["message"]:
                    lines.append(f"  {_short(node['message'])}")
            if violation["count"] > len(violation["nodes"]):
                lines.append(f"and {violation['count'] - len(violation['nodes'])} more")
            problems.append("\n".join(lines))
        return problems

    async def _sideways(self) -> list[str]:
        if self.width > PHONE_WIDTH:
            return []
        size: dict[str, Any] = await self.page.evaluate(_OVERFLOW, MAX_NODES)
        if size["client"] > self.width:
            return [
                f"page is laid out {size['client']} px wide on a {self.width} px phone:"
                ' no <meta name="viewport" content="width=device-width, initial-scale=1">?'
            ]
        if size["scroll"] > size["client"]:
            wide = "; ".join(size["wide"]) or "no single element found"
            return [
                f"page scrolls sideways at {self.width} px: {size['scroll']} px of content"
                f" in {size['client']} px (WCAG 1.4.10 reflow); sticking out: {wide}"
            ]
        return []


async def _check_all(
    pages: Sequence[tuple[Path, str]], widths: Sequence[int], tabs: int
) -> list[PageReport]:
    # One queue of pages per width, worked through by a few tabs of that width at once.
    queues: dict[int, asyncio.Queue[tuple[int, Path, str]]] = {}
    for order, width in enumerate(widths):
        queue = queues[width] = asyncio.Queue()
        for index, (path, name) in enumerate(pages):
            queue.put_nowait((order * len(pages) + index, path, name))
    reports: dict[int, PageReport] = {}

    async def work(browser: Browser, width: int) -> None:
        tab = await _Tab.open(browser, width)
        try:
            while not queues[width].empty():
                index, path, name = queues[width].get_nowait()
                reports[index] = await tab.check(path, name)
        finally:
            await tab.close()

    async with _chromium() as browser:
        await asyncio.gather(*(work(browser, width) for width in queues for _ in range(tabs)))
    return [reports[index] for index in sorted(reports)]


def check_pages(
    pages: Sequence[Path], *, root: Path, widths: Sequence[int] = WIDTHS, tabs: int = TABS
) -> list[PageReport]:
    """Open ``pages`` (files under ``root``) at every width; one report per page and width.

    The reports come width by width, in the order of ``pages``.
    """
    named = [(path, path.resolve().relative_to(root.resolve()).as_posix()) for path in pages]
    if not named:
        return []
    return asyncio.run(_check_all(named, widths, max(1, tabs)))


def check_site(
    directory: Path, *, widths: Sequence[int] = WIDTHS, tabs: int = TABS
) -> list[PageReport]:
    """Open every ``*.html`` under ``directory`` at every width; one report per page and width.

    The reports come width by width, pages in path order; an empty folder gives none.
    """
    return check_pages(sorted(directory.rglob("*.html")), root=directory, widths=widths, tabs=tabs)


def screenshot(page: Path, out: Path, *, width: int, full_page: bool = True) -> Path:
    """Write a PNG of ``page`` as a reader sees it ``width`` CSS px wide (for the docs).

    A phone-width shot is taken at twice the pixels, as a phone shows it. Requests leaving the
    machine are aborted, as in :func:`check_site`. Returns ``out``.
    """
    out.parent.mkdir(parents=True, exist_ok=True)

    async def shoot() -> None:
        async with _chromium() as browser:
            phone = width <= PHONE_WIDTH
            context = await browser.new_context(
                viewport={"width": width, "height": HEIGHTS.get(width, 900)},
                is_mobile=phone,
                device_scale_factor=2 if phone else 1,
            )

            async def local_only(route: Route) -> None:
                if _is_local(route.request.url):
                    await route.continue_()
                else:
                    await route.abort("blockedbyclient")

            await context.route("**/*", local_only)
            tab = await context.new_page()
            await tab.goto(page.resolve().as_uri(), wait_until="load")
            await tab.screenshot(path=str(out), full_page=full_page)
            await context.close()

    asyncio.run(shoot())
    return out
