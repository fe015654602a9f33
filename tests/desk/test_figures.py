"""The desk home's figures (desk/figures.py): one statement whose counts follow the
lists' own rules, and a home that reads a list only when its count says it has rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from tests.desk.helpers import login_as
from tests.desk.waiting import fill_desk
from tests.factories import make_coordinator, make_org, make_volunteer
from tests.helpers import csrf_from
from tests.querycount import generic_plans, sending
from webapp.activities.queries import surveys_due
from webapp.core.dates import reader_date
from webapp.core.timeutil import today_local
from webapp.desk import operations
from webapp.desk.figures import OnDuty, figures
from webapp.desk.queries import calls_for, open_alerts
from webapp.extensions import db
from webapp.notifications.queries import outbox_problems
from webapp.orgs.models import OrganisationSettings
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus
from webapp.referrals.queries import add_months, queue, remeasure_before, remeasure_due
from webapp.shifts.outcomes import held_in


def test_remeasure_before_is_the_edge_of_the_months_rule():
    """Measured before the instant: due (``add_months(day measured, months) <= today``);
    from it on: not. Around every month's end, a leap year's February included."""
    for months in (1, 2, 3, 6, 12, 24):
        for k in range(450):
            today = date(2027, 12, 1) + timedelta(days=k)
            before = remeasure_before(today, months)
            for back in range(months * 28 - 5, months * 31 + 6):
                day = today - timedelta(days=back)
                due = add_months(day, months) <= today
                for moment in (time(0), time(23, 59, 59)):
                    assert due == (datetime.combine(day, moment, tzinfo=UTC) < before), (
                        today, months, day)  # fmt: skip


def test_the_figures_are_the_lengths_of_the_lists(db_session):
    org = make_org()
    coord = make_coordinator(org)
    # The organisation's day, as the desk counts it: in the hour before midnight in
    # Rome the server's date is still yesterday.
    today = today_local(org_tz(org.id))
    fill_desk(org, coord, 3, today)
    counted = figures(org.id, today)
    pending = db.session.scalar(
        sa.select(sa.func.count()).select_from(Person).join(VolunteerProfile)
        .where(Person.organisation_id == org.id,
               VolunteerProfile.status == VolunteerStatus.PENDING)
    )  # fmt: skip
    problems = outbox_problems(org.id)
    assert (counted.alerts, counted.referrals, counted.remeasures, counted.calls) == (
        len(open_alerts(org.id)), len(queue(org.id)), len(remeasure_due(org.id, today)),
        len(calls_for(org.id, today)))  # fmt: skip
    assert (counted.held, counted.awaiting_approval) == (len(held_in(org.id)), pending)
    assert (counted.not_sent, counted.failed) == (
        len(problems), sum(1 for m in problems if m.status.value == "failed"))  # fmt: skip
    assert counted.surveys_open >= len(surveys_due(org.id, today))
    # ... and the fixture puts what it means to on each list (none of it left out).
    assert (counted.alerts, counted.referrals, counted.remeasures, counted.calls) == (3, 6, 3, 6)
    assert (counted.held, counted.awaiting_approval, counted.failed) == (3, 3, 3)
    assert counted.not_sent >= 6  # (and the booking's own messages to the volunteers)
    assert len(surveys_due(org.id, today)) == 3
    assert counted.on_duty is None
    operations.take_duty(coord)
    assert figures(org.id, today).on_duty == OnDuty(coord.id, coord.email)
    coord.active = False
    db.session.flush()
    assert figures(org.id, today).on_duty is None  # as operations.on_duty


def test_the_home_shows_the_counts_and_the_first_rows(client, db_session):
    org = make_org()
    coord = make_coordinator(org)
    fill_desk(org, coord, 2)
    db.session.commit()
    login_as(client, coord)
    html = client.get("/desk/").get_data(as_text=True)
    for heading, count in (("Alerts", 2), ("Referrals to deal with", 4),
                           ("Loneliness to measure again", 2), ("To phone", 4),
                           ("Logged times to check before the hours are paid", 2),
                           ("Follow-up surveys due", 2)):  # fmt: skip
        assert f'{heading} <span class="count">{count}</span>' in html, heading
    assert "2 volunteers awaiting approval" in html
    assert "messages not sent" in html and "(2 failed)" in html
    assert "Rita0" in html and "Rita1" in html and "Lina0" not in html


def test_a_quiet_desk_reads_no_list(client, db_session, count_queries):
    org = make_org()
    coord = make_coordinator(org)
    settings_for(org.id)  # (the first view of a new organisation writes its settings)
    db.session.commit()
    login_as(client, coord)
    client.get("/desk/")  # warm (and the lists of shifts kept)
    with count_queries() as q:
        html = client.get("/desk/").get_data(as_text=True)
    assert "Nothing is waiting. A quiet day." in html
    # The login and the figures: the checks that may lapse are kept rendered under the
    # stamp the figures read (the lists of shifts too).
    assert len(q) == 2, q


def test_a_changed_re_measure_interval_counts_at_once(client, db_session):
    """The interval is remembered between views, and checked at each: a change made
    elsewhere (another worker) shows on the next view."""
    org = make_org()
    coord = make_coordinator(org)
    fill_desk(org, coord, 2)
    db.session.commit()
    login_as(client, coord)
    heading = 'Loneliness to measure again <span class="count">2</span>'
    assert heading in client.get("/desk/").get_data(as_text=True)  # measured 400 days ago
    db.session.execute(
        sa.update(OrganisationSettings)
        .where(OrganisationSettings.organisation_id == org.id)
        .values(remeasure_months=24)
    )
    db.session.commit()
    assert "Loneliness to measure again" not in client.get("/desk/").get_data(as_text=True)


def test_the_checks_are_worded_in_the_readers_language(client, db_session):
    """The rows' words are translated once per list (desk/wording.py): still each row's
    own check and day, in English and in Italian."""
    org = make_org()
    coord = make_coordinator(org)
    lapsed = make_volunteer(org, first_name="Lia", credentials=False)
    soon = make_volunteer(org, first_name="Ada")
    for check in soon.credentials:
        check.expires_on = date.today() + timedelta(days=10)
    db.session.commit()
    login_as(client, coord)
    day = reader_date(date.today() + timedelta(days=10))
    html = client.get("/desk/").get_data(as_text=True)
    assert f'>{lapsed.full_name}</a> <span class="late">lapsed: Background check<' in html
    assert f'<span class="muted">Background check until {day}</span>' in html
    page = client.get("/desk/").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_from(page), "locale": "it", "next": "/"})
    html = client.get("/desk/").get_data(as_text=True)
    giorno = reader_date(date.today() + timedelta(days=10), locale="it")
    assert '<span class="late">scaduto: Certificato del casellario</span>' in html
    assert f'<span class="muted">Certificato del casellario fino a {giorno}</span>' in html


def test_the_figures_statement_is_sent_only_the_organisation(db_session):
    """The day's times and the statuses are written into the statement's text, which then
    stays the same all day: PostgreSQL keeps its plan instead of planning it at every
    view (docs/benchmarks.md, "eleventh round"). Only the organisation is a parameter."""
    org = make_org()
    today = date.today()
    figures(org.id, today)  # (opens the settings)
    with sending() as sent:
        counted = figures(org.id, today)
    (statement, values), *_ = [s for s in sent if "AS alerts" in s[0]]
    assert values == [org.id] or set(values) == {org.id}, values
    assert "'pending'" in statement and "'failed'" in statement
    assert counted == figures(org.id, today)
    if db.engine.dialect.name == "postgresql":
        for _ in range(12):
            figures(org.id, today)
        assert all(n > 0 for n in generic_plans("AS alerts")), generic_plans("AS alerts")
