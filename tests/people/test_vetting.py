from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import PASSWORD, make_coordinator, make_volunteer
from tests.helpers import login, post_form
from tests.people.helpers import arranged, error_for, resident_phone_data
from webapp.auth.models import LoginSession
from webapp.extensions import db
from webapp.people.eligibility import can_serve
from webapp.people.models import (
    Credential,
    CredentialKind,
    Person,
    VolunteerStatus,
)
from webapp.people.vetting import lapsing

TODAY = date.today()


def _as_coordinator(client, org):  # type: ignore[no-untyped-def]
    coordinator = make_coordinator(org)
    login(client, coordinator.email, PASSWORD)
    return coordinator


def _check(client, person, kind, checked=None, expires=None):  # type: ignore[no-untyped-def]
    data = {"kind": kind, "checked_on": (checked or TODAY).isoformat()}
    if expires is not False:
        data["expires_on"] = (expires or TODAY + timedelta(days=365)).isoformat()
    url = f"/coordinator/people/{person.id}/credentials"
    return post_form(client, url, data, page=f"/coordinator/people/{person.id}")


def _decide(client, person, action, reason=""):  # type: ignore[no-untyped-def]
    url = f"/coordinator/people/{person.id}/status"
    data = {"action": action, "reason": reason}
    return post_form(client, url, data, page=f"/coordinator/people/{person.id}")


def test_queue_checks_then_approve(client, org):
    pending = make_volunteer(
        org, status=VolunteerStatus.PENDING, credentials=False, first_name="Piero"
    )
    coordinator = _as_coordinator(client, org)
    queue = client.get("/coordinator/queue").get_data(as_text=True)
    assert f'href="/coordinator/people/{pending.id}"' in queue
    # Approving without the checks is refused, with the list of what is missing.
    html = _decide(client, pending, "approve").get_data(as_text=True)
    assert "Record these checks before approving: Identity checked, Background check" in html
    assert pending.volunteer.status == VolunteerStatus.PENDING
    assert _check(client, pending, "identity", expires=False).status_code == 302
    assert _check(client, pending, "background_check").status_code == 302
    assert _decide(client, pending, "approve").status_code == 302
    db.session.refresh(pending)
    assert pending.volunteer.status == VolunteerStatus.APPROVED
    assert pending.volunteer.status_changed_by_id == coordinator.id
    assert pending.volunteer.status_changed_at is not None
    assert coordinator.email in client.get(f"/coordinator/people/{pending.id}").get_data(
        as_text=True
    )  # the page says who decided
    assert can_serve(pending, "visit", TODAY)
    queue = client.get("/coordinator/queue").get_data(as_text=True)
    assert f'href="/coordinator/people/{pending.id}"' not in queue


def test_reject_needs_a_reason(client, org):
    pending = make_volunteer(org, status=VolunteerStatus.PENDING)
    _as_coordinator(client, org)
    html = _decide(client, pending, "reject").get_data(as_text=True)
    assert "Give a reason" in error_for(html, "reason")
    assert _decide(client, pending, "reject", "No references").status_code == 302
    db.session.refresh(pending)
    assert pending.volunteer.status == VolunteerStatus.REJECTED
    assert pending.volunteer.status_reason == "No references"


def test_suspend_ends_sessions_and_reinstate(app, client, org):
    volunteer = make_volunteer(org)
    arranged()
    their_browser = app.test_client()
    login(their_browser, volunteer.user.email, PASSWORD)
    assert their_browser.get("/me").status_code == 200
    _as_coordinator(client, org)
    assert _decide(client, volunteer, "suspend", "Complaint under review").status_code == 302
    count = sa.select(sa.func.count()).select_from(LoginSession)
    assert db.session.scalar(count.where(LoginSession.user_id == volunteer.user.id)) == 0
    assert their_browser.get("/me").status_code == 302  # logged out
    db.session.refresh(volunteer)
    assert not can_serve(volunteer, "visit", TODAY)
    # An illegal move is refused: a suspended volunteer cannot be rejected.
    html = _decide(client, volunteer, "reject", "x").get_data(as_text=True)
    assert "not possible" in html
    assert _decide(client, volunteer, "reinstate").status_code == 302
    db.session.refresh(volunteer)
    assert volunteer.volunteer.status == VolunteerStatus.APPROVED


