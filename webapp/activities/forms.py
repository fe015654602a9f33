"""Activity forms: they parse; the rules are in operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.activities.models import IncomeBand
from webapp.core.forms import NumberField
from webapp.shifts.forms import options

INCOME = options(
    [
        (IncomeBand.UNKNOWN.value, _l("Prefer not to say")),
        (IncomeBand.LOW.value, _l("Low")),
        (IncomeBand.MIDDLE.value, _l("Middle")),
        (IncomeBand.HIGH.value, _l("High")),
    ]
)


def _count(label: object, low: int = 0, default: int | None = None) -> NumberField:
    return NumberField(
        label, integer=True, default=default,
        validators=[InputRequired(message=_l("Enter a whole number.")), NumberRange(min=low)],
    )  # fmt: skip


class ActivityForm(FlaskForm):
    title = StringField(_l("Name of the activity"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What happens"), validators=[Optional(), Length(max=4000)])
    place_name = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address of the place"), validators=[InputRequired(), Length(max=300)])
    first_day = DateField(_l("Day (the first, for a series)"), validators=[InputRequired()])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    duration_minutes = _count(_l("Length in minutes"), 1, 120)
    sessions = _count(_l("Number of meetings (1 for a one-off day)"), 1, 1)
    every_days = _count(_l("Days between meetings"), 1, 14)
    capacity = _count(_l("Places"), 1, 10)
    helpers_needed = _count(_l("Volunteer helpers needed"), 0, 0)
    wheelchair_accessible = BooleanField(_l("The place is wheelchair accessible"))
    accessibility_note = StringField(
        _l("Accessibility notes"), validators=[Optional(), Length(max=300)]
    )
    applications_close = DateField(_l("Applications close on"), validators=[Optional()])
    weight_age = _count(_l("Points for age"), 0, 3)
    age_from = _count(_l("Age from which it counts"), 0, 75)
    weight_alone = _count(_l("Points for living alone"), 0, 3)
    weight_income = _count(_l("Points for a low income"), 0, 2)
    weight_outlying = _count(_l("Points for an outlying neighbourhood"), 0, 2)
    outlying = StringField(
        _l("Outlying neighbourhoods (separated by commas)"),
        validators=[Optional(), Length(max=1000)],
    )
    survey_months = _count(_l("Follow-up survey after (months)"), 0, 3)


class ApplyForm(FlaskForm):
    """The expression of interest: what the criteria read, and whether a ride is needed."""

    age = NumberField(_l("Age"), integer=True, validators=[Optional()])
    lives_alone = BooleanField(_l("Lives alone"))
    income = SelectField(_l("Income"), choices=INCOME, default=IncomeBand.UNKNOWN.value)
    needs_ride = BooleanField(_l("Needs a ride there and back"))
    wheelchair = BooleanField(_l("Travels in a wheelchair"))


class PhoneApplyForm(ApplyForm):
    person_id = SelectField(_l("Person"), coerce=int, choices=[], validators=[InputRequired()])


class SurveyForm(FlaskForm):
    note = TextAreaField(
        _l("What the survey found"), validators=[InputRequired(), Length(max=4000)]
    )


class EmptyForm(FlaskForm):
    pass
