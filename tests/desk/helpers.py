"""Shared by the desk's tests: a login, and a visit just done (to check in on)."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PASSWORD, make_volunteer
from tests.helpers import login
from tests.shifts.builders import make_request, shifts_of, visit_draft
from webapp.db import utcnow
from webapp.extensions import db
from webapp.shifts import operations as shift_ops


def login_as(client, user):  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


def done_visit(org, coord, resident=None):  # type: ignore[no-untyped-def]
    """A visit that ended an hour ago, with its volunteer (Giulia Bianchi)."""
    (shift,) = shifts_of(make_request(org, visit_draft(), resident=resident, actor=coord))
    vol = make_volunteer(org, first_name="Giulia", last_name="Bianchi")
    shift_ops.assign(shift, vol, coord)
    shift.starts_at = utcnow() - timedelta(hours=2)
    shift.ends_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    return shift, vol
