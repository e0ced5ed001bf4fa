"""The site's open data (オープンデータ): every table the pages show, as typed tables.

Six tables, one value per cell, dates in 西暦 (ISO 8601), codes beside labels so that a
program needs no translation: ``initiatives``, ``tasks``, ``reviews``, ``kpis``,
``kpi-values`` and ``changes``. :mod:`aomori_roadmap.site.opendata` writes each as CSV
(UTF-8 with BOM) and JSON with its JSON Schema, and the data package that lists them.
"""

from __future__ import annotations

from aomori_roadmap.i18n import pgettext, using_language
from aomori_roadmap.site.opendata import Column, Table
from aomori_roadmap.views.site import SiteData

__all__ = ["site_tables"]


def _col(key: str, title: str, kind: str = "string", description: str = "", *,
         required: bool = False) -> Column:  # fmt: skip
    return Column(key=key, title=title, kind=kind, description=description,  # type: ignore[arg-type]
                  required=required)  # fmt: skip


def _initiatives(data: SiteData) -> Table:
    columns = (
        _col("id", pgettext("data", "id"), required=True),
        _col("name", pgettext("data", "initiative"), required=True),
        _col("field", pgettext("data", "field id")),
        _col("item", pgettext("data", "item id")),
        _col("department", pgettext("data", "department")),
        _col("status", pgettext("data", "status code"), required=True,
             description="planned | in_progress | on_hold | done | cancelled"),
        _col("status_label", pgettext("data", "status")),
        _col("progress", pgettext("data", "progress (%)"), "integer", required=True),
        _col("lateness", pgettext("data", "lateness code"),
             description="on_track | at_risk | late"),
        _col("start", pgettext("data", "start"), "date"),
        _col("finish", pgettext("data", "finish"), "date"),
        _col("tasks", pgettext("data", "tasks"), "integer", required=True),
        _col("tasks_done", pgettext("data", "tasks done"), "integer", required=True),
        _col("changed", pgettext("data", "changed since the previous cycle"), "boolean",
             required=True),
    )  # fmt: skip
    lang = data.lang
    rows = tuple(
        (
            i.id, i.name, i.field, i.item, i.department, i.status.value, i.status.label(lang),
            i.progress, None if i.lateness is None else i.lateness.value, i.start, i.finish,
            len(i.tasks), sum(t.status.value == "done" for t in i.tasks), bool(i.changes),
        )
        for i in data.initiatives.values()
    )  # fmt: skip
    return Table("initiatives", pgettext("data", "Initiatives"),
                 pgettext("data", "Every initiative with its status and span."), columns, rows)  # fmt: skip


def _tasks(data: SiteData) -> Table:
    columns = (
        _col("ref", pgettext("data", "task ref"), required=True),
        _col("initiative", pgettext("data", "initiative id"), required=True),
        _col("name", pgettext("data", "task"), required=True),
        _col("milestone", pgettext("data", "milestone"), "boolean", required=True),
        _col("status", pgettext("data", "status code"), required=True),
        _col("progress", pgettext("data", "progress (%)"), "integer", required=True),
        _col("lateness", pgettext("data", "lateness code")),
        _col("start", pgettext("data", "start"), "date", required=True),
        _col("finish", pgettext("data", "finish"), "date", required=True),
    )  # fmt: skip
    rows = tuple(
        (t.ref, i.id, t.name, t.milestone, t.status.value, t.progress,
         None if t.lateness is None else t.lateness.value, t.start, t.finish)
        for i in data.initiatives.values()
        for t in i.tasks
    )  # fmt: skip
    return Table("tasks", pgettext("data", "Tasks"),
                 pgettext("data", "Every task of every roadmap as scheduled now."), columns, rows)  # fmt: skip


def _reviews(data: SiteData) -> Table:
    columns = (
        _col("cycle", pgettext("data", "cycle"), required=True),
        _col("initiative", pgettext("data", "initiative id"), required=True),
        _col("self_rating", pgettext("data", "self-assessment")),
        _col("office_rating", pgettext("data", "office's rating")),
        _col("achievements", pgettext("data", "achievements")),
        _col("issues", pgettext("data", "issues")),
        _col("next_steps", pgettext("data", "next steps")),
        _col("comment", pgettext("data", "office's comment")),
    )  # fmt: skip
    rows = tuple(
        (
            r.cycle,
            i.id,
            r.own,
            r.office,
            r.achievements or None,
            r.issues or None,
            r.next_steps or None,
            r.comment or None,
        )  # an empty text is no value
        for i in data.initiatives.values()
        for r in i.reviews
    )
    return Table("reviews", pgettext("data", "Reviews"),
                 pgettext("data", "The ratings and words of every review cycle so far."),
                 columns, rows)  # fmt: skip


