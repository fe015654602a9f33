"""The "are you sure?" of a shift's final actions, in words the reader understands
(``core.confirm``: a page of its own, no JavaScript; docs/guard-rails.md)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for
from flask_babel import gettext as _

from webapp.core.confirm import Question, form_fields
from webapp.core.dates import reader_datetime
from webapp.orgs.settings import org_tz
from webapp.shifts.models import NoShowSide, Shift, ShiftKind
from webapp.shifts.outcomes import UNDO_DAYS


def what(legs: Sequence[Shift]) -> str:
    """ "the home visit on Monday 14 December, 10:00" in the reader's language."""
    when = reader_datetime(legs[0].starts_at, org_tz(legs[0].organisation_id))
    if legs[0].kind == ShiftKind.VISIT:
        return _("the home visit on %(when)s", when=when)
    return _("the ride on %(when)s", when=when)


def _names(legs: Sequence[Shift]) -> str:
    return ", ".join(sorted({a.volunteer.full_name for leg in legs for a in leg.assignments}))


def no_show(legs: Sequence[Shift], side: str) -> Question:
    who = _("the resident") if side == NoShowSide.RESIDENT.value else _("the volunteer")
    return Question(
        title=_("Record a no-show?"),
        question=_("Record that %(who)s did not turn up to %(what)s?", who=who, what=what(legs)),
        details=[
            _("The shift is then closed and no hours are credited for it."),
            _("You can undo this from the shift's page for %(days)s days.", days=UNDO_DAYS),
        ],
        action=url_for("shifts.no_show", shift_id=legs[0].id),
        back=url_for("shifts.manage", shift_id=legs[0].id),
        yes=_("Yes, record the no-show"),
        no=_("No, go back"),
        fields=form_fields(),
        danger=True,
    )


def complete(legs: Sequence[Shift]) -> Question:
    minutes = round((legs[-1].ends_at - legs[0].starts_at).total_seconds() / 60)
    return Question(
        title=_("Mark as done?"),
        question=_("Mark %(what)s as done?", what=what(legs)),
        details=[
            _(
                "%(names)s will be credited the planned time, %(h)s h %(m)s min each.",
                names=_names(legs) or _("Nobody"),
                h=minutes // 60,
                m=minutes % 60,
            ),
            _("This cannot be undone."),
        ],
        action=url_for("shifts.complete", shift_id=legs[0].id),
        back=url_for("shifts.manage", shift_id=legs[0].id),
        yes=_("Yes, mark as done"),
        no=_("No, go back"),
        fields=form_fields(),
    )


def cancel(legs: Sequence[Shift]) -> Question:
    names = _names(legs)
    details = [_("This cannot be undone.")]
    if names:
        details.insert(0, _("%(names)s will be told by message.", names=names))
    return Question(
        title=_("Cancel this shift?"),
        question=_("Cancel %(what)s?", what=what(legs)),
        details=details,
        action=url_for("shifts.cancel", shift_id=legs[0].id),
        back=url_for("shifts.manage", shift_id=legs[0].id),
        yes=_("Yes, cancel it"),
        no=_("No, keep it"),
        fields=form_fields(),
        danger=True,
    )


def resident_cancel(legs: Sequence[Shift]) -> Question:
    """Asked of a resident: short sentences, what happens next, which button does what."""
    visit = legs[0].kind == ShiftKind.VISIT
    when = reader_datetime(legs[0].starts_at, org_tz(legs[0].organisation_id))
    names = ", ".join(sorted({a.volunteer.first_name for leg in legs for a in leg.assignments}))
    details = []
    if names:
        details.append(_("We will tell %(names)s that you do not need them.", names=names))
    if len(legs) > 1:
        details.append(_("The ride there and the ride back are both cancelled."))
    return Question(
        title=_("Cancel your visit?") if visit else _("Cancel your ride?"),
        question=_("Do you want to cancel your visit on %(when)s?", when=when)
        if visit
        else _("Do you want to cancel your ride on %(when)s?", when=when),
        details=details,
        action=url_for("requests.cancel_shift", shift_id=legs[0].id),
        back=url_for("requests.mine"),
        yes=_("Yes, cancel it"),
        no=_("No, keep it"),
        fields=form_fields(),
        danger=True,
        big=True,
    )


def volunteer_withdraw(legs: Sequence[Shift]) -> Question:
    return Question(
        title=_("Give this shift back?"),
        question=_("You will no longer do %(what)s.", what=what(legs)),
        details=[_("The coordinator is told and looks for someone else.")],
        action=url_for("shifts.withdraw", shift_id=legs[0].id),
        back=url_for("shifts.mine"),
        yes=_("Yes, give it back"),
        no=_("No, I will go"),
        fields=form_fields(),
        danger=True,
    )
