"""The organisation's logo on its profile page: upload (checked by decoding it), see,
remove (asked once). Coordinators of the organisation; the PDF report prints it."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import undefer

from webapp.audit import operations as audit
from webapp.core.confirm import Question, ask, confirmed
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.extensions import db
from webapp.orgs.forms import LogoForm, ProfileForm
from webapp.orgs.logo import MIMETYPES, remove_logo, save_logo
from webapp.orgs.models import Organisation
from webapp.orgs.views import bp
from webapp.permissions import coordinator_required


def _org() -> Organisation:
    org = db.session.get(
        Organisation, current_user.organisation_id, options=[undefer(Organisation.logo)]
    )
    if org is None:
        abort(404)
    return org


def _record(org: Organisation, what: str) -> None:
    audit.record(
        "settings.changed",
        actor=current_user,
        organisation_id=org.id,
        target="settings:logo",
        changes={"logo": [None, what]},
    )


@bp.route("/organisation/logo", methods=["POST"])
@coordinator_required
def upload_logo() -> ResponseReturnValue:
    org = _org()
    form = LogoForm()
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            if upload is None or not getattr(upload, "filename", ""):
                raise FieldError("logo", _("Choose a PNG or JPEG file to upload."))
            save_logo(org, upload.read())
        except FieldError as error:
            db.session.rollback()  # the logo saved before stays as it was
            attach_errors(form, error)
        else:
            _record(org, org.logo_type or "")
            db.session.commit()
            flash(_("The logo is saved: the observatory's PDF report prints it."), "success")
            return redirect(url_for("orgs.profile", _anchor="logo-section"))
    page = render_template("orgs/profile.html", form=ProfileForm(obj=org), org=org, logo_form=form)
    return page, 400


@bp.route("/organisation/logo")
@coordinator_required
def logo_image() -> ResponseReturnValue:
    org = _org()
    if org.logo is None or org.logo_type not in MIMETYPES:
        abort(404)
    return Response(
        org.logo, mimetype=MIMETYPES[org.logo_type], headers={"Cache-Control": "private, no-cache"}
    )


@bp.route("/organisation/logo/remove", methods=["POST"])
@coordinator_required
def delete_logo() -> ResponseReturnValue:
    org = _org()
    if org.logo is None:
        return redirect(url_for("orgs.profile", _anchor="logo-section"))
    if not confirmed():
        return ask(
            Question(
                title=_("Remove the logo"),
                question=_("Remove the organisation's logo?"),
                details=[_("The PDF report will be printed without it until you upload one.")],
                action=url_for("orgs.delete_logo"),
                back=url_for("orgs.profile", _anchor="logo-section"),
                yes=_("Remove the logo"),
                no=_("Keep it"),
                danger=True,
            )
        )
    remove_logo(org)
    _record(org, "removed")
    db.session.commit()
    flash(_("The logo is removed."), "success")
    return redirect(url_for("orgs.profile", _anchor="logo-section"))
