from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from webapp.auth.passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    new = PasswordField(
        _l("New password"),
        [
            DataRequired(_l("Choose a new password of at least %(n)s characters.", n=MIN_LENGTH)),
            Length(max=200),
        ],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    repeat = PasswordField(
        _l("New password again"),
        [DataRequired(_l("Type the new password a second time.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    return new, repeat


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        [DataRequired(_l("Type the password you use now.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, repeat = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        [
            DataRequired(_l("Type the e-mail address you log in with.")),
            Email(_l("Enter an e-mail like name@example.org.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    new_password, repeat = _new_password_fields()
    submit = SubmitField(_l("Save the new password"))


class TemporaryPasswordForm(FlaskForm):
    submit = SubmitField(_l("Set a temporary password"))


class CodeForm(FlaskForm):
    """The second step of a login: a code from the authenticator or a recovery code."""

    code = StringField(
        _l("Code"),
        [DataRequired(_l("Type the 6-digit code from your app, or a recovery code.")),
         Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )
    submit = SubmitField(_l("Continue"))


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        [DataRequired(_l("Type the 6-digit code the app shows now.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on"))


class NewRecoveryCodesForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        [DataRequired(_l("Type the 6-digit code the app shows now.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Make new recovery codes"))
