"""Gazetteer import: read a municipality's CSV of addresses, check every row, then
insert or update all of them, or nothing at all.

CSV format (see docs/places.md): a header row naming the columns ``address``, ``lat``,
``lon``, ``neighbourhood`` and optionally ``postcode``; comma or semicolon separated;
UTF-8 (a BOM from spreadsheet exports is fine). Operations flush; the caller commits.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.places.geocoding import distance_km, normalise, valid_coordinates
from webapp.places.models import GazetteerEntry, GeocodeCache

REQUIRED = ("address", "lat", "lon", "neighbourhood")
OPTIONAL = ("postcode",)
MAX_ROWS = 200_000


class GazetteerError(ValueError):
    """One problem in the file; ``line`` is the 1-based line number (None: whole file)."""

    def __init__(self, line: int | None, message: object) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message  # lazy string: translated when shown

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class GazetteerRow:
    line: int
    key: str
    address: str
    lat: float
    lon: float
    neighbourhood: str


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _number(text: str, semicolons: bool) -> float:
    text = text.strip()
    if semicolons:  # Italian spreadsheets: "41,5936" with ';' between columns
        text = text.replace(",", ".")
    return float(text)


def parse_gazetteer(
    text: str, centre: tuple[float, float] | None = None, max_km: float = 100.0
) -> list[GazetteerRow]:
    """Every row of the CSV ``text``, checked. Raises :class:`GazetteerError` on the first
    problem. If ``centre`` is given, points farther than ``max_km`` from it are refused
    (the usual cause is lat and lon swapped, which both look valid)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    semicolons = first.count(";") > first.count(",")
    reader = csv.reader(io.StringIO(text), delimiter=";" if semicolons else ",")
    try:
        header = next(reader)
    except StopIteration:
        raise GazetteerError(None, _l("The file is empty.")) from None
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise GazetteerError(
            1,
            _l(
                "line 1: unknown column %(name)s (expected: %(expected)s).",
                name=unknown[0] or '""',
                expected=", ".join(REQUIRED + OPTIONAL),
            ),
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise GazetteerError(
            1,
            _l(
                "line 1: the header must name the columns %(expected)s; %(name)s is missing.",
                expected=", ".join(REQUIRED),
                name=missing[0],
            ),
        )
    rows: list[GazetteerRow] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are harmless
            rows.append(_row(line, columns, record, semicolons, centre, max_km, seen))
            if len(rows) > MAX_ROWS:
                raise GazetteerError(line, _l("More than %(n)s addresses.", n=MAX_ROWS))
    except csv.Error as err:
        raise GazetteerError(
            reader.line_num,
            _l("line %(line)s: not valid CSV (%(error)s).", line=reader.line_num, error=str(err)),
        ) from None
    if not rows:
        raise GazetteerError(None, _l("The file has a header but no addresses."))
    return rows


def _row(
    line: int,
    columns: list[str],
    record: list[str],
    semicolons: bool,
    centre: tuple[float, float] | None,
    max_km: float,
    seen: dict[str, int],
) -> GazetteerRow:
    if len(record) != len(columns):
        raise GazetteerError(
            line,
            _l(
                "line %(line)s: %(found)s values, but the header has %(expected)s columns.",
                line=line,
                found=len(record),
                expected=len(columns),
            ),
        )
    values = {c: v.strip() for c, v in zip(columns, record, strict=True)}
    for name in REQUIRED:
        if not values[name]:
            raise GazetteerError(
                line, _l("line %(line)s: %(name)s is empty.", line=line, name=name)
            )
    coords = {}
    for name in ("lat", "lon"):
        try:
            coords[name] = _number(values[name], semicolons)
        except ValueError:
            coords[name] = math.nan
    bad = valid_coordinates(coords["lat"], coords["lon"])
    if bad:
        limit = "90" if bad == "lat" else "180"
        raise GazetteerError(
            line,
            _l(
                "line %(line)s: %(name)s must be a number between -%(limit)s and %(limit)s, "
                "not %(value)s.",
                line=line,
                name=bad,
                limit=limit,
                value=repr(values[bad]),
            ),
        )
    point = (coords["lat"], coords["lon"])
    if centre is not None and distance_km(centre, point) > max_km:
        raise GazetteerError(
            line,
            _l(
                "line %(line)s: %(address)s is %(km)s km from the organisation's centre; "
                "are lat and lon swapped?",
                line=line,
                address=values["address"],
                km=round(distance_km(centre, point)),
            ),
        )
    key = normalise(values["address"])
    if not key:
        raise GazetteerError(
            line, _l("line %(line)s: the address has no letters or digits.", line=line)
        )
    if key in seen:
        raise GazetteerError(
            line,
            _l("line %(line)s: the same address as line %(other)s.", line=line, other=seen[key]),
        )
    seen[key] = line
    address = values["address"]
    postcode = values.get("postcode", "")
    if postcode and postcode not in address:
        address = f"{address}, {postcode}"
    return GazetteerRow(line, key, address[:300], point[0], point[1], values["neighbourhood"][:120])


def import_gazetteer(
    org_id: int, rows: Iterable[GazetteerRow], *, replace: bool = False
) -> ImportResult:
    """Insert new addresses and update known ones (same normalised address) of ``org_id``.

    With ``replace``, addresses not in ``rows`` are deleted. Cached lookups that came from
    the gazetteer are dropped, so corrected coordinates apply to the next lookup; pins
    already saved on people are left alone.
    """
    existing = {
        e.key: e
        for e in db.session.scalars(
            sa.select(GazetteerEntry).where(GazetteerEntry.organisation_id == org_id)
        )
    }
    created = updated = unchanged = 0
    keys = set()
    for row in rows:
        keys.add(row.key)
        values = dict(
            address=row.address, lat=row.lat, lon=row.lon, neighbourhood=row.neighbourhood
        )
        entry = existing.get(row.key)
        if entry is None:
            db.session.add(GazetteerEntry(organisation_id=org_id, key=row.key, **values))
            created += 1
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(entry, k, v)
            updated += 1
        else:
            unchanged += 1
    removed = 0
    if replace:
        for key, entry in existing.items():
            if key not in keys:
                db.session.delete(entry)
                removed += 1
    db.session.execute(
        sa.delete(GeocodeCache).where(
            GeocodeCache.organisation_id == org_id, GeocodeCache.source == "gazetteer"
        )
    )
    db.session.flush()
    return ImportResult(created, updated, unchanged, removed)