def _kpis(data: SiteData) -> Table:
    columns = (
        _col("id", pgettext("data", "id"), required=True),
        _col("kind", pgettext("data", "kind"), required=True, description="kpi | indicator"),
        _col("name", pgettext("data", "name"), required=True),
        _col("unit", pgettext("data", "unit")),
        _col("direction", pgettext("data", "direction"), required=True, description="up | down"),
        _col("field", pgettext("data", "field id")),
        _col("parent", pgettext("data", "KPI or initiative of an indicator")),
        _col("baseline_fy", pgettext("data", "baseline year"), "integer"),
        _col("baseline", pgettext("data", "baseline"), "number"),
        _col("target_fy", pgettext("data", "target year"), "integer"),
        _col("target", pgettext("data", "target"), "number"),
        _col("latest_fy", pgettext("data", "latest year"), "integer"),
        _col("latest", pgettext("data", "latest actual"), "number"),
        _col("latest_mark", pgettext("data", "latest entry that is not a number"),
             description="unknown | surveying"),
        _col("rate", pgettext("data", "achievement rate (%)"), "number"),
        _col("evaluation", pgettext("data", "evaluation code")),
        _col("evaluation_label", pgettext("data", "evaluation")),
        _col("changed", pgettext("data", "changed since the previous cycle"), "boolean",
             required=True),
    )  # fmt: skip
    rows = []
    for k in data.kpis.values():
        last = k.latest
        rows.append((
            k.id, k.kind, k.name, k.unit, k.direction, k.field, k.parent, k.baseline_fy,
            k.baseline, k.target_fy, k.target, None if last is None else last.fy,
            None if last is None else last.actual,
            None if last is None or last.mark is None else last.mark.value,
            None if last is None else last.rate,
            None if last is None else last.evaluation.code,
            None if last is None else last.evaluation.label, bool(k.changes),
        ))  # fmt: skip
    return Table("kpis", pgettext("data", "KPIs"),
                 pgettext("data", "KPIs and intermediate indicators with their latest values."),
                 columns, tuple(rows))  # fmt: skip


def _kpi_values(data: SiteData) -> Table:
    columns = (
        _col("kpi", pgettext("data", "KPI id"), required=True),
        _col("fy", pgettext("data", "fiscal year"), "integer", required=True),
        _col("actual", pgettext("data", "actual"), "number"),
        _col("mark", pgettext("data", "entry that is not a number"),
             description="unknown | surveying"),
        _col("planned", pgettext("data", "plan's figure"), "number"),
        _col("expected", pgettext("data", "expected"), "number"),
        _col("rate", pgettext("data", "achievement rate (%)"), "number"),
        _col("evaluation", pgettext("data", "evaluation code"), required=True),
    )  # fmt: skip
    rows = tuple(
        (k.id, y.fy, y.actual, None if y.mark is None else y.mark.value, y.planned,
         None if y.expected is None else round(y.expected, 4), y.rate, y.evaluation.code)
        for k in data.kpis.values()
        for y in k.years
    )  # fmt: skip
    return Table("kpi-values", pgettext("data", "KPI values by year"),
                 pgettext("data", "Every KPI's and indicator's values, fiscal year by year."),
                 columns, rows)  # fmt: skip


def _changes(data: SiteData) -> Table:
    columns = (
        _col("subject", pgettext("data", "subject kind"), required=True,
             description="initiative | task | kpi"),
        _col("ref", pgettext("data", "id"), required=True),
        _col("name", pgettext("data", "name"), required=True),
        _col("kind", pgettext("data", "kind of change"), required=True,
             description="new | status | dates | rating | value"),
        _col("what", pgettext("data", "what changed")),
        _col("before", pgettext("data", "before")),
        _col("after", pgettext("data", "now")),
    )  # fmt: skip
    rows = tuple(
        (c.subject, c.ref, c.name, c.kind, c.what or None, c.before, c.after) for c in data.changes
    )
    return Table("changes", pgettext("data", "Changes"),
                 pgettext("data", "What changed since the previous review cycle."),
                 columns, rows)  # fmt: skip


def site_tables(data: SiteData) -> list[Table]:
    """The site's open data tables, titled in ``data.lang``."""
    with using_language(data.lang):
        return [
            _initiatives(data), _tasks(data), _reviews(data), _kpis(data), _kpi_values(data),
            _changes(data),
        ]  # fmt: skip
