"""A request that wrote nothing ends its transaction with COMMIT (webapp.core.transactions):
psycopg keeps the statements it prepared, and PostgreSQL their plans, which a ROLLBACK
throws away. A request that wrote and did not commit, or that failed, is rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people.models import Person


@pytest.fixture
def endings(app: Flask) -> Iterator[list[str]]:
    """How the database's transactions ended ("commit" / "rollback"), in order."""
    seen: list[str] = []

    def committed(_conn: sa.Connection) -> None:
        seen.append("commit")

    def rolled_back(_conn: sa.Connection) -> None:
        seen.append("rollback")

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "commit", committed)
    sa.event.listen(engine, "rollback", rolled_back)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "commit", committed)
        sa.event.remove(engine, "rollback", rolled_back)


def test_a_page_that_only_read_ends_with_a_commit(app, committed_db, endings):
    """As in production: each request its own application context and session."""
    with app.app_context():
        vol = make_volunteer(make_org(), visits=True)
        db.session.commit()
        email = vol.user.email
    client = app.test_client()
    with app.app_context():
        assert login(client, email, PASSWORD).status_code == 302
    with app.app_context():  # a first view may open what it keeps (and commit it)
        assert client.get("/shifts/board").status_code == 200
    endings.clear()
    for _ in range(3):
        with app.app_context():
            assert client.get("/shifts/board").status_code == 200
    assert endings == ["commit"] * 3


def test_the_coordinators_week_drawn_afresh_ends_with_a_commit(app, committed_db, endings):
    """Its neighbourhoods are read by a textual SELECT, declared one by its columns: text
    alone counts as a write, and the page ended with ROLLBACK."""
    from webapp.shifts.calendar_cache import kept

    with app.app_context():
        coordinator = make_coordinator(make_org())
        db.session.commit()
        email = coordinator.email
    client = app.test_client()
    with app.app_context():
        assert login(client, email, PASSWORD).status_code == 302
    with app.app_context():
        assert client.get("/shifts/week").status_code == 200
    endings.clear()
    for _ in range(2):
        with app.app_context():
            kept().clear()  # drawn from scratch, neighbourhoods and all
            assert client.get("/shifts/week").status_code == 200
    assert endings == ["commit"] * 2


def _names(session) -> list[str]:  # type: ignore[no-untyped-def]
    return list(session.scalars(sa.select(Organisation.name)))


def test_a_request_that_read_commits_and_keeps_nothing_it_did_not_write(app, db_session):
    make_org(name="Before")
    db.session.commit()
    with app.test_request_context("/"):
        assert _names(db.session) == ["Before"]
        before = db.session().get_transaction()
    assert before is not None and db.session().get_transaction() is not before  # ended


def test_a_request_that_flushed_and_did_not_commit_is_not_committed(app, db_session):
    with app.test_request_context("/"):
        make_org(name="Flushed")
        db.session.flush()
    db.session.rollback()
    assert _names(db.session) == []


def test_a_statement_that_writes_is_not_committed_either(app, db_session):
    make_resident(make_org(), first_name="Ada")
    db.session.commit()
    with app.test_request_context("/"):
        db.session.execute(sa.update(Person).values(first_name="Eva"))
    db.session.rollback()
    assert db.session.scalar(sa.select(Person.first_name)) == "Ada"


def test_a_request_that_failed_is_not_committed(app, db_session):
    make_org(name="Kept")
    db.session.commit()
    with pytest.raises(RuntimeError), app.test_request_context("/"):  # noqa: PT012
        _names(db.session)
        transaction = db.session().get_transaction()
        raise RuntimeError("the view failed")
    assert db.session().get_transaction() is transaction  # left for the rollback
