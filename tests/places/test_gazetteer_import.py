"""`flask places import-gazetteer`: every row checked, all or nothing, re-import updates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import make_org
from webapp.extensions import db
from webapp.places.geocoding import locate
from webapp.places.models import GazetteerEntry, GeocodeCache
from webapp.places.operations import GazetteerError, import_gazetteer, parse_gazetteer

GOOD = """address,lat,lon,neighbourhood,postcode
Corso Garibaldi 1,41.5940,14.2330,Centro,86170
Via Umbria 7,41.6050,14.2300,Le Piane,
"""


def entries(org_id: int) -> dict[str, tuple[float, float, str | None]]:
    rows = db.session.scalars(
        sa.select(GazetteerEntry).where(GazetteerEntry.organisation_id == org_id)
    )
    return {e.key: (e.lat, e.lon, e.neighbourhood) for e in rows}


def run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["places", *args])


def test_import_then_lookup_through_the_cli(app, db_session, tmp_path):
    org = make_org("Comune di Isernia")
    csv_file = tmp_path / "g.csv"
    csv_file.write_text(GOOD)
    result = run(app, "import-gazetteer", org.slug, str(csv_file))
    assert result.exit_code == 0, result.output
    assert "2 addresses added, 0 updated, 0 unchanged" in result.output
    assert entries(org.id) == {
        "corso garibaldi 1": (41.594, 14.233, "Centro"),
        "via umbria 7": (41.605, 14.23, "Le Piane"),
    }
    found = run(app, "lookup", org.slug, "C.so Garibaldi, 1 - 86170 Isernia")
    assert found.exit_code == 0, found.output
    assert "41.594000, 14.233000" in found.output and "Centro" in found.output
    assert "gazetteer" in found.output
    missing = run(app, "lookup", org.slug, "Via Inesistente 9")
    assert missing.exit_code == 1 and "Address not found" in missing.output


def test_reimport_updates_existing_addresses_and_drops_stale_cache(app, db_session, tmp_path):
    org = make_org()
    import_gazetteer(org.id, parse_gazetteer(GOOD))
    assert locate(org.id, "Corso Garibaldi 1").source == "gazetteer"  # now cached
    corrected = GOOD.replace("41.5940,14.2330,Centro", "41.5950,14.2340,Centro nuovo")
    result = import_gazetteer(org.id, parse_gazetteer(corrected))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert entries(org.id)["corso garibaldi 1"] == (41.595, 14.234, "Centro nuovo")
    assert db.session.scalar(sa.select(sa.func.count(GeocodeCache.id))) == 0
    again = locate(org.id, "Corso Garibaldi 1")
    assert (again.lat, again.neighbourhood) == (41.595, "Centro nuovo")


def test_replace_removes_addresses_missing_from_the_file(db_session):
    org = make_org()
    import_gazetteer(org.id, parse_gazetteer(GOOD))
    only_one = "address,lat,lon,neighbourhood\nVia Umbria 7,41.605,14.23,Le Piane\n"
    result = import_gazetteer(org.id, parse_gazetteer(only_one), replace=True)
    assert (result.unchanged, result.removed) == (1, 1)
    assert list(entries(org.id)) == ["via umbria 7"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty"),
        ("address,lat,lon,neighbourhood\n", None, "no addresses"),
        ("address,lat,lng,neighbourhood\nVia A 1,41.5,14.2,X\n", 1, "unknown column lng"),
        ("address,lat,lon\nVia A 1,41.5,14.2\n", 1, "neighbourhood is missing"),
        ("address,lat,lon,neighbourhood\nVia A 1,41.5,14.2,X\nVia B 2,north,14.2,X\n", 3, "lat"),
        ("address,lat,lon,neighbourhood\nVia A 1,91,14.2,X\n", 2, "between -90 and 90"),
        ("address,lat,lon,neighbourhood\nVia A 1,41.5,200,X\n", 2, "between -180 and 180"),
        ("address,lat,lon,neighbourhood\nVia A 1,41.5,nan,X\n", 2, "lon"),
        ("address,lat,lon,neighbourhood\n,41.5,14.2,X\n", 2, "address is empty"),
        ("address,lat,lon,neighbourhood\nVia A 1,41.5,14.2,\n", 2, "neighbourhood is empty"),
        ("address,lat,lon,neighbourhood\nVia A 1,41.5,14.2\n", 2, "3 values"),
        (
            "address,lat,lon,neighbourhood\nVia A 1,41.5,14.2,X\nVIA A, 1,41.5,14.2,X\n",
            3,
            "5 values",
        ),
        (
            'address,lat,lon,neighbourhood\nVia A 1,41.5,14.2,X\n"Via A  1",41.5,14.2,X\n',
            3,
            "line 2",
        ),
    ],
)
def test_bad_rows_are_refused_with_their_line_number(text, line, words, app):
    with app.test_request_context():
        with pytest.raises(GazetteerError) as err:
            parse_gazetteer(text)
        assert err.value.line == line
        assert words in str(err.value)
        if line:
            assert f"line {line}" in str(err.value)


def test_swapped_lat_lon_is_caught_by_the_distance_from_the_centre(app):
    swapped = "address,lat,lon,neighbourhood\nVia A 1,14.2325,41.5936,Centro\n"
    with app.test_request_context(), pytest.raises(GazetteerError) as err:
        parse_gazetteer(swapped, centre=(41.5936, 14.2325))
    assert "swapped" in str(err.value) and err.value.line == 2


def test_semicolons_decimal_commas_and_bom_from_spreadsheets(db_session):
    text = "\ufeffAddress;Lat;Lon;Neighbourhood\nVia Berta 3;41,5931;14,2301;Centro\n"
    rows = parse_gazetteer(text)
    assert [(r.key, r.lat, r.lon) for r in rows] == [("via berta 3", 41.5931, 14.2301)]


def test_one_bad_row_imports_nothing(app, db_session, tmp_path):
    org = make_org()
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(GOOD + "Via Latina 4,41.59,east,Santo Spirito,86170\n")
    result = run(app, "import-gazetteer", org.slug, str(csv_file))
    assert result.exit_code == 1
    assert "line 4" in result.output and "Nothing was imported" in result.output
    assert entries(org.id) == {}


def test_unknown_organisation_and_non_utf8_file(app, db_session, tmp_path):
    csv_file = tmp_path / "latin1.csv"
    csv_file.write_bytes("address,lat,lon,neighbourhood\nVia Citt\xe0 1,1,2,X\n".encode("latin-1"))
    result = run(app, "import-gazetteer", "nowhere", str(csv_file))
    assert result.exit_code == 1 and "No organisation with slug nowhere" in result.output
    org = make_org()
    result = run(app, "import-gazetteer", org.slug, str(csv_file))
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_the_shipped_demo_gazetteer_is_valid():
    from webapp.demo.places import GAZETTEER

    rows = parse_gazetteer(GAZETTEER.read_text(encoding="utf-8"), centre=(41.5936, 14.2325))
    assert 300 <= len(rows) <= 1000
    assert len({r.neighbourhood for r in rows}) >= 6
    assert all(r.address.endswith("86170") for r in rows)
