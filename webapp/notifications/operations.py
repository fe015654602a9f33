"""Queue messages: pick the recipient's channel and language, render, write to the outbox.

Operations flush, they never commit: a message is written in the same transaction as the
change that causes it, so a rolled-back change never mails anyone. The sender
(:mod:`webapp.notifications.sender`) delivers after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Union
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from webapp.auth.models import Role, User
from webapp.core.dates import reader_date, reader_datetime, reader_time
from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, NotificationPreference, Status
from webapp.orgs.models import Organisation

if TYPE_CHECKING:  # the outbox sits below people: it reads a person's fields, by name
    from webapp.people.models import Person

Recipient = Union["Person", User]
_PLAIN = (str, int, float, bool, date, datetime, time, type(None))


def _check_plain(value: Any, path: str = "context") -> None:
    """Message contexts hold plain values only, never model objects: a template cannot
    then reach ``resident.health_notes`` or anything else the caller did not choose."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_plain(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_plain(item, f"{path}[{i}]")
    elif not isinstance(value, _PLAIN):
        raise TypeError(f"{path} is a {type(value).__name__}; pass plain values only")


def _person_and_user(recipient: Recipient) -> tuple[Person | None, User | None]:
    if isinstance(recipient, User):
        return recipient.person, recipient
    return recipient, recipient.user


def locale_for(recipient: Recipient) -> str:
    person, user = _person_and_user(recipient)
    supported = current_app.config["LANGUAGES"]
    for candidate in (
        person.preferred_locale if person else None,
        user.locale if user else None,
    ):
        if candidate is not None and candidate in supported:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def preference_for(recipient: Recipient) -> Channel | None:
    person, user = _person_and_user(recipient)
    if person is not None:
        cond = NotificationPreference.person_id == person.id
    elif user is not None:
        cond = NotificationPreference.user_id == user.id
    else:
        return None
    return db.session.scalar(sa.select(NotificationPreference.channel).where(cond))


def channel_for(recipient: Recipient) -> tuple[Channel, str | None]:
    """(channel, address). The chosen channel if it can be used; otherwise e-mail if
    there is an address, the bell if there is a login, and a coordinator's phone call
    for everyone else (residents registered by phone)."""
    person, user = _person_and_user(recipient)
    email = (person.email if person else None) or (user.email if user else None)
    phone = person.phone if person else None
    has_login = user is not None and user.is_active
    chosen = preference_for(recipient)
    if chosen == Channel.EMAIL and email:
        return Channel.EMAIL, email
    if chosen == Channel.SMS and phone:
        return Channel.SMS, phone
    if chosen == Channel.IN_APP and has_login:
        return Channel.IN_APP, None
    if email:
        return Channel.EMAIL, email
    if has_login:
        return Channel.IN_APP, None
    return Channel.PHONE, phone


