"""Time-travel tests of the shift jobs against real requests, shifts and the time bank."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import make_coordinator, make_org, make_resident, make_volunteer
from tests.matchrun.workers import needs_postgres, queue_backend
from tests.shifts.builders import in_days, make_request, shifts_of, visit_draft
from webapp.core import taskqueue
from webapp.extensions import db
from webapp.matchrun import tasks as match_jobs
from webapp.notifications.models import Channel, Notification
from webapp.notifications.queries import people_to_phone
from webapp.requests import tasks as request_jobs
from webapp.shifts import operations as ops
from webapp.shifts import tasks as jobs
from webapp.shifts.models import ShiftStatus
from webapp.timebank import tasks as ledger_jobs
from webapp.timebank.models import Transfer

S = ShiftStatus
ROME = ZoneInfo("Europe/Rome")
SECRET = "Diabetic, insulin at noon; recent fall"


@pytest.fixture(autouse=True)
def _request_context(app):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        yield


def _msgs(kind: str | None = None, person_id: int | None = None) -> list[Notification]:
    q = sa.select(Notification).order_by(Notification.id)
    if kind:
        q = q.where(Notification.kind == kind)
    if person_id:
        q = q.where(Notification.person_id == person_id)
    return list(db.session.scalars(q))


def _local(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME).astimezone(UTC)


def _setup(days: int = 5, **resident_kw):  # type: ignore[no-untyped-def]
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org, first_name="Ida", last_name="Verdi", **resident_kw)
    resident.resident.health_notes = SECRET
    resident.resident.uses_walker = True
    req = make_request(org, visit_draft(in_days(days)), resident=resident, actor=coord)
    (shift,) = shifts_of(req)
    vol = make_volunteer(org, email="vol@example.org", first_name="Marco")
    return org, coord, resident, shift, vol


def _run(job, at: datetime) -> str:  # type: ignore[no-untyped-def]
    with time_machine.travel(at, tick=False):
        return job(datetime.now(UTC))


def test_volunteer_reminders_24h_and_2h_each_once(db_session):
    org, coord, resident, shift, vol = _setup()
    ops.assign(shift, vol, coord)
    start = shift.starts_at
    _run(jobs.run_volunteer_reminders, start - timedelta(hours=25))
    assert _msgs("volunteer_reminder") == []
    _run(jobs.run_volunteer_reminders, start - timedelta(hours=23, minutes=58))
    _run(jobs.run_volunteer_reminders, start - timedelta(hours=23, minutes=53))
    [first] = _msgs("volunteer_reminder")
    assert first.person_id == vol.id and first.subject == "Reminder: your visit tomorrow"
    assert "Ida Verdi" in first.body
    # Health and mobility never travel in a message (GDPR Art. 9).
    assert "walker" not in first.body and SECRET not in first.body
    _run(jobs.run_volunteer_reminders, start - timedelta(hours=1, minutes=58))
    _run(jobs.run_volunteer_reminders, start - timedelta(hours=1, minutes=53))
    reminders = _msgs("volunteer_reminder")
    assert [m.subject for m in reminders] == [
        "Reminder: your visit tomorrow", "Reminder: your visit in 2 hours"]
    assert all(SECRET not in m.body for m in reminders)


def test_booked_late_gets_only_the_nearer_reminder(db_session):
    org, coord, resident, shift, vol = _setup()
    start = shift.starts_at
    with time_machine.travel(start - timedelta(hours=3), tick=False):
        ops.assign(shift, vol, coord)
    _run(jobs.run_volunteer_reminders, start - timedelta(hours=1, minutes=58))
    assert [m.subject for m in _msgs("volunteer_reminder")] == ["Reminder: your visit in 2 hours"]


def test_resident_hears_the_day_before_who_is_coming(db_session):
    org, coord, resident, shift, vol = _setup(email="ida@example.org")
    ops.assign(shift, vol, coord)
    eve = shift.occurrence_date - timedelta(days=1)
    _run(jobs.run_resident_reminders, _local(eve, 16))
    assert _msgs("resident_reminder") == []
    _run(jobs.run_resident_reminders, _local(eve, 17))
    _run(jobs.run_resident_reminders, _local(eve, 17, 15))
    [msg] = _msgs("resident_reminder")
    assert msg.address == "ida@example.org" and msg.channel == Channel.EMAIL
    assert "10:00: visit" in msg.body and "Coming: Marco." in msg.body


def test_resident_without_email_is_on_the_phone_list_and_guardian_gets_a_copy(db_session):
    org, coord, resident, shift, vol = _setup(email=None)
    resident.resident.guardian_email = "figlio@example.org"
    eve = shift.occurrence_date - timedelta(days=1)
    _run(jobs.run_resident_reminders, _local(eve, 17))
    phone, copy = _msgs("resident_reminder")
    assert phone.channel == Channel.PHONE and copy.address == "figlio@example.org"
    assert "still looking for a volunteer" in phone.body
    assert "copy of the message for Ida Verdi" in copy.body
    calls = people_to_phone(org.id, eve)
    assert [c.person.id for c in calls] == [resident.id]
    assert people_to_phone(org.id, shift.occurrence_date + timedelta(days=1)) == []


def test_unconfirmed_volunteer_is_released_and_the_shift_reopened(db_session):
    org, coord, resident, shift, vol = _setup()
    keen = make_volunteer(org, email="keen@example.org")
    req2 = make_request(org, visit_draft(in_days(5), windows=[(in_days(5).weekday(), time(15),
                                                                   time(17))]),
                        resident=resident, actor=coord)
    (other,) = shifts_of(req2)
    ops.assign(shift, vol, coord)
    ops.assign(other, keen, coord)
    ops.confirm(other, keen, keen.user)
    _run(jobs.run_release_unconfirmed, shift.starts_at - timedelta(hours=49))
    assert shift.status == S.APPROVED
    _run(jobs.run_release_unconfirmed, shift.starts_at - timedelta(hours=47, minutes=55))
    assert shift.status == S.OPEN and shift.assignments == []
    assert other.status == S.CONFIRMED  # confirmed in time: untouched
    [told] = _msgs("shift_released", vol.id)
    assert "did not receive your confirmation in time" in told.body
    [alert] = _msgs("shift_reopened")
    assert alert.user_id == coord.id and vol.full_name in alert.subject


def test_escalation_invites_eligible_volunteers_and_alerts_once(db_session):
    from webapp.people.models import VolunteerStatus

    org, coord, resident, shift, vol = _setup(days=3)
    away = make_volunteer(org, email="away@example.org", status=VolunteerStatus.SUSPENDED)
    lapsed = make_volunteer(org, email="lapsed@example.org")
    for c in lapsed.credentials:
        c.expires_on = date.today()
    db.session.flush()
    morning = _local(date.today() + timedelta(days=1), 7)
    _run(jobs.run_escalate_unfilled, morning)
    _run(jobs.run_escalate_unfilled, morning + timedelta(minutes=10))
    invited = {m.person_id for m in _msgs("shift_invitation")}
    assert invited == {vol.id}
    assert away.id not in invited and lapsed.id not in invited
    [invite] = _msgs("shift_invitation")
    assert "Ida" in invite.body and "Verdi" not in invite.body  # not booked: less detail
    assert resident.phone not in invite.body and shift.start_address not in invite.body
    [alert] = _msgs("unfilled_alert")
    assert alert.user_id == coord.id and "1 volunteer invited" in alert.body
    # A booked shift is not escalated.
    ops.assign(shift, vol, coord)
    _run(jobs.run_escalate_unfilled, morning + timedelta(days=1))
    assert len(_msgs("unfilled_alert")) == 1


def test_auto_confirm_completes_pays_once_and_thanks(db_session):
    org, coord, resident, shift, vol = _setup()
    ops.assign(shift, vol, coord)
    _run(jobs.run_auto_confirm, shift.ends_at + timedelta(hours=47))
    assert shift.status == S.APPROVED
    _run(jobs.run_auto_confirm, shift.ends_at + timedelta(hours=48, minutes=5))
    _run(jobs.run_auto_confirm, shift.ends_at + timedelta(hours=48, minutes=20))
    assert shift.status == S.COMPLETED
    # The time bank credits the hours once.
    paid = list(db.session.scalars(sa.select(Transfer).where(Transfer.shift_id == shift.id)))
    assert [t.amount for t in paid] == [60]
    [thanks] = _msgs("shift_thanks", vol.id)
    assert "60 minutes" in thanks.body


def test_extend_horizon_job_creates_the_next_weeks_once(db_session):
    org = make_org()
    coord = make_coordinator(org)
    start = in_days(3)
    req = make_request(org, visit_draft(start, recurring=True,
                                        end_date=start + timedelta(weeks=20)), actor=coord)
    before = len(shifts_of(req))
    later = _local(date.today() + timedelta(weeks=3), 7)
    _run(request_jobs.run_extend_horizon, later)
    after = len(shifts_of(req))
    assert after > before
    _run(request_jobs.run_extend_horizon, later + timedelta(minutes=10))
    assert len(shifts_of(req)) == after


def test_ledger_audit_alerts_coordinators_on_a_difference(db_session):
    from webapp.timebank.accounts import account_for

    org, coord, resident, shift, vol = _setup()
    night = _local(date.today() + timedelta(days=1), 3)
    _run(ledger_jobs.run_ledger_audit, night)
    assert _msgs("ledger_audit_failed") == []
    account = account_for(vol)
    db.session.execute(sa.text("UPDATE timebank_account SET balance = 999 WHERE id = :i"),
                       {"i": account.id})
    db.session.expire_all()  # the job's own session would read it fresh
    _run(ledger_jobs.run_ledger_audit, night + timedelta(days=1))
    [alert] = _msgs("ledger_audit_failed")
    assert alert.user_id == coord.id and "999" in alert.body


def test_listener_writes_messages_in_the_same_transaction(db_session):
    org, coord, resident, shift, vol = _setup()
    db_session.commit()
    ops.assign(shift, vol, coord)
    [approved] = _msgs("shift_approved", vol.id)
    assert "please confirm" in approved.subject
    db_session.rollback()
    assert _msgs("shift_approved") == []


def test_no_message_to_a_volunteer_ever_holds_health_notes(db_session):
    org, coord, resident, shift, vol = _setup(days=2)
    _run(jobs.run_escalate_unfilled, _local(date.today() + timedelta(days=1), 7))
    ops.assign(shift, vol, coord)
    _run(jobs.run_volunteer_reminders, shift.starts_at - timedelta(hours=1))
    ops.withdraw(shift, vol, coord, "coordinator changed the plan")
    ops.assign(shift, vol, coord)
    _run(jobs.run_auto_confirm, shift.ends_at + timedelta(days=3))
    to_volunteer = _msgs(person_id=vol.id)
    assert {m.kind for m in to_volunteer} >= {
        "shift_invitation", "shift_approved", "volunteer_reminder", "shift_released",
        "shift_thanks"}
    for m in to_volunteer:
        assert SECRET not in m.body and SECRET not in m.subject
        assert "Diabetic" not in m.body


def test_propose_matches_uses_the_installed_matcher_and_tells_coordinators(
    db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "SCHEDULER_PROPOSER",
                        "tests.scheduler.greedy_proposer:propose_shifts")
    org, coord, resident, shift, vol = _setup(days=4)
    _run(match_jobs.run_propose_matches, _local(date.today() + timedelta(days=1), 7))
    _run(match_jobs.run_propose_matches, _local(date.today() + timedelta(days=1), 7, 15))
    assert shift.status == S.PROPOSED and shift.volunteer_ids == [vol.id]
    [alert] = _msgs("matches_proposed")
    assert alert.user_id == coord.id and "approve" in alert.subject
    assert _msgs("shift_approved") == []  # the volunteer hears only once approved


def test_a_proposer_setting_that_names_nothing_stops_the_job_with_its_name(
    db_session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "SCHEDULER_PROPOSER", "webapp.nothing_here:propose")
    with pytest.raises(RuntimeError, match="SCHEDULER_PROPOSER='webapp.nothing_here:propose'"):
        match_jobs.run_propose_matches(datetime.now(UTC))


def test_shifts_cancelled_inside_a_flush_still_tell_the_volunteer(db_session):
    """Erasing a resident cancels their future shifts from a before_flush hook: the
    message joins that flush (no nested flush) and says nothing about health."""
    org, coord, resident, shift, vol = _setup()
    ops.assign(shift, vol, coord)
    db.session.delete(resident)
    db.session.flush()
    [told] = _msgs("shift_cancelled", vol.id)
    assert "You do not need to go" in told.body and SECRET not in told.body


def test_propose_matches_runs_the_matcher_and_waits_for_approval(db_session, app, monkeypatch):
    from webapp.matchrun.models import MatchRun, RunStatus

    monkeypatch.setitem(app.config, "SCHEDULER_PROPOSER", "")
    monkeypatch.setitem(app.config, "MATCHRUN_TIME_LIMIT_S", 2.0)
    org, coord, resident, shift, vol = _setup(days=4)
    morning = _local(date.today() + timedelta(days=1), 7)
    summary = _run(match_jobs.run_propose_matches, morning)
    _run(match_jobs.run_propose_matches, morning + timedelta(minutes=10))
    [run] = db.session.scalars(sa.select(MatchRun).where(MatchRun.organisation_id == org.id))
    assert f"match run {run.id} queued" in summary and run.status == RunStatus.DONE
    assert shift.status == S.OPEN  # nothing happens to the shift before approval
    [alert] = _msgs("matches_proposed")
    assert alert.user_id == coord.id and alert.subject.startswith("1 volunteer proposed")


@needs_postgres
def test_propose_matches_on_the_task_queue_leaves_the_solve_to_a_worker(db_session, app,
                                                                         monkeypatch):
    """With the queue, the scheduler only queues; the worker's job solves and announces."""
    from webapp.matchrun.models import MatchRun, RunStatus
    from webapp.matchrun.queue import solve_job

    monkeypatch.setitem(app.config, "SCHEDULER_PROPOSER", "")
    monkeypatch.setitem(app.config, "MATCHRUN_TIME_LIMIT_S", 2.0)
    org, coord, resident, shift, vol = _setup(days=4)
    with queue_backend(app):
        _run(match_jobs.run_propose_matches, _local(date.today() + timedelta(days=1), 7))
        [run] = db.session.scalars(sa.select(MatchRun).where(MatchRun.organisation_id == org.id))
        assert run.status == RunStatus.QUEUED and _msgs("matches_proposed") == []
        [job] = taskqueue.web_app(app).job_manager.list_jobs(task="matchrun.solve")
        assert job.task_kwargs == {"run_id": run.id} and job.lock == f"matchrun:org{org.id}"
        assert job.id is not None and solve_job(run.id, job.id, 0) == "done"
    [alert] = _msgs("matches_proposed")
    assert alert.user_id == coord.id and alert.subject.startswith("1 volunteer proposed")


def test_auto_confirm_that_cannot_pay_alerts_coordinators_and_others_go_ahead(db_session):
    from webapp.timebank.accounts import chest, set_lower_limit

    org, coord, resident, shift, vol = _setup()
    other_resident = make_resident(org, first_name="Ugo")
    req2 = make_request(org, visit_draft(in_days(5), windows=[(in_days(5).weekday(), time(15),
                                                                   time(17))]),
                        resident=other_resident, actor=coord)
    (other,) = shifts_of(req2)
    ops.assign(shift, vol, coord)
    ops.assign(other, vol, coord)
    # Ida's shift cannot be paid: she has no minutes and the chest may not go below zero.
    from webapp.timebank.accounts import account_for

    set_lower_limit(account_for(resident), 0)
    set_lower_limit(chest(org.id), 0)
    _run(jobs.run_auto_confirm, other.ends_at + timedelta(hours=49))
    assert shift.status == S.APPROVED  # rolled back alone
    assert other.status == S.COMPLETED
    [alert] = _msgs("auto_confirm_failed")
    assert alert.user_id == coord.id and "Ida Verdi" in alert.body
