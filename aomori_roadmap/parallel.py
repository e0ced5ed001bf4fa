"""Work beside this process: a function run in a forked child, its answer sent back.

A long job with two independent halves (the progress site's two moments, its pages) can use a
second core: :class:`Beside` forks, runs the function in the child (which sees this
process's memory as it was at the fork: nothing is pickled on the way in) and sends its
answer back through a pipe, pickled. An exception in the child is raised again by
:meth:`Beside.result`.

Forking is for a command that runs one job, not for a server with threads: the library's
functions fork only when asked to (``jobs`` > 1), and only where the system can fork
(:func:`can_fork`).

>>> numbers = list(range(10))
>>> if can_fork():
...     with Beside(lambda: sum(numbers)) as child:
...         mine = max(numbers)
...         total = child.result()
... else:
...     mine, total = max(numbers), sum(numbers)
>>> mine, total
(9, 45)
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Generic, TypeVar

__all__ = ["Beside", "Shares", "can_fork", "cores"]

T = TypeVar("T")


def can_fork() -> bool:
    """Whether this system starts processes by forking (Linux and the BSDs; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def cores() -> int:
    """The processor cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Beside(Generic[T]):
    """``work()`` running in a forked child from now on; :meth:`result` waits for its answer.

    Use it as a context manager: leaving the block stops a child whose answer was not taken
    (when the parent's own half failed, say).
    """

    def __init__(self, work: Callable[[], T]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_answer, args=(work, send), daemon=True)
        self._process.start()
        send.close()  # the child holds the sending end: an end of file means it is gone
        self._done = False

    def result(self) -> T:
        """The child's answer (once); its exception raised here if it failed.

        Raises:
            RuntimeError: the child ended without an answer (it was killed, say), or its
                exception could not be sent (the message holds the child's traceback).
        """
        if self._done:
            raise RuntimeError("the answer of the child process was taken already")
        self._done = True
        try:
            ok, value = self._receive.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"the child process ended without an answer (exit code {self._process.exitcode})"
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self._done:
            self._done = True
            self._process.kill()
            self._process.join()
            self._receive.close()


def _answer(work: Callable[[], object], send: Connection) -> None:
    """In the child: run ``work`` and send ``(True, answer)`` or ``(False, exception)``."""
    try:
        answer: tuple[bool, object] = (True, work())
    except BaseException as error:
        answer = (False, error)
    try:
        send.send(answer)
    except Exception:  # the exception (or the answer) cannot be pickled: send its text
        what = answer[1]
        text = (
            "".join(traceback.format_exception(what))
            if isinstance(what, BaseException)
            else f"the answer of the child process cannot be sent: {traceback.format_exc()}"
        )
        send.send((False, RuntimeError(text)))
    finally:
        send.close()


class Shares(Generic[T]):
    """Items handed out a few at a time to whichever process asks first: made before a fork,
    it lets a parent and its child share a list of jobs as they go, so that the one that
    finishes its other work first takes more (a counter in memory both processes see).

    >>> shares = Shares(list(range(7)), size=3)
    >>> [chunk for chunk in shares.taken()]
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> list(shares.taken())  # every item is handed out once
    []
    """

    def __init__(self, items: Sequence[T], size: int) -> None:
        if size < 1:
            raise ValueError("size must be 1 or more")
        self._items, self._size = items, size
        self._next = multiprocessing.Value("q", 0)

    def taken(self) -> Iterator[list[T]]:
        """The chunks this process takes, until none is left."""
        while True:
            with self._next.get_lock():
                start = self._next.value
                self._next.value = start + self._size
            chunk = list(self._items[start : start + self._size])
            if not chunk:
                return
            yield chunk
