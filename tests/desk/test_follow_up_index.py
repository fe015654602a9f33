"""The open follow-ups are read from their partial index (desk/models.py,
``ix_contact_log_open_follow_up``), not from an index of every follow-up ever set: by the
desk home's count of people to phone (desk/figures.py) and by the phone list
(desk/queries.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident
from webapp.desk import figures
from webapp.desk.models import Contact, Outcome
from webapp.desk.queries import due_follow_ups
from webapp.extensions import db

END = datetime(2026, 12, 8, tzinfo=UTC)


def _plan(statement: sa.Executable) -> str:
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE contact_log")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # (a table this small)
        return "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
    return "\n".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


def _statements(org_id: int) -> dict[str, sa.Executable]:
    values = {"org_id": org_id, "phone_start": END - timedelta(days=1), "phone_end": END,
              "follow_up_end": END, "remeasure_before": END - timedelta(days=365)}  # fmt: skip
    return {
        "the home's count": figures._FIGURES.params(values),
        "the phone list": due_follow_ups(org_id, END),
    }


@pytest.mark.parametrize("name", ["the home's count", "the phone list"])
def test_open_follow_ups_are_read_from_their_index(db_session, name):
    """A desk of a year: hundreds of calls whose follow-up was done, a few still open."""
    org = make_org()
    coord = make_coordinator(org)
    person = make_resident(org)
    for n in range(300):
        at = END - timedelta(days=n + 1)
        done = None if n < 3 else at + timedelta(hours=3)
        due = at + timedelta(hours=2)
        db.session.add(Contact(organisation_id=org.id, person_id=person.id, by_id=coord.id,
                               outcome=Outcome.NO_ANSWER, at=at, follow_up_at=due,
                               follow_up_done_at=done))  # fmt: skip
    db.session.flush()
    plan = _plan(_statements(org.id)[name])
    assert "ix_contact_log_open_follow_up" in plan, plan
