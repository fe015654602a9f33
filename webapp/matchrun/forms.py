"""Forms of the matcher pages: they parse; operations enforce the rules."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from webapp.matchrun.models import RunScope


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


class RunForm(FlaskForm):
    date_from = DateField(
        _l("First day"),
        validators=[InputRequired()],
        default=lambda: date.today() + timedelta(days=1),
    )
    date_to = DateField(
        _l("Last day"),
        validators=[InputRequired()],
        default=lambda: _next_monday() + timedelta(days=6),
    )
    scope = RadioField(
        _l("What to match"),
        choices=[
            SelectChoice(RunScope.VISITS.value, _l("Home visits")),
            SelectChoice(RunScope.RIDES.value, _l("Rides")),
            SelectChoice(RunScope.BOTH.value, _l("Both")),
        ],
        default=RunScope.VISITS.value,
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Propose matches"))
