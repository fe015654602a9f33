"""PostgreSQL's cursors build their columns' description only when it is read
(``webapp/db_cursor.py``): a statement SQLAlchemy has run before builds none, and what is
read is psycopg's own description."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import _cursor_base

from tests.factories import make_org, make_user
from webapp.auth.models import User
from webapp.db_cursor import LazyDescriptionCursor
from webapp.extensions import db


@pytest.fixture
def columns_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many psycopg ``Column`` objects are built meanwhile."""
    built: list[int] = []

    class Counted(_cursor_base.Column):  # type: ignore[name-defined,misc]
        def __init__(self, cursor: object, index: int) -> None:
            built.append(index)
            super().__init__(cursor, index)

    monkeypatch.setattr(_cursor_base, "Column", Counted)
    return built


def _cursor() -> psycopg.Cursor:  # type: ignore[type-arg]
    raw = db.session.connection().connection.dbapi_connection
    assert raw is not None
    return raw.cursor()


def test_the_apps_connections_use_it(db_session, postgres_only):
    assert isinstance(_cursor(), LazyDescriptionCursor)


def test_a_statement_run_before_builds_no_column(db_session, postgres_only, columns_built):
    org = make_org()
    user = make_user(org)
    db.session.flush()
    statement = sa.select(User).where(User.id == sa.bindparam("id"))
    db.session.execute(statement, {"id": user.id}).one()  # compiled, its columns kept
    db.session.expunge_all()
    columns_built.clear()
    found = db.session.execute(statement, {"id": user.id}).scalar_one()
    assert found.email == user.email
    assert columns_built == []  # psycopg's own cursor built one per column of User


def test_read_it_is_psycopgs_own(db_session, postgres_only):
    cursor = _cursor()
    cursor.execute("SELECT 1 AS one, 'a'::text AS letter, now() AS at")
    lazy = cursor.description
    own = cursor.columns_now()
    assert lazy is not None and own is not None
    assert len(lazy) == 3
    assert [(c.name, c.type_code) for c in lazy] == [(c.name, c.type_code) for c in own]
    assert [c.name for c in lazy[1:]] == ["letter", "at"]
    assert lazy[-1].name == "at"


def test_statements_without_rows_say_so_as_psycopg_does(db_session, postgres_only):
    cursor = _cursor()
    cursor.execute("SET LOCAL statement_timeout = '5s'")
    assert cursor.description is None
    cursor.execute("SELECT")  # a row of no columns
    assert cursor.description == []


def test_read_too_late_it_refuses_rather_than_describe_another_statement(
    db_session, postgres_only
):
    cursor = _cursor()
    cursor.execute("SELECT 1 AS one")
    first = cursor.description
    cursor.execute("SELECT 2 AS two, 3 AS three")
    assert first is not None and len(first) == 1
    with pytest.raises(psycopg.InterfaceError):
        first[0]
