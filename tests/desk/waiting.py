"""A desk with something on every list of its home, and just beside each list's edge
what must not be on it (handled, closed, measured lately, not yet due, sent...)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.desk.helpers import done_visit
from tests.factories import make_resident, make_volunteer
from webapp.activities.models import Activity, ActivitySession
from webapp.db import utcnow
from webapp.desk.models import Alert, AlertReason, Contact, Outcome
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.people.models import VolunteerStatus
from webapp.referrals.models import Channel as ReferralChannel
from webapp.referrals.models import Consent, LonelinessMeasure, Referral, ReferralStatus, SourceKind


def _measure(org: Any, person: Any, taken_at: datetime) -> None:
    db.session.add(LonelinessMeasure(organisation_id=org.id, person_id=person.id,
                                     scale="ucla3", taken_at=taken_at, score=5))  # fmt: skip


def _message(org: Any, person: Any, channel: Channel, status: Status, **kw: Any) -> None:
    db.session.add(Notification(organisation_id=org.id, person_id=person.id, channel=channel,
                                status=status, kind="test", locale="en", subject="s",
                                body="b", **kw))  # fmt: skip


def fill_desk(org: Any, coord: Any, n: int, today: date | None = None) -> None:
    """``n`` of each thing the home lists or counts, and as many it must leave out."""
    today = today or date.today()
    now = utcnow()
    long_ago = datetime.combine(today - timedelta(days=400), time(10), tzinfo=UTC)
    for i in range(n):
        resident = make_resident(org, first_name=f"Rita{i}", phone=f"0865 10{i:03}")
        for handled in (None, now):
            db.session.add(Alert(organisation_id=org.id, person_id=resident.id,
                                 reason=AlertReason.WORRIED, due_at=now + timedelta(hours=i),
                                 handled_at=handled))  # fmt: skip
        for status in (ReferralStatus.NEW, ReferralStatus.CONTACTED, ReferralStatus.DECLINED):
            db.session.add(Referral(organisation_id=org.id, source_kind=SourceKind.GP,
                                    channel=ReferralChannel.PHONE, referrer_name="Dr Ada",
                                    subject_name=f"Bice{i}", consent=Consent.AGREED,
                                    status=status, due_at=now + timedelta(days=2)))  # fmt: skip
        # Due: measured long ago. Not due: measured long ago and again lately.
        _measure(org, resident, long_ago)
        lately = make_resident(org, first_name=f"Lina{i}")
        _measure(org, lately, long_ago)
        _measure(org, lately, now - timedelta(days=3))
        # To phone: a message to read out, and a follow-up due, for the same person; one
        # with a follow-up due, one whose follow-up is tomorrow, one whose is done.
        _message(org, resident, Channel.PHONE, Status.PENDING)
        _message(org, resident, Channel.PHONE, Status.PENDING,
                 event_at=now - timedelta(days=2))  # about something past  # fmt: skip
        for person, follow_up, done in (
            (resident, now - timedelta(hours=1), None),
            (make_resident(org, first_name=f"Ugo{i}"), now, None),
            (make_resident(org, first_name=f"Ivo{i}"), now + timedelta(days=2), None),
            (make_resident(org, first_name=f"Eva{i}"), now, now),
        ):
            db.session.add(Contact(organisation_id=org.id, person_id=person.id,
                                   outcome=Outcome.NO_ANSWER, at=now - timedelta(hours=2),
                                   follow_up_at=follow_up, follow_up_done_at=done))  # fmt: skip
        # The outbox: failed, waiting, sent, and an in-app message (never "not sent").
        for channel, status in (
            (Channel.EMAIL, Status.FAILED),
            (Channel.SMS, Status.PENDING),
            (Channel.EMAIL, Status.SENT),
            (Channel.IN_APP, Status.PENDING),
        ):
            _message(org, resident, channel, status)  # fmt: skip
        make_volunteer(org, first_name=f"Pia{i}", status=VolunteerStatus.PENDING)
        make_volunteer(org, first_name=f"Leo{i}", credentials=False)  # lapsed checks
        # Held times on a visit done, and a survey due (and one done).
        shift, _vol = done_visit(org, coord, resident=resident)
        shift.assignments[0].times_held = True
        for done_at in (None, now):
            activity = Activity(organisation_id=org.id, title=f"Tombola {i}", place_name="Sala",
                                address="a", capacity=10, selected_at=long_ago,
                                survey_months=1, survey_done_at=done_at)  # fmt: skip
            meeting = ActivitySession(starts_at=long_ago, ends_at=long_ago + timedelta(hours=2))
            activity.sessions.append(meeting)
            db.session.add(activity)
    db.session.flush()
