"""Request forms: two short ones for residents, one full one for coordinators on the phone."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.core.errors import FieldError
from webapp.core.forms import NumberField, id_range, record_id
from webapp.people.forms import INTERESTS, LANGUAGES
from webapp.requests.models import Priority, RidePurpose
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
PRIORITY_LABELS = {
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}
PRIORITIES = options((p.value, label) for p, label in PRIORITY_LABELS.items())
REQUIRED = _l("Please fill this in.")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ResidentVisitForm(FlaskForm):
    start_date = DateField(_l("Which day?"), validators=[InputRequired(message=REQUIRED)])
    # Shown once the first date was found to be more than a year ahead (asked once).
    confirm_far_date = BooleanField(_l("Yes, this date is right"))
    part_of_day = SelectField(_l("What time of day?"), choices=PARTS_OF_DAY)
    recurring = BooleanField(_l("Every week"))
    end_date = DateField(_l("Until"), validators=[Optional()])
    notes = TextAreaField(
        _l("Anything we should know? (optional)"), validators=[Optional(), Length(max=1000)]
    )


class ResidentRideForm(FlaskForm):
    start_date = DateField(_l("Which day?"), validators=[InputRequired(message=REQUIRED)])
    # Shown once the first date was found to be more than a year ahead (asked once).
    confirm_far_date = BooleanField(_l("Yes, this date is right"))
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

    # Chosen by search (name, phone, address): a radio among the matches, or a hidden
    # field once chosen (see templates/requests/_resident_picker.html).
    resident = IntegerField(
        _l("Resident"),
        validators=[InputRequired(message=_l("Find and choose the resident.")), id_range],
    )
    kind = SelectField(
        _l("Kind"), choices=options([("visit", _l("Home visit")), ("ride", _l("Ride"))])
    )
    start_date = DateField(_l("Date (first date)"), validators=[InputRequired(message=REQUIRED)])
    recurring = BooleanField(_l("Repeats every week"))
    end_date = DateField(_l("Repeat until"), validators=[Optional()])
    # visit
    weekdays = MultiCheckboxField(_l("Days that suit"), coerce=int, choices=WEEKDAYS)
    # The time for every chosen day; a day with its own ``day_<n>_start``/``day_<n>_end``
    # (added below the class) uses those instead.
    window_start = TimeField(_l("From (every chosen day)"), validators=[Optional()])
    window_end = TimeField(_l("Until (every chosen day)"), validators=[Optional()])
    duration_minutes = IntegerField(
        _l("Visit length (minutes)"), default=60, validators=[Optional(), NumberRange(-10000, 600)]
    )
    two_volunteers = BooleanField(_l("Two volunteers"))
    languages = MultiCheckboxField(
        _l("Languages: the visitor speaks at least one of these"),
        choices=LANGUAGES,
        default=[],
    )
    gender_preference = SelectField(
        _l("Visitor's gender"),
        choices=options([("", _l("No preference")), ("female", _l("Woman")), ("male", _l("Man"))]),
        default="",
    )
    interests = MultiCheckboxField(_l("Interests to share"), choices=INTERESTS, default=[])
    priority = RadioField(
        _l("Priority"), choices=PRIORITIES, coerce=int, default=Priority.NORMAL.value
    )
    # 0: none. The choices (the organisation's volunteers) are set by the view.
    preferred_volunteer = SelectField(
        _l("Preferred volunteer"), coerce=record_id, default=0, validate_choice=False
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
    # Only for a destination the town's list does not know: the pin on the map.
    destination_lat = NumberField(_l("Destination latitude"))
    destination_lon = NumberField(_l("Destination longitude"))
    purpose = SelectField(_l("Purpose"), choices=PURPOSES)
    # Most rides are there and back (door-through-door, the driver waits): ticked at first.
    return_wanted = BooleanField(_l("Return ride"), default=True)
    stay_minutes = IntegerField(
        _l("Stay (minutes)"), validators=[Optional(), NumberRange(-10000, 1440)]
    )
    return_time = TimeField(_l("or return at"), validators=[Optional()])
    passengers = IntegerField(
        _l("Passengers"), default=1, validators=[Optional(), NumberRange(1, 8)]
    )
    wheelchair = BooleanField(_l("Wheelchair"))
    escort = BooleanField(_l("Escort to the reception desk"))
    max_ride_minutes = IntegerField(
        _l("Longest time in the car (minutes, shared rides)"),
        validators=[Optional(), NumberRange(5, 240)],
    )
    notes = TextAreaField(_l("Notes for the volunteer"), validators=[Optional(), Length(max=1000)])
    override_reason = StringField(
        _l("Urgent: reason to book inside the minimum notice"),
        validators=[Optional(), Length(max=300)],
    )
    # Shown once a clash with the resident's other booking was named (requests/clashes.py).
    accept_clash = BooleanField(_l("Book it anyway"))
    # Shown once the first date was found to be more than a year ahead (asked once).
    confirm_far_date = BooleanField(_l("Yes, this date is right"))

    def day_times(self, weekday: int) -> tuple[Field, Field]:
        """The weekday's own from/until fields."""
        return self[f"day_{weekday}_start"], self[f"day_{weekday}_end"]

    def locate_error(self, name: str, error: FieldError) -> tuple[Field, str] | None:
        """A window's problem goes next to that day's own time, when it has one."""
        weekday = error.context.get("weekday")
        if weekday is None or not self.has_own_times(weekday):
            return None
        start, end = self.day_times(weekday)
        message = _("%(day)s: %(problem)s", day=DAY_NAMES[weekday], problem=error.errors[name])
        return (end if name == "window_end" else start), message

    def has_own_times(self, weekday: int) -> bool:
        return any(f.data is not None for f in self.day_times(weekday))

    def day_times_in_use(self) -> bool:
        """Some day has its own time, or something typed there to fix (shown open)."""
        return any(
            f.data is not None or f.errors or any(f.raw_data or [])
            for wd in DAY_NAMES
            for f in self.day_times(wd)
        )

    def weekly_windows(self) -> list[tuple[int, time, time]]:
        """The chosen weekdays with their times: a day's own times, else the time for
        every day. Raises ``FieldError`` on the field to fix (one at a time, like the
        operations); whether a window fits the visit is the operation's rule."""
        chosen = sorted(set(self.weekdays.data or []))
        own: dict[int, tuple[time, time]] = {}
        for wd, day in DAY_NAMES.items():
            start, end = self.day_times(wd)
            if start.data is None and end.data is None:
                continue
            if wd not in chosen:
                raise FieldError(
                    start.name if start.data is not None else end.name,
                    _l(
                        "%(day)s has its own time but is not ticked: tick %(day)s or clear "
                        "its time.",
                        day=day,
                    ),
                )
            if start.data is None or end.data is None:
                raise FieldError(
                    start.name if start.data is None else end.name,
                    _l(
                        "%(day)s: give both from and until, or neither to use the time for "
                        "every day.",
                        day=day,
                    ),
                )
            own[wd] = (start.data, end.data)
        common = (self.window_start.data, self.window_end.data)
        # Needed for a chosen day without its own time; half of it is a mistake anyway.
        needed = any(wd not in own for wd in chosen) or common != (None, None)
        if needed and None in common:
            raise FieldError(
                "window_end" if common[0] is not None else "window_start",
                _l("Give the window's start and end."),
            )
        return [(wd, *own.get(wd, common)) for wd in chosen]


