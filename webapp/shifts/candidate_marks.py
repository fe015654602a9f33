"""What a flush changed that the board's candidates depend on (``shifts/candidates.py``).

An ``after_flush`` hook on every session notes the volunteers, shifts, requests and
organisations whose rows changed in a way that can change who may serve what; the
candidates are worked out again for them before the transaction commits (or before the
board is read in the same transaction). Hooks see every ORM write, whichever operation,
job or listener made it, so no workflow has to remember to call anything. Writes that
bypass the ORM (``sa.update(Shift)``) would bypass this too: there are none for these
tables; the nightly rebuild is the net under that rule.

Only ids are noted here: the hook runs inside the flush, where no SQL may be sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.orgs.models import Organisation, OrganisationSettings
from webapp.people.models import (
    Absence,
    AvailabilitySlot,
    Credential,
    Person,
    VolunteerProfile,
)
from webapp.shifts.models import Assignment, CheckIn, Shift
from webapp.shifts.transitions import FINAL

KEY = "board_candidate_marks"
# Changes that can change who may serve what: the candidates are worked out again.
KINDS = ("people", "shifts", "requests", "orgs")
# Changes that show on a board without changing the candidates (a seat taken, a time or
# a destination edited): the boards showing them are told (shifts/board_changes.py).
SEEN = ("seen_shifts", "seen_people", "seen_requests", "seen_orgs", "seen_residents")
# Changes that show only on the coordinator's day and week (a resident or volunteer
# renamed): their organisations' calendars are told (shifts/calendar_changes.py).
# ``calendar_people``: people whose checks or volunteer profile changed, which the desk
# home's list of volunteers' checks and count of volunteers awaiting approval, kept under
# the same stamp, show.
CALENDAR = ("calendar_orgs", "calendar_people")
# The rows the desk's list of checks reads besides people's names (people/vetting.py).
_CHECK_ROWS = (VolunteerProfile, Credential)
# What a volunteer's schedule shows of the resident of a shift they hold.
RESIDENT_FIELDS = ("first_name", "last_name", "phone")
# What ``Eligibility`` reads of each row (a change elsewhere cannot change its answer).
SHIFT_FIELDS = ("kind", "starts_at", "ends_at", "start_lat", "start_lon", "organisation_id",
                "request_id")  # fmt: skip
PERSON_FIELDS = ("lat", "lon", "languages", "gender", "is_volunteer", "organisation_id",
                 "volunteer", "slots", "credentials", "absences")  # fmt: skip
# A volunteer's own rows: any change of one may change what they can serve.
_OWN_ROWS = (VolunteerProfile, AvailabilitySlot, Absence, Credential)


def changed(obj: Any, fields: Iterable[str]) -> bool:
    """The flush under way changes one of ``fields`` of ``obj`` (loaded attributes only:
    an attribute nobody loaded cannot have been changed)."""
    attrs = sa.inspect(obj).attrs
    return any(attrs[f].history.has_changes() for f in fields)


def mark(session: Session, kind: str, ids: Iterable[int | None]) -> None:
    """Note that the candidates of these ``people``, ``shifts``, ``requests``' shifts or
    ``orgs`` must be worked out again before the commit."""
    marks = session.info.setdefault(KEY, {k: set() for k in (*KINDS, *SEEN, *CALENDAR)})
    marks[kind].update(i for i in ids if i is not None)


def eligibility_changed(marks: dict[str, set[int]]) -> bool:
    return any(marks[k] for k in KINDS)


def take(session: Session) -> dict[str, set[int]] | None:
    """The marks noted so far, forgotten here (the caller works them out)."""
    marks: dict[str, set[int]] | None = session.info.pop(KEY, None)
    if marks and any(marks.values()):
        return marks
    return None


def _finality_changed(shift: Shift) -> bool:
    """A move into (or back out of) a final status; a claim or approval is not one."""
    history = sa.inspect(shift).attrs.status.history
    if not history.has_changes():
        return False
    before = {s in FINAL for s in history.deleted}
    return before != {s in FINAL for s in history.added}


def note_changes(session: Session, _flush_context: Any) -> None:
    """``after_flush``: the session's new, dirty and deleted lists still show what this
    flush wrote, with the attributes' history."""
    for obj in session.new:
        if isinstance(obj, Shift):
            mark(session, "shifts", [obj.id])
        elif isinstance(obj, Person):
            mark(session, "people", [obj.id])
        elif isinstance(obj, _OWN_ROWS):
            mark(session, "people", [obj.person_id])
    for obj in session.dirty:
        if isinstance(obj, Shift):
            if changed(obj, SHIFT_FIELDS) or _finality_changed(obj):
                mark(session, "shifts", [obj.id])
        elif isinstance(obj, Person):
            if changed(obj, PERSON_FIELDS):
                mark(session, "people", [obj.id])
        elif isinstance(obj, _OWN_ROWS):
            if session.is_modified(obj):
                # Moved to another person (never done today): both lose or gain rows.
                state: Any = sa.inspect(obj)
                before = state.attrs["person_id"].history.deleted
                mark(session, "people", [obj.person_id, *before])
        elif isinstance(obj, Organisation) and changed(obj, ["timezone"]):
            mark(session, "orgs", [obj.id])
    for obj in session.deleted:
        # A deleted shift or person takes its rows with it (ON DELETE CASCADE).
        if isinstance(obj, _OWN_ROWS):
            mark(session, "people", [obj.person_id])
    note_seen(session)


