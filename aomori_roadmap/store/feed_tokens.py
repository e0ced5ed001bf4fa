"""Secret tokens, stored hashed: private feed URLs, and a department's workbook uploads.

A token is ``secrets.token_urlsafe(32)``: 256 random bits, 43 URL-safe characters. It is shown
once, when it is created; the database keeps only its SHA-256, so a copy of the database
(a backup, a dump) gives nobody a working URL. Each token is scoped to one feed (``reviews``,
``milestones``, ``deadlines``, ``tasks`` or ``all``) and the filters it was made with, which
are checked against the plan. A token of the scope :data:`UPLOADS` (``workbooks``) is instead
a department's key for sending its filled 進捗管理シート to ``POST /workbooks``: it carries the
department as its one filter, opens no feed, and a feed token cannot upload. A token is
revoked in place and its last use is noted at most once a minute, so that calendar clients
polling every few minutes cost no write each time.

>>> from datetime import datetime, timezone
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.store import Store
>>> store = Store("sqlite://", plan=default_plan())
>>> tokens = FeedTokens(store)
>>> secret, info = tokens.create("reviews", actor="DX推進課", name="危機管理局の見直し",
...                              department="kikikanri")
>>> len(secret) >= 43, info.feed, dict(info.filters)
(True, 'reviews', {'department': 'kikikanri'})
>>> tokens.find(secret).id == info.id
True
>>> tokens.find("not-a-token") is None
True
>>> tokens.revoke("危機管理局の見直し").active, tokens.find(secret)
(False, None)
>>> store.close()
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import re
import secrets
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Row, insert, select, text, update

from aomori_roadmap.errors import PlanError
from aomori_roadmap.formats import check_feed
from aomori_roadmap.i18n import N_, _, pgettext
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store.schema import LOCK_NAMESPACE
from aomori_roadmap.store.tables import feed_tokens

if TYPE_CHECKING:
    from aomori_roadmap.store.store import Store

__all__ = [
    "FILTER_KEYS",
    "SITE",
    "TOKEN_BYTES",
    "TOUCH_INTERVAL",
    "UPLOADS",
    "FeedToken",
    "FeedTokens",
    "check_filters",
    "check_request",
    "hash_token",
]

TOKEN_BYTES = 32
"""Random bytes per token (256 bits; at least 128 are required)."""

TOUCH_INTERVAL = timedelta(minutes=1)
"""A token's last use is written at most this often."""

UPLOADS = "workbooks"
"""The scope of a department's write token: uploading its filled workbooks, nothing else."""

SITE = "site"
"""The scope of a read token for the progress site (``/site/{token}/``), when it is not public."""

FILTER_KEYS = ("department", "initiative", "field", "priority")
"""The filters a token may carry, as :func:`~aomori_roadmap.export.ical.feed_events` takes them."""

