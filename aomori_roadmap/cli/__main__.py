"""``python -m aomori_roadmap.cli``: the same as the ``aomori-roadmap`` command."""

from aomori_roadmap.cli import main

main()
