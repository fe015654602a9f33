"""The observers page's form (parsing only: ``observers.add_observer`` checks)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField


class ObserverForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail"))
    submit = SubmitField(_l("Add and send the invitation"))
