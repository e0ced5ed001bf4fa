"""Generate big random acyclic plans for benchmarks, as plan data or as a YAML plan folder.

Tasks are grouped into initiatives of ``tasks_per_initiative`` tasks; the initiatives are spread
over ``layers`` consecutive fiscal years. A task links only to earlier tasks of its own
initiative or to tasks of initiatives in earlier layers, so the plan is acyclic and its
longest path stays a few years long, however many tasks there are (a plan that runs for
centuries would measure the calendar, not the scheduler).

The same seed gives the same plan. ``python tests/benchmarks/plangen.py OUT --tasks 5000``
writes a plan folder (``plan.yaml`` and one file per initiative) for ``load_plan``.

>>> data = generate(tasks=60, links=150, seed=1)
>>> sum(len(i["tasks"]) for i in data["initiatives"])
60
>>> link_list(data)[:1]
[('i0000/t001', 'i0000/t000', 'SS', 1)]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import yaml

__all__ = ["FIRST_YEAR", "generate", "link_list", "write_plan_folder"]

FIRST_YEAR = 2024

# Link types weighted as roadmaps use them: mostly finish-to-start.
_TYPES = ("FS",) * 14 + ("SS",) * 3 + ("FF",) * 2 + ("SF",)
_CALENDAR_DURATIONS = ("1mo", "2mo", "3w", "10d", "1half")


def _duration(rng: random.Random, calendar_share: float) -> Any:
    roll = rng.random()
    if roll < 0.04:
        return None  # a milestone
    if roll < 0.04 + calendar_share:
        return rng.choice(_CALENDAR_DURATIONS)
    return f"{rng.randint(1, 20)}bd"


def _lag(rng: random.Random, kinds: tuple[str, ...]) -> int:
    roll = rng.random()
    if roll < 0.6:
        return 0
    return rng.randint(-5, 10) if "neg" in kinds else rng.randint(1, 10)


def generate(
    tasks: int = 100_000,
    links: int = 300_000,
    *,
    seed: int = 20240401,
    tasks_per_initiative: int = 20,
    layers: int = 5,
    types: tuple[str, ...] = ("FS", "SS", "FF", "SF"),
    negative_lags: bool = True,
    calendar_share: float = 0.01,
    milestones: bool = True,
) -> dict[str, Any]:
    """A plan as data (for ``plan_from_data`` or ``Plan.model_validate``).

    Exactly ``tasks`` tasks; ``links`` links as far as the candidates allow (each task links to
    distinct earlier tasks). ``types`` limits the link types; lags are working days, from -5
    to 10 (1 to 10 without ``negative_lags``); ``calendar_share`` is the share of tasks with
    calendar-unit durations; ``milestones`` makes about 4% of the tasks milestones. The first
    task of each initiative starts no earlier than the first half of its layer's year.
    """
    rng = random.Random(seed)
    kinds = ("neg",) if negative_lags else ()
    weighted = [t for t in _TYPES if t in types] or ["FS"]
    count = -(-tasks // tasks_per_initiative)
    refs_by_layer: list[list[str]] = [[] for _ in range(layers)]
    initiatives = []
    budget, made = links, 0
    for k in range(count):
        layer = k * layers // count
        iid = f"i{k:04d}"
        size = min(tasks_per_initiative, tasks - k * tasks_per_initiative)
        earlier = [ref for low in refs_by_layer[:layer] for ref in low[-400:]]
        own: list[str] = []
        rows = []
        for t in range(size):
            tid = f"t{t:03d}"
            duration = _duration(rng, calendar_share)
            if duration is None and not milestones:
                duration = f"{rng.randint(1, 20)}bd"
            remaining_tasks = tasks - (k * tasks_per_initiative + t)
            want = round((budget - made) / max(1, remaining_tasks))
            candidates = own[-8:] + (rng.sample(earlier, min(6, len(earlier))) if earlier else [])
            chosen = rng.sample(candidates, min(want, len(candidates)))
            row: dict[str, Any] = {"id": tid, "name": f"工程{k}-{t}"}
            if t == 0:
                row["start"] = f"FY{FIRST_YEAR + layer}-H1"
            if duration is None:
                row["milestone"] = True
            else:
                row["duration"] = duration
            after, depends = [], []
            for ref in chosen:
                on = ref.split("/", 1)[1] if ref.startswith(iid + "/") else ref
                kind, lag = rng.choice(weighted), _lag(rng, kinds)
                if kind == "FS" and lag == 0:
                    after.append(on)
                else:
                    depends.append({"on": on, "type": kind, "lag": f"{lag}bd"})
            if after:
                row["after"] = after
            if depends:
                row["depends"] = depends
            made += len(chosen)
            rows.append(row)
            own.append(f"{iid}/{tid}")
        refs_by_layer[layer].extend(own)
        initiatives.append({"id": iid, "name": f"取組{k}", "tasks": rows})
    return {
        "id": "bench",
        "name": "ベンチマーク用プラン",
        "period": {"start": f"FY{FIRST_YEAR}", "end": f"FY{FIRST_YEAR + layers + 1}"},
        "initiatives": initiatives,
    }


def link_list(data: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """Every link of generated plan data as ``(successor, predecessor, type, lag in bd)``."""
    found = []
    for initiative in data["initiatives"]:
        for task in initiative["tasks"]:
            ref = f"{initiative['id']}/{task['id']}"
            full = [(on, "FS", "0bd") for on in task.get("after", [])]
            full += [(d["on"], d["type"], d["lag"]) for d in task.get("depends", [])]
            for on, kind, lag in full:
                target = on if "/" in on else f"{initiative['id']}/{on}"
                found.append((ref, target, kind, int(lag.removesuffix("bd"))))
    return found


def write_plan_folder(data: dict[str, Any], folder: str | Path) -> Path:
    """Write plan data as a folder: ``plan.yaml`` and ``initiatives/<id>.yaml``."""
    root = Path(folder)
    (root / "initiatives").mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    header = {key: value for key, value in data.items() if key != "initiatives"}
    (root / "plan.yaml").write_text(
        yaml.dump(header, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for initiative in data["initiatives"]:
        text = yaml.dump(
            {"initiatives": [initiative]}, Dumper=dumper, allow_unicode=True, sort_keys=False
        )
        (root / "initiatives" / f"{initiative['id']}.yaml").write_text(text, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a random acyclic plan folder.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--links", type=int, default=None, help="default: 3 per task")
    parser.add_argument("--seed", type=int, default=20240401)
    args = parser.parse_args()
    data = generate(args.tasks, args.links or 3 * args.tasks, seed=args.seed)
    print(write_plan_folder(data, args.out))


if __name__ == "__main__":
    main()
