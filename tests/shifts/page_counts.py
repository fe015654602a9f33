"""The statement guards' common ground (tests/shifts/test_query_counts.py and the desk's
and time bank's own): a small town that can grow, and a page's statements counted before
and after it grew."""

from __future__ import annotations

from datetime import time, timedelta

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import login
from tests.shifts.builders import make_request, next_weekday, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.shifts import operations as ops
from webapp.shifts.calendar_cache import kept
from webapp.shifts.eligibility import conflict
from webapp.shifts.legs import group_of

DAY = next_weekday(2, at_least=4)  # a Wednesday, past the booking notice


def add_town(org, vol, coord, n: int, book: int = 0) -> None:  # type: ignore[no-untyped-def]
    """``n`` weekly visits and ``n`` weekly rides with a return near ``vol``; ``book``
    of their shifts approved for ``vol`` (those that do not clash), the rest open."""
    for i in range(n):
        resident = make_resident(org, neighbourhood=f"Quartiere {i % 3}")
        visit = make_request(
            org,
            visit_draft(
                DAY,
                recurring=True,
                end_date=DAY + timedelta(weeks=3),
                windows=[(DAY.weekday(), time(9 + i % 8), time(11 + i % 8))],
                accept_clash=True,
            ),
            resident=resident,
            actor=coord,
        )
        ride = make_request(
            org,
            ride_draft(DAY, recurring=True, end_date=DAY + timedelta(weeks=3), accept_clash=True),
            resident=resident,
            actor=coord,
        )
        for shift in [*shifts_of(visit), *shifts_of(ride)[::2]]:
            if book > 0 and not conflict(vol, group_of(shift), 30.0):
                ops.assign(shift, vol, coord)
                book -= 1
    db.session.flush()


def counts(client, count_queries, url: str, grow, drawn: bool = False) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """Statements of a view of ``url`` before and after ``grow()``; ``drawn``: with the
    coordinator's kept tables forgotten first, so the drawing is what is counted."""
    client.get(url)  # warm: the first request of a session loads what every page needs
    if drawn:
        kept().clear()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow()
    # The change commits first, as it would in its own request: the board's candidates
    # are settled by the writer's commit, not by the page that reads them. The commit
    # expires what the session held, so the page is warmed again as before the first count.
    db.session.commit()
    client.get(url)
    if drawn:
        kept().clear()
    with count_queries() as big:
        assert client.get(url).status_code == 200
    return len(small), len(big), f"small: {small}\n\nbig: {big}"


def setup_town(client, as_coordinator: bool):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    vol = make_volunteer(org, driving=True, visits=True)
    add_town(org, vol, coord, 2, book=2)
    login(client, (coord if as_coordinator else vol.user).email, PASSWORD)
    return org, vol, coord
