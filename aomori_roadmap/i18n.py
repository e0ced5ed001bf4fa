"""The language of every message: Japanese by default, English on request.

This module is the only place that knows which language is chosen and how a text is
translated. Texts are written in the code in English and marked for translation with
:func:`_` (or :func:`ngettext`, :func:`pgettext`; :func:`N_` and :func:`NC_` mark a text that is
translated later, where it is used). The translations live in gettext catalogs under
``aomori_roadmap/locale/<lang>/LC_MESSAGES/aomori_roadmap.po`` and are read at run time from
the compiled ``.mo`` files beside them, with the standard library's :mod:`gettext`.

One choice for the whole process, held in a context variable so that a server thread or an
``asyncio`` task may choose its own: the command line sets it from ``--lang``, a program with
:func:`set_language` or :func:`using_language`. Without a choice it is read from the
environment: ``AOMORI_ROADMAP_LANG`` first, then the locale (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``, as gettext reads them) when it names Japanese or English, and
Japanese otherwise.

A text with values uses named ``{placeholders}`` filled after translation, so that a
translation may put them in its own order:

>>> _("No problems found")
'問題はありません'
>>> with using_language("en"):
...     _("No problems found")
'No problems found'
>>> _("{n} problem(s) found").format(n=3)
'3件の問題があります'
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "NC_",
    "N_",
    "_",
    "language",
    "ngettext",
    "pgettext",
    "set_language",
    "using_language",
    "using_language_or_default",
]

#: The languages there are catalogs for; the first is the default.
LANGUAGES = ("ja", "en")
#: The gettext domain: the catalogs' file name.
DOMAIN = "aomori_roadmap"
#: Where the catalogs are: ``<LOCALE_DIR>/<lang>/LC_MESSAGES/aomori_roadmap.mo``.
LOCALE_DIR = Path(__file__).parent / "locale"


def _from_environment() -> str:
    """The language the environment asks for, or the default."""
    chosen = os.environ.get("AOMORI_ROADMAP_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if not value:
            continue
        # LANGUAGE is a list ("en_GB:en"); the others one locale ("ja_JP.UTF-8").
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
        return LANGUAGES[0]  # the first variable set decides, as it does for gettext
    return LANGUAGES[0]


# A string default is safe to share (the lint rule is about mutable ones).
_language: ContextVar[str] = ContextVar(
    "aomori_roadmap_language",
    default=_from_environment(),  # noqa: B039
)


def _checked(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"言語は ja か en です: {lang!r} / the language is ja or en: {lang!r}")
    return lang


def language() -> str:
    """The language messages are made in now: ``"ja"`` or ``"en"``."""
    return _language.get()


def set_language(lang: str) -> None:
    """Make messages in ``lang`` from now on (in this thread or task and those it starts).

    Raises:
        ValueError: ``lang`` is neither ``"ja"`` nor ``"en"``.
    """
    _language.set(_checked(lang))


@contextmanager
def using_language(lang: str) -> Iterator[None]:
    """Make messages in ``lang`` inside the ``with`` block only.

    Raises:
        ValueError: ``lang`` is neither ``"ja"`` nor ``"en"``.
    """
    token = _language.set(_checked(lang))
    try:
        yield
    finally:
        _language.reset(token)


def using_language_or_default(lang: str) -> AbstractContextManager[None]:
    """:func:`using_language`, with Japanese for a language there is no catalog for: for the
    labels whose ``lang`` has always fallen back rather than failed.

    >>> with using_language_or_default("fr"):
    ...     language()
    'ja'
    """
    return using_language(lang if lang in LANGUAGES else LANGUAGES[0])


@cache
def _catalog(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``lang``, read once."""
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def _(message: str) -> str:
    """``message`` (written in English) in the language chosen now."""
    return _catalog(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for the count ``n``, in the language chosen now.

    >>> with using_language("en"):
    ...     ngettext("{n} day", "{n} days", 2).format(n=2)
    '2 days'
    """
    return _catalog(_language.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language chosen now, where the same English says different things.

    >>> pgettext("status", "Done")
    '完了'
    """
    return _catalog(_language.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (for tables read later)."""
    return message


def NC_(context: str, message: str) -> tuple[str, str]:
    """Mark ``message`` with its ``context`` for the catalog without translating it; translate
    where it is read with ``pgettext(*pair)``.

    >>> pair = NC_("status", "Done")
    >>> pgettext(*pair)
    '完了'
    """
    return context, message
