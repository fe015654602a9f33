"""Test fixtures: one app per session, one savepoint per test.

The database comes from ``PONTE_TEST_DATABASE_URL`` (``make test`` runs the suite once
with SQLite and once with PostgreSQL). Tests that need data committed for other
connections (browser journeys, concurrency) use ``committed_db`` instead of ``db_session``;
it empties every table afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import app_ctx
from flask.testing import FlaskClient

from tests.helpers import FreshRequestClient, is_postgres
from tests.querycount import Queries, counting
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.translations_cli import compile_all

pytest_plugins = ["tests.browser_fixtures", "tests.smtp_fixtures"]


def _database_url(tmp_dir: str) -> str:
    url = os.environ.get("PONTE_TEST_DATABASE_URL")
    if url:
        return url
    # A file (not :memory:) so that a live server thread and worker threads share it.
    return f"sqlite:///{tmp_dir}/ponte-test.db"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _database_url(str(tmp_path_factory.mktemp("db")))

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    compile_all()  # .mo files are build products, not in git
    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        _drop_leftovers()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _drop_leftovers() -> None:
    """Tables from an older schema (e.g. alembic_version after the migration test)."""
    inspector = sa.inspect(db.engine)
    with db.engine.begin() as conn:
        for name in inspector.get_table_names():
            if name not in db.metadata.tables:
                conn.execute(
                    sa.text(
                        f'DROP TABLE IF EXISTS "{name}" CASCADE'
                        if conn.dialect.name == "postgresql"
                        else f'DROP TABLE IF EXISTS "{name}"'
                    )
                )


@pytest.fixture
def db_session(app: Flask) -> Iterator[sa.orm.Session]:
    """Everything the test does, including the view's commits, is rolled back after it."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        if connection.dialect.name == "postgresql":
            # The time bank's figures are kept by triggers deferred to the commit, and
            # this transaction never commits: run them as the rows change instead (the
            # tests with real commits, ``committed_db``, run them at the commit).
            connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own one routes to its engine and would
        # ignore the bound connection (and its outer transaction).
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=lambda: id(app_ctx._get_current_object()),
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def empty_all_tables() -> None:
    # The ledger's transfers are append-only (database triggers): lift the guards for
    # the wipe inside the same transaction, which puts them back before it commits.
    from webapp.audit.ddl import audit_guards_lifted
    from webapp.timebank.ddl import ledger_guards_lifted

    with db.engine.begin() as conn, ledger_guards_lifted(conn), audit_guards_lifted(conn):
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def committed_db(app: Flask) -> Iterator[None]:
    """Real commits, visible to other threads and processes; tables emptied afterwards."""
    with app.app_context():
        empty_all_tables()
        try:
            yield
        finally:
            db.session.remove()
            empty_all_tables()


@pytest.fixture
def count_queries(db_session: sa.orm.Session) -> Callable[[], AbstractContextManager[Queries]]:
    """``with count_queries() as q: client.get(...)``; ``len(q)`` statements were sent."""
    return counting


@pytest.fixture
def client(app: Flask, db_session: sa.orm.Session) -> FlaskClient:
    app.test_client_class = FreshRequestClient
    return app.test_client()


@pytest.fixture
def postgres_only(app: Flask) -> None:
    with app.app_context():
        if not is_postgres():
            pytest.skip("concurrency guarantee is tested on PostgreSQL (make test runs it)")
