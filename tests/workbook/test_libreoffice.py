"""Department workbooks opened by a real office suite: LibreOffice headless.

Every exported workbook is converted to PDF (it opens and prints without error, and its
Japanese text is in the PDF) and to xlsx again, as a department saving it would; openpyxl
then still finds the drop-downs, the protection and the hidden origin sheet in LibreOffice's
file, and the origin reads back with the same fingerprint.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from aomori_roadmap.engine.status import Status
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import take_snapshot
from aomori_roadmap.workbook import department_workbooks
from aomori_roadmap.workbook.layout import INITIATIVES, TASKS, Origin, rating_choice, sheet_name

AS_OF = date(2025, 9, 30)
CYCLE = "FY2025-H1"

#: The ``libreoffice`` fixture of conftest.py: ``convert(files, "pdf" | "xlsx")``.
Convert = Callable[[Sequence[Path], str], list[Path]]


@pytest.fixture(scope="module")
def exported(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every department's workbook of the cycle in Japanese (from a store with some facts in
    it) and, for one department, in English; keyed ``lang:department``."""
    folder = tmp_path_factory.mktemp("workbooks")
    clock = lambda: datetime(2025, 9, 30, 3, tzinfo=UTC)  # noqa: E731
    with Store("sqlite://", plan=plan, clock=clock) as store:
        store.record_status("bousai-dx-alerts/study", "in_progress", actor="危機管理局",
                            progress=60, effective=datetime(2025, 4, 2, tzinfo=UTC),
                            note="=SUM(A1)")  # fmt: skip
        store.reviews.submit(CYCLE, "bousai-dx-alerts", rating="○", actor="危機管理局",
                             achievements="実証地域を選定")  # fmt: skip
        snap = take_snapshot(plan, store, as_of=AS_OF)
        made = [("ja", *f) for f in department_workbooks(snap, CYCLE, store=store)]
        made += [
            ("en", *f)
            for f in department_workbooks(snap, CYCLE, ["kikikanri"], store=store, lang="en")
        ]
    files = {}
    for lang, name, content in made:
        path = folder / f"{lang}-{name}"
        path.write_bytes(content)
        department = Origin.from_rows(load_workbook(path)["_origin"].iter_rows(values_only=True))
        files[f"{lang}:{department.department}"] = path
    assert len(files) == len(made) > 10
    return files


@pytest.fixture(scope="module")
def as_pdf(libreoffice: Convert, exported: dict[str, Path]) -> dict[str, Path]:
    return dict(zip(exported, libreoffice(list(exported.values()), "pdf"), strict=True))


@pytest.fixture(scope="module")
def as_xlsx(libreoffice: Convert, exported: dict[str, Path]) -> dict[str, Path]:
    return dict(zip(exported, libreoffice(list(exported.values()), "xlsx"), strict=True))


def pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_every_workbook_prints_to_pdf_with_its_japanese_text(
    as_pdf: dict[str, Path], plan: Plan
) -> None:
    names = {d.id: d.name for d in plan.departments}
    for key, pdf in as_pdf.items():
        assert pdf.read_bytes().startswith(b"%PDF"), key
        text = pdf_text(pdf)
        assert names[key.split(":")[1]] in text, key  # Japanese, rendered as text
        assert plan.name in text, key


def test_the_task_sheet_prints_its_rows(as_pdf: dict[str, Path]) -> None:
    text = pdf_text(as_pdf["ja:kikikanri"])
    assert "bousai-dx-alerts/study" in text
    assert "R6.4.1" in text  # the planned dates in 和暦, beside the 西暦 ones
    assert "2024-04-01" in text


