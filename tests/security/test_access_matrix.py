"""The access matrix, generated from the route table: every route x every role x the
role's own organisation and another one, each request with a valid CSRF token.

What each route needs is read from the route table itself: the predicate that
``permissions.require`` wraps a view in (``view.required``), Flask-Login's
``login_required``, or the short list below of routes that check for themselves (the
JSON API, token links, public pages). A new route is in the matrix the day it is added;
one that fits none of these fails the test until it is placed.

For each request:
- anonymous on a guarded route: the login page (the API: 401);
- a role the predicate refuses: 403 (a valid CSRF token was sent, so this cannot be the
  400 of a missing token);
- a role it allows, with another organisation's ids: 404 (their existence is not told);
- a role it allows, with its own organisation's ids: never 401, 404 for another role's
  object is allowed only where the object belongs to someone else, never 500, never
  the login page;
- and for every answer: no resident's details reach anyone who should not see them
  (the health note only their coordinators; the address and phone only their
  coordinators, themselves and the volunteer booked for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask_login import login_required

from tests.activities.builders import make_activity
from tests.factories import (
    PASSWORD,
    make_coordinator,
    make_org,
    make_person,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_from
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

ROLES = [
    "anonymous",
    "resident",
    "volunteer",
    "neighbour",
    "applicant",  # a volunteer awaiting approval (the nearest thing to a referrer here)
    "suspended",  # a suspended volunteer
    "coordinator",
    "observer",  # a council member or partner: the observatory and nothing else
    "admin",
]

# Routes that decide access themselves (every other one must be guarded by
# permissions.require or login_required).
PUBLIC = {
    "core.home",
    "core.healthz",
    "core.set_language",
    "static",
    "auth.login",
    "auth.login_code",
    "auth.forgot_password",
    "auth.reset_password",
    "people.signup",
    "people.signup_done",
    "people.join_volunteer",
    "people.join_neighbour",
    "people.join_resident",
    "timebank_api.openapi",
    "shifts.feed",  # its secret token is the key
    "referrals.start",  # "worried about someone?": anyone, no login
    "referrals.refer",
    "referrals.thanks",
    "referrals.status",  # the referrer's private link: its token is the key
}
API = {"timebank_api.balance", "timebank_api.statement", "timebank_api.donations"}
# Logging out ends the session the loop uses: it goes last.
LAST = "auth.logout"

HEALTH = "HEALTH-NOTE-{org}"
ADDRESS = "Via Riservata {org}"
PHONE = "+39 0865 55501{org}"


@dataclass
class Org:
    org: Any
    users: dict[str, Any]
    ids: dict[str, Any]


def _build_org(tag: str) -> Org:
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
        },
    )


@pytest.fixture
def world(db_session):  # type: ignore[no-untyped-def]
    own, other = _build_org("A"), _build_org("B")
    own.users["admin"] = make_user(None, Role.ADMIN, email="admin@matrix.example")
    db.session.commit()
    return own, other


PERSON_IS_VOLUNTEER = {
    "shifts.runsheet",
    "people.change_status",
    "people.record_credential",
    "people.edit_volunteer",
}


def _values(rule: Any, ids: dict[str, Any], role: str) -> dict[str, Any]:
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


OBJECT_ARGS = {
    "person_id",
    "shift_id",
    "request_id",
    "run_id",
    "message_id",
    "checkin_id",
    "alert_id",
    "referral_id",
    "prescription_id",
    "token_id",
    "activity_id",
    "application_id",
    "session_id",
}


def _guard(app: Flask, endpoint: str) -> Any:
    view = app.view_functions[endpoint]
    if endpoint in PUBLIC:
        return "public"
    if endpoint in API:
        return "api"
    if "required" in view.__dict__:
        return view.__dict__["required"]
    if view.__code__ is login_required(lambda: None).__code__:
        return "logged_in"
    raise AssertionError(f"{endpoint}: guarded by nothing the matrix knows; place it")


# A person's own export (GDPR Art. 15) holds everything about them, their health note
# included: the one place a resident reads it.
OWN_EXPORT = {"privacy.my_export"}


def _may_see(role: str, tag: str, own_tag: str, marker: str, endpoint: str = "") -> bool:
    """Who may read a resident's health note / address of organisation ``tag``."""
    if tag != own_tag:
        return False
    if marker == "health":
        return role == "coordinator" or (role == "resident" and endpoint in OWN_EXPORT)
    return role in ("coordinator", "resident", "volunteer")


