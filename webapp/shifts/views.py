"""Volunteer pages: the open-shift board, claims, my schedule, check-ins, the feed."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from webapp.auth.sessions import add_login_figure, login_figures
from webapp.core.boards import board_items
from webapp.core.confirm import ask, confirmed
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors, drawn_once
from webapp.core.locks import begin_write
from webapp.core.navigation import add_nav
from webapp.core.urls import external_url
from webapp.db import commit_if_written, utcnow
from webapp.extensions import db
from webapp.notifications.queries import unread, unread_of_login
from webapp.orgs.settings import org_tz
from webapp.people.access import me
from webapp.permissions import is_volunteer, volunteer_required
from webapp.shifts import operations as ops
from webapp.shifts import questions, schedule
from webapp.shifts.access import get_my_shift_or_404, get_shift_or_404, my_legs_or_404
from webapp.shifts.board import open_board
from webapp.shifts.board_cache import FORM_FIELDS, board_cards
from webapp.shifts.forms import ActionForm, CheckInForm, ReasonForm
from webapp.shifts.ical import calendar_for, feed_token, subscribe_links, token_row
from webapp.shifts.legs import group_of
from webapp.shifts.models import CalendarToken, Shift
from webapp.shifts.outcomes import is_held
from webapp.shifts.presenters import directions_url, visible_fields
from webapp.shifts.schedule_cache import schedule_cards
from webapp.shifts.transitions import STATUS_LABELS

bp = Blueprint("shifts", __name__, url_prefix="/shifts")
BOARD_SIZE = 50  # a phone screen, not a spreadsheet

add_nav("shifts.board", lambda: _l("Open shifts"), is_volunteer, order=20)
add_nav("shifts.mine", lambda: _l("My schedule"), is_volunteer, order=21)
# The messages about shifts that the schedule page shows as news (also in the bell).
SHIFT_NEWS = ("shift_approved", "shift_released", "shift_cancelled", "shift_changed")
# Counted with the login (from the unread messages' index): most visits to the schedule
# find no news, and looking for none was a statement of its own.
add_login_figure("shift_news", lambda: unread_of_login(SHIFT_NEWS))


@bp.app_template_filter("local")
def local_filter(value: datetime, fmt: str = "%H:%M") -> str:
    if value is None:
        return ""
    tz = org_tz(current_user.organisation_id) if current_user.is_authenticated else None
    return (value.astimezone(tz) if tz else value).strftime(fmt)


@bp.app_context_processor
def shift_helpers() -> dict[str, object]:
    return {
        "status_label": lambda s: STATUS_LABELS[s],
        "visible_fields": visible_fields,
        "directions_url": directions_url,
    }


def _fail(err: Exception) -> None:
    db.session.rollback()
    flash(str(getattr(err, "message", err)), "error")


@bp.route("/board")
@volunteer_required
def board() -> str:
    person, now, form = me(), utcnow(), ActionForm()

    def render() -> tuple[str, datetime | None]:
        items = open_board(person, now)
        html = render_template(
            "shifts/_board_cards.html",
            items=items[:BOARD_SIZE],
            more=len(items) - BOARD_SIZE,
            hidden=FORM_FIELDS,
        )
        return html, min((i.first.starts_at for i in items), default=None)

    cards = board_cards(person, now, render).replace(FORM_FIELDS, form.hidden_tag())
    return render_template(
        "shifts/board.html", cards=Markup(cards), extras=board_items(person), form=form
    )


@bp.route("/<int:shift_id>/claim", methods=["POST"])
@volunteer_required
def claim(shift_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    begin_write(Shift)
    shift = get_shift_or_404(shift_id)
    try:
        ops.claim(shift, me(), current_user)
    except FieldError as err:
        _fail(err)
        return redirect(url_for("shifts.board"))
    db.session.commit()
    flash(_("Thank you! A coordinator will confirm it soon."), "success")
    return redirect(url_for("shifts.mine"))


@bp.route("/mine")
@volunteer_required
def mine() -> str:
    person, now, form = me(), utcnow(), ActionForm()
    # The feed token and the count of news came with the login (None: count afresh).
    kept = login_figures("feed_token", "shift_news")
    token = kept[0] if kept and kept[0] else feed_token(person.id)
    feed_url = external_url("shifts.feed", token=token)
    # A new feed token is committed before the page is read (a commit expires every row
    # loaded before it).
    commit_if_written(db.session())
    news = unread(current_user, SHIFT_NEWS) if kept is None or kept[1] else []

    def render() -> tuple[str, datetime | None]:
        cards = schedule.listed(person.id, now)
        html = render_template(
            "shifts/_schedule_cards.html", coming=cards.coming, lately=cards.lately,
            w=schedule.Words(org_tz(person.organisation_id)), hidden=FORM_FIELDS,
        )  # fmt: skip
        return html, cards.changes_at

    listed = schedule_cards(person, now, render).replace(FORM_FIELDS, form.hidden_tag())
    return render_template(
        "shifts/mine.html",
        cards=Markup(listed),
        news=news,
        feed_url=feed_url,
        subscribe=subscribe_links(feed_url),
        form=form,
    )


@bp.route("/mine/past")
@volunteer_required
def past() -> str:
    """The volunteer's earlier shifts, newest first, a page at a time."""
    page = schedule.past(me().id, utcnow(), request.args.get("page"))
    words = schedule.Words(org_tz(me().organisation_id))
    return render_template("shifts/past.html", page=page, w=words)


