"""The call for expressions of interest: ranked by criteria then order of application,
explained, a waiting list that moves up (the person told), sign-up on the phone,
attendance, helpers and the follow-up survey due on the desk."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.activities.builders import applicant, make_activity
from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from webapp.activities import operations as ops
from webapp.activities.models import ApplicationStatus, Channel, IncomeBand
from webapp.activities.queries import helper_items, surveys_due
from webapp.activities.selection import reason_labels
from webapp.core.errors import FieldError
from webapp.db import utcnow
from webapp.desk.queries import todo
from webapp.extensions import db
from webapp.notifications.models import Notification

A = ApplicationStatus


def _kinds(person) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(sa.select(Notification.kind).where(Notification.person_id == person.id))
    )


def test_criteria_first_then_order_of_application(db_session):
    org = make_org()
    act = make_activity(org, capacity=2)
    t0 = utcnow()
    early = applicant(org, act, age=70)  # no criterion, first to apply
    alone = applicant(org, act, age=70, alone=True)  # 3 points
    old_far = applicant(org, act, age=82, hood="Castelromano")  # 3 + 2 points
    late_alone = applicant(org, act, age=60, alone=True)  # 3 points, after `alone`
    for n, app in enumerate([early, alone, old_far, late_alone]):
        app.applied_at = t0 + timedelta(minutes=n)
    chosen = ops.select(act)
    assert [a.id for a in chosen] == sorted([old_far.id, alone.id])
    assert (old_far.rank, old_far.score, old_far.reasons) == (1, 5, ["age", "outlying"])
    assert (alone.rank, late_alone.rank, early.rank) == (2, 3, 4)
    assert late_alone.status == A.WAITING and late_alone.waiting_position == 1
    assert early.waiting_position == 2
    # The page's words: each criterion with its points.
    assert reason_labels(act, old_far.reasons) == [
        "aged 75 or more (+3)",
        "lives in an outlying neighbourhood (+2)",
    ]
    assert _kinds(old_far.person) == ["activity_selected"]
    assert _kinds(early.person) == ["activity_waiting"]


def test_weights_are_the_activitys_own(db_session):
    org = make_org()
    act = make_activity(org, capacity=1, weights={"age": 0, "alone": 1, "income": 5, "outlying": 0})
    alone = applicant(org, act, alone=True, age=90)
    poor = applicant(org, act, income=IncomeBand.LOW)
    ops.select(act)
    assert poor.status == A.SELECTED and poor.score == 5
    assert alone.status == A.WAITING and alone.score == 1


def test_a_drop_out_moves_the_first_waiting_up_and_tells_them(db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    act = make_activity(org, capacity=1)
    first = applicant(org, act, alone=True)
    second = applicant(org, act, age=80)
    third = applicant(org, act)
    ops.select(act)
    assert (second.waiting_position, third.waiting_position) == (1, 2)
    moved = ops.withdraw(first, coordinator)
    assert moved is second and second.status == A.SELECTED
    assert first.status == A.WITHDRAWN and first.rank is None
    assert third.waiting_position == 1
    assert "activity_place_freed" in _kinds(second.person)
    # Someone waiting drops out: nobody moves up.
    assert ops.withdraw(third, None) is None


def test_a_late_application_joins_the_waiting_list_in_rank(db_session):
    org = make_org()
    act = make_activity(org, capacity=1)
    applicant(org, act, alone=True)
    plain = applicant(org, act)
    ops.select(act)
    late = applicant(org, act, age=90, alone=True)
    assert late.status == A.WAITING
    assert (late.waiting_position, plain.waiting_position) == (1, 2)


def test_the_selection_is_made_once_and_refuses_nonsense(db_session):
    org = make_org()
    act = make_activity(org)
    with pytest.raises(FieldError) as err:
        ops.select(act)
    assert err.value.field == "activity"
    app = applicant(org, act)
    with pytest.raises(FieldError):
        ops.apply(act, app.person, None, age=70, lives_alone=False,
                  income=IncomeBand.UNKNOWN, needs_ride=False)  # fmt: skip
    with pytest.raises(FieldError) as err:
        applicant(org, act, age=300)
    assert err.value.field == "age"
    ops.select(act)
    with pytest.raises(FieldError):
        ops.select(act)


def test_activity_rules_name_their_field(db_session):
    org = make_org()
    for kw, field in [
        ({"capacity": 0}, "capacity"),
        ({"title": " "}, "title"),
        ({"days": -1}, "first_day"),
        ({"address": "Nowhere street 99, Atlantis"}, "address"),
        ({"sessions": 0}, "sessions"),
        ({"applications_close": date.today() - timedelta(days=1)}, "applications_close"),
        ({"applications_close": date.today() + timedelta(days=30)}, "applications_close"),
    ]:
        with pytest.raises(FieldError) as err:
            make_activity(org, **kw)
        assert err.value.field == field, kw


def test_a_series_has_dated_meetings(db_session):
    org = make_org()
    act = make_activity(org, sessions=4, every_days=14)
    days = [s.starts_at.date() for s in act.sessions]
    gaps = [b - a for a, b in zip(days, days[1:], strict=False)]
    assert len(days) == 4 and gaps == [timedelta(days=14)] * 3


def test_sign_up_on_the_phone_records_who_took_it(db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    act = make_activity(org)
    person = make_resident(org)
    app = ops.apply(act, person, coordinator, age=77, lives_alone=True,
                    income=IncomeBand.LOW, needs_ride=True, channel=Channel.PHONE)  # fmt: skip
    assert app.channel == Channel.PHONE and app.recorded_by_id == coordinator.id


def test_closed_call_refuses(db_session):
    org = make_org()
    act = make_activity(org, applications_close=date.today() + timedelta(days=1))
    later = datetime.now().astimezone() + timedelta(days=3)
    with pytest.raises(FieldError) as err:
        ops.apply(act, make_resident(org), None, age=70, lives_alone=False,
                  income=IncomeBand.UNKNOWN, needs_ride=False, now=later)  # fmt: skip
    assert err.value.field == "activity"


def test_attendance_and_the_survey_due_on_the_desk(db_session):
    org = make_org()
    act = make_activity(org, capacity=2, survey_months=3)
    came, missed = applicant(org, act), applicant(org, act)
    ops.select(act)
    session = act.sessions[0]
    with pytest.raises(FieldError):
        ops.record_attendance(session, {came.id})  # not started yet
    # The day has passed (moved back for the test).
    session.starts_at -= timedelta(days=20)
    session.ends_at -= timedelta(days=20)
    assert ops.record_attendance(session, {came.id}) == 2
    assert {a.id: a.attendance[0].present for a in (came, missed)} == {
        came.id: True,
        missed.id: False,
    }
    due = ops.survey_due_on(act)
    assert due.month == (session.starts_at.month + 2) % 12 + 1
    assert surveys_due(org.id, due - timedelta(days=1)) == []
    assert surveys_due(org.id, due) == [(act, due)]
    assert todo(org.id, due).surveys == [(act, due)]
    ops.complete_survey(act, "Two now meet weekly at the café.")
    assert surveys_due(org.id, due) == []


def test_volunteers_sign_up_as_helpers_from_the_board(db_session, app):
    org = make_org()
    act = make_activity(org, helpers_needed=1)
    ana, bo = make_volunteer(org), make_volunteer(org)
    with app.test_request_context():
        items = helper_items(ana)
        assert [i.key for i in items] == [f"activity-{act.id}"]
        ops.add_helper(act, ana)
        assert helper_items(bo) == []  # full
        assert "stop-helping" in helper_items(ana)[0].action_url
    with pytest.raises(FieldError):
        ops.add_helper(act, bo)
    assert ops.remove_helper(act, ana) is True
    with pytest.raises(FieldError):
        ops.add_helper(act, make_resident(org))
