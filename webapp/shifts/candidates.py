"""The board's candidates: which volunteer may serve which shift, by everything that
depends only on the two of them, kept in ``board_candidate`` (docs/shifts.md).

The board used to ask :class:`Eligibility` about every open shift near the volunteer on
every view (several thousand for a 10 km radius in a city). Its answer changes only when
the volunteer or the shift changes, so it is worked out then: ``candidate_marks`` notes
what a flush changed, :func:`settle` works those volunteers and shifts out again before
the commit, with the same :class:`Eligibility` the claim uses. The board then reads the
volunteer's rows by index and checks only what every claim changes (free seats, the
volunteer's other shifts). :func:`rebuild` works out a whole organisation (the city
data, ``flask shifts rebuild-candidates``, the nightly consistency job).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from webapp.db import utcnow
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.orgs.settings import org_tz
from webapp.people.models import AvailabilitySlot, Person, VolunteerProfile, VolunteerStatus
from webapp.shifts import board_changes, calendar_changes, candidate_marks
from webapp.shifts.eligibility import Eligibility
from webapp.shifts.models import BoardCandidate, Shift, ShiftKind
from webapp.shifts.transitions import FINAL

KM_PER_DEG_LAT_MIN = 110.5  # a degree of latitude is 110.57 km at the equator, more elsewhere
CHUNK = 2000  # ids per IN list and rows per INSERT batch
FREE_WINDOWS = 50  # different weekly times of shifts asked about in one statement
# PostgreSQL: one writer of an organisation's candidates at a time (a transaction-scoped
# advisory lock per organisation: this class and the organisation's id), so a volunteer
# moved in one transaction and a shift created in another, committing together, cannot
# each miss the other's change (READ COMMITTED sees the first commit). Candidates pair
# an organisation's volunteers with its own shifts only, so organisations settle side by
# side. Each settling locks the organisations its changes touch at once, in ascending
# order; a transaction settling twice could still add a lower one later, but none of
# Ponte's requests or jobs changes two organisations' volunteers or shifts but the
# rebuild, which locks them all first (PostgreSQL would end such a deadlock with an error).
LOCK_CLASS = 20261206

Pair = tuple[int, int]


@dataclass(frozen=True)
class Reach:
    """The shifts a volunteer could possibly serve: these kinds, starting inside this
    box (``lon_lo``/``lon_hi`` ``None`` near the poles or the antimeridian)."""

    kinds: frozenset[ShiftKind]
    lat_lo: float
    lat_hi: float
    lon_lo: float | None
    lon_hi: float | None

    def holds(self, shift: Shift) -> bool:
        lat, lon = shift.start_lat, shift.start_lon
        if shift.kind not in self.kinds or lat is None or not self.lat_lo <= lat <= self.lat_hi:
            return False
        if self.lon_lo is None or self.lon_hi is None:
            return True
        return lon is not None and self.lon_lo <= lon <= self.lon_hi


def reach(person: Person) -> Reach | None:
    """``None`` when ``person`` can serve no shift at all (not an approved volunteer, no
    home known, offering nothing). A pre-filter only: :class:`Eligibility` decides."""
    profile = person.volunteer
    if (
        profile is None
        or not person.is_volunteer
        or profile.status != VolunteerStatus.APPROVED
        or person.lat is None
        or person.lon is None
    ):
        return None
    kinds = [ShiftKind.VISIT] if profile.offers_visits else []
    kinds += [ShiftKind.RIDE_OUT, ShiftKind.RIDE_BACK] if profile.offers_driving else []
    if not kinds:
        return None
    # Wider than Eligibility's own "clearly outside" margin (radius x 1.02 + 50 m), and
    # degrees from the smallest km per degree, so the box never drops an eligible shift.
    km = profile.max_km * 1.05 + 0.1
    dlat = km / KM_PER_DEG_LAT_MIN
    lon_lo = lon_hi = None
    cos_lat = math.cos(math.radians(min(abs(person.lat) + dlat, 90.0)))
    if cos_lat > 0.05:
        dlon = km / (KM_PER_DEG_LAT_MIN * cos_lat)
        if person.lon - dlon > -180 and person.lon + dlon < 180:
            lon_lo, lon_hi = person.lon - dlon, person.lon + dlon
    return Reach(frozenset(kinds), person.lat - dlat, person.lat + dlat, lon_lo, lon_hi)


def _live() -> list[sa.ColumnElement[bool]]:
    """Shifts that may still reach a board: not final, not started."""
    return [Shift.status.not_in(FINAL), Shift.starts_at > utcnow()]


def _volunteers(session: Session, where: Sequence[sa.ColumnElement[bool]]) -> list[Person]:
    return list(
        session.scalars(
            sa.select(Person)
            .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
            .where(
                Person.is_volunteer, VolunteerProfile.status == VolunteerStatus.APPROVED, *where
            )  # fmt: skip
            .options(
                selectinload(Person.volunteer),
                selectinload(Person.slots),
                selectinload(Person.credentials),
                selectinload(Person.absences),
            )
        )
    )


def _in_boxes(boxes: Sequence[Reach]) -> list[sa.ColumnElement[bool]]:
    """Shifts starting inside the box around these volunteers' boxes."""
    lats = min(b.lat_lo for b in boxes), max(b.lat_hi for b in boxes)
    where: list[sa.ColumnElement[bool]] = [Shift.start_lat.between(*lats)]
    lon_lo, lon_hi = [b.lon_lo for b in boxes], [b.lon_hi for b in boxes]
    if None not in lon_lo and None not in lon_hi:
        where.append(Shift.start_lon.between(min(lon_lo), max(lon_hi)))  # type: ignore[type-var]
    return where


