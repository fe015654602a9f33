"""Read side of activities: lists for pages, the surveys due on the desk, the board."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from webapp.activities.models import Activity, ActivitySession, Application, ApplicationStatus
from webapp.activities.operations import call_open, survey_due_on
from webapp.core.boards import BoardItem
from webapp.db import utcnow
from webapp.extensions import db
from webapp.people.models import Person


def activities_of(org_id: int) -> list[Activity]:
    return list(
        db.session.scalars(
            sa.select(Activity)
            .where(Activity.organisation_id == org_id)
            .options(selectinload(Activity.sessions), selectinload(Activity.applications))
            .order_by(Activity.id.desc())
        )
    )


def open_calls(org_id: int) -> list[Activity]:
    return [a for a in activities_of(org_id) if call_open(a)]


def applications_of(person_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.person_id == person_id)
            .order_by(Application.id.desc())
        )
    )


def ranking(activity: Activity) -> list[Application]:
    """Ranked first (by rank), then not yet ranked (by order of application), then those
    who withdrew."""

    def key(a: Application) -> tuple[int, int, object, int]:
        withdrawn = a.status == ApplicationStatus.WITHDRAWN
        return (int(withdrawn), a.rank or 10**6, a.applied_at, a.id)

    return sorted(activity.applications, key=key)


# The activities whose follow-up survey is still to do (due or not yet); built once.
_SURVEY_TO_DO = (
    sa.select(Activity)
    .where(
        Activity.organisation_id == sa.bindparam("org_id"),
        Activity.selected_at.is_not(None),
        Activity.survey_done_at.is_(None),
        Activity.cancelled_at.is_(None),
    )
    .options(selectinload(Activity.sessions))
    .order_by(Activity.id.desc())
)


def surveys_due(org_id: int, today: date) -> list[tuple[Activity, date]]:
    """Activities whose follow-up survey is due (by ``today``) and not yet done. Only the
    activities with a survey to do are read, not the organisation's history."""
    out = []
    for a in db.session.scalars(_SURVEY_TO_DO, {"org_id": org_id}):
        due = survey_due_on(a)
        if due <= today:
            out.append((a, due))
    return sorted(out, key=lambda x: x[1])


# The activities that may appear on the board, newest first: not cancelled, wanting
# helpers, with a meeting that ends after ``now``. Built once: the board is opened at every
# turn, and building this took longer than sending it.
_WANTING_HELPERS = (
    sa.select(Activity)
    .where(
        Activity.organisation_id == sa.bindparam("org_id"),
        Activity.cancelled_at.is_(None),
        Activity.helpers_needed > 0,
        sa.exists().where(
            ActivitySession.activity_id == Activity.id,
            ActivitySession.ends_at > sa.bindparam("now", type_=ActivitySession.ends_at.type),
        ),
    )
    .options(selectinload(Activity.sessions), selectinload(Activity.helpers))
    .order_by(Activity.id.desc())
)


def _wanting_helpers(org_id: int, now: datetime) -> list[Activity]:
    """The activities that may appear on the board (:data:`_WANTING_HELPERS`). Past
    activities and applications are not read, so its cost is the live activities', not
    the organisation's history (``activities_of`` reads all of it)."""
    return list(db.session.scalars(_WANTING_HELPERS, {"org_id": org_id, "now": now}))


def helper_items(person: Person) -> list[BoardItem]:
    """Activities of the volunteer's organisation that still need helpers, for the board
    (and the ones they help at, to let go)."""
    if not person.is_volunteer:
        return []
    now = utcnow()
    items = []
    for a in _wanting_helpers(person.organisation_id, now):
        # The query keeps any activity with a meeting still to end; the rule is the end of
        # the last meeting (by start), as add_helper's, which a first meeting may outlast.
        if a.sessions[-1].ends_at <= now:
            continue
        mine = any(h.person_id == person.id for h in a.helpers)
        free = a.helpers_needed - len(a.helpers)
        if not mine and free <= 0:
            continue
        first: ActivitySession = a.sessions[0]
        items.append(
            BoardItem(
                key=f"activity-{a.id}",
                title=_("Helper at %(title)s", title=a.title),
                starts_at=first.starts_at,
                ends_at=first.ends_at,
                where=a.place_name,
                detail=(_("%(n)s meetings", n=len(a.sessions)) if len(a.sessions) > 1 else None),
                badge=_("%(n)s of %(m)s helpers still needed", n=free, m=a.helpers_needed),
                action_url=url_for(
                    "activities.stop_helping" if mine else "activities.help", activity_id=a.id
                ),
                action_label=_("I can't help after all") if mine else _("I'll help"),
            )
        )
    return items
