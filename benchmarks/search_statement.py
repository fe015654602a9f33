"""What the people search's statement costs PostgreSQL on the city data: its words
matched against the one stored column (``Person.search_text``, as the search does) and
against the four columns folded again for each row (as it did before), alternately.

The statement is the search's own page (``people.search._page_statement``: the page of
25 and the count), prepared as the web workers' connections prepare it; for each way the
CPU time of the server process answering it is read from ``/proc`` (PostgreSQL on this
machine) and divided by the statements sent. The four columns' way needs the address's
and the neighbourhood's own trigram indexes, which the migrations dropped: they are made
inside this script's transaction and rolled back with it. Read-only. Linux only. Usage:

    .venv/bin/python benchmarks/search_statement.py DATABASE_URL [--words Rossi]
        [--statements 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from benchmarks.city_pages import city_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.people import search  # noqa: E402
from webapp.people.models import SEARCHED, Person, folded  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")  # /proc's clock ticks a second


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def four_columns(words: int) -> sa.Select[Any]:
    """The page's statement as the search wrote it before: each word against the four
    columns, each folded again."""
    statement = search._page_statement(None, 0, True)
    for i in range(words):
        pattern = sa.bindparam(f"w{i}", type_=sa.String)
        columns = (folded(getattr(Person, name)) for name in SEARCHED)
        statement = statement.where(sa.or_(*(c.like(pattern, escape="\\") for c in columns)))
    return statement


def main(url: str, text: str, statements: int) -> None:
    app, _users = city_app(url)
    with app.app_context():
        org = db.session.scalar(
            sa.select(Person.organisation_id)
            .group_by(Person.organisation_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        words = search._words(text)
        values = {"org_id": org, "size": search.PAGE_SIZE, "skip": 0}
        values |= {f"w{i}": search._like(word) for i, word in enumerate(words)}
        ways = {
            "one column": search._page_statement(None, len(words), True),
            "four columns": four_columns(len(words)),
        }
        connection = db.session.connection()
        for name in ("address", "neighbourhood"):
            index = f"ix_person_{name}_trgm_measured"
            expression = folded(getattr(Person, name)).compile(
                db.engine, compile_kwargs={"literal_binds": True}
            )
            connection.exec_driver_sql(
                f"CREATE INDEX {index} ON person USING gin (({expression}) gin_trgm_ops)"
            )
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        raw = connection.connection.driver_connection
        compiled = {way: str(statement.compile(db.engine)) for way, statement in ways.items()}
        found = {
            way: raw.execute(sql, values | {"first_name_1": " "}, prepare=True).fetchall()
            for way, sql in compiled.items()
        }
        page = found["one column"]
        assert found["four columns"] == page, "not the same page either way"
        spent = dict.fromkeys(compiled, 0.0)
        for sql in compiled.values():
            for _ in range(10):  # prepared, then planned generically
                raw.execute(sql, values | {"first_name_1": " "}, prepare=True).fetchall()
        for _ in range(statements // 100):
            for way, sql in compiled.items():
                started = backend_cpu(pid)
                for _ in range(100):
                    raw.execute(sql, values | {"first_name_1": " "}, prepare=True).fetchall()
                spent[way] += backend_cpu(pid) - started
        db.session.rollback()  # the indexes made for the four columns go
    total = page[0][-1] if page else 0
    print(f"{text!r}: {total} people found, a page of {len(page)}; {statements} statements a way")
    for way, seconds in spent.items():
        print(f"{way:14} {seconds / statements * 1000:.3f} ms of PostgreSQL's CPU a statement")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy URL of a PostgreSQL database with the city data")
    parser.add_argument("--words", default="Rossi")
    parser.add_argument("--statements", type=int, default=2000)
    args = parser.parse_args()
    main(args.url, args.words, args.statements)
