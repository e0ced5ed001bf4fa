"""The ``tokens`` command group: private feed URLs, created, listed and revoked."""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, fail, out
from aomori_roadmap.cli.inputs import (
    DepartmentIdOption,
    FieldOption,
    InitiativeOption,
    PriorityOption,
    actor_of,
    check_format,
    load,
)
from aomori_roadmap.cli.serve import base_url_of
from aomori_roadmap.cli.stores import existing_store, writing_store
from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.formats import FEEDS
from aomori_roadmap.i18n import N_, _, pgettext

if TYPE_CHECKING:
    from aomori_roadmap.store.feed_tokens import FeedToken


tokens_app = typer.Typer(help=_("The URLs of the private feeds (tokens)"), no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


# The names of the filters, as shown (translated where shown).
_FILTER_LABELS = {
    "department": N_("department"),
    "initiative": N_("initiative"),
    "field": N_("field"),
    "priority": N_("priority"),
}


def _when(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def _filters_text(token: "FeedToken") -> str:
    parts = []
    for key, value in token.filters.items():
        label = _(_FILTER_LABELS[key]) if key in _FILTER_LABELS else key
        parts.append(f"{label}={value}")
    return ", ".join(parts) or pgettext("filters", "none")


@tokens_app.command(
    "create", help=_("Make the URL of a private feed. The URL is shown this once only.")
)
def tokens_create(
    ctx: typer.Context,
    feed: Annotated[
        str,
        typer.Option(
            help=" | ".join(FEEDS)
            + " | "
            + _("workbooks (a department's key for uploading its workbooks; needs --department)")
            + " | "
            + _("site (reads the progress site when it is not public)")
        ),
    ] = "reviews",
    department: DepartmentIdOption = None,
    initiative: InitiativeOption = None,
    field: FieldOption = None,
    priority: PriorityOption = None,
    name: Annotated[
        str | None, typer.Option(help=_("Name of the token (tokens revoke takes it)"))
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help=_("Who makes it (default: the login name)"))
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help=_(
                "Public URL of the server (default: $AOMORI_ROADMAP_BASE_URL or"
                " http://127.0.0.1:8765)"
            )
        ),
    ] = None,
) -> None:
    """非公開フィードのURLを作ります。URLはこの一度だけ表示されます。"""
    from aomori_roadmap.export.feeds import feed_urls, upload_url
    from aomori_roadmap.store.feed_tokens import SITE, FeedTokens, check_request

    options = options_of(ctx)
    if name is not None and not name.strip():
        # Asked for a name and gave none: a token without one is made by leaving --name out.
        err.print(_("--name is empty (leave it out for a token without a name)"), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    name = name or ""
    plan = load(options)
    base = base_url_of(base_url)
    who = actor_of(actor)
    wanted = {"department": department, "initiative": initiative}
    wanted |= {"field": field, "priority": priority}
    try:  # the address, the feed, its filters and the labels, before anything is written
        feed_urls(base, "x", "reviews")  # checks the address
        check_request(plan, feed, wanted, actor=who, name=name)
    except PlanError as error:
        fail(error)
    with writing_store(options, plan) as store:
        token, info = FeedTokens(store, plan).create(feed, actor=who, name=name, **wanted)
    label = f" {info.name}" if info.name else ""
    if info.uploads:
        made = _(
            "Created token #{id}{name} for the workbook uploads of {department}. Send it as"
            " 'Authorization: Bearer TOKEN' to the URL below; it is shown now and never again."
        )
        shown = made.format(id=info.id, name=label, department=info.filters["department"])
        err.print(shown, markup=False)
        out.print(token, markup=False)
        out.print(upload_url(base), markup=False)
        return
    if info.feed == SITE:
        made = _(
            "Created token #{id}{name} for the progress site. The URL is shown now and never again."
        )
        err.print(made.format(id=info.id, name=label), markup=False)
        out.print(f"{base.rstrip('/')}/site/{token}/", markup=False)
        return
    https, webcal = feed_urls(base, token, info.feed)
    created = _(
        "Created token #{id}{name} ({feed}; {filters}). The URL is shown now and never again."
    )
    shown = created.format(id=info.id, name=label, feed=info.feed, filters=_filters_text(info))
    err.print(shown, markup=False)
    out.print(https, markup=False)
    out.print(webcal, markup=False)


@tokens_app.command(
    "list", help=_("List the tokens (with when each was last used), never the tokens themselves.")
)
def tokens_list(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    active: Annotated[bool, typer.Option("--active", help=_("Active tokens only"))] = False,
) -> None:
    """トークンの一覧（最終利用日時つき）。トークンそのものは表示しません。"""
    from aomori_roadmap.store.feed_tokens import FeedTokens

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    store = existing_store(options, plan)
    found: list[FeedToken] = []
    if store is not None:
        try:
            found = FeedTokens(store, plan).list(include_revoked=not active)
        except RoadmapError as error:
            fail(error)
        finally:
            store.close()
    if format == "json":
        text = json.dumps([t.to_json() for t in found], ensure_ascii=False, indent=2)
        out.print(text, markup=False)
        return
    if not found:
        out.print(_("No tokens."))
        return
    from rich.table import Table

    table = Table(title=_("Feed tokens"), title_justify="left")
    for heading in (
        "#",
        _("Name"),
        _("Feed"),
        _("Filters"),
        pgettext("token", "Actor"),
        pgettext("token", "Created"),
        _("Last used"),
        pgettext("token", "State"),
    ):
        table.add_column(heading)
    for token in found:
        state = pgettext("token", "active")
        if token.revoked is not None:
            state = pgettext("token", "revoked") + f" {_when(token.revoked, plan.timezone)}"
        used = "—" if token.last_used is None else _when(token.last_used, plan.timezone)
        table.add_row(
            str(token.id),
            token.name,
            token.feed,
            _filters_text(token),
            token.actor,
            _when(token.created, plan.timezone),
            used,
            state,
        )
    out.print(table)


@tokens_app.command("revoke", help=_("Revoke a token. Its URL answers 404 from then on."))
def tokens_revoke(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help=_("Number or name of the token (tokens list)"))],
) -> None:
    """トークンを無効にします。そのURLは以後 404 になります。"""
    from aomori_roadmap.store.feed_tokens import FeedTokens

    options = options_of(ctx)
    plan = load(options)
    store = existing_store(options, plan)
    if store is None:
        missing = _("there is no token '{token}' (the status store does not exist yet).")
        fail(PlanError(missing.format(token=token)))
    try:
        before = FeedTokens(store, plan).get(token)
        after = FeedTokens(store, plan).revoke(before.id)
    except RoadmapError as error:
        fail(error)
    finally:
        store.close()
    label = f" {after.name}" if after.name else ""
    if not before.active:
        already = _("Token #{id}{name} was already revoked.")
        out.print(already.format(id=after.id, name=label), markup=False)
        return
    out.print(_("Revoked token #{id}{name}.").format(id=after.id, name=label), markup=False)
