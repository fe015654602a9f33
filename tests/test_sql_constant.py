"""A constant written into a statement (``webapp.db.sql_constant``): part of the SQL that
SQLAlchemy compiles once, so nothing is rendered again at each execution, and read back
as it was written on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.db import sql_constant
from webapp.extensions import db
from webapp.notifications.queries import unread_of_login
from webapp.shifts.models import CheckIn, open_alert


def test_a_constant_comes_back_as_written(db_session):
    for text in ("unwell", "it's", "", "à"):
        assert db.session.scalar(sa.select(sql_constant(text))) == text


def test_statements_with_constants_are_compiled_once(db_session):
    # The bell's count (in every signed-in page's login statement) and the desk's open
    # alerts: no parameter is left to render into the SQL at execution.
    for statement in (
        sa.select(unread_of_login(("shift_cancelled",))),
        sa.select(sa.func.count()).select_from(CheckIn).where(open_alert()),
    ):
        compiled = statement.compile(dialect=db.engine.dialect)
        assert not compiled.literal_execute_params
        assert "POSTCOMPILE" not in str(compiled)
    assert "'unwell'" in str(sa.select(CheckIn.id).where(open_alert()).compile())
