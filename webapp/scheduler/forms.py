from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange


def _int(label: str, lo: int, hi: int) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(lo, hi, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )


class ScheduleForm(FlaskForm):
    match_days_ahead = _int(_l("Propose volunteers for shifts in the next days"), 1, 30)
    daily_hour = _int(_l("Hour of the daily round (proposals, reminders to chase, checks)"), 0, 23)
    volunteer_reminder_hours_1 = _int(_l("First reminder to volunteers, hours before"), 1, 168)
    volunteer_reminder_hours_2 = _int(
        _l("Second reminder to volunteers, hours before (0 for none)"), 0, 168
    )
    resident_reminder_hour = _int(_l("Hour of the reminder to residents, the day before"), 0, 23)
    confirm_deadline_hours = _int(
        _l("A volunteer must confirm this many hours before, or the shift is reopened"), 1, 336
    )
    escalate_days = _int(_l("Chase shifts still without a volunteer this many days ahead"), 1, 30)
    auto_confirm_hours = _int(
        _l("Confirm a finished shift and credit the hours after this many hours"), 1, 720
    )
    credential_warning_days = _int(_l("Warn about checks that run out within days"), 1, 180)
    audit_hour = _int(_l("Hour of the nightly time-bank check"), 0, 23)
