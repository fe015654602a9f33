"""Exactly-once bookkeeping for jobs: claim (job, due time) before doing the work.

A job inserts its :class:`JobRun` first, in the same transaction as its work. If the
row exists (another scheduler, a retry, a manual run already did it) the insert fails
with IntegrityError inside a savepoint and the job skips. On PostgreSQL a concurrent
insert of the same key waits for the other transaction and then fails or succeeds, so
two runs can never both do the work.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.orgs.settings import schedule_for
from webapp.scheduler.models import JobRun

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def floor_time(now: datetime, seconds: int) -> datetime:
    """The start of the ``seconds``-long slot holding ``now`` (slots aligned on the epoch)."""
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def claim_run(job: str, due_at: datetime) -> JobRun | None:
    """Insert the run record (flushes). ``None`` if this (job, due_at) already ran."""
    run = JobRun(job=job, due_at=due_at, worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        log.info("job %s due %s already done; skipping", job, due_at.isoformat())
        return None
    return run


def claim_slot(job: str, now: datetime, seconds: int) -> bool:
    """For a job that runs every ``seconds``: claim this slot's run, or roll back and say
    no (another scheduler, or a retry, already did it)."""
    if claim_run(job, floor_time(now, seconds)) is None:
        db.session.rollback()
        return False
    return True


def all_orgs() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))


def isolated(what: str, work: Callable[[], object]) -> str | None:
    """Run one item's work in a savepoint: if a rule says no (or the time bank lacks
    minutes), that item is rolled back and logged, the others go ahead. Returns the
    error text, or None."""
    savepoint = db.session.begin_nested()
    try:
        work()
    except Exception as exc:
        savepoint.rollback()
        log.warning("%s failed: %s", what, exc)
        return str(getattr(exc, "message", None) or exc)
    savepoint.commit()
    return None


def last_local_time(now: datetime, tz: str, hour: int) -> datetime:
    """The latest moment <= ``now`` when the clock in ``tz`` showed ``hour``:00 (UTC)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate > local:
        day = (local - timedelta(days=1)).date()
        candidate = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    return candidate.astimezone(UTC)


def for_each_org(
    job: str,
    now: datetime,
    hour_of: Callable[[OrganisationSchedule], int],
    catch_up: timedelta,
    work: Callable[[Organisation, OrganisationSchedule, datetime], str],
) -> list[str]:
    """For a daily job: call ``work(org, schedule, due)`` for each organisation whose
    local ``hour_of(schedule)`` has passed today (within ``catch_up``, so a scheduler
    that was down catches up, but does not send yesterday's reminders tomorrow), claimed
    under "<job>:org<id>". Returns the summaries of the organisations that ran.

    Each organisation's work runs inside its own savepoint: an error in one is logged
    and rolled back (its run record too, so it is tried again on the next tick) while
    the others go ahead. The caller commits once.
    """
    done = []
    for org in list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id))):
        schedule = schedule_for(org.id)
        due = last_local_time(now, org.timezone, hour_of(schedule))
        if now - due > catch_up:
            continue
        savepoint = db.session.begin_nested()
        try:
            run = claim_run(f"{job}:org{org.id}", due)
            if run is None:
                savepoint.rollback()
                continue
            run.summary = (work(org, schedule, due) or "")[:500]
            db.session.flush()
            savepoint.commit()
            done.append(f"org{org.id}: {run.summary}")
        except Exception:
            log.exception("job %s failed for organisation %s", job, org.id)
            savepoint.rollback()
    return done