def _gap(
    value: InstrumentedAttribute[float | None], lo: float, hi: float
) -> sa.ColumnElement[float]:
    """How far ``value`` lies outside ``[lo, hi]`` (0 inside)."""
    return sa.case((value < lo, lo - value), (value > hi, value - hi), else_=0.0)


def _reaching(shifts: Sequence[Shift]) -> list[sa.ColumnElement[bool]]:
    """Volunteers who may serve some of ``shifts`` (all have a start): offering their kinds,
    and living within their radius of the shifts' box. A city's shift sees a few dozen
    volunteers instead of every one in a band across the town (docs/shifts.md).

    Never drops an eligible volunteer: Eligibility refuses whoever is farther than
    ``radius x 1.02 + 0.05`` km by its equirectangular estimate (``_rough_km``), and this
    measures less than that estimate: 110.5 km a degree (the estimate uses 111.19), the
    cosine of a latitude nearer a pole than the pair's mean (for radii up to 200 km),
    and the distance to the box rather than to the shift.
    """
    lats = [s.start_lat for s in shifts if s.start_lat is not None]
    lons = [s.start_lon for s in shifts if s.start_lon is not None]
    kinds = {s.kind for s in shifts}
    offers = []
    if ShiftKind.VISIT in kinds:
        offers.append(VolunteerProfile.offers_visits)
    if kinds - {ShiftKind.VISIT}:
        offers.append(VolunteerProfile.offers_driving)
    radius = VolunteerProfile.max_km * 1.05 + 0.1
    dlat = radius / KM_PER_DEG_LAT_MIN + 1e-6  # (a hair wider, so rounding never drops one)
    lat_lo, lat_hi = min(lats), max(lats)
    where = [sa.or_(*offers), Person.lat >= lat_lo - dlat, Person.lat <= lat_hi + dlat]
    if len(lons) == len(lats):
        top = min(max(abs(lat_lo), abs(lat_hi)) + 1.0, 90.0)  # 200 km is under 1.8 degrees
        km_lon = KM_PER_DEG_LAT_MIN * max(math.cos(math.radians(top)), 0.0)
        north = _gap(Person.lat, lat_lo, lat_hi) * KM_PER_DEG_LAT_MIN
        east = _gap(Person.lon, min(lons), max(lons)) * km_lon
        near = north * north + east * east <= radius * radius
        where.append(sa.or_(VolunteerProfile.max_km > 200, near))
    free = _free_for(shifts)
    if free is not None:
        where.append(free)
    return where


def _free_for(shifts: Sequence[Shift]) -> sa.ColumnElement[bool] | None:
    """Volunteers with a weekly free time holding some of ``shifts`` (Eligibility's rule:
    the same weekday, from before the local start to after the local end); ``None`` when
    the shifts fall at too many different times for one statement (a rebuild's)."""
    windows: set[tuple[int, time, time]] = set()
    zones: dict[int, ZoneInfo] = {}  # (org_tz reads the organisation each time outside a request)
    for shift in shifts:
        if shift.organisation_id not in zones:
            zones[shift.organisation_id] = org_tz(shift.organisation_id)
        tz = zones[shift.organisation_id]
        start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
        if start.date() == end.date():  # (else nobody is free for it)
            windows.add((start.weekday(), start.time(), end.time()))
    if len(windows) > FREE_WINDOWS:
        return None
    slot = AvailabilitySlot
    return sa.exists().where(
        slot.person_id == Person.id,
        sa.or_(sa.false(), *(
            sa.and_(slot.weekday == day, slot.start <= begin, slot.end >= finish)
            for day, begin, finish in sorted(windows)
        )),
    )  # fmt: skip


