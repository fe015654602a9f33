"""Coordinators' pages about trust: the audit log, a person's export and erasure, the
retention policy and the record of processing; a member's own export and consent."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.audit import operations as audit
from webapp.audit import queries as audit_queries
from webapp.auth.models import User
from webapp.core.forms import row_id
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.orgs.settings import settings_for
from webapp.people.access import get_person_or_404, me
from webapp.people.models import Person
from webapp.people.search import matching
from webapp.permissions import coordinator_required, is_coordinator, is_member, member_required
from webapp.privacy import consent, erasure, export, processing
from webapp.privacy.consent import has_withdrawn
from webapp.privacy.forms import ConsentForm, EraseForm, RetentionForm, WithdrawForm
from webapp.privacy.labels import action_label

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

add_nav("privacy.audit_log", lambda: _l("Audit log"), is_coordinator, order=5, group="desk")
add_nav(
    "privacy.policy",
    lambda: _l("Privacy and retention"),
    is_coordinator,
    order=95,
    group="settings",
)
add_nav("privacy.mine", lambda: _l("My data"), is_member, order=81)


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
    if (wanted := row_id(raw)) is not None:
        person = db.session.get(Person, wanted)
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


def _download(person: Person, fmt: str, actor: User) -> Response:
    """The export as a file; the audit log notes who took it."""
    data = export.collect(person)
    audit.record(
        "person.exported",
        actor=actor,
        organisation_id=person.organisation_id,
        person_id=person.id,
        target=f"format:{fmt}",
    )
    db.session.commit()
    stem = f"ponte-data-{person.id}"
    if fmt == "csv":
        body, mimetype = export.as_csv(data), "text/csv"
    else:
        body, mimetype = export.as_json(data), "application/json"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "csv"):
        abort(404)
    return fmt


@bp.route("/me")
@member_required
def mine() -> ResponseReturnValue:
    """A member's own page: what is kept, the download, consent."""
    person = me()
    return render_template(
        "privacy/mine.html", person=person, form=WithdrawForm(), withdrawn=has_withdrawn(person)
    )


@bp.route("/me/export.<fmt>")
@member_required
def my_export(fmt: str) -> ResponseReturnValue:
    return _download(me(), _fmt(fmt), current_user)


@bp.route("/me/withdraw", methods=["POST"])
@member_required
def my_withdraw() -> ResponseReturnValue:
    person = me()
    form = WithdrawForm()
    if not form.validate_on_submit():
        page = render_template("privacy/mine.html", person=person, form=form, withdrawn=False)
        return page, 400
    consent.withdraw(person, current_user)
    db.session.commit()
    flash(
        _(
            "Your consent is withdrawn: you are no longer matched, and your coming visits and "
            "rides are given back. Ask the office to erase your data if you wish."
        ),
        "success",
    )
    return redirect(url_for(".mine"))


@bp.route("/people/<int:person_id>")
@coordinator_required
def person_privacy(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    return _person_page(person)


def _person_page(
    person: Person, *, consent_form: ConsentForm | None = None, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "privacy/person.html",
        person=person,
        consent_form=consent_form or ConsentForm(formdata=None),
        withdrawn=has_withdrawn(person),
    )
    return page, status


@bp.route("/people/<int:person_id>/export.<fmt>")
@coordinator_required
def person_export(person_id: int, fmt: str) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    return _download(person, _fmt(fmt), current_user)


@bp.route("/people/<int:person_id>/consent", methods=["POST"])
@coordinator_required
def person_consent(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = ConsentForm()
    if not form.validate_on_submit():
        return _person_page(person, consent_form=form, status=400)
    if form.action.data == "withdraw":
        consent.withdraw(person, current_user)
        flash(_("Consent withdrawn: what they held is given back."), "success")
    else:
        consent.give(person, current_user, form.method.data or "phone")
        flash(_("Consent recorded."), "success")
    db.session.commit()
    return redirect(url_for(".person_privacy", person_id=person.id))


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@coordinator_required
def erase(person_id: int) -> ResponseReturnValue:
    """Says what the erasure will do and asks once (a ticked box); then erases."""
    person = get_person_or_404(person_id, current_user, manage=True)
    if person.erased_at is not None:
        flash(_("This person's data are already erased."), "info")
        return redirect(url_for(".person_privacy", person_id=person.id))
    form = EraseForm()
    if form.validate_on_submit():
        pseudonym = erasure.erase(person, current_user)
        db.session.commit()
        flash(
            _(
                "The personal data are erased. The history stays under the pseudonym %(p)s.",
                p=pseudonym,
            ),
            "success",
        )
        return redirect(url_for(".person_privacy", person_id=person.id))
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "privacy/erase.html", person=person, form=form, preview=erasure.preview(person)
    )
    return page, status


@bp.route("/", methods=["GET", "POST"])
@coordinator_required
def policy() -> ResponseReturnValue:
    """The organisation's retention policy (shown and changed) and what it means."""
    row = settings_for(current_user.organisation_id)
    form = RetentionForm(obj=row)
    if form.validate_on_submit():
        fields = ("inactive_resident_months", "message_days")
        before = audit.snapshot(row, fields)
        row.inactive_resident_months = form.inactive_resident_months.data
        row.message_days = form.message_days.data
        changes = audit.diff(before, audit.snapshot(row, fields))
        if changes:
            audit.record(
                "settings.changed",
                actor=current_user,
                organisation_id=current_user.organisation_id,
                target="settings:retention",
                changes=changes,
            )
        db.session.commit()
        flash(_("The retention policy is saved. It is applied every morning."), "success")
        return redirect(url_for(".policy"))
    page = render_template(
        "privacy/policy.html", form=form, policy=row, activities=processing.activities()
    )
    db.session.commit()  # the settings row may just have been created with the defaults
    return page, 400 if form.errors else 200


@bp.route("/processing")
@coordinator_required
def record_of_processing() -> ResponseReturnValue:
    return render_template("privacy/processing.html", activities=processing.activities())
