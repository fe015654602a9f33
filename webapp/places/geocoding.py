"""Turn an address into coordinates: database cache, then the local gazetteer, then
Nominatim (only if the deployment enables it).

Operations flush; the caller commits. Nothing here reads ``request``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy.dialects import postgresql, sqlite

from webapp.core.locks import is_postgres
from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.models import Organisation
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


class InvalidCoordinates(ValueError):
    """A hand-placed pin outside the valid range; ``field`` is ``lat`` or ``lon``."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message  # lazy string: translated when shown

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


_ABBREVIATIONS = {
    "v.": "via",
    "p.za": "piazza",
    "p.zza": "piazza",
    "c.so": "corso",
    "v.le": "viale",
    "str.": "strada",
    "l.go": "largo",
}
# Trailing words that say where, not which address: "..., 86170 Isernia, Italia".
_COUNTRY_WORDS = {"italia", "italy"}
_POSTCODE = re.compile(r"^\d{5}$")


def normalise(address: str) -> str:
    """Lower case, no accents or punctuation, common Italian abbreviations expanded, and
    a trailing town name kept: 'C.so Garibaldi, 12 - Isernia' -> 'corso garibaldi 12 isernia'."""
    text = unicodedata.normalize("NFKD", address).encode("ascii", "ignore").decode().lower()
    words = [_ABBREVIATIONS.get(w, w) for w in text.split()]
    text = " ".join(words)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())[:300]


def valid_coordinates(lat: float, lon: float) -> str | None:
    """None if (lat, lon) is a point on Earth, else the name of the bad field."""
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        return "lat"
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        return "lon"
    return None


def _from_cache(org_id: int, key: str) -> Location | None:
    row = db.session.scalar(
        sa.select(GeocodeCache).where(
            GeocodeCache.organisation_id == org_id, GeocodeCache.key == key
        )
    )
    if row is None:
        return None
    return Location(row.lat, row.lon, row.neighbourhood, "cache", row.address)


def _candidates(key: str, town_words: set[str]) -> set[str]:
    """The key, and the key without trailing town, postcode and country words:
    'via roma 3 86170 isernia italia' should find 'via roma 3'."""
    candidates = {key}
    words = key.split()
    while len(words) > 1 and (
        words[-1] in town_words or words[-1] in _COUNTRY_WORDS or _POSTCODE.match(words[-1])
    ):
        words = words[:-1]
        candidates.add(" ".join(words))
    return candidates


def _from_gazetteer(org_id: int, key: str, town_words: set[str]) -> Location | None:
    row = db.session.scalar(
        sa.select(GazetteerEntry)
        .where(
            GazetteerEntry.organisation_id == org_id,
            GazetteerEntry.key.in_(_candidates(key, town_words)),
        )
        .order_by(sa.func.length(GazetteerEntry.key).desc())
        .limit(1)
    )
    if row is None:
        return None
    return Location(row.lat, row.lon, row.neighbourhood, "gazetteer", row.address)


@lru_cache(maxsize=8)
def _nominatim(
    domain: str, scheme: str, user_agent: str, timeout: float, delay: float
) -> RateLimiter:
    """One rate-limited geocoder per configuration and process, so that the delay holds
    between lookups (a new RateLimiter per call would never wait)."""
    geocoder = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout)
    # Nominatim's usage policy: at most one request per second. No retries: a person is
    # waiting on the phone, and the coordinator can place the pin by hand instead.
    return RateLimiter(
        geocoder.geocode, min_delay_seconds=delay, max_retries=0, swallow_exceptions=False
    )


def _from_nominatim(org_id: int, address: str) -> Location | None:
    cfg = current_app.config
    lookup = _nominatim(
        cfg["NOMINATIM_DOMAIN"],
        cfg["NOMINATIM_SCHEME"],
        cfg["NOMINATIM_USER_AGENT"],
        float(cfg["NOMINATIM_TIMEOUT"]),
        float(cfg["NOMINATIM_MIN_DELAY"]),
    )
    options: dict[str, object] = {}
    org = db.session.get(Organisation, org_id)
    if org is not None and org.centre_lat is not None and org.centre_lon is not None:
        # Prefer (not require) results around the town: "Via Roma 3" exists everywhere.
        d = 0.25
        options["viewbox"] = [
            (org.centre_lat - d, org.centre_lon - d),
            (org.centre_lat + d, org.centre_lon + d),
        ]
    try:
        found = lookup(address, **options)
    except (GeopyError, OSError, ValueError) as err:
        # Down, slow or refusing us: the address is "not found" for now; never a 500.
        current_app.logger.warning("Nominatim lookup failed for %r: %s", address, err)
        return None
    if found is None:
        return None
    lat, lon = float(found.latitude), float(found.longitude)
    return Location(lat, lon, nearest_neighbourhood(org_id, lat, lon), "nominatim", found.address)


