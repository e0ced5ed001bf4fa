"""The promise of ``validate``, fuzzed with many examples: the nightly run of the plan fuzzer.

The same folders and checks as ``tests/test_plan_fuzz.py`` (``planmutate``, ``planpromise``),
drawn afresh on every run: 2,000 examples by default, ``AOMORI_ROADMAP_FUZZ_EXAMPLES`` sets how
many. The run does not stop at the first broken promise: it groups every failure by its cause,
prints the smallest folder of each group with what happened, and then fails if there was any.

Run with ``pytest tests/benchmarks/bench_fuzz.py -s``.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from planmutate import Folder, plan_folders
from planpromise import AS_OF_DATES, PromiseBroken, run_promise

EXAMPLES = int(os.environ.get("AOMORI_ROADMAP_FUZZ_EXAMPLES", "2000"))


@dataclass
class _Failure:
    """The smallest folder seen for one cause, and how often the cause came up."""

    folder: Folder
    broken: PromiseBroken
    size: int
    count: int = 1


def test_validate_keeps_its_promise_on_many_mutated_folders() -> None:
    outcomes: Counter[str] = Counter()
    failures: dict[str, _Failure] = {}

    # Failures are recorded, not raised: hypothesis would stop at the first one and shrink it.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(
        folder=plan_folders(),
        as_of=st.sampled_from(AS_OF_DATES),
        lang=st.sampled_from(["ja", "en"]),
    )
    def run(folder: Folder, as_of: date, lang: str) -> None:
        try:
            outcomes[f"exit {run_promise(folder, as_of, lang)}"] += 1
        except PromiseBroken as broken:
            outcomes["broken"] += 1
            size = len(repr(folder))  # the shortest diff from its seed
            seen = failures.get(broken.signature)
            if seen is None:
                failures[broken.signature] = _Failure(folder, broken, size)
                return
            seen.count += 1
            if size < seen.size:
                seen.folder, seen.broken, seen.size = folder, broken, size

    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    print(f"\n{EXAMPLES} examples in {elapsed:.0f} s: {dict(outcomes)}")
    for signature, failure in sorted(failures.items(), key=lambda item: -item[1].count):
        print("=" * 100)
        print(f"{signature}  (×{failure.count})")
        print(repr(failure.folder))
        print(failure.broken.detail[-2000:])
    if failures:
        pytest.fail(f"{len(failures)} kinds of broken promise (above)", pytrace=False)
