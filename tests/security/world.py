"""The two organisations of the access matrix (test_access_matrix.py) and the fuzzers
(test_fuzz_forms.py): every role, one of each object, and the URL values of a route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.activities.builders import make_activity
from tests.factories import (
    make_coordinator,
    make_org,
    make_person,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.activities import operations as ops_activities
from webapp.activities.models import IncomeBand
from webapp.auth.models import Role
from webapp.db import utcnow
from webapp.desk.models import Alert, AlertReason
from webapp.extensions import db
from webapp.matchrun.models import MatchRun, RunScope, RunStatus
from webapp.notifications.models import Channel, Notification
from webapp.people import vetting
from webapp.people.models import ResidentProfile, VolunteerStatus
from webapp.referrals import operations as referral_ops
from webapp.referrals.models import Channel as ReferralChannel
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import CalendarToken, CheckIn
from webapp.timebank.tokens import create_token

HEALTH = "HEALTH-NOTE-{org}"
ADDRESS = "Via Riservata {org}"
PHONE = "+39 0865 55501{org}"


@dataclass
class Org:
    org: Any
    users: dict[str, Any]
    ids: dict[str, Any]


def build_org(tag: str) -> Org:
    org = make_org(f"Comune {tag}")
    coordinator = make_coordinator(org, email=f"coord-{tag.lower()}@matrix.example")
    resident = make_resident(
        org, first_name=f"Res{tag}", address=ADDRESS.format(org=tag), phone=PHONE.format(org=tag)
    )
    resident.resident.health_notes = HEALTH.format(org=tag)
    resident_user = make_user(org, person=resident, email=f"res-{tag.lower()}@matrix.example")
    volunteer = make_volunteer(org, first_name=f"Vol{tag}")
    neighbour = make_volunteer(org, first_name=f"Nb{tag}", is_neighbour=True)
    neighbour.is_volunteer = False
    neighbour.resident = ResidentProfile(wants_visits=True)
    applicant = make_volunteer(org, first_name=f"App{tag}", status=VolunteerStatus.PENDING)
    suspended = make_volunteer(org, first_name=f"Sus{tag}")
    request = make_request(org, visit_draft(in_days(6)), resident=resident, actor=coordinator)
    shift = shifts_of(request)[0]
    shift_ops.assign(shift, volunteer, coordinator)
    vetting.change_status(suspended, "suspend", coordinator, "matrix", today=date.today())
    db.session.add(CalendarToken(person_id=volunteer.id, token=f"feed-{tag}"))
    checkin = CheckIn(
        organisation_id=org.id,
        shift_id=shift.id,
        volunteer_id=volunteer.id,
        mood="ok",
        worried=True,
        note="fine",
    )
    db.session.add(checkin)
    db.session.flush()
    alert = Alert(
        organisation_id=org.id,
        person_id=resident.id,
        checkin_id=checkin.id,
        reason=AlertReason.WORRIED,
        note="fine",
        due_at=utcnow() + timedelta(hours=4),
    )
    db.session.add(alert)
    phone_only = make_person(org, is_resident=True, email=None)
    message = Notification(
        organisation_id=org.id,
        person_id=phone_only.id,
        channel=Channel.PHONE,
        kind="resident_reminder",
        locale="en",
        subject="s",
        body="b",
    )
    db.session.add(message)
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    run = MatchRun(
        organisation_id=org.id,
        created_by_id=coordinator.id,
        scope=RunScope.VISITS,
        date_from=monday,
        date_to=monday + timedelta(days=6),
        status=RunStatus.DONE,
        results={},
        params={"pins": {}},
        decisions={},
    )
    db.session.add(run)
    activity = make_activity(org, helpers_needed=2)
    application = ops_activities.apply(
        activity, resident, None, age=80, lives_alone=True, income=IncomeBand.LOW,
        needs_ride=False,
    )  # fmt: skip
    referral = referral_ops.submit(
        org.id,
        {"subject_name": f"Ref{tag} Person", "subject_phone": "0865 777777",
         "referrer_name": "A neighbour", "referrer_contact": "n@example.org",
         "source_kind": "neighbour", "consent": "agreed", "agree": True},
        channel=ReferralChannel.ONLINE,
    )  # fmt: skip
    prescription = referral_ops.prescribe(
        resident, referral_ops.add_activity(org.id, {"name": f"Cafe {tag}"}), coordinator
    )
    users = {
        "resident": resident_user,
        "volunteer": volunteer.user,
        "neighbour": neighbour.user,
        "applicant": applicant.user,
        "suspended": suspended.user,
        "coordinator": coordinator,
        "observer": make_user(org, Role.OBSERVER, email=f"obs-{tag.lower()}@matrix.example"),
    }
    tokens = {
        role: create_token(user, "matrix")[0].id
        for role, user in users.items()
        if user.role == Role.MEMBER
    }
    db.session.flush()
    return Org(
        org,
        users,
        {
            "slug": org.slug,
            "resident": resident.id,
            "volunteer": volunteer.id,
            "shift": shift.id,
            "request": request.id,
            "run": run.id,
            "message": message.id,
            "checkin": checkin.id,
            "alert": alert.id,
            "referral": referral.id,
            "prescription": prescription.id,
            "tokens": tokens,
            "feed": f"feed-{tag}",
            "activity": activity.id,
            "application": application.id,
            "session": activity.sessions[0].id,
            "observer": users["observer"].id,
        },
    )


PERSON_IS_VOLUNTEER = {
    "shifts.runsheet",
    "people.change_status",
    "people.record_credential",
    "people.edit_volunteer",
}


def route_values(rule: Any, ids: dict[str, Any], role: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for arg in rule.arguments:
        if rule.defaults and arg in rule.defaults:
            continue
        if arg == "person_id":
            values[arg] = ids["volunteer" if rule.endpoint in PERSON_IS_VOLUNTEER else "resident"]
        elif arg == "shift_id":
            values[arg] = ids["shift"]
        elif arg == "request_id":
            values[arg] = ids["request"]
        elif arg == "run_id":
            values[arg] = ids["run"]
        elif arg == "message_id":
            values[arg] = ids["message"]
        elif arg == "checkin_id":
            values[arg] = ids["checkin"]
        elif arg == "alert_id":
            values[arg] = ids["alert"]
        elif arg == "activity_id":
            values[arg] = ids["activity"]
        elif arg == "application_id":
            values[arg] = ids["application"]
        elif arg == "session_id":
            values[arg] = ids["session"]
        elif arg == "referral_id":
            values[arg] = ids["referral"]
        elif arg == "prescription_id":
            values[arg] = ids["prescription"]
        elif arg == "user_id":
            values[arg] = ids["observer"]
        elif arg == "role":
            values[arg] = "resident"
        elif arg == "token_id":
            values[arg] = ids["tokens"].get(role, min(ids["tokens"].values()))
        elif arg == "token":
            # The feed's secret is the volunteer's own: nobody else holds it.
            feed = rule.endpoint == "shifts.feed" and role == "volunteer"
            values[arg] = ids["feed"] if feed else "not-a-token"
        elif arg == "org_slug":
            values[arg] = ids["slug"]
        elif arg == "kind":
            values[arg] = "volunteer"
        elif arg == "filename":
            values[arg] = "css/ponte.css"
        elif arg == "fmt":
            values[arg] = "json"
        else:
            raise AssertionError(f"the matrix does not know the argument {arg} of {rule}")
    return values
