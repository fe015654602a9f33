"""Telling the coordinator's kept day and week (``shifts/calendar_cache.py``) that
something they show changed: one ``calendar_change`` row per organisation per committed
change, written at commit with the board's rows (``shifts/candidates.py``).

What they show: shifts (times, status, place), their seats and who holds them, the
requests behind them (priority, resident, destination) and people's names; the desk
home's list of volunteers' checks, kept under the same stamp, shows their checks and
profiles too. So the organisations told are those of every shift changed, seated or given
back, of every request changed, of every person added, edited or deleted, of every
volunteer whose checks or profile changed, and of every organisation whose time zone or
settings changed. The ORM hooks that note these for the boards
(``candidate_marks``) note them here too; a superset is harmless (a day drawn again).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.orgs.models import Organisation
from webapp.people.models import Person
from webapp.shifts.models import CalendarChange, Shift

CHUNK = 500
# Chunks per statement: 10,000 ids, well under the parameters a statement may carry
# (SQLite 32,766 by default, PostgreSQL 65,535). A commit of more shifts (a bulk load) sends more
# statements; an organisation may then get a row from each, which is harmless.
PER_STATEMENT = 20


def tell(
    session: Session, shifts: Iterable[int], orgs: Iterable[int], people: Iterable[int] = ()
) -> None:
    """A row for each organisation of ``shifts``, of ``people`` and each of ``orgs`` (once
    each): one ``INSERT ... SELECT`` (a claim sends one) per 10,000 shifts and people."""
    shift_ids, org_ids, person_ids = sorted(set(shifts)), sorted(set(orgs)), sorted(set(people))
    if not shift_ids and not org_ids and not person_ids:
        return
    parts: list[sa.Select[int]] = [
        sa.select(Shift.organisation_id).where(Shift.id.in_(shift_ids[i : i + CHUNK]))
        for i in range(0, len(shift_ids), CHUNK)
    ]
    parts += [
        sa.select(Person.organisation_id).where(Person.id.in_(person_ids[i : i + CHUNK]))
        for i in range(0, len(person_ids), CHUNK)
    ]
    if org_ids:
        parts.append(sa.select(Organisation.id).where(Organisation.id.in_(org_ids)))
    # UNION, not UNION ALL: one row per organisation however many of its shifts changed.
    for i in range(0, len(parts), PER_STATEMENT):
        union = sa.union(*parts[i : i + PER_STATEMENT])
        session.execute(sa.insert(CalendarChange).from_select(["organisation_id"], union))


def prune(session: Session, org_ids: Iterable[int]) -> None:
    """Leave these organisations one fresh row each (so a count and last id seen before
    never come back) and drop the rows of organisations deleted since."""
    orgs = sorted(set(org_ids))
    if orgs:
        first = min(
            session.scalars(
                sa.insert(CalendarChange)
                .from_select(["organisation_id"], sa.select(Organisation.id).where(
                    Organisation.id.in_(orgs)))
                .returning(CalendarChange.id)
            ).all(),
            default=None,
        )  # fmt: skip
        if first is not None:
            session.execute(sa.delete(CalendarChange).where(
                CalendarChange.organisation_id.in_(orgs), CalendarChange.id < first
            ))  # fmt: skip
    session.execute(
        sa.delete(CalendarChange).where(
            CalendarChange.organisation_id.not_in(sa.select(Organisation.id))
        )
    )
