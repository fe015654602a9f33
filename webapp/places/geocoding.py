"""Turn an address into coordinates: database cache, then the local gazetteer, then
Nominatim (only if the deployment enables it).

Operations flush; the caller commits. Nothing here reads ``request``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from geopy.distance import geodesic

from webapp.extensions import db
from webapp.places.models import GazetteerEntry, GeocodeCache


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    neighbourhood: str | None
    source: str  # cache / gazetteer / nominatim / manual
    address: str


class AddressNotFound(LookupError):
    """No step of the chain knows this address."""


_ABBREVIATIONS = {
    "v.": "via",
    "p.za": "piazza",
    "p.zza": "piazza",
    "c.so": "corso",
    "v.le": "viale",
    "str.": "strada",
    "l.go": "largo",
}


def normalise(address: str) -> str:
    """Lower case, no accents or punctuation, common Italian abbreviations expanded, and
    a trailing town name kept: 'C.so Garibaldi, 12 - Isernia' -> 'corso garibaldi 12 isernia'."""
    text = unicodedata.normalize("NFKD", address).encode("ascii", "ignore").decode().lower()
    words = [_ABBREVIATIONS.get(w, w) for w in text.split()]
    text = " ".join(words)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())[:300]


def _from_cache(org_id: int, key: str) -> Location | None:
    row = db.session.scalar(
        sa.select(GeocodeCache).where(
            GeocodeCache.organisation_id == org_id, GeocodeCache.key == key
        )
    )
    return row and Location(row.lat, row.lon, row.neighbourhood, "cache", row.address)


def _from_gazetteer(org_id: int, key: str, town_words: set[str]) -> Location | None:
    candidates = {key}
    # "via roma 3 isernia" should find "via roma 3": try without trailing town words.
    words = key.split()
    while words and words[-1] in town_words:
        words = words[:-1]
        candidates.add(" ".join(words))
    row = db.session.scalar(
        sa.select(GazetteerEntry)
        .where(GazetteerEntry.organisation_id == org_id, GazetteerEntry.key.in_(candidates))
        .limit(1)
    )
    return row and Location(row.lat, row.lon, row.neighbourhood, "gazetteer", row.address)


def _from_nominatim(address: str) -> Location | None:
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    geocoder = Nominatim(
        user_agent=current_app.config["NOMINATIM_USER_AGENT"],
        domain=current_app.config["NOMINATIM_DOMAIN"],
        timeout=5,
    )
    # Nominatim's usage policy: at most one request per second.
    lookup = RateLimiter(geocoder.geocode, min_delay_seconds=1, max_retries=1)
    found = lookup(address)
    if found is None:
        return None
    return Location(found.latitude, found.longitude, None, "nominatim", found.address)


def _town_words(org_id: int) -> set[str]:
    from webapp.orgs.models import Organisation

    org = db.session.get(Organisation, org_id)
    words = set(normalise(org.name).split()) if org else set()
    return words - {"comune", "di", "del", "della"}


def locate(org_id: int, address: str) -> Location:
    """Resolve ``address`` for organisation ``org_id``; raises :class:`AddressNotFound`."""
    key = normalise(address)
    if not key:
        raise AddressNotFound(address)
    found = _from_cache(org_id, key)
    if found:
        return found
    found = _from_gazetteer(org_id, key, _town_words(org_id))
    if found is None and current_app.config.get("NOMINATIM_ENABLED"):
        found = _from_nominatim(address)
    if found is None:
        raise AddressNotFound(address)
    db.session.add(
        GeocodeCache(
            organisation_id=org_id,
            key=key,
            address=address.strip(),
            lat=found.lat,
            lon=found.lon,
            neighbourhood=found.neighbourhood,
            source=found.source,
        )
    )
    db.session.flush()
    return found


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance (WGS-84) in kilometres."""
    return geodesic(a, b).km
