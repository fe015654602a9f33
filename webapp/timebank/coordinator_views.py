"""Time-bank pages for coordinators: the organisation's overview (its figures, the chest,
the month's biggest givers and receivers, the accounts near their limit, the latest
transfers, a reversal, an export) and a member's account, with grants from the chest.
They attach to the time bank's blueprint (``views.py``)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.core.forms import BlankForm, attach_errors, drawn_once, form_or_blank
from webapp.core.urls import link_around_id
from webapp.db import commit_if_written
from webapp.extensions import db
from webapp.people.access import get_person_or_404
from webapp.people.models import Person
from webapp.people.search import search
from webapp.permissions import coordinator_required
from webapp.timebank import operations as ops
from webapp.timebank import overview, queries, views
from webapp.timebank.accounts import account_for, chest
from webapp.timebank.display import named_rows, recent_rows
from webapp.timebank.errors import LedgerError, _
from webapp.timebank.forms import ExportForm, GrantForm, ReverseForm
from webapp.timebank.kept import CoordinatorLists, coordinator_lists
from webapp.timebank.statements import statement, statement_page
from webapp.timebank.views import FIELDS, bp, kind_label, month_start, send_csv

# Members listed by the page's "find a member" box: a name is usually enough.
FOUND_MEMBERS = 10


def _coordinator_page(
    reverse_form: ReverseForm | None = None, status: int = 200
) -> tuple[str, int]:
    org_id = current_user.organisation_id
    month = month_start()
    # The stamp first, then the lists: a transfer committed in between makes them newer
    # than their key, never older. After a POST, drawn afresh.
    totals, stamp, the_chest, policy = overview.page_head(org_id, month)
    # Grants are made on the member's account page, found here by name or phone: the
    # page no longer lists the whole roster (10,000 members in a city) in a select.
    member_q = (request.args.get("member") or "").strip()[:100]
    found = search(org_id, member_q, size=FOUND_MEMBERS) if member_q else None
    reverse_form = reverse_form or form_or_blank(ReverseForm)
    today = views.today()
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
            service_date=views.today(),
            key=f"web:{current_user.id}:{form.request_id.data}",
        )
    except LedgerError as error:
        db.session.rollback()
        attach_errors(form, error, aliases=FIELDS)
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
    return send_csv(body, f"ponte-transfers-{form.start.data}-{form.end.data}.csv")


def _account_page(
    person: Person, grant_form: GrantForm | None = None, status: int = 200
) -> tuple[str, int]:
    found = queries.summary(person, month_start())
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
            service_date=views.today(),
            reason=form.reason.data,
        )
    except LedgerError as error:
        db.session.rollback()
        attach_errors(form, error, aliases=FIELDS)
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
    return send_csv(body, f"ponte-statement-{person.id}-{views.today().isoformat()}.csv")
