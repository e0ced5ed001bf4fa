"""The store's read queries: the one-statement as-of snapshot and the event trail.

The snapshot drives from ``status_refs``: for each ref a correlated subquery seeks, on the
index ``(ref_id, effective, id)``, the last event effective by T and known at K that no
correction known at K replaces. That is one index seek per ref in both SQLite and PostgreSQL,
whatever the length of the history, in a single statement.

Each statement is built once per shape, with bound parameters (``:plan``, ``:t``, ``:k``,
``:ref``, ``:refs``): building a statement costs more than running it on a small database.
Every statement reads one plan's refs (``:plan``): the refs of the other plans in the store are
never visited (the key ``(plan_id, ref)`` of ``status_refs`` leads the scan).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, exists, select
from sqlalchemy.sql.elements import ColumnElement

from aomori_roadmap.engine.status import Status
from aomori_roadmap.store.tables import status_events, status_refs

__all__ = [
    "CORRECTION",
    "EVENT",
    "IN_LIST",
    "chunks",
    "history_query",
    "latest_events",
    "snapshot_query",
    "tails_query",
    "visible",
]

IN_LIST = 500
"""Values per ``IN (...)`` list: far below SQLite's limit on bound parameters."""

EVENT = status_events.alias("e")
"""``status_events AS e``: the events a query lists."""
CORRECTION = status_events.alias("ct")
"""``status_events AS ct``: the events correcting those of :data:`EVENT`."""
_NEWEST = status_events.alias("newest")
_FIRST = status_events.alias("s")
_C_NEWEST = status_events.alias("c")
_C_FIRST = status_events.alias("cs")


def chunks(values: Sequence[Any], size: int = IN_LIST) -> Iterator[Sequence[Any]]:
    """``values`` in slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def visible(
    events: Any, corrections: Any, ref_id: ColumnElement[Any], *, by_t: bool, by_k: bool
) -> list[ColumnElement[bool]]:
    """Events of the ref effective by ``:t``, known at ``:k``, not corrected as known at ``:k``.

    Without ``by_t`` or ``by_k`` that axis is open (the latest state, everything known).
    """
    corrected = exists().where(corrections.c.corrects == events.c.id)
    conditions = [events.c.ref_id == ref_id]
    if by_t:
        conditions.append(events.c.effective <= bindparam("t"))
    if by_k:
        conditions.append(events.c.recorded <= bindparam("k"))
        corrected = corrected.where(corrections.c.recorded <= bindparam("k"))
    conditions.append(~corrected)
    return conditions


def _latest(*, by_t: bool, by_k: bool) -> Any:
    newest = _NEWEST
    return (
        select(newest.c.id)
        .where(*visible(newest, _C_NEWEST, status_refs.c.id, by_t=by_t, by_k=by_k))
        .order_by(newest.c.effective.desc(), newest.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@cache
def snapshot_query(*, by_t: bool, by_k: bool) -> Select[Any]:
    """Per ref, its last visible event and the time of its first visible ``in_progress``.

    The per-ref seeks sit in the select list of an inner query and the event is joined after:
    PostgreSQL runs a seek in a join condition twice per ref (hash and recheck).
    """
    r, e, s = status_refs, EVENT, _FIRST
    first = (
        select(s.c.effective)
        .where(
            *visible(s, _C_FIRST, r.c.id, by_t=by_t, by_k=by_k),
            s.c.status == Status.IN_PROGRESS.value,
        )
        .order_by(s.c.effective, s.c.id)
        .limit(1)
        .scalar_subquery()
    )
    seeks = (
        select(r.c.ref, _latest(by_t=by_t, by_k=by_k).label("event_id"), first.label("started"))
        .where(r.c.plan_id == bindparam("plan"))
        .offset(0)  # keeps PostgreSQL from merging this query into the outer one
        .subquery("seek")
    )
    return (
        select(
            seeks.c.ref,
            e.c.id,
            e.c.status,
            e.c.progress,
            e.c.effective,
            e.c.actor,
            e.c.note,
            seeks.c.started,
        )
        .select_from(seeks)
        .join(e, e.c.id == seeks.c.event_id)
        .order_by(seeks.c.ref)
    )


@cache
def tails_query() -> Select[Any]:
    """The id of each ref of ``:refs`` stored for ``:plan``, with its latest event (``NULL``:
    none)."""
    r, e = status_refs, EVENT
    return (
        select(
            r.c.ref,
            r.c.id.label("ref_id"),
            e.c.id.label("event_id"),
            e.c.status,
            e.c.progress,
            e.c.effective,
        )
        .select_from(r)
        .outerjoin(e, e.c.id == _latest(by_t=False, by_k=False))
        .where(r.c.plan_id == bindparam("plan"), r.c.ref.in_(bindparam("refs", expanding=True)))
    )


def latest_events(conn: Connection, plan: str, refs: Sequence[str]) -> dict[str, int]:
    """The id of the latest event of each of ``refs`` of ``plan`` that has one (what its state
    shows)."""
    found: dict[str, int] = {}
    for chunk in chunks(refs):
        for row in conn.execute(tails_query(), {"plan": plan, "refs": list(chunk)}):
            if row.event_id is not None:
                found[row.ref] = row.event_id
    return found


@cache
def history_query(*, by_k: bool) -> Select[Any]:
    """Every event of ``:ref`` of ``:plan`` known at ``:k`` in replay order, with the id
    correcting each."""
    e, c = EVENT, CORRECTION
    by = select(c.c.id).where(c.c.corrects == e.c.id)
    if by_k:
        by = by.where(c.c.recorded <= bindparam("k"))
    query = (
        select(e, by.scalar_subquery().label("corrected_by"))
        .join(status_refs, status_refs.c.id == e.c.ref_id)
        .where(status_refs.c.plan_id == bindparam("plan"), status_refs.c.ref == bindparam("ref"))
        .order_by(e.c.effective, e.c.id)
    )
    if by_k:
        query = query.where(e.c.recorded <= bindparam("k"))
    return query
