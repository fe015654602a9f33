"""Time-bank pages: a member's account and the coordinator's overview."""

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

from webapp.core.forms import BlankForm, attach_errors, drawn_once, form_or_blank
from webapp.core.navigation import add_nav
from webapp.core.urls import link_around_id
from webapp.db import commit_if_written
from webapp.extensions import db
from webapp.people.access import get_person_or_404
from webapp.people.models import Person
from webapp.people.search import search
from webapp.permissions import coordinator_required, is_coordinator, is_member, member_required
from webapp.timebank import operations as ops
from webapp.timebank import overview, partners, queries, tokens
from webapp.timebank.accounts import account_for, chest
from webapp.timebank.display import named_rows, recent_rows, statement_html
from webapp.timebank.errors import LedgerError, _
from webapp.timebank.forms import DonationForm, ExportForm, GrantForm, ReverseForm, TokenForm
from webapp.timebank.kept import CoordinatorLists, MemberParts, coordinator_lists, member_parts
from webapp.timebank.statements import StatementLine, statement, statement_page

bp = Blueprint("timebank", __name__, url_prefix="/timebank")

add_nav("timebank.member", lambda: _l("My hours"), is_member, order=40)
add_nav("timebank.coordinator", lambda: _l("Time bank"), is_coordinator, order=60, group="timebank")

# operation field -> form field
_FIELDS = {
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


def _today() -> date:
    return date.today()


def _month_start() -> date:
    return _today().replace(day=1)


def _send_csv(body: str, filename: str) -> Response:
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
    found = queries.summary(person, _month_start(), current_user.id)
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
            service_date=_today(),
            reason=form.reason.data,
        )
    except LedgerError as error:
        db.session.rollback()
        attach_errors(form, error, aliases=_FIELDS)
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
    return _send_csv(body, f"ponte-statement-{_today().isoformat()}.csv")


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


# Coordinators ----------------------------------------------------------------------------


# Members listed by the page's "find a member" box: a name is usually enough.
FOUND_MEMBERS = 10


def _coordinator_page(
    reverse_form: ReverseForm | None = None, status: int = 200
) -> tuple[str, int]:
    org_id = current_user.organisation_id
    month = _month_start()
    # The stamp first, then the lists: a transfer committed in between makes them newer
    # than their key, never older. After a POST, drawn afresh.
    totals, stamp, the_chest, policy = overview.page_head(org_id, month)
    # Grants are made on the member's account page, found here by name or phone: the
    # page no longer lists the whole roster (10,000 members in a city) in a select.
    member_q = (request.args.get("member") or "").strip()[:100]
    found = search(org_id, member_q, size=FOUND_MEMBERS) if member_q else None
    reverse_form = reverse_form or form_or_blank(ReverseForm)
    today = _today()
    # Only drawn when its fields are (once a day per language): built only then.
    export_form = BlankForm(ExportForm, formdata=None, start=month, end=today)
    lists = coordinator_lists(
        current_user.organisation,
        stamp if request.method == "GET" else None,
        policy.near_limit_minutes,
        today,
        lambda: _coordinator_lists(org_id, month, policy.near_limit_minutes),
    )
    page = render_template(
        "timebank/coordinator.html",
        totals=totals,
        chest=the_chest,
        policy=policy,
        lists=lists,
        member_q=member_q,
        found=found,
        reverse_form=reverse_form,
        # A page drawn after a POST shows what was typed (and its errors). The export form
        # is never sent back: a GET download, a wrong range said here in a message.
        blank_reverse=(
            drawn_once("timebank/_reverse_fields.html", reverse_form=reverse_form)
            if request.method == "GET"
            else None
        ),
        export_form=export_form,
        export_fields=drawn_once(
            "timebank/_export_fields.html", varying=(month, today), export_form=export_form
        ),
    )
    db.session.commit()  # the chest may have just been opened
    return page, status


def _coordinator_lists(org_id: int, month: date, near_within: int) -> CoordinatorLists:
    """The coordinator's lists read and written (each a statement)."""
    person_url = link_around_id("timebank.person_account", "person_id")
    top = overview.top_accounts(org_id, month)
    return CoordinatorLists(
        given=named_rows(top["given"], person_url, False),
        received=named_rows(top["received"], person_url, False),
        near=named_rows(overview.near_limit(org_id, near_within), person_url, True),
        recent=recent_rows(overview.recent_transfers(org_id), kind_label),
    )