def _town_words(org_id: int) -> set[str]:
    org = db.session.get(Organisation, org_id)
    words = set(normalise(org.name).split()) if org else set()
    return words - {"comune", "di", "del", "della"}


def _remember(org_id: int, key: str, address: str, found: Location) -> None:
    """Add the lookup to the cache. One INSERT ... ON CONFLICT DO NOTHING: a concurrent
    request caching the same address first is fine, and no savepoint is needed."""
    insert = postgresql.insert if is_postgres() else sqlite.insert
    db.session.execute(
        insert(GeocodeCache)
        .values(
            organisation_id=org_id,
            key=key,
            address=address.strip()[:300],
            lat=found.lat,
            lon=found.lon,
            neighbourhood=found.neighbourhood,
            source=found.source,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["organisation_id", "key"])
    )


def locate(org_id: int, address: str) -> Location:
    """Resolve ``address`` for organisation ``org_id``; raises :class:`AddressNotFound`.

    Order: the cache, the organisation's gazetteer, then Nominatim if
    ``PONTE_NOMINATIM`` is on. Every hit outside the cache is cached (flushed, not
    committed), so an address costs at most one Nominatim request.
    """
    key = normalise(address)
    if not key:
        raise AddressNotFound(address)
    found = _from_cache(org_id, key)
    if found:
        return found
    found = _from_gazetteer(org_id, key, _town_words(org_id))
    if found is None and current_app.config.get("NOMINATIM_ENABLED"):
        found = _from_nominatim(org_id, address)
    if found is None:
        raise AddressNotFound(address)
    _remember(org_id, key, address, found)
    return found


def manual_location(org_id: int, lat: float, lon: float, address: str = "") -> Location:
    """A pin placed by hand: checked, and given the neighbourhood of the nearest known
    address. Raises :class:`InvalidCoordinates` (keyed by field)."""
    bad = valid_coordinates(lat, lon)
    if bad == "lat":
        raise InvalidCoordinates("lat", _l("Latitude must be a number between -90 and 90."))
    if bad == "lon":
        raise InvalidCoordinates("lon", _l("Longitude must be a number between -180 and 180."))
    return Location(lat, lon, nearest_neighbourhood(org_id, lat, lon), "manual", address)


def remember_pin(org_id: int, address: str, found: Location) -> None:
    """A pin placed by hand for an address no step of the chain knew: the cache keeps it,
    so the next person booking the same place (a hospital outside the town's list) finds
    it. An address cached from the gazetteer or Nominatim keeps its entry: one person's
    pin at the back of a courtyard does not move everybody's; a pin placed by hand
    earlier is corrected. Flushes; the caller commits."""
    key = normalise(address)
    if not key:
        return
    row = db.session.scalar(
        sa.select(GeocodeCache).where(
            GeocodeCache.organisation_id == org_id, GeocodeCache.key == key
        )
    )
    if row is None:
        _remember(org_id, key, address, found)
    elif row.source == "manual":  # a pin corrected by hand again: the newer one holds
        row.lat, row.lon, row.neighbourhood = found.lat, found.lon, found.neighbourhood
    db.session.flush()


def nearest_neighbourhood(org_id: int, lat: float, lon: float, max_km: float = 2.0) -> str | None:
    """Neighbourhood of the gazetteer address nearest to (lat, lon), if one lies within
    ``max_km``; None otherwise (or if the gazetteer has no neighbourhoods)."""
    # A coarse box first (1 degree of latitude is ~111 km) so that only nearby rows load.
    dlat = max_km / 111.0
    dlon = max_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = db.session.execute(
        sa.select(GazetteerEntry.lat, GazetteerEntry.lon, GazetteerEntry.neighbourhood).where(
            GazetteerEntry.organisation_id == org_id,
            GazetteerEntry.neighbourhood.is_not(None),
            GazetteerEntry.lat.between(lat - dlat, lat + dlat),
            GazetteerEntry.lon.between(lon - dlon, lon + dlon),
        )
    ).all()
    best: tuple[float, str | None] | None = None
    for row_lat, row_lon, name in rows:
        km = distance_km((lat, lon), (row_lat, row_lon))
        if km <= max_km and (best is None or km < best[0]):
            best = (km, name)
    return best[1] if best else None


Point = tuple[float, float]  # (lat, lon)


def point(lat: float | None, lon: float | None) -> Point | None:
    """``(lat, lon)``, or None while the place is not on the map (either is unknown)."""
    if lat is None or lon is None:
        return None
    return lat, lon


def located(lat: float | None, lon: float | None, what: str) -> Point:
    """``(lat, lon)`` of a place that its query or its caller has already found on the
    map; ValueError naming ``what`` if it is not."""
    found = point(lat, lon)
    if found is None:
        raise ValueError(f"{what} is not on the map")
    return found


def distance_km(a: Point, b: Point) -> float:
    """Geodesic distance (WGS-84) in kilometres between two (lat, lon) points."""
    return geodesic(a, b).km
