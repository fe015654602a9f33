"""Forms parse input; the operations enforce the ledger's rules."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.core.forms import QuickSelect, id_range


def _new_request_id() -> str:
    return uuid.uuid4().hex


class _Idempotent(FlaskForm):
    # A fresh id per rendered form: a double submit (or a retry after a lost response)
    # finds the first transfer instead of making a second one.
    # A label of its own (never shown): without one WTForms makes a default label through
    # its own catalogue, which Flask-WTF loads from disk once per request (0.4 ms a page).
    request_id = HiddenField(
        "", default=_new_request_id, validators=[DataRequired(), Length(max=100)]
    )


class DonationForm(_Idempotent):
    # A long-serving volunteer exchanged time with a hundred people and more.
    recipient = SelectField(
        _l("Give to"), coerce=str, validators=[InputRequired()], widget=QuickSelect()
    )
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            InputRequired(_l("Enter a number of minutes.")),
            NumberRange(min=1, message=_l("At least one minute.")),
        ],
    )
    reason = StringField(_l("Message (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Donate"))


class GrantForm(_Idempotent):
    # On the member's own account page: the coordinator finds the member first (a list
    # of every member was 10,000 options in a city) and sees their balance as they grant.
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            InputRequired(_l("Enter a number of minutes.")),
            NumberRange(min=1, message=_l("At least one minute.")),
        ],
    )
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Say why the chest pays.")), Length(max=500)]
    )
    submit = SubmitField(_l("Grant from the chest"))


class ReverseForm(_Idempotent):
    transfer_id = IntegerField(
        _l("Transfer number"),
        validators=[InputRequired(_l("Enter the transfer number.")), id_range],
    )
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Say why it is reversed.")), Length(max=500)]
    )
    submit = SubmitField(_l("Reverse"))


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the device"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create a token"))


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download, changes nothing

    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])
    submit = SubmitField(_l("Download CSV"))
