"""The map page without a browser: what it is given, in English and Italian."""

from __future__ import annotations

import json
import re
from html import unescape

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import csrf_token, login, post_form
from tests.people.helpers import HOME, add_address
from webapp.extensions import db


def _map_data(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r"data-map='([^']*)'", html)
    assert match, "no map on the page"
    return json.loads(unescape(match.group(1)))


def test_the_map_gets_the_pin_the_people_around_and_the_town(client, db_session, app):
    org = make_org()
    add_address(org, HOME, 41.5936, 14.2325)
    coord = make_coordinator(org)
    resident = make_resident(org, lat=41.594, lon=14.233)
    near = make_volunteer(org, first_name="Vicina", lat=41.595, lon=14.234, max_km=3)
    make_volunteer(org, first_name="Lontana", lat=41.9, lon=14.6)  # ~45 km away
    db.session.commit()
    login(client, coord.email, PASSWORD)
    html = client.get(f"/coordinator/people/{resident.id}/map").get_data(as_text=True)
    data = _map_data(html)
    assert data["pin"] == [41.594, 14.233] and data["tiles"] == ""  # tests: offline
    assert [p["label"] for p in data["people"]] == [near.full_name]
    assert data["people"][0]["kind"] == "volunteer"
    assert data["town"] == [[41.5936, 14.2325]]
    assert "Lontana" not in html and "Vicina" in html
    # A volunteer's page draws their radius and the people they could reach.
    html = client.get(f"/coordinator/people/{near.id}/map").get_data(as_text=True)
    data = _map_data(html)
    assert data["radius_km"] == 3
    assert [p["label"] for p in data["people"]] == [resident.full_name]


def test_a_bad_pin_is_refused_next_to_the_field_and_nothing_moves(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, lat=41.594, lon=14.233)
    db.session.commit()
    login(client, coord.email, PASSWORD)
    url = f"/coordinator/people/{resident.id}/map"
    resp = post_form(client, url, {"lat": "41.6", "lon": "200"})
    assert resp.status_code == 200
    assert "between -180 and 180" in resp.get_data(as_text=True)
    db.session.refresh(resident)
    assert (resident.lat, resident.lon) == (41.594, 14.233)


def test_the_map_page_speaks_italian(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, lat=None, lon=None, location_source=None)
    db.session.commit()
    login(client, coord.email, PASSWORD)
    client.post("/language", data={"csrf_token": csrf_token(client), "locale": "it", "next": "/"})
    html = client.get(f"/coordinator/people/{resident.id}/map").get_data(as_text=True)
    assert "Dove abita" in html and "non ancora sulla mappa" in html
    assert _map_data(html)["labels"]["zoom_in"] == "Ingrandisci"