def test_credential_bad_input(client, org):
    volunteer = make_volunteer(org, status=VolunteerStatus.PENDING, credentials=False)
    _as_coordinator(client, org)
    html = _check(client, volunteer, "driving_licence", expires=False).get_data(as_text=True)
    assert "Give the expiry date" in error_for(html, "expires_on")
    future = TODAY + timedelta(days=3)
    html = _check(client, volunteer, "insurance", checked=future).get_data(as_text=True)
    assert "cannot be in the future" in error_for(html, "checked_on")
    past = TODAY - timedelta(days=3)
    html = _check(client, volunteer, "insurance", expires=past).get_data(as_text=True)
    assert "cannot be before the check date" in error_for(html, "expires_on")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Credential)) == 0


def test_lapsing_soon_and_lapsed(client, org):
    soon = make_volunteer(org, first_name="Soon", credentials=False)
    lapsed = make_volunteer(org, first_name="Lapsed", driving=True, visits=False)
    renewed = make_volunteer(org, first_name="Renewed")
    fine = make_volunteer(org, first_name="Fine")
    soon.credentials.append(
        Credential(
            kind=CredentialKind.BACKGROUND_CHECK,
            checked_on=TODAY - timedelta(days=300),
            expires_on=TODAY + timedelta(days=10),
        )
    )
    for c in lapsed.credentials:
        if c.kind == CredentialKind.DRIVING_LICENCE:
            c.expires_on = TODAY - timedelta(days=1)
    old = renewed.credentials[-1]
    renewed.credentials.append(
        Credential(kind=old.kind, checked_on=TODAY, expires_on=TODAY + timedelta(days=20))
    )
    old.expires_on = TODAY + timedelta(days=400)
    db.session.flush()
    soon_list, lapsed_list = lapsing(org.id, TODAY)
    assert [(x.person.first_name, x.kind) for x in soon_list] == [
        ("Soon", CredentialKind.BACKGROUND_CHECK)
    ]
    assert [(x.person.first_name, x.kind) for x in lapsed_list] == [
        ("Lapsed", CredentialKind.DRIVING_LICENCE)
    ]
    assert not can_serve(lapsed, "ride", TODAY) and can_serve(fine, "visit", TODAY)
    _as_coordinator(client, org)
    html = client.get("/coordinator/lapsing").get_data(as_text=True)
    assert "Soon" in html and "Lapsed" in html and "Fine" not in html
    home = client.get("/coordinator").get_data(as_text=True)
    assert "Volunteers with a check lapsing within 30 days" in home


def test_register_resident_by_phone_records_consent_and_guardian(client, org):
    coordinator = _as_coordinator(client, org)
    resp = post_form(client, "/coordinator/residents/new", resident_phone_data())
    assert resp.status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.last_name == "Verdi"))
    r = person.resident
    assert person.is_resident and person.user is None and person.email is None
    assert (r.consent_method, r.consent_recorded_by_id) == ("phone", coordinator.id)
    assert r.consent_given_at is not None
    assert (r.uses_walker, r.hard_of_hearing, r.uses_wheelchair) == (True, True, False)
    assert r.guardian_email == "luca@example.org" and r.guardian_relation == "son"
    html = client.get(resp.location).get_data(as_text=True)
    assert "Diabetic; insulin at noon." in html  # coordinators see health notes
    assert coordinator.email in html  # who took the consent
    # Edit later: the consent is not asked again and stays as recorded.
    edit = f"/coordinator/people/{person.id}/edit"
    data = resident_phone_data(consent=None, phone="0865 000111", wants_rides="y")
    assert post_form(client, edit, data).status_code == 302
    db.session.refresh(person)
    assert person.phone == "0865 000111" and person.resident.wants_rides
    assert person.resident.consent_recorded_by_id == coordinator.id


def test_place_pin_by_hand(client, org):
    person = make_volunteer(org)
    _as_coordinator(client, org)
    url = f"/coordinator/people/{person.id}/pin"
    page = f"/coordinator/people/{person.id}"
    html = post_form(client, url, {"lat": "91", "lon": "14.2"}, page=page).get_data(as_text=True)
    assert "between -90 and 90" in error_for(html, "lat")
    html = post_form(client, url, {"lat": "41.6", "lon": "abc"}, page=page).get_data(as_text=True)
    assert "Enter a number." in error_for(html, "lon")
    assert post_form(client, url, {"lat": "41,601", "lon": "14.25"}, page=page).status_code == 302
    db.session.refresh(person)
    assert (person.lat, person.lon, person.location_source) == (41.601, 14.25, "manual")
    assert "41.60100" in client.get(page).get_data(as_text=True)


