"""Time-bank pages: a member's account (the coordinator's: ``coordinator_views.py``)."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from webapp.core.forms import attach_errors, drawn_once, form_or_blank
from webapp.core.navigation import add_nav
from webapp.db import commit_if_written
from webapp.extensions import db
from webapp.people.models import Person
from webapp.permissions import is_coordinator, is_member, member_required
from webapp.timebank import operations as ops
from webapp.timebank import partners, queries, tokens
from webapp.timebank.accounts import account_for
from webapp.timebank.display import statement_html
from webapp.timebank.errors import LedgerError, _
from webapp.timebank.forms import DonationForm, TokenForm
from webapp.timebank.kept import MemberParts, member_parts
from webapp.timebank.statements import StatementLine, statement, statement_page

bp = Blueprint("timebank", __name__, url_prefix="/timebank")

add_nav("timebank.member", lambda: _l("My hours"), is_member, order=40)
add_nav("timebank.coordinator", lambda: _l("Time bank"), is_coordinator, order=60, group="timebank")

# operation field -> form field
FIELDS = {
    "amount": "minutes",
    "minutes": "minutes",
    "recipient": "recipient",
    "reason": "reason",
    "transfer": "transfer_id",
    "account": "recipient",
}


_KIND_LABELS = {
    "visit": _l("Visit"),
    "ride": _l("Ride"),
    "donation": _l("Donation"),
    "grant": _l("Grant from the chest"),
    "adjustment": _l("Adjustment"),
    "reversal": _l("Reversal"),
}


def kind_label(kind: str) -> str:
    return str(_KIND_LABELS.get(kind, kind))


def _statement_html(lines: list[StatementLine]) -> Markup:
    return statement_html(lines, kind_label)


@bp.app_context_processor
def _inject() -> dict[str, object]:
    return {
        "kind_label": kind_label,
        "statement_html": _statement_html,
    }


@bp.app_template_filter("minutes")
def minutes_filter(value: int) -> str:
    return queries.format_minutes(int(value or 0))


def today() -> date:
    """The day transfers are dated, and the month's figures counted, by (a seam for tests)."""
    return date.today()


def month_start() -> date:
    return today().replace(day=1)


def send_csv(body: str, filename: str) -> Response:
    return Response(
        "\ufeff" + body,  # a BOM so spreadsheet programs read accents right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _member_page(
    form: DonationForm | None = None,
    token_form: TokenForm | None = None,
    new_token: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    person = current_user.person
    # The account, its figures, the statement's length, whether there are tokens to list
    # and the stamps of the kept statement and give-to list, in one statement.
    found = queries.summary(person, month_start(), current_user.id)
    asked = request.args.get("page")

    def draw() -> MemberParts:
        lines = statement_page(found.account, asked, total=found.lines)
        recipients = _recipients(person)
        return MemberParts(
            lines, _statement_html(lines.items), recipients, _recipient_field(recipients)
        )

    parts = member_parts(person, found, asked, draw)
    # A page drawn after a POST shows what was typed (and its errors): only a GET's forms
    # are blank, their fields drawn once (per language; the give-to list per member), and
    # not built for their hidden tags.
    blank = request.method == "GET"
    if form is None:
        form = form_or_blank(DonationForm)
        if not blank:
            form.recipient.choices = parts.recipients
    token_form = token_form or form_or_blank(TokenForm)
    commit_if_written(db.session())  # the account may have just been opened
    return render_template(
        "timebank/member.html",
        account=found.account,
        figures=found.figures,
        lines=parts.lines,
        rows=parts.rows,
        pager_args={"_anchor": "statement-title"},
        form=form,
        token_form=token_form,
        recipient_field=parts.recipient_field,
        blank_donation=drawn_once("timebank/_donation_fields.html", form=form) if blank else None,
        blank_token=(
            drawn_once("timebank/_token_fields.html", token_form=token_form) if blank else None
        ),
        tokens=tokens.listed_tokens(current_user) if found.live_tokens or new_token else [],
        new_token=new_token,
    ), status


def _recipients(person: Person) -> list[tuple[str, str]]:
    """The give-to list's choices: the chest, then the people ``person`` exchanged time
    with (read now)."""
    return [("chest", _("Community chest"))] + [
        (str(p.id), f"{p.first_name} {p.last_name[:1]}.") for p in partners.recipients(person)
    ]


def _recipient_field(recipients: list[tuple[str, str]]) -> Markup:
    """The give-to field of a blank donation form: its label and list, nothing chosen
    (a form of its own, so nothing typed into the page's form can be kept in it)."""
    blank = DonationForm(formdata=None, meta={"csrf": False})
    blank.recipient.choices = recipients
    return Markup(get_template_attribute("_forms.html", "field")(blank.recipient))


def _donation_form(person: Person) -> DonationForm:
    """The form a donation is checked with: its recipient among the list read now."""
    form = DonationForm()
    form.recipient.choices = _recipients(person)
    return form


@bp.route("/")
@member_required
def member() -> ResponseReturnValue:
    return _member_page()


@bp.route("/donate", methods=["POST"])
@member_required
def donate() -> ResponseReturnValue:
    person = current_user.person
    form = _donation_form(person)
    if not form.validate_on_submit():
        return _member_page(form=form, status=422)
    recipient = None
    if form.recipient.data != "chest":
        recipient = db.session.get(Person, int(form.recipient.data))
    try:
        outcome = ops.donate(
            key=f"web:{current_user.id}:{form.request_id.data}",
            donor=person,
            recipient=recipient,
            minutes=form.minutes.data,
            actor_id=current_user.id,
            service_date=today(),
            reason=form.reason.data,
        )
    except LedgerError as error:
        db.session.rollback()
        attach_errors(form, error, aliases=FIELDS)
        return _member_page(form=form, status=422)
    db.session.commit()
    if outcome.created:
        flash(
            _("Thank you: %(time)s donated.", time=queries.format_minutes(form.minutes.data)),
            "success",
        )
    else:
        flash(_("This donation was already recorded."), "info")
    return redirect(url_for("timebank.member"))


@bp.route("/statement.csv")
@member_required
def statement_csv() -> ResponseReturnValue:
    account = account_for(current_user.person)
    body = queries.statement_csv(statement(account))
    commit_if_written(db.session())  # (the account may have just been opened)
    return send_csv(body, f"ponte-statement-{today().isoformat()}.csv")


@bp.route("/tokens", methods=["POST"])
@member_required
def create_token() -> ResponseReturnValue:
    token_form = TokenForm()
    if not token_form.validate_on_submit():
        return _member_page(token_form=token_form, status=422)
    try:
        _row, secret = tokens.create_token(current_user, token_form.name.data)
    except LedgerError as error:
        db.session.rollback()
        token_form.name.errors = [error.message]
        return _member_page(token_form=token_form, status=422)
    db.session.commit()
    # Shown once, in this response only (never in a flash message, which lives in a cookie).
    return _member_page(new_token=secret)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@member_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    form = TokenForm()  # only for its CSRF check
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not tokens.revoke(current_user, token_id):
        abort(404)
    db.session.commit()
    flash(_("The token was revoked: apps using it are logged out."), "info")
    return redirect(url_for("timebank.member"))
