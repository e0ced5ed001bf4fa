"""The reads that calendar feeds need from the store's history, as plain values.

A feed is rebuilt when its inputs change, and its change tracking replays the history at the
points that cancel a task or take a cancellation back; these are the two queries behind that.

>>> from aomori_roadmap.store import Store
>>> with Store("sqlite://") as store:
...     latest_inputs(store.database), cancellations(store.database)
(LatestInputs(event=None, event_time=None, revision=None, revision_time=None), [])
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select

from aomori_roadmap.engine.status import Status
from aomori_roadmap.store.database import Database
from aomori_roadmap.store.tables import plan_revisions, status_events

__all__ = ["LatestInputs", "cancellations", "latest_inputs"]


class LatestInputs(NamedTuple):
    """The newest status event and plan revision: their ids and when they were recorded."""

    event: int | None
    event_time: datetime | None
    revision: int | None
    revision_time: datetime | None


def latest_inputs(database: Database) -> LatestInputs:
    """The newest status event and revision, in one query.

    Raises:
        StoreError: the database failed.
    """
    e, r = status_events.c, plan_revisions.c
    query = select(
        select(func.max(e.id)).scalar_subquery(),
        select(func.max(e.recorded)).scalar_subquery(),
        select(func.max(r.id)).scalar_subquery(),
        select(func.max(r.recorded)).scalar_subquery(),
    )
    with database.errors("フィードの入力を読めません"), database.reading() as conn:
        return LatestInputs(*conn.execute(query).one())


def cancellations(database: Database) -> list[tuple[int, datetime]]:
    """Status changes that cancel a task or take a cancellation back: ``(id, recorded)``.

    Raises:
        StoreError: the database failed.
    """
    e = status_events.c
    cancelled = select(e.id).where(e.status == Status.CANCELLED.value)
    query = (
        select(e.id, e.recorded)
        .where(
            or_(
                e.status == Status.CANCELLED.value,
                e.from_status == Status.CANCELLED.value,
                e.corrects.in_(cancelled.scalar_subquery()),
            )
        )
        .order_by(e.id)
    )
    with database.errors("状態の履歴を読めません"), database.reading() as conn:
        return [(row.id, row.recorded) for row in conn.execute(query).all()]
