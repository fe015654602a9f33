"""A city-scale data set for the page benchmarks, generated deterministically.

One organisation the size of a city: 10,000 members (400 volunteers, 2,000 residents with
a weekly visit or ride, the rest neighbours), about 2,000 visits and 400 ride legs a week,
the coming month of shifts in every booking state (open, proposed, claimed, approved,
confirmed, a few cancelled), a year of past shifts (completed, no-show, cancelled,
unfilled) with their check-ins, the year's ledger (every completed shift paid, plus
opening balances and donations) and the year's outbox (reminders, thanks, invitations:
benchmarks/city_messages.py). The booked month and the past year are written by
benchmarks/city_shifts.py, the ledger by benchmarks/city_ledger.py. Homes spread over a
city of about 12 km across, so a volunteer's radius covers a part of it, not all of it.

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
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from benchmarks.city_ledger import write_ledger  # noqa: E402
from benchmarks.city_messages import write_outbox  # noqa: E402
from benchmarks.city_shifts import book_future, past_year  # noqa: E402
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
from webapp.requests.models import RequestKind, RidePurpose  # noqa: E402
from webapp.requests.operations import Draft, create_request  # noqa: E402
from webapp.shifts.candidates import rebuild  # noqa: E402
from webapp.shifts.models import (  # noqa: E402
    Assignment,
    BoardCandidate,
    Shift,
)
from webapp.timebank import partners  # noqa: E402
from webapp.timebank.models import Transfer  # noqa: E402

PASSWORD = "ponte-city-2026"
CENTRE = (41.5936, 14.2325)
HOSPITAL = ("Via Santo Spirito 1, Isernia", 41.5990, 14.2290)
# (lat, lon, spread km, share of homes): a centre and eight districts around it
DISTRICTS = [(*CENTRE, 1.5, 0.3)] + [
    (CENTRE[0] + dy / KM_PER_DEG_LAT, CENTRE[1] + dx / (KM_PER_DEG_LAT * 0.75), 1.0, 0.0875)
    for dy, dx in [(5, 0), (-5, 0), (0, 6), (0, -6), (3.5, 4), (-3.5, 4), (3.5, -4), (-3.5, -4)]
]
SIZES = {"volunteers": 400, "visits": 1800, "rides": 200, "members": 10_000}


def _home(rng: random.Random) -> tuple[float, float]:
    lat, lon, spread, _ = rng.choices(DISTRICTS, weights=[d[3] for d in DISTRICTS])[0]
    return (
        round(lat + rng.gauss(0, spread) / KM_PER_DEG_LAT, 6),
        round(lon + rng.gauss(0, spread) / (KM_PER_DEG_LAT * 0.75), 6),
    )


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
        future = book_future(rng, people, now)
        step(f"{future} future shifts booked in every state")
        done = past_year(rng, people, now)
        step(f"a year of past shifts ({len(done)} completed)")
        n = write_ledger(rng, org.id, people, done, now)
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
