from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional


class PreferenceForm(FlaskForm):
    channel = RadioField(
        _l("How should we reach you?"),
        choices=[
            SelectChoice("email", _l("By e-mail")),
            SelectChoice("sms", _l("By text message (SMS)")),
            SelectChoice("in_app", _l("Only here, under the bell")),
        ],
        validators=[InputRequired(message=_l("Choose one way to reach you."))],
    )


class DayForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    day = DateField(_l("Day"), validators=[Optional()])


class EmptyForm(FlaskForm):
    """CSRF only (buttons that post)."""
