"""Referral forms: they parse; the rules are in operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from webapp.core.forms import MultiCheckboxField, NumberField
from webapp.referrals.models import CloseReason, Consent, SourceKind
from webapp.shifts.forms import options

SOURCES = [
    (SourceKind.NEIGHBOUR.value, _l("A neighbour")),
    (SourceKind.FAMILY.value, _l("Family")),
    (SourceKind.FRIEND.value, _l("A friend")),
    (SourceKind.PHARMACY.value, _l("Pharmacy")),
    (SourceKind.GP.value, _l("Doctor (GP practice)")),
    (SourceKind.SOCIAL_SERVICES.value, _l("Social services")),
    (SourceKind.POSTAL_WORKER.value, _l("Postal worker")),
    (SourceKind.VOLUNTEER.value, _l("A volunteer")),
    (SourceKind.SELF.value, _l("The person themselves")),
    (SourceKind.OTHER.value, _l("Other")),
]
SOURCE_LABELS = dict(SOURCES)
CONSENTS = [
    (Consent.AGREED.value, _l("Yes, they know and agree that you call them")),
    (Consent.NOT_ASKED.value, _l("No, or I am not sure")),
]
CLOSE_REASONS = [
    (CloseReason.SIGNPOSTED.value, _l("Signposted to an activity, group or another service")),
    (CloseReason.REFUSED.value, _l("Does not want help")),
    (CloseReason.UNREACHABLE.value, _l("Could not be reached")),
    (CloseReason.HELPED_ELSEWHERE.value, _l("Already helped elsewhere")),
    (CloseReason.NOT_ISOLATED.value, _l("Not isolated")),
    (CloseReason.DUPLICATE.value, _l("Same person as another referral")),
    (CloseReason.OTHER.value, _l("Other (say why)")),
]
CLOSE_LABELS = dict(CLOSE_REASONS)

UCLA_ANSWERS = [("1", _l("Hardly ever or never")), ("2", _l("Some of the time")),
                ("3", _l("Often"))]  # fmt: skip
DIRECT_ANSWERS = [
    ("1", _l("Often or always")),
    ("2", _l("Some of the time")),
    ("3", _l("Occasionally")),
    ("4", _l("Hardly ever")),
    ("5", _l("Never")),
    ("", _l("Not asked")),
]
DIRECT_LABELS = dict(DIRECT_ANSWERS)
RISK_FACTORS = [
    ("lives_alone", _l("Lives alone")),
    ("bereaved", _l("Recent bereavement or break-up")),
    ("no_family_nearby", _l("No family nearby")),
    ("mobility", _l("Mobility problems")),
    ("hearing_sight", _l("Hearing or sight loss")),
    ("hospital_discharge", _l("Recently discharged from hospital")),
]
RISK_LABELS = dict(RISK_FACTORS)


class ReferralForm(FlaskForm):
    """The public "I'm worried about someone" form (and, without ``agree``, the form a
    coordinator fills on the phone)."""

    subject_name = StringField(_l("Their name"), validators=[Length(max=200)])
    subject_phone = StringField(_l("Their phone number"), validators=[Length(max=40)],
                                render_kw={"autocomplete": "off", "inputmode": "tel"})  # fmt: skip
    subject_address = StringField(_l("Their address"), validators=[Length(max=300)],
                                  render_kw={"autocomplete": "off"})  # fmt: skip
    reason = TextAreaField(_l("Why are you worried?"), validators=[Optional(), Length(max=2000)])
    consent = RadioField(_l("Do they know you are telling us?"), choices=options(CONSENTS),
                         validate_choice=False)  # fmt: skip
    source_kind = SelectField(
        _l("How do you know them?"),
        choices=options([("", _l("Choose")), *SOURCES]),
        validate_choice=False,
    )
    referrer_name = StringField(_l("Your name"), validators=[Length(max=200)],
                                render_kw={"autocomplete": "name"})  # fmt: skip
    referrer_contact = StringField(_l("Your phone or e-mail"), validators=[Length(max=254)])
    agree = BooleanField(
        _l("I agree that these details are kept to contact this person and offer help.")
    )
    # A field people never see (hidden by CSS, skipped by keyboard and screen readers):
    # a robot that fills every field fills it too.
    website = StringField(_l("Leave this empty"), render_kw={"tabindex": "-1",
                                                             "autocomplete": "off"})  # fmt: skip


class MeasureForm(FlaskForm):
    companionship = RadioField(_l("How often do you feel that you lack companionship?"),
                               choices=options(UCLA_ANSWERS), validate_choice=False)  # fmt: skip
    left_out = RadioField(_l("How often do you feel left out?"),
                          choices=options(UCLA_ANSWERS), validate_choice=False)  # fmt: skip
    isolated = RadioField(_l("How often do you feel isolated from others?"),
                          choices=options(UCLA_ANSWERS), validate_choice=False)  # fmt: skip
    direct = RadioField(_l("How often do you feel lonely?"), choices=options(DIRECT_ANSWERS),
                        validate_choice=False, default="")  # fmt: skip
    risk_factors = MultiCheckboxField(_l("Risk factors"), choices=options(RISK_FACTORS),
                                      validate_choice=False)  # fmt: skip
    method = RadioField(
        _l("Asked"),
        choices=options([("phone", _l("On the phone")), ("visit", _l("At a visit"))]),
        default="phone",
        validate_choice=False,
    )


class DeclineForm(FlaskForm):
    close_reason = SelectField(_l("Why is it closed?"),
                               choices=options([("", _l("Choose")), *CLOSE_REASONS]),
                               validate_choice=False)  # fmt: skip
    close_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class LinkForm(FlaskForm):
    person_id = HiddenField()


class DueForm(FlaskForm):
    due_date = DateField(_l("First contact due on"), validators=[Optional()])


class ActionForm(FlaskForm):
    pass


class SettingsForm(FlaskForm):
    remeasure_months = NumberField(_l("Measure loneliness again after (months)"), integer=True)


class ActivityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    what = TextAreaField(_l("What happens"), validators=[Optional(), Length(max=2000)])
    place = StringField(_l("Where"), validators=[Optional(), Length(max=300)])
    schedule = StringField(_l("When"), validators=[Optional(), Length(max=200)])
    cost = StringField(_l("Cost"), validators=[Optional(), Length(max=100)])
    accessibility = StringField(_l("Accessibility"), validators=[Optional(), Length(max=300)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])


class PrescribeForm(FlaskForm):
    activity_id = SelectField(_l("Activity"), validate_choice=False)
    needs_ride = BooleanField(_l("Needs a ride there and back"))


class AttendanceForm(FlaskForm):
    went = HiddenField()
    kept_going = HiddenField()
