"""The demo town: what it promises, deterministic, and open to other features' steps."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from tests.helpers import login
from webapp.auth.models import Role, User
from webapp.demo import registry
from webapp.demo.loader import DEMO_PASSWORD, DEMO_SLUG, demo_logins, load_demo, reset_demo
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.people.eligibility import can_serve
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus

TODAY = date(2026, 11, 22)


def people() -> list[Person]:
    return list(db.session.scalars(sa.select(Person).order_by(Person.id)))


def fingerprint() -> list[tuple]:
    return [
        (
            p.first_name,
            p.last_name,
            p.email,
            p.address,
            p.lat,
            p.lon,
            p.languages,
            p.volunteer.status.value if p.volunteer else None,
            len(p.slots),
            len(p.credentials),
        )
        for p in people()
    ]


def test_volunteers_are_a_realistic_mix(db_session):
    load_demo(today=TODAY)
    volunteers = [p for p in people() if p.volunteer]
    statuses = [p.volunteer.status for p in volunteers]
    assert statuses.count(VolunteerStatus.PENDING) == 4
    assert statuses.count(VolunteerStatus.SUSPENDED) == 1
    assert statuses.count(VolunteerStatus.APPROVED) >= 50
    approved = [p for p in volunteers if p.volunteer.status == VolunteerStatus.APPROVED]
    lapsed = [
        p for p in approved if not (can_serve(p, "visit", TODAY) or can_serve(p, "ride", TODAY))
    ]
    assert len(lapsed) == 1  # one approved volunteer whose required credential lapsed
    soon = {
        p.id
        for p in approved
        for c in p.credentials
        if c.expires_on and TODAY <= c.expires_on <= TODAY + timedelta(days=30)
    }
    assert len(soon) >= 4
    drivers = [p.volunteer for p in volunteers if p.volunteer.offers_driving]
    visitors = [p.volunteer for p in volunteers if p.volunteer.offers_visits]
    both = [v for v in drivers if v.offers_visits]
    assert len(drivers) >= 20 and len(visitors) >= 30 and len(both) >= 10
    assert {v.car_seats for v in drivers} <= {3, 4}
    assert 1 <= sum(v.car_wheelchair for v in drivers) <= 8
    languages = [lang for p in volunteers for lang in p.languages]
    assert languages.count("it") == len(volunteers)
    assert {"en", "ro", "uk", "ar"} <= set(languages)
    slots = [s for p in volunteers for s in p.slots]
    mornings_evenings = [s for s in slots if s.end <= time(13) or s.start >= time(17)]
    assert len(mornings_evenings) / len(slots) > 0.7


def test_residents_are_mostly_reached_by_phone(db_session):
    load_demo(today=TODAY)
    residents = [p for p in people() if p.resident]
    coordinators = set(db.session.scalars(sa.select(User.id).where(User.role == Role.COORDINATOR)))
    assert sum(p.email is None for p in residents) > len(residents) * 0.7
    assert all(p.phone for p in residents)
    assert 20 <= sum(p.resident.guardian_name is not None for p in residents) <= 80
    assert all(p.resident.consent_given_at for p in residents)
    assert {p.resident.consent_recorded_by_id for p in residents} <= coordinators
    assert any(p.resident.uses_wheelchair for p in residents)
    assert any(p.resident.uses_walker for p in residents)
    assert all(p.resident.wants_visits or p.resident.wants_rides for p in residents)
    both_roles = [p for p in residents if p.volunteer]
    assert len(both_roles) == 6 and all(p.is_neighbour for p in both_roles)


def test_reloading_gives_the_same_town(db_session):
    load_demo(today=TODAY)
    first = fingerprint()
    assert reset_demo()
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
    load_demo(today=TODAY)
    assert fingerprint() == first


def test_demo_logins_work_with_the_shared_password(app, client, db_session):
    load_demo(today=TODAY)
    logins = demo_logins()
    labels = [label for _, label in logins]
    assert labels[:2] == ["coordinator", "coordinator"]
    assert {"volunteer: driver", "volunteer awaiting approval", "resident"} <= set(labels)
    for email, _ in logins[:1] + logins[2:4]:
        response = login(app.test_client(), email, DEMO_PASSWORD)  # a new browser each
        assert response.status_code == 302, email
    # The council's observer, last: lands on the observatory, which shows the demo year.
    assert logins[-1] == ("osservatorio@isernia.example.org", "observer: the observatory only")
    observer = app.test_client()
    assert login(observer, logins[-1][0], DEMO_PASSWORD).status_code == 302
    assert observer.get("/").location.endswith("/observatory/")
    page = observer.get("/observatory/")
    assert page.status_code == 200 and "Comune di Isernia" in page.get_data(as_text=True)
    assert observer.get("/coordinator/people/").status_code in (403, 404)
    # Its PDF report carries the demo's logo (drawn by webapp/demo/logo.py).
    pdf = observer.get("/observatory/report.pdf")
    assert pdf.status_code == 200
    assert len(PdfReader(io.BytesIO(pdf.data)).pages[0].images) == 1


def test_other_features_add_steps_without_editing_the_loader(db_session, monkeypatch):
    seen = []

    def add_shifts(ctx: registry.DemoContext) -> None:
        # Runs after the core steps, with the organisation and people in place.
        seen.append((ctx.org.slug, db.session.scalar(sa.select(sa.func.count(Person.id)))))
        assert ctx.rng("shifts").random() == ctx.rng("shifts").random()  # seeded per step

    monkeypatch.setattr(registry, "_STEPS", dict(registry._STEPS))
    registry.register_demo_step("zz-shifts", add_shifts, order=90)
    result = load_demo(today=TODAY)
    assert result.steps[-1] == "zz-shifts"
    assert result.steps[:4] == ("places", "volunteers", "residents", "neighbours")
    assert seen == [(DEMO_SLUG, 204)]


def test_if_empty_never_mixes_the_demo_into_real_data(db_session):
    db.session.add(Organisation(name="Comune di Agnone", slug="agnone"))
    db.session.flush()
    assert load_demo(if_empty=True).reason == "not-empty"
    assert db.session.scalar(sa.select(Organisation).where(Organisation.slug == DEMO_SLUG)) is None
    assert load_demo().loaded  # asked explicitly: added beside the real organisation
    assert db.session.scalar(sa.select(sa.func.count(VolunteerProfile.person_id))) == 60


def test_the_give_to_pairs_are_the_historys(db_session):
    """The demo writes its year of completed visits itself, not through the shift
    operations (whose signal notes who exchanged time): it notes their pairs too."""
    from webapp.timebank import partners
    from webapp.timebank.models import Partner

    def pairs() -> set[tuple[int, int]]:
        rows = db.session.execute(sa.select(Partner.person_id, Partner.partner_id))
        return {(a, b) for a, b in rows}

    load_demo(today=TODAY)
    kept = pairs()
    assert len(kept) > 50
    partners.rebuild()
    assert pairs() == kept