@bp.route("/notices/read", methods=["POST"])
@volunteer_required
def read_notices() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        now = utcnow()
        for message in unread(current_user, SHIFT_NEWS, limit=1000):
            message.read_at = now
        db.session.commit()
    return redirect(url_for("shifts.mine"))


@bp.route("/<int:shift_id>/confirm", methods=["POST"])
@volunteer_required
def confirm(shift_id: int) -> ResponseReturnValue:
    shift = get_my_shift_or_404(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        ops.confirm(shift, me(), current_user)
    except FieldError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("Confirmed. Thank you!"), "success")
    return redirect(url_for("shifts.mine"))


@bp.route("/<int:shift_id>/withdraw", methods=["POST"])
@volunteer_required
def withdraw(shift_id: int) -> ResponseReturnValue:
    shift = get_my_shift_or_404(shift_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("The reason is too long."), "error")
        return redirect(url_for("shifts.mine"))
    if not confirmed():  # asked once, on a page of its own (no JavaScript needed)
        try:
            return ask(questions.volunteer_withdraw(ops.check_withdraw(shift, me())))
        except FieldError as err:
            _fail(err)
            return redirect(url_for("shifts.mine"))
    try:
        ops.withdraw(shift, me(), current_user, form.reason.data or "withdrawn by volunteer")
    except FieldError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("You are no longer on this shift. The coordinator can see why."), "info")
    return redirect(url_for("shifts.mine"))


@bp.route("/<int:shift_id>/checkin", methods=["GET", "POST"])
@volunteer_required
def checkin(shift_id: int) -> ResponseReturnValue:
    form = CheckInForm()
    legs: list[Any]
    if form.is_submitted():
        legs = group_of(get_my_shift_or_404(shift_id))
    else:
        # The form shows the unit's times: its legs as rows, the check included.
        legs = my_legs_or_404(shift_id)
    tz = org_tz(legs[0].organisation_id)
    answers = None
    if not form.is_submitted():
        form.actual_start.data = legs[0].starts_at.astimezone(tz).time()
        form.actual_end.data = legs[-1].ends_at.astimezone(tz).time()
        answers = drawn_once("shifts/_checkin_answers.html", form=form)
    if form.validate_on_submit():
        day = legs[0].starts_at.astimezone(tz).date()
        end_day = legs[-1].ends_at.astimezone(tz).date()
        start = form.actual_start.data and datetime.combine(day, form.actual_start.data, tz)
        end = form.actual_end.data and datetime.combine(day, form.actual_end.data, tz)
        if start and end and end <= start and end_day > day:
            # A ride or visit planned past midnight: an end "before" the start is the
            # next day's (the form asks for times of day; any other such end is refused).
            end = datetime.combine(end_day, form.actual_end.data, tz)
        try:
            ops.check_in(
                legs[0],
                me(),
                current_user,
                mood=form.mood.data,
                resident_happy=form.resident_happy.data,
                worried=form.worried.data,
                note=form.note.data,
                actual_start=start,
                actual_end=end,
            )
        except FieldError as err:
            db.session.rollback()
            attach_errors(form, err)
        else:
            held = is_held(legs)
            db.session.commit()
            flash(_("Thank you for your note."), "success")
            if held:
                flash(
                    _(
                        "The times you gave are far from the planned ones, so a coordinator "
                        "will check them before your hours are credited."
                    ),
                    "info",
                )
            return redirect(url_for("shifts.mine"))
    return render_template("shifts/checkin.html", form=form, legs=legs, answers=answers)


@bp.route("/calendar/<token>.ics")
def feed(token: str) -> Response:

    row = db.session.query(CalendarToken).filter_by(token=token).one_or_none()
    if row is None:
        abort(404)
    body = calendar_for(row.person_id)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})


@bp.route("/calendar/reset", methods=["POST"])
@volunteer_required
def reset_feed() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        row = token_row(current_user.person_id)
        row.token = secrets.token_urlsafe(32)
        db.session.commit()
        flash(_("Your calendar link was changed. Subscribe again with the new one."), "info")
    return redirect(url_for("shifts.mine"))