# What a token can look like: URL-safe base64, no padding. Anything else is refused without a
# database query (and cannot reach the database at all).
_TOKEN_FORM = re.compile(r"[A-Za-z0-9_-]{22,128}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAME_LOCK = (LOCK_NAMESPACE + 3, 0)  # serialises token creation on PostgreSQL (unique names)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of a token: what the database keeps instead of the token.

    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class FeedToken:
    """What is known about a token (never the token itself)."""

    id: int
    feed: str
    filters: Mapping[str, str]
    name: str
    actor: str
    created: datetime
    revoked: datetime | None = None
    last_used: datetime | None = None
    _hash: str = field(default="", repr=False, compare=False)

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked is None

    @property
    def uploads(self) -> bool:
        """A department's token for uploading workbooks (:data:`UPLOADS`), not a feed's."""
        return self.feed == UPLOADS

    def options(self) -> dict[str, str | None]:
        """The feed's filters as keyword arguments: every key of :data:`FILTER_KEYS`."""
        return {key: self.filters.get(key) for key in FILTER_KEYS}

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (ISO 8601 date-times in UTC), keys in a stable order."""
        return {
            "id": self.id,
            "name": self.name,
            "feed": self.feed,
            "filters": dict(self.filters),
            "actor": self.actor,
            "created": self.created.isoformat(),
            "revoked": None if self.revoked is None else self.revoked.isoformat(),
            "last_used": None if self.last_used is None else self.last_used.isoformat(),
        }


def check_filters(plan: Plan, filters: Mapping[str, str | None]) -> dict[str, str]:
    """The filters that are set, each checked against ``plan``.

    Raises:
        PlanError: an unknown filter, or a value that names nothing in the plan.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> check_filters(default_plan(), {"department": "kikikanri", "field": None})
    {'department': 'kikikanri'}
    >>> check_filters(default_plan(), {"priority": "防災"})
    {'priority': '防災'}
    >>> check_filters(default_plan(), {"department": "ghost"})
    Traceback (most recent call last):
    ...
    aomori_roadmap.errors.PlanError: 担当課 'ghost' はプランにありません。...
    """
    known = {
        "department": {d.id for d in plan.departments},
        "initiative": {i.id for i in plan.initiatives},
        "field": {f.id for f in plan.fields},
        "priority": {p.id for p in plan.priorities} | {p.name for p in plan.priorities},
    }
    checked: dict[str, str] = {}
    for key, value in filters.items():
        if key not in known:
            raise PlanError(
                _("There is no filter '{filter}'. Accepted: {accepted}").format(
                    filter=key, accepted=", ".join(FILTER_KEYS)
                )
            )
        if value is None:
            continue
        names = known[key]
        if value not in names:
            choices = ", ".join(sorted(names)[:12]) or pgettext("no choices", "none")
            raise PlanError(
                _("{kind} '{value}' is not in the plan. Accepted: {accepted}").format(
                    kind=_filter_kind(key), value=value, accepted=choices
                )
            )
        checked[key] = value
    return dict(sorted(checked.items()))


def _filter_kind(key: str) -> str:
    """What a filter names, as messages say it."""
    kinds = {
        "department": pgettext("filter", "Department"),
        "initiative": pgettext("filter", "Initiative"),
        "field": pgettext("filter", "Field"),
        "priority": pgettext("filter", "Priority"),
    }
    return kinds.get(key, key)


def _label(value: str, what: str, *, required: bool) -> str:
    """``value`` normalised and checked; ``what`` (marked with ``N_``) names it in messages."""
    text_value = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text_value):
        raise PlanError(
            _("The {what} must not contain line breaks or control characters.").format(what=_(what))
        )
    if required and not text_value:
        raise PlanError(_("Write the {what}.").format(what=_(what)))
    if len(text_value) > 200:
        raise PlanError(
            _("The {what} may have at most 200 characters (it has {count}).").format(
                what=_(what), count=len(text_value)
            )
        )
    return text_value


def check_request(
    plan: Plan, feed: str, filters: Mapping[str, str | None], *, actor: str, name: str = ""
) -> tuple[str, dict[str, str], str, str]:
    """What :meth:`FeedTokens.create` checks before it writes: ``(feed, filters, actor, name)``.

    Call it first to refuse bad input before a database is even opened.

    Raises:
        PlanError: an unknown feed, a filter naming nothing in ``plan``, an upload token
            without exactly one department, an empty actor, a name made of digits only (it
            would read as an id), or with control characters.

    >>> from aomori_roadmap.plan.loader import default_plan
    >>> check_request(default_plan(), "reviews", {"department": "kikikanri"}, actor=" 県 ")
    ('reviews', {'department': 'kikikanri'}, '県', '')
    >>> check_request(default_plan(), UPLOADS, {"department": "kikikanri"}, actor="県")[:2]
    ('workbooks', {'department': 'kikikanri'})
    """
    if feed not in (UPLOADS, SITE):
        check_feed(feed)
    checked = check_filters(plan, filters)
    if feed == SITE and checked:
        raise PlanError(_("A token for the progress site reads all of it: give no filter with it."))
    if feed == UPLOADS and list(checked) != ["department"]:
        raise PlanError(
            _(
                "A token for workbook uploads belongs to one department and nothing else: give"
                " the department (--department) and no other filter."
            )
        )
    who = _label(actor, N_("creator (actor)"), required=True)
    label = _label(name, N_("token name"), required=False)
    if label.isdigit():
        raise PlanError(
            _(
                "The name '{name}' cannot be told apart from a number: a name of digits only "
                "is not allowed."
            ).format(name=label)
        )
    return feed, checked, who, label


class FeedTokens:
    """The feed tokens of ``store``: create, find, touch, revoke, list.

    ``plan`` (default: the store's plan) is what feed filters are checked against when a
    token is created.
    """

    def __init__(self, store: Store, plan: Plan | None = None) -> None:
        self._store = store
        self._plan = plan if plan is not None else store.plan
        self._touched: dict[int, datetime] = {}
        self._lock = threading.Lock()

    # --- creating ---------------------------------------------------------------------------

    def create(
        self,
        feed: str,
        *,
        actor: str,
        name: str = "",
        department: str | None = None,
        initiative: str | None = None,
        field: str | None = None,
        priority: str | None = None,
    ) -> tuple[str, FeedToken]:
        """A new token for ``feed`` with these filters: ``(token, info)``.

        The token is returned here and nowhere else; only its SHA-256 is stored. ``name``
        (optional) must not be used by another active token, so that it can name the token
        in :meth:`revoke`.

        Raises:
            PlanError: an unknown feed, a filter naming nothing in the plan, no plan to check
                the filters against, an empty actor, a name in use or made of digits only;
                nothing is written.
            StoreError: the database failed.
        """
        if self._plan is None:
            raise PlanError(
                _("There is no plan to check the token's filters against (Store(plan=...)).")
            )
        wanted = {"department": department, "initiative": initiative}
        wanted |= {"field": field, "priority": priority}
        feed, filters, who, label = check_request(self._plan, feed, wanted, actor=actor, name=name)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = hash_token(token)
        encoded = json.dumps(filters, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        store = self._store
        with store.database.errors(_("Cannot save the token")), store.database.writing() as conn:
            if conn.dialect.name == "postgresql":
                namespace, key = _NAME_LOCK
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:ns, :k)"), {"ns": namespace, "k": key}
                )
            if label and self._active_named(conn, label) is not None:
                raise PlanError(
                    _("A token named '{name}' exists already. Choose another name.").format(
                        name=label
                    )
                )
            created = store.database.now()
            result = conn.execute(
                insert(feed_tokens).values(
                    plan_id=store.database.plan,
                    token_hash=digest,
                    feed=feed,
                    filters=encoded,
                    name=label,
                    actor=who,
                    created=created,
                )
            )
            primary = result.inserted_primary_key
            assert primary is not None
            ident = int(primary[0])
        return token, FeedToken(ident, feed, filters, label, who, created, _hash=digest)

    # --- reading ----------------------------------------------------------------------------

    def _mine(self) -> ColumnElement[bool]:
        """The rows of this store's plan: every query of the tokens is limited to them."""
        return feed_tokens.c.plan_id == self._store.database.plan

    @staticmethod
    def _info(row: Row[Any]) -> FeedToken:
        m = row._mapping
        return FeedToken(
            id=m["id"],
            feed=m["feed"],
            filters=json.loads(m["filters"]),
            name=m["name"],
            actor=m["actor"],
            created=m["created"],
            revoked=m["revoked"],
            last_used=m["last_used"],
            _hash=m["token_hash"],
        )

    def find(self, token: str) -> FeedToken | None:
        """The active token ``token``, or ``None`` (unknown, malformed or revoked).

        The lookup is by the token's SHA-256; the stored hash is then compared with
        :func:`hmac.compare_digest`, so neither the index nor the comparison tells anything
        about the token itself.

        Raises:
            StoreError: the database failed.
        """
        if not isinstance(token, str) or not _TOKEN_FORM.fullmatch(token):
            return None
        digest = hash_token(token)
        store = self._store
        with store.database.errors(_("Cannot read the tokens")), store.database.reading() as conn:
            row = conn.execute(
                select(feed_tokens).where(
                    feed_tokens.c.token_hash == digest,
                    self._mine(),  # a token reads its own plan
                )
            ).first()
        if row is None:
            return None
        found = self._info(row)
        if not hmac.compare_digest(found._hash.encode("ascii"), digest.encode("ascii")):
            return None
        return found if found.active else None

    def get(self, ref: int | str) -> FeedToken:
        """The token named by ``ref``: its id, or the name of an active (else the newest) one.

        Raises:
            PlanError: no token answers to ``ref``.
        """
        store = self._store
        with store.database.errors(_("Cannot read the tokens")), store.database.reading() as conn:
            return self._resolve(conn, ref)

    def _active_named(self, conn: Connection, name: str) -> FeedToken | None:
        c = feed_tokens.c
        row = conn.execute(
            select(feed_tokens).where(self._mine(), c.name == name, c.revoked.is_(None)).limit(1)
        ).first()
        return None if row is None else self._info(row)

    def _resolve(self, conn: Connection, ref: int | str) -> FeedToken:
        c = feed_tokens.c
        label = str(ref).strip()
        mine = select(feed_tokens).where(self._mine())
        if isinstance(ref, int) or label.isdigit():
            row = conn.execute(mine.where(c.id == int(label))).first()
        else:
            row = conn.execute(
                mine.where(c.name == label)
                .order_by(c.revoked.is_(None).desc(), c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            raise PlanError(
                _(
                    "There is no token '{token}'. Name it by its number or its name (tokens list)."
                ).format(token=label)
            )
        return self._info(row)

    def list(self, *, include_revoked: bool = True) -> builtins.list[FeedToken]:
        """Every token (by id), with its last use; never the tokens themselves.

        Raises:
            StoreError: the database failed.
        """
        query = select(feed_tokens).where(self._mine()).order_by(feed_tokens.c.id)
        if not include_revoked:
            query = query.where(feed_tokens.c.revoked.is_(None))
        store = self._store
        with store.database.errors(_("Cannot read the tokens")), store.database.reading() as conn:
            return [self._info(row) for row in conn.execute(query).all()]

    # --- changing ---------------------------------------------------------------------------

    def touch(self, ident: int, when: datetime) -> bool:
        """Note that token ``ident`` was used at ``when``; written at most once a minute.

        Returns whether the database was written. Polls within :data:`TOUCH_INTERVAL` of the
        last noted use cost nothing (checked in memory first, then in the database, so that
        several server processes also write at most about once a minute).

        Raises:
            PlanError: ``when`` has no time zone.
            StoreError: the database failed.
        """
        if when.tzinfo is None or when.utcoffset() is None:
            raise PlanError(_("The time of last use needs a time zone."))
        with self._lock:
            last = self._touched.get(ident)
            if last is not None and when - last < TOUCH_INTERVAL:
                return False
            self._touched[ident] = when
        c = feed_tokens.c
        store = self._store
        try:
            with (
                store.database.errors(_("Cannot note the use of the token")),
                store.database.writing() as conn,
            ):
                result = conn.execute(
                    update(feed_tokens)
                    .where(c.id == ident, self._mine())
                    .where(c.last_used.is_(None) | (c.last_used <= when - TOUCH_INTERVAL))
                    .values(last_used=when)
                )
        except BaseException:
            with self._lock:  # not written: the next use tries again
                if self._touched.get(ident) == when:
                    del self._touched[ident]
            raise
        return bool(result.rowcount)

    def revoke(self, ref: int | str) -> FeedToken:
        """Revoke the token named by ``ref`` (its id or its name); its URL stops working.

        Revoking a revoked token changes nothing and returns it as it is.

        Raises:
            PlanError: no token answers to ``ref``.
            StoreError: the database failed.
        """
        store = self._store
        with store.database.errors(_("Cannot revoke the token")), store.database.writing() as conn:
            found = self._resolve(conn, ref)
            if not found.active:
                return found
            when = store.database.now()
            conn.execute(
                update(feed_tokens)
                .where(
                    feed_tokens.c.id == found.id,
                    self._mine(),
                    feed_tokens.c.revoked.is_(None),
                )
                .values(revoked=when)
            )
        with self._lock:
            self._touched.pop(found.id, None)
        return FeedToken(
            found.id,
            found.feed,
            found.filters,
            found.name,
            found.actor,
            found.created,
            when,
            found.last_used,
            _hash=found._hash,
        )
