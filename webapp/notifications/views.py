"""The bell and inbox, the channel preference, the outbox and the "to phone" list."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from webapp.auth.sessions import add_login_figure, login_figures
from webapp.core.dates import reader_datetime
from webapp.core.navigation import add_nav
from webapp.extensions import db
from webapp.notifications import operations, queries
from webapp.notifications.forms import DayForm, EmptyForm, PreferenceForm
from webapp.notifications.models import Channel, Notification, Status
from webapp.orgs.settings import org_tz
from webapp.permissions import coordinator_required, get_in_org_or_404, is_coordinator

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

add_nav(
    "notifications.outbox", lambda: _l("Messages not sent"), is_coordinator, order=8, group="desk"
)


def init_app(app: Flask) -> None:
    add_login_figure("unread", queries.unread_of_login)

    @app.context_processor
    def inject_bell() -> dict[str, object]:
        def bell_count() -> int:
            if not getattr(current_user, "is_authenticated", False):
                return 0
            kept = login_figures("unread")
            return int(kept[0]) if kept else queries.unread_count(current_user)

        def message_time(value: datetime) -> str:
            """When a message came, in the organisation's time zone and the reader's
            language: "Monday 7 December, 16:05" (the year only if not this year)."""
            org_id = getattr(current_user, "organisation_id", None)
            return reader_datetime(value, org_tz(org_id) if org_id else ZoneInfo("UTC"))

        return {"bell_count": bell_count, "message_time": message_time}


def _recipient() -> operations.Recipient:
    return current_user.person if current_user.person is not None else current_user


@bp.route("/")
@login_required
def inbox() -> str:
    return render_template(
        "notifications/inbox.html", messages=queries.inbox(current_user), form=EmptyForm()
    )


@bp.route("/read", methods=["POST"])
@login_required
def mark_read() -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit():
        now = datetime.now(UTC)
        for message in queries.inbox(current_user, limit=1000):
            if message.read_at is None:
                message.read_at = now
        db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> ResponseReturnValue:
    recipient = _recipient()
    current, _address = operations.channel_for(recipient)
    form = PreferenceForm()
    if request.method == "GET":
        form.channel.data = (operations.preference_for(recipient) or current).value
    if form.validate_on_submit():
        channel = Channel(form.channel.data)
        person = current_user.person
        if channel == Channel.SMS and not (person and person.phone):
            form.channel.errors.append(
                _("We have no mobile number for you. Ask your coordinator to add it.")
            )
        elif channel == Channel.EMAIL and not ((person and person.email) or current_user.email):
            form.channel.errors.append(_("We have no e-mail address for you."))
        else:
            operations.set_preference(recipient, channel)
            db.session.commit()
            flash(_("Saved. We will reach you this way from now on."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, current=current)


@bp.route("/outbox")
@coordinator_required
def outbox() -> str:
    messages = queries.outbox_problems(current_user.organisation_id)
    return render_template("notifications/outbox.html", messages=messages, form=EmptyForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@coordinator_required
def retry(message_id: int) -> ResponseReturnValue:
    message = get_in_org_or_404(Notification, message_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.retry(message)
    db.session.commit()
    flash(_("The message will be sent again in a few seconds."), "success")
    return redirect(url_for("notifications.outbox"))


@bp.route("/to-phone")
@coordinator_required
def to_phone() -> str:
    org = current_user.organisation
    form = DayForm(request.args)
    day = None
    if form.validate() and form.day.data:
        day = form.day.data
    if day is None:
        day = datetime.now(ZoneInfo(org.timezone)).date()
    calls = queries.people_to_phone(org.id, day)
    return render_template(
        "notifications/to_phone.html", calls=calls, day=day, form=form, post_form=EmptyForm()
    )


@bp.route("/to-phone/<int:message_id>/called", methods=["POST"])
@coordinator_required
def called(message_id: int) -> ResponseReturnValue:
    message = get_in_org_or_404(Notification, message_id, current_user)
    if not EmptyForm().validate_on_submit() or message.channel != Channel.PHONE:
        abort(400)
    if message.status == Status.PENDING:
        message.status = Status.SENT
        message.sent_at = datetime.now(UTC)
        db.session.commit()
    flash(_("Marked as told by phone."), "success")
    return redirect(url_for("notifications.to_phone", day=request.form.get("day") or None))
