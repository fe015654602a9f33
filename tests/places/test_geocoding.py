import pytest

from tests.factories import make_org
from webapp.extensions import db
from webapp.places.geocoding import AddressNotFound, locate, normalise
from webapp.places.models import GazetteerEntry, GeocodeCache


def test_normalise_expands_abbreviations_and_accents():
    assert normalise("C.so Garibaldi, 12 - Isernia") == "corso garibaldi 12 isernia"
    assert normalise("Piazza Celestino V°") == "piazza celestino v"


def test_gazetteer_then_cache(db_session):
    org = make_org("Comune di Isernia")
    db.session.add(
        GazetteerEntry(
            organisation_id=org.id,
            key="via roma 3",
            address="Via Roma 3",
            lat=41.59,
            lon=14.23,
            neighbourhood="Centro",
        )
    )
    db.session.flush()
    found = locate(org.id, "Via Roma, 3 Isernia")
    assert (found.lat, found.lon, found.source) == (41.59, 14.23, "gazetteer")
    again = locate(org.id, "via roma 3 isernia")
    assert again.source == "cache" and again.neighbourhood == "Centro"
    assert db.session.query(GeocodeCache).count() == 1


def test_unknown_address_raises(db_session):
    org = make_org()
    with pytest.raises(AddressNotFound):
        locate(org.id, "Via Inesistente 999")


def test_gazetteer_is_per_organisation(db_session):
    a, b = make_org(), make_org()
    db.session.add(
        GazetteerEntry(
            organisation_id=a.id, key="via roma 1", address="Via Roma 1", lat=1.0, lon=2.0
        )
    )
    db.session.flush()
    assert locate(a.id, "Via Roma 1").lat == 1.0
    with pytest.raises(AddressNotFound):
        locate(b.id, "Via Roma 1")
