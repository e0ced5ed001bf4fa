"""``--lang en``: every command, over a plan whose names are ASCII, says nothing in Japanese.

What the plan's author wrote is data and may be in any language; what the program writes
around it (labels, headings, messages, help, file contents) must follow ``--lang``. The plan
here is written in ASCII, so any Japanese in the output is the program's. Each command runs in
its own process, as a user runs it, and files it writes are read too.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")

PLAN = """\
id: ascii-plan
name: ASCII plan
period: {start: FY2025, end: FY2027}
# The rating scale is the plan's data; its default is the prefecture's (in Japanese).
review_policy:
  ratings:
    - {symbol: A, label: Ahead}
    - {symbol: B, label: On plan}
    - {symbol: C, label: Behind}
fields:
  - {id: living, name: Living, vision_2040: [Safe towns]}
items:
  - id: disaster
    field: living
    name: Disaster
    policies: [{id: disaster-1, text: Alerts on phones}]
departments:
  - {id: bousai, name: Disaster Office, contact: bousai@pref.example.jp}
kpis:
  - id: kpi-subscribers
    name: Alert subscribers
    field: living
    unit: people
    direction: up
    baseline: {fy: 2024, value: 1000}
    target: {fy: 2027, value: 5000}
    source: Office survey
    department: bousai
  - id: kpi-unset
    name: Unset indicator
    field: living
    unit: "%"
    direction: up
    baseline: {fy: 2024, value: null}
    target: {fy: 2027, value: null}
    source: Office survey
    department: bousai
initiatives:
  - id: alerts
    name: Phone alerts
    item: disaster
    policies: [disaster-1]
    department: bousai
    kpis: [kpi-subscribers]
    tasks:
      - {id: study, name: Study, start: FY2025-H1, duration: 4mo}
      - {id: trial, name: Trial, after: [study], duration: 3mo, due: FY2025-H2}
      - id: brief
        name: Briefing
        depends: [{on: trial, type: SS, lag: -5bd}]
        duration: 2w
      - {id: launch, name: Launch, milestone: true, after: [trial, brief], due: FY2026-H1}
      - {id: review, name: Review, after: [launch], duration: 1half}
"""

BAD_PLAN = """\
id: bad plan
name: Bad
period: {start: FY2025, end: FY2024}
initiatives:
  - id: a
    name: A
    tasks:
      - {id: x, name: X, after: [y], duration: 3 days}
      - {id: y, name: Y, after: [x], duration: 1mo}
      - {id: x, name: X again, duration: 1mo}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aomori_roadmap.cli", "--lang", "en", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
    )


def japanese_in(text: str) -> list[str]:
    """The lines of ``text`` that hold Japanese, for a readable failure."""
    return [line for line in text.splitlines() if JAPANESE.search(line)]


# The Gantt JSON carries each period's Japanese name beside its English one, by its schema
# (``label_ja``, ``short_ja``, ``wareki``): data for the tools that read it, in any language.
BILINGUAL_KEYS = re.compile(r'"(label_ja|short_ja|wareki)": "[^"]*"')


def file_text(path: Path) -> str:
    """What a person or a program reads in a written file, as text."""
    data = path.read_bytes()
    if path.suffix == ".json":
        return BILINGUAL_KEYS.sub("", data.decode("utf-8"))
    if data[:2] == b"PK":  # an Office file: its XML parts
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    return data.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("english")
    (folder / "plan.yaml").write_text(PLAN, encoding="ascii")
    (folder / "bad.yaml").write_text(BAD_PLAN, encoding="ascii")
    return folder


def common(place: Path) -> list[str]:
    return ["--plan", str(place / "plan.yaml"), "--db", f"sqlite:///{place / 'store.db'}"]


GANTT_FORMATS = ["json", "frappe", "dhtmlx", "mermaid", "html", "svg", "mspdi", "xlsx"]

# In order: the writes come first, so that the reads have something to show.
COMMANDS: list[list[str]] = [
    ["db", "upgrade"],
    ["validate"],
    ["schedule"],
    ["schedule", "--format", "json"],
    ["status", "set", "alerts/study", "in_progress", "--at", "2025-04-10", "--actor", "Office"],
    ["status", "set", "alerts/study", "done", "--at", "2025-08-01", "--actor", "Office"],
    ["status", "show"],
    ["status", "history", "alerts/study"],
    ["status", "history", "alerts/study", "--format", "json"],
    ["revisions", "save", "--actor", "Office"],
    ["baseline", "set", "first", "--actor", "Office"],
    ["baseline", "list"],
    ["revisions", "list"],
    ["revisions", "diff", "1", "1"],
    ["kpi", "record", "kpi-subscribers", "2025", "1800", "--actor", "Office"],
    ["kpi", "show"],
    ["reviews", "list"],
    ["reviews", "due"],
    ["reminders"],
    ["tokens", "create", "--name", "staff", "--actor", "Office"],
    ["tokens", "create", "--feed", "workbooks", "--department", "bousai", "--actor", "Office"],
    ["tokens", "list"],
    ["ics"],
    *[["gantt", "--format", name] for name in GANTT_FORMATS if name != "xlsx"],
    ["gantt", "--baseline", "first", "--format", "json"],
]


def test_every_command_speaks_english(place: Path) -> None:
    said: list[str] = []
    for args in COMMANDS:
        done = run(*common(place), "--as-of", "2025-10-15", *args, cwd=place)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        shown = done.stdout + done.stderr
        if "json" in args:
            shown = BILINGUAL_KEYS.sub("", shown)
        said += [f"{' '.join(args)}: {line}" for line in japanese_in(shown)]
    assert said == []


