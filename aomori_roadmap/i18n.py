"""The language of the library's messages: Japanese by default, English on request.

One setting for the whole process (a context variable, so that a server thread or an
``asyncio`` task may choose its own): the command line sets it from ``--lang``, a program with
:func:`set_language`, and the environment with ``AOMORI_ROADMAP_LANG``. Messages are written
in both languages where they are made, and :func:`text` picks one.

>>> text("問題はありません", "No problems found")
'問題はありません'
>>> with using_language("en"):
...     text("問題はありません", "No problems found")
'No problems found'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["LANGUAGES", "language", "set_language", "text", "using_language"]

LANGUAGES = ("ja", "en")


def _from_environment() -> str:
    chosen = os.environ.get("AOMORI_ROADMAP_LANG", "").strip().lower()
    return chosen if chosen in LANGUAGES else "ja"


# A string default is safe to share (the lint rule is about mutable ones).
_language: ContextVar[str] = ContextVar(
    "aomori_roadmap_language",
    default=_from_environment(),  # noqa: B039
)


def language() -> str:
    """The language messages are made in now: ``"ja"`` or ``"en"``."""
    return _language.get()


def set_language(lang: str) -> None:
    """Make messages in ``lang`` from now on (in this thread or task and those it starts).

    Raises:
        ValueError: ``lang`` is neither ``"ja"`` nor ``"en"``.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"言語は ja か en です: {lang!r} / the language is ja or en: {lang!r}")
    _language.set(lang)


@contextmanager
def using_language(lang: str) -> Iterator[None]:
    """Make messages in ``lang`` inside the ``with`` block only."""
    if lang not in LANGUAGES:
        raise ValueError(f"言語は ja か en です: {lang!r} / the language is ja or en: {lang!r}")
    token = _language.set(lang)
    try:
        yield
    finally:
        _language.reset(token)


def text(ja: str, en: str) -> str:
    """``ja`` or ``en``, in the language chosen now."""
    return en if _language.get() == "en" else ja