def test_libreoffice_keeps_the_drop_downs_and_validations(as_xlsx: dict[str, Path]) -> None:
    for name, path in as_xlsx.items():
        book = load_workbook(path)
        origin = Origin.from_rows(book["_origin"].iter_rows(values_only=True))
        tasks = book.worksheets[1]
        found = {str(v.sqref).split(":")[0]: v for v in tasks.data_validations.dataValidation}
        if not origin.tasks:
            continue
        status = found[f"K{TASKS.first_data_row}"]
        labels = [s.label(origin.lang) for s in Status]
        assert (status.type, status.formula1) == ("list", '"' + ",".join(labels) + '"'), name
        progress = found[f"L{TASKS.first_data_row}"]
        assert (progress.type, progress.formula1, progress.formula2) == ("whole", "0", "100")
        assert {found[f"{c}{TASKS.first_data_row}"].type for c in "MN"} == {"date"}
        initiatives = book.worksheets[2].data_validations.dataValidation
        rating = next(v for v in initiatives if v.type == "list")
        assert rating.formula1.startswith(f'"{rating_choice("◎", "予定以上")}'), name


def locked(ws: Worksheet, row: int, column: int) -> bool:
    """Whether a cell is locked as an office suite sees it: a cell not written takes the style
    of its column (LibreOffice writes columns of one style as one group)."""
    cell = ws.cell(row, column)
    if cell.value is not None or cell.has_style:
        return bool(cell.protection.locked)
    for dimension in ws.column_dimensions.values():
        if dimension.min is not None and dimension.min <= column <= (dimension.max or 0):
            return bool(dimension.protection.locked)
    return True


def test_libreoffice_keeps_the_protection_and_the_unlocked_inputs(
    as_xlsx: dict[str, Path],
) -> None:
    for name, path in as_xlsx.items():
        book = load_workbook(path)
        for ws in book.worksheets:
            assert ws.protection.sheet, (name, ws.title)
        tasks = book.worksheets[1]
        if tasks.max_row < TASKS.first_data_row:
            continue
        row = TASKS.first_data_row
        for n, column in enumerate(TASKS.columns, 1):
            assert locked(tasks, row, n) is (not column.input), (name, column.key)
            for above in range(1, row):  # the title rows and the header stay locked
                assert locked(tasks, above, n), (name, above, column.key)


def test_libreoffice_keeps_the_origin_hidden_and_readable(
    exported: dict[str, Path], as_xlsx: dict[str, Path]
) -> None:
    for name, path in as_xlsx.items():
        book = load_workbook(path)
        # LibreOffice has no "very hidden": it saves the sheet hidden.
        assert book["_origin"].sheet_state in ("hidden", "veryHidden"), name
        assert [ws.sheet_state for ws in book.worksheets[:4]] == ["visible"] * 4
        again = Origin.from_rows(book["_origin"].iter_rows(values_only=True))
        ours = Origin.from_rows(
            load_workbook(exported[name])["_origin"].iter_rows(values_only=True)
        )
        assert again == ours and again.fingerprint() == ours.fingerprint(), name
        props = {p.name: p.value for p in book.custom_doc_props.props}
        assert props["aomori_roadmap_format"] == "department-workbook"
        assert props["fingerprint"] == ours.fingerprint()
        assert int(props["version"]) == 1  # LibreOffice writes it as a float


def test_libreoffice_keeps_the_prefilled_values_as_text_and_numbers(
    as_xlsx: dict[str, Path],
) -> None:
    book = load_workbook(as_xlsx["ja:kikikanri"])
    tasks = book[sheet_name("tasks", "ja")]
    row = [c.value for c in tasks[TASKS.first_data_row]]
    value = {c.key: row[n] for n, c in enumerate(TASKS.columns)}
    assert value["ref"] == "bousai-dx-alerts/study"
    assert value["status"] == Status.IN_PROGRESS.label("ja")
    assert value["progress"] == 60
    assert value["started"].date() == date(2025, 4, 2)
    assert value["note"] == "=SUM(A1)"  # still text, not a formula
    assert tasks.cell(TASKS.first_data_row, TASKS.index("note")).data_type != "f"
    initiatives = book[sheet_name("initiatives", "ja")]
    rating = initiatives.cell(INITIATIVES.first_data_row, INITIATIVES.index("rating")).value
    assert rating == "○ 予定どおり"
