"""Forms parse what people type; the rules live in operations (see FieldError).

Forms are assembled from small groups of fields, so that the volunteer, neighbour and
resident forms, and each member's "My details" page, share one definition per field.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import EmailField, SelectChoice, TelField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
)
from wtforms.widgets import PasswordInput

from webapp.core.forms import MultiCheckboxField, NumberField, phone_number
from webapp.people.models import CredentialKind, Person


def _options(*pairs: tuple[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


WEEKDAYS = _options(
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
)
LANGUAGES = _options(
    ("it", _l("Italian")),
    ("en", _l("English")),
    ("fr", _l("French")),
    ("de", _l("German")),
    ("es", _l("Spanish")),
    ("ro", _l("Romanian")),
    ("sq", _l("Albanian")),
    ("uk", _l("Ukrainian")),
    ("ar", _l("Arabic")),
)
LANGUAGE_CODES = frozenset(str(c.value) for c in LANGUAGES)
INTERESTS = _options(
    ("conversation", _l("A chat and a coffee")),
    ("reading", _l("Reading")),
    ("music", _l("Music")),
    ("cards", _l("Cards and board games")),
    ("walks", _l("Walks")),
    ("cooking", _l("Cooking")),
    ("gardening", _l("Gardening")),
    ("history", _l("Local history")),
    ("films", _l("Films and TV")),
    ("faith", _l("Church and faith")),
    ("crafts", _l("Crafts")),
    ("technology", _l("Phones and computers")),
)
GENDERS = _options(
    ("", _l("Prefer not to say")),
    ("female", _l("Woman")),
    ("male", _l("Man")),
    ("other", _l("Other")),
)
OFFERS = _options(
    ("visits", _l("Home visits")),
    ("driving", _l("Driving (solidarity taxi)")),
    ("both", _l("Both")),
)


def _required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


# --- groups of fields -------------------------------------------------------------------


class SlotForm(Form):
    weekday = SelectField(_l("Day"), choices=WEEKDAYS, coerce=int, default=0)
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("Until"), validators=[Optional()])


class AbsenceForm(Form):
    start = DateField(_l("Away from"), validators=[Optional()])
    end = DateField(_l("Back after"), validators=[Optional()])


class NameFields:
    first_name = StringField(
        _l("First name"), [_required(), Length(max=100)], render_kw={"autocomplete": "given-name"}
    )
    last_name = StringField(
        _l("Last name"), [_required(), Length(max=100)], render_kw={"autocomplete": "family-name"}
    )
    phone = TelField(
        _l("Phone"), [_required(), Length(max=40), phone_number], render_kw={"autocomplete": "tel"}
    )
    address = StringField(
        _l("Home address"),
        [_required(), Length(max=300)],
        render_kw={"autocomplete": "street-address"},
    )


class EmailFields:
    email = EmailField(
        _l("E-mail"),
        [_required(), Email(message=_l("Enter an e-mail like name@example.org.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class EmailChangeFields(EmailFields):
    """"My details": the login e-mail, which changes only with the password (whoever
    holds an open session must not take the account over by changing it)."""

    current_password = PasswordField(
        _l("Your password (only to change the e-mail)"),
        [Optional(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordFields:
    # The value is sent back when the form is shown again after an error, so that
    # nothing typed is lost (the page is only ever shown to the person typing it).
    password = PasswordField(
        _l("Password"),
        [_required(), Length(max=200)],
        widget=PasswordInput(hide_value=False),
        render_kw={"autocomplete": "new-password"},
    )


class AboutFields:
    gender = SelectField(_l("Gender (optional)"), choices=GENDERS, default="")
    languages = MultiCheckboxField(_l("Languages you speak"), choices=LANGUAGES, default=[])
    interests = MultiCheckboxField(_l("Interests"), choices=INTERESTS, default=[])


class OfferFields:
    offers = RadioField(
        _l("What can you offer?"),
        choices=OFFERS,
        validators=[InputRequired(message=_l("Choose what you can offer."))],
    )
    max_km = NumberField(_l("How far will you travel? (km)"))
    hours_per_week = NumberField(_l("Hours per week you can give"))
    car_seats = NumberField(_l("Passenger seats in your car"), integer=True)
    car_wheelchair = BooleanField(_l("My car can take a wheelchair"))


class NeighbourOfferFields:
    offers_visits = BooleanField(_l("I can visit or keep company to someone nearby"))
    max_km = NumberField(_l("How far will you go? (km)"), default=1)
    hours_per_week = NumberField(_l("Hours per week you can give"), default=1)


class AvailabilityFields:
    slots = FieldList(FormField(SlotForm), min_entries=1, max_entries=40)
    add_slot = SubmitField(_l("Add another time slot"))


class AbsenceFields:
    absences = FieldList(FormField(AbsenceForm), min_entries=1, max_entries=20)
    add_absence = SubmitField(_l("Add another absence"))


class NeedsFields:
    wants_visits = BooleanField(_l("Visits and company"))
    wants_rides = BooleanField(_l("Rides (to the doctor, the shops...)"))


class MobilityFields:
    uses_wheelchair = BooleanField(_l("Uses a wheelchair"))
    uses_walker = BooleanField(_l("Uses a walker"))
    needs_escort = BooleanField(_l("Needs someone to go with them"))
    hard_of_hearing = BooleanField(_l("Hard of hearing"))


class GuardianFields:
    guardian_name = StringField(_l("Guardian's name"), [Optional(), Length(max=200)])
    guardian_relation = StringField(
        _l("Relation (e.g. daughter, social worker)"), [Optional(), Length(max=60)]
    )
    guardian_phone = TelField(_l("Guardian's phone"), [Optional(), Length(max=40), phone_number])
    guardian_email = EmailField(
        _l("Guardian's e-mail"),
        [Optional(), Email(message=_l("Enter an e-mail like name@example.org.")), Length(max=254)],
    )


class CoordinatorNotes:
    health_notes = TextAreaField(
        _l("Health notes (coordinators only)"), [Optional(), Length(max=4000)]
    )


# --- the forms --------------------------------------------------------------------------


class VolunteerSignupForm(
    FlaskForm,
    NameFields,
    EmailFields,
    PasswordFields,
    OfferFields,
    AboutFields,
    AvailabilityFields,
    AbsenceFields,
):
    consent = BooleanField(
        _l("I agree that Ponte keeps these details to arrange my volunteering"),
        [DataRequired(message=_l("Please tick the box to agree."))],
    )
    submit = SubmitField(_l("Sign up"))


class NeighbourSignupForm(
    FlaskForm, NameFields, EmailFields, PasswordFields, NeighbourOfferFields, NeedsFields,
    AboutFields, AvailabilityFields,
):  # fmt: skip
    consent = BooleanField(
        _l("I agree that Ponte keeps these details to arrange help between neighbours"),
        [DataRequired(message=_l("Please tick the box to agree."))],
    )
    submit = SubmitField(_l("Sign up"))


class ResidentSignupForm(FlaskForm, NameFields, NeedsFields):
    email = EmailField(
        _l("E-mail (optional)"),
        [Optional(), Email(message=_l("Enter an e-mail like name@example.org.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password (only if you gave an e-mail)"),
        [Optional(), Length(max=200)],
        widget=PasswordInput(hide_value=False),
    )
    consent = BooleanField(
        _l("I agree that Ponte keeps these details to arrange my help"),
        [DataRequired(message=_l("Please tick the box to agree."))],
    )
    submit = SubmitField(_l("Send"))


class ResidentByPhoneForm(
    FlaskForm, NameFields, NeedsFields, MobilityFields, AboutFields, GuardianFields,
    CoordinatorNotes,
):  # fmt: skip
    consent = BooleanField(
        _l("Consent given by phone"),
        [DataRequired(message=_l("Ask for consent and tick the box before saving."))],
    )
    submit = SubmitField(_l("Save resident"))


def details_form(person: Person, **kwargs: Any) -> FlaskForm:
    """The "My details" form for what this member is: volunteer, neighbour, resident."""
    bases: list[type] = [FlaskForm, NameFields]
    if person.user is not None:
        bases.append(EmailChangeFields)
    if person.volunteer is not None:
        if person.is_volunteer:
            bases.append(OfferFields)
        else:
            bases.append(NeighbourOfferFields)
    if person.resident is not None:
        bases += [NeedsFields, MobilityFields]
    bases.append(AboutFields)
    if person.volunteer is not None:
        bases += [AvailabilityFields, AbsenceFields]
    cls = type("DetailsForm", tuple(bases), {"submit": SubmitField(_l("Save my details"))})
    return cls(**kwargs)


def coordinator_edit_form(**kwargs: Any) -> FlaskForm:
    """Editing a resident: as on the phone, without asking consent again."""
    bases = (FlaskForm, NameFields, NeedsFields, MobilityFields, AboutFields, GuardianFields)
    attrs = {"health_notes": CoordinatorNotes.health_notes, "submit": SubmitField(_l("Save"))}
    return type("ResidentEditForm", bases, attrs)(**kwargs)


class VolunteerByPhoneForm(
    FlaskForm, NameFields, OfferFields, AboutFields, AvailabilityFields, AbsenceFields
):  # fmt: skip
    """A volunteer who phones in: no login needed (e-mail optional), vetted as anyone."""

    email = EmailField(
        _l("E-mail (optional)"),
        [Optional(), Email(message=_l("Enter an e-mail like name@example.org.")), Length(max=254)],
    )
    consent = BooleanField(
        _l("The volunteer agreed on the phone that Ponte keeps these details"),
        [DataRequired(message=_l("Ask for consent and tick the box before saving."))],
    )
    submit = SubmitField(_l("Save volunteer"))


def coordinator_volunteer_form(person: Person, **kwargs: Any) -> FlaskForm:
    """A coordinator edits what a volunteer gives: contact, offer, hours, availability,
    absences (the login's e-mail stays the member's own)."""
    offer: type = OfferFields if person.is_volunteer else NeighbourOfferFields
    bases = (FlaskForm, NameFields, offer, AboutFields, AvailabilityFields, AbsenceFields)
    return type("VolunteerEditForm", bases, {"submit": SubmitField(_l("Save"))})(**kwargs)


class AddResidentRoleForm(FlaskForm):
    consent = BooleanField(
        _l("Consent given by phone"),
        [DataRequired(message=_l("Ask for consent and tick the box before saving."))],
    )
    submit = SubmitField(_l("Add: receives help"))


class ConfirmForm(FlaskForm):
    """One button that says what it will do (the page around it explains)."""


class CredentialForm(FlaskForm):
    kind = SelectField(
        _l("Check"),
        choices=_options(
            (CredentialKind.IDENTITY.value, _l("Identity checked")),
            (CredentialKind.DRIVING_LICENCE.value, _l("Driving licence")),
            (CredentialKind.INSURANCE.value, _l("Car insurance")),
            (CredentialKind.BACKGROUND_CHECK.value, _l("Background check")),
        ),
    )
    checked_on = DateField(_l("Checked on"), [InputRequired(message=_l("Give a date."))])
    expires_on = DateField(_l("Expires on"), [Optional()])
    note = StringField(_l("Note (optional)"), [Optional(), Length(max=300)])
    submit = SubmitField(_l("Record check"))


class StatusForm(FlaskForm):
    action = HiddenField()
    reason = TextAreaField(_l("Reason (required to reject or suspend)"), [Length(max=2000)])


class PinForm(FlaskForm):
    lat = NumberField(_l("Latitude"))
    lon = NumberField(_l("Longitude"))
    submit = SubmitField(_l("Place pin"))
