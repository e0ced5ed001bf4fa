"""The ``reminders`` command: what is due soon and overdue, by department, and its mail."""

import os
from datetime import date
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from aomori_roadmap.cli.application import Options, app, options_of
from aomori_roadmap.cli.console import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    err,
    fail,
    out,
    print_json,
    write_output,
)
from aomori_roadmap.cli.inputs import (
    CycleOption,
    DepartmentOption,
    OutputOption,
    WithinOption,
    as_of_date,
    check_format,
    load,
)
from aomori_roadmap.cli.stores import reading_store, snapshot_at
from aomori_roadmap.errors import RoadmapError, visible
from aomori_roadmap.i18n import _

if TYPE_CHECKING:
    from aomori_roadmap.engine.reminders import (
        DepartmentReminders,
    )
    from aomori_roadmap.notify import Attachment, SmtpSettings
    from aomori_roadmap.store import Store
    from aomori_roadmap.views.snapshot import Snapshot


ENV = "AOMORI_ROADMAP_SMTP_"


class Due(NamedTuple):
    """What is due by department in the window, and the workbooks to attach (when asked)."""

    groups: "list[DepartmentReminders]"
    as_of: date
    until: date
    attached: "dict[str, Attachment]"


def due_reminders(
    options: Options,
    within: str,
    departments: list[str] | None,
    *,
    attach: bool = False,
    cycle: str | None = None,
) -> Due:
    """The reminders as of --as-of; with ``attach``, each department's workbook for ``cycle``
    (default: the one to submit next), made from the same snapshot and store."""
    from aomori_roadmap.engine.reminders import reminders, window_end
    from aomori_roadmap.store.review_log import ReviewLog

    plan = load(options)
    as_of = as_of_date(options)
    with reading_store(options, plan) as store:
        snap = snapshot_at(plan, store, as_of)
        stages = ReviewLog(store, plan).stages() if store is not None else {}
        groups = reminders(
            plan, snap, stages, within=within, departments=departments or None, lang=options.lang
        )
        until = window_end(snap, within)
        attached = {}
        if attach:
            wanted = [g.department for g in groups if g.department and not g.no_contact]
            attached = _workbooks(snap, store, wanted, cycle, options.lang)
    return Due(groups, as_of, until, attached)


def _env(name: str) -> str | None:
    return os.environ.get(ENV + name) or None