def _shifts(session: Session, where: Sequence[sa.ColumnElement[bool]]) -> list[Shift]:
    return list(
        session.scalars(
            sa.select(Shift)
            .where(*_live(), Shift.start_lat.is_not(None), *where)
            .options(selectinload(Shift.request))
        )
    )


def pairs(people: Iterable[Person], shifts: Iterable[Shift]) -> set[Pair]:
    """Every (volunteer, shift) of these that :class:`Eligibility` lets through. Shifts
    are sorted by latitude once, so each volunteer looks only at their band."""
    by_lat = sorted(shifts, key=lambda s: s.start_lat or 0.0)
    lats = [s.start_lat or 0.0 for s in by_lat]
    out: set[Pair] = set()
    for person in people:
        box = reach(person)
        if box is None:
            continue
        eligible = Eligibility(person)
        lo, hi = bisect.bisect_left(lats, box.lat_lo), bisect.bisect_right(lats, box.lat_hi)
        for shift in by_lat[lo:hi]:
            if (
                shift.organisation_id == person.organisation_id
                and box.holds(shift)
                and eligible(shift) is None
            ):
                out.add((person.id, shift.id))
    return out


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _write(session: Session, drop: sa.ColumnElement[bool] | None, found: set[Pair]) -> int:
    if drop is not None:
        session.execute(sa.delete(BoardCandidate).where(drop))
    rows = [{"person_id": p, "shift_id": s} for p, s in sorted(found)]
    for i in range(0, len(rows), CHUNK):
        session.execute(sa.insert(BoardCandidate), rows[i : i + CHUNK])
    return len(rows)


def _lock(session: Session, org_ids: Iterable[int]) -> None:
    """Hold these organisations' candidate locks until the transaction ends (ascending,
    so two transactions never wait for each other in a circle)."""
    if session.get_bind().dialect.name == "postgresql":
        for org_id in sorted(set(org_ids)):
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_CLASS, org_id)))


def _marked_orgs(session: Session, marks: dict[str, set[int]] | None) -> set[int]:
    """The organisations of the volunteers, shifts and requests whose candidates the
    marks ask to work out again (one statement a chunk; an id gone since has no row
    left to work out)."""
    if not marks:
        return set()
    orgs = set(marks["orgs"])
    request = Shift.request.property.mapper.class_
    for model, ids in ((Person, marks["people"]), (Shift, marks["shifts"]),
                       (request, marks["requests"])):  # fmt: skip
        for chunk in _chunks(ids):
            orgs.update(
                session.scalars(sa.select(model.organisation_id).where(model.id.in_(chunk)))
            )
    return orgs


def refresh(session: Session, people: set[int], shifts: set[int]) -> int:
    """Work out again the candidates of these volunteers and of these shifts."""
    if not people and not shifts:
        return 0  # (an empty OR below would delete every row)
    found: set[Pair] = set()
    for chunk in _chunks(people):
        vols = _volunteers(session, [Person.id.in_(chunk)])
        by_org: dict[int, list[Person]] = defaultdict(list)
        for vol in vols:
            if reach(vol) is not None:
                by_org[vol.organisation_id].append(vol)
        for org_id, group in by_org.items():
            boxes = [b for b in map(reach, group) if b is not None]
            near = _shifts(session, [Shift.organisation_id == org_id, *_in_boxes(boxes)])
            found |= pairs(group, near)
    for chunk in _chunks(shifts):
        live = _shifts(session, [Shift.id.in_(chunk)])
        for org_id in {s.organisation_id for s in live}:
            mine = [s for s in live if s.organisation_id == org_id]
            vols = _volunteers(session, [Person.organisation_id == org_id, *_reaching(mine)])
            found |= pairs(vols, mine)
    dropped = sa.or_(
        *(BoardCandidate.person_id.in_(c) for c in _chunks(people)),
        *(BoardCandidate.shift_id.in_(c) for c in _chunks(shifts)),
    )
    return _write(session, dropped, found)


