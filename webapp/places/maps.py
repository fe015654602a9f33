"""What a map page needs: the tile server (or none), the town's known addresses as a plain
background that works offline, and whether Leaflet was installed (``make vendor``).

The pages put this in a ``data-map`` attribute read by ``static/js/pinmap.js``; without
Leaflet, or without JavaScript, the coordinates fields beside the map still place a pin.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.places.geocoding import Point
from webapp.places.models import GazetteerEntry

# Enough dots to draw a small town's streets; a city's gazetteer is thinned evenly.
MAX_TOWN_POINTS = 3000


@dataclass(frozen=True)
class MapPerson:
    """Someone shown around the pin: ``kind`` is resident, volunteer or place."""

    lat: float
    lon: float
    label: str
    kind: str


def leaflet_installed() -> bool:
    static = Path(current_app.static_folder or "")
    return (static / "vendor" / "leaflet" / "leaflet.js").is_file()


def town_points(org_id: int, limit: int = MAX_TOWN_POINTS) -> list[tuple[float, float]]:
    """The organisation's gazetteer addresses (rounded to about a metre), at most
    ``limit`` of them, evenly thinned: the streets of the town without any tiles."""
    rows = db.session.execute(
        sa.select(GazetteerEntry.lat, GazetteerEntry.lon)
        .where(GazetteerEntry.organisation_id == org_id)
        .order_by(GazetteerEntry.id)
    ).all()
    step = max(1, -(-len(rows) // limit))
    return [(round(lat, 5), round(lon, 5)) for lat, lon in rows[::step]]


def centre_of(org_id: int) -> Point | None:
    org = db.session.get(Organisation, org_id)
    if org is not None and org.centre_lat is not None and org.centre_lon is not None:
        return org.centre_lat, org.centre_lon
    first = db.session.execute(
        sa.select(GazetteerEntry.lat, GazetteerEntry.lon)
        .where(GazetteerEntry.organisation_id == org_id)
        .limit(1)
    ).first()
    return (first[0], first[1]) if first else None


def map_data(
    org_id: int,
    *,
    pin: Point | None,
    people: list[MapPerson] | None = None,
    radius_km: float | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ``data-map`` contents: tiles, centre, the pin, people around, town dots."""
    cfg = current_app.config
    return {
        "tiles": cfg.get("MAP_TILES") or "",
        "attribution": cfg.get("MAP_ATTRIBUTION") or "",
        "centre": pin or centre_of(org_id),
        "pin": pin,
        "radius_km": radius_km,
        "people": [asdict(p) for p in people or []],
        "town": town_points(org_id),
        "labels": labels or {},
    }
