"""Work in a forked child: the answer comes back, so does its failure, and nothing is left."""

from __future__ import annotations

import os
import threading

import pytest

from aomori_roadmap.errors import PlanError
from aomori_roadmap.parallel import Beside, Shares, can_fork, cores

pytestmark = pytest.mark.skipif(not can_fork(), reason="this system does not fork")


def test_the_child_sees_memory_as_at_the_fork_and_sends_its_answer_back() -> None:
    big = list(range(200_000))
    with Beside(lambda: (os.getpid(), sum(big), bytes(3_000_000))) as child:
        big.append(-1)  # after the fork: the child does not see it
        pid, total, blob = child.result()
    assert pid != os.getpid()
    assert total == sum(range(200_000)) and blob == bytes(3_000_000)


def test_an_error_in_the_child_is_raised_again_in_the_parent() -> None:
    def fails() -> None:
        raise PlanError("取組 a の日付が正しくありません")

    with Beside(fails) as child, pytest.raises(PlanError, match="取組 a"):
        child.result()


class _Unpicklable(Exception):
    def __init__(self, lock: object) -> None:
        super().__init__("with a lock")
        self.lock = lock

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("cannot pickle")


def test_an_error_that_cannot_be_sent_comes_back_as_its_traceback() -> None:
    def fails() -> None:
        raise _Unpicklable(threading.Lock())

    with Beside(fails) as child, pytest.raises(RuntimeError, match="_Unpicklable: with a lock"):
        child.result()


def test_a_child_that_dies_is_an_error_not_a_hang() -> None:
    with Beside(lambda: os._exit(7)) as child, pytest.raises(RuntimeError, match="exit code 7"):
        child.result()


def test_an_answer_is_taken_once() -> None:
    with Beside(lambda: 1) as child:
        assert child.result() == 1
        with pytest.raises(RuntimeError, match="taken already"):
            child.result()


def test_leaving_the_block_early_stops_the_child() -> None:
    event = threading.Event()
    with (
        pytest.raises(ValueError, match="the parent's half"),
        Beside(lambda: event.wait(60)) as child,
    ):
        raise ValueError("the parent's half failed")
    assert not child._process.is_alive()


def test_cores() -> None:
    assert 1 <= cores() <= (os.cpu_count() or 1)


def test_shares_hand_each_item_out_once_to_whichever_process_asks() -> None:
    items = list(range(1_003))
    shares = Shares(items, size=10)

    def take() -> list[int]:
        mine = []
        for chunk in shares.taken():
            mine += chunk
        return mine

    with Beside(take) as child:
        mine = take()
        theirs = child.result()
    assert sorted(mine + theirs) == items  # every item once, none twice
    assert list(shares.taken()) == []


def test_shares_refuse_an_empty_chunk() -> None:
    with pytest.raises(ValueError, match="size"):
        Shares([1, 2], size=0)