@pytest.mark.parametrize("fmt", ["md", "html", "json", "xlsx"])
def test_the_report_in_english(place: Path, fmt: str) -> None:
    out = place / f"report.{fmt}"
    done = run(
        *common(place), "--as-of", "2026-03-31", "report", "--fy", "2025", "-o", str(out), cwd=place
    )
    assert done.returncode == 0, done.stderr
    assert japanese_in(done.stdout + done.stderr + file_text(out)) == []


@pytest.mark.parametrize("fmt", GANTT_FORMATS)
def test_every_gantt_file_in_english(place: Path, fmt: str) -> None:
    out = place / f"gantt.{fmt}"
    done = run(
        *common(place), "--as-of", "2025-10-15", "gantt", "--format", fmt, "-o", str(out), cwd=place
    )
    assert done.returncode == 0, done.stderr
    assert japanese_in(file_text(out)) == []


def test_every_feed_in_english(place: Path) -> None:
    from aomori_roadmap.formats import FEEDS

    for feed in FEEDS:
        done = run(*common(place), "ics", "--feed", feed, cwd=place)
        assert done.returncode == 0, (feed, done.stderr)
        assert japanese_in(done.stdout) == [], feed


def test_mistakes_are_reported_in_english(place: Path) -> None:
    cases = [
        ["--plan", str(place / "bad.yaml"), "validate"],
        ["--plan", str(place / "nowhere.yaml"), "validate"],
        [*common(place), "status", "set", "alerts/nosuch", "done", "--actor", "Office"],
        [*common(place), "status", "set", "alerts/trial", "sleeping", "--actor", "Office"],
        [*common(place), "status", "set", "alerts/trial", "done", "--progress", "500"],
        [*common(place), "kpi", "record", "kpi-nosuch", "2025", "ten", "--actor", "Office"],
        [*common(place), "gantt", "--format", "png"],
        [*common(place), "gantt", "--baseline", "nope"],
        [*common(place), "revisions", "diff", "1", "99"],
        [*common(place), "--as-of", "2025-13-01", "status", "show"],
        [*common(place), "tokens", "revoke", "999"],
        [
            *common(place),
            "reviews",
            "record",
            "FY2099-H1",
            "alerts",
            "--rating",
            "A",
            "--actor",
            "x",
        ],
    ]
    said = []
    for args in cases:
        done = run(*args, cwd=place)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.strip(), args
        said += [
            f"{' '.join(args[-4:])}: {line}" for line in japanese_in(done.stdout + done.stderr)
        ]
    assert said == []


def test_help_is_in_english(place: Path) -> None:
    groups = [[], ["status"], ["revisions"], ["baseline"], ["db"], ["kpi"], ["reviews"],
              ["tokens"], ["schema"], ["workbook"]]  # fmt: skip
    commands = [["validate"], ["schedule"], ["gantt"], ["ics"], ["demo"], ["reminders"],
                ["report"], ["serve"], ["status", "set"], ["kpi", "record"],
                ["reviews", "record"], ["tokens", "create"], ["workbook", "out"],
                ["workbook", "in"]]  # fmt: skip
    said = []
    for args in groups + commands:
        done = run(*args, "--help", cwd=place)
        assert done.returncode == 0, (args, done.stderr)
        said += [f"{' '.join(args)}: {line}" for line in japanese_in(done.stdout)]
    assert said == []


def test_the_department_workbooks_in_english(place: Path) -> None:
    from aomori_roadmap.plan.loader import load_plan
    from aomori_roadmap.workbook.fill import fill_workbook

    folder = place / "workbooks"
    store = ["--plan", str(place / "plan.yaml"), "--db", f"sqlite:///{place / 'wb.db'}"]
    out = run(*store, "--as-of", "2025-09-30", "workbook", "out", "--cycle", "FY2025-H1",
              "--csv", "-o", str(folder), cwd=place)  # fmt: skip
    assert out.returncode == 0, out.stderr
    book, sheet = (
        folder / "FY2025-H1_progress_bousai.xlsx",
        folder / "FY2025-H1_progress_bousai.csv",
    )
    said = japanese_in(out.stdout + out.stderr + file_text(book) + sheet.read_text("utf-8-sig"))
    filled = fill_workbook(book.read_bytes(), load_plan(place / "plan.yaml"), {
        ("tasks", "alerts/study", "status"): "In progress",
        ("tasks", "alerts/study", "started"): "2025/4/10",
        ("tasks", "alerts/trial", "progress"): "lots",
        ("initiatives", "alerts", "rating"): "B",
    })  # fmt: skip
    book.write_bytes(filled)
    wrong = run(*store, "workbook", "in", str(book), cwd=place)
    assert wrong.returncode == 2 and "Tasks!" in wrong.stderr, wrong.stderr
    fixed = fill_workbook(
        filled, load_plan(place / "plan.yaml"), {("tasks", "alerts/trial", "progress"): 0}
    )
    book.write_bytes(fixed)
    for args in (["--dry-run", str(book)], [str(book)], [str(sheet)]):
        done = run(*store, "workbook", "in", *args, cwd=place)
        assert done.returncode == 0, (args, done.stderr)
        said += japanese_in(done.stdout + done.stderr)
    assert said == []
