"""The desk home's figures in one statement: how many alerts, referrals, people to phone,
residents to measure again, held times, volunteers and messages wait, and who is on duty.

The home used to read every list whole to show its count and first rows: a dozen
statements, most of them empty on most days, each built afresh at every view (building
them cost more than sending them). Now one statement, built once, counts them all with
scalar subqueries (and reads the stamp of the kept lists of shifts); the home reads a
list's first rows only when its count says there are any. The counts are the lists' own
rules written in SQL (the tests hold them to the lists' lengths). PostgreSQL plans the
statement at each execution (its parameters are the day's times), which costs more than
reading it: the two counts that change only with what moves the calendar's stamp (held
times, volunteers awaiting approval) are counted apart (``rare_counts``) and kept under it
by the home.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from webapp.activities.models import Activity
from webapp.auth.models import User
from webapp.core.timeutil import at_local
from webapp.db import read_columns, sql_constant, sql_constants, written_each_run
from webapp.desk.models import Alert, Contact, Duty
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.notifications.queries import to_phone_where
from webapp.orgs.models import OrganisationSettings
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.models import Person, VolunteerProfile, VolunteerStatus
from webapp.referrals.models import OPEN, LonelinessMeasure, Referral
from webapp.referrals.queries import remeasure_before
from webapp.shifts.calendar_cache import stamp_columns
from webapp.shifts.candidates import settle
from webapp.shifts.models import Assignment, Shift

_ORG: sa.BindParameter[int] = sa.bindparam("org_id", type_=sa.Integer)


def _count(*where: Any, of: Any = None) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(of).where(*where).scalar_subquery()


def _count_rows(subquery: sa.Subquery) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(subquery).scalar_subquery()


# Residents whose latest measure is older than the re-measure interval
# (referrals/queries.py ``remeasure_due``).
_REMEASURE = (
    sa.select(LonelinessMeasure.person_id)
    .where(LonelinessMeasure.organisation_id == _ORG)
    .group_by(LonelinessMeasure.person_id)
    .having(
        sa.func.max(LonelinessMeasure.taken_at)
        < written_each_run("remeasure_before", LonelinessMeasure.taken_at.type)
    )
    .subquery()
)

# People to phone today: messages to read out (notifications/queries.py
# ``people_to_phone``) or a follow-up due (queries.py ``calls_for``), each person once.
_TO_PHONE = sa.union(
    sa.select(Notification.person_id).where(
        *to_phone_where(
            _ORG,
            written_each_run("phone_start", Notification.event_at.type),
            written_each_run("phone_end", Notification.created_at.type),
        )
    ),
    sa.select(Contact.person_id).where(
        Contact.organisation_id == _ORG,
        Contact.follow_up_at.is_not(None),
        Contact.follow_up_at < written_each_run("follow_up_end", Contact.follow_up_at.type),
        Contact.follow_up_done_at.is_(None),
    ),
).subquery()

_NOT_SENT = (
    Notification.organisation_id == _ORG,
    Notification.channel.in_(sql_constants((Channel.EMAIL, Channel.SMS))),
)

# Built once: building it took longer than the database takes to answer it.
_FIGURES = sa.select(
    _count(Alert.organisation_id == _ORG, Alert.handled_at.is_(None), of=Alert).label("alerts"),
    _count(
        Referral.organisation_id == _ORG,
        Referral.status.in_(sql_constants(OPEN)),
        of=Referral,
    ).label("referrals"),
    _count_rows(_REMEASURE).label("remeasures"),
    _count_rows(_TO_PHONE).label("calls"),
    _count(
        *_NOT_SENT,
        Notification.status.in_(sql_constants((Status.FAILED, Status.PENDING, Status.SENDING))),
        of=Notification,
    ).label("not_sent"),
    _count(*_NOT_SENT, Notification.status == sql_constant(Status.FAILED), of=Notification).label(
        "failed"
    ),
    # Activities whose survey is still to do: the home asks which are due only if any.
    _count(
        Activity.organisation_id == _ORG,
        Activity.selected_at.is_not(None),
        Activity.survey_done_at.is_(None),
        Activity.cancelled_at.is_(None),
        of=Activity,
    ).label("surveys_open"),
    sa.select(User.id)
    .join(Duty, Duty.user_id == User.id)
    .where(Duty.organisation_id == _ORG, User.active == sa.true())
    .scalar_subquery()
    .label("duty_id"),
    sa.select(User.email)
    .join(Duty, Duty.user_id == User.id)
    .where(Duty.organisation_id == _ORG, User.active == sa.true())
    .scalar_subquery()
    .label("duty_email"),
    # The interval the re-measures above were counted with is the organisation's own.
    sa.select(OrganisationSettings.remeasure_months)
    .where(OrganisationSettings.organisation_id == _ORG)
    .scalar_subquery()
    .label("remeasure_months"),
    # The stamp of the kept lists of shifts (shifts/calendar_cache.py), read here too.
    *(
        column.scalar_subquery().label(name)
        for name, column in zip(("calendar_changes", "calendar_last"), stamp_columns(), strict=True)
    ),
)

# The counts that change only with what moves the calendar's stamp (shifts/calendar_cache.py):
# a seat's logged times held or settled, a volunteer's profile (its status) or a person
# added or deleted (shifts/candidate_marks.py). The home keeps them under that stamp, read
# with the figures: two joins fewer for PostgreSQL to plan at every view.
_RARE = sa.select(
    # Held times are listed per group of legs (shifts/outcomes.py ``held_in``).
    sa.select(sa.func.count(sa.distinct(Shift.group_key)))
    .join(Assignment, Assignment.shift_id == Shift.id)
    .where(Shift.organisation_id == _ORG, Assignment.times_held == sa.true())
    .scalar_subquery()
    .label("held"),
    sa.select(sa.func.count())
    .select_from(Person)
    .join(VolunteerProfile)
    .where(Person.organisation_id == _ORG, VolunteerProfile.status == VolunteerStatus.PENDING)
    .scalar_subquery()
    .label("awaiting_approval"),
)

Stamp = tuple[int, int | None]  # shifts/calendar_cache.py ``stamp``
RareCounts = tuple[int, int]  # (held, awaiting_approval)


def rare_counts(org_id: int) -> RareCounts:
    """Held times and volunteers awaiting approval: what :data:`_RARE` counts."""
    row = read_columns(db.session(), _RARE, {"org_id": org_id}).one()
    return int(row.held), int(row.awaiting_approval)


# The organisation's re-measure interval as last read, per organisation: the figures are
# counted with it and read the setting beside them; the rare time they differ (the
# setting changed, or a new worker), they are counted again with the one read. So the
# setting needs no statement of its own, and is never out of date.
_MONTHS: dict[int, int] = {}


@dataclass(frozen=True)
class OnDuty:
    """The coordinator on duty, as the home shows them."""

    id: int
    email: str


@dataclass(frozen=True)
class Figures:
    alerts: int  # open alerts
    referrals: int  # open referrals
    remeasures: int  # residents due a new loneliness measure
    calls: int  # people to phone today
    held: int  # groups of legs whose logged times wait for a coordinator
    awaiting_approval: int  # volunteers awaiting approval
    not_sent: int  # e-mails and text messages failed or not yet sent
    failed: int  # of which failed
    surveys_open: int  # activities whose follow-up survey is not done (due or not)
    on_duty: OnDuty | None
    calendar_stamp: tuple[int, int | None]  # shifts/calendar_cache.py ``stamp``


def figures(org_id: int, today: date, kept: Callable[[Stamp], RareCounts] | None = None) -> Figures:
    """The home's figures for ``today`` (the organisation's local day). Changes made
    earlier in this transaction count (``settle``) as they do for the calendar's stamp.
    ``kept(stamp)``: the :func:`rare_counts` kept under the stamp just read, if the caller
    keeps them (the home); else they are counted here."""
    months = _MONTHS.get(org_id) or settings_for(org_id).remeasure_months  # (may create it)
    settle()
    tz = org_tz(org_id)
    phone_start = datetime.combine(today, time(0), tzinfo=tz)  # as people_to_phone
    values = {
        "org_id": org_id,
        "phone_start": phone_start,
        "phone_end": phone_start + timedelta(days=1),
        "follow_up_end": at_local(today + timedelta(days=1), time(0), tz),
    }
    values["remeasure_before"] = remeasure_before(today, months)
    row = read_columns(db.session(), _FIGURES, values).one()
    if row.remeasure_months != months:  # changed since this worker last read it
        months = row.remeasure_months or settings_for(org_id).remeasure_months
        values["remeasure_before"] = remeasure_before(today, months)
        row = read_columns(db.session(), _FIGURES, values).one()
    _MONTHS[org_id] = months
    duty = OnDuty(row.duty_id, row.duty_email) if row.duty_id is not None else None
    stamp = (int(row.calendar_changes), row.calendar_last)
    held, awaiting = kept(stamp) if kept is not None else rare_counts(org_id)
    return Figures(
        alerts=row.alerts,
        referrals=row.referrals,
        remeasures=row.remeasures,
        calls=row.calls,
        held=held,
        awaiting_approval=awaiting,
        not_sent=row.not_sent,
        failed=row.failed,
        surveys_open=row.surveys_open,
        on_duty=duty,
        calendar_stamp=stamp,
    )
