"""Timing shared by the benchmarks: the best of a few runs, with the last run's result."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def _timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def best_of(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall time of ``runs`` (at least one) calls of ``work``, in seconds, and
    the last call's result."""
    best, result = _timed(work)
    for _ in range(runs - 1):
        took, result = _timed(work)
        best = min(best, took)
    return best, result
