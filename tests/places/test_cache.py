"""The geocode cache tolerates two requests caching the same address at once."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_org
from webapp.extensions import db
from webapp.places.geocoding import Location, _remember, locate
from webapp.places.models import GeocodeCache


def test_caching_an_address_twice_keeps_the_first_and_does_not_fail(db_session):
    org = make_org()
    first = Location(41.59, 14.23, "Centro", "nominatim", "Via Roma 3")
    _remember(org.id, "via roma 3", "Via Roma 3", first)
    # What a second worker does when it looked the address up at the same moment:
    _remember(org.id, "via roma 3", "via roma 3", Location(1.0, 2.0, None, "nominatim", "x"))
    rows = db.session.scalars(sa.select(GeocodeCache)).all()
    assert [(r.lat, r.neighbourhood, r.source) for r in rows] == [(41.59, "Centro", "nominatim")]
    assert rows[0].created_at.tzinfo is not None
    assert locate(org.id, "Via Roma, 3").source == "cache"
