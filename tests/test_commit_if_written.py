"""A page view commits only what it wrote (webapp.db.commit_if_written): a commit with
nothing written would still expire the login and profile the page has loaded."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_org, make_resident
from webapp.db import commit_if_written
from webapp.extensions import db
from webapp.people.models import Person


def _committed(session) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``commit_if_written`` committed: a commit expires what was loaded."""
    person = session.scalars(sa.select(Person)).first()
    commit_if_written(session)
    return "first_name" not in sa.inspect(person).dict


def test_nothing_written_nothing_committed(db_session):
    make_resident(make_org())
    db.session.commit()
    session = db.session()
    assert not _committed(session)  # read only


def test_a_write_is_committed_flushed_or_not(db_session):
    person = make_resident(make_org())
    db.session.commit()
    session = db.session()
    person.first_name = "Lucia"  # pending
    assert _committed(session)
    assert db.session.scalar(sa.select(Person.first_name)) == "Lucia"
    person.first_name = "Rosa"
    session.flush()  # already sent, nothing pending
    assert _committed(session)
    with session.begin_nested():  # a savepoint's write counts for the transaction
        person.first_name = "Anna"
    assert _committed(session)
    assert not _committed(session)  # and the next transaction starts clean
