"""What the lazy cursor description (webapp/db_cursor.py) saves on the city data.

Each page is requested alternately with psycopg's own description and the lazy one, in
one process (the Flask test client), and the CPU time of each request is added to its
side: the two sides share the machine's drift, which on a shared 2-core machine moves a
page's cost by a third from one run to the next, far more than what is measured here.
Read-only. Usage:

    .venv/bin/python benchmarks/lazy_description.py DATABASE_URL [--requests 400]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from benchmarks.city_pages import alternate  # noqa: E402
from webapp.db_cursor import LazyDescriptionCursor  # noqa: E402

PAGES = [
    ("volunteer", "/shifts/board"),
    ("volunteer", "/shifts/mine"),
    ("volunteer", "/timebank/"),
    ("resident", "/requests/mine"),
    ("coordinator", "/desk/"),
    ("coordinator", "/shifts/week"),
    ("coordinator", "/desk/find?q=Rossi"),
    ("coordinator", "/timebank/coordinator"),
]
LAZY = LazyDescriptionCursor.description
EAGER = psycopg.Cursor.description


def flip(lazy: bool) -> None:
    LazyDescriptionCursor.description = LAZY if lazy else EAGER  # type: ignore[method-assign]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--requests", type=int, default=400, help="of each side, per page")
    args = parser.parse_args()
    alternate(args.url, PAGES, args.requests, flip, ("psycopg", "lazy"))
