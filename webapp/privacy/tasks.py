"""The privacy feature's scheduled job: each organisation's retention policy, daily."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from webapp.extensions import db
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.privacy import retention
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import for_each_org

TICK = 600  # daily per-organisation jobs look at the clock every 10 minutes


def run_retention(now: datetime) -> str:
    """Erase inactive residents and delete old messages, per organisation's policy."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        return str(retention.apply(org.id, now))

    done = for_each_org("retention", now, lambda s: s.daily_hour, timedelta(hours=20), work)
    db.session.commit()
    return "; ".join(done) or "not due"


def jobs(app: Flask) -> list[Job]:
    return [
        Job(
            "retention",
            run_retention,
            TICK,
            TICK,
            True,
            "Apply each organisation's retention policy (daily).",
        )
    ]
