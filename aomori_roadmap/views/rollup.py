"""The roll-up of many plans in one store on a date: each plan's standing and the totals.

For the prefecture that shares one database with its municipalities: per plan, its tasks
counted by status and by lateness, its review submissions per half-year cycle and its KPIs
counted by evaluation; across the plans the same totals, and the plans that are behind (a
share of late tasks at or above ``behind_share``).

Each plan is read as it stands in its own part of the store: its newest revision is the plan
(a plan without a revision is counted from its status alone), its states as of the date come
from one status query. A revision never changes, so the plan read from it and its planned
schedule (the yardstick of lateness) are kept per revision hash for the next roll-up in the
same process.

>>> import tempfile, pathlib
>>> from datetime import date
>>> from aomori_roadmap.plan.loader import default_plan
>>> from aomori_roadmap.store import Store
>>> with tempfile.TemporaryDirectory() as tmp:
...     url = f"sqlite:///{pathlib.Path(tmp) / 'shared.db'}"
...     with Store(url, plan=default_plan()) as store:
...         _ = store.add_plan(default_plan(), owner="青森県", actor="DX推進課")
...     found = rollup(url, as_of=date(2025, 3, 31))
>>> [(p.plan_id, p.tasks, p.status["planned"]) for p in found.plans]
[('aomori-dx-2024-2028', 38, 38)]
>>> found.behind
['aomori-dx-2024-2028']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aomori_roadmap.calendar import FiscalYear
from aomori_roadmap.engine.kpi import evaluate
from aomori_roadmap.engine.schedule import Schedule, plan_calendar, schedule
from aomori_roadmap.engine.status import Lateness, Status, lateness_all
from aomori_roadmap.errors import PlanError
from aomori_roadmap.i18n import _, pgettext, using_language
from aomori_roadmap.parallel import Beside, Shares, can_fork
from aomori_roadmap.plan.model import Plan
from aomori_roadmap.store import PlanInfo, Store

__all__ = ["BEHIND_SHARE", "PlanRollup", "Rollup", "RollupTables", "rollup", "rollup_tables"]

BEHIND_SHARE = 0.1
"""A plan is behind when at least this share of its tasks is late."""

_KEPT = 64  # revisions whose plan and planned schedule are kept
_by_revision: dict[str, tuple[Plan, Schedule]] = {}


@dataclass(frozen=True, slots=True)
class PlanRollup:
    """One plan on the roll-up's date.

    ``status``: tasks per status code (tasks never reported are ``planned``); ``lateness``:
    tasks per lateness code (empty without a revision: there is no schedule to be late
    against); ``reviews``: per cycle code, how many initiatives submitted and how many were
    reviewed; ``kpis``: KPIs per evaluation code (``unset`` without a value), with
    ``kpi_labels`` naming each code.
    """

    plan_id: str
    name: str
    owner: str
    period: str
    revision: int | None
    tasks: int
    status: Mapping[str, int]
    lateness: Mapping[str, int]
    reviews: Mapping[str, Mapping[str, int]]
    kpis: Mapping[str, int]
    kpi_labels: Mapping[str, str] = field(default_factory=dict)
    behind: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, keys in a stable order."""
        return {
            "plan": self.plan_id,
            "name": self.name,
            "owner": self.owner,
            "period": self.period,
            "revision": self.revision,
            "tasks": self.tasks,
            "status": dict(self.status),
            "lateness": dict(self.lateness),
            "reviews": {cycle: dict(counts) for cycle, counts in self.reviews.items()},
            "kpis": dict(self.kpis),
            "behind": self.behind,
        }


