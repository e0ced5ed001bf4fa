"""The reads that calendar feeds need from the store's history, as plain values.

A feed is rebuilt when its inputs change, and its change tracking replays the history at the
points that cancel a task or take a cancellation back; these are the two queries behind that.

>>> from aomori_roadmap.store import Store
>>> with Store("sqlite://") as store:
...     latest_inputs(store.database), status_changes(store.database), latest_records(store.database)
(LatestInputs(event=None, event_time=None, revision=None, revision_time=None), [], (None, None))
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select

from aomori_roadmap.i18n import _
from aomori_roadmap.store.database import Database
from aomori_roadmap.store.tables import kpi_actuals, plan_revisions, review_records, status_events

__all__ = ["LatestInputs", "latest_inputs", "latest_records", "status_changes"]


class LatestInputs(NamedTuple):
    """The newest status event and plan revision: their ids and when they were recorded."""

    event: int | None
    event_time: datetime | None
    revision: int | None
    revision_time: datetime | None


def latest_inputs(database: Database) -> LatestInputs:
    """The newest status event and revision of the database's plan, in one query.

    Raises:
        StoreError: the database failed.
    """
    e, r = status_events.c, plan_revisions.c
    plan = database.plan
    query = select(
        select(func.max(e.id)).where(e.plan_id == plan).scalar_subquery(),
        select(func.max(e.recorded)).where(e.plan_id == plan).scalar_subquery(),
        select(func.max(r.id)).where(r.plan_id == plan).scalar_subquery(),
        select(func.max(r.recorded)).where(r.plan_id == plan).scalar_subquery(),
    )
    with database.errors(_("Cannot read the feeds' inputs")), database.reading() as conn:
        return LatestInputs(*conn.execute(query).one())


def latest_records(database: Database) -> tuple[int | None, int | None]:
    """The ids of the newest review record and KPI value (``None`` while there is none).

    With :func:`latest_inputs`, what the progress site is made from: a site is made again
    only when one of them changes.

    Raises:
        StoreError: the database failed.
    """
    plan = database.plan
    query = select(
        select(func.max(review_records.c.id))
        .where(review_records.c.plan_id == plan)
        .scalar_subquery(),
        select(func.max(kpi_actuals.c.id)).where(kpi_actuals.c.plan_id == plan).scalar_subquery(),
    )
    with database.errors(_("Cannot read the feeds' inputs")), database.reading() as conn:
        review, kpi = conn.execute(query).one()
    return review, kpi


def status_changes(database: Database) -> list[tuple[int, datetime]]:
    """Status events that change what a feed can show: ``(id, recorded)``, oldest first.

    A change of status (a start or a finish moves a task's dates and those of the tasks after
    it; a cancellation, or taking one back, cancels or restores its events) and every
    correction. An update of progress alone within the same status shows nowhere.

    Raises:
        StoreError: the database failed.
    """
    e = status_events.c
    query = (
        select(e.id, e.recorded)
        .where(e.plan_id == database.plan, or_(e.status != e.from_status, e.corrects.is_not(None)))
        .order_by(e.id)
    )
    with database.errors(_("Cannot read the status history")), database.reading() as conn:
        return [(row.id, row.recorded) for row in conn.execute(query).all()]