def render_message(kind: str, context: Mapping[str, Any], locale: str, tz: str) -> tuple[str, str]:
    """Render ``notifications/messages/<kind>.html`` in ``locale``: first line is the
    subject, the rest the body. Dates are shown in the organisation's time zone."""
    zone = ZoneInfo(tz)

    def when(value: datetime) -> str:
        return reader_datetime(value, zone, locale=locale)

    def day(value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(zone).date()
        return reader_date(value, locale=locale)

    def hour(value: datetime) -> str:
        return reader_time(value, zone, locale=locale)

    # Plain text, so no HTML escaping ("Rossi & figli" stays as written). The templates
    # are .html files only so that `flask translate update` extracts their strings.
    env = current_app.jinja_env.overlay(autoescape=False)
    template = env.get_template(f"notifications/messages/{kind}.html")
    with force_locale(locale):
        text = template.render(when=when, day=day, hour=hour, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip()[:300], body.strip()


def enqueue(
    recipient: Recipient,
    kind: str,
    context: Mapping[str, Any],
    *,
    dedupe_key: str | None = None,
    event_at: datetime | None = None,
    copy_guardian: bool = True,
    flush: bool = True,
    about: str | None = None,
) -> list[Notification]:
    """Write the message(s) for ``recipient`` to the outbox (flushes, does not commit).

    Returns the rows written: none if ``dedupe_key`` was already queued, two when a
    resident's guardian gets a copy. ``context`` must hold plain values (see above).
    ``flush=False`` when called from inside a flush (a ``before_flush`` hook): the rows
    are then added to the flush already under way. ``about`` names what the message is
    about (see :func:`forget_details`).
    """
    _check_plain(context)
    if dedupe_key and db.session.scalar(
        sa.select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return []
    person, user = _person_and_user(recipient)
    org = _outbox(person, user)
    locale = locale_for(recipient)
    channel, address = channel_for(recipient)
    subject, body = render_message(kind, {**context, "guardian_copy": False}, locale, org.timezone)
    rows = [
        Notification(
            organisation_id=org.id,
            person_id=person.id if person else None,
            user_id=user.id if user and person is None else None,
            channel=channel,
            address=address,
            kind=kind,
            locale=locale,
            subject=subject,
            body=body,
            event_at=event_at,
            dedupe_key=dedupe_key,
            about=about,
            # The bell shows a message as soon as the transaction commits.
            status=Status.SENT if channel == Channel.IN_APP else Status.PENDING,
            sent_at=utcnow() if channel == Channel.IN_APP else None,
        )
    ]
    guardian = _guardian_email(person) if copy_guardian and person is not None else None
    if guardian and person is not None:
        g_subject, g_body = render_message(
            kind, {**context, "guardian_copy": True, "recipient_name": person.full_name},
            locale, org.timezone,
        )
        rows.append(
            Notification(
                organisation_id=org.id,
                person_id=person.id,
                is_guardian_copy=True,
                channel=Channel.EMAIL,
                address=guardian,
                kind=kind,
                locale=locale,
                subject=g_subject,
                body=g_body,
                event_at=event_at,
                dedupe_key=f"{dedupe_key}:guardian" if dedupe_key else None,
            )
        )
    db.session.add_all(rows)
    if flush:
        db.session.flush()
    return rows


def forget_details(about: str, person_ids: list[int], *, flush: bool = True) -> int:
    """The people ``person_ids`` no longer hold what ``about`` names (a shift cancelled,
    or taken from them): their copies of messages about it lose the body (the resident's
    address, phone and notes) and keep only the subject; those not yet sent are not
    sent. Returns how many messages changed. Flushes unless ``flush=False``."""
    if not person_ids:
        return 0
    rows = db.session.scalars(
        sa.select(Notification).where(
            Notification.about == about,
            Notification.person_id.in_(person_ids),
            ~Notification.is_guardian_copy,
            Notification.details_removed_at.is_(None),
        )
    ).all()
    now = utcnow()
    for row in rows:
        org = db.session.get(Organisation, row.organisation_id)
        tz = org.timezone if org is not None else "UTC"
        _subject, row.body = render_message("details_removed", {}, row.locale, tz)
        row.details_removed_at = now
        if row.status == Status.PENDING and row.channel != Channel.IN_APP:
            row.status = Status.CANCELLED
    if rows and flush:
        db.session.flush()
    return len(rows)


def enqueue_login_email(user: User, kind: str, context: Mapping[str, Any]) -> Notification:
    """An e-mail to the login's own address whatever channel the person prefers, with no
    guardian copy: for messages about the account itself (a password link). The user
    must belong to an organisation (the outbox is per organisation)."""
    _check_plain(context)
    org = _outbox(None, user)
    locale = locale_for(user)
    subject, body = render_message(kind, {**context, "guardian_copy": False}, locale, org.timezone)
    row = Notification(
        organisation_id=org.id,
        user_id=user.id,
        channel=Channel.EMAIL,
        address=user.email,
        kind=kind,
        locale=locale,
        subject=subject,
        body=body,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _outbox(person: Person | None, user: User | None) -> Organisation:
    """The organisation whose outbox a message goes to: the person's, else the login's.
    An admin belongs to none, so has no outbox."""
    if person is not None:
        org_id: int | None = person.organisation_id
    else:
        org_id = user.organisation_id if user is not None else None
    org = db.session.get(Organisation, org_id) if org_id is not None else None
    if org is None:
        raise ValueError("the recipient belongs to no organisation: there is no outbox")
    return org


def _guardian_email(person: Person) -> str | None:
    if person.resident is None:
        return None
    return person.resident.guardian_email or None


def coordinators_of(org_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == org_id, User.role == Role.COORDINATOR, User.active)
            .order_by(User.id)
        )
    )


def notify_coordinators(
    org_id: int, kind: str, context: Mapping[str, Any], *, dedupe_key: str | None = None
) -> list[Notification]:
    """One message per active coordinator of the organisation."""
    rows: list[Notification] = []
    for user in coordinators_of(org_id):
        key = f"{dedupe_key}:user{user.id}" if dedupe_key else None
        rows += enqueue(user, kind, context, dedupe_key=key)
    return rows


def set_preference(recipient: Recipient, channel: Channel) -> None:
    person, user = _person_and_user(recipient)
    if person is not None:
        cond = NotificationPreference.person_id == person.id
    elif user is not None:  # a login without a person: a coordinator
        cond = NotificationPreference.user_id == user.id
    else:
        raise TypeError("a recipient is a person or a login")
    row = db.session.scalar(sa.select(NotificationPreference).where(cond))
    if row is None:
        row = NotificationPreference(
            person_id=person.id if person else None,
            user_id=user.id if user and not person else None,
            channel=channel,
        )
        db.session.add(row)
    row.channel = channel
    db.session.flush()


def retry(message: Notification) -> None:
    """Coordinator's "retry": the sender tries a failed message again at once."""
    if message.status in (Status.FAILED, Status.PENDING):
        message.status = Status.PENDING
        message.attempts = 0
        message.next_attempt_at = utcnow()
        db.session.flush()
