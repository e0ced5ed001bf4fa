"""The site's files: the same bytes again, a past cycle made again exactly, links that resolve,
text that stays text, open data that validates and round-trips."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from forking import count_forks
from jsonschema import Draft202012Validator, FormatChecker
from sitetest import files_under, record_later, site_plan
from storetest import Clock

from aomori_roadmap.parallel import can_fork
from aomori_roadmap.plan.loader import default_plan
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.site import build, build_site, pages, write_site
from aomori_roadmap.site.opendata import read_table_csv
from aomori_roadmap.site.tables import site_tables
from aomori_roadmap.store import Store
from aomori_roadmap.views import site as views_site
from aomori_roadmap.views.rollup import rollup
from aomori_roadmap.views.site import site_data, site_moment

TODAY = date(2026, 6, 1)


def _site(plan: Plan, store: Store | None, lang: str = "ja", **moment: object) -> dict[str, bytes]:
    chosen = site_moment(plan, today=TODAY, **moment)  # type: ignore[arg-type]
    return build_site(site_data(plan, store, chosen, lang=lang)).files


def test_the_same_inputs_give_the_same_bytes(plan: Plan, store: Store) -> None:
    first = _site(plan, store, cycle="R7上期")
    assert _site(plan, store, cycle="R7上期") == first
    pages = [p for p in first if p.endswith(".html")]
    # index, changes, KPI and cycle lists, 1 field, 1 item, 2 initiatives, 2 KPIs + 2
    # indicators, 3 cycles (R6上期, R6下期, R7上期), the open data page.
    assert len(pages) == 4 + 1 + 1 + 2 + 4 + 3 + 1


def test_a_past_cycle_is_made_again_exactly(
    plan: Plan, store: Store, clock: Clock, tmp_path: Path
) -> None:
    site = write_site(tmp_path / "first", plan, store, cycle="R7上期", today=TODAY)
    record_later(store, clock)
    again = write_site(tmp_path / "again", plan, store, cycle="R7上期", today=TODAY)
    assert again.files == site.files
    assert files_under(tmp_path / "again") == site.files
    # A site of today does see the later records.
    assert _site(plan, store, as_of=date(2025, 12, 2)) != _site(
        plan, store, as_of=date(2025, 12, 1)
    )


@pytest.mark.skipif(not can_fork(), reason="this system does not fork")
def test_two_processes_write_the_same_site_as_one(
    plan: Plan, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``jobs=2`` each process writes the files it made, and the child's pages are read
    back for the answer: the same files, on disk and in it, as one process makes."""
    monkeypatch.setattr(build, "SHARE_FROM", 1)  # share the pages of this small plan too
    forked = count_forks(monkeypatch, build, views_site)
    alone = write_site(tmp_path / "one", plan, store, as_of=date(2025, 11, 5), today=TODAY)
    assert forked == []
    two = write_site(tmp_path / "two", plan, store, as_of=date(2025, 11, 5), today=TODAY, jobs=2)
    assert forked == ["_facts_in_own_store", "their_pages"]
    assert list(two.files) == list(alone.files)  # in the same order, too
    assert two.files == alone.files
    assert files_under(tmp_path / "two") == files_under(tmp_path / "one") == alone.files


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for key in ("href", "src"):
            if found.get(key):
                self.links.append(str(found[key]))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_link_resolves_inside_the_site(plan: Plan, store: Store, lang: str) -> None:
    files = _site(plan, store, lang, cycle="R7上期")
    for path, body in files.items():
        if not path.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.links:
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", link), f"{path}: {link} leaves the site"
            target, fragment = urldefrag(link)
            if not target:
                assert fragment in parser.ids, f"{path}: no #{fragment}"
                continue
            resolved = (Path("/") / path).parent.joinpath(target).resolve().as_posix()[1:]
            assert resolved in files, f"{path}: {link} → {resolved} is not in the site"


