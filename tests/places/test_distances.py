"""Distances, neighbourhoods of hand-placed pins, and their validation."""

from __future__ import annotations

import math

import pytest

from tests.factories import ISERNIA, make_org
from webapp.extensions import db
from webapp.places.geocoding import (
    InvalidCoordinates,
    distance_km,
    manual_location,
    nearest_neighbourhood,
)
from webapp.places.models import GazetteerEntry


def test_distance_is_geodesic_kilometres():
    campobasso = (41.5603, 14.6627)
    assert distance_km(ISERNIA, ISERNIA) == 0
    assert distance_km(ISERNIA, campobasso) == pytest.approx(35.9, abs=0.3)
    assert distance_km(ISERNIA, campobasso) == pytest.approx(distance_km(campobasso, ISERNIA))


def _gazetteer(org_id: int) -> None:
    for key, lat, lon, hood in [
        ("corso marcelli 1", 41.5905, 14.2290, "Centro storico"),
        ("via umbria 1", 41.6060, 14.2310, "Le Piane"),
    ]:
        db.session.add(
            GazetteerEntry(
                organisation_id=org_id,
                key=key,
                address=key,
                lat=lat,
                lon=lon,
                neighbourhood=hood,
            )
        )
    db.session.flush()


def test_nearest_neighbourhood_within_reach_only(db_session):
    org, other = make_org(), make_org()
    _gazetteer(org.id)
    assert nearest_neighbourhood(org.id, 41.5910, 14.2295) == "Centro storico"
    assert nearest_neighbourhood(org.id, 41.6040, 14.2300) == "Le Piane"
    assert nearest_neighbourhood(org.id, 41.70, 14.50) is None  # ~25 km away
    assert nearest_neighbourhood(other.id, 41.5910, 14.2295) is None  # other organisation


def test_a_manual_pin_gets_a_neighbourhood(db_session):
    org = make_org()
    _gazetteer(org.id)
    pin = manual_location(org.id, 41.6055, 14.2305, "Casa colonica senza numero")
    assert (pin.source, pin.neighbourhood) == ("manual", "Le Piane")


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (91, 14, "lat"),
        (-90.5, 14, "lat"),
        (41, 180.01, "lon"),
        (math.nan, 14, "lat"),
        (41, math.inf, "lon"),
    ],
)
def test_a_manual_pin_off_the_planet_names_the_field(lat, lon, field, app, db_session):
    org = make_org()
    with app.test_request_context():
        with pytest.raises(InvalidCoordinates) as err:
            manual_location(org.id, lat, lon)
        assert err.value.field == field
        assert "between" in str(err.value.message)
