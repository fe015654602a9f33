"""A city-scale data set for the page benchmarks, generated deterministically.

One organisation the size of a city: 10,000 members (400 volunteers, 2,000 residents with
a weekly visit or ride, the rest neighbours), about 2,000 visits and 400 ride legs a week,
the coming month of shifts in every booking state (open, proposed, claimed, approved,
confirmed, a few cancelled), a year of past shifts (completed, no-show, cancelled,
unfilled) with their check-ins, the year's ledger (every completed shift paid, plus
opening balances and donations) and the year's outbox (reminders, thanks, invitations:
benchmarks/city_messages.py). Homes spread over a city of about 12 km across, so a
volunteer's radius covers a part of it, not all of it.

The future shifts come from the real planner (``create_request``); the past year and the
ledger are written in bulk (one statement per table and batch), with the same keys and
amounts the operations would write. Usage:

    .venv/bin/python benchmarks/city_data.py DATABASE_URL [--seed 20] [--scale 1.0]

The database is EMPTIED first (drop_all/create_all). Takes about two minutes on
PostgreSQL. Every login's password is ``ponte-city-2026``; the volunteers are
``vol<N>@city.example.org``, the coordinators ``coord<N>@city.example.org``, residents
with a login ``res<N>@city.example.org``. Never load it into a real deployment.
Not used by the unit suite (the suite builds its own small data).
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from benchmarks.city_messages import write_outbox  # noqa: E402
from benchmarks.town_week import KM_PER_DEG_LAT, _availability, _languages  # noqa: E402
from tests.shifts.builders import add_place  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import Role, User  # noqa: E402
from webapp.auth.passwords import hash_password  # noqa: E402
from webapp.config import Config  # noqa: E402
from webapp.demo.names import MEN, SURNAMES, WOMEN  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.notifications.models import Notification  # noqa: E402
from webapp.orgs.operations import create_organisation  # noqa: E402
from webapp.people.models import (  # noqa: E402
    AvailabilitySlot,
    Credential,
    CredentialKind,
    Person,
    ResidentProfile,
    VolunteerProfile,
    VolunteerStatus,
)
from webapp.requests.models import Request, RequestKind, RidePurpose  # noqa: E402
from webapp.requests.operations import Draft, create_request  # noqa: E402
from webapp.requests.planning import plan  # noqa: E402
from webapp.shifts.candidates import rebuild  # noqa: E402
from webapp.shifts.models import (  # noqa: E402
    Assignment,
    BoardCandidate,
    CheckIn,
    Shift,
    ShiftStatus,
)
from webapp.timebank import partners  # noqa: E402
from webapp.timebank.models import Account, AccountKind, LedgerPolicy, Transfer  # noqa: E402

PASSWORD = "ponte-city-2026"
CENTRE = (41.5936, 14.2325)
HOSPITAL = ("Via Santo Spirito 1, Isernia", 41.5990, 14.2290)
# (lat, lon, spread km, share of homes): a centre and eight districts around it
DISTRICTS = [(*CENTRE, 1.5, 0.3)] + [
    (CENTRE[0] + dy / KM_PER_DEG_LAT, CENTRE[1] + dx / (KM_PER_DEG_LAT * 0.75), 1.0, 0.0875)
    for dy, dx in [(5, 0), (-5, 0), (0, 6), (0, -6), (3.5, 4), (-3.5, 4), (3.5, -4), (-3.5, -4)]
]
S = ShiftStatus
SIZES = {"volunteers": 400, "visits": 1800, "rides": 200, "members": 10_000}
BATCH = 2000


def _home(rng: random.Random) -> tuple[float, float]:
    lat, lon, spread, _ = rng.choices(DISTRICTS, weights=[d[3] for d in DISTRICTS])[0]
    return (
        round(lat + rng.gauss(0, spread) / KM_PER_DEG_LAT, 6),
        round(lon + rng.gauss(0, spread) / (KM_PER_DEG_LAT * 0.75), 6),
    )


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * KM_PER_DEG_LAT
    dx = (a[1] - b[1]) * KM_PER_DEG_LAT * 0.75
    return float((dx * dx + dy * dy) ** 0.5)


def _person(rng: random.Random, org_id: int, n: int, **flags: bool) -> Person:
    gender = rng.choice("ffm")
    lat, lon = _home(rng)
    return Person(
        organisation_id=org_id,
        first_name=rng.choice(WOMEN if gender == "f" else MEN),
        last_name=rng.choice(SURNAMES),
        phone=f"+39 0865 {n:06d}",
        address=f"Via della Città {n}, Isernia",
        lat=lat,
        lon=lon,
        neighbourhood=f"Quartiere {1 + n % 9}",
        location_source="manual",
        gender=gender,
        languages=_languages(rng, flags.get("is_volunteer", False)),
        interests=[],
        **flags,
    )


def _slots(rng: random.Random) -> list[AvailabilitySlot]:
    slots = []
    for start, end in _availability(rng):
        a, b = datetime.fromisoformat(start), datetime.fromisoformat(end)
        slots.append(AvailabilitySlot(weekday=a.weekday(), start=a.time(), end=b.time()))
    return slots


def _people(rng: random.Random, org_id: int, password_hash: str) -> dict[str, list[Person]]:
    today = date.today()
    out: dict[str, list[Person]] = {"volunteers": [], "residents": [], "neighbours": []}
    users = []
    for n in range(SIZES["volunteers"]):
        p = _person(rng, org_id, n, is_volunteer=True, is_neighbour=rng.random() < 0.1)
        driving = n % 3 == 0 or rng.random() < 0.3
        p.volunteer = VolunteerProfile(
            offers_visits=n % 3 != 0 or rng.random() < 0.7,
            offers_driving=driving,
            max_km=rng.choice([3, 5, 5, 8, 10]),
            hours_per_week=rng.choice([2, 4, 6]),
            car_seats=3 if driving else None,
            car_wheelchair=driving and rng.random() < 0.2,
            status=VolunteerStatus.APPROVED if rng.random() < 0.95 else VolunteerStatus.PENDING,
        )
        p.slots = _slots(rng)
        kinds = [CredentialKind.IDENTITY, CredentialKind.BACKGROUND_CHECK]
        if driving:
            kinds += [CredentialKind.DRIVING_LICENCE, CredentialKind.INSURANCE]
        p.credentials = [
            Credential(
                kind=k,
                checked_on=today - timedelta(days=200),
                expires_on=today + timedelta(days=rng.randint(20, 700)),
            )
            for k in kinds
        ]
        out["volunteers"].append(p)
    for n in range(SIZES["visits"] + SIZES["rides"]):
        p = _person(rng, org_id, 10_000 + n, is_resident=True)
        p.resident = ResidentProfile(
            wants_visits=True, wants_rides=True, uses_wheelchair=rng.random() < 0.05
        )
        out["residents"].append(p)
    rest = SIZES["members"] - len(out["volunteers"]) - len(out["residents"])
    for n in range(rest):
        out["neighbours"].append(_person(rng, org_id, 20_000 + n, is_neighbour=True))
    for group in out.values():
        db.session.add_all(group)
        db.session.flush()
    logins = [("vol", p) for p in out["volunteers"]] + [("res", p) for p in out["residents"][::10]]
    logins += [("nb", p) for p in out["neighbours"][::8]]
    for prefix, p in logins:
        users.append(
            User(
                email=f"{prefix}{p.id}@city.example.org",
                password_hash=password_hash,
                role=Role.MEMBER,
                organisation_id=org_id,
                person_id=p.id,
            )
        )
    for n in range(4):
        users.append(
            User(
                email=f"coord{n}@city.example.org",
                password_hash=password_hash,
                role=Role.COORDINATOR,
                organisation_id=org_id,
            )
        )
    db.session.add_all(users)
    db.session.flush()
    return out


def _eligible(vol: Person, home: tuple[float, float], ride: bool) -> bool:
    prof = vol.volunteer
    if prof.status != VolunteerStatus.APPROVED:
        return False
    if (ride and not prof.offers_driving) or (not ride and not prof.offers_visits):
        return False
    return _km((vol.lat, vol.lon), home) <= prof.max_km


def _requests(rng: random.Random, people: dict[str, list[Person]], coord: User) -> None:
    start = date.today() + timedelta(days=3)
    for i, resident in enumerate(people["residents"]):
        day = start + timedelta(days=rng.randrange(7))
        hour = rng.choice([9, 10, 11, 15, 16, 17])
        end = day + timedelta(weeks=52)
        if i < SIZES["visits"]:
            draft = Draft(
                kind=RequestKind.VISIT,
                start_date=day,
                recurring=True,
                end_date=end,
                windows=[(day.weekday(), time(hour), time(hour + 2))],
                duration_minutes=rng.choice([45, 60, 60, 90]),
                two_volunteers=rng.random() < 0.05,
            )
        else:
            draft = Draft(
                kind=RequestKind.RIDE,
                start_date=day,
                recurring=True,
                end_date=end,
                appointment_time=time(hour),
                destination_address=HOSPITAL[0],
                purpose=RidePurpose.MEDICAL,
                return_wanted=True,
                stay_minutes=60,
                wheelchair=bool(resident.resident.uses_wheelchair),
            )
        create_request(resident, draft, coord)
        if i % 200 == 199:
            db.session.flush()


def _book_future(rng: random.Random, people: dict[str, list[Person]], now: datetime) -> int:
    """Put the coming month's shifts in every booking state, as volunteers and
    coordinators would: the nearer the day, the more of it is booked."""
    vols = people["volunteers"]
    busy: set[tuple[int, date, int]] = set()
    shifts = db.session.scalars(sa.select(Shift).order_by(Shift.starts_at, Shift.id)).all()
    groups: dict[str, list[Shift]] = defaultdict(list)
    for s in shifts:
        groups[s.group_key].append(s)
    rows = []
    for legs in groups.values():
        first = legs[0]
        days_ahead = (first.starts_at - now).days
        roll = rng.random()
        if roll < 0.03:
            for leg in legs:
                leg.status = S.CANCELLED
            continue
        if roll > (0.75 if days_ahead < 7 else 0.45 if days_ahead < 14 else 0.15):
            continue  # stays open
        home = (first.start_lat, first.start_lon)
        slot = (first.occurrence_date, first.starts_at.hour)
        ride = first.kind.is_ride
        cands = [
            v
            for v in rng.sample(vols, min(60, len(vols)))
            if _eligible(v, home, ride) and (v.id, *slot) not in busy
        ]
        if not cands:
            continue
        vol = cands[0]
        busy.add((vol.id, *slot))
        status = rng.choice([S.PROPOSED, S.CLAIMED, S.APPROVED, S.APPROVED, S.CONFIRMED])
        for leg in legs:
            leg.status = status
            rows.append(
                dict(
                    shift_id=leg.id,
                    volunteer_id=vol.id,
                    seat=1,
                    created_at=now,
                    confirmed_at=now if status == S.CONFIRMED else None,
                )
            )
    if rows:
        db.session.execute(sa.insert(Assignment), rows)
    db.session.flush()
    return len(shifts)


def _past_year(rng: random.Random, people: dict[str, list[Person]], now: datetime) -> list:
    """A year of past occurrences of every request, with who served them."""
    vols = people["volunteers"]
    reqs = db.session.scalars(sa.select(Request).order_by(Request.id)).all()
    today = now.date()
    regular: dict[int, Person | None] = {}
    shift_rows, meta = [], []
    for req in reqs:
        home = (req.resident.lat, req.resident.lon)
        ride = req.kind == RequestKind.RIDE
        cands = [v for v in vols if _eligible(v, home, ride)]
        regular[req.id] = rng.choice(cands) if cands else None
        req.start_date = req.start_date - timedelta(weeks=52)
        for week in range(1, 53):
            day = req.start_date + timedelta(weeks=52 - week)
            if day >= today:
                continue
            recent = week <= 5
            roll = rng.random()
            status = (
                S.CANCELLED
                if roll < 0.04
                else S.NO_SHOW
                if roll < 0.06
                else S.UNFILLED
                if roll < 0.12 or regular[req.id] is None
                else S.COMPLETED
            )
            vol = regular[req.id] if rng.random() < 0.8 or not cands else rng.choice(cands)
            if vol is None and status in (S.COMPLETED, S.NO_SHOW):
                status = S.UNFILLED  # nobody near enough offers it
            for row in plan(req, day):
                shift_rows.append(
                    dict(
                        organisation_id=req.organisation_id,
                        request_id=req.id,
                        occurrence_date=day,
                        status=status,
                        **row,
                    )
                )
                meta.append((req, status, vol, recent))
    db.session.flush()
    ids = []
    for i in range(0, len(shift_rows), BATCH):
        ids += db.session.scalars(
            sa.insert(Shift).returning(Shift.id, sort_by_parameter_order=True),
            shift_rows[i : i + BATCH],
        ).all()
    assignments, checkins, done = [], [], []
    for sid, row, (req, status, vol, recent) in zip(ids, shift_rows, meta, strict=True):
        if status in (S.COMPLETED, S.NO_SHOW):
            assignments.append(
                dict(
                    shift_id=sid,
                    volunteer_id=vol.id,
                    seat=1,
                    created_at=row["starts_at"] - timedelta(days=7),
                )
            )
        if status == S.COMPLETED:
            done.append((sid, row, req, vol))
            if recent and row["kind"].value != "ride_back" and rng.random() < 0.7:
                worried = rng.random() < 0.03
                checkins.append(
                    dict(
                        organisation_id=req.organisation_id,
                        shift_id=sid,
                        volunteer_id=vol.id,
                        mood="low" if worried else "good",
                        resident_happy=not worried,
                        worried=worried,
                        created_at=row["ends_at"],
                        handled_at=None if rng.random() < 0.3 else now,
                    )
                )
    for table, rows in ((Assignment, assignments), (CheckIn, checkins)):
        for i in range(0, len(rows), BATCH):
            db.session.execute(sa.insert(table), rows[i : i + BATCH])
    return done


def _ledger(
    rng: random.Random,
    org_id: int,
    people: dict[str, list[Person]],
    done: list,
    coord: User,
    now: datetime,
) -> int:
    """Accounts for everyone and a year of transfers: each completed visit or ride paid
    (the resident pays while within their limit, else the chest), opening balances and
    donations between neighbours. Balances are the sums of the rows."""
    policy = db.session.get(LedgerPolicy, org_id) or LedgerPolicy(organisation_id=org_id)
    policy.chest_limit = -10_000_000  # a city underwrites its residents' visits
    db.session.add(policy)
    lower = {"resident": LedgerPolicy.DEFAULTS["resident_limit"], "member": 0}
    everyone = [p for group in people.values() for p in group]
    rows = [
        dict(
            organisation_id=org_id,
            person_id=p.id,
            kind=AccountKind.MEMBER,
            balance=0,
            lower_limit=lower["resident" if p.is_resident or p.is_neighbour else "member"],
        )
        for p in everyone
    ]
    rows += [
        dict(
            organisation_id=org_id,
            person_id=None,
            kind=k,
            balance=0,
            lower_limit=policy.chest_limit if k == AccountKind.CHEST else None,
        )
        for k in (AccountKind.CHEST, AccountKind.ADJUSTMENTS)
    ]
    acc_ids = db.session.scalars(
        sa.insert(Account).returning(Account.id, sort_by_parameter_order=True), rows
    ).all()
    account = {p.id: a for p, a in zip(everyone, acc_ids, strict=False)}
    chest, adjustments = acc_ids[-2], acc_ids[-1]
    limit = {a: r["lower_limit"] for a, r in zip(acc_ids, rows, strict=True)}
    balance: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)  # the accounts' service figures (no reversals)
    received: dict[int, int] = defaultdict(int)
    transfers = []

    def add(
        key: str,
        debit: int,
        credit: int,
        minutes: int,
        kind: str,
        day: date,
        shift_id: int | None = None,
    ) -> None:
        if limit[debit] is not None and balance[debit] - minutes < limit[debit]:
            if kind not in ("visit", "ride"):
                return
            debit = chest
        balance[debit] -= minutes
        balance[credit] += minutes
        if kind in ("visit", "ride"):
            given[credit] += minutes
            received[debit] += minutes
        at = datetime.combine(day, time(18), UTC)
        transfers.append(
            dict(
                key=key,
                organisation_id=org_id,
                debit_account_id=debit,
                credit_account_id=credit,
                amount=minutes,
                kind=kind,
                service_date=day,
                recorded_at=at,
                created_by_id=None,
                shift_id=shift_id,
            )
        )

    year_ago = now.date() - timedelta(days=365)
    for p in people["neighbours"][::3]:
        add(
            f"city:open:{p.id}",
            adjustments,
            account[p.id],
            rng.choice([60, 120, 240]),
            "adjustment",
            year_ago,
        )
    for sid, row, req, vol in done:
        if row["kind"].value == "ride_back":
            continue  # a ride is paid once, under its first leg, door to door
        minutes = round((row["ends_at"] - row["starts_at"]).total_seconds() / 60)
        if row["kind"].value == "ride_out":
            minutes += 60 + 30  # the stay and the way back
        add(
            f"shift:{sid}:person:{vol.id}",
            account[req.resident_id],
            account[vol.id],
            minutes,
            "visit" if row["kind"].value == "visit" else "ride",
            row["occurrence_date"],
            sid,
        )
    nbs = people["neighbours"]
    for n in range(5000):
        a, b = rng.sample(nbs, 2)
        day = year_ago + timedelta(days=rng.randrange(365))
        add(
            f"city:gift:{n}",
            account[a.id],
            account[b.id],
            rng.choice([15, 30, 60]),
            "donation",
            day,
        )
    transfers.sort(key=lambda t: t["recorded_at"])
    for i in range(0, len(transfers), BATCH):
        db.session.execute(sa.insert(Transfer), transfers[i : i + BATCH])
    # ORM bulk UPDATE by primary key: one executemany, not one round trip per account.
    db.session.execute(
        sa.update(Account),
        [
            {"id": a, "balance": v, "service_given": given[a], "service_received": received[a]}
            for a, v in balance.items()
        ],
    )
    return len(transfers)


def build(url: str, seed: int = 20, scale: float = 1.0) -> None:
    for k in SIZES:
        SIZES[k] = max(1, round(SIZES[k] * scale))

    class CityConfig(Config):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(CityConfig)
    rng = random.Random(seed)
    t0 = clock.perf_counter()

    def step(what: str) -> None:
        print(f"{clock.perf_counter() - t0:6.1f} s  {what}", flush=True)

    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        org = create_organisation("Città di Isernia (city data)", "city", centre=CENTRE)
        add_place(org, *HOSPITAL)
        password_hash = hash_password(PASSWORD)
        people = _people(rng, org.id, password_hash)
        coord = db.session.scalar(sa.select(User).where(User.role == Role.COORDINATOR))
        step(f"{sum(len(g) for g in people.values())} people")
        _requests(rng, people, coord)
        now = datetime.now(UTC)
        step("requests planned")
        future = _book_future(rng, people, now)
        step(f"{future} future shifts booked in every state")
        done = _past_year(rng, people, now)
        step(f"a year of past shifts ({len(done)} completed)")
        n = _ledger(rng, org.id, people, done, coord, now)
        step(f"{n} ledger transfers")
        with_login = sa.select(User.person_id, User.email).where(User.person_id.is_not(None))
        logins = {pid: email for pid, email in db.session.execute(with_login) if pid is not None}
        step(f"{write_outbox(rng, org.id, done, logins, now)} messages in the outbox")
        # The transfers and completed shifts were written directly: their pairs too.
        step(f"{partners.rebuild()} give-to pairs")
        # The same code as `flask shifts rebuild-candidates` and the nightly job.
        step(f"{rebuild()} board candidates")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        counts = {
            t: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for t, m in (
                ("person", Person),
                ("user", User),
                ("shift", Shift),
                ("assignment", Assignment),
                ("transfer", Transfer),
                ("notification", Notification),
                ("board_candidate", BoardCandidate),
            )
        }
        step(f"committed: {counts}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="SQLAlchemy database URL (EMPTIED first)")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0, help="0.1 = a tenth of the city")
    args = parser.parse_args()
    build(args.url, args.seed, args.scale)
