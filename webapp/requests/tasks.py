"""The requests feature's scheduled job: every morning, the shifts of repeating requests
are created as far ahead as the organisation's horizon."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from webapp.extensions import db
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.requests.planning import extend_horizon
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import for_each_org

TICK = 600


def run_extend_horizon(now: datetime) -> str:
    """Create the shifts of repeating requests up to each organisation's horizon."""
    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        return f"{extend_horizon(org.id, now=now)} shifts created"

    done = for_each_org("extend_horizon", now, lambda s: s.daily_hour, timedelta(hours=20), work)
    db.session.commit()
    return "; ".join(done) or "not due"


def jobs(app: Flask) -> list[Job]:
    return [Job("extend_horizon", run_extend_horizon, TICK, TICK, True,
                "Create shifts from repeating requests (daily, per organisation).")]
