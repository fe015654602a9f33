"""The shifts feature's scheduled jobs: unfilled, reminders, release, escalation and
auto-confirmation.

Each is ``run_<job>(now)``: claim the run record, do the work through the shift
operations (which flush), queue messages in the same transaction, commit once. The time
bank pays for auto-confirmed shifts as for any other completed shift (its listener on
``shift_completed``), in the same transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask import Flask

from webapp.core.timeutil import today_local
from webapp.extensions import db
from webapp.notifications.operations import enqueue, notify_coordinators
from webapp.orgs.models import Organisation, OrganisationSchedule
from webapp.orgs.settings import org_tz, schedule_for, settings_for
from webapp.people.eligibility import missing_credentials
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus
from webapp.scheduler.registry import Job
from webapp.scheduler.runs import all_orgs, claim_slot, for_each_org, isolated
from webapp.shifts import candidates
from webapp.shifts import operations as shift_ops
from webapp.shifts.eligibility import conflict, ineligibility, volunteer_distance
from webapp.shifts.legs import first_legs, group_of
from webapp.shifts.messages import resident_item, resident_of, shift_context
from webapp.shifts.models import Assignment, Shift, ShiftStatus
from webapp.shifts.transitions import BOOKED, HOLDING, NOT_BOOKED

log = logging.getLogger(__name__)
S = ShiftStatus
TICK = 600
MAX_INVITES = 10  # per shift and escalation: the nearest eligible volunteers


def run_mark_unfilled(now: datetime) -> str:
    """Shifts whose start passed with nobody booked become "unfilled" (for the reports)."""
    if not claim_slot("mark_unfilled", now, TICK):
        return "already done"
    count = sum(shift_ops.mark_unfilled(org.id, now) for org in all_orgs())
    db.session.commit()
    return f"{count} shifts unfilled"


def run_volunteer_reminders(now: datetime) -> str:
    """Remind each booked volunteer 24 h and 2 h before (per organisation); when both
    are due at once (booked late), only the nearer one goes."""
    if not claim_slot("volunteer_reminders", now, 300):
        return "already done"
    sent = 0
    for org in all_orgs():
        hours = schedule_for(org.id).reminder_hours  # e.g. [24, 2]
        if not hours:
            continue
        shifts = db.session.scalars(
            sa.select(Shift).where(
                Shift.organisation_id == org.id,
                Shift.status.in_(BOOKED),
                Shift.starts_at > now,
                Shift.starts_at <= now + timedelta(hours=max(hours)),
            )
        ).all()
        for shift in shifts:
            due = [h for h in hours if shift.starts_at - timedelta(hours=h) <= now]
            h = min(due)
            for a in shift.assignments:
                sent += len(enqueue(
                    a.volunteer, "volunteer_reminder", {"shift": shift_context(shift), "hours": h},
                    dedupe_key=f"remind:{shift.id}:{a.volunteer_id}:{h}",
                    event_at=shift.starts_at, about=shift_ops.about(shift),
                ))
    db.session.commit()
    return f"{sent} reminders queued"


def run_resident_reminders(now: datetime) -> str:
    """The day before, at the organisation's hour: each resident hears what is planned
    and who is coming. Residents without e-mail land on the coordinator's phone list;
    a guardian with e-mail gets a copy."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        tomorrow = today_local(org_tz(org.id), now) + timedelta(days=1)
        shifts = db.session.scalars(
            sa.select(Shift).where(
                Shift.organisation_id == org.id,
                Shift.occurrence_date == tomorrow,
                Shift.status.in_(NOT_BOOKED | BOOKED),
            ).order_by(Shift.starts_at)
        ).all()
        by_resident: dict[int, list[Shift]] = defaultdict(list)
        residents: dict[int, Person] = {}
        for shift in shifts:
            resident = resident_of(shift)
            if resident is not None:
                by_resident[resident.id].append(shift)
                residents[resident.id] = resident
        for resident_id, items in by_resident.items():
            enqueue(
                residents[resident_id], "resident_reminder",
                {"items": [resident_item(s) for s in items],
                 "booked": [s.status in BOOKED for s in items]},
                dedupe_key=f"resident-remind:{resident_id}:{tomorrow.isoformat()}",
                event_at=items[0].starts_at,
            )
        return f"{len(by_resident)} residents"

    done = for_each_org("resident_reminders", now, lambda s: s.resident_reminder_hour,
                        timedelta(hours=5), work)
    db.session.commit()
    return "; ".join(done) or "not due"


