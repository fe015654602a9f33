"""The coordinator's desk: the day's to-do list, "who is calling?", the resident's case
file with its actions, the phone list, alerts and duty. Own organisation only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from webapp.activities.queries import surveys_due
from webapp.audit import operations as audit
from webapp.auth.models import User
from webapp.core.dates import reader_date, reader_datetime
from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.core.navigation import add_nav
from webapp.core.paging import Page, page_number
from webapp.core.timeline import entries_for
from webapp.core.timeutil import at_local, today_local
from webapp.core.urls import link_around_id
from webapp.core.views import register_home
from webapp.db import utcnow
from webapp.desk import lists, operations, queries
from webapp.desk import timeline as _timeline  # noqa: F401  (registers the sources)
from webapp.desk.display import result_rows
from webapp.desk.figures import figures, rare_counts
from webapp.desk.forms import CallForm, EmptyForm, FollowUpForm, HandleForm
from webapp.desk.models import Direction, Outcome
from webapp.desk.timeline import mood_label, outcome_label, reason_label
from webapp.desk.wording import check_lines
from webapp.extensions import db
from webapp.orgs.settings import org_tz, settings_for
from webapp.people.access import get_person_or_404
from webapp.people.models import Person
from webapp.people.search import search
from webapp.people.vetting import credential_label
from webapp.permissions import coordinator_required, is_coordinator
from webapp.referrals import operations as referral_ops
from webapp.referrals import queries as referral_queries
from webapp.referrals import scales
from webapp.referrals.forms import AttendanceForm, PrescribeForm
from webapp.referrals.models import LonelinessMeasure
from webapp.requests.models import Priority, Request, RequestKind
from webapp.shifts.calendar_cache import calendar_part
from webapp.shifts.forms import options
from webapp.timebank.models import Account
from webapp.timebank.queries import format_minutes

bp = Blueprint("desk", __name__, url_prefix="/desk")

add_nav("desk.home", lambda: _l("Today's desk"), is_coordinator, order=1, group="desk")
add_nav("desk.alerts", lambda: _l("Alerts"), is_coordinator, order=2, group="desk")
add_nav("desk.calls", lambda: _l("To phone"), is_coordinator, order=3, group="desk")
add_nav("desk.find", lambda: _l("Find a person"), is_coordinator, order=20, group="people")
register_home("coordinator", "desk.home")


def _tz() -> ZoneInfo:
    return org_tz(current_user.organisation_id)


def _today() -> date:
    return today_local(_tz())


@bp.app_context_processor
def desk_helpers() -> dict[str, object]:
    def when(value: datetime | None) -> str:
        """ "Monday 7 December, 16:00" in the reader's language and the org's time zone;
        the year only when it is not this year (core/dates.py)."""
        if value is None or not getattr(current_user, "organisation_id", None):
            return ""
        return reader_datetime(value, _tz())

    def day(value: date) -> str:
        return reader_date(value)

    return {
        "desk_when": when,
        "desk_day": day,
        "outcome_label": outcome_label,
        "mood_label": mood_label,
        "reason_label": reason_label,
        "now_utc": utcnow,
        "credential_label": credential_label,
        "check_lines": check_lines,
    }


def _follow_up(form: CallForm | FollowUpForm) -> datetime | None:
    """The follow-up time from the form: a time alone is today; a day alone is 9:00."""
    day, moment = form.follow_up_date.data, form.follow_up_time.data
    if day is None and moment is None:
        return None
    return at_local(day or _today(), moment or time(9), _tz())


# --- home: the day's to-do list -----------------------------------------------------------


def _shift_lists(org_id: int, today: date) -> tuple[str, dict[str, int], datetime | None]:
    """The home's lists of shifts drawn, their counts, and when the soonest shift waiting
    for approval starts (it leaves its list then: the list is "from now on")."""
    bounded = lists.first_rows(org_id, today)
    html = render_template(
        "desk/_shift_lists.html", lists=bounded, shift_lists=lists.LISTS, list_title=lists.title
    )
    soonest = min((s.starts_at for s in bounded["approve"].rows), default=None)
    return html, {name: b.total for name, b in bounded.items()}, soonest


def _checks(org_id: int, today: date) -> tuple[str, int]:
    """The home's list of volunteers' checks drawn, and how many there are."""
    checks = queries.todo_checks(org_id, today)
    html = render_template(
        "desk/_checks.html", checks=checks, home_rows=lists.HOME_ROWS, shift_lists=lists.LISTS
    )
    return html, len(checks)


@bp.route("/")
@coordinator_required
def home() -> str:
    org_id = current_user.organisation_id
    today = _today()
    # With the stamp of the lists of shifts, under which the rarely changing counts are
    # kept too (held times, volunteers awaiting approval).
    counted = figures(
        org_id,
        today,
        kept=lambda stamp: calendar_part(
            ("desk counts",), lambda: rare_counts(org_id), read_stamp=stamp
        ),
    )
    # The lists of shifts are most of the page's work, and change only with the shifts
    # (shifts/calendar_cache.py); the rest of the to-do list, but for the checks, is read
    # at each view.
    html, totals, _soonest = calendar_part(
        ("desk", today),
        lambda: _shift_lists(org_id, today),
        until=lambda kept: kept[2],
        read_stamp=counted.calendar_stamp,
    )
    # The volunteers' checks change with their checks, profiles and names, each of which
    # moves the same stamp (shifts/candidate_marks.py), and with the day (in the key).
    checks_html, checks = calendar_part(
        ("desk checks", today), lambda: _checks(org_id, today), read_stamp=counted.calendar_stamp
    )
    shifts = {name: lists.Bounded([], total) for name, total in totals.items()}
    todo = queries.todo(org_id, today, shifts, counted, checks=checks)
    return render_template(
        "desk/home.html",
        todo=todo,
        shift_lists_html=Markup(html),
        checks_html=Markup(checks_html),
        on_duty=todo.figures.on_duty,
        # (building a form costs more than a row: only for the alerts' cards, if any)
        handle_form=HandleForm(formdata=None) if todo.figures.alerts else None,
        today=today,
        home_rows=lists.HOME_ROWS,
        shift_lists=lists.LISTS,
        list_title=lists.title,
    )


# The desk's lists whose rows come from another feature's query, whole: they are short
# (dozens, where the shift lists run to hundreds), so they are paged here in Python.
_OTHER_LISTS: dict[str, tuple[Callable[[int, date], list[Any]], Callable[[], str]]] = {
    "remeasure": (referral_queries.remeasure_due, lambda: _("Loneliness to measure again")),
    "checks": (queries.todo_checks, lambda: _("Volunteers' checks")),
    "surveys": (surveys_due, lambda: _("Follow-up surveys due")),
}


@bp.route("/todo")
@coordinator_required
def todo_list() -> str:
    """One of the home's lists whole, a page at a time (the home shows its first rows)."""
    name = request.args.get("list", "")
    org_id, today = current_user.organisation_id, _today()
    if name in lists.LISTS:
        page = lists.page_of(name, org_id, today, request.args.get("page"))
        title = lists.title(name)
    elif name in _OTHER_LISTS:
        every, title_of = _OTHER_LISTS[name]
        items = every(org_id, today)
        number = page_number(request.args.get("page"), len(items), lists.PAGE_ROWS)
        start = (number - 1) * lists.PAGE_ROWS
        page = Page(items[start : start + lists.PAGE_ROWS], len(items), number, lists.PAGE_ROWS)
        title = title_of()
    else:
        abort(404)
    return render_template(
        "desk/todo_list.html", name=name, title=title, page=page, today=today,
        shift_lists=lists.LISTS,
    )  # fmt: skip


