"""Erasure: after it, a dump of the whole database (every table, every column, read back
with plain SQL) holds no trace of the person's name, e-mail, phone or address; the
ledger still balances and the history still counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_person,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_from, login
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.audit import operations as audit
from webapp.auth.models import LoginSession
from webapp.desk.models import Alert, AlertReason, Contact, Direction, Outcome
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.operations import notify_coordinators
from webapp.people.models import Person, ResidentProfile
from webapp.people.operations import save_person, set_pin
from webapp.privacy import erasure
from webapp.requests.models import Request
from webapp.shifts import operations as ops
from webapp.shifts.models import CalendarToken, CheckIn, Shift
from webapp.timebank import operations as ledger
from webapp.timebank.models import Account, Transfer
from webapp.timebank.tokens import create_token

FIRST, LAST = "Zebedeo", "Quattrocchi"
EMAIL = "zebedeo.quattrocchi@example.org"
PHONE = "+39 0865 987654"
ADDRESS = "Vicolo dei Gelsi 77, Isernia"
GUARDIAN = "Filomena Quattrocchi"
TRACES = [FIRST, LAST, EMAIL, PHONE, "0865987654", "987654", "Vicolo dei Gelsi", GUARDIAN]


def dump() -> str:
    """Every value of every table, as text (reflected: what is in the database, not what
    the models say)."""
    out = []
    conn = db.session.connection()
    for name in sa.inspect(conn).get_table_names():
        table = sa.Table(name, sa.MetaData(), autoload_with=conn)
        for row in conn.execute(sa.select(table)):
            out.append(f"{name}: " + " | ".join(str(v) for v in row))
    return "\n".join(out)


def _traces(text: str) -> list[str]:
    lower = text.lower()
    return [t for t in TRACES if t.lower() in lower]


def _resident_with_a_life(org, coordinator):  # type: ignore[no-untyped-def]
    resident = make_person(
        org,
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        phone=PHONE,
        address=ADDRESS,
        is_resident=True,
        location_source=None,
    )
    resident.resident = ResidentProfile(
        wants_visits=True,
        health_notes=f"{FIRST} takes insulin",
        guardian_name=GUARDIAN,
        guardian_phone="+39 333 1112223",
    )
    user = make_user(org, person=resident, email=EMAIL)
    db.session.add(LoginSession(id="s" * 40, user_id=user.id, user_agent="phone"))
    create_token(user, "app")
    set_pin(resident, 41.59, 14.23, coordinator)  # remembers the address in the cache
    save_person(resident, {"phone": PHONE + "0"}, resident=True, actor=coordinator)
    save_person(resident, {"phone": PHONE}, resident=True, actor=coordinator)
    volunteer = make_volunteer(org, first_name="Marco", last_name="Bianchi")
    past = make_request(org, visit_draft(in_days(3)), resident=resident, actor=coordinator)
    (done,) = shifts_of(past)
    ops.assign(done, volunteer, coordinator)
    ops.confirm(done, volunteer, volunteer.user)
    past.notes = f"Key under the mat, ask for {FIRST} {LAST}, {PHONE}"
    db.session.flush()
    checkin = CheckIn(
        organisation_id=org.id,
        shift_id=done.id,
        volunteer_id=volunteer.id,
        mood="low",
        worried=True,
        note=f"{FIRST} {LAST} seemed sad",
    )
    db.session.add(checkin)
    db.session.flush()
    db.session.add(
        Alert(
            organisation_id=org.id,
            person_id=resident.id,
            checkin_id=checkin.id,
            reason=AlertReason.WORRIED,
            note=f"call {LAST}",
            due_at=done.starts_at,
        )
    )
    db.session.add(
        Contact(
            organisation_id=org.id,
            person_id=resident.id,
            by_id=coordinator.id,
            direction=Direction.IN,
            outcome=Outcome.NOTE,
            note=f"{FIRST} {LAST} called from {PHONE}",
        )
    )
    notify_coordinators(
        org.id, "resident_to_check", {"name": resident.full_name, "address": ADDRESS}
    )
    future = make_request(org, visit_draft(in_days(9)), resident=resident, actor=coordinator)
    ops.assign(shifts_of(future)[0], volunteer, coordinator)
    ledger.grant(
        key="g-1",
        recipient=resident,
        minutes=90,
        actor_id=coordinator.id,
        service_date=date.today() - timedelta(days=1),
        reason="winter help",
    )
    audit.viewed(coordinator, resident.id, org.id, "case_file")
    db.session.flush()
    return resident, volunteer, done


@pytest.fixture
def world(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    coordinator = make_coordinator(org)
    resident, volunteer, done = _resident_with_a_life(org, coordinator)
    return org, coordinator, resident, volunteer, done


def _ledger_sum(org_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Account.balance), 0)).where(
            Account.organisation_id == org_id
        )
    )


def test_before_erasure_the_dump_finds_them(world):
    """The test itself can see: every trace is somewhere before the erasure."""
    assert set(_traces(dump())) >= set(TRACES) - {"0865987654"}


def test_after_erasure_no_trace_is_left_anywhere(world):
    org, coordinator, resident, volunteer, done = world
    transfers = db.session.scalar(sa.select(sa.func.count(Transfer.id)))
    balance = db.session.scalar(sa.select(Account.balance).where(Account.person_id == resident.id))
    shifts = db.session.scalar(sa.select(sa.func.count(Shift.id)))
    pseudonym = erasure.erase(resident, coordinator)
    db.session.flush()
    db.session.expire_all()
    text = dump()
    assert _traces(text) == [], [line for line in text.splitlines() if _traces(line)][:5]
    # The ledger: every transfer kept, the account still theirs under the pseudonym,
    # the organisation's books still sum to zero.
    assert db.session.scalar(sa.select(sa.func.count(Transfer.id))) == transfers
    person = db.session.get(Person, resident.id)
    assert person.full_name == f"Erased {pseudonym}" and person.erased_at is not None
    account = db.session.scalar(sa.select(Account).where(Account.person_id == resident.id))
    assert account.balance == balance
    assert _ledger_sum(org.id) == 0
    # History stays countable: the shifts and their requests are still there.
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == shifts
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Request.id)).where(Request.resident_id == resident.id)
        )
        == 2
    )
    assert db.session.get(Shift, done.id) is not None
    # The login can no longer be used; sessions, tokens and feed are gone.
    assert person.user.active is False
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(CalendarToken.person_id)).where(
                CalendarToken.person_id == resident.id
            )
        )
        == 0
    )
    # Their own messages went; the audit log kept who did what, not the values.
    assert not db.session.scalars(
        sa.select(Notification).where(Notification.person_id == resident.id)
    ).all()
    assert erasure.erased_events(resident.id) > 0


def test_a_volunteer_is_erased_too(world):
    org, coordinator, resident, volunteer, done = world
    name = volunteer.full_name
    erasure.erase(volunteer, coordinator)
    db.session.flush()
    assert name not in dump()
    # their future shift is offered again; the completed one still counts
    future = [s for s in db.session.scalars(sa.select(Shift)) if s.id != done.id]
    assert all(volunteer.id not in s.volunteer_ids for s in future if s.starts_at > done.starts_at)


def test_the_page_says_what_it_will_do_and_asks_once(client, world):
    org, coordinator, resident, volunteer, done = world
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    page = client.get(f"/privacy/people/{resident.id}/erase").get_data(as_text=True)
    assert "This cannot be undone" in page
    assert "1 active requests are cancelled" in page or "active requests" in page
    token = csrf_from(page)
    unticked = client.post(f"/privacy/people/{resident.id}/erase", data={"csrf_token": token})
    assert unticked.status_code == 400
    assert "Tick the box to confirm the erasure." in unticked.get_data(as_text=True)
    assert db.session.get(Person, resident.id).erased_at is None
    done_resp = client.post(
        f"/privacy/people/{resident.id}/erase", data={"csrf_token": token, "confirm": "y"}
    )
    assert done_resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, resident.id).erased_at is not None
    assert _traces(dump()) == []