def run_release_unconfirmed(now: datetime) -> str:
    """A volunteer approved in time who has not confirmed by the deadline (default 48 h
    before) is released and the shift reopened; they and the coordinators are told."""
    if not claim_slot("release_unconfirmed", now, TICK):
        return "already done"
    released = 0
    for org in all_orgs():
        deadline = timedelta(hours=schedule_for(org.id).confirm_deadline_hours)
        shifts = db.session.scalars(
            sa.select(Shift).where(
                Shift.organisation_id == org.id,
                Shift.status == S.APPROVED,
                Shift.starts_at > now,
                Shift.starts_at <= now + deadline,
            )
        ).all()
        for shift in first_legs(shifts):
            late = [
                a for a in shift.assignments
                # Booked after the deadline had passed: nobody asked them in time.
                if a.confirmed_at is None and a.created_at <= shift.starts_at - deadline
            ]
            for a in late:
                person = a.volunteer

                def release(shift: Shift = shift, person: Person = person) -> None:
                    shift_ops.withdraw(shift, person, None, "not confirmed in time")
                    notify_coordinators(shift.organisation_id, "shift_reopened",
                                        {"shift": shift_context(shift),
                                         "volunteer_name": person.full_name})

                if isolated(f"release of shift {shift.id}", release) is None:
                    released += 1
    db.session.commit()
    return f"{released} volunteers released"


