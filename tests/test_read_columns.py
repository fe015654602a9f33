"""``webapp.db.read_columns``: a read of columns sent on the session's connection sees
what the session has not flushed yet, as the session's own ``execute`` does, and its rows
are named as the statement names its columns."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_org
from webapp.db import read_columns
from webapp.extensions import db
from webapp.orgs.models import Organisation


def test_it_sees_what_is_not_flushed_yet(db_session):
    org = make_org()
    db.session.flush()
    org.name = "Renamed, not flushed"
    db.session.add(Organisation(name="Added, not flushed", slug="added-not-flushed"))
    statement = sa.select(Organisation.name.label("called")).order_by(Organisation.name)
    names = [row.called for row in read_columns(db.session(), statement)]
    assert "Renamed, not flushed" in names
    assert "Added, not flushed" in names


def test_rows_as_the_session_reads_them(db_session):
    org = make_org()
    db.session.flush()
    statement = sa.select(Organisation.id, Organisation.slug).where(
        Organisation.id == sa.bindparam("org_id")
    )
    direct = read_columns(db.session(), statement, {"org_id": org.id}).one()
    assert direct == tuple(db.session.execute(statement, {"org_id": org.id}).one())
    assert (direct.id, direct.slug) == (org.id, org.slug)
