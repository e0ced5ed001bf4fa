"""Making the whole site: pages, open data and style sheet, as bytes by path, then on disk.

:func:`build_site` returns every file of the site (``path → bytes``) for one moment;
:func:`write_site` gathers the data from a plan and its store and writes the files into a
directory. The same store, plan and moment give the same bytes: nothing in a file depends on
the clock, the machine or the order of a set, so a past cycle's site is made again exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from aomori_roadmap.engine.schedule import paused_gc
from aomori_roadmap.errors import check_language
from aomori_roadmap.export.svg import esc
from aomori_roadmap.i18n import _, pgettext, using_language
from aomori_roadmap.parallel import Beside, Shares, can_fork
from aomori_roadmap.site.opendata import Table, data_package, table_files, table_schema
from aomori_roadmap.site.pages import Page, _Site, page_list, render
from aomori_roadmap.site.style import SITE_CSS
from aomori_roadmap.site.tables import site_tables
from aomori_roadmap.views.rollup import Rollup
from aomori_roadmap.views.site import Moment, SiteData, site_data, site_moment

if TYPE_CHECKING:
    from aomori_roadmap.plan.model import Plan
    from aomori_roadmap.store import Store

__all__ = ["CHUNK", "SHARE_FROM", "Site", "build_site", "write_site"]


@dataclass(frozen=True)
class Site:
    """The files of a site, ``path → bytes`` (paths relative to its root, ``/``-separated)."""

    files: dict[str, bytes]

    @property
    def pages(self) -> list[str]:
        """The paths of the HTML pages."""
        return [p for p in self.files if p.endswith(".html")]

    @property
    def size(self) -> int:
        """The bytes of every file together."""
        return sum(len(b) for b in self.files.values())

    def write(self, directory: Path, progress: Callable[[int, int], None] | None = None) -> None:
        """Write the files under ``directory`` (created when missing)."""
        _write_files(directory, self.files, progress)


def _write_files(
    directory: Path, files: dict[str, bytes], progress: Callable[[int, int], None] | None = None
) -> None:
    """Write ``files`` (``path → bytes``) under ``directory``, making folders as needed."""
    made: set[Path] = set()
    total = len(files)
    for n, (path, content) in enumerate(sorted(files.items()), 1):
        target = directory / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(content)
        if progress is not None and (n % 500 == 0 or n == total):
            progress(n, total)


def _data_page(site: _Site, tables: list[Table]) -> str:
    rows = []
    for table in tables:
        links = " ".join(
            f'<a href="{name}">{esc(label)}</a>'
            for name, label in (
                (f"{table.name}.csv", "CSV"),
                (f"{table.name}.json", "JSON"),
                (f"{table.name}.schema.json", "JSON Schema"),
            )
        )
        rows.append(
            f'<tr><th scope="row">{esc(table.title)}</th><td>{esc(table.description)}</td>'
            f"<td>{len(table.rows):,}</td><td>{links}</td></tr>"
        )
    body = [
        "<p>" + esc(_("Every table of this site as open data: CSV (UTF-8 with BOM) and JSON,"
                      " one value per cell, dates in the Western calendar, with a JSON Schema"
                      " for each JSON file and a data package that describes the CSV files."))
        + "</p>",
        '<div class="table" role="region" tabindex="0" aria-label="'
        + esc(pgettext("site", "Open data")) + '"><table><caption>'
        + esc(pgettext("site", "Open data"))
        + "</caption><thead><tr>"
        + "".join(f'<th scope="col">{esc(h)}</th>' for h in (
            pgettext("site", "table"), pgettext("site", "content"), pgettext("site", "rows"),
            pgettext("site", "files")))
        + "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>",
        '<p><a href="datapackage.json">datapackage.json</a> '
        + esc(_("(Frictionless Data Package: the CSV files and their columns)"))
        + "</p>",
    ]  # fmt: skip
    return site.page("data/index.html", pgettext("site", "Open data"),
                            [("index.html", pgettext("site", "Top"))], body)  # fmt: skip


def build_site(data: SiteData, *, jobs: int = 1, rollup: Rollup | None = None) -> Site:
    """Every file of the site for ``data`` (:func:`~aomori_roadmap.views.site.site_data`).

    With a ``rollup`` (:func:`~aomori_roadmap.views.rollup.rollup`) the site has a page of
    every plan of the store, ``rollup.html``, linked from every page: for the prefecture's
    site over its municipalities' plans.

    With ``jobs`` of 2 or more (and :data:`SHARE_FROM` initiatives or more), a forked process
    makes initiatives' pages beside this one, where the system forks
    (:mod:`aomori_roadmap.parallel`): it takes them :data:`CHUNK` at a time from the start,
    this process once it has made the other pages and the open data; the files are the same.
    """
    check_language(data.lang)
    with paused_gc():  # the pages and tables make no cycles: no collection walks them meanwhile
        return _build(data, jobs, rollup, None)


SHARE_FROM = 200
"""Initiatives from which a site's pages are shared with a second process (``jobs`` > 1)."""

CHUNK = 25
"""Initiatives' pages a process takes at a time when two share them."""


