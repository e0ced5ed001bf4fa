"""Make the screenshots of a department workbook for the docs (docs/images/workbook-*.png).

The embedded plan, as of 2025-09-30, with a little history in an in-memory store (a task
of 危機管理局 under way, its submission for the half, a KPI actual); 危機管理局's workbook
for R7上期 is written in Japanese, printed to PDF by LibreOffice headless and each sheet's
page turned into a PNG by ``pdftoppm -png -r 80``: ``workbook-cover.png``, ``workbook-tasks.png``,
``workbook-initiatives.png`` and ``workbook-kpi.png``.

Needs LibreOffice (``apt-get install libreoffice-calc-nogui``), poppler-utils and, for the
Japanese text, fonts-ipafont-gothic. Run it from the repository::

    python examples/workbook_screenshots.py [OUT_DIR]

``OUT_DIR`` defaults to docs/images. Exit status: 0 when the four images are written, 1 when
a tool is missing or fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.store import Store
from aomori_roadmap.views.snapshot import take_snapshot
from aomori_roadmap.workbook import department_workbook
from aomori_roadmap.workbook.layout import SHEET_KEYS

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
AS_OF = date(2025, 9, 30)
CYCLE, DEPARTMENT = "R7上期", "kikikanri"
# The image of each sheet, in the workbook's order (the origin sheet is hidden: no image).
IMAGES = {"cover": "cover", "tasks": "tasks", "initiatives": "initiatives", "kpis": "kpi"}


def workbook() -> bytes:
    """危機管理局's workbook for R7上期, from a store with a little history in it."""
    plan = default_plan()
    clock = lambda: datetime(2025, 9, 30, 3, tzinfo=UTC)  # noqa: E731
    with Store("sqlite://", plan=plan, clock=clock) as store:
        store.record_status("bousai-dx-alerts/study", "done", actor="危機管理局",
                            effective=datetime(2024, 9, 27, tzinfo=UTC))  # fmt: skip
        store.record_status("bousai-dx-alerts/design", "in_progress", actor="危機管理局",
                            progress=70, effective=datetime(2024, 10, 1, tzinfo=UTC),
                            note="仕様書案を作成中")  # fmt: skip
        store.reviews.submit(
            CYCLE, "bousai-dx-alerts", rating="○", actor="危機管理局",
            achievements="導入方法の検討を終え、仕様書案を作成した。",
            issues="市町村との役割分担の調整", next_steps="仕様を確定し、調達の準備を進める。",
        )  # fmt: skip
        store.kpis.record("kpi-aomori-bousai-sns", 2024, 52000, "県調べ", actor="危機管理局")
        snapshot = take_snapshot(plan, store, as_of=AS_OF)
        return department_workbook(snapshot, CYCLE, DEPARTMENT, store=store)


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def screenshots(out: Path) -> list[Path]:
    """Write the PNG of each sheet into ``out``; return their paths."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not shutil.which("pdftoppm") or not shutil.which("pdftotext"):
        raise RuntimeError("needs soffice (libreoffice-calc-nogui) and poppler-utils")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        book = folder / "workbook.xlsx"
        book.write_bytes(workbook())
        profile = (folder / "profile").as_uri()  # a LibreOffice profile of our own
        run(soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(folder), str(book))  # fmt: skip
        pdf = folder / "workbook.pdf"
        pages = int(next(line.split()[-1] for line in run("pdfinfo", str(pdf)).splitlines()
                         if line.startswith("Pages:")))  # fmt: skip
        # Each sheet starts on a page of its own and fits one page wide: its first page is
        # the one after the previous sheet's, found by the sheet's title on the first line.
        titles = _titles(book)
        written = []
        page = 1
        for key in SHEET_KEYS:
            if key not in IMAGES:
                continue
            while page <= pages and titles[key] not in _first_line(pdf, page):
                page += 1
            if page > pages:
                raise RuntimeError(f"no page of the sheet {key} in {pdf}")
            target = out / f"workbook-{IMAGES[key]}.png"
            run("pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page),
                "-singlefile", str(pdf), str(target.with_suffix("")))  # fmt: skip
            written.append(target)
            page += 1
    return written


def _titles(book: Path) -> dict[str, str]:
    """The title (cell A1) of each sheet, by sheet key."""
    from openpyxl import load_workbook

    sheets = load_workbook(book).worksheets
    return {key: str(ws["A1"].value) for key, ws in zip(SHEET_KEYS, sheets, strict=True)}


def _first_line(pdf: Path, page: int) -> str:
    text = run("pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-")
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DOCS_IMAGES
    try:
        for path in screenshots(out):
            print(path)
    except RuntimeError as error:
        print(f"workbook_screenshots: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