def _rebuild(session: Session, org_ids: Iterable[int]) -> int:
    written = 0
    for org_id in org_ids:
        of_org = sa.select(Shift.id).where(Shift.organisation_id == org_id).scalar_subquery()
        vols = _volunteers(session, [Person.organisation_id == org_id])
        found = pairs(vols, _shifts(session, [Shift.organisation_id == org_id]))
        written += _write(session, BoardCandidate.shift_id.in_(of_org), found)
    return written


def _outside(session: Session, model: type[Person] | type[Shift], ids: set[int],
             org_ids: set[int]) -> set[int]:  # fmt: skip
    """Those of ``ids`` not in ``org_ids`` (whose organisations were just rebuilt)."""
    if not org_ids or not ids:
        return ids
    out: set[int] = set()
    for chunk in _chunks(ids):
        out.update(session.scalars(
            sa.select(model.id).where(model.id.in_(chunk), model.organisation_id.not_in(org_ids))
        ))  # fmt: skip
    return out


def _settle(session: Session, marks: dict[str, set[int]], rebuilt: set[int]) -> None:
    # The shifts whose candidates change (marked, and every shift of a request whose
    # needs changed), read once; and those that only show differently on boards.
    changed = marks["shifts"] | board_changes.shifts_of_requests(session, marks["requests"])
    seen = changed | marks["seen_shifts"]
    seen |= board_changes.shifts_of_requests(session, marks["seen_requests"] - marks["requests"])
    # Boards showing a changed shift now (it may leave them below), and changed people's.
    board_changes.tell(session, seen, marks["people"] | marks["seen_people"])
    board_changes.tell_holders_of(session, marks["seen_residents"])
    # The coordinator's kept day and week of the organisations where any of it happened.
    calendar_changes.tell(
        session,
        seen,
        marks["orgs"] | marks["seen_orgs"] | marks["calendar_orgs"],
        people=marks["calendar_people"],
    )
    orgs = marks["orgs"] - rebuilt
    if orgs:
        _rebuild(session, orgs)
    board_changes.tell_organisations(session, orgs | marks["seen_orgs"])
    rebuilt = rebuilt | orgs
    shifts = _outside(session, Shift, changed, rebuilt)
    refresh(session, _outside(session, Person, marks["people"], rebuilt), shifts)
    if shifts:
        board_changes.tell(session, shifts)  # ... and the boards they joined


def rebuild(session: Session | None = None, org_ids: Iterable[int] | None = None) -> int:
    """Work out every candidate of these organisations (all when ``None``) from scratch;
    rows of shifts since started or finished go. Changes noted in other organisations
    are settled too. Returns the rows written for the organisations. Never commits."""
    session = session or db.session()
    session.flush()
    orgs = set(org_ids if org_ids is not None else session.scalars(sa.select(Organisation.id)))
    _lock(session, orgs | _marked_orgs(session, session.info.get(candidate_marks.KEY)))
    written = _rebuild(session, sorted(orgs))
    # Every board of these organisations told, and their older rows dropped.
    board_changes.prune(session, orgs, board_changes.tell_organisations(session, orgs))
    calendar_changes.prune(session, orgs)
    marks = candidate_marks.take(session)
    if marks:
        _settle(session, marks, orgs)
    return written


def settle(session: Session | None = None) -> None:
    """Work out the candidates of what changed in this transaction (``before_commit``,
    and the board before it reads). Nothing to do, nothing sent but a flush."""
    session = session or db.session()
    session.flush()
    marks = candidate_marks.take(session)
    if marks is None:
        return
    if candidate_marks.eligibility_changed(marks):
        # (A seat taken changes no candidate: claims do not queue here.)
        _lock(session, _marked_orgs(session, marks))
    _settle(session, marks, set())


def passes(person: Person, shifts: Sequence[Shift]) -> bool:
    """``person`` has a row for every one of ``shifts`` (after settling this transaction's
    changes): :class:`Eligibility` would let each through. ``False`` says only "ask
    Eligibility" (for the reason): one indexed read instead of loading the volunteer's
    profile, free times, credentials, absences and the request."""
    session = db.session()
    settle(session)
    ids = {s.id for s in shifts}
    found = session.scalars(
        sa.select(BoardCandidate.shift_id).where(
            BoardCandidate.person_id == person.id, BoardCandidate.shift_id.in_(ids)
        )
    )
    return set(found) == ids


def before_commit(session: Session) -> None:
    settle(session)
