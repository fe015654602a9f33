"""The organisation profile form (parsing only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional


class ProfileForm(FlaskForm):
    phone = StringField(_l("Phone number residents call"), validators=[Optional(), Length(max=40)])
    opening_hours = StringField(
        _l("Opening hours of the phone line"), validators=[Optional(), Length(max=200)]
    )
    address = StringField(_l("Office address"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save"))


class LogoForm(FlaskForm):
    """The logo upload (``orgs/logo.py`` decodes and checks it)."""

    logo = FileField(_l("Logo (PNG or JPEG, at most 512 KB)"))
    upload = SubmitField(_l("Upload the logo"))
