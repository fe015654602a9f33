from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from webapp.core.forms import record_id


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """Just the CSRF token, for one-button actions (claim, confirm, approve)."""


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class RequiredReasonForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(message=_l("Please give a short reason.")), Length(max=300)],
    )


MOODS = options(
    [
        ("good", _l("In good spirits")),
        ("ok", _l("As usual")),
        ("low", _l("Low or lonely")),
        ("unwell", _l("Unwell")),
    ]
)


class CheckInForm(FlaskForm):
    actual_start = TimeField(_l("Started at"), validators=[Optional()])
    actual_end = TimeField(_l("Finished at"), validators=[Optional()])
    mood = RadioField(
        _l("How did they seem?"),
        choices=MOODS,
        validators=[InputRequired(message=_l("Please choose one."))],
    )
    resident_happy = BooleanField(_l("They would like me to come again"))
    worried = BooleanField(_l("Something worries me"))
    note = TextAreaField(_l("Note for the coordinator"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    volunteer = SelectField(_l("Volunteer"), coerce=record_id, validators=[InputRequired()])
    replace = SelectField(_l("In place of"), coerce=record_id, validators=[Optional()])


class NoShowForm(FlaskForm):
    side = SelectField(
        _l("Who did not turn up?"),
        # No default: whoever records it says who (a default once blamed the resident).
        choices=options(
            [("", _l("Choose…")), ("resident", _l("The resident")),
             ("volunteer", _l("The volunteer"))]
        ),
        validators=[InputRequired(message=_l("Please say who did not turn up."))],
    )
    reason = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
