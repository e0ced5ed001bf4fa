"""The promise of ``validate``, checked on a plan folder: the property of the plan fuzzer.

For any folder of plan files:

- ``aomori-roadmap --lang LANG validate DIR`` exits 0 or 2 and never ends in a traceback;
- on 2, every problem it prints is located (``file:line[:column]: message``, naming a file of
  the folder or the embedded base plan), in the user's words: no pydantic or Python wording,
  no class names of the library, no raw control characters, and in Japanese no PyYAML English;
- on 0, the plan loads, schedules, renders every Gantt format and builds every calendar feed
  (whole, and filtered by each kind of id) without an error, and what it renders is well
  formed (JSON, XML, workbook, iCalendar).

:func:`run_promise` checks it; a broken promise raises :class:`PromiseBroken`, whose
``signature`` names the broken part and the shape of its message, so that many failures can be
grouped by cause.

>>> PromiseBroken("unlocated problem", "", "/tmp/p/plan.yaml: 土台のプラン 'x1' はありません。").signature
"unlocated problem: 土台のプラン '…' はありません。"
"""

from __future__ import annotations

import io
import json
import re
import signal
import tempfile
import traceback
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import icalendar
import openpyxl
from planmutate import BASE_PLAN, Folder, seed_texts
from typer.testing import CliRunner

from aomori_roadmap import FeedBuilder, FeedRequest, load_plan, schedule, take_snapshot
from aomori_roadmap.cli import app
from aomori_roadmap.export.render import render_gantt
from aomori_roadmap.formats import FEEDS, GANTT_FORMATS
from aomori_roadmap.i18n import using_language

__all__ = ["AS_OF_DATES", "PromiseBroken", "check_promise", "run_promise"]

T = TypeVar("T")

AS_OF_DATES = (
    date(2024, 4, 1), date(2025, 3, 31), date(2026, 11, 26), date(2035, 1, 1),
    date(1900, 1, 1), date(2200, 6, 30), date(9999, 12, 31),
)  # fmt: skip
"""The dates the views of a validated plan are drawn for: in and around the plans, and far."""

BASE_LABEL = f"<{BASE_PLAN}>/plan.yaml"
"""How problems in the embedded base plan are located."""

# What must never reach a user: pydantic's and Python's own wording, and the names of the
# library's classes; in Japanese, PyYAML's English either.
FOREIGN = re.compile(
    r"Input should|Field required|pydantic|validation errors? for|Extra inputs|Value error|"
    r"Traceback|Exceeds the limit|day is out of range|out of range|invalid literal|"
    r"has no attribute|not supported between|unsupported operand|codec can't|Errno|"
    r"<class '|\bNoneType\b|\bFiscalYear\b|\bDuration\b|\bHalf\(|\bQuarter\(|\bDay\(|"
    r"\bdatetime\.|\bPlan\(|\bTask\("
)
PYYAML = re.compile(
    r"\bwhile (scanning|parsing|constructing|reading)\b|\bfound (character|unexpected|undefined|"
    r"duplicate|unknown|unhashable)\b|\bexpected [a-z<'\x22,:]|could not (find|determine)|"
    r"did not find|but found"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SUMMARY = re.compile(r"^\d+件の問題があります|^\d+ problem\(s\) found")
_LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<message>\S.*)$")


class PromiseBroken(AssertionError):
    """The promise did not hold: ``kind`` says which part broke, ``detail`` what happened."""

    def __init__(self, kind: str, detail: str, message: str = "") -> None:
        super().__init__(f"{kind}\n{detail}")
        self.kind = kind
        self.detail = detail
        self.signature = f"{kind}: {_shape(message)}" if message else kind


def _shape(message: str) -> str:
    """``message`` without its place, quoted values and numbers: what stays the same per cause."""
    located = _LOCATED.match(message)
    if located:
        message = located["message"]
    elif message.startswith("/") and ": " in message:
        message = message.split(": ", 1)[1]
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    return re.sub(r"\d+", "N", message)[:80]


class _TooSlow(BaseException):
    """Raised by a timer inside a stage that ran too long (no ``except Exception`` catches it)."""


