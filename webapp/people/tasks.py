"""The people feature's scheduled job: coordinators hear, once per credential, which
volunteers' checks lapse soon (daily, per organisation)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask

from webapp.extensions import db
from webapp.notifications.operations import notify_coordinators
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.people.models import Credential, CredentialWarning, Person
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import for_each_org

TICK = 600  # daily per-organisation jobs look at the clock every 10 minutes


def run_credential_warnings(now: datetime) -> str:
    """Tell coordinators, once per credential, which ones lapse within the window."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        today = now.astimezone(ZoneInfo(org.timezone)).date()
        limit = today + timedelta(days=schedule.credential_warning_days)
        already = sa.select(CredentialWarning.id).where(
            CredentialWarning.credential_id == Credential.id,
            CredentialWarning.expires_on == Credential.expires_on,
        )
        lapsing = db.session.execute(
            sa.select(Credential, Person)
            .join(Person, Person.id == Credential.person_id)
            .where(
                Person.organisation_id == org.id,
                Person.is_volunteer,
                Credential.expires_on.is_not(None),
                Credential.expires_on >= today,
                Credential.expires_on <= limit,
                ~sa.exists(already),
            )
            .order_by(Credential.expires_on, Person.last_name)
        ).all()
        if not lapsing:
            return "nothing lapsing"
        items = [
            {
                "name": person.full_name,
                "kind": credential.kind.value,
                "expires_on": credential.expires_on,
            }
            for credential, person in lapsing
        ]
        for credential, _person in lapsing:
            db.session.add(
                CredentialWarning(credential_id=credential.id, expires_on=credential.expires_on)
            )
        notify_coordinators(
            org.id,
            "credentials_lapsing",
            {"items": items, "days": schedule.credential_warning_days},
            dedupe_key=f"credentials:{org.id}:{due.isoformat()}",
        )
        return f"{len(items)} credentials lapsing"

    done = for_each_org(
        "credential_warnings", now, lambda s: s.daily_hour, timedelta(hours=20), work
    )
    db.session.commit()
    return "; ".join(done) or "not due"


def jobs(app: Flask) -> list[Job]:
    return [Job("credential_warnings", run_credential_warnings, TICK, TICK, True,
                "Tell coordinators which credentials lapse soon (daily, per organisation).")]
