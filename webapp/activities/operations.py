"""Workflows of activities: create, apply, select, drop out (the waiting list moves up),
attendance, helpers, the follow-up survey, and ride requests for selected participants.

Operations check the rules, raise ``FieldError`` keyed by form field, flush, never commit.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp.activities.models import (
    DEFAULT_WEIGHTS,
    Activity,
    ActivityHelper,
    ActivityRide,
    ActivitySession,
    Application,
    ApplicationStatus,
    Attendance,
    Channel,
    IncomeBand,
)
from webapp.activities.selection import CRITERIA, rank
from webapp.auth.models import User
from webapp.core.errors import FieldError
from webapp.core.timeutil import at_local, to_local, today_local
from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.operations import enqueue
from webapp.orgs.settings import org_tz
from webapp.people.models import Person
from webapp.permissions import is_coordinator
from webapp.places.geocoding import AddressNotFound, locate
from webapp.requests.models import RequestKind, RequestStatus, RidePurpose
from webapp.requests.operations import Draft, cancel_request, create_request

A = ApplicationStatus
MAX_SESSIONS = 52


@dataclass
class ActivityDraft:
    title: str
    place_name: str
    address: str
    first_day: date
    start: time
    duration_minutes: int
    capacity: int
    sessions: int = 1
    every_days: int = 14
    wheelchair_accessible: bool = False
    accessibility_note: str | None = None
    helpers_needed: int = 0
    applications_close: date | None = None
    description: str | None = None
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    age_from: int = 75
    outlying: list[str] = field(default_factory=list)
    survey_months: int = 3


def create_activity(org_id: int, d: ActivityDraft, now: datetime | None = None) -> Activity:
    now = now or utcnow()
    tz = org_tz(org_id)
    if not d.title.strip():
        raise FieldError("title", _("Give the activity a name."))
    if not d.address.strip():
        raise FieldError("address", _("Where does it take place?"))
    if d.capacity < 1:
        raise FieldError("capacity", _("At least 1 place."))
    if d.duration_minutes <= 0:
        raise FieldError("duration_minutes", _("The duration must be more than 0 minutes."))
    if not 1 <= d.sessions <= MAX_SESSIONS:
        raise FieldError("sessions", _("Between 1 and %(n)s meetings.", n=MAX_SESSIONS))
    if d.sessions > 1 and d.every_days < 1:
        raise FieldError("every_days", _("At least 1 day between meetings."))
    if d.helpers_needed < 0:
        raise FieldError("helpers_needed", _("0 or more helpers."))
    if d.survey_months < 0:
        raise FieldError("survey_months", _("0 or more months."))
    if any(v < 0 for v in d.weights.values()):
        raise FieldError("weight_age", _("Weights are 0 or more points."))
    first = at_local(d.first_day, d.start, tz)
    if first <= now:
        raise FieldError("first_day", _("This time is already in the past."))
    if d.applications_close and d.applications_close > d.first_day:
        raise FieldError("applications_close", _("The call must close by the first day."))
    if d.applications_close and d.applications_close < today_local(tz, now):
        raise FieldError("applications_close", _("This day is already in the past."))
    try:
        where = locate(org_id, d.address.strip())
    except AddressNotFound:
        raise FieldError("address", _("We could not find this address.")) from None
    activity = Activity(
        organisation_id=org_id,
        title=d.title.strip(),
        description=(d.description or "").strip() or None,
        place_name=d.place_name.strip() or d.address.strip(),
        address=d.address.strip(),
        lat=where.lat,
        lon=where.lon,
        capacity=d.capacity,
        wheelchair_accessible=d.wheelchair_accessible,
        accessibility_note=(d.accessibility_note or "").strip() or None,
        helpers_needed=d.helpers_needed,
        duration_minutes=d.duration_minutes,
        applications_close=d.applications_close,
        weights={c: int(d.weights.get(c, DEFAULT_WEIGHTS[c])) for c in CRITERIA},
        age_from=d.age_from,
        outlying=sorted({x.strip() for x in d.outlying if x.strip()}),
        survey_months=d.survey_months,
    )
    for n in range(d.sessions):
        starts = at_local(d.first_day + timedelta(days=n * d.every_days), d.start, tz)
        activity.sessions.append(
            ActivitySession(
                starts_at=starts, ends_at=starts + timedelta(minutes=d.duration_minutes)
            )
        )
    db.session.add(activity)
    db.session.flush()
    return activity


def call_open(activity: Activity, now: datetime | None = None) -> bool:
    if activity.cancelled_at is not None:
        return False
    today = today_local(org_tz(activity.organisation_id), now)
    first = to_local(activity.sessions[0].starts_at, org_tz(activity.organisation_id)).date()
    close = activity.applications_close or first
    return today <= close and today < first


def apply(
    activity: Activity,
    person: Person,
    actor: User | None,
    *,
    age: int | None,
    lives_alone: bool,
    income: IncomeBand,
    needs_ride: bool,
    wheelchair: bool = False,
    channel: Channel = Channel.SELF,
    now: datetime | None = None,
) -> Application:
    """Record an expression of interest. After the selection, a new one joins the
    waiting list in its rank among those waiting."""
    if person.organisation_id != activity.organisation_id or not (
        person.is_resident or person.is_neighbour
    ):
        raise FieldError("person", _("This person is not registered as a resident."))
    if not call_open(activity, now):
        raise FieldError("activity", _("Applications for this activity are closed."))
    if age is not None and not 0 < age < 130:
        raise FieldError("age", _("Give an age between 1 and 129."))
    existing = db.session.scalar(
        sa.select(Application).where(
            Application.activity_id == activity.id, Application.person_id == person.id
        )
    )
    if existing is not None and existing.status != A.WITHDRAWN:
        raise FieldError("person", _("%(name)s has already applied.", name=person.full_name))
    app = existing or Application(
        organisation_id=activity.organisation_id, activity=activity, person=person
    )
    app.applied_at = now or utcnow()
    app.channel = channel
    app.recorded_by_id = getattr(actor, "id", None) if channel == Channel.PHONE else None
    app.age, app.lives_alone, app.income = age, lives_alone, income
    app.needs_ride, app.wheelchair = needs_ride, wheelchair
    app.status, app.withdrawn_at = A.APPLIED, None
    db.session.add(app)
    db.session.flush()
    if activity.selected_at is not None:
        app.status = A.WAITING
        _rerank(activity)
        _tell(app, "activity_waiting")
    return app


def active(activity: Activity) -> list[Application]:
    return [a for a in activity.applications if a.status != A.WITHDRAWN]


def _rerank(activity: Activity) -> None:
    """Score and rank every active application; number the waiting list by rank."""
    position = 0
    for n, r in enumerate(rank(activity, active(activity)), start=1):
        r.application.score, r.application.rank = r.score, n
        r.application.reasons = r.reasons
        if r.application.status == A.WAITING:
            position += 1
            r.application.waiting_position = position
        else:
            r.application.waiting_position = None
    db.session.flush()


def select(activity: Activity, now: datetime | None = None) -> list[Application]:
    """Rank the applications; the first ``capacity`` are selected, the rest wait.
    Everyone is told. Done once: afterwards drop-outs move the waiting list up."""
    if activity.selected_at is not None:
        raise FieldError("activity", _("The selection has already been made."))
    apps = active(activity)
    if not apps:
        raise FieldError("activity", _("Nobody has applied yet."))
    for n, r in enumerate(rank(activity, apps)):
        r.application.status = A.SELECTED if n < activity.capacity else A.WAITING
    activity.selected_at = now or utcnow()
    _rerank(activity)
    for app in apps:
        _tell(app, "activity_selected" if app.status == A.SELECTED else "activity_waiting")
    return [a for a in apps if a.status == A.SELECTED]


def withdraw(
    app: Application, actor: User | None, now: datetime | None = None
) -> Application | None:
    """The person drops out; if they held a place, the first on the waiting list takes
    it and is told. Their rides are cancelled. Returns who moved up, if anyone."""
    if app.status == A.WITHDRAWN:
        return None
    held = app.status == A.SELECTED
    app.status, app.withdrawn_at = A.WITHDRAWN, now or utcnow()
    app.waiting_position, app.rank = None, None
    for ride in app.rides:
        if ride.request.status != RequestStatus.CANCELLED:
            cancel_request(ride.request, actor, "dropped out of the activity")
    db.session.flush()
    moved = None
    activity = app.activity
    if held:
        waiting = sorted(
            (a for a in activity.applications if a.status == A.WAITING),
            key=lambda a: a.waiting_position or 0,
        )
        if waiting:
            moved = waiting[0]
            moved.status = A.SELECTED
            _tell(moved, "activity_place_freed")
            # Rides already asked for the others: ask for theirs too (a coordinator's
            # action; a resident dropping out online leaves it to the next "Ask for rides").
            asked = any(
                r.request.status != RequestStatus.CANCELLED
                for x in activity.applications
                for r in x.rides
            )
            if asked and actor is not None and is_coordinator(actor):
                request_rides(activity, actor, only=[moved])
    _rerank(activity)
    return moved


def _tell(app: Application, kind: str) -> None:
    activity = app.activity
    first = activity.sessions[0]
    enqueue(
        app.person,
        kind,
        {
            "title": activity.title,
            "place": activity.place_name,
            "address": activity.address,
            "starts_at": first.starts_at,
            "sessions": len(activity.sessions),
            "position": app.waiting_position,
            "needs_ride": app.needs_ride,
        },
        dedupe_key=f"{kind}:{app.id}:{app.applied_at.isoformat()}:{app.status.value}",
    )


def record_attendance(session: ActivitySession, present_ids: set[int]) -> int:
    """Mark every selected participant present or absent for ``session``."""
    if session.starts_at > utcnow():
        raise FieldError("session", _("Attendance is recorded once the meeting has started."))
    rows = {
        a.application_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.session_id == session.id)
        )
    }
    n = 0
    for app in session.activity.applications:
        if app.status != A.SELECTED:
            continue
        row = rows.get(app.id) or Attendance(session_id=session.id, application_id=app.id)
        row.present = app.id in present_ids
        row.recorded_at = utcnow()
        db.session.add(row)
        n += 1
    db.session.flush()
    return n


def add_helper(activity: Activity, person: Person) -> ActivityHelper:
    if not person.is_volunteer or person.organisation_id != activity.organisation_id:
        raise FieldError("person", _("Only volunteers can help at activities."))
    if any(h.person_id == person.id for h in activity.helpers):
        raise FieldError("person", _("You are already helping at this activity."))
    if len(activity.helpers) >= activity.helpers_needed:
        raise FieldError("person", _("This activity has all the helpers it needs."))
    if activity.cancelled_at is not None or activity.sessions[-1].ends_at <= utcnow():
        raise FieldError("activity", _("This activity is over."))
    helper = ActivityHelper(activity=activity, person=person)
    db.session.add(helper)
    db.session.flush()
    return helper


def remove_helper(activity: Activity, person: Person) -> bool:
    for h in list(activity.helpers):
        if h.person_id == person.id:
            activity.helpers.remove(h)
            db.session.flush()
            return True
    return False


def survey_due_on(activity: Activity) -> date:
    """The day the follow-up survey is due: ``survey_months`` after the last meeting."""
    last = to_local(activity.sessions[-1].starts_at, org_tz(activity.organisation_id)).date()
    month = last.month - 1 + activity.survey_months
    year, month = last.year + month // 12, month % 12 + 1
    return date(year, month, min(last.day, calendar.monthrange(year, month)[1]))


def complete_survey(activity: Activity, note: str, now: datetime | None = None) -> None:
    if not note.strip():
        raise FieldError("note", _("Write what the survey found."))
    activity.survey_done_at = now or utcnow()
    activity.survey_note = note.strip()
    db.session.flush()


def request_rides(
    activity: Activity,
    actor: User | None,
    only: list[Application] | None = None,
    now: datetime | None = None,
) -> int:
    """A ride there and back, for every future meeting, for each selected participant who
    needs one (skipping rides already asked for). Rides to activities are social
    outings; the booking notice is overridden with the reason recorded."""
    now = now or utcnow()
    tz = org_tz(activity.organisation_id)
    made = 0
    apps = only if only is not None else [a for a in activity.applications]
    for app in apps:
        if app.status != A.SELECTED or not app.needs_ride:
            continue
        have = {r.session_id for r in app.rides if r.request.status != RequestStatus.CANCELLED}
        for session in activity.sessions:
            if session.id in have or session.starts_at <= now:
                continue
            start = to_local(session.starts_at, tz)
            draft = Draft(
                kind=RequestKind.RIDE,
                start_date=start.date(),
                destination_name=activity.place_name,
                destination_address=activity.address,
                destination_lat=activity.lat,
                destination_lon=activity.lon,
                purpose=RidePurpose.SOCIAL,
                appointment_time=start.time(),
                return_wanted=True,
                stay_minutes=activity.duration_minutes,
                wheelchair=app.wheelchair,
                notes=activity.title,
                override_reason=_("Ride to the activity %(title)s", title=activity.title),
            )
            req = create_request(app.person, draft, actor, now)
            db.session.add(ActivityRide(application=app, session=session, request=req))
            made += 1
    db.session.flush()
    return made


def explain(app: Application) -> dict[str, Any]:
    """What the page shows next to a person: rank, score, criteria and order."""
    return {"rank": app.rank, "score": app.score, "reasons": app.reasons or []}