def test_volunteer_list_filters_by_status(client, org):
    make_volunteer(org, first_name="Approvato")
    make_volunteer(org, first_name="Inattesa", status=VolunteerStatus.PENDING)
    _as_coordinator(client, org)
    html = client.get("/coordinator/volunteers?status=pending").get_data(as_text=True)
    assert "Inattesa" in html and "Approvato" not in html
    html = client.get("/coordinator/volunteers").get_data(as_text=True)
    assert "Inattesa" in html and "Approvato" in html
    assert client.get("/coordinator/volunteers?status=bogus").status_code == 200


def _every_volunteer_scanned(org_id: int, today: date):  # type: ignore[no-untyped-def]
    """The definition, over every approved volunteer (what ``lapsing`` did before it
    read only those some check of whom may lapse)."""
    from webapp.people.models import VolunteerProfile
    from webapp.people.vetting import missing_kinds_for

    horizon = today + timedelta(days=30)
    soon, lapsed = [], []
    people = db.session.scalars(
        sa.select(Person).join(VolunteerProfile)
        .where(Person.organisation_id == org_id,
               VolunteerProfile.status == VolunteerStatus.APPROVED)
        .order_by(Person.last_name, Person.first_name)
    ).all()  # fmt: skip
    for person in people:
        missing = set(missing_kinds_for(person.volunteer, today))
        for kind in dict.fromkeys(missing_kinds_for(person.volunteer, None)):
            dates = [c.expires_on for c in person.credentials if c.kind == kind and c.expires_on]
            latest = max(dates) if dates else None
            if kind in missing:
                lapsed.append((person.id, kind, latest))
            elif latest is not None and latest <= horizon:
                soon.append((person.id, kind, latest))
    soon.sort(key=lambda x: x[2] or today)
    return soon, lapsed


def test_lapsing_reads_only_who_may_lapse_with_the_same_answer(org):
    """Every mix of checks that matters around the edges (none, expired, expiring on the
    horizon or the day after, not yet valid, without expiry, renewed, two of a kind)
    for visitors, drivers and both: the same lists as scanning every volunteer."""
    import itertools

    D = timedelta
    dated = [None, (-400, -1), (-300, 0), (-300, 29), (-300, 30), (-300, 31), (1, 400),
             (-30, None), "renewed"]  # fmt: skip
    kinds = [CredentialKind.BACKGROUND_CHECK, CredentialKind.DRIVING_LICENCE,
             CredentialKind.INSURANCE]  # fmt: skip
    n = 0
    for offers, first, second in itertools.product(("v", "d", "vd"), dated, dated):
        n += 1
        vol = make_volunteer(org, first_name=f"V{n}", visits="v" in offers,
                             driving="d" in offers, credentials=False)  # fmt: skip
        for i, spec in enumerate((first, second)):
            kind = kinds[(n + i) % 3]
            if spec is None:
                continue
            if spec == "renewed":
                vol.credentials += [
                    Credential(kind=kind, checked_on=TODAY - D(300), expires_on=TODAY + D(5)),
                    Credential(kind=kind, checked_on=TODAY, expires_on=TODAY + D(365)),
                ]
                continue
            start, end = spec
            vol.credentials.append(Credential(
                kind=kind, checked_on=TODAY + D(start),
                expires_on=None if end is None else TODAY + D(end),
            ))  # fmt: skip
        for other in set(kinds) - {kinds[(n + i) % 3] for i in range(2)}:
            if n % 2:  # half hold the kinds not varied above, valid for a year
                vol.credentials.append(
                    Credential(kind=other, checked_on=TODAY - D(1), expires_on=TODAY + D(365))
                )
    db.session.flush()
    soon, lapsed = lapsing(org.id, TODAY)
    got = ([(x.person.id, x.kind, x.expires_on) for x in soon],
           [(x.person.id, x.kind, x.expires_on) for x in lapsed])  # fmt: skip
    expected = _every_volunteer_scanned(org.id, TODAY)
    assert got == expected
    assert got[0] and got[1]  # both lists have people: the comparison means something
    everyone = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    listed = {p for p, _, _ in got[0] + got[1]}
    assert len(listed) < everyone  # ... and some were left unread
