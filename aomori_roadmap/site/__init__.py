"""The public progress site (進捗状況の公表ページ): static pages, charts and open data.

``aomori-roadmap site --as-of DATE -o DIR`` (or ``--cycle R7上期``) and :func:`write_site`
write a site that reads from the file system or any web server, with no network and no
JavaScript: a top page with each field's KPIs, a page per field, item, initiative, KPI and
review cycle, what changed since the previous cycle, and every table as open data (CSV and
JSON with their schemas). See ``docs/site.md``.
"""

from aomori_roadmap.site.build import Site, build_site, write_site

__all__ = ["Site", "build_site", "write_site"]
