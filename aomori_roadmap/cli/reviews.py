"""The ``reviews`` command group: the half-year review cycles and their records."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from aomori_roadmap.cli.app import Options, app, options_of
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

if TYPE_CHECKING:
    from aomori_roadmap.views.snapshot import Snapshot


reviews_app = typer.Typer(help="半期見直しのサイクルと記録", no_args_is_help=True)
app.add_typer(reviews_app, name="reviews")


@reviews_app.command("list")
def reviews_list(
    ctx: typer.Context,
    cycle: Annotated[
        str | None, typer.Option(help="見直しサイクル（FY2025-H1, 令和7年度上期, R7上期）")
    ] = None,
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
    title = f"{chosen.label(options.lang)}（{chosen.code}）"
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for header in options.pick("取組,担当課,状況,自己評価,県の評価", "Initiative,Department,"
                               "State,Self,Office").split(","):  # fmt: skip
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"], row["department_name"] or row["department"] or "",
            state_label(row["state"], options.lang),
            row["self"] or "－", row["office"] or "－",
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
    headers = options.pick(
        "サイクル,基準日,提出期限,見直し会議,公表,年次報告,取組,提出済,評価済",
        "Cycle,Snapshot,Submissions due,Meeting by,Publication,Annual report,Initiatives,"
        "Submitted,Reviewed",
    ).split(",")
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
        out.print(
            options.pick(
                "* 暦要項の公表前の予測の祝日による日付", "* dates from predicted holidays"
            )
        )


@reviews_app.command("due")
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
    groups, as_of, until = due_reminders(options, within, department)
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
        out.print(
            options.pick("期限の近い・過ぎた見直しはありません。", "No review is due or overdue.")
        )
        return
    for group in due:
        flag = options.pick("（宛先未設定）", " (no contact)") if group.no_contact else ""
        out.print(f"{group.name}{flag}", markup=False)
        for item in group.items:
            out.print(f"  {item.text(options.lang)}", markup=False)


@reviews_app.command("record")
def reviews_record(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="見直しサイクル（FY2025-H1, R7上期 など）")],
    initiative: Annotated[str, typer.Argument(help="取組ID")],
    rating: Annotated[str, typer.Option(help="評価: ◎ ○ △ ×（または 予定どおり などの名前）")],
    stage: Annotated[
        str, typer.Option(help="submitted（担当課の提出）| reviewed（県の評価）")
    ] = "submitted",
    achievements: Annotated[str, typer.Option(help="成果")] = "",
    issues: Annotated[str, typer.Option(help="課題")] = "",
    next_steps: Annotated[str, typer.Option(help="今後の取組")] = "",
    comment: Annotated[str, typer.Option(help="県のコメント（reviewed）")] = "",
    revision: Annotated[
        str | None, typer.Option(help="見直しで決めた改訂（番号・基準線名・ハッシュ）")
    ] = None,
    corrects: Annotated[int | None, typer.Option(help="訂正する記録の番号")] = None,
    actor: ActorOption = None,
) -> None:
    """担当課の提出（自己評価・成果・課題・今後の取組）か、県の評価を記録します。"""
    from aomori_roadmap.store.review_log import ReviewLog

    options = options_of(ctx)
    if stage not in ("submitted", "reviewed"):
        err.print(f"--stage は submitted か reviewed です（'{stage}' は使えません）")
        raise typer.Exit(EXIT_BAD_INPUT)
    if stage == "submitted" and (comment or revision):
        err.print("--comment と --revision は県の評価（--stage reviewed）にだけ書けます。")
        raise typer.Exit(EXIT_BAD_INPUT)
    if stage == "reviewed" and (achievements or issues or next_steps):
        err.print("--achievements, --issues, --next-steps は担当課の提出（submitted）に書きます。")
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
    what = options.pick("提出" if stage == "submitted" else "評価", stage)
    out.print(
        f"#{record.id} {record.cycle} {record.initiative}: {what} {record.rating}", markup=False
    )
