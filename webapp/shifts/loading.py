"""What a page about shifts loads together with them, so it sends a fixed number of
statements however many shifts it lists (tests/shifts/test_query_counts.py guards it)."""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from webapp.shifts.models import Assignment, Shift


def _request_attr(name: str):  # type: ignore[no-untyped-def]
    # Requests sit above shifts (docs/architecture.md): reach the resident through the
    # mapped relationship instead of importing the Request model.
    return getattr(Shift.request.property.mapper.class_, name)


def with_request_and_seats(
    *, volunteers: bool = False, resident: bool = True, joined: bool = False
) -> list[LoaderOption]:
    """Load each shift's request (and its resident) and its seats (and who holds them)
    in one statement per relationship, instead of one per shift. With ``joined``, the
    request and the resident come in the shifts' own statement (outer joins): for a
    page of a few dozen shifts the round trips cost more than the wider rows."""
    seats = selectinload(Shift.assignments)
    if volunteers:
        seats = seats.selectinload(Assignment.volunteer)
    if joined:
        request = joinedload(Shift.request)
        if resident:
            request = request.joinedload(_request_attr("resident"))
        return [seats, request]
    request = selectinload(Shift.request)
    if resident:
        request = request.selectinload(_request_attr("resident"))
    return [seats, request]
