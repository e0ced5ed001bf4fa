"""The site's HTML pages, from :class:`~aomori_roadmap.views.site.SiteData`.

Every page is plain HTML with one linked style sheet: it reads without JavaScript, from the
file system or any web server, and loads nothing from the network. Plan text is escaped
everywhere (:func:`~aomori_roadmap.export.svg.esc`). What changed since the previous review
cycle carries a symbol and a word (◆ 変更, ✚ 新規) as well as its colour, and a legend on
every page says so. Charts are SVG with a title, a description and a data table beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

from aomori_roadmap.calendar import FiscalYear, Half
from aomori_roadmap.calendar.eras import format_wareki
from aomori_roadmap.engine.kpi import KpiMark, KpiStatus, decimal_text
from aomori_roadmap.engine.status import Lateness, Status
from aomori_roadmap.export.chart import render_svg
from aomori_roadmap.export.svg import esc, esc_label
from aomori_roadmap.i18n import _, language, pgettext
from aomori_roadmap.site.charts import ChartEnds, ChartPoint, KpiChartData, kpi_chart
from aomori_roadmap.views.gantt import GanttData, InitiativeViews
from aomori_roadmap.views.rollup import Rollup, rollup_tables
from aomori_roadmap.views.site import (
    Change,
    KpiYear,
    SiteCycle,
    SiteData,
    SiteInitiative,
    SiteKpi,
)

__all__ = ["FULL_CHANGES", "Page", "page_list", "render", "render_page"]

FULL_CHANGES = 2000
"""Up to this many changes, the changes page lists each; above, it sums them up by initiative
(each initiative's page lists its own, and the open data lists every one)."""

Body = list[str]


# --- words -------------------------------------------------------------------------------------


def _day(day: date | None) -> str:
    if day is None:
        return "—"
    return _dated(day, language())


@lru_cache(maxsize=8192)
def _day_html(day: date, lang: str) -> str:  # lang: the cache's key, with the day
    return esc(_dated(day, lang))


@lru_cache(maxsize=8192)
def _dated(day: date, lang: str) -> str:  # lang: the cache's key, with the day
    return pgettext("site", "{date}").format(date=day.isoformat(), wareki=format_wareki(day))


def _fy(year: int) -> str:
    return _fy_label(year, language())


@lru_cache(maxsize=256)
def _fy_label(year: int, lang: str) -> str:
    return FiscalYear(year).label(lang)


def _cycle(code: str) -> str:
    return _cycle_label(code, language())


@lru_cache(maxsize=256)
def _cycle_label(code: str, lang: str) -> str:
    """A review cycle's name (``FY2025-H1`` → 令和7年度上期): the same few over and over."""
    return Half(int(code[2:6]), int(code[-1])).label(lang)


def _number(value: float | None, unit: str | None = None) -> str:
    """A value with every digit it was given (0.004 is not 0), thousands grouped."""
    if value is None:
        return "—"
    text = decimal_text(value, grouped=True)
    return f"{text} {unit}" if unit else text


def _entry(year: KpiYear | None, unit: str | None) -> str:
    if year is None:
        return pgettext("site", "no value yet")
    if year.mark is not None:
        return year.mark.label(language())
    return _number(year.actual, unit)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _status(status: Status) -> str:
    return _label(status, language())


def _lateness(value: Lateness | None) -> str:
    return "—" if value is None else _label(value, language())


@lru_cache(maxsize=64)
def _label(value: Status | Lateness, lang: str) -> str:
    return value.label(lang)


def _grade(year: KpiYear | None) -> str:
    if year is None:
        unset = pgettext("site", "not evaluated")
        return f'<span class="grade g-unset">{esc(unset)}</span>'
    ev = year.evaluation
    code = ev.code if ev.code in ("achieved", "on_track", "behind", "unset") else "rated"
    return f'<span class="grade g-{code}">{esc(ev.label)}</span>'


# --- change marks ----------------------------------------------------------------------------


def _mark(changes: Sequence[Change]) -> str:
    """The mark of a subject with changes: ✚ new, or ◆ changed (a symbol and a word)."""
    if not changes:
        return ""
    new, changed = _marks(language())
    return new if any(c.kind == "new" for c in changes) else changed


@lru_cache(maxsize=4)
def _marks(lang: str) -> tuple[str, str]:  # lang: the cache's key
    """The marks ✚ new and ◆ changed, in the language now."""
    return (
        f' <span class="mark"><span aria-hidden="true">✚</span>{esc(_new())}</span>',
        f' <span class="mark"><span aria-hidden="true">◆</span>{esc(_changed())}</span>',
    )


def _new() -> str:
    return pgettext("site", "new")


def _changed() -> str:
    return pgettext("site", "changed")


@lru_cache(maxsize=1024)
def _what_label(kind: str, what: str, lang: str) -> str:  # lang: the cache's key
    if kind == "new":
        return _new()
    if what == "status":
        return pgettext("site", "status")
    if what in ("start", "finish"):
        return pgettext("site", "start") if what == "start" else pgettext("site", "finish")
    if what.startswith("self:"):
        return _("self-assessment, {cycle}").format(cycle=_cycle(what[5:]))
    if what.startswith("office:"):
        return _("office's rating, {cycle}").format(cycle=_cycle(what[7:]))
    if what == "evaluation":
        return pgettext("site", "evaluation")
    return _("value, {fy}").format(fy=_fy(int(what[2:])))


def _shown_value(kind: str, what: str, value: str | None) -> str:
    """A value of a change as people read it (an evaluation aside: its scale is the plan's)."""
    if value is None:
        return "—"
    if what == "status":
        return _status(Status(value))
    if what in ("start", "finish"):
        return _day(date.fromisoformat(value))
    if kind == "value":
        mark = KpiMark.read(value)
        return mark.label(language()) if mark is not None else _number(float(value))
    return value


def _shown_html(change: Change, value: str | None, data: SiteData, lang: str) -> str:
    """A value of a change, escaped: an evaluation by the plan's scale, any other from a cache
    (the same few statuses and dates over and over)."""
    if value is not None and change.what == "evaluation":
        return esc(_evaluation_label(value, data))
    return _value_html(change.kind, change.what, value, lang)


@lru_cache(maxsize=16384)
def _value_html(kind: str, what: str, value: str | None, lang: str) -> str:  # lang: a key
    return esc(_shown_value(kind, what, value))


@lru_cache(maxsize=1024)
def _what_html(kind: str, what: str, lang: str) -> str:
    return esc(_what_label(kind, what, lang))


def _evaluation_label(code: str, data: SiteData) -> str:
    """An evaluation's label from its code: a grade of the plan's scale, else a status."""
    for grade in data.plan.evaluation.grades:
        if grade.code == code:
            return grade.label
    try:
        return KpiStatus(code).label(language())
    except ValueError:
        return code


def _legend(data: SiteData) -> str:
    if data.previous is None:
        return _p(_("No earlier review cycle to compare with yet."), "legend")
    since = _cycle(data.previous.cycle) if data.previous.cycle else _day(data.previous.as_of)
    changed = _("a status, a date, a rating or a value is not what it was then")
    added = _("added since then")
    return (
        '<p class="legend">'
        + esc(_("Compared with the previous review cycle ({cycle}):").format(cycle=since))
        + f' <span class="mark"><span aria-hidden="true">◆</span>{esc(_changed())}</span> '
        + esc(changed)
        + f' / <span class="mark"><span aria-hidden="true">✚</span>{esc(_new())}</span> '
        + esc(added)
        + "</p>"
    )  # fmt: skip


def _changes_table(
    changes: Sequence[Change], data: SiteData, root: str, caption: str, *, full: bool = False
) -> str:
    """The changes as a table; ``full``: a task is named with its initiative."""
    if not changes:
        return _p(_("Nothing changed since the previous review cycle."))
    lang = language()
    rows = [
        (
            _link_of(c, data, root, full),
            _what_html(c.kind, c.what, lang),
            _shown_html(c, c.before, data, lang),
            _shown_html(c, c.after, data, lang),
        )
        for c in changes
    ]
    return _table(
        caption,
        [pgettext("site", "subject"), pgettext("site", "what"), pgettext("site", "before"),
         pgettext("site", "now")],
        rows,
    )  # fmt: skip


def _link_of(change: Change, data: SiteData, root: str, full: bool) -> str:
    if change.subject == "kpi":
        return _a(f"{root}kpis/{change.ref}.html", change.name)
    if change.subject == "initiative":
        return _a(f"{root}initiatives/{change.ref}.html", change.name)
    initiative = change.ref.split("/")[0]
    owner = data.initiatives.get(initiative)
    label = change.name if owner is None or not full else f"{owner.name} / {change.name}"
    return _a(f"{root}initiatives/{initiative}.html", label)


# --- building blocks -------------------------------------------------------------------------


def _a(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def _table(
    caption: str, header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    """A table: ``rows`` hold markup already escaped; ``numeric`` columns align right."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    opens = ['<th scope="row">'] + [
        '<td class="num">' if n in numeric else "<td>" for n in range(1, len(header))
    ]
    closes = ["</th>"] + ["</td>"] * (len(header) - 1)
    lines = [
        "<tr>" + "".join(map(str.__add__, map(str.__add__, opens, row), closes)) + "</tr>"
        for row in rows
    ]
    return (
        f'<div class="table" role="region" tabindex="0" aria-label="{esc(caption)}">'
        f"<table><caption>{esc(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(lines) + "\n</tbody></table></div>"
    )


def _h2(text: str) -> str:
    return f"<h2>{esc(text)}</h2>"


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if cls else f"<p>{esc(text)}</p>"


def _dl(pairs: Iterable[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


def _text(value: str | None) -> str:
    return "" if not value else f'<p class="text">{esc(value)}</p>'


def _kpi_card(kpi: SiteKpi, root: str) -> str:
    latest = kpi.latest
    label = _fy(latest.fy) if latest is not None else "—"
    shown = _entry(latest, kpi.unit)
    pairs = [
        (pgettext("site", "actual"), esc(shown if latest is None else _("{value} ({year})").format(
            value=shown, year=label))),
        (pgettext("site", "target"), esc(_target(kpi))),
        (pgettext("site", "achievement rate"), esc(_rate(latest.rate if latest else None))),
        (pgettext("site", "evaluation"), _grade(latest)),
    ]  # fmt: skip
    cls = "card changed" if kpi.changes else "card"
    return (
        f'<li class="{cls}"><h3>{_a(f"{root}kpis/{kpi.id}.html", kpi.name)}{_mark(kpi.changes)}'
        f"</h3>{_dl(pairs)}</li>"
    )


def _target(kpi: SiteKpi) -> str:
    if kpi.target_fy is None or kpi.target is None:
        return pgettext("site", "not set")
    return _("{value} ({year})").format(value=_number(kpi.target, kpi.unit),
                                        year=_fy(kpi.target_fy))  # fmt: skip


def _cards(kpis: Iterable[SiteKpi], root: str) -> str:
    cards = [_kpi_card(k, root) for k in kpis]
    if not cards:
        return _p(_("No KPIs."))
    return '<ul class="cards">' + "\n".join(cards) + "</ul>"


def _latest_review(i: SiteInitiative, which: str) -> str:
    for review in reversed(i.reviews):
        rating = review.own if which == "own" else review.office
        if rating is not None:
            return esc(f"{rating} ({_cycle(review.cycle)})")
    return "—"


def _initiatives_table(items: Iterable[SiteInitiative], root: str, caption: str) -> str:
    items = list(items)
    if not items:
        return _p(_("No initiatives yet."))
    rows = [
        (
            _a(f"{root}initiatives/{i.id}.html", i.name) + _mark(i.changes),
            esc(i.department or "—"),
            esc(_status(i.status)),
            esc(f"{i.progress}%"),
            esc(_lateness(i.lateness)),
            esc(f"{_day(i.start)} – {_day(i.finish)}"),
            _latest_review(i, "own"),
            _latest_review(i, "office"),
        )
        for i in items
    ]
    header = [
        pgettext("site", "initiative"), pgettext("site", "department"),
        pgettext("site", "status"), pgettext("site", "progress"), pgettext("site", "lateness"),
        pgettext("site", "span"), pgettext("site", "self-assessment"),
        pgettext("site", "office's rating"),
    ]  # fmt: skip
    return _table(caption, header, rows, numeric=(3,))


def _kpi_years_table(kpi: SiteKpi) -> str:
    rows = [
        (
            esc(_fy(y.fy)),
            esc(_number(y.planned, kpi.unit)),
            esc(_number(None if y.expected is None else round(y.expected, 2), kpi.unit)),
            esc(_entry(y, kpi.unit) if y.entered else "—"),
            esc(_rate(y.rate)),
            _grade(y) if y.entered else "—",
        )
        for y in kpi.years
    ]
    header = [
        pgettext("site", "fiscal year"), pgettext("site", "plan's figure"),
        pgettext("site", "expected"), pgettext("site", "actual"),
        pgettext("site", "achievement rate"), pgettext("site", "evaluation"),
    ]  # fmt: skip
    return _table(_("{name}: values by fiscal year").format(name=kpi.name), header, rows,
                  numeric=(1, 2, 3, 4))  # fmt: skip


def _chart(kpi: SiteKpi) -> str:
    def point(y: KpiYear, value: float | None) -> ChartPoint:
        return ChartPoint(fy=y.fy, value=value)

    data = KpiChartData(
        title=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        years=tuple(y.fy for y in kpi.years),
        actuals=tuple(
            ChartPoint(y.fy, y.actual, None if y.mark is None else y.mark.label(language()))
            for y in kpi.years
            if y.entered
        ),
        targets=tuple(point(y, y.planned) for y in kpi.years if y.planned is not None),
        expected=tuple(point(y, y.expected) for y in kpi.years if y.expected is not None),
        ends=ChartEnds(
            baseline=None if kpi.baseline_fy is None else ChartPoint(kpi.baseline_fy, kpi.baseline),
            target=None if kpi.target_fy is None else ChartPoint(kpi.target_fy, kpi.target),
        ),
    )
    return (
        f'<figure class="chart">{kpi_chart(data, ident=f"kpi-{kpi.id}", lang=language())}</figure>'
    )


# --- pages -----------------------------------------------------------------------------------


class _Site:
    def __init__(self, data: SiteData, rollup: Rollup | None = None) -> None:
        self.data = data
        self._rollup = rollup
        plan = data.plan
        self.fields = {f.id: f for f in plan.fields}
        self.items = {i.id: i for i in plan.items}
        self._views: InitiativeViews | None = None
        self._chrome: dict[str, tuple[str, str]] = {}  # made in the language of the pages
        self._legend: str | None = None

    def gantt(self, initiative: str) -> GanttData | None:
        """The roadmap chart's data of one initiative (``None``: it has no task).

        The snapshot's maps are made plain once, at the first chart, for all of them; the
        review cycles' markers are left out: the page has its own review history.
        """
        return self.views().view(initiative)

    def views(self) -> InitiativeViews:
        """The maker of the roadmap charts' data, made at the first call (before a fork, so
        that both processes share it)."""
        if self._views is None:
            snap = self.data.snapshot
            self._views = InitiativeViews(
                snap.plan, snap.current, as_of=snap.as_of, states=snap.status_pairs(),
                lateness={ref: value.value for ref, value in snap.lateness.items()},
                baseline=snap.baseline, baseline_name=snap.baseline_name,
            )  # fmt: skip
        return self._views

    def page(self, path: str, title: str, crumbs: Sequence[tuple[str, str]], body: Body) -> str:
        root = "../" * path.count("/")
        top, bottom = self.chrome(root)
        trail = ""
        if crumbs:
            steps = "".join(f"<li>{_a(root + h, t)}</li>" for h, t in crumbs)
            label = pgettext("site", "Breadcrumbs")
            trail = (
                f'<nav class="crumbs" aria-label="{esc(label)}">'
                f'<ol>{steps}<li aria-current="page">{esc(title)}</li></ol></nav>'
            )
        return (
            f'<!DOCTYPE html>\n<html lang="{language()}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)} | {esc(self.data.plan.name)}</title>\n"
            f"{top}{trail}<h1>{esc(title)}</h1>\n{self.legend()}\n" + "\n".join(body) + bottom
        )

    def legend(self) -> str:
        """The legend of the change marks, as every page shows it."""
        if self._legend is None:
            self._legend = _legend(self.data)
        return self._legend

    def chrome(self, root: str) -> tuple[str, str]:
        """What every page at the depth of ``root`` shares: the markup from the style sheet's
        link to the opening of ``<main>``, and from the closing of ``<main>`` to the end."""
        found = self._chrome.get(root)
        if found is not None:
            return found
        data = self.data
        moment = data.moment
        if moment.cycle is not None:
            asof = _("{cycle}: status as of {date}, records as known on {known}").format(
                cycle=_cycle(moment.cycle), date=_day(moment.as_of), known=_day(moment.known)
            )
        else:
            asof = _("Status as of {date}").format(date=_day(moment.as_of))
        nav = [
            (f"{root}index.html", pgettext("site", "Top")),
            *((f"{root}fields/{f.id}.html", f.name) for f in data.plan.fields),
            (f"{root}kpis/index.html", pgettext("site", "KPIs")),
            (f"{root}cycles/index.html", pgettext("site", "Review cycles")),
            (f"{root}changes.html", pgettext("site", "Changes")),
            (f"{root}data/index.html", pgettext("site", "Open data")),
        ]
        if self._rollup is not None:
            nav.insert(-1, (f"{root}rollup.html", pgettext("site", "All plans")))
        links = "".join(f"<li>{_a(h, t)}</li>" for h, t in nav)
        skip, site_label = pgettext("site", "Skip to content"), pgettext("site", "Site")
        top = (
            f'<link rel="stylesheet" href="{root}assets/site.css">\n</head>\n<body>\n'
            f'<a class="skip" href="#main">{esc(skip)}</a>\n'
            f'<header class="site"><p class="plan">{_a(f"{root}index.html", data.plan.name)}</p>'
            f'<p class="asof">{esc(asof)}</p>'
            f'<nav class="top" aria-label="{esc(site_label)}"><ul>{links}</ul></nav>'
            f'</header>\n<main id="main">\n'
        )
        bottom = (
            "\n</main>\n<footer>"
            + esc(_("Made by aomori_roadmap from the plan and its progress records."))
            + " "
            + _a(f"{root}data/index.html", pgettext("site", "Open data"))
            + "</footer>\n"
            "</body>\n</html>\n"
        )
        self._chrome[root] = top, bottom
        return top, bottom

    def field_kpis(self, field: str | None) -> list[SiteKpi]:
        return [k for k in self.data.kpis.values() if k.kind == "kpi" and k.field == field]

    # --- the pages ---

    def index(self) -> str:
        data = self.data
        plan = data.plan
        initiatives = list(data.initiatives.values())
        tasks = [t for i in initiatives for t in i.tasks]
        counts = [
            (pgettext("site", "initiatives"), len(initiatives)),
            (pgettext("site", "tasks"), len(tasks)),
            (pgettext("site", "done"), sum(t.status is Status.DONE for t in tasks)),
            (pgettext("site", "in progress"), sum(t.status is Status.IN_PROGRESS for t in tasks)),
            (pgettext("site", "late"), sum(t.lateness is Lateness.LATE for t in tasks)),
            (pgettext("site", "KPIs"), sum(k.kind == "kpi" for k in data.kpis.values())),
            (pgettext("site", "changes"), len(data.changes)),
        ]
        body: Body = []
        if plan.subtitle:
            body.append(f'<p class="lead">{esc(plan.subtitle)}</p>')
        body.append(
            '<dl class="counts">'
            + "".join(f"<div><dt>{esc(k)}</dt><dd>{v:,}</dd></div>" for k, v in counts)
            + "</dl>"
        )
        basic = self.field_kpis(None)
        if basic:
            body.append(_h2(pgettext("site", "Basic KPIs")))
            body.append(_cards(basic, ""))
        for f in plan.fields:
            body.append(f"<h2>{_a(f'fields/{f.id}.html', f.name)}</h2>")
            if f.title:
                body.append(f'<p class="lead">{esc(f.title)}</p>')
            body.append(_cards(self.field_kpis(f.id), ""))
        return self.page("index.html", plan.name, [], body)

    def field(self, fid: str) -> str:
        f = self.fields[fid]
        data = self.data
        body: Body = [_text(f.purpose)]
        body.append(_h2(pgettext("site", "KPIs")))
        kpis = self.field_kpis(fid)
        body.append(_cards(kpis, "../"))
        body += [_chart(kpi) for kpi in kpis]  # each card above links to its page
        for item in data.plan.items:
            if item.field != fid:
                continue
            body.append(f"<h2>{_a(f'../items/{item.id}.html', item.name)}</h2>")
            members = [i for i in data.initiatives.values() if i.item == item.id]
            body.append(
                _initiatives_table(
                    members, "../", _("Initiatives of {item}").format(item=item.name)
                )
            )
        return self.page(f"fields/{fid}.html", f.name, [("index.html", pgettext("site", "Top"))],
                         body)  # fmt: skip

    def item(self, iid: str) -> str:
        item = self.items[iid]
        data = self.data
        body: Body = []
        if item.policies:
            body.append(_h2(pgettext("site", "Policies")))
            body.append(
                "<ul>" + "".join(f"<li>{esc(p.text)}</li>" for p in item.policies) + "</ul>"
            )
        members = [i for i in data.initiatives.values() if i.item == iid]
        body.append(_h2(pgettext("site", "Initiatives")))
        body.append(_initiatives_table(members, "../", _("Initiatives of {item}").format(
            item=item.name)))  # fmt: skip
        crumbs = [("index.html", pgettext("site", "Top"))]
        owner = self.fields.get(item.field)
        if owner is not None:
            crumbs.append((f"fields/{owner.id}.html", owner.name))
        return self.page(f"items/{iid}.html", item.name, crumbs, body)

    def initiative(self, iid: str) -> str:
        data = self.data
        i = data.initiatives[iid]
        body: Body = [_text(i.description)]
        body.append(
            _dl_block([
                (pgettext("site", "department"), esc(i.department or "—")),
                (pgettext("site", "status"), esc(_status(i.status)) + _mark(
                    [c for c in i.changes if c.subject == "initiative"])),
                (pgettext("site", "progress"), esc(f"{i.progress}%")),
                (pgettext("site", "lateness"), esc(_lateness(i.lateness))),
                (pgettext("site", "span"), esc(f"{_day(i.start)} – {_day(i.finish)}")),
            ])
        )  # fmt: skip
        linked = [data.kpis[k] for k in (*i.kpis, *i.indicators) if k in data.kpis]
        if linked:
            body.append(_h2(pgettext("site", "KPIs and indicators")))
            body.append(_cards(linked, "../"))
        body.append(_h2(pgettext("site", "Roadmap")))
        view = self.gantt(iid)
        if view is not None:
            region = _("Roadmap chart of {name}").format(name=i.name)
            body.append(
                f'<div class="gantt-wrap" role="region" tabindex="0" aria-label="{esc(region)}">'
                + render_svg(view, lang=language())
                + "</div>"
            )
        body.append(self.tasks_table(i))
        body.append(_h2(pgettext("site", "Review history")))
        body.append(self.reviews_table(i))
        body.append(_h2(pgettext("site", "Changes")))
        body.append(_changes_table(i.changes, data, "../", _("Changes of {name}").format(
            name=i.name)))  # fmt: skip
        return self.page(f"initiatives/{iid}.html", i.name, self.crumbs_of(i), body)

    def crumbs_of(self, i: SiteInitiative) -> list[tuple[str, str]]:
        crumbs = [("index.html", pgettext("site", "Top"))]
        if i.field in self.fields:
            crumbs.append((f"fields/{i.field}.html", self.fields[i.field].name))
        if i.item in self.items:
            crumbs.append((f"items/{i.item}.html", self.items[i.item].name))
        return crumbs

    def tasks_table(self, i: SiteInitiative) -> str:
        lang = language()
        of_task: dict[str, list[Change]] = {}
        for change in i.changes:
            if change.subject == "task":
                of_task.setdefault(change.ref, []).append(change)
        rows = [
            (
                esc(("▲ " if t.milestone else "") + t.name) + _mark(of_task.get(t.ref, [])),
                esc_label(_status(t.status)),
                f"{t.progress}%",
                esc_label(_lateness(t.lateness)),
                _day_html(t.start, lang),
                _day_html(t.finish, lang),
            )
            for t in i.tasks
        ]  # fmt: skip
        header = [
            pgettext("site", "task"), pgettext("site", "status"), pgettext("site", "progress"),
            pgettext("site", "lateness"), pgettext("site", "start"), pgettext("site", "finish"),
        ]  # fmt: skip
        return _table(_("Tasks of {name} (the chart's data)").format(name=i.name), header, rows,
                      numeric=(2,))  # fmt: skip

    def reviews_table(self, i: SiteInitiative) -> str:
        if not i.reviews:
            return _p(_("No review cycle has covered this initiative yet."))
        changed = {c.what for c in i.changes if c.kind == "rating"}

        def rating(value: str | None, what: str) -> str:
            shown = esc(value or pgettext("site", "not yet"))
            return shown + (_mark([Change("rating", "initiative", "", "", "", None, None)])
                            if what in changed else "")  # fmt: skip

        rows = [
            (
                esc(_cycle(r.cycle)),
                rating(r.own, f"self:{r.cycle}"),
                rating(r.office, f"office:{r.cycle}"),
                _text(r.achievements) or "—",
                _text(r.issues) or "—",
                _text(r.next_steps) or "—",
                _text(r.comment) or "—",
            )
            for r in i.reviews
        ]
        header = [
            pgettext("site", "cycle"), pgettext("site", "self-assessment"),
            pgettext("site", "office's rating"), pgettext("site", "achievements"),
            pgettext("site", "issues"), pgettext("site", "next steps"),
            pgettext("site", "office's comment"),
        ]  # fmt: skip
        return _table(_("Review history of {name}").format(name=i.name), header, rows)

    def kpi(self, kid: str) -> str:
        data = self.data
        k = data.kpis[kid]
        body: Body = []
        pairs = [
            (pgettext("site", "kind"), esc(pgettext("site", "KPI") if k.kind == "kpi"
                                           else pgettext("site", "intermediate indicator"))),
            (pgettext("site", "unit"), esc(k.unit or "—")),
            (pgettext("site", "direction"), esc(pgettext("site", "higher is better")
                                                if k.direction == "up"
                                                else pgettext("site", "lower is better"))),
            (pgettext("site", "baseline"), esc(f"{_number(k.baseline, k.unit)} ({_fy(k.baseline_fy)})"
                                               if k.baseline_fy is not None else "—")),
            (pgettext("site", "target"), esc(_target(k))),
            (pgettext("site", "department"), esc(k.department or "—")),
            (pgettext("site", "source"), esc(k.source or "—")),
            (pgettext("site", "evaluation"), _grade(k.latest) + _mark(k.changes)),
        ]  # fmt: skip
        body.append(_dl_block(pairs))
        body.append(_text(k.note))
        body.append(_chart(k))
        body.append(_kpi_years_table(k))
        if k.parent is not None:
            owner = data.kpis.get(k.parent) or None
            of = esc(pgettext("site", "Indicator of"))
            if owner is not None:
                body.append(f"<p>{of} {_a(f'{owner.id}.html', owner.name)}</p>")
            elif k.parent in data.initiatives:
                parent = data.initiatives[k.parent]
                body.append(f"<p>{of} {_a(f'../initiatives/{parent.id}.html', parent.name)}</p>")
        drivers = [data.initiatives[i] for i in k.initiatives if i in data.initiatives]
        if drivers:
            body.append(_h2(pgettext("site", "Initiatives that drive it")))
            body.append("<ul>" + "".join(
                f"<li>{_a(f'../initiatives/{i.id}.html', i.name)}</li>" for i in drivers
            ) + "</ul>")  # fmt: skip
        indicators = [data.kpis[i] for i in k.indicators if i in data.kpis]
        if indicators:
            body.append(_h2(pgettext("site", "Intermediate indicators")))
            body.append(_cards(indicators, "../"))
        body.append(_h2(pgettext("site", "Changes")))
        body.append(_changes_table(k.changes, data, "../", _("Changes of {name}").format(
            name=k.name)))  # fmt: skip
        crumbs = [("index.html", pgettext("site", "Top")), ("kpis/index.html",
                  pgettext("site", "KPIs"))]  # fmt: skip
        return self.page(f"kpis/{kid}.html", k.name, crumbs, body)

    def kpi_index(self) -> str:
        data = self.data
        kpis = [k for k in data.kpis.values() if k.kind == "kpi"]
        indicators = [k for k in data.kpis.values() if k.kind == "indicator"]
        rows = [
            (
                _a(f"{k.id}.html", k.name) + _mark(k.changes),
                esc(pgettext("site", "KPI") if k.kind == "kpi"
                    else pgettext("site", "intermediate indicator")),
                esc(_entry(k.latest, k.unit)),
                esc(_fy(k.latest.fy) if k.latest else "—"),
                esc(_target(k)),
                esc(_rate(k.latest.rate if k.latest else None)),
                _grade(k.latest),
            )
            for k in (*kpis, *indicators)
        ]  # fmt: skip
        header = [
            pgettext("site", "name"), pgettext("site", "kind"), pgettext("site", "actual"),
            pgettext("site", "fiscal year"), pgettext("site", "target"),
            pgettext("site", "achievement rate"), pgettext("site", "evaluation"),
        ]  # fmt: skip
        body = [
            _scale_note(data),
            _table(pgettext("site", "KPIs and intermediate indicators"), header, rows,
                   numeric=(2, 5)),
        ]  # fmt: skip
        return self.page("kpis/index.html", pgettext("site", "KPIs"),
                         [("index.html", pgettext("site", "Top"))], body)  # fmt: skip

    def cycle_index(self) -> str:
        data = self.data
        rows = [
            (
                _a(f"{c.code}.html", _cycle(c.code)),
                esc(_day(c.snapshot)),
                esc(_day(c.publication)),
                esc(pgettext("site", "published") if c.published else pgettext("site", "under way")),
                esc(str(len(c.initiatives))),
            )
            for c in reversed(data.cycles)
        ]  # fmt: skip
        header = [
            pgettext("site", "cycle"), pgettext("site", "as of"),
            pgettext("site", "publication"), pgettext("site", "state"),
            pgettext("site", "initiatives"),
        ]  # fmt: skip
        body = [_table(pgettext("site", "Review cycles"), header, rows, numeric=(4,))]
        return self.page("cycles/index.html", pgettext("site", "Review cycles"),
                         [("index.html", pgettext("site", "Top"))], body)  # fmt: skip

    def cycle(self, cycle: SiteCycle) -> str:
        data = self.data
        scale = [s for s, _l in data.scale]
        counts = {stage: dict.fromkeys(scale, 0) for stage in ("own", "office")}
        missing = {"own": 0, "office": 0}
        rows = []
        for iid in cycle.initiatives:
            initiative = data.initiatives.get(iid)
            if initiative is None:
                continue
            review = next((r for r in initiative.reviews if r.cycle == cycle.code), None)
            own = None if review is None else review.own
            office = None if review is None else review.office
            for stage, value in (("own", own), ("office", office)):
                if value in counts[stage]:
                    counts[stage][value] += 1
                else:
                    missing[stage] += 1
            rows.append((
                _a(f"../initiatives/{iid}.html", initiative.name),
                esc(initiative.department or "—"),
                esc(own or pgettext("site", "not yet")),
                esc(office or pgettext("site", "not yet")),
            ))  # fmt: skip
        legend = "、".join(f"{s} {label}" for s, label in data.scale) if language() == "ja" else (
            ", ".join(f"{s} {label}" for s, label in data.scale))  # fmt: skip
        dist = [
            (esc(pgettext("site", "self-assessment") if stage == "own"
                 else pgettext("site", "office's rating")),
             *(esc(str(counts[stage][s])) for s in scale), esc(str(missing[stage])))
            for stage in ("own", "office")
        ]  # fmt: skip
        body = [
            _dl_block([
                (pgettext("site", "as of"), esc(_day(cycle.snapshot))),
                (pgettext("site", "publication"), esc(_day(cycle.publication))),
                (pgettext("site", "rating scale"), esc(legend)),
            ]),
            _table(pgettext("site", "Ratings by count"),
                   [pgettext("site", "step"), *scale, pgettext("site", "not yet")], dist,
                   numeric=tuple(range(1, len(scale) + 2))),
            _table(_("Ratings of {cycle}").format(cycle=_cycle(cycle.code)),
                   [pgettext("site", "initiative"), pgettext("site", "department"),
                    pgettext("site", "self-assessment"), pgettext("site", "office's rating")],
                   rows),
        ]  # fmt: skip
        crumbs = [("index.html", pgettext("site", "Top")),
                  ("cycles/index.html", pgettext("site", "Review cycles"))]  # fmt: skip
        return self.page(f"cycles/{cycle.code}.html", _cycle(cycle.code), crumbs, body)

    def changes(self) -> str:
        data = self.data
        if len(data.changes) <= FULL_CHANGES:
            body = [
                _changes_table(data.changes, data, "", pgettext("site", "Every change"), full=True)
            ]
        else:
            body = self.changes_summary()
        return self.page("changes.html", pgettext("site", "Changes since the previous cycle"),
                         [("index.html", pgettext("site", "Top"))], body)  # fmt: skip

    def changes_summary(self) -> Body:
        """A long list of changes, summed up: the KPIs' changes in full, then per initiative
        how many of its facts changed, each linking to the page that lists them; every change
        is in the open data."""
        data = self.data
        kinds = ("new", "status", "dates", "rating")
        counts: dict[str, dict[str, int]] = {}
        kpi_changes = []
        for change in data.changes:
            if change.subject == "kpi":
                kpi_changes.append(change)
                continue
            initiative = change.ref.split("/")[0]
            counts.setdefault(initiative, dict.fromkeys(kinds, 0))[change.kind] += 1
        note = _("{count} changes in all: the KPIs' changes are listed below, the initiatives'"
                 " are counted by kind and listed on each initiative's page; the open data has"
                 " every change, one per row.").format(count=f"{len(data.changes):,}")  # fmt: skip
        body: Body = [
            f"<p>{esc(note)} "
            + _a("data/changes.csv", pgettext("site", "Every change (CSV)"))
            + "</p>"
        ]
        body.append(_h2(pgettext("site", "KPIs and indicators")))
        body.append(_changes_table(kpi_changes, data, "", pgettext("site", "Changes of the KPIs")))
        body.append(_h2(pgettext("site", "Initiatives")))
        rows = [
            (
                _a(f"initiatives/{iid}.html", data.initiatives[iid].name),
                *(f"{per_kind[kind]:,}" for kind in kinds),
            )
            for iid, per_kind in counts.items()
        ]
        header = [
            pgettext("site", "initiative"), pgettext("site", "new"), pgettext("site", "status"),
            pgettext("site", "dates"), pgettext("site", "ratings"),
        ]  # fmt: skip
        body.append(
            _table(pgettext("site", "Changes of the initiatives by kind"), header, rows,
                   numeric=(1, 2, 3, 4))
        )  # fmt: skip
        return body

    def rollup(self) -> str:
        """The roll-up of the store's plans (given to the site: see ``build_site``)."""
        found = self._rollup
        assert found is not None  # the page is listed only with a roll-up
        lang = language()
        tables = rollup_tables(found, lang)
        counts = range(3, 4 + len(Status) + len(Lateness))  # tasks, statuses, lateness
        body: Body = [
            _p(
                _(
                    "Every plan of the store as of {date}: its tasks by status and lateness, its"
                    " review submissions and its KPIs by evaluation, each plan as its own newest"
                    " revision has it."
                ).format(date=_day(found.as_of))
            ),
            _table(
                pgettext("site", "Plans"),
                tables.plan_header,
                [[esc(str(cell)) for cell in row] for row in tables.plans],
                numeric=tuple(counts),
            ),
        ]
        behind = ", ".join(tables.behind) or "—"
        body.append(_p(_("Plans behind: {plans}").format(plans=behind)))
        if tables.reviews:
            body.append(_h2(pgettext("site", "Review submissions")))
            body.append(
                _table(pgettext("site", "Review submissions"), tables.review_header,
                       [[esc(str(cell)) for cell in row] for row in tables.reviews],
                       numeric=(2, 3))
            )  # fmt: skip
        return self.page("rollup.html", pgettext("site", "All plans"),
                         [("index.html", pgettext("site", "Top"))], body)  # fmt: skip


def _dl_block(pairs: Iterable[tuple[str, str]]) -> str:
    return f'<div class="card">{_dl(pairs)}</div>'


def _scale_note(data: SiteData) -> str:
    scale = data.plan.evaluation
    if scale.scale == "status":
        return _p(_("Evaluation: achieved, on track (the year's expected value is met), behind,"
                    " or not set."))  # fmt: skip
    basis = (_("the achievement rate towards the final target") if scale.basis == "final"
             else _("the achievement rate towards the year's expected value"))  # fmt: skip
    steps = [
        f"{g.code} {g.label}" + (f" (≥ {g.min_rate:g}%)" if g.min_rate is not None else "")
        for g in scale.grades
    ]
    return _p(_("Evaluation by {basis}: {steps}.").format(basis=basis, steps=", ".join(steps)))


Page = tuple[str, str, str]
"""A page to make: its path, its kind (``index``, ``field``, ``initiative``…) and its key."""


def page_list(data: SiteData) -> list[Page]:
    """Every page of the site in order: ``(path, kind, key)``, paths relative to its root."""
    pages: list[Page] = [
        ("index.html", "index", ""),
        ("changes.html", "changes", ""),
        ("kpis/index.html", "kpi_index", ""),
        ("cycles/index.html", "cycle_index", ""),
    ]
    pages += [(f"fields/{f.id}.html", "field", f.id) for f in data.plan.fields]
    pages += [(f"items/{i.id}.html", "item", i.id) for i in data.plan.items]
    pages += [(f"initiatives/{i}.html", "initiative", i) for i in data.initiatives]
    pages += [(f"kpis/{k}.html", "kpi", k) for k in data.kpis]
    pages += [(f"cycles/{c.code}.html", "cycle", c.code) for c in data.cycles]
    return pages


def render_page(site: _Site, kind: str, key: str) -> str:
    """One page of ``site`` (see :func:`page_list`), in the language chosen now."""
    if kind == "initiative":
        return site.initiative(key)
    if kind == "kpi":
        return site.kpi(key)
    if kind == "field":
        return site.field(key)
    if kind == "item":
        return site.item(key)
    if kind == "cycle":
        return site.cycle(next(c for c in site.data.cycles if c.code == key))
    made: str = getattr(site, kind)()  # index, changes, kpi_index, cycle_index
    return made


def render(site: _Site, pages: Iterable[Page]) -> dict[str, bytes]:
    """The ``pages`` of ``site`` (see :func:`page_list`) as UTF-8, ``path → bytes``, in the
    language chosen now."""
    return {path: render_page(site, kind, key).encode() for path, kind, key in pages}
