"""What keeping the coordinator's time-bank lists drawn saves on the city data
(``timebank/kept.py``, ``coordinator_lists``): the page requested alternately with its
lists kept and drawn at each view, in one process (``city_pages.alternate``). Nothing
is written meanwhile, so the kept side serves its lists from the second view on, as a
coordinator's reloads do between transfers. Read-only. Usage:

    .venv/bin/python benchmarks/kept_lists.py DATABASE_URL [--requests 400]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.city_pages import alternate  # noqa: E402
from webapp.timebank import coordinator_views  # noqa: E402

KEPT = coordinator_views.coordinator_lists


def drawn_at_each_view(*args: Any) -> Any:
    return args[-1]()  # the lists' draw(), as before


def lists_kept(kept: bool) -> None:
    coordinator_views.coordinator_lists = KEPT if kept else drawn_at_each_view  # type: ignore[assignment]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--requests", type=int, default=400, help="of each side")
    args = parser.parse_args()
    pages = [("coordinator", "/timebank/coordinator")]
    alternate(args.url, pages, args.requests, lists_kept, ("each view", "kept"))
