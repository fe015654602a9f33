"""Whom a member may give minutes to: the people they exchanged time with.

A pair is written (both ways) when it first happens: a transfer between two members'
accounts (:func:`webapp.timebank.operations.record`) or a completed visit or ride
(:func:`note_shift`, on ``shift_completed``). The "give to" list reads the member's own
rows and their partners' names, as many as it shows; it used to find them again at
every view in the member's whole history of transfers and shifts (5 ms in PostgreSQL for
a city volunteer after a year, and growing with every year).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp.core.locks import is_postgres
from webapp.extensions import db
from webapp.people.models import Person
from webapp.shifts.models import Shift
from webapp.timebank.models import Partner


def note(pairs: Iterable[tuple[int, int]]) -> None:
    """Record that each pair of people exchanged time (flushes; nothing if known)."""
    rows = sorted(
        {(a, b) for x, y in pairs if x != y for a, b in ((x, y), (y, x))}
    )  # one order for every writer: two inserting the same pairs never wait on each other
    if not rows:
        return
    dialect = postgresql if is_postgres() else sqlite
    db.session.execute(
        dialect.insert(Partner).on_conflict_do_nothing(),
        [{"person_id": a, "partner_id": b} for a, b in rows],
    )


def note_shift(shift: Shift, actor: Any = None, **_kw: Any) -> None:
    """The ``shift_completed`` listener: the resident and each volunteer of the shift
    exchanged time (whoever pays for it: the chest may)."""
    resident_id = shift.request.resident_id if shift.request is not None else None
    if resident_id is not None:
        note((resident_id, a.volunteer_id) for a in shift.assignments)


_MINE = (Partner.person_id == sa.bindparam("person_id", type_=sa.Integer),)
_SAME_ORGANISATION = Person.organisation_id == sa.bindparam("organisation_id", type_=sa.Integer)
# Built once: the member's rows, each partner's name by its primary key.
_RECIPIENTS = (
    sa.select(Person.id, Person.first_name, Person.last_name)
    .join(Partner, Partner.partner_id == Person.id)
    .where(*_MINE, _SAME_ORGANISATION)
    .order_by(Person.first_name, Person.last_name)
)
_ONE = (
    sa.select(Person.id)
    .join(Partner, Partner.partner_id == Person.id)
    .where(*_MINE, _SAME_ORGANISATION, Partner.partner_id == sa.bindparam("partner_id"))
)


def _params(person: Person) -> dict[str, int]:
    return {"person_id": person.id, "organisation_id": person.organisation_id}


def recipients(person: Person) -> list[sa.Row[tuple[int, str, str]]]:
    """(id, first name, last name) of everyone ``person`` exchanged time with, in their
    organisation, in name order. The community chest is always offered besides."""
    return list(db.session.execute(_RECIPIENTS, _params(person)))


def exchanged_with(person: Person, other_id: int) -> bool:
    """Whether ``other_id`` is among :func:`recipients` of ``person`` (one row read)."""
    found = db.session.execute(_ONE, {**_params(person), "partner_id": other_id}).first()
    return found is not None


# Every pair from the ledger and the completed shifts: what the rows must hold (the
# migration that made the table filled it so; the city's benchmark data too).
FROM_HISTORY = """
WITH pairs (a, b) AS (
    SELECT d.person_id, c.person_id FROM timebank_transfer t
    JOIN timebank_account d ON d.id = t.debit_account_id
    JOIN timebank_account c ON c.id = t.credit_account_id
    WHERE d.person_id IS NOT NULL AND c.person_id IS NOT NULL
    UNION
    SELECT r.resident_id, a.volunteer_id FROM assignment a
    JOIN shift s ON s.id = a.shift_id
    JOIN help_request r ON r.id = s.request_id
    WHERE s.status = 'completed' AND r.resident_id IS NOT NULL
)
SELECT a, b FROM pairs WHERE a != b
UNION
SELECT b, a FROM pairs WHERE a != b
"""


def rebuild() -> int:
    """Write the rows again from the history (flushes); returns how many."""
    db.session.execute(sa.delete(Partner))
    db.session.execute(
        sa.text(f"INSERT INTO timebank_partner (person_id, partner_id) {FROM_HISTORY}")
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) or 0
