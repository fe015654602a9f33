"""The rules a new request is checked against before it is saved: consent, a date far
ahead, the organisation's notice. Each raises a :class:`FieldError` keyed by the field
(clashes with the resident's other bookings are in :mod:`webapp.requests.clashes`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _

from webapp.auth.models import User
from webapp.core.dates import far_ahead, reader_date
from webapp.core.errors import FieldError
from webapp.core.timeutil import today_local
from webapp.orgs.profile import call_us
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.models import Person
from webapp.permissions import is_coordinator
from webapp.requests.models import Request, RequestKind


def check_consent(resident: Person, actor: User | None) -> None:
    """Withdrawing consent cancelled the person's requests (privacy/consent.py); a new one
    would process their data again without it. Consent recorded again lifts this."""
    profile = resident.resident
    if profile is None or profile.consent_withdrawn_at is None:
        return
    if actor is not None and actor.person_id == resident.id:
        raise FieldError(
            "resident",
            _(
                "You withdrew your consent, so we cannot arrange help for you. To ask again, "
                "give your consent on My data, or call us."
            ),
        )
    raise FieldError(
        "resident",
        _(
            "This person withdrew their consent. Record their consent again on their privacy "
            "page (Data, consent, export, erasure) before asking for help for them."
        ),
    )


def check_far_ahead(req: Request, starts: datetime, confirmed: bool, now: datetime) -> None:
    """A first date more than a year ahead is asked about once (a typed 2030 for 2026)."""
    tz = org_tz(req.organisation_id)
    day = starts.astimezone(tz).date()
    if confirmed or not far_ahead(day, today_local(tz, now)):
        return
    raise FieldError(
        "confirm_far_date",
        _(
            "That is %(day)s, more than a year from now. If the date is right, tick "
            "“Yes, this date is right” and send again.",
            day=reader_date(day),
        ),
    )


def check_notice(
    req: Request, starts: datetime, override_reason: str | None, actor: User | None, now: datetime
) -> None:
    """The organisation's minimum notice; a coordinator may book sooner with a reason."""
    days = settings_for(req.organisation_id).min_notice_days
    tz = org_tz(req.organisation_id)
    if starts.astimezone(tz).date() >= today_local(tz, now) + timedelta(days=days):
        return
    reason = (override_reason or "").strip()
    if actor is not None and is_coordinator(actor) and reason:
        req.notice_override_by_id = actor.id
        req.notice_override_reason = reason[:300]
        return
    field_name = "appointment_time" if req.kind == RequestKind.RIDE else "start_date"
    if actor is not None and is_coordinator(actor):
        msg = _(
            "Less than %(n)s days' notice: give a reason for the urgent booking to go ahead.",
            n=days,
        )
        raise FieldError("override_reason", msg)
    raise FieldError(
        field_name,
        _(
            "Please ask at least %(n)s days ahead. For something urgent, %(call_us)s.",
            n=days,
            call_us=call_us(req.organisation_id),
        ),
    )
