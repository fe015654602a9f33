"""The coordinator's desk: the to-do list, the case file, the contact log, alerts, duty,
the organisation profile and the grouped menu."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.desk.helpers import done_visit, login_as
from tests.factories import (
    make_coordinator,
    make_org,
    make_resident,
    make_user,
    make_volunteer,
)
from tests.helpers import messages_to, post_form
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.desk import operations as desk_ops
from webapp.desk.models import Alert, AlertReason, Contact, Outcome
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.people.models import Person
from webapp.shifts import operations as shift_ops
from webapp.shifts.models import ShiftStatus


def test_the_coordinators_home_is_the_desk_with_a_grouped_menu(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    login_as(client, coord)
    resp = client.get("/")
    assert resp.headers["Location"].endswith("/desk/")
    html = client.get("/desk/").get_data(as_text=True)
    assert "Who is calling?" in html and "Nothing is waiting" in html
    for group in ("People", "Requests and shifts", "Matching", "Time bank", "Settings"):
        assert 'class="nav-group-label" id="nav-' in html and f">{group}</span>" in html


def test_who_is_calling_opens_the_case_file_on_one_match(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    make_resident(org, first_name="Mario", last_name="Russo", phone="0865 999888")
    login_as(client, coord)
    resp = client.get("/desk/find?q=%2B39+0865+41+23+45")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/desk/people/{maria.id}")
    html = client.get("/desk/find?q=russo").get_data(as_text=True)
    assert "2 people found" in html and "Maria Russo" in html and "Mario Russo" in html
    fragment = client.get("/desk/find?q=russo&fragment=1").get_data(as_text=True)
    assert "<html" not in fragment and "Mario Russo" in fragment
    assert "A new caller?" in client.get("/desk/find?q=nobody+here").get_data(as_text=True)


def test_case_file_timeline_and_its_actions(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    maria.resident.guardian_name = "Lucia Russo"
    maria.resident.consent_given_at = utcnow() - timedelta(days=40)
    maria.resident.consent_method = "phone"
    shift, vol = done_visit(org, coord, resident=maria)
    shift_ops.check_in(
        shift,
        vol,
        vol.user,
        mood="good",
        resident_happy=True,
        worried=False,
        note="We played cards",
    )
    login_as(client, coord)
    html = client.get(f"/desk/people/{maria.id}").get_data(as_text=True)
    for text in (
        "Lucia Russo",
        "Home visits requested",
        "Check-in by Giulia Bianchi",
        "We played cards",
        "Consent given",
        "New ride",
        "Log a call",
    ):
        assert text in html, text
    assert f"/requests/new?resident={maria.id}&amp;kind=ride" in html
    form = client.get(f"/requests/new?resident={maria.id}&kind=ride").get_data(as_text=True)
    assert "Maria Russo" in form and '<option selected value="ride">' in form


def test_a_call_with_no_answer_stays_on_the_phone_list_until_reached(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    db.session.add(
        Notification(
            organisation_id=org.id,
            person_id=maria.id,
            channel=Channel.PHONE,
            kind="resident_reminder",
            locale="en",
            subject="Visit tomorrow",
            body="Giulia comes at 10:00.",
            event_at=utcnow() + timedelta(hours=20),
        )
    )
    db.session.flush()
    login_as(client, coord)
    assert "Maria Russo" in client.get("/desk/calls").get_data(as_text=True)
    resp = post_form(
        client,
        f"/desk/people/{maria.id}/calls",
        {"outcome": "no_answer", "direction": "out", "follow_up_time": "23:59", "back": "calls"},
        page="/desk/calls",
    )
    assert resp.status_code == 302
    html = client.get("/desk/calls").get_data(as_text=True)
    assert "Last: No answer" in html and "Call again" in html
    # Reached, with the message read out: off the list, message marked as told.
    post_form(
        client,
        f"/desk/people/{maria.id}/calls",
        {"outcome": "reached", "direction": "out", "told_messages": "y"},
        page="/desk/calls",
    )
    assert f'id="call-{maria.id}-h"' not in client.get("/desk/calls").get_data(as_text=True)
    message = db.session.scalar(sa.select(Notification).where(Notification.person_id == maria.id))
    assert message.status == Status.SENT
    contacts = db.session.scalars(sa.select(Contact).order_by(Contact.id)).all()
    assert [c.outcome for c in contacts] == [Outcome.NO_ANSWER, Outcome.REACHED]
    assert contacts[0].follow_up_done_at is not None  # the second call closed it


def test_bad_call_input_is_shown_next_to_the_field(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org)
    login_as(client, coord)
    page = f"/desk/people/{maria.id}"
    html = post_form(
        client, f"{page}/calls", {"outcome": "note", "direction": "out", "note": ""}, page=page
    ).get_data(as_text=True)
    assert "Write the note." in html
    html = post_form(
        client,
        f"{page}/calls",
        {
            "outcome": "busy",
            "direction": "out",
            "follow_up_date": "2001-01-01",
            "follow_up_time": "10:00",
        },
        page=page,
    ).get_data(as_text=True)
    assert "later than now" in html
    html = post_form(
        client, f"{page}/calls", {"outcome": "busy", "direction": "sideways"}, page=page
    ).get_data(as_text=True)
    assert "Not a valid choice" in html
    html = post_form(
        client, f"{page}/follow-up", {"follow_up_date": "not a date"}, page=page
    ).get_data(as_text=True)
    assert "Not a valid date value" in html
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_a_follow_up_date_puts_them_on_that_days_list(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    login_as(client, coord)
    tomorrow = in_days(1).isoformat()  # the organisation's tomorrow, not the machine's
    resp = post_form(
        client,
        f"/desk/people/{maria.id}/follow-up",
        {"follow_up_date": tomorrow, "follow_up_time": "10:00", "note": "After the hospital visit"},
        page=f"/desk/people/{maria.id}",
    )
    assert resp.status_code == 302
    calls = client.get("/desk/calls").get_data(as_text=True)
    assert f'id="call-{maria.id}-h"' not in calls  # not today
    (contact,) = db.session.scalars(sa.select(Contact)).all()
    assert contact.follow_up_at is not None and contact.note == "After the hospital visit"
    from webapp.desk.queries import calls_for

    later = calls_for(org.id, contact.follow_up_at.date())
    assert [c.person.id for c in later] == [maria.id]


@pytest.mark.parametrize(
    ("worried", "mood", "reason"),
    [
        (True, "ok", AlertReason.WORRIED),
        (False, "unwell", AlertReason.UNWELL),
        (False, "low", None),
    ],
)
def test_worry_or_unwell_raises_an_alert_for_the_coordinator_on_duty(
    client, db_session, worried, mood, reason
):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    other = make_coordinator(org)
    desk_ops.take_duty(coord)
    resident = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    shift, vol = done_visit(org, coord, resident=resident)
    login_as(client, vol.user)
    resp = post_form(
        client,
        f"/shifts/{shift.id}/checkin",
        {
            "mood": mood,
            "worried": "y" if worried else "",
            "note": "Has not eaten since Friday" if worried else "",
        },
    )
    assert resp.status_code == 302
    alerts = db.session.scalars(sa.select(Alert)).all()
    if reason is None:
        assert alerts == []
        return
    (alert,) = alerts
    assert (alert.reason, alert.owner_id, alert.person_id) == (reason, coord.id, resident.id)
    assert alert.due_at > alert.raised_at
    mail = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "alert_raised")
    ).all()
    assert [m.user_id for m in mail] == [coord.id]  # the one on duty, not every coordinator
    assert mail[0].channel == Channel.EMAIL and "0865 412345" in mail[0].body
    assert f"/desk/people/{resident.id}" in mail[0].body
    assert other.id not in [m.user_id for m in mail]


def test_with_nobody_on_duty_every_coordinator_is_told(db_session):
    org = make_org()
    a, b = make_coordinator(org), make_coordinator(org)
    shift, vol = done_visit(org, a, resident=make_resident(org))
    shift_ops.check_in(
        shift, vol, vol.user, mood="unwell", resident_happy=False, worried=False, note=None
    )
    mail = db.session.scalars(sa.select(Notification).where(Notification.kind == "alert_raised"))
    assert sorted(m.user_id for m in mail) == sorted([a.id, b.id])
    (alert,) = db.session.scalars(sa.select(Alert)).all()
    assert alert.owner_id is None


def test_handled_needs_an_outcome_and_closes_the_checkin_too(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, first_name="Maria", last_name="Russo")
    shift, vol = done_visit(org, coord, resident=resident)
    entry = shift_ops.check_in(
        shift, vol, vol.user, mood="low", resident_happy=False, worried=True, note="No heating"
    )
    (alert,) = db.session.scalars(sa.select(Alert)).all()
    login_as(client, coord)
    home = client.get("/desk/").get_data(as_text=True)
    assert "No heating" in home and "Maria Russo" in home and f"/desk/people/{resident.id}" in home
    resp = post_form(
        client,
        f"/desk/alerts/{alert.id}/handled",
        {"outcome": "  "},
        page="/desk/alerts",
        follow_redirects=True,
    )
    assert "Say what was done" in resp.get_data(as_text=True)
    assert alert.handled_at is None
    resp = post_form(
        client,
        f"/desk/alerts/{alert.id}/handled",
        {"outcome": "Called her son; heating fixed", "back": "home"},
        page="/desk/alerts",
    )
    assert resp.headers["Location"].endswith("/desk/")
    db.session.refresh(alert)
    db.session.refresh(entry)
    assert alert.outcome == "Called her son; heating fixed" and alert.handled_by_id == coord.id
    assert entry.handled_at is not None
    assert "No heating" not in client.get("/desk/alerts").get_data(as_text=True)
    assert "Called her son" in client.get(f"/desk/people/{resident.id}").get_data(as_text=True)


def test_the_to_do_list_counts_what_waits(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    req = make_request(org, visit_draft())
    (shift,) = shifts_of(req)
    far = make_request(org, visit_draft(utcnow().date() + timedelta(days=40)))
    (later,) = shifts_of(far)
    vol = make_volunteer(org)
    shift_ops.claim(later, vol, vol.user)
    login_as(client, coord)
    html = client.get("/desk/").get_data(as_text=True)
    assert "Waiting for your approval" in html and f"/shifts/{later.id}/manage" in html
    # The shift in 5 days is beyond the next 3: not yet among "without a volunteer".
    assert f"/shifts/{shift.id}/manage" not in html
    assert later.status == ShiftStatus.CLAIMED
    week = client.get(f"/shifts/week?start={shift.occurrence_date.isoformat()}")
    assert "(1 in all, from today on)" in week.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/desk/", "/desk/alerts", "/desk/calls", "/desk/find?q=a", "/organisation"]
)
def test_only_coordinators(client, db_session, url):  # type: ignore[no-untyped-def]
    org = make_org()
    member = make_volunteer(org)
    login_as(client, member.user)
    assert client.get(url).status_code == 403


def test_another_organisations_file_is_not_found(client, db_session):
    org, other = make_org(), make_org()
    coord = make_coordinator(org)
    stranger = make_resident(other)
    login_as(client, coord)
    assert client.get(f"/desk/people/{stranger.id}").status_code == 404
    resp = post_form(
        client,
        f"/desk/people/{stranger.id}/calls",
        {"outcome": "reached", "direction": "out"},
        page="/desk/",
    )
    assert resp.status_code == 404


def test_organisation_phone_is_shown_where_residents_are_told_to_call(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    user = make_user(org, person=resident, email="maria@example.org")
    login_as(client, coord)
    resp = post_form(
        client,
        "/organisation",
        {
            "phone": "0865 123456",
            "opening_hours": "Monday to Friday, 9:00-13:00",
            "address": "Piazza X 1",
        },
    )
    assert resp.status_code == 302
    post_form(client, "/logout", {}, page="/desk/")
    login_as(client, user)
    html = client.get("/requests/help").get_data(as_text=True)
    assert "call us on 0865 123456 (Monday to Friday, 9:00-13:00)" in html
    too_soon = (utcnow() + timedelta(days=1)).date().isoformat()  # inside the 2 days
    html = post_form(
        client, "/requests/help/visit", {"start_date": too_soon, "part_of_day": "morning"}
    ).get_data(as_text=True)
    assert "call us on 0865 123456" in html


def test_a_duplicate_is_caught_at_registration(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(
        org,
        first_name="Maria",
        last_name="Russo",
        phone="0865 412345",
        address="Corso Garibaldi 12, Isernia",
    )
    from tests.people.helpers import HOME, add_address

    add_address(org, HOME)
    login_as(client, coord)
    data = {
        "first_name": "Anna",
        "last_name": "Verdi",
        "phone": "+39 0865 41 23 45",
        "address": HOME,
        "wants_visits": "y",
        "consent": "y",
    }
    url = "/coordinator/residents/new"
    html = post_form(client, url, data).get_data(as_text=True)
    assert "This may be Maria Russo" in html and "same phone number" in html
    assert f"/desk/people/{maria.id}" in html
    count = db.session.scalar(sa.select(sa.func.count(Person.id)))
    assert count == 1  # nothing saved yet
    resp = post_form(client, url, {**data, "not_duplicate": "1"})
    assert resp.status_code == 302 and "/desk/people/" in resp.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 2
    assert "Read this out" in client.get(url).get_data(as_text=True)


def test_resident_picker_searches_without_javascript(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo", phone="0865 412345")
    login_as(client, coord)
    html = post_form(
        client,
        "/requests/new",
        {
            "resident_q": "412345",
            "find_resident": "1",
            "kind": "ride",
            "notes": "typed before the search",
        },
    ).get_data(as_text=True)
    assert f'id="resident-{maria.id}" value="{maria.id}" checked' in html
    assert "typed before the search" in html  # everything typed is kept
    html = post_form(
        client, "/requests/new", {"kind": "visit", "start_date": "2030-01-01"}, page="/requests/new"
    ).get_data(as_text=True)
    assert "Find and choose the resident." in html
    assert (
        client.get("/requests/new/residents?q=russo")
        .get_data(as_text=True)
        .count('name="resident"')
        == 1
    )
    assert messages_to(maria) == []


def test_ride_again_prefills_where_and_how_from_the_residents_last_ride(client, db_session):
    from tests.shifts.builders import ride_draft

    org = make_org()
    coord = make_coordinator(org)
    maria = make_resident(org, first_name="Maria", last_name="Russo")
    other = make_resident(org)
    earlier = make_request(org, ride_draft(destination_name="Ospedale Veneziale",
                                           stay_minutes=90, escort=True),
                           resident=maria, actor=coord)  # fmt: skip
    login_as(client, coord)
    html = client.get(f"/desk/people/{maria.id}").get_data(as_text=True)
    assert "Ride again to Ospedale Veneziale" in html
    form = client.get(
        f"/requests/new?resident={maria.id}&kind=ride&again={earlier.id}"
    ).get_data(as_text=True)
    assert 'value="Ospedale Veneziale"' in form and 'value="90"' in form
    assert _checked(form, "escort") and _checked(form, "return_wanted")
    assert not _checked(form, "wheelchair")
    # Someone else's ride is not a template for this resident.
    assert client.get(
        f"/requests/new?resident={other.id}&kind=ride&again={earlier.id}"
    ).status_code == 404
    # A new ride starts with the return ticked: most rides come back.
    fresh = client.get(f"/requests/new?resident={maria.id}&kind=ride").get_data(as_text=True)
    assert _checked(fresh, "return_wanted") and not _checked(fresh, "escort")


def _checked(html: str, field_id: str) -> bool:
    (tag,) = re.findall(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    return " checked" in tag


def test_the_assign_picker_of_a_long_list_can_be_searched(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    (shift,) = shifts_of(make_request(org, visit_draft(), actor=coord))
    for i in range(9):
        make_volunteer(org, first_name=f"Vol{i}", phone=f"333 000 00{i:02d}", with_user=False)
    login_as(client, coord)
    html = client.get(f"/shifts/{shift.id}/manage").get_data(as_text=True)
    assert 'data-filter="Find a volunteer"' in html
    assert 'data-search="333 000 0003 Centro storico"' in html
    assert "filter_select.js" in html
