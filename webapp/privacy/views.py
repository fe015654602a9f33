"""Coordinators' pages about trust: the audit log, a person's export and erasure, the
retention policy and the record of processing; a member's own export and consent."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.audit import queries as audit_queries
from webapp.auth.models import User
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.people.models import Person
from webapp.people.search import matching
from webapp.permissions import coordinator_required, is_coordinator
from webapp.privacy.labels import action_label

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

add_nav("privacy.audit_log", lambda: _l("Audit log"), is_coordinator, order=5, group="desk")


def _page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.route("/audit")
@coordinator_required
def audit_log() -> ResponseReturnValue:
    """Who did what, newest first; ``person`` (an id) or ``q`` (a name) narrow it."""
    org_id = current_user.organisation_id
    q = (request.args.get("q") or "").strip()[:100]
    person: Person | None = None
    person_ids: list[int] | None = None
    raw = request.args.get("person", "")
    if raw.isdigit():
        person = db.session.get(Person, int(raw))
        if person is None or person.organisation_id != org_id:
            person = None
        person_ids = [person.id] if person is not None else []
    elif q:
        person_ids = list(db.session.scalars(matching(org_id, q).with_only_columns(Person.id)))
    page = audit_queries.events(org_id, person_ids=person_ids, page=_page_arg())
    person_ids_shown = {e.person_id for e in page.events if e.person_id}
    actor_ids = {e.actor_user_id for e in page.events if e.actor_user_id}
    people = {
        p.id: p
        for p in db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids_shown)))
    }
    actors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(actor_ids)))}
    args = {"person": person.id} if person is not None else ({"q": q} if q else {})
    return render_template(
        "privacy/audit_log.html",
        page=page,
        people=people,
        actors=actors,
        person=person,
        q=q,
        args=args,
        action_label=action_label,
    )
