"""The ``status`` command group: record status changes and replay them."""

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.application import app, bad_date, options_of
from aomori_roadmap.cli.console import (
    EXIT_BAD_INPUT,
    err,
    fail,
    out,
    tokyo,
    tokyo_time,
    write_output,
)
from aomori_roadmap.cli.inputs import FormatOption, actor_of, check_format, load
from aomori_roadmap.cli.stores import reading_store, snapshot_for, writing_store
from aomori_roadmap.errors import PlanError, RoadmapError
from aomori_roadmap.i18n import _, pgettext

if TYPE_CHECKING:
    from aomori_roadmap.engine.status import StatusEvent


status_app = typer.Typer(
    help=_("The status of tasks and initiatives (with its history)"), no_args_is_help=True
)
app.add_typer(status_app, name="status")


def _moment(text: str | None, option: str) -> datetime | None:
    """A date (the start of that day in Tokyo) or a date-time (Tokyo when no offset)."""
    if text is None:
        return None
    import pendulum  # only --at pays for the parser

    try:
        parsed = pendulum.parse(text, tz="Asia/Tokyo")
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        parsed = None
    if not isinstance(parsed, datetime):
        err.print(
            _("write {option} as 2025-04-01 or 2025-04-01T09:00 ('{given}')").format(
                option=option, given=text
            )
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    return parsed


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(bad_date(option, text))
        raise typer.Exit(EXIT_BAD_INPUT) from None


@status_app.command(
    "set",
    help=_(
        "Record the status of a task or an initiative (appended to the history, never overwritten)."
    ),
)
def status_set(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(help=_("A task (initiative ID/task ID) or the ID of an initiative")),
    ],
    status: Annotated[
        str,
        typer.Argument(help=_("planned|in_progress|on_hold|done|cancelled (Japanese names too)")),
    ],
    progress: Annotated[int | None, typer.Option(help=_("Progress 0–100"))] = None,
    note: Annotated[str, typer.Option(help=_("Note (required to resume or to reopen)"))] = "",
    actor: Annotated[
        str | None,
        typer.Option(help=_("Person or department recording (default: AOMORI_ROADMAP_ACTOR)")),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help=_("When it happened (may be in the past)"))
    ] = None,
    expected_from: Annotated[
        str | None,
        typer.Option(help=_("Refuse as a conflict unless this is the current status")),
    ] = None,
) -> None:
    """工程・取組の状況を記録します（履歴に追記、書き換えはしません）。"""
    from aomori_roadmap.engine.status import parse_status

    options = options_of(ctx)
    plan = load(options)
    try:
        new = parse_status(status)
        expected = None if expected_from is None else parse_status(expected_from)
    except RoadmapError as error:
        fail(error)
    who, effective = actor_of(actor), _moment(at, "--at")  # before the store is opened
    with writing_store(options, plan) as store:
        event = store.record_status(
            ref,
            new,
            actor=who,
            progress=progress,
            effective=effective,
            note=note,
            expected_from=expected,
        )
    out.print(
        f"#{event.id} {event.ref}: {event.from_status.label(options.lang)} → "
        f"{event.status.label(options.lang)} ({event.progress}%)",
        markup=False,
    )


@status_app.command(
    "show", help=_("Show the status and the (computed) lateness on the reference date.")
)
def status_show(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=_("Reference date (default: today)"))
    ] = None,
    known_at: Annotated[str | None, typer.Option(help=_("As it was known on this date"))] = None,
    format: FormatOption = "table",
) -> None:
    """基準日の状況と遅れ（計算値）を表示します。"""
    from aomori_roadmap.engine.status import Status

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    if as_of is not None:
        options.as_of = as_of
    plan = load(options)
    snapshot = snapshot_for(options, plan, known_at=_day(known_at, "--known-at"))
    if format == "json":
        rows = []
        for ref, _initiative, task in plan.iter_tasks():
            state = snapshot.states.get(ref)
            rows.append(
                {
                    "ref": ref,
                    "name": task.name,
                    "status": state.status.value if state else Status.PLANNED.value,
                    "progress": state.progress if state else 0,
                    "lateness": snapshot.lateness[ref].value,
                    "state": state.to_json() if state else None,
                }
            )
        payload = {"as_of": snapshot.as_of.isoformat(), "known_at": known_at, "tasks": rows}
        write_output(None, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table

    title = pgettext("task", "Status")
    table = Table(title=f"{plan.name} — {title} {snapshot.as_of}")
    for column in (
        _("Task"),
        pgettext("task", "Status"),
        _("Progress"),
        pgettext("task", "Lateness"),
        _("Updated"),
    ):
        table.add_column(column)
    for ref, _initiative, task in plan.iter_tasks():
        state = snapshot.states.get(ref)
        status = state.status if state else Status.PLANNED
        lateness = snapshot.lateness[ref]
        colour = {"late": "red", "at_risk": "yellow"}.get(lateness.value, "")
        shown = lateness.label(options.lang)
        table.add_row(
            f"{task.name}\n[dim]{ref}[/dim]",
            status.label(options.lang),
            f"{state.progress if state else 0}%",
            f"[{colour}]{shown}[/{colour}]" if colour else shown,
            state.updated.astimezone(tokyo()).date().isoformat() if state else "",
        )
    out.print(table)


def _history_rows(events: "list[StatusEvent]") -> list[dict[str, object]]:
    return [event.to_json() for event in events]


@status_app.command(
    "history",
    help=_("Show the whole history of the status of one task or initiative, corrections included."),
)
def status_history(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help=_("ID of a task or an initiative"))],
    format: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
) -> None:
    """ひとつの工程・取組の状況の履歴を、訂正も含めてすべて表示します。"""
    options = options_of(ctx)
    check_format(format, ("table", "json", "csv"))
    plan = load(options)
    known = {r for r, _initiative, _task in plan.iter_tasks()} | {i.id for i in plan.initiatives}
    if ref not in known:
        fail(PlanError(_("the plan has no task or initiative '{ref}'.").format(ref=ref)))
    with reading_store(options, plan) as store:  # reading never creates a database file
        events = [] if store is None else store.history(ref)
    rows = _history_rows(events)
    if format == "json":
        write_output(None, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["ref"])
        writer.writeheader()
        writer.writerows(rows)
        # UTF-8 with BOM: Excel opens Japanese text correctly.
        write_output(None, "\ufeff" + buffer.getvalue())
        return
    from rich.table import Table

    table = Table(title=ref.replace("[", "\\["))  # a ref is not markup
    for column in ("#", "effective", "recorded", "from → to", "%", "actor", "note"):
        table.add_column(column)
    corrected_mark = _("(corrected)")
    for event in events:
        corrected = f" [dim]{corrected_mark}[/dim]" if event.corrected_by else ""
        table.add_row(
            str(event.id) + corrected,
            tokyo_time(event.effective),
            tokyo_time(event.recorded),
            f"{event.from_status.label(options.lang)} → {event.status.label(options.lang)}",
            str(event.progress),
            event.actor,
            event.note,
        )
    out.print(table)
