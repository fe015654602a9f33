"""Forms of the privacy pages: they parse, the operations decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SubmitField
from wtforms.validators import DataRequired, NumberRange, Optional


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: this cannot be undone"),
        [DataRequired(message=_l("Tick the box to confirm the erasure."))],
    )
    submit = SubmitField(_l("Erase this person's data"))


class WithdrawForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, withdraw my consent"),
        [DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Withdraw consent"))


class ConsentForm(FlaskForm):
    """A coordinator records consent given or withdrawn (on the phone, on paper)."""

    action = RadioField(
        _l("Consent"),
        choices=[SelectChoice("give", _l("Given")), SelectChoice("withdraw", _l("Withdrawn"))],
        validators=[DataRequired(message=_l("Choose given or withdrawn."))],
    )
    method = RadioField(
        _l("How"),
        choices=[SelectChoice("phone", _l("By phone")), SelectChoice("paper", _l("On paper"))],
        default="phone",
        validators=[Optional()],
    )
    submit = SubmitField(_l("Record"))


class RetentionForm(FlaskForm):
    inactive_resident_months = IntegerField(
        _l("Erase residents inactive for (months)"),
        [
            Optional(),
            NumberRange(min=6, max=120, message=_l("Between 6 and 120 months, or empty to keep.")),
        ],
    )
    message_days = IntegerField(
        _l("Delete sent messages after (days)"),
        [
            Optional(),
            NumberRange(
                min=30, max=3650, message=_l("Between 30 and 3650 days, or empty to keep.")
            ),
        ],
    )
    submit = SubmitField(_l("Save the policy"))
