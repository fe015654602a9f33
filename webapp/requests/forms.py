"""Request forms: two short ones for residents, one full one for coordinators on the phone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.requests.models import RidePurpose
from webapp.shifts.forms import options

DAY_NAMES = {
    0: _l("Monday"),
    1: _l("Tuesday"),
    2: _l("Wednesday"),
    3: _l("Thursday"),
    4: _l("Friday"),
    5: _l("Saturday"),
    6: _l("Sunday"),
}
WEEKDAYS = options(DAY_NAMES.items())
PURPOSES = options(
    [
        (RidePurpose.MEDICAL.value, _l("Doctor or hospital")),
        (RidePurpose.PHARMACY.value, _l("Pharmacy")),
        (RidePurpose.SHOPPING.value, _l("Shopping")),
        (RidePurpose.BANK.value, _l("Bank or post office")),
        (RidePurpose.ADMINISTRATION.value, _l("Town hall or other office")),
        (RidePurpose.SOCIAL.value, _l("Seeing friends or family")),
        (RidePurpose.OTHER.value, _l("Something else")),
    ]
)
PARTS_OF_DAY = options(
    [
        ("morning", _l("Morning (9:00-12:00)")),
        ("afternoon", _l("Afternoon (15:00-18:00)")),
    ]
)
REQUIRED = _l("Please fill this in.")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ResidentVisitForm(FlaskForm):
    start_date = DateField(_l("Which day?"), validators=[InputRequired(message=REQUIRED)])
    part_of_day = SelectField(_l("What time of day?"), choices=PARTS_OF_DAY)
    recurring = BooleanField(_l("Every week"))
    end_date = DateField(_l("Until"), validators=[Optional()])
    notes = TextAreaField(
        _l("Anything we should know? (optional)"), validators=[Optional(), Length(max=1000)]
    )


class ResidentRideForm(FlaskForm):
    start_date = DateField(_l("Which day?"), validators=[InputRequired(message=REQUIRED)])
    appointment_time = TimeField(
        _l("At what time is your appointment?"), validators=[InputRequired(message=REQUIRED)]
    )
    destination_name = StringField(
        _l("Where to? (for example Ospedale Veneziale)"), validators=[Optional(), Length(max=200)]
    )
    destination_address = StringField(
        _l("Address"), validators=[InputRequired(message=REQUIRED), Length(max=300)]
    )
    purpose = SelectField(_l("What for?"), choices=PURPOSES)
    return_wanted = BooleanField(_l("I also need a ride back home"), default=True)
    return_time = TimeField(_l("Ride back at"), validators=[Optional()])
    wheelchair = BooleanField(_l("I use a wheelchair"))
    escort = BooleanField(_l("Please walk me to the reception desk"))
    notes = TextAreaField(
        _l("Note for the driver (optional)"), validators=[Optional(), Length(max=1000)]
    )


class CoordinatorRequestForm(FlaskForm):
    """Everything on one page, in the order a phone call goes."""

    resident = SelectField(_l("Resident"), coerce=int, validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"), choices=options([("visit", _l("Home visit")), ("ride", _l("Ride"))])
    )
    start_date = DateField(_l("Date (first date)"), validators=[InputRequired(message=REQUIRED)])
    recurring = BooleanField(_l("Repeats every week"))
    end_date = DateField(_l("Repeat until"), validators=[Optional()])
    # visit
    weekdays = MultiCheckboxField(_l("Days that suit"), coerce=int, choices=WEEKDAYS)
    window_start = TimeField(_l("Window from"), validators=[Optional()])
    window_end = TimeField(_l("Window until"), validators=[Optional()])
    duration_minutes = IntegerField(
        _l("Visit length (minutes)"), default=60, validators=[Optional(), NumberRange(-10000, 600)]
    )
    two_volunteers = BooleanField(_l("Two volunteers"))
    languages = StringField(
        _l("Languages (comma separated)"), validators=[Optional(), Length(max=100)]
    )
    gender_preference = SelectField(
        _l("Visitor's gender"),
        choices=options([("", _l("No preference")), ("female", _l("Woman")), ("male", _l("Man"))]),
        default="",
    )
    interests = StringField(
        _l("Interests (comma separated)"), validators=[Optional(), Length(max=300)]
    )
    # ride
    appointment_time = TimeField(_l("Appointment time"), validators=[Optional()])
    pickup_address = StringField(
        _l("Pickup (empty: the resident's home)"), validators=[Optional(), Length(max=300)]
    )
    destination_name = StringField(_l("Destination name"), validators=[Optional(), Length(max=200)])
    destination_address = StringField(
        _l("Destination address"), validators=[Optional(), Length(max=300)]
    )
    purpose = SelectField(_l("Purpose"), choices=PURPOSES)
    return_wanted = BooleanField(_l("Return ride"))
    stay_minutes = IntegerField(
        _l("Stay (minutes)"), validators=[Optional(), NumberRange(-10000, 1440)]
    )
    return_time = TimeField(_l("or return at"), validators=[Optional()])
    passengers = IntegerField(
        _l("Passengers"), default=1, validators=[Optional(), NumberRange(1, 8)]
    )
    wheelchair = BooleanField(_l("Wheelchair"))
    escort = BooleanField(_l("Escort to the reception desk"))
    notes = TextAreaField(_l("Notes for the volunteer"), validators=[Optional(), Length(max=1000)])
    override_reason = StringField(
        _l("Urgent: reason to book inside the minimum notice"),
        validators=[Optional(), Length(max=300)],
    )


class CoordinatorChangeForm(CoordinatorRequestForm):
    """The same form for changing when or where: who it is for and its kind stay."""

    resident = None
    kind = None


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])


class NotesForm(FlaskForm):
    """Changes that keep the shifts; volunteers already booked are told."""

    notes = TextAreaField(_l("Notes for the volunteer"), validators=[Optional(), Length(max=1000)])
    wheelchair = BooleanField(_l("Wheelchair"))
    escort = BooleanField(_l("Escort to the reception desk"))


class SettingsForm(FlaskForm):
    min_notice_days = IntegerField(
        _l("Minimum booking notice (days)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(0, 60)],
    )
    horizon_weeks = IntegerField(
        _l("Plan recurring requests ahead (weeks)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(1, 26)],
    )
    travel_speed_kmh = IntegerField(
        _l("Average travel speed in town (km/h)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(5, 120)],
    )
