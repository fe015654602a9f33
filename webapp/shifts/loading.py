"""What a page about shifts loads together with them, so it sends a fixed number of
statements however many shifts it lists (tests/shifts/test_query_counts.py guards it)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from webapp.shifts.models import Assignment, Shift


def _request_attr(name: str):  # type: ignore[no-untyped-def]
    # Requests sit above shifts (docs/architecture.md): reach the resident through the
    # mapped relationship instead of importing the Request model.
    return getattr(Shift.request.property.mapper.class_, name)


def with_request_and_seats(
    *, volunteers: bool = False, resident: bool = True
) -> list[LoaderOption]:
    """Load each shift's request (and its resident) and its seats (and who holds them)
    in one statement per relationship, instead of one per shift."""
    seats = selectinload(Shift.assignments)
    if volunteers:
        seats = seats.selectinload(Assignment.volunteer)
    request = selectinload(Shift.request)
    if resident:
        request = request.selectinload(_request_attr("resident"))
    return [seats, request]
