"""The public "I'm worried about someone" form: no login, short, works on any phone.

Spam is kept out without a puzzle: a field people never see (a robot fills it and is
told "thank you" with nothing saved) and a limit per connection per hour (the login
throttle's counter, so it holds across web workers)."""

from __future__ import annotations

import sqlalchemy as sa
from babel.dates import format_date
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.auth import throttle
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors, error_list
from webapp.core.navigation import add_signup_link
from webapp.core.timeutil import to_local
from webapp.extensions import db
from webapp.orgs.models import Organisation
from webapp.orgs.profile import call_us
from webapp.orgs.settings import org_tz
from webapp.referrals import operations
from webapp.referrals.forms import ReferralForm
from webapp.referrals.models import Channel, Referral

bp = Blueprint("referrals", __name__)

add_signup_link("referrals.start", lambda: _l("Worried about someone?"))
FIELDS = ("subject_name", "subject_phone", "subject_address", "reason", "consent",
          "source_kind", "referrer_name", "referrer_contact", "agree")  # fmt: skip


def _org_or_404(slug: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    return org


@bp.route("/refer")
def start() -> ResponseReturnValue:
    """Pick the organisation (skipped when there is only one)."""
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    chosen = request.args.get("organisation")
    error = None
    if chosen is not None:
        if any(o.slug == chosen for o in orgs):
            return redirect(url_for(".refer", org_slug=chosen))
        error = _("Choose your municipality or organisation from the list.")
    if len(orgs) == 1:
        return redirect(url_for(".refer", org_slug=orgs[0].slug))
    return render_template(
        "choose_org.html",
        orgs=orgs,
        error=error,
        empty_message=_("No municipality or organisation has been set up yet."),
    )


@bp.route("/refer/<org_slug>", methods=["GET", "POST"])
def refer(org_slug: str) -> ResponseReturnValue:
    org = _org_or_404(org_slug)
    form = ReferralForm()
    status = 200
    if form.validate_on_submit():
        sent = throttle.count_request(f"referral-ip:{request.remote_addr or 'unknown'}")
        if sent > current_app.config["REFERRALS_PER_ADDRESS"]:
            db.session.commit()  # the count itself must stick
            form.form_errors.append(
                _("Too many referrals have come from this connection in the last hour. "
                  "Please %(call)s.", call=call_us(org) or _("call us"))  # fmt: skip
            )
            status = 429
        elif form.website.data:
            db.session.commit()  # a robot: thanked, nothing kept
            return redirect(url_for(".thanks", org_slug=org.slug))
        else:
            token = None
            try:
                with db.session.begin_nested():
                    referral = operations.submit(
                        org.id, {k: form[k].data for k in FIELDS}, channel=Channel.ONLINE
                    )
                token = referral.status_token
            except FieldError as error:
                attach_errors(form, error)
            db.session.commit()  # the referral, or only the count when it was refused
            if token:
                # Shown once on the thanks page; not in its address (no history, no logs).
                session["referral_status"] = token
                return redirect(url_for(".thanks", org_slug=org.slug))
    return render_template(
        "referrals/refer.html", form=form, org=org, errors=error_list(form)
    ), status


@bp.route("/refer/<org_slug>/thanks")
def thanks(org_slug: str) -> str:
    org = _org_or_404(org_slug)
    token = session.pop("referral_status", None)
    link = url_for(".status", token=token, _external=True) if token else None
    return render_template("referrals/thanks.html", org=org, call=call_us(org), link=link)


@bp.route("/refer/status/<token>")
def status(token: str) -> str:
    """The referrer's private link: the stage reached, nothing about the person."""
    referral = db.session.scalar(
        sa.select(Referral).where(Referral.status_token == token[:64])
    ) if token else None  # fmt: skip
    if referral is None:
        abort(404)
    org = db.session.get(Organisation, referral.organisation_id)
    local = to_local(referral.created_at, org_tz(referral.organisation_id)).date()
    day = format_date(local, "d MMMM y", locale=str(get_locale()))
    return render_template("referrals/status.html", referral=referral, org=org, day=day)
