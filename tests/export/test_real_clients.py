"""Our Gantt exports read by the real clients: Frappe Gantt, DHTMLX Gantt and Mermaid in
headless Chromium, Mermaid's parser under Node, and MS Project XML through MPXJ.

Each check compares what the client read back (counts, dates, link types and lags, text) with
what we meant: every one of these tools accepts some bad data silently. The browser pages in
``tests/js/`` record errors (``window.onerror``, unhandled rejections, ``console.error``) and
whether any name got in as markup, then write what they drew into the DOM.

A test skips, saying why, only when its tool is missing: ``chromium`` (apt), the Node packages
(``npm ci --prefix tests/js``), or Java with ``mpxj`` and ``jpype1`` (pip).

The checks read the Gantt JSON of each plan; the exports are made from the view it reads back
into (``GanttData.from_json``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from aomori_roadmap.calendar import WorkCalendar
from aomori_roadmap.engine.schedule import Schedule, schedule
from aomori_roadmap.export import adapters, mspdi
from aomori_roadmap.export.adapters import one_line, safe_id
from aomori_roadmap.export.gantt import gantt_data
from aomori_roadmap.plan.loader import default_plan, load_plan
from aomori_roadmap.views.gantt import GanttData

JS = Path(__file__).resolve().parents[1] / "js"
AWKWARD = JS / "awkward-plan.json"
PACKAGES = ("frappe-gantt", "dhtmlx-gantt", "mermaid", "jsdom")


# --- the tools ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    found = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found:
        pytest.skip("Chromium is not installed (apt-get install -y chromium fonts-ipafont-gothic)")
    return found


@pytest.fixture(scope="session")
def node_modules() -> Path:
    missing = [
        name for name in PACKAGES if not (JS / "node_modules" / name / "package.json").is_file()
    ]
    if missing:
        pytest.skip(f"Node packages missing ({', '.join(missing)}): run `npm ci --prefix tests/js`")
    return JS / "node_modules"


@pytest.fixture(scope="session")
def node(node_modules: Path) -> str:
    found = shutil.which("node")
    if not found:
        pytest.skip("Node.js is not installed")
    return found


@pytest.fixture(scope="session")
def mpxj_reader() -> Iterator[Any]:
    """MPXJ's UniversalProjectReader class; the JVM starts once per test session."""
    jpype = pytest.importorskip("jpype", reason="jpype1 is not installed (pip install jpype1 mpxj)")
    pytest.importorskip("mpxj", reason="mpxj is not installed (pip install mpxj)")
    if not jpype.isJVMStarted():
        try:
            jpype.startJVM()
        except Exception as error:  # no Java runtime: JVMNotFoundException and friends
            pytest.skip(f"no Java runtime for MPXJ: {error}")
    from org.mpxj.reader import UniversalProjectReader  # type: ignore[import-not-found]

    yield UniversalProjectReader


# --- the plans ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["default", "awkward"])
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Schedule]:
    plan = default_plan() if request.param == "default" else load_plan(AWKWARD)
    computed = schedule(plan)
    return gantt_data(plan, computed).to_json(), computed


def frappe_tasks(data: dict[str, Any]) -> list[dict[str, Any]]:
    return adapters.frappe_tasks(GanttData.from_json(data))


