"""The resident's home (/requests/mine): her coming visits and rides as cards, read as
rows of what they show (requests/upcoming.py)."""

from __future__ import annotations

import re

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import login
from tests.shifts.builders import in_days, make_request, ride_draft, shifts_of, visit_draft
from webapp.extensions import db
from webapp.requests import operations as rops
from webapp.shifts import operations as ops


def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="card" data-shift="(\d+)">(.*?)</article>', html, re.S)


def test_the_cards_show_who_is_coming_by_seat_a_ride_once_and_no_one_elses(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    make_user(org, person=resident)
    visit = make_request(org, visit_draft(in_days(4), two_volunteers=True), resident=resident,
                         actor=coord)  # fmt: skip
    first, second = make_volunteer(org, first_name="Zeno"), make_volunteer(org, first_name="Ada")
    ops.assign(shifts_of(visit)[0], first, coord)
    ops.assign(shifts_of(visit)[0], second, coord)
    ride = make_request(org, ride_draft(in_days(6)), resident=resident, actor=coord)
    cancelled = make_request(org, visit_draft(in_days(8)), resident=resident, actor=coord)
    rops.cancel_request(cancelled, coord, "moved away")
    other = make_resident(org)
    make_request(org, visit_draft(in_days(5)), resident=other, actor=coord)
    db.session.commit()

    login(client, resident.user.email, PASSWORD)
    html = client.get("/requests/mine").get_data(as_text=True)
    cards = _cards(html)
    # The visit, the ride (its two legs, one card) and the cancelled visit, soonest first.
    assert [int(shift_id) for shift_id, _body in cards] == [
        shifts_of(visit)[0].id, shifts_of(ride)[0].id, shifts_of(cancelled)[0].id
    ]
    visit_card, ride_card, cancelled_card = (body for _id, body in cards)
    assert "Coming: Zeno, Ada" in visit_card  # by seat, not by name
    assert "back at" in ride_card and "We are looking for a volunteer." in ride_card
    assert "Cancelled" in cancelled_card
    # The change link on each request that can still change, not on the cancelled one.
    assert f'/requests/{visit.id}/change"' in visit_card
    assert f'/requests/{ride.id}/change"' in ride_card
    assert "/change" not in cancelled_card