def test_a_long_list_of_changes_is_summed_up_by_initiative(
    plan: Plan, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = site_moment(plan, today=TODAY, cycle="R7上期")
    data = site_data(plan, store, chosen)
    full = build_site(data).files["changes.html"].decode()
    assert data.changes and full.count('<tr><th scope="row">') == len(data.changes)
    monkeypatch.setattr(pages, "FULL_CHANGES", len(data.changes) - 1)
    files = build_site(data).files
    page = files["changes.html"].decode()
    assert 'href="data/changes.csv"' in page and f"{len(data.changes):,}" in page
    # The KPIs' changes in full; the initiatives' counted by kind, linking to their pages.
    kpi_changes = [c for c in data.changes if c.subject == "kpi"]
    assert kpi_changes and all(f'href="kpis/{c.ref}.html"' in page for c in kpi_changes)
    counted = {c.ref.split("/")[0] for c in data.changes if c.subject != "kpi"}
    for initiative in counted:
        name = data.initiatives[initiative].name
        row = re.search(
            rf'<tr><th scope="row"><a href="initiatives/{initiative}.html">{name}</a></th>(.*?)</tr>',
            page,
        )
        assert row is not None
        cells = [
            int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td>', row[1])
        ]
        mine = [c for c in data.changes if c.subject != "kpi" and c.ref.split("/")[0] == initiative]
        assert cells == [
            sum(c.kind == kind for c in mine) for kind in ("new", "status", "dates", "rating")
        ]
    parser = _Links()
    parser.feed(page)
    assert all(link.split("#")[0] in files for link in parser.links if not link.startswith("#"))


def test_a_site_with_the_roll_up_of_every_plan_of_its_store(plan: Plan, store: Store) -> None:
    other = default_plan()
    with Store(store.url, plan=other) as second:
        second.add_plan(other, owner="青森市", actor="DX推進課")
        second.record_status(next(iter(other.iter_tasks()))[0], "done", actor="DX推進課")
    store.add_plan(plan, owner="青森県", actor="企画調整課")
    moment = site_moment(plan, cycle="R7上期", today=TODAY)
    data = site_data(plan, store, moment)
    found = rollup(store.url, as_of=moment.as_of)
    files = build_site(data, rollup=found).files
    page = files["rollup.html"].decode()
    assert sorted(p.plan_id for p in found.plans) == sorted([plan.id, other.id])
    for row in found.plans:  # each plan a row: its id, its owner, its task count
        cells = re.search(rf'<tr><th scope="row">{row.plan_id}</th>(.*?)</tr>', page)
        assert cells is not None and f"<td>{row.owner}</td>" in cells[1]
        assert f'<td class="num">{row.tasks}</td>' in cells[1]
    assert f'<td class="num">{found.tasks}</td>' in page  # the totals row
    # Every page links to it, and every link of it resolves.
    for path, body in files.items():
        if path.endswith(".html"):
            assert "rollup.html" in body.decode(), path
    parser = _Links()
    parser.feed(page)
    assert all(link.split("#")[0] in files for link in parser.links if not link.startswith("#"))
    # Without a roll-up the site has no such page and no link to it.
    alone = build_site(data).files
    assert "rollup.html" not in alone and b"rollup.html" not in alone["index.html"]


def test_user_text_stays_text(tmp_path: Path, clock: Clock) -> None:
    evil = "<script>alert(1)</script>"
    plan = site_plan(name=f"計画{evil}", subtitle='"><img src=x onerror=alert(1)>')
    data = dict(plan.model_dump())
    data["initiatives"][0]["name"] = f"取組{evil}"
    plan = type(plan).model_validate(data)
    with Store(f"sqlite:///{tmp_path / 'x.db'}", plan=plan, clock=clock) as store:
        clock.now = clock.now.replace(year=2025, month=4, day=10)
        store.reviews.submit("FY2024-H2", "a", rating="○", actor="d1",
                             issues="=HYPERLINK(\"http://x\")", achievements="@SUM(A1)")  # fmt: skip
        files = _site(plan, store, as_of=date(2025, 6, 1))
    for path, body in files.items():  # data files keep the text as it is
        text = body.decode("utf-8")
        if path.endswith(".html"):
            assert "<script" not in text and "<img" not in text, path
    index = files["index.html"].decode("utf-8")
    assert "計画&lt;script&gt;alert(1)&lt;/script&gt;" in index
    reviews = files["data/reviews.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in reviews and "'@SUM(A1)" in reviews
    assert '"=HYPERLINK' not in reviews.replace("'=HYPERLINK", "")
    back = json.loads(files["data/reviews.json"])
    assert {r["issues"] for r in back["rows"]} >= {'=HYPERLINK("http://x")'}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_open_data_validates_and_round_trips(plan: Plan, store: Store, lang: str) -> None:
    moment = site_moment(plan, cycle="R7上期", today=TODAY)
    data = site_data(plan, store, moment, lang=lang)
    files = build_site(data).files
    package = json.loads(files["data/datapackage.json"])
    assert [r["path"] for r in package["resources"]] == [
        "initiatives.csv", "tasks.csv", "reviews.csv", "kpis.csv", "kpi-values.csv", "changes.csv",
    ]  # fmt: skip
    for table in site_tables(data):
        document = json.loads(files[f"data/{table.name}.json"])
        schema = json.loads(files[f"data/{table.name}.schema.json"])
        Draft202012Validator.check_schema(schema)
        errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(
            document))  # fmt: skip
        assert errors == [], table.name
        csv_rows = read_table_csv(files[f"data/{table.name}.csv"], table.columns)
        assert files[f"data/{table.name}.csv"].startswith(b"\xef\xbb\xbf")
        assert csv_rows == document["rows"] or _same(csv_rows, document["rows"]), table.name
    values = json.loads(files["data/kpi-values.json"])["rows"]
    k1 = {r["fy"]: r for r in values if r["kpi"] == "k1"}
    assert (k1[2025]["actual"], k1[2025]["planned"], k1[2025]["rate"]) == (140, 130, 40)
    k2 = {r["fy"]: r for r in values if r["kpi"] == "k2"}
    assert (k2[2024]["actual"], k2[2024]["mark"]) == (None, "unknown")


def _same(csv_rows: list[dict[str, object]], json_rows: list[dict[str, object]]) -> bool:
    """Dates come back from CSV as dates, from JSON as ISO text."""

    def plain(row: dict[str, object]) -> dict[str, object]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}

    return [plain(r) for r in csv_rows] == json_rows


