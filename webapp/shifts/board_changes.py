"""Telling the boards that show a change (``board_change`` rows, read by
``shifts/board_cache.py``), with ``INSERT ... SELECT``: the rows are written by the
database in the statement that finds who to tell (a claim sends one).

At commit, with the candidates (``shifts/candidates.py``): the volunteers whose board may
show what this transaction changed get one row each. Who they are: those with a
candidate row for a changed shift, before the candidates are worked out again (the shift
may leave their board) and after (it may join it); the volunteers holding a changed
shift (a clash with it may hide a card); volunteers whose own profile changed; every
volunteer of an organisation rebuilt or losing a shift or a request (its candidate rows
went with it). A superset is harmless (a board drawn again); a volunteer missed would
see a stale board, which is why every ORM write of a shift, a seat or a request is
noted (``candidate_marks.note_seen``).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.people.models import Person
from webapp.shifts.models import Assignment, BoardCandidate, BoardChange, Shift

CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def shifts_of_requests(session: Session, request_ids: set[int]) -> set[int]:
    shifts: set[int] = set()
    for chunk in _chunks(request_ids):
        shifts.update(session.scalars(sa.select(Shift.id).where(Shift.request_id.in_(chunk))))
    return shifts


def tell(session: Session, shifts: set[int], people: Iterable[int] = ()) -> None:
    """A row for every volunteer with a candidate row for any of ``shifts`` or holding
    one, and for ``people``: one ``INSERT ... SELECT`` a chunk (a claim sends one)."""
    listed = sorted(set(people))
    for i, chunk in enumerate(_chunks(shifts) if shifts else [[]]):
        parts: list[sa.Select[int]] = []
        if chunk:
            parts += [
                sa.select(BoardCandidate.person_id).where(BoardCandidate.shift_id.in_(chunk)),
                sa.select(Assignment.volunteer_id).where(Assignment.shift_id.in_(chunk)),
            ]
        if i == 0 and listed:
            parts.append(sa.select(Person.id).where(Person.id.in_(listed)))
        if parts:
            session.execute(sa.insert(BoardChange).from_select(["person_id"], sa.union(*parts)))


def tell_holders_of(session: Session, residents: set[int]) -> None:
    """A row for every volunteer holding a shift of these residents' requests (their
    schedules show the resident's name and phone): one ``INSERT ... SELECT`` a chunk."""
    request = Shift.request.property.mapper.class_  # requests sit above shifts
    for chunk in _chunks(residents):
        holders = (
            sa.select(Assignment.volunteer_id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .join(request, request.id == Shift.request_id)
            .where(request.resident_id.in_(chunk))
            .distinct()
        )
        session.execute(sa.insert(BoardChange).from_select(["person_id"], holders))


def _volunteers_of(org_ids: Iterable[int]) -> sa.Select[int]:
    return sa.select(Person.id).where(
        Person.organisation_id.in_(list(org_ids)), Person.is_volunteer
    )


def tell_organisations(session: Session, org_ids: set[int]) -> int | None:
    """A row for every volunteer of these organisations; the first new id (None if
    none), for :func:`prune`."""
    if not org_ids:
        return None
    ids = session.scalars(
        sa.insert(BoardChange)
        .from_select(["person_id"], _volunteers_of(org_ids))
        .returning(BoardChange.id)
    ).all()
    return min(ids, default=None)


def prune(session: Session, org_ids: set[int], first: int | None) -> None:
    """Drop the rows of these organisations' volunteers older than ``first`` (each keeps
    the one just written, so a count and last id seen before never come back), and the
    rows of people deleted since (no foreign key: see the model)."""
    if first is not None:
        session.execute(sa.delete(BoardChange).where(
            BoardChange.person_id.in_(_volunteers_of(org_ids)), BoardChange.id < first
        ))  # fmt: skip
    session.execute(
        sa.delete(BoardChange).where(BoardChange.person_id.not_in(sa.select(Person.id)))
    )