def window_data(windows: list[tuple[int, time, time]]) -> dict[str, Any]:
    """Prefill for :meth:`CoordinatorRequestForm.weekly_windows` (its inverse): the time
    most days share (the earliest day's on a tie) for every day, and their own times for
    the others. The form holds one window per weekday: the earliest if there are more."""
    per_day: dict[int, tuple[time, time]] = {}
    for wd, start, end in sorted(windows):
        per_day.setdefault(wd, (start, end))
    if not per_day:
        return {"weekdays": []}
    times = list(per_day.values())
    common = max(times, key=lambda t: (times.count(t), -times.index(t)))
    data: dict[str, Any] = {
        "weekdays": sorted(per_day),
        "window_start": common[0],
        "window_end": common[1],
    }
    for wd, (start, end) in per_day.items():
        if (start, end) != common:
            data[f"day_{wd}_start"], data[f"day_{wd}_end"] = start, end
    return data


for _wd, _day in DAY_NAMES.items():
    # Optional: empty means "the time for every chosen day".
    setattr(
        CoordinatorRequestForm,
        f"day_{_wd}_start",
        TimeField(_l("%(day)s from", day=_day), validators=[Optional()]),
    )
    setattr(
        CoordinatorRequestForm,
        f"day_{_wd}_end",
        TimeField(_l("%(day)s until", day=_day), validators=[Optional()]),
    )


class CoordinatorChangeForm(CoordinatorRequestForm):
    """The same form for changing when or where: who it is for and its kind stay."""

    resident = None
    kind = None


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])


class NotesForm(FlaskForm):
    """Changes that keep the shifts; volunteers already booked are told (of the notes,
    wheelchair and escort; priority and the preferred volunteer are the coordinator's)."""

    notes = TextAreaField(_l("Notes for the volunteer"), validators=[Optional(), Length(max=1000)])
    wheelchair = BooleanField(_l("Wheelchair"))
    escort = BooleanField(_l("Escort to the reception desk"))
    priority = RadioField(
        _l("Priority"), choices=PRIORITIES, coerce=int, default=Priority.NORMAL.value
    )
    preferred_volunteer = SelectField(
        _l("Preferred volunteer"), coerce=record_id, default=0, validate_choice=False
    )


class MoveForm(FlaskForm):
    """One occurrence to another day or time; the series stays as it is."""

    date = DateField(_l("New date"), validators=[InputRequired(message=REQUIRED)])
    time = TimeField(_l("New time"), validators=[InputRequired(message=REQUIRED)])
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])
    # Shown once the new date was found to be more than a year ahead (asked once).
    confirm_far_date = BooleanField(_l("Yes, this date is right"))


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
    checkin_tolerance_min = IntegerField(
        _l("Logged times believed within (minutes of the planned start and end)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(0, 720)],
    )
    checkin_max_factor = DecimalField(
        _l("Longest believable visit or ride (times the planned length)"),
        places=1,
        validators=[InputRequired(message=REQUIRED), NumberRange(1, 10)],
    )
    max_ride_minutes = IntegerField(
        _l("Longest time a passenger sits in a shared ride (minutes)"),
        validators=[Optional(), NumberRange(5, 240)],
    )
    check_online_residents = BooleanField(
        _l("A coordinator checks residents who sign up online before volunteers see their requests")
    )
    understand_unchecked = BooleanField(
        _l("I understand: without the check, volunteers may be sent to people and addresses "
           "nobody has checked")
    )
