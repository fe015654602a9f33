"""Coordinators hear once about each volunteer check that lapses within the window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
import time_machine

from tests.factories import make_coordinator, make_org, make_volunteer
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.models import OrganisationSchedule
from webapp.people.models import Credential, CredentialKind
from webapp.people.tasks import run_credential_warnings

# 07:00 in Rome on 2 March 2026 is 06:00 UTC (default daily hour: 7).
MORNING = datetime(2026, 3, 2, 6, 5, tzinfo=UTC)


def _messages(org_id: int) -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.organisation_id == org_id,
                                      Notification.kind == "credentials_lapsing")
        .order_by(Notification.id)
    ))


def _lapsing(vol, days: int) -> Credential:  # type: ignore[no-untyped-def]
    cred = vol.credentials[-1]
    cred.expires_on = date(2026, 3, 2) + timedelta(days=days)
    db.session.flush()
    return cred


def test_warns_once_per_credential_and_again_after_renewal(db_session):
    org = make_org()
    coord = make_coordinator(org)
    soon = make_volunteer(org, first_name="Lucia", last_name="Neri")
    later = make_volunteer(org, first_name="Paolo", last_name="Gialli")
    cred = _lapsing(soon, 20)
    _lapsing(later, 45)

    with time_machine.travel(MORNING - timedelta(hours=2), tick=False):
        assert run_credential_warnings(datetime.now(UTC)) == "not due"  # 05:05 in Rome
    assert _messages(org.id) == []

    with time_machine.travel(MORNING, tick=False):
        run_credential_warnings(datetime.now(UTC))
        run_credential_warnings(datetime.now(UTC))  # a second run that day does nothing
    [msg] = _messages(org.id)
    assert msg.user_id == coord.id and msg.address == coord.email
    assert "Lucia Neri" in msg.body and "Paolo" not in msg.body
    assert "Sunday 22 March" in msg.body  # the year only when it is not this one

    # Next day: Lucia was already announced; Paolo is not yet within 30 days.
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        run_credential_warnings(datetime.now(UTC))
    assert len(_messages(org.id)) == 1

    # 16 days later Paolo's check enters the window; Lucia renewed hers, briefly.
    cred.expires_on = date(2026, 4, 1)
    db.session.flush()
    with time_machine.travel(MORNING + timedelta(days=16), tick=False):
        run_credential_warnings(datetime.now(UTC))
    last = _messages(org.id)[-1]
    assert len(_messages(org.id)) == 2
    assert "Paolo Gialli" in last.body and "Lucia Neri" in last.body


def test_window_is_configurable_per_organisation(db_session):
    org = make_org()
    make_coordinator(org)
    db.session.add(OrganisationSchedule(organisation_id=org.id, credential_warning_days=60,
                                        daily_hour=9))
    vol = make_volunteer(org)
    _lapsing(vol, 45)
    with time_machine.travel(MORNING, tick=False):  # 07:05: before this org's 09:00
        run_credential_warnings(datetime.now(UTC))
    assert _messages(org.id) == []
    with time_machine.travel(MORNING + timedelta(hours=2), tick=False):
        run_credential_warnings(datetime.now(UTC))
    assert len(_messages(org.id)) == 1


def test_no_coordinator_no_noise_but_run_recorded(db_session):
    org = make_org()
    vol = make_volunteer(org)
    vol.credentials.append(Credential(kind=CredentialKind.INSURANCE, checked_on=date(2025, 1, 1),
                                      expires_on=date(2026, 3, 10)))
    db.session.flush()
    with time_machine.travel(MORNING, tick=False):
        summary = run_credential_warnings(datetime.now(UTC))
    assert f"org{org.id}: " in summary
    assert _messages(org.id) == []
