"""Tell an organisation's coordinators that the morning's proposals wait for them.

The scheduler's morning job queues its runs with ``params["announce_days"]`` (the days
they cover); whoever solves such a run (the scheduler itself, or a solve worker on the
task queue) calls :func:`announce` once it is done. Commits (its own short transaction,
after the run's); the message key makes a second call harmless.
"""

from __future__ import annotations

from webapp.core.locks import begin_write
from webapp.extensions import db
from webapp.matchrun.models import MatchRun, RunStatus
from webapp.notifications.operations import notify_coordinators


def proposals_in(run: MatchRun) -> int:
    return sum(len(part.get("proposals", [])) for part in (run.results or {}).values())


def announce(run_id: int) -> int:
    """Notify the coordinators of a finished morning run; returns the proposals counted."""
    db.session.rollback()  # the run was written in other transactions: read it fresh
    begin_write(MatchRun)  # SQLite: the lock before the read the message rests on
    run = db.session.get(MatchRun, run_id)
    if run is None or run.status != RunStatus.DONE:
        return 0
    days = (run.params or {}).get("announce_days")
    count = proposals_in(run)
    if days and count:
        notify_coordinators(run.organisation_id, "matches_proposed",
                            {"count": count, "days": days}, dedupe_key=f"proposed:run{run_id}")
        db.session.commit()
    return count
