"""The observatory's scheduled job: each organisation's monthly summary, recomputed
whole every night (at the organisation's audit hour), so a late change to a past month
is in the figures the next morning. The current month is always computed live, so it
needs no refresh during the day (docs/observatory.md, "How the figures are computed")."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask

from webapp.core.timeutil import today_local
from webapp.extensions import db
from webapp.observatory import summary
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import for_each_org

TICK = 600  # daily per-organisation jobs look at the clock every 10 minutes


def run_observatory_summary(now: datetime) -> str:
    """Recompute every organisation's observatory summary at night."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        return summary.refresh(org.id, today_local(ZoneInfo(org.timezone), now), now)

    done = for_each_org(
        "observatory_summary", now, lambda s: s.audit_hour, timedelta(hours=20), work
    )
    db.session.commit()
    return "; ".join(done) or "not due"


def jobs(app: Flask) -> list[Job]:
    return [
        Job(
            "observatory_summary",
            run_observatory_summary,
            TICK,
            TICK,
            True,
            "Recompute each organisation's observatory summary (nightly).",
        )
    ]
