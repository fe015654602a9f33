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
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from benchmarks.city_pages import city_app, signed_in  # noqa: E402
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


def main(url: str, requests: int) -> None:
    app, users = city_app(url)
    clients = {who: signed_in(app, users[who]) for who, _path in PAGES}
    gc.freeze()  # as the served app does (wsgi.py)
    print(f"{'page':28} {'psycopg':>9} {'lazy':>9} {'saved':>9}   CPU a request, {requests} each")
    try:
        for who, path in PAGES:
            for _ in range(5):
                clients[who].get(path)  # compiled, planned, cached
            spent = {"psycopg": 0.0, "lazy": 0.0}
            for i in range(2 * requests):
                side = "lazy" if i % 2 else "psycopg"
                LazyDescriptionCursor.description = LAZY if i % 2 else EAGER  # type: ignore[method-assign]
                started = time.process_time()
                answer = clients[who].get(path)
                spent[side] += time.process_time() - started
                assert answer.status_code == 200, (path, answer.status_code)
            before, after = (spent[s] / requests * 1000 for s in ("psycopg", "lazy"))
            print(f"{path:28} {before:7.3f}ms {after:7.3f}ms {before - after:7.3f}ms")
    finally:
        LazyDescriptionCursor.description = LAZY  # type: ignore[method-assign]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("--requests", type=int, default=400, help="of each side, per page")
    args = parser.parse_args()
    main(args.url, args.requests)
