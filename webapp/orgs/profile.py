"""The organisation's public profile: the number residents are told to call.

Every "call us" on a page or in an error message goes through :func:`call_us`, so that
it gives the number and opening hours once the organisation has entered them.
"""

from __future__ import annotations

from flask_babel import gettext as _

from webapp.extensions import db
from webapp.orgs.models import Organisation


def call_us(org: Organisation | int | None) -> str:
    """ "call us on 0865 1234 (Monday to Friday, 9:00-13:00)", or "call us" with no number."""
    if isinstance(org, int):
        org = db.session.get(Organisation, org)
    if org is None or not org.phone:
        return _("call us")
    if org.opening_hours:
        return _("call us on %(phone)s (%(hours)s)", phone=org.phone, hours=org.opening_hours)
    return _("call us on %(phone)s", phone=org.phone)


def save_profile(
    org: Organisation, *, phone: str | None, opening_hours: str | None, address: str | None
) -> None:
    org.phone = (phone or "").strip() or None
    org.opening_hours = (opening_hours or "").strip() or None
    org.address = (address or "").strip() or None
    db.session.flush()
