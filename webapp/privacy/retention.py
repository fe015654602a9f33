"""Retention (GDPR Art. 5(1)(e)): what each organisation keeps, and for how long.

``OrganisationSettings.inactive_resident_months``: a resident (not also a volunteer) with
no active request, and no request made, visit or ride, or call logged for that long, is
erased (``erasure.erase``: the history stays countable under a pseudonym).
``OrganisationSettings.message_days``: messages no longer waiting to be sent are deleted
that many days after they were made. NULL keeps either for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from webapp.audit import operations as audit
from webapp.desk.models import Contact
from webapp.extensions import db
from webapp.notifications.models import Notification, Status
from webapp.orgs.settings import settings_for
from webapp.people.models import Person, ResidentProfile, VolunteerProfile
from webapp.privacy import erasure
from webapp.requests.models import Request, RequestStatus
from webapp.shifts.models import Shift

DAYS_PER_MONTH = 30.44
DONE = (Status.SENT, Status.FAILED, Status.CANCELLED)


@dataclass(frozen=True)
class Applied:
    residents_erased: int
    messages_deleted: int

    def __str__(self) -> str:
        return f"{self.residents_erased} residents erased, {self.messages_deleted} messages deleted"


def inactive_residents(org_id: int, months: int, now: datetime) -> list[Person]:
    """Residents of ``org_id`` with nothing going on for ``months``."""
    cutoff = now - timedelta(days=round(months * DAYS_PER_MONTH))
    recent_request = sa.exists().where(
        Request.resident_id == Person.id,
        sa.or_(Request.status == RequestStatus.ACTIVE, Request.created_at >= cutoff),
    )
    recent_shift = (
        sa.exists()
        .where(Request.resident_id == Person.id, Shift.request_id == Request.id)
        .where(Shift.starts_at >= cutoff)
    )
    recent_call = sa.exists().where(Contact.person_id == Person.id, Contact.at >= cutoff)
    volunteers = sa.exists().where(VolunteerProfile.person_id == Person.id)
    return list(
        db.session.scalars(
            sa.select(Person)
            .join(ResidentProfile, ResidentProfile.person_id == Person.id)
            .where(
                Person.organisation_id == org_id,
                Person.erased_at.is_(None),
                Person.created_at < cutoff,
                ~recent_request,
                ~recent_shift,
                ~recent_call,
                ~volunteers,
            )
            .order_by(Person.id)
        )
    )


def old_messages(org_id: int, days: int, now: datetime) -> sa.Delete:
    return sa.delete(Notification).where(
        Notification.organisation_id == org_id,
        Notification.status.in_(DONE),
        Notification.created_at < now - timedelta(days=days),
    )


def apply(org_id: int, now: datetime) -> Applied:
    """Apply the organisation's policy once. Flushes; the job commits."""
    policy = settings_for(org_id)
    erased = 0
    if policy.inactive_resident_months:
        for person in inactive_residents(org_id, policy.inactive_resident_months, now):
            erasure.erase(person, None)
            erased += 1
    deleted = 0
    if policy.message_days:
        result = db.session.execute(old_messages(org_id, policy.message_days, now))
        deleted = int(getattr(result, "rowcount", 0) or 0)
    applied = Applied(erased, deleted)
    if erased or deleted:
        audit.record(
            "retention.applied",
            organisation_id=org_id,
            changes={"residents_erased": [None, erased], "messages_deleted": [None, deleted]},
        )
    db.session.flush()
    return applied