def _settings(
    host: str | None,
    port: int | None,
    sender: str | None,
    starttls: bool | None,
    user: str | None,
    password: str | None,
) -> "SmtpSettings":
    """SMTP settings from the options, else from AOMORI_ROADMAP_SMTP_* variables."""
    from aomori_roadmap.notify import SmtpSettings

    host = host or _env("HOST")
    sender = sender or _env("SENDER")
    if not host or not sender:
        err.print(
            _(
                "sending needs an SMTP server and a sender: give --smtp-host and --smtp-sender"
                " (or {env}HOST and {env}SENDER)."
            ).format(env=ENV)
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    text_port = _env("PORT")
    if port is None and text_port is not None:
        if not text_port.isdigit():
            err.print(
                _("{variable} is a port number (cannot read '{given}')").format(
                    variable=f"{ENV}PORT", given=text_port
                )
            )
            raise typer.Exit(EXIT_BAD_INPUT)
        port = int(text_port)
    if starttls is None:
        starttls = (_env("STARTTLS") or "").lower() in ("1", "true", "yes", "on")
    return SmtpSettings(
        host=host,
        sender=sender,
        port=port,
        starttls=starttls,
        username=user or _env("USER"),
        password=password or _env("PASSWORD"),
    )


def _workbooks(
    snap: "Snapshot", store: "Store | None", departments: list[str], cycle: str | None, lang: str
) -> "dict[str, Attachment]":
    """Each department's workbook for ``cycle`` (default: the one to submit next), to attach."""
    from aomori_roadmap.engine.reviews import cycle_to_submit
    from aomori_roadmap.formats import XLSX_MEDIA_TYPE
    from aomori_roadmap.notify import Attachment
    from aomori_roadmap.workbook.out import department_workbooks

    chosen = cycle or cycle_to_submit(snap.cycles, snap.as_of).code
    books = department_workbooks(snap, chosen, departments, store=store, lang=lang)
    return {
        department: Attachment(name, data, XLSX_MEDIA_TYPE)
        for department, (name, data) in zip(departments, books, strict=True)
    }


def _deliver(groups: "list[DepartmentReminders]", settings: "SmtpSettings", options: Options,
             dry_run: bool, attached: "dict[str, Attachment]") -> None:  # fmt: skip
    from aomori_roadmap.notify import DeliveryError, Mail, send_mails

    sendable = [g for g in groups if not g.no_contact]
    for group in groups:
        if group.no_contact:
            err.print(
                _("No contact address, not sent: {name}").format(name=group.name), markup=False
            )
    mails = [
        Mail(g.department or "-", g.contact or "", g.subject(options.lang), g.body(options.lang),
             to_name=g.name, attachments=tuple(_attached(attached, g.department)))
        for g in sendable
    ]  # fmt: skip
    try:
        done = send_mails(mails, settings, dry_run=dry_run)
    except DeliveryError as error:
        err.print(visible(str(error)), markup=False)
        raise typer.Exit(EXIT_FAILURE) from error
    except RoadmapError as error:
        fail(error)
    if dry_run:
        for message in done.messages:
            out.print(f"To: {message['To']}\nSubject: {message['Subject']}", markup=False)
            for part in message.iter_attachments():
                size = len(part.get_content())
                shown = _("Attached: {name} ({size:,} bytes)")
                out.print(shown.format(name=part.get_filename(), size=size), markup=False)
            body = message.get_body(("plain",))
            text = "" if body is None else body.get_content().replace("\r\n", "\n")
            out.print(text, markup=False)  # MIME text has CRLF line ends; the terminal, LF
        out.print(
            _("(dry run: {n} message(s) not sent; add --no-dry-run to send)").format(n=len(mails))
        )
        return
    sent = _("Sent {n}: {names}").format(n=len(done.sent), names=", ".join(done.sent))
    out.print(sent, markup=False)


def _attached(attached: "dict[str, Attachment]", department: str | None) -> "list[Attachment]":
    found = attached.get(department or "")
    return [] if found is None else [found]


@app.command(
    "reminders",
    help=_("Show the reviews and tasks due soon or overdue, by department (--send mails them)."),
)
def reminders_command(
    ctx: typer.Context,
    within: WithinOption = "14d",
    department: DepartmentOption = None,
    format: Annotated[str, typer.Option("--format", help="text | markdown | json")] = "text",
    output: OutputOption = None,
    send: Annotated[
        bool, typer.Option("--send", help=_("Send them by mail, to each department"))
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run/--no-dry-run", help=_("Show what would be sent, without sending (default)")
        ),
    ] = True,
    smtp_host: Annotated[
        str | None, typer.Option(help=_("SMTP server ({variable})").format(variable=f"{ENV}HOST"))
    ] = None,
    smtp_port: Annotated[
        int | None, typer.Option(help=_("Port ({variable})").format(variable=f"{ENV}PORT"))
    ] = None,
    smtp_sender: Annotated[
        str | None, typer.Option(help=_("Sender ({variable})").format(variable=f"{ENV}SENDER"))
    ] = None,
    smtp_starttls: Annotated[
        bool | None, typer.Option("--smtp-starttls/--no-smtp-starttls", help=f"{ENV}STARTTLS")
    ] = None,
    smtp_user: Annotated[
        str | None,
        typer.Option(help=_("Login name ({variable})").format(variable=f"{ENV}USER")),
    ] = None,
    smtp_password: Annotated[
        str | None,
        typer.Option(help=_("Password ({variable} recommended)").format(variable=f"{ENV}PASSWORD")),
    ] = None,
    attach_workbooks: Annotated[
        bool,
        typer.Option(
            "--attach-workbooks",
            help=_("Attach each department's progress workbook for the cycle (with --send)"),
        ),
    ] = False,
    cycle: CycleOption = None,
) -> None:
    """期限が近い・過ぎた見直しや工程を、担当課ごとに示します（--send でメール送信）。"""
    from aomori_roadmap.engine.reminders import reminders_json, reminders_markdown, reminders_text

    options = options_of(ctx)
    check_format(format, ("text", "markdown", "json"))
    if not send and (attach_workbooks or cycle is not None):
        err.print(_("--attach-workbooks and --cycle go with --send."), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    settings = None
    if send:
        settings = _settings(
            smtp_host, smtp_port, smtp_sender, smtp_starttls, smtp_user, smtp_password
        )
    groups, as_of, until, attached = due_reminders(
        options, within, department, attach=attach_workbooks, cycle=cycle
    )
    if settings is not None:
        _deliver(groups, settings, options, dry_run, attached)
        return
    window = {"as_of": as_of, "until": until}
    if format == "json":
        print_json(reminders_json(groups, **window), output)
    elif format == "markdown":
        write_output(output, reminders_markdown(groups, lang=options.lang, **window))
    else:
        write_output(output, reminders_text(groups, lang=options.lang, **window))
