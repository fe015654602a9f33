"""Telling the boards that show a change (``board_change`` rows, read by
``shifts/board_cache.py``).

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


def shifts_seen(session: Session, marks: dict[str, set[int]]) -> set[int]:
    """The changed shifts: marked ones and every shift of a changed request."""
    shifts = set(marks["seen_shifts"]) | set(marks["shifts"])
    for chunk in _chunks(marks["seen_requests"] | marks["requests"]):
        shifts.update(session.scalars(sa.select(Shift.id).where(Shift.request_id.in_(chunk))))
    return shifts


def candidates_of(session: Session, shifts: set[int]) -> set[int]:
    """Volunteers with a candidate row for any of ``shifts``, or holding one."""
    people: set[int] = set()
    for chunk in _chunks(shifts):
        people.update(session.scalars(
            sa.select(BoardCandidate.person_id).where(BoardCandidate.shift_id.in_(chunk))
            .union(sa.select(Assignment.volunteer_id).where(Assignment.shift_id.in_(chunk)))
        ))  # fmt: skip
    return people


def volunteers_of(session: Session, org_ids: set[int]) -> set[int]:
    people: set[int] = set()
    for chunk in _chunks(org_ids):
        people.update(session.scalars(
            sa.select(Person.id).where(Person.organisation_id.in_(chunk), Person.is_volunteer)
        ))  # fmt: skip
    return people


def tell(session: Session, people: set[int]) -> int | None:
    """One row per volunteer in ``people``; the first new id (None if none)."""
    first = None
    rows = [{"person_id": p} for p in sorted(people)]
    for i in range(0, len(rows), CHUNK):
        ids = session.scalars(
            sa.insert(BoardChange).returning(BoardChange.id), rows[i : i + CHUNK]
        ).all()
        first = min([*ids, *([first] if first is not None else [])])
    return first


def prune(session: Session, people: set[int], first: int | None) -> None:
    """Drop these volunteers' rows older than ``first`` (each keeps the one just written,
    so a count and last id seen before never come back), and the rows of people deleted
    since (no foreign key: see the model)."""
    if first is not None:
        for chunk in _chunks(people):
            session.execute(sa.delete(BoardChange).where(
                BoardChange.person_id.in_(chunk), BoardChange.id < first
            ))  # fmt: skip
    session.execute(
        sa.delete(BoardChange).where(BoardChange.person_id.not_in(sa.select(Person.id)))
    )
