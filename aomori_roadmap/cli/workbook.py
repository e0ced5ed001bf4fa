"""The ``workbook`` command group: the departments' progress workbooks, out and back in."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aomori_roadmap.cli.application import app, options_of
from aomori_roadmap.cli.console import err, fail, out, write_output
from aomori_roadmap.cli.inputs import CycleOption, as_of_date, load
from aomori_roadmap.cli.stores import reading_store, snapshot_at, writing_store
from aomori_roadmap.errors import RoadmapError
from aomori_roadmap.i18n import _

if TYPE_CHECKING:
    from aomori_roadmap.workbook.changes import WorkbookChanges, WorkbookProblem

workbook_app = typer.Typer(
    help=_("The departments' progress workbooks: out to each department, and back into the store"),
    no_args_is_help=True,
)
app.add_typer(workbook_app, name="workbook")


@workbook_app.command(
    "out",
    help=_(
        "Write each department's progress workbook for a review cycle, one file per department,"
        " filled in with the state as of the reference date."
    ),
)
def workbook_out(
    ctx: typer.Context,
    cycle: CycleOption = None,
    department: Annotated[
        list[str] | None,
        typer.Option("--department", help=_("ID of a department (may be repeated; default: all)")),
    ] = None,
    output_dir: Annotated[
        Path, typer.Option("-o", "--output-dir", help=_("Folder to write the workbooks to"))
    ] = Path("."),
    csv: Annotated[
        bool, typer.Option("--csv", help=_("Write the task sheet as CSV (UTF-8 with BOM) too"))
    ] = False,
) -> None:
    """担当課ごとの進捗管理シートを書き出します。"""
    from aomori_roadmap.engine.reviews import cycle_to_submit
    from aomori_roadmap.workbook.csv_sheet import book_csv, csv_file_name
    from aomori_roadmap.workbook.out import department_books

    options = options_of(ctx)
    plan = load(options)
    as_of = as_of_date(options)
    with reading_store(options, plan) as store:
        snap = snapshot_at(plan, store, as_of)
        chosen = cycle or cycle_to_submit(snap.cycles, as_of).code
        files: list[tuple[str, bytes]] = []
        try:  # every file is made before any is written
            for book in department_books(snap, chosen, department, store=store, lang=options.lang):
                files.append((book.file_name(), book.workbook()))
                if csv:
                    name = csv_file_name(plan, chosen, book.department.id, options.lang)
                    files.append((name, book_csv(book)))
        except RoadmapError as error:
            fail(error)
    for n, (name, data) in enumerate(files, start=1):
        path = output_dir / name
        write_output(path, data)
        err.print(_("[{n}/{total}] {path}").format(n=n, total=len(files), path=path), markup=False)
        out.print(str(path), markup=False)
    if not files:
        err.print(_("No department has work in this cycle: nothing written."), markup=False)


# The options of ``workbook in``.
_FORCE_HELP = _(
    "Record rows changed in the store after the workbook was made anyway (noted on the events)"
)
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help=_("Show what would change, without recording it"))
]
ForceOption = Annotated[bool, typer.Option("--force", help=_FORCE_HELP)]
FromDepartmentOption = Annotated[
    str | None, typer.Option(help=_("The department the workbooks must be from (its ID)"))
]


@workbook_app.command(
    "in",
    help=_(
        "Read filled progress workbooks back into the store: every problem is shown with its"
        " cell and nothing is written until all of them are right; the changes are shown"
        " before they are recorded."
    ),
)
def workbook_in(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help=_("Filled workbooks (.xlsx) or task sheets (.csv)"))
    ],
    dry_run: DryRunOption = False,
    force: ForceOption = False,
    actor: Annotated[
        str | None, typer.Option(help=_("Who records the changes (default: the department's name)"))
    ] = None,
    cycle: CycleOption = None,
    department: FromDepartmentOption = None,
) -> None:
    """記入済みの進捗管理シートをストアへ取り込みます。"""
    from aomori_roadmap.workbook.changes import WorkbookConflictError, WorkbookError, overlaps
    from aomori_roadmap.workbook.csv_sheet import read_department_csv
    from aomori_roadmap.workbook.read import read_department_workbook

    options = options_of(ctx)
    repeated = _repeated_files(files)
    if repeated:
        fail(WorkbookError(repeated))
    plan = load(options)
    with writing_store(options, plan) as store:
        read: list[WorkbookChanges] = []
        problems: list[WorkbookProblem] = []
        for n, path in enumerate(files, start=1):
            err.print(
                _("[{n}/{total}] {path}").format(n=n, total=len(files), path=path), markup=False
            )
            reader = (
                read_department_csv if path.suffix.lower() == ".csv" else read_department_workbook
            )
            try:
                read.append(
                    reader(
                        path, store, actor=actor, force=force, cycle=cycle, department=department
                    )
                )
            except WorkbookError as error:
                problems.extend(error.problems)
        # Every file is read against the store as it is now, and each is recorded in its
        # own transaction: two that change the same row would write the first and then
        # refuse the second. They are refused before anything is written.
        problems += overlaps(read)
        if problems:
            fail(WorkbookError(problems))
        for changes in read:
            out.print("\n".join(changes.lines(options.lang)), markup=False)
        conflicts = [c for changes in read for c in changes.conflicts]
        if conflicts:
            fail(WorkbookConflictError(conflicts, options.lang))
        if dry_run:
            err.print(_("(dry run: nothing recorded)"), markup=False)
            return
        for changes in read:
            done = changes.apply(store)
            recorded = _(
                "{file}: recorded {events} status event(s), {submissions} submission(s) and"
                " {kpis} KPI value(s)."
            )
            shown = recorded.format(
                file=changes.file,
                events=done.events,
                submissions=len(done.submissions),
                kpis=len(done.kpi_actuals),
            )
            out.print(shown, markup=False)


def _repeated_files(files: list[Path]) -> "list[WorkbookProblem]":
    """A problem for each file given again (under the same path or another)."""
    from aomori_roadmap.workbook.changes import WorkbookProblem

    first: dict[Path, int] = {}
    found: list[WorkbookProblem] = []
    for n, path in enumerate(files):
        at = first.setdefault(path.resolve(), n)
        if at != n:
            message = _("This is the same file as {first}: give each workbook once.").format(
                first=files[at]
            )
            found.append(WorkbookProblem(str(path), message, code="repeated-file"))
    return found