@bp.route("/coordinator")
@coordinator_required
def coordinator() -> ResponseReturnValue:
    return _coordinator_page()


@bp.route("/reverse", methods=["POST"])
@coordinator_required
def reverse() -> ResponseReturnValue:
    form = ReverseForm()
    if not form.validate_on_submit():
        return _coordinator_page(reverse_form=form, status=422)
    try:
        outcome = ops.reverse(
            transfer_id=form.transfer_id.data,
            organisation_id=current_user.organisation_id,
            actor_id=current_user.id,
            reason=form.reason.data,
            service_date=_today(),
            key=f"web:{current_user.id}:{form.request_id.data}",
        )
    except LedgerError as error:
        db.session.rollback()
        attach_errors(form, error, aliases=_FIELDS)
        return _coordinator_page(reverse_form=form, status=422)
    db.session.commit()
    if outcome.created:
        flash(_("Transfer %(n)s was reversed.", n=form.transfer_id.data), "success")
    else:
        flash(_("This reversal was already recorded."), "info")
    return redirect(url_for("timebank.coordinator"))


@bp.route("/export.csv")
@coordinator_required
def export_csv() -> ResponseReturnValue:
    form = ExportForm(request.args)
    if not form.validate() or form.end.data < form.start.data:
        flash(_("Choose a valid date range for the export: the end not before the start."), "error")
        return redirect(url_for("timebank.coordinator"))
    body = queries.export_csv(current_user.organisation_id, form.start.data, form.end.data)
    return _send_csv(body, f"ponte-transfers-{form.start.data}-{form.end.data}.csv")


def _account_page(
    person: Person, grant_form: GrantForm | None = None, status: int = 200
) -> tuple[str, int]:
    found = queries.summary(person, _month_start())
    page = render_template(
        "timebank/account.html",
        person=person,
        account=found.account,
        figures=found.figures,
        lines=statement_page(found.account, request.args.get("page"), total=found.lines),
        pager_args={"person_id": person.id, "_anchor": "statement-title"},
        grant_form=grant_form or GrantForm(),
        chest=chest(person.organisation_id),
    )
    commit_if_written(db.session())  # the account or the chest may have just been opened
    return page, status


@bp.route("/people/<int:person_id>")
@coordinator_required
def person_account(person_id: int) -> ResponseReturnValue:
    """A member's account as the coordinator sees it (residents without a login call in),
    with the form that grants them minutes from the chest."""
    return _account_page(get_person_or_404(person_id, current_user, manage=True))


@bp.route("/people/<int:person_id>/grant", methods=["POST"])
@coordinator_required
def grant(person_id: int) -> ResponseReturnValue:
    recipient = get_person_or_404(person_id, current_user, manage=True)
    form = GrantForm()
    if not form.validate_on_submit():
        return _account_page(recipient, grant_form=form, status=422)
    try:
        outcome = ops.grant(
            key=f"web:{current_user.id}:{form.request_id.data}",
            recipient=recipient,
            minutes=form.minutes.data,
            actor_id=current_user.id,
            service_date=_today(),
            reason=form.reason.data,
        )
    except LedgerError as error:
        db.session.rollback()
        attach_errors(form, error, aliases=_FIELDS)
        return _account_page(recipient, grant_form=form, status=422)
    db.session.commit()
    if outcome.created:
        flash(
            _(
                "%(time)s granted to %(name)s.",
                time=queries.format_minutes(form.minutes.data),
                name=recipient.full_name,
            ),
            "success",
        )
    else:
        flash(_("This grant was already recorded."), "info")
    return redirect(url_for("timebank.person_account", person_id=recipient.id))


@bp.route("/people/<int:person_id>/statement.csv")
@coordinator_required
def person_statement_csv(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    body = queries.statement_csv(statement(account_for(person)))
    db.session.commit()
    return _send_csv(body, f"ponte-statement-{person.id}-{_today().isoformat()}.csv")
