"""The front door: ``__all__`` is sorted and lists exactly the public names."""

from __future__ import annotations

import aomori_roadmap


def test_all_is_sorted() -> None:
    assert aomori_roadmap.__all__ == sorted(aomori_roadmap.__all__)


def test_all_lists_exactly_the_public_members() -> None:
    # Names load at their first use: use each, then look at what the package holds.
    for name in aomori_roadmap.__all__:
        getattr(aomori_roadmap, name)
    public = {
        name
        for name, value in vars(aomori_roadmap).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("aomori_roadmap")
    }
    public |= {"__version__"}
    assert set(aomori_roadmap.__all__) == public


def test_every_exported_name_resolves() -> None:
    for name in aomori_roadmap.__all__:
        assert getattr(aomori_roadmap, name) is not None
