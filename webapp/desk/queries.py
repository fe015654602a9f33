"""Read side of the desk: the day's to-do list and the list of calls to make."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.activities.models import Activity
from webapp.activities.queries import surveys_due
from webapp.core.paging import Page, page_number
from webapp.core.timeutil import at_local
from webapp.desk import lists
from webapp.desk.figures import Figures, figures
from webapp.desk.models import Alert, Contact
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.queries import people_to_phone
from webapp.orgs.settings import org_tz
from webapp.people import vetting
from webapp.people.models import Person
from webapp.referrals import queries as referral_queries
from webapp.referrals.models import Referral
from webapp.shifts.models import Shift, ShiftStatus
from webapp.shifts.outcomes import held_in

S = ShiftStatus


ALERT_ROWS = 50  # a page of the alerts' own list


def _open(org_id: int, person_id: int | None) -> list[sa.ColumnElement[bool]]:
    about = [] if person_id is None else [Alert.person_id == person_id]
    return [Alert.organisation_id == org_id, Alert.handled_at.is_(None), *about]


def open_alerts(
    org_id: int, person_id: int | None = None, *, limit: int | None = None, offset: int = 0
) -> list[Alert]:
    """The organisation's open alerts, soonest due first; only about ``person_id`` if given
    (a case file: read by the person's index, not the organisation's every alert); the
    ``limit`` from ``offset`` only (the desk's home and the alerts' pages: a backlog of
    worried check-ins is not read whole at every view)."""
    return list(
        db.session.scalars(
            sa.select(Alert)
            .where(*_open(org_id, person_id))
            # (the cards show the resident's guardian)
            .options(selectinload(Alert.person).selectinload(Person.resident))
            .options(selectinload(Alert.owner))
            .order_by(Alert.due_at, Alert.id)
            .offset(offset)
            .limit(limit)
        )
    )


def open_alert_count(org_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Alert.id)).where(*_open(org_id, None))) or 0


def alert_page(org_id: int, asked: str | None) -> Page[Alert]:
    """The page ``asked`` for (the query string's value) of the open alerts."""
    total = open_alert_count(org_id)
    number = page_number(asked, total, ALERT_ROWS)
    rows = open_alerts(org_id, limit=ALERT_ROWS, offset=(number - 1) * ALERT_ROWS)
    return Page(rows, total, number, ALERT_ROWS)


def last_contact(person_id: int) -> Contact | None:
    return db.session.scalar(
        sa.select(Contact)
        .where(Contact.person_id == person_id)
        .order_by(Contact.at.desc(), Contact.id.desc())
        .limit(1)
    )


def last_contacts(person_ids: list[int]) -> dict[int, Contact]:
    """Each person's latest contact, in one statement (the phone list's "last: ...")."""
    ranked = (
        sa.select(
            Contact.id,
            sa.func.row_number()
            .over(partition_by=Contact.person_id, order_by=(Contact.at.desc(), Contact.id.desc()))
            .label("n"),
        )
        .where(Contact.person_id.in_(person_ids))
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(Contact).join(ranked, ranked.c.id == Contact.id).where(ranked.c.n == 1)
    )
    return {c.person_id: c for c in rows}


@dataclass
class Call:
    """One person to phone: the messages to read out, the follow-up due, the last try."""

    person: Person
    messages: list[Notification] = field(default_factory=list)
    follow_up: Contact | None = None
    last: Contact | None = None

    @property
    def due(self) -> datetime | None:
        return self.follow_up.follow_up_at if self.follow_up else None


def due_follow_ups(org_id: int, end: datetime) -> sa.Select[Contact]:
    """The organisation's open follow-ups due before ``end``, soonest first, with their
    people (read from the index of the open ones, ``models.py``)."""
    return (
        sa.select(Contact)
        .where(
            Contact.organisation_id == org_id,
            Contact.follow_up_at.is_not(None),
            Contact.follow_up_at < end,
            Contact.follow_up_done_at.is_(None),
        )
        .options(selectinload(Contact.person))
        .order_by(Contact.follow_up_at)
    )


def calls_for(org_id: int, day: date) -> list[Call]:
    """Residents with messages to read out on ``day`` and follow-ups due by its end,
    each with the last call's outcome ("no answer at 10:12, try again at 16:00")."""
    tz = org_tz(org_id)
    end = at_local(day + timedelta(days=1), time(0), tz)
    calls: dict[int, Call] = {}
    for phone_call in people_to_phone(org_id, day):
        calls[phone_call.person.id] = Call(phone_call.person, list(phone_call.messages))
    follow_ups = db.session.scalars(due_follow_ups(org_id, end))
    for contact in follow_ups:
        call = calls.setdefault(contact.person_id, Call(contact.person))
        if call.follow_up is None:
            call.follow_up = contact
    latest = last_contacts(list(calls))
    for person_id, call in calls.items():
        call.last = latest.get(person_id)
    far = datetime.max.replace(tzinfo=tz)
    return sorted(
        calls.values(),
        key=lambda c: (c.due or far, c.person.last_name, c.person.first_name, c.person.id),
    )


@dataclass
class Todo:
    """The desk home's to-do list: each list's first rows (``lists.HOME_ROWS``) and how
    many it has in all (``figures.py``); a list with none is not read at all."""

    figures: Figures
    unfilled: lists.Bounded
    unconfirmed: lists.Bounded
    to_approve: lists.Bounded
    alerts: list[Alert] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    lapsing: list[vetting.Lapse] = field(default_factory=list)
    lapsed: list[vetting.Lapse] = field(default_factory=list)
    surveys: list[tuple[Activity, date]] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    remeasures: list[referral_queries.Remeasure] = field(default_factory=list)
    # done, but the logged times wait for a coordinator before hours are paid
    held_times: list[Shift] = field(default_factory=list)
    days_ahead: int = lists.DAYS_AHEAD
    # How many checks there are when the caller keeps them rendered (not read then).
    checks_total: int | None = None

    @property
    def checks(self) -> list[tuple[vetting.Lapse, bool]]:
        """Every volunteer's check to look at, lapsed (True) before lapsing soon."""
        return [(lapse, True) for lapse in self.lapsed] + [(lapse, False) for lapse in self.lapsing]

    @property
    def empty(self) -> bool:
        f = self.figures
        return not (
            f.alerts or f.referrals or f.remeasures or f.calls or f.held
            or f.awaiting_approval or f.not_sent
            or self.unfilled.total or self.unconfirmed.total or self.to_approve.total
            or self.lapsing or self.lapsed or self.checks_total or self.surveys
        )  # fmt: skip


def todo_checks(org_id: int, today: date) -> list[tuple[vetting.Lapse, bool]]:
    """The volunteers' checks of the to-do list: lapsed (True) first, then lapsing soon."""
    soon, lapsed = vetting.lapsing(org_id, today)
    return [(lapse, True) for lapse in lapsed] + [(lapse, False) for lapse in soon]


def todo(
    org_id: int,
    today: date,
    shifts: dict[str, lists.Bounded] | None = None,
    counted: Figures | None = None,
    checks: int | None = None,
) -> Todo:
    """The desk home's to-do list; ``shifts``: its lists of shifts if already read (the
    home keeps them rendered: only their counts are given then); ``counted``: its figures
    if already read; ``checks``: how many volunteers' checks there are, if the caller
    keeps them rendered (they are not read then). Only the lists the figures say are not
    empty are read."""
    shifts = shifts if shifts is not None else lists.first_rows(org_id, today)
    counted = counted or figures(org_id, today)
    first = lists.HOME_ROWS
    soon, lapsed = vetting.lapsing(org_id, today) if checks is None else ([], [])
    return Todo(
        figures=counted,
        unfilled=shifts["unfilled"],
        unconfirmed=shifts["unconfirmed"],
        to_approve=shifts["approve"],
        alerts=open_alerts(org_id, limit=first) if counted.alerts else [],
        calls=calls_for(org_id, today)[:first] if counted.calls else [],
        lapsing=soon,
        lapsed=lapsed,
        surveys=surveys_due(org_id, today) if counted.surveys_open else [],
        referrals=referral_queries.queue(org_id, limit=first) if counted.referrals else [],
        remeasures=(
            referral_queries.remeasure_due(org_id, today)[:first] if counted.remeasures else []
        ),
        held_times=held_in(org_id, limit=first) if counted.held else [],
        checks_total=checks,
    )
