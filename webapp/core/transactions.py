"""A request that wrote nothing ends its transaction with COMMIT, not ROLLBACK.

psycopg forgets the statements it prepared at every ROLLBACK (the transaction may have
dropped what they name), and a request that did not commit ends with one when its session
closes: so no statement was ever prepared, and PostgreSQL planned every statement of every
page again at every view. On the city's data the login's statement (four tables) took
1.1 ms, 0.4 ms with its plan kept (``benchmarks/page_statements.py``). To the database, COMMIT
and ROLLBACK of a transaction that wrote nothing are the same; after a COMMIT psycopg
keeps what it prepared (a statement is prepared at its fifth use on a connection) and
PostgreSQL reuses the plan.

"Wrote nothing" (``db.wrote``): no flush, no statement but a SELECT sent through the
session since its transaction began, nothing pending. A request that failed, or that
wrote and did not commit, ends with ROLLBACK as before.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from webapp.db import wrote
from webapp.extensions import db

log = logging.getLogger(__name__)


def _end_reads_with_commit(error: BaseException | None) -> None:
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or wrote(session):
        return
    try:
        session.commit()
    except SQLAlchemyError:  # nothing was written: the rollback that follows loses nothing
        log.warning("ending a read-only request's transaction failed", exc_info=True)
        session.rollback()


def init_app(app: Flask) -> None:
    app.teardown_request(_end_reads_with_commit)