def _requests(app: Flask) -> list[tuple[Any, str]]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == LAST, r.rule))
    return [
        (rule, method) for rule in rules for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role_in_both_organisations(app, client, world, role):
    own, other = world
    user = own.users.get(role)
    logged_in = False
    if user is not None:
        html = client.get("/login").get_data(as_text=True)
        resp = client.post(
            "/login",
            data={"csrf_token": csrf_from(html), "email": user.email, "password": PASSWORD},
        )
        logged_in = resp.status_code == 302
        assert logged_in == (role != "suspended"), (role, resp.status_code)
    token = csrf_from(client.get("/login", follow_redirects=True).get_data(as_text=True))
    problems: list[str] = []
    for rule, method in _requests(app):
        guard = _guard(app, rule.endpoint)
        if logged_in and guard not in ("public", "api", "logged_in"):
            allowed = bool(guard(user))
        elif guard == "api":
            allowed = logged_in and user.role == Role.MEMBER and user.person is not None
        else:
            allowed = guard == "public" or (guard == "logged_in" and logged_in)
        variants = [("A", own.ids)]
        if OBJECT_ARGS & set(rule.arguments) or "org_slug" in rule.arguments:
            variants.append(("B", other.ids))
        for tag, ids in variants:
            url = rule.build(_values(rule, ids, role), append_unknown=False)[1]
            data = {"csrf_token": token} if method == "POST" else None
            headers = {"X-CSRFToken": token} if rule.endpoint in API else None
            if rule.endpoint == "timebank_api.donations":
                resp = client.post(
                    url, json={"id": "m", "to": "chest", "minutes": 1}, headers=headers
                )
            else:
                resp = client.open(url, method=method, data=data, headers=headers)
            status = resp.status_code
            to_login = status == 302 and "/login" in (resp.location or "")
            where = f"{role} {method} {url} ({rule.endpoint}, org {tag}) -> {status}"
            if rule.endpoint == LAST and logged_in:
                ok = status == 302  # logged out, back to the login page
            elif guard == "public":
                ok = status < 500
            elif not logged_in:
                ok = status == 401 if guard == "api" else to_login
            elif not allowed:
                ok = status == 403
            elif tag == "B" and OBJECT_ARGS & set(rule.arguments):
                ok = status == 404
            else:
                ok = status not in (401, 500) and not to_login
            if not ok:
                problems.append(where)
            body = resp.get_data().decode("utf-8", "replace")  # downloads: XLSX, PDF
            resp.close()
            for org_tag in ("A", "B"):
                for marker, text in (("health", HEALTH), ("address", ADDRESS)):
                    if text.format(org=org_tag) in body and not _may_see(
                        role, org_tag, "A", marker, rule.endpoint
                    ):
                        problems.append(f"LEAK {marker} of org {org_tag}: {where}")
            if rule.endpoint == LAST:
                logged_in = False
    assert problems == []


OBSERVER_MAY = {
    "observatory.index",
    "observatory.export_csv",
    "observatory.export_xlsx",
    "observatory.report_pdf",
}


def test_the_observer_sees_the_observatory_and_nothing_else(app):
    """Of every route guarded by a role, the observer passes only the observatory's
    (the rest they may use are their own login's: password, second factor, inbox)."""
    observer = type(
        "U",
        (),
        {
            "is_authenticated": True,
            "role": Role.OBSERVER,
            "organisation_id": 1,
            "person": None,
            "person_id": None,
        },
    )()
    passes = set()
    for endpoint in app.view_functions:
        guard = _guard(app, endpoint)
        if callable(guard) and guard(observer):
            passes.add(endpoint)
    assert passes == OBSERVER_MAY


def test_the_matrix_covers_every_route(app):
    """Each route is reached by the loop above (none left out by a filter)."""
    endpoints = {rule.endpoint for rule, _method in _requests(app)}
    assert endpoints == set(app.view_functions)
    for endpoint in endpoints:
        _guard(app, endpoint)  # placed: public, API, a predicate or login_required
