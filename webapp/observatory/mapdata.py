"""The map of served and unmet demand: one circle per neighbourhood at the centre of its
known addresses (the gazetteer; failing that, of the people living there, never one
person's home), sized by what was served, ringed by what was not, with a triangle
counting the residents at high risk with no service. The figures are the suppressed
ones of the neighbourhood tables; the tables are the map's text alternative.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.observatory.privacy import THRESHOLD
from webapp.observatory.tables import Table
from webapp.people.models import Person
from webapp.places.maps import map_data
from webapp.places.models import GazetteerEntry


def centres(org_id: int) -> dict[str, tuple[float, float]]:
    """Neighbourhood -> (lat, lon): the mean of its gazetteer addresses, else of the
    homes of at least ``THRESHOLD`` people living there."""
    out: dict[str, tuple[float, float]] = {}
    people = db.session.execute(
        sa.select(Person.neighbourhood, sa.func.avg(Person.lat), sa.func.avg(Person.lon))
        .where(Person.organisation_id == org_id, Person.lat.is_not(None))
        .group_by(Person.neighbourhood)
        .having(sa.func.count(Person.id) >= THRESHOLD)
    ).all()
    gazetteer = db.session.execute(
        sa.select(
            GazetteerEntry.neighbourhood,
            sa.func.avg(GazetteerEntry.lat),
            sa.func.avg(GazetteerEntry.lon),
        )
        .where(GazetteerEntry.organisation_id == org_id)
        .group_by(GazetteerEntry.neighbourhood)
    ).all()
    for hood, lat, lon in [*people, *gazetteer]:  # the gazetteer wins
        if hood:
            out[hood] = (round(float(lat), 5), round(float(lon), 5))
    return out


def area_map(org_id: int, *tables: Table) -> dict[str, Any]:
    """The ``data-observatory-map`` contents: tiles, centre, town dots and areas, one
    per neighbourhood with the (published) cells of every table given, in order; a
    neighbourhood missing from a table has no values for its columns."""
    where = centres(org_id)
    areas: dict[str, dict[str, Any]] = {}
    for table in tables:
        for row in table.rows:
            if row.key not in where:
                continue
            lat, lon = where[row.key]
            area = areas.setdefault(
                row.key, {"name": row.label, "lat": lat, "lon": lon, "values": {}, "text": {}}
            )
            area["values"].update({c.key: row.shown(c.key) for c in table.columns})
            area["text"].update({c.key: row.text(c) for c in table.columns})
    data = map_data(org_id, pin=None)
    data["areas"] = list(areas.values())
    data["columns"] = {c.key: str(c.label()) for t in tables for c in t.columns}
    return data