@bp.route("/duty", methods=["POST"])
@coordinator_required
def take_duty() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.take_duty(current_user)
    db.session.commit()
    flash(_("You are on duty: new alerts come to you."), "success")
    return redirect(url_for("desk.home"))


# --- finding someone ----------------------------------------------------------------------


@bp.route("/find")
@coordinator_required
def find() -> ResponseReturnValue:
    """Search by name, phone (any format) or address. One match opens the case file
    (the usual phone call); ``fragment=1`` returns the results alone (typeahead)."""
    q = (request.args.get("q") or "").strip()[:100]
    page_no = request.args.get("page", "1")
    page = search(
        current_user.organisation_id, q, page=int(page_no) if page_no.isdigit() else 1,
        brief=True,
    ) if q else None  # fmt: skip
    if page and page.total == 1 and not request.args.get("fragment"):
        return redirect(url_for("desk.case_file", person_id=page.people[0].id))
    template = "desk/_results.html" if request.args.get("fragment") else "desk/find.html"
    case_url = link_around_id("desk.case_file", "person_id")
    return render_template(template, q=q, page=page, case_url=case_url, result_rows=result_rows)


# --- the case file ------------------------------------------------------------------------


def _balance(person: Person) -> str | None:
    account = db.session.scalar(sa.select(Account).where(Account.person_id == person.id))
    return format_minutes(account.balance) if account else None