def run_release_lapsed(now: datetime) -> str:
    """Daily, per organisation: a volunteer whose licence, insurance or background check
    runs out before a shift they hold is taken off it (they are told why); the shift is
    open again and the coordinators get the list."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        tz = org_tz(org.id)
        holders = db.session.scalars(
            sa.select(Person).join(VolunteerProfile).where(
                Person.organisation_id == org.id,
                sa.exists().where(
                    Assignment.volunteer_id == Person.id,
                    Assignment.shift_id == Shift.id,
                    Shift.status.in_(tuple(HOLDING)),
                    Shift.ends_at > now,
                ),
            ).order_by(Person.id)
        ).all()
        released = []
        for person in holders:
            for legs in shift_ops.held_groups(person, now):
                day = legs[0].starts_at.astimezone(tz).date()
                activity = "ride" if legs[0].kind.is_ride else "visit"
                if not missing_credentials(person, activity, day):
                    continue
                shift_ops.withdraw(legs[0], person, None, shift_ops.CREDENTIAL_LAPSED)
                released.append({**shift_context(legs[0]), "volunteer_name": person.full_name})
        if released:
            notify_coordinators(org.id, "shifts_released",
                                {"volunteer_name": "", "why": "credential", "shifts": released},
                                dedupe_key=f"lapsed-released:{org.id}:{due.isoformat()}")
        return f"{len(released)} shifts released"

    done = for_each_org("release_lapsed", now, lambda s: s.daily_hour, timedelta(hours=20), work)
    db.session.commit()
    return "; ".join(done) or "not due"


def eligible_volunteers(org_id: int, shift: Shift) -> list[Person]:
    """The nearest volunteers who could take ``shift`` now (at most ``MAX_INVITES``)."""
    people = db.session.scalars(
        sa.select(Person).join(VolunteerProfile).where(
            Person.organisation_id == org_id,
            Person.is_volunteer,
            VolunteerProfile.status == VolunteerStatus.APPROVED,
            Person.id.not_in(shift.volunteer_ids or [-1]),
        ).order_by(Person.id)
    ).all()
    speed = settings_for(org_id).travel_speed_kmh
    ok = [
        p for p in people
        if ineligibility(p, shift) is None and conflict(p, [shift], speed) is None
    ]
    return sorted(ok, key=lambda p: volunteer_distance(p, shift) or 0.0)[:MAX_INVITES]


def run_escalate_unfilled(now: datetime) -> str:
    """Shifts still without a volunteer N days ahead (default 3): invite the nearest
    eligible volunteers and alert the coordinators, once per shift."""

    def work(org: Organisation, schedule: OrganisationSchedule, due: datetime) -> str:
        last_day = today_local(org_tz(org.id), now) + timedelta(days=schedule.escalate_days)
        shifts = db.session.scalars(
            sa.select(Shift).where(
                Shift.organisation_id == org.id,
                Shift.status.in_(NOT_BOOKED),
                Shift.starts_at > now,
                Shift.occurrence_date <= last_day,
            )
        ).all()
        alerts = []
        for shift in first_legs(shifts):
            # A claim or proposal waiting for approval needs the coordinator, not more
            # volunteers.
            invited = eligible_volunteers(org.id, shift) if shift.status == S.OPEN else []
            for person in invited:
                enqueue(person, "shift_invitation", {"shift": shift_context(shift, booked=False)},
                        dedupe_key=f"invite:{shift.group_key}:{person.id}",
                        event_at=shift.starts_at, about=shift_ops.about(shift))
            alerts.append({**shift_context(shift), "invited": len(invited)})
        if alerts:
            notify_coordinators(org.id, "unfilled_alert", {"shifts": alerts},
                                dedupe_key=f"unfilled:{org.id}:{due.isoformat()}")
        return f"{len(alerts)} shifts escalated"

    done = for_each_org("escalate_unfilled", now, lambda s: s.daily_hour,
                        timedelta(hours=20), work)
    db.session.commit()
    return "; ".join(done) or "not due"


def run_auto_confirm(now: datetime) -> str:
    """Booked shifts that ended more than the configured time ago (default 48 h) and that
    nobody logged are completed on the volunteers' behalf; the time bank credits the
    hours through ``shift_completed`` in the same transaction."""
    if not claim_slot("auto_confirm", now, TICK):
        return "already done"
    completed = 0
    for org in all_orgs():
        wait = timedelta(hours=schedule_for(org.id).auto_confirm_hours)
        shifts = db.session.scalars(
            sa.select(Shift).where(
                Shift.organisation_id == org.id,
                Shift.status.in_(BOOKED),
                Shift.ends_at <= now - wait,
            )
        ).all()
        for shift in first_legs(shifts):
            legs = group_of(shift)
            if any(leg.ends_at > now - wait for leg in legs):
                continue  # the return leg is not old enough yet
            error = isolated(f"auto-confirm of shift {shift.id}",
                             partial(_complete_and_thank, shift, legs))
            if error is None:
                completed += 1
            else:  # e.g. neither resident nor chest has minutes left: a person must act
                notify_coordinators(org.id, "auto_confirm_failed",
                                    {"shift": shift_context(shift), "error": error},
                                    dedupe_key=f"autoconfirm-failed:{shift.group_key}")
    db.session.commit()
    return f"{completed} shifts completed"


def _complete_and_thank(shift: Shift, legs: list[Shift]) -> None:
    shift_ops.complete(shift, None)  # the time bank pays through shift_completed
    minutes = int((legs[-1].ends_at - legs[0].starts_at).total_seconds() // 60)
    for a in shift.assignments:
        enqueue(a.volunteer, "shift_thanks",
                {"shift": shift_context(shift), "minutes": minutes},
                dedupe_key=f"thanks:{shift.group_key}:{a.volunteer_id}",
                about=shift_ops.about(shift))


def run_rebuild_candidates(now: datetime) -> str:
    """Once a day (the first tick of each UTC day, so also minutes after the scheduler
    first starts): the board's candidates of every organisation from scratch. They are kept
    as volunteers and shifts change (``shifts/candidates.py``); this drops the rows of
    shifts that started or ended, and would mend a row a write outside the ORM missed."""
    if not claim_slot("rebuild_candidates", now, 86400):
        return "already done"
    written = candidates.rebuild()
    db.session.commit()
    return f"{written} board candidates"


def jobs(app: Flask) -> list[Job]:
    return [
        Job("mark_unfilled", run_mark_unfilled, TICK, TICK, True,
            "Mark shifts whose start passed without a volunteer as unfilled."),
        Job("volunteer_reminders", run_volunteer_reminders, 300, 300, True,
            "Remind volunteers before their shifts (24 h and 2 h by default)."),
        Job("resident_reminders", run_resident_reminders, TICK, TICK, True,
            "Tell residents the day before who is coming (per organisation)."),
        Job("release_unconfirmed", run_release_unconfirmed, TICK, TICK, True,
            "Release volunteers who did not confirm by the deadline; reopen."),
        Job("release_lapsed", run_release_lapsed, TICK, TICK, True,
            "Take volunteers off shifts their lapsed checks no longer cover; reopen."),
        Job("escalate_unfilled", run_escalate_unfilled, TICK, TICK, True,
            "Invite volunteers to shifts still empty N days ahead; alert."),
        Job("auto_confirm", run_auto_confirm, 900, 900, True,
            "Complete and pay shifts nobody logged after the configured time."),
        # Ticks every 10 minutes, works once a UTC day (claim_slot): so the first tick
        # after the scheduler starts fills the boards after an upgrade, not a day later.
        Job("rebuild_candidates", run_rebuild_candidates, TICK, TICK, True,
            "Work out every volunteer's board candidates again (a consistency net)."),
    ]
