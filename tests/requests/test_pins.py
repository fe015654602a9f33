"""Pins placed after booking: a resident's home and a ride's destination reach the future
shifts (a shift keeps a snapshot of where it is), and a placed pin is remembered."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident
from tests.helpers import login, post_form
from tests.shifts.builders import (
    HOSPITAL,
    in_days,
    make_request,
    ride_draft,
    shifts_of,
    visit_draft,
)
from webapp.extensions import db
from webapp.people import operations as people_ops
from webapp.places.geocoding import locate
from webapp.shifts.models import ShiftKind

FAR = "Contrada Tappino, Campobasso"


def test_a_home_pin_placed_later_reaches_the_future_visits(db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, lat=None, lon=None, location_source=None, address="Via X 1")
    req = make_request(org, visit_draft(), resident=resident, actor=coord)
    (shift,) = shifts_of(req)
    assert shift.start_lat is None
    people_ops.set_pin(resident, 41.6, 14.2, coord)
    assert (shift.start_lat, shift.start_lon, shift.end_lat) == (41.6, 14.2, 41.6)
    # The address is remembered for the next person living there.
    assert (locate(org.id, "Via X 1").lat, locate(org.id, "Via X 1").source) == (41.6, "cache")


def test_a_resident_books_a_ride_to_an_unknown_place_and_the_coordinator_places_it(
    client, db_session
):
    org = make_org()
    coord = make_coordinator(org, email="c-pins@example.org")
    draft = ride_draft(in_days(6), destination_address=FAR, allow_unplaced=True)
    req = make_request(org, draft, actor=coord)
    assert req.destination_lat is None
    out, back = shifts_of(req)
    assert out.end_lat is None and back.start_lat is None
    short = out.ends_at - out.starts_at  # no distance known: only the boarding time
    db.session.commit()
    login(client, "c-pins@example.org", PASSWORD)
    day = client.get(f"/shifts/day?date={out.occurrence_date.isoformat()}").get_data(as_text=True)
    assert "not on the map" in day and f"/requests/{req.id}/destination" in day
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "not on the map yet" in html and f"/requests/{req.id}/destination" in html
    url = f"/requests/{req.id}/destination"
    resp = post_form(client, url, {"lat": "95", "lon": "14"})
    assert "between -90 and 90" in resp.get_data(as_text=True)
    resp = post_form(client, url, {"lat": "41,5606", "lon": "14.6556"})
    assert resp.status_code == 302
    assert (req.destination_lat, req.destination_lon) == (41.5606, 14.6556)
    out, back = shifts_of(req)
    assert (out.end_lat, back.start_lat) == (41.5606, 41.5606)
    assert out.kind == ShiftKind.RIDE_OUT and out.ends_at - out.starts_at > short
    assert back.starts_at - out.ends_at == timedelta(minutes=60)
    # The next ride there is found without a pin.
    again = make_request(
        org, ride_draft(in_days(8), destination_address=FAR), resident=make_resident(org)
    )
    assert again.destination_lat == 41.5606


def test_a_pin_for_a_known_address_does_not_move_the_town_list(db_session):
    org = make_org()
    draft = ride_draft(destination_lat=41.61, destination_lon=14.25)
    req = make_request(org, draft)  # HOSPITAL is in the gazetteer
    assert (req.destination_lat, req.destination_lon) == (41.61, 14.25)
    assert locate(org.id, HOSPITAL[0]).lat == HOSPITAL[1]
