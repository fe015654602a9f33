"""Read-side helpers: the bell, a person's inbox, the outbox page, whom to phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.auth.models import LoginSession, User
from webapp.auth.sessions import login_person_id
from webapp.db import sql_constant, sql_constants, written_each_run
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.orgs.settings import org_tz

if TYPE_CHECKING:  # the outbox sits below people: it reads a person's fields, by name
    from webapp.people.models import Person


def _addressed(who: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Messages to ``who``, not the copies sent to a guardian and not the ones a
    coordinator phones through.

    The channel and the status are written into the SQL, not sent as parameters: the
    partial indexes of a reader's unread messages (models.py) hold only these, and
    PostgreSQL's generic plan of a prepared statement can use a partial index only when
    the statement's own text implies its predicate."""
    return sa.and_(
        who,
        ~Notification.is_guardian_copy,
        Notification.channel != sql_constant(Channel.PHONE),
        Notification.status != sql_constant(Status.CANCELLED),
    )


def _mine(user: User) -> sa.ColumnElement[bool]:
    """Messages addressed to this login (its person, or the account itself)."""
    who = Notification.user_id == user.id
    if user.person_id is not None:
        who = sa.or_(who, Notification.person_id == user.person_id)
    return _addressed(who)


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            _mine(user), Notification.read_at.is_(None)
        )
    ) or 0


def unread_of_login(kinds: tuple[str, ...] = ()) -> sa.ColumnElement[int]:
    """The bell's count as a column of the login's own statement (``auth/sessions.py``),
    correlated to its ``login_session`` row: the same messages as :func:`unread_count`
    (a login without a person matches no ``person_id``: NULL equals nothing). With
    ``kinds``, only the unread messages of those kinds (a page's news: :func:`unread`).

    Counted as the login's own messages plus its person's that are not the login's: the
    same messages as "to the login or to its person", but each part is read from its
    partial index alone (models.py), where the OR read every unread message's row."""
    user_id = LoginSession.user_id
    person_id = login_person_id()

    def count(who: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
        query = (
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(_addressed(who), Notification.read_at.is_(None))
        )
        if kinds:
            query = query.where(Notification.kind.in_(sql_constants(kinds)))
        return query.correlate(LoginSession).scalar_subquery()

    to_person = sa.and_(
        Notification.person_id == person_id, Notification.user_id.is_distinct_from(user_id)
    )
    return count(Notification.user_id == user_id) + count(to_person)


def inbox(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(_mine(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread(user: User, kinds: tuple[str, ...], limit: int = 50) -> list[Notification]:
    """This login's unread messages of these kinds, newest first (a page shows the news
    that concern it, e.g. the volunteer's schedule shows the messages about shifts)."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(_mine(user), Notification.read_at.is_(None), Notification.kind.in_(kinds))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def outbox_problems(org_id: int, limit: int = 200) -> list[Notification]:
    """Failed messages first, then those still waiting to be sent (oldest first)."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(
                Notification.organisation_id == org_id,
                Notification.channel.in_((Channel.EMAIL, Channel.SMS)),
                Notification.status.in_((Status.FAILED, Status.PENDING, Status.SENDING)),
            )
            .order_by(
                sa.case((Notification.status == Status.FAILED, 0), else_=1),
                Notification.created_at,
            )
            .limit(limit)
        )
    )


@dataclass
class PhoneCall:
    person: Person
    messages: list[Notification] = field(default_factory=list)


def phone_window(org_id: int, day: date) -> dict[str, datetime]:
    """The ``start`` and ``end`` parameters of the messages to phone on ``day`` (the
    organisation's local day): :func:`people_to_phone`'s, and :func:`to_phone_count`'s."""
    start = datetime.combine(day, time(0), tzinfo=org_tz(org_id))
    return {"start": start, "end": start + timedelta(days=1)}


def people_to_phone(org_id: int, day: date) -> list[PhoneCall]:
    """People with no automatic channel (residents registered by phone) who have a
    message about something still coming on or after ``day``: the coordinator calls
    them and reads it out. Messages about nothing in particular stay until called."""
    window = phone_window(org_id, day)
    rows = db.session.scalars(_to_phone(org_id, window["start"], window["end"]))
    calls: dict[int, PhoneCall] = {}
    for message in sorted(rows, key=_by_name_then_time):
        calls.setdefault(message.person.id, PhoneCall(message.person)).messages.append(message)
    return list(calls.values())


def to_phone_where(
    org_id: sa.ColumnElement[int],
    start: sa.ColumnElement[datetime],
    end: sa.ColumnElement[datetime],
) -> tuple[sa.ColumnElement[bool], ...]:
    """The messages a coordinator is to phone through between ``start`` and ``end`` (the
    statements are built once, with the day's bounds written in at each run): the
    organisation's pending calls, read from the (organisation, status, channel) index, not
    every organisation's pending messages. The day's list and count and the desk's "to
    phone" figure."""
    return (
        Notification.organisation_id == org_id,
        Notification.channel == sql_constant(Channel.PHONE),
        Notification.status == sql_constant(Status.PENDING),
        Notification.created_at < end,
        sa.or_(Notification.event_at.is_(None), Notification.event_at >= start),
        Notification.person_id.is_not(None),
    )


_TO_PHONE_WHERE = to_phone_where(
    sa.bindparam("org_id"),
    written_each_run("start", Notification.event_at.type),  # the day's bounds
    written_each_run("end", Notification.created_at.type),
)
# Built once (read at every view of the coordinator's day that has any to phone).
_TO_PHONE = (
    sa.select(Notification).where(*_TO_PHONE_WHERE).options(selectinload(Notification.person))
)


def to_phone_count() -> sa.ScalarSelect[int]:
    """How many messages :func:`people_to_phone` reads, as a subquery of the parameters
    ``org_id``, ``start`` and ``end`` (:func:`phone_window`): a page that counts its
    figures in one statement reads the messages only when there are some."""
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(*_TO_PHONE_WHERE)
        .scalar_subquery()
    )


def _to_phone(org_id: int, start: datetime, end: datetime) -> sa.Select[Notification]:
    return _TO_PHONE.params(org_id=org_id, start=start, end=end)


def _by_name_then_time(message: Notification) -> tuple[str, str, int, datetime, int]:
    # Messages about nothing in particular (no event) come first, as SQLite sorts NULLs.
    person = message.person
    when = message.event_at or datetime.min.replace(tzinfo=ZoneInfo("UTC"))
    return (person.last_name, person.first_name, person.id, when, message.id)