def _suggested_priority(measures: list[LonelinessMeasure]) -> int | None:
    """High priority for the requests of someone whose latest measure is high risk."""
    if not measures:
        return None
    last = measures[0]
    risk = scales.risk_level(last.score, last.direct, last.risk_factors)
    return Priority.HIGH.value if risk.level == "high" else None


def _prescribe_form(org_id: int) -> PrescribeForm:
    form = PrescribeForm(formdata=None)
    form.activity_id.choices = options(
        [("", _("Choose")), *((str(a.id), a.name) for a in referral_queries.activities(org_id))]
    )
    return form


def _case_file(person: Person, **forms: Any) -> str:
    call_form = forms.get("call_form") or CallForm(formdata=None)
    measures = referral_queries.measures_for(person.id)
    follow_form = forms.get("follow_form") or FollowUpForm(formdata=None)
    return render_template(
        "desk/case_file.html",
        person=person,
        entries=entries_for(person),
        call_form=call_form,
        follow_form=follow_form,
        handle_form=forms.get("handle_form") or HandleForm(formdata=None),
        open_alerts=queries.open_alerts(person.organisation_id, person.id),
        follow_ups=operations.open_follow_ups(person.id),
        to_read=operations.phone_messages(person.id),
        balance=_balance(person),
        consent_taker=_consent_taker(person),
        rides_again=_recent_destinations(person),
        referrals=[
            (r, referral_queries.first_booked(person.id, r.created_at))
            for r in referral_queries.for_person(person.id)
        ],  # fmt: skip
        measures=measures,
        suggested_priority=_suggested_priority(measures),
        prescriptions=referral_queries.prescriptions_for(person.id),
        prescribe_form=_prescribe_form(person.organisation_id),
        attendance_form=AttendanceForm(formdata=None),
        remeasure_months=settings_for(person.organisation_id).remeasure_months,
    )


def _recent_destinations(person: Person, limit: int = 3) -> list[Request]:
    """The resident's latest ride to each of their usual places, newest first: "the
    hospital again" prefilled from the last ride there."""
    rides = db.session.scalars(
        sa.select(Request)
        .where(Request.resident_id == person.id, Request.kind == RequestKind.RIDE)
        .order_by(Request.created_at.desc(), Request.id.desc())
        .limit(30)
    )
    seen: dict[tuple[str, str], Request] = {}
    for ride in rides:
        key = ((ride.destination_name or "").lower(), (ride.destination_address or "").lower())
        seen.setdefault(key, ride)
    return list(seen.values())[:limit]


def _consent_taker(person: Person) -> str | None:
    recorded_by = person.resident.consent_recorded_by_id if person.resident else None
    user = db.session.get(User, recorded_by) if recorded_by else None
    return user.email if user else None


@bp.route("/people/<int:person_id>")
@coordinator_required
def case_file(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    audit.viewed(current_user, person.id, person.organisation_id, "case_file")
    page = _case_file(person)
    db.session.commit()
    return page


@bp.route("/people/<int:person_id>/calls", methods=["POST"])
@coordinator_required
def log_call(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = CallForm()
    back = request.form.get("back")
    if form.validate_on_submit():
        try:
            contact = operations.log_contact(
                person,
                current_user,
                outcome=Outcome(form.outcome.data),
                note=form.note.data,
                direction=Direction(form.direction.data),
                follow_up_at=_follow_up(form),
                told_messages=form.told_messages.data,
            )
            # A call that reached them is the first contact of their new referrals.
            referral_ops.contact_made(person, contact.at, contact.outcome == Outcome.REACHED)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Call recorded for %(name)s.", name=person.full_name), "success")
            if back == "calls":
                return redirect(url_for("desk.calls"))
            return redirect(url_for("desk.case_file", person_id=person.id))
    return _case_file(person, call_form=form)


@bp.route("/people/<int:person_id>/follow-up", methods=["POST"])
@coordinator_required
def follow_up(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = FollowUpForm()
    if form.validate_on_submit():
        when = _follow_up(form)
        try:
            if when is None:
                raise FieldError("follow_up_date", _("Give the day."))
            operations.set_follow_up(person, current_user, when, form.note.data)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Follow-up set."), "success")
            return redirect(url_for("desk.case_file", person_id=person.id))
    return _case_file(person, follow_form=form)


# --- the phone list -----------------------------------------------------------------------


@bp.route("/calls")
@coordinator_required
def calls() -> str:
    return render_template(
        "desk/calls.html",
        calls=queries.calls_for(current_user.organisation_id, _today()),
        form=CallForm(formdata=None),
        today=_today(),
    )
