"""The time bank's scheduled job: the nightly audit of every organisation's ledger."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from webapp.extensions import db
from webapp.notifications.operations import notify_coordinators
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import for_each_org
from webapp.timebank.audit import audit

TICK = 600


def run_ledger_audit(now: datetime) -> str:
    """Recompute every organisation's ledger at night; alert coordinators on a difference."""
    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        result = audit(org.id)
        if not result.ok:
            notify_coordinators(org.id, "ledger_audit_failed",
                                {"problems": result.problems[:50],
                                 "count": len(result.problems)},
                                dedupe_key=f"audit:{org.id}:{due.isoformat()}")
        return result.report().splitlines()[0]

    done = for_each_org("ledger_audit", now, lambda s: s.audit_hour, timedelta(hours=20), work)
    db.session.commit()
    return "; ".join(done) or "not due"


def jobs(app: Flask) -> list[Job]:
    return [Job("ledger_audit", run_ledger_audit, TICK, TICK, True,
                "Check the time bank every night; alert coordinators on a difference.")]
