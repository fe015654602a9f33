"""Each SQL statement one page sends, with its median time over many views (city data).

The page is viewed as one of the city's logins (``benchmarks/city_pages.py`` picks them),
warmed with a few views first, then ``--views`` times; each statement's time is from the
driver's send to its answer (planning, execution, the round trip), the figure that moved
when PostgreSQL kept its plans. Read-only. Usage:

    .venv/bin/python benchmarks/page_statements.py DATABASE_URL coordinator /shifts/week
        [--views 50]

Logins: volunteer, volunteer_10km, volunteer_3km, coordinator, resident.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from benchmarks.city_pages import city_app, signed_in  # noqa: E402
from webapp.extensions import db  # noqa: E402


def main(url: str, who: str, path: str, views: int) -> None:
    app, users = city_app(url)
    with app.app_context():
        engine = db.engine
    client = signed_in(app, users[who])
    for _ in range(10):  # the kept pages drawn, the connection's statements prepared
        assert client.get(path).status_code == 200

    times: dict[str, list[float]] = {}
    started: list[float] = []

    def before(*_args: object) -> None:
        started.append(time.perf_counter())

    def after(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        key = " ".join(statement.split())[:110]
        times.setdefault(key, []).append(time.perf_counter() - started.pop())

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    for _ in range(views):
        client.get(path)
    total = sum(statistics.median(t) * len(t) / views for t in times.values())
    print(f"{path} as {who}: {len(times)} kinds of statement, {total * 1000:.2f} ms a view")
    for statement, taken in times.items():
        print(f"{len(taken) / views:4.1f} x {statistics.median(taken) * 1000:6.2f} ms  {statement}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a database holding the city data")
    parser.add_argument("who", help="which login views the page")
    parser.add_argument("path", help="the page, e.g. /shifts/week")
    parser.add_argument("--views", type=int, default=50)
    args = parser.parse_args()
    main(args.url, args.who, args.path, args.views)