@contextmanager
def _time_limit(seconds: float, stage: str) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise _TooSlow(stage)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TooSlow:
        raise PromiseBroken(f"too slow: {stage}", f"{stage} ran longer than {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _raised(stage: str, error: BaseException) -> PromiseBroken:
    """``stage`` raised ``error``: named by its type and the innermost frame of the library."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/aomori_roadmap/" in frame.filename] or frames
    where = f" at {Path(ours[-1].filename).name}:{ours[-1].name}" if ours else ""
    text = "".join(traceback.format_exception(error))
    return PromiseBroken(f"{stage} raised {type(error).__name__}{where}", text[-4000:])


def _line_count(content: bytes) -> int:
    """At most how many lines YAML sees in ``content`` (every kind of line break counts)."""
    breaks = (b"\n", b"\r", "\x85".encode(), "\u2028".encode(), "\u2029".encode())
    return sum(content.count(mark) for mark in breaks) + 1


def _check_messages(folder: Folder, root: Path, stderr: str, stdout: str, lang: str) -> None:
    """Exit 2: every problem located in a file of the folder (or the base plan), readable."""
    files = {str(root / name): content for name, content in folder.files.items()}
    files[BASE_LABEL] = seed_texts("embedded")["plan.yaml"].encode("utf-8")
    lines = [line for line in stderr.split("\n") if line.strip()]
    problems = [line for line in lines if not _SUMMARY.match(line)]
    if not problems:
        raise PromiseBroken("exit 2 without a problem", f"stderr: {stderr!r}\nstdout: {stdout!r}")
    for line in problems:
        match = _LOCATED.match(line)
        if match is None or match["path"] not in files:
            raise PromiseBroken("unlocated problem", line, line)
        count = _line_count(files[match["path"]])
        if not 1 <= int(match["line"]) <= count + 1:  # one past the last: the end of the file
            raise PromiseBroken("located past the end of its file", f"{line} ({count} lines)", line)
    for line in [*lines, *stdout.split("\n")]:
        foreign = FOREIGN.search(line) or (PYYAML.search(line) if lang == "ja" else None)
        if foreign:
            raise PromiseBroken(f"foreign wording: {foreign.group(0)}", line, line)
        if _CONTROL.search(line):
            raise PromiseBroken("raw control character in a message", repr(line), line)


def _well_formed(fmt: str, payload: str | bytes) -> None:
    if fmt in ("json", "frappe", "dhtmlx"):
        json.loads(payload)
    elif fmt in ("svg", "mspdi"):
        ElementTree.fromstring(payload)
    elif fmt == "xlsx":
        openpyxl.load_workbook(io.BytesIO(payload if isinstance(payload, bytes) else b""))


def _stage(stage: str, limit: float, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)``, in at most ``limit`` seconds and without an exception."""
    with _time_limit(limit, stage):
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise _raised(stage, error) from error


def _check_views(folder: Path, as_of: date, lang: str, limit: float) -> None:
    """Exit 0: the plan loads, schedules, renders and feeds without an error.

    Each call of the library gets ``limit`` seconds; reading its output back does not count.
    """
    plan = _stage("validated plan: load_plan", limit, load_plan, folder)
    _stage("validated plan: schedule", limit, schedule, plan)
    snapshot = _stage("validated plan: snapshot", limit, take_snapshot, plan, None, as_of=as_of)
    for fmt in GANTT_FORMATS:
        payload = _stage(
            f"validated plan: gantt {fmt}", limit, render_gantt, snapshot, fmt, lang=lang
        )
        _stage(f"validated plan: gantt {fmt} is not well formed", 600, _well_formed, fmt, payload)
    builder = FeedBuilder(plan, lang=lang, alarm_days=3, base_url="https://dx.example.jp/roadmap/")
    for feed in FEEDS:
        built = _stage(f"validated plan: feed {feed}", limit, builder.build, FeedRequest(feed))
        stage = f"validated plan: feed {feed} is not well formed"
        _stage(stage, 600, icalendar.Calendar.from_ical, built.body)
    # Filtered by the first of each kind of id the plan has: a subset is drawn and fed the same.
    firsts = {
        key: values[0].id
        for key, values in (
            ("field", plan.fields),
            ("item", plan.items),
            ("initiative", plan.initiatives),
            ("department", plan.departments),
            ("priority", plan.priorities),
        )
        if values
    }
    for key, value in firsts.items():
        stage = f"validated plan: gantt svg by {key}"
        _stage(stage, limit, render_gantt, snapshot, "svg", **{key: value})
        if key != "item":  # the feeds have no item filter
            request = FeedRequest("all", **{key: value})
            _stage(f"validated plan: feed all by {key}", limit, builder.build, request)


runner = CliRunner()


def check_promise(folder: Folder, root: Path, *, as_of: date, lang: str, limit: float = 30) -> int:
    """Write ``folder`` under ``root`` and check the promise; return the exit status of validate.

    ``validate``, and each call of the library on a validated plan, get ``limit`` seconds.

    Raises:
        PromiseBroken: the promise did not hold.
    """
    folder.write(root)
    with using_language(lang), _time_limit(limit, "validate"):
        result = runner.invoke(app, ["--lang", lang, "validate", str(root)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise _raised("validate", result.exception)
    if result.exit_code not in (0, 2):
        raise PromiseBroken(f"validate exit {result.exit_code}", result.output)
    if result.exit_code == 2:
        _check_messages(folder, root, result.stderr, result.stdout, lang)
        return 2
    if ("問題はありません" if lang == "ja" else "No problems found") not in result.stdout:
        raise PromiseBroken("exit 0 without saying so", result.output)
    _check_views(root, as_of, lang, limit)
    return 0


def run_promise(folder: Folder, as_of: date, lang: str) -> int:
    """:func:`check_promise` in a fresh temporary folder."""
    with tempfile.TemporaryDirectory(prefix="plan-fuzz-") as tmp:
        return check_promise(folder, Path(tmp) / "plan", as_of=as_of, lang=lang)
