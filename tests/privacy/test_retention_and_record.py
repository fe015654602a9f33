"""Retention per organisation (applied by the daily job, shown and set by coordinators)
and the record of processing generated from the data model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident, make_volunteer
from tests.helpers import csrf_from, login
from webapp.desk.models import Contact, Direction, Outcome
from webapp.extensions import db
from webapp.jobs import FEATURES
from webapp.notifications.models import Channel, Notification, Status
from webapp.orgs.settings import settings_for
from webapp.people.models import Person
from webapp.privacy import processing, retention, tasks

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _message(org, person, days_old: int, status: Status) -> Notification:  # type: ignore[no-untyped-def]
    row = Notification(
        organisation_id=org.id,
        person_id=person.id,
        channel=Channel.EMAIL,
        kind="k",
        locale="en",
        subject="s",
        body="b",
        status=status,
        created_at=NOW - timedelta(days=days_old),
    )
    db.session.add(row)
    return row


def test_the_policy_erases_inactive_residents_and_deletes_old_messages(db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    old = make_resident(org, first_name="Olderina")
    old.created_at = NOW - timedelta(days=800)
    called = make_resident(org, first_name="Calledina")
    called.created_at = NOW - timedelta(days=800)
    db.session.add(
        Contact(
            organisation_id=org.id,
            person_id=called.id,
            by_id=coordinator.id,
            direction=Direction.OUT,
            outcome=Outcome.NOTE,
            at=NOW - timedelta(days=30),
        )
    )
    new = make_resident(org, first_name="Newina")
    new.created_at = NOW - timedelta(days=30)
    helper = make_volunteer(org, first_name="Helperina")
    helper.created_at = NOW - timedelta(days=800)
    stale = _message(org, helper, 400, Status.SENT)
    fresh = _message(org, helper, 10, Status.SENT)
    waiting = _message(org, helper, 400, Status.PENDING)
    db.session.flush()
    ids = stale.id, fresh.id, waiting.id
    applied = retention.apply(org.id, NOW)
    assert applied.residents_erased == 1 and applied.messages_deleted == 1
    db.session.expire_all()
    assert db.session.get(Person, old.id).erased_at is not None
    assert all(db.session.get(Person, p.id).erased_at is None for p in (called, new, helper))
    assert [db.session.get(Notification, i) is not None for i in ids] == [False, True, True]


def test_empty_keeps(db_session):
    org = make_org()
    old = make_resident(org)
    old.created_at = NOW - timedelta(days=4000)
    row = settings_for(org.id)
    row.inactive_resident_months = None
    row.message_days = None
    assert str(retention.apply(org.id, NOW)) == "0 residents erased, 0 messages deleted"


def test_the_job_is_registered_and_runs_once_a_day(db_session):
    assert tasks in FEATURES
    org = make_org()
    old = make_resident(org)
    old.created_at = NOW - timedelta(days=800)
    db.session.commit()
    due = NOW.replace(hour=8)  # after the morning hour (07:00 local) of the default schedule
    first = tasks.run_retention(due)
    assert "1 residents erased" in first
    assert tasks.run_retention(due + timedelta(minutes=10)) == "not due"


def test_coordinators_see_and_set_the_policy(client, db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    page = client.get("/privacy/").get_data(as_text=True)
    assert "no request, visit, ride or call for 24 months" in page
    assert "deleted 365 days after" in page
    token = csrf_from(page)
    bad = client.post(
        "/privacy/", data={"csrf_token": token, "inactive_resident_months": "2", "message_days": ""}
    )
    assert bad.status_code == 400 and "Between 6 and 120 months" in bad.get_data(as_text=True)
    ok = client.post(
        "/privacy/",
        data={"csrf_token": token, "inactive_resident_months": "36", "message_days": ""},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    row = settings_for(org.id)
    assert row.inactive_resident_months == 36 and row.message_days is None


def test_every_table_has_a_place_in_the_record():
    assert processing.unplaced() == []
    assert not set(processing.TABLES) - set(db.metadata.tables), "a table the model lost"


def test_the_record_follows_the_model():
    """A new table with personal data cannot slip through: categories come from columns."""
    by_table = {a.table: a for a in processing.activities()}
    assert by_table["resident_profile"].special  # health notes: Art. 9
    assert (
        "health_notes"
        in by_table["resident_profile"].categories["health (special category, Art. 9)"]
    )
    assert "phone" in by_table["person"].categories["contact"]
    assert "organisation" not in by_table
    metadata = sa.MetaData()
    sa.Table("new_thing", metadata, sa.Column("id", sa.Integer, primary_key=True))
    assert processing.unplaced(metadata) == ["new_thing"]


def test_the_record_as_markdown_and_on_a_page(app, client, db_session):
    result = CliRunner().invoke(app.cli, ["privacy", "record"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "| resident_profile |" in result.output and "health_notes" in result.output
    org = make_org()
    coordinator = make_coordinator(org)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    page = client.get("/privacy/processing").get_data(as_text=True)
    assert "resident_profile" in page and "health_notes" in page
