"""An organisation's settings as the features read them: booking rules, the times of the
automatic tasks, and its time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g, has_request_context

from webapp.extensions import db
from webapp.orgs.models import Organisation, OrganisationSchedule, OrganisationSettings

DEFAULT_TIMEZONE = "Europe/Rome"


def settings_for(org_id: int) -> OrganisationSettings:
    """The organisation's booking settings (created with defaults on first use)."""
    row = db.session.get(OrganisationSettings, org_id)
    if row is None:
        row = OrganisationSettings(
            organisation_id=org_id,
            min_notice_days=2,
            horizon_weeks=4,
            travel_speed_kmh=30.0,
            check_online_residents=True,
            checkin_tolerance_min=60,
            checkin_max_factor=2.0,
            remeasure_months=3,
        )
        db.session.add(row)
        db.session.flush()
    return row


SCHEDULE_DEFAULTS = {
    c.name: c.default.arg
    for c in OrganisationSchedule.__table__.columns
    if c.default is not None and not callable(c.default.arg)
}


def schedule_for(org_id: int) -> OrganisationSchedule:
    """The organisation's row, or an unsaved one holding the defaults."""
    row = db.session.get(OrganisationSchedule, org_id)
    if row is None:
        return OrganisationSchedule(organisation_id=org_id, **SCHEDULE_DEFAULTS)
    return row


def org_tz(org_id: int) -> ZoneInfo:
    """The organisation's time zone; read once per web request. The session's identity map
    holds rows only while something refers to them, so without this every ``|local`` in a
    template of 1,000 shifts read the organisation again (docs/benchmarks.md)."""
    cache: dict[int, ZoneInfo] | None = None
    if has_request_context():
        cache = g.setdefault("_org_tz", {})
        if org_id in cache:
            return cache[org_id]
    org = db.session.get(Organisation, org_id)
    tz = ZoneInfo(org.timezone if org and org.timezone else DEFAULT_TIMEZONE)
    if cache is not None:
        cache[org_id] = tz
        # Held for the request, so the identity map keeps it: ``current_user.organisation``
        # read afterwards finds it there instead of reading it again.
        g.setdefault("_org_rows", []).append(org)
    return tz
