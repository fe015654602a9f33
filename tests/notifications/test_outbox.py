"""Queueing: channel, language, guardian copies, dedupe, same transaction, plain context."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_coordinator, make_org, make_resident, make_user, make_volunteer
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.notifications.operations import (
    channel_for,
    enqueue,
    notify_coordinators,
    set_preference,
)

CTX = {"items": [{"name": "Mario Bianchi", "kind": "insurance", "expires_on": date(2026, 5, 4)}],
       "days": 30}


def _all():  # type: ignore[no-untyped-def]
    return list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))


def test_email_by_default_and_the_chosen_channel_when_usable(db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    assert channel_for(vol) == (Channel.EMAIL, "v@example.org")
    set_preference(vol, Channel.SMS)
    assert channel_for(vol) == (Channel.SMS, vol.phone)
    set_preference(vol, Channel.IN_APP)
    assert channel_for(vol) == (Channel.IN_APP, None)
    [row] = enqueue(vol, "credentials_lapsing", CTX)
    assert row.status == Status.SENT  # the bell shows it at once


def test_resident_without_email_is_phoned_and_the_guardian_gets_a_copy(db_session):
    org = make_org()
    res = make_resident(org, email=None)
    res.resident.guardian_email = "figlia@example.org"
    rows = enqueue(res, "credentials_lapsing", CTX, dedupe_key="k1")
    assert [(r.channel, r.address, r.is_guardian_copy) for r in rows] == [
        (Channel.PHONE, res.phone, False),
        (Channel.EMAIL, "figlia@example.org", True),
    ]
    assert rows[1].dedupe_key == "k1:guardian"


def test_message_is_in_the_recipients_language(db_session):
    org = make_org()
    it = make_volunteer(org, email="it@example.org", preferred_locale="it")
    en = make_volunteer(org, email="en@example.org", preferred_locale="en")
    [msg_it] = enqueue(it, "credentials_lapsing", CTX)
    [msg_en] = enqueue(en, "credentials_lapsing", CTX)
    assert msg_en.subject == "Volunteer checks that run out soon"
    assert msg_it.locale == "it" and msg_it.subject != msg_en.subject
    assert "maggio" in msg_it.body and "May" in msg_en.body


def test_dedupe_key_queues_once(db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    assert len(enqueue(vol, "credentials_lapsing", CTX, dedupe_key="once")) == 1
    assert enqueue(vol, "credentials_lapsing", CTX, dedupe_key="once") == []
    assert len(_all()) == 1


def test_a_rolled_back_change_sends_nothing(db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    db_session.commit()
    enqueue(vol, "credentials_lapsing", CTX)
    db_session.rollback()
    assert _all() == []


def test_context_must_hold_plain_values_never_models(db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    res = make_resident(org)
    with pytest.raises(TypeError, match="context.resident"):
        enqueue(vol, "credentials_lapsing", {**CTX, "resident": res})


def test_notify_coordinators_writes_one_per_active_coordinator(db_session):
    org = make_org()
    c1 = make_coordinator(org)
    c2 = make_coordinator(org)
    c2.active = False
    make_user(org)  # a member is not told
    rows = notify_coordinators(org.id, "credentials_lapsing", CTX, dedupe_key="alert")
    assert [(r.user_id, r.address) for r in rows] == [(c1.id, c1.email)]
