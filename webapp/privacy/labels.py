"""Words for the audit log's actions, translated at render time."""

from __future__ import annotations

from flask_babel import gettext as _

_ACTIONS = {
    "person.viewed": lambda: _("Record viewed"),
    "person.created": lambda: _("Record created"),
    "person.changed": lambda: _("Record changed"),
    "person.pin_moved": lambda: _("Pin placed or moved"),
    "person.exported": lambda: _("Data exported"),
    "person.erased": lambda: _("Personal data erased"),
    "consent.given": lambda: _("Consent given"),
    "consent.withdrawn": lambda: _("Consent withdrawn"),
    "credential.recorded": lambda: _("Check recorded"),
    "volunteer.approve": lambda: _("Volunteer approved"),
    "volunteer.reject": lambda: _("Volunteer rejected"),
    "volunteer.suspend": lambda: _("Volunteer suspended"),
    "volunteer.reinstate": lambda: _("Volunteer reinstated"),
    "resident.checked": lambda: _("Resident checked"),
    "role.added": lambda: _("Role added"),
    "role.removed": lambda: _("Role removed"),
    "settings.changed": lambda: _("Settings changed"),
    "ledger.grant": lambda: _("Time granted from the chest"),
    "ledger.reversal": lambda: _("Transfer reversed"),
    "ledger.adjustment": lambda: _("Balance adjusted"),
    "account.temporary_password": lambda: _("Temporary password given"),
    "account.access_revoked": lambda: _("Sessions and tokens revoked"),
    "account.login_blocked_suspended": lambda: _("Login refused (suspended)"),
    "account.second_factor_enabled": lambda: _("Second factor turned on"),
    "account.second_factor_reset": lambda: _("Second factor reset"),
    "account.recovery_code_used": lambda: _("Recovery code used"),
    "account.volunteer_suspend": lambda: _("Login blocked (suspended)"),
    "account.volunteer_reinstate": lambda: _("Login allowed again"),
    "retention.applied": lambda: _("Retention policy applied"),
}


def action_label(action: str) -> str:
    label = _ACTIONS.get(action)
    return label() if label else action
