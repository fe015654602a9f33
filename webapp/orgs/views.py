"""The organisation profile page (coordinators), and the profile in every template."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.audit import operations as audit
from webapp.audit.operations import diff, snapshot
from webapp.core.dates import reader_date, reader_datetime
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.orgs.forms import LogoForm, ProfileForm
from webapp.orgs.models import Organisation
from webapp.orgs.profile import call_us, save_profile
from webapp.orgs.settings import org_tz
from webapp.permissions import coordinator_required, is_coordinator

bp = Blueprint("orgs", __name__)

add_nav("orgs.profile", lambda: _l("Organisation profile"), is_coordinator, order=88,
        group="settings")  # fmt: skip


def init_app(app: Flask) -> None:
    def _tz() -> tzinfo:
        org_id = getattr(current_user, "organisation_id", None)
        return org_tz(org_id) if org_id else UTC

    @app.template_filter("reader_date")
    def reader_date_filter(value: date | datetime | None, short: bool = False) -> str:
        """A date, or the local day of an aware datetime (organisation's time zone)."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(_tz()).date()
        return reader_date(value, short=short)

    @app.template_filter("reader_datetime")
    def reader_datetime_filter(value: datetime | None, short: bool = False) -> str:
        """An aware datetime: the local day and time (organisation's time zone)."""
        return "" if value is None else reader_datetime(value, _tz(), short=short)

    @app.context_processor
    def inject_contact() -> dict[str, object]:
        def my_org() -> Organisation | None:
            org_id = getattr(current_user, "organisation_id", None)
            return db.session.get(Organisation, org_id) if org_id else None

        return {"call_us": call_us, "my_org": my_org}


@bp.route("/organisation", methods=["GET", "POST"])
@coordinator_required
def profile() -> ResponseReturnValue:
    org = db.session.get(Organisation, current_user.organisation_id)
    form = ProfileForm(obj=org)
    if form.validate_on_submit() and org is not None:
        fields = ("phone", "opening_hours", "address")
        before = snapshot(org, fields)
        save_profile(
            org,
            phone=form.phone.data,
            opening_hours=form.opening_hours.data,
            address=form.address.data,
        )
        changes = diff(before, snapshot(org, fields))
        if changes:
            audit.record(
                "settings.changed",
                actor=current_user,
                organisation_id=org.id,
                target="settings:profile",
                changes=changes,
            )
        db.session.commit()
        flash(_("Saved. Residents see this number wherever they are told to call."), "success")
        return redirect(url_for("orgs.profile"))
    return render_template("orgs/profile.html", form=form, org=org, logo_form=LogoForm())