def _build(data: SiteData, jobs: int, rollup: Rollup | None, into: Path | None) -> Site:
    """:func:`build_site`; with ``into``, each process also writes the files it made there."""
    site = _Site(data, rollup)
    pages = page_list(data)
    if rollup is not None:
        pages.append(("rollup.html", "rollup", ""))
    initiatives = [p for p in pages if p[1] == "initiative"]
    others = [p for p in pages if p[1] != "initiative"]
    shares = None
    if jobs > 1 and len(initiatives) >= SHARE_FROM and can_fork():
        with suppress(OSError):  # no shared memory for the counter's lock (no /dev/shm)
            shares = Shares(initiatives, CHUNK)
    with using_language(data.lang):
        if shares is None:
            files = _files(render(site, pages), pages, _open_data(site))
            if into is not None:
                _write_files(into, files)
            return Site(files)
        site.views()  # the charts' maps made once, for both processes

        def their_pages() -> dict[str, bytes] | list[str]:
            theirs = _taken_pages(site, shares, into)
            # Written already: their paths alone, read back by the parent, not sent through a pipe.
            return theirs if into is None else list(theirs)

        with Beside(their_pages) as child:
            made = render(site, others)
            data_files = _open_data(site)
            if into is not None:
                _write_files(into, _files(made, others, data_files))
            made.update(_taken_pages(site, shares, into))
            sent = child.result()
        if isinstance(sent, dict):
            made.update(sent)
        else:
            assert into is not None
            made.update((path, (into / path).read_bytes()) for path in sent)
        return Site(_files(made, pages, data_files))


def _taken_pages(site: _Site, shares: Shares[Page], into: Path | None) -> dict[str, bytes]:
    """The pages this process takes from ``shares`` until none is left, each chunk written
    into ``into`` (when given) as soon as it is made."""
    made: dict[str, bytes] = {}
    for chunk in shares.taken():
        part = render(site, chunk)
        if into is not None:
            _write_files(into, part)
        made.update(part)
    return made


def _files(
    made: dict[str, bytes], pages: list[Page], data_files: dict[str, bytes]
) -> dict[str, bytes]:
    """The site's files in their order: the style sheet, the pages, the open data."""
    files = {_STYLE_SHEET: SITE_CSS.encode("utf-8")}
    files.update((path, made[path]) for path, _kind, _key in pages)
    files.update(data_files)
    return files


_STYLE_SHEET = "assets/site.css"


def _open_data(site: _Site) -> dict[str, bytes]:
    """The open-data files and their page (in the language chosen now)."""
    data = site.data
    tables = site_tables(data)
    files = {}
    for table in tables:
        files[f"data/{table.name}.csv"], files[f"data/{table.name}.json"] = table_files(table)
        files[f"data/{table.name}.schema.json"] = table_schema(table)
    files["data/datapackage.json"] = data_package(
        tables, name=f"{data.plan.id}-progress".lower(), title=data.plan.name
    )
    files["data/index.html"] = _data_page(site, tables).encode("utf-8")
    return files


def write_site(
    directory: Path,
    plan: Plan,
    store: Store | None,
    *,
    as_of: date | None = None,
    cycle: str | None = None,
    lang: str = "ja",
    today: date | None = None,
    baseline: str | None = None,
    jobs: int = 1,
    rollup: Rollup | None = None,
) -> Site:
    """Make the site of ``plan`` for a date or a review cycle and write it into ``directory``.

    Args:
        directory: where the files go (created when missing; files of the site are
            replaced, other files left alone).
        plan: the plan.
        store: its status history, review records and KPI values (``None``: nothing yet).
        as_of: the date the site is as of; or
        cycle: a review cycle (``R7上期``): the status at its half's end, as known on its
            publication date (or ``today``, when that is still to come).
        lang: ``ja`` (default) or ``en``.
        today: the date it is now (default: the date where the plan is).
        baseline: a stored baseline to measure lateness against.
        jobs: how many processes may work on it at once (see :func:`build_site` and
            :func:`~aomori_roadmap.views.site.site_data`); the command line gives the number
            of cores, the library 1, since forking does not suit a server with threads.
        rollup: the roll-up of the store's plans, for a page of them (see :func:`build_site`).

    Raises:
        PlanError: neither or both of ``as_of`` and ``cycle``; an unknown cycle; an unknown
            baseline.
    """
    check_language(lang)
    if today is None:
        from aomori_roadmap.export.feeds import today_in

        today = today_in(plan)
    moment = site_moment(plan, as_of=as_of, cycle=cycle, today=today)
    with paused_gc():  # once for the whole: what it made is freed before a collection runs
        return _made_and_written(directory, plan, store, moment, lang, baseline, jobs, rollup)


def _made_and_written(
    directory: Path,
    plan: Plan,
    store: Store | None,
    moment: Moment,
    lang: str,
    baseline: str | None,
    jobs: int,
    rollup: Rollup | None,
) -> Site:
    """:func:`write_site` from its moment on: each process writes the files it makes as soon
    as it has made them; the site's data is freed on return."""
    data = site_data(plan, store, moment, lang=lang, baseline=baseline, jobs=jobs)
    return _build(data, jobs, rollup, directory)