def dhtmlx_data(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return adapters.dhtmlx_data(GanttData.from_json(data))


def mermaid_gantt(data: dict[str, Any]) -> str:
    return adapters.mermaid_gantt(GanttData.from_json(data))


def mspdi_xml(data: dict[str, Any], calendar: WorkCalendar) -> str:
    return mspdi.mspdi_xml(GanttData.from_json(data), calendar)


def _tasks(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in data["rows"] if row["kind"] in ("task", "milestone")]


def _milestones(data: dict[str, Any]) -> int:
    return sum(row["kind"] == "milestone" for row in data["rows"])


def _next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def _browser(chromium: str, page: str, variable: str, value: Any, tmp_path: Path) -> dict[str, Any]:
    """Open ``tests/js/<page>`` with ``window.<variable> = value``; return what it recorded."""
    data = tmp_path / "data.js"
    data.write_text(
        f"window.{variable} = {json.dumps(value, ensure_ascii=False)};\n", encoding="utf-8"
    )
    profile = tmp_path / "profile"
    url = f"{(JS / page).as_uri()}?data={quote(data.as_uri(), safe='')}"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    match = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert match, f"{page} wrote no result (exit {done.returncode}): {done.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    assert "fatal" not in result, result.get("fatal")
    return result


def _mermaid_text(text: str) -> str:
    """Text as Mermaid's db holds it (entities as ``ﬂ°°58¶ß``) decoded as its renderer does."""
    decoded = text.replace("ﬂ°°", "&#").replace("ﬂ°", "&").replace("¶ß", ";")
    return html.unescape(decoded).strip()


# --- Frappe Gantt ------------------------------------------------------------------------------


def test_frappe_draws_our_bars_arrows_and_milestones(
    chromium: str, node_modules: Path, case: tuple[dict[str, Any], Schedule], tmp_path: Path
) -> None:
    data, _ = case
    result = _browser(chromium, "frappe.html", "GANTT_TASKS", frappe_tasks(data), tmp_path)
    assert result["errors"] == []
    assert result["injected"] is False
    tasks = _tasks(data)
    pairs = {(link["from"], link["to"]) for link in data["links"]}
    assert (result["bars"], result["arrows"], result["milestones"]) == (
        len(tasks),
        len(pairs),
        _milestones(data),
    )
    drawn = {task["id"]: task for task in result["tasks"]}
    for row in tasks:
        task = drawn[safe_id(row["id"])]
        assert (task["start"], task["end"]) == (row["start"], row["finish"]), row["id"]
        assert task["label"] == one_line(row["name"])
        before = {safe_id(a) for a, b in pairs if b == row["id"]}
        assert set(task["dependencies"]) == before


# --- DHTMLX Gantt ------------------------------------------------------------------------------


def test_dhtmlx_draws_our_bars_links_and_milestones(
    chromium: str, node_modules: Path, case: tuple[dict[str, Any], Schedule], tmp_path: Path
) -> None:
    data, _ = case
    result = _browser(chromium, "dhtmlx.html", "GANTT_DATA", dhtmlx_data(data), tmp_path)
    assert result["errors"] == []
    assert result["injected"] is False
    assert (result["bars"], result["arrows"], result["milestones"]) == (
        len(data["rows"]),
        len(data["links"]),
        _milestones(data),
    )
    read = {task["id"]: task for task in result["tasks"]}
    assert list(read) == [row["id"] for row in data["rows"]]
    for row in data["rows"]:
        task = read[row["id"]]
        end = row["start"] if row["kind"] == "milestone" else _next_day(row["finish"])
        assert (task["start"], task["end"]) == (row["start"], end), row["id"]
        assert task["parent"] == (row["parent"] or "0")
        assert task["text"] == one_line(row["name"])
    codes = {"FS": "0", "SS": "1", "FF": "2", "SF": "3"}
    assert result["links"] == [
        {
            "source": link["from"],
            "target": link["to"],
            "type": codes[link["type"]],
            "lag": link["lag_days"],
        }
        for link in data["links"]
    ]


# --- Mermaid -----------------------------------------------------------------------------------


def test_mermaid_computes_our_dates_and_keeps_our_names(
    node: str, case: tuple[dict[str, Any], Schedule]
) -> None:
    data, _ = case
    done = subprocess.run(
        [node, str(JS / "mermaid_tasks.mjs")],
        input=mermaid_gantt(data),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=JS,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    rows = {safe_id(row["id"]): row for row in _tasks(data)}
    sections = {row["id"]: row["name"] for row in data["rows"] if row["kind"] == "initiative"}
    assert sorted(task["id"] for task in result["tasks"]) == sorted(rows)
    for task in result["tasks"]:
        row = rows[task["id"]]
        end = row["start"] if row["milestone"] else _next_day(row["finish"])
        assert (task["start"], task["end"]) == (row["start"], end), row["id"]
        assert task["milestone"] is row["milestone"]
        assert _mermaid_text(task["task"]) == one_line(row["name"])
        assert _mermaid_text(task["section"]) == one_line(sections[row["parent"]])
    assert _mermaid_text(result["title"]) == one_line(data["plan"]["name"])


def test_mermaid_renders_our_names_as_text(
    chromium: str, node_modules: Path, case: tuple[dict[str, Any], Schedule], tmp_path: Path
) -> None:
    data, _ = case
    result = _browser(chromium, "mermaid.html", "MERMAID_TEXT", mermaid_gantt(data), tmp_path)
    assert result["errors"] == []
    assert result["injected"] is False
    tasks = _tasks(data)
    assert (result["bars"], result["milestones"]) == (len(tasks), _milestones(data))
    labels = {ident.removeprefix("gantt-svg-"): text.strip() for ident, text in result["labels"]}
    assert labels == {safe_id(row["id"]): one_line(row["name"]) for row in tasks}
    initiatives = [one_line(row["name"]) for row in data["rows"] if row["kind"] == "initiative"]
    assert result["sections"] == initiatives
    assert result["title"] == one_line(data["plan"]["name"])


# --- MS Project XML through MPXJ ---------------------------------------------------------------

_RELATION = {"FINISH_START": "FS", "START_START": "SS", "FINISH_FINISH": "FF", "START_FINISH": "SF"}


def _read_mspdi(reader: Any, data: dict[str, Any], computed: Schedule, tmp_path: Path) -> Any:
    path = tmp_path / "roadmap.xml"
    path.write_text(mspdi_xml(data, computed.calendar), encoding="utf-8")
    return reader().read(str(path))


def test_mpxj_reads_our_tasks_outline_and_links(
    mpxj_reader: Any, case: tuple[dict[str, Any], Schedule], tmp_path: Path
) -> None:
    data, computed = case
    project = _read_mspdi(mpxj_reader, data, computed, tmp_path)
    tasks = [task for task in project.getTasks() if int(task.getUniqueID()) > 0]
    assert len(tasks) == len(data["rows"])
    uid = {row["id"]: n for n, row in enumerate(data["rows"], start=1)}
    into: dict[str, list[tuple[int, str, float]]] = {}
    for link in data["links"]:
        into.setdefault(link["to"], []).append(
            (uid[link["from"]], link["type"], float(link["lag_days"]))
        )
    for task, row in zip(tasks, data["rows"], strict=True):
        assert int(task.getUniqueID()) == uid[row["id"]]
        assert str(task.getName() or "") == one_line(row["name"])
        assert int(task.getOutlineLevel()) == row["level"] + 1
        begins = "17:00" if row.get("duration_days") == 0 else "09:00"
        assert str(task.getStart()) == f"{row['start']}T{begins}", row["id"]
        assert str(task.getFinish()) == f"{row['finish']}T17:00", row["id"]
        assert bool(task.getMilestone()) is (row.get("duration_days") == 0)
        assert bool(task.getSummary()) is (row["kind"] in ("field", "item", "initiative"))
        if row["kind"] == "task":
            duration = task.getDuration()
            assert (str(duration.getUnits()), float(duration.getDuration())) == (
                "d",
                float(row["duration_days"]),
            )
        links = []
        for relation in task.getPredecessors():
            lag = relation.getLag()
            assert str(lag.getUnits()) == "d"
            links.append(
                (
                    int(relation.getPredecessorTask().getUniqueID()),
                    _RELATION[str(relation.getType().name())],
                    float(lag.getDuration()),
                )
            )
        assert sorted(links) == sorted(into.get(row["id"], [])), row["id"]


def test_ms_project_scheduling_keeps_our_dates(
    mpxj_reader: Any, case: tuple[dict[str, Any], Schedule], tmp_path: Path
) -> None:
    """MPXJ's MicrosoftScheduler, an independent CPM that schedules as MS Project does, moves
    nothing: our dates meet every link, lag and duration on the exported calendar."""
    data, computed = case
    project = _read_mspdi(mpxj_reader, data, computed, tmp_path)
    before = {
        int(t.getUniqueID()): (str(t.getStart()), str(t.getFinish())) for t in project.getTasks()
    }
    from org.mpxj.cpm import MicrosoftScheduler  # type: ignore[import-not-found]

    MicrosoftScheduler().schedule(project, project.getProjectProperties().getStartDate())
    after = {
        int(t.getUniqueID()): (str(t.getStart()), str(t.getFinish())) for t in project.getTasks()
    }
    assert after == before


def test_mpxj_calendar_has_our_working_days(
    mpxj_reader: Any, case: tuple[dict[str, Any], Schedule], tmp_path: Path
) -> None:
    import jpype

    data, computed = case
    project = _read_mspdi(mpxj_reader, data, computed, tmp_path)
    calendar = project.getDefaultCalendar()
    local_date = jpype.JClass("java.time.LocalDate")
    day = date.fromisoformat(data["scale"]["start"])
    last = date.fromisoformat(data["scale"]["finish"])
    wrong = []
    while day <= last:
        theirs = bool(calendar.isWorkingDate(local_date.of(day.year, day.month, day.day)))
        if theirs != computed.calendar.is_working_day(day):
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []
    assert int(project.getProjectProperties().getMinutesPerDay()) == 480