def _is_request(obj: object) -> bool:
    """A help request (the requests feature sits above shifts: known by the mapping)."""
    return isinstance(obj, Shift.request.property.mapper.class_)


def note_seen(session: Session) -> None:
    """What shows on boards: any change of a shift or a request, a seat taken or given
    back (the volunteer's own board too: a held shift can clash with others)."""
    for obj in session.new:
        if isinstance(obj, Shift):  # a new leg changes its group: the request's shifts
            mark(session, "seen_requests", [obj.request_id])
        elif isinstance(obj, Assignment):
            mark(session, "seen_shifts", [obj.shift_id])
            mark(session, "seen_people", [obj.volunteer_id])
    for obj in session.dirty:
        if isinstance(obj, Shift) and session.is_modified(obj, include_collections=False):
            mark(session, "seen_shifts", [obj.id])
        elif _is_request(obj) and session.is_modified(obj, include_collections=False):
            mark(session, "seen_requests", [obj.id])
        elif isinstance(obj, Assignment) and session.is_modified(obj):
            mark(session, "seen_shifts", [obj.shift_id])
            mark(session, "seen_people", [obj.volunteer_id])
    for obj in session.deleted:
        if isinstance(obj, Assignment):
            mark(session, "seen_shifts", [obj.shift_id])
            mark(session, "seen_people", [obj.volunteer_id])
        elif isinstance(obj, Shift) or _is_request(obj):
            # Its candidate rows are gone with it: every board of the organisation.
            mark(session, "seen_orgs", [obj.organisation_id])
    for obj in (*session.new, *session.deleted):
        # A check-in filed (or erased) changes the volunteer's schedule: it no longer asks
        # for one (shifts/schedule_cache.py keeps it under the board's stamp).
        if isinstance(obj, CheckIn):
            mark(session, "seen_people", [obj.volunteer_id])
    for obj in session.dirty:
        # The resident's name and phone on the schedules of the volunteers they are
        # visited or driven by.
        if isinstance(obj, Person) and changed(obj, RESIDENT_FIELDS):
            mark(session, "seen_residents", [obj.id])
    for obj in (*session.new, *session.dirty, *session.deleted):
        # A name on the coordinator's calendar (any edit: a superset costs one drawing).
        if isinstance(obj, Person) and (
            obj not in session.dirty or session.is_modified(obj, include_collections=False)
        ):
            mark(session, "calendar_orgs", [obj.organisation_id])
    for obj in (*session.new, *session.dirty, *session.deleted):
        # A check recorded, renewed or removed; a volunteer approved, suspended, or
        # offering rides or visits no more: the desk's list of checks and count of
        # volunteers awaiting approval (any edit: a superset costs one drawing).
        if isinstance(obj, _CHECK_ROWS) and (obj not in session.dirty or session.is_modified(obj)):
            state: Any = sa.inspect(obj)
            before = state.attrs["person_id"].history.deleted
            mark(session, "calendar_people", [obj.person_id, *before])
    for obj in (*session.new, *session.dirty):
        # The board's window and travel speed: every board of the organisation (a
        # kept board is not keyed by them).
        if isinstance(obj, OrganisationSettings) and session.is_modified(obj):
            mark(session, "seen_orgs", [obj.organisation_id])


def forget_on_end(session: Session, transaction: Any) -> None:
    """``after_transaction_end``: a rolled-back transaction's marks name rows that were
    never written. Savepoints keep them (the outer transaction may still commit)."""
    if transaction.parent is None:
        session.info.pop(KEY, None)
