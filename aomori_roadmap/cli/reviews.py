"""The ``reviews`` command group: the half-year review cycles and their records."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from aomori_roadmap.cli.application import Options, app, options_of
from aomori_roadmap.cli.console import EXIT_BAD_INPUT, err, out, print_json
from aomori_roadmap.cli.inputs import (
    ActorOption,
    DepartmentOption,
    WithinOption,
    actor_of,
    as_of_date,
    check_format,
    load,
)
from aomori_roadmap.cli.reminders import due_reminders
from aomori_roadmap.cli.stores import reading_store, snapshot_at, writing_store
from aomori_roadmap.i18n import _, pgettext

if TYPE_CHECKING:
    from aomori_roadmap.views.snapshot import Snapshot


reviews_app = typer.Typer(
    help=_("The half-year review cycles and their records"), no_args_is_help=True
)
app.add_typer(reviews_app, name="reviews")


@reviews_app.command(
    "list",
    help=_(
        "List the half-year review cycles; with --cycle, the submission and review of each"
        " initiative."
    ),
)
def reviews_list(
    ctx: typer.Context,
    cycle: Annotated[str | None, typer.Option(help=_("Review cycle (FY2025-H1)"))] = None,
    department: DepartmentOption = None,
    format: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """半期見直しのサイクルを一覧にします。--cycle を付けると取組ごとの提出・評価を示します。"""
    from aomori_roadmap.engine.reviews import find_cycle
    from aomori_roadmap.store.review_log import ReviewLog, state_label

    options = options_of(ctx)
    check_format(format, ("table", "json"))
    plan = load(options)
    with reading_store(options, plan) as store:
        snap = snapshot_at(plan, store, as_of_date(options))
        log = ReviewLog(store, plan) if store is not None else None
        states = log.states() if log is not None else {}
        if cycle is None:
            _print_cycles(snap, states, options, format)
            return
        chosen = find_cycle(snap.cycles, cycle)
        wanted = set(department or ())
        rows: list[dict[str, Any]] = []
        for initiative in plan.initiatives:
            if initiative.id not in chosen.initiatives:
                continue
            names = {initiative.department or ""} | {
                d.name for d in plan.departments if d.id == initiative.department
            }
            if wanted and not wanted & names:
                continue
            state = states.get((chosen.code, initiative.id))
            submission = None if state is None else state.submission
            review = None if state is None else state.review
            rows.append(
                {
                    "initiative": initiative.id,
                    "name": initiative.name,
                    "department": initiative.department,
                    "department_name": next(iter(names - {initiative.department or ""}), None),
                    "state": "not_submitted" if state is None else state.stage,
                    "self": None if submission is None else submission.rating,
                    "office": None if review is None else review.rating,
                    "submitted_by": None if submission is None else submission.actor,
                    "reviewed_by": None if review is None else review.actor,
                }
            )
    if format == "json":
        print_json({"cycle": chosen.code, "initiatives": rows})
        return
    title = _("{cycle} ({code})").format(cycle=chosen.label(options.lang), code=chosen.code)
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    headers = [_("Initiative"), _("Department"), pgettext("review", "State")]
    headers += [pgettext("review", "Self"), pgettext("review", "Office")]
    for header in headers:
        table.add_column(header, overflow="fold")
    none = pgettext("no rating", "-")
    for row in rows:
        table.add_row(
            row["name"], row["department_name"] or row["department"] or "",
            state_label(row["state"], options.lang),
            row["self"] or none, row["office"] or none,
        )  # fmt: skip
    out.print(table)


def _print_cycles(snap: "Snapshot", states: dict[Any, Any], options: Options, format: str) -> None:
    rows: list[dict[str, Any]] = []
    for c in snap.cycles:
        stages = [states[(c.code, i)].stage for i in c.initiatives if (c.code, i) in states]
        rows.append(
            {
                "cycle": c.code,
                "label": c.label(options.lang),
                "snapshot": c.snapshot.isoformat(),
                "submission_due": c.submission_due.isoformat(),
                "meeting_by": c.meeting_by.isoformat(),
                "publication": c.publication.isoformat(),
                "annual_report_due": c.annual_report_due and c.annual_report_due.isoformat(),
                "initiatives": len(c.initiatives),
                "submitted": stages.count("submitted") + stages.count("reviewed"),
                "reviewed": stages.count("reviewed"),
                "predicted_holidays": c.predicted_holidays,
            }
        )
    if format == "json":
        print_json(rows)
        return
    headers = [
        _("Cycle"),
        pgettext("review", "Snapshot"),
        _("Submissions due"),
        _("Meeting by"),
        _("Publication"),
        _("Annual report"),
        _("Initiatives"),
        pgettext("review", "Submitted"),
        pgettext("review", "Reviewed"),
    ]
    from rich.table import Table

    table = Table(title=snap.plan.name, title_justify="left")
    for n, header in enumerate(headers):
        table.add_column(header, justify="right" if n >= 6 else "left", overflow="fold")
    for row in rows:
        mark = "*" if row["predicted_holidays"] else ""
        table.add_row(
            row["label"], row["snapshot"], row["submission_due"] + mark, row["meeting_by"] + mark,
            row["publication"] + mark, (row["annual_report_due"] or "") + mark,
            str(row["initiatives"]), str(row["submitted"]), str(row["reviewed"]),
        )  # fmt: skip
    out.print(table)
    if any(row["predicted_holidays"] for row in rows):
        out.print(_("* dates from predicted holidays"))


@reviews_app.command(
    "due",
    help=_(
        "Show the reviews whose submission is due soon or overdue, and the coming review"
        " meetings, by department."
    ),
)
def reviews_due(
    ctx: typer.Context,
    within: WithinOption = "14d",
    department: DepartmentOption = None,
    format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """提出期限が近い・過ぎた見直しと、近い見直し会議を担当課ごとに示します。"""
    from aomori_roadmap.engine.reminders import DepartmentReminders, ReminderKind, reminders_json

    options = options_of(ctx)
    check_format(format, ("text", "json"))
    groups, as_of, until, _attached = due_reminders(options, within, department)
    kinds = (ReminderKind.SUBMISSION, ReminderKind.MEETING)
    due = [
        DepartmentReminders(
            g.department,
            g.name,
            g.contact,
            g.as_of,
            g.until,
            tuple(item for item in g.items if item.kind in kinds),
        )
        for g in groups
    ]
    due = [g for g in due if g.items]
    if format == "json":
        print_json(reminders_json(due, as_of=as_of, until=until))
        return
    if not due:
        out.print(_("No review is due or overdue."))
        return
    for group in due:
        name = group.name
        if group.no_contact:
            name = _("{name} (no contact)").format(name=name)
        out.print(name, markup=False)
        for item in group.items:
            out.print(f"  {item.text(options.lang)}", markup=False)


@reviews_app.command(
    "record",
    help=_(
        "Record a department's submission (self-assessment, achievements, issues, next steps)"
        " or the prefecture's review."
    ),
)
def reviews_record(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help=_("Review cycle (FY2025-H1 and the like)"))],
    initiative: Annotated[str, typer.Argument(help=_("ID of an initiative"))],
    rating: Annotated[str, typer.Option(help=_("Rating: ◎ ○ △ × (or its name)"))],
    stage: Annotated[
        str,
        typer.Option(
            help=_("submitted (the department's submission) | reviewed (the prefecture's review)")
        ),
    ] = "submitted",
    achievements: Annotated[str, typer.Option(help=_("Achievements"))] = "",
    issues: Annotated[str, typer.Option(help=_("Issues"))] = "",
    next_steps: Annotated[str, typer.Option(help=_("Next steps"))] = "",
    comment: Annotated[str, typer.Option(help=_("The prefecture's comment (reviewed)"))] = "",
    revision: Annotated[
        str | None,
        typer.Option(help=_("Revision decided at the review (number, baseline name or hash)")),
    ] = None,
    corrects: Annotated[
        int | None, typer.Option(help=_("Number of the record this one corrects"))
    ] = None,
    actor: ActorOption = None,
) -> None:
    """担当課の提出（自己評価・成果・課題・今後の取組）か、県の評価を記録します。"""
    from aomori_roadmap.store.review_log import ReviewLog

    options = options_of(ctx)
    if stage not in ("submitted", "reviewed"):
        err.print(
            _("--stage is submitted or reviewed ('{stage}' cannot be used)").format(stage=stage)
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    if stage == "submitted" and (comment or revision):
        err.print(
            _("--comment and --revision belong to the prefecture's review (--stage reviewed) only.")
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    if stage == "reviewed" and (achievements or issues or next_steps):
        err.print(
            _(
                "--achievements, --issues, --next-steps belong to the department's submission (submitted)."
            )
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    plan = load(options)
    who = actor_of(actor)  # before the store is opened
    with writing_store(options, plan) as store:
        log = ReviewLog(store)
        if stage == "submitted":
            record = log.submit(
                cycle, initiative, rating=rating, actor=who, achievements=achievements,
                issues=issues, next_steps=next_steps, corrects=corrects,
            )  # fmt: skip
        else:
            record = log.review(
                cycle, initiative, rating=rating, actor=who, comment=comment,
                revision=revision, corrects=corrects,
            )  # fmt: skip
    what = (
        pgettext("review stage", "submitted")
        if stage == "submitted"
        else pgettext("review stage", "reviewed")
    )
    out.print(
        f"#{record.id} {record.cycle} {record.initiative}: {what} {record.rating}", markup=False
    )
