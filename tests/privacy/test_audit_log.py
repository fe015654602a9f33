"""The audit log: who viewed or changed a record and every coordinator action, with
before/after values; append-only in the database; a coordinator's page filtered by person."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import csrf_from, login
from webapp.audit import operations as audit
from webapp.audit.models import AuditEvent, ImmutableAuditError
from webapp.auth.operations import set_temporary_password
from webapp.extensions import db
from webapp.people import roles, vetting
from webapp.people.operations import save_person
from webapp.timebank import operations as ledger


def _events(person_id: int | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if person_id is not None:
        query = query.where(AuditEvent.person_id == person_id)
    return list(db.session.scalars(query))


def _actions(person_id: int) -> list[str]:
    return [e.action for e in _events(person_id)]


@pytest.fixture
def world(db_session):  # type: ignore[no-untyped-def]
    org = make_org()
    coordinator = make_coordinator(org)
    resident = make_resident(org, first_name="Ida")
    return org, coordinator, resident


def test_a_coordinator_reading_a_record_is_written_down(client, world):
    org, coordinator, resident = world
    login(client, coordinator.email, PASSWORD)
    assert client.get(f"/desk/people/{resident.id}").status_code == 200
    assert client.get(f"/coordinator/people/{resident.id}").status_code == 200
    viewed = [e for e in _events(resident.id) if e.action == "person.viewed"]
    assert [e.target for e in viewed] == ["page:case_file", "page:person"]
    assert {e.actor_user_id for e in viewed} == {coordinator.id}


def test_a_change_of_health_notes_keeps_before_and_after(world):
    org, coordinator, resident = world
    resident.resident.health_notes = "diabetes"
    db.session.flush()
    save_person(
        resident, {"health_notes": "diabetes, insulin at noon"}, resident=True, actor=coordinator
    )
    event = _events(resident.id)[-1]
    assert event.action == "person.changed"
    assert event.actor_user_id == coordinator.id
    assert event.changes == {"resident.health_notes": ["diabetes", "diabetes, insulin at noon"]}


def test_coordinator_actions_are_written_down(world):
    org, coordinator, resident = world
    volunteer = make_volunteer(org)
    vetting.change_status(volunteer, "suspend", coordinator, "late twice", today=date.today())
    set_temporary_password(volunteer.user, by=coordinator)
    roles.add_role(volunteer, "resident", coordinator, consent=True)
    ledger.grant(
        key="g1",
        recipient=volunteer,
        minutes=30,
        actor_id=coordinator.id,
        service_date=date.today(),
        reason="thanks",
    )
    actions = _actions(volunteer.id)
    assert "volunteer.suspend" in actions
    assert "account.temporary_password" in actions
    assert "role.added" in actions
    assert "ledger.grant" in actions
    suspend = next(e for e in _events(volunteer.id) if e.action == "volunteer.suspend")
    assert suspend.changes == {"status": ["approved", "suspended"], "reason": [None, "late twice"]}
    grant = next(e for e in _events(volunteer.id) if e.action == "ledger.grant")
    assert grant.changes["minutes"] == [None, 30]
    by_hand = [e for e in _events(volunteer.id) if e.action != "account.access_revoked"]
    assert all(e.actor_user_id == coordinator.id for e in by_hand)


def test_settings_changes_are_written_down(client, world):
    org, coordinator, resident = world
    login(client, coordinator.email, PASSWORD)
    token = csrf_from(client.get("/organisation").get_data(as_text=True))
    client.post(
        "/organisation",
        data={"csrf_token": token, "phone": "+39 0865 1", "opening_hours": "9-12", "address": ""},
    )
    event = _events()[-1]
    assert event.action == "settings.changed"
    assert event.changes["phone"] == [None, "+39 0865 1"]


def test_entries_cannot_be_changed_or_deleted(world):
    org, coordinator, resident = world
    event = audit.record("person.viewed", actor=coordinator, organisation_id=org.id, person_id=1)
    db.session.flush()
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.id == event.id).values(action="nothing")
        )
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == event.id))
    # Blanking the values again, or anything else with them, is refused too.
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.id == event.id)
            .values(redacted_at=sa.func.current_timestamp(), changes=None, person_id=2)
        )
    event.action = "x"
    with pytest.raises(ImmutableAuditError):
        db.session.flush()
    db.session.rollback()


def test_erasure_may_blank_values_once(world):
    org, coordinator, resident = world
    audit.record(
        "person.changed",
        actor=coordinator,
        organisation_id=org.id,
        person_id=resident.id,
        changes={"phone": ["1", "2"]},
    )
    db.session.flush()
    assert audit.redact_person(resident.id) == 1
    db.session.expire_all()
    (event,) = _events(resident.id)
    assert event.changes is None and event.redacted_at is not None
    assert event.action == "person.changed" and event.actor_user_id == coordinator.id


def test_the_page_filters_by_person_and_pages(client, world):
    org, coordinator, resident = world
    other = make_resident(org, first_name="Olga")
    for _ in range(55):
        audit.record(
            "person.viewed", actor=coordinator, organisation_id=org.id, person_id=resident.id
        )
    audit.record("person.viewed", actor=coordinator, organisation_id=org.id, person_id=other.id)
    foreign = make_org()
    audit.record("person.viewed", actor=None, organisation_id=foreign.id, person_id=other.id + 1000)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    page = client.get("/privacy/audit").get_data(as_text=True)
    assert "56 entries" in page and "Page 1 of 2" in page
    only = client.get(f"/privacy/audit?person={other.id}").get_data(as_text=True)
    assert "1 entries" in only and "Olga" in only
    by_name = client.get("/privacy/audit?q=Olga").get_data(as_text=True)
    assert "1 entries" in by_name
    assert client.get("/privacy/audit?page=abc").status_code == 200