@dataclass(frozen=True, slots=True)
class Rollup:
    """Every plan of the roll-up, the totals across them, and the plans that are behind."""

    as_of: date
    plans: Sequence[PlanRollup]
    status: Mapping[str, int]
    lateness: Mapping[str, int]
    reviews: Mapping[str, Mapping[str, int]]
    kpis: Mapping[str, int]
    behind: list[str]

    @property
    def tasks(self) -> int:
        """The tasks of every plan."""
        return sum(p.tasks for p in self.plans)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data: the date, each plan and the totals."""
        return {
            "as_of": self.as_of.isoformat(),
            "plans": [p.to_json() for p in self.plans],
            "totals": {
                "tasks": self.tasks,
                "status": dict(self.status),
                "lateness": dict(self.lateness),
                "reviews": {cycle: dict(counts) for cycle, counts in self.reviews.items()},
                "kpis": dict(self.kpis),
            },
            "behind": list(self.behind),
        }


def _planned(store: Store, info: PlanInfo) -> tuple[Plan, Schedule] | None:
    """The plan of the newest revision and its planned schedule, kept per revision hash."""
    if info.revision is None:
        return None
    digest = store.revision_info(info.revision).hash
    kept = _by_revision.pop(digest, None)
    if kept is None:
        plan = store.revision(info.revision)
        kept = (plan, schedule(plan, calendar=plan_calendar(plan)))
    _by_revision[digest] = kept  # the most recently used last
    while len(_by_revision) > _KEPT:
        del _by_revision[next(iter(_by_revision))]
    return kept


def _kpis(plan: Plan, store: Store, fy: int, lang: str) -> tuple[Counter[str], dict[str, str]]:
    values = store.kpis.values()
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for kpi in plan.kpis:
        years = [year for year in values.get(kpi.id, {}) if year <= fy]
        actual = values[kpi.id][max(years)] if years else None
        year = max(years) if years else fy
        grade = evaluate(kpi, year, actual, plan.evaluation, lang=lang)
        counts[grade.code] += 1
        labels.setdefault(grade.code, grade.label)
    return counts, labels


def _reviews(store: Store) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for (cycle, _initiative), state in sorted(store.reviews.states().items()):
        counts = found.setdefault(cycle, {"submitted": 0, "reviewed": 0})
        counts["submitted"] += state.submission is not None
        counts["reviewed"] += state.review is not None
    return found


def _one(
    catalogue: Store, info: PlanInfo, as_of: date, lang: str, behind_share: float
) -> PlanRollup:
    with catalogue.for_plan(plan_id=info.id) as reader:
        kept = _planned(reader, info)
    plan, planned = kept if kept is not None else (None, None)
    with catalogue.for_plan(plan, plan_id=info.id) as store:
        states = store.status_as_of(as_of)
        status: Counter[str] = Counter()
        late: Counter[str] = Counter()
        reviews: dict[str, dict[str, int]] = {}
        kpis: Counter[str] = Counter()
        labels: dict[str, str] = {}
        if plan is not None and planned is not None:
            tasks = planned.tasks
            for ref in tasks:
                state = states.get(ref)
                status[Status.PLANNED if state is None else state.status] += 1
            late.update(lateness_all(planned, states, as_of).values())
            reviews = _reviews(store)
            kpis, labels = _kpis(plan, store, FiscalYear.of(as_of).year, lang)
            count = len(tasks)
        else:
            status.update(state.status for state in states.values() if "/" in state.ref)
            count = sum(status.values())
    ordered_status = {s.value: status.get(s, 0) for s in Status}
    ordered_late = {} if planned is None else {x.value: late.get(x, 0) for x in Lateness}
    share = ordered_late.get(Lateness.LATE.value, 0) / count if count else 0.0
    return PlanRollup(
        plan_id=info.id,
        name=info.name,
        owner=info.owner,
        period=info.period,
        revision=info.revision,
        tasks=count,
        status=ordered_status,
        lateness=ordered_late,
        reviews=reviews,
        kpis=dict(sorted(kpis.items())),
        kpi_labels=labels,
        behind=planned is not None and share >= behind_share,
    )


def rollup(
    url: str,
    *,
    as_of: date,
    plans: Iterable[str] | None = None,
    lang: str = "ja",
    behind_share: float = BEHIND_SHARE,
    jobs: int = 1,
) -> Rollup:
    """The roll-up of the plans of the store at ``url`` on ``as_of`` (all, or ``plans``).

    Args:
        url: the store that holds the plans (read as the owner of its tables, where
            row-level security is on: a role sees only its own plans).
        as_of: the date of the states (the end of that day where each plan is).
        plans: the ids of the plans to roll up, in this order (default: every plan, by id).
        lang: the language of the KPI evaluations' labels.
        behind_share: the share of late tasks from which a plan is behind.
        jobs: with 2 or more, a forked process beside this one reads plans too (where the
            system forks and the store is not an in-memory SQLite database): the two take
            the plans one at a time as they go (:class:`~aomori_roadmap.parallel.Shares`), so
            the plans that this process has not read before are read and scheduled in about
            half the time, however their sizes differ. The command gives the number of
            cores, the library 1 (forking does not suit a server with threads; a server
            keeps the plans it has read, see the module's description).

    Raises:
        PlanError: a plan id that the store does not hold.
        StoreError: the store cannot be read.
    """
    with Store(url) as catalogue:  # one pool of connections for every plan
        held = {info.id: info for info in catalogue.plans()}
        wanted = list(held) if plans is None else list(dict.fromkeys(plans))
        unknown = [plan_id for plan_id in wanted if plan_id not in held]
        if unknown:
            raise PlanError(
                _("The store holds no plan {plans}. It holds: {held}").format(
                    plans=", ".join(unknown), held=", ".join(held) or "-"
                )
            )
        infos = [held[p] for p in wanted]
        shares = None
        if jobs > 1 and len(infos) > 1 and catalogue.database.shareable and can_fork():
            with suppress(OSError):  # no shared memory for the counter's lock (no /dev/shm)
                shares = Shares(list(enumerate(infos)), 1)
        if shares is None:
            rows = [_one(catalogue, info, as_of, lang, behind_share) for info in infos]
        else:
            taken = shares  # for the child's closure, which sees no narrowing

            def their_rows() -> list[tuple[int, PlanRollup]]:
                with Store(url) as own:  # the child's own connections, never the parent's
                    return _taken(own, taken, as_of, lang, behind_share)

            with Beside(their_rows) as child:
                placed = _taken(catalogue, shares, as_of, lang, behind_share)
                placed += child.result()
            rows = [row for _n, row in sorted(placed, key=lambda pair: pair[0])]
    return Rollup(
        as_of=as_of,
        plans=rows,
        status=_sum(row.status for row in rows),
        lateness=_sum(row.lateness for row in rows),
        reviews=_sum_reviews(rows),
        kpis=_sum(row.kpis for row in rows),
        behind=[row.plan_id for row in rows if row.behind],
    )


def _taken(
    store: Store,
    shares: Shares[tuple[int, PlanInfo]],
    as_of: date,
    lang: str,
    behind_share: float,
) -> list[tuple[int, PlanRollup]]:
    """The plans this process takes from ``shares`` until none is left, each with its place."""
    return [
        (n, _one(store, info, as_of, lang, behind_share))
        for chunk in shares.taken()
        for n, info in chunk
    ]


def _sum(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for key, value in one.items():
            total[key] = total.get(key, 0) + value
    return total


def _sum_reviews(rows: Sequence[PlanRollup]) -> dict[str, dict[str, int]]:
    total: dict[str, dict[str, int]] = {}
    for row in rows:
        for cycle, counts in row.reviews.items():
            into = total.setdefault(cycle, {})
            for key, value in counts.items():
                into[key] = into.get(key, 0) + value
    return dict(sorted(total.items()))


@dataclass(frozen=True, slots=True)
class RollupTables:
    """The roll-up as tables, headers in the language asked for: one row per plan and a
    totals row (``plans``), and the review submissions per cycle and plan (``reviews``)."""

    plan_header: list[str]
    plans: list[list[str | int]]
    review_header: list[str]
    reviews: list[list[str | int]]
    behind: list[str]


def _kpi_text(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    return " ".join(f"{labels.get(code, code)} {n}" for code, n in counts.items())


def rollup_tables(found: Rollup, lang: str = "ja") -> RollupTables:
    """The roll-up as rows of cells (the command's table and the workbook read these).

    >>> from datetime import date
    >>> empty = Rollup(date(2025, 3, 31), [], {}, {}, {}, {}, [])
    >>> rollup_tables(empty).plan_header[:4]
    ['プラン', '名称', '所管', '工程']
    """
    with using_language(lang):
        header = [pgettext("roll-up", "Plan"), pgettext("roll-up", "Name"), _("Owner")]
        header.append(pgettext("roll-up", "Tasks"))
        header += [s.label(lang) for s in Status] + [x.label(lang) for x in Lateness]
        header += [_("KPI evaluations"), _("Behind")]
        yes = pgettext("roll-up", "yes")
        labels: dict[str, str] = {}
        rows: list[list[str | int]] = []
        for p in found.plans:
            labels.update(p.kpi_labels)
            late = [p.lateness.get(x.value, "-") for x in Lateness]
            row: list[str | int] = [p.plan_id, p.name, p.owner, p.tasks]
            row += [p.status.get(s.value, 0) for s in Status] + late
            row += [_kpi_text(p.kpis, p.kpi_labels), yes if p.behind else ""]
            rows.append(row)
        total: list[str | int] = [pgettext("roll-up", "Total"), "", "", found.tasks]
        total += [found.status.get(s.value, 0) for s in Status]
        total += [found.lateness.get(x.value, 0) for x in Lateness]
        total += [_kpi_text(found.kpis, labels), len(found.behind)]
        rows.append(total)
        review_header = [_("Cycle"), pgettext("roll-up", "Plan"), _("Submitted"), _("Reviewed")]
        reviews: list[list[str | int]] = []
        for cycle in found.reviews:
            for p in found.plans:
                counts = p.reviews.get(cycle)
                if counts:
                    reviews.append([cycle, p.plan_id, counts["submitted"], counts["reviewed"]])
            counts = found.reviews[cycle]
            reviews.append(
                [cycle, pgettext("roll-up", "Total"), counts["submitted"], counts["reviewed"]]
            )
    return RollupTables(header, rows, review_header, reviews, list(found.behind))