def test_the_english_site_has_no_japanese_words_of_its_own(tmp_path: Path, clock: Clock) -> None:
    english = site_plan(
        name="Plan", fields=[{"id": "f1", "name": "Industry"}],
        items=[{"id": "i1", "field": "f1", "name": "Industry DX"}],
        departments=[{"id": "d1", "name": "Policy"}],
        review_policy={"ratings": [{"symbol": "A", "label": "ahead"},
                                   {"symbol": "B", "label": "behind"}]},
    )  # fmt: skip
    data = english.model_dump()
    for kpi in [*data["kpis"], *data["indicators"]]:
        kpi["name"], kpi["unit"] = kpi["id"], "pcs"
    for initiative in data["initiatives"]:
        initiative["name"] = initiative["id"]
        for task in initiative["tasks"]:
            task["name"] = task["id"]
    english = type(english).model_validate(data)
    files = _site(english, None, "en", as_of=date(2025, 11, 5))
    japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
    for path, body in files.items():
        found = japanese.findall(body.decode("utf-8"))
        assert not found, f"{path}: {''.join(found[:20])}"


def test_without_shared_memory_for_the_shares_one_process_makes_the_pages(
    plan: Plan, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_shared_memory(*args: object, **kwargs: object) -> None:
        raise OSError("no /dev/shm")

    monkeypatch.setattr(build, "SHARE_FROM", 1)
    monkeypatch.setattr(build, "Shares", no_shared_memory)
    forked = count_forks(monkeypatch, build)
    alone = write_site(tmp_path / "one", plan, store, as_of=date(2025, 11, 5), today=TODAY)
    tried = write_site(tmp_path / "two", plan, store, as_of=date(2025, 11, 5), today=TODAY, jobs=2)
    assert forked == [] and tried.files == alone.files
    assert files_under(tmp_path / "two") == alone.files


def test_a_small_value_and_its_change_show_every_digit(
    plan: Plan, store: Store, clock: Clock
) -> None:
    """A value of 0.001 (0.004 corrected) or 0.00001 reads as itself on the pages, where two
    decimals showed 0, and in the changes' open data, where Python's repr wrote 1e-05."""
    from storetest import jst

    clock.now = jst(2025, 10, 20)
    first = store.kpis.record("k1", 2024, 0.004, actor="d1")
    clock.now = jst(2025, 10, 21)
    store.kpis.record("k1", 2024, 0.001, actor="d1", corrects=first.id)
    store.kpis.record("k2", 2024, 1e-05, actor="d1")
    moment = site_moment(plan, as_of=date(2025, 11, 5), today=TODAY)
    files = build_site(site_data(plan, store, moment)).files
    rows = files["data/changes.csv"].decode("utf-8-sig").splitlines()
    of = {r.split(",")[1]: r for r in rows if r.startswith("kpi,") and ",FY2024," in r}
    assert of["k1"].endswith(",0.001") and of["k2"].endswith(",0.00001")
    assert not [r for r in rows if "e-0" in r or r.endswith(".0")]
    shown = files["changes.html"].decode()
    assert "<td>0.001</td>" in shown and "<td>0.00001</td>" in shown
    assert "0.001" in files["kpis/k1.html"].decode()
