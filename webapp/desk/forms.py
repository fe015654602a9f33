"""Desk forms: they parse; the rules are in operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from webapp.desk.models import Direction, Outcome
from webapp.shifts.forms import options

OUTCOMES = options(
    [
        (Outcome.REACHED.value, _l("Reached")),
        (Outcome.NO_ANSWER.value, _l("No answer")),
        (Outcome.BUSY.value, _l("Line busy")),
        (Outcome.MESSAGE_LEFT.value, _l("Message left")),
        (Outcome.WRONG_NUMBER.value, _l("Wrong number")),
        (Outcome.NOTE.value, _l("Note (no call)")),
    ]
)
DIRECTIONS = options(
    [(Direction.OUT.value, _l("We called")), (Direction.IN.value, _l("They called"))]
)


class CallForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=OUTCOMES)
    direction = SelectField(_l("Who called"), choices=DIRECTIONS)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    follow_up_date = DateField(_l("Call again on (empty: today)"), validators=[Optional()])
    follow_up_time = TimeField(_l("Call again at"), validators=[Optional()])
    told_messages = BooleanField(_l("The messages waiting for them were read out"))


class FollowUpForm(FlaskForm):
    follow_up_date = DateField(_l("Follow up on"), validators=[InputRequired()])
    follow_up_time = TimeField(_l("At"), validators=[Optional()])
    note = StringField(_l("What for"), validators=[Optional(), Length(max=300)])


class HandleForm(FlaskForm):
    outcome = TextAreaField(
        _l("What was done"), validators=[InputRequired(message=_l("Say what was done.")),
                                         Length(max=2000)],
    )  # fmt: skip


class EmptyForm(FlaskForm):
    pass
