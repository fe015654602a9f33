"""The coordinator's alerts: the open ones a page at a time, closing one with what was
done, taking one on (the desk's blueprint, ``desk/views.py``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.errors import FieldError
from webapp.desk import operations, queries
from webapp.desk.forms import EmptyForm, HandleForm
from webapp.desk.models import Alert
from webapp.desk.views import bp
from webapp.extensions import db
from webapp.permissions import coordinator_required, get_in_org_or_404


@bp.route("/alerts")
@coordinator_required
def alerts() -> str:
    return render_template(
        "desk/alerts.html",
        alerts=queries.alert_page(current_user.organisation_id, request.args.get("page")),
        handle_form=HandleForm(formdata=None),
        form=EmptyForm(),
        on_duty=operations.on_duty(current_user.organisation_id),
    )


@bp.route("/alerts/<int:alert_id>/handled", methods=["POST"])
@coordinator_required
def alert_handled(alert_id: int) -> ResponseReturnValue:
    alert = get_in_org_or_404(Alert, alert_id, current_user)
    form = HandleForm()
    if form.validate_on_submit():
        try:
            operations.handle_alert(alert, current_user, form.outcome.data)
        except FieldError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Alert closed: %(name)s.", name=alert.person.full_name), "success")
    else:
        flash(_("Say what was done before closing the alert."), "error")
    target = request.form.get("back")
    if target == "home":
        return redirect(url_for("desk.home"))
    if target == "file":
        return redirect(url_for("desk.case_file", person_id=alert.person_id))
    return redirect(url_for("desk.alerts"))


@bp.route("/alerts/<int:alert_id>/take", methods=["POST"])
@coordinator_required
def take_alert(alert_id: int) -> ResponseReturnValue:
    alert = get_in_org_or_404(Alert, alert_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.take_alert(alert, current_user)
    db.session.commit()
    flash(_("The alert is yours."), "success")
    return redirect(url_for("desk.alerts", _anchor=f"alert-{alert.id}"))
